"""A batch's age encryption in a process of its own: the build is ``tar | age``, two processes.

pyrage holds the GIL for the whole of ``encrypt_io``, so on a thread of the build it took turns
with the build's own Python work (vault decryption, SHA-256 for the manifest, tar) on one core.
The build (``sync.batch.write_bag``) starts::

    python -m sync.age_stream RECIPIENT OUT

writes the tar to its stdin and closes it. This process encrypts to ``OUT`` as it reads, hashes
the ciphertext on the way, fsyncs, and prints one JSON line on stdout: ``{"size": n, "sha256":
hex}``, or ``{"error": "disk_full" | "failed", "detail": text}`` after removing ``OUT``. Only the
command's public recipient reaches it; no secret ever does.

If the build dies, stdin ends early and the report cannot be delivered (a pipe with no reader):
the truncated file is removed then too. The build renames ``OUT`` only after a good report, and
the outbox sweeps any ``.part`` left by a crash at the next build.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import BinaryIO

import pyrage

READ_BUFFER = 1024 * 1024  # pyrage reads 8 KiB at a time: serve those from memory


class _HashingSink:
    """The ciphertext file, hashed as age writes it."""

    def __init__(self, sink: BinaryIO) -> None:
        self.sink, self.sha256, self.size = sink, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.sink.write(data)

    def flush(self) -> None:
        self.sink.flush()


def encrypt(source: BinaryIO, out: Path, recipient: str) -> tuple[int, str]:
    """Encrypt ``source`` to ``out`` (flushed to the disk); its size and SHA-256."""
    age_recipient = pyrage.x25519.Recipient.from_str(recipient)
    with open(out, "wb") as sink:
        hashing = _HashingSink(sink)
        pyrage.encrypt_io(source, hashing, [age_recipient])
        sink.flush()
        os.fsync(sink.fileno())
    return hashing.size, hashing.sha256.hexdigest()


def _report(line: dict[str, object]) -> None:
    data = (json.dumps(line) + "\n").encode()
    while data:
        data = data[os.write(sys.stdout.fileno(), data):]


def main(argv: list[str]) -> int:
    recipient, out = argv[0], Path(argv[1])
    try:
        with open(sys.stdin.fileno(), "rb", buffering=READ_BUFFER, closefd=False) as source:
            size, sha256 = encrypt(source, out, recipient)
    except BaseException as error:  # every failure is reported, and nothing kept
        out.unlink(missing_ok=True)
        full = isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EFBIG)
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
