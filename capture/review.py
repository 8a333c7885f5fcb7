"""Coordinator review: draft → submitted → approved, or → returned → (fixed) → resubmitted.

Submitting needs a valid consent covering every capture of the visit (the gate); approving
checks it again, captures re-hashed. Every decision is a row (with its comment, per visit or per
item) and an audit event. Volunteers see what came back to them and why.

A resubmission is a "resubmitted" decision: the visit's status is ``submitted`` again (it is in
the queue like any other), and ``stage`` tells the two apart for the people who read it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, literal_column, select
from sqlalchemy.orm import Mapped, mapped_column

from capture import captures, consent
from capture.errors import CaptureError
from capture.models import Base, Item, Martyr, Page, UtcDateTime, Visit
from capture.roles import Action
from capture.vault import UnlockedVault
from capture.visits import VisitNotFound, VisitStatus


class ReviewError(CaptureError):
    message = "The review step could not be done."


class ConsentMissing(ReviewError):
    message = ("{count} photos, videos or recordings are not covered by the family's consent. "
               "Take the consent (or an amendment) before submitting.")


class ConsentInvalid(ReviewError):
    message = "A consent record of this visit fails its signature check; it cannot be approved."


class WrongState(ReviewError):
    message = "This visit is {status}; that step is not possible now."


class CommentRequired(ReviewError):
    message = "Say what needs fixing when you return a visit."


class ReviewDecision(Base):
    __tablename__ = "review_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    item_id: Mapped[str | None] = mapped_column(ForeignKey("items.id"), nullable=True)
    # submitted | resubmitted | approved | returned | comment (on one item, with a return)
    decision: Mapped[str] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Flag(StrEnum):
    """What a coordinator should look at; only consent blocks."""

    CONSENT_MISSING = "consent_missing"
    CONSENT_INVALID = "consent_invalid"
    NO_CAPTURES = "no_captures"
    NO_MARTYR = "no_martyr"
    MARTYR_WITHOUT_PLACE = "martyr_without_place"
    HOUSEHOLD_INCOMPLETE = "household_incomplete"
    PHOTO_QUALITY = "photo_quality"
    AUDIO_QUALITY = "audio_quality"


@dataclass(frozen=True)
class Decision:
    decision: str
    comment: str
    item_id: str | None
    author: int
    at: datetime


@dataclass
class Checklist:
    flags: dict[Flag, int] = field(default_factory=dict)  # flag -> how many things

    @property
    def blocking(self) -> bool:
        return bool({Flag.CONSENT_MISSING, Flag.CONSENT_INVALID} & set(self.flags))


@dataclass(frozen=True)
class QueueEntry:
    visit_id: str
    visit_date: str
    contact_name: str
    village: str
    status: VisitStatus
    checklist: Checklist
    resubmitted: bool = False  # sent again after a return


class Stage(StrEnum):
    """Where a visit is in review, as people say it: the status, with "resubmitted" told apart
    from a first submission."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    RETURNED = "returned"


@dataclass(frozen=True)
class ReturnNotes:
    """What the last return asked: a comment on the visit, and one per item."""

    visit_comment: str = ""
    item_comments: dict[str, str] = field(default_factory=dict)  # item id -> comment

    def __bool__(self) -> bool:
        return bool(self.visit_comment or self.item_comments)


QUALITY_HINTS = ("blurred", "too_dark", "overexposed")  # capture/importer.py sets them


def _quality_flags(meta: dict[str, Any]) -> bool:
    quality = meta.get("quality") or {}
    return any(quality.get(hint) is True for hint in QUALITY_HINTS)


def checklist(vault: UnlockedVault, visit_id: str) -> Checklist:
    """What is still missing or doubtful, for the volunteer's "Check and submit" step and the
    coordinator's queue alike."""
    state = consent.coverage(vault, visit_id)
    flags: dict[Flag, int] = {}
    if state.uncovered:
        flags[Flag.CONSENT_MISSING] = len(state.uncovered)
    if state.invalid_records:
        flags[Flag.CONSENT_INVALID] = len(state.invalid_records)
    with vault.reading() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise VisitNotFound()
        if not (visit.village or visit.address) or not visit.contact_name:
            flags[Flag.HOUSEHOLD_INCOMPLETE] = 1
        martyrs = list(session.scalars(select(Martyr).where(Martyr.visit_id == visit_id)))
        if not martyrs:
            flags[Flag.NO_MARTYR] = 1
        unplaced = sum(1 for m in martyrs if not (m.home_town and (m.death_place
                                                                    or m.burial_info)))
        if unplaced:
            flags[Flag.MARTYR_WITHOUT_PLACE] = unplaced
        metas = session.scalars(select(Page.meta).join(Item, Page.item_id == Item.id)
                                .where(Item.visit_id == visit_id))
        doubtful = sum(1 for meta in metas if _quality_flags(json.loads(meta)))
        if doubtful:
            flags[Flag.PHOTO_QUALITY] = doubtful
        all_captures = captures.visit_captures(session, visit_id)
        if not all_captures:
            flags[Flag.NO_CAPTURES] = 1
        audio = sum(1 for c in all_captures if c.kind == "recording" and _audio_doubtful(
            session, c))
        if audio:
            flags[Flag.AUDIO_QUALITY] = audio
    return Checklist(flags)


def _audio_doubtful(session: Any, capture: Any) -> bool:
    """Silent or very short recordings, from what the recorder noted about each part."""
    judge = captures.audio_judges.get(capture.kind)
    return bool(judge and judge(session, capture.ref_id))


