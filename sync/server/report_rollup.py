"""The reports' roll-up (issue 16): what each indexed visit holds, already counted, by the day it
happened and the instant the command received it, so a province's monthly report reads some
tens of thousands of rows instead of a million pages.

One row per visit, day and instant of receipt (``report_days``): the visit's own row (its visit
day, its first instant at the command: one visit, its household's key, its martyrs, DNA
volunteers, leads and witnesses heard), then a row per later batch that brought pages or
recordings of it, and a row per signing day of its consents. Counters that are distinct things
(items, testimonies, witnesses) are counted once, on the row of the instant the first of their
records arrived: an item, a testimony, a witness belongs to one visit, so the rows' counters
add up across visits to the distinct figure.

Written in the transaction that indexes (``refresh``, called by ``sync.server.index`` for the
visits it wrote and after a withdrawal), emptied with the index and rebuilt by ``reindex`` in
the order the batches arrived. A visit approved again and sent again keeps its first instant
(read from its rows before they are replaced), so a later batch never moves anything past an
earlier cut-off; a withdrawal takes the capture out of the counters (as it leaves the index).
A derived table: nothing here is a record that a reindex could not make again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    delete,
    func,
    insert,
    select,
)

from capture import kpis
from capture.folding import fold
from sync.server.leads import lead_events
from sync.server.store import batches, metadata

# Summed per row; "seconds" is the finished recordings' length (frames / rate).
COUNTERS = ("visits", "martyrs", "items", "pages", "videos", "testimonies", "seconds",
            "witnesses", "dna_volunteers", "consents", "leads")
_CHUNK = 400

report_days = Table(
    "report_days", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("day", String(10), nullable=False, index=True),  # ISO date it happened
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),
    Column("station_id", String(36), nullable=False),
    Column("ward_code", Integer, nullable=True),
    Column("province_code", Integer, nullable=True),
    Column("household", String(24), nullable=True),  # on the visit's own row only
    *(Column(name, Float if name == "seconds" else Integer, nullable=False)
      for name in COUNTERS),
)

# The report reads the transitions to a few states over a range of days: with state and time in
# one index it reads those rows alone (migration 0012; the table is sync/server/leads.py's).
lead_events_by_state = Index("ix_lead_events_to_state_at", lead_events.c.to_state,
                             lead_events.c.at)


def aware(moment: datetime) -> datetime:
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


def _instant_day(text: str) -> date | None:
    try:
        return kpis.local_day(aware(datetime.fromisoformat(text)))
    except (TypeError, ValueError):
        return None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def clear(conn: Connection) -> None:
    """Every row (the index is being rebuilt)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("TRUNCATE report_days")
    else:
        conn.execute(delete(report_days))


def refresh(conn: Connection, visit_ids: Iterable[str]) -> int:
    """The rows of these visits again, from the index as it is now. Returns rows written."""
    ids = sorted(set(visit_ids))
    return sum(_refresh(conn, ids[at:at + _CHUNK]) for at in range(0, len(ids), _CHUNK))


