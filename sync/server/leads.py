"""A lead's life at the command (COMMAND.md §4), as a named state machine.

    received → screening → cross_checked → field_check → verified | not_confirmed
                                         ↘ verified (two independent sources, no field check)
    any open state → duplicate (merged into another lead; undoable)
    verified → searched → remains_found (how many) | nothing_found;  remains_found → gathered
    gathered → identified;  not_confirmed → screening (reopened with new evidence)

The index (``sync/server/index.py``) is rebuilt from the archive at will; the lead's life is a
record, like the tombstones: these tables are never cleared by a reindex. Every indexed lead
starts ``received`` (``on_indexed``, called by the index in the transaction that indexes its
batch, at the batch's time of receipt, so a reindex gives the same rows).

Every change is one row of ``lead_events`` (who, role, when, what, from, to, why, detail);
the verification rate is computed from those rows alone. Each function takes a connection and
the ``Actor`` asking and checks the role itself.

"verified" needs the lead's coordinate (WGS 84 latitude/longitude, the datum it was read in
and an uncertainty radius) and either two independent sources (distinct origins: two visits,
a visit and a document …; two leads of the same visit are one source) or a field check that
found the point.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)

from capture.folding import fold
from sync.errors import SyncError
from sync.server.actors import ADMIN, ANALYST, READS, VERIFIER, Actor, require
from sync.server.store import metadata

RECEIVED, SCREENING, CROSS_CHECKED, FIELD_CHECK = ("received", "screening", "cross_checked",
                                                   "field_check")
VERIFIED, NOT_CONFIRMED, DUPLICATE = "verified", "not_confirmed", "duplicate"
SEARCHED, REMAINS_FOUND, NOTHING_FOUND = "searched", "remains_found", "nothing_found"
GATHERED, IDENTIFIED = "gathered", "identified"
STATES = (RECEIVED, SCREENING, CROSS_CHECKED, FIELD_CHECK, VERIFIED, NOT_CONFIRMED, DUPLICATE,
          SEARCHED, REMAINS_FOUND, NOTHING_FOUND, GATHERED, IDENTIFIED)
OPEN_STATES = frozenset({RECEIVED, SCREENING, CROSS_CHECKED, FIELD_CHECK})  # may be merged

OFFICE = frozenset({ADMIN, ANALYST})
FIELD = frozenset({ADMIN, ANALYST, VERIFIER})
WORKERS = FIELD  # comment, be assigned, record a field check

# (from, to) → the roles that may move a lead so. Merging (→ duplicate) is merge()'s alone.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (RECEIVED, SCREENING): OFFICE,
    (SCREENING, CROSS_CHECKED): OFFICE,
    (SCREENING, NOT_CONFIRMED): OFFICE,
    (CROSS_CHECKED, FIELD_CHECK): OFFICE,
    (CROSS_CHECKED, VERIFIED): OFFICE,
    (CROSS_CHECKED, NOT_CONFIRMED): OFFICE,
    (FIELD_CHECK, VERIFIED): FIELD,
    (FIELD_CHECK, NOT_CONFIRMED): FIELD,
    (NOT_CONFIRMED, SCREENING): OFFICE,
    (VERIFIED, SEARCHED): frozenset({ADMIN, VERIFIER}),
    (SEARCHED, REMAINS_FOUND): frozenset({ADMIN, VERIFIER}),
    (SEARCHED, NOTHING_FOUND): frozenset({ADMIN, VERIFIER}),
    (REMAINS_FOUND, GATHERED): frozenset({ADMIN, VERIFIER}),
    (GATHERED, IDENTIFIED): OFFICE,
}
# A refusal or a reopening says why; the others may.
NEEDS_REASON = frozenset(edge for edge in TRANSITIONS
                         if edge[1] == NOT_CONFIRMED or edge[0] == NOT_CONFIRMED)
DATUMS = ("WGS 84", "VN-2000", "Indian 1960")
MAX_RADIUS_M = 100_000.0
MAX_TEXT = 4000
MAX_PHOTOS = 20
SYSTEM = Actor("system", "system")  # the index, receiving a lead; never a person's account

lead_states = Table(
    "lead_states", metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("state", String(16), nullable=False, index=True),
    Column("assigned_to", String(64), nullable=True, index=True),
    Column("merged_into", String(36), nullable=True, index=True),
    Column("latitude", Float, nullable=True),  # WGS 84
    Column("longitude", Float, nullable=True),
    Column("datum", String(16), nullable=True),  # the datum it was read in
    Column("uncertainty_m", Float, nullable=True),
    Column("notation", String(16), nullable=True),
    Column("coordinate_from", String(64), nullable=True),  # proposal:<id> | field_check:<id> | …
    Column("remains_count", Integer, nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
)

lead_events = Table(
    "lead_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", String(36), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    # received | transition | assign | comment | field_check | source | coordinate |
    # proposal_rejected | merge | merged_in | unmerge
    Column("action", String(24), nullable=False, index=True),
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=True, index=True),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),  # JSON
)

# What supports a lead. ``origin`` says who or what it comes from: two rows with one origin are
# one source (two leads from the same visit, the same document cited twice).
lead_sources = Table(
    "lead_sources", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", String(36), nullable=False, index=True),
    Column("origin", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # visit | document | witness | archive | map | …
    Column("reference", Text, nullable=False),
    Column("via_lead", String(36), nullable=True, index=True),  # brought by a merged duplicate
    Column("added_by", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("lead_id", "origin", "via_lead", name="uq_lead_sources_origin"),
)

lead_field_checks = Table(
    "lead_field_checks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", String(36), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", String(64), nullable=False),
    Column("found", Boolean, nullable=False),  # the place the lead describes was found
    Column("latitude", Float, nullable=True),  # WGS 84, the point found
    Column("longitude", Float, nullable=True),
    Column("datum", String(16), nullable=True),
    Column("accuracy_m", Float, nullable=True),
    Column("photos", Text, nullable=False),  # JSON list of file references
    Column("note", Text, nullable=False),
)

# Coordinates read out of what people wrote (capture.coords), each beside its source, for a
# person to accept, correct or reject (see proposals below).
lead_proposals = Table(
    "lead_proposals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("lead_id", String(36), nullable=True, index=True),  # None: of the visit, no lead
    Column("visit_id", String(36), nullable=False, index=True),
    Column("source_kind", String(16), nullable=False),  # lead | lead-grid | marker-label | …
    Column("source_id", String(36), nullable=False, index=True),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("span_text", Text, nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("datum", String(16), nullable=False),
    Column("notation", String(16), nullable=False),
    Column("uncertainty_m", Float, nullable=False),
    Column("rank", Integer, nullable=False),
    Column("candidates", Integer, nullable=False),
    Column("plausibility", Float, nullable=False),
    Column("notes", Text, nullable=False),  # JSON list
    Column("status", String(12), nullable=False, index=True),  # proposed|accepted|corrected|…
    Column("decided_by", String(64), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class LeadError(SyncError):
    """A lead cannot be moved or changed so; ``code`` names why (for the page's sentence)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class LeadNotFound(LeadError):
    def __init__(self, lead_id: str) -> None:
        super().__init__("not_found", f"no lead {lead_id!r}")


@dataclass(frozen=True)
class Point:
    """A coordinate as the lead keeps it: WGS 84, the datum it was read in, the radius."""

    latitude: float
    longitude: float
    datum: str
    uncertainty_m: float
    notation: str = "manual"

    def checked(self) -> Point:
        lat, lon, radius = (float(self.latitude), float(self.longitude),
                            float(self.uncertainty_m))
        if not all(math.isfinite(x) for x in (lat, lon, radius)):
            raise LeadError("bad_coordinate", "the coordinate is not a number")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise LeadError("bad_coordinate", "latitude or longitude out of range")
        if not (0 < radius <= MAX_RADIUS_M):
            raise LeadError("bad_radius", f"the radius must be above 0 and at most "
                                          f"{MAX_RADIUS_M:.0f} m")
        if self.datum not in DATUMS:
            raise LeadError("bad_datum", f"unknown datum {self.datum!r}")
        return Point(lat, lon, self.datum, radius, _clean(self.notation, 16) or "manual")


def _clean(value: Any, limit: int = MAX_TEXT) -> str:
    text = unicodedata.normalize("NFC", str(value or "")).strip()
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")[
        :limit]


