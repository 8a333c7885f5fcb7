"""Real servers on loopback for the sync tests: the command server under uvicorn, and a small
signing gateway that lets a stock tus client (which cannot sign) talk to it as a station; and a
station without a vault (a key, an enrolment, a batch of random payload) for the tests and the
bench that are about moving bytes, not about what is in them."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyrage
import uvicorn

from sync import bag, httpsig, minisign
from sync.server.guard import uvicorn_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CommandServer:
    """The command's app served as ``sohoa-server serve`` serves it (guard.uvicorn_config)."""

    def __init__(self, app, **options) -> None:  # type: ignore[no-untyped-def]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn_config(app, "127.0.0.1", self.port,
                                                     log_level="warning", **options))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> CommandServer:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the command server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)


class SigningGateway:
    """Forwards each request to the server with the station's RFC 9421 signature added."""

    def __init__(self, target_port: int, key, station_id: str) -> None:  # type: ignore[no-untyped-def]
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection")}
                headers.update(httpsig.sign(key, station_id, self.command, self.path, headers))
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=30)
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length",
                                            "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                gateway.requests += 1

            do_POST = do_PATCH = do_HEAD = do_GET = do_DELETE = do_OPTIONS = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> SigningGateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()


def manifest_of(data: bytes) -> tuple[int, bytes]:
    """The block size and block manifest (sync/httpsig.block_size_for) of an upload of
    ``data``, as a station sends them with POST /files."""
    size = httpsig.block_size_for(len(data))
    return size, b"".join(hashlib.sha256(data[at:at + size]).digest()
                          for at in range(0, len(data), size))


def creation_headers(data: bytes, batch_id: str | None = None) -> tuple[dict[str, str], bytes]:
    """The headers (unsigned) and body of a POST /files with a block manifest for ``data``."""
    size, manifest = manifest_of(data)
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
               "Sohoa-Block-Size": str(size), "Content-Type": "application/vnd.sohoa.blocks",
               "Content-Digest": httpsig.content_digest(manifest)}
    if batch_id:
        headers["Upload-Metadata"] = "batch_id " + base64.b64encode(batch_id.encode()).decode()
    return headers, manifest


def signed(key, station_id: str, method: str, path: str,  # type: ignore[no-untyped-def]
           extra: dict[str, str] | None = None) -> dict[str, str]:
    """tus headers with the station's signature, as its uploader sends them."""
    headers = {"Tus-Resumable": "1.0.0", **(extra or {})}
    return {**headers, **httpsig.sign(key, station_id, method, path, headers)}


class ServerProcess:
    """``sohoa-server serve`` as its own process (its memory and open files are its own, as
    at the command), on a free loopback port; ``limit_files`` starts it with that soft limit
    of open files (a common default), to see that the server raises it."""

    def __init__(self, data: Path, *args: str, limit_files: int | None = None) -> None:
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        def limit() -> None:
            if limit_files is not None:
                import resource

                _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
                resource.setrlimit(resource.RLIMIT_NOFILE, (limit_files, hard))

        self.process = subprocess.Popen(
            [sys.executable, "-m", "sync.server", "serve", "--data", str(data),
             "--port", str(self.port), *args], preexec_fn=limit,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self, scheme: str = "http", **client: object) -> ServerProcess:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("the server stopped: " + self.process.stderr.read().decode())
            try:
                httpx.options(f"{scheme}://127.0.0.1:{self.port}/files", timeout=2,
                              **client)  # type: ignore[arg-type]
                return self
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def rss(self) -> int:
        """The server's resident memory, bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except Exception:
            self.process.kill()
            self.process.wait(timeout=15)
        if self.process.stderr:
            self.process.stderr.close()


def enrol_station(store, key, name: str = "Trạm thử") -> str:  # type: ignore[no-untyped-def]
    """Register a station (its Ed25519 ``key``) straight in the command's store; its id."""
    from datetime import UTC, datetime

    from sync.server.store import Station

    station_id = str(uuid.uuid4())
    public = key.public_key().public_bytes_raw()
    store.redeem(store.new_enrolment_code(datetime.now(UTC)),
                 Station(station_id, name, 1, 4, public, os.urandom(32), True),
                 datetime.now(UTC))
    return station_id


def enrol_vault(store, vault, now) -> str:  # type: ignore[no-untyped-def]
    """Register a station vault's public keys straight in the command's store, as a redeemed
    enrolment code would at ``now``; the station's id."""
    from capture import station as station_info
    from sync.server.store import Station

    info = station_info.info(vault)
    store.redeem(store.new_enrolment_code(now),
                 Station(info.id, info.name, info.province_code, info.ward_code,
                         info.signing_public_key, info.identity_public_key, True), now)
    return info.id


def random_batch(out: Path, size: int, recipient: str, key, station_id: str,  # type: ignore[no-untyped-def]
                 files: int = 4, batch_id: str | None = None) -> dict[str, str]:
    """A batch the command ingests, of about ``size`` bytes of random payload, made fast: a bag
    written with the project's own BagWriter and signed like a station's, tarred and age-
    encrypted as it streams. Returns the payload's sha256 by path, to compare with what the
    command archived."""
    batch_id = batch_id or str(uuid.uuid4())
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def encrypt() -> None:
        try:
            with os.fdopen(read_end, "rb") as source, open(out, "wb") as sink:
                pyrage.encrypt_io(source, sink, [pyrage.x25519.Recipient.from_str(recipient)])
        except BaseException as error:
            failure.append(error)

    worker = threading.Thread(target=encrypt)
    worker.start()
    with os.fdopen(write_end, "wb", buffering=1024 * 1024) as pipe:
        tar = bag.open_tar(pipe)
        writer = bag.BagWriter(tar, f"sohoa-batch-{batch_id}", time.time())
        each = size // files
        for index in range(files):
            chunks = (os.urandom(min(1 << 20, each - at)) for at in range(0, each, 1 << 20))
            writer.add_payload(f"data/random/{index}.bin", each, chunks)
        writer.finish({"External-Identifier": batch_id, "Sohoa-Station": station_id,
                       "Bag-Count": "1 of 1"},
                      sign=lambda data: minisign.sign(key, minisign.blake2b_of([data]),
                                                      f"sohoa batch {batch_id}"))
        tar.close()
    worker.join()
    if failure:
        raise failure[0]
    return dict(writer.payload)


def only_station(store) -> str:  # type: ignore[no-untyped-def]
    """The id of the one station enrolled in ``store``: the station a network upload was
    authenticated as, for tests that ingest its file directly."""
    from sqlalchemy import select

    from sync.server.store import stations

    with store.engine.connect() as conn:
        (station_id,) = conn.execute(select(stations.c.id)).scalars().all()
    return station_id


def usb_signature(path: Path, key, station_id: str, batch_id: str) -> str:  # type: ignore[no-untyped-def]
    """The detached signature a station writes beside a batch it copies to a USB stick
    (contract §D): minisign, prehashed, over the encrypted file, naming station and batch."""
    with open(path, "rb") as source:
        digest = minisign.blake2b_of(iter(lambda: source.read(1 << 20), b""))
    return minisign.sign(key, digest, f"sohoa-batch station={station_id} batch={batch_id}")
