"""Sealed batches (DESIGN.md §4): approved visits → a BagIt bag → tar → age, one file for the
network and for a USB stick alike.

Only what consent allows travels (``capture.consent.batchable``): a capture that is not covered,
was withdrawn or changed since consent stays on the station. Pending withdrawal notices travel
with the next batch. The bag's tag manifest is signed with the station key in minisign format,
and the whole tar is encrypted to the command's age recipient while it is written: no plaintext
file is ever made, and memory holds about one chunk.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyrage
from sqlalchemy import select

from capture import consent, outbox, station, visits
from capture.errors import CaptureError, DiskFull, ObjectDamaged
from capture.models import AuditEvent, ObjectRow, Visit
from capture.review import history
from capture.roles import Action
from capture.testimony import (
    Marker,
    MarkerView,
    PartView,
    Testimony,
    TestimonyMartyr,
    TestimonyPart,
    TestimonyView,
    to_ohms_index,
    to_webvtt,
)
from capture.vault import UnlockedVault
from sync import age_stream, minisign
from sync.bag import BagWriter, bagging_date, open_tar
from sync.errors import SyncError

FORMAT = "sohoa-batch/1"
# The visit record (visit.json). /2 carries testimonies whole and each lead's source; the
# command reads /1 and /2 (docs/sync.md).
VISIT_FORMAT = "sohoa-visit/2"


class NothingToSend(SyncError, CaptureError):
    """No approved visit with consented material, and no withdrawal notice, is waiting."""

    message = ("Nothing is waiting to be sent: no approved visit has material that is not in a "
               "batch yet, and no withdrawal notice is waiting.")


class BadRecipient(SyncError):
    """The command's age recipient is not a valid X25519 recipient (age1...)."""


class ChangedSinceConsent(SyncError):
    """A file read while packing is not the one the family's consent signed (the build starts
    again, re-hashing first, so that it stays behind)."""


class BuildCancelled(SyncError, CaptureError):
    message = "Building the batch was cancelled; nothing was kept."


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
    size: int = 0  # of the encrypted file
    sha256: str = ""  # of the encrypted file
    group_id: str = ""
    part: int = 1
    parts: int = 1


@dataclass
class BagPlan:
    """What one bag (one part of a batch) carries."""

    visits: list[outbox.PendingVisit]
    notices: list[consent.ConsentView]
    audit: bool  # the station's audit log travels in the first part

    @property
    def media_bytes(self) -> int:
        return sum(v.bytes for v in self.visits)


DEFAULT_SIZE_CAP = 2 * 1024**3  # well under FAT32's 4 GiB file limit on a USB stick
# Upper bounds used to pack parts under the cap before anything is written: per file a tar
# header, its PAX record and padding, its entry in visit.json, the manifest and the CSVs; per
# visit its record and consent records; the tag files; and age's 16-byte tag per 64 KiB chunk
# plus its header. The audit log is measured exactly.
FILE_OVERHEAD = 4 * 1024
VISIT_OVERHEAD = 32 * 1024
NOTICE_OVERHEAD = 8 * 1024
BAG_OVERHEAD = 16 * 1024


def estimate(plan: BagPlan, audit_bytes: int = 0) -> int:
    tar = BAG_OVERHEAD + (audit_bytes if plan.audit else 0) + len(plan.notices) * NOTICE_OVERHEAD
    for visit in plan.visits:
        tar += VISIT_OVERHEAD + sum(visit.sizes[c.object_name] + FILE_OVERHEAD
                                    for c, _ in visit.captures)
    return tar + tar // (64 * 1024) * 16 + 1024


def pack(visits: list[outbox.PendingVisit], notices: list[consent.ConsentView],
         size_cap: int | None, audit_bytes: int = 0) -> list[BagPlan]:
    """Visits in order into parts of at most ``size_cap`` bytes (estimated). A visit is never
    split: its record, consent and media arrive together. One larger than the cap alone gets a
    part of its own. Notices and the audit log ride in the first part."""
    parts = [BagPlan([], list(notices), audit=True)]
    for visit in visits:
        current = parts[-1]
        if size_cap is not None and current.visits and estimate(
                BagPlan([*current.visits, visit], current.notices, current.audit),
                audit_bytes) > size_cap:
            current = BagPlan([], [], audit=False)
            parts.append(current)
        current.visits.append(visit)
    return parts


def audit_size(vault: UnlockedVault) -> int:
    return len(_audit_lines(vault))


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


def parse_recipient(recipient: str) -> pyrage.x25519.Recipient:
    try:
        return pyrage.x25519.Recipient.from_str(recipient.strip())
    except pyrage.RecipientError:
        raise BadRecipient() from None


