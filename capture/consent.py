"""Consent as signed evidence (PRODUCT.md "Consent"; Vietnam's personal data rules ask for
explicit, specific, withdrawable consent).

A consent record is canonical JSON listing the scopes the family chose, who signed (or said it on
a recording), who witnessed, the consent text's version and hash, and exactly which captures it
covers by SHA-256; the station's Ed25519 key signs it. Amendments and withdrawals are new signed
records that name the record they change; nothing is ever edited or erased. A capture may travel
only while a valid, unwithdrawn consent covers it (``batchable``); submitting a visit needs every
capture covered (``uncovered``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from capture import captures, station
from capture.captures import Capture
from capture.errors import CaptureError
from capture.models import Base, UtcDateTime, Visit
from capture.paths import assets_dir
from capture.roles import Action
from capture.vault import UnlockedVault

FORMAT = "sohoa-consent/1"
SIGNING_DOMAIN = b"sohoa consent record v1\0"
TEXT_VERSION = 1


class ConsentError(CaptureError):
    message = "The consent could not be recorded."


class ArchiveScopeRequired(ConsentError):
    message = ("Keeping the material and using it to search for martyrs is the one required "
               "part of the consent; without it, nothing can be kept.")


class EvidenceMissing(ConsentError):
    message = ("The consent needs the family's signature drawn on screen, or a recorded "
               "verbal consent.")


class SignerMissing(ConsentError):
    message = "Write the name of the family member who gives the consent."


class InvalidEmbargo(ConsentError):
    message = "The embargo date must be a real date in the future, or left empty."


class ConsentNotFound(ConsentError):
    message = "This consent record does not exist on this station."


class NothingToConsent(ConsentError):
    message = "The visit has no photos, videos or recordings yet: there is nothing to consent to."


class EverythingWithdrawn(ConsentError):
    message = ("The family withdrew everything this visit holds. A new signature does not take "
               "it back in; only new photos or recordings can be consented to.")


class MediaUse(StrEnum):
    NAMED = "named"
    ANONYMOUS = "anonymous"
    NONE = "none"


@dataclass
class Scopes:
    archive_and_search: bool = True  # required
    share_with_authorities: bool = False
    media_use: MediaUse = MediaUse.NONE
    dna_contact: bool = False
    dna_contact_details: str = ""
    embargo_until: str = ""  # YYYY-MM-DD or ""


@dataclass
class Signer:
    name: str
    relationship: str = ""


@dataclass
class DrawnSignature:
    """Strokes as drawn: each stroke a list of (x, y, milliseconds, pressure); and the PNG the
    screen showed. Both are kept; the record signs their hashes."""

    strokes: list[list[tuple[float, float, int, float]]]
    image_png: bytes


@dataclass
class VerbalConsent:
    """For those who cannot write: the consent said aloud, pointed to in a testimony."""

    testimony_ref: str  # e.g. "testimony/<id>#marker/<id>"
    note: str = ""


class ConsentRecord(Base):
    __tablename__ = "consent_records"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # grant | amend | withdraw
    supersedes: Mapped[str | None] = mapped_column(ForeignKey("consent_records.id"),
                                                   nullable=True)
    reference_code: Mapped[str] = mapped_column(String(20), unique=True)
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    signature_image_object: Mapped[str | None] = mapped_column(ForeignKey("objects.name"),
                                                               nullable=True)
    strokes_object: Mapped[str | None] = mapped_column(ForeignKey("objects.name"),
                                                       nullable=True)
    created_by: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    created_at: Mapped[Any] = mapped_column(UtcDateTime())
    notice_sent_in: Mapped[str | None] = mapped_column(String(64), nullable=True)


@dataclass(frozen=True)
class Covered:
    kind: str
    ref_id: str
    object_name: str
    sha256: str


@dataclass
class ConsentView:
    id: str
    kind: str
    reference_code: str
    supersedes: str | None
    payload: dict[str, Any]
    notice_sent_in: str | None = None  # a withdrawal: the batch that told the command

    @property
    def scopes(self) -> Scopes:
        return Scopes(**{**self.payload["scopes"],
                         "media_use": MediaUse(self.payload["scopes"]["media_use"])})

    @property
    def covers(self) -> list[Covered]:
        return [Covered(**c) for c in self.payload["covers"]]


@dataclass
class Verification:
    valid: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class Coverage:
    """Which captures of a visit a valid consent covers now, which it does not, and which the
    family withdrew."""

    covered: dict[str, Scopes]  # object name -> scopes in force
    uncovered: list[Capture]
    withdrawn: set[str]
    invalid_records: list[str]


# --- consent texts ----------------------------------------------------------------------------


def consent_text(language: str = "vi", version: int = TEXT_VERSION) -> str:
    return (assets_dir() / "consent" / f"v{version}.{language}.md").read_text(encoding="utf-8")


def _text_ref(language: str) -> dict[str, Any]:
    text = consent_text(language)
    return {"version": TEXT_VERSION, "language": language,
            "sha256": hashlib.sha256(text.encode()).hexdigest()}


# --- making records ---------------------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _reference_code(record_id: str) -> str:
    """A short code the family can read out on the phone: DY-XXXX-XXXX (40 bits of the id)."""
    number = int.from_bytes(uuid.UUID(record_id).bytes[:5], "big")
    chars = "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(8)))
    return f"DY-{chars[:4]}-{chars[4:]}"


def _check_scopes(scopes: Scopes, today: date) -> None:
    if not scopes.archive_and_search:
        raise ArchiveScopeRequired()
    MediaUse(scopes.media_use)
    if scopes.embargo_until:
        try:
            until = date.fromisoformat(scopes.embargo_until)
        except ValueError:
            raise InvalidEmbargo() from None
        if until <= today:
            raise InvalidEmbargo()


def _covered(vault: UnlockedVault, chosen: list[Capture]) -> list[dict[str, str]]:
    return [asdict(Covered(c.kind, c.ref_id, c.object_name,
                           captures.digest(vault, c.object_name))) for c in chosen]


def _store_evidence(vault: UnlockedVault, evidence: DrawnSignature | VerbalConsent | None
                    ) -> tuple[dict[str, Any], str | None, str | None]:
    if isinstance(evidence, DrawnSignature):
        if not evidence.strokes or not any(evidence.strokes) or not evidence.image_png:
            raise EvidenceMissing()
        strokes = json.dumps(evidence.strokes, separators=(",", ":")).encode()
        image = vault.store_bytes(evidence.image_png, media_type="image/png",
                                  label="consent signature")
        stroke_obj = vault.store_bytes(strokes, media_type="application/json",
                                       label="consent signature strokes")
        method = {"method": "signature", "image_sha256": hashlib.sha256(
            evidence.image_png).hexdigest(), "strokes_sha256": hashlib.sha256(strokes).hexdigest(),
            "strokes": len(evidence.strokes)}
        return method, image.name, stroke_obj.name
    if isinstance(evidence, VerbalConsent):
        if not evidence.testimony_ref.strip():
            raise EvidenceMissing()
        return {"method": "verbal", "testimony_ref": evidence.testimony_ref.strip(),
                "note": evidence.note.strip()}, None, None
    raise EvidenceMissing()


def _sign_and_store(vault: UnlockedVault, *, visit_id: str, kind: str, supersedes: str | None,
                    body: dict[str, Any], image: str | None, strokes: str | None
                    ) -> ConsentView:
    record_id = str(uuid.uuid4())
    now = vault.clock()
    info = station.info(vault)
    payload = {
        "format": FORMAT, "id": record_id, "kind": kind, "supersedes": supersedes,
        "visit": visit_id, "station": info.id, "reference_code": _reference_code(record_id),
        "created_at": now.isoformat(timespec="seconds"),
        "witness": {"username": vault.actor.username, "full_name": vault.actor.full_name},
        **body,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    signature = station.sign(vault, SIGNING_DOMAIN + text.encode())
    with vault.writing() as session:
        session.add(ConsentRecord(
            id=record_id, visit_id=visit_id, kind=kind, supersedes=supersedes,
            reference_code=payload["reference_code"], payload=text, signature=signature,
            public_key=info.signing_public_key, signature_image_object=image,
            strokes_object=strokes, created_by=vault.actor.user_id, created_at=now))
        vault.audit(session, kind if kind != "grant" else "consent", "consent", record_id,
                    visit=visit_id, reference=payload["reference_code"])
    return ConsentView(record_id, kind, payload["reference_code"], supersedes, payload)


def _visit_captures(vault: UnlockedVault, visit_id: str) -> list[Capture]:
    with vault.reading() as session:
        if session.get(Visit, visit_id) is None:
            from capture.visits import VisitNotFound

            raise VisitNotFound()
        return captures.visit_captures(session, visit_id)


def record(vault: UnlockedVault, visit_id: str, scopes: Scopes, signer: Signer,
           evidence: DrawnSignature | VerbalConsent | None, language: str = "vi",
           covers: list[Capture] | None = None) -> ConsentView:
    """The family's consent for the captures of a visit (all of them unless ``covers`` says)."""
    return _grant(vault, visit_id, None, scopes, signer, evidence, language, covers)


