"""The encrypted object store: photos, recordings, signatures, anything too big for a row.

An object is written to ``objects/.incoming``, fsynced, then renamed to ``objects/ab/cdef...``
where the name is a keyed hash of its plaintext (keyed BLAKE3; HMAC-SHA256 for objects written
before, which still verify: the header's magic says which, see capture/crypto.py). Only then
may the caller commit the database row that refers to it (``ObjectRow``); an object without a
row is an orphan, swept at the next unlock.

Between an object's write and the commit of the row that uses it, nothing in the database says
it is wanted: the store remembers when each name was last written (``in flight``) so that the
sweep of unreferenced objects (capture/sweep.py) leaves it alone. A name written again while
its file is already there (the same photo twice) counts as written then too.
"""

from __future__ import annotations

import io
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from capture import crypto
from capture.errors import ObjectDamaged, ObjectMissing
from capture.files import fsync_dir, raise_if_disk_full

INCOMING = ".incoming"
READ_SIZE = crypto.CHUNK_SIZE
# Marks older than a day are forgotten once there are this many (a sweep forgets them sooner).
_IN_FLIGHT_PRUNE_AT = 50_000
_IN_FLIGHT_FORGET_SECONDS = 24 * 3600


@dataclass(frozen=True)
class StoredObject:
    name: str
    size: int
    duplicate: bool  # the same content was already in the vault; nothing new was written


