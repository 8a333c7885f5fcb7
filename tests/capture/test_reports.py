"""The campaign's figures: periods and their boundaries under both cut-off rules, dated
snapshots, hand-counted KPIs of a real station (tests/capture/report_station.py), the command's
facts that a station cannot know, and byte-identical JSON for the same cut-off."""

from __future__ import annotations

import json
import random
from datetime import date, datetime

import pytest

from capture import kpis, station_report
from capture.errors import PermissionDenied
from capture.kpis import CutoffRule, Fact, FactKind, InvalidPeriod
from capture.roles import Role
from capture.vault import NewUser
from tests.capture import report_station as rs

NOVEMBER = {
    "visits": 4, "households_visited": 3, "martyrs_mentioned": 5, "items_digitised": 4,
    "pages_digitised": 7, "videos": 1, "testimonies": 2, "testimony_seconds": 10,
    "witnesses_heard": 4, "dna_volunteers": 1, "consents_signed": 4, "withdrawals": 1,
    "leads_received": 3, "leads_verified": None, "verification_rate": None,
    "coordinates_verified": None, "dna_samples_collected": None, "dna_samples_matched": None,
    "remains_found": None, "remains_gathered": None}
COMMAND_ONLY = ("leads_verified", "verification_rate", "coordinates_verified",
                "dna_samples_collected", "dna_samples_matched", "remains_found",
                "remains_gathered")


@pytest.fixture(scope="module")
def station(tmp_path_factory):  # type: ignore[no-untyped-def]
    return rs.build(tmp_path_factory.mktemp("report-station"))


@pytest.fixture
def vault(station):  # type: ignore[no-untyped-def]
    unlocked = rs.unlock(station)
    yield unlocked
    unlocked.lock()


def values(data) -> dict:  # type: ignore[no-untyped-def]
    return {kpi: entry["value"] for kpi, entry in data["kpis"].items()}


# --- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "rule", "start", "end"), [
    ("2026-11", "calendar", "2026-11-01", "2026-11-30"),
    ("2026-11", "decree-09", "2026-10-15", "2026-11-14"),
    ("2027-01", "decree-09", "2026-12-15", "2027-01-14"),
    ("2026-W48", "calendar", "2026-11-23", "2026-11-29"),
    ("2026-W48", "decree-09", "2026-11-23", "2026-11-29"),
    ("2026-W53", "calendar", "2026-12-28", "2027-01-03"),
    ("2026-Q4", "calendar", "2026-10-01", "2026-12-31"),
    ("2026-Q4", "decree-09", "2026-09-15", "2026-12-14"),
    ("2026-H2", "calendar", "2026-07-01", "2026-12-31"),
    ("2026-H2", "decree-09", "2026-06-15", "2026-12-14"),
    ("2027-H1", "decree-09", "2026-12-15", "2027-06-14"),
    ("2026", "calendar", "2026-01-01", "2026-12-31"),
    ("2026", "decree-09", "2025-12-15", "2026-12-14"),
    ("campaign", "calendar", "2026-06-01", "2027-07-27"),
])
def test_periods_have_the_boundaries_of_their_rule(text, rule, start, end) -> None:  # type: ignore[no-untyped-def]
    period = kpis.parse_period(text, rule)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_the_previous_period_and_the_trend_follow_the_rule() -> None:
    november = kpis.parse_period("2026-11", CutoffRule.DECREE_09)
    assert november.previous() == kpis.month_period(2026, 10, CutoffRule.DECREE_09)
    assert november.previous().start == date(2026, 9, 15)
    assert [p.label for p in november.trend()] == [
        "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    # Nothing before the campaign: a quarter's trend starts with the campaign's first quarter.
    assert [p.label for p in kpis.parse_period("2026-Q4").trend()] == [
        "2026-Q2", "2026-Q3", "2026-Q4"]
    assert kpis.parse_period("campaign").previous() is None
    week = kpis.parse_period("2027-W01")
    assert week.previous().label == "2026-W53"
    span = kpis.range_period(date(2026, 11, 10), date(2026, 11, 19))
    assert (span.previous().start, span.previous().end) == (date(2026, 10, 31),
                                                            date(2026, 11, 9))
    # A range's trend is its months, cut to the range.
    assert [(p.start.day, p.end.day) for p in kpis.range_period(
        date(2026, 11, 20), date(2026, 12, 5)).trend()] == [(20, 30), (1, 5)]


def test_a_day_belongs_to_the_period_its_rule_says() -> None:
    day = date(2026, 11, 15)
    assert kpis.containing("month", day).label == "2026-11"
    assert kpis.containing("month", day, "decree-09").label == "2026-12"
    assert kpis.containing("month", date(2026, 11, 14), "decree-09").label == "2026-11"
    assert kpis.containing("year", date(2026, 12, 20), "decree-09").label == "2027"
    assert kpis.containing("half", date(2026, 6, 15), "decree-09").label == "2026-H2"
    assert kpis.containing("week", day).label == "2026-W46"


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2027-W53", "2026-Q5", "tháng 11",
                                  "", "1999", "2026-H3"])
