"""A small command archive with hand-counted figures for the report tests: visit records go
through the real indexer (sync.server.index.index_record) in batches with set arrival times;
a withdrawal notice signed by the station's key goes through the real apply_withdrawal.

Hand count (station S1 in commune 4, S2 in commune 7; province 1; November 2026, calendar):
- V1 2026-11-24 (S1, batch B1 received 11-24 10:00 +07): 2 martyrs, a witness, a veteran,
  a relative willing to give DNA; item I1 with 3 photos, item I2 with 1 video; a testimony of
  two finished parts, 30 s + 15.5 s, its speaker the witness; 2 leads; a consent signed 11-24.
- V2 2026-11-25 (S1, B1): the same household as V1 (same village, address typed without
  accents); 1 martyr; item I3 with 2 photos; a consent signed 11-25.
- V3 2026-11-30 (S2, batch B2 received 12-01 09:00 +07): 1 martyr, 1 lead, a testimony of one
  part (10 s) by an unnamed speaker who is not a listed person; item I4 with 4 photos, of
  which the family withdrew 1 (notice of 12-02, in batch B3 received 12-02 15:00 +07).
- V4 2026-10-31 (S2, B2): October, 1 martyr (the previous month).

The lead work (``case_work``, through the real sync.server.leads; times +07):
- L1 = V1's first lead: point 16.8, 107.1 and a second source; verified 11-26 10:00, searched
  11-27, 3 remains found 11-29, gathered 12-01 10:00 (December).
- L2 = V1's second lead: a field check found the same point; verified 12-01 00:30, which is
  still 30 November in UTC but December in Vietnam.
- L3 = V3's lead: point 16.9, 107.2 and a second source; verified 12-04 10:00, after a cut-off
  at the end of 12-03.
The DNA follow-up (rows of dna_steps, as its page writes them):
- S-001 (V1's relative): collected 11-10, entered again 11-11, result "match" 11-28.
- S-002: collected 11-14 but entered only 12-04 (after the cut-off of 12-03).
- S-003: collected 10-31 23:00 (October), result "no_match" 11-20.
So November at the end of 12-03: leads verified 1, rate 1/3 = 33.3 %, coordinates 1, remains
found 3 (remains, not leads), gathered 0, DNA collected 1, matched 1. December then: verified
1 (L2), coordinates 1, gathered 3; at the end of 12-05 verified 2, coordinates 2.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert

from sync.server import index as ix
from sync.server import leads
from sync.server.actors import ADMIN, Actor
from sync.server.casework_tables import dna_steps
from sync.server.store import Store, batches, stations

ICT = timezone(timedelta(hours=7))
S1, S2 = "51000000-0000-4000-8000-000000000001", "52000000-0000-4000-8000-000000000002"
B1 = ("b1000000-0000-4000-8000-000000000001", datetime(2026, 11, 24, 10, tzinfo=ICT))
B2 = ("b2000000-0000-4000-8000-000000000002", datetime(2026, 12, 1, 9, tzinfo=ICT))
B3 = ("b3000000-0000-4000-8000-000000000003", datetime(2026, 12, 2, 15, tzinfo=ICT))
B4 = ("b4000000-0000-4000-8000-000000000004", datetime(2026, 12, 5, 8, tzinfo=ICT))


def utc(moment: datetime) -> datetime:
    """As the server writes times (SQLite keeps no zone: it must be UTC)."""
    return moment.astimezone(UTC)


def uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _sign(key: Ed25519PrivateKey, payload: dict) -> dict:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {"payload": text, "signature": key.sign(ix.CONSENT_DOMAIN + text.encode()).hex(),
            "public_key": key.public_key().public_bytes_raw().hex()}


def visit(name: str, day: str, ward: int, *, village: str = "Thôn Đông", address: str = "",
          martyrs: int = 1, people: list[tuple[str, bool]] = (), items: list[tuple[str, int]] = (),
          parts: list[float] = (), speaker: int | None = None, leads: int = 0,
          signed: str | None = None, key: Ed25519PrivateKey, station: str) -> tuple[dict, list]:
    vid = uid(name)
    person_rows = [{"id": uid(f"{name}/p{i}"), "kind": kind, "full_name": f"Người {i}",
                    "dna_willing": dna} for i, (kind, dna) in enumerate(people)]
    item_rows = []
    for i, (media, pages) in enumerate(items):
        item_rows.append({"id": uid(f"{name}/i{i}"), "kind": "letter", "title": f"Thư {i}",
                          "pages": [{"id": uid(f"{name}/i{i}/{p}"), "media": media,
                                     "file": f"visits/{vid}/media/{p}.jpg", "sha256": "0" * 64}
                                    for p in range(pages)]})
    testimonies = []
    if parts:
        testimonies.append({
            "id": uid(f"{name}/t"), "speaker_person_id":
                person_rows[speaker]["id"] if speaker is not None else None,
            "speaker_name": "" if speaker is not None else "Bà Tư", "created_at": day,
            "parts": [{"id": uid(f"{name}/t/{i}"), "sample_rate": 48000, "channels": 1,
                       "frames": int(seconds * 48000), "duration": seconds,
                       "file": f"visits/{vid}/recordings/{i}.flac", "sha256": "0" * 64}
                      for i, seconds in enumerate(parts)]})
    record = {"format": "sohoa-visit/2",
              "visit": {"id": vid, "visit_date": day, "status": "approved", "province_code": 1,
                        "ward_code": ward, "village": village, "address": address,
                        "contact_name": "", "contact_phone": "", "notes": ""},
              "martyrs": [{"id": uid(f"{name}/m{i}"), "full_name": f"Liệt sĩ {i}"}
                          for i in range(martyrs)],
              "people": person_rows, "items": item_rows, "testimonies": testimonies,
              "leads": [{"id": uid(f"{name}/l{i}"), "description": "gốc cây đa"}
                        for i in range(leads)], "review": []}
    consents = []
    if signed:
        consents.append(_sign(key, {"format": "sohoa-consent/1", "id": uid(f"{name}/c"),
                                    "kind": "grant", "visit": vid, "station": station,
                                    "reference_code": "DY-0001", "created_at": signed,
                                    "covers": [], "scopes": {}, "signer": {}, "evidence": {}}))
    return record, consents


def _batch(conn, batch: tuple[str, datetime], station: str) -> None:
    conn.execute(insert(batches).values(
        batch_id=batch[0], station_id=station, received_at=utc(batch[1]),
        tagmanifest_sha256="0" * 64,
        payload_files=0, payload_bytes=0, archive_path="/nonexistent", receipt="{}"))


def build(store: Store) -> dict:
    key = Ed25519PrivateKey.generate()
    with store.begin() as conn:
        for sid, name, ward in ((S1, "Trạm Đông Hà", 4), (S2, "Trạm Gio Linh", 7)):
            conn.execute(insert(stations).values(
                id=sid, name=name, province_code=1, ward_code=ward,
                signing_key=key.public_key().public_bytes_raw().hex(), identity_key="0" * 64,
                enrolled_at=utc(B1[1]), active=True))
        _batch(conn, B1, S1)
        for record, consents in (
                visit("V1", "2026-11-24", 4, address="Số 5 đường Lê Lợi", martyrs=2,
                      people=[("witness", False), ("veteran", False), ("relative", True)],
                      items=[("photo", 3), ("video", 1)], parts=[30.0, 15.5], speaker=0,
                      leads=2, signed="2026-11-24T09:30:00+07:00", key=key, station=S1),
                visit("V2", "2026-11-25", 4, village="thon dong", address="so 5 duong le loi",
                      items=[("photo", 2)], signed="2026-11-25T08:00:00+07:00", key=key,
                      station=S1)):
            ix.index_record(conn, record, S1, B1[0], utc(B1[1]), consents=consents)
    with store.begin() as conn:
        _batch(conn, B2, S2)
        for record, _ in (
                visit("V3", "2026-11-30", 7, parts=[10.0], leads=1, items=[("photo", 4)],
                      key=key, station=S2),
                visit("V4", "2026-10-31", 7, key=key, station=S2)):
            ix.index_record(conn, record, S2, B2[0], utc(B2[1]))
    return {"key": key}


def withdraw_one_page(store: Store, key: Ed25519PrivateKey) -> None:
    """Batch B3: the family of V3 withdraws one of I4's photos."""
    notice = _sign(key, {"format": "sohoa-consent/1", "id": uid("V3/w"), "kind": "withdraw",
                         "visit": uid("V3"), "station": S2, "reference_code": "DY-0003",
                         "created_at": "2026-12-02T14:00:00+07:00",
                         "covers": [{"kind": "page", "ref_id": uid("V3/i0/0"),
                                     "sha256": "0" * 64}]})
    with store.begin() as conn:
        _batch(conn, B3, S2)
        assert ix.apply_withdrawal(conn, notice, S2, B3[0], utc(B3[1])) == 1


