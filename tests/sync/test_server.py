"""The command server on loopback, on SQLite and on PostgreSQL: enrolment, tus uploads signed
by the station, receipts; a stock tus client (tuspy) through a signing gateway; refused
requests; a PATCH cut halfway keeps what arrived, and a newcomer takes over a hung one."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert
from tusclient import client as tus_client

from capture import station as station_info
from sync import batch, httpsig, receipt
from sync.server.app import ServerConfig, create_app
from sync.server.keys import CommandKeys
from sync.server.store import Store, uploads
from sync.upload import Uploader
from tests.sync.servers import (
    CommandServer,
    SigningGateway,
    creation_headers,
    enrol_station,
    random_batch,
)


@pytest.fixture
def command(tmp_path, database_url):
    """The command server on loopback, its database on SQLite, then on PostgreSQL."""
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store(database_url)
    server = CommandServer(create_app(ServerConfig(data, database_url=database_url))).start()
    yield server, keys, store, data
    server.stop()
    store.engine.dispose()


def _enrol(server, store, operator) -> dict:  # type: ignore[type-arg]
    info = station_info.info(operator)
    code = store.new_enrolment_code(datetime.now(UTC))
    keys = httpx.get(server.url + "/api/enrol/keys").json()
    body = {"code": code, "keys": keys["fingerprint"], "station": {
        "id": info.id, "name": info.name, "province_code": info.province_code,
        "ward_code": info.ward_code, "signing_key": info.signing_public_key.hex(),
        "identity_key": info.identity_public_key.hex()}}
    answer = httpx.post(server.url + "/api/enrol", json=body)
    assert answer.status_code == 200, answer.text
    again = httpx.post(server.url + "/api/enrol", json=body)
    assert again.status_code == 409
    refused = receipt.verify_refusal(bytes.fromhex(answer.json()["receipt_key"]), again.text)
    assert refused.code == "code_used" and not refused.retryable
    return answer.json()


def test_enrol_upload_and_receipt(approved, command, tmp_path):
    operator, visit_id, _, _ = approved
    server, keys, store, _ = command
    enrolled = _enrol(server, store, operator)
    assert enrolled["recipient"] == keys.recipient
    out = tmp_path / "batch.age"
    made = batch.build(operator, out, enrolled["recipient"])
    seen = []
    uploader = Uploader(server.url, station_info.info(operator).id,
                        station_info.signing_key(operator), out,
                        bytes.fromhex(enrolled["receipt_key"]), progress=seen.append,
                        batch_id=made.batch_id)
    got = uploader.run()
    uploader.close()
    assert got.batch_id == made.batch_id and got.body["visits"] == [visit_id]
    assert seen[-1].sent == seen[-1].total == out.stat().st_size
    assert not uploader.state_file.exists()
    assert [b["batch_id"] for b in store.list_batches()] == [made.batch_id]


def test_a_stock_tus_client_uploads_through_a_signing_gateway(approved, command, tmp_path):
    operator, _, _, _ = approved
    server, keys, store, _ = command
    _enrol(server, store, operator)
    out = tmp_path / "batch.age"
    made = batch.build(operator, out, keys.recipient)
    info = station_info.info(operator)
    gateway = SigningGateway(server.port, station_info.signing_key(operator), info.id).start()
    try:
        uploader = tus_client.TusClient(gateway.url + "/files").uploader(
            str(out), chunk_size=256 * 1024, upload_checksum=True)
        uploader.upload()
        assert uploader.offset == out.stat().st_size
        result_path = httpx.URL(uploader.url).path + "/result"
        deadline = time.monotonic() + 30
        while True:  # the server ingests after it answered the last PATCH
            headers = httpsig.sign(station_info.signing_key(operator), info.id, "GET",
                                   result_path, {})
            answer = httpx.get(server.url + result_path, headers=headers)
            if answer.status_code != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert answer.status_code == 200, answer.text
        assert receipt.verify(keys.signing_public, answer.text).batch_id == made.batch_id
    finally:
        gateway.stop()


def test_unsigned_badly_signed_and_replayed_requests_are_refused(approved, command):
    operator, _, _, _ = approved
    server, keys, store, _ = command
    _enrol(server, store, operator)
    info = station_info.info(operator)
    key = station_info.signing_key(operator)

    def code(answer: httpx.Response) -> str:
        assert answer.status_code == 401, answer.text
        return receipt.verify_refusal(keys.signing_public, answer.text).code

    assert code(httpx.post(server.url + "/files", headers={"Upload-Length": "10"})) == \
        "unsigned"
    headers = {"Upload-Length": "10", "Tus-Resumable": "1.0.0"}
    signed = httpsig.sign(key, info.id, "POST", "/files", headers)
    tampered = {**headers, **signed, "Upload-Length": "999"}
    assert code(httpx.post(server.url + "/files", headers=tampered)) == "bad_signature"
    good = httpx.post(server.url + "/files", headers={**headers, **signed})
    assert good.status_code == 201
    replay = httpx.post(server.url + "/files", headers={**headers, **signed})
    assert code(replay) == "replayed"
    stranger = httpsig.sign(Ed25519PrivateKey.generate(), info.id, "POST", "/files", headers)
    assert code(httpx.post(server.url + "/files", headers={**headers, **stranger})) == \
        "bad_signature"
    unknown = httpsig.sign(key, "00000000-0000-0000-0000-000000000000", "POST", "/files",
                           headers)
    assert code(httpx.post(server.url + "/files", headers={**headers, **unknown})) == \
        "unknown_station"
    old = httpsig.sign(key, info.id, "POST", "/files", headers, now=time.time() - 3600)
    assert code(httpx.post(server.url + "/files", headers={**headers, **old})) == \
        "stale_signature"
    options = httpx.options(server.url + "/files")
    assert options.headers["tus-version"] == "1.0.0"
    assert "checksum" in options.headers["tus-extension"]


def _new_upload(server, store, body: bytes, manifest: bool = True):  # type: ignore[no-untyped-def]
    """A new station's upload of ``body``: with its block manifest, or without (a stock tus
    client's, whose PATCHes carry a signed Upload-Checksum)."""
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(store, key)
    if manifest:
        headers, content = creation_headers(body)
    else:
        headers, content = {"Upload-Length": str(len(body)), "Tus-Resumable": "1.0.0"}, b""
    created = httpx.post(server.url + "/files", content=content, headers={
        **headers, **httpsig.sign(key, station_id, "POST", "/files", headers)})
    assert created.status_code == 201, created.text
    return key, station_id, httpx.URL(created.headers["location"]).path