def test_a_period_that_makes_no_sense_is_refused_with_a_sentence(text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidPeriod) as refused:
        kpis.parse_period(text)
    assert "2026-W48" in str(refused.value)


def test_a_cut_off_date_means_the_end_of_that_day_in_vietnam() -> None:
    assert kpis.parse_cutoff("2026-11-24").isoformat() == "2026-11-25T00:00:00+07:00"
    assert kpis.parse_cutoff("2026-11-24T17:30").isoformat() == "2026-11-24T17:30:00+07:00"
    with pytest.raises(kpis.InvalidCutoff):
        kpis.parse_cutoff("hôm qua")


# --- the station's figures, counted by hand ----------------------------------------------------


def test_november_figures_match_the_hand_count(vault) -> None:  # type: ignore[no-untyped-def]
    data = station_report.build(vault, rs.cutoff("2026-11-24"), period="2026-11")
    assert values(data) == NOVEMBER
    assert data["period"]["from"] == "2026-11-01" and data["period"]["to"] == "2026-11-30"
    assert data["period"]["cutoff_rule"] == "calendar"
    assert data["snapshot"]["as_of"] == "2026-11-25T00:00:00.000000+07:00"
    assert data["snapshot"]["source"]["station_name"] == rs.STATION
    entry = data["kpis"]["visits"]
    assert list(entry) == ["value", "status", "label_vi", "label_en", "definition"]
    assert entry["label_vi"] == "Chuyến thăm hộ gia đình"
    assert "visit day" in entry["definition"]["en"] and "ngày thăm" in entry["definition"]["vi"]
    # What the station cannot know is not a zero.
    for kpi in COMMAND_ONLY:
        assert data["kpis"][kpi] | {"label_vi": "", "label_en": "", "definition": ""} == {
            "value": None, "status": "not_yet_recorded", "label_vi": "", "label_en": "",
            "definition": ""}
    assert all(data["kpis"][k]["status"] == "recorded" for k in NOVEMBER if k not in COMMAND_ONLY)


def test_the_24th_counts_and_what_was_recorded_from_the_25th_waits(vault) -> None:  # type: ignore[no-untyped-def]
    on_24th = values(station_report.build(vault, rs.cutoff("2026-11-24"), period="2026-11"))
    # Cut off at 20:00 on the 24th: V4, recorded at 20:00 exactly, is not in yet.
    before_v4 = values(station_report.build(vault, kpis.parse_cutoff("2026-11-24T20:00"),
                                            period="2026-11"))
    assert on_24th["visits"] - before_v4["visits"] == 1
    # Three days later: V5 (the 25th), V6 (dated the 10th, entered on the 26th) and a letter
    # page found on the 26th are in; the letter page withdrawn on the 27th is out.
    later = values(station_report.build(vault, rs.cutoff("2026-11-27"), period="2026-11"))
    assert later | {"visits": 0} == on_24th | {
        "visits": 0, "households_visited": 5, "martyrs_mentioned": 7, "items_digitised": 5,
        "pages_digitised": 8, "withdrawals": 2}
    assert later["visits"] == 6


def test_a_withdrawn_capture_leaves_the_figures_from_the_withdrawal_on(vault) -> None:  # type: ignore[no-untyped-def]
    # V3's only page (15th) was withdrawn on the 20th: counted before, not after.
    def v3(day: str) -> dict:  # type: ignore[type-arg]
        data = station_report.build(vault, rs.cutoff(day), period="2026-11", by="commune")
        return next(g for g in data["by"]["groups"] if g["key"] == str(rs.BACH_MAI))["kpis"]

    assert (v3("2026-11-19")["pages_digitised"]["value"],
            v3("2026-11-19")["withdrawals"]["value"]) == (1, 0)
    assert (v3("2026-11-20")["pages_digitised"]["value"],
            v3("2026-11-20")["items_digitised"]["value"],
            v3("2026-11-20")["withdrawals"]["value"]) == (0, 0, 1)