class ObjectWriter:
    """Streams plaintext in, encrypted bytes out, one chunk in memory. Use as a context manager:
    leaving it with an exception removes the partial file; ``result`` is set after a clean exit."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._temp = store.incoming / (secrets.token_hex(16) + ".part")
        self._file: BinaryIO = open(self._temp, "xb")
        self._encryptor = crypto.StreamEncryptor(store.payload_key, self._file, crypto.MAGIC)
        # Named in the same pass as the encryption, on this thread: keyed BLAKE3 hashes a
        # 1 MiB block in ~0.2 ms while it is still in the cache, less than handing it to
        # another thread would cost (the HMAC-SHA256 names before needed a second core).
        self._name = crypto.object_namer(crypto.MAGIC, store.name_key)
        self._size = 0
        self.result: StoredObject | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._size += len(data)
        self._name.update(data)
        try:
            self._encryptor.write(data)
        except OSError as error:
            raise_if_disk_full(error)
            raise

    def write_from(self, source: BinaryIO) -> None:
        """All of ``source``, read into two reused 1 MiB buffers: reading one chunk ahead says
        which chunk is the last, so each is named and sealed straight from where it was read
        (no copy, no new buffer a chunk). Ends the object: only ``finish`` may follow."""
        if self._size:
            raise ValueError("write_from() starts an object")
        buffers = (bytearray(READ_SIZE), bytearray(READ_SIZE))
        views = (memoryview(buffers[0]), memoryview(buffers[1]))
        current = 0
        filled = _read_full(source, views[current])
        try:
            while True:
                chunk = views[current][:filled]
                ahead = _read_full(source, views[1 - current]) if filled == READ_SIZE else 0
                self._name.update(chunk)
                self._size += filled
                self._encryptor.seal(chunk, last=ahead == 0)
                if ahead == 0:
                    return
                current, filled = 1 - current, ahead
        except OSError as error:
            raise_if_disk_full(error)
            raise

    def finish(self) -> StoredObject:
        try:
            self._encryptor.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            name = self._name.hexdigest()
            final = self._store.path_of(name)
            # Marked in flight and found (or put) in place in one step: the sweep removes a
            # file under the same lock, so it cannot take the file this write counted on.
            with self._store.naming:
                self._store.mark_in_flight(name)
                duplicate = final.exists()
                if duplicate:
                    self._temp.unlink()
                else:
                    final.parent.mkdir(exist_ok=True)
                    os.replace(self._temp, final)
            if duplicate:
                self.result = StoredObject(name, self._size, duplicate=True)
                return self.result
            fsync_dir(final.parent)
        except OSError as error:
            self.abort()
            raise_if_disk_full(error)
            raise
        self.result = StoredObject(name, self._size, duplicate=False)
        return self.result

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self._temp.unlink(missing_ok=True)

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if kind is None:
            self.finish()
        else:
            self.abort()


class ObjectStore:
    """``name_key`` names new objects (keyed BLAKE3); ``hmac_name_key`` verifies the names of
    objects written before (HMAC-SHA256), when the vault has any."""

    def __init__(self, root: Path, payload_key: bytes, name_key: bytes,
                 clock: Callable[[], float] = time.monotonic, *,
                 hmac_name_key: bytes | None = None) -> None:
        self.root = root
        self.payload_key = payload_key
        self.name_key = name_key
        self._name_keys = {crypto.MAGIC_BLAKE3: name_key}
        if hmac_name_key is not None:
            self._name_keys[crypto.MAGIC_HMAC_SHA256] = hmac_name_key
        self.incoming = root / INCOMING
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.naming = threading.Lock()  # guards the two below and a name's file appearing
        self._in_flight: dict[str, float] = {}  # name -> when last written
        self._holds: dict[int, float] = {}  # open long work (imports, recordings) -> start
        self._hold_ids = iter(range(1 << 62))

    # -- what the sweep must leave alone --

    def mark_in_flight(self, name: str) -> None:
        """Call with ``naming`` held."""
        self._in_flight[name] = self.clock()
        if len(self._in_flight) > _IN_FLIGHT_PRUNE_AT:  # a long session with no sweep
            since = self._in_flight_since(_IN_FLIGHT_FORGET_SECONDS)
            for old in [n for n, at in self._in_flight.items() if at < since]:
                del self._in_flight[old]

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Long work that writes objects and commits their rows as it goes (an import, a
        recording): whatever is written while it runs stays in flight until it ends, however
        long it takes."""
        with self.naming:
            key = next(self._hold_ids)
            self._holds[key] = self.clock()
        try:
            yield
        finally:
            with self.naming:
                del self._holds[key]

    def _in_flight_since(self, grace_seconds: float) -> float:
        now = self.clock()
        return min([now - grace_seconds, *self._holds.values()])

    def in_flight(self, grace_seconds: float) -> set[str]:
        """Names written in the last ``grace_seconds`` or since the oldest open hold began
        (older marks are forgotten here)."""
        with self.naming:
            since = self._in_flight_since(grace_seconds)
            for name in [n for n, at in self._in_flight.items() if at < since]:
                del self._in_flight[name]
            return set(self._in_flight)

    def remove_unless_in_flight(self, name: str, grace_seconds: float) -> bool:
        """Delete an object's file unless it was written meanwhile (see ``in_flight``)."""
        path = self.path_of(name)
        with self.naming:
            written = self._in_flight.get(name)
            if written is not None and written >= self._in_flight_since(grace_seconds):
                return False
            path.unlink(missing_ok=True)
        return True

    def path_of(self, name: str) -> Path:
        if len(name) != 64 or any(c not in "0123456789abcdef" for c in name):
            raise ValueError(f"not an object name: {name!r}")
        return self.root / name[:2] / name[2:]

    def writer(self) -> ObjectWriter:
        return ObjectWriter(self)

    def put_stream(self, source: BinaryIO) -> StoredObject:
        with self.writer() as writer:
            writer.write_from(source)
        assert writer.result is not None
        return writer.result

    def put_bytes(self, data: bytes) -> StoredObject:
        with self.writer() as writer:
            writer.write(data)
        assert writer.result is not None
        return writer.result

    def chunks(self, name: str) -> Iterator[bytes]:
        """The plaintext, chunk by chunk; ObjectDamaged as soon as a chunk fails its tag."""
        try:
            handle = open(self.path_of(name), "rb", buffering=0)
        except FileNotFoundError:
            raise ObjectMissing(name=name) from None
        with handle:
            try:
                yield from crypto.decrypt_stream(self.payload_key, handle)
            except crypto.DecryptionFailed as failure:
                raise ObjectDamaged(name=name, chunk=failure.chunk, reason=failure.reason) from None

    def open_random(self, name: str) -> ObjectReader:
        """A seekable, read-only file object over the plaintext (video playback)."""
        return ObjectReader(self, name)

    def read_bytes(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def name_scheme(self, name: str) -> bytes:
        """The object's magic: which keyed hash names it (``crypto.MAGIC_*``); b"" if unknown."""
        try:
            with open(self.path_of(name), "rb") as handle:
                return handle.read(len(crypto.MAGIC))
        except FileNotFoundError:
            raise ObjectMissing(name=name) from None

    def verify(self, name: str) -> int:
        """Decrypt everything and check the name is the keyed hash of what came out, by the
        scheme its header names (a header changed to another scheme fails every tag).
        Returns the size."""
        magic = self.name_scheme(name)
        key = self._name_keys.get(magic)
        if key is None:  # not an object of ours: decryption says so in its own words
            for _ in self.chunks(name):
                pass
            raise ObjectDamaged(name=name, chunk=None, reason="unknown naming scheme")
        namer = crypto.object_namer(magic, key)
        size = 0
        for chunk in self.chunks(name):
            namer.update(chunk)
            size += len(chunk)
        if namer.hexdigest() != name:
            raise ObjectDamaged(name=name, chunk=None, reason="content does not match its name")
        return size

    def names_on_disk(self) -> Iterable[str]:
        for folder in self.root.iterdir():
            if folder.is_dir() and len(folder.name) == 2:
                for entry in folder.iterdir():
                    yield folder.name + entry.name

    def remove(self, name: str) -> None:
        self.path_of(name).unlink(missing_ok=True)

    def sweep_incoming(self) -> int:
        """Partial writes left by a crash: never reported as stored, so safe to drop."""
        removed = 0
        for entry in self.incoming.iterdir():
            entry.unlink(missing_ok=True)
            removed += 1
        return removed


def _read_full(source: BinaryIO, into: memoryview) -> int:
    """Fill ``into`` unless the stream ends first (a pipe or a socket may return less)."""
    done = 0
    while done < len(into):
        got = source.readinto(into[done:])  # type: ignore[attr-defined]
        if not got:
            break
        done += got
    return done


class ObjectReader(io.RawIOBase):
    """Seekable plaintext of one object with one decrypted chunk in memory; nothing is written
    anywhere. Safe to use from one thread at a time per call (calls are serialised by a lock, so
    a media player reading on its own thread and a seek from the GUI thread do not interleave).
    ``ObjectDamaged`` (an OSError would hide it) when a chunk fails its tag."""

    def __init__(self, store: ObjectStore, name: str) -> None:
        super().__init__()
        try:
            self._file = open(store.path_of(name), "rb", buffering=0)
        except FileNotFoundError:
            raise ObjectMissing(name=name) from None
        self._name = name
        self._lock = threading.Lock()
        try:
            self._decryptor = crypto.ChunkDecryptor(store.payload_key,
                                                    self._file.read(crypto.HEADER_SIZE))
        except crypto.DecryptionFailed as failure:
            self._file.close()
            raise ObjectDamaged(name=name, chunk=None, reason=failure.reason) from None
        sealed = os.fstat(self._file.fileno()).st_size - crypto.HEADER_SIZE
        self._chunks = max(1, -(-sealed // (crypto.CHUNK_SIZE + crypto.TAG_SIZE)))
        self.size = max(0, sealed - self._chunks * crypto.TAG_SIZE)
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._file.seek(crypto.ChunkDecryptor.offset(index))
        sealed = self._file.read(crypto.CHUNK_SIZE + crypto.TAG_SIZE)
        try:
            plain = self._decryptor.decrypt(index, sealed, last=index == self._chunks - 1)
        except crypto.DecryptionFailed as failure:
            raise ObjectDamaged(name=self._name, chunk=failure.chunk,
                                reason=failure.reason) from None
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        with self._lock:
            if self.closed:
                raise ValueError("read from a closed object")
            view = memoryview(buffer).cast("B")
            done = 0
            while done < len(view) and self._position < self.size:
                index, within = divmod(self._position, crypto.CHUNK_SIZE)
                piece = self._chunk(index)[within:within + len(view) - done]
                view[done:done + len(piece)] = piece
                done += len(piece)
                self._position += len(piece)
            return done

    def close(self) -> None:
        with self._lock:
            if not self.closed:
                self._file.close()
                self._cached = None
            super().close()
