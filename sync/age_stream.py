"""A batch's age encryption in a process of its own: the build is ``tar | age``, two processes.

The build (``sync.batch.write_bag``) starts::

    python -m sync.age_stream RECIPIENT OUT

writes the tar to its stdin and closes it. This process encrypts to ``OUT`` as it reads, hashes
the ciphertext on the way, fsyncs, and prints one JSON line on stdout: ``{"size": n, "sha256":
hex}``, or ``{"error": "disk_full" | "failed", "detail": text}`` after removing ``OUT``. Only the
command's public recipient reaches it; no secret ever does.

If the build dies, stdin ends early and the report cannot be delivered (a pipe with no reader):
the truncated file is removed then too. The build renames ``OUT`` only after a good report, and
the outbox sweeps any ``.part`` left by a crash at the next build.

Why a process, and why not pyrage here: pyrage holds the GIL for the whole of ``encrypt_io``, so
on a thread of the build it took turns with the build's own work (vault decryption, SHA-256 for
the manifest, tar) on one core. In a process of its own it still holds the GIL, reads its input
8 KiB at a time through Python calls and keeps the hashing of its output from running beside
it: as the encryptor it used 1.1 s of CPU per 256 MB where this one uses 0.8 (the build ran at
151 against 187 MB/s in the same run). So the age v1 format (C2SP age.md: one X25519 stanza, the
header's HMAC, the STREAM payload in 64 KiB chunks) is written here with ``cryptography``'s
primitives (OpenSSL's ChaCha20-Poly1305, ~2 GB/s here): a few dozen lines, checked by the tests
against pyrage and the stock ``age`` CLI, which decrypt it at every chunk and block boundary.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import hmac
import itertools
import json
import os
import queue
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

BLOCK = 1024 * 1024  # read at a time from the pipe, which holds as much
CHUNK = 64 * 1024  # age's payload chunk
FLUSH_EVERY = 8 * 1024 * 1024
VERSION_LINE = b"age-encryption.org/v1\n"


class BadRecipient(ValueError):
    """Not an age X25519 recipient (the build checks it with pyrage before it starts us)."""


# --- bech32 (BIP 173), as age spells an X25519 recipient: "age1" + 32 bytes ---------------------

_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD,
                                       0x2A1462B3)):
            if (top >> i) & 1:
                check ^= generator
    return check


def recipient_key(recipient: str) -> bytes:
    """The 32-byte X25519 public key of an ``age1...`` recipient."""
    text = recipient.strip().lower()
    hrp, _, data = text.rpartition("1")
    if hrp != "age" or len(data) < 6 or any(c not in _BECH32 for c in data):
        raise BadRecipient("not an age X25519 recipient")
    values = [_BECH32.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    if _polymod(expanded + values) != 1:
        raise BadRecipient("the recipient's checksum is wrong")
    bits = 0
    number = 0
    key = bytearray()
    for value in values[:-6]:
        number, bits = number << 5 | value, bits + 5
        if bits >= 8:
            bits -= 8
            key.append(number >> bits & 0xFF)
    if len(key) != 32 or number & ((1 << bits) - 1):
        raise BadRecipient("the recipient is not 32 bytes")
    return bytes(key)


# --- age v1 (C2SP age.md): an X25519 stanza, the header MAC, the STREAM payload -----------------

def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def header(recipient: bytes, file_key: bytes) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes_raw()
    # A low-order recipient gives an all-zero secret, which age forbids: OpenSSL refuses it
    # (ValueError), so no such file is made.
    secret = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    wrap_key = _hkdf(secret, share + recipient, b"age-encryption.org/v1/X25519")
    body = ChaCha20Poly1305(wrap_key).encrypt(bytes(12), file_key, None)
    # A 32-byte body is one base64 line shorter than 64 columns, which ends the stanza.
    text = VERSION_LINE + b"-> X25519 " + _b64(share) + b"\n" + _b64(body) + b"\n---"
    mac = hmac.new(_hkdf(file_key, b"", b"header"), text, "sha256").digest()
    return text + b" " + _b64(mac) + b"\n"


class _Sink:
    """The ciphertext file. Each block is hashed and written on a thread of its own (hashlib and
    the write release the GIL, so they run beside the encryption), and the file is flushed to
    the disk as it grows (an fsync every ``FLUSH_EVERY`` bytes, on a third thread), so the fsync
    that ends the batch waits only for its tail. Use as a context manager; ``close`` when the
    last block is written."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.sha256, self.size = file, hashlib.sha256(), 0
        self._block: list[bytes] = []
        self._block_bytes = 0
        self._queue: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=2)
        self._failure: list[BaseException] = []
        self._flush_wanted = threading.Event()
        self._closing = False
        self._writer = threading.Thread(target=self._write_out, name="age-write", daemon=True)
        self._flusher = threading.Thread(target=self._flush, name="age-fsync", daemon=True)

    def __enter__(self) -> _Sink:
        self._writer.start()
        self._flusher.start()
        return self

    def write(self, data: bytes) -> None:
        self._block.append(data)
        self._block_bytes += len(data)
        if self._block_bytes >= BLOCK:
            self._send()

    def _send(self) -> None:
        if self._failure:
            raise self._failure[0]
        self._queue.put(self._block)
        self._block, self._block_bytes = [], 0

    def _write_out(self) -> None:
        flushed_at = 0
        while (block := self._queue.get()) is not None:
            if self._failure:
                continue  # drained, so the encryption never waits on a dead writer
            try:
                data = b"".join(block)  # one write and one hash call a block: fewer hand-overs
                self.sha256.update(data)
                self.file.write(data)
                self.size += len(data)
            except BaseException as error:  # raised on the encrypting thread
                self._failure.append(error)
            if self.size - flushed_at >= FLUSH_EVERY:
                flushed_at = self.size
                self._flush_wanted.set()

    def _flush(self) -> None:
        while True:
            self._flush_wanted.wait()
            self._flush_wanted.clear()
            if self._closing:
                return
            try:
                os.fsync(self.file.fileno())
            except OSError as error:
                self._failure.append(error)
                return

    def close(self) -> None:
        """Everything written and on the disk."""
        self._send()
        self._stop()
        if self._failure:
            raise self._failure[0]
        self.file.flush()
        os.fsync(self.file.fileno())

    def _stop(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()
        self._closing = True
        self._flush_wanted.set()
        self._flusher.join()

    def __exit__(self, *exc: object) -> None:
        self._stop()


def _blocks(source: BinaryIO) -> Iterator[memoryview]:
    """The input in full blocks (only the last may be short), read into two buffers in turn:
    the caller still holds the end of one block while the next is read."""
    buffers = (bytearray(BLOCK), bytearray(BLOCK))
    for turn in itertools.cycle((0, 1)):
        view = memoryview(buffers[turn])
        filled = 0
        while filled < BLOCK and (count := source.readinto(view[filled:])):
            filled += count
        if filled:
            yield view[:filled]
        if filled < BLOCK:
            return


def encrypt(source: BinaryIO, out: Path, recipient: str) -> tuple[int, str]:
    """Encrypt ``source`` to ``out`` (flushed to the disk) as age does; its size and SHA-256."""
    file_key = os.urandom(16)
    with open(out, "wb") as file, _Sink(file) as sink:
        sink.write(header(recipient_key(recipient), file_key))
        nonce = os.urandom(16)
        sink.write(nonce)
        aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        counter = 0
        # age flags the last chunk, so each one waits until we know whether more follows. The
        # last may be full, and is empty only when the whole input is.
        held: memoryview | None = None
        for block in _blocks(source):
            for at in range(0, len(block), CHUNK):
                if held is not None:
                    sink.write(aead.encrypt(counter.to_bytes(11, "big") + b"\0", held, None))
                    counter += 1
                held = block[at:at + CHUNK]
        last = held if held is not None else b""
        sink.write(aead.encrypt(counter.to_bytes(11, "big") + b"\1", last, None))
        sink.close()
    return sink.size, sink.sha256.hexdigest()


def _report(line: dict[str, object]) -> None:
    data = (json.dumps(line) + "\n").encode()
    while data:
        data = data[os.write(sys.stdout.fileno(), data):]


def main(argv: list[str]) -> int:
    recipient, out = argv[0], Path(argv[1])
    try:
        with open(sys.stdin.fileno(), "rb", buffering=0, closefd=False) as source:
            size, sha256 = encrypt(source, out, recipient)
    except BaseException as error:  # every failure is reported, and nothing kept
        out.unlink(missing_ok=True)
        full = isinstance(error, OSError) and error.errno == errno.ENOSPC
        try:
            _report({"error": "disk_full" if full else "failed",
                     "detail": f"{type(error).__name__}: {error}"})
        except OSError:
            pass  # the build is gone: nobody to tell
        return 1
    try:
        _report({"size": size, "sha256": sha256})
    except OSError:
        # The build died: its stdin ended early, so what was encrypted is a truncated batch.
        out.unlink(missing_ok=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