def amend(vault: UnlockedVault, consent_id: str, scopes: Scopes, signer: Signer,
          evidence: DrawnSignature | VerbalConsent | None, language: str = "vi",
          covers: list[Capture] | None = None) -> ConsentView:
    """New scopes or new captures (photos taken after the first signature) replace the record
    named; the old one stays, superseded."""
    vault.require(Action.CAPTURE)
    old = in_force(vault, consent_id)
    return _grant(vault, old.payload["visit"], old.id, scopes, signer, evidence, language,
                  covers)


def in_force(vault: UnlockedVault, consent_id: str) -> ConsentView:
    """The record that now speaks for the consent named: itself, or the last amendment of it.
    A family may quote the code of their first receipt after an amendment; a withdrawal's code
    leads to the consent it withdrew."""
    view = get(vault, consent_id)
    if view.kind == "withdraw" and view.supersedes:
        view = get(vault, view.supersedes)
    with vault.reading() as session:
        while True:
            newer = session.scalar(select(ConsentRecord).where(
                ConsentRecord.supersedes == view.id, ConsentRecord.kind == "amend")
                .order_by(ConsentRecord.created_at.desc()).limit(1))
            if newer is None:
                return view
            view = _view(newer)


def _grant(vault: UnlockedVault, visit_id: str, supersedes: str | None, scopes: Scopes,
           signer: Signer, evidence: DrawnSignature | VerbalConsent | None, language: str,
           covers: list[Capture] | None) -> ConsentView:
    """A grant, or with ``supersedes`` an amendment: the same checks and the same record."""
    vault.require(Action.CAPTURE)
    _check_scopes(scopes, vault.clock().date())
    if not signer.name.strip():
        raise SignerMissing()
    # By default everything the visit holds except what the family withdrew: taking material
    # back in needs the family to name it again (``covers``), never a blanket new signature.
    if covers is None:
        withdrawn = coverage(vault, visit_id).withdrawn
        held = _visit_captures(vault, visit_id)
        covers = [c for c in held if c.object_name not in withdrawn]
        if held and not covers:
            raise EverythingWithdrawn()
    chosen = covers
    if not chosen:
        raise NothingToConsent()
    method, image, strokes = _store_evidence(vault, evidence)
    body = {"text": _text_ref(language), "scopes": _scopes_json(scopes),
            "signer": asdict(signer) | {"name": signer.name.strip()}, "evidence": method,
            "covers": _covered(vault, chosen)}
    return _sign_and_store(vault, visit_id=visit_id, kind="amend" if supersedes else "grant",
                           supersedes=supersedes, body=body, image=image, strokes=strokes)


