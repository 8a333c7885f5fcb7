"""The station's own figures: its vault's records as ``capture.kpis`` facts, frozen at a cut-off.

    snapshot = station_report.snapshot(vault, as_of)
    data = kpis.report(snapshot, kpis.parse_period("2026-11"), by="commune")

Which record gives which fact, and with which dates (docs/reports.md says the same in words):

- the **day** of everything a visit holds (the visit itself, its martyrs, people, items' pages and
  videos, testimonies, leads) is the visit's day, as the volunteer entered it; consents and
  withdrawals are dated by the day they were signed or recorded;
- the **instant it was recorded** is the row's own creation time where it has one (visits, pages,
  consents), else the audit log's "create" event (martyrs, people, leads), and for a recording
  the moment its part was finished ("complete"), or imported;
- a page, a video or a recording the family withdrew carries the withdrawal's instant, so a
  report cut off before the withdrawal still counts it and one cut off after does not.

Only finished recordings count (a part still being recorded has no length yet). Rows deleted
from the vault are gone from every later report; the snapshot's digest shows that it changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from capture import kpis, places, station
from capture.consent import ConsentRecord
from capture.errors import UnknownPlace
from capture.kpis import Fact, FactKind, Snapshot
from capture.models import AuditEvent, Item, Lead, Martyr, Page, Person, Visit
from capture.roles import Action
from capture.search import fold
from capture.testimony import PartState, Testimony, TestimonyPart
from capture.vault import UnlockedVault

_AUDITED = ("martyr", "person", "lead", "page", "testimony_part")


def snapshot(vault: UnlockedVault, as_of: datetime) -> Snapshot:
    """Everything this station recorded before ``as_of``, as plain facts (no names, phones or
    addresses: a household is a keyed digest, a person an id)."""
    vault.require(Action.VIEW_REPORTS)
    info = station.info(vault)
    with vault.reading() as session:
        facts = list(_facts(session, info.id))
    communes = {f.commune for f in facts} | {str(info.ward_code)}
    labels = {"commune": {code: _ward_name(code) for code in sorted(communes)},
              "station": {info.id: info.name}}
    source = {"kind": "station", "station": info.id, "station_name": info.name,
              "commune": str(info.ward_code), "commune_name": info.ward_name,
              "province": str(info.province_code), "province_name": info.province_name}
    if info.practice:  # only then, so a real station's report digest is unchanged
        source["practice"] = True
    return kpis.freeze(facts, as_of, source=source, covers=kpis.STATION_KINDS, labels=labels)


def build(vault: UnlockedVault, as_of: datetime, *, period: str | None = None,
          start: date | None = None, end: date | None = None,
          rule: kpis.CutoffRule | str = kpis.CutoffRule.CALENDAR, by: str | None = None
          ) -> dict[str, Any]:
    """The report of a named period (2026-11, 2026-W48, ..., campaign) or of start..end."""
    if period is not None:
        # "Campaign to date" ends on the cut-off's day.
        chosen = kpis.parse_period(period, rule, until=kpis.local_day(
            as_of - timedelta(microseconds=1)))
    elif start is not None and end is not None:
        chosen = kpis.range_period(start, end, kpis.CutoffRule(rule))
    else:
        raise kpis.InvalidPeriod(text="")
    return kpis.report(snapshot(vault, as_of), chosen, by)


def _ward_name(code: str) -> str:
    try:
        return places.ward_name(int(code))
    except (UnknownPlace, ValueError):
        return code


def _household_key(visit: Visit) -> str:
    """The same household visited twice gives the same key; the key reveals no address."""
    def norm(text: str) -> str:
        return " ".join(fold(text or "").split())

    if norm(visit.village) or norm(visit.address):
        parts = ["place", str(visit.ward_code), norm(visit.village), norm(visit.address)]
    elif norm(visit.contact_name) or norm(visit.contact_phone):
        parts = ["contact", str(visit.ward_code), norm(visit.contact_name),
                 "".join(ch for ch in visit.contact_phone if ch.isdigit())]
    else:
        parts = ["visit", visit.id]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _first_events(session: Session, action: str) -> dict[tuple[str, str], datetime]:
    rows = session.execute(
        select(AuditEvent.entity, AuditEvent.entity_id, func.min(AuditEvent.at))
        .where(AuditEvent.action == action, AuditEvent.entity.in_(_AUDITED))
        .group_by(AuditEvent.entity, AuditEvent.entity_id))
    return {(entity, entity_id): at for entity, entity_id, at in rows}


def _withdrawn(session: Session) -> dict[tuple[str, str], datetime]:
    """(capture kind, ref id) -> when the family withdrew it, walking each visit's consent
    records in order (a later grant that names the capture again takes it back in)."""
    out: dict[tuple[str, str], datetime] = {}
    rows = session.execute(select(ConsentRecord.kind, ConsentRecord.payload,
                                  ConsentRecord.created_at)
                           .order_by(ConsentRecord.created_at, ConsentRecord.id))
    for kind, payload, created_at in rows:
        covers = [(c["kind"], c["ref_id"]) for c in json.loads(payload).get("covers") or []]
        for ref in covers:
            if kind == "withdraw":
                out.setdefault(ref, created_at)
            else:
                out.pop(ref, None)
    return out


def _facts(session: Session, station_id: str):  # type: ignore[no-untyped-def]
    created = _first_events(session, "create")
    completed = _first_events(session, "complete")
    withdrawn = _withdrawn(session)
    visits = {v.id: v for v in session.scalars(select(Visit))}
    days = {v.id: date.fromisoformat(v.visit_date) for v in visits.values()}

    def fact(kind: FactKind, row_id: str, visit_id: str, recorded: datetime, **extra):  # type: ignore[no-untyped-def]
        return Fact(kind, row_id, days[visit_id], recorded, station=station_id,
                    commune=str(visits[visit_id].ward_code), **extra)

    def recorded(entity: str, row_id: str, visit_id: str) -> datetime:
        return created.get((entity, row_id)) or visits[visit_id].created_at

    for visit in visits.values():
        yield fact(FactKind.VISIT, visit.id, visit.id, visit.created_at,
                   key=_household_key(visit))
    for martyr_id, visit_id in session.execute(select(Martyr.id, Martyr.visit_id)):
        yield fact(FactKind.MARTYR, martyr_id, visit_id, recorded("martyr", martyr_id, visit_id))
    for person_id, visit_id, kind, dna in session.execute(
            select(Person.id, Person.visit_id, Person.kind, Person.dna_willing)):
        when = recorded("person", person_id, visit_id)
        if kind in ("witness", "veteran"):
            yield fact(FactKind.WITNESS, f"person:{person_id}", visit_id, when, key=person_id)
        if dna:
            yield fact(FactKind.DNA_VOLUNTEER, person_id, visit_id, when)
    for page_id, item_id, visit_id, media, created_at in session.execute(
            select(Page.id, Page.item_id, Item.visit_id, Page.media, Page.created_at)
            .join(Item, Page.item_id == Item.id)):
        yield fact(FactKind.VIDEO if media == "video" else FactKind.PAGE, page_id, visit_id,
                   created_at, key=item_id, withdrawn_at=withdrawn.get(("page", page_id)))
    yield from _testimony_facts(session, fact, created, completed, withdrawn)
    for lead_id, visit_id in session.execute(select(Lead.id, Lead.visit_id)):
        yield fact(FactKind.LEAD, lead_id, visit_id, recorded("lead", lead_id, visit_id))
    for record_id, visit_id, kind, created_at in session.execute(
            select(ConsentRecord.id, ConsentRecord.visit_id, ConsentRecord.kind,
                   ConsentRecord.created_at).where(ConsentRecord.kind.in_(("grant", "withdraw")))):
        yield Fact(FactKind.CONSENT if kind == "grant" else FactKind.WITHDRAWAL, record_id,
                   kpis.local_day(created_at), created_at, station=station_id,
                   commune=str(visits[visit_id].ward_code))


def _testimony_facts(session, fact, created, completed, withdrawn):  # type: ignore[no-untyped-def]
    testimonies = {t.id: t for t in session.scalars(select(Testimony))}
    first_heard: dict[str, datetime] = {}
    for part in session.scalars(select(TestimonyPart).where(
            TestimonyPart.state == PartState.COMPLETE.value,
            TestimonyPart.object_name.is_not(None))):
        testimony = testimonies[part.testimony_id]
        when = (completed.get(("testimony_part", part.id))
                or created.get(("testimony_part", part.id)) or part.started_at)
        out = withdrawn.get(("recording", part.id))
        yield fact(FactKind.RECORDING, part.id, testimony.visit_id, when, key=testimony.id,
                   quantity=part.frames / part.sample_rate if part.sample_rate else 0.0,
                   withdrawn_at=out)
        # A speaker stays heard even if the recording is later withdrawn (it was heard).
        if testimony.id not in first_heard or when < first_heard[testimony.id]:
            first_heard[testimony.id] = when
    for testimony_id, when in first_heard.items():
        testimony = testimonies[testimony_id]
        name = " ".join(fold(testimony.speaker_name).split())
        key = (testimony.speaker_person_id
               or (f"{testimony.visit_id}:{name}" if name else f"testimony:{testimony_id}"))
        yield fact(FactKind.WITNESS, f"testimony:{testimony_id}", testimony.visit_id, when,
                   key=key)