def _signed(key, station_id: str, method: str, path: str, extra: dict[str, str]
            ) -> dict[str, str]:
    headers = {"Tus-Resumable": "1.0.0", **extra}
    return {**headers, **httpsig.sign(key, station_id, method, path, headers)}


def _offset(server, key, station_id: str, location: str) -> int:  # type: ignore[no-untyped-def]
    head = httpx.head(server.url + location, headers=_signed(key, station_id, "HEAD",
                                                             location, {}))
    assert head.status_code == 200, head.text
    return int(head.headers["upload-offset"])


def _start_patch(server, key, station_id: str, location: str, length: int, sent: bytes,
                 checksum: str | None = None) -> socket.socket:
    """A PATCH announcing ``length`` body bytes, of which only ``sent`` go out."""
    extra = {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}
    if checksum:
        extra["Upload-Checksum"] = checksum
    headers = _signed(key, station_id, "PATCH", location, extra)
    head = f"PATCH {location} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall(head.encode() + sent)
    return sock


def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _eventually(probe, want: int) -> int:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while (got := probe()) != want and time.monotonic() < deadline:
        time.sleep(0.05)
    return got


def test_a_patch_cut_halfway_keeps_its_whole_blocks_unless_it_promised_a_checksum(command):
    server, _, store, _ = command
    body = os.urandom(300_000)
    key, station_id, location = _new_upload(server, store, body)
    sock = _start_patch(server, key, station_id, location, len(body), body[:140_000])
    time.sleep(0.3)  # let the server write it
    _reset(sock)
    # Two whole 64 KiB blocks arrived and match the manifest; the rest of the third is dropped.
    kept = 2 * 65536
    assert _eventually(lambda: _offset(server, key, station_id, location), kept) == kept
    rest = httpx.patch(server.url + location, content=body[kept:], headers=_signed(
        key, station_id, "PATCH", location,
        {"Upload-Offset": str(kept), "Content-Type": "application/offset+octet-stream"}))
    assert rest.status_code == 204 and int(rest.headers["upload-offset"]) == len(body)

    # A body whose checksum was promised cannot be checked when cut: none of it is kept.
    key, station_id, location = _new_upload(server, store, body, manifest=False)
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    sock = _start_patch(server, key, station_id, location, len(body), body[:100_000],
                        checksum=f"sha256 {digest}")
    time.sleep(0.3)
    _reset(sock)
    time.sleep(0.3)
    assert _offset(server, key, station_id, location) == 0