def test_the_decree_rule_moves_the_15th_into_the_next_month(vault) -> None:  # type: ignore[no-untyped-def]
    data = station_report.build(vault, rs.cutoff("2026-11-24"), period="2026-11",
                                rule="decree-09")
    assert values(data) | {k: None for k in COMMAND_ONLY} == NOVEMBER | {
        "visits": 3, "households_visited": 2, "martyrs_mentioned": 3, "witnesses_heard": 3,
        "consents_signed": 3, "withdrawals": 0, "leads_received": 4}
    assert "09/2019/NĐ-CP" in data["period"]["cutoff_rule_text"]["vi"]
    december = values(station_report.build(vault, rs.cutoff("2026-11-24"), period="2026-12",
                                           rule="decree-09"))
    assert (december["visits"], december["withdrawals"]) == (2, 1)  # V3 (15th), V4 (24th)


def test_by_commune_the_previous_month_and_the_trend(vault) -> None:  # type: ignore[no-untyped-def]
    data = station_report.build(vault, rs.cutoff("2026-11-24"), period="2026-11", by="commune")
    groups = {g["label"]: values(g) for g in data["by"]["groups"]}
    assert data["by"]["dimension"] == "commune"
    assert (groups["Phường Ba Đình"]["visits"], groups["Phường Bạch Mai"]["visits"]) == (3, 1)
    assert groups["Phường Bạch Mai"]["leads_verified"] is None
    assert sum(g["consents_signed"] for g in groups.values()) == 4
    previous = data["previous"]
    assert previous["period"]["label"] == "2026-10"
    assert previous["kpis"]["visits"] == {"value": 1, "change": 3}
    assert previous["kpis"]["pages_digitised"] == {"value": 1, "change": 6}
    assert previous["kpis"]["remains_found"] == {"value": None, "change": None}
    assert [(p["label"], p["values"]["visits"]) for p in data["trend"]] == [
        ("2026-06", 0), ("2026-07", 0), ("2026-08", 0), ("2026-09", 0), ("2026-10", 1),
        ("2026-11", 4)]
    station = station_report.build(vault, rs.cutoff("2026-11-24"), period="2026-11",
                                   by="station")["by"]["groups"]
    assert [(g["label"], g["kpis"]["visits"]["value"]) for g in station] == [(rs.STATION, 4)]


def test_campaign_to_date_and_a_date_range(vault) -> None:  # type: ignore[no-untyped-def]
    data = station_report.build(vault, rs.cutoff("2026-11-24"), period="campaign")
    assert data["period"]["to"] == "2026-11-24" and data["previous"] is None
    assert values(data)["visits"] == 5  # V7 in October too
    span = station_report.build(vault, rs.cutoff("2026-11-24"), start=date(2026, 11, 14),
                                end=date(2026, 11, 15))
    assert values(span)["visits"] == 2 and span["period"]["kind"] == "range"


def test_only_coordinators_and_admins_see_reports(station) -> None:  # type: ignore[no-untyped-def]
    from capture import accounts
    from capture.vault import Vault

    admin = Vault(station.path).unlock("admin", rs.ADMIN_PASSPHRASE)
    try:
        assert values(station_report.build(admin, rs.cutoff("2026-11-24"),
                                           period="2026-11")) == NOVEMBER
        if "lan" not in {a.username for a in accounts.list_accounts(admin)}:
            accounts.create_user(admin, NewUser("lan", "Trần Thị Lan", "tạm thời 12345",
                                                Role.VOLUNTEER))
    finally:
        admin.lock()
    volunteer = Vault(station.path).unlock("lan", "tạm thời 12345")
    try:
        volunteer.set_new_passphrase("mật khẩu của Lan")
        with pytest.raises(PermissionDenied):
            station_report.snapshot(volunteer, rs.cutoff("2026-11-24"))
    finally:
        volunteer.lock()


