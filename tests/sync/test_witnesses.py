"""The witness network (sync/server/witnesses.py) on SQLite and PostgreSQL: veterans and
witnesses in the index, a testimony's speaker, a veterans' association list imported through
sync/server/lists.py; "who else was in Trung đoàn 24 at Khe Sanh in 1968"; one person told of
in two visits and a list row found by the case linker; decisions same / different applied over
it; the oldest not yet recorded, oldest first; roles."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from sync.server import index as ix
from sync.server import list_files, lists
from sync.server import witnesses as wt
from sync.server.actors import Actor, Forbidden
from sync.server.cases.normalise import unit
from sync.server.store import Store
from tests.sync.test_lists import csv_bytes
from tests.sync.test_lists import store as store  # on SQLite and PostgreSQL

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
READER, ANALYST = Actor("dung", "reader"), Actor("binh", "analyst")

PEOPLE = [  # id, visit, kind, name, born, unit, battles
    ("p-bay", "v1", "veteran", "Trần Văn Bảy", 1946, "E24 F304",
     "Khe Sanh 1968; Thành cổ Quảng Trị 1972"),
    ("p-bay2", "v2", "witness", "Trần Văn Bảy", 1946, "Trung đoàn 24", "Khe Sanh, 1968"),
    ("p-minh", "v3", "veteran", "Phạm Văn Minh", 1941, "c2 d8 e24", "Đường 9 - Khe Sanh"),
    ("p-hoa", "v3", "relative", "Nguyễn Thị Hoa", 1930, "", ""),  # never served: not here
    ("p-sau", "v4", "veteran", "Lê Văn Sáu", 1944, "Trung đoàn 24", "Quảng Trị 1972"),
    ("p-tu", "v4", "veteran", "Hoàng Văn Tư", 1943, "E66", "Khe Sanh 1968"),
]
LIST = [["Họ và tên", "Năm sinh", "Đơn vị", "Trận đánh", "Thời gian phục vụ"],
        ["Trần Văn Bảy", "1946", "E24", "Khe Sanh", "1966-1970"],
        ["Đỗ Văn Chín", "1938", "Trung đoàn 24, Sư đoàn 304", "Khe Sanh", "1967–1969"],
        ["Vũ Văn Mười", "1939", "F304", "Khe Sanh 1968", ""]]


def index_people_and_testimonies(store: Store) -> None:
    with store.begin() as conn:
        for position, (pid, visit, kind, name, born, u, battles) in enumerate(PEOPLE):
            conn.execute(insert(ix.index_people).values(
                id=pid, visit_id=visit, position=position, kind=kind, full_name=name,
                relationship="", martyr_id=None, birth_year=born, phone="", unit=u,
                battles=battles, dna_willing=False, dna_contact="", notes=""))
        for tid, speaker, name in (("t-bay", "p-bay", "Trần Văn Bảy"), ("t-nam", None, "Bà Năm")):
            conn.execute(insert(ix.index_testimonies).values(
                id=tid, visit_id="v4", speaker_person_id=speaker, speaker_name=name,
                language="vi", notes="", created_at="2026-11-01T08:00:00", martyr_ids="[]",
                duration=60.0, batch_id="b1"))


def fill(store: Store) -> str:
    index_people_and_testimonies(store)
    data = csv_bytes(LIST)
    grid = list_files.read(data)
    checked = lists.check(grid, "witnesses", lists.guess_mapping(grid.header))
    assert checked.ok and checked.mapping["Thời gian phục vụ"] == "served"
    with store.begin() as conn:
        return lists.import_list(conn, ANALYST, checked, title="Hội CCB Trung đoàn 24",
                                 source="thư của Hội, 20/11/2026", filename="ccb.csv",
                                 sha256=hashlib.sha256(data).hexdigest(), now=NOW)


def _ask(store: Store, **query) -> dict:
    with store.begin() as conn:
        return wt.network(conn, READER, now=NOW, **query)


def _names(answers) -> list[tuple[str, bool]]:
    return [(a.person.name, a.year_written) for a in answers]


def test_units_are_matched_as_soldiers_write_them():
    e24 = unit("Trung đoàn 24")
    assert wt.unit_matches(e24, unit("E24 F304")) and wt.unit_matches(e24, unit("c2 d8 e24"))
    assert not wt.unit_matches(e24, unit("E66")) and not wt.unit_matches(e24, unit("F304"))
    assert wt.unit_matches(unit("E24 F304"), unit("e24"))  # division not written: compatible
    assert not wt.unit_matches(unit("E24 F304"), unit("E24 F325"))
    assert wt.unit_matches(unit("Đội TNXP 55"), unit("Thanh niên xung phong đội 55"))
    assert wt.years_in("1966-1970, khe sanh") == {1966, 1967, 1968, 1969, 1970}


def test_who_else_was_in_trung_doan_24_at_khe_sanh_in_1968(store):
    list_id = fill(store)
    found = _ask(store, unit_text="Trung đoàn 24", place="Khe Sanh", year_from=1968,
                 year_to=1968)
    # Bảy (two visits and a list row: one person), Chín (1967–1969), and Minh, who wrote no
    # year (shown after, not left out); not Sáu (Quảng Trị), Tư (E66) or Mười (no regiment).
    assert _names(found["answers"]) == [("Đỗ Văn Chín", True), ("Trần Văn Bảy", True),
                                        ("Phạm Văn Minh", False)]
    bay = found["answers"][1].person
    assert sorted(m.ref for m in bay.members) == ["person:p-bay", "person:p-bay2",
                                                  f"row:{list_id}:2"]
    assert bay.recorded and 1968 in found["answers"][1].years
    later = _ask(store, unit_text="E24", place="quang tri", year_from=1972)
    assert _names(later["answers"]) == [("Lê Văn Sáu", True), ("Trần Văn Bảy", True)]
    # The oldest not yet recorded: Bảy spoke (a testimony of his), Hoa never served.
    assert [(p.name, p.birth_year) for p in found["oldest"]] == [
        ("Đỗ Văn Chín", 1938), ("Vũ Văn Mười", 1939), ("Phạm Văn Minh", 1941),
        ("Hoàng Văn Tư", 1943), ("Lê Văn Sáu", 1944)]
    assert found["witnesses"] == 9 and found["persons"] == 7  # Bà Năm, the speaker, too
    with pytest.raises(wt.WitnessError, match="between 1880 and 2030"):
        _ask(store, year_from=1066)


def test_decisions_same_and_different_are_recorded_and_applied_over_the_linker(store):
    list_id = fill(store)
    with pytest.raises(Forbidden), store.begin() as conn:
        wt.record_decision(conn, READER, "person:p-bay2", "person:p-bay", "different", NOW)
    with store.begin() as conn:
        wt.record_decision(conn, ANALYST, f"row:{list_id}:2", "person:p-bay", "different", NOW,
                           "khác quê")
        wt.record_decision(conn, ANALYST, "person:p-minh", "person:p-sau", "same", NOW)
        with pytest.raises(wt.WitnessError):
            wt.record_decision(conn, ANALYST, "person:p-minh", "person:p-minh", "same", NOW)
        with pytest.raises(wt.WitnessError):
            wt.record_decision(conn, ANALYST, "person:p-minh", "x:<script>", "same", NOW)
        with pytest.raises(wt.WitnessError):
            wt.record_decision(conn, ANALYST, "person:p-minh", "person:p-tu", "maybe", NOW)
        assert wt.decisions(conn) == {("person:p-bay", f"row:{list_id}:2"): "different",
                                      ("person:p-minh", "person:p-sau"): "same"}
    found = _ask(store, unit_text="e24")
    groups = sorted(sorted(m.ref for m in a.person.members) for a in found["answers"])
    assert ["person:p-bay", "person:p-bay2"] in groups and [f"row:{list_id}:2"] in groups
    assert ["person:p-minh", "person:p-sau"] in groups
    # a later decision wins
    with store.begin() as conn:
        wt.record_decision(conn, ANALYST, "person:p-bay", f"row:{list_id}:2", "same",
                           datetime(2026, 12, 4, tzinfo=UTC))
    again = _ask(store, unit_text="e24")
    assert any(len(a.person.members) == 3 for a in again["answers"])
    for pair in again["review"]:  # whatever waits is undecided and says why
        assert (pair.left.ref, pair.right.ref) not in wt.decisions(store.engine.connect())
        assert 0.2 <= pair.probability <= 1.0


def test_a_witness_list_withdrawn_leaves_the_network(store):
    list_id = fill(store)
    with store.begin() as conn:
        lists.withdraw(conn, ANALYST, list_id, NOW)
    found = _ask(store, unit_text="Trung đoàn 24", place="Khe Sanh")
    assert [a.person.name for a in found["answers"]] == ["Trần Văn Bảy", "Phạm Văn Minh"]
    assert all(not m.ref.startswith("row:") for a in found["answers"] for m in a.person.members)
