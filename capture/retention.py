"""Data beyond need: once the command holds a visit, the laptop need not.

Off by default. When the station admin sets a retention period (days), a visit's media — its
pages' photos and videos with their thumbnails and previews, its testimony recordings — leave
this laptop that many days after the visit was delivered: every batch part carrying the visit
has a verified receipt (``outbox.delivered_visits``). Only objects a delivered part carried go
(material withdrawn or never consented did not travel, and stays). The records stay, and so
does each object's row with its size, name (an HMAC of the content) and SHA-256 digest: the
visit can still be read, reported and matched against what the command holds; the page says
"sent to the command, removed from this laptop".
A lost laptop then holds less.

An object another, not yet releasable, visit still shows stays. The rows are marked released in
one transaction (audited), then the files go; killed in between, the next pass removes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from capture import outbox
from capture.errors import CaptureError
from capture.models import ObjectRow, Station
from capture.roles import Action
from capture.vault import UnlockedVault

MAX_DAYS = 3650


class RetentionOutOfRange(CaptureError):
    message = "The retention period must be between 0 and 3650 days, or off."


class MediaReleased(CaptureError):
    message = ("Sent to the command and removed from this laptop after the station's retention "
               "period; the record and its fingerprint are kept.")


@dataclass(frozen=True)
class ReleaseReport:
    visits: int
    objects: int
    bytes: int


def retention_days(vault: UnlockedVault) -> int | None:
    return vault.station().media_retention_days


def set_retention_days(vault: UnlockedVault, days: int | None) -> None:
    """``None`` turns it off (the default)."""
    vault.require(Action.EDIT_STATION)
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise RetentionOutOfRange()
    with vault.writing() as session:
        station = session.scalars(select(Station)).one()
        station.media_retention_days = days
        vault.audit(session, "change", "station", station.id, media_retention_days=days)


# Every column naming a visit's media, by the visit that shows it.
_MEDIA = (
    "SELECT i.visit_id, p.object_name FROM pages p JOIN items i ON i.id = p.item_id "
    "UNION SELECT i.visit_id, p.thumbnail_object FROM pages p JOIN items i ON i.id = p.item_id "
    "UNION SELECT i.visit_id, p.preview_object FROM pages p JOIN items i ON i.id = p.item_id "
    "UNION SELECT t.visit_id, tp.object_name FROM testimony_parts tp "
    "  JOIN testimonies t ON t.id = tp.testimony_id "
    "UNION SELECT t.visit_id, tp.original_object FROM testimony_parts tp "
    "  JOIN testimonies t ON t.id = tp.testimony_id"
)
# A page's pictures of its original: they go with the original.
_DERIVED = ("SELECT p.object_name, p.thumbnail_object, p.preview_object FROM pages p")


def _by_visit(session: Session, query: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for visit_id, name in session.execute(text(query)):
        if name is not None:
            found.setdefault(visit_id, set()).add(name)
    return found


def _delivered(session: Session) -> tuple[dict[str, datetime], set[str]]:
    """When each visit was last delivered, and the object names delivered parts carried."""
    when: dict[str, datetime] = {}
    carried: set[str] = set()
    rows = session.execute(
        select(outbox.ContentRow.kind, outbox.ContentRow.ref, outbox.ContentRow.visit_id,
               outbox.BatchRow.delivered_at)
        .join(outbox.BatchRow, outbox.BatchRow.id == outbox.ContentRow.batch_id)
        .where(outbox.BatchRow.state == outbox.BatchState.DELIVERED.value))
    for kind, ref, visit_id, delivered_at in rows:
        if kind == "capture":
            carried.add(ref.rsplit(":", 1)[-1])  # kind:ref_id:object_name
        elif kind == "visit" and delivered_at is not None:
            when[visit_id] = max(delivered_at, when.get(visit_id, delivered_at))
    return when, carried


def release_delivered(vault: UnlockedVault, now: datetime | None = None) -> ReleaseReport:
    """Remove the media of visits delivered at least the retention period ago. Housekeeping
    the app runs for whoever is signed in (the admin chose the period); nothing when off."""
    days = retention_days(vault)
    if days is None:
        return ReleaseReport(0, 0, 0)
    now = now or vault.clock()
    delivered = outbox.delivered_visits(vault)
    store = vault.objects
    with vault.writing() as session:
        when, carried = _delivered(session)
        media = _by_visit(session, _MEDIA)
        due = {v for v in delivered if v in when and now - when[v] >= timedelta(days=days)}
        # Only what a delivered part carried (withdrawn or never-consented material never
        # travelled and stays), with the pictures made of it; nothing a visit not yet due shows.
        going = {n for v in due for n in media.get(v, set()) if n in carried}
        for original, *pictures in session.execute(text(_DERIVED)):
            if original in going:
                going.update(p for p in pictures if p is not None)
        keep = set().union(*(names for v, names in media.items() if v not in due))
        names = sorted(going - keep)
        rows = [row for row in (session.get(ObjectRow, n) for n in names)
                if row is not None and row.released_at is None]
        for row in rows:
            row.released_at = now
            vault.audit(session, "release", "object", row.name, size=row.size,
                        reason=f"delivered, kept {days} days")
        released = sorted(session.scalars(select(ObjectRow.name)
                                           .where(ObjectRow.released_at.is_not(None))))
    for name in released:  # these and any a killed pass left behind
        store.remove(name)
    changed = {r.name for r in rows}
    return ReleaseReport(visits=len({v for v in due if media.get(v, set()) & changed}),
                         objects=len(rows), bytes=sum(r.size for r in rows))


def released(vault: UnlockedVault, names: set[str]) -> set[str]:
    """Which of ``names`` were delivered and removed from this laptop (what the pages show)."""
    with vault.reading() as session:
        return set(session.scalars(select(ObjectRow.name).where(
            ObjectRow.name.in_(sorted(names)), ObjectRow.released_at.is_not(None))))


def page_released(vault: UnlockedVault, page_id: str) -> bool:
    """Whether a page's original was delivered and removed (its picture cannot be shown)."""
    with vault.reading() as session:
        return bool(session.scalar(text(
            "SELECT o.released_at IS NOT NULL FROM pages p JOIN objects o "
            "ON o.name = p.object_name WHERE p.id = :page"), {"page": page_id}))