def late_visit(store: Store, key: Ed25519PrivateKey) -> None:
    """Batch B4 (12-05): a visit of 11-20 that arrives after the November report was cut."""
    record, _ = visit("V5", "2026-11-20", 4, martyrs=3, key=key, station=S1)
    with store.begin() as conn:
        _batch(conn, B4, S1)
        ix.index_record(conn, record, S1, B4[0], utc(B4[1]))


def resend_v1(store: Store, key: Ed25519PrivateKey) -> None:
    """Batch B4 again brings V1, approved a second time: its pages and recordings travel as
    "delivered_in" the first batch (their files stay there), as a station sends them."""
    record, consents = visit("V1", "2026-11-24", 4, address="Số 5 đường Lê Lợi", martyrs=2,
                             people=[("witness", False), ("veteran", False), ("relative", True)],
                             items=[("photo", 3), ("video", 1)], parts=[30.0, 15.5], speaker=0,
                             leads=2, signed="2026-11-24T09:30:00+07:00", key=key, station=S1)
    for item in record["items"]:
        for page in item["pages"]:
            page.pop("file")
            page["delivered_in"] = B1[0]
    for part in record["testimonies"][0]["parts"]:
        part.pop("file")
        part["delivered_in"] = B1[0]
    with store.begin() as conn:
        ix.index_record(conn, record, S1, B4[0], utc(B4[1]), consents=consents)


