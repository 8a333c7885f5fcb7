"""What arrives at the command is whole, found and bound by consent (issue 13, the data half).

A real station vault makes a visit — a martyr, a witness, a DNA volunteer, photos, a recorded
testimony with three markers, a lead taken from a marker, a signed consent — approved, batched
(sohoa-visit/2) and ingested by the real server code; then what command staff would look for is
found by search without accents and opened whole with visit_detail. A second batch carrying the
family's withdrawal removes the recording (and its markers) and a photo from search, the visit
and the disk, and leaves tombstones and a fixity record. Reindex gives the same rows twice. On
SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from capture import consent, review, visits
from capture import recorder as rec
from capture import station as station_info
from capture.consent import DrawnSignature, Scopes, Signer
from capture.roles import Role
from capture.testimony import MarkerKind, add_marker, create_testimony
from capture.vault import Vault
from capture.visits import Household, ItemData, ItemKind, LeadData, MartyrData, PersonData
from capture.visits import PersonKind as Kind
from sync import batch
from sync.server import index as ix
from sync.server import search as ws
from sync.server.__main__ import main as server_main
from sync.server.actors import Actor, Forbidden
from sync.server.ingest import ingest
from sync.server.keys import CommandKeys
from sync.server.store import Store
from tests.capture.recording_helpers import RATE, tone
from tests.sync.conftest import add_users
from tests.sync.servers import enrol_vault, usb_signature

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ANALYST = Actor("hanh", "analyst")
READER = Actor("son", "reader")
MARKERS = [(12.0, "Chôn cất dưới gốc cây đa", MarkerKind.PLACE, "cạnh suối, phía đông"),
           (47.5, "Đại đội 3, Tiểu đoàn 8", MarkerKind.UNIT, ""),
           (95.25, "<script>alert(1)</script> tháng 3/1972", MarkerKind.DATE, "=1+1")]


def _record_two_seconds(vault, testimony_id: str) -> None:
    recorder = rec.Recorder(vault, testimony_id)
    recorder.start(rec.SyntheticSource(tone, realtime=False, limit_frames=2 * RATE))
    deadline = time.monotonic() + 60
    while recorder.frames_committed < 2 * RATE - 4096:  # the encoder keeps one FLAC frame
        assert time.monotonic() < deadline, "the recorder never committed two seconds"
        time.sleep(0.02)
    recorder.stop()


@pytest.fixture
def station(volunteer):
    """An approved visit on a station vault, signed in as its operator."""
    v = volunteer
    visit_id = visits.create_visit(v, Household(1, 4, village="Thôn Đông",
                                                contact_name="Nguyễn Thị Hoa",
                                                contact_phone="0912 345 678"))
    martyr = visits.add(v, visit_id, MartyrData("Nguyễn Văn Hùng", home_town="Thanh Hóa",
                                                death_place="Quảng Trị", death_date="1972-03"))
    witness = visits.add(v, visit_id, PersonData(Kind.WITNESS, "Trần Văn Bảy",
                                                 unit="Tiểu đoàn 8", phone="0987 000 111"))
    volunteer_id = visits.add(v, visit_id, PersonData(
        Kind.RELATIVE, "Nguyễn Thị Hoa", relationship="em gái", martyr_id=martyr,
        dna_willing=True, dna_contact="gọi buổi tối"))
    item = visits.add(v, visit_id, ItemData(ItemKind.LETTER, title="Thư gửi mẹ 1971",
                                            martyr_id=martyr))
    photos = [b"\xff\xd8\xff photo one " + bytes(range(200)),
              b"\xff\xd8\xff photo two " + bytes(range(100))]
    pages = [visits.add_page(v, item, v.store_bytes(p).name, original_filename=f"IMG_{i}.JPG")
             for i, p in enumerate(photos)]
    visits.rotate_page(v, pages[1], 1)
    testimony = create_testimony(v, visit_id, speaker_person_id=witness,
                                 language="tiếng Việt (Nghệ An)", notes="Ông Bảy kể chuyện")
    from capture.testimony import update_testimony

    update_testimony(v, testimony, martyr_ids=[martyr])
    _record_two_seconds(v, testimony)
    marker_ids = [add_marker(v, testimony, at, label, kind, note)
                  for at, label, kind, note in MARKERS]
    lead = visits.add(v, visit_id, LeadData("Mộ ở gốc cây đa gần suối", martyr_id=martyr,
                                            source_kind="testimony",
                                            source_ref=marker_ids[0]))
    record = consent.record(v, visit_id, Scopes(share_with_authorities=True,
                                                media_use="anonymous"),
                            Signer("Nguyễn Thị Hoa", "em gái"),
                            DrawnSignature([[(1.0, 2.0, 0, 0.5), (3.0, 4.0, 50, 0.5)]],
                                           b"\x89PNG signature"))
    review.submit(v, visit_id)
    path = v.path
    v.lock()
    add_users(path, {"minh": Role.COORDINATOR, "tuan": Role.OPERATOR})
    coordinator = Vault(path).unlock("minh", "mật khẩu của minh")
    review.approve(coordinator, visit_id, "đủ")
    coordinator.lock()
    operator = Vault(path).unlock("tuan", "mật khẩu của tuan")
    yield {"vault": operator, "visit": visit_id, "martyr": martyr, "witness": witness,
           "dna": volunteer_id, "pages": pages, "photos": photos, "testimony": testimony,
           "markers": marker_ids, "lead": lead, "consent": record}
    operator.lock()


@pytest.fixture
def command(tmp_path, database_url):
    keys = CommandKeys.create(tmp_path / "command" / "keys")
    store = Store(database_url)
    yield keys, store, tmp_path / "command" / "archive"
    store.engine.dispose()


def _enrol(store: Store, vault) -> str:
    return enrol_vault(store, vault, NOW)


def _rows(store: Store) -> dict[str, list[tuple]]:
    """Every index row, without the search entries' surrogate keys."""
    out = {}
    with store.engine.connect() as conn:
        for table in ix.INDEX_TABLES:
            columns = [c for c in table.columns if not (table is ix.search_entries
                                                        and c.name == "id")]
            out[table.name] = sorted(tuple(str(v) for v in row)
                                     for row in conn.execute(select(*columns)))
    return out


