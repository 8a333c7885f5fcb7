"""The command's figures (issue 16): the reports' roll-up of the index, the lead work's events
and the DNA follow-up, counted at a cut-off for the periods of a report.

What the command holds (``covers``): what stations send — visits, martyrs named, pages, videos,
recordings, witnesses, DNA volunteers, consents, leads received — counted from the roll-up
(``sync/server/report_rollup.py``, written as the index is), the withdrawals from the
tombstones, and the command's own work: leads verified, coordinates verified and remains found
and gathered from ``lead_events``, DNA samples collected and matched from ``dna_steps``. A figure
whose table the database has is counted (0 when nothing happened); only a source that cannot
hold it (a station, or a database before the table's migration) says ``not_yet_recorded``.

**Day and cut-off.** Each row has the day it happened (the visit's day for what a visit holds,
a consent's signing day, a withdrawal notice's day, a lead event's or a DNA step's own day) and
the instant the command recorded it (the batch that first brought it; a lead event's ``at``; a
DNA step's ``recorded_at``). A report counts the rows whose day lies in its periods and that
were recorded strictly before the cut-off, so the same cut-off always gives the same numbers,
whatever arrives later. The snapshot's digest is over the rows read, in a fixed order.

Withdrawn captures have left the index (and the archive) and its roll-up: like the station's,
a report computed after a withdrawal no longer counts them, even for an earlier cut-off; the
snapshot's digest shows that what it was computed from changed.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta
from operator import add
from typing import Any

from sqlalchemy import Connection, func, inspect, select

from capture import kpis, places
from capture.errors import UnknownPlace
from capture.kpis import FactKind, Snapshot
from sync.server import report_rollup
from sync.server.casework_tables import dna_steps
from sync.server.index import (
    index_consents,
    index_leads,
    index_martyrs,
    index_pages,
    index_parts,
    index_people,
    index_visits,
    tombstones,
)
from sync.server.leads import GATHERED, REMAINS_FOUND, VERIFIED, lead_events, lead_states
from sync.server.report_rollup import aware, household_key, report_days
from sync.server.store import Store, batches, stations

__all__ = ["BY", "COMMAND_KINDS", "build", "household_key", "records", "snapshot"]

# Everything a station records, which is what batches bring.
COMMAND_KINDS = kpis.STATION_KINDS
LEAD_KINDS = frozenset({FactKind.LEAD_VERIFIED, FactKind.COORDINATE_VERIFIED,
                        FactKind.REMAINS_FOUND, FactKind.REMAINS_GATHERED})
DNA_KINDS = frozenset({FactKind.DNA_SAMPLE_COLLECTED, FactKind.DNA_SAMPLE_MATCHED})
BY = ("commune", "station", "province")

# What each figure reads: a summed counter of the rows, or the number of distinct keys. Rows
# hold them at fixed places (SUMS, KEYS): a province's report adds up tens of thousands.
SUMS = (*report_rollup.COUNTERS, "withdrawals", "remains_found", "remains_gathered")
KEYS = ("household", "lead_verified", "coordinate", "dna_collected", "dna_matched")
_S = {name: at for at, name in enumerate(SUMS)}
_K = {name: at for at, name in enumerate(KEYS)}
_SUM = {FactKind.VISIT: "visits", FactKind.MARTYR: "martyrs", FactKind.PAGE: "pages",
        FactKind.VIDEO: "videos", FactKind.RECORDING: "seconds",
        FactKind.DNA_VOLUNTEER: "dna_volunteers", FactKind.CONSENT: "consents",
        FactKind.WITHDRAWAL: "withdrawals", FactKind.LEAD: "leads",
        FactKind.REMAINS_FOUND: "remains_found", FactKind.REMAINS_GATHERED: "remains_gathered"}
_DISTINCT: dict[tuple[FactKind, ...], tuple[str, str]] = {
    (FactKind.VISIT,): ("keys", "household"),
    # An item, a testimony, a witness belongs to one visit: the roll-up counted them already.
    (FactKind.PAGE, FactKind.VIDEO): ("sum", "items"),
    (FactKind.RECORDING,): ("sum", "testimonies"),
    (FactKind.WITNESS,): ("sum", "witnesses"),
    (FactKind.LEAD_VERIFIED,): ("keys", "lead_verified"),
    (FactKind.COORDINATE_VERIFIED,): ("keys", "coordinate"),
    (FactKind.DNA_SAMPLE_COLLECTED,): ("keys", "dna_collected"),
    (FactKind.DNA_SAMPLE_MATCHED,): ("keys", "dna_matched"),
}
_PLACE = {"station": 1, "commune": 2, "province": 3}
_NO_SUMS = (0,) * len(SUMS)
_NO_KEYS: tuple[str | None, ...] = (None,) * len(KEYS)
# (day, station, commune, province, sums in SUMS' order, keys in KEYS' order)
Row = tuple[date, str, str, str, tuple[float, ...], tuple[str | None, ...]]


class _Counts(kpis.Counts):
    """The rows read, counted by period and by commune, station or province."""

    dimensions = BY

    def __init__(self, rows: list[Row]) -> None:
        self._rows = sorted(rows, key=lambda row: row[0])  # stable: the order read stays
        self._days = [row[0] for row in self._rows]
        self._done: dict[tuple[date, date, str], dict[str, tuple[list, list]]] = {}

    def _of(self, period: kpis.Period, group: tuple[str, str] | None
            ) -> tuple[list[float], list[set[str]]]:
        dimension = group[0] if group else ""
        key = (period.start, period.end, dimension)
        if key not in self._done:
            acc: dict[str, tuple[list, list]] = {}
            at = _PLACE.get(dimension)
            for row in self._rows[bisect_left(self._days, period.start):
                                  bisect_right(self._days, period.end)]:
                name = row[at] if at else ""
                if name not in acc:
                    acc[name] = ([0] * len(SUMS), [set() for _ in KEYS])
                sums, keys = acc[name]
                if row[4] is not _NO_SUMS:
                    sums[:] = map(add, sums, row[4])
                if row[5] is not _NO_KEYS:
                    for index, value in enumerate(row[5]):
                        if value is not None:
                            keys[index].add(value)
            self._done[key] = acc
        return self._done[key].get(group[1] if group else "", (list(_NO_SUMS),
                                                              [set() for _ in KEYS]))

    def total(self, kinds: tuple[FactKind, ...], period: kpis.Period,
              group: tuple[str, str] | None = None) -> float:
        sums = self._of(period, group)[0]
        return sum(sums[_S[_SUM[kind]]] for kind in kinds)

    def distinct(self, kinds: tuple[FactKind, ...], period: kpis.Period,
                 group: tuple[str, str] | None = None) -> int:
        how, name = _DISTINCT[kinds]
        sums, keys = self._of(period, group)
        return int(sums[_S[name]]) if how == "sum" else len(keys[_K[name]])

    def groups(self, dimension: str) -> list[str]:
        at = _PLACE[dimension]
        return sorted({row[at] for row in self._rows})


def _db(conn: Connection, moment: datetime) -> datetime:
    # SQLite keeps DateTime(timezone=True) as UTC without its zone: compare like with like.
    return moment.astimezone(UTC).replace(tzinfo=None) if conn.dialect.name == "sqlite" \
        else moment


def _start_of(day: date) -> datetime:
    return kpis.end_of_day(day - timedelta(days=1))


def _place(station: Any, ward: Any, province: Any) -> tuple[str, str, str]:
    return (str(station or ""), str(ward or ""), str(province or ""))


def _read(conn: Connection, as_of: datetime, first: date, last: date, covers: frozenset
          ) -> tuple[list[Row], str, dict[str, int]]:
    """The rows of the days first..last recorded before the cut-off, with their digest."""
    cut = _db(conn, as_of)
    rows: list[Row] = []
    sha = hashlib.sha256()
    by_source: dict[str, int] = {}

    def add(source: str, day: date, place: tuple[str, str, str],
            sums: dict[str, float] | None = None, keys: dict[str, str] | None = None) -> None:
        vector = tuple(sums.get(name, 0) for name in SUMS) if sums else _NO_SUMS
        known = tuple(keys.get(name) for name in KEYS) if keys else _NO_KEYS
        rows.append((day, *place, vector, known))
        by_source[source] = by_source.get(source, 0) + 1
        sha.update(f"{source}\t{day}\t{place!r}\t{sums!r}\t{keys!r}\n".encode())

    r = report_days.c
    tail = (0,) * (len(SUMS) - len(report_rollup.COUNTERS))
    days: dict[str, date] = {}
    places_seen: dict[tuple[Any, Any, Any], tuple[str, str, str]] = {}
    read = conn.execute(
        select(r.day, r.station_id, r.ward_code, r.province_code, r.household,
               *[r[name] for name in report_rollup.COUNTERS])
        .where(r.day >= first.isoformat(), r.day <= last.isoformat(), r.recorded_at < cut)
        .order_by(r.day, r.visit_id, r.recorded_at)).all()
    # The digest is over the rows as read (one repr a chunk: cheap), then the events'.
    for at in range(0, len(read), 8192):
        sha.update(repr([tuple(row) for row in read[at:at + 8192]]).encode())
    for row in read:
        day = days.get(row[0]) or days.setdefault(row[0], date.fromisoformat(row[0]))
        place = places_seen.get(row[1:4]) or places_seen.setdefault(row[1:4], _place(*row[1:4]))
        rows.append((day, *place, (*row[5:], *tail),
                     (row[4], None, None, None, None) if row[4] else _NO_KEYS))
    _withdrawals(conn, cut, first, last, add)
    if FactKind.LEAD_VERIFIED in covers:
        _lead_events(conn, cut, first, last, add)
    if FactKind.DNA_SAMPLE_COLLECTED in covers:
        _dna(conn, cut, first, last, add)
    by_source["visit_day"] = len(read)
    return rows, sha.hexdigest(), dict(sorted(by_source.items()))


def _withdrawals(conn: Connection, cut: datetime, first: date, last: date, add: Any) -> None:
    """One per withdrawal notice applied (its tombstones), on the notice's own day."""
    t, v = tombstones.c, index_visits.c
    ward = {r.id: (r.ward_code, r.province_code) for r in conn.execute(
        select(stations.c.id, stations.c.ward_code, stations.c.province_code))}
    notices = conn.execute(select(t.notice_id, func.min(t.visit_id), func.min(t.station_id),
                                  func.min(t.withdrawn_at)).where(t.applied_at < cut)
                           .group_by(t.notice_id).order_by(t.notice_id)).all()
    visits = {row.visit_id: row for row in conn.execute(
        select(v.visit_id, v.ward_code, v.province_code).where(
            v.visit_id.in_(sorted({n[1] for n in notices}))))} if notices else {}
    for notice_id, visit_id, station_id, at in notices:
        day = report_rollup._instant_day(at)
        if day is None or not first <= day <= last:
            continue
        known = visits.get(visit_id)
        place = (known.ward_code, known.province_code) if known else ward.get(station_id,
                                                                              (None, None))
        add("withdrawal", day, _place(station_id, *place), {"withdrawals": 1},
            {"notice": notice_id})


