"""HTTP Message Signatures (RFC 9421) with Ed25519, the subset the station and the command use.

A request is signed over its method, path and query and the tus headers it carries, with a
creation time and a nonce; the server keeps only the stations' public keys. Signatures older or
newer than ``MAX_SKEW`` are refused (laptop clocks drift, so it is generous), and a nonce is
accepted once.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.errors import SyncError

LABEL = "sohoa"
# Content-Length is left out: HTTP clients add or drop it on their own; a chunk's integrity is
# its Upload-Checksum, which is signed.
SIGNED_HEADERS = ("upload-offset", "upload-length", "upload-checksum", "upload-metadata",
                  "tus-resumable", "content-digest", "sohoa-block-size")
MAX_SKEW = 15 * 60
MAX_NONCE = 64  # characters; the station sends 22
MIN_BLOCK = 64 * 1024
MAX_BLOCKS = 32768  # so a block manifest is at most 1 MiB


class SignatureRefused(SyncError):
    """The request's signature is missing, malformed, stale, replayed or wrong; ``code`` is
    the refusal code the server answers with (unsigned, bad_signature, stale_signature,
    replayed, unknown_station)."""

    def __init__(self, detail: str, code: str = "bad_signature") -> None:
        super().__init__(detail)
        self.code = code


class Nonces(Protocol):
    def first_time(self, nonce: str, key_id: str, now: float) -> bool:
        """True the first time ``nonce`` is seen (and remember it for 2 × MAX_SKEW)."""
        ...


def block_size_for(length: int) -> int:
    """The block size of an upload's manifest: the smallest power of two ≥ 64 KiB that
    makes at most MAX_BLOCKS blocks of ``length`` bytes."""
    size = MIN_BLOCK
    while -(-length // size) > MAX_BLOCKS:
        size *= 2
    return size


def content_digest(body: bytes) -> str:
    """RFC 9530 Content-Digest of ``body`` (SHA-256)."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def _base(method: str, path: str, headers: Mapping[str, str], components: list[str],
          params: str) -> bytes:
    lines = []
    for component in components:
        if component == "@method":
            value = method.upper()
        elif component == "@path":
            value = path.split("?", 1)[0]
        elif component == "@query":
            value = "?" + path.split("?", 1)[1] if "?" in path else "?"
        else:
            value = headers[component].strip()
        lines.append(f'"{component}": {value}')
    lines.append(f'"@signature-params": {params}')
    return "\n".join(lines).encode()


def sign(key: Ed25519PrivateKey, key_id: str, method: str, path: str,
         headers: Mapping[str, str], now: float | None = None) -> dict[str, str]:
    """The Signature-Input and Signature headers for a request (``path`` with its query)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    components = ["@method", "@path", "@query",
                  *[h for h in SIGNED_HEADERS if h in lowered]]
    created = int(now if now is not None else time.time())
    inner = " ".join(f'"{c}"' for c in components)
    params = (f'({inner});created={created};keyid="{key_id}";alg="ed25519";'
              f'nonce="{secrets.token_urlsafe(16)}"')
    signature = key.sign(_base(method, path, lowered, components, params))
    return {"Signature-Input": f"{LABEL}={params}",
            "Signature": f"{LABEL}=:{base64.b64encode(signature).decode()}:"}


_INPUT = re.compile(r'^sohoa=\((?P<components>[^)]*)\)(?P<rest>(;[a-z]+=("[^"]*"|\d+))+)$')
_PARAM = re.compile(r';([a-z]+)=("([^"]*)"|(\d+))')


@dataclass(frozen=True)
class Signed:
    key_id: str
    created: int


class NonceCache:
    """Nonces seen within the skew window, in memory (tests; the server keeps its nonces in
    its database, so a restart does not forget them)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, nonce: str, key_id: str, now: float) -> bool:
        with self._lock:
            for old in [n for n, t in self._seen.items() if t < now - 2 * MAX_SKEW]:
                del self._seen[old]
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True


def verify(method: str, path: str, headers: Mapping[str, str],
           public_key_for: Callable[[str], bytes | None], nonces: Nonces,
           now: float | None = None) -> Signed:
    lowered = {k.lower(): v for k, v in headers.items()}
    signature_input = lowered.get("signature-input", "")
    signature = lowered.get("signature", "")
    match = _INPUT.match(signature_input)
    if not match or not signature.startswith(f"{LABEL}=:") or not signature.endswith(":"):
        raise SignatureRefused("the request is not signed", "unsigned")
    components = re.findall(r'"([^"]+)"', match.group("components"))
    params = {m.group(1): m.group(3) if m.group(3) is not None else m.group(4)
              for m in _PARAM.finditer(match.group("rest"))}
    if params.get("alg") != "ed25519" or "keyid" not in params or "created" not in params \
            or "nonce" not in params or len(params["nonce"]) > MAX_NONCE \
            or len(params["keyid"]) > 64:
        raise SignatureRefused("the signature lacks its parameters")
    required = {"@method", "@path", "@query"} | {h for h in SIGNED_HEADERS if h in lowered}
    if not required <= set(components):
        raise SignatureRefused("the signature does not cover the request")
    moment = now if now is not None else time.time()
    created = int(params["created"])
    if abs(moment - created) > MAX_SKEW:
        raise SignatureRefused("the signature is too old or from the future",
                               "stale_signature")
    public = public_key_for(params["keyid"])
    if public is None:
        raise SignatureRefused("unknown station", "unknown_station")
    try:
        raw = base64.b64decode(signature[len(LABEL) + 2:-1], validate=True)
        missing = [c for c in components if not c.startswith("@") and c not in lowered]
        if missing:
            raise SignatureRefused("a signed header is missing")
        Ed25519PublicKey.from_public_bytes(public).verify(
            raw, _base(method, path, lowered, components, signature_input[len(LABEL) + 1:]))
    except (InvalidSignature, ValueError):
        raise SignatureRefused("the signature does not match") from None
    if not nonces.first_time(params["nonce"], params["keyid"], moment):
        raise SignatureRefused("the request was replayed", "replayed")
    return Signed(params["keyid"], created)
