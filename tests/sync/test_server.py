"""The command server on loopback: enrolment, tus uploads signed by the station, receipts;
a stock tus client (tuspy) through a signing gateway; refused requests."""

from __future__ import annotations

import time

import httpx
import pytest
from tusclient import client as tus_client

from capture import station as station_info
from sync import batch, httpsig, receipt
from sync.server.app import ServerConfig, create_app
from sync.server.keys import CommandKeys
from sync.server.store import Store
from sync.upload import Uploader
from tests.sync.servers import CommandServer, SigningGateway


@pytest.fixture
def command(tmp_path):
    data = tmp_path / "command"
    keys = CommandKeys.create(data / "keys")
    store = Store.in_folder(data)
    server = CommandServer(create_app(ServerConfig(data))).start()
    yield server, keys, store, data
    server.stop()


def _enrol(server, store, operator) -> dict:  # type: ignore[type-arg]
    from datetime import UTC, datetime

    info = station_info.info(operator)
    code = store.new_enrolment_code(datetime.now(UTC))
    body = {"code": code, "station": {
        "id": info.id, "name": info.name, "province_code": info.province_code,
        "ward_code": info.ward_code, "signing_key": info.signing_public_key.hex(),
        "identity_key": info.identity_public_key.hex()}}
    answer = httpx.post(server.url + "/api/enrol", json=body)
    assert answer.status_code == 200, answer.text
    again = httpx.post(server.url + "/api/enrol", json=body)
    assert again.status_code == 409 and "already used" in again.json()["error"]
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
                        bytes.fromhex(enrolled["receipt_key"]), progress=seen.append)
    got = uploader.run()
    uploader.close()
    assert got.batch_id == made.batch_id and got.body["visits"] == [visit_id]
    assert seen[-1].sent == seen[-1].total == out.stat().st_size
    assert not uploader.state_file.exists()
    listed = httpx.get(server.url + "/api/batches").json()
    assert [b["batch_id"] for b in listed] == [made.batch_id]
    assert made.batch_id in httpx.get(server.url + "/").text


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
    server, _, store, _ = command
    _enrol(server, store, operator)
    info = station_info.info(operator)
    key = station_info.signing_key(operator)
    unsigned = httpx.post(server.url + "/files", headers={"Upload-Length": "10"})
    assert unsigned.status_code == 401 and "not signed" in unsigned.text
    headers = {"Upload-Length": "10", "Tus-Resumable": "1.0.0"}
    signed = httpsig.sign(key, info.id, "POST", "/files", headers)
    tampered = {**headers, **signed, "Upload-Length": "999"}
    assert httpx.post(server.url + "/files", headers=tampered).status_code == 401
    good = httpx.post(server.url + "/files", headers={**headers, **signed})
    assert good.status_code == 201
    replay = httpx.post(server.url + "/files", headers={**headers, **signed})
    assert replay.status_code == 401 and "replayed" in replay.text
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = httpsig.sign(Ed25519PrivateKey.generate(), info.id, "POST", "/files", headers)
    assert httpx.post(server.url + "/files", headers={**headers, **stranger}).status_code == 401
    unknown = httpsig.sign(key, "00000000-0000-0000-0000-000000000000", "POST", "/files",
                           headers)
    assert httpx.post(server.url + "/files", headers={**headers, **unknown}).status_code == 401
    options = httpx.options(server.url + "/files")
    assert options.headers["tus-version"] == "1.0.0"
    assert "checksum" in options.headers["tus-extension"]