def _lead_events(conn: Connection, cut: datetime, first: date, last: date, add: Any) -> None:
    """Leads verified (with their coordinate), remains found and gathered: the lead work's
    transitions of the days first..last, recorded (``at``) before the cut-off."""
    e, s, v = lead_events.c, lead_states.c, index_visits.c
    until = min(cut, _db(conn, kpis.end_of_day(last)))
    # Only a transition reaches these states (a merge leaves open states only): filtering on
    # the state alone lets the database use that index rather than the action's.
    query = (select(e.action, e.lead_id, e.at, e.to_state, e.detail, s.remains_count,
                    v.station_id, v.ward_code, v.province_code)
             .select_from(lead_events.join(lead_states, s.lead_id == e.lead_id)
                          .outerjoin(index_visits, v.visit_id == s.visit_id))
             .where(e.to_state.in_((VERIFIED, REMAINS_FOUND, GATHERED)),
                    e.at >= _db(conn, _start_of(first)), e.at < until)
             .order_by(e.id))
    for action, lead_id, at, state, detail, remains, *place in conn.execute(query):
        if action != "transition":
            continue
        day = kpis.local_day(aware(at))
        try:
            said = json.loads(detail or "{}")
        except ValueError:
            said = {}
        said = said if isinstance(said, dict) else {}
        if state == VERIFIED:
            lat, lon = said.get("latitude"), said.get("longitude")
            point = (f"{float(lat):.5f},{float(lon):.5f}"
                     if isinstance(lat, int | float) and isinstance(lon, int | float)
                     else f"lead:{lead_id}")
            add("verified", day, _place(*place), None, {"lead_verified": lead_id,
                                                       "coordinate": point})
        elif state == REMAINS_FOUND:
            count = said.get("remains") if isinstance(said.get("remains"), int) else remains
            add("found", day, _place(*place), {"remains_found": int(count or 1)})
        else:
            add("gathered", day, _place(*place), {"remains_gathered": int(remains or 1)})


