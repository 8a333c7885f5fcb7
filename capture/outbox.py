"""The station's outbox, as the vault records it: the enrolment with the command, the batches
built for it, and what each batch carries (visits, captures, withdrawal notices).

This module keeps the records; ``sync/outbox.py`` builds, sends and writes the batch files.
States of a batch part::

    built ──upload──▶ uploading ──verified receipt──▶ delivered
      │                   │
      └───────────────────┴──the command rejected it──▶ refused

A USB export leaves a part "built" (with ``exported_at``) until the command's receipt for it is
loaded. A visit is delivered only when every part carrying it has a verified receipt. What a
refused part carried is free to travel again; what a built, uploading or delivered part carries
is never packed twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from capture import consent, practice
from capture.captures import Capture, visit_captures
from capture.errors import CaptureError
from capture.models import Base, Martyr, ObjectRow, UtcDateTime, Visit
from capture.roles import Action
from capture.vault import UnlockedVault
from capture.visits import VisitStatus


class NotEnrolled(CaptureError):
    message = ("This station is not enrolled with the command yet. The station admin enrols it "
               "with the command's address and a one-time code.")


class BatchNotFound(CaptureError):
    message = "There is no such batch in this station's outbox."


class BatchState(StrEnum):
    BUILT = "built"
    UPLOADING = "uploading"
    DELIVERED = "delivered"
    REFUSED = "refused"


# --- tables -------------------------------------------------------------------------------------


class EnrolmentRow(Base):
    """The command this station sends to. One row at most (id 1); enrolling again replaces it."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    server_url: Mapped[str] = mapped_column(Text)
    station_id: Mapped[str] = mapped_column(String(36))  # as the command knows this station
    command_recipient: Mapped[str] = mapped_column(Text)  # age X25519, "age1..."
    receipt_public_key: Mapped[bytes] = mapped_column(LargeBinary(32))  # Ed25519
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    enrolled_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # PEM of the certificate the command served at an https enrolment: the only one accepted
    # afterwards (migration 0009)
    tls_certificate: Mapped[str | None] = mapped_column(Text, nullable=True)


