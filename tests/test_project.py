"""The project's shape: the packages of DESIGN §1, the import contracts, the entry points."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_every_part_of_the_layout_exists():
    for package in ("capture", "sync", "sync/server", "ui"):
        assert (ROOT / package / "__init__.py").is_file(), package
    for folder in ("assets", "packaging", "tests"):
        assert (ROOT / folder).is_dir(), folder
    assert (ROOT / "pyproject.toml").is_file()


def test_import_contracts_hold():
    # Only ui/ imports Qt; capture/ imports neither sync/ nor ui/; the server not the vault.
    result = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ci_runs_the_readme_test_command():
    command = "bash packaging/dev/run-tests.sh"
    assert command in (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert [line for line in ci if line.strip() and not line.startswith("#!")] == [
        "set -euo pipefail", command]
