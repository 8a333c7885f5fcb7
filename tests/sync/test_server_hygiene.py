"""The command's data folder is its user's alone (folders 0700, files 0600: the archive is
plaintext of families' memories, the keys and the database are secrets), set by `init` and
again when `serve` starts, which also sweeps what crashed ingests left in staging."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx

from sync.server.__main__ import main
from tests.sync.servers import free_port

SERVER = Path(sys.executable).parent / "sohoa-server"


def _modes(data: Path) -> dict[str, int]:
    return {p.relative_to(data).as_posix(): stat.S_IMODE(p.stat().st_mode)
            for p in [data, *data.rglob("*")]}


def _private(data: Path) -> None:
    modes = _modes(data)
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (data / name).is_dir() else 0o600)}
    assert wrong == {}


def test_init_makes_a_private_data_folder(tmp_path, capsys):
    umask = os.umask(0o022)  # a usual umask: files would be 0644 without care
    try:
        assert main(["init", "--data", str(tmp_path / "srv")]) == 0
    finally:
        os.umask(umask)
    names = set(_modes(tmp_path / "srv"))
    assert {"keys", "server.db"} <= names
    _private(tmp_path / "srv")


def test_serve_locks_the_data_folder_down_and_sweeps_staging(tmp_path):
    data = tmp_path / "srv"
    assert main(["init", "--data", str(data)]) == 0
    # What an older server left: a world-readable archive, and a crashed ingest's staging.
    bag = data / "archive" / "station" / "batch" / "data"
    bag.mkdir(parents=True, mode=0o755)
    (bag / "photo.jpg").write_bytes(b"family photo")
    (bag / "photo.jpg").chmod(0o644)
    for folder in (data / "archive", data / "archive" / "station", bag.parent, bag):
        folder.chmod(0o755)
    left = data / "archive" / ".staging" / "crashed-ingest"
    left.mkdir(parents=True)
    (left / "half.jpg").write_bytes(b"x" * 1000)
    port = free_port()
    process = subprocess.Popen([str(SERVER), "serve", "--data", str(data), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.options(f"http://127.0.0.1:{port}/files", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert not left.exists()
        _private(data)
    finally:
        process.terminate()
        process.wait(timeout=30)