def _search(store: Store, q: str, actor: Actor = ANALYST, **filters) -> ws.Page:
    with store.engine.connect() as conn:
        return ws.search(conn, actor, q, filters)


def _detail(store: Store, visit_id: str, actor: Actor = ANALYST) -> dict:
    with store.engine.connect() as conn:
        return ws.visit_detail(conn, actor, visit_id)


@pytest.mark.slow
def test_a_visit_arrives_whole_is_found_and_a_withdrawal_removes_it(station, command,
                                                                    tmp_path):
    keys, store, archive = command
    operator, visit_id = station["vault"], station["visit"]
    station_id = _enrol(store, operator)
    first = tmp_path / "first.age"
    summary = batch.build(operator, first, keys.recipient)
    ingest(first, store, keys, archive, now=lambda: NOW, station_id=station_id)
    bag = archive / station_id / summary.batch_id

    # The record that travelled is whole (sohoa-visit/2), with the index files in the bag.
    record = json.loads((bag / "data/visits" / visit_id / "visit.json").read_text())
    assert record["format"] == "sohoa-visit/2"
    [testimony] = record["testimonies"]
    assert testimony["speaker"]["full_name"] == "Trần Văn Bảy"
    assert [m["label"] for m in testimony["markers"]] == [m[1] for m in MARKERS]
    assert testimony["parts"][0]["sample_rate"] == RATE
    assert testimony["parts"][0]["source"] == "recorded"
    assert testimony["martyr_ids"] == [station["martyr"]]
    assert (bag / "data" / testimony["index"]["webvtt"]).read_text().startswith("WEBVTT")
    assert b"<point>" in (bag / "data" / testimony["index"]["ohms"]).read_bytes()
    assert record["leads"][0]["source"]["testimony_id"] == station["testimony"]

    # Found without accents or case: the martyr, the marker labels, the speaker, the lead.
    martyr_hits = _search(store, "nguyen van hung")
    assert ("martyr", station["martyr"]) in {(h.kind, h.id) for h in martyr_hits.items}
    place = _search(store, "GOC CAY DA")
    assert {(h.kind, h.id) for h in place.items} >= {("marker", station["markers"][0]),
                                                    ("lead", station["lead"])}
    marker_hit = next(h for h in place.items if h.kind == "marker")
    assert marker_hit.visit_id == visit_id and "gốc cây đa" in marker_hit.snippet
    assert {h.kind for h in _search(store, "dai doi 3").items} == {"marker"}
    speaker = _search(store, "tran van bay")
    assert {"person", "testimony"} <= {h.kind for h in speaker.items}
    assert _search(store, "tran van bay", kind="testimony").total == 1
    assert _search(store, "tran van bay", station=station_id).total == speaker.total
    assert _search(store, "tran van bay", station="00000000-0000-4000-8000-000000000000"
                   ).total == 0
    assert _search(store, "tran van bay", province=1, commune=4,
                   date_from="2000-01-01").total == speaker.total
    assert _search(store, "tran van bay", date_to="2000-01-01").total == 0
    assert _search(store, "0912").total == 0  # phone numbers are not searchable text

    # The visit, whole.
    detail = _detail(store, visit_id)
    assert detail["household"]["contact_phone"] == "0912 345 678"
    assert [m["full_name"] for m in detail["martyrs"]] == ["Nguyễn Văn Hùng"]
    [shown] = detail["testimonies"]
    assert shown["speaker_name"] == "Trần Văn Bảy"
    assert shown["speaker"]["kind"] == "witness"
    assert [(m["at_seconds"], m["label"], m["kind"], m["note"]) for m in shown["markers"]] \
        == [(at, label, kind.value, note) for at, label, kind, note in MARKERS]
    [part] = shown["parts"]
    assert part["sample_rate"] == RATE and part["duration"] == pytest.approx(2.0, abs=0.1)
    [lead] = detail["leads"]
    assert lead["source"]["kind"] == "marker"
    assert lead["source"]["label"] == "Chôn cất dưới gốc cây đa"
    assert lead["source"]["at_seconds"] == 12.0
    assert [p["full_name"] for p in detail["dna_volunteers"]] == ["Nguyễn Thị Hoa"]
    [item] = detail["items"]
    assert [p["rotation"] for p in item["pages"]] == [0, 90]
    assert item["pages"][0]["scopes"]["media_use"] == "anonymous"
    [signed] = detail["consents"]
    assert signed["signature_valid"] and signed["problems"] == []
    assert signed["scopes"]["share_with_authorities"] is True
    assert {c["ref_id"] for c in signed["covers"]} == {*station["pages"], part["id"]}
    assert [d["decision"] for d in detail["review"]] == ["submitted", "approved"]
    assert detail["provenance"]["batch_id"] == summary.batch_id
    assert detail["provenance"]["receipt"]["receipt"]["batch_id"] == summary.batch_id
    as_json = json.loads(json.dumps(ws.jsonable(detail)))
    assert as_json["testimonies"][0]["markers"][2]["label"] == MARKERS[2][1]
    assert json.loads(json.dumps(ws.jsonable(speaker)))["total"] == speaker.total

    # Media: where the file is, for the web to stream.
    with store.engine.connect() as conn:
        audio = ws.media_file(conn, ANALYST, "part", part["id"])
        photo = ws.media_file(conn, READER, "page", station["pages"][0])
        vtt = ws.media_file(conn, READER, "webvtt", station["testimony"])
    assert audio.media_type == "audio/flac" and audio.path.read_bytes()[:4] == b"fLaC"
    assert hashlib.sha256(audio.path.read_bytes()).hexdigest() == part["sha256"]
    assert photo.path.read_bytes() == station["photos"][0]
    assert photo.media_type == "image/jpeg" and photo.scopes["media_use"] == "anonymous"
    assert "Chôn cất dưới gốc cây đa" in vtt.path.read_text()

    # A reader sees no contacts; no role or an unknown one sees nothing.
    as_reader = _detail(store, visit_id, READER)
    assert as_reader["household"]["contact_phone"] is None
    assert {p["phone"] for p in as_reader["people"]} == {None}
    for nobody in (None, Actor("x", "volunteer")):
        with pytest.raises(Forbidden), store.engine.connect() as conn:
            ws.search(conn, nobody, "hung")
        with pytest.raises(Forbidden), store.engine.connect() as conn:
            ws.visit_detail(conn, nobody, visit_id)

    # The family withdraws the recording and the second photo; the next batch tells the command.
    path = operator.path
    operator.lock()
    volunteer = Vault(path).unlock("lan", "mật khẩu của Lan")
    recording = next(c for c in station["consent"].covers if c.kind == "recording")
    second = next(c for c in station["consent"].covers if c.ref_id == station["pages"][1])
    consent.withdraw(volunteer, station["consent"].id, Signer("Nguyễn Thị Hoa"), "điện thoại",
                     object_names=[recording.object_name, second.object_name])
    volunteer.lock()
    operator = Vault(path).unlock("tuan", "mật khẩu của tuan")
    station["vault"] = operator
    notice = tmp_path / "notice.age"
    batch.build(operator, notice, keys.recipient, visit_ids=[])
    audio_path, vtt_path = audio.path, vtt.path
    second_photo = bag / "data/visits" / visit_id / "media" / f"{station['pages'][1]}.jpg"
    assert second_photo.exists()
    ingest(notice, store, keys, archive, now=lambda: NOW, station_id=station_id)

    assert _search(store, "goc cay da", kind="marker").total == 0
    assert _search(store, "dai doi 3").total == 0
    assert {h.kind for h in _search(store, "tran van bay").items} == {"person"}
    assert _search(store, "goc cay da", kind="lead").total == 1  # the lead is the volunteer's
    after = _detail(store, visit_id)
    assert after["testimonies"] == []
    assert [p["id"] for p in after["items"][0]["pages"]] == [station["pages"][0]]
    assert after["leads"][0]["source"].get("withdrawn") is True
    assert not audio_path.exists() and not vtt_path.exists() and not second_photo.exists()
    assert photo.path.exists()
    with store.engine.connect() as conn, pytest.raises(ws.NotFound):
        ws.media_file(conn, ANALYST, "part", part["id"])
    gone = {(t["capture_kind"], t["ref_id"]): t for t in after["tombstones"]}
    assert set(gone) == {("recording", part["id"]), ("page", station["pages"][1])}
    assert gone[("recording", part["id"])]["sha256"] == part["sha256"]
    removed = {r["path"] for t in gone.values() for r in t["removed"]}
    assert f"data/visits/{visit_id}/testimonies/{station['testimony']}.vtt" in removed
    assert all(r["sha256"] for t in gone.values() for r in t["removed"])
    # The station-signed manifest is untouched; the fixity record says what is gone and why.
    assert ix.check_fixity(bag) == []
    fixity = json.loads(ix.fixity_path(bag).read_text())
    assert {e["path"] for e in fixity["removed"]} == removed
    assert all("withdrawn" in e["reason"] for e in fixity["removed"])

    # Reindex from the archive: the same rows, twice; the withdrawn material stays out.
    before = _rows(store)
    with store.begin() as conn:
        ix.reindex(conn, now=NOW)
    assert _rows(store) == before
    with store.begin() as conn:
        totals = ix.reindex(conn, now=NOW)
    assert totals["batches"] == 2 and totals["visits"] == 1
    assert _rows(store) == before
    assert _search(store, "goc cay da", kind="marker").total == 0

    # A consent record changed at the command no longer checks out.
    with store.begin() as conn:
        conn.execute(update(ix.index_consents).values(
            payload=ix.index_consents.c.payload + " "))
    assert not _detail(store, visit_id)["consents"][0]["signature_valid"]


