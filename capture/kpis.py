"""The campaign's figures (COMMAND.md §6): what each one counts, from which records, in which
period, in Vietnamese and English, and how it is computed from a dated snapshot.

No Qt and no vault here: the station (``capture.station_report``) and the command's index both
turn their records into plain ``Fact`` rows and call the same functions.

- A ``Fact`` is one thing that happened: a visit, a photographed page, a finished recording, a
  consent, a lead verified at the command... with the **day it happened** (``day``, a local date:
  the visit's day for everything a visit holds, the signing day for a consent) and the **instant
  it was recorded** by the source (``recorded_at``: written on the station, or received into the
  command's index).
- ``freeze(facts, as_of, ...)`` keeps what was recorded before the cut-off instant ``as_of`` and
  forgets withdrawals made after it. The same facts and the same cut-off always give the same
  ``Snapshot`` (and the same digest), whatever arrives later.
- ``report(snapshot, period)`` counts the facts whose day lies in the period: every KPI of
  ``KPIS``, the previous period, a trend of recent periods, and a breakdown when asked.
  ``report_json`` writes it as canonical UTF-8 JSON (byte-identical for the same input).
- A figure whose records the source does not hold (``Snapshot.covers`` lacks the fact kind:
  lead verification, DNA and remains at a station) is ``not_yet_recorded`` with value ``None``,
  never 0.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from operator import attrgetter
from typing import Any

from capture.errors import CaptureError

FORMAT = "sohoa-kpi-report/1"
SNAPSHOT_FORMAT = "sohoa-kpi-snapshot/1"
# Vietnam has kept UTC+7 without daylight saving since 1975; a fixed offset needs no tz
# database (which a Windows laptop may lack) and can never shift a boundary.
VIETNAM = timezone(timedelta(hours=7), "ICT")
CAMPAIGN_START = date(2026, 6, 1)
CAMPAIGN_END = date(2027, 7, 27)
TREND_LENGTH = 6


class InvalidPeriod(CaptureError):
    message = ("The report period {text} is not understood: write 2026-11, 2026-W48, 2026-Q4, "
               "2026-H2, 2026 or campaign, or give a start and an end date.")


class InvalidCutoff(CaptureError):
    message = "The cut-off {text} is not understood: write a date (2026-11-24) or a date and time."


class CutoffRule(StrEnum):
    CALENDAR = "calendar"
    DECREE_09 = "decree-09"


RULE_TEXT = {
    CutoffRule.CALENDAR: {
        "vi": "Kỳ theo lịch: tuần từ thứ Hai đến Chủ nhật (ISO 8601); tháng, quý, 6 tháng và "
              "năm từ ngày đầu đến ngày cuối.",
        "en": "Calendar periods: weeks Monday to Sunday (ISO 8601); months, quarters, "
              "half-years and years from their first to their last day."},
    CutoffRule.DECREE_09: {
        "vi": "Thời gian chốt số liệu theo Nghị định 09/2019/NĐ-CP: tháng từ ngày 15 tháng "
              "trước đến ngày 14 tháng báo cáo; quý, 6 tháng và năm từ ngày 15 tháng trước kỳ "
              "đến ngày 14 tháng cuối kỳ; tuần từ thứ Hai đến Chủ nhật.",
        "en": "Data cut-off of Decree 09/2019/NĐ-CP: a month runs from the 15th of the previous "
              "month to the 14th; quarters, half-years and years from the 15th of the month "
              "before to the 14th of their last month; weeks Monday to Sunday."},
}


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"
    CAMPAIGN = "campaign"
    RANGE = "range"


_ROMAN = ("I", "II", "III", "IV")
# Not calendar.month_name: that follows the process's locale, and a report must not.
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    label: str  # as typed: 2026-11, 2026-W48, 2026-Q4, 2026-H2, 2026, campaign, or from..to
    start: date
    end: date  # inclusive
    rule: CutoffRule = CutoffRule.CALENDAR

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "label": self.label, "from": self.start.isoformat(),
                "to": self.end.isoformat(), "cutoff_rule": self.rule.value,
                "cutoff_rule_text": RULE_TEXT[self.rule], "title": self.title()}

    def title(self) -> dict[str, str]:
        span = f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"
        year, number = _label_numbers(self)
        kind = self.kind
        if kind is PeriodKind.WEEK:
            vi, en = f"Tuần {number}/{year}", f"Week {number} of {year}"
        elif kind is PeriodKind.MONTH:
            vi, en = f"Tháng {number}/{year}", f"{_MONTHS_EN[number - 1]} {year}"
        elif kind is PeriodKind.QUARTER:
            vi, en = f"Quý {_ROMAN[number - 1]}/{year}", f"Q{number} {year}"
        elif kind is PeriodKind.HALF:
            vi = f"6 tháng {'đầu' if number == 1 else 'cuối'} năm {year}"
            en = f"{'First' if number == 1 else 'Second'} half of {year}"
        elif kind is PeriodKind.YEAR:
            vi, en = f"Năm {year}", f"Year {year}"
        elif kind is PeriodKind.CAMPAIGN:
            vi, en = "Từ đầu Chiến dịch", "Campaign to date"
        else:
            vi, en = "Từ ngày đến ngày", "Date range"
        return {"vi": f"{vi} ({span})", "en": f"{en} ({span})"}

    def short(self) -> str:
        """A few characters for a chart's axis."""
        year, number = _label_numbers(self)
        return {PeriodKind.WEEK: f"T{number}/{year % 100:02d}",
                PeriodKind.MONTH: f"{number:02d}/{year}",
                PeriodKind.QUARTER: f"Q{number}/{year}",
                PeriodKind.HALF: f"H{number}/{year}",
                PeriodKind.YEAR: str(year)}.get(self.kind, f"{self.end:%d/%m/%y}")

    def previous(self) -> Period | None:
        """The period just before, of the same kind and rule (None for the whole campaign)."""
        if self.kind is PeriodKind.CAMPAIGN:
            return None
        if self.kind is PeriodKind.RANGE:
            length = self.end - self.start + timedelta(days=1)
            return range_period(self.start - length, self.start - timedelta(days=1), self.rule)
        return _step(self, -1)

    def trend(self, length: int = TREND_LENGTH) -> list[Period]:
        """Recent periods ending with this one, oldest first, none wholly before the campaign.
        For the campaign or a date range: its months (by the same rule), cut to the range."""
        if self.kind in (PeriodKind.CAMPAIGN, PeriodKind.RANGE):
            months = []
            month = containing(PeriodKind.MONTH, self.start, self.rule)
            while month.start <= self.end:
                months.append(replace(month, start=max(month.start, self.start),
                                      end=min(month.end, self.end)))
                month = _step(month, 1)
            return months
        periods = [self]
        # Before the campaign there is nothing to count: no bars of zeros back to 2021.
        while len(periods) < length and _step(periods[0], -1).end >= CAMPAIGN_START:
            periods.insert(0, _step(periods[0], -1))
        return periods


