"""Signatures in minisign's format, so `minisign -V` checks a batch with the station's public
key and no tool of ours (https://jedisct1.github.io/minisign/, "Signature format").

We write the pre-hashed variant ("ED": Ed25519 over BLAKE2b-512 of the file), which minisign
verifies by default, so a large file is hashed as a stream and never held in memory.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.errors import SyncError

PREHASHED = b"ED"
LEGACY = b"Ed"


class BadSignature(SyncError):
    """The minisign signature does not verify with the key given."""


def key_id(public_key: bytes) -> bytes:
    """8 bytes naming the key; derived from it so the same station key always has one id."""
    return hashlib.blake2b(public_key, digest_size=8).digest()


def public_key_text(public_key: bytes) -> str:
    """The station's key as a minisign public key file (for `minisign -V -p FILE`)."""
    keynum = key_id(public_key)
    line = base64.b64encode(LEGACY + keynum + public_key).decode()
    return f"untrusted comment: minisign public key {keynum[::-1].hex().upper()}\n{line}\n"


def public_key_line(public_key: bytes) -> str:
    """The base64 line alone (for `minisign -V -P LINE`)."""
    return public_key_text(public_key).splitlines()[1]


def blake2b_of(chunks: Iterable[bytes]) -> bytes:
    digest = hashlib.blake2b(digest_size=64)
    for chunk in chunks:
        digest.update(chunk)
    return digest.digest()


def sign(private_key: Ed25519PrivateKey, file_digest: bytes, trusted_comment: str,
         untrusted_comment: str = "signature from a Số hóa ký ức station key") -> str:
    """A .minisig for a file whose BLAKE2b-512 is ``file_digest``."""
    if "\n" in trusted_comment or "\n" in untrusted_comment:
        raise ValueError("comments are one line")
    public = private_key.public_key().public_bytes_raw()
    signature = private_key.sign(file_digest)
    comment = trusted_comment.encode()
    global_signature = private_key.sign(signature + comment)
    return (f"untrusted comment: {untrusted_comment}\n"
            f"{base64.b64encode(PREHASHED + key_id(public) + signature).decode()}\n"
            f"trusted comment: {trusted_comment}\n"
            f"{base64.b64encode(global_signature).decode()}\n")


@dataclass(frozen=True)
class Verified:
    trusted_comment: str


def verify(public_key: bytes, file_digest: bytes, minisig: str) -> Verified:
    """Check a prehashed minisign signature and its trusted comment; BadSignature if not."""
    lines = minisig.splitlines()
    try:
        blob = base64.b64decode(lines[1], validate=True)
        comment_line = lines[2]
        global_signature = base64.b64decode(lines[3], validate=True)
    except (IndexError, ValueError):
        raise BadSignature("not a minisign signature") from None
    if not comment_line.startswith("trusted comment: ") or len(blob) != 74:
        raise BadSignature("not a minisign signature")
    algorithm, keynum, signature = blob[:2], blob[2:10], blob[10:]
    if algorithm != PREHASHED:
        raise BadSignature("only pre-hashed signatures are accepted")
    if keynum != key_id(public_key):
        raise BadSignature("signed by another key")
    comment = comment_line[len("trusted comment: "):]
    key = Ed25519PublicKey.from_public_bytes(public_key)
    try:
        key.verify(signature, file_digest)
        key.verify(global_signature, signature + comment.encode())
    except InvalidSignature:
        raise BadSignature("the signature does not match") from None
    return Verified(comment)
