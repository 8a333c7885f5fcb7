"""The enrolment link: what the command hands a station, typed, pasted or scanned as a QR code.

    sohoa-enrol:?server=https://cmd.example.vn:8470&code=1A2B-3C4D-5E6F-7A8B&keys=9f3c…&tls=…

``keys`` is a fingerprint of the command's age recipient and receipt key; ``tls`` (when the
command serves TLS itself) the SHA-256 of its certificate. The link reaches the station on paper
or a screen, outside the network, so a station that checks the keys it is offered against it
cannot be fooled by someone answering in the server's place (a captive portal, a hostile Wi-Fi)
into encrypting its batches to the wrong key. Without a link the operator types the fingerprint
from the printed sheet (``parse_fingerprint`` forgives spaces, dashes and case).
"""

from __future__ import annotations

import hashlib
import hmac
import io
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import segno

from sync.errors import SyncError

SCHEME = "sohoa-enrol"
FINGERPRINT_HEX = 32  # 128 bits: short enough for a QR code, too long to forge


class BadEnrolLink(SyncError):
    """This is not an enrolment link from the command."""


class BadFingerprint(SyncError):
    """What was typed is not a keys fingerprint (32 hexadecimal characters)."""


class KeysMismatch(SyncError):
    """The server answered with keys other than those on the enrolment link or the sheet."""

    def __init__(self, expected: str = "", answered: str = "") -> None:
        super().__init__("the server's keys are not the command's")
        self.expected = expected
        self.answered = answered


@dataclass(frozen=True)
class EnrolLink:
    server_url: str
    code: str
    keys_fingerprint: str | None = None
    tls_sha256: str | None = None

    def text(self) -> str:
        query = {"server": self.server_url, "code": self.code}
        if self.keys_fingerprint:
            query["keys"] = self.keys_fingerprint
        if self.tls_sha256:
            query["tls"] = self.tls_sha256
        return f"{SCHEME}:?{urlencode(query)}"

    def qr_png(self, scale: int = 8) -> bytes:
        out = io.BytesIO()
        segno.make(self.text(), error="m").save(out, kind="png", scale=scale, border=4)
        return out.getvalue()

    def check_keys(self, recipient: str, receipt_public_key: bytes) -> None:
        """Raise KeysMismatch unless the keys match the link's fingerprint (if it has one)."""
        if self.keys_fingerprint is None:
            return
        if not hmac.compare_digest(self.keys_fingerprint,
                                   fingerprint(recipient, receipt_public_key)):
            raise KeysMismatch()


def fingerprint(recipient: str, receipt_public_key: bytes) -> str:
    digest = hashlib.sha256(b"sohoa enrol keys\n" + recipient.strip().encode() + b"\n"
                            + receipt_public_key).hexdigest()
    return digest[:FINGERPRINT_HEX]


def parse_fingerprint(text: str | None) -> str:
    """The fingerprint as typed from the sheet (``9F3C 1A2B …``) or taken from a link:
    spaces, dashes and case forgiven; BadFingerprint unless 32 hexadecimal characters."""
    cleaned = "".join(c for c in (text or "") if not c.isspace() and c != "-").lower()
    if len(cleaned) != FINGERPRINT_HEX or any(c not in "0123456789abcdef" for c in cleaned):
        raise BadFingerprint()
    return cleaned


def grouped(fingerprint_hex: str) -> str:
    """As the sheet prints it: 8 groups of 4, upper case (``9F3C 1A2B …``)."""
    text = fingerprint_hex.upper()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse(text: str) -> EnrolLink:
    """Read a link as typed, pasted or scanned (surrounding spaces and case of the scheme
    forgiven)."""
    text = text.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() != SCHEME:
        raise BadEnrolLink()
    query = parse_qs(parts.query)
    try:
        server = query["server"][0].strip()
        code = query["code"][0].strip().upper()
    except (KeyError, IndexError):
        raise BadEnrolLink() from None
    if urlsplit(server).scheme not in ("http", "https") or not code:
        raise BadEnrolLink()
    keys = query.get("keys", [None])[0]
    if keys is not None:
        try:
            keys = parse_fingerprint(keys)
        except BadFingerprint:
            raise BadEnrolLink() from None
    tls = query.get("tls", [None])[0]
    if tls is not None:
        tls = tls.strip().lower()
        if len(tls) != 64 or any(c not in "0123456789abcdef" for c in tls):
            raise BadEnrolLink()
    return EnrolLink(server.rstrip("/"), code, keys, tls)
