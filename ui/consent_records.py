"""What the consent step, the withdrawal dialogs and the review show of a visit's consent
records, read on the database worker (plain data; no widgets)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from capture import consent, testimony, visits
from capture.consent import Scopes
from capture.vault import UnlockedVault

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordRow:
    id: str
    kind: str  # grant | amend | withdraw
    reference_code: str
    created_at: str
    signer: str
    state: str  # valid | superseded | withdrawn | partly_withdrawn | invalid | withdrawal
    target_code: str = ""  # for a withdrawal: the code of the consent it takes back
    problems: tuple[str, ...] = ()
    covers: tuple[tuple[str, str], ...] = ()  # (object name, label)
    scopes: Scopes | None = None  # None for a withdrawal
    relationship: str = ""
    notice_sent_in: str | None = None  # a withdrawal: the batch that told the command


@dataclass
class ConsentState:
    visit_status: str
    household_contact: str
    records: list[RecordRow]
    capture_count: int
    uncovered: int
    testimonies: list[tuple[str, str]] = field(default_factory=list)  # (reference, label)
    labels: dict[str, str] = field(default_factory=dict)


def capture_labels(vault: UnlockedVault, visit: visits.VisitRecord) -> dict[str, str]:
    """object name -> "Letter to mother, page 2" and the like, for lists people read."""
    labels: dict[str, str] = {}
    for item in visit.items:
        title = item.data.title or item.data.kind.value
        for page in item.pages:
            labels[page.object_name] = f"{title} · {page.position + 1}"
    try:
        for testimony_id in testimony.list_testimonies(vault, visit.id):
            view = testimony.load_testimony(vault, testimony_id)
            for part in view.parts:
                if part.object_name:
                    speaker = view.speaker_name or "—"
                    labels[part.object_name] = f"{speaker} · {part.position + 1}"
    except Exception:  # the recorder may not be there yet: pages keep their labels
        log.warning("testimony labels unavailable", exc_info=True)
    return labels


def record_rows(vault: UnlockedVault, visit_id: str, labels: dict[str, str],
                check_captures: bool = False) -> list[RecordRow]:
    views = consent.records(vault, visit_id)
    by_id = {v.id: v for v in views}
    superseded = {v.supersedes for v in views if v.kind == "amend"}
    withdrawn: dict[str, set[str]] = {}
    for v in views:
        if v.kind == "withdraw" and v.supersedes:
            withdrawn.setdefault(v.supersedes, set()).update(c.object_name for c in v.covers)
    rows = []
    for v in views:
        check = consent.verify(vault, v.id, check_captures=check_captures)
        covers = tuple((c.object_name, labels.get(c.object_name, f"{c.kind} {c.ref_id[:8]}"))
                       for c in v.covers)
        if not check.valid:
            state = "invalid"
        elif v.kind == "withdraw":
            state = "withdrawal"
        elif v.id in superseded:
            state = "superseded"
        elif v.id in withdrawn:
            state = ("withdrawn" if withdrawn[v.id] >= {c.object_name for c in v.covers}
                     else "partly_withdrawn")
        else:
            state = "valid"
        target = by_id.get(v.supersedes or "")
        signer = v.payload.get("signer") or {}
        rows.append(RecordRow(
            v.id, v.kind, v.reference_code, v.payload.get("created_at", ""),
            signer.get("name", ""), state,
            target.reference_code if target else "", tuple(check.problems), covers,
            v.scopes if v.kind != "withdraw" else None, signer.get("relationship", ""),
            v.notice_sent_in))
    return rows


@dataclass(frozen=True)
class FoundConsent:
    """What a family's reference code leads to: the consent in force and its visit."""

    row: RecordRow
    quoted_code: str
    visit_date: str
    contact_name: str


def find_consent(vault: UnlockedVault, code: str) -> FoundConsent:
    """The consent a quoted code speaks for now (an old receipt's code leads to the amendment
    that replaced it), with its visit, for the withdrawal dialog."""
    quoted = consent.find_by_reference(vault, code)
    current = consent.in_force(vault, quoted.id)
    visit_id = current.payload["visit"]
    visit = visits.load_visit(vault, visit_id)
    rows = record_rows(vault, visit_id, capture_labels(vault, visit))
    row = next(r for r in rows if r.id == current.id)
    return FoundConsent(row, quoted.reference_code, visit.visit_date,
                        visit.household.contact_name)


def load_state(vault: UnlockedVault, visit_id: str) -> ConsentState:
    visit = visits.load_visit(vault, visit_id)
    labels = capture_labels(vault, visit)
    coverage = consent.coverage(vault, visit_id)
    options: list[tuple[str, str]] = []
    try:
        for testimony_id in testimony.list_testimonies(vault, visit_id):
            view = testimony.load_testimony(vault, testimony_id)
            speaker = view.speaker_name or "—"
            options.append((f"testimony/{view.id}", speaker))
            for marker in view.markers:
                minutes, seconds = divmod(int(marker.at_seconds), 60)
                options.append((f"testimony/{view.id}#marker/{marker.id}",
                                f"{speaker} · {minutes}:{seconds:02d} {marker.label}"))
    except Exception:  # no testimonies to choose from: a typed reference will do
        log.warning("testimony list unavailable", exc_info=True)
    return ConsentState(visit.status.value, visit.household.contact_name,
                        record_rows(vault, visit_id, labels),
                        len(coverage.covered) + len(coverage.uncovered),
                        len(coverage.uncovered), options, labels)


def local_time(iso: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso
