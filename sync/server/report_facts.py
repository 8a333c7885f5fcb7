"""The command's figures (issue 16): the index's rows as ``capture.kpis`` facts, frozen at a
cut-off, and the report of a period.

What the command holds (``COMMAND_KINDS``): what stations send — visits, martyrs named, pages,
videos, recordings, witnesses, DNA volunteers, consents, leads received — and the tombstones of
withdrawals. Leads verified, coordinates verified, DNA samples and remains come from the lead and
case work, which is not built yet: those figures are ``not_yet_recorded``, never 0.

Each fact's ``day`` is the visit's day (a consent's signing day, a withdrawal notice's day) and
its ``recorded_at`` is when the command received it: the ``received_at`` of the batch that
first brought it (a page or a recording: the batch holding its file; anything else of a visit:
the earliest batch that brought any of that visit). A visit approved again and sent again keeps
its first instant, so a later batch does not move it past an earlier cut-off.

Sums are made in SQL where the KPI is a sum: one fact per item, per media and per batch with the
number of pages as its quantity; one per visit for martyrs, DNA volunteers and leads; one per
testimony and batch for its seconds. Distinct figures keep one fact per thing counted
(households, items, testimonies, witnesses). A million pages are a few hundred thousand facts.

Withdrawn captures have left the index (and the archive): like the station's, a report computed
after a withdrawal no longer counts them, even for an earlier cut-off; the snapshot's digest
shows that what it was computed from changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from capture import kpis, places
from capture.errors import UnknownPlace
from capture.folding import fold
from capture.kpis import Fact, FactKind, Snapshot
from sync.server.index import (
    index_consents,
    index_leads,
    index_martyrs,
    index_pages,
    index_parts,
    index_people,
    index_testimonies,
    index_visits,
    tombstones,
)
from sync.server.store import Store, batches, stations

# Everything a station records, which is what batches bring (lead verification, DNA and remains
# are the command's own work, still to come).
COMMAND_KINDS = kpis.STATION_KINDS
BY = ("commune", "station", "province")
_STREAM = 20_000


def _aware(moment: datetime) -> datetime:
    # SQLite hands DateTime(timezone=True) back without its zone; the server writes UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _norm(text: str | None) -> str:
    return " ".join(fold(text or "").split())


def household_key(ward: int | None, village: str, address: str, contact_name: str,
                  contact_phone: str, visit_id: str) -> str:
    """As the station keys a household (capture.station_report): the same place, or else the
    same contact, is the same household; the key reveals no address."""
    if _norm(village) or _norm(address):
        parts = ["place", str(ward), _norm(village), _norm(address)]
    elif _norm(contact_name) or _norm(contact_phone):
        parts = ["contact", str(ward), _norm(contact_name),
                 "".join(ch for ch in contact_phone or "" if ch.isdigit())]
    else:
        parts = ["visit", visit_id]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _rows(conn: Connection, query: Any) -> Iterator[Any]:
    """Rows in chunks (a server-side cursor on PostgreSQL), never the whole result at once."""
    result = conn.execution_options(stream_results=True, yield_per=_STREAM).execute(query)
    yield from result


def _day(text: str, cache: dict[str, date]) -> date | None:
    day = cache.get(text)
    if day is None:
        try:
            day = cache[text] = date.fromisoformat(text[:10])
        except ValueError:
            return None
    return day


def _instant_day(text: str) -> date | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return kpis.local_day(_aware(moment))


class _Visits:
    """Per visit: its day, its first instant at the command, its station, commune, province."""

    def __init__(self, conn: Connection, as_of: datetime) -> None:
        self.received = {r.batch_id: _aware(r.received_at) for r in conn.execute(
            select(batches.c.batch_id, batches.c.received_at))}
        self.as_of = as_of
        # The pages grouped by item, media and batch, and the parts by testimony and batch:
        # the two largest reads, made once; they also give each visit's first batch.
        p, q = index_pages.c, index_parts.c
        self.page_groups = list(_rows(conn, select(
            p.item_id, p.visit_id, p.media, p.batch_id, func.count())
            .group_by(p.item_id, p.visit_id, p.media, p.batch_id)
            .order_by(p.item_id, p.media, p.batch_id)))
        self.part_groups = list(_rows(conn, select(
            q.testimony_id, q.visit_id, q.batch_id,
            func.sum(q.frames * 1.0 / func.nullif(q.sample_rate, 0)))
            .group_by(q.testimony_id, q.visit_id, q.batch_id)
            .order_by(q.testimony_id, q.batch_id)))
        first: dict[str, datetime] = {}
        for groups in (self.page_groups, self.part_groups):
            for row in groups:
                visit_id, at = row[1], self.received.get(row[-2])
                if at is not None and (visit_id not in first or at < first[visit_id]):
                    first[visit_id] = at
        days: dict[str, date] = {}
        strings: dict[Any, str] = {}
        self.info: dict[str, tuple[date, datetime, str, str, str]] = {}
        self.households: dict[str, str] = {}
        v = index_visits.c
        for row in _rows(conn, select(v.visit_id, v.visit_date, v.received_at, v.station_id,
                                      v.ward_code, v.province_code, v.village, v.address,
                                      v.contact_name, v.contact_phone)):
            day = _day(row.visit_date, days)
            if day is None:
                continue  # a record without a readable day belongs to no period
            at = _aware(row.received_at)
            at = min(at, first.get(row.visit_id, at))
            if at >= as_of:
                continue  # freeze() would drop all of it: never make its facts
            # One string object per station, commune and province: facts share them.
            station = strings.setdefault(row.station_id, row.station_id)
            commune = strings.setdefault(("w", row.ward_code), str(row.ward_code or ""))
            province = strings.setdefault(("p", row.province_code),
                                          str(row.province_code or ""))
            self.info[row.visit_id] = (day, at, station, commune, province)
            self.households[row.visit_id] = household_key(
                row.ward_code, row.village, row.address, row.contact_name, row.contact_phone,
                row.visit_id)


def facts(conn: Connection, as_of: datetime, place: str = "commune") -> Iterator[Fact]:
    """Every fact of the index. ``place`` "province" puts the province code where the commune
    goes (for a breakdown by province; capture.kpis breaks down by commune or station)."""
    visits = _Visits(conn, as_of)
    info = visits.info
    where = 3 if place == "commune" else 4

    def fact(kind: FactKind, row_id: str, visit_id: str, *, recorded: datetime | None = None,
             key: str = "", quantity: float = 1, day: date | None = None) -> Fact | None:
        known = info.get(visit_id)
        if known is None:
            return None
        return Fact(kind, row_id, day or known[0], recorded or known[1], station=known[2],
                    commune=known[where], key=key, quantity=quantity)

    out: list[Fact | None] = []
    for visit_id in info:
        out.append(fact(FactKind.VISIT, visit_id, visit_id, key=visits.households[visit_id]))
    yield from _kept(out)
    m = index_martyrs.c
    for visit_id, n in conn.execute(select(m.visit_id, func.count()).group_by(m.visit_id)):
        yield from _kept([fact(FactKind.MARTYR, visit_id, visit_id, quantity=n)])
    p = index_people.c
    for visit_id, n in conn.execute(select(p.visit_id, func.count()).where(p.dna_willing)
                                    .group_by(p.visit_id)):
        yield from _kept([fact(FactKind.DNA_VOLUNTEER, visit_id, visit_id, quantity=n)])
    for person_id, visit_id in _rows(conn, select(p.id, p.visit_id).where(
            p.kind.in_(("witness", "veteran")))):
        yield from _kept([fact(FactKind.WITNESS, person_id, visit_id, key=person_id)])
    yield from _kept(_media(conn, visits, fact))
    yield from _kept(_testimonies(conn, visits, fact))
    c = index_leads.c
    for visit_id, n in conn.execute(select(c.visit_id, func.count()).group_by(c.visit_id)):
        yield from _kept([fact(FactKind.LEAD, visit_id, visit_id, quantity=n)])
    k = index_consents.c
    for consent_id, visit_id, created in _rows(conn, select(k.id, k.visit_id, k.created_at)
                                               .where(k.kind == "grant")):
        yield from _kept([fact(FactKind.CONSENT, consent_id, visit_id,
                               day=_instant_day(created))])
    yield from _withdrawals(conn, visits, where)


def _kept(rows: Any) -> Iterator[Fact]:
    return (f for f in rows if f is not None)


def _media(conn: Connection, visits: _Visits, fact: Any) -> Iterator[Fact | None]:
    """One fact per item, media and batch: the number of pages (or clips) as its quantity."""
    seen: set[tuple[str, str]] = set()
    for item_id, visit_id, media, batch_id, n in visits.page_groups:
        at = visits.received.get(batch_id)
        if at is not None and at >= visits.as_of:
            continue  # arrived after the cut-off
        kind = FactKind.VIDEO if media == "video" else FactKind.PAGE
        row_id = item_id if (kind, item_id) not in seen else f"{item_id}@{batch_id}"
        seen.add((kind, item_id))
        yield fact(kind, row_id, visit_id, recorded=at, key=item_id, quantity=n)


def _testimonies(conn: Connection, visits: _Visits, fact: Any) -> Iterator[Fact | None]:
    """A testimony's finished parts' seconds (frames / rate, as the station counts) per batch;
    its speaker as a witness, known by the person or by the visit and the folded name."""
    seen: set[str] = set()
    first: dict[str, datetime] = {}
    for testimony_id, visit_id, batch_id, seconds in visits.part_groups:
        at = visits.received.get(batch_id)
        if at is not None and at >= visits.as_of:
            continue  # arrived after the cut-off
        row_id = testimony_id if testimony_id not in seen else f"{testimony_id}@{batch_id}"
        seen.add(testimony_id)
        made = fact(FactKind.RECORDING, row_id, visit_id, recorded=at, key=testimony_id,
                    quantity=float(seconds or 0))
        if made is not None:
            first[testimony_id] = min(made.recorded_at, first.get(testimony_id,
                                                                  made.recorded_at))
        yield made
    t = index_testimonies.c
    for testimony_id, visit_id, person_id, name in _rows(conn, select(
            t.id, t.visit_id, t.speaker_person_id, t.speaker_name)):
        if testimony_id not in first:
            continue  # nothing was recorded (or it was all withdrawn): nobody was heard
        folded = _norm(name)
        key = person_id or (f"{visit_id}:{folded}" if folded else f"testimony:{testimony_id}")
        yield fact(FactKind.WITNESS, f"testimony:{testimony_id}", visit_id,
                   recorded=first[testimony_id], key=key)


def _withdrawals(conn: Connection, visits: _Visits, where: int) -> Iterator[Fact]:
    """One per withdrawal notice applied (its tombstones), on the notice's own day."""
    t = tombstones.c
    ward = {r.id: (str(r.ward_code), str(r.province_code)) for r in conn.execute(
        select(stations.c.id, stations.c.ward_code, stations.c.province_code))}
    for notice_id, visit_id, station_id, at, applied in conn.execute(
            select(t.notice_id, func.min(t.visit_id), func.min(t.station_id),
                   func.min(t.withdrawn_at), func.min(t.applied_at)).group_by(t.notice_id)
            .order_by(t.notice_id)):
        day = _instant_day(at)
        if day is None:
            continue
        known = visits.info.get(visit_id)
        place = known[where] if known else ward.get(station_id, ("", ""))[where - 3]
        yield Fact(FactKind.WITHDRAWAL, notice_id, day, _aware(applied), station=station_id,
                   commune=place)


