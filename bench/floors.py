"""What every bench's floor shares: the irreducible work, done the same way in each, so the
ratios the benches print compare like with like."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MiB = 1024 * 1024


def drop_caches() -> bool:
    """Empty the page cache (root only), so reads come from the disk; False if not allowed."""
    os.sync()
    try:
        with open("/proc/sys/vm/drop_caches", "w") as handle:
            handle.write("3\n")
    except OSError:
        return False
    return True


def seal_file(aead: AESGCM, src: Path, dst: Path, digest: Any = None) -> None:
    """Read ``src`` in 1 MiB chunks, (hash them,) AES-GCM each with a counter nonce, write to
    ``dst`` and fsync: the floor the vault's own writing is measured against."""
    with open(src, "rb", buffering=0) as source, open(dst, "wb", buffering=0) as sink:
        counter = 0
        while block := source.read(MiB):
            if digest is not None:
                digest.update(block)
            sink.write(aead.encrypt(counter.to_bytes(12, "big"), block, None))
            counter += 1
        os.fsync(sink.fileno())
