"""Cases as the command works them, on SQLite and PostgreSQL: relinking every mention the
index and the lists hold (real Splink on DuckDB), contradictions kept side by side, merge and
undo restoring every row exactly, split, people's decisions binding the next relink and
exported for training, the DNA follow-up's order, and the roles checked in the domain."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from sync.server import index as ix
from sync.server.actors import Actor, Forbidden
from sync.server.cases import casework as cw
from sync.server.cases import dna
from sync.server.cases.relink import relink, relink_if_changed
from sync.server.cases.tables import case_links, case_members, case_pairs, case_runs, cases
from sync.server.casework_tables import dna_steps
from sync.server.store import Store
from tests.sync import cases_world as world

ANALYST, ADMIN = Actor("binh", "analyst"), Actor("an", "admin")
VERIFIER, READER = Actor("cuong", "verifier"), Actor("dung", "reader")
NOW = world.NOW


def _of(conn, mention: str) -> str:  # type: ignore[no-untyped-def]
    return conn.execute(select(case_members.c.case_id).where(
        case_members.c.mention_id == mention)).scalar_one()


def _dump(conn) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of the tables a merge or a split may touch."""
    return {t.name: sorted(tuple(r) for r in conn.execute(select(t)))
            for t in (cases, case_members, case_pairs, dna_steps)}


@pytest.fixture
def store(database_url):
    built = Store(database_url)
    yield built
    built.engine.dispose()


@pytest.mark.slow
def test_relink_puts_every_source_in_its_case_and_keeps_contradictions(store):
    with store.begin() as conn:
        ids = world.hung_world(conn)
        run = relink(conn, NOW)
    assert not run.skipped and run.mentions == 6
    with store.begin() as conn:
        hung = _of(conn, ids["hung"])
        members = {r.mention_id: r.kind for r in conn.execute(
            select(case_members).where(case_members.c.case_id == hung))}
        assert members == {ids["hung"]: "martyr", ids["hung_list"]: "list_martyrs",
                           ids["hung_grave"]: "list_graves",
                           "testimony:t1:m-hung": "testimony", "item:i1": "item",
                           "lead:l1": "lead"}
        # the namesake, born six years later in another regiment, has his own case
        assert _of(conn, ids["namesake"]) not in (hung,)
        detail = cw.case_detail(conn, READER, hung)
    fields = {f["field"]: f for f in detail["fields"]}
    deaths = fields["death_date"]
    assert deaths["contradiction"]
    assert [g["values"] for g in deaths["groups"]] == [["1972-08-15"], ["20/9/1972"],
                                                       ["1972"]]
    assert deaths["groups"][1]["mentions"] == [ids["hung_list"]]
    burial = fields["burial"]
    assert burial["contradiction"] and {v for g in burial["groups"] for v in g["values"]} == {
        "Chôn ở gốc cây đa", "Nghĩa trang Trường Sơn, mộ B-12"}
    # "Cam Chính, Cam Lộ, Quảng Trị" says less than the sister, not something else
    assert not fields["home_town"]["contradiction"]
    assert not fields["birth_year"]["contradiction"]
    sources = {r["mention_id"]: r["source"] for r in detail["records"]}
    assert sources[ids["hung"]]["visit_id"] == "v1"
    assert sources[ids["hung_list"]]["line"] == 2
    assert sources[ids["hung_list"]]["list_title"] == "Danh sách liệt sĩ chưa tìm thấy mộ"

    with store.begin() as conn:
        found = cw.list_cases(conn, READER, q="nguyen van HUNG")
        assert found["total"] == 2
        assert cw.list_cases(conn, READER, q="Hùng Cam Lộ 304")["items"][0]["id"] == hung
        assert cw.list_cases(conn, READER, q="100%_")["total"] == 0
        paged = cw.list_cases(conn, READER, page=2, per_page=2)
        assert paged["pages"] == 2 and len(paged["items"]) == 1
        again = relink_if_changed(conn, NOW + timedelta(hours=1))
        assert again.skipped
        assert conn.execute(select(case_runs.c.id)).scalars().all() == [1]
        # a new mention: relinked, and the case keeps its id though a smaller id joined it
        world.a_list(conn, "imp0", "martyrs", [{
            "full_name": "Nguyễn Văn Hùng", "birth_year": "1948", "unit": "E24 F304",
            "home_town": "Cam Chính, Cam Lộ, Quảng Trị", "death_date": "8/1972"}])
        later = relink_if_changed(conn, NOW + timedelta(hours=2))
        assert not later.skipped and later.mentions == 7
        assert _of(conn, "list:imp0:2") == hung == _of(conn, ids["hung"])
        # what a mention says changed (a reindexed visit): its case's columns follow
        conn.execute(update(ix.index_martyrs).where(ix.index_martyrs.c.id == "m-hung2")
                     .values(death_date="4/1975"))
        assert not relink_if_changed(conn, NOW + timedelta(hours=3)).skipped
        namesake = _of(conn, ids["namesake"])
        assert conn.execute(select(cases.c.death_date).where(cases.c.id == namesake)
                            ).scalar_one() == "4/1975"


