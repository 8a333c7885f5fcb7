"""The station's upload client: tus 1.0 with every request signed by the station key.

One PATCH streams the rest of the file (chunked transfer encoding), so a long link latency costs
one round trip per connection, not one per chunk, and when the link breaks the server keeps
every byte that reached it: the client asks ``HEAD`` for the offset and streams on from there,
after a dropped connection or a restart (the upload's URL is kept beside the batch file). The
body's integrity is age's: every 64 KiB of a batch carries its own authentication tag, checked
at ingest, and the bag's manifests behind that. Failures back off with full jitter (from the
start again once bytes flow), pause and cancel end the current PATCH cleanly between pieces, a
bandwidth cap paces the pieces, and progress is reported. When the last byte is in, it waits for
the command's receipt and verifies its signature.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import httpsig, receipt
from sync.errors import SyncError

CHUNK = 1024 * 1024  # progress is reported every CHUNK handed to the socket
RECEIPT_WAIT = 30 * 60.0  # seconds; ingest streams at tens of MB/s, so even 20 GB fits
PIECE = 64 * 1024  # what is read, paced and written at a time (pause and cancel act between)


# Let the kernel hold at most this much not yet sent: without it, a socket buffer of megabytes
# fills at once, the progress runs ahead of the link and all of it is lost when the link breaks.
# Bytes in flight still grow with the link (the congestion window), so a fast link stays full.
NOT_SENT_LIMIT = 128 * 1024
_SOCKET_OPTIONS = ([(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, NOT_SENT_LIMIT)]
                   if hasattr(socket, "TCP_NOTSENT_LOWAT") else [])


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
        self._client = httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(
            socket_options=_SOCKET_OPTIONS))
        self.resent = 0
        self._handed = 0  # the furthest offset ever handed to a socket

    def _headers(self, method: str, path: str, extra: dict[str, str]) -> dict[str, str]:
        headers = {"Tus-Resumable": "1.0.0", **extra}
        headers.update(httpsig.sign(self.key, self.station_id, method, path, headers))
        return headers

    def _request(self, method: str, path: str, extra: dict[str, str] | None = None,
                 content: Iterator[bytes] | None = None) -> httpx.Response:
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
            handed_before = self._handed
            try:
                location = self._location()
                self._send(location)
                return self._await_receipt(location)
            except (httpx.TransportError, httpx.TimeoutException):
                if self._handed > handed_before:
                    attempt = 0  # the link works, it broke once more: retry soon
                self.sleep(self.backoff.delay(attempt))
                attempt += 1

    def _send(self, location: str) -> None:
        size = self.file.stat().st_size
        head = self._request("HEAD", location)
        if head.status_code == 404:
            self.state_file.unlink(missing_ok=True)  # expired on the server: start again
            raise httpx.TransportError("upload expired")
        offset = int(head.headers["upload-offset"])
        with open(self.file, "rb") as source:
            while offset < size:
                while self.paused.is_set() and not self.cancelled.is_set():
                    time.sleep(0.05)
                if self.cancelled.is_set():
                    raise Cancelled()
                if offset < self._handed:
                    self.resent += self._handed - offset
                source.seek(offset)
                response = self._request("PATCH", location, {
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream"},
                    self._body(source, offset, size))
                if response.status_code == 409:
                    raise httpx.TransportError("offset moved; asking the server again")
                if response.status_code != 204:
                    raise UploadRefused(f"the server refused a chunk: {response.status_code} "
                                        f"{response.text.strip()}")
                offset = int(response.headers["upload-offset"])
        if self.cancelled.is_set():
            raise Cancelled()

    def _body(self, source: BinaryIO, offset: int, size: int) -> Iterator[bytes]:
        """The rest of the file in pieces, paced to the bandwidth cap; ends early (a shorter,
        complete PATCH) when paused or cancelled. Progress is reported every CHUNK handed over
        and at the end."""
        piece = min(CHUNK, PIECE)
        started, handed = time.monotonic(), 0
        reported = offset
        while offset < size and not (self.paused.is_set() or self.cancelled.is_set()):
            block = source.read(min(piece, size - offset))
            if not block:
                return
            if self.bandwidth:
                self._pace(started, handed + len(block))
                if self.paused.is_set() or self.cancelled.is_set():
                    return
            yield block  # back here once the socket took it
            handed += len(block)
            offset += len(block)
            self._handed = max(self._handed, offset)
            if self.progress and (offset - reported >= CHUNK or offset == size):
                reported = offset
                elapsed = max(time.monotonic() - started, 1e-6)
                self.progress(Progress(offset, size, handed / elapsed, self.resent))

    def _pace(self, started: float, handed: int) -> None:
        """Wait until ``handed`` bytes are within the cap since ``started``, in short steps so
        pause and cancel are heard."""
        assert self.bandwidth
        while (ahead := handed / self.bandwidth - (time.monotonic() - started)) > 0:
            if self.paused.is_set() or self.cancelled.is_set():
                return
            time.sleep(min(ahead, 0.1))

    def _await_receipt(self, location: str) -> receipt.Receipt:
        waited = 0.0
        while waited < RECEIPT_WAIT:
            if self.cancelled.is_set():
                raise Cancelled()  # all is sent: the receipt can be fetched later
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
            # The server ingests after the last byte: a small batch in a moment, a big one
            # in a minute or more; ask often at first, then once a second.
            pause = min(1.0, 0.05 + waited / 4)
            self.sleep(pause)
            waited += pause
        raise UploadRefused("the command did not answer with a receipt")

    def close(self) -> None:
        self._client.close()
