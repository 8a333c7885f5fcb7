"""The station's upload client: tus 1.0 with every request signed by the station key.

One PATCH streams the rest of the file (chunked transfer encoding), so a long link latency costs
one round trip per connection, not one per chunk, and when the link breaks the server keeps
every verified block that reached it: the client asks ``HEAD`` for the offset and streams on
from there, after a dropped connection or a restart (the upload's URL and the block manifest
are kept beside the batch file, in ``<file>.upload.json``).

The upload is created with the batch's block manifest (contract §C): the SHA-256 of each
``block_size`` block, sent with a Content-Digest the station's signature covers, so the command
checks every block as it arrives and keeps only bytes the station vouched for. The manifest is
computed in one pass over the file the first time and cached in the state file.

Every refusal the command sends is coded and signed with its receipt key (contract §A); this
client trusts a refusal only when the signature verifies. A verified refusal that is not
retryable ends the upload (``Refused``; only one from ``/result`` of this upload is the command
rejecting the batch: ``BatchRejected``); a retryable one, an unsigned or forged one, and any
network failure are retried with backoff (full jitter), telling the caller each time through
``retrying``. ``no_such_upload`` and ``expired`` start a new upload.

The connection can be pinned to the TLS certificate taken at enrolment (``tls_certificate``):
no other certificate is accepted, whoever signed it. ``cancel`` (or setting ``cancelled``)
closes the open connection from the cancelling thread, so a link that hangs with no bytes stops
at once instead of after the read timeout.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpcore
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync import httpsig, receipt
from sync.errors import SyncError

CHUNK = 1024 * 1024  # progress is reported every CHUNK handed to the socket
RECEIPT_WAIT = 30 * 60.0  # seconds; ingest streams at tens of MB/s, so even 20 GB fits
PIECE = 64 * 1024  # what is read, paced and written at a time (pause and cancel act between)
MAX_RETRY_AFTER = 15 * 60.0  # a server's Retry-After is believed up to this
CONNECT_TIMEOUT = 15.0
MANIFEST_TYPE = "application/vnd.sohoa.blocks"

# Let the kernel hold at most this much not yet sent: without it, a socket buffer of megabytes
# fills at once, the progress runs ahead of the link and all of it is lost when the link breaks.
# Bytes in flight still grow with the link (the congestion window), so a fast link stays full.
NOT_SENT_LIMIT = 128 * 1024
_SOCKET_OPTIONS = ([(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, NOT_SENT_LIMIT)]
                   if hasattr(socket, "TCP_NOTSENT_LOWAT") else [])

# Codes (contract §A) the client acts on itself.
NEW_UPLOAD = {"no_such_upload", "expired"}
ASK_OFFSET = {"offset_mismatch", "body_mismatch", "upload_complete"}
QUICK_RETRIES = 3  # immediate retries in a row (new upload, ask HEAD) before backing off
# What the reason "network" and the others below mean to ``retrying`` (besides a refusal code).
NETWORK = "network"
UNSIGNED = "unsigned_answer"  # an answer not signed by the command: a relay, a portal, a proxy
CERTIFICATE = "certificate"  # the server's TLS certificate is not the one pinned at enrolment


class UploadRefused(SyncError):
    """The command refused the upload (a verified refusal; ``code`` says why). The batch stays:
    it may go later, or by USB."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class BatchRejected(UploadRefused):
    """The command ingested the batch and rejected it for good (a verified, non-retryable
    refusal from ``/result`` of this upload)."""


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


class Stop(threading.Event):
    """An event whose ``set()`` also runs callbacks in the setting thread: the upload's
    cancel closes its connection from there."""

    def __init__(self) -> None:
        super().__init__()
        self._callbacks: list[Callable[[], None]] = []
        self._guard = threading.Lock()

    def on_set(self, callback: Callable[[], None]) -> Callable[[], None]:
        with self._guard:
            self._callbacks.append(callback)
        if self.is_set():
            callback()
        return lambda: self._forget(callback)

    def _forget(self, callback: Callable[[], None]) -> None:
        with self._guard, contextlib.suppress(ValueError):
            self._callbacks.remove(callback)

    def set(self) -> None:
        super().set()
        with self._guard:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()


