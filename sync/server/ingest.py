"""Ingest one batch file, from an upload or a USB stick: authenticate it → decrypt → unpack
into a staging folder while hashing → check the bag and the station's signature → move into
the archive and record it, exactly once → a receipt signed by the command.

Nothing is decrypted before the batch is known to come from an enrolled, active station: a
network upload was checked block by block against the manifest its station signed (the
caller passes that station in); a file from a USB stick carries a detached minisign signature
over the encrypted file, checked here with the key recorded at enrolment. Even so an enrolled
station can be stolen, so unpacking is bounded: no sparse members, the members' sizes together
no more than the ciphertext, a member count cap, header records bounded, names that every
filesystem and every viewer shows as they are (NFC, no control or bidi characters, no twins,
no file where a folder is).

Everything is streamed (age → tar → files): memory stays flat whatever the batch size. Any
failure removes the staging folder, so nothing of a rejected batch is ever in the archive.
Every failure is a Rejected (the batch's fault: the station is told, and does not send it
again) or a Retryable (the command's fault: a full disk, the database gone; the bytes are
kept and it is tried again), never a bare OSError.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import pyrage
from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from sync import minisign, receipt
from sync.errors import SyncError
from sync.server.index import BadRecord, index_bag
from sync.server.keys import CommandKeys
from sync.server.store import Station, Store, batches, uploads

MAX_TAG_BYTES = 64 * 1024 * 1024
MAX_SIGNATURE_BYTES = 4096  # a .minisig is ~ 300 bytes
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_IS_UUID = re.compile(f"^{_UUID}$")
_USB_COMMENT = re.compile(f"^sohoa-batch station=({_UUID}) batch=({_UUID})$")
# Characters a name may not hold: controls, format characters (the bidi overrides U+202A-E and
# U+2066-9 that make "gpj.exe" read as "exe.jpg", zero-width ones), surrogates (bytes that were
# not UTF-8), private use, unassigned, line and paragraph separators.
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# tarfile reads these header records whole into memory: bounded before it does.
_HEADER_TYPES = {tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE,
                 tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE}
MAX_HEADER_BYTES = 64 * 1024


class Rejected(SyncError):
    """A batch the command will not take, with the reason in one code and one sentence."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Retryable(SyncError):
    """The command could not ingest the batch now (its disk is full, its database is gone):
    not the batch's fault; its bytes are kept and the ingest is tried again."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason  # no_space | server_error
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    """What one batch may hold. A real batch is a few hundred to a few thousand files (one
    per page and per record), each name a short identifier."""

    max_members: int = 10_000
    max_name_bytes: int = 255  # one path component: ext4, XFS, NTFS, exFAT all stop here
    max_path_bytes: int = 1024  # inside the bag; the archive adds ~ 100 before PATH_MAX
    max_tag_bytes: int = MAX_TAG_BYTES


@dataclass(frozen=True)
class Outcome:
    receipt: receipt.Receipt
    replayed: bool  # the same batch came again: acknowledged, not stored twice


@dataclass
class _Unpacked:
    root: str
    payload: dict[str, bytes]  # path -> sha256, raw: the one thing kept per member
    payload_bytes: int
    tags: dict[str, bytes]


def no_checkpoint(point: str) -> None:
    pass


def ingest(path: Path, store: Store, keys: CommandKeys, archive: Path,
           now: Callable[[], datetime] = lambda: datetime.now(UTC), *,
           station_id: str | None = None, signature: str | None = None,
           upload_id: str | None = None, limits: Limits = Limits(),
           checkpoint: Callable[[str], None] = no_checkpoint) -> Outcome:
    """Ingest the batch at ``path``. ``station_id``: the station that sent it, already
    authenticated (a network upload whose every block its key signed); else ``signature``, the
    text of the file's detached .minisig (a USB stick), checked before anything is decrypted.
    ``upload_id``: the upload it came as, settled in the same transaction as the batch row.
    ``checkpoint`` is called at named points (tests inject crashes there)."""
    try:
        station, signed_batch = _authenticate(path, store, station_id, signature)
        return _ingest(path, store, keys, archive, now, station, signed_batch, upload_id,
                       limits, checkpoint)
    except (Rejected, Retryable):
        raise
    except OSError as error:
        raise _command_fault(error) from error
    except SQLAlchemyError as error:
        raise Retryable("server_error", "the command's database could not be reached: "
                        f"{type(error).__name__}") from error


def _command_fault(error: OSError) -> Retryable:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return Retryable("no_space", "the command's disk is full")
    return Retryable("server_error", f"the command could not read or write a file: {error}")


def _authenticate(path: Path, store: Store, station_id: str | None,
                  signature: str | None) -> tuple[Station, str | None]:
    """The enrolled, active station the batch comes from (and, from a USB signature, the batch
    id it names), before a byte is decrypted or written."""
    if station_id is not None:
        return _active(store, station_id), None
    if signature is None:
        raise Rejected("unsigned_batch", "the batch has no signature file (.minisig) beside "
                       "it: it cannot be told apart from a batch made by anyone")
    lines = signature[:MAX_SIGNATURE_BYTES].splitlines()
    comment = lines[2].removeprefix("trusted comment: ") if len(lines) >= 4 else ""
    named = _USB_COMMENT.match(comment)
    if named is None:
        raise Rejected("bad_signature", "the batch's signature file is not a station's")
    station = _active(store, named.group(1))
    with open(path, "rb") as source:
        digest = minisign.blake2b_of(iter(lambda: source.read(1024 * 1024), b""))
    try:
        minisign.verify(station.signing_key, digest, signature)
    except minisign.BadSignature as error:
        raise Rejected("bad_signature", f"the batch's signature fails: {error}") from None
    return station, named.group(2)


def _active(store: Store, station_id: str) -> Station:
    station = store.station(station_id)
    if station is None:
        raise Rejected("unknown_station", "the batch comes from a station that is not "
                       "enrolled with this command")
    if not station.active:
        raise Rejected("station_disabled", "the batch comes from a station this command has "
                       "disabled")
    return station


def _ingest(path: Path, store: Store, keys: CommandKeys, archive: Path,
            now: Callable[[], datetime], station: Station, signed_batch: str | None,
            upload_id: str | None, limits: Limits,
            checkpoint: Callable[[str], None]) -> Outcome:
    budget = path.stat().st_size
    with _staging(archive) as staging:
        with open(path, "rb") as source:
            unpacked = _decrypt_and_unpack(source, keys, staging, budget, limits)
        info, batch_id, station_id, tagmanifest = _check_bag(unpacked)
        if station_id != station.id:
            raise Rejected("bad_signature", "the bag names another station than the one that "
                           "signed it")
        if signed_batch is not None and batch_id != signed_batch:
            raise Rejected("bad_signature", "the bag is not the batch its signature names")
        signature = unpacked.tags.get("tagmanifest-sha256.txt.minisig")
        if signature is None:
            raise Rejected("bad_signature", "the bag is not signed")
        try:
            minisign.verify(station.signing_key, minisign.blake2b_of([tagmanifest]),
                            signature.decode("utf-8", "replace"))
        except minisign.BadSignature as error:
            raise Rejected("bad_signature", f"the station's signature fails: {error}") from None
        tag_sha = hashlib.sha256(tagmanifest).hexdigest()

        known = store.batch(station_id, batch_id)
        if known is not None:
            return _replay(known, tag_sha)
        final = archive / station_id / batch_id
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        body = {
            "batch_id": batch_id, "station": station_id,
            "received_at": now().isoformat(timespec="seconds"),
            "payload_files": len(unpacked.payload),
            "payload_bytes": unpacked.payload_bytes,
            "tagmanifest_sha256": tag_sha,
            "visits": sorted({p.split("/")[2] for p in unpacked.payload
                              if p.startswith("data/visits/")}),
            "withdrawal_notices": sorted(PurePosixPath(p).stem for p in unpacked.payload
                                         if p.startswith("data/withdrawals/")),
            "bag_count": info.get("Bag-Count", "1 of 1"),
        }
        signed = receipt.sign(keys.signing, body)
        _make_durable(staging / unpacked.root)
        row = {"batch_id": batch_id, "station_id": station_id, "received_at": now(),
               "tagmanifest_sha256": tag_sha, "payload_files": body["payload_files"],
               "payload_bytes": body["payload_bytes"], "archive_path": str(final),
               "receipt": signed.to_json(), "upload_id": upload_id}
        moved = False
        try:
            with store.begin() as conn:
                # The row first: its primary key makes a concurrent ingest of the same batch
                # wait here (PostgreSQL: for our commit; SQLite: for the write lock) and then
                # fail, so exactly one moves its copy into the archive.
                record(conn, row, staging / unpacked.root, upload_id, checkpoint)
                if final.exists():  # left by a crash between the move and the commit
                    shutil.rmtree(final)
                os.replace(staging / unpacked.root, final)
                moved = True
                _sync_folder(final.parent)  # the move itself is durable before the commit
                checkpoint("moved")
                try:  # indexed in the same transaction: never received but invisible
                    index_bag(conn, final, station_id, batch_id)
                except BadRecord as error:
                    raise Rejected(error.reason, error.detail) from None
        except IntegrityError:
            # Another ingest of the same batch won: keep theirs, answer as a replay.
            known = store.batch(station_id, batch_id)
            if known is None:  # not a duplicate: another constraint, the command's fault
                raise
            return _replay(known, tag_sha)
        except BaseException:
            if moved:  # the commit failed after the move: take the copy back out
                shutil.rmtree(final, ignore_errors=True)
            raise
        return Outcome(signed, replayed=False)


def record(conn: Connection, row: dict[str, Any], bag: Path, upload_id: str | None,
           checkpoint: Callable[[str], None] = no_checkpoint) -> None:
    """The one transaction that makes a batch the command's: its row and, for a network upload,
    the upload's outcome (done, with the receipt) commit together or not at all, before the
    upload's file is removed. Anything else recorded about a new batch belongs here too: ``bag``
    is the checked bag's folder as it is now (in staging; the same transaction moves it to
    ``row["archive_path"]`` after this returns, and a failure here leaves nothing behind)."""
    conn.execute(insert(batches).values(**row))  # first: it claims (station, batch id)
    if upload_id is not None:
        checkpoint("record_upload")
        conn.execute(update(uploads).where(uploads.c.id == upload_id).values(
            state="done", batch_id=row["batch_id"], result=row["receipt"]))


@contextlib.contextmanager
def _staging(archive: Path) -> Iterator[Path]:
    """A private staging folder, locked while in use so a sweep at start (sweep_staging) never
    takes one another process is still filling."""
    root = archive / ".staging"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = root / str(uuid.uuid4())
    staging.mkdir(mode=0o700)
    handle = os.open(staging, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(handle)


def sweep_staging(archive: Path) -> int:
    """Remove what crashed ingests left in the staging folder (not one still running); how
    many were removed."""
    root = archive / ".staging"
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        try:
            handle = os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            entry.unlink(missing_ok=True)  # not a folder of ours
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # an ingest is filling it
        else:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        finally:
            os.close(handle)
    return removed


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _make_durable(root: Path) -> None:
    """fsync every file and folder of an accepted bag before it is recorded. Done here, once
    the bag checked out, not as each file is written: a bomb of many small files never costs a
    flush each."""
    for folder, _, names in os.walk(root):
        for name in names:
            handle = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
        _sync_folder(Path(folder))


def _replay(known: dict[str, Any], tag_sha: str) -> Outcome:
    if known["tagmanifest_sha256"] != tag_sha:
        raise Rejected("conflict", "a different batch with the same identifier was already "
                       "received from this station")
    doc = json.loads(known["receipt"])
    stored = receipt.Receipt(body=doc["receipt"], signature=bytes.fromhex(doc["signature"]))
    return Outcome(stored, replayed=True)


def _decrypt_and_unpack(source: BinaryIO, keys: CommandKeys, staging: Path, budget: int,
                        limits: Limits) -> _Unpacked:
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
            unpacked = _unpack(pipe, staging, budget, limits)
            # Read to the end, so the last chunk's tag is checked before we trust anything.
            while pipe.read(1024 * 1024):
                pass
        except BaseException as error:  # decided below, after the worker
            unpack_error = error
    worker.join()  # closing the pipe ended it if we stopped early
    if failure and not isinstance(failure[0], BrokenPipeError):
        # The decryption's reason comes first: a damaged file also looks like a damaged tar.
        error = failure[0]
        if isinstance(error, OSError) and error.errno is not None:
            raise _command_fault(error) from None  # reading the file failed: not the batch
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


class _BoundedInfo(tarfile.TarInfo):
    """A tar header whose long-name and PAX records are refused above MAX_HEADER_BYTES before
    tarfile reads them whole into memory."""

    def _proc_member(self, tarfile):  # type: ignore[no-untyped-def]
        if self.type in _HEADER_TYPES and self.size > MAX_HEADER_BYTES:
            raise Rejected("bad_bag", "a header record in the batch's archive is too large")
        return super()._proc_member(tarfile)  # type: ignore[misc]


class _Names:
    """The bag's paths so far: each one checked, and no two that clash on a disk (the same
    name twice, a file where a folder is, or a folder where a file is). The files themselves
    are the keys of ``is_file``'s dictionaries: only folders are kept here."""

    def __init__(self, limits: Limits, is_file: Callable[[str], bool]) -> None:
        self.limits = limits
        self.is_file = is_file  # of a path inside the bag
        self.folders: set[str] = set()

    def check(self, raw: str) -> tuple[str, ...]:
        path = PurePosixPath(raw)
        if path.is_absolute() or ".." in path.parts:
            raise Rejected("unsafe_path", f"unsafe path in the batch: {_shown(raw)}")
        if len(raw.encode("utf-8", "surrogateescape")) > self.limits.max_path_bytes:
            raise Rejected("bad_name", f"a path in the batch is too long: {_shown(raw)}")
        for part in path.parts:
            if any(unicodedata.category(ch) in _BAD_CATEGORIES for ch in part):
                raise Rejected("bad_name", "a name in the batch holds control or direction "
                               f"characters: {_shown(raw)}")
            if len(part.encode("utf-8")) > self.limits.max_name_bytes:
                raise Rejected("bad_name", f"a name in the batch is too long: {_shown(raw)}")
            if unicodedata.normalize("NFC", part) != part:
                # Its NFC twin would look the same and, on some disks, be the same file.
                raise Rejected("bad_name", "a name in the batch is not in Unicode normal form "
                               f"C: {_shown(raw)}")
        return path.parts

    def add_file(self, inner: tuple[str, ...]) -> None:
        name = "/".join(inner)
        if self.is_file(name):
            raise Rejected("bad_bag", f"the batch holds {_shown(name)} twice")
        if name in self.folders:
            raise Rejected("bad_bag", f"the batch holds a file where a folder is: "
                           f"{_shown(name)}")
        self._parents(inner)

    def add_folder(self, inner: tuple[str, ...]) -> None:
        name = "/".join(inner)
        if self.is_file(name):
            raise Rejected("bad_bag", f"the batch holds a folder where a file is: "
                           f"{_shown(name)}")
        self._parents(inner)
        if name:
            self.folders.add(name)

    def _parents(self, inner: tuple[str, ...]) -> None:
        for end in range(1, len(inner)):
            parent = "/".join(inner[:end])
            if parent in self.folders:
                continue
            if self.is_file(parent):
                raise Rejected("bad_bag", f"the batch holds a file where a folder is: "
                               f"{_shown(parent)}")
            self.folders.add(parent)


