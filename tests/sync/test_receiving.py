"""An upload's outcome exactly once, through crashes and through the command's own faults: the
real server on loopback (in a subprocess where a fault is a crash), the station's real upload
client, the batch archived once and the station left with its receipt; a full disk at the
command keeps the bytes, answers 503 retryable and delivers once space returns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select

from sync import httpsig, receipt
from sync.server.app import ServerConfig, create_app
from sync.server.keys import CommandKeys
from sync.server.receiving import Receiving
from sync.server.store import Store, uploads
from sync.upload import Backoff, Uploader
from tests.capture.test_import import _mount_tmpfs
from tests.sync.servers import CommandServer, enrol_station, free_port, random_batch

MiB = 1024 * 1024


def _archived(data: Path) -> list[Path]:
    """The bags in the archive, one folder each (station/batch)."""
    archive = data / "archive"
    return sorted(p for p in archive.glob("*/*") if p.is_dir() and p.parent.name != ".staging")


def _state(store: Store, upload_id: str):  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return conn.execute(select(uploads).where(uploads.c.id == upload_id)).first()


class Injected(Exception):
    pass


def test_a_failed_final_update_keeps_the_bytes_and_the_retry_delivers_once(tmp_path,
                                                                            database_url):
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store(database_url)
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(store, key)
    (data / "uploads").mkdir()
    part = data / "uploads" / ("ab" * 16 + ".part")
    random_batch(part, 200_000, keys.recipient, key, station_id)
    now = datetime.now(UTC)
    with store.begin() as conn:
        conn.execute(insert(uploads).values(
            id="ab" * 16, station_id=station_id, length=part.stat().st_size, created_at=now,
            expires_at=now + timedelta(days=1), state="ingesting"))
    faults = []

    def checkpoint(point: str) -> None:
        if point == "record_upload" and not faults:
            faults.append(point)
            raise Injected("the database refused the final UPDATE")

    receiving = Receiving(store, keys, data / "uploads", data / "archive",
                          checkpoint=checkpoint)
    receiving.finish("ab" * 16)
    row = _state(store, "ab" * 16)
    assert row.state == "waiting" and json.loads(row.result)["retryable"] is True
    assert part.exists() and store.list_batches() == [] and _archived(data) == []

    receiving.resume()  # what the server does every minute and at start
    row = _state(store, "ab" * 16)
    assert row.state == "done" and not part.exists()
    [batch] = store.list_batches()
    assert receipt.verify(keys.signing_public, row.result).batch_id == batch["batch_id"]
    assert store.batch_of_upload("ab" * 16)["batch_id"] == batch["batch_id"]
    assert _archived(data) == [Path(batch["archive_path"])]
    store.engine.dispose()


# --- crashes, in a server process of its own ------------------------------------------------

SERVER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import uvicorn
    from sync.server.app import ServerConfig, create_app

    data, port, point, how, marker = sys.argv[1:]

    def checkpoint(at):
        if at == point and not os.path.exists(marker):
            open(marker, "w").close()
            if how == "crash":
                os._exit(17)  # the power goes, right here
            raise RuntimeError("injected: the database refused the final UPDATE")

    uvicorn.run(create_app(ServerConfig(Path(data), retry_every=0.3, checkpoint=checkpoint)),
                host="127.0.0.1", port=int(port), log_level="warning")
""")


class ServerProcess:
    def __init__(self, data: Path, port: int, point: str, how: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(data), str(port), point, how,
             str(data.parent / "fault-injected")], cwd=Path(__file__).parents[2])
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.options(self.url + "/files", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the command server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)


