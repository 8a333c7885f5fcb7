"""Ingest one batch file, from an upload or a USB stick: decrypt → unpack into a staging folder
while hashing → check the bag and the station's signature → move into the archive and record
it, exactly once → a receipt signed by the command.

Everything is streamed (age → tar → files): memory stays flat whatever the batch size. Any
failure removes the staging folder, so nothing of a rejected batch is ever in the archive.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import pyrage
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from sync import minisign, receipt
from sync.errors import SyncError
from sync.server.index import BadRecord, index_bag
from sync.server.keys import CommandKeys
from sync.server.store import Store, batches

MAX_TAG_BYTES = 64 * 1024 * 1024
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Rejected(SyncError):
    """A batch the command will not take, with the reason in one code and one sentence."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Outcome:
    receipt: receipt.Receipt
    replayed: bool  # the same batch came again: acknowledged, not stored twice


@dataclass
class _Unpacked:
    root: str
    payload: dict[str, tuple[str, int]]  # path -> (sha256, size)
    tags: dict[str, bytes]


def ingest(path: Path, store: Store, keys: CommandKeys, archive: Path,
           now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Outcome:
    staging_root = archive / ".staging"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = staging_root / str(uuid.uuid4())
    staging.mkdir()
    try:
        with open(path, "rb") as source:
            unpacked = _decrypt_and_unpack(source, keys, staging)
        info, batch_id, station_id, tagmanifest = _check_bag(unpacked)
        station = store.station(station_id)
        if station is None or not station.active:
            raise Rejected("unknown_station", "the batch comes from a station that is not "
                           "enrolled with this command")
        signature = unpacked.tags.get("tagmanifest-sha256.txt.minisig")
        if signature is None:
            raise Rejected("bad_signature", "the batch is not signed")
        try:
            minisign.verify(station.signing_key, minisign.blake2b_of([tagmanifest]),
                            signature.decode("utf-8", "replace"))
        except minisign.BadSignature as error:
            raise Rejected("bad_signature", f"the station's signature fails: {error}") from None
        tag_sha = hashlib.sha256(tagmanifest).hexdigest()

        known = store.batch(batch_id)
        if known is not None:
            return _replay(known, tag_sha)
        final = archive / station_id / batch_id
        final.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "batch_id": batch_id, "station": station_id,
            "received_at": now().isoformat(timespec="seconds"),
            "payload_files": len(unpacked.payload),
            "payload_bytes": sum(size for _, size in unpacked.payload.values()),
            "tagmanifest_sha256": tag_sha,
            "visits": sorted({p.split("/")[2] for p in unpacked.payload
                              if p.startswith("data/visits/")}),
            "withdrawal_notices": sorted(PurePosixPath(p).stem for p in unpacked.payload
                                         if p.startswith("data/withdrawals/")),
            "bag_count": info.get("Bag-Count", "1 of 1"),
        }
        signed = receipt.sign(keys.signing, body)
        moved = False
        try:
            with store.begin() as conn:
                # The row first: its primary key makes a concurrent ingest of the same batch
                # wait here (PostgreSQL: for our commit; SQLite: for the write lock) and then
                # fail, so exactly one moves its copy into the archive.
                conn.execute(insert(batches).values(
                    batch_id=batch_id, station_id=station_id, received_at=now(),
                    tagmanifest_sha256=tag_sha, payload_files=body["payload_files"],
                    payload_bytes=body["payload_bytes"], archive_path=str(final),
                    receipt=signed.to_json()))
                if final.exists():  # left by a crash between the move and the commit
                    shutil.rmtree(final)
                os.replace(staging / unpacked.root, final)
                moved = True
                try:  # indexed in the same transaction: never received but invisible
                    index_bag(conn, final, station_id, batch_id)
                except BadRecord as error:
                    raise Rejected(error.reason, error.detail) from None
        except IntegrityError:
            # Another ingest of the same batch won: keep theirs, answer as a replay.
            known = store.batch(batch_id)
            assert known is not None
            return _replay(known, tag_sha)
        except BaseException:
            if moved:  # the commit failed after the move: take the copy back out
                shutil.rmtree(final, ignore_errors=True)
            raise
        return Outcome(signed, replayed=False)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replay(known: dict, tag_sha: str) -> Outcome:  # type: ignore[type-arg]
    if known["tagmanifest_sha256"] != tag_sha:
        raise Rejected("conflict", "a different batch with the same identifier was already "
                       "received")
    stored = receipt.Receipt(**_receipt_parts(known["receipt"]))
    return Outcome(stored, replayed=True)


def _receipt_parts(text: str) -> dict:  # type: ignore[type-arg]
    import json

    doc = json.loads(text)
    return {"body": doc["receipt"], "signature": bytes.fromhex(doc["signature"])}