class BatchRow(Base):
    """One batch file (one part of a split batch) in ``<vault>/outbox/``."""

    __tablename__ = "outgoing_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the bag's External-Identifier
    group_id: Mapped[str] = mapped_column(String(36), index=True)  # Bag-Group-Identifier
    part: Mapped[int] = mapped_column(Integer)
    parts: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the encrypted file
    tagmanifest_sha256: Mapped[str] = mapped_column(String(64))  # the receipt must name it
    recipient: Mapped[str] = mapped_column(Text)  # the command key it is encrypted to
    payload_files: Mapped[int] = mapped_column(Integer)
    payload_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(12))
    sent_bytes: Mapped[int] = mapped_column(Integer, default=0)
    exported_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    receipt: Mapped[str | None] = mapped_column(Text, nullable=True)
    refusal_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ContentRow(Base):
    """What a batch part carries: kind "visit" (ref = visit id, version = the visit's
    updated_at when packed), "capture" (ref = kind:ref_id:object_name) or "withdrawal_notice"
    (ref = the withdrawal's consent record id)."""

    __tablename__ = "outgoing_contents"

    batch_id: Mapped[str] = mapped_column(ForeignKey("outgoing_batches.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    ref: Mapped[str] = mapped_column(String(200), primary_key=True)
    visit_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    version: Mapped[str] = mapped_column(String(64), default="")


# --- what the rest of the app sees ---------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    server_url: str
    station_id: str
    command_recipient: str  # age X25519
    receipt_public_key: bytes
    enrolled_at: datetime
    tls_certificate: str | None = None  # PEM, pinned at an https enrolment


@dataclass
class OutgoingBatch:
    id: str
    group_id: str
    part: int
    parts: int
    created_at: datetime
    path: Path  # the file is removed once the part is delivered
    size: int
    visits: list[str]
    state: str  # BatchState value
    sent_bytes: int
    delivered_at: datetime | None
    receipt_text: str | None
    refusal_reason: str | None
    exported_at: datetime | None = None
    payload_files: int = 0
    payload_bytes: int = 0
    withdrawal_notices: list[str] = field(default_factory=list)
    sha256: str = ""
    tagmanifest_sha256: str = ""


@dataclass
class PendingVisit:
    """An approved visit with material not yet packed into a live batch part."""

    visit_id: str
    version: str  # the visit's updated_at: a change (a new approval) sends its record again
    title: str
    captures: list[tuple[Capture, consent.Scopes]]  # what travels now
    sizes: dict[str, int]  # object name -> bytes
    sent: dict[str, str] = field(default_factory=dict)  # capture ref id -> batch id that has it
    # object name -> SHA-256 the consent signed: a build checks each file against it as it
    # streams, instead of reading every file once more beforehand
    digests: dict[str, str] = field(default_factory=dict)

    @property
    def bytes(self) -> int:
        return sum(self.sizes[c.object_name] for c, _ in self.captures)


@dataclass
class Pending:
    visits: list[PendingVisit]
    notices: list[consent.ConsentView]


@dataclass
class NewBatch:
    """A batch part written to the outbox folder, to be recorded."""

    id: str
    group_id: str
    part: int
    parts: int
    file_name: str
    size: int
    sha256: str
    tagmanifest_sha256: str
    recipient: str
    payload_files: int
    payload_bytes: int
    visits: list[PendingVisit]
    notices: list[str]


OUTBOX_FOLDER = "outbox"
# Beside a batch file: the upload's state (URL, block manifest), a verified receipt that came
# while the vault was locked (recorded at the next unlock), and temporary copies of those.
UPLOAD_STATE = ".upload.json"
KEPT_RECEIPT = ".receipt.json"
SIDE_FILES = (".tmp", ".part", UPLOAD_STATE, KEPT_RECEIPT)


def folder(vault: UnlockedVault) -> Path:
    return vault.path / OUTBOX_FOLDER


# --- enrolment -----------------------------------------------------------------------------------


def enrolment(vault: UnlockedVault) -> Enrolment | None:
    with vault.reading() as session:
        row = session.get(EnrolmentRow, 1)
        if row is None:
            return None
        return Enrolment(row.server_url, row.station_id, row.command_recipient,
                         row.receipt_public_key, row.enrolled_at, row.tls_certificate)


def require_enrolment(vault: UnlockedVault) -> Enrolment:
    found = enrolment(vault)
    if found is None:
        raise NotEnrolled()
    return found


def record_enrolment(vault: UnlockedVault, enrolled: Enrolment) -> None:
    vault.require(Action.ENROL_STATION)
    practice.refuse(vault)
    with vault.writing() as session:
        row = session.get(EnrolmentRow, 1)
        previous = row.server_url if row else None
        if row is None:
            row = EnrolmentRow(id=1)
            session.add(row)
        row.server_url, row.station_id = enrolled.server_url, enrolled.station_id
        row.command_recipient = enrolled.command_recipient
        row.receipt_public_key = enrolled.receipt_public_key
        row.enrolled_at, row.enrolled_by = enrolled.enrolled_at, vault.actor.user_id
        row.tls_certificate = enrolled.tls_certificate
        vault.audit(session, "enrol", "station", enrolled.station_id,
                    server=enrolled.server_url, recipient=enrolled.command_recipient,
                    receipt_key=enrolled.receipt_public_key.hex(), replaced=previous,
                    tls_pinned=enrolled.tls_certificate is not None)


# --- what waits to be sent -----------------------------------------------------------------------


def capture_ref(capture: Capture) -> str:
    return f"{capture.kind}:{capture.ref_id}:{capture.object_name}"


def _live(session: Session, kind: str) -> dict[str, dict[str, str]]:
    """ref -> {version: batch id} for what the parts that are not refused carry (a visit packed
    again after a new approval is in several parts, one version each)."""
    rows = session.execute(
        select(ContentRow.ref, ContentRow.version, ContentRow.batch_id)
        .join(BatchRow, BatchRow.id == ContentRow.batch_id)
        .where(ContentRow.kind == kind, BatchRow.state != BatchState.REFUSED.value)
        .order_by(BatchRow.created_at))
    live: dict[str, dict[str, str]] = {}
    for ref, version, batch_id in rows:
        live.setdefault(ref, {})[version] = batch_id
    return live


def _title(session: Session, visit: Visit) -> str:
    martyrs = ", ".join(session.scalars(select(Martyr.full_name).where(
        Martyr.visit_id == visit.id).order_by(Martyr.position)))
    return " · ".join(p for p in (martyrs, visit.contact_name, visit.village, visit.visit_date)
                      if p)


def _allowed(vault: UnlockedVault, visit_id: str, rehash: bool
             ) -> list[tuple[Capture, consent.Scopes]]:
    if rehash:
        return consent.batchable(vault, visit_id)
    # For a preview: the consent's own record of what it covers, without reading every file
    # again (building re-hashes them, and a capture changed since consent stays behind).
    covered = consent.coverage(vault, visit_id).covered
    with vault.reading() as session:
        current = visit_captures(session, visit_id)
    return [(c, covered[c.object_name]) for c in current if c.object_name in covered]


def pending(vault: UnlockedVault, visit_ids: list[str] | None = None, *,
            only_new: bool = True, rehash: bool = True) -> Pending:
    """Approved visits (or ``visit_ids``) and withdrawal notices waiting to travel.

    With ``only_new``, what a live batch part already carries is left out: a capture goes once,
    a visit's record goes again only when the visit changed (was approved again) since it was
    packed, and a visit with nothing new is not pending at all. ``rehash=False`` trusts the
    stored digests (fast, for a preview)."""
    vault.require(Action.BUILD_BATCH)
    with vault.reading() as session:
        query = select(Visit).order_by(Visit.updated_at)
        if visit_ids is None:
            query = query.where(Visit.status == VisitStatus.APPROVED.value)
        else:
            query = query.where(Visit.id.in_(visit_ids))
        chosen = [(v.id, v.updated_at.isoformat(), _title(session, v))
                  for v in session.scalars(query)]
        live_captures = _live(session, "capture") if only_new else {}
        live_visits = _live(session, "visit") if only_new else {}
        live_notices = _live(session, "withdrawal_notice") if only_new else {}
    out: list[PendingVisit] = []
    for visit_id, version, title in chosen:
        allowed = _allowed(vault, visit_id, rehash)
        sent = {c.ref_id: next(iter(live_captures[capture_ref(c)].values()))
                for c, _ in allowed if capture_ref(c) in live_captures}
        new = [(c, s) for c, s in allowed if c.ref_id not in sent]
        record_sent = version in live_visits.get(visit_id, {})
        if only_new and not new and (record_sent or not allowed):
            continue
        if not allowed:
            continue  # nothing the family let travel: the visit stays on the station
        with vault.reading() as session:
            sizes = dict(session.execute(select(ObjectRow.name, ObjectRow.size).where(
                ObjectRow.name.in_([c.object_name for c, _ in new]))).all())
        digests = {cover.object_name: cover.sha256 for view in consent.records(vault, visit_id)
                   for cover in view.covers}
        out.append(PendingVisit(visit_id, version, title, new, sizes, sent, digests))
    notices = [n for n in consent.withdrawal_notices(vault) if n.id not in live_notices]
    return Pending(out, notices)


# --- batch records -------------------------------------------------------------------------------


def record_built(vault: UnlockedVault, made: list[NewBatch]) -> None:
    """All parts of one build in one transaction: recorded together or not at all."""
    vault.require(Action.BUILD_BATCH)
    now = vault.clock()
    with vault.writing() as session:
        for batch in made:
            session.add(BatchRow(
                id=batch.id, group_id=batch.group_id, part=batch.part, parts=batch.parts,
                file_name=batch.file_name, size=batch.size, sha256=batch.sha256,
                tagmanifest_sha256=batch.tagmanifest_sha256, recipient=batch.recipient,
                payload_files=batch.payload_files, payload_bytes=batch.payload_bytes,
                created_at=now, created_by=vault.actor.user_id,
                state=BatchState.BUILT.value, sent_bytes=0))
            session.flush()
            for visit in batch.visits:
                session.add(ContentRow(batch_id=batch.id, kind="visit", ref=visit.visit_id,
                                       visit_id=visit.visit_id, version=visit.version))
                for capture, _ in visit.captures:
                    session.add(ContentRow(batch_id=batch.id, kind="capture",
                                           ref=capture_ref(capture), visit_id=visit.visit_id,
                                           version=""))
            for notice in batch.notices:
                session.add(ContentRow(batch_id=batch.id, kind="withdrawal_notice", ref=notice,
                                       visit_id=None, version=""))
            vault.audit(session, "build", "batch", batch.id, group=batch.group_id,
                        part=f"{batch.part} of {batch.parts}", size=batch.size,
                        sha256=batch.sha256, visits=[v.visit_id for v in batch.visits],
                        files=batch.payload_files, payload_bytes=batch.payload_bytes,
                        withdrawal_notices=batch.notices)


def _contents(session: Session, batch_id: str, kind: str) -> list[str]:
    return list(session.scalars(select(ContentRow.ref).where(
        ContentRow.batch_id == batch_id, ContentRow.kind == kind).order_by(ContentRow.ref)))


def _view(vault: UnlockedVault, session: Session, row: BatchRow) -> OutgoingBatch:
    return OutgoingBatch(
        id=row.id, group_id=row.group_id, part=row.part, parts=row.parts,
        created_at=row.created_at, path=folder(vault) / row.file_name, size=row.size,
        visits=_contents(session, row.id, "visit"), state=row.state,
        sent_bytes=row.sent_bytes, delivered_at=row.delivered_at, receipt_text=row.receipt,
        refusal_reason=row.refusal_reason, exported_at=row.exported_at,
        payload_files=row.payload_files, payload_bytes=row.payload_bytes,
        withdrawal_notices=_contents(session, row.id, "withdrawal_notice"), sha256=row.sha256,
        tagmanifest_sha256=row.tagmanifest_sha256)


def batches(vault: UnlockedVault) -> list[OutgoingBatch]:
    """Every batch part, newest build first, parts in order."""
    with vault.reading() as session:
        rows = session.scalars(select(BatchRow).order_by(BatchRow.created_at.desc(),
                                                         BatchRow.group_id, BatchRow.part))
        return [_view(vault, session, row) for row in rows]


def get(vault: UnlockedVault, batch_id: str) -> OutgoingBatch:
    with vault.reading() as session:
        row = session.get(BatchRow, batch_id)
        if row is None:
            raise BatchNotFound()
        return _view(vault, session, row)


def known_files(vault: UnlockedVault) -> set[str]:
    with vault.reading() as session:
        return set(session.scalars(select(BatchRow.file_name)))


def mark_uploading(vault: UnlockedVault, batch_id: str) -> None:
    vault.require(Action.SEND_BATCH)
    with vault.writing() as session:
        row = _row(session, batch_id)
        if row.state == BatchState.BUILT.value:
            row.state = BatchState.UPLOADING.value
            vault.audit(session, "upload", "batch", batch_id, state=row.state)


def record_progress(vault: UnlockedVault, batch_id: str, sent_bytes: int) -> None:
    """How far an upload got (not a state change: not audited)."""
    with vault.writing() as session:
        _row(session, batch_id).sent_bytes = sent_bytes


def mark_exported(vault: UnlockedVault, batch_id: str, destination: str) -> None:
    vault.require(Action.SEND_BATCH)
    with vault.writing() as session:
        row = _row(session, batch_id)
        row.exported_at = vault.clock()
        vault.audit(session, "export", "batch", batch_id, destination=destination,
                    sha256=row.sha256)


def mark_refused(vault: UnlockedVault, batch_id: str, reason: str) -> None:
    vault.require(Action.SEND_BATCH)
    with vault.writing() as session:
        row = _row(session, batch_id)
        row.state, row.refusal_reason = BatchState.REFUSED.value, reason
        vault.audit(session, "refused", "batch", batch_id, reason=reason)


def mark_delivered(vault: UnlockedVault, batch_id: str, receipt_text: str,
                   notices_received: list[str]) -> None:
    """On a verified receipt: the part is delivered, and the withdrawal notices the receipt
    lists are marked sent, in one transaction."""
    vault.require(Action.SEND_BATCH)
    with vault.writing() as session:
        row = _row(session, batch_id)
        row.state, row.receipt = BatchState.DELIVERED.value, receipt_text
        row.delivered_at, row.sent_bytes = vault.clock(), row.size
        vault.audit(session, "delivered", "batch", batch_id, sha256=row.sha256)
        carried = set(_contents(session, batch_id, "withdrawal_notice"))
        for notice_id in sorted(carried & set(notices_received)):
            notice = session.get(consent.ConsentRecord, notice_id)
            if notice is not None and notice.notice_sent_in is None:
                # consent.mark_notice_sent's change, inside this transaction
                notice.notice_sent_in = batch_id
                vault.audit(session, "send", "withdrawal_notice", notice_id, batch=batch_id)


def _row(session: Session, batch_id: str) -> BatchRow:
    row = session.get(BatchRow, batch_id)
    if row is None:
        raise BatchNotFound()
    return row


def delivered_visits(vault: UnlockedVault) -> set[str]:
    """Visits carried by at least one delivered part and by no part still on its way (built or
    uploading). A refused part does not count either way: its material travels again."""
    with vault.reading() as session:
        rows = session.execute(select(ContentRow.visit_id, BatchRow.state)
                               .join(BatchRow, BatchRow.id == ContentRow.batch_id)
                               .where(ContentRow.kind == "visit"))
        states: dict[str, set[str]] = {}
        for visit_id, state in rows:
            states.setdefault(visit_id, set()).add(state)
    waiting = {BatchState.BUILT.value, BatchState.UPLOADING.value}
    return {v for v, s in states.items() if BatchState.DELIVERED.value in s and not s & waiting}


def forget_unrecorded(vault: UnlockedVault) -> int:
    """Remove files in the outbox folder that no batch record names (a build that died between
    writing and recording). Returns how many were removed."""
    place = folder(vault)
    if not place.exists():
        return 0
    known = known_files(vault)
    removed = 0
    for path in place.iterdir():
        name = path.name
        base = name
        for suffix in SIDE_FILES:
            base = base.removesuffix(suffix)
        if path.is_file() and (name.endswith(".part") or base not in known):
            path.unlink(missing_ok=True)
            removed += 1
    return removed

