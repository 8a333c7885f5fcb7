"""The command server over HTTP: enrolment, tus 1.0 uploads (core, creation, checksum,
termination, expiration) signed by the stations (RFC 9421), ingest on completion, receipts,
and a plain status page. Starlette under uvicorn; request bodies are streamed to disk."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sync import httpsig
from sync.server.ingest import no_checkpoint
from sync.server.keys import CommandKeys
from sync.server.receiving import RETRY_EVERY, Receiving
from sync.server.store import EnrolmentRefused, Station, Store, uploads

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,checksum,termination,expiration"
CHECKSUMS = {"sha256": hashlib.sha256, "sha1": hashlib.sha1}

log = logging.getLogger("sohoa.server")


@dataclass
class ServerConfig:
    data: Path
    max_size: int = 20 * 1024**3
    expire_after: timedelta = timedelta(days=7)
    database_url: str | None = None
    retry_every: float = RETRY_EVERY  # seconds between tries of the ingests that wait
    checkpoint: Callable[[str], None] = no_checkpoint  # tests inject faults at named points


def create_app(config: ServerConfig) -> Starlette:
    keys = CommandKeys.load(config.data / "keys")
    store = Store(config.database_url) if config.database_url else Store.in_folder(config.data)
    incoming = config.data / "uploads"
    incoming.mkdir(parents=True, exist_ok=True)
    archive = config.data / "archive"
    nonces = httpsig.NonceCache()
    writers = _Writers()
    receiving = Receiving(store, keys, incoming, archive, retry_every=config.retry_every,
                          checkpoint=config.checkpoint)

    def tus_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **(extra or {})}

    def station_key(station_id: str) -> bytes | None:
        station = store.station(station_id)
        return station.signing_key if station and station.active else None

    def authenticate(request: Request) -> str:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signed = httpsig.verify(request.method, path, dict(request.headers), station_key,
                                nonces)
        return signed.key_id

    def refuse(status: int, text: str) -> Response:
        return Response(text + "\n", status_code=status, headers=tus_headers(),
                        media_type="text/plain")

    def upload_row(upload_id: str, station_id: str):  # type: ignore[no-untyped-def]
        with store.engine.connect() as conn:
            row = conn.execute(select(uploads).where(uploads.c.id == upload_id)).first()
        if row is None or row.station_id != station_id:
            return None
        return row

    def part(upload_id: str) -> Path:
        return incoming / f"{upload_id}.part"

    def station_upload(request: Request):  # type: ignore[no-untyped-def]
        """(the signed-in station's upload row, None) or (None, the refusal to send)."""
        try:
            station_id = authenticate(request)
        except httpsig.SignatureRefused as refusal:
            return None, refuse(401, str(refusal))
        row = upload_row(request.path_params["upload_id"], station_id)
        if row is None:
            return None, refuse(404, "no such upload")
        return row, None

    async def options(request: Request) -> Response:
        return Response(status_code=204, headers=tus_headers({
            "Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(config.max_size),
            "Tus-Checksum-Algorithm": ",".join(CHECKSUMS)}))

    async def create(request: Request) -> Response:
        try:
            station_id = authenticate(request)
        except httpsig.SignatureRefused as refusal:
            return refuse(401, str(refusal))
        try:
            length = int(request.headers["upload-length"])
        except (KeyError, ValueError):
            return refuse(400, "Upload-Length is required")
        if not 0 < length <= config.max_size:
            return refuse(413, "the batch is larger than this server accepts")
        upload_id = secrets.token_hex(16)
        now = datetime.now(UTC)
        part(upload_id).touch()
        with store.begin() as conn:
            conn.execute(insert(uploads).values(
                id=upload_id, station_id=station_id, length=length, created_at=now,
                expires_at=now + config.expire_after, state="receiving"))
        return Response(status_code=201, headers=tus_headers({
            "Location": f"/files/{upload_id}",
            "Upload-Expires": _http_date(now + config.expire_after)}))

    async def head(request: Request) -> Response:
        row, refusal = station_upload(request)
        if refusal is not None:
            return refusal
        async with writers.exclusive(row.id):  # a PATCH cut a moment ago has stopped writing
            row = upload_row(row.id, row.station_id)  # as it is now
            if row is None or (row.state == "receiving" and not part(row.id).exists()):
                return refuse(404, "no such upload")
            offset = part(row.id).stat().st_size if row.state == "receiving" else row.length
        return Response(status_code=200, headers=tus_headers({
            "Upload-Offset": str(offset), "Upload-Length": str(row.length),
            "Upload-Expires": _http_date(_aware(row.expires_at))}))

    async def patch(request: Request) -> Response:
        row, refusal = station_upload(request)
        if refusal is not None:
            return refusal
        if request.headers.get("content-type") != "application/offset+octet-stream":
            return refuse(415, "Content-Type must be application/offset+octet-stream")
        try:
            claimed = int(request.headers["upload-offset"])
        except (KeyError, ValueError):
            return refuse(400, "Upload-Offset is required")
        checksum = None
        if "upload-checksum" in request.headers:
            name, _, value = request.headers["upload-checksum"].partition(" ")
            if name not in CHECKSUMS:
                return refuse(400, "unsupported checksum algorithm")
            checksum = (CHECKSUMS[name](), value)
        async with writers.exclusive(row.id) as superseded:
            row = upload_row(row.id, row.station_id)  # as it is now that we hold the upload
            if row is None:
                return refuse(404, "no such upload")
            if row.state != "receiving":
                return refuse(409, "the upload is complete")
            target = part(row.id)
            offset = target.stat().st_size
            if claimed != offset:
                return refuse(409, f"the upload is at {offset}")
            written, whole = 0, True
            with open(target, "ab") as handle:
                try:
                    async for block in _until(request.stream(), superseded):
                        if offset + written + len(block) > row.length:
                            handle.truncate(offset)
                            return refuse(413, "more bytes than Upload-Length")
                        handle.write(block)
                        written += len(block)
                        if checksum:
                            checksum[0].update(block)
                except ClientDisconnect:
                    whole = False
                whole = whole and not superseded.is_set()
                if checksum and (not whole or base64.b64encode(checksum[0].digest()).decode()
                                 != checksum[1]):
                    # A checksum covers the whole body: a part of it, or a body that does not
                    # match, is dropped (tus checksum extension). Without one, a cut keeps
                    # every byte that arrived and the client resumes from HEAD's offset.
                    handle.truncate(offset)
                    return Response(status_code=460, headers=tus_headers(),
                                    content="checksum mismatch\n")
                handle.flush()
                await run_in_threadpool(os.fsync, handle.fileno())
            new_offset = offset + written
            headers = tus_headers({"Upload-Offset": str(new_offset)})
            if new_offset == row.length and claim_for_ingest(row.id):
                # The last byte is in: ingest beside the answer (a big batch takes a while; the
                # station asks /result), also if the connection is gone before the answer.
                asyncio.get_running_loop().run_in_executor(None, receiving.finish, row.id)
            return Response(status_code=204, headers=headers)

    def claim_for_ingest(upload_id: str) -> bool:
        """receiving → ingesting, once: only the request that made the switch ingests."""
        with store.begin() as conn:
            switched = conn.execute(update(uploads).where(
                uploads.c.id == upload_id, uploads.c.state == "receiving")
                .values(state="ingesting"))
        return switched.rowcount == 1

    async def terminate(request: Request) -> Response:
        row, refusal = station_upload(request)
        if refusal is not None:
            return refusal
        async with writers.exclusive(row.id):
            part(row.id).unlink(missing_ok=True)
            with store.begin() as conn:
                conn.execute(delete(uploads).where(uploads.c.id == row.id))
        writers.forget(row.id)
        return Response(status_code=204, headers=tus_headers())

    async def result(request: Request) -> Response:
        row, refusal = station_upload(request)
        if refusal is not None:
            return refusal
        if row.state in ("receiving", "ingesting"):
            return JSONResponse({"state": row.state}, status_code=202)
        if row.state == "waiting":  # the command's fault: the bytes are kept, it retries
            return Response(row.result, status_code=503, media_type="application/json",
                            headers={"Retry-After": str(int(config.retry_every) or 1)})
        status = 200 if row.state == "done" else 422
        return Response(row.result, status_code=status, media_type="application/json")

    async def enrol(request: Request) -> Response:
        try:
            body = await request.json()
            info = body["station"]
            station = Station(str(info["id"]), str(info["name"]), int(info["province_code"]),
                              int(info["ward_code"]), bytes.fromhex(info["signing_key"]),
                              bytes.fromhex(info["identity_key"]), True)
            code = str(body["code"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "malformed enrolment request"}, status_code=400)
        try:
            await run_in_threadpool(store.redeem, code, station, datetime.now(UTC))
        except EnrolmentRefused as refusal:
            return JSONResponse({"error": str(refusal)}, status_code=409)
        return JSONResponse({"recipient": keys.recipient,
                             "receipt_key": keys.signing_public.hex(),
                             "uploads": "/files"})

    async def batches_json(request: Request) -> Response:
        rows = await run_in_threadpool(store.list_batches)
        return JSONResponse([{k: (v.isoformat() if hasattr(v, "isoformat") else v)
                              for k, v in r.items() if k not in ("receipt", "archive_path")}
                             for r in rows])

    async def status_page(request: Request) -> Response:
        rows = await run_in_threadpool(store.list_batches)
        body = "".join(
            f"<tr><td>{html.escape(str(r['received_at']))}</td>"
            f"<td>{html.escape(r['station_id'])}</td><td>{html.escape(r['batch_id'])}</td>"
            f"<td>{r['payload_files']}</td><td>{r['payload_bytes']}</td></tr>" for r in rows)
        return HTMLResponse(
            "<!doctype html><meta charset=utf-8><title>Số hóa ký ức — lô đã nhận</title>"
            "<h1>Lô đã nhận / Batches received</h1><table border=1 cellpadding=4>"
            "<tr><th>Thời gian</th><th>Trạm</th><th>Lô</th><th>Tệp</th><th>Byte</th></tr>"
            f"{body}</table>")

    receiving.start()  # sweeps staging, resumes, then retries what waits

    return Starlette(routes=[
        Route("/files", options, methods=["OPTIONS"]),
        Route("/files", create, methods=["POST"]),
        Route("/files/{upload_id}", head, methods=["HEAD"]),
        Route("/files/{upload_id}", patch, methods=["PATCH"]),
        Route("/files/{upload_id}", terminate, methods=["DELETE"]),
        Route("/files/{upload_id}/result", result, methods=["GET"]),
        Route("/api/enrol", enrol, methods=["POST"]),
        Route("/api/batches", batches_json, methods=["GET"]),
        Route("/", status_page, methods=["GET"]),
    ])


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


async def _until(blocks: AsyncIterator[bytes], stop: asyncio.Event) -> AsyncIterator[bytes]:
    """The request body's blocks until it ends or ``stop`` is set."""
    source = aiter(blocks)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while True:
            step = asyncio.ensure_future(anext(source))
            await asyncio.wait({step, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not step.done():
                step.cancel()
                return
            try:
                yield step.result()
            except StopAsyncIteration:
                return
    finally:
        stopped.cancel()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _http_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
