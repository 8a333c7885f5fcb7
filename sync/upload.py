"""The station's upload client: tus 1.0 with every request signed by the station key.

It resumes where the server stopped (HEAD for the offset, PATCH from there), after a dropped
connection or a restart (the upload's URL is kept beside the batch file), backs off with full
jitter, can be paused, cancelled and capped in bandwidth, and reports progress. When the last
byte is in, it waits for the command's receipt and verifies its signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import httpsig, receipt
from sync.errors import SyncError

CHUNK = 1024 * 1024


class UploadRefused(SyncError):
    """The command refused the upload or the batch (the reason says why)."""


class Cancelled(SyncError):
    """The upload was cancelled by the operator."""


@dataclass
class Progress:
    sent: int
    total: int
    bytes_per_s: float
    resent: int  # bytes sent again after a broken connection


@dataclass
class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog): sleep U(0, min(cap,
    base·2^n)). ``rng`` and ``sleep`` are parameters so tests are exact."""

    base: float = 1.0
    cap: float = 60.0
    rng: random.Random | None = None

    def delay(self, attempt: int) -> float:
        rng = self.rng or random
        return rng.uniform(0, min(self.cap, self.base * 2**attempt))


class Uploader:
    def __init__(self, server: str, station_id: str, key: Ed25519PrivateKey, file: Path,
                 receipt_key: bytes, *, bandwidth: float | None = None,
                 backoff: Backoff | None = None, timeout: float = 30.0,
                 progress: Callable[[Progress], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.server = server.rstrip("/")
        self.station_id = station_id
        self.key = key
        self.file = file
        self.receipt_key = receipt_key
        self.bandwidth = bandwidth  # bytes per second, None for no cap
        self.backoff = backoff or Backoff()
        self.progress = progress
        self.sleep = sleep
        self.paused = threading.Event()
        self.cancelled = threading.Event()
        self.state_file = file.with_name(file.name + ".upload.json")
        self._client = httpx.Client(timeout=timeout)
        self.resent = 0
        self._high_water = 0

    def _headers(self, method: str, path: str, extra: dict[str, str]) -> dict[str, str]:
        headers = {"Tus-Resumable": "1.0.0", **extra}
        headers.update(httpsig.sign(self.key, self.station_id, method, path, headers))
        return headers

    def _request(self, method: str, path: str, extra: dict[str, str] | None = None,
                 content: bytes | None = None) -> httpx.Response:
        headers = self._headers(method, path, dict(extra or {}))
        return self._client.request(method, self.server + path, headers=headers,
                                    content=content)

    def _location(self) -> str:
        if self.state_file.exists():
            return json.loads(self.state_file.read_text())["location"]
        size = self.file.stat().st_size
        response = self._request("POST", "/files", {"Upload-Length": str(size)})
        if response.status_code != 201:
            raise UploadRefused(f"the server refused the upload: {response.text.strip()}")
        location = httpx.URL(response.headers["location"]).path
        self.state_file.write_text(json.dumps({"location": location}))
        return location

    def run(self) -> receipt.Receipt:
        """Upload until done; retries network failures forever with backoff (the operator can
        cancel); returns the verified receipt."""
        attempt = 0
        while True:
            if self.cancelled.is_set():
                raise Cancelled()
            try:
                location = self._location()
                self._send(location)
                return self._await_receipt(location)
            except (httpx.TransportError, httpx.TimeoutException):
                self.sleep(self.backoff.delay(attempt))
                attempt += 1

    def _send(self, location: str) -> None:
        size = self.file.stat().st_size
        head = self._request("HEAD", location)
        if head.status_code == 404:
            self.state_file.unlink(missing_ok=True)  # expired on the server: start again
            raise httpx.TransportError("upload expired")
        offset = int(head.headers["upload-offset"])
        if offset < self._high_water:
            self.resent += self._high_water - offset
        started, sent_here = time.monotonic(), 0
        with open(self.file, "rb") as source:
            source.seek(offset)
            while offset < size:
                while self.paused.is_set() and not self.cancelled.is_set():
                    time.sleep(0.05)
                if self.cancelled.is_set():
                    raise Cancelled()
                chunk = source.read(CHUNK)
                checksum = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                response = self._request("PATCH", location, {
                    "Upload-Offset": str(offset), "Upload-Checksum": f"sha256 {checksum}",
                    "Content-Type": "application/offset+octet-stream"}, chunk)
                if response.status_code == 409:
                    raise httpx.TransportError("offset moved; asking the server again")
                if response.status_code != 204:
                    raise UploadRefused(f"the server refused a chunk: {response.status_code} "
                                        f"{response.text.strip()}")
                offset = int(response.headers["upload-offset"])
                self._high_water = max(self._high_water, offset)
                sent_here += len(chunk)
                elapsed = time.monotonic() - started
                if self.bandwidth:
                    ahead = sent_here / self.bandwidth - elapsed
                    if ahead > 0:
                        time.sleep(ahead)
                        elapsed += ahead
                if self.progress:
                    self.progress(Progress(offset, size, sent_here / max(elapsed, 1e-6),
                                           self.resent))

    def _await_receipt(self, location: str) -> receipt.Receipt:
        for _ in range(600):
            response = self._request("GET", location + "/result")
            if response.status_code == 200:
                verified = receipt.verify(self.receipt_key, response.text)
                self.state_file.unlink(missing_ok=True)
                return verified
            if response.status_code == 422:
                self.state_file.unlink(missing_ok=True)
                problem = response.json()
                raise UploadRefused(f"the command rejected the batch ({problem['reason']}): "
                                    f"{problem['detail']}")
            self.sleep(0.5)
        raise UploadRefused("the command did not answer with a receipt")

    def close(self) -> None:
        self._client.close()
