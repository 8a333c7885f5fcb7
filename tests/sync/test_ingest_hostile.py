"""The command's ingest under attack: a swapped USB stick (anyone can encrypt to the command's
public recipient) is refused before a byte is decrypted; an enrolled station that was stolen
cannot fill the command's disk, memory or time with tar bombs, nor crash ingest with names no
disk takes, nor squat another station's batch id. Each bomb runs with the staging folder on a
1 MiB tmpfs: writing 1 MB or more would end in a full disk, not in the reason asserted."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import time
import unicodedata
import uuid
from pathlib import Path

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update

from sync import bag, minisign, receipt
from sync.server.ingest import Limits, Rejected, Retryable, ingest, sweep_staging
from sync.server.keys import CommandKeys
from sync.server.store import Store, stations
from tests.capture.test_import import _mount_tmpfs
from tests.sync.servers import enrol_station, random_batch, usb_signature

MiB = 1024 * 1024


@pytest.fixture
def command(tmp_path, database_url):
    """The command's keys, its database (SQLite, then PostgreSQL) and its archive folder."""
    keys = CommandKeys.create(tmp_path / "command" / "keys")
    store = Store(database_url)
    yield keys, store, tmp_path / "command" / "archive"
    store.engine.dispose()


@pytest.fixture
def small(tmp_path):
    """The command on SQLite, its staging folder a 1 MiB tmpfs."""
    keys = CommandKeys.create(tmp_path / "command" / "keys")
    store = Store.in_folder(tmp_path / "command")
    archive = tmp_path / "command" / "archive"
    staging = archive / ".staging"
    if not _mount_tmpfs(staging, "1m"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        yield keys, store, archive
    finally:
        subprocess.run(["umount", "-l", str(staging)], check=False)
        store.engine.dispose()


def _station(store: Store):  # type: ignore[no-untyped-def]
    key = Ed25519PrivateKey.generate()
    return key, enrol_station(store, key)


def _signed_bag(key, station_id: str, batch_id: str, payload: list[tuple[str, bytes]],  # type: ignore[no-untyped-def]
                ) -> bytes:
    """A bag signed as the station signs it, as a tar, with the payload files given (in order,
    whatever their names: the station's own BagWriter writes them)."""
    sink = io.BytesIO()
    tar = bag.open_tar(sink)
    writer = bag.BagWriter(tar, f"sohoa-batch-{batch_id}", time.time())
    for name, data in payload:
        writer.add_payload_bytes(name, data)
    writer.finish({"External-Identifier": batch_id, "Sohoa-Station": station_id,
                   "Bag-Count": "1 of 1"},
                  sign=lambda data: minisign.sign(key, minisign.blake2b_of([data]), "t"))
    tar.close()
    return sink.getvalue()


def _encrypted(path: Path, plain: bytes, keys: CommandKeys) -> Path:
    path.write_bytes(pyrage.encrypt(plain, [keys.identity.to_public()]))
    return path


def _staged(archive: Path) -> list[Path]:
    root = archive / ".staging"
    return list(root.rglob("*")) if root.exists() else []


def _refused(path: Path, command, reason: str, **auth) -> Rejected:  # type: ignore[no-untyped-def]
    keys, store, archive = command
    with pytest.raises(Rejected) as refused:
        ingest(path, store, keys, archive, **auth)
    assert refused.value.reason == reason, refused.value
    assert store.list_batches() == []
    assert _staged(archive) == []  # the staging folder is gone with the batch
    assert not any(p.is_file() for p in archive.rglob("*")) if archive.exists() else True
    return refused.value


# --- a swapped USB stick: refused before anything is decrypted --------------------------------

def _sparse_tar(tmp_path: Path, size: int, fmt: str = "gnu") -> bytes:
    """A tar (GNU tar --sparse) holding one file of ``size`` bytes that are all holes."""
    folder = tmp_path / f"sparse-{fmt}"
    member = folder / "sohoa-batch-x" / "data" / "big.bin"
    member.parent.mkdir(parents=True)
    with open(member, "wb") as handle:
        handle.truncate(size)
    out = tmp_path / f"sparse-{fmt}.tar"
    subprocess.run(["tar", "--sparse", f"--format={fmt}", "-cf", str(out), "-C", str(folder),
                    "sohoa-batch-x"], check=True)
    member.unlink()
    return out.read_bytes()


def test_a_swapped_usb_stick_is_refused_before_anything_is_written(small, tmp_path):
    keys, store, archive = small
    key, station_id = _station(store)
    # 10 KB that would expand to 1 GiB, encrypted by anyone to the command's public recipient.
    bomb = _encrypted(tmp_path / "bomb.age", _sparse_tar(tmp_path, 1024 * MiB), keys)
    assert bomb.stat().st_size < 20_000
    batch_id = str(uuid.uuid4())
    stranger = Ed25519PrivateKey.generate()

    # No signature beside it; a stranger's; one naming an enrolled station, by another key;
    # the station's real signature of another file.
    _refused(bomb, small, "unsigned_batch")
    _refused(bomb, small, "unknown_station",
             signature=usb_signature(bomb, stranger, str(uuid.uuid4()), batch_id))
    _refused(bomb, small, "bad_signature",
             signature=usb_signature(bomb, stranger, station_id, batch_id))
    other = tmp_path / "other.age"
    other.write_bytes(b"age-encryption.org/v1\n another file")
    _refused(bomb, small, "bad_signature",
             signature=usb_signature(other, key, station_id, batch_id))
    _refused(bomb, small, "bad_signature", signature="not a signature at all")
    # Nothing was decrypted: not even the staging folder was made.
    assert not any((archive / ".staging").iterdir())


def test_a_disabled_station_s_usb_batch_is_refused(command, tmp_path):
    keys, store, archive = command
    key, station_id = _station(store)
    out = tmp_path / "batch.age"
    random_batch(out, 50_000, keys.recipient, key, station_id)
    batch_id = _batch_id(out, keys)
    signature = usb_signature(out, key, station_id, batch_id)
    with store.begin() as conn:
        conn.execute(update(stations).where(stations.c.id == station_id).values(active=False))
    _refused(out, command, "station_disabled", signature=signature)
    _refused(out, command, "station_disabled", station_id=station_id)
    with store.begin() as conn:
        conn.execute(update(stations).where(stations.c.id == station_id).values(active=True))
    done = ingest(out, store, keys, archive, signature=signature)
    assert done.receipt.batch_id == batch_id and not done.replayed


def test_a_usb_signature_must_name_the_batch_inside(command, tmp_path):
    keys, store, _ = command
    key, station_id = _station(store)
    out = tmp_path / "batch.age"
    random_batch(out, 50_000, keys.recipient, key, station_id)
    # The station's key, but a comment naming another batch: the signature is not for this one.
    _refused(out, command, "bad_signature",
             signature=usb_signature(out, key, station_id, str(uuid.uuid4())))


def _batch_id(path: Path, keys: CommandKeys) -> str:
    with tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(path.read_bytes(),
                                                        [keys.identity]))) as tar:
        return tar.getnames()[0].removeprefix("sohoa-batch-").split("/")[0]