def _event(conn: Connection, actor: Actor, lead_id: str, action: str, now: datetime, *,
           from_state: str | None = None, to_state: str | None = None, reason: str = "",
           detail: dict[str, Any] | None = None) -> int:
    return conn.execute(insert(lead_events).values(
        lead_id=lead_id, at=now, username=actor.username, role=actor.role, action=action,
        from_state=from_state, to_state=to_state, reason=_clean(reason),
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True))
    ).inserted_primary_key[0]


def _lead(conn: Connection, lead_id: str, *, lock: bool = False) -> Any:
    query = select(lead_states).where(lead_states.c.lead_id == lead_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise LeadNotFound(lead_id)
    return row


# --- from the index ------------------------------------------------------------------------------

def on_indexed(conn: Connection, visit_ids: list[str]) -> int:
    """Every lead of these visits that has no life yet starts ``received``, at its visit's time
    of receipt, with its visit as its first source; the coordinates in the visits' texts are
    proposed (``refresh_proposals``). Idempotent (a reindex adds nothing). Returns how many
    leads were received."""
    from sync.server import index as ix  # the index calls this; its tables are its own

    if not visit_ids:
        return 0
    rows = conn.execute(
        select(ix.index_leads.c.id, ix.index_leads.c.visit_id, ix.index_visits.c.received_at)
        .join(ix.index_visits, ix.index_visits.c.visit_id == ix.index_leads.c.visit_id)
        .outerjoin(lead_states, lead_states.c.lead_id == ix.index_leads.c.id)
        .where(ix.index_leads.c.visit_id.in_(visit_ids), lead_states.c.lead_id.is_(None))
        .order_by(ix.index_leads.c.visit_id, ix.index_leads.c.position)).all()
    for lead_id, visit_id, received_at in rows:
        conn.execute(insert(lead_states).values(
            lead_id=lead_id, visit_id=visit_id, state=RECEIVED, received_at=received_at,
            updated_at=received_at))
        conn.execute(insert(lead_sources).values(
            lead_id=lead_id, origin=f"visit:{visit_id}", kind="visit", reference=visit_id,
            added_by=SYSTEM.username, added_at=received_at))
        _event(conn, SYSTEM, lead_id, "received", received_at, to_state=RECEIVED,
               detail={"visit_id": visit_id})
    refresh_proposals(conn, visit_ids)
    return len(rows)


# --- moving a lead -------------------------------------------------------------------------------

def allowed_transitions(actor: Actor | None, state: str) -> list[str]:
    """The states this actor may move a lead in ``state`` to (for the page's buttons)."""
    if actor is None:
        return []
    return [to for (frm, to), roles in TRANSITIONS.items()
            if frm == state and actor.role in roles]


def independent_sources(conn: Connection, lead_id: str) -> int:
    return int(conn.execute(select(func.count(func.distinct(lead_sources.c.origin)))
                            .where(lead_sources.c.lead_id == lead_id)).scalar() or 0)


def found_field_checks(conn: Connection, lead_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(lead_field_checks).where(
        lead_field_checks.c.lead_id == lead_id, lead_field_checks.c.found.is_(True),
        lead_field_checks.c.latitude.is_not(None))).scalar() or 0)