def _shown(name: str) -> str:
    """A name from the batch as it may be shown: escaped, and not too long."""
    text = name.encode("unicode_escape", "backslashreplace").decode("ascii")
    return text if len(text) <= 120 else text[:117] + "..."


def _unpack(pipe: BinaryIO, staging: Path, budget: int, limits: Limits) -> _Unpacked:
    payload: dict[str, bytes] = {}
    tags: dict[str, bytes] = {}
    tag_bytes = declared = count = payload_bytes = 0
    names = _Names(limits, lambda inner: inner in payload or inner in tags)
    root = None
    try:
        tar = tarfile.open(fileobj=pipe, mode="r|", tarinfo=_BoundedInfo)
        while (member := tar.next()) is not None:
            # Stream mode keeps every member it read (~ 0.8 KiB each): we need none of them.
            tar.members.clear()
            count += 1
            if count > limits.max_members:
                raise Rejected("too_many_files", "the batch holds more than "
                               f"{limits.max_members} files")
            if member.issparse():
                raise Rejected("sparse_member", f"a sparse file in the batch: "
                               f"{_shown(member.name)}")
            # The members' sizes come from their headers; their bytes came through the
            # encryption, so together they cannot honestly exceed the encrypted file.
            declared += member.size
            if declared > budget:
                raise Rejected("too_large", "the batch's files claim more bytes than the "
                               "batch holds")
            parts = names.check(member.name)
            if len(parts) < 2 and not member.isdir():
                raise Rejected("unsafe_path", f"a file outside the bag: {_shown(member.name)}")
            if root is None:
                root = parts[0]
            if parts[0] != root:
                raise Rejected("bad_bag", "the batch holds more than one bag")
            if member.isdir():
                names.add_folder(parts[1:])
                continue
            if not member.isreg():
                raise Rejected("unsafe_path", f"not a plain file: {_shown(member.name)}")
            names.add_file(parts[1:])
            inner = "/".join(parts[1:])
            stream = tar.extractfile(member)
            assert stream is not None
            if inner.startswith("data/"):
                blocks = iter(functools.partial(stream.read, 1024 * 1024), b"")
                payload[inner] = _write(staging, root, inner, blocks)
                payload_bytes += member.size
            else:
                tag_bytes += member.size
                if tag_bytes > limits.max_tag_bytes:
                    raise Rejected("bad_bag", "the bag's tag files are too large")
                tags[inner] = stream.read()
    except tarfile.TarError as error:
        raise Rejected("damaged", f"the batch's archive is damaged: {error}") from None
    if root is None:
        raise Rejected("bad_bag", "the batch is empty")
    for name, data in tags.items():
        _write(staging, root, name, iter([data]))
    return _Unpacked(root, payload, payload_bytes, tags)