# --- a stolen, enrolled station: bombs ------------------------------------------------------

@pytest.mark.parametrize("fmt", ["gnu", "posix"])
def test_an_enrolled_station_s_sparse_member_is_refused(small, tmp_path, fmt):
    keys, store, _ = small
    _, station_id = _station(store)
    bomb = _encrypted(tmp_path / "sparse.age", _sparse_tar(tmp_path, 700 * MiB, fmt), keys)
    _refused(bomb, small, "sparse_member", station_id=station_id)


def test_a_member_claiming_more_than_the_batch_holds_is_refused(small, tmp_path):
    keys, store, _ = small
    _, station_id = _station(store)
    header = tarfile.TarInfo("sohoa-batch-x/data/huge.bin")
    header.size = 1024 * MiB  # 1 GiB claimed; 64 KiB follow
    plain = header.tobuf(tarfile.GNU_FORMAT) + os.urandom(64 * 1024)
    bomb = _encrypted(tmp_path / "huge.age", plain, keys)
    _refused(bomb, small, "too_large", station_id=station_id)


def test_a_tar_of_20000_empty_files_is_refused_quickly(small, tmp_path):
    keys, store, _ = small
    key, station_id = _station(store)
    batch_id = str(uuid.uuid4())
    plain = _signed_bag(key, station_id, batch_id,
                        [(f"data/empty/{n:05d}", b"") for n in range(20_000)])
    bomb = _encrypted(tmp_path / "many.age", plain, keys)
    started = time.monotonic()
    _refused(bomb, small, "too_many_files", station_id=station_id)
    assert time.monotonic() - started < 15  # 18 s before, each empty file flushed to disk


def test_a_batch_within_the_limits_is_taken(command, tmp_path):
    keys, store, archive = command
    key, station_id = _station(store)
    batch_id = str(uuid.uuid4())
    names = [(f"data/visits/v/{n:03d}.json", b"{}") for n in range(50)]
    out = _encrypted(tmp_path / "ok.age", _signed_bag(key, station_id, batch_id, names), keys)
    done = ingest(out, store, keys, archive, station_id=station_id, limits=Limits(max_members=60))
    assert done.receipt.body["payload_files"] == 50
    with pytest.raises(Rejected) as refused:
        ingest(out, store, keys, archive, station_id=station_id,
               limits=Limits(max_members=40))
    assert refused.value.reason == "too_many_files"


# --- a stolen, enrolled station: names no disk or viewer takes as they are --------------------