def _labels(conn: Connection, communes: set[str], provinces: set[str]
            ) -> dict[str, dict[str, str]]:
    def name(lookup: Any, code: str) -> str:
        try:
            return str(lookup(int(code)))
        except (UnknownPlace, ValueError, KeyError):
            return code

    return {"commune": {c: name(places.ward_name, c) for c in sorted(communes)},
            "station": {r.id: r.name for r in conn.execute(
                select(stations.c.id, stations.c.name).order_by(stations.c.id))},
            "province": {c: name(places.province_name, c) for c in sorted(provinces)}}


def snapshot(store: Store, as_of: datetime, *, body: str = "", place: str = "commune"
             ) -> Snapshot:
    """What the command's index held at ``as_of``, frozen (capture.kpis.freeze)."""
    with store.engine.connect() as conn:
        kept = list(facts(conn, as_of, place))
        received = conn.execute(select(func.count(), func.max(batches.c.received_at)).where(
            batches.c.received_at < as_of.astimezone(UTC).replace(tzinfo=None)
            if store.engine.dialect.name == "sqlite" else batches.c.received_at < as_of)).one()
        places_seen = {f.commune for f in kept}
        labels = _labels(conn, places_seen, places_seen)
    # "station_name" is the name capture.report_files prints as the source.
    source = {"kind": "command", "body": body, "station_name": body or "Bộ Chỉ huy quân sự",
              "database": store.engine.dialect.name,
              "batches": str(received[0]),
              "last_batch_received_at": (_aware(received[1]).astimezone(kpis.VIETNAM)
                                         .isoformat() if received[1] else "")}
    if place == "province":
        labels = {"commune": labels["province"], "station": labels["station"]}
    return kpis.freeze(kept, as_of, source=source, covers=COMMAND_KINDS, labels=labels)


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


