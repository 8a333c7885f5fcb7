"""Key derivation, key wrapping and the streaming AEAD used for every stored object.

The object format follows the payload of age (C2SP age.md) with AES-256-GCM instead of
ChaCha20-Poly1305 (AES-NI makes it several times faster on the laptops we target):

    header   = magic (8 bytes) || nonce (16 random bytes)
    key      = HKDF-SHA256(ikm=objects key, salt=nonce, info="sohoa/object/payload/v1")
    chunk i  = AES-256-GCM(key, nonce=i as 11-byte big-endian || last-flag, plaintext ≤ 1 MiB,
                           aad=header)

Every chunk but the last holds exactly CHUNK_SIZE bytes; the last one is flagged and may be
short, and is empty only when the whole object is. So truncation, reordering, a flipped bit
and a swapped header are all caught, chunk by chunk, without buffering the whole object.

The magic also says how the object is named (``object_namer``): ``SOHOAOB1`` objects by
HMAC-SHA256 of the plaintext (every object written before December 2026), ``SOHOAOB2`` by keyed
BLAKE3 (every object written since). The payload is the same for both; the header is the
associated data of every chunk, so the mark cannot be changed without failing every tag.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from hashlib import sha256
from typing import BinaryIO, Protocol

import blake3
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_SIZE = 32
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
MAGIC_HMAC_SHA256 = b"SOHOAOB1"  # named by HMAC-SHA256: objects written before BLAKE3 names
MAGIC_BLAKE3 = b"SOHOAOB2"  # named by keyed BLAKE3
MAGIC = MAGIC_BLAKE3  # what new objects get
MAGICS = (MAGIC_HMAC_SHA256, MAGIC_BLAKE3)
NONCE_SIZE = 16
HEADER_SIZE = len(MAGIC) + NONCE_SIZE
MAX_CHUNKS = 2**88 - 1
# cryptography 46+ seals into a buffer we reuse: no 1 MiB allocation (and page faults) a chunk.
_HAS_ENCRYPT_INTO = hasattr(AESGCM, "encrypt_into")


class DecryptionFailed(Exception):
    """Opaque on purpose (as Fernet's InvalidToken): a wrong key and tampering look alike."""

    def __init__(self, reason: str, chunk: int | None = None) -> None:
        self.reason = reason
        self.chunk = chunk
        super().__init__(reason if chunk is None else f"{reason} (chunk {chunk})")


def derive_key(key: bytes, purpose: str, salt: bytes | None = None,
               length: int = KEY_SIZE) -> bytes:
    """A key for one named purpose. Two purposes never share a key."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=purpose.encode()).derive(
        key
    )


def wrap_key(kek: bytes, key: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """Encrypt ``key`` under ``kek``; the ``aad`` (a slot's parameters) is bound to it."""
    nonce = os.urandom(12)
    return nonce, AESGCM(kek).encrypt(nonce, key, aad)


def unwrap_key(kek: bytes, nonce: bytes, wrapped: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, aad)
    except InvalidTag:
        raise DecryptionFailed("key does not unwrap") from None


def _chunk_nonce(counter: int, last: bool) -> bytes:
    if counter > MAX_CHUNKS:
        raise OverflowError("object too large")
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class StreamEncryptor:
    """Encrypts a stream of any size into ``sink`` holding at most one chunk in memory."""

    def __init__(self, objects_key: bytes, sink: BinaryIO, magic: bytes = MAGIC) -> None:
        if magic not in MAGICS:
            raise ValueError(f"unknown object format {magic!r}")
        nonce = os.urandom(NONCE_SIZE)
        self._header = magic + nonce
        self._aead = AESGCM(derive_key(objects_key, "sohoa/object/payload/v1", salt=nonce))
        self._sink = sink
        self._pending = bytearray()
        self._counter = 0
        self._closed = False
        self._sealed: bytearray | None = None  # seal()'s reused output buffer
        sink.write(self._header)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closed:
            raise ValueError("write after close")
        view = memoryview(data)
        # Fast path: whole chunks straight from the caller's buffer, no copy into _pending.
        if not self._pending:
            while len(view) > CHUNK_SIZE:
                self._emit(view[:CHUNK_SIZE], last=False)
                view = view[CHUNK_SIZE:]
        else:
            room = CHUNK_SIZE - len(self._pending)
            self._pending += view[:room]
            view = view[room:]
            if view:
                self._emit(self._pending, last=False)
                self._pending = bytearray()
                while len(view) > CHUNK_SIZE:
                    self._emit(view[:CHUNK_SIZE], last=False)
                    view = view[CHUNK_SIZE:]
        # A full chunk stays pending until we know whether it is the last one.
        self._pending += view

    def close(self) -> None:
        if not self._closed:
            self._emit(self._pending, last=True)
            self._pending = bytearray()
            self._closed = True

    def seal(self, chunk: bytes | bytearray | memoryview, last: bool) -> None:
        """One whole chunk from a caller that reads ahead and so knows which is the last (no
        copy into the pending buffer). Not to be mixed with ``write``."""
        if self._closed or self._pending:
            raise ValueError("seal after close or after write")
        if not last and len(chunk) != CHUNK_SIZE:
            raise ValueError("only the last chunk may be short")
        if _HAS_ENCRYPT_INTO:
            if self._sealed is None:
                self._sealed = bytearray(CHUNK_SIZE + TAG_SIZE)
            out = memoryview(self._sealed)[:len(chunk) + TAG_SIZE]
            self._aead.encrypt_into(_chunk_nonce(self._counter, last), chunk, self._header, out)
            self._sink.write(out)
            self._counter += 1
        else:
            self._emit(chunk, last)
        self._closed = last

    def _emit(self, chunk: bytes | bytearray | memoryview, last: bool) -> None:
        nonce = _chunk_nonce(self._counter, last)
        self._sink.write(self._aead.encrypt(nonce, chunk, self._header))
        self._counter += 1


def decrypt_stream(objects_key: bytes, source: BinaryIO) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk; raise DecryptionFailed at the first bad chunk."""
    header = source.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE or header[: len(MAGIC)] not in MAGICS:
        raise DecryptionFailed("not an object of this vault", chunk=None)
    aead = AESGCM(derive_key(objects_key, "sohoa/object/payload/v1", salt=header[len(MAGIC) :]))
    sealed_size = CHUNK_SIZE + TAG_SIZE
    counter = 0
    current = source.read(sealed_size)
    while True:
        following = source.read(sealed_size) if len(current) == sealed_size else b""
        last = not following
        if len(current) < TAG_SIZE:
            raise DecryptionFailed("object is truncated", chunk=counter)
        if last and len(current) == TAG_SIZE and counter > 0:
            raise DecryptionFailed("empty last chunk", chunk=counter)
        try:
            plain = aead.decrypt(_chunk_nonce(counter, last), current, header)
        except InvalidTag:
            reason = "object is truncated" if last else "chunk fails its authentication tag"
            # A full-size chunk that fails as "last" but would pass as "not last" was cut off.
            if last and len(current) == sealed_size:
                try:
                    aead.decrypt(_chunk_nonce(counter, False), current, header)
                except InvalidTag:
                    reason = "chunk fails its authentication tag"
            raise DecryptionFailed(reason, chunk=counter) from None
        yield plain
        if last:
            return
        counter += 1
        current = following


class ChunkDecryptor:
    """Random access to an object: decrypts chunk ``i`` alone (for seeking in a video). The
    caller says which chunk is the last, from the file's size; a cut-off file then fails the
    tag of what it takes for the last chunk, exactly as in ``decrypt_stream``."""

    def __init__(self, objects_key: bytes, header: bytes) -> None:
        if len(header) != HEADER_SIZE or header[: len(MAGIC)] not in MAGICS:
            raise DecryptionFailed("not an object of this vault", chunk=None)
        self._header = header
        self._aead = AESGCM(derive_key(objects_key, "sohoa/object/payload/v1",
                                       salt=header[len(MAGIC):]))

    @staticmethod
    def offset(index: int) -> int:
        return HEADER_SIZE + index * (CHUNK_SIZE + TAG_SIZE)

    def decrypt(self, index: int, sealed: bytes, last: bool) -> bytes:
        if len(sealed) < TAG_SIZE or (not last and len(sealed) != CHUNK_SIZE + TAG_SIZE):
            raise DecryptionFailed("object is truncated", chunk=index)
        try:
            return self._aead.decrypt(_chunk_nonce(index, last), sealed, self._header)
        except InvalidTag:
            raise DecryptionFailed("chunk fails its authentication tag", chunk=index) from None


class ObjectNamer(Protocol):
    def update(self, data: bytes | bytearray | memoryview, /) -> object: ...
    def hexdigest(self) -> str: ...


def object_name(name_key: bytes) -> hmac.HMAC:
    """The running HMAC-SHA256 naming ``SOHOAOB1`` objects (all objects written before keyed
    BLAKE3 names): kept so those names still verify."""
    return hmac.new(name_key, digestmod=sha256)


def object_namer(magic: bytes, name_key: bytes) -> ObjectNamer:
    """A running keyed hash of the plaintext: the object's name, so equal content dedupes
    without a plain hash on disk that anyone could match against a known photo. ``magic`` (the
    object's header) says which hash; ``name_key`` must be the key of that scheme.

    Keyed BLAKE3 is a PRF with a 256-bit key and 256-bit output, as HMAC-SHA256 is: without the
    key nobody can compute or confirm a name; collisions cost 2^128 work. It runs at ~4x the
    speed of SHA-256 on one core (SIMD over the 1 KiB blocks of a 1 MiB chunk), which is what
    lets the vault write at the speed of AES-GCM and the disk."""
    if len(name_key) != KEY_SIZE:
        raise ValueError("a name key is 32 bytes")
    if magic == MAGIC_BLAKE3:
        return blake3.blake3(key=name_key)
    if magic == MAGIC_HMAC_SHA256:
        return object_name(name_key)
    raise ValueError(f"unknown object format {magic!r}")