def _decrypt_and_unpack(source: BinaryIO, keys: CommandKeys, staging: Path) -> _Unpacked:
    header = source.read(22)
    if header != b"age-encryption.org/v1\n":
        raise Rejected("not_a_batch", "the file is not an age-encrypted batch")
    source.seek(0)
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def decrypt() -> None:
        try:
            with os.fdopen(write_end, "wb") as pipe:
                pyrage.decrypt_io(source, pipe, [keys.identity])
        except BaseException as error:  # handed to the reading thread
            failure.append(error)

    worker = threading.Thread(target=decrypt, name="ingest-age", daemon=True)
    worker.start()
    unpack_error: BaseException | None = None
    unpacked = None
    with os.fdopen(read_end, "rb") as pipe:
        try:
            unpacked = _unpack(pipe, staging)
            # Read to the end, so the last chunk's tag is checked before we trust anything.
            while pipe.read(1024 * 1024):
                pass
        except BaseException as error:  # decided below, after the worker
            unpack_error = error
    worker.join()  # closing the pipe ended it if we stopped early
    if failure and not isinstance(failure[0], BrokenPipeError):
        # The decryption's reason comes first: a damaged file also looks like a damaged tar.
        error = failure[0]
        # pyrage raises DecryptError for the header and a bare OSError("decryption error")
        # for a payload chunk that fails its tag or is cut short.
        if isinstance(error, (pyrage.DecryptError, OSError)):
            message = str(error).lower()
            if "no matching keys" in message or "header" in message:
                raise Rejected("not_for_us", "the batch is not encrypted to this command") \
                    from None
            raise Rejected("damaged", "the batch is damaged or cut short "
                           "(its encryption does not check out)") from None
        raise error
    if unpack_error is not None:
        raise unpack_error
    assert unpacked is not None
    return unpacked


def _unpack(pipe: BinaryIO, staging: Path) -> _Unpacked:
    payload: dict[str, tuple[str, int]] = {}
    tags: dict[str, bytes] = {}
    tag_bytes = 0
    root = None
    try:
        tar = tarfile.open(fileobj=pipe, mode="r|")
        for member in tar:
            name = PurePosixPath(member.name)
            if name.is_absolute() or ".." in name.parts or len(name.parts) < 2:
                raise Rejected("unsafe_path", f"unsafe path in the batch: {member.name}")
            if root is None:
                root = name.parts[0]
            if name.parts[0] != root:
                raise Rejected("bad_bag", "the batch holds more than one bag")
            if member.isdir():
                continue
            if not member.isfile():
                raise Rejected("unsafe_path", f"not a plain file: {member.name}")
            inner = "/".join(name.parts[1:])
            stream = tar.extractfile(member)
            assert stream is not None
            if inner.startswith("data/"):
                target = staging / root / inner
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(target, "xb") as out:
                    while block := stream.read(1024 * 1024):
                        digest.update(block)
                        out.write(block)
                    out.flush()
                    os.fsync(out.fileno())
                payload[inner] = (digest.hexdigest(), member.size)
            else:
                tag_bytes += member.size
                if tag_bytes > MAX_TAG_BYTES:
                    raise Rejected("bad_bag", "the bag's tag files are too large")
                data = stream.read()
                tags[inner] = data
                if inner.startswith("metadata/"):
                    target = staging / root / inner
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
    except tarfile.TarError as error:
        raise Rejected("damaged", f"the batch's archive is damaged: {error}") from None
    if root is None:
        raise Rejected("bad_bag", "the batch is empty")
    for name, data in tags.items():
        if not name.startswith("metadata/"):
            (staging / root / name).write_bytes(data)
    return _Unpacked(root, payload, tags)


def _manifest(data: bytes, what: str) -> dict[str, str]:
    entries = {}
    for line in data.decode("utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, path = line.partition("  ")
        if len(digest) != 64 or not path:
            raise Rejected("bad_bag", f"{what} has a malformed line")
        entries[path] = digest
    return entries


def _check_bag(bag: _Unpacked) -> tuple[dict[str, str], str, str, bytes]:
    tags = bag.tags
    for required in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt",
                     "tagmanifest-sha256.txt"):
        if required not in tags:
            raise Rejected("bad_bag", f"the bag has no {required}")
    if not tags["bagit.txt"].startswith(b"BagIt-Version: 1."):
        raise Rejected("bad_bag", "not a BagIt 1.x bag")
    info = {}
    for line in tags["bag-info.txt"].decode("utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    manifest = _manifest(tags["manifest-sha256.txt"], "manifest-sha256.txt")
    received = {path: digest for path, (digest, _) in bag.payload.items()}
    if manifest != received:
        missing = sorted(set(manifest) - set(received))
        extra = sorted(set(received) - set(manifest))
        changed = sorted(p for p in set(manifest) & set(received) if manifest[p] != received[p])
        raise Rejected("tampered", "the payload does not match its manifest"
                       + (f"; changed: {changed[:3]}" if changed else "")
                       + (f"; missing: {missing[:3]}" if missing else "")
                       + (f"; not listed: {extra[:3]}" if extra else ""))
    tagmanifest = tags["tagmanifest-sha256.txt"]
    listed = _manifest(tagmanifest, "tagmanifest-sha256.txt")
    unsigned = {"tagmanifest-sha256.txt", "tagmanifest-sha256.txt.minisig"}
    if set(listed) != set(tags) - unsigned:
        raise Rejected("tampered", "the tag files do not match the tag manifest")
    for path, digest in listed.items():
        if hashlib.sha256(tags[path]).hexdigest() != digest:
            raise Rejected("tampered", f"{path} does not match the tag manifest")
    total = sum(size for _, size in bag.payload.values())
    if info.get("Payload-Oxum") != f"{total}.{len(bag.payload)}":
        raise Rejected("tampered", "Payload-Oxum does not match the payload")
    batch_id = info.get("External-Identifier", "")
    station_id = info.get("Sohoa-Station", "")
    if not _UUID.match(batch_id) or not _UUID.match(station_id):
        raise Rejected("bad_bag", "the bag does not name its batch and station")
    return info, batch_id, station_id, tagmanifest