NFC = unicodedata.normalize("NFC", "data/thư-Việt.txt")
NFD = unicodedata.normalize("NFD", "data/thư-Việt.txt")
MALFORMED = {
    "duplicate": ([("data/a.txt", b"1"), ("data/a.txt", b"2")], "bad_bag"),
    "file where a folder is": ([("data/a", b"1"), ("data/a/b.txt", b"2")], "bad_bag"),
    "folder where a file is": ([("data/a/b.txt", b"1"), ("data/a", b"2")], "bad_bag"),
    "300-byte name": ([("data/" + "x" * 300, b"1")], "bad_name"),
    "NFC then NFD twin": ([(NFC, b"1"), (NFD, b"2")], "bad_name"),
    "NFD alone": ([(NFD, b"1")], "bad_name"),
    "right-to-left override": ([("data/photo\u202egpj.exe", b"1")], "bad_name"),
    "isolate": ([("data/a\u2067b.jpg", b"1")], "bad_name"),
    "zero width": ([("data/a\u200bb.jpg", b"1")], "bad_name"),
    "newline": ([("data/a\nb.jpg", b"1")], "bad_name"),
    "bell": ([("data/a\x07b.jpg", b"1")], "bad_name"),
    "over-long path": ([("data/" + "/".join(["d" * 200] * 8) + "/f", b"1")], "bad_name"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_bag_gets_its_reason_never_a_traceback(small, tmp_path, case):
    keys, store, _ = small
    key, station_id = _station(store)
    payload, reason = MALFORMED[case]
    plain = _signed_bag(key, station_id, str(uuid.uuid4()),
                        [*payload, ("data/ok.txt", b"fine")])
    out = _encrypted(tmp_path / "bag.age", plain, keys)
    refused = _refused(out, small, reason, station_id=station_id)
    assert "\u202e" not in refused.detail and "\n" not in refused.detail  # shown escaped


def test_a_bag_naming_another_station_is_refused(command, tmp_path):
    keys, store, _ = command
    _, station_a = _station(store)
    key_b, station_b = _station(store)
    # B signs a bag that says it is A's, and uploads it as B.
    plain = _signed_bag(key_b, station_a, str(uuid.uuid4()), [("data/a.txt", b"1")])
    out = _encrypted(tmp_path / "forged.age", plain, keys)
    _refused(out, command, "bad_signature", station_id=station_b)


# --- a stolen, enrolled station: batch ids cannot be squatted -------------------------------

def test_a_batch_id_reused_by_another_station_does_not_block_the_real_batch(command, tmp_path):
    keys, store, archive = command
    key_a, station_a = _station(store)
    key_b, station_b = _station(store)
    victim = tmp_path / "victim.age"
    payload = random_batch(victim, 40_000, keys.recipient, key_a, station_a)
    batch_id = _batch_id(victim, keys)
    # B saw A's batch id (it is in the USB file's name) and sends its own bag under it first.
    squat = _encrypted(tmp_path / "squat.age",
                       _signed_bag(key_b, station_b, batch_id, [("data/x.txt", b"mine")]), keys)
    assert not ingest(squat, store, keys, archive, station_id=station_b).replayed
    real = ingest(victim, store, keys, archive, station_id=station_a)
    assert not real.replayed and real.receipt.body["station"] == station_a
    assert receipt.verify(keys.signing_public, real.receipt.to_json()).batch_id == batch_id
    assert store.batch(station_a, batch_id)["payload_files"] == len(payload)
    assert store.batch(station_b, batch_id)["payload_files"] == 1
    again = ingest(victim, store, keys, archive, station_id=station_a)
    assert again.replayed and again.receipt.to_json() == real.receipt.to_json()


# --- the command's own faults: retryable, never a bare OSError ---------------------------------

def test_a_full_disk_during_ingest_is_retryable_and_keeps_nothing_half(small, tmp_path):
    keys, store, archive = small
    key, station_id = _station(store)
    out = tmp_path / "big.age"
    random_batch(out, 3 * MiB, keys.recipient, key, station_id)  # 3 MB into a 1 MiB staging
    with pytest.raises(Retryable) as fault:
        ingest(out, store, keys, archive, station_id=station_id)
    assert fault.value.reason == "no_space"
    assert _staged(archive) == [] and store.list_batches() == []


def test_the_database_gone_is_retryable(tmp_path):
    keys = CommandKeys.create(tmp_path / "keys")
    store = Store.in_folder(tmp_path / "db")
    key, station_id = _station(store)
    out = tmp_path / "batch.age"
    random_batch(out, 30_000, keys.recipient, key, station_id)
    store.engine.dispose()
    shutil.rmtree(tmp_path / "db")  # a new connection finds no database
    with pytest.raises(Retryable) as fault:
        ingest(out, store, keys, tmp_path / "archive", station_id=station_id)
    assert fault.value.reason == "server_error"


def test_the_staging_sweep_removes_leftovers_but_not_a_running_ingest(tmp_path):
    import fcntl

    archive = tmp_path / "archive"
    left = archive / ".staging" / "crashed"
    (left / "bag" / "data").mkdir(parents=True)
    (left / "bag" / "data" / "photo.jpg").write_bytes(b"x" * 1000)
    running = archive / ".staging" / "running"
    running.mkdir()
    handle = os.open(running, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as an ingest in another process holds it
        assert sweep_staging(archive) == 1
    finally:
        os.close(handle)
    assert not left.exists() and running.exists()