def _write(staging: Path, root: str, inner: str, blocks: Iterable[bytes]) -> bytes:
    """Write one file of the bag into staging (0600); its sha256. A name the disk refuses
    is the batch's fault; a full or failing disk is the command's."""
    target = staging / root / inner
    digest = hashlib.sha256()
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(handle, "wb") as out:
            for block in blocks:
                digest.update(block)
                out.write(block)
    except OSError as error:
        if error.errno in (errno.ENAMETOOLONG, errno.EILSEQ, errno.EINVAL):
            raise Rejected("bad_name", f"the disk refuses a name in the batch: "
                           f"{_shown(inner)}") from None
        if error.errno in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise Rejected("bad_bag", f"the batch's paths clash at {_shown(inner)}") from None
        raise _command_fault(error) from None
    return digest.digest()


def _entries(data: bytes, what: str) -> Iterator[tuple[str, bytes]]:
    """A manifest's (path, raw sha256) lines, one at a time: a manifest of thousands of files
    is never copied into a list, a text and a dictionary at once."""
    for raw in io.BytesIO(data):
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise Rejected("bad_bag", f"{what} is not UTF-8") from None
        if not line.strip():
            continue
        digest, _, path = line.partition("  ")
        try:
            value = bytes.fromhex(digest)
        except ValueError:
            value = b""
        if len(value) != 32 or not path:
            raise Rejected("bad_bag", f"{what} has a malformed line")
        yield path, value