def why_not_verified(conn: Connection, lead_id: str) -> list[str]:
    """What the lead lacks to be verified ([] when nothing): codes ``no_coordinate`` (with its
    datum and radius) and ``no_corroboration`` (two independent sources or a field check)."""
    lead = _lead(conn, lead_id)
    missing = []
    if None in (lead.latitude, lead.longitude, lead.datum, lead.uncertainty_m):
        missing.append("no_coordinate")
    if independent_sources(conn, lead_id) < 2 and found_field_checks(conn, lead_id) == 0:
        missing.append("no_corroboration")
    return missing


def transition(conn: Connection, actor: Actor, lead_id: str, to_state: str, now: datetime,
               why: str = "", *, remains: int | None = None) -> None:
    """Move the lead to ``to_state``, if the machine has that edge, the actor's role may take
    it and its rule holds; one event row."""
    require(actor, WORKERS, "move a lead")
    lead = _lead(conn, lead_id, lock=True)
    if to_state not in STATES:
        raise LeadError("unknown_state", f"no state {to_state!r}")
    roles = TRANSITIONS.get((lead.state, to_state))
    if roles is None:
        raise LeadError("not_allowed", f"a lead cannot go from {lead.state} to {to_state}")
    require(actor, roles, f"move a lead from {lead.state} to {to_state}")
    why = _clean(why)
    if (lead.state, to_state) in NEEDS_REASON and not why:
        raise LeadError("reason_required", f"moving a lead to {to_state} needs a reason")
    values: dict[str, Any] = {"state": to_state, "updated_at": now}
    detail: dict[str, Any] = {}
    if to_state == VERIFIED and (missing := why_not_verified(conn, lead_id)):
        raise LeadError(missing[0], "a lead is verified only with a coordinate (datum and "
                                    "radius) and two independent sources or a field check")
    if to_state == VERIFIED:
        detail = {"latitude": lead.latitude, "longitude": lead.longitude, "datum": lead.datum,
                  "uncertainty_m": lead.uncertainty_m,
                  "sources": independent_sources(conn, lead_id),
                  "field_checks": found_field_checks(conn, lead_id)}
    if to_state == REMAINS_FOUND:
        if not isinstance(remains, int) or isinstance(remains, bool) or not 1 <= remains <= 10000:
            raise LeadError("remains_required", "say how many remains were found (1 or more)")
        values["remains_count"] = remains
        detail["remains"] = remains
    conn.execute(update(lead_states).where(lead_states.c.lead_id == lead_id).values(**values))
    _event(conn, actor, lead_id, "transition", now, from_state=lead.state, to_state=to_state,
           reason=why, detail=detail)


def assign(conn: Connection, actor: Actor, lead_id: str, username: str | None,
           now: datetime, why: str = "") -> None:
    """Give the lead to a verifier (or an analyst, an admin) to follow up; None takes it back."""
    from sync.server.accounts import accounts  # accounts imports this module's neighbours

    require(actor, OFFICE, "assign a lead")
    lead = _lead(conn, lead_id, lock=True)
    if username is not None:
        account = conn.execute(select(accounts.c.role, accounts.c.active).where(
            accounts.c.username == username)).first()
        if account is None or not account.active or account.role not in WORKERS:
            raise LeadError("bad_assignee", f"{username!r} is not an active verifier, analyst "
                                            "or admin")
    conn.execute(update(lead_states).where(lead_states.c.lead_id == lead_id).values(
        assigned_to=username, updated_at=now))
    _event(conn, actor, lead_id, "assign", now, reason=why,
           detail={"from": lead.assigned_to, "to": username})


def comment(conn: Connection, actor: Actor, lead_id: str, text: str, now: datetime) -> int:
    require(actor, WORKERS, "comment on a lead")
    _lead(conn, lead_id)
    text = _clean(text)
    if not text:
        raise LeadError("empty_comment", "a comment needs some text")
    return _event(conn, actor, lead_id, "comment", now, reason=text)


def add_source(conn: Connection, actor: Actor, lead_id: str, kind: str, reference: str,
               now: datetime, why: str = "") -> None:
    """Another source supports the lead: a document, an archive record, a witness heard at the
    command. The same source twice counts once (its origin: kind and folded reference)."""
    require(actor, OFFICE, "add a source to a lead")
    _lead(conn, lead_id, lock=True)
    kind = _clean(kind, 16)
    reference = _clean(reference, 500)
    if kind not in ("document", "witness", "veteran", "archive", "map", "other") or not reference:
        raise LeadError("bad_source", "a source needs its kind and a reference")
    origin = f"{kind}:{' '.join(fold(reference).split())}"[:200]
    exists = conn.execute(select(lead_sources.c.id).where(
        lead_sources.c.lead_id == lead_id, lead_sources.c.origin == origin,
        lead_sources.c.via_lead.is_(None))).first()
    if exists is None:
        conn.execute(insert(lead_sources).values(lead_id=lead_id, origin=origin, kind=kind,
                                                 reference=reference, added_by=actor.username,
                                                 added_at=now))
    _event(conn, actor, lead_id, "source", now, reason=why,
           detail={"kind": kind, "reference": reference, "origin": origin})


def set_coordinate(conn: Connection, actor: Actor, lead_id: str, point: Point, now: datetime,
                   why: str = "", *, came_from: str = "manual") -> None:
    """The lead's coordinate (a person's decision: accepting or correcting a proposal, typing
    one, or the point a field check found)."""
    require(actor, FIELD, "set a lead's coordinate")
    lead = _lead(conn, lead_id, lock=True)
    point = point.checked()
    conn.execute(update(lead_states).where(lead_states.c.lead_id == lead_id).values(
        latitude=point.latitude, longitude=point.longitude, datum=point.datum,
        uncertainty_m=point.uncertainty_m, notation=point.notation,
        coordinate_from=came_from[:64], updated_at=now))
    _event(conn, actor, lead_id, "coordinate", now, reason=why, detail={
        "from": came_from, "latitude": point.latitude, "longitude": point.longitude,
        "datum": point.datum, "uncertainty_m": point.uncertainty_m, "notation": point.notation,
        "before": {"latitude": lead.latitude, "longitude": lead.longitude, "datum": lead.datum,
                   "uncertainty_m": lead.uncertainty_m}})


