"""Issue 13 end to end over the network: a station vault with a whole visit is enrolled with the
real command server on loopback, its part goes up through the real tus client, the server
ingests it and the part ends delivered with a receipt the station verified; then what command
staff look for (the marker labels, the testimony's speaker, the lead's source) is found both in
the server's database and through the workbench's JSON API with a bearer token. A second upload
carries the family's withdrawal: the recording leaves search, the API and the disk, and a
tombstone says what went. (The batch-file path, on SQLite and PostgreSQL, is
tests/sync/test_workbench_index.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from capture import consent
from capture.consent import Signer
from capture.vault import Vault
from sync import outbox, receipt
from sync.server import accounts
from sync.server import search as ws
from sync.server.web.app import WebConfig, create_web_app
from tests.sync.test_outbox import ADMIN, OPERATOR, keys_of, signed_in
from tests.sync.test_outbox import command as command  # the fixture: the server on loopback
from tests.sync.test_workbench_index import ANALYST, MARKERS
from tests.sync.test_workbench_index import station as station  # the fixture: a whole visit

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _search(store, q: str, **filters) -> ws.Page:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return ws.search(conn, ANALYST, q, filters)


def _detail(store, visit_id: str) -> dict:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        return ws.visit_detail(conn, ANALYST, visit_id)


def _send(path, keys) -> outbox.OutgoingBatch:  # type: ignore[no-untyped-def]
    """Build what is waiting into one part and upload it; the receipt must check out."""
    with signed_in(path, OPERATOR) as operator:
        (made,) = outbox.build(operator)
        done = outbox.upload(operator, made.id)
        assert done.state == "delivered" and done.delivered_at is not None
        signed = receipt.verify(keys.signing_public, done.receipt_text)  # raises if forged
        assert signed.batch_id == made.id
        return done


@pytest.mark.slow
def test_a_visit_sent_over_the_network_is_found_and_a_withdrawal_sent_later_removes_it(
        station, command):  # type: ignore[no-untyped-def]
    server, keys, store, data = command
    visit_id, testimony_id = station["visit"], station["testimony"]
    path = station["vault"].path
    station["vault"].lock()
    with signed_in(path, ADMIN) as admin:
        outbox.enrol(admin, server.url, store.new_enrolment_code(datetime.now(UTC)),
                     keys_of(data))

    first = _send(path, keys)
    with signed_in(path, OPERATOR) as operator:
        assert outbox.delivered_visits(operator) == {visit_id}
    assert [b["batch_id"] for b in store.list_batches()] == [first.id]

    # Found in the server's database, without accents.
    labels = {h.id for h in _search(store, "goc cay da", kind="marker").items}
    assert labels == {station["markers"][0]}
    assert [h.id for h in _search(store, "dai doi 3").items] == [station["markers"][1]]
    assert _search(store, "tran van bay", kind="testimony").items[0].id == testimony_id
    detail = _detail(store, visit_id)
    [shown] = detail["testimonies"]
    assert [m["label"] for m in shown["markers"]] == [m[1] for m in MARKERS]
    assert shown["speaker_name"] == "Trần Văn Bảy"
    assert detail["leads"][0]["source"]["label"] == "Chôn cất dưới gốc cây đa"
    assert detail["provenance"]["batch_id"] == first.id
    [part] = shown["parts"]
    with store.engine.connect() as conn:
        audio = ws.media_file(conn, ANALYST, "part", part["id"]).path
    assert audio.read_bytes()[:4] == b"fLaC"

    # And through the workbench's JSON API, with an analyst's bearer token.
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    with store.begin() as conn:
        accounts.add_account(conn, "binh", "analyst", "mật khẩu của binh 2026", NOW, policy)
        token = accounts.create_token(conn, "binh", NOW, "tests")[1]
    app = create_web_app(WebConfig(data, policy=policy), store)
    api = TestClient(app, headers={"authorization": f"Bearer {token}"})
    found = api.get("/api/v1/search", params={"q": "GOC CAY DA"}).json()
    assert {(h["kind"], h["id"]) for h in found["hits"]} >= {
        ("marker", station["markers"][0]), ("lead", station["lead"])}
    speaker = api.get("/api/v1/search", params={"q": "tran van bay", "kind": "testimony"})
    assert [h["id"] for h in speaker.json()["hits"]] == [testimony_id]
    visit = api.get(f"/api/v1/visits/{visit_id}").json()
    [testimony] = visit["testimonies"]
    assert [m["label"] for m in testimony["markers"]] == [m[1] for m in MARKERS]
    assert testimony["speaker_name"] == "Trần Văn Bảy"
    assert visit["leads"][0]["source"]["label"] == "Chôn cất dưới gốc cây đa"
    assert TestClient(app).get("/api/v1/search", params={"q": "hung"}).status_code == 401

    # The family withdraws the recording; the next upload carries only the notice.
    recording = next(c for c in station["consent"].covers if c.kind == "recording")
    with signed_in(path, ("lan", "mật khẩu của Lan")) as volunteer:
        consent.withdraw(volunteer, station["consent"].id, Signer("Nguyễn Thị Hoa"),
                         "điện thoại", object_names=[recording.object_name])
    second = _send(path, keys)
    assert json.loads(second.receipt_text)["receipt"]["withdrawal_notices"]
    with signed_in(path, OPERATOR) as operator:
        assert consent.withdrawal_notices(operator) == []  # marked sent by the receipt

    assert _search(store, "goc cay da", kind="marker").total == 0
    assert _search(store, "dai doi 3").total == 0
    assert _search(store, "tran van bay", kind="testimony").total == 0
    assert _search(store, "goc cay da", kind="lead").total == 1  # the lead is the volunteer's
    assert _detail(store, visit_id)["testimonies"] == []
    assert api.get("/api/v1/search", params={"q": "dai doi 3"}).json()["total"] == 0
    after = api.get(f"/api/v1/visits/{visit_id}").json()
    assert after["testimonies"] == []
    assert after["leads"][0]["source"].get("withdrawn") is True
    assert not audio.exists()
    with store.engine.connect() as conn, pytest.raises(ws.NotFound):
        ws.media_file(conn, ANALYST, "part", part["id"])
    [gone] = after["tombstones"]
    assert (gone["capture_kind"], gone["ref_id"]) == ("recording", part["id"])
    assert gone["sha256"] == part["sha256"]
    station["vault"] = Vault(path).unlock(*OPERATOR)  # the fixture locks it at the end