def _label_numbers(period: Period) -> tuple[int, int]:
    numbers = [int(n) for n in re.findall(r"\d+", period.label)]
    return (numbers[0], numbers[1]) if len(numbers) >= 2 else (
        (numbers[0], 0) if numbers else (period.end.year, 0))


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _months_span(year: int, first: int, last: int, rule: CutoffRule) -> tuple[date, date]:
    """Months first..last of a year; by the decree, from the 15th of the month before to the
    14th of the last (Decree 09/2019/NĐ-CP, art. 12)."""
    if rule is CutoffRule.DECREE_09:
        before = _add_months(year, first, -1)
        return date(before[0], before[1], 15), date(year, last, 14)
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def month_period(year: int, month: int, rule: CutoffRule = CutoffRule.CALENDAR) -> Period:
    start, end = _months_span(year, month, month, rule)
    return Period(PeriodKind.MONTH, f"{year}-{month:02d}", start, end, rule)


def quarter_period(year: int, quarter: int, rule: CutoffRule = CutoffRule.CALENDAR) -> Period:
    start, end = _months_span(year, 3 * quarter - 2, 3 * quarter, rule)
    return Period(PeriodKind.QUARTER, f"{year}-Q{quarter}", start, end, rule)


def half_period(year: int, half: int, rule: CutoffRule = CutoffRule.CALENDAR) -> Period:
    start, end = _months_span(year, 6 * half - 5, 6 * half, rule)
    return Period(PeriodKind.HALF, f"{year}-H{half}", start, end, rule)


def year_period(year: int, rule: CutoffRule = CutoffRule.CALENDAR) -> Period:
    start, end = _months_span(year, 1, 12, rule)
    return Period(PeriodKind.YEAR, str(year), start, end, rule)


def week_period(year: int, week: int, rule: CutoffRule = CutoffRule.CALENDAR) -> Period:
    """An ISO week (Monday to Sunday) under either rule: the decree sets no weekly cut-off."""
    start = date.fromisocalendar(year, week, 1)
    return Period(PeriodKind.WEEK, f"{year}-W{week:02d}", start, start + timedelta(days=6), rule)


def campaign_period(rule: CutoffRule = CutoffRule.CALENDAR, until: date | None = None) -> Period:
    """The campaign from its first day, to ``until`` (the cut-off's day) or its last day."""
    end = CAMPAIGN_END if until is None else max(CAMPAIGN_START, min(CAMPAIGN_END, until))
    return Period(PeriodKind.CAMPAIGN, "campaign", CAMPAIGN_START, end, rule)