def case_work(store: Store) -> None:
    """The leads' lives and the DNA steps counted in the module's docstring."""
    boss = Actor("chi-huy", ADMIN)

    def at(text: str) -> datetime:
        return utc(datetime.fromisoformat(text).replace(tzinfo=ICT))

    def verify(lead_id: str, when: str, point: leads.Point | None, field: bool = False) -> None:
        day = when[:10]
        leads.transition(conn, boss, lead_id, leads.SCREENING, at(f"{day}T07:00"))
        leads.transition(conn, boss, lead_id, leads.CROSS_CHECKED, at(f"{day}T07:10"))
        if field:
            leads.transition(conn, boss, lead_id, leads.FIELD_CHECK, at(f"{day}T07:20"))
            leads.field_check(conn, boss, lead_id, at(f"{day}T07:30"), found=True,
                              point=leads.Point(16.8, 107.1, "WGS 84", 5.0))
        else:
            leads.set_coordinate(conn, boss, lead_id, point, at(f"{day}T07:20"))
            leads.add_source(conn, boss, lead_id, "document", f"hồ sơ {lead_id[:4]}",
                             at(f"{day}T07:30"))
        leads.transition(conn, boss, lead_id, leads.VERIFIED, at(when))

    l1, l2, l3 = uid("V1/l0"), uid("V1/l1"), uid("V3/l0")
    with store.begin() as conn:
        verify(l1, "2026-11-26T10:00", leads.Point(16.8, 107.1, "WGS 84", 10.0))
        leads.transition(conn, boss, l1, leads.SEARCHED, at("2026-11-27T10:00"))
        leads.transition(conn, boss, l1, leads.REMAINS_FOUND, at("2026-11-29T10:00"), remains=3)
        leads.transition(conn, boss, l1, leads.GATHERED, at("2026-12-01T10:00"))
        verify(l2, "2026-12-01T00:30", None, field=True)
        verify(l3, "2026-12-04T10:00", leads.Point(16.9, 107.2, "WGS 84", 10.0))
        common = {"case_id": "case-1", "relation": "mother", "username": "chi-huy",
                  "laboratory": "Viện Pháp y Quân đội", "grave_ref": "", "note": ""}
        conn.execute(insert(dna_steps), [
            {**common, "person_id": uid("V1/p2"), "relative_name": "Người 2",
             "step": step, "sample_code": "S-001", "at": at(when), "recorded_at": at(when),
             "result": result}
            for step, when, result in (("collected", "2026-11-10T09:00", None),
                                       ("collected", "2026-11-11T09:00", None),
                                       ("sent", "2026-11-12T09:00", None),
                                       ("result", "2026-11-28T09:00", "match"))] + [
            {**common, "person_id": None, "relative_name": "Bà Năm", "step": "collected",
             "sample_code": "S-002", "at": at("2026-11-14T09:00"),
             "recorded_at": at("2026-12-04T09:00"), "result": None},
            {**common, "person_id": None, "relative_name": "Ông Sáu", "step": "collected",
             "sample_code": "S-003", "at": at("2026-10-31T23:00"),
             "recorded_at": at("2026-10-31T23:05"), "result": None},
            {**common, "person_id": None, "relative_name": "Ông Sáu", "step": "result",
             "sample_code": "S-003", "at": at("2026-11-20T09:00"),
             "recorded_at": at("2026-11-20T09:00"), "result": "no_match"}])
