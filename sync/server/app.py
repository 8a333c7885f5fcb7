"""The command server over HTTP: enrolment, tus 1.0 uploads (core, creation, checksum,
termination, expiration) signed by the stations (RFC 9421), ingest on completion, receipts.
Starlette under uvicorn (``guard.uvicorn_config``); request bodies are streamed to disk.

Everything that comes in is bounded before it costs anything: every body has a limit and is
read in pieces, a body that stops arriving is given up, requests in flight are capped, failed
enrolments and failed signatures are rate-limited per client. Every byte of an upload the
command keeps was authenticated by the station's key first: the block manifest sent (signed)
with ``POST /files`` is checked block by block as a PATCH arrives, and an upload without one
needs a signed Upload-Checksum on each PATCH. Every answer that is not a success is a refusal
coded and signed with the command's receipt key (``receipt.sign_refusal``), so the station acts
on the code and no one on the network can make it give up a batch.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from sqlalchemy import delete, func, insert, select, update
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sync import httpsig, receipt
from sync.enrol_link import fingerprint
from sync.server.ingest import no_checkpoint
from sync.server.keys import CommandKeys
from sync.server.limits import FailureLimiter, RateLimiter
from sync.server.receiving import RETRY_EVERY, Receiving
from sync.server.store import EnrolmentRefused, Station, Store, uploads
from sync.server.tls import certificate_sha256
from sync.server.validate import is_ed25519_point

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,checksum,termination,expiration"
CHECKSUMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}
BLOCKS_TYPE = "application/vnd.sohoa.blocks"
ENROL_BODY = 16 * 1024
MANIFEST_BODY = httpsig.MAX_BLOCKS * 32
BODY_DEADLINE = 30.0  # seconds for a small body (an enrolment, a manifest) to arrive whole

# Status and retryability of each refusal code (docs/sync.md lists them).
REFUSALS: dict[str, tuple[int, bool]] = {
    "malformed": (400, False), "too_large": (413, False), "code_unknown": (409, False),
    "code_used": (409, False), "code_expired": (409, False), "already_enrolled": (409, False),
    "keys_mismatch": (409, False), "rate_limited": (429, True),
    "unsigned": (401, False), "bad_signature": (401, False), "stale_signature": (401, False),
    "replayed": (401, False), "unknown_station": (401, False), "station_disabled": (403, False),
    "busy": (503, True), "quota_exceeded": (507, True), "no_space": (507, True),
    "no_such_upload": (404, False), "expired": (410, False), "offset_mismatch": (409, False),
    "body_mismatch": (460, False), "body_unsigned": (400, False), "bad_request": (400, False),
    "upload_complete": (409, False), "server_error": (503, True),
}
RETRY_AFTER = {"busy": 5, "quota_exceeded": 3600, "no_space": 600, "server_error": 60}

log = logging.getLogger("sohoa.server")


@dataclass
class Limits:
    """What one client may cost the command before it is slowed down or refused."""

    max_requests: int = 256  # requests in flight at once (a PATCH holds one while it streams)
    body_idle: float = 60.0  # seconds a PATCH body may stall before it is given up
    enrol_failures: int = 5  # wrong codes per client within enrol_window …
    enrol_window: float = 600.0
    enrol_wait: float = 60.0  # … then a wait doubling up to 15 minutes
    enrol_failures_global: int = 100  # and from everyone together
    signature_failures: int = 30  # failed signatures per client within 10 minutes
    keys_per_minute: float = 30.0  # GET /api/enrol/keys per client


@dataclass
class ServerConfig:
    data: Path
    max_size: int = 20 * 1024**3
    expire_after: timedelta = timedelta(days=7)
    database_url: str | None = None
    station_quota: int = 40 * 1024**3  # bytes of open uploads one station may hold
    free_space_reserve: int = 1024**3  # left free on the uploads folder's disk at all times
    sweep_every: float = 600.0  # seconds between sweeps of expired uploads and old nonces
    # The certificate stations see and pin: the server's own (serve --tls-cert, or DATA/tls/),
    # or a reverse proxy's in front of it.
    tls_certificate: Path | None = None
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    retry_every: float = RETRY_EVERY  # seconds between tries of the ingests that wait
    checkpoint: Callable[[str], None] = no_checkpoint  # tests inject faults at named points


class _Refused(Exception):
    """Raised inside a handler to answer with a signed refusal."""

    def __init__(self, code: str, detail: str, *, status: int | None = None,
                 retry_after: float | None = None, close: bool = False) -> None:
        super().__init__(detail)
        self.code, self.detail, self.status = code, detail, status
        self.retry_after, self.close = retry_after, close


def create_app(config: ServerConfig) -> Starlette:
    keys = CommandKeys.load(config.data / "keys")
    store = Store(config.database_url) if config.database_url else Store.in_folder(config.data)
    incoming = config.data / "uploads"
    incoming.mkdir(parents=True, exist_ok=True)
    archive = config.data / "archive"
    writers = _Writers()
    receiving = Receiving(store, keys, incoming, archive, retry_every=config.retry_every,
                          checkpoint=config.checkpoint)
    limits = config.limits
    own_fingerprint = fingerprint(keys.recipient, keys.signing_public)
    tls_sha256 = (certificate_sha256(config.tls_certificate)
                  if config.tls_certificate is not None else None)
    enrol_failures = FailureLimiter(limits.enrol_failures, limits.enrol_window,
                                    limits.enrol_wait, 15 * 60)
    enrol_failures_all = FailureLimiter(limits.enrol_failures_global, limits.enrol_window,
                                        limits.enrol_wait, 15 * 60)
    signature_failures = FailureLimiter(limits.signature_failures, 600, 30, 15 * 60)
    key_requests = RateLimiter(limits.keys_per_minute / 60, max(1, int(limits.keys_per_minute)))
    creating = asyncio.Lock()  # the quota and free-space checks and the new row, together

    def now() -> datetime:
        return config.clock().astimezone(UTC)

    def tus_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **(extra or {})}

    def refusal(code: str, detail: str, *, status: int | None = None,
                retryable: bool | None = None, retry_after: float | None = None,
                station: str | None = None, upload: str | None = None,
                batch_id: str | None = None, close: bool = False) -> Response:
        default_status, default_retryable = REFUSALS.get(code, (422, False))
        retryable = default_retryable if retryable is None else retryable
        if retryable and retry_after is None:
            retry_after = RETRY_AFTER.get(code, 60)
        body = receipt.sign_refusal(
            keys.signing, code=code, detail=detail, retryable=retryable,
            retry_after=retry_after if retryable else None, station=station, upload=upload,
            batch_id=batch_id, at=now())
        headers = tus_headers()
        if retryable and retry_after is not None:
            headers["Retry-After"] = str(max(1, int(-(-retry_after // 1))))
        if close:  # a body we did not read: the connection is not worth keeping
            headers["Connection"] = "close"
        return Response(body, status_code=status or default_status, headers=headers,
                        media_type="application/json")

    async def on_refused(request: Request, refused: Exception) -> Response:
        assert isinstance(refused, _Refused)
        return refusal(refused.code, refused.detail, status=refused.status,
                       retry_after=refused.retry_after, close=refused.close,
                       station=getattr(request.state, "station", None),
                       upload=getattr(request.state, "upload", None),
                       batch_id=getattr(request.state, "batch_id", None))

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        return refusal("bad_request", f"{error.status_code}: {error.detail}",
                       status=error.status_code, close=True)

    async def on_crash(request: Request, error: Exception) -> Response:
        log.error("request %s %s failed", request.method, request.url.path, exc_info=error)
        return refusal("server_error", "the command could not answer; try again later",
                       status=500, close=True)

    def client_of(request: Request) -> str:
        return request.client.host if request.client else ""

    # -- signed requests --

    async def signed_station(request: Request) -> Station:
        client = client_of(request)
        if wait := signature_failures.wait(client):
            raise _Refused("rate_limited", "too many badly signed requests from this address",
                           retry_after=wait, close=True)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        seen: dict[str, Station] = {}

        def station_key(station_id: str) -> bytes | None:
            station = store.station(station_id)
            if station is None:
                return None
            seen["station"] = station
            return station.signing_key

        try:
            signed = await run_in_threadpool(httpsig.verify, request.method, path,
                                             dict(request.headers), station_key, store,
                                             now().timestamp())
        except httpsig.SignatureRefused as refused:
            signature_failures.failed(client)
            raise _Refused(refused.code, str(refused), close=True) from None
        station = seen["station"]
        request.state.station = signed.key_id
        if not station.active:
            raise _Refused("station_disabled", "this station was disabled at the command; "
                           "ask the command to enable it again", close=True)
        return station

    def upload_row(upload_id: str, station_id: str) -> Any:
        with store.engine.connect() as conn:
            row = conn.execute(select(uploads).where(uploads.c.id == upload_id)).first()
        if row is None or row.station_id != station_id:
            return None
        return row

    def part(upload_id: str) -> Path:
        return incoming / f"{upload_id}.part"

    def blocks(upload_id: str) -> Path:
        return incoming / f"{upload_id}.blocks"

    async def station_upload(request: Request) -> Any:
        """The signed-in station's upload (else a refusal is raised)."""
        station = await signed_station(request)
        upload_id = request.path_params["upload_id"]
        row = await run_in_threadpool(upload_row, upload_id, station.id)
        if row is None:
            raise _Refused("no_such_upload", "no such upload; start a new one", close=True)
        request.state.upload, request.state.batch_id = row.id, row.batch_id
        return row

    def refuse_if_expired(row: Any) -> None:
        if row.state == "receiving" and _aware(row.expires_at) < now():
            raise _Refused("expired", "the upload expired; start a new one", close=True)

    # -- tus --

    async def options(request: Request) -> Response:
        return Response(status_code=204, headers=tus_headers({
            "Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(config.max_size),
            "Tus-Checksum-Algorithm": ",".join(CHECKSUMS)}))

    async def create(request: Request) -> Response:
        station = await signed_station(request)
        try:
            length = int(request.headers["upload-length"])
        except (KeyError, ValueError):
            raise _Refused("bad_request", "Upload-Length is required", close=True) from None
        if length <= 0:
            raise _Refused("bad_request", "Upload-Length must be positive", close=True)
        if length > config.max_size:
            raise _Refused("too_large", "the batch is larger than this server accepts",
                           close=True)
        batch_id = _batch_id_of(request.headers.get("upload-metadata", ""))
        request.state.batch_id = batch_id
        block_size, manifest = None, b""
        if "sohoa-block-size" in request.headers:
            block_size, manifest = await _manifest(request, length)
        else:
            await read_body(request, 0)  # a stock tus client sends none
        async with creating:
            await run_in_threadpool(check_room, station.id, length)
            upload_id = secrets.token_hex(16)
            started = now()
            if manifest:
                await run_in_threadpool(_write_synced, blocks(upload_id), manifest)
            part(upload_id).touch()
            with store.begin() as conn:
                conn.execute(insert(uploads).values(
                    id=upload_id, station_id=station.id, length=length, created_at=started,
                    expires_at=started + config.expire_after, state="receiving",
                    batch_id=batch_id, block_size=block_size))
        return Response(status_code=201, headers=tus_headers({
            "Location": f"/files/{upload_id}",
            "Upload-Expires": _http_date(started + config.expire_after)}))

    async def _manifest(request: Request, length: int) -> tuple[int, bytes]:
        try:
            block_size = int(request.headers["sohoa-block-size"])
        except ValueError:
            raise _Refused("bad_request", "Sohoa-Block-Size is not a number",
                           close=True) from None
        if block_size != httpsig.block_size_for(length):
            raise _Refused("bad_request", f"the block size of {length} bytes is "
                           f"{httpsig.block_size_for(length)}", close=True)
        if request.headers.get("content-type") != BLOCKS_TYPE:
            raise _Refused("bad_request", f"a block manifest is {BLOCKS_TYPE}", close=True)
        digest = request.headers.get("content-digest")
        if digest is None:
            raise _Refused("body_unsigned", "the manifest needs a Content-Digest", close=True)
        expected = -(-length // block_size) * 32
        manifest = await read_body(request, expected)
        if len(manifest) != expected:
            raise _Refused("bad_request", f"the manifest of {length} bytes is {expected} bytes")
        if not hmac.compare_digest(digest.strip(), httpsig.content_digest(manifest)):
            raise _Refused("body_mismatch", "the manifest does not match its Content-Digest")
        return block_size, manifest

    def check_room(station_id: str, length: int) -> None:
        """Refuse an upload the station's quota or the disk cannot hold (with what the open
        uploads still have to receive)."""
        moment = now()
        with store.engine.connect() as conn:
            mine = conn.execute(select(func.coalesce(func.sum(uploads.c.length), 0)).where(
                uploads.c.station_id == station_id, uploads.c.state == "receiving",
                uploads.c.expires_at >= moment)).scalar_one()
            open_rows = conn.execute(select(uploads.c.id, uploads.c.length).where(
                uploads.c.state == "receiving")).all()
        if int(mine) + length > config.station_quota:
            raise _Refused("quota_exceeded", "this station already has as many bytes in open "
                           "uploads as it may; finish or delete them first", close=True)
        promised = sum(max(0, r.length - _size(part(r.id))) for r in open_rows)
        free = shutil.disk_usage(incoming).free
        if length + promised + config.free_space_reserve > free:
            raise _Refused("no_space", "the command's disk has no room for this batch now",
                           close=True)

    async def read_body(request: Request, limit: int) -> bytes:
        """The whole body, at most ``limit`` bytes, read in pieces, within BODY_DEADLINE."""
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            raise _Refused("too_large", f"the body may be at most {limit} bytes", close=True)
        body = bytearray()
        try:
            async with asyncio.timeout(BODY_DEADLINE):
                async for piece in request.stream():
                    body += piece
                    if len(body) > limit:
                        raise _Refused("too_large", f"the body may be at most {limit} bytes",
                                       close=True)
        except TimeoutError:
            raise _Refused("bad_request", "the body did not arrive in time", status=408,
                           close=True) from None
        except ClientDisconnect:
            raise _Refused("bad_request", "the body was cut", close=True) from None
        return bytes(body)

    async def head(request: Request) -> Response:
        row = await station_upload(request)
        async with writers.exclusive(row.id):  # a PATCH cut a moment ago has stopped writing
            row = await run_in_threadpool(upload_row, row.id, row.station_id)  # as it is now
            if row is None or (row.state == "receiving" and not part(row.id).exists()):
                raise _Refused("no_such_upload", "no such upload; start a new one")
            refuse_if_expired(row)
            offset = part(row.id).stat().st_size if row.state == "receiving" else row.length
        return Response(status_code=200, headers=tus_headers({
            "Upload-Offset": str(offset), "Upload-Length": str(row.length),
            "Upload-Expires": _http_date(_aware(row.expires_at))}))

    async def patch(request: Request) -> Response:
        row = await station_upload(request)
        if request.headers.get("content-type") != "application/offset+octet-stream":
            raise _Refused("bad_request", "Content-Type must be application/offset+octet-stream",
                           status=415, close=True)
        try:
            claimed = int(request.headers["upload-offset"])
        except (KeyError, ValueError):
            raise _Refused("bad_request", "Upload-Offset is required", close=True) from None
        checksum = None
        if "upload-checksum" in request.headers:
            name, _, value = request.headers["upload-checksum"].partition(" ")
            if name not in CHECKSUMS:
                raise _Refused("bad_request", "unsupported checksum algorithm", close=True)
            checksum = (CHECKSUMS[name](), value)
        elif row.block_size is None:
            raise _Refused("body_unsigned", "an upload without a block manifest needs a signed "
                           "Upload-Checksum on each PATCH", close=True)
        async with writers.exclusive(row.id) as superseded:
            row = await run_in_threadpool(upload_row, row.id, row.station_id)  # as it is now
            if row is None:
                raise _Refused("no_such_upload", "no such upload; start a new one", close=True)
            if row.state != "receiving":
                raise _Refused("upload_complete", "the upload is complete", close=True)
            refuse_if_expired(row)
            target = part(row.id)
            offset = target.stat().st_size
            if claimed != offset:
                raise _Refused("offset_mismatch", f"the upload is at {offset}", close=True)
            body = _Body(request.stream(), superseded, limits.body_idle)
            if row.block_size is not None:
                new_offset = await _receive_blocks(body, target, blocks(row.id), offset,
                                                   row.length, row.block_size)
            else:
                assert checksum is not None
                new_offset = await _receive_checked(body, target, offset, row.length,
                                                    checksum)
            if new_offset == row.length and await run_in_threadpool(claim_for_ingest, row.id):
                blocks(row.id).unlink(missing_ok=True)  # every block is in and checked
                # The last byte is in: ingest beside the answer (a big batch takes a while; the
                # station asks /result), also if the connection is gone before the answer.
                asyncio.get_running_loop().run_in_executor(None, receiving.finish, row.id)
            return Response(status_code=204,
                            headers=tus_headers({"Upload-Offset": str(new_offset)}))

    def claim_for_ingest(upload_id: str) -> bool:
        """receiving → ingesting, once: only the request that made the switch ingests."""
        with store.begin() as conn:
            switched = conn.execute(update(uploads).where(
                uploads.c.id == upload_id, uploads.c.state == "receiving")
                .values(state="ingesting"))
        return switched.rowcount == 1

    async def terminate(request: Request) -> Response:
        row = await station_upload(request)
        async with writers.exclusive(row.id):
            part(row.id).unlink(missing_ok=True)
            blocks(row.id).unlink(missing_ok=True)
            with store.begin() as conn:
                conn.execute(delete(uploads).where(uploads.c.id == row.id))
        writers.forget(row.id)
        return Response(status_code=204, headers=tus_headers())

    async def result(request: Request) -> Response:
        row = await station_upload(request)
        if row.state in ("receiving", "ingesting"):
            return JSONResponse({"state": row.state}, status_code=202)
        if row.state == "done":
            return Response(row.result, status_code=200, media_type="application/json")
        try:
            outcome = json.loads(row.result or "{}")
            reason, detail = str(outcome["reason"]), str(outcome.get("detail", ""))
        except (ValueError, KeyError, TypeError):
            reason, detail = "server_error", "the command lost the outcome of this upload"
        # A fault of the command's (its disk, its database) keeps the bytes and is retried by
        # the command itself ("waiting"); the batch's own faults are final.
        transient = row.state == "waiting" or reason in ("server_error", "no_space")
        return refusal(reason, detail, status=503 if transient else 422, retryable=transient,
                       retry_after=config.retry_every if transient else None,  # the next try
                       station=row.station_id, upload=row.id, batch_id=row.batch_id)

    # -- enrolment --

    async def enrol_keys(request: Request) -> Response:
        if wait := key_requests.take(client_of(request)):
            raise _Refused("rate_limited", "too many requests from this address",
                           retry_after=wait)
        return JSONResponse({"recipient": keys.recipient,
                             "receipt_key": keys.signing_public.hex(),
                             "fingerprint": own_fingerprint,
                             "tls_certificate_sha256": tls_sha256},
                            headers={"Cache-Control": "no-store"})

    async def enrol(request: Request) -> Response:
        client = client_of(request)
        wait = max(enrol_failures.wait(client), enrol_failures_all.wait("*"))
        if wait:
            raise _Refused("rate_limited", "too many failed enrolments; wait before trying "
                           "again", retry_after=wait, close=True)
        raw = await read_body(request, ENROL_BODY)
        try:
            code, confirmed, station = _enrolment(raw)
        except ValueError as problem:
            raise _Refused("malformed", f"malformed enrolment request: {problem}") from None
        if not hmac.compare_digest(confirmed, own_fingerprint):
            raise _Refused("keys_mismatch", "the fingerprint the station confirmed is not this "
                           "command's: the station may be talking to someone else")
        try:
            await run_in_threadpool(store.redeem, code, station, now())
        except EnrolmentRefused as refused:
            if refused.code != "already_enrolled":
                wait = max(enrol_failures.failed(client), enrol_failures_all.failed("*"))
            raise _Refused(refused.code, str(refused)) from None
        return JSONResponse({"recipient": keys.recipient,
                             "receipt_key": keys.signing_public.hex(),
                             "uploads": "/files", "station": station.id})

    # -- upkeep --

    async def sweep() -> None:
        """Expired uploads (their bytes, manifest and row), the nonces older than the
        signature window, and files in the uploads folder no upload owns."""
        moment = now()

        def expired() -> list[str]:
            with store.engine.connect() as conn:
                return [r.id for r in conn.execute(select(uploads.c.id).where(
                    uploads.c.state == "receiving", uploads.c.expires_at < moment))]

        for upload_id in await run_in_threadpool(expired):
            async with writers.exclusive(upload_id):  # a PATCH still writing stops first
                def drop(upload_id: str = upload_id) -> None:
                    with store.begin() as conn:
                        gone = conn.execute(delete(uploads).where(
                            uploads.c.id == upload_id, uploads.c.state == "receiving",
                            uploads.c.expires_at < moment)).rowcount
                    if gone:
                        part(upload_id).unlink(missing_ok=True)
                        blocks(upload_id).unlink(missing_ok=True)
                await run_in_threadpool(drop)
            writers.forget(upload_id)
        await run_in_threadpool(store.sweep_nonces, moment,
                                timedelta(seconds=2 * httpsig.MAX_SKEW))
        await run_in_threadpool(sweep_orphans, moment)

    def sweep_orphans(moment: datetime) -> None:
        with store.engine.connect() as conn:
            known = {r.id for r in conn.execute(select(uploads.c.id))}
        for path in incoming.iterdir():
            name = path.name.split(".", 1)[0]
            if path.suffix in (".part", ".blocks") and name not in known:
                try:
                    old = moment.timestamp() - path.stat().st_mtime > 3600
                    if old:  # not an upload being created this moment
                        path.unlink()
                except FileNotFoundError:
                    pass

    async def upkeep() -> None:
        while True:
            await asyncio.sleep(config.sweep_every)
            try:
                await sweep()
            except Exception:  # the next round tries again; the server goes on
                log.exception("sweeping the uploads failed")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await sweep()
        except Exception:
            log.exception("sweeping the uploads failed")
        task = asyncio.create_task(upkeep())
        try:
            yield
        finally:
            task.cancel()

    receiving.start()  # sweeps staging, resumes, then retries what waits

    def busy() -> Response:
        return refusal("busy", "the command is busy; try again in a moment", close=True)

    def too_large(limit: int) -> Response:
        return refusal("too_large", f"the body may be at most {limit} bytes", close=True)

    app = Starlette(routes=[
        Route("/files", options, methods=["OPTIONS"]),
        Route("/files", create, methods=["POST"]),
        Route("/files/{upload_id}", head, methods=["HEAD"]),
        Route("/files/{upload_id}", patch, methods=["PATCH"]),
        Route("/files/{upload_id}", terminate, methods=["DELETE"]),
        Route("/files/{upload_id}/result", result, methods=["GET"]),
        Route("/api/enrol/keys", enrol_keys, methods=["GET"]),
        Route("/api/enrol", enrol, methods=["POST"]),
    ], exception_handlers={_Refused: on_refused, HTTPException: on_http_error,
                           Exception: on_crash}, lifespan=lifespan,
                    middleware=[Middleware(_Bounded, limit=limits.max_requests, busy=busy,
                                           too_large=too_large)])
    app.state.store = store
    app.state.sweep = sweep  # the tests sweep without waiting for the next round
    return app


def _body_limit(method: str, path: str) -> int | None:
    """The largest body each route takes (None: the upload's own length bounds it)."""
    if method == "PATCH":
        return None
    if method == "POST" and path == "/api/enrol":
        return ENROL_BODY
    if method == "POST" and path == "/files":
        return MANIFEST_BODY
    return 0


class _Bounded:
    """Requests in flight capped (OPTIONS, which costs nothing, always answered), and a body
    announced larger than its route takes refused before a byte of it is read."""

    def __init__(self, app: ASGIApp, limit: int, busy: Callable[[], Response],
                 too_large: Callable[[int], Response]) -> None:
        self.app, self.limit, self.busy, self.too_large = app, limit, busy, too_large
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _body_limit(scope["method"], scope["path"])
        if limit is not None:
            headers = dict(scope["headers"])
            declared = headers.get(b"content-length", b"0")
            chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
            if (not declared.isdigit() or int(declared) > limit
                    or (limit == 0 and chunked)):
                await self.too_large(limit)(scope, receive, send)
                return
        if scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await self.busy()(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


async def _receive_blocks(body: _Body, target: Path, manifest_file: Path, offset: int,
                          length: int, size: int) -> int:
    """Append the PATCH body to ``target``, block by block, each only once its SHA-256 matches
    the manifest; the offset it reached. A cut body keeps its whole verified blocks; a block
    that does not match is not written and the PATCH is refused (body_mismatch)."""
    if offset % size and offset != length:
        raise _Refused("bad_request", "the upload is not at a block boundary", close=True)
    manifest = await run_in_threadpool(manifest_file.read_bytes)
    pending = bytearray()
    at = offset
    with open(target, "ab") as handle:
        try:
            async for piece in body:
                if at + len(pending) + len(piece) > length:
                    raise _Refused("too_large", "more bytes than Upload-Length", close=True)
                pending += piece
                while len(pending) >= size or (pending and at + len(pending) == length):
                    block = bytes(pending[:size])
                    index = at // size
                    if hashlib.sha256(block).digest() != manifest[index * 32:index * 32 + 32]:
                        raise _Refused("body_mismatch", f"block {index} does not match the "
                                       f"manifest; send again from {at}", close=True)
                    handle.write(block)
                    at += len(block)
                    del pending[:len(block)]
        except ClientDisconnect:
            pass  # the whole blocks that arrived are kept; the station asks HEAD
        finally:
            handle.flush()
            await run_in_threadpool(os.fsync, handle.fileno())
    return at


async def _receive_checked(body: _Body, target: Path, offset: int, length: int,
                           checksum: tuple[Any, str]) -> int:
    """Append the PATCH body of an upload without a manifest; kept only if it arrived whole
    and matches its signed Upload-Checksum (tus checksum extension)."""
    written = 0
    with open(target, "ab") as handle:
        try:
            try:
                async for piece in body:
                    if offset + written + len(piece) > length:
                        raise _Refused("too_large", "more bytes than Upload-Length", close=True)
                    handle.write(piece)
                    written += len(piece)
                    checksum[0].update(piece)
            except ClientDisconnect:
                pass
            if not body.complete:
                raise _Refused("bad_request", "the body was cut; none of it is kept")
            if base64.b64encode(checksum[0].digest()).decode() != checksum[1]:
                raise _Refused("body_mismatch", "the body does not match its Upload-Checksum")
        except _Refused:
            handle.truncate(offset)
            raise
        finally:
            handle.flush()
            await run_in_threadpool(os.fsync, handle.fileno())
    return offset + written


class _Body:
    """A request body's pieces until it ends, ``stop`` is set (a newcomer took the upload
    over) or no piece came for ``idle`` seconds; ``complete`` says whether it ended."""

    def __init__(self, pieces: AsyncIterator[bytes], stop: asyncio.Event, idle: float) -> None:
        self.pieces, self.stop, self.idle = pieces, stop, idle
        self.complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        source = aiter(self.pieces)
        stopped = asyncio.ensure_future(self.stop.wait())
        try:
            while True:
                step = asyncio.ensure_future(anext(source))
                await asyncio.wait({step, stopped}, timeout=self.idle,
                                   return_when=asyncio.FIRST_COMPLETED)
                if not step.done():
                    step.cancel()
                    return
                try:
                    yield step.result()
                except StopAsyncIteration:
                    self.complete = True
                    return
        finally:
            stopped.cancel()


@dataclass
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


class _Writers:
    """One writer per upload at a time. A newcomer (the station again, after its connection
    broke) tells the current writer to stop and waits for it, so a PATCH whose connection
    hangs half-open cannot hold the upload, and two bodies never append at once."""

    def __init__(self) -> None:
        self._slots: dict[str, _Slot] = {}

    @asynccontextmanager
    async def exclusive(self, upload_id: str) -> AsyncIterator[asyncio.Event]:
        slot = self._slots.setdefault(upload_id, _Slot())
        slot.stop.set()
        async with slot.lock:
            slot.stop = asyncio.Event()
            yield slot.stop

    def forget(self, upload_id: str) -> None:
        self._slots.pop(upload_id, None)


# -- what comes in, checked --

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")
_STATION_FIELDS = {"id", "name", "province_code", "ward_code", "signing_key", "identity_key"}


def _enrolment(raw: bytes) -> tuple[str, str, Station]:
    """(code, confirmed fingerprint, station) of an enrolment body; ValueError saying what is
    wrong with it otherwise."""
    try:
        doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_unique_keys,
                         parse_constant=_no_constant)
    except (UnicodeDecodeError, RecursionError):
        raise ValueError("not UTF-8 JSON") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg})") from None
    _exactly(doc, {"code", "keys", "station"}, "the request")
    code = _text(doc["code"], 64, "code")
    keys = doc["keys"]
    if not isinstance(keys, str):
        raise ValueError("keys is not text")
    keys = "".join(keys.split()).lower()
    if not _FINGERPRINT.fullmatch(keys):
        raise ValueError("keys is not a 32-digit hex fingerprint")
    info = doc["station"]
    _exactly(info, _STATION_FIELDS, "station")
    try:
        station_id = str(uuid.UUID(_text(info["id"], 36, "station.id")))
    except ValueError:
        raise ValueError("station.id is not a UUID") from None
    if station_id != info["id"].lower():
        raise ValueError("station.id is not a UUID in its usual form")
    name = unicodedata.normalize("NFC", _text(info["name"], 200, "station.name").strip())
    if not name or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValueError("station.name is empty or has control characters")
    province = _integer(info["province_code"], 1, 999, "station.province_code")
    ward = _integer(info["ward_code"], 1, 99999, "station.ward_code")
    signing = _key(info["signing_key"], "station.signing_key")
    if not is_ed25519_point(signing):
        raise ValueError("station.signing_key is not an Ed25519 public key")
    identity = _key(info["identity_key"], "station.identity_key")
    X25519PublicKey.from_public_bytes(identity)
    return code, keys, Station(station_id, name, province, ward, signing, identity, True)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("a name appears twice")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _exactly(value: Any, names: set[str], what: str) -> None:
    if not isinstance(value, dict) or set(value) != names:
        raise ValueError(f"{what} must have exactly {', '.join(sorted(names))}")


def _text(value: Any, longest: int, what: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= longest:
        raise ValueError(f"{what} must be text of 1 to {longest} characters")
    return value


def _integer(value: Any, lowest: int, highest: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise ValueError(f"{what} must be a whole number from {lowest} to {highest}")
    return value


def _key(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise ValueError(f"{what} must be 64 hex digits (32 bytes)")
    return bytes.fromhex(value)


_BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")


def _batch_id_of(header: str) -> str | None:
    """The batch id in a tus Upload-Metadata header (``batch_id <base64>``), if any: a UUID
    as the station makes them, or at least 1–36 letters, digits, dots, dashes, underscores."""
    for pair in filter(None, (p.strip() for p in header.split(","))):
        name, _, value = pair.partition(" ")
        if name != "batch_id":
            continue
        try:
            text = base64.b64decode(value.strip(), validate=True).decode("ascii")
        except (binascii.Error, UnicodeDecodeError):
            text = ""
        if not _BATCH_ID.fullmatch(text):
            raise _Refused("bad_request", "batch_id in Upload-Metadata is not a batch id",
                           close=True)
        return text
    return None


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _http_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
