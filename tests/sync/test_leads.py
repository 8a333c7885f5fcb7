"""A lead's life at the command: every edge of the state machine allowed or refused by role, the
rule for "verified", merging and undoing it, field checks, and the verification rate counted
from the events. On a real SQLite and a real PostgreSQL, leads arriving through the index."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from sync.server import index as ix
from sync.server import leads as ld
from sync.server.accounts import Policy, add_account
from sync.server.actors import Actor, Forbidden
from sync.server.store import Store

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
STATION = "11111111-1111-4111-8111-111111111111"
BATCH = "22222222-2222-4222-8222-222222222222"
ROLES = {"admin": Actor("an", "admin"), "analyst": Actor("binh", "analyst"),
         "verifier": Actor("cuong", "verifier"), "reader": Actor("dung", "reader")}
ANALYST, VERIFIER, READER = ROLES["analyst"], ROLES["verifier"], ROLES["reader"]
POINT = ld.Point(16.7463, 107.1856, "VN-2000", 71.0, "mgrs")


def visit_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def lead_id(n: int, k: int = 0) -> str:
    return f"30000000-0000-4000-8{k:03d}-{n:012d}"


def index_visit(conn, n: int, leads: int = 1, received_at: datetime = NOW) -> list[str]:
    ix.index_record(conn, {
        "format": "sohoa-visit/1",
        "visit": {"id": visit_id(n), "visit_date": "2026-11-20", "province_code": 1,
                  "ward_code": 4},
        "leads": [{"id": lead_id(n, k), "description": f"Mộ ở gốc cây đa số {n}.{k}"}
                  for k in range(leads)]}, STATION, BATCH, received_at, consents=[])
    return [lead_id(n, k) for k in range(leads)]


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    with store.begin() as conn:
        policy = Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
        for role, actor in ROLES.items():
            add_account(conn, actor.username, role, f"mật khẩu {actor.username} 2026", NOW,
                        policy)
    yield store
    store.engine.dispose()


def put(conn, lead: str, state: str) -> None:
    """Puts a lead in a state for a test (as the events before would have)."""
    conn.execute(update(ld.lead_states).where(ld.lead_states.c.lead_id == lead).values(
        state=state))


def test_an_indexed_lead_is_received_once_even_when_indexed_again(store):
    with store.begin() as conn:
        first = index_visit(conn, 1, leads=2)
        index_visit(conn, 1, leads=2)  # the visit approved again, travelling again
    with store.engine.connect() as conn:
        states = [ld.state_of(conn, READER, lead) for lead in first]
        history = ld.events(conn, READER, first[0])
        assert ld.independent_sources(conn, first[0]) == 1  # its visit
    assert [s["state"] for s in states] == ["received", "received"]
    assert [(e["action"], e["username"], e["to_state"]) for e in history] == [
        ("received", "system", "received")]
    assert history[0]["detail"] == {"visit_id": visit_id(1)}


def test_reindex_keeps_the_leads_life(store, tmp_path):
    with store.begin() as conn:
        [lead] = index_visit(conn, 1)
        ld.transition(conn, ANALYST, lead, "screening", NOW, "đọc lời kể")
        ix.clear_index(conn)  # what reindex does first
        index_visit(conn, 1)
    with store.engine.connect() as conn:
        assert ld.state_of(conn, READER, lead)["state"] == "screening"
        assert [e["action"] for e in ld.events(conn, READER, lead)] == ["received", "transition"]


def _expected(frm: str, to: str, role: str) -> bool:
    return role in ld.TRANSITIONS.get((frm, to), frozenset())


def test_every_transition_is_allowed_or_refused_as_the_table_says(store):
    """Every (from, to) pair of states for every role: taken exactly when the machine has the
    edge and the role may take it (the verified rule satisfied here, tested apart)."""
    outcomes = {}
    with store.begin() as conn:
        [lead] = index_visit(conn, 1)
        ld.add_source(conn, ANALYST, lead, "document", "Giấy báo tử số 12", NOW)
        ld.set_coordinate(conn, ANALYST, lead, POINT, NOW)
        for frm in ld.STATES:
            for to in ld.STATES:
                for role, actor in ROLES.items():
                    savepoint = conn.begin_nested()
                    put(conn, lead, frm)
                    try:
                        ld.transition(conn, actor, lead, to, NOW, "vì lý do", remains=2)
                        moved = ld.state_of(conn, READER, lead)["state"] == to
                        assert moved
                        outcomes[frm, to, role] = True
                    except (Forbidden, ld.LeadError):
                        outcomes[frm, to, role] = False
                    savepoint.rollback()
    wrong = {k: v for k, v in outcomes.items() if v != _expected(*k)}
    assert wrong == {}
    assert sum(outcomes.values()) == sum(len(r) for r in ld.TRANSITIONS.values())
    # Nothing moves to duplicate except by merging, and a reader moves nothing.
    assert not any(v for (f, t, r), v in outcomes.items() if t == "duplicate" or r == "reader")


def test_a_transition_writes_who_when_why(store):
    with store.begin() as conn:
        [lead] = index_visit(conn, 1)
        ld.transition(conn, ANALYST, lead, "screening", NOW + timedelta(hours=1), "mở xem")
        with pytest.raises(ld.LeadError) as refused:
            ld.transition(conn, ANALYST, lead, "not_confirmed", NOW, "   ")
        assert refused.value.code == "reason_required"
        with pytest.raises(ld.LeadError) as unknown:
            ld.transition(conn, ANALYST, lead, "buried", NOW)
        assert unknown.value.code == "unknown_state"
    with store.engine.connect() as conn:
        last = ld.events(conn, READER, lead)[-1]
    assert (last["username"], last["role"], last["from_state"], last["to_state"],
            last["reason"], last["at"].replace(tzinfo=UTC)) == (
        "binh", "analyst", "received", "screening", "mở xem", NOW + timedelta(hours=1))


def test_verified_needs_a_coordinate_and_two_sources_or_a_field_check(store):
    with store.begin() as conn:
        one, two = index_visit(conn, 1, leads=2)
        for lead in (one, two):
            put(conn, lead, "cross_checked")
        # Two sources, no coordinate: refused.
        ld.add_source(conn, ANALYST, one, "document", "Danh sách liệt sĩ huyện, trang 4", NOW)
        with pytest.raises(ld.LeadError) as refused:
            ld.transition(conn, ANALYST, one, "verified", NOW)
        assert refused.value.code == "no_coordinate"
        # A coordinate without a radius or a datum is no coordinate.
        for bad, code in ((ld.Point(16.7, 107.1, "VN-2000", 0.0), "bad_radius"),
                          (ld.Point(16.7, 107.1, "Tokyo", 50.0), "bad_datum"),
                          (ld.Point(96.7, 107.1, "WGS 84", 50.0), "bad_coordinate")):
            with pytest.raises(ld.LeadError) as wrong:
                ld.set_coordinate(conn, ANALYST, one, bad, NOW)
            assert wrong.value.code == code
        ld.set_coordinate(conn, ANALYST, one, POINT, NOW, "đọc từ lưới")
        ld.transition(conn, ANALYST, one, "verified", NOW, "hai nguồn")
        # A coordinate and one source: the same document twice is still one more source.
        ld.set_coordinate(conn, ANALYST, two, POINT, NOW)
        with pytest.raises(ld.LeadError) as lonely:
            ld.transition(conn, ANALYST, two, "verified", NOW)
        assert lonely.value.code == "no_corroboration"
        # A field check that found the point: verified by the verifier.
        ld.transition(conn, ANALYST, two, "field_check", NOW)
        ld.assign(conn, ANALYST, two, "cuong", NOW, "đi thực địa")
        with pytest.raises(ld.LeadError):
            ld.field_check(conn, VERIFIER, two, NOW, found=True, point=None)
        with pytest.raises(ld.LeadError) as photos:
            ld.field_check(conn, VERIFIER, two, NOW, found=True, point=POINT,
                           photos=["../../etc/passwd"])
        assert photos.value.code == "bad_photos"
        found = ld.Point(16.74655, 107.18571, "WGS 84", 5.0, "gps")
        ld.field_check(conn, VERIFIER, two, NOW, found=True, point=found,
                       photos=["IMG_0412.JPG", "IMG_0413.JPG"], note="gốc đa còn, cạnh suối")
        ld.transition(conn, VERIFIER, two, "verified", NOW, "đã đến tận nơi")
    with store.engine.connect() as conn:
        verified = ld.state_of(conn, READER, two)
        history = ld.events(conn, READER, two)
        assert ld.state_of(conn, READER, one)["state"] == "verified"
    assert verified["state"] == "verified" and verified["assigned_to"] == "cuong"
    assert (verified["latitude"], verified["datum"], verified["uncertainty_m"]) == (
        16.74655, "WGS 84", 5.0)  # the point found replaced the reading
    assert verified["coordinate_from"].startswith("field_check:")
    assert [e["action"] for e in history] == ["received", "coordinate", "transition", "assign",
                                              "field_check", "coordinate", "transition"]
    assert history[4]["detail"]["photos"] == ["IMG_0412.JPG", "IMG_0413.JPG"]
    assert history[-1]["detail"]["field_checks"] == 1


def test_after_verified_remains_are_counted(store):
    with store.begin() as conn:
        [lead] = index_visit(conn, 1)
        put(conn, lead, "searched")
        with pytest.raises(ld.LeadError) as how_many:
            ld.transition(conn, VERIFIER, lead, "remains_found", NOW)
        assert how_many.value.code == "remains_required"
        ld.transition(conn, VERIFIER, lead, "remains_found", NOW, remains=3)
        ld.transition(conn, VERIFIER, lead, "gathered", NOW)
        with pytest.raises(Forbidden):
            ld.transition(conn, VERIFIER, lead, "identified", NOW)  # the office identifies
        ld.transition(conn, ANALYST, lead, "identified", NOW, "ADN trùng khớp")
    with store.engine.connect() as conn:
        state = ld.state_of(conn, READER, lead)
    assert (state["state"], state["remains_count"]) == ("identified", 3)


def test_roles_assignment_and_comments(store):
    with store.begin() as conn:
        [lead] = index_visit(conn, 1)
        with pytest.raises(Forbidden):
            ld.comment(conn, READER, lead, "xem giúp", NOW)
        with pytest.raises(Forbidden):
            ld.assign(conn, VERIFIER, lead, "cuong", NOW)
        with pytest.raises(ld.LeadError) as reader:
            ld.assign(conn, ANALYST, lead, "dung", NOW)  # a reader does not follow leads up
        assert reader.value.code == "bad_assignee"
        with pytest.raises(ld.LeadError):
            ld.assign(conn, ANALYST, lead, "nobody", NOW)
        ld.assign(conn, ANALYST, lead, "cuong", NOW)
        ld.comment(conn, VERIFIER, lead, "Ông Bảy hẹn sáng thứ Hai", NOW)
        with pytest.raises(ld.LeadError):
            ld.comment(conn, VERIFIER, lead, "  \x00 ", NOW)
        with pytest.raises(ld.LeadNotFound):
            ld.comment(conn, VERIFIER, "no-such-lead", "x", NOW)
        with pytest.raises(Forbidden):
            ld.transition(conn, Actor("x", "guest"), lead, "screening", NOW)
    with store.engine.connect() as conn:
        history = ld.events(conn, READER, lead)
        with pytest.raises(Forbidden):
            ld.events(conn, None, lead)  # type: ignore[arg-type]
    assert [(e["action"], e["username"]) for e in history][1:] == [
        ("assign", "binh"), ("comment", "cuong")]
    assert history[2]["reason"] == "Ông Bảy hẹn sáng thứ Hai"


def test_a_duplicate_is_merged_with_its_source_and_the_merge_undone(store):
    with store.begin() as conn:
        [first] = index_visit(conn, 1)
        [second] = index_visit(conn, 2)  # another family, another witness
        [sibling] = index_visit(conn, 3)
        ld.transition(conn, ANALYST, second, "screening", NOW)
        with pytest.raises(ld.LeadError):
            ld.merge(conn, ANALYST, second, second, NOW, "chính nó")
        with pytest.raises(ld.LeadError):
            ld.merge(conn, ANALYST, second, first, NOW, "")
        with pytest.raises(Forbidden):
            ld.merge(conn, VERIFIER, second, first, NOW, "cùng chỗ")
        ld.merge(conn, ANALYST, second, first, NOW, "cùng gốc đa, cùng ngày")
        assert ld.independent_sources(conn, first) == 2  # two visits now
        with pytest.raises(ld.LeadError) as again:
            ld.transition(conn, ANALYST, second, "cross_checked", NOW)
        assert again.value.code == "not_allowed"
        with pytest.raises(ld.LeadError) as chain:
            ld.merge(conn, ANALYST, sibling, second, NOW, "cùng chỗ")
        assert chain.value.code == "into_duplicate"
        with pytest.raises(ld.LeadError) as has:
            ld.merge(conn, ANALYST, first, sibling, NOW, "cùng chỗ")
        assert has.value.code == "has_duplicates"
    with store.begin() as conn:
        merged = ld.state_of(conn, READER, second)
        ld.unmerge(conn, ANALYST, second, NOW, "hai chỗ khác nhau")
        assert ld.independent_sources(conn, first) == 1
        back = ld.state_of(conn, READER, second)
        with pytest.raises(ld.LeadError):
            ld.unmerge(conn, ANALYST, second, NOW, "lần nữa")
        first_history = [e["action"] for e in ld.events(conn, READER, first)]
    assert (merged["state"], merged["merged_into"]) == ("duplicate", first)
    assert (back["state"], back["merged_into"]) == ("screening", None)
    assert first_history == ["received", "merged_in", "merged_out"]


def test_two_leads_of_one_visit_are_one_source(store):
    with store.begin() as conn:
        one, two = index_visit(conn, 1, leads=2)
        ld.merge(conn, ANALYST, two, one, NOW, "cùng lời kể")
        assert ld.independent_sources(conn, one) == 1


def test_the_verification_rate_is_counted_from_the_events(store):
    day = timedelta(days=1)
    with store.begin() as conn:
        leads = [index_visit(conn, n, received_at=NOW + n * day)[0] for n in range(1, 6)]
        assert ld.verification_rate(conn)["rate"] == 0.0
        for lead in leads[:2]:
            put(conn, lead, "cross_checked")
            ld.add_source(conn, ANALYST, lead, "archive", f"Hồ sơ {lead}", NOW)
            ld.set_coordinate(conn, ANALYST, lead, POINT, NOW)
        ld.transition(conn, ANALYST, leads[0], "verified", NOW + 10 * day)
        ld.transition(conn, ANALYST, leads[1], "verified", NOW + 20 * day)
        ld.merge(conn, ANALYST, leads[4], leads[3], NOW + 10 * day, "trùng")
    with store.engine.connect() as conn:
        now = ld.verification_rate(conn)
        before = ld.verification_rate(conn, until=NOW + 15 * day)
        early = ld.verification_rate(conn, until=NOW + 9 * day)
        window = ld.verification_rate(conn, since=NOW + 2 * day, until=NOW + 30 * day)
        empty = ld.verification_rate(conn, until=NOW)
    assert (now["received"], now["verified"], now["rate"]) == (4, 2, 0.5)  # one duplicate
    assert (before["received"], before["verified"]) == (4, 1)
    assert (early["received"], early["verified"]) == (5, 0)  # not merged yet at that cut-off
    assert (window["received"], window["verified"]) == (3, 1)
    assert (empty["received"], empty["rate"]) == (0, None)


def test_allowed_transitions_follow_the_role():
    assert ld.allowed_transitions(ANALYST, "received") == ["screening"]
    assert ld.allowed_transitions(VERIFIER, "received") == []
    assert set(ld.allowed_transitions(VERIFIER, "field_check")) == {"verified", "not_confirmed"}
    assert ld.allowed_transitions(READER, "field_check") == []
    assert ld.allowed_transitions(None, "received") == []


def test_the_lead_tables_are_migrated(store):
    with store.engine.connect() as conn:
        assert conn.execute(select(ld.lead_states.c.lead_id)).all() == []


# --- proposed coordinates ------------------------------------------------------------------------

MARKER = "40000000-0000-4000-8000-000000000001"
TESTIMONY = "50000000-0000-4000-8000-000000000001"
ITEM = "60000000-0000-4000-8000-000000000001"


def spoken_visit(conn, grid: str = "XD 841 420", note: str = "cách 300 mét về phía suối",
                 received_at: datetime = NOW) -> str:
    """A visit whose lead came from a marker: coordinates in the lead's grid reference, the
    marker's note and a letter's description, and a phone number and a hill that are not."""
    ix.index_record(conn, {
        "format": "sohoa-visit/2",
        "visit": {"id": visit_id(7), "visit_date": "2026-11-20", "province_code": 1,
                  "ward_code": 4},
        "items": [{"id": ITEM, "kind": "letter", "title": "Thư đơn vị",
                   "description": "Báo tin: chôn cất tại 16°44'47\"B, 107°11'08\"Đ"}],
        "testimonies": [{"id": TESTIMONY, "speaker_name": "Trần Văn Bảy", "markers": [
            {"id": MARKER, "at_seconds": 2.0, "kind": "coordinate", "label": "Đồi 1015",
             "note": note}]}],
        "leads": [{"id": lead_id(7), "description": "Mộ dưới gốc đa, gọi 0912 345 678",
                   "grid_reference": grid, "source": {"kind": "marker", "ref": MARKER}}]},
        STATION, BATCH, received_at, consents=[])
    return lead_id(7)


def test_coordinates_people_wrote_are_proposed_beside_their_source(store):
    with store.begin() as conn:
        lead = spoken_visit(conn, note="tọa độ 16,7463; 107,1856 (GPS của cháu)")
        spoken_visit(conn, note="tọa độ 16,7463; 107,1856 (GPS của cháu)")  # again: no more
    with store.engine.connect() as conn:
        found = ld.proposals(conn, READER, lead)
    by_source = {(p["source_kind"], p["rank"]): p for p in found}
    assert set(by_source) >= {("lead-grid", 1), ("marker-note", 1), ("item", 1)}
    assert not any(p["source_kind"] in ("lead", "marker-label") for p in found)  # phone, hill
    grid = by_source["lead-grid", 1]
    assert (grid["span_text"], grid["notation"], grid["status"], grid["own"]) == (
        "XD 841 420", "mgrs", "proposed", True)
    assert grid["mgrs"].startswith("48QXD84") and 60 < grid["uncertainty_m"] < 600
    assert abs(grid["latitude"] - 16.63) < 0.2 and abs(grid["longitude"] - 106.73) < 0.2
    note = by_source["marker-note", 1]
    assert (note["span_text"], note["source_id"], note["datum"]) == (
        "16,7463; 107,1856", MARKER, "WGS 84")
    assert (round(note["latitude"], 4), round(note["longitude"], 4)) == (16.7463, 107.1856)
    letter = by_source["item", 1]
    assert letter["own"] is False and letter["notation"] == "dms"  # the visit's, no lead's
    assert len({p["key"] for p in found}) == len(found)


def test_a_proposal_accepted_corrected_or_rejected_is_an_event(store):
    with store.begin() as conn:
        lead = spoken_visit(conn, note="tọa độ 16,7463; 107,1856")
        found = {p["source_kind"]: p for p in ld.proposals(conn, READER, lead) if p["rank"] == 1}
        with pytest.raises(Forbidden):
            ld.accept_proposal(conn, READER, lead, found["lead-grid"]["id"], NOW)
        ld.reject_proposal(conn, ANALYST, lead, found["item"]["id"], NOW, "ngày báo tin, không "
                           "phải chỗ chôn")
        ld.accept_proposal(conn, ANALYST, lead, found["lead-grid"]["id"], NOW, "đúng lưới")
        with pytest.raises(ld.LeadError) as twice:
            ld.accept_proposal(conn, ANALYST, lead, found["lead-grid"]["id"], NOW)
        assert twice.value.code == "decided"
        with pytest.raises(ld.LeadError) as no_why:
            ld.correct_proposal(conn, ANALYST, lead, found["marker-note"]["id"],
                                ld.Point(16.7465, 107.1860, "WGS 84", 15.0), NOW, "")
        assert no_why.value.code == "reason_required"
        accepted = ld.state_of(conn, READER, lead)
        ld.correct_proposal(conn, ANALYST, lead, found["marker-note"]["id"],
                            ld.Point(16.7465, 107.1860, "WGS 84", 15.0), NOW,
                            "cháu đọc nhầm số cuối")
        with pytest.raises(ld.LeadError):
            ld.accept_proposal(conn, ANALYST, lead, 999999, NOW)
        corrected = ld.state_of(conn, READER, lead)
        statuses = {p["source_kind"]: p["status"]
                    for p in ld.proposals(conn, READER, lead) if p["rank"] == 1}
        history = ld.events(conn, READER, lead)
    grid = found["lead-grid"]
    assert (accepted["latitude"], accepted["datum"], accepted["uncertainty_m"],
            accepted["coordinate_from"]) == (grid["latitude"], grid["datum"],
                                             grid["uncertainty_m"], f"proposal:{grid['id']}")
    assert (corrected["latitude"], corrected["uncertainty_m"]) == (16.7465, 15.0)
    assert statuses == {"lead-grid": "accepted", "marker-note": "corrected", "item": "rejected"}
    assert [e["action"] for e in history] == ["received", "proposal_rejected", "coordinate",
                                              "coordinate"]
    assert history[3]["detail"]["before"]["latitude"] == grid["latitude"]


def test_a_text_changed_at_the_station_replaces_undecided_proposals_only(store):
    with store.begin() as conn:
        lead = spoken_visit(conn, note="tọa độ 16,7463; 107,1856")
        note = next(p for p in ld.proposals(conn, READER, lead)
                    if p["source_kind"] == "marker-note")
        grid = next(p for p in ld.proposals(conn, READER, lead)
                    if p["source_kind"] == "lead-grid")
        ld.accept_proposal(conn, ANALYST, lead, grid["id"], NOW)
        spoken_visit(conn, grid="", note="không nhớ tọa độ")  # sent again, edited
        after = ld.proposals(conn, READER, lead)
    assert note["id"] not in {p["id"] for p in after}  # undecided, its text gone
    kept = [p for p in after if p["id"] == grid["id"]]
    assert kept and kept[0]["status"] == "accepted"
    assert kept[0]["span_text"] == ""  # the decision stays, not words no longer sent


def test_leads_pointing_at_the_same_place_are_grouped_by_their_circles(store):
    with store.begin() as conn:
        a, b, c = (index_visit(conn, n)[0] for n in (1, 2, 3))
        spoken = spoken_visit(conn)  # a lead with only a proposed coordinate (XD 841 420)
        grid = next(p for p in ld.proposals(conn, READER, spoken)
                    if p["source_kind"] == "lead-grid" and p["rank"] == 1)
        ld.set_coordinate(conn, ANALYST, a, ld.Point(16.7463, 107.1856, "WGS 84", 71.0), NOW)
        # 100 m north of a: the two circles (71 m and 50 m) overlap.
        ld.set_coordinate(conn, ANALYST, b, ld.Point(16.7472, 107.1856, "WGS 84", 50.0), NOW)
        # 5 km away, with a small radius: alone.
        ld.set_coordinate(conn, ANALYST, c, ld.Point(16.7913, 107.1856, "WGS 84", 20.0), NOW)
        alone = ld.nearby_groups(conn, READER)
        near_a = ld.nearby(conn, READER, a)
        # c said again, 150 m from the proposed grid square's centre (±71 m + 100 m): together.
        ld.set_coordinate(conn, ANALYST, c, ld.Point(grid["latitude"] + 0.00135,
                                                     grid["longitude"], "WGS 84", 100.0), NOW)
        together = ld.nearby_groups(conn, READER)
        ld.merge(conn, ANALYST, b, a, NOW, "cùng chỗ")  # a duplicate is not a second voice
        merged = ld.nearby_groups(conn, READER)
        verified_only = ld.nearby_groups(conn, READER, states=["verified"])
    assert alone == [sorted([a, b])]
    assert [n["lead_id"] for n in near_a] == [b] and 95 < near_a[0]["distance_m"] < 105
    assert sorted(together) == sorted([sorted([a, b]), sorted([c, spoken])])
    assert merged == [sorted([c, spoken])]
    assert verified_only == []


def test_the_list_filters_by_state_and_box_and_pages(store):
    from sync.server import lead_exports

    with store.begin() as conn:
        leads = [index_visit(conn, n, received_at=NOW + timedelta(minutes=n))[0]
                 for n in range(1, 26)]
        for n, lead in enumerate(leads[:5]):
            ld.set_coordinate(conn, ANALYST, lead,
                              ld.Point(16.0 + n / 10, 107.0, "VN-2000", 30.0), NOW)
        ld.transition(conn, ANALYST, leads[0], "screening", NOW)
    with store.engine.connect() as conn:
        first = ld.list_leads(conn, READER, page=1, per_page=10)
        third = ld.list_leads(conn, READER, page=3, per_page=10)
        screening = ld.list_leads(conn, READER, state="screening")
        boxed = ld.list_leads(conn, READER, bbox="106.5,16.05,107.5,16.35")
        for bad in ({"state": "buried"}, {"bbox": "1,2,3"}, {"bbox": "110,16,108,17"},
                    {"page": "x"}):
            with pytest.raises(ld.LeadError):
                ld.list_leads(conn, READER, **bad)
        detail = ld.lead_detail(conn, ANALYST, leads[0])
        rows = lead_exports.selection(conn, READER)
        geo = json.loads(lead_exports.geojson(rows))
        table = lead_exports.csv_bytes(rows).decode("utf-8-sig").splitlines()
    assert first["total"] == 25 and first["pages"] == 3 and len(third["items"]) == 5
    assert first["items"][0]["lead_id"] == leads[-1]  # newest received first
    assert [r["lead_id"] for r in screening["items"]] == [leads[0]]
    assert sorted(r["lead_id"] for r in boxed["items"]) == sorted(leads[1:4])
    assert detail["state"] == "screening" and detail["may"] == ["cross_checked",
                                                                  "not_confirmed"]
    assert detail["missing_for_verified"] == ["no_corroboration"]
    assert detail["description"].startswith("Mộ ở gốc cây đa") and detail["mgrs"]
    assert len(rows) == 25 and len(geo["features"]) == 5 and len(table) == 26


def test_the_home_page_counts_as_waiting_only_what_no_one_took_up(store):
    from sync.server import search
    from sync.server.casework_tables import dna_steps

    with store.begin() as conn:
        first, second, third = index_visit(conn, 1, leads=3)
        ix.index_record(conn, {
            "format": "sohoa-visit/1",
            "visit": {"id": visit_id(2), "visit_date": "2026-11-21", "province_code": 1,
                      "ward_code": 4},
            "people": [{"id": f"40000000-0000-4000-8000-{k:012d}", "kind": "relative",
                        "full_name": f"Người thân {k}", "dna_willing": True}
                       for k in range(2)]}, STATION, BATCH, NOW, consents=[])
        assert search.recent_arrivals(conn, READER)["waiting"] == {"leads": 3,
                                                                   "dna_volunteers": 2}
        ld.transition(conn, ANALYST, first, "screening", NOW)
        ld.merge(conn, ANALYST, second, third, NOW, "cùng một ngôi mộ")
        conn.execute(dna_steps.insert().values(
            case_id="case-x", person_id="40000000-0000-4000-8000-000000000000",
            relative_name="Người thân 0", relation="mother", step="collected",
            sample_code="QT-0001", at=NOW, recorded_at=NOW, username="cuong", laboratory="",
            result=None, grave_ref="", note=""))
        waiting = search.recent_arrivals(conn, READER)["waiting"]
    assert waiting == {"leads": 1, "dna_volunteers": 1}