_REFERENCE = re.compile(r"[^\x00-\x1f/\\][^\x00-\x1f\\]{0,499}")


def field_check(conn: Connection, actor: Actor, lead_id: str, now: datetime, *, found: bool,
                point: Point | None = None, photos: list[str] | None = None,
                note: str = "") -> int:
    """What a field team found where: the point (WGS 84, its datum and accuracy), photos (file
    references: a page id, a file name on the team's camera), a note. Only while the lead is
    out for a field check. A point found becomes the lead's coordinate."""
    require(actor, FIELD, "record a field check")
    lead = _lead(conn, lead_id, lock=True)
    if lead.state != FIELD_CHECK:
        raise LeadError("not_in_field_check", "a field check is recorded while the lead is out "
                                              "for one")
    photos = [_clean(p, 500) for p in (photos or []) if _clean(p, 500)]
    if len(photos) > MAX_PHOTOS or not all(_REFERENCE.fullmatch(p) and ".." not in p
                                           for p in photos):
        raise LeadError("bad_photos", f"at most {MAX_PHOTOS} photo references, each a plain "
                                      "name or id")
    if found and point is None:
        raise LeadError("point_required", "a place found needs its point and accuracy")
    checked = point.checked() if point is not None else None
    check_id = conn.execute(insert(lead_field_checks).values(
        lead_id=lead_id, at=now, username=actor.username, found=bool(found),
        latitude=checked.latitude if checked else None,
        longitude=checked.longitude if checked else None,
        datum=checked.datum if checked else None,
        accuracy_m=checked.uncertainty_m if checked else None,
        photos=json.dumps(photos, ensure_ascii=False), note=_clean(note))).inserted_primary_key[0]
    _event(conn, actor, lead_id, "field_check", now, reason=note, detail={
        "field_check_id": check_id, "found": bool(found), "photos": photos,
        "point": checked.__dict__ if checked else None})
    if found and checked is not None:
        set_coordinate(conn, actor, lead_id, checked, now, "field check",
                       came_from=f"field_check:{check_id}")
    return int(check_id)


# --- duplicates ----------------------------------------------------------------------------------

def merge(conn: Connection, actor: Actor, duplicate_id: str, into_id: str, now: datetime,
          why: str) -> None:
    """The lead ``duplicate_id`` is the same tip as ``into_id``: it becomes ``duplicate``, its
    sources support the other lead (its visit counts as a source there), and ``unmerge`` puts
    everything back."""
    require(actor, OFFICE, "merge leads")
    if duplicate_id == into_id:
        raise LeadError("self_merge", "a lead cannot be merged into itself")
    why = _clean(why)
    if not why:
        raise LeadError("reason_required", "merging needs a reason")
    dup = _lead(conn, duplicate_id, lock=True)
    into = _lead(conn, into_id, lock=True)
    if dup.state not in OPEN_STATES:
        raise LeadError("not_open", f"a lead in state {dup.state} cannot be merged")
    if into.state == DUPLICATE:
        raise LeadError("into_duplicate", "merge into the lead it was merged into")
    if conn.execute(select(lead_states.c.lead_id).where(
            lead_states.c.merged_into == duplicate_id)).first() is not None:
        raise LeadError("has_duplicates", "this lead has duplicates merged into it; merge the "
                                          "other way or undo those first")
    copied = 0
    for row in conn.execute(select(lead_sources).where(lead_sources.c.lead_id == duplicate_id,
                                                       lead_sources.c.via_lead.is_(None))).all():
        conn.execute(insert(lead_sources).values(
            lead_id=into_id, origin=row.origin, kind=row.kind, reference=row.reference,
            via_lead=duplicate_id, added_by=actor.username, added_at=now))
        copied += 1
    conn.execute(update(lead_states).where(lead_states.c.lead_id == duplicate_id).values(
        state=DUPLICATE, merged_into=into_id, updated_at=now))
    _event(conn, actor, duplicate_id, "merge", now, from_state=dup.state, to_state=DUPLICATE,
           reason=why, detail={"into": into_id})
    _event(conn, actor, into_id, "merged_in", now, reason=why,
           detail={"duplicate": duplicate_id, "sources": copied})


def unmerge(conn: Connection, actor: Actor, duplicate_id: str, now: datetime, why: str) -> None:
    """Undo a merge: the lead is back in the state it had, its sources leave the other lead."""
    require(actor, OFFICE, "undo a merge")
    why = _clean(why)
    if not why:
        raise LeadError("reason_required", "undoing a merge needs a reason")
    dup = _lead(conn, duplicate_id, lock=True)
    if dup.state != DUPLICATE or dup.merged_into is None:
        raise LeadError("not_merged", "this lead is not merged into another")
    merged = conn.execute(select(lead_events.c.from_state).where(
        lead_events.c.lead_id == duplicate_id, lead_events.c.action == "merge")
        .order_by(lead_events.c.id.desc()).limit(1)).scalar() or RECEIVED
    conn.execute(delete(lead_sources).where(lead_sources.c.lead_id == dup.merged_into,
                                            lead_sources.c.via_lead == duplicate_id))
    conn.execute(update(lead_states).where(lead_states.c.lead_id == duplicate_id).values(
        state=merged, merged_into=None, updated_at=now))
    _event(conn, actor, duplicate_id, "unmerge", now, from_state=DUPLICATE, to_state=merged,
           reason=why, detail={"was_in": dup.merged_into})
    _event(conn, actor, dup.merged_into, "merged_out", now, reason=why,
           detail={"duplicate": duplicate_id})