def _dna(conn: Connection, cut: datetime, first: date, last: date, add: Any) -> None:
    """DNA samples collected, and those whose result was a match: steps that happened (``at``)
    on the days first..last and were entered (``recorded_at``) before the cut-off; the place
    is the relative's visit when the step names the person."""
    d, p, v = dna_steps.c, index_people.c, index_visits.c
    query = (select(d.step, d.sample_code, d.at, d.result, v.station_id, v.ward_code,
                    v.province_code)
             .select_from(dna_steps.outerjoin(index_people, p.id == d.person_id)
                          .outerjoin(index_visits, v.visit_id == p.visit_id))
             .where(d.step.in_(("collected", "result")), d.recorded_at < cut,
                    d.at >= _db(conn, _start_of(first)),
                    d.at < _db(conn, kpis.end_of_day(last)))
             .order_by(d.id))
    for step, code, at, result, *place in conn.execute(query):
        if step == "collected":
            add("dna", kpis.local_day(aware(at)), _place(*place), None, {"dna_collected": code})
        elif result == "match":
            add("dna", kpis.local_day(aware(at)), _place(*place), None, {"dna_matched": code})


def covers(conn: Connection) -> frozenset[FactKind]:
    """What this database can count: the lead and DNA figures once their tables exist."""
    have = inspect(conn)
    kinds = set(COMMAND_KINDS)
    if have.has_table(lead_events.name) and have.has_table(lead_states.name):
        kinds |= LEAD_KINDS
    if have.has_table(dna_steps.name):
        kinds |= DNA_KINDS
    return frozenset(kinds)