def withdraw(vault: UnlockedVault, consent_id: str, requested_by: Signer, how: str,
             object_names: list[str] | None = None) -> ConsentView:
    """The family takes back all (or the named part) of a consent. Anyone on the station who
    hears it may record it: a withdrawal must never wait for the right role to be around."""
    vault.require(Action.RECORD_WITHDRAWAL)
    old = in_force(vault, consent_id)
    if not requested_by.name.strip():
        raise SignerMissing()
    names = set(object_names) if object_names is not None else None
    withdrawn = [asdict(c) for c in old.covers if names is None or c.object_name in names]
    body = {"signer": asdict(requested_by), "evidence": {"method": "reported",
            "how": how.strip()}, "covers": withdrawn, "scopes": None, "text": None}
    return _sign_and_store(vault, visit_id=old.payload["visit"], kind="withdraw",
                           supersedes=old.id, body=body, image=None, strokes=None)


def _scopes_json(scopes: Scopes) -> dict[str, Any]:
    out = asdict(scopes)
    out["media_use"] = MediaUse(scopes.media_use).value
    out["dna_contact_details"] = scopes.dna_contact_details.strip()
    return out


# --- reading and verifying --------------------------------------------------------------------


def _view(row: ConsentRecord) -> ConsentView:
    return ConsentView(row.id, row.kind, row.reference_code, row.supersedes,
                       json.loads(row.payload), row.notice_sent_in)


def get(vault: UnlockedVault, consent_id: str) -> ConsentView:
    with vault.reading() as session:
        row = session.get(ConsentRecord, consent_id)
        if row is None:
            raise ConsentNotFound()
        return _view(row)


def find_by_reference(vault: UnlockedVault, code: str) -> ConsentView:
    cleaned = code.strip().upper().replace(" ", "")
    with vault.reading() as session:
        row = session.scalar(select(ConsentRecord).where(ConsentRecord.reference_code == cleaned))
        if row is None:
            raise ConsentNotFound()
        return _view(row)


def records(vault: UnlockedVault, visit_id: str) -> list[ConsentView]:
    with vault.reading() as session:
        rows = session.scalars(select(ConsentRecord).where(ConsentRecord.visit_id == visit_id)
                               .order_by(ConsentRecord.created_at, ConsentRecord.id))
        return [_view(r) for r in rows]


