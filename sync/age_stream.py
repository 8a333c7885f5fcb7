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

Why a process: pyrage holds the GIL for the whole of ``encrypt_io``, so on a thread of the
build it took turns with the build's own work (vault decryption, SHA-256 for the manifest, tar)
on one core; here it has a core and an interpreter of its own, as ``age`` has beside ``tar``. Its
input comes through a 1 MiB buffer (pyrage asks for 8 KiB at a time), and its output is hashed
and written a block at a time on a thread, which runs whenever pyrage calls back into Python.

A hand-written age writer on ``cryptography``'s ChaCha20-Poly1305 measured ~20 % faster here; we
keep pyrage, the well-kept implementation, because the batch format is the one place a subtle
mistake would make the command unable to open a family's archive.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

import pyrage

BLOCK = 1024 * 1024  # read at a time from the pipe, which holds as much
CHUNK = 64 * 1024  # age's payload chunk
FLUSH_EVERY = 8 * 1024 * 1024


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

    def write(self, data: bytes) -> int:
        data = bytes(data)  # pyrage may lend a buffer it reuses
        self._block.append(data)
        self._block_bytes += len(data)
        if self._block_bytes >= BLOCK:
            self._send()
        return len(data)

    def flush(self) -> None:
        """pyrage flushes when it finishes; ``close`` is what puts the file on the disk."""

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


ENCRYPTOR_ENV = "SOHOA_AGE_ENCRYPTOR"  # "pyrage" forces the fallback, "age" the CLI


def encryptor() -> str | None:
    """The ``age`` binary to run, or ``None`` for pyrage: the CLI when it is on the PATH,
    unless ``SOHOA_AGE_ENCRYPTOR=pyrage``; ``=age`` insists on the CLI."""
    wanted = os.environ.get(ENCRYPTOR_ENV, "").strip().lower()
    if wanted == "pyrage":
        return None
    binary = shutil.which("age")
    if binary is None and wanted == "age":
        raise FileNotFoundError(f"{ENCRYPTOR_ENV}=age but no age binary is on the PATH")
    return binary


def encrypt(source: BinaryIO, out: Path, recipient: str) -> tuple[int, str]:
    """Encrypt ``source`` to ``out`` (flushed to the disk) with age; its size and SHA-256."""
    age_recipient = pyrage.x25519.Recipient.from_str(recipient.strip())  # nothing but age1…
    binary = encryptor()
    if binary is not None:
        return _encrypt_with_cli(binary, source, out, str(age_recipient))
    reader = io.BufferedReader(source, buffer_size=BLOCK)  # type: ignore[arg-type]
    with open(out, "wb") as file, _Sink(file) as sink:
        pyrage.encrypt_io(reader, sink, [age_recipient])
        sink.close()
    return sink.size, sink.sha256.hexdigest()


def _fileno(source: BinaryIO) -> int | None:
    try:
        return source.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return None


def _encrypt_with_cli(binary: str, source: BinaryIO, out: Path, recipient: str
                      ) -> tuple[int, str]:
    """``age -r RECIPIENT`` reading ``source`` (a pipe's descriptor is handed to it as is) and
    writing to a pipe read here: every block is hashed and written by the ``_Sink``, so the
    file on the disk is exactly what was hashed. A non-zero exit of ``age`` is a failure."""
    fd = _fileno(source)
    with tempfile.TemporaryFile() as errors, open(out, "wb") as file, _Sink(file) as sink:
        age = subprocess.Popen([binary, "-r", recipient],
                               stdin=fd if fd is not None else subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=errors, bufsize=0)
        assert age.stdout is not None
        feeder = None
        if fd is None:  # not a descriptor (the tests' short reads): fed from a thread
            feeder = threading.Thread(target=_feed, args=(source, age.stdin), daemon=True,
                                      name="age-feed")
            feeder.start()
        try:
            _widen(age.stdout.fileno())
            while data := os.read(age.stdout.fileno(), BLOCK):
                sink.write(data)
            code = age.wait()
            if feeder is not None:
                feeder.join()
            if code != 0:
                errors.seek(0)
                detail = errors.read(2000).decode(errors="replace").strip()
                raise AgeFailed(f"age exited with status {code}: {detail}")
            sink.close()
        finally:
            # On any failure age must not outlive us: it is killed, and its pipe closed.
            if age.poll() is None:
                age.kill()
            age.stdout.close()
            age.wait()
    return sink.size, sink.sha256.hexdigest()


class AgeFailed(RuntimeError):
    """The ``age`` CLI exited with a non-zero status."""


def _feed(source: BinaryIO, pipe: BinaryIO | None) -> None:
    assert pipe is not None
    try:
        while data := source.read(BLOCK):
            pipe.write(data)
    except OSError:
        pass  # age stopped reading: its exit status says why
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def _widen(pipe: int) -> None:
    """age's output through a 1 MiB pipe instead of Linux's 64 KiB: a 1 MiB read at a time."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if setpipe is not None:
        with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
            fcntl.fcntl(pipe, setpipe, BLOCK)


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
