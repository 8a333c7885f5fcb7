"""The command's report from its index (issue 16): figures counted by hand on a small archive
(tests/sync/report_world.py), period boundaries, a withdrawal, a batch that arrives after the
cut-off, and the CLI's JSON, XLSX and PDF."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from capture import kpis, report_files
from sync.server import report_facts as rf
from sync.server.__main__ import main
from sync.server.store import Store
from tests.sync import report_world as world

NOVEMBER = {"visits": 3, "households_visited": 2, "martyrs_mentioned": 4, "items_digitised": 4,
            "pages_digitised": 9, "videos": 1, "testimonies": 2, "testimony_seconds": 56,
            "witnesses_heard": 3, "dna_volunteers": 1, "consents_signed": 2, "withdrawals": 0,
            "leads_received": 3}
CASE_WORK = ("leads_verified", "coordinates_verified", "dna_samples_collected",
             "dna_samples_matched", "remains_found", "remains_gathered")


def cells(path) -> dict:  # type: ignore[no-untyped-def]
    book = load_workbook(path, read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def values(data: dict) -> dict:
    return {k: v["value"] for k, v in data["kpis"].items()}


@pytest.fixture
def command(database_url):
    store = Store(database_url)
    return store, world.build(store)["key"]


def test_november_counted_by_hand_and_case_work_zero_while_none_was_done(command):
    store, _ = command
    data = rf.build(store, kpis.parse_cutoff("2026-12-03"), period="2026-11")
    got = values(data)
    assert {k: got[k] for k in NOVEMBER} == NOVEMBER
    for kpi_id in CASE_WORK:  # the lead and DNA work exists and did nothing yet: 0
        assert data["kpis"][kpi_id] == {**data["kpis"][kpi_id], "value": 0,
                                        "status": "recorded"}
    assert got["verification_rate"] == 0.0  # 0 of 3 leads received
    assert data["kpis"]["visits"]["status"] == "recorded"
    assert data["kpis"]["visits"]["label_vi"] == "Chuyến thăm hộ gia đình"
    # October held V4 only; the change is shown against it.
    assert data["previous"]["kpis"]["martyrs_mentioned"] == {"value": 1, "change": 3}
    assert data["period"]["from"] == "2026-11-01" and data["period"]["cutoff_rule"] == "calendar"
    assert data["snapshot"]["source"]["kind"] == "command"


def test_boundaries_week_decree_and_what_had_arrived(command):
    store, _ = command
    cut = kpis.parse_cutoff("2026-12-03")
    # ISO week 48 is 23–29 November: the visits of the 24th and 25th, not the 30th.
    assert values(rf.build(store, cut, period="2026-W48"))["visits"] == 2
    # Decree 09: "November" is 15 October – 14 November, so only V4 (31 October) is in it,
    # and the visits of the 24th, 25th and 30th are December's.
    decree = rf.build(store, cut, period="2026-11", rule="decree-09")
    assert decree["period"]["from"] == "2026-10-15"
    assert values(decree)["visits"] == 1
    assert values(rf.build(store, cut, period="2026-12", rule="decree-09"))["visits"] == 3
    # Cut at the end of 30 November: batch B2 (received 1 December) was not there yet.
    early = values(rf.build(store, kpis.parse_cutoff("2026-11-30"), period="2026-11"))
    assert (early["visits"], early["pages_digitised"], early["testimony_seconds"]) == (2, 5, 46)
    ranged = rf.build(store, cut, start=date(2026, 11, 25), end=date(2026, 11, 30))
    assert values(ranged)["visits"] == 2


def test_by_commune_station_and_province(command):
    store, _ = command
    cut = kpis.parse_cutoff("2026-12-03")
    by_station = rf.build(store, cut, period="2026-11", by="station")["by"]
    assert [(g["label"], g["kpis"]["visits"]["value"]) for g in by_station["groups"]] == [
        ("Trạm Đông Hà", 2), ("Trạm Gio Linh", 1)]
    by_commune = rf.build(store, cut, period="2026-11", by="commune")["by"]
    assert [(g["key"], g["kpis"]["pages_digitised"]["value"])
            for g in by_commune["groups"]] == [("4", 5), ("7", 4)]
    assert by_commune["groups"][0]["label"] == "Phường Ba Đình"
    by_province = rf.build(store, cut, period="2026-11", by="province")
    groups = by_province["by"]["groups"]
    assert by_province["by"]["dimension"] == "province"
    assert [(g["label"], g["kpis"]["visits"]["value"]) for g in groups] == [
        ("Thành phố Hà Nội", 3)]
    assert groups[0]["kpis"]["remains_found"]["status"] == "recorded"
    # One sheet per table, the breakdown's named for its dimension (it once said "Theo trạm").
    sheets = report_files.tables(by_province)
    assert list(sheets) == ["Thông tin", "Chỉ số", "So với kỳ trước", "Diễn biến",
                            "Theo tỉnh, thành phố"]
    assert sheets["Theo tỉnh, thành phố"][0][2] == "Thành phố Hà Nội (1)"
    book = io.BytesIO()
    report_files.write_xlsx(by_province, book)
    assert load_workbook(book, read_only=True).sheetnames[-1] == "Theo tỉnh, thành phố"


def test_same_cutoff_same_bytes_after_later_batches_and_a_withdrawal_counts(command):
    store, key = command
    cut = kpis.parse_cutoff("2026-12-03")
    first = kpis.report_json(rf.build(store, cut, period="2026-11", by="commune"))
    assert kpis.report_json(rf.build(store, cut, period="2026-11", by="commune")) == first
    world.late_visit(store, key)  # B4, received 5 December, holds a visit of 20 November
    world.resend_v1(store, key)  # ... and V1 again, approved a second time
    assert kpis.report_json(rf.build(store, cut, period="2026-11", by="commune")) == first
    later = values(rf.build(store, kpis.parse_cutoff("2026-12-06"), period="2026-11"))
    assert (later["visits"], later["martyrs_mentioned"]) == (4, 7)
    # The family of V3 withdraws a photo (notice of 2 December, applied on its arrival).
    world.withdraw_one_page(store, key)
    after = rf.build(store, kpis.parse_cutoff("2026-12-06"), period="2026-12")
    assert values(after)["withdrawals"] == 1
    november = values(rf.build(store, kpis.parse_cutoff("2026-12-06"), period="2026-11"))
    assert november["pages_digitised"] == 8 and november["items_digitised"] == 4


@pytest.mark.slow
def test_cli_writes_json_xlsx_and_a_pdf_with_every_diacritic(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    world.build(Store(url))
    common = ["report", "--database", url, "--period", "2026-11", "--as-of", "2026-12-03",
              "--by", "station"]
    outs = {}
    for fmt in ("json", "xlsx", "pdf"):
        outs[fmt] = tmp_path / f"report.{fmt}"
        assert main([*common, "--format", fmt, "--out", str(outs[fmt])]) == 0
    data = json.loads(outs["json"].read_text(encoding="utf-8"))
    assert set(data) >= {"period", "snapshot", "kpis", "by"}
    assert {k: data["kpis"][k]["value"] for k in NOVEMBER} == NOVEMBER
    again = tmp_path / "again.json"
    assert main([*common, "--format", "json", "--out", str(again)]) == 0
    assert again.read_bytes() == outs["json"].read_bytes()
    again_xlsx = tmp_path / "again.xlsx"
    assert main([*common, "--format", "xlsx", "--out", str(again_xlsx)]) == 0
    assert cells(again_xlsx) == cells(outs["xlsx"])  # every sheet, every cell
    sheets = load_workbook(outs["xlsx"], read_only=True)
    figures = {row[0]: row[3] for row in sheets["Chỉ số"].iter_rows(values_only=True)}
    assert figures["pages_digitised"] == 9 and figures["leads_verified"] == 0
    text = subprocess.run(["pdftotext", "-layout", str(outs["pdf"]), "-"], check=True,
                          capture_output=True, text=True).stdout
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "BỘ CHỈ HUY QUÂN SỰ THÀNH PHỐ HÀ", "Trạm Đông Hà", "Hộ gia đình được thăm",
                  "Tháng 11/2026"):
        assert words in text, words
    assert main(["report", "--database", url, "--period", "2026-13", "--format", "json",
                 "--out", str(tmp_path / "bad.json")]) == 2
    assert "2026-13" in capsys.readouterr().err
    assert not (tmp_path / "bad.json").exists()


def test_lead_and_dna_figures_from_their_events_counted_by_hand(command):
    """report_world.case_work's docstring counts these by hand."""
    store, _ = command
    world.case_work(store)
    cut = kpis.parse_cutoff("2026-12-03")
    november = values(rf.build(store, cut, period="2026-11"))
    assert {k: november[k] for k in (*CASE_WORK, "verification_rate", "leads_received")} == {
        "leads_verified": 1, "coordinates_verified": 1, "dna_samples_collected": 1,
        "dna_samples_matched": 1, "remains_found": 3, "remains_gathered": 0,
        "verification_rate": 33.3, "leads_received": 3}
    # L2 verified at 00:30 on 1 December in Vietnam (30 November in UTC): December's. L3,
    # verified on the 4th, is after the cut-off; so is S-002, collected in November but
    # entered on 4 December.
    december = values(rf.build(store, cut, period="2026-12"))
    assert (december["leads_verified"], december["coordinates_verified"],
            december["remains_gathered"], december["remains_found"]) == (1, 1, 3, 0)
    assert december["verification_rate"] is None  # no lead received in December
    later = kpis.parse_cutoff("2026-12-05")
    december = values(rf.build(store, later, period="2026-12"))
    assert (december["leads_verified"], december["coordinates_verified"]) == (2, 2)
    assert values(rf.build(store, later, period="2026-11"))["dna_samples_collected"] == 2
    october = values(rf.build(store, later, period="2026-10"))
    assert (october["dna_samples_collected"], october["dna_samples_matched"]) == (1, 0)
    # L1 and L2 point at one place: the campaign counts one coordinate for two leads.
    campaign = values(rf.build(store, later, period="campaign"))
    assert (campaign["leads_verified"], campaign["coordinates_verified"]) == (3, 2)
    assert (campaign["remains_found"], campaign["remains_gathered"]) == (3, 3)
    # By station: the leads and S-001 are V1's (S1); S-003 names no person: no station.
    groups = rf.build(store, later, period="2026-11", by="station")["by"]["groups"]
    assert [(g["key"], g["kpis"]["dna_samples_collected"]["value"],
             g["kpis"]["leads_verified"]["value"]) for g in groups] == [
        ("", 1, 0), (world.S1, 1, 1), (world.S2, 0, 0)]
    # Drill-down: the visits whose leads (relatives' samples) had the step in the period.
    from sync.server.actors import READER
    from sync.server.actors import Actor as Who
    november_period = kpis.parse_period("2026-11")
    with store.engine.connect() as conn:
        def drill(kpi_id: str) -> list:
            return [(r["visit_id"], r["count"]) for r in rf.records(
                conn, Who("doc", READER), kpi_id, november_period)]
        assert drill("leads_verified") == [(world.uid("V1"), 1)]
        assert drill("remains_found") == [(world.uid("V1"), 3)]
        assert drill("dna_samples_collected") == [(world.uid("V1"), 1)]
        assert drill("remains_gathered") == []
    # The same cut-off, the same bytes, after later lead events.
    first = kpis.report_json(rf.build(store, cut, period="2026-11", by="commune"))
    from sync.server import leads
    from sync.server.actors import ADMIN, Actor
    with store.begin() as conn:
        leads.transition(conn, Actor("chi-huy", ADMIN), world.uid("V1/l1"), leads.SEARCHED,
                         world.utc(later))
    assert kpis.report_json(rf.build(store, cut, period="2026-11", by="commune")) == first


def test_a_database_without_the_dna_table_says_not_yet_recorded(command):
    store, _ = command
    with store.begin() as conn:
        conn.exec_driver_sql("DROP TABLE dna_steps")
    data = rf.build(store, kpis.parse_cutoff("2026-12-03"), period="2026-11")
    for kpi_id in ("dna_samples_collected", "dna_samples_matched"):
        assert (data["kpis"][kpi_id]["value"], data["kpis"][kpi_id]["status"]) == (
            None, "not_yet_recorded")
    assert data["kpis"]["leads_verified"]["status"] == "recorded"