@pytest.mark.parametrize(("point", "how"), [
    ("moved", "crash"),  # archived, not yet recorded
    ("recorded", "crash"),  # recorded, the uploaded file not yet removed
    ("record_upload", "raise"),  # the final UPDATE fails
])
def test_a_crash_or_a_failed_record_archives_once_and_the_station_ends_delivered(
        tmp_path, point, how):
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store.in_folder(data)
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(store, key)
    batch_file = tmp_path / "station" / "batch.age"
    batch_file.parent.mkdir()
    batch_id = str(uuid.uuid4())
    payload = random_batch(batch_file, 2 * MiB, keys.recipient, key, station_id,
                           batch_id=batch_id)
    port = free_port()
    server = ServerProcess(data, port, point, how)
    outcome: list[object] = []
    uploader = Uploader(server.url, station_id, key, batch_file, keys.signing_public,
                        batch_id=batch_id, backoff=Backoff(base=0.2, cap=0.5))

    def station() -> None:
        try:
            outcome.append(uploader.run())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=station)
    thread.start()
    try:
        if how == "crash":
            server.process.wait(timeout=60)  # it died at the point
            assert server.process.returncode == 17
            assert (data.parent / "fault-injected").exists()
            server = ServerProcess(data, port, point, how)  # the command starts again
        thread.join(timeout=90)
    finally:
        uploader.cancelled.set()
        thread.join(timeout=30)
        server.stop()
        uploader.close()
    assert (data.parent / "fault-injected").exists()
    [got] = outcome
    assert isinstance(got, receipt.Receipt), got  # the station's part is delivered
    [row] = store.list_batches()
    assert got.batch_id == row["batch_id"] and got.body["station"] == station_id
    [bag] = _archived(data)  # archived once
    assert bag == Path(row["archive_path"])
    assert sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*.bin")) \
        == sorted(payload)
    assert list((data / "uploads").glob("*.part")) == []
    assert list((data / "archive" / ".staging").iterdir()) == []
    with store.engine.connect() as conn:
        assert [r.state for r in conn.execute(select(uploads))] == ["done"]
    store.engine.dispose()


# --- a full disk at the command ---------------------------------------------------------------

def test_a_full_disk_at_the_command_keeps_the_upload_and_delivers_when_space_returns(tmp_path):
    data = tmp_path / "command"
    if not _mount_tmpfs(data, "12m"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        keys = CommandKeys.create(data / "keys")
        database = f"sqlite:///{tmp_path / 'server.db'}"  # the database has room; the disk not
        store = Store(database)
        key = Ed25519PrivateKey.generate()
        station_id = enrol_station(store, key)
        batch_file = tmp_path / "batch.age"
        batch_id = str(uuid.uuid4())
        random_batch(batch_file, 3 * MiB, keys.recipient, key, station_id, batch_id=batch_id)
        server = CommandServer(create_app(ServerConfig(
            data, database_url=database, retry_every=0.3, free_space_reserve=0))).start()
        # Other files fill the disk: the upload fits, its unpacked copy does not.
        free = os.statvfs(data).f_bavail * os.statvfs(data).f_frsize
        ballast = data / "other-files.bin"
        ballast.write_bytes(b"\0" * (free - batch_file.stat().st_size - MiB))
        outcome: list[object] = []
        uploader = Uploader(server.url, station_id, key, batch_file, keys.signing_public,
                            batch_id=batch_id, backoff=Backoff(base=0.2, cap=0.5))
        thread = threading.Thread(target=lambda: outcome.append(uploader.run()))
        thread.start()
        try:
            deadline = time.monotonic() + 60
            while not (rows := _uploads(store)) or rows[0].state != "waiting":
                assert time.monotonic() < deadline, rows
                time.sleep(0.1)
            [row] = rows
            assert (data / "uploads" / f"{row.id}.part").stat().st_size == row.length  # kept
            path = f"/files/{row.id}/result"
            answer = httpx.get(server.url + path,
                               headers=httpsig.sign(key, station_id, "GET", path, {}))
            assert answer.status_code == 503 and "Retry-After" in answer.headers
            refused = receipt.verify_refusal(keys.signing_public, answer.text)  # signed
            assert refused.code == "no_space" and refused.retryable and refused.upload == row.id
            assert not outcome  # the station waits, it does not give the part up
            ballast.unlink()  # the staff make room
            thread.join(timeout=60)
        finally:
            uploader.cancelled.set()
            thread.join(timeout=30)
            uploader.close()
            server.stop()
        [got] = outcome
        assert isinstance(got, receipt.Receipt)
        [batch] = store.list_batches()
        assert got.batch_id == batch["batch_id"]
        assert [r.state for r in _uploads(store)] == ["done"]
        assert list((data / "uploads").glob("*.part")) == []
        store.engine.dispose()
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def _uploads(store: Store) -> list:  # type: ignore[type-arg]
    with store.engine.connect() as conn:
        return list(conn.execute(select(uploads)))
