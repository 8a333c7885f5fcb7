"""What the Linux and the Windows spec share: the entry point, the data the station reads from
disk, the modules analysis cannot see, and what the station never needs (the command's server).

Imported by ``packaging/pyinstaller/sohoa-linux.spec`` and ``packaging/windows/sohoa-windows.spec``
(spec files are Python run by PyInstaller; ``SPECPATH`` is the spec's folder).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCRIPT = "sohoa"  # the console script in pyproject.toml whose module the bundle starts

# The command's side and the tools to build or test: never on a volunteer's laptop. Each one
# left out is tens of MB (splink brings duckdb and pyarrow; the server Starlette and uvicorn).
EXCLUDES = [
    "sync.server", "splink", "duckdb", "pyarrow", "pandas", "sqlglot", "altair",
    "starlette", "uvicorn", "jinja2", "multipart", "python_multipart", "psycopg",
    "vietnamadminunits", "tkinter", "pytest", "_pytest", "pytestqt", "IPython",
    "PyInstaller", "importlinter", "selenium", "tuspy", "piexif",
    # Qt parts the station does not use (QtQuick comes in only through QML, which it has none of)
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtQml", "PySide6.QtQuick",
    "PySide6.Qt3DCore", "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtGraphs",
]


def entry_module(workpath: str) -> str:
    """Write ``_sohoa_entry.py`` (``from MODULE import FUNCTION as entry``) into the build folder
    from pyproject.toml's [project.scripts], so a move of the app's entry module (ui/ is being
    regrouped) changes only pyproject.toml. Returns the folder to put on the analysis path."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"]
    module, _, function = scripts[SCRIPT].partition(":")
    folder = Path(workpath) / "entry"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_sohoa_entry.py").write_text(
        f'"""Written by packaging/pyinstaller/common.py from pyproject.toml."""\n'
        f"from {module} import {function} as entry  # noqa: F401\n", encoding="utf-8")
    return str(folder)


def datas() -> list[tuple[str, str]]:
    """Files the station opens by path: its assets (fonts, compiled translations, consent texts,
    the guide's pages and pictures, icons, styles), the vault's Alembic migrations (Alembic
    reads them as .py files), and packages' own data."""
    assets = ROOT / "assets"
    found: list[tuple[str, str]] = []
    for path in sorted(assets.rglob("*")):
        if path.is_file() and path.suffix != ".ts":  # .ts: translators' sources, not read
            found.append((str(path), str(path.parent.relative_to(ROOT))))
    migrations = ROOT / "capture" / "migrations"
    for path in sorted(migrations.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            found.append((str(path), str(path.parent.relative_to(ROOT))))
    for package in ("vietnam_provinces", "capture"):
        found += [d for d in collect_data_files(package) if "migrations" not in d[1]]
    return found


def hiddenimports() -> list[str]:
    """Every module of the station's packages (several are imported by name at run time: the
    encryptor run as ``-m sync.age_stream``, the migrations' env), the smoke driver, and the
    entry written by ``entry_module``."""
    station = [m for m in collect_submodules("capture") + collect_submodules("ui")
               + collect_submodules("sync") if not m.startswith("sync.server")]
    return [*station, "smoke_driver", "_sohoa_entry", "PySide6.QtTest"]


def pathex(workpath: str) -> list[str]:
    return [str(ROOT), str(HERE), entry_module(workpath)]
