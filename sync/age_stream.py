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

The encryption itself is the reference ``age`` (Go, the format's own implementation) when it is
on the PATH, as on every Linux station (``packaging/dev/setup.sh`` installs it): this process
runs ``age -r RECIPIENT`` with the build's pipe as its stdin, reads its stdout in 1 MiB blocks
and hashes, writes and fsyncs them itself — ``age`` never writes a file (no ``-o``), so the file
on the disk is exactly what was hashed. ``age`` exiting with any status but 0 is a failure.
Why: it is the implementation the command's tools (and the tests) open batches with, and the
encryption then runs in a process of its own beside the hashing and writing here, with no GIL
between them — alone, ``age`` encrypts 0.75–1.2 GB/s on one core of the 2-vCPU test machine,
pyrage 0.6 GB/s, and this process with ``age`` takes 0.36–0.5 s for 256 MB against 0.66–0.75 s
with pyrage. (In the build on that machine the two make no measurable difference: the build is
bound by its total CPU on two cores; docs/benchmarks.md, session 5.) Its input is the build's
pipe, so ``age`` ends whenever that pipe closes: a killed encryptor leaves no ``age`` behind once
the build closes its end (``write_bag`` does, after killing this process), and a dead build
closes it by dying. It is read into a few reused buffers, so a block costs no allocation and
no copy besides the read and the write.

Without an ``age`` binary (a Windows laptop), or with ``SOHOA_AGE_ENCRYPTOR=pyrage`` (the tests
run both; ``=age`` insists on the binary), pyrage (the Rust ``rage`` crate) encrypts in this
process instead: it holds the GIL for the whole of ``encrypt_io``, which is why the encryption
was put in a process of its own in the first place.
Its input comes through a 1 MiB buffer (pyrage asks for 8 KiB at a time), and its output is
hashed and written a block at a time on a thread, which runs whenever pyrage calls back into
Python. We keep well-kept implementations (a hand-written age writer measured ~20 % faster than
pyrage) because the batch format is the one place a subtle mistake would make the command unable
to open a family's archive.
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
import threading
from collections.abc import Callable
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
POOL = 4  # 1 MiB buffers age's output is read into: one filling, two queued, one being written
ENCRYPTOR_ENV = "SOHOA_AGE_ENCRYPTOR"  # "pyrage" forces the fallback, "age" the CLI


class _Sink:
    """The ciphertext file. Each block is hashed and written on a thread of its own (hashlib and
    the write release the GIL, so they run beside the encryption), and the file is flushed to
    the disk as it grows (an fsync every ``FLUSH_EVERY`` bytes, on a third thread), so the fsync
    that ends the batch waits only for its tail. Use as a context manager; ``close`` when the
    last block is written. pyrage ``write``s small pieces, gathered here into blocks; the CLI
    path hands over whole blocks with ``put``."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.sha256, self.size = file, hashlib.sha256(), 0
        self._block: list[bytes] = []
        self._block_bytes = 0
        self._queue: queue.Queue[list[bytes] | tuple[memoryview, Callable[[], None]] | None] = \
            queue.Queue(maxsize=2)
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

    def put(self, block: memoryview, release: Callable[[], None]) -> None:
        """A whole block, hashed and written as it is (no copy); ``release`` is called once
        that is done (or failed), so its buffer can be filled again."""
        if self._failure:
            release()
            raise self._failure[0]
        self._queue.put((block, release))

    def flush(self) -> None:
        """pyrage flushes when it finishes; ``close`` is what puts the file on the disk."""

    def _send(self) -> None:
        if self._failure:
            raise self._failure[0]
        self._queue.put(self._block)
        self._block, self._block_bytes = [], 0

    def _write_out(self) -> None:
        flushed_at = 0
        while (item := self._queue.get()) is not None:
            if isinstance(item, tuple):
                data, release = item
            else:  # one write and one hash call a block: fewer hand-overs
                data, release = memoryview(b"".join(item)), None
            try:
                if not self._failure:  # else drained, so the encryption never waits on it
                    self.sha256.update(data)
                    self.file.write(data)
                    self.size += len(data)
            except BaseException as error:  # raised on the encrypting thread
                self._failure.append(error)
            finally:
                if release is not None:
                    release()
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


class AgeFailed(RuntimeError):
    """The ``age`` CLI exited with a status other than 0."""


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
    """``age -r RECIPIENT`` reading ``source`` (a descriptor is handed to it as it is) and
    writing into a pipe read here, a 1 MiB block at a time into a few reused buffers, each
    hashed and written by the ``_Sink``. A status other than 0 is a failure."""
    fd = _fileno(source)
    age = subprocess.Popen([binary, "-r", recipient],
                           stdin=fd if fd is not None else subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    assert age.stdout is not None and age.stderr is not None
    feeder = None
    if fd is None:  # not a descriptor (the tests' short reads): fed from a thread
        feeder = threading.Thread(target=_feed, args=(source, age.stdin), daemon=True,
                                  name="age-feed")
        feeder.start()
    try:
        widen(age.stdout.fileno())
        with open(out, "wb") as file, _Sink(file) as sink:
            free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
            for _ in range(POOL):
                free.put(bytearray(BLOCK))
            read = age.stdout.readinto
            while True:
                buffer = free.get()
                view = memoryview(buffer)
                got = 0
                while got < BLOCK and (count := read(view[got:])):
                    got += count
                if got:
                    sink.put(view[:got], lambda buffer=buffer: free.put(buffer))
                else:
                    free.put(buffer)
                if got < BLOCK:
                    break  # the end of age's output
            detail = age.stderr.read(4096).decode(errors="replace").strip()
            code = age.wait()
            if feeder is not None:
                feeder.join()
            if code != 0:
                raise AgeFailed(f"age exited with status {code}: {detail}")
            sink.close()
    finally:
        # On any failure age must not outlive us: it is killed, and its pipes closed.
        if age.poll() is None:
            age.kill()
        for stream in (age.stdout, age.stderr):
            stream.close()
        age.wait()
    return sink.size, sink.sha256.hexdigest()


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


def widen(pipe: int) -> None:
    """A 1 MiB pipe instead of Linux's 64 KiB: fewer, longer reads and writes, and the two ends
    run on for longer between hand-overs when one of them waits for a core. Used on both of
    the encryptor's pipes (the build's tar in, age's output here)."""
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