def days_read(period: kpis.Period) -> tuple[date, date]:
    """The days a report of ``period`` counts: its own, the previous period's, its trend's."""
    periods = [period, *period.trend()]
    if (before := period.previous()) is not None:
        periods.append(before)
    return min(p.start for p in periods), max(p.end for p in periods)


def snapshot(store: Store, as_of: datetime, first: date, last: date, *, body: str = ""
             ) -> tuple[Snapshot, kpis.Counts]:
    """What the command had recorded before ``as_of`` of the days first..last, and its counts."""
    if as_of.tzinfo is None:
        raise kpis.InvalidCutoff(text=as_of.isoformat())
    with store.engine.connect() as conn:
        covered = covers(conn)
        rows, digest, by_kind = _read(conn, as_of, first, last, covered)
        received = conn.execute(select(func.count(), func.max(batches.c.received_at)).where(
            batches.c.received_at < _db(conn, as_of))).one()
        labels = _labels(conn, {row[2] for row in rows}, {row[3] for row in rows})
    # "station_name" is the name capture.report_files prints as the source.
    source = {"kind": "command", "body": body, "station_name": body or "Bộ Chỉ huy quân sự",
              "database": store.engine.dialect.name, "days": f"{first}..{last}",
              "batches": str(received[0]),
              "last_batch_received_at": (aware(received[1]).astimezone(kpis.VIETNAM)
                                         .isoformat() if received[1] else "")}
    return (Snapshot(source, as_of, covered, (), labels, digest, rows=(len(rows), by_kind)),
            _Counts(rows))


def build(store: Store, as_of: datetime, *, period: str | None = None,
          start: date | None = None, end: date | None = None,
          rule: kpis.CutoffRule | str = kpis.CutoffRule.CALENDAR, by: str | None = None,
          body: str = "") -> dict[str, Any]:
    """The report of a named period (2026-11, 2026-W48, ..., campaign) or of start..end, by
    commune, station or province when asked."""
    if by is not None and by not in BY:
        raise kpis.InvalidPeriod(text=f"by {by}"[:40])
    chosen = choose_period(as_of, period=period, start=start, end=end, rule=rule)
    frozen, counts = snapshot(store, as_of, *days_read(chosen), body=body)
    return kpis.report(frozen, chosen, by, counts=counts)