def build(store: Store, as_of: datetime, *, period: str | None = None,
          start: date | None = None, end: date | None = None,
          rule: kpis.CutoffRule | str = kpis.CutoffRule.CALENDAR, by: str | None = None,
          body: str = "") -> dict[str, Any]:
    """The report of a named period (2026-11, 2026-W48, ..., campaign) or of start..end, by
    commune, station or province when asked."""
    if by is not None and by not in BY:
        raise kpis.InvalidPeriod(text=f"by {by}"[:40])
    chosen = choose_period(as_of, period=period, start=start, end=end, rule=rule)
    frozen = snapshot(store, as_of, body=body)
    if by != "province":
        return kpis.report(frozen, chosen, by)
    data = kpis.report(frozen, chosen)
    by_province = kpis.report(snapshot(store, as_of, body=body, place="province"), chosen,
                              "commune")["by"]
    data["by"] = {**by_province, "dimension": "province"}
    return data


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
DRILL_LIMIT = 200


def drillable(kpi_id: str) -> bool:
    return kpi_id in _DRILL


def records(conn: Connection, actor: Any, kpi_id: str, period: kpis.Period, *,
            commune: str = "", station: str = "", limit: int = DRILL_LIMIT
            ) -> list[dict[str, Any]]:
    """The visits of the period (their visit day in it; of a commune or a station when given)
    that hold records of the figure, with how many each holds, newest day first. The index as it
    is now: what arrived after a report's cut-off shows here too. Readers and up (the visit page
    then shows each visit as the role may see it)."""
    from sync.server.actors import READS, require

    require(actor, READS, "see the records behind a figure")
    if kpi_id not in _DRILL:
        raise kpis.InvalidPeriod(text=f"figure {kpi_id}"[:40])
    v = index_visits.c
    where = [v.visit_date >= period.start.isoformat(), v.visit_date <= period.end.isoformat()]
    if commune.isdigit():
        where.append(v.ward_code == int(commune))
    if station:
        where.append(v.station_id == station[:36])
    spec = _DRILL[kpi_id]
    if spec is None:
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