def test_reindex_command_rebuilds_from_the_archive(station, tmp_path, capsys):
    """`sohoa-server reindex --data DIR`, as an operator would run it after a schema change."""
    data = tmp_path / "server"
    assert server_main(["init", "--data", str(data)]) == 0
    keys = CommandKeys.load(data / "keys")
    store = Store.in_folder(data)
    _enrol(store, station["vault"])
    out = tmp_path / "batch.age"
    made = batch.build(station["vault"], out, keys.recipient)
    # As from a USB stick: the station's detached signature beside the file (contract §D).
    info = station_info.info(station["vault"])
    out.with_name(out.name + ".minisig").write_text(usb_signature(
        out, station_info.signing_key(station["vault"]), info.id, made.batch_id))
    assert server_main(["ingest", str(out), "--data", str(data)]) == 0
    before = _rows(store)
    with store.begin() as conn:
        ix.clear_index(conn)
    assert _search(store, "nguyen van hung").total == 0
    capsys.readouterr()
    assert server_main(["reindex", "--data", str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["visits"] == 1 and report["batches"] == 1
    assert _rows(store) == before
    assert _search(store, "nguyen van hung").total == 1
    store.engine.dispose()


def test_search_pages_and_refuses_bad_filters(command):
    """Lists are paginated with a total; a filter the index does not know is refused."""
    store = command[1]
    with store.begin() as conn:
        for n in range(25):
            visit_id = f"00000000-0000-4000-8000-{n:012d}"
            ix.index_record(conn, {
                "format": "sohoa-visit/1",
                "visit": {"id": visit_id, "visit_date": f"2026-11-{n % 28 + 1:02d}",
                          "province_code": 1, "ward_code": 4, "contact_name": f"Hộ {n}"},
                "martyrs": [{"id": f"10000000-0000-4000-8000-{n:012d}",
                             "full_name": f"Lê Văn Đức {n}"}]},
                "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
                NOW, consents=[])
    with store.engine.connect() as conn:
        first = ws.search(conn, READER, "le van duc", {"kind": "martyr"}, page=1, per_page=10)
        third = ws.search(conn, READER, "le van duc", {"kind": "martyr"}, page=3, per_page=10)
        listed = ws.list_visits(conn, READER, page=2, per_page=20)
        assert ws.list_visits(conn, READER, since="2026-12-03T08:00:00+00:00").total == 25
        assert ws.list_visits(conn, READER, since="2026-12-04").total == 0
        assert ws.list_visits(conn, READER, station="another").total == 0
        with pytest.raises(ws.BadFilter):
            ws.list_visits(conn, READER, since="last week")
        home = ws.recent_arrivals(conn, READER)
        with pytest.raises(ws.BadFilter):
            ws.search(conn, READER, "duc", {"colour": "red"})
        with pytest.raises(ws.BadFilter):
            ws.search(conn, READER, "duc", {"date_from": "yesterday"})
        with pytest.raises(ws.BadFilter):
            ws.search(conn, READER, "duc", {"kind": "secret"})
        assert ws.search(conn, READER, "  ,;  ").total == 0
    assert first.total == 25 and first.pages == 3 and len(first.items) == 10
    assert not first.more
    assert len(third.items) == 5
    assert not {h.id for h in first.items} & {h.id for h in third.items}
    assert listed.total == 25 and len(listed.items) == 5
    assert home["by_commune"][0]["visits"] == 25


def test_a_record_of_an_unknown_format_or_reusing_ids_is_refused(command):
    store = command[1]
    with store.begin() as conn, pytest.raises(ix.BadRecord):
        ix.index_record(conn, {"format": "sohoa-visit/9", "visit": {"id": "x"}}, "s", "b",
                        NOW, consents=[])
    martyr = {"id": "10000000-0000-4000-8000-000000000001", "full_name": "Hùng"}
    with store.begin() as conn:
        ix.index_record(conn, {"format": "sohoa-visit/1", "visit": {"id": "v1"},
                               "martyrs": [martyr, martyr]}, "s", "b", NOW, consents=[])
    with pytest.raises(ix.BadRecord), store.begin() as conn:
        # Another visit claiming the same martyr row: refused, nothing half-written.
        ix.index_record(conn, {"format": "sohoa-visit/1", "visit": {"id": "v2"},
                               "martyrs": [martyr]}, "s", "b", NOW, consents=[])
    with pytest.raises(ix.BadRecord), store.begin() as conn:
        ix.index_record(conn, {"format": "sohoa-visit/1", "visit": {"id": "v1"}},
                        "another station", "b", NOW, consents=[])
    with store.engine.connect() as conn:
        assert ws.search(conn, READER, "hung").total == 1


def test_paths_in_a_record_cannot_leave_the_bag():
    assert ix._bag_path("../../etc/passwd") is None
    assert ix._bag_path("/etc/passwd") is None
    assert ix._bag_path("visits/v/media/p.jpg") == "data/visits/v/media/p.jpg"


def test_a_common_name_is_counted_up_to_the_cap(command, monkeypatch):
    """Past COUNT_CAP matches the count says "1,000+" instead of visiting every match; the
    newest-first window PostgreSQL looks in first gives the same pages as the whole index."""
    store = command[1]
    martyrs = [{"id": f"20000000-0000-4000-8000-{n:012d}", "full_name": f"Phạm Thị Thu {n}"}
               for n in range(ws.COUNT_CAP + 5)]
    with store.begin() as conn:
        ix.index_record(conn, {"format": "sohoa-visit/1", "visit": {"id": "v1"},
                               "martyrs": martyrs}, "s", "b", NOW, consents=[])
    with store.engine.connect() as conn:
        common = ws.search(conn, READER, "pham thi thu", per_page=100)
        rare = ws.search(conn, READER, "pham thi thu 1004")
    assert common.total == ws.COUNT_CAP and common.more and len(common.items) == 100
    assert common.items[0].title == f"Phạm Thị Thu {ws.COUNT_CAP + 4}"  # newest first
    assert rare.total == 1 and not rare.more
    monkeypatch.setattr(ws, "RECENT_WINDOW", 50)  # a window smaller than the matches
    with store.engine.connect() as conn:
        for page in (1, 2, 3, 4):
            windowed = ws.search(conn, READER, "pham thi thu", page=page, per_page=20)
            assert [h.id for h in windowed.items] == \
                [h.id for h in common.items[(page - 1) * 20:page * 20]]
        older = ws.search(conn, READER, "pham thi thu 7")  # 7, 70-79, 700-799: none recent
        assert older.total == 111 and older.items[0].title == "Phạm Thị Thu 799"


def test_a_batch_id_reused_by_another_station_never_serves_its_files(station, command,
                                                                       tmp_path):
    """Batch ids are the stations' own: another station may send one with the same id (a
    squatter, or chance). The files of a visit come from its own station's bag, never from the
    other one's."""
    keys, store, archive = command
    operator = station["vault"]
    station_id = _enrol(store, operator)
    first = tmp_path / "first.age"
    summary = batch.build(operator, first, keys.recipient)
    ingest(first, store, keys, archive, now=lambda: NOW, station_id=station_id)
    with store.engine.connect() as conn:
        own = ws.media_file(conn, READER, "page", station["pages"][0]).path
    relative = own.relative_to(archive / station_id / summary.batch_id)
    # Another station's bag under the same batch id, holding a file at the same place.
    squatter = "0b5e3f1c-9d2a-4c44-8a8e-5d1f0c2b7a61"
    other_bag = archive / squatter / summary.batch_id
    (other_bag / relative).parent.mkdir(parents=True)
    (other_bag / relative).write_bytes(b"not the family's photo")
    with store.begin() as conn:
        # The squatter's row first in the table, so a lookup by batch id alone would find it.
        real = conn.execute(select(ix.batches)).one()._asdict()
        conn.execute(ix.batches.delete())
        conn.execute(ix.batches.insert().values(
            batch_id=summary.batch_id, station_id=squatter, received_at=NOW,
            tagmanifest_sha256="0" * 64, payload_files=1, payload_bytes=22,
            archive_path=str(other_bag), receipt="{}", upload_id=None))
        conn.execute(ix.batches.insert().values(**real))
    with store.engine.connect() as conn:
        served = ws.media_file(conn, READER, "page", station["pages"][0]).path
        detail = ws.visit_detail(conn, ANALYST, station["visit"])
    assert served == own
    assert served.read_bytes() != b"not the family's photo"
    assert detail["provenance"]["tagmanifest_sha256"] == summary.tagmanifest_sha256