def build(vault: UnlockedVault, out_path: Path, recipient: str,
          visit_ids: list[str] | None = None) -> BatchSummary:
    """Write one encrypted batch (1 of 1) to ``out_path`` with everything approved (or
    ``visit_ids``) that consent lets travel, whatever was sent before. The station's outbox
    (``sync/outbox.py``) sends only what is new, split under a size cap."""
    vault.require(Action.BUILD_BATCH)
    parse_recipient(recipient)

    def write(rehash: bool) -> BatchSummary:
        waiting = outbox.pending(vault, visit_ids, only_new=False, rehash=rehash)
        if not waiting.visits and not waiting.notices:
            raise NothingToSend()
        return write_bag(vault, out_path, recipient,
                         BagPlan(waiting.visits, waiting.notices, audit=True))

    try:
        # Each file is checked against its consented digest as it is packed: one read.
        summary = write(rehash=False)
    except (ChangedSinceConsent, ObjectDamaged):
        # Re-hash everything first, so what no longer matches its consent stays behind.
        summary = write(rehash=True)
    with vault.writing() as session:
        vault.audit(session, "export", "batch", summary.batch_id, visits=summary.visits,
                    files=summary.files, bytes=summary.payload_bytes,
                    withdrawal_notices=summary.withdrawal_notices)
    return summary


