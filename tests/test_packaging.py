"""The frozen bundle's seams that a change elsewhere could break without any frozen build noticing
(the bundle itself is built and smoke-tested by packaging/smoke_linux.py, too slow for CI)."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging" / "pyinstaller"))

import launcher  # noqa: E402


def test_the_encryptor_the_batch_starts_is_one_the_frozen_launcher_runs() -> None:
    from sync import batch

    # sync/batch.py starts `sys.executable -m ENCRYPTOR`; frozen, only CHILD_MODULES run so.
    assert batch.ENCRYPTOR in launcher.CHILD_MODULES
    for name in launcher.CHILD_MODULES:
        assert importlib.util.find_spec(name) is not None, name


def test_the_launcher_runs_no_other_module() -> None:
    before = list(sys.argv)
    assert not launcher._run_child_module(["sohoa", "-m", "http.server", "8000"])
    assert not launcher._run_child_module(["sohoa", "-m"])
    assert not launcher._run_child_module(["sohoa", "vault", "info"])
    assert sys.argv == before


def test_the_bundle_starts_the_console_script_pyproject_names(tmp_path: Path) -> None:
    common = pytest.importorskip("common", reason="PyInstaller (the bundle extra) is missing")
    folder = Path(common.entry_module(str(tmp_path)))
    text = (folder / "_sohoa_entry.py").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("from "))
    module, function = line.split()[1], line.split()[3]
    assert callable(getattr(importlib.import_module(module), function))
    assert "sync.server" in common.EXCLUDES  # the command's server stays out of the bundle
    assert (ROOT / "assets" / "i18n" / "sohoa_vi.qm").as_posix() in {
        Path(src).as_posix() for src, _ in common.datas()}


def test_the_smoke_mode_refuses_a_folder_that_holds_anything(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "data").mkdir()
    result = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "pyinstaller" / "launcher.py")],
        env={"SOHOA_HOME": str(home), "SOHOA_SMOKE": str(result), "PATH": "/usr/bin:/bin",
             "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "SOHOA_HOME must name an empty folder" in run.stderr
    assert not result.exists() and list(home.iterdir()) == [home / "data"]