# --- block manifest (contract §C) ---------------------------------------------------------------


def block_size(length: int) -> int:
    """The smallest power of two ≥ 64 KiB that cuts ``length`` into at most 32768 blocks."""
    return httpsig.block_size_for(length)


def manifest(path: Path, size: int) -> bytes:
    """The raw SHA-256 of each consecutive ``size``-byte block of the file, in one pass."""
    out = bytearray()
    with open(path, "rb") as source:
        while block := source.read(size):
            out += hashlib.sha256(block).digest()
    return bytes(out)


content_digest = httpsig.content_digest  # RFC 9530, over the manifest


# --- TLS pinning ---------------------------------------------------------------------------------


def pinned_context(certificate_pem: str) -> ssl.SSLContext:
    """A client context that accepts exactly this certificate (self-signed or issued: the leaf
    itself is the only trust anchor) and no other; the name is not checked, the pin is."""
    context = ssl.create_default_context(cadata=certificate_pem)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return context


def certificate_sha256(certificate_pem: str) -> str:
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(certificate_pem)).hexdigest()


def _is_certificate_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# --- connections the cancelling thread can close -------------------------------------------------


class _Tracked(httpcore.NetworkStream):
    """A stream that registers itself (and its TLS successor) so ``abort`` can shut it."""

    def __init__(self, inner: httpcore.NetworkStream, registry: _Registry) -> None:
        self._inner = inner
        self._registry = registry
        registry.add(self)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._registry.discard(self)
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        self._registry.discard(self)
        return _Tracked(self._inner.start_tls(ssl_context, server_hostname, timeout),
                        self._registry)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)

    def shut(self) -> None:
        sock = self._inner.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                # shutdown, not close: it wakes a thread blocked in send or recv on it
                sock.shutdown(socket.SHUT_RDWR)


class _Registry:
    def __init__(self) -> None:
        self._streams: set[_Tracked] = set()
        self._guard = threading.Lock()

    def add(self, stream: _Tracked) -> None:
        with self._guard:
            self._streams.add(stream)

    def discard(self, stream: _Tracked) -> None:
        with self._guard:
            self._streams.discard(stream)

    def shut_all(self) -> None:
        with self._guard:
            streams = list(self._streams)
        for stream in streams:
            stream.shut()


class _Backend(httpcore.NetworkBackend):
    def __init__(self, registry: _Registry) -> None:
        self._inner = httpcore.SyncBackend()
        self._registry = registry

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Tracked(self._inner.connect_tcp(host, port, timeout, local_address,
                                                socket_options), self._registry)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _Tracked(self._inner.connect_unix_socket(path, timeout, socket_options),
                        self._registry)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Transport(httpx.HTTPTransport):
    """httpx's transport over a pool whose connections ``abort()`` can shut from any thread
    (httpx has no parameter for the network backend, so its pool is replaced)."""

    def __init__(self, verify: ssl.SSLContext | bool, registry: _Registry) -> None:
        super().__init__(verify=verify, trust_env=False, socket_options=_SOCKET_OPTIONS)
        self._pool = httpcore.ConnectionPool(
            ssl_context=verify if isinstance(verify, ssl.SSLContext) else None,
            network_backend=_Backend(registry), socket_options=_SOCKET_OPTIONS)


def client(timeout: float = 30.0, tls_certificate: str | None = None,
           registry: _Registry | None = None) -> httpx.Client:
    """An httpx client for the command: pinned to ``tls_certificate`` when given."""
    verify: ssl.SSLContext | bool = (pinned_context(tls_certificate) if tls_certificate
                                     else True)
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
                        transport=_Transport(verify, registry or _Registry()),
                        trust_env=False)


# --- refusals ------------------------------------------------------------------------------------


def verified_refusal(receipt_key: bytes, response: httpx.Response) -> Any | None:
    """The command's signed refusal in this answer, or None if it has none that verifies."""
    if response.status_code < 400 or len(response.content) > 64 * 1024:
        return None
    try:
        return receipt.verify_refusal(receipt_key, response.text)
    except receipt.BadReceipt:
        return None