def _decide(vault: UnlockedVault, visit_id: str, decision: str, comment: str = "",
            item_comments: dict[str, str] | None = None) -> None:
    with vault.writing() as session:
        now = vault.clock()
        session.add(ReviewDecision(id=str(uuid.uuid4()), visit_id=visit_id, item_id=None,
                                   decision=decision, comment=comment.strip(),
                                   author=vault.actor.user_id, created_at=now))
        for item_id, text in (item_comments or {}).items():
            if text.strip():
                session.add(ReviewDecision(id=str(uuid.uuid4()), visit_id=visit_id,
                                           item_id=item_id, decision="comment",
                                           comment=text.strip(), author=vault.actor.user_id,
                                           created_at=now))
        visit = session.get(Visit, visit_id)
        old = visit.status
        visit.status = {"submitted": VisitStatus.SUBMITTED,
                        "resubmitted": VisitStatus.SUBMITTED,
                        "approved": VisitStatus.APPROVED,
                        "returned": VisitStatus.RETURNED}[decision].value
        visit.updated_at = now
        vault.audit(session, "review", "visit", visit_id, status_from=old, status_to=visit.status,
                    decision=decision, items_commented=sorted((item_comments or {}).keys()))


def _status(vault: UnlockedVault, visit_id: str) -> VisitStatus:
    with vault.reading() as session:
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise VisitNotFound()
        return VisitStatus(visit.status)


def submit(vault: UnlockedVault, visit_id: str, note: str = "") -> None:
    """Ready for review. Refused unless a valid consent covers every capture."""
    vault.require(Action.CAPTURE)
    status = _status(vault, visit_id)
    if status not in (VisitStatus.DRAFT, VisitStatus.RETURNED):
        raise WrongState(status=status.value)
    state = consent.coverage(vault, visit_id, check_captures=True)
    if state.invalid_records:
        raise ConsentInvalid()
    if state.uncovered:
        raise ConsentMissing(count=len(state.uncovered))
    if not consent.records(vault, visit_id):
        raise ConsentMissing(count=0)
    _decide(vault, visit_id, "resubmitted" if status == VisitStatus.RETURNED else "submitted",
            note)


def approve(vault: UnlockedVault, visit_id: str, comment: str = "") -> None:
    vault.require(Action.REVIEW)
    status = _status(vault, visit_id)
    if status != VisitStatus.SUBMITTED:
        raise WrongState(status=status.value)
    state = consent.coverage(vault, visit_id, check_captures=True)
    if state.invalid_records:
        raise ConsentInvalid()
    if state.uncovered:
        raise ConsentMissing(count=len(state.uncovered))
    _decide(vault, visit_id, "approved", comment)


def return_visit(vault: UnlockedVault, visit_id: str, comment: str,
                 item_comments: dict[str, str] | None = None) -> None:
    vault.require(Action.REVIEW)
    status = _status(vault, visit_id)
    if status != VisitStatus.SUBMITTED:
        raise WrongState(status=status.value)
    if not comment.strip() and not any(t.strip() for t in (item_comments or {}).values()):
        raise CommentRequired()
    _decide(vault, visit_id, "returned", comment, item_comments)


def history(vault: UnlockedVault, visit_id: str) -> list[Decision]:
    with vault.reading() as session:
        # rowid breaks ties: a return and its item comments share one instant.
        rows = session.scalars(select(ReviewDecision).where(ReviewDecision.visit_id == visit_id)
                               .order_by(ReviewDecision.created_at, literal_column("rowid")))
        return [Decision(r.decision, r.comment, r.item_id, r.author, r.created_at) for r in rows]


def stage(vault: UnlockedVault, visit_id: str) -> Stage:
    status = _status(vault, visit_id)
    if status == VisitStatus.SUBMITTED and _last_submission(vault, visit_id) == "resubmitted":
        return Stage.RESUBMITTED
    return Stage(status.value)


def _last_submission(vault: UnlockedVault, visit_id: str) -> str | None:
    with vault.reading() as session:
        return session.scalar(
            select(ReviewDecision.decision)
            .where(ReviewDecision.visit_id == visit_id,
                   ReviewDecision.decision.in_(("submitted", "resubmitted")))
            .order_by(ReviewDecision.created_at.desc()).limit(1))


def last_return(vault: UnlockedVault, visit_id: str) -> ReturnNotes:
    """The comments of the visit's last return (empty if it was never returned)."""
    decisions = history(vault, visit_id)
    returned = [d for d in decisions if d.decision == "returned"]
    if not returned:
        return ReturnNotes()
    last = returned[-1]
    # The item comments are written with the return, in the same transaction and instant.
    items = {d.item_id: d.comment for d in decisions
             if d.decision == "comment" and d.item_id and d.at == last.at}
    return ReturnNotes(last.comment, items)


def queue(vault: UnlockedVault) -> list[QueueEntry]:
    """Submitted visits, oldest first, each with its checklist."""
    vault.require(Action.REVIEW)
    with vault.reading() as session:
        visits = list(session.scalars(select(Visit).where(
            Visit.status == VisitStatus.SUBMITTED.value).order_by(Visit.updated_at)))
    return [QueueEntry(v.id, v.visit_date, v.contact_name, v.village, VisitStatus(v.status),
                       checklist(vault, v.id),
                       _last_submission(vault, v.id) == "resubmitted") for v in visits]


def returned_to_me(vault: UnlockedVault) -> list[tuple[str, list[Decision]]]:
    """The volunteer's returned visits with the comments that came with them."""
    vault.require(Action.CAPTURE)
    with vault.reading() as session:
        ids = list(session.scalars(select(Visit.id).where(
            Visit.status == VisitStatus.RETURNED.value, Visit.created_by == vault.actor.user_id)))
    return [(visit_id, [d for d in history(vault, visit_id) if d.decision in
                        ("returned", "comment")]) for visit_id in ids]