def _labels(conn: Connection, communes: set[str], provinces: set[str]
            ) -> dict[str, dict[str, str]]:
    def name(lookup: Any, code: str) -> str:
        try:
            return str(lookup(int(code)))
        except (UnknownPlace, ValueError, KeyError):
            return code

    # "": a DNA step that names no relative of a visit, a lead whose visit left the index.
    unknown = {"": "Không rõ địa bàn"}
    return {"commune": {**unknown, **{c: name(places.ward_name, c) for c in sorted(communes)
                                      if c}},
            "station": {**unknown, **{r.id: r.name for r in conn.execute(
                select(stations.c.id, stations.c.name).order_by(stations.c.id))}},
            "province": {**unknown, **{c: name(places.province_name, c)
                                       for c in sorted(provinces) if c}}}


def choose_period(as_of: datetime, *, period: str | None = None, start: date | None = None,
                  end: date | None = None, rule: kpis.CutoffRule | str = kpis.CutoffRule.CALENDAR
                  ) -> kpis.Period:
    if period is not None:
        # "Campaign to date" ends on the cut-off's day.
        return kpis.parse_period(period, rule, until=kpis.local_day(
            as_of - timedelta(microseconds=1)))
    if start is not None and end is not None:
        return kpis.range_period(start, end, kpis.CutoffRule(rule))
    raise kpis.InvalidPeriod(text="")


def command_body(store: Store) -> tuple[str, str]:
    """The provincial Military Command's name and its province's name (for the date line),
    from the province most stations are in."""
    with store.engine.connect() as conn:
        row = conn.execute(select(stations.c.province_code, func.count()).group_by(
            stations.c.province_code).order_by(func.count().desc(), stations.c.province_code)
        ).first()
    if row is None:
        return "BỘ CHỈ HUY QUÂN SỰ TỈNH", ""
    try:
        province = places.province_name(int(row[0]))
    except (UnknownPlace, ValueError):
        return "BỘ CHỈ HUY QUÂN SỰ TỈNH", ""
    short = province.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    city = province.startswith("Thành phố")
    return f"BỘ CHỈ HUY QUÂN SỰ {'THÀNH PHỐ' if city else 'TỈNH'} {short.upper()}", short


def letterhead(data: dict[str, Any], issued_on: date, *, body: str, place: str,
               superior: str = "", signer_name: str = "") -> Any:
    from capture.report_files import Letterhead

    return Letterhead(superior=superior.upper(), body=body.upper(), place=place,
                      issued_on=issued_on, signer_title="CHỈ HUY TRƯỞNG",
                      signer_name=signer_name,
                      recipients=("Ban Chỉ đạo Chiến dịch;", "Các trạm số hóa;", "Lưu: VT."))


# --- drill-down: the records behind a figure ------------------------------------------------------

# What each figure counts per visit (the visit's own rows); consents and withdrawals count the
# visit's signed records. Figures the command does not hold have no records to show.
_DRILL: dict[str, Any] = {
    "visits": None, "households_visited": None,
    "martyrs_mentioned": (index_martyrs, None),
    "items_digitised": (index_pages, "items"),
    "pages_digitised": (index_pages, "photo"),
    "videos": (index_pages, "video"),
    "testimonies": (index_parts, "testimonies"),
    "testimony_seconds": (index_parts, "seconds"),
    "witnesses_heard": (index_people, "witness"),
    "dna_volunteers": (index_people, "dna"),
    "consents_signed": (index_consents, "grant"),
    "withdrawals": (tombstones, None),
    "leads_received": (index_leads, None),
}
# The lead work's and the DNA follow-up's figures: the visits whose leads (whose relatives'
# samples) had that step on a day of the period.
_EVENT_DRILL = {"leads_verified": VERIFIED, "coordinates_verified": VERIFIED,
                "remains_found": REMAINS_FOUND, "remains_gathered": GATHERED,
                "dna_samples_collected": "collected", "dna_samples_matched": "match"}
DRILL_LIMIT = 200


def drillable(kpi_id: str) -> bool:
    return kpi_id in _DRILL or kpi_id in _EVENT_DRILL