def range_period(start: date, end: date, rule: CutoffRule = CutoffRule.CALENDAR) -> Period:
    if end < start:
        raise InvalidPeriod(text=f"{start.isoformat()}..{end.isoformat()}")
    return Period(PeriodKind.RANGE, f"{start.isoformat()}..{end.isoformat()}", start, end, rule)


def _step(period: Period, delta: int) -> Period:
    year, number = _label_numbers(period)
    rule = period.rule
    if period.kind is PeriodKind.WEEK:
        monday = period.start + timedelta(weeks=delta)
        iso = monday.isocalendar()
        return week_period(iso.year, iso.week, rule)
    if period.kind is PeriodKind.MONTH:
        return month_period(*_add_months(year, number, delta), rule)
    if period.kind is PeriodKind.QUARTER:
        index = year * 4 + number - 1 + delta
        return quarter_period(index // 4, index % 4 + 1, rule)
    if period.kind is PeriodKind.HALF:
        index = year * 2 + number - 1 + delta
        return half_period(index // 2, index % 2 + 1, rule)
    if period.kind is PeriodKind.YEAR:
        return year_period(year + delta, rule)
    raise InvalidPeriod(text=period.label)


_PATTERNS = (
    (re.compile(r"(\d{4})-W(\d{1,2})"), lambda y, n, r: week_period(y, n, r), 53),
    (re.compile(r"(\d{4})-Q([1-4])"), lambda y, n, r: quarter_period(y, n, r), 4),
    (re.compile(r"(\d{4})-H([12])"), lambda y, n, r: half_period(y, n, r), 2),
    (re.compile(r"(\d{4})-(\d{1,2})"), lambda y, n, r: month_period(y, n, r), 12),
)


def parse_period(text: str, rule: CutoffRule | str = CutoffRule.CALENDAR,
                 until: date | None = None) -> Period:
    """``2026-11``, ``2026-W48``, ``2026-Q4``, ``2026-H2``, ``2026`` or ``campaign`` (to
    ``until``, the cut-off's day)."""
    rule = CutoffRule(rule)
    cleaned = text.strip().upper()
    if cleaned in ("CAMPAIGN", "CHIEN-DICH"):
        return campaign_period(rule, until)
    if re.fullmatch(r"\d{4}", cleaned) and 2000 <= int(cleaned) <= 2100:
        return year_period(int(cleaned), rule)
    for pattern, make, highest in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match and 1 <= int(match[2]) <= highest and 2000 <= int(match[1]) <= 2100:
            try:
                return make(int(match[1]), int(match[2]), rule)
            except ValueError:  # week 53 of a year with 52
                break
    raise InvalidPeriod(text=text[:40])


def containing(kind: PeriodKind | str, day: date, rule: CutoffRule | str = CutoffRule.CALENDAR
               ) -> Period:
    """The period of a kind that holds a day (the app's default: the current month)."""
    kind, rule = PeriodKind(kind), CutoffRule(rule)
    if kind is PeriodKind.RANGE:
        raise InvalidPeriod(text="range")
    if kind is PeriodKind.WEEK:
        iso = day.isocalendar()
        return week_period(iso.year, iso.week, rule)
    if kind is PeriodKind.CAMPAIGN:
        return campaign_period(rule, day)
    first = {PeriodKind.MONTH: month_period(day.year, day.month, rule),
             PeriodKind.QUARTER: quarter_period(day.year, (day.month - 1) // 3 + 1, rule),
             PeriodKind.HALF: half_period(day.year, 1 if day.month <= 6 else 2, rule),
             PeriodKind.YEAR: year_period(day.year, rule)}[kind]
    # Under the decree a day after the 14th belongs to the next period.
    return first if first.contains(day) else _step(first, 1)


def parse_cutoff(text: str) -> datetime:
    """A cut-off instant: a date means the end of that day in Vietnam (midnight after it); a
    date and time without an offset is Vietnam's time."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return end_of_day(date.fromisoformat(text.strip()))
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidCutoff(text=text[:40]) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def end_of_day(day: date) -> datetime:
    """The cut-off that includes everything recorded on ``day`` (Vietnam's time)."""
    return datetime.combine(day + timedelta(days=1), time(0), VIETNAM)


def local_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


# --- facts and snapshots ------------------------------------------------------------------------


class FactKind(StrEnum):
    # What a station records (capture.station_report).
    VISIT = "visit"  # key: the household
    MARTYR = "martyr"
    PAGE = "page"  # a photographed page or view; key: its item
    VIDEO = "video"  # a video clip of an item; key: its item
    RECORDING = "recording"  # a finished testimony part; key: its testimony; quantity: seconds
    WITNESS = "witness"  # a witness or veteran present, or a testimony's speaker; key: the person
    DNA_VOLUNTEER = "dna_volunteer"
    CONSENT = "consent"  # a family's signed consent (a first grant); day: signing day
    WITHDRAWAL = "withdrawal"  # day: the day it was recorded
    LEAD = "lead"
    # What only the command's lead and case work records (quantity: how many).
    LEAD_VERIFIED = "lead_verified"
    COORDINATE_VERIFIED = "coordinate_verified"
    DNA_SAMPLE_COLLECTED = "dna_sample_collected"
    DNA_SAMPLE_MATCHED = "dna_sample_matched"
    REMAINS_FOUND = "remains_found"
    REMAINS_GATHERED = "remains_gathered"


STATION_KINDS = frozenset({FactKind.VISIT, FactKind.MARTYR, FactKind.PAGE, FactKind.VIDEO,
                           FactKind.RECORDING, FactKind.WITNESS, FactKind.DNA_VOLUNTEER,
                           FactKind.CONSENT, FactKind.WITHDRAWAL, FactKind.LEAD})


@dataclass(frozen=True, slots=True)  # slots: a province holds millions of these
class Fact:
    kind: FactKind
    id: str
    day: date
    recorded_at: datetime  # aware
    station: str = ""
    commune: str = ""
    key: str = ""
    quantity: float = 1
    withdrawn_at: datetime | None = None  # the family took this capture back

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "id": self.id, "day": self.day.isoformat(),
                "recorded_at": _instant(self.recorded_at), "station": self.station,
                "commune": self.commune, "key": self.key, "quantity": self.quantity,
                "withdrawn_at": _instant(self.withdrawn_at) if self.withdrawn_at else None}


def _instant(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Snapshot:
    """Facts recorded before ``as_of``, in a fixed order, with what they came from."""

    source: dict[str, str]
    as_of: datetime
    covers: frozenset[FactKind]
    facts: tuple[Fact, ...]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # dimension -> key -> name
    digest: str = ""
    # A source that counts in bulk (the command's roll-up) keeps no facts: how many rows it
    # read, and how many of them hold each kind (``facts`` and ``facts_by_kind``).
    rows: tuple[int, dict[str, int]] | None = None

    def describe(self) -> dict[str, Any]:
        counts = {str(kind): n for kind, n in Counter(map(attrgetter("kind"), self.facts))
                  .items()}
        total = len(self.facts)
        if self.rows is not None:
            total, counts = self.rows[0], dict(self.rows[1])
        return {"format": SNAPSHOT_FORMAT, "as_of": _instant(self.as_of),
                "source": dict(sorted(self.source.items())),
                "covers": sorted(k.value for k in self.covers), "facts": total,
                "facts_by_kind": dict(sorted(counts.items())), "sha256": self.digest}


def freeze(facts: Iterable[Fact], as_of: datetime, *, source: dict[str, str],
           covers: Iterable[FactKind | str], labels: dict[str, dict[str, str]] | None = None
           ) -> Snapshot:
    """What was known at ``as_of``: facts recorded strictly before it, withdrawals made after
    it forgotten. The digest covers every kept fact, so two reports with the same digest were
    computed from the same records."""
    if as_of.tzinfo is None:
        raise InvalidCutoff(text=as_of.isoformat())
    kept = []
    for fact in facts:
        if fact.recorded_at >= as_of:
            continue
        if fact.withdrawn_at is not None and fact.withdrawn_at >= as_of:
            fact = replace(fact, withdrawn_at=None)
        kept.append(fact)
    kept.sort(key=attrgetter("kind", "id"))
    sha = hashlib.sha256()
    for start in range(0, len(kept), 8192):  # one line per fact, hashed in chunks
        sha.update("".join(map(_line, kept[start:start + 8192])).encode())
    return Snapshot(dict(source), as_of, frozenset(FactKind(k) for k in covers), tuple(kept),
                    {d: dict(v) for d, v in (labels or {}).items()}, sha.hexdigest())


def _line(fact: Fact) -> str:
    """A fact as one line of the digest: every field, instants as POSIX seconds (exact for the
    microseconds a datetime holds)."""
    out = fact.withdrawn_at.timestamp() if fact.withdrawn_at is not None else ""
    return (f"{fact.kind}\t{fact.id}\t{fact.day.toordinal()}\t{fact.recorded_at.timestamp()!r}"
            f"\t{fact.station}\t{fact.commune}\t{fact.key}\t{fact.quantity!r}\t{out!r}\n")


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# --- the KPIs ------------------------------------------------------------------------------------


class Status(StrEnum):
    RECORDED = "recorded"
    NOT_YET_RECORDED = "not_yet_recorded"


@dataclass(frozen=True)
class Kpi:
    id: str
    label_vi: str
    label_en: str
    definition_vi: str
    definition_en: str
    kinds: tuple[FactKind, ...] = ()
    measure: str = "sum"  # sum (of quantities) | distinct (keys) | ratio (of two KPIs, in %)
    ratio_of: tuple[str, str] = ("", "")

    @property
    def definition(self) -> dict[str, str]:
        return {"vi": self.definition_vi, "en": self.definition_en}


_CUTOFF_VI = "đã ghi trước thời điểm chốt số liệu"
_CUTOFF_EN = "recorded before the cut-off"
_VISIT_DAY_VI = "của các chuyến thăm có ngày thăm trong kỳ"
_VISIT_DAY_EN = "of the visits whose visit day falls in the period"
_NOT_WITHDRAWN_VI = "không tính phần gia đình đã rút lại sự đồng ý trước thời điểm chốt"
_NOT_WITHDRAWN_EN = "leaving out what the family withdrew before the cut-off"
_COMMAND_VI = ("Ghi nhận tại Bộ Chỉ huy quân sự tỉnh (công tác xác minh manh mối và hồ sơ liệt "
               "sĩ); trạm không có số liệu này")
_COMMAND_EN = ("Recorded at the provincial Military Command (lead verification and case work); "
               "a station does not hold this figure")

KPIS: tuple[Kpi, ...] = (
    Kpi("visits", "Chuyến thăm hộ gia đình", "Household visits",
        f"Số chuyến thăm (một hộ gia đình trong một ngày) có ngày thăm trong kỳ, {_CUTOFF_VI}, "
        "ở mọi trạng thái duyệt.",
        f"Visits (one household on one day) whose visit day falls in the period, {_CUTOFF_EN}, "
        "whatever their review state.", (FactKind.VISIT,)),
    Kpi("households_visited", "Hộ gia đình được thăm", "Households visited",
        f"Số hộ gia đình khác nhau {_VISIT_DAY_VI}; một hộ được nhận theo xã/phường, thôn và địa "
        "chỉ (không phân biệt dấu và chữ hoa), thăm nhiều lần vẫn tính một.",
        f"Distinct households {_VISIT_DAY_EN}; a household is known by its commune, village and "
        "address (ignoring diacritics and case), so several visits count once.",
        (FactKind.VISIT,), "distinct"),
    Kpi("martyrs_mentioned", "Liệt sĩ được nêu tên", "Martyrs mentioned",
        f"Số liệt sĩ được ghi {_VISIT_DAY_VI}; một liệt sĩ được nêu ở hai chuyến thăm tính hai "
        "lần (Bộ Chỉ huy đối chiếu các lần nêu tên).",
        f"Martyrs recorded {_VISIT_DAY_EN}; one martyr named at two visits counts twice (the "
        "command links the mentions).", (FactKind.MARTYR,)),
    Kpi("items_digitised", "Hiện vật, tư liệu được số hóa", "Items digitised",
        f"Số hiện vật, tư liệu (kỷ vật, nhật ký, thư, bản đồ vẽ tay...) {_VISIT_DAY_VI} có ít "
        f"nhất một trang ảnh hoặc đoạn phim, {_NOT_WITHDRAWN_VI}.",
        f"Items (keepsakes, diaries, letters, hand-drawn maps...) {_VISIT_DAY_EN} with at least "
        f"one photographed page or video clip, {_NOT_WITHDRAWN_EN}.",
        (FactKind.PAGE, FactKind.VIDEO), "distinct"),
    Kpi("pages_digitised", "Trang, ảnh được chụp", "Pages digitised",
        f"Số trang hoặc mặt được chụp của các hiện vật {_VISIT_DAY_VI}, {_CUTOFF_VI}, "
        f"{_NOT_WITHDRAWN_VI}.",
        f"Photographed pages or views of the items {_VISIT_DAY_EN}, {_CUTOFF_EN}, "
        f"{_NOT_WITHDRAWN_EN}.", (FactKind.PAGE,)),
    Kpi("videos", "Đoạn phim", "Video clips",
        f"Số đoạn phim về hiện vật {_VISIT_DAY_VI}, {_NOT_WITHDRAWN_VI}.",
        f"Video clips of items {_VISIT_DAY_EN}, {_NOT_WITHDRAWN_EN}.", (FactKind.VIDEO,)),
    Kpi("testimonies", "Lời kể được ghi âm", "Testimonies recorded",
        f"Số lời kể {_VISIT_DAY_VI} có ít nhất một phần ghi âm đã hoàn tất, {_NOT_WITHDRAWN_VI}.",
        f"Testimonies {_VISIT_DAY_EN} with at least one finished recording, "
        f"{_NOT_WITHDRAWN_EN}.", (FactKind.RECORDING,), "distinct"),
    Kpi("testimony_seconds", "Thời lượng lời kể (giây)", "Testimony (seconds)",
        f"Tổng thời lượng, tính bằng giây, các phần ghi âm đã hoàn tất của lời kể {_VISIT_DAY_VI}, "
        f"{_NOT_WITHDRAWN_VI}.",
        f"Total length in seconds of the finished recordings of testimonies {_VISIT_DAY_EN}, "
        f"{_NOT_WITHDRAWN_EN}.", (FactKind.RECORDING,)),
    Kpi("witnesses_heard", "Nhân chứng được nghe kể", "Witnesses heard",
        f"Số người khác nhau {_VISIT_DAY_VI} được ghi là nhân chứng hoặc cựu chiến binh, cùng "
        "những người kể của các lời kể đã ghi âm; mỗi người tính một lần.",
        f"Distinct people {_VISIT_DAY_EN} recorded as witnesses or veterans, together with the "
        "speakers of recorded testimonies; each person counts once.",
        (FactKind.WITNESS,), "distinct"),
    Kpi("dna_volunteers", "Thân nhân sẵn sàng cho mẫu ADN", "DNA volunteers",
        f"Số người {_VISIT_DAY_VI} được ghi là sẵn sàng cho mẫu sinh phẩm ADN.",
        f"People {_VISIT_DAY_EN} recorded as willing to give a DNA sample.",
        (FactKind.DNA_VOLUNTEER,)),
    Kpi("consents_signed", "Phiếu đồng ý đã ký", "Consents signed",
        f"Số phiếu đồng ý của gia đình (lần ký đầu, không tính sửa đổi) có ngày ký trong kỳ, "
        f"{_CUTOFF_VI}.",
        f"Families' consents (first signatures, amendments not counted again) signed in the "
        f"period, {_CUTOFF_EN}.", (FactKind.CONSENT,)),
    Kpi("withdrawals", "Lần rút lại sự đồng ý", "Withdrawals of consent",
        f"Số lần gia đình rút lại toàn bộ hoặc một phần sự đồng ý, ghi trong kỳ, {_CUTOFF_VI}.",
        f"Times a family withdrew all or part of a consent, recorded in the period, "
        f"{_CUTOFF_EN}.", (FactKind.WITHDRAWAL,)),
    Kpi("leads_received", "Manh mối, tin báo tiếp nhận", "Leads received",
        f"Số manh mối (nơi có thể an táng hoặc đầu mối khác) ghi {_VISIT_DAY_VI}, {_CUTOFF_VI}.",
        f"Leads (a possible burial place or another clue) recorded {_VISIT_DAY_EN}, "
        f"{_CUTOFF_EN}.", (FactKind.LEAD,)),
    Kpi("leads_verified", "Manh mối đã xác minh", "Leads verified",
        "Số manh mối khác nhau được chuyển sang trạng thái \"đã xác minh\" trong kỳ (có tọa độ, "
        f"hai nguồn độc lập hoặc kiểm tra thực địa), theo ngày xác minh, {_CUTOFF_VI}. "
        f"{_COMMAND_VI}.",
        "Distinct leads moved to \"verified\" in the period (with a coordinate, and two "
        f"independent sources or a field check), by the day of verification, {_CUTOFF_EN}. "
        f"{_COMMAND_EN}.", (FactKind.LEAD_VERIFIED,), "distinct"),
    Kpi("verification_rate", "Tỷ lệ xác minh (%)", "Verification rate (%)",
        "Manh mối đã xác minh trong kỳ chia cho manh mối tiếp nhận trong kỳ, tính theo phần "
        "trăm, làm tròn một chữ số thập phân (có thể quá 100 khi xác minh manh mối của các kỳ "
        "trước); không có manh mối tiếp nhận thì để trống.",
        "Leads verified in the period divided by leads received in the period, in per cent, to "
        "one decimal (it can pass 100 when leads of earlier periods are verified); blank when "
        "no lead was received.", (), "ratio", ("leads_verified", "leads_received")),
    Kpi("coordinates_verified", "Tọa độ được xác minh", "Coordinates verified",
        "Số tọa độ tìm kiếm khác nhau (làm tròn khoảng 1 m) của các manh mối được xác minh "
        f"trong kỳ; hai manh mối chỉ cùng một điểm tính một, {_CUTOFF_VI}. {_COMMAND_VI}.",
        "Distinct search coordinates (to about 1 m) of the leads verified in the period; two "
        f"leads pointing at one place count once, {_CUTOFF_EN}. {_COMMAND_EN}.",
        (FactKind.COORDINATE_VERIFIED,), "distinct"),
    Kpi("dna_samples_collected", "Mẫu ADN được thu thập", "DNA samples collected",
        "Số mẫu sinh phẩm ADN khác nhau (theo mã mẫu) có bước \"thu mẫu\" diễn ra trong kỳ, "
        f"{_CUTOFF_VI}. {_COMMAND_VI}.",
        "Distinct DNA samples (by sample code) whose \"collected\" step took place in the "
        f"period, {_CUTOFF_EN}. {_COMMAND_EN}.", (FactKind.DNA_SAMPLE_COLLECTED,), "distinct"),
    Kpi("dna_samples_matched", "Mẫu ADN giám định thành công", "DNA samples matched",
        "Số mẫu ADN khác nhau (theo mã mẫu) có kết quả giám định \"trùng khớp\" trong kỳ, "
        f"{_CUTOFF_VI}. {_COMMAND_VI}.",
        "Distinct DNA samples (by sample code) whose result, in the period, was a match, "
        f"{_CUTOFF_EN}. {_COMMAND_EN}.", (FactKind.DNA_SAMPLE_MATCHED,), "distinct"),
    Kpi("remains_found", "Hài cốt được tìm thấy", "Remains found",
        "Số hài cốt liệt sĩ (không phải số manh mối) tìm thấy trong kỳ: tổng số hài cốt ghi khi "
        f"manh mối chuyển sang \"tìm thấy hài cốt\", {_CUTOFF_VI}. {_COMMAND_VI}.",
        "Martyrs' remains (not leads) found in the period: the number of remains recorded as a "
        f"lead moved to \"remains found\", {_CUTOFF_EN}. {_COMMAND_EN}.",
        (FactKind.REMAINS_FOUND,)),
    Kpi("remains_gathered", "Hài cốt được quy tập", "Remains gathered",
        "Số hài cốt liệt sĩ (không phải số manh mối) được quy tập trong kỳ: số hài cốt của các "
        f"manh mối chuyển sang \"đã quy tập\", {_CUTOFF_VI}. {_COMMAND_VI}.",
        "Martyrs' remains (not leads) gathered (reburied in a cemetery) in the period: the "
        f"remains of the leads moved to \"gathered\", {_CUTOFF_EN}. {_COMMAND_EN}.",
        (FactKind.REMAINS_GATHERED,)),
)
KPI_BY_ID = {kpi.id: kpi for kpi in KPIS}
BREAKDOWNS = ("commune", "station")


class Counts:
    """What ``report`` asks of a source's records: a figure's sum of quantities or number of
    distinct things, over the days of a period, for everything or one group of a breakdown.
    The station's facts are counted by ``_FactCounts``; the command counts its roll-up
    (``sync.server.report_facts``) without a fact object per thing."""

    dimensions: tuple[str, ...] = ("commune", "station")

    def total(self, kinds: tuple[FactKind, ...], period: Period, group: tuple[str, str] | None
              = None) -> float:  # pragma: no cover - the interface
        raise NotImplementedError

    def distinct(self, kinds: tuple[FactKind, ...], period: Period,
                 group: tuple[str, str] | None = None) -> int:  # pragma: no cover
        raise NotImplementedError

    def groups(self, dimension: str) -> list[str]:  # pragma: no cover
        raise NotImplementedError


class _Index:
    """The counted facts (not withdrawn) of each kind in day order, so a period is two
    bisections instead of a pass over every fact: a province's report asks for eight periods
    of a million facts."""

    def __init__(self, facts: Iterable[Fact], in_day_order: bool = False) -> None:
        by_kind: dict[FactKind, list[Fact]] = {}
        for fact in facts:
            if fact.withdrawn_at is None:
                by_kind.setdefault(fact.kind, []).append(fact)
        if not in_day_order:
            for rows in by_kind.values():
                rows.sort(key=attrgetter("day"))
        self._facts = by_kind
        self._days = {kind: list(map(attrgetter("day"), rows)) for kind, rows in by_kind.items()}

    def split(self, dimension: str) -> dict[str, _Index]:
        """One index per commune or station, from this one's lists (already in day order)."""
        groups: dict[str, list[Fact]] = {}
        group_of = attrgetter(dimension)
        for rows in self._facts.values():
            for fact in rows:
                groups.setdefault(group_of(fact), []).append(fact)
        return {key: _Index(rows, in_day_order=True) for key, rows in groups.items()}

    def within(self, kind: FactKind, period: Period) -> list[Fact]:
        days = self._days.get(kind)
        if not days:
            return []
        return self._facts[kind][bisect_left(days, period.start):bisect_right(days, period.end)]


class _FactCounts(Counts):
    """A snapshot's facts, counted: sums are exact (fsum), distinct things by their key."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self._index = _Index(facts)
        self._split: dict[str, dict[str, _Index]] = {}

    def _of(self, group: tuple[str, str] | None) -> _Index | None:
        if group is None:
            return self._index
        dimension, key = group
        if dimension not in self._split:
            self._split[dimension] = self._index.split(dimension)
        return self._split[dimension].get(key)

    def _mine(self, kinds: tuple[FactKind, ...], period: Period,
              group: tuple[str, str] | None) -> list[Fact]:
        index = self._of(group)
        return [] if index is None else [f for k in kinds for f in index.within(k, period)]

    def total(self, kinds: tuple[FactKind, ...], period: Period,
              group: tuple[str, str] | None = None) -> float:
        # fsum: exact, so the order of the facts cannot change the last digit
        return math.fsum(f.quantity for f in self._mine(kinds, period, group))

    def distinct(self, kinds: tuple[FactKind, ...], period: Period,
                 group: tuple[str, str] | None = None) -> int:
        return len({f.key or f.id for f in self._mine(kinds, period, group)})

    def groups(self, dimension: str) -> list[str]:
        if dimension not in self._split:
            self._split[dimension] = self._index.split(dimension)
        return sorted(self._split[dimension])


def _values(counts: Counts, covers: frozenset[FactKind], period: Period,
            group: tuple[str, str] | None = None) -> dict[str, float | int | None]:
    """Every KPI's value over the facts whose day lies in the period (None: not recorded)."""
    values: dict[str, float | int | None] = {}
    for kpi in KPIS:
        if kpi.measure == "ratio":
            top, bottom = (values[i] for i in kpi.ratio_of)
            values[kpi.id] = (None if top is None or not bottom
                              else round(100 * top / bottom, 1))
            continue
        if not set(kpi.kinds) <= covers:
            values[kpi.id] = None
            continue
        if kpi.measure == "distinct":
            values[kpi.id] = counts.distinct(kpi.kinds, period, group)
        else:  # halves round up, as people do (Python's round would make 46.5 s into 46)
            values[kpi.id] = math.floor(counts.total(kpi.kinds, period, group) + 0.5)
    return values


def _status(kpi: Kpi, covers: frozenset[FactKind]) -> Status:
    kinds = kpi.kinds if kpi.measure != "ratio" else tuple(
        k for i in kpi.ratio_of for k in KPI_BY_ID[i].kinds)
    return Status.RECORDED if set(kinds) <= covers else Status.NOT_YET_RECORDED


def figures(snapshot: Snapshot, period: Period, counts: Counts | None = None
            ) -> dict[str, float | int | None]:
    return _values(counts or _FactCounts(snapshot.facts), snapshot.covers, period)


def report(snapshot: Snapshot, period: Period, by: str | None = None,
           trend_length: int = TREND_LENGTH, counts: Counts | None = None) -> dict[str, Any]:
    """The whole report as plain data, in a fixed key order (see the module's docstring).
    ``counts``: how the source counts (default: the snapshot's facts)."""
    counts = counts or _FactCounts(snapshot.facts)
    if by is not None and by not in counts.dimensions:
        raise InvalidPeriod(text=f"by {by}")
    covers = snapshot.covers
    statuses = {kpi.id: _status(kpi, covers) for kpi in KPIS}
    values = figures(snapshot, period, counts)
    out: dict[str, Any] = {
        "format": FORMAT,
        "period": period.as_json(),
        "snapshot": snapshot.describe(),
        "kpis": {kpi.id: {"value": values[kpi.id], "status": statuses[kpi.id].value,
                          "label_vi": kpi.label_vi, "label_en": kpi.label_en,
                          "definition": kpi.definition} for kpi in KPIS},
    }
    previous = period.previous()
    if previous is None:
        out["previous"] = None
    else:
        before = figures(snapshot, previous, counts)
        out["previous"] = {"period": previous.as_json(), "kpis": {
            kpi.id: {"value": before[kpi.id], "change": _change(values[kpi.id], before[kpi.id])}
            for kpi in KPIS}}
    out["trend"] = [{"label": p.label, "short": p.short(), "from": p.start.isoformat(),
                     "to": p.end.isoformat(), "values": figures(snapshot, p, counts)}
                    for p in period.trend(trend_length)]
    if by is not None:
        out["by"] = _breakdown(snapshot, counts, period, by)
    return out


def _change(now: float | int | None, before: float | int | None) -> float | int | None:
    if now is None or before is None:
        return None
    return round(now - before, 1) if isinstance(now, float) or isinstance(before, float) \
        else now - before


def _breakdown(snapshot: Snapshot, counts: Counts, period: Period, by: str) -> dict[str, Any]:
    names = snapshot.labels.get(by, {})
    statuses = {kpi.id: _status(kpi, snapshot.covers).value for kpi in KPIS}
    return {"dimension": by, "groups": [
        {"key": key, "label": names.get(key, key),
         "kpis": {kpi_id: {"value": value, "status": statuses[kpi_id]}
                  for kpi_id, value in _values(counts, snapshot.covers, period,
                                               (by, key)).items()}}
        for key in counts.groups(by)]}


def report_json(data: dict[str, Any]) -> bytes:
    """Canonical bytes: the same report always gives the same file."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