# --- reading -------------------------------------------------------------------------------------

def events(conn: Connection, actor: Actor, lead_id: str) -> list[dict[str, Any]]:
    require(actor, READS, "see a lead's history")
    _lead(conn, lead_id)
    rows = conn.execute(select(lead_events).where(lead_events.c.lead_id == lead_id)
                        .order_by(lead_events.c.id)).all()
    return [{**dict(r._mapping), "detail": json.loads(r.detail)} for r in rows]


def state_of(conn: Connection, actor: Actor, lead_id: str) -> dict[str, Any]:
    require(actor, READS, "see a lead")
    return dict(_lead(conn, lead_id)._mapping)


def verification_rate(conn: Connection, until: datetime | None = None,
                      since: datetime | None = None) -> dict[str, Any]:
    """From the events alone, as of ``until`` (events after it are not seen, so the same cut-off
    always gives the same figures): of the leads received in [since, until), those that were
    not merged away as duplicates at the cut-off, how many had been verified. ``rate`` is
    None when none were received."""
    at = lead_events.c.at
    cut = [at <= until] if until is not None else []
    received_where = [lead_events.c.action == "received", *cut]
    if since is not None:
        received_where.append(at >= since)
    received = select(lead_events.c.lead_id).where(*received_where).scalar_subquery()
    # A lead's last merge/unmerge before the cut-off says whether it was a duplicate then.
    last = (select(lead_events.c.lead_id, func.max(lead_events.c.id).label("id"))
            .where(lead_events.c.action.in_(("merge", "unmerge")), *cut)
            .group_by(lead_events.c.lead_id).subquery())
    duplicates = (select(lead_events.c.lead_id)
                  .join(last, and_(last.c.id == lead_events.c.id))
                  .where(lead_events.c.action == "merge").scalar_subquery())
    counted = [lead_events.c.lead_id.in_(received), lead_events.c.lead_id.not_in(duplicates)]
    total = conn.execute(select(func.count(func.distinct(lead_events.c.lead_id))).where(
        lead_events.c.action == "received", *counted)).scalar() or 0
    verified = conn.execute(select(func.count(func.distinct(lead_events.c.lead_id))).where(
        lead_events.c.action == "transition", lead_events.c.to_state == VERIFIED, *cut,
        *counted)).scalar() or 0
    return {"received": int(total), "verified": int(verified),
            "rate": (verified / total) if total else None,
            "until": until, "since": since}


# --- proposed coordinates ------------------------------------------------------------------------
# What people wrote, read by capture.coords at indexing: every reading of every span (ambiguity
# is shown, never settled silently), beside its source, for a person to accept, correct or
# reject. A proposal's key is its source and reading, so indexing again adds nothing, a text
# changed at the station replaces the undecided proposals of its old text, and a decision stays.

PROPOSED, ACCEPTED, CORRECTED, REJECTED = "proposed", "accepted", "corrected", "rejected"