class Progress:
    """Media bytes packed so far, across every part of a build; checks for a cancel."""

    def __init__(self, total: int, report: Callable[[int, int], None] | None = None,
                 cancel: threading.Event | None = None) -> None:
        self.total, self.done = total, 0
        self.report, self.cancel = report, cancel

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise BuildCancelled()

    def chunks(self, source: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in source:
            self.check()
            yield chunk
            self.done += len(chunk)
            if self.report is not None:
                self.report(self.done, self.total)


class EncryptorStopped(SyncError):
    """The age encryptor (``sync.age_stream``, a process of its own) stopped before the batch
    was whole: killed, crashed, or unable to write."""


ENCRYPTOR = "sync.age_stream"


def _start_encryptor(recipient: str, out: Path) -> subprocess.Popen[bytes]:
    """``python -m sync.age_stream RECIPIENT OUT``: the public recipient only, never a secret.
    It imports this very package, wherever the build runs from."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    process = subprocess.Popen([sys.executable, "-m", ENCRYPTOR, recipient, str(out)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert process.stdin is not None
    age_stream.widen(process.stdin.fileno())
    return process


def _finish_encryptor(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    """Close its input, wait for its report: the size and SHA-256 of the encrypted file."""
    assert process.stdin is not None and process.stdout is not None
    with contextlib.suppress(OSError):  # it may have stopped already; its report says why
        process.stdin.close()
    line = process.stdout.read()
    code = process.wait()
    try:
        report = json.loads(line)
    except ValueError:
        raise EncryptorStopped(f"the batch encryptor stopped (exit code {code}) without "
                               "finishing the file") from None
    if report.get("error") == "disk_full":
        raise DiskFull()
    if "error" in report or code != 0:
        raise EncryptorStopped(f"encrypting the batch failed: {report.get('detail', code)}")
    return int(report["size"]), str(report["sha256"])


def _stop_encryptor(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()


def write_bag(vault: UnlockedVault, out_path: Path, recipient: str, plan: BagPlan, *,
              batch_id: str | None = None, group_id: str | None = None, part: int = 1,
              parts: int = 1, progress: Progress | None = None) -> BatchSummary:
    """One bag, tarred and encrypted while it is written (``.part`` first, renamed when whole
    and on disk). Nothing is recorded in the vault here."""
    vault.require(Action.BUILD_BATCH)
    parse_recipient(recipient)
    progress = progress or Progress(plan.media_bytes)
    batch_id = batch_id or str(uuid.uuid4())
    group_id = group_id or batch_id
    info = station.info(vault)
    key = station.signing_key(vault)
    now = vault.clock()
    summary = BatchSummary(batch_id, out_path, [v.visit_id for v in plan.visits], 0, 0, 0,
                           [n.id for n in plan.notices], group_id=group_id, part=part,
                           parts=parts)
    temp = out_path.with_name(out_path.name + ".part")
    process = _start_encryptor(recipient.strip(), temp)
    assert process.stdin is not None
    tar = open_tar(process.stdin)
    try:
        try:
            bag = BagWriter(tar, f"sohoa-batch-{batch_id}", now.timestamp())
            metadata_rows: list[dict[str, str]] = []
            rights_rows: list[dict[str, str]] = []
            for visit in plan.visits:
                progress.check()
                _add_visit(vault, bag, visit, metadata_rows, rights_rows, summary, progress)
            for notice in plan.notices:
                bag.add_payload_bytes(f"data/withdrawals/{notice.id}.json",
                                      _consent_bytes(vault, notice.id))
            if plan.audit:
                bag.add_payload_bytes("data/audit/events.jsonl", _audit_lines(vault))
            bag.add_tag("metadata/metadata.csv", _csv(metadata_rows, DC_COLUMNS))
            bag.add_tag("metadata/rights.csv", _csv(rights_rows, RIGHTS_COLUMNS))
            tagmanifest = bag.finish({
                "Source-Organization": info.name,
                "Contact-Name": vault.actor.full_name,
                "External-Identifier": batch_id,
                "External-Description": f"Số hóa ký ức batch from station {info.id}",
                "Bagging-Date": bagging_date(now),
                "Bag-Count": f"{part} of {parts}",
                "Bag-Group-Identifier": group_id,
                "Sohoa-Format": FORMAT,
                "Sohoa-Station": info.id,
                "Sohoa-Station-Key": minisign.public_key_line(info.signing_public_key),
                "Sohoa-Province": str(info.province_code),
                "Sohoa-Ward": str(info.ward_code),
            }, sign=lambda data: minisign.sign(
                key, minisign.blake2b_of([data]),
                f"sohoa batch {batch_id} station {info.id}"))
            tar.close()
        except BrokenPipeError as error:
            # The encryptor stopped reading first: its report (or its exit) says why.
            _finish_encryptor(process)
            raise EncryptorStopped("the batch encryptor stopped reading") from error
        summary.size, summary.sha256 = _finish_encryptor(process)
    except BaseException:
        # Killed, never sent the end of its input: it cannot take a cut-short tar for a whole
        # one.
        _stop_encryptor(process)
        temp.unlink(missing_ok=True)
        raise
    summary.files = len(bag.payload)
    summary.payload_bytes = bag.payload_bytes
    summary.tagmanifest_sha256 = hashlib.sha256(tagmanifest).hexdigest()
    os.replace(temp, out_path)
    return summary


def _add_visit(vault: UnlockedVault, bag: BagWriter, visit: outbox.PendingVisit,
               metadata_rows: list[dict[str, str]], rights_rows: list[dict[str, str]],
               summary: BatchSummary, progress: Progress) -> None:
    visit_id = visit.visit_id
    with vault.reading() as session:
        record = _visit_record(vault, session, session.get(Visit, visit_id))
        media_types = dict(session.execute(select(ObjectRow.name, ObjectRow.media_type).where(
            ObjectRow.name.in_([c.object_name for c, _ in visit.captures]))).all())

    def add_media(path: str, capture: Any) -> str:
        digest = bag.add_payload(path, visit.sizes[capture.object_name],
                                 progress.chunks(vault.read_object(capture.object_name)))
        if visit.digests.get(capture.object_name, digest) != digest:
            raise ChangedSinceConsent(capture.ref_id)
        return digest

    allowed_pages = {c.ref_id: (c, scopes) for c, scopes in visit.captures if c.kind == "page"}
    withheld = 0
    for item in record["items"]:
        kept = []
        for page in item["pages"]:
            if page["id"] in visit.sent:
                # Sent before in another batch: the record names it, the file is not repeated.
                page["delivered_in"] = visit.sent[page["id"]]
                kept.append(page)
                continue
            if page["id"] not in allowed_pages:
                withheld += 1
                continue
            capture, scopes = allowed_pages[page["id"]]
            media_type = media_types[capture.object_name]
            path = (f"data/visits/{visit_id}/media/{page['id']}"
                    f"{_extension(page['original_filename'], media_type)}")
            page["file"] = path[len("data/"):]
            page["sha256"] = add_media(path, capture)
            page["consent_scopes"] = asdict(scopes)
            kept.append(page)
            metadata_rows.append(_dublin_core(record, item, page))
            rights_rows.append(_rights(page, scopes))
        item["pages"] = kept
    summary.withheld += withheld
    record["withheld_captures"] = withheld
    for other, scopes in ((c, s) for c, s in visit.captures if c.kind != "page"):
        path = (f"data/visits/{visit_id}/{other.kind}s/{other.ref_id}"
                f"{_extension('', media_types[other.object_name])}")
        record.setdefault("other_captures", []).append(
            {"kind": other.kind, "id": other.ref_id, "file": path[len("data/"):],
             "sha256": add_media(path, other), "consent_scopes": asdict(scopes)})
    for ref_id, batch_id in sorted(visit.sent.items()):
        if ref_id not in {p["id"] for i in record["items"] for p in i["pages"]}:
            record.setdefault("other_captures", []).append(
                {"id": ref_id, "delivered_in": batch_id})
    _attach_recordings(record, visit)
    for testimony in record["testimonies"]:
        view = testimony.pop("_view")
        stem = f"data/visits/{visit_id}/testimonies/{testimony['id']}"
        bag.add_payload_bytes(stem + ".vtt", to_webvtt(view).encode())
        bag.add_payload_bytes(stem + ".ohms.xml", to_ohms_index(view))
        testimony["index"] = {"webvtt": stem[len("data/"):] + ".vtt",
                              "ohms": stem[len("data/"):] + ".ohms.xml"}
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
        "format": VISIT_FORMAT,
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
    record["testimonies"] = _testimonies(session, visit.id, record["people"])
    _lead_sources(record)
    return record


def _testimonies(session: Any, visit_id: str, people: list[dict[str, Any]]
                 ) -> list[dict[str, Any]]:
    """sohoa-visit/2: each testimony whole — speaker (and the person record), language,
    notes, martyr links, parts in order, markers on the testimony's timeline. The station's
    own view (``TestimonyView``) is kept aside for the WebVTT and OHMS files."""
    by_id = {p["id"]: p for p in people}
    out = []
    for row in session.scalars(select(Testimony).where(Testimony.visit_id == visit_id)
                               .order_by(Testimony.created_at, Testimony.id)):
        view = TestimonyView(row.id, row.visit_id, row.speaker_person_id, row.speaker_name,
                             row.language, row.notes)
        view.martyr_ids = sorted(session.scalars(select(TestimonyMartyr.martyr_id).where(
            TestimonyMartyr.testimony_id == row.id)))
        parts = []
        offset = 0.0
        for part in session.scalars(select(TestimonyPart).where(
                TestimonyPart.testimony_id == row.id).order_by(TestimonyPart.position)):
            view.parts.append(PartView(
                part.id, part.position, part.source, part.device_name, part.sample_rate,
                part.subtype, part.started_at, part.frames, part.state, part.end_reason,
                part.overflows, part.object_name, part.original_filename, offset))
            parts.append({"id": part.id, "position": part.position, "source": part.source,
                          "device_name": part.device_name, "sample_rate": part.sample_rate,
                          "channels": part.channels, "subtype": part.subtype,
                          "started_at": part.started_at.isoformat(), "frames": part.frames,
                          "duration": part.duration, "offset_seconds": offset,
                          "state": part.state, "end_reason": part.end_reason,
                          "overflows": part.overflows,
                          "original_filename": part.original_filename})
            offset += part.duration
        markers = session.scalars(select(Marker).where(Marker.testimony_id == row.id)
                                  .order_by(Marker.at_seconds, Marker.id))
        view.markers = [MarkerView(m.id, m.at_seconds, m.label, m.kind, m.note)
                        for m in markers]
        out.append({
            "id": row.id, "speaker_person_id": row.speaker_person_id,
            "speaker_name": row.speaker_name,
            "speaker": by_id.get(row.speaker_person_id or ""),
            "language": row.language, "notes": row.notes,
            "created_at": row.created_at.isoformat(), "martyr_ids": view.martyr_ids,
            "duration": view.duration, "parts": parts,
            "markers": [{"id": m.id, "at_seconds": m.at_seconds, "label": m.label,
                         "kind": m.kind, "note": m.note} for m in view.markers],
            "_view": view,
        })
    return out


def _lead_sources(record: dict[str, Any]) -> None:
    """A lead names where it came from: a marker (with its testimony and time) or a page (with
    its item), so the command can open the very moment or photo."""
    markers = {m["id"]: (t, m) for t in record["testimonies"] for m in t["markers"]}
    pages = {p["id"]: i for i in record["items"] for p in i["pages"]}
    for lead in record["leads"]:
        ref = lead.get("source_ref") or ""
        source: dict[str, Any] = {"kind": lead.get("source_kind") or "other", "ref": ref}
        if ref in markers:
            testimony, marker = markers[ref]
            source.update(kind="marker", testimony_id=testimony["id"],
                          at_seconds=marker["at_seconds"], label=marker["label"])
        elif ref in pages:
            source.update(kind="page", item_id=pages[ref]["id"])
        lead["source"] = source


def _attach_recordings(record: dict[str, Any], visit: outbox.PendingVisit) -> None:
    """Each part names its file in the bag (and the original of an imported recording), or
    the batch that delivered it before, or says it stayed on the station (no consent)."""
    files = {(c["kind"], c["id"]): c for c in record.get("other_captures", []) if "kind" in c}
    for testimony in record["testimonies"]:
        for part in testimony["parts"]:
            joined = files.get(("recording", part["id"]))
            original = files.get(("recording-original", part["id"]))
            if joined is not None:
                part.update(file=joined["file"], sha256=joined["sha256"],
                            media_type="audio/flac",
                            consent_scopes=joined["consent_scopes"])
            elif part["id"] in visit.sent:
                part["delivered_in"] = visit.sent[part["id"]]
            else:
                part["withheld"] = True
            if original is not None:
                part.update(original_file=original["file"], original_sha256=original["sha256"])


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


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...) that
# leaks or runs something when the archivist opens metadata.csv): OWASP "CSV injection".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """The value as a spreadsheet shows it as text: a leading ' stops a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue().encode()