def test_a_newcomer_takes_over_an_upload_from_a_hung_patch(command):
    server, keys, store, _ = command
    body = os.urandom(200_000)
    key, station_id, location = _new_upload(server, store, body)
    hung = _start_patch(server, key, station_id, location, len(body), body[:150_000])
    try:
        time.sleep(0.3)
        started = time.monotonic()
        offset = _offset(server, key, station_id, location)  # the hung one is told to stop
        assert offset == 2 * 65536 and time.monotonic() - started < 5
        rest = httpx.patch(server.url + location, content=body[offset:], headers=_signed(
            key, station_id, "PATCH", location,
            {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}))
        assert rest.status_code == 204, rest.text
        assert int(rest.headers["upload-offset"]) == len(body)
        hung.sendall(b"x" * 1000)  # too late: the hung body adds nothing
    finally:
        hung.close()
    assert _offset(server, key, station_id, location) == len(body)
    result = location + "/result"
    answer = httpx.get(server.url + result, headers=_signed(key, station_id, "GET", result, {}))
    # Random bytes are no batch: refused for that, not for a mangled upload.
    deadline = time.monotonic() + 10
    while answer.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.1)
        answer = httpx.get(server.url + result,
                           headers=_signed(key, station_id, "GET", result, {}))
    assert answer.status_code == 422
    refused = receipt.verify_refusal(keys.signing_public, answer.text)
    assert refused.code == "not_a_batch" and not refused.retryable
    assert (refused.station, refused.upload) == (station_id, location.rsplit("/", 1)[1])


def test_an_ingest_a_stop_cut_short_is_done_at_the_next_start(tmp_path, database_url):
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store(database_url)
    key = Ed25519PrivateKey.generate()
    station_id = enrol_station(store, key)
    (data / "uploads").mkdir(parents=True)
    upload_id = "0123456789abcdef0123456789abcdef"
    whole = data / "uploads" / f"{upload_id}.part"  # every byte in, the receipt never made
    random_batch(whole, 500_000, keys.recipient, key, station_id)
    now = datetime.now(UTC)
    with store.begin() as conn:
        conn.execute(insert(uploads).values(
            id=upload_id, station_id=station_id, length=whole.stat().st_size, created_at=now,
            expires_at=now + timedelta(days=1), state="ingesting"))
    server = CommandServer(create_app(ServerConfig(data, database_url=database_url))).start()
    try:
        result = f"/files/{upload_id}/result"
        deadline = time.monotonic() + 30
        while True:
            answer = httpx.get(server.url + result,
                               headers=_signed(key, station_id, "GET", result, {}))
            if answer.status_code != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert answer.status_code == 200, answer.text
        assert receipt.verify(keys.signing_public, answer.text).body["station"] == station_id
        assert not whole.exists() and len(store.list_batches()) == 1
    finally:
        server.stop()
        store.engine.dispose()