def test_merge_and_undo_put_every_row_back_exactly(store):
    with store.begin() as conn:
        ids = world.hung_world(conn)
        relink(conn, NOW)
        hung, namesake = _of(conn, ids["hung"]), _of(conn, ids["namesake"])
        conn.execute(insert(dna_steps).values(
            case_id=namesake, person_id=None, relative_name="Nguyễn Thị Lý",
            relation="mother", step="collected", sample_code="QT-0001", at=NOW,
            recorded_at=NOW, username="cuong", laboratory="", result=None, grave_ref="",
            note=""))
        before = _dump(conn)
    with store.begin() as conn:
        with pytest.raises(Forbidden):
            cw.merge(conn, READER, hung, namesake, NOW)
        with pytest.raises(Forbidden):
            cw.merge(conn, VERIFIER, hung, namesake, NOW)
        link = cw.merge(conn, ANALYST, hung, namesake, NOW + timedelta(minutes=1),
                        "cùng đơn vị theo lời kể")
    with store.begin() as conn:
        assert _of(conn, ids["namesake"]) == hung
        gone = conn.execute(select(cases).where(cases.c.id == namesake)).one()
        assert (gone.state, gone.merged_into) == ("merged", hung)
        assert conn.execute(select(dna_steps.c.case_id)).scalar_one() == hung
        merged = cw.case_detail(conn, READER, hung)
        assert merged["mentions"] == 7 and merged["links"][0]["undoable"]
        # the birth years now disagree (1948 and 1954): shown, not chosen
        assert next(f for f in merged["fields"] if f["field"] == "birth_year")["contradiction"]
        with pytest.raises(cw.CaseError) as refused:
            cw.merge(conn, ANALYST, hung, namesake, NOW)
        assert refused.value.code == "not_open"
        with pytest.raises(Forbidden):
            cw.undo(conn, READER, link, NOW)
        cw.undo(conn, ADMIN, link, NOW + timedelta(minutes=2))
    with store.begin() as conn:
        assert _dump(conn) == before
        undone = conn.execute(select(case_links)).one()
        assert (undone.undone_by, undone.action) == ("an", "merge")
        with pytest.raises(cw.CaseError) as twice:
            cw.undo(conn, ADMIN, link, NOW)
        assert twice.value.code == "already_undone"
        # an undo after someone else changed the case is refused, not forced
        second = cw.merge(conn, ANALYST, hung, namesake, NOW + timedelta(minutes=3))
        cw.split(conn, ANALYST, hung, [ids["hung_grave"]], NOW + timedelta(minutes=4))
        with pytest.raises(cw.CaseError) as changed:
            cw.undo(conn, ANALYST, second, NOW)
        assert changed.value.code == "changed_since"


@pytest.fixture
def sqlite_store(tmp_path):
    built = Store(f"sqlite:///{tmp_path / 'server.db'}")
    yield built
    built.engine.dispose()