def _event_query(conn: Connection, kpi_id: str, period: kpis.Period, where: list[Any]) -> Any:
    v = index_visits.c
    since, until = _db(conn, _start_of(period.start)), _db(conn, kpis.end_of_day(period.end))
    columns = (v.visit_id, v.visit_date, v.ward_code, v.station_id, v.village)
    if kpi_id.startswith("dna_"):
        d, p = dna_steps.c, index_people.c
        step = [d.step == "collected"] if kpi_id == "dna_samples_collected" else [
            d.step == "result", d.result == "match"]
        return (select(*columns, func.count(d.sample_code.distinct()).label("n"))
                .select_from(dna_steps.join(index_people, p.id == d.person_id)
                             .join(index_visits, v.visit_id == p.visit_id))
                .where(*where, *step, d.at >= since, d.at < until).group_by(*columns))
    e, s = lead_events.c, lead_states.c
    count = (func.sum(func.coalesce(s.remains_count, 1)) if kpi_id.startswith("remains")
             else func.count(e.lead_id.distinct()))
    return (select(*columns, count.label("n"))
            .select_from(lead_events.join(lead_states, s.lead_id == e.lead_id)
                         .join(index_visits, v.visit_id == s.visit_id))
            .where(*where, e.action == "transition", e.to_state == _EVENT_DRILL[kpi_id],
                   e.at >= since, e.at < until).group_by(*columns))


def records(conn: Connection, actor: Any, kpi_id: str, period: kpis.Period, *,
            commune: str = "", station: str = "", limit: int = DRILL_LIMIT
            ) -> list[dict[str, Any]]:
    """The visits of the period (their visit day in it; of a commune or a station when given)
    that hold records of the figure, with how many each holds, newest day first; for the lead
    work's and the DNA figures, the visits whose leads (relatives' samples) had that step on a
    day of the period. The index and the events as they are now: what was recorded after a
    report's cut-off shows here too. Readers and up (the visit page then shows each visit as the
    role may see it)."""
    from sync.server.actors import READS, require

    require(actor, READS, "see the records behind a figure")
    if not drillable(kpi_id):
        raise kpis.InvalidPeriod(text=f"figure {kpi_id}"[:40])
    v = index_visits.c
    where = [v.visit_date >= period.start.isoformat(), v.visit_date <= period.end.isoformat()]
    if kpi_id in _EVENT_DRILL:
        where = []
    if commune.isdigit():
        where.append(v.ward_code == int(commune))
    if station:
        where.append(v.station_id == station[:36])
    spec = _DRILL.get(kpi_id)
    if kpi_id in _EVENT_DRILL:
        query = _event_query(conn, kpi_id, period, where)
    elif spec is None:
        count: Any = func.count().label("n")
        query = select(v.visit_id, v.visit_date, v.ward_code, v.station_id, v.village, count)
        query = query.where(*where).group_by(v.visit_id, v.visit_date, v.ward_code,
                                             v.station_id, v.village)
    else:
        table, what = spec
        c = table.c
        if what == "items":
            count = func.count(c.item_id.distinct())
        elif what == "testimonies":
            count = func.count(c.testimony_id.distinct())
        elif what == "seconds":
            count = func.sum(c.frames * 1.0 / func.nullif(c.sample_rate, 0))
        elif what == "notice":
            count = func.count(c.notice_id.distinct())
        else:
            count = func.count()
        query = select(v.visit_id, v.visit_date, v.ward_code, v.station_id, v.village,
                       count.label("n")).join(table, c.visit_id == v.visit_id).where(*where)
        if what in ("photo", "video"):
            query = query.where(c.media == what)
        elif what == "witness":
            query = query.where(c.kind.in_(("witness", "veteran")))
        elif what == "dna":
            query = query.where(c.dna_willing)
        elif what == "grant":
            query = query.where(c.kind == "grant")
        query = query.group_by(v.visit_id, v.visit_date, v.ward_code, v.station_id, v.village)
    rows = conn.execute(query.order_by(v.visit_date.desc(), v.visit_id).limit(limit)).all()
    names = {r.id: r.name for r in conn.execute(select(stations.c.id, stations.c.name))}
    out = []
    for row in rows:
        try:
            commune_name = places.ward_name(int(row.ward_code))
        except (UnknownPlace, ValueError, TypeError):
            commune_name = str(row.ward_code or "")
        out.append({"visit_id": row.visit_id, "visit_date": row.visit_date,
                    "commune": commune_name, "station": names.get(row.station_id,
                                                                  row.station_id),
                    "village": row.village, "count": round(float(row.n or 0), 1)
                    if kpi_id == "testimony_seconds" else int(row.n or 0)})
    return out