def _manifest(data: bytes, what: str) -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    for path, digest in _entries(data, what):
        if path in entries:
            raise Rejected("bad_bag", f"{what} lists {_shown(path)} twice")
        entries[path] = digest
    return entries


def _check_payload(payload: dict[str, bytes], data: bytes) -> None:
    """The payload is exactly what manifest-sha256.txt lists, checked as it is read."""
    listed = matched = 0
    for path, digest in _entries(data, "manifest-sha256.txt"):
        listed += 1
        matched += payload.get(path) == digest
    if listed == matched == len(payload):
        return
    # It does not match: say how (the manifest is bounded by the member cap).
    manifest = _manifest(data, "manifest-sha256.txt")
    missing = sorted(set(manifest) - set(payload))
    extra = sorted(set(payload) - set(manifest))
    changed = sorted(p for p in set(manifest) & set(payload) if manifest[p] != payload[p])
    raise Rejected("tampered", "the payload does not match its manifest"
                   + (f"; changed: {[_shown(p) for p in changed[:3]]}" if changed else "")
                   + (f"; missing: {[_shown(p) for p in missing[:3]]}" if missing else "")
                   + (f"; not listed: {[_shown(p) for p in extra[:3]]}" if extra else ""))


def _check_bag(bag: _Unpacked) -> tuple[dict[str, str], str, str, bytes]:
    tags = bag.tags
    for required in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt",
                     "tagmanifest-sha256.txt"):
        if required not in tags:
            raise Rejected("bad_bag", f"the bag has no {required}")
    if not tags["bagit.txt"].startswith(b"BagIt-Version: 1."):
        raise Rejected("bad_bag", "not a BagIt 1.x bag")
    info = {}
    try:
        info_text = tags["bag-info.txt"].decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected("bad_bag", "bag-info.txt is not UTF-8") from None
    for line in info_text.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    _check_payload(bag.payload, tags["manifest-sha256.txt"])
    tagmanifest = tags["tagmanifest-sha256.txt"]
    listed = _manifest(tagmanifest, "tagmanifest-sha256.txt")
    unsigned = {"tagmanifest-sha256.txt", "tagmanifest-sha256.txt.minisig"}
    if set(listed) != set(tags) - unsigned:
        raise Rejected("tampered", "the tag files do not match the tag manifest")
    for path, digest in listed.items():
        if hashlib.sha256(tags[path]).digest() != digest:
            raise Rejected("tampered", f"{path} does not match the tag manifest")
    if info.get("Payload-Oxum") != f"{bag.payload_bytes}.{len(bag.payload)}":
        raise Rejected("tampered", "Payload-Oxum does not match the payload")
    batch_id = info.get("External-Identifier", "")
    station_id = info.get("Sohoa-Station", "")
    if not _IS_UUID.match(batch_id) or not _IS_UUID.match(station_id):
        raise Rejected("bad_bag", "the bag does not name its batch and station")
    return info, batch_id, station_id, tagmanifest
