"""Sealed batches (DESIGN.md §4): approved visits → a BagIt bag → tar → age, one file for the
network and for a USB stick alike.

Only what consent allows travels (``capture.consent.batchable``): a capture that is not covered,
was withdrawn or changed since consent stays on the station. Pending withdrawal notices travel
with the next batch. The bag's tag manifest is signed with the station key in minisign format,
and the whole tar is encrypted to the command's age recipient while it is written: no plaintext
file is ever made, and memory holds about one chunk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyrage
from sqlalchemy import select

from capture import consent, station, visits
from capture.models import AuditEvent, ObjectRow, Visit
from capture.review import history
from capture.roles import Action
from capture.vault import UnlockedVault
from sync import minisign
from sync.bag import BagWriter, bagging_date, open_tar
from sync.errors import SyncError

FORMAT = "sohoa-batch/1"


class NothingToSend(SyncError):
    """No approved visit with consented material, and no withdrawal notice, is waiting."""


class BadRecipient(SyncError):
    """The command's age recipient is not a valid X25519 recipient (age1...)."""


@dataclass
class BatchSummary:
    batch_id: str
    path: Path
    visits: list[str]
    files: int
    payload_bytes: int
    withheld: int  # captures left on the station (no consent covering them)
    withdrawal_notices: list[str] = field(default_factory=list)
    tagmanifest_sha256: str = ""


def approved_visits(vault: UnlockedVault) -> list[str]:
    vault.require(Action.BUILD_BATCH)
    with vault.reading() as session:
        return list(session.scalars(select(Visit.id).where(
            Visit.status == visits.VisitStatus.APPROVED.value).order_by(Visit.updated_at)))