@pytest.mark.slow
def test_split_and_decisions_bind_the_next_relink_and_are_exported(sqlite_store, tmp_path):
    """On SQLite only: four relinks (seconds each); the rows it writes are the ones the
    merge and undo test above holds on both databases."""
    store = sqlite_store
    with store.begin() as conn:
        ids = world.hung_world(conn)
        relink(conn, NOW)
        hung = _of(conn, ids["hung"])
        before = _dump(conn)
        with pytest.raises(cw.CaseError) as everything:
            cw.split(conn, ANALYST, hung, [ids["hung"], ids["hung_list"], ids["hung_grave"]],
                     NOW)
        assert everything.value.code == "bad_split"
        link, new = cw.split(conn, ANALYST, hung, [ids["hung_grave"]], NOW, "mộ khác")
        assert _of(conn, ids["hung_grave"]) == new != hung
        # the split survives relinking: the model's link is refused by the decision
        relink(conn, NOW + timedelta(hours=1))
        assert _of(conn, ids["hung_grave"]) == new and _of(conn, ids["hung"]) == hung
        cw.undo(conn, ANALYST, link, NOW + timedelta(hours=2))
        assert _dump(conn) == before

        queue = cw.review_queue(conn, READER)
        pair = queue["pair"]
        assert queue["total"] == 1 and {pair["left_id"], pair["right_id"]} == {
            ids["bay1"], ids["bay2"]}
        assert pair["same_case"] and pair["left"]["fields"]["full_name"]
        assert {r["comparison"] for r in pair["reasons"]} >= {"name", "home_town"}
        with pytest.raises(Forbidden):
            cw.decide(conn, READER, pair["id"], "different", NOW)
        done = cw.decide(conn, ANALYST, pair["id"], "different", NOW, "hai người")
        assert done["new_case_id"] and _of(conn, ids["bay1"]) != _of(conn, ids["bay2"])
        with pytest.raises(cw.CaseError) as again:
            cw.decide(conn, ANALYST, pair["id"], "same", NOW)
        assert again.value.code == "already_decided"
        relink(conn, NOW + timedelta(hours=3))
        assert _of(conn, ids["bay1"]) != _of(conn, ids["bay2"])
        assert cw.review_queue(conn, READER)["total"] == 0  # decided: not proposed again
        # "same" on two cases merges them, and relinking keeps them together
        namesake = _of(conn, ids["namesake"])
        cw.merge(conn, ANALYST, hung, namesake, NOW + timedelta(hours=4))
        relink(conn, NOW + timedelta(hours=5))
        assert _of(conn, ids["namesake"]) == hung

    from sync.server.__main__ import main

    url = store.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "pairs.csv"
    assert main(["cases", "decisions", "--database", url, "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    labelled = {(r["left_id"], r["right_id"]): r["label"] for r in rows}
    assert labelled[tuple(sorted((ids["bay1"], ids["bay2"])))] == "0"
    merged = [r for r in rows if ids["namesake"] in (r["left_id"], r["right_id"])]
    assert [(r["label"], r["origin"]) for r in merged] == [("1", "merge")]
    bay = next(r for r in rows if r["label"] == "0" and r["decided_by"] == "binh")
    assert {bay["left_full_name"], bay["right_full_name"]} == {"Trần Văn Bảy", "Trần Bảy"}


def test_relation_tells_the_maternal_line_or_says_unknown():
    said = {text: dna.relation_of(text) for text in (
        "mẹ", "Mẹ liệt sĩ", "bà ngoại", "em gái ruột", "anh trai cùng mẹ khác cha",
        "em cùng cha khác mẹ", "dì", "cậu", "em gái của mẹ", "em gái", "chú", "bác",
        "bố", "vợ", "mẹ kế", "con trai", "hàng xóm", "")}
    assert said == {
        "mẹ": ("mother", "yes"), "Mẹ liệt sĩ": ("mother", "yes"),
        "bà ngoại": ("maternal_grandmother", "yes"),
        "em gái ruột": ("same_mother_sibling", "yes"),
        "anh trai cùng mẹ khác cha": ("same_mother_sibling", "yes"),
        "em cùng cha khác mẹ": ("not_maternal", "no"),
        "dì": ("mother_sibling", "yes"), "cậu": ("mother_sibling", "yes"),
        "em gái của mẹ": ("mother_sibling", "yes"), "em gái": ("sibling", "unknown"),
        "chú": ("not_maternal", "no"), "bác": ("parent_sibling", "unknown"),
        "bố": ("not_maternal", "no"), "vợ": ("not_maternal", "no"),
        "mẹ kế": ("not_maternal", "no"), "con trai": ("child", "unknown"),
        "hàng xóm": ("other", "unknown"), "": ("other", "unknown")}


def test_dna_steps_come_in_order_with_who_and_when(store):
    with store.begin() as conn:
        ids = world.hung_world(conn)
        relink(conn, NOW)
        hung = _of(conn, ids["hung"])
        people = {p["person_id"]: p for p in dna.relatives(conn, VERIFIER, hung)}
        assert people["p-mother"]["maternal"] == "yes" and people["p-mother"]["dna_willing"]
        assert people["p-uncle"]["maternal"] == "no"
        assert people["p-sister"]["dna_contact"] == "gọi buổi tối"
        assert dna.relatives(conn, READER, hung)[0]["dna_contact"] is None  # not a reader's
        day = NOW - timedelta(days=3)

        def step(actor, name, **kw):  # type: ignore[no-untyped-def]
            kw.setdefault("at", day)
            kw.setdefault("sample_code", "QT-2026-001")
            return dna.record_step(conn, actor, hung, name, NOW, **kw)

        with pytest.raises(Forbidden):
            step(READER, "collected", person_id="p-mother")
        for name, kw, code in (("sent", {"laboratory": "Viện Pháp y"}, "no_sample"),
                               ("collected", {"person_id": "p-nobody"}, "not_a_relative"),
                               ("collected", {"person_id": "p-mother",
                                              "at": NOW + timedelta(days=3)}, "bad_date")):
            with pytest.raises(cw.CaseError) as refused:
                step(VERIFIER, name, **kw)
            assert refused.value.code == code
        step(VERIFIER, "collected", person_id="p-mother")
        for name, kw, code in (("collected", {"person_id": "p-sister"}, "code_taken"),
                               ("result", {"result": "no_match"}, "out_of_order"),
                               ("sent", {}, "no_laboratory"),
                               ("sent", {"laboratory": "Viện", "at": day - timedelta(days=1)},
                                "bad_date")):
            with pytest.raises(cw.CaseError) as refused:
                step(VERIFIER, name, **kw)
            assert refused.value.code == code
        step(ANALYST, "sent", laboratory="Viện Công nghệ sinh học", at=day + timedelta(days=1))
        with pytest.raises(cw.CaseError) as no_grave:
            step(ANALYST, "result", result="match", at=day + timedelta(days=2))
        assert no_grave.value.code == "no_grave"
        step(ADMIN, "result", result="match", grave_ref="Trường Sơn B-12",
             at=day + timedelta(days=2))
        with pytest.raises(cw.CaseError) as done:
            step(ADMIN, "result", result="no_match", at=day + timedelta(days=2))
        assert done.value.code == "step_done"
        step(VERIFIER, "collected", sample_code="QT-2026-002", relative_name="Lê Văn Tư",
             relation="mother_sibling")
        samples = {s["sample_code"]: s for s in dna.samples(conn, READER, hung)}
    first = samples["QT-2026-001"]
    assert [(s["step"], s["username"], s["relation"]) for s in first["steps"]] == [
        ("collected", "cuong", "mother"), ("sent", "binh", "mother"), ("result", "an", "mother")]
    assert first["steps"][2]["result"] == "match" and first["next"] is None
    assert samples["QT-2026-002"]["next"] == "sent"
    # a merged case records nothing more; its steps went with its mentions
    with store.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == hung).values(state="merged"))
        with pytest.raises(cw.CaseError) as closed:
            dna.record_step(conn, VERIFIER, hung, "sent", NOW, at=day,
                            sample_code="QT-2026-002", laboratory="Viện")
        assert closed.value.code == "not_open"
