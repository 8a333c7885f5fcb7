"""The frozen station app's entry point (PyInstaller runs this file as ``__main__``).

In order, because each must come before the next:

1. ``multiprocessing.freeze_support()``: the photo decoders are *spawned* processes
   (``capture/pictures.py``); frozen, a spawned child is this same executable started with
   ``--multiprocessing-fork`` (and the resource tracker with its own arguments), and this call
   turns it into the child instead of a second app.
2. ``sohoa -m sync.age_stream RECIPIENT OUT``: the batch encryptor is started as
   ``sys.executable -m sync.age_stream`` (``sync/batch.py``), which a frozen executable does not
   understand by itself. Only the modules in ``CHILD_MODULES`` are run this way, so the bundle is
   no general Python interpreter.
3. Libraries: ``sounddevice`` looks PortAudio up with ``ctypes.util.find_library``, which on Linux
   asks ``ldconfig`` and so finds only a system copy; the bundle carries its own (packaging's hook
   collects it), which is preferred here so a laptop without ``libportaudio2`` still records.
4. ``SOHOA_SMOKE=RESULT.json``: the smoke run (``smoke_driver.py``, packaging/smoke_linux.sh), only
   with ``SOHOA_HOME`` set to an empty folder, so it can never touch a station's real vault.
5. Otherwise the ``sohoa`` console script named in pyproject.toml (``_sohoa_entry``, written by the
   spec at build time), so the app and its CLI start exactly as the installed ``sohoa`` does.
"""

from __future__ import annotations

import ctypes.util
import multiprocessing
import os
import runpy
import sys
from pathlib import Path

CHILD_MODULES = frozenset({"sync.age_stream"})
BUNDLED_LIBRARIES = {"portaudio": "libportaudio.so*"}


def _run_child_module(argv: list[str]) -> bool:
    if len(argv) >= 3 and argv[1] == "-m" and argv[2] in CHILD_MODULES:
        sys.argv = [argv[0], *argv[3:]]
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
        return True
    return False


def _prefer_bundled_libraries(bundle: Path) -> None:
    system_find = ctypes.util.find_library

    def find_library(name: str) -> str | None:
        pattern = BUNDLED_LIBRARIES.get(name)
        if pattern is not None:
            found = sorted(bundle.glob(pattern))
            if found:
                return str(found[0])
        return system_find(name)

    ctypes.util.find_library = find_library


def main() -> int:
    multiprocessing.freeze_support()
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        if sys.platform.startswith("linux"):
            _prefer_bundled_libraries(Path(bundle))
        if _run_child_module(sys.argv):
            return 0
    if os.environ.get("SOHOA_SMOKE"):
        import smoke_driver

        return smoke_driver.run(Path(os.environ["SOHOA_SMOKE"]))
    from _sohoa_entry import entry

    return int(entry() or 0)


if __name__ == "__main__":
    sys.exit(main())
