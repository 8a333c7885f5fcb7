"""The hash-chained audit log. Each event's hash covers its fields and the previous hash, so
removing, reordering or editing any event breaks the chain from that point on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from capture.models import AuditEvent

GENESIS = "0" * 64


def _canonical(detail: dict[str, object]) -> str:
    return json.dumps(detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(seq: int, at: datetime, actor: str, action: str, entity: str,
               entity_id: str, detail: str, prev_hash: str) -> str:
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [seq, stamp, actor, action, entity, entity_id, detail, prev_hash]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def append(session: Session, at: datetime, actor: str, action: str, entity: str,
           entity_id: str, **detail: object) -> AuditEvent:
    """Add one event in the caller's transaction, so the event and the change commit together.
    The caller's session must be a write session (it holds the lock, so the chain cannot fork)."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    text = _canonical(detail)
    event = AuditEvent(seq=seq, at=at, actor=actor, action=action, entity=entity,
                       entity_id=str(entity_id), detail=text, prev_hash=prev,
                       hash=event_hash(seq, at, actor, action, entity, str(entity_id), text, prev))
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(session: Session) -> tuple[int, list[ChainBreak]]:
    """Walk the whole log. Returns how many events were read and where the chain breaks."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    expected_seq = 1
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000):
        count += 1
        if event.seq != expected_seq:
            missing = f"events {expected_seq}–{event.seq - 1} are missing"
            breaks.append(ChainBreak(event.seq, missing))
        if event.prev_hash != prev:
            breaks.append(ChainBreak(event.seq, "does not follow the event before it"))
        at = event.at
        recomputed = event_hash(event.seq, at, event.actor, event.action, event.entity,
                                event.entity_id, event.detail, event.prev_hash)
        if recomputed != event.hash:
            breaks.append(ChainBreak(event.seq, "was changed after it was written"))
        prev = event.hash
        expected_seq = event.seq + 1
    return count, breaks