def test_the_same_cut_off_gives_the_same_bytes_after_more_work(station, vault) -> None:  # type: ignore[no-untyped-def]
    from capture import visits

    cut = rs.cutoff("2026-11-24")
    first = kpis.report_json(station_report.build(vault, cut, period="2026-11", by="commune"))
    station.clock.at("2026-12-02", 9)  # a visit dated in November, entered in December
    late = visits.create_visit(vault, visits.Household(rs.HANOI, rs.BA_DINH, village="Thôn Mới"),
                               date(2026, 11, 12))
    visits.add(vault, late, visits.LeadData(description="Rừng tre"))
    again = kpis.report_json(station_report.build(vault, cut, period="2026-11", by="commune"))
    assert again == first
    assert json.loads(first)["snapshot"]["sha256"] == json.loads(again)["snapshot"]["sha256"]
    now = json.loads(kpis.report_json(station_report.build(vault, rs.cutoff("2026-12-02"),
                                                           period="2026-11")))
    assert now["kpis"]["visits"]["value"] == 7 and now["kpis"]["leads_received"]["value"] == 4


# --- the command's facts, through the same module ----------------------------------------------


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=kpis.VIETNAM)


def _command_facts() -> list[Fact]:
    leads = [Fact(FactKind.LEAD, f"lead-{i}", date(2026, 11, 2 + i), _at(f"2026-11-{3 + i:02d}"),
                  station="s1", commune="4") for i in range(8)]
    verified = [Fact(FactKind.LEAD_VERIFIED, "lead-0", date(2026, 11, 10),
                     _at("2026-11-10T10:00"), station="s1", commune="4"),
                Fact(FactKind.LEAD_VERIFIED, "lead-1", date(2026, 11, 20),
                     _at("2026-11-20T10:00"), station="s1", commune="4"),
                # verified on the 24th but entered after the cut-off
                Fact(FactKind.LEAD_VERIFIED, "lead-2", date(2026, 11, 24),
                     _at("2026-11-26T08:00"), station="s1", commune="4")]
    remains = [Fact(FactKind.REMAINS_FOUND, "site-1", date(2026, 11, 18), _at("2026-11-18"),
                    station="s1", commune="4", quantity=3)]
    return leads + verified + remains


def _command_snapshot(facts: list[Fact], as_of: datetime) -> kpis.Snapshot:
    return kpis.freeze(facts, as_of, source={"kind": "command", "name": "Bộ CHQS tỉnh"},
                       covers={*kpis.STATION_KINDS, FactKind.LEAD_VERIFIED,
                               FactKind.REMAINS_FOUND})


def test_a_lead_verified_after_the_cut_off_is_not_counted_and_the_rate_follows() -> None:
    november = kpis.parse_period("2026-11")
    data = kpis.report(_command_snapshot(_command_facts(), rs.cutoff("2026-11-24")), november)
    got = values(data)
    assert (got["leads_received"], got["leads_verified"], got["verification_rate"]) == (8, 2, 25.0)
    assert got["remains_found"] == 3 and data["kpis"]["remains_found"]["status"] == "recorded"
    # Not covered by this source: still not recorded, never zero.
    assert got["remains_gathered"] is None and got["coordinates_verified"] is None
    later = values(kpis.report(_command_snapshot(_command_facts(), rs.cutoff("2026-11-26")),
                               november))
    assert (later["leads_verified"], later["verification_rate"]) == (3, 37.5)
    # No lead received: the rate is blank, not 0 %.
    empty = values(kpis.report(_command_snapshot(_command_facts(), rs.cutoff("2026-11-24")),
                               kpis.parse_period("2026-09")))
    assert (empty["leads_received"], empty["verification_rate"]) == (0, None)


def test_the_order_of_the_facts_never_changes_a_byte() -> None:
    facts = _command_facts() + [
        Fact(FactKind.RECORDING, f"r{i}", date(2026, 11, 5), _at("2026-11-05"), key=f"t{i % 3}",
             quantity=0.1 * (i + 1)) for i in range(30)]
    cut = rs.cutoff("2026-11-24")
    expected = kpis.report_json(kpis.report(_command_snapshot(facts, cut),
                                            kpis.parse_period("2026-11"), by="commune"))
    shuffled = list(facts)
    random.Random(7).shuffle(shuffled)
    assert kpis.report_json(kpis.report(_command_snapshot(shuffled, cut),
                                        kpis.parse_period("2026-11"), by="commune")) == expected
    assert json.loads(expected)["kpis"]["testimony_seconds"]["value"] == 47  # 0.1 * 465
