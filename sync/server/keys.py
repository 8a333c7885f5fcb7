"""The command's own keys: an age X25519 identity (batches are encrypted to it) and an Ed25519
key (signs receipts). Made once by ``sohoa-server init``, kept in the data folder, mode 0600."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyrage
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.errors import SyncError

IDENTITY_FILE = "command-age.key"
SIGNING_FILE = "command-ed25519.key"


class KeysMissing(SyncError):
    """The server's keys are not in the data folder; run `sohoa-server init` first."""


@dataclass(frozen=True)
class CommandKeys:
    identity: pyrage.x25519.Identity
    signing: Ed25519PrivateKey

    @property
    def recipient(self) -> str:
        return str(self.identity.to_public())

    @property
    def signing_public(self) -> bytes:
        return self.signing.public_key().public_bytes_raw()

    @classmethod
    def create(cls, folder: Path) -> CommandKeys:
        folder.mkdir(parents=True, exist_ok=True)
        identity = pyrage.x25519.Identity.generate()
        signing = Ed25519PrivateKey.generate()
        _write_private(folder / IDENTITY_FILE, str(identity) + "\n")
        _write_private(folder / SIGNING_FILE, signing.private_bytes_raw().hex() + "\n")
        return cls(identity, signing)

    @classmethod
    def load(cls, folder: Path) -> CommandKeys:
        try:
            identity = pyrage.x25519.Identity.from_str(
                (folder / IDENTITY_FILE).read_text().strip())
            signing = Ed25519PrivateKey.from_private_bytes(
                bytes.fromhex((folder / SIGNING_FILE).read_text().strip()))
        except FileNotFoundError:
            raise KeysMissing(str(folder)) from None
        return cls(identity, signing)


def _write_private(path: Path, text: str) -> None:
    if path.exists():
        raise SyncError(f"{path} exists; refusing to replace the command's keys")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
