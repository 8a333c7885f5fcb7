"""The command's receipt for a batch: what it stored, signed with the command's Ed25519 key.
The station marks a batch delivered only after ``verify`` accepts its receipt. A refusal is
signed by the same key (``sign_refusal``), so nobody on the network can forge one."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
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


# -- refusals: every non-2xx answer of the command, coded and signed ------------------------

REFUSAL_FORMAT = "sohoa-refusal/1"
REFUSAL_DOMAIN = b"sohoa refusal v1\0"
_REFUSAL_FIELDS = ("code", "detail", "retryable", "retry_after", "station", "upload", "batch_id",
                   "at")


@dataclass(frozen=True)
class Refusal:
    """A refusal the command signed: the station acts on ``code`` and ``retryable`` only once
    ``verify_refusal`` accepted it (an unsigned or forged one is a network fault, retried)."""

    code: str
    detail: str
    retryable: bool
    retry_after: float | None
    station: str | None
    upload: str | None
    batch_id: str | None
    at: str
    body: dict[str, Any]
    signature: bytes


def sign_refusal(key: Ed25519PrivateKey, *, code: str, detail: str, retryable: bool,
                 retry_after: float | None = None, station: str | None = None,
                 upload: str | None = None, batch_id: str | None = None,
                 at: datetime | None = None) -> str:
    """The JSON body of a refusal, signed with the command's receipt key."""
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    body = {"format": REFUSAL_FORMAT, "code": code, "detail": detail,
            "retryable": bool(retryable),
            "retry_after": None if retry_after is None else math.ceil(retry_after),
            "station": station, "upload": upload, "batch_id": batch_id,
            "at": moment.isoformat(timespec="seconds")}
    signature = key.sign(REFUSAL_DOMAIN + _canonical(body))
    return json.dumps({"refusal": body, "signature": signature.hex()}, ensure_ascii=False,
                      sort_keys=True)


def verify_refusal(command_public_key: bytes, text: str | bytes) -> Refusal:
    """The refusal in ``text`` if the command's key signed it; else BadReceipt."""
    try:
        doc = json.loads(text)
        body, signature = doc["refusal"], bytes.fromhex(doc["signature"])
        if not isinstance(body, dict) or body.get("format") != REFUSAL_FORMAT:
            raise ValueError
        fields = {name: body[name] for name in _REFUSAL_FIELDS}
        if not isinstance(fields["code"], str) or not isinstance(fields["retryable"], bool):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise BadReceipt("not a refusal") from None
    try:
        Ed25519PublicKey.from_public_bytes(command_public_key).verify(
            signature, REFUSAL_DOMAIN + _canonical(body))
    except InvalidSignature:
        raise BadReceipt("the refusal is not signed by the command") from None
    return Refusal(**fields, body=body, signature=signature)
