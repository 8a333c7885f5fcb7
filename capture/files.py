"""Durable file writes: a reader after a crash sees the old file or the new one, never half."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from capture.errors import DiskFull


def fsync_dir(folder: Path) -> None:
    # A rename is durable only once the directory entry is on disk (POSIX); Windows has no
    # directory handles to sync and makes renames durable itself.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise_if_disk_full(error)
        raise
    fsync_dir(path.parent)


def raise_if_disk_full(error: OSError) -> None:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        raise DiskFull() from error


class ProcessLock:
    """An exclusive lock on a file, released by the OS if the process dies (even by SIGKILL).
    Two apps on one vault would sweep each other's half-written objects as orphans."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle = None

    def acquire(self) -> bool:
        handle = open(self._path, "a+b")
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing releases flock and msvcrt locks alike
            self._handle = None