class _Retry(Exception):
    """Try again after a pause; ``reason`` is told to the caller."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class Uploader:
    def __init__(self, server: str, station_id: str, key: Ed25519PrivateKey, file: Path,
                 receipt_key: bytes, *, batch_id: str | None = None,
                 tls_certificate: str | None = None, bandwidth: float | None = None,
                 backoff: Backoff | None = None, timeout: float = 30.0,
                 progress: Callable[[Progress], None] | None = None,
                 retrying: Callable[[int, float, str], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 cancelled: threading.Event | None = None) -> None:
        self.server = server.rstrip("/")
        self.station_id = station_id
        self.key = key
        self.file = file
        self.batch_id = batch_id or file.stem
        self.receipt_key = receipt_key
        self.bandwidth = bandwidth  # bytes per second, None for no cap
        self.backoff = backoff or Backoff()
        self.progress = progress
        self.retrying = retrying
        self.sleep = sleep
        self.paused = threading.Event()
        self.cancelled = cancelled if cancelled is not None else Stop()
        self.state_file = file.with_name(file.name + ".upload.json")
        self._registry = _Registry()
        self._client = client(timeout, tls_certificate, self._registry)
        self.resent = 0
        self._handed = 0  # the furthest offset ever handed to a socket
        self._closed = False

    # -- cancel ---------------------------------------------------------------------------------

    def abort(self) -> None:
        """Shut every open connection (safe from any thread): a blocked send or read ends."""
        self._registry.shut_all()

    def cancel(self) -> None:
        self.cancelled.set()
        self.abort()

    def _watch_cancel(self) -> Callable[[], None]:
        """Close the connection when ``cancelled`` is set: from the setting thread for a
        ``Stop``, else from a watcher."""
        if isinstance(self.cancelled, Stop):
            return self.cancelled.on_set(self.abort)
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.1):
                if self.cancelled.is_set():
                    self.abort()
                    return

        threading.Thread(target=watch, name="upload-cancel", daemon=True).start()
        return done.set

    # -- requests -------------------------------------------------------------------------------

    def _headers(self, method: str, path: str, extra: dict[str, str]) -> dict[str, str]:
        headers = {"Tus-Resumable": "1.0.0", **extra}
        headers.update(httpsig.sign(self.key, self.station_id, method, path, headers))
        return headers

    def _request(self, method: str, path: str, extra: dict[str, str] | None = None,
                 content: Iterator[bytes] | bytes | None = None) -> httpx.Response:
        headers = self._headers(method, path, dict(extra or {}))
        return self._client.request(method, self.server + path, headers=headers,
                                    content=content)

    def _refused(self, response: httpx.Response) -> None:
        """Act on an answer that is not what was asked for: always raises."""
        refusal = verified_refusal(self.receipt_key, response)
        if refusal is None:
            # Not the command's word: its Retry-After is not believed either (backoff instead).
            raise _Retry(UNSIGNED)
        if refusal.code in NEW_UPLOAD:
            self._forget_location()
            raise _Retry(refusal.code, 0.0)
        if refusal.code in ASK_OFFSET:
            raise _Retry(refusal.code, 0.0)
        if refusal.retryable:
            raise _Retry(refusal.code, refusal.retry_after)
        raise UploadRefused(refusal.code, refusal.detail)

    # -- the state beside the file --------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save_state(self, state: dict[str, Any]) -> None:
        temp = self.state_file.with_name(self.state_file.name + ".tmp")
        temp.write_text(json.dumps(state))
        temp.replace(self.state_file)

    def _forget_location(self) -> None:
        state = self._state()
        state.pop("location", None)
        self._save_state(state)

    def _manifest(self) -> tuple[int, bytes]:
        """The block size and manifest, from the state file if this file's were cached."""
        size = self.file.stat().st_size
        state = self._state()
        if state.get("length") == size and "manifest" in state:
            return int(state["block_size"]), base64.b64decode(state["manifest"])
        blocks = block_size(size)
        made = manifest(self.file, blocks)
        # A location from before manifests (or for another length) is of no use now.
        self._save_state({"length": size, "block_size": blocks,
                          "manifest": base64.b64encode(made).decode()})
        return blocks, made

    def _location(self) -> str:
        blocks, made = self._manifest()
        state = self._state()
        if state.get("location"):
            return str(state["location"])
        size = self.file.stat().st_size
        response = self._request("POST", "/files", {
            "Upload-Length": str(size),
            "Upload-Metadata": "batch_id " + base64.b64encode(self.batch_id.encode()).decode(),
            "Sohoa-Block-Size": str(blocks),
            "Content-Type": MANIFEST_TYPE,
            "Content-Digest": content_digest(made)}, made)
        if response.status_code != 201 or "location" not in response.headers:
            self._refused(response)
        location = httpx.URL(response.headers["location"]).path
        state["location"] = location
        self._save_state(state)
        return location

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> receipt.Receipt:
        """Upload until done; retries network failures and retryable refusals forever with
        backoff (the operator can cancel); returns the verified receipt."""
        unwatch = self._watch_cancel()
        try:
            return self._run()
        finally:
            unwatch()

    def _run(self) -> receipt.Receipt:
        attempt = 0
        quick = 0  # immediate retries in a row: a relay answering body_mismatch forever backs off
        while True:
            if self.cancelled.is_set():
                raise Cancelled()
            handed_before = self._handed
            try:
                location = self._location()
                self._send(location)
                return self._await_receipt(location)
            except _Retry as retry:
                reason, wait = retry.reason, retry.wait
            except (httpx.TransportError, httpx.TimeoutException) as error:
                if self.cancelled.is_set():
                    raise Cancelled() from None
                reason = CERTIFICATE if _is_certificate_error(error) else NETWORK
                wait = None
            if self._handed > handed_before:
                attempt = 0  # the link works, it broke once more: retry soon
            quick = quick + 1 if wait == 0.0 else 0
            if wait is None or quick > QUICK_RETRIES:
                wait = self.backoff.delay(attempt)
            wait = min(max(wait, 0.0), MAX_RETRY_AFTER)
            if wait > 0 or reason not in ASK_OFFSET | NEW_UPLOAD:
                attempt += 1
                if self.retrying is not None:
                    self.retrying(attempt, wait, reason)
                self.sleep(wait)

    def _send(self, location: str) -> None:
        size = self.file.stat().st_size
        head = self._request("HEAD", location)
        if head.status_code != 200 or "upload-offset" not in head.headers:
            if head.status_code in (404, 410) and not head.content:
                # HEAD has no body, so no signed refusal: a 404 is the upload gone; the signed
                # answer comes to the new upload's POST, whoever answered here.
                self._forget_location()
                raise _Retry("no_such_upload", 0.0)
            self._refused(head)
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
                if response.status_code != 204 or "upload-offset" not in response.headers:
                    self._refused(response)
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
        upload_id = location.rstrip("/").rsplit("/", 1)[-1]
        while waited < RECEIPT_WAIT:
            if self.cancelled.is_set():
                raise Cancelled()  # all is sent: the receipt can be fetched later
            response = self._request("GET", location + "/result")
            if response.status_code == 200:
                verified = receipt.verify(self.receipt_key, response.text)
                self.state_file.unlink(missing_ok=True)
                return verified
            if response.status_code != 202:
                refusal = verified_refusal(self.receipt_key, response)
                if refusal is not None and not refusal.retryable and self._names_us(
                        refusal, upload_id):
                    self.state_file.unlink(missing_ok=True)
                    raise BatchRejected(refusal.code, refusal.detail)
                # Retryable (the command keeps the bytes and retries the ingest itself),
                # unsigned or forged: wait and ask again.
                self._refused(response)
            # The server ingests after the last byte: a small batch in a moment, a big one
            # in a minute or more; ask often at first, then once a second.
            pause = min(1.0, 0.05 + waited / 4)
            self.sleep(pause)
            waited += pause
        raise UploadRefused("no_receipt", "the command did not answer with a receipt")

    def _names_us(self, refusal: Any, upload_id: str) -> bool:
        if refusal.upload is not None:
            return str(refusal.upload) == upload_id
        return refusal.batch_id == self.batch_id and refusal.station == self.station_id

    def close(self) -> None:
        self._client.close()