def _proposal_key(visit_id: str, kind: str, source_id: str, c: Any) -> str:
    import hashlib

    raw = json.dumps([visit_id, kind, source_id, c.start, c.end, round(c.lat, 7), round(c.lon, 7),
                      c.datum, c.notation], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _texts(conn: Connection, visit_id: str) -> list[tuple[str, str, str | None, str, str]]:
    """(kind, source id, lead id or None, text, place text) for every text of a visit that may
    hold a coordinate."""
    from sync.server import index as ix

    leads = conn.execute(select(ix.index_leads).where(ix.index_leads.c.visit_id == visit_id)
                         .order_by(ix.index_leads.c.position)).all()
    visit = conn.execute(select(ix.index_visits.c.province_code).where(
        ix.index_visits.c.visit_id == visit_id)).first()
    province = ix._place("province", visit.province_code) if visit is not None else ""
    out: list[tuple[str, str, str | None, str, str]] = []
    by_marker: dict[str, str] = {}
    by_page: dict[str, str] = {}
    for lead in leads:
        out.append(("lead", lead.id, lead.id, lead.description, lead.description))
        out.append(("lead-grid", lead.id, lead.id, lead.grid_reference, lead.description))
        by_marker.setdefault(lead.source_ref, lead.id)
        by_page.setdefault(lead.source_ref, lead.id)
    for marker in conn.execute(select(ix.index_markers).where(
            ix.index_markers.c.visit_id == visit_id)).all():
        lead_id = by_marker.get(marker.id)
        out.append(("marker-label", marker.id, lead_id, marker.label, marker.note))
        out.append(("marker-note", marker.id, lead_id, marker.note, marker.label))
    pages = conn.execute(select(ix.index_pages.c.id, ix.index_pages.c.item_id).where(
        ix.index_pages.c.visit_id == visit_id)).all()
    item_lead = {p.item_id: by_page[p.id] for p in pages if p.id in by_page}
    items = conn.execute(select(ix.index_items).where(
        ix.index_items.c.visit_id == visit_id)).all()
    for item in items:
        out.append(("item", item.id, item_lead.get(item.id), item.description, item.title))
    # The text OCR read of the visit's photographed pages (sync/server/ocr.py).
    from sync.server.ocr import texts_of_visit

    item_of_page = {p.id: p.item_id for p in pages}
    titles = {item.id: item.title for item in items}
    for page_id, text in texts_of_visit(conn, visit_id).items():
        item_id = item_of_page.get(page_id)
        if item_id is None:
            continue  # the page is no longer in the visit
        out.append(("page-ocr", page_id, by_page.get(page_id) or item_lead.get(item_id or ""),
                    text, titles.get(item_id or "", "")))
    return [(k, s, lead, text, f"{place} {province}") for k, s, lead, text, place in out
            if text and text.strip()]


def refresh_proposals(conn: Connection, visit_ids: list[str], reader: Any = None) -> int:
    """Read the coordinates in every text of these visits (leads' descriptions and grid
    references, markers' labels and notes, items' descriptions) into proposals; undecided ones
    whose text is gone leave; a decided one whose source is gone keeps its decision but not the
    words (they went with what the family withdrew). Returns how many were added."""
    from capture.coords import Context, CoordinateReader
    from sync.server import index as ix
    from sync.server import places

    reader = reader or CoordinateReader()
    register = places.load_register(conn)  # place names: after the numeric readings, below
    added = 0
    for visit_id in dict.fromkeys(visit_ids):
        received_at = conn.execute(select(ix.index_visits.c.received_at).where(
            ix.index_visits.c.visit_id == visit_id)).scalar()
        found: dict[str, dict[str, Any]] = {}
        sources: set[tuple[str, str]] = set()
        where = conn.execute(select(ix.index_visits.c.province_code,
                                    ix.index_visits.c.ward_code).where(
            ix.index_visits.c.visit_id == visit_id)).first()
        province_name = ix._place("province", where.province_code if where else None)
        commune = places.commune_centre(where.ward_code if where else None)
        for kind, source_id, lead_id, text, place in _texts(conn, visit_id):
            sources.add((kind, source_id))
            named = places.find_places(text, province_name, register, commune)
            for c in [*reader.find(text, Context(province=place)), *named]:
                key = _proposal_key(visit_id, kind, source_id, c)
                found[key] = {
                    "key": key, "lead_id": lead_id, "visit_id": visit_id, "source_kind": kind,
                    "source_id": source_id, "span_start": c.start, "span_end": c.end,
                    "span_text": c.text[:500], "latitude": c.lat, "longitude": c.lon,
                    "datum": c.datum, "notation": c.notation,
                    "uncertainty_m": c.uncertainty_m, "rank": c.rank,
                    "candidates": c.candidates, "plausibility": c.plausibility,
                    "notes": json.dumps(list(c.notes), ensure_ascii=False), "status": PROPOSED,
                    "created_at": received_at}
        existing = conn.execute(select(lead_proposals.c.id, lead_proposals.c.key,
                                       lead_proposals.c.status, lead_proposals.c.source_kind,
                                       lead_proposals.c.source_id).where(
            lead_proposals.c.visit_id == visit_id)).all()
        keys = {row.key for row in existing}
        stale = [row.id for row in existing if row.key not in found and row.status == PROPOSED]
        gone = [row.id for row in existing if row.status != PROPOSED
                and (row.source_kind, row.source_id) not in sources]
        if stale:
            conn.execute(delete(lead_proposals).where(lead_proposals.c.id.in_(stale)))
        if gone:
            conn.execute(update(lead_proposals).where(lead_proposals.c.id.in_(gone)).values(
                span_text=""))
        new = [row for key, row in found.items() if key not in keys]
        if new and received_at is not None:
            conn.execute(insert(lead_proposals), new)
            added += len(new)
    return added


def proposals(conn: Connection, actor: Actor, lead_id: str) -> list[dict[str, Any]]:
    """The coordinates proposed for this lead (from its own texts and its source's), then those
    read elsewhere in its visit that no lead claims; each with its MGRS reference."""
    from capture.coords import to_mgrs

    require(actor, READS, "see a lead's proposed coordinates")
    lead = _lead(conn, lead_id)
    rows = conn.execute(select(lead_proposals).where(
        lead_proposals.c.visit_id == lead.visit_id,
        (lead_proposals.c.lead_id == lead_id) | lead_proposals.c.lead_id.is_(None))
        .order_by(lead_proposals.c.lead_id.is_(None),
                  lead_proposals.c.notation == "place",  # place names below written coordinates
                  lead_proposals.c.source_kind,
                  lead_proposals.c.source_id, lead_proposals.c.span_start,
                  lead_proposals.c.rank)).all()
    return [{**dict(r._mapping), "notes": json.loads(r.notes),
             "note_codes": _note_codes(json.loads(r.notes)),
             "mgrs": to_mgrs(r.latitude, r.longitude), "own": r.lead_id == lead_id}
            for r in rows]


def _note_codes(notes: list[str]) -> list[dict[str, Any]]:
    """The notes as codes and values, for the page to say in its language (a note no table
    knows is kept as its text: code ``text``)."""
    from capture.coords import note_code
    from sync.server.places import note_codes

    out: list[dict[str, Any]] = []
    for note in notes:
        coded = note_code(note)
        out += [coded] if coded else (note_codes(note) or [{"code": "text",
                                                              "params": {"text": note}}])
    return out


def _proposal_for(conn: Connection, proposal_id: int, lead_id: str) -> Any:
    lead = _lead(conn, lead_id, lock=True)
    row = conn.execute(select(lead_proposals).where(lead_proposals.c.id == int(proposal_id))
                       ).first()
    if row is None or row.visit_id != lead.visit_id or row.lead_id not in (None, lead_id):
        raise LeadError("no_proposal", "no such proposed coordinate for this lead")
    if row.status != PROPOSED:
        raise LeadError("decided", f"this proposed coordinate was {row.status} already")
    return row


def _decide(conn: Connection, actor: Actor, row: Any, status: str, now: datetime) -> None:
    conn.execute(update(lead_proposals).where(lead_proposals.c.id == row.id).values(
        status=status, decided_by=actor.username, decided_at=now))


def accept_proposal(conn: Connection, actor: Actor, lead_id: str, proposal_id: int,
                    now: datetime, why: str = "") -> None:
    """The proposal becomes the lead's coordinate, with its datum and radius."""
    require(actor, OFFICE, "accept a proposed coordinate")
    row = _proposal_for(conn, proposal_id, lead_id)
    _decide(conn, actor, row, ACCEPTED, now)
    set_coordinate(conn, actor, lead_id, Point(row.latitude, row.longitude, row.datum,
                                               row.uncertainty_m, row.notation), now, why,
                   came_from=f"proposal:{row.id}")


def correct_proposal(conn: Connection, actor: Actor, lead_id: str, proposal_id: int,
                     point: Point, now: datetime, why: str) -> None:
    """A person's correction of the reading becomes the lead's coordinate."""
    require(actor, OFFICE, "correct a proposed coordinate")
    if not _clean(why):
        raise LeadError("reason_required", "a correction says why")
    row = _proposal_for(conn, proposal_id, lead_id)
    point.checked()
    _decide(conn, actor, row, CORRECTED, now)
    set_coordinate(conn, actor, lead_id, point, now, why, came_from=f"proposal:{row.id}")


def reject_proposal(conn: Connection, actor: Actor, lead_id: str, proposal_id: int,
                    now: datetime, why: str = "") -> None:
    require(actor, OFFICE, "reject a proposed coordinate")
    row = _proposal_for(conn, proposal_id, lead_id)
    _decide(conn, actor, row, REJECTED, now)
    _event(conn, actor, lead_id, "proposal_rejected", now, reason=why, detail={
        "proposal_id": row.id, "text": row.span_text, "latitude": row.latitude,
        "longitude": row.longitude, "datum": row.datum})


# --- nearby leads --------------------------------------------------------------------------------

def positions(conn: Connection, lead_ids: list[str] | None = None) -> dict[str, tuple]:
    """Where each lead points: its own coordinate when a person set one, else the most plausible
    reading proposed from its own texts (rank 1, the smallest radius). (lat, lon, radius_m,
    how) with how "coordinate" or "proposal:<id>". Duplicates merged away are left out."""
    where = [lead_states.c.state != DUPLICATE]
    if lead_ids is not None:
        where.append(lead_states.c.lead_id.in_(lead_ids))
    out: dict[str, tuple] = {}
    for row in conn.execute(select(lead_states.c.lead_id, lead_states.c.latitude,
                                   lead_states.c.longitude, lead_states.c.uncertainty_m)
                            .where(*where)).all():
        if None not in (row.latitude, row.longitude, row.uncertainty_m):
            out[row.lead_id] = (row.latitude, row.longitude, row.uncertainty_m, "coordinate")
    proposed = (select(lead_proposals.c.id, lead_proposals.c.lead_id, lead_proposals.c.latitude,
                       lead_proposals.c.longitude, lead_proposals.c.uncertainty_m)
                .join(lead_states, lead_states.c.lead_id == lead_proposals.c.lead_id)
                .where(*where, lead_proposals.c.rank == 1,
                       lead_proposals.c.notation != "place",  # a name says where to look
                       lead_proposals.c.status.in_((PROPOSED, ACCEPTED, CORRECTED)))
                .order_by(lead_proposals.c.uncertainty_m.desc(), lead_proposals.c.id.desc()))
    for row in conn.execute(proposed).all():
        if row.lead_id not in out or out[row.lead_id][3] != "coordinate":
            out[row.lead_id] = (row.latitude, row.longitude, row.uncertainty_m,
                                f"proposal:{row.id}")  # the smallest radius comes last
    return out


def _overlapping(points: dict[str, tuple]) -> list[tuple[str, str, float]]:
    """Pairs of leads whose circles overlap (centre distance ≤ the two radii), with the distance:
    a sweep in latitude, so only neighbours within the largest two radii are compared."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    ordered = sorted(points.items(), key=lambda kv: kv[1][0])
    widest = max((p[2] for p in points.values()), default=0.0)
    reach_deg = 2 * widest / 111_000 + 1e-9
    pairs = []
    for i, (a, pa) in enumerate(ordered):
        for b, pb in ordered[i + 1:]:
            if pb[0] - pa[0] > reach_deg:
                break
            d = geod.inv(pa[1], pa[0], pb[1], pb[0])[2]
            if d <= pa[2] + pb[2]:
                pairs.append((a, b, d))
    return pairs


def nearby_groups(conn: Connection, actor: Actor, *, states: list[str] | None = None
                  ) -> list[list[str]]:
    """Leads pointing at the same place: groups (two or more) of leads joined by overlapping
    circles — several witnesses, each with their uncertainty. Largest group first."""
    require(actor, READS, "see nearby leads")
    ids = None
    if states:
        ids = list(conn.execute(select(lead_states.c.lead_id).where(
            lead_states.c.state.in_(states))).scalars())
    points = positions(conn, ids)
    parent = {lead: lead for lead in points}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in _overlapping(points):
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for lead in points:
        groups.setdefault(root(lead), []).append(lead)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1),
                  key=lambda g: (-len(g), g[0]))


def nearby(conn: Connection, actor: Actor, lead_id: str) -> list[dict[str, Any]]:
    """The leads whose circle overlaps this lead's, nearest first, with the distance."""
    require(actor, READS, "see nearby leads")
    _lead(conn, lead_id)
    points = positions(conn)
    if lead_id not in points:
        return []
    out = []
    for a, b, d in _overlapping(points):
        if lead_id in (a, b):
            other = b if a == lead_id else a
            out.append({"lead_id": other, "distance_m": d, "radius_m": points[other][2],
                        "from": points[other][3]})
    return sorted(out, key=lambda x: x["distance_m"])


# --- lists and pages -----------------------------------------------------------------------------

MAX_PER_PAGE = 100


def _bbox(value: Any) -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` in WGS 84 degrees (GeoJSON's order), or None."""
    if value in (None, ""):
        return None
    try:
        west, south, east, north = (float(x) for x in str(value).split(","))
    except ValueError:
        raise LeadError("bad_bbox", "bbox is west,south,east,north in degrees") from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise LeadError("bad_bbox", "bbox is west,south,east,north in degrees")
    return west, south, east, north


def list_leads(conn: Connection, actor: Actor, *, state: str | None = None,
               bbox: Any = None, page: int = 1, per_page: int = 20,
               ids: list[str] | None = None) -> dict[str, Any]:
    """Leads newest received first, with their state, coordinate (or best proposal), martyr and
    visit; filtered by state and by a box (on where the lead points). ``total`` counts them."""
    from sync.server import index as ix

    require(actor, READS, "see the leads")
    if state not in (None, "") and state not in STATES:
        raise LeadError("bad_state", f"no state {state!r}")
    box = _bbox(bbox)
    try:
        page, per_page = max(1, int(page)), min(MAX_PER_PAGE, max(1, int(per_page)))
    except (TypeError, ValueError):
        raise LeadError("bad_page", "page and per_page must be whole numbers") from None
    s, lead, v, m = lead_states, ix.index_leads, ix.index_visits, ix.index_martyrs
    where = []
    if state:
        where.append(s.c.state == state)
    if ids is not None:
        where.append(s.c.lead_id.in_(ids))
    query = (select(s, lead.c.description, lead.c.grid_reference, lead.c.confidence,
                    lead.c.source_kind, lead.c.source_ref, v.c.visit_date, v.c.station_id,
                    v.c.province_code, v.c.ward_code, m.c.full_name.label("martyr"))
             .join(lead, lead.c.id == s.c.lead_id)
             .join(v, v.c.visit_id == s.c.visit_id)
             .outerjoin(m, m.c.id == lead.c.martyr_id)
             .where(*where).order_by(s.c.received_at.desc(), s.c.lead_id))
    rows = [dict(r._mapping) for r in conn.execute(query)] if box else None
    where_points = positions(conn, [r["lead_id"] for r in rows]) if rows is not None else None
    if box is not None and rows is not None and where_points is not None:
        west, south, east, north = box
        rows = [r for r in rows if r["lead_id"] in where_points
                and south <= where_points[r["lead_id"]][0] <= north
                and west <= where_points[r["lead_id"]][1] <= east]
        total = len(rows)
        rows = rows[(page - 1) * per_page:page * per_page]
    else:
        total = conn.execute(select(func.count()).select_from(
            s.join(lead, lead.c.id == s.c.lead_id)).where(*where)).scalar() or 0
        rows = [dict(r._mapping) for r in conn.execute(
            query.limit(per_page).offset((page - 1) * per_page))]
    points = positions(conn, [r["lead_id"] for r in rows])
    for row in rows:
        point = points.get(row["lead_id"])
        row["point"] = ({"latitude": point[0], "longitude": point[1], "uncertainty_m": point[2],
                         "from": point[3]} if point else None)
        row["commune"] = ix._place("ward", row["ward_code"])
        row["province"] = ix._place("province", row["province_code"])
    return {"items": rows, "total": int(total), "page": page, "per_page": per_page,
            "pages": max(1, -(-int(total) // per_page)), "state": state or None,
            "bbox": list(box) if box else None}


def lead_detail(conn: Connection, actor: Actor, lead_id: str) -> dict[str, Any]:
    """A lead whole: its state and coordinate, what it says and where it came from (the visit,
    the marker and its testimony, or the page), its sources, field checks, events, proposed
    coordinates, nearby leads, what it lacks to be verified and what this actor may do."""
    from capture.coords import to_mgrs
    from sync.server import index as ix

    require(actor, READS, "open a lead")
    state = dict(_lead(conn, lead_id)._mapping)
    row = conn.execute(select(ix.index_leads).where(ix.index_leads.c.id == lead_id)).first()
    lead = dict(row._mapping) if row is not None else {}
    source: dict[str, Any] = {"kind": lead.get("source_kind"), "ref": lead.get("source_ref")}
    marker = conn.execute(select(ix.index_markers).where(
        ix.index_markers.c.id == lead.get("source_ref", ""))).first()
    if marker is not None:
        source.update(kind="marker", testimony_id=marker.testimony_id,
                      at_seconds=marker.at_seconds, label=marker.label, note=marker.note)
    elif lead.get("source_kind") == "marker":
        source["withdrawn"] = True
    martyr = conn.execute(select(ix.index_martyrs.c.full_name).where(
        ix.index_martyrs.c.id == lead.get("martyr_id", ""))).scalar()
    sources = [dict(r._mapping) for r in conn.execute(
        select(lead_sources).where(lead_sources.c.lead_id == lead_id)
        .order_by(lead_sources.c.id))]
    checks = [{**dict(r._mapping), "photos": json.loads(r.photos)} for r in conn.execute(
        select(lead_field_checks).where(lead_field_checks.c.lead_id == lead_id)
        .order_by(lead_field_checks.c.id))]
    if state["latitude"] is not None:
        state["mgrs"] = to_mgrs(state["latitude"], state["longitude"])
    return {
        "lead_id": lead_id, **state, "description": lead.get("description", ""),
        "grid_reference": lead.get("grid_reference", ""), "martyr": martyr,
        "confidence": lead.get("confidence"), "source": source,
        "sources": sources, "independent_sources": independent_sources(conn, lead_id),
        "field_checks": checks, "events": events(conn, actor, lead_id),
        "proposals": proposals(conn, actor, lead_id), "nearby": nearby(conn, actor, lead_id),
        "missing_for_verified": why_not_verified(conn, lead_id),
        "may": allowed_transitions(actor, state["state"]),
        "merged_here": list(conn.execute(select(lead_states.c.lead_id).where(
            lead_states.c.merged_into == lead_id)).scalars()),
    }
