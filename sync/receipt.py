"""The command's receipt for a batch: what it stored, signed with the command's Ed25519 key.
The station marks a batch delivered only after ``verify`` accepts its receipt."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.errors import SyncError

FORMAT = "sohoa-receipt/1"
DOMAIN = b"sohoa batch receipt v1\0"


class BadReceipt(SyncError):
    """The receipt is not signed by the command's key, or is not a receipt."""


@dataclass(frozen=True)
class Receipt:
    body: dict[str, Any]
    signature: bytes

    @property
    def batch_id(self) -> str:
        return str(self.body["batch_id"])

    def to_json(self) -> str:
        return json.dumps({"receipt": self.body, "signature": self.signature.hex()},
                          ensure_ascii=False, sort_keys=True)


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sign(key: Ed25519PrivateKey, body: dict[str, Any]) -> Receipt:
    body = {"format": FORMAT, **body}
    return Receipt(body, key.sign(DOMAIN + _canonical(body)))


def verify(command_public_key: bytes, text: str) -> Receipt:
    try:
        doc = json.loads(text)
        body, signature = doc["receipt"], bytes.fromhex(doc["signature"])
    except (ValueError, KeyError, TypeError):
        raise BadReceipt("not a receipt") from None
    if body.get("format") != FORMAT:
        raise BadReceipt("not a receipt")
    try:
        Ed25519PublicKey.from_public_bytes(command_public_key).verify(
            signature, DOMAIN + _canonical(body))
    except InvalidSignature:
        raise BadReceipt("the receipt is not signed by the command") from None
    return Receipt(body, signature)