def _refresh(conn: Connection, ids: list[str]) -> int:
    from sync.server import index as ix  # the index calls this module

    r = report_days.c
    kept_first = {row[0]: aware(row[1]) for row in conn.execute(
        select(r.visit_id, func.min(r.recorded_at)).where(r.visit_id.in_(ids), r.visits > 0)
        .group_by(r.visit_id))}
    conn.execute(delete(report_days).where(r.visit_id.in_(ids)))
    v, p, q, t = ix.index_visits.c, ix.index_pages.c, ix.index_parts.c, ix.index_testimonies.c
    pages = conn.execute(select(p.visit_id, p.item_id, p.media, p.batch_id, func.count())
                         .where(p.visit_id.in_(ids))
                         .group_by(p.visit_id, p.item_id, p.media, p.batch_id)).all()
    parts = conn.execute(select(q.visit_id, q.testimony_id, q.batch_id,
                                func.sum(q.frames * 1.0 / func.nullif(q.sample_rate, 0)))
                         .where(q.visit_id.in_(ids))
                         .group_by(q.visit_id, q.testimony_id, q.batch_id)).all()
    wanted = {row[3] for row in pages} | {row[2] for row in parts}
    received = {row[0]: aware(row[1]) for row in conn.execute(
        select(batches.c.batch_id, batches.c.received_at)
        .where(batches.c.batch_id.in_(sorted(wanted))))} if wanted else {}
    per_visit: dict[str, dict[str, Any]] = {}

    def of(visit_id: str) -> dict[str, Any]:
        return per_visit.setdefault(visit_id, {"pages": [], "parts": [], "people": [],
                                               "speakers": [], "martyrs": 0, "leads": 0,
                                               "consents": []})

    for row in pages:
        of(row[0])["pages"].append(row)
    for row in parts:
        of(row[0])["parts"].append(row)
    pe = ix.index_people.c
    for visit_id, person_id, kind, dna in conn.execute(
            select(pe.visit_id, pe.id, pe.kind, pe.dna_willing).where(pe.visit_id.in_(ids))):
        of(visit_id)["people"].append((person_id, kind, bool(dna)))
    for visit_id, testimony_id, person_id, name in conn.execute(
            select(t.visit_id, t.id, t.speaker_person_id, t.speaker_name)
            .where(t.visit_id.in_(ids))):
        of(visit_id)["speakers"].append((testimony_id, person_id, name))
    for table, counter in ((ix.index_martyrs, "martyrs"), (ix.index_leads, "leads")):
        for visit_id, n in conn.execute(select(table.c.visit_id, func.count())
                                        .where(table.c.visit_id.in_(ids))
                                        .group_by(table.c.visit_id)):
            of(visit_id)[counter] = int(n)
    k = ix.index_consents.c
    for visit_id, created in conn.execute(select(k.visit_id, k.created_at).where(
            k.visit_id.in_(ids), k.kind == "grant")):
        of(visit_id)["consents"].append(created)
    out: list[dict[str, Any]] = []
    for row in conn.execute(select(v.visit_id, v.visit_date, v.received_at, v.station_id,
                                   v.ward_code, v.province_code, v.village, v.address,
                                   v.contact_name, v.contact_phone).where(v.visit_id.in_(ids))):
        out += _rows(row, per_visit.get(row.visit_id) or of(row.visit_id), received,
                     kept_first.get(row.visit_id))
    if out:
        conn.execute(insert(report_days), out)
    return len(out)


def _rows(visit: Any, held: dict[str, Any], received: dict[str, datetime],
          kept_first: datetime | None) -> list[dict[str, Any]]:
    """One visit's rows: counters by (day, instant)."""
    day = _day(visit.visit_date)
    if day is None:
        return []  # a record without a readable day belongs to no period
    first = aware(visit.received_at)
    for row in held["pages"]:
        first = min(first, received.get(row[3], first))
    for row in held["parts"]:
        first = min(first, received.get(row[2], first))
    if kept_first is not None:
        first = min(first, kept_first)
    cells: dict[tuple[date, datetime], dict[str, Any]] = {}

    def cell(on: date, at: datetime) -> dict[str, Any]:
        return cells.setdefault((on, at), dict.fromkeys(COUNTERS, 0))

    own = cell(day, first)
    own["visits"] = 1
    own["martyrs"] = held["martyrs"]
    own["leads"] = held["leads"]
    own["dna_volunteers"] = sum(1 for _, _, dna in held["people"] if dna)
    heard: dict[str, datetime] = {person_id: first for person_id, kind, _ in held["people"]
                                  if kind in ("witness", "veteran")}
    item_first: dict[str, datetime] = {}
    for _, item_id, media, batch_id, n in held["pages"]:
        at = received.get(batch_id, first)
        cell(day, at)["videos" if media == "video" else "pages"] += int(n)
        item_first[item_id] = min(at, item_first.get(item_id, at))
    for at in item_first.values():
        cell(day, at)["items"] += 1
    testimony_first: dict[str, datetime] = {}
    for _, testimony_id, batch_id, seconds in held["parts"]:
        at = received.get(batch_id, first)
        cell(day, at)["seconds"] += float(seconds or 0)
        testimony_first[testimony_id] = min(at, testimony_first.get(testimony_id, at))
    for at in testimony_first.values():
        cell(day, at)["testimonies"] += 1
    for testimony_id, person_id, name in held["speakers"]:
        if testimony_id not in testimony_first:
            continue  # nothing was recorded (or it was all withdrawn): nobody was heard
        folded = _norm(name)
        key = person_id or (f"name:{folded}" if folded else f"testimony:{testimony_id}")
        at = testimony_first[testimony_id]
        heard[key] = min(at, heard.get(key, at))
    for at in heard.values():
        cell(day, at)["witnesses"] += 1
    for created in held["consents"]:
        signed = _instant_day(created)
        if signed is not None:
            cell(signed, first)["consents"] += 1
    place = {"visit_id": visit.visit_id, "station_id": visit.station_id,
             "ward_code": visit.ward_code, "province_code": visit.province_code}
    household = household_key(visit.ward_code, visit.village, visit.address,
                              visit.contact_name, visit.contact_phone, visit.visit_id)
    return [{**place, "day": on.isoformat(), "recorded_at": at,
             "household": household if counters is own else None, **counters}
            for (on, at), counters in sorted(cells.items()) if any(counters.values())
            or counters is own]