def _extension(filename: str, media_type: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix and len(suffix) <= 6 and suffix[1:].isalnum():
        return suffix
    return {"image/jpeg": ".jpg", "image/png": ".png", "audio/flac": ".flac"}.get(media_type,
                                                                                 ".bin")


def build(vault: UnlockedVault, out_path: Path, recipient: str,
          visit_ids: list[str] | None = None) -> BatchSummary:
    """Write one encrypted batch to ``out_path`` (written as ``.part``, renamed when whole)."""
    vault.require(Action.BUILD_BATCH)
    try:
        age_recipient = pyrage.x25519.Recipient.from_str(recipient.strip())
    except pyrage.RecipientError:
        raise BadRecipient() from None
    chosen = visit_ids if visit_ids is not None else approved_visits(vault)
    notices = consent.withdrawal_notices(vault)
    plan = {visit_id: consent.batchable(vault, visit_id) for visit_id in chosen}
    if not any(plan.values()) and not notices:
        raise NothingToSend()

    batch_id = str(uuid.uuid4())
    info = station.info(vault)
    key = station.signing_key(vault)
    now = vault.clock()
    summary = BatchSummary(batch_id, out_path, list(plan), 0, 0, 0,
                           [n.id for n in notices])
    temp = out_path.with_name(out_path.name + ".part")
    read_end, write_end = os.pipe()
    failure: list[BaseException] = []

    def encrypt() -> None:
        try:
            with os.fdopen(read_end, "rb") as source, open(temp, "wb") as sink:
                pyrage.encrypt_io(source, sink, [age_recipient])
                sink.flush()
                os.fsync(sink.fileno())
        except BaseException as error:  # reported on the calling thread
            failure.append(error)

    encryptor = threading.Thread(target=encrypt, name="batch-age", daemon=True)
    encryptor.start()
    try:
        with os.fdopen(write_end, "wb", buffering=1024 * 1024) as pipe:
            tar = open_tar(pipe)
            bag = BagWriter(tar, f"sohoa-batch-{batch_id}", now.timestamp())
            metadata_rows: list[dict[str, str]] = []
            rights_rows: list[dict[str, str]] = []
            for visit_id, allowed in plan.items():
                _add_visit(vault, bag, visit_id, allowed, metadata_rows, rights_rows, summary)
            for notice in notices:
                bag.add_payload_bytes(f"data/withdrawals/{notice.id}.json",
                                      _consent_bytes(vault, notice.id))
            bag.add_payload_bytes("data/audit/events.jsonl", _audit_lines(vault))
            bag.add_tag("metadata/metadata.csv", _csv(metadata_rows, DC_COLUMNS))
            bag.add_tag("metadata/rights.csv", _csv(rights_rows, RIGHTS_COLUMNS))
            tagmanifest = bag.finish({
                "Source-Organization": info.name,
                "Contact-Name": vault.actor.full_name,
                "External-Identifier": batch_id,
                "External-Description": f"Số hóa ký ức batch from station {info.id}",
                "Bagging-Date": bagging_date(now),
                "Bag-Count": "1 of 1",
                "Bag-Group-Identifier": batch_id,
                "Sohoa-Format": FORMAT,
                "Sohoa-Station": info.id,
                "Sohoa-Station-Key": minisign.public_key_line(info.signing_public_key),
                "Sohoa-Province": str(info.province_code),
                "Sohoa-Ward": str(info.ward_code),
            }, sign=lambda data: minisign.sign(
                key, minisign.blake2b_of([data]),
                f"sohoa batch {batch_id} station {info.id}"))
            tar.close()
        summary.files = len(bag.payload)
        summary.payload_bytes = bag.payload_bytes
        summary.tagmanifest_sha256 = hashlib.sha256(tagmanifest).hexdigest()
    except BaseException:
        encryptor.join()
        temp.unlink(missing_ok=True)
        raise
    encryptor.join()
    if failure:
        temp.unlink(missing_ok=True)
        raise SyncError(f"encrypting the batch failed: {failure[0]}") from failure[0]
    os.replace(temp, out_path)
    with vault.writing() as session:
        vault.audit(session, "export", "batch", batch_id, visits=summary.visits,
                    files=summary.files, bytes=summary.payload_bytes,
                    withdrawal_notices=summary.withdrawal_notices)
    return summary


def _add_visit(vault: UnlockedVault, bag: BagWriter, visit_id: str,
               allowed: list[tuple[Any, consent.Scopes]], metadata_rows: list[dict[str, str]],
               rights_rows: list[dict[str, str]], summary: BatchSummary) -> None:
    with vault.reading() as session:
        visit = session.get(Visit, visit_id)
        record = _visit_record(vault, session, visit)
        sizes = {r.name: (r.size, r.media_type) for r in session.scalars(
            select(ObjectRow).where(ObjectRow.name.in_([c.object_name for c, _ in allowed])))}
    allowed_pages = {c.ref_id: (c, scopes) for c, scopes in allowed}
    pages_out = []
    withheld = 0
    for item in record["items"]:
        kept = []
        for page in item["pages"]:
            if page["id"] not in allowed_pages:
                withheld += 1
                continue
            capture, scopes = allowed_pages[page["id"]]
            size, media_type = sizes[capture.object_name]
            path = (f"data/visits/{visit_id}/media/{page['id']}"
                    f"{_extension(page['original_filename'], media_type)}")
            page["file"] = path[len("data/"):]
            page["sha256"] = bag.add_payload(path, size, vault.read_object(capture.object_name))
            page["consent_scopes"] = asdict(scopes)
            kept.append(page)
            pages_out.append(page)
            metadata_rows.append(_dublin_core(record, item, page))
            rights_rows.append(_rights(page, scopes))
        item["pages"] = kept
    summary.withheld += withheld
    record["withheld_captures"] = withheld
    for other in (c for c, _ in allowed if c.kind != "page"):
        size, media_type = sizes[other.object_name]
        path = f"data/visits/{visit_id}/{other.kind}s/{other.ref_id}{_extension('', media_type)}"
        record.setdefault("other_captures", []).append(
            {"kind": other.kind, "id": other.ref_id, "file": path[len("data/"):],
             "sha256": bag.add_payload(path, size, vault.read_object(other.object_name))})
    for view in consent.records(vault, visit_id):
        bag.add_payload_bytes(f"data/visits/{visit_id}/consent/{view.id}.json",
                              _consent_bytes(vault, view.id))
    bag.add_payload_bytes(f"data/visits/{visit_id}/visit.json",
                          json.dumps(record, ensure_ascii=False, indent=1,
                                     sort_keys=True).encode())


def _visit_record(vault: UnlockedVault, session: Any, visit: Visit) -> dict[str, Any]:
    """The visit as JSON, read directly: the operator may send what it may not edit."""
    from capture.models import Item, Lead, Martyr, Page, Person

    def rows(model: Any) -> list[dict[str, Any]]:
        out = []
        for row in session.scalars(select(model).where(model.visit_id == visit.id)
                                   .order_by(model.position)):
            out.append({c.name: getattr(row, c.name) for c in model.__table__.columns})
        return out

    record: dict[str, Any] = {
        "format": "sohoa-visit/1",
        "visit": {c.name: _jsonable(getattr(visit, c.name)) for c in Visit.__table__.columns},
        "martyrs": rows(Martyr), "people": rows(Person), "leads": rows(Lead), "items": [],
        "review": [dict(decision=d.decision, comment=d.comment, item_id=d.item_id,
                        at=d.at.isoformat()) for d in history(vault, visit.id)],
    }
    for item in rows(Item):
        pages = session.scalars(select(Page).where(Page.item_id == item["id"])
                                .order_by(Page.position))
        item["pages"] = [{"id": p.id, "position": p.position, "media": p.media,
                          "original_filename": p.original_filename, "rotation": p.rotation,
                          "meta": json.loads(p.meta)} for p in pages]
        record["items"].append(item)
    return record


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _consent_bytes(vault: UnlockedVault, consent_id: str) -> bytes:
    """The record exactly as signed, with its signature and the station key beside it."""
    with vault.reading() as session:
        row = session.get(consent.ConsentRecord, consent_id)
        return json.dumps({"payload": row.payload, "signature": row.signature.hex(),
                           "public_key": row.public_key.hex(),
                           "signing_domain": consent.SIGNING_DOMAIN.decode()},
                          ensure_ascii=False, indent=1).encode()


def _audit_lines(vault: UnlockedVault) -> bytes:
    out = io.StringIO()
    with vault.reading() as session:
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            out.write(json.dumps({"seq": event.seq, "at": event.at.isoformat(),
                                  "actor": event.actor, "action": event.action,
                                  "entity": event.entity, "entity_id": event.entity_id,
                                  "detail": event.detail, "prev_hash": event.prev_hash,
                                  "hash": event.hash}, ensure_ascii=False) + "\n")
    return out.getvalue().encode()


# --- Archivematica metadata --------------------------------------------------------------------

DC_COLUMNS = ["filename", "dc.title", "dc.type", "dc.date", "dc.subject", "dc.description",
              "dc.coverage", "dc.identifier", "dc.rights"]
RIGHTS_COLUMNS = ["file", "basis", "status", "determination_date", "jurisdiction", "start_date",
                  "end_date", "note", "grant_act", "grant_restriction", "grant_start_date",
                  "grant_end_date", "grant_note", "doc_id_type", "doc_id_value", "doc_id_role"]


def _dublin_core(record: dict[str, Any], item: dict[str, Any], page: dict[str, Any]
                 ) -> dict[str, str]:
    martyrs = "; ".join(m["full_name"] for m in record["martyrs"])
    return {"filename": "objects/" + page["file"],
            "dc.title": f"{item['title'] or item['kind']} — {page['position'] + 1}",
            "dc.type": "MovingImage" if page["media"] == "video" else "StillImage",
            "dc.date": record["visit"]["visit_date"], "dc.subject": martyrs,
            "dc.description": item["description"],
            "dc.coverage": f"{record['visit']['province_code']}/{record['visit']['ward_code']}",
            "dc.identifier": page["id"], "dc.rights": "Family consent: see rights.csv"}


def _rights(page: dict[str, Any], scopes: consent.Scopes) -> dict[str, str]:
    public = {"named": "Allow", "anonymous": "Conditional", "none": "Disallow"}[
        str(scopes.media_use)]
    note = ("Family consent: archive and search" +
            ("; share with authorities" if scopes.share_with_authorities else "") +
            f"; media use: {scopes.media_use}")
    return {"file": "objects/" + page["file"], "basis": "Donor", "status": "",
            "determination_date": "", "jurisdiction": "vn", "start_date": "",
            "end_date": "", "note": note, "grant_act": "Disseminate",
            "grant_restriction": public, "grant_start_date": scopes.embargo_until or "",
            "grant_end_date": "", "grant_note": note, "doc_id_type": "", "doc_id_value": "",
            "doc_id_role": ""}


def _csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