def verify(vault: UnlockedVault, consent_id: str, check_captures: bool = True) -> Verification:
    """The signature over the stored record, the station's key, and (by default) every covered
    capture and the signature drawing, recomputed from the stored bytes."""
    problems = []
    with vault.reading() as session:
        row = session.get(ConsentRecord, consent_id)
        if row is None:
            raise ConsentNotFound()
        payload_text, signature, public_key = row.payload, row.signature, row.public_key
        columns = (row.id, row.visit_id, row.kind, row.supersedes, row.reference_code)
        image_obj, strokes_obj = row.signature_image_object, row.strokes_object
    info = station.info(vault)
    if public_key != info.signing_public_key:
        problems.append("signed by another station's key")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, SIGNING_DOMAIN + payload_text.encode())
    except InvalidSignature:
        problems.append("the signature does not match the record")
        return Verification(False, problems)
    payload = json.loads(payload_text)
    if columns != (payload["id"], payload["visit"], payload["kind"], payload["supersedes"],
                   payload["reference_code"]):
        problems.append("the record's fields were changed after signing")
    if check_captures:
        for cover in payload["covers"]:
            try:
                actual = captures.fresh_digest(vault, cover["object_name"])
            except CaptureError:
                problems.append(f"{cover['kind']} {cover['ref_id']}: the file is missing or "
                                "damaged")
                continue
            if actual != cover["sha256"]:
                problems.append(f"{cover['kind']} {cover['ref_id']}: changed since consent")
        evidence = payload.get("evidence") or {}
        if evidence.get("method") == "signature":
            for name, key in ((image_obj, "image_sha256"), (strokes_obj, "strokes_sha256")):
                if name is None or captures.fresh_digest(vault, name) != evidence[key]:
                    problems.append("the signature drawing was changed")
    return Verification(not problems, problems)


def coverage(vault: UnlockedVault, visit_id: str, check_captures: bool = False) -> Coverage:
    """What the consents of a visit cover now, in the order they were given."""
    current = _visit_captures(vault, visit_id)
    active: dict[str, ConsentView] = {}
    withdrawn: set[str] = set()
    invalid = []
    for view in records(vault, visit_id):
        if not verify(vault, view.id, check_captures=check_captures).valid:
            invalid.append(view.id)
            continue
        if view.kind == "grant":
            active[view.id] = view
            withdrawn -= {c.object_name for c in view.covers}
        elif view.kind == "amend":
            active.pop(view.supersedes or "", None)
            active[view.id] = view
            withdrawn -= {c.object_name for c in view.covers}
        elif view.kind == "withdraw":
            names = {c.object_name for c in view.covers}
            withdrawn |= names
            target = active.get(view.supersedes or "")
            if target and names >= {c.object_name for c in target.covers}:
                active.pop(target.id)
    covered: dict[str, Scopes] = {}
    for view in active.values():
        for cover in view.covers:
            if cover.object_name not in withdrawn:
                covered[cover.object_name] = view.scopes
    # Withdrawn captures are accounted for (they stay on the station), not missing a consent.
    uncovered = [c for c in current if c.object_name not in covered
                 and c.object_name not in withdrawn]
    return Coverage(covered, uncovered, withdrawn, invalid)


def batchable(vault: UnlockedVault, visit_id: str) -> list[tuple[Capture, Scopes]]:
    """The captures that may leave the station, each with the scopes that travel with it.
    Covered captures are re-hashed here: a capture changed since consent does not travel."""
    state = coverage(vault, visit_id, check_captures=True)
    current = _visit_captures(vault, visit_id)
    return [(c, state.covered[c.object_name]) for c in current if c.object_name in state.covered]


def withdrawal_notices(vault: UnlockedVault) -> list[ConsentView]:
    """Withdrawals the command has not been told of yet; the next batch carries them."""
    with vault.reading() as session:
        rows = session.scalars(select(ConsentRecord).where(ConsentRecord.kind == "withdraw",
                                                           ConsentRecord.notice_sent_in.is_(None))
                               .order_by(ConsentRecord.created_at))
        return [_view(r) for r in rows]


def mark_notice_sent(vault: UnlockedVault, consent_id: str, batch_id: str) -> None:
    with vault.writing() as session:
        row = session.get(ConsentRecord, consent_id)
        if row is None:
            raise ConsentNotFound()
        row.notice_sent_in = batch_id
        vault.audit(session, "send", "withdrawal_notice", consent_id, batch=batch_id)


def evidence_png(vault: UnlockedVault, consent_id: str) -> bytes | None:
    with vault.reading() as session:
        row = session.get(ConsentRecord, consent_id)
        name = row.signature_image_object if row else None
    return vault.objects.read_bytes(name) if name else None

