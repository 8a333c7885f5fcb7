"""The command's index (COMMAND.md §2): one row per thing a bag holds, rebuilt from the archive at
will.

``index_bag`` reads an archived bag (its withdrawal notices, then its ``visit.json``
records, ``sohoa-visit/1`` or ``/2``, with their consent records) into the tables below, on the
caller's connection: ingest calls it inside the transaction that records the batch, so a batch
is never received but invisible; ``reindex`` drops every index row and replays every archived
batch in the order it arrived, so running it twice gives the same rows.

A visit's newest record wins: a visit approved again travels again (its pages sent before are
named with ``delivered_in``; their files stay in the earlier bag, and the rows point there).

Search text is folded (``capture.folding.fold``, as the station folds) into ``search_entries``;
SQLite keeps an FTS5 index over it (external content, kept by triggers), PostgreSQL its words
stored (a generated ``tsvector`` column, migration 0006) with a GIN index. Only the migrations,
the match clause and the fast clearing differ between the two.

Withdrawal notices (``data/withdrawals/<id>.json``, signed consent records of kind
``withdraw``) are applied at ingest and reindex: the covered captures' files are deleted from
the archive, their rows leave the index, a tombstone row says what went, when, by which notice,
with the hashes, and a fixity record beside the bag (``<batch>.fixity.json``) lists the payload
files that are gone and why. The station-signed manifests are never rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import (
    BigInteger,
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
    delete,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from capture import places
from capture.errors import UnknownPlace
from capture.folding import fold
from sync.errors import SyncError
from sync.server.store import batches, metadata, stations

VISIT_FORMATS = ("sohoa-visit/1", "sohoa-visit/2")
CONSENT_DOMAIN = b"sohoa consent record v1\0"
MAX_RECORD_BYTES = 64 * 1024 * 1024
FIXITY_FORMAT = "sohoa-fixity/1"
FTS_TABLE = "search_fts"
WORDS_INDEX = "ix_search_entries_words"
# PostgreSQL only (migration 0006): the stored tsvector of ``folded``; SQLite has FTS5 instead,
# so the column is not in the metadata (inserts never name it: it is generated).
WORDS_COLUMN = "words"
# As migration 0004 makes it (clear_index sets it aside and makes it again).
FTS_DELETE_TRIGGER = (
    "CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) VALUES ('delete', old.id, old.folded); "
    "END"
)


class BadRecord(SyncError):
    """A record in the bag cannot be read (not JSON, an unknown format, a visit of another
    station); the batch is refused with the reason."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.reason = "bad_record"
        self.detail = detail


def _id(name: str) -> Column[Any]:
    return Column(name, String(36), primary_key=True)


def _ref(name: str, index: bool = True) -> Column[Any]:
    return Column(name, String(36), nullable=True, index=index)


# The household is the visit's own columns (one household per visit).
index_visits = Table(
    "index_visits", metadata,
    _id("visit_id"),
    Column("station_id", String(36), nullable=False, index=True),
    Column("batch_id", String(36), nullable=False, index=True),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
    Column("record_format", String(20), nullable=False),
    Column("province_code", Integer, nullable=True, index=True),
    Column("ward_code", Integer, nullable=True, index=True),
    Column("visit_date", String(10), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("village", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("contact_name", Text, nullable=False),
    Column("contact_phone", String(40), nullable=False),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("notes", Text, nullable=False),
    Column("withheld_captures", Integer, nullable=False),
    Column("review", Text, nullable=False),  # JSON: the decisions, oldest first
)

index_martyrs = Table(
    "index_martyrs", metadata,
    _id("id"),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("full_name", Text, nullable=False),
    Column("other_names", Text, nullable=False),
    Column("birth_year", Integer, nullable=True, index=True),
    Column("home_town", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("enlistment_date", String(10), nullable=False),
    Column("death_date", String(10), nullable=False, index=True),
    Column("death_place", Text, nullable=False),
    Column("burial_info", Text, nullable=False),
    Column("notes", Text, nullable=False),
)

index_people = Table(
    "index_people", metadata,
    _id("id"),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False, index=True),  # relative | witness | veteran
    Column("full_name", Text, nullable=False),
    Column("relationship", Text, nullable=False),
    _ref("martyr_id"),
    Column("birth_year", Integer, nullable=True),
    Column("phone", String(40), nullable=False),
    Column("unit", Text, nullable=False),
    Column("battles", Text, nullable=False),
    Column("dna_willing", Boolean, nullable=False, index=True),
    Column("dna_contact", Text, nullable=False),
    Column("notes", Text, nullable=False),
)

index_items = Table(
    "index_items", metadata,
    _id("id"),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("condition", Text, nullable=False),
    _ref("martyr_id"),
)

# Pages are photos or, with media "video", video clips (the videos of a visit).
index_pages = Table(
    "index_pages", metadata,
    _id("id"),
    Column("item_id", String(36), nullable=False, index=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("media", String(10), nullable=False, index=True),  # photo | video
    Column("rotation", Integer, nullable=False),
    Column("original_filename", Text, nullable=False),
    Column("batch_id", String(36), nullable=True, index=True),  # the bag holding the file
    Column("path", Text, nullable=True),  # inside that bag; None: it stayed on the station
    Column("sha256", String(64), nullable=True),
    Column("meta", Text, nullable=False),
    Column("scopes", Text, nullable=True),  # JSON: the consent scopes it travelled with
)

index_testimonies = Table(
    "index_testimonies", metadata,
    _id("id"),
    Column("visit_id", String(36), nullable=False, index=True),
    _ref("speaker_person_id"),
    Column("speaker_name", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("martyr_ids", Text, nullable=False),  # JSON list
    Column("duration", Float, nullable=False),
    Column("batch_id", String(36), nullable=False, index=True),
    Column("webvtt_path", Text, nullable=True),
    Column("ohms_path", Text, nullable=True),
)

index_parts = Table(
    "index_parts", metadata,
    _id("id"),
    Column("testimony_id", String(36), nullable=False, index=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("source", String(10), nullable=False),  # recorded | imported
    Column("device_name", Text, nullable=False),
    Column("sample_rate", Integer, nullable=False),
    Column("channels", Integer, nullable=False),
    Column("frames", BigInteger, nullable=False),
    Column("duration", Float, nullable=False),
    Column("offset_seconds", Float, nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("batch_id", String(36), nullable=True, index=True),
    Column("path", Text, nullable=True),
    Column("sha256", String(64), nullable=True),
    Column("original_path", Text, nullable=True),
    Column("original_sha256", String(64), nullable=True),
    Column("original_filename", Text, nullable=False),
    Column("scopes", Text, nullable=True),
)

index_markers = Table(
    "index_markers", metadata,
    _id("id"),
    Column("testimony_id", String(36), nullable=False, index=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("at_seconds", Float, nullable=False),
    Column("label", Text, nullable=False),
    Column("kind", String(12), nullable=False, index=True),
    Column("note", Text, nullable=False),
)

index_leads = Table(
    "index_leads", metadata,
    _id("id"),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    _ref("martyr_id"),
    Column("description", Text, nullable=False),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("grid_reference", Text, nullable=False),
    Column("source_kind", String(20), nullable=False, index=True),  # marker|page|testimony|other
    Column("source_ref", String(64), nullable=False, index=True),
    _ref("source_testimony_id"),
    Column("source_at_seconds", Float, nullable=True),
    Column("confidence", String(10), nullable=False),
)

index_consents = Table(
    "index_consents", metadata,
    _id("id"),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("station_id", String(36), nullable=False, index=True),
    Column("batch_id", String(36), nullable=False, index=True),
    Column("kind", String(10), nullable=False),  # grant | amend | withdraw
    _ref("supersedes"),
    Column("reference_code", String(20), nullable=False, index=True),
    Column("created_at", String(40), nullable=False),
    Column("signer_name", Text, nullable=False),
    Column("signer_relationship", Text, nullable=False),
    Column("evidence_method", String(20), nullable=False),
    Column("payload", Text, nullable=False),  # exactly as signed
    Column("signature", String(128), nullable=False),  # hex
    Column("public_key", String(64), nullable=False),  # hex, as the record says
)

# One row per capture a consent record covers, with the scopes that bind it.
index_consent_scopes = Table(
    "index_consent_scopes", metadata,
    Column("consent_id", String(36), primary_key=True),
    Column("capture_kind", String(20), primary_key=True),
    Column("ref_id", String(36), primary_key=True, index=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("archive_and_search", Boolean, nullable=False),
    Column("share_with_authorities", Boolean, nullable=False),
    Column("media_use", String(10), nullable=False, index=True),  # named | anonymous | none
    Column("dna_contact", Boolean, nullable=False),
    Column("embargo_until", String(10), nullable=False),
)

search_entries = Table(
    "search_entries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(12), nullable=False, index=True),
    Column("ref_id", String(36), nullable=False, index=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("station_id", String(36), nullable=False, index=True),
    Column("province_code", Integer, nullable=True, index=True),
    Column("ward_code", Integer, nullable=True, index=True),
    Column("visit_date", String(10), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),  # NFC, the original spelling
    Column("folded", Text, nullable=False),  # fold(body): same length, for snippets
)

# Tombstones are a record, not an index: reindex keeps them (and honours them).
tombstones = Table(
    "tombstones", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("station_id", String(36), nullable=False, index=True),
    Column("capture_kind", String(20), nullable=False),
    Column("ref_id", String(36), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),  # as the withdrawal names it
    Column("notice_id", String(36), nullable=False, index=True),
    Column("notice_batch_id", String(36), nullable=False),
    Column("withdrawn_at", String(40), nullable=False),  # the notice's own time
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("removed", Text, nullable=False),  # JSON: [{batch_id, path, sha256, size}]
    UniqueConstraint("notice_id", "capture_kind", "ref_id", name="uq_tombstones_capture"),
)

INDEX_TABLES = (index_visits, index_martyrs, index_people, index_items, index_pages,
                index_testimonies, index_parts, index_markers, index_leads, index_consents,
                index_consent_scopes, search_entries)
_PER_VISIT = (index_martyrs, index_people, index_items, index_pages, index_testimonies,
              index_parts, index_markers, index_leads, index_consents, index_consent_scopes,
              search_entries, index_visits)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic's comparisons: the FTS5 table and its shadow tables (SQLite, migration 0004)
    and the stored words with their full-text index (PostgreSQL, migration 0006) are made by
    hand and are not in the metadata."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == WORDS_COLUMN and parent_names.get("table_name") == (
            search_entries.name):
        return False
    return not (type_ == "index" and name == WORDS_INDEX)


# --- reading a bag ------------------------------------------------------------------------------

def _text(value: Any, limit: int = 100_000) -> str:
    """Whatever a station sent, as bounded NFC text."""
    if value is None:
        return ""
    import unicodedata

    return unicodedata.normalize("NFC", str(value))[:limit]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        number = float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None
    return number if number is None or number == number else None  # no NaN


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _read_json(path: Path) -> Any:
    if path.stat().st_size > MAX_RECORD_BYTES:
        raise BadRecord(f"{path.name} is too large")
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRecord(f"{path.name} is not valid JSON") from None


def _bag_path(value: Any) -> str | None:
    """A path named in a record, as a path inside the bag ("data/..."), only if it stays
    inside the bag's payload."""
    if not isinstance(value, str) or not value:
        return None
    inner = PurePosixPath("data") / value
    if inner.is_absolute() or ".." in inner.parts:
        return None
    return str(inner)


def _place(kind: str, code: int | None) -> str:
    if code is None:
        return ""
    try:
        return places.province_name(code) if kind == "province" else places.ward_name(code)
    except (UnknownPlace, ValueError, TypeError):
        return ""


class _Visit:
    """The rows of one visit record, built before anything is written."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in INDEX_TABLES}
        self.seen: set[tuple[Any, ...]] = set()

    def add(self, table: Table, **values: Any) -> None:
        if table is not search_entries:  # a station's record is not trusted to be unique
            key = (table.name, *(values.get(c.name) for c in table.primary_key))
            if key in self.seen or not all(key[1:]):
                return
            self.seen.add(key)
        self.rows[table.name].append(values)


def index_bag(conn: Connection, bag_folder: Path, station_id: str, batch_id: str, *,
              received_at: datetime | None = None,
              now: datetime | None = None) -> dict[str, int]:
    """Index one archived bag on ``conn`` (inside the caller's transaction): its withdrawal
    notices, then its visit records (each replaces that visit's rows). Returns counts."""
    bag_folder = Path(bag_folder)
    now = now or datetime.now(UTC)
    if received_at is None:
        received_at = conn.execute(select(batches.c.received_at).where(
            batches.c.batch_id == batch_id, batches.c.station_id == station_id)).scalar() or now
    counts = {"visits": 0, "rows": 0, "withdrawn": 0}
    # Notices first: a visit record travelling in the same bag (approved again) still names
    # the withdrawn captures, and the tombstones keep them out.
    notices_dir = bag_folder / "data" / "withdrawals"
    for notice_path in sorted(notices_dir.glob("*.json")) if notices_dir.is_dir() else []:
        counts["withdrawn"] += apply_withdrawal(conn, _read_json(notice_path), station_id,
                                                batch_id, now)
    if counts["withdrawn"]:  # what was withdrawn proposes no coordinate any more
        from sync.server import leads

        leads.refresh_proposals(conn, list(conn.execute(
            select(tombstones.c.visit_id).where(tombstones.c.notice_batch_id == batch_id)
            .distinct()).scalars()))
    visits_dir = bag_folder / "data" / "visits"
    built = []
    for record_path in sorted(visits_dir.glob("*/visit.json")) if visits_dir.is_dir() else []:
        built.append(_build(conn, _read_json(record_path), station_id, batch_id, received_at,
                            bag_folder, None))
        counts["visits"] += 1
    counts["rows"] = _write(conn, built)  # one INSERT per table for the whole bag
    return counts


def index_record(conn: Connection, record: Any, station_id: str, batch_id: str,
                 received_at: datetime, *, bag_folder: Path | None = None,
                 consents: list[dict[str, Any]] | None = None) -> int:
    """One visit record (``sohoa-visit/1`` or ``/2``) into the index, replacing that visit's
    rows. Consent records are read from the bag (``consent/*.json`` beside the record) or given.
    Returns the number of rows written."""
    return _write(conn, [_build(conn, record, station_id, batch_id, received_at, bag_folder,
                                consents)])


def _build(conn: Connection, record: Any, station_id: str, batch_id: str,
           received_at: datetime, bag_folder: Path | None,
           consents: list[dict[str, Any]] | None) -> _Visit:
    """The rows of one record, after clearing that visit's old rows."""
    record = _dict(record)
    if record.get("format") not in VISIT_FORMATS:
        raise BadRecord(f"unknown visit record format {str(record.get('format'))[:40]!r}")
    visit = _dict(record.get("visit"))
    visit_id = _text(visit.get("id"), 36)
    if not visit_id:
        raise BadRecord("a visit record without its id")
    known = conn.execute(select(index_visits.c.station_id).where(
        index_visits.c.visit_id == visit_id)).scalar()
    if known is not None and known != station_id:
        raise BadRecord("the record names a visit another station sent")
    withdrawn = set(conn.execute(select(tombstones.c.ref_id).where(
        tombstones.c.visit_id == visit_id, tombstones.c.station_id == station_id)).scalars())
    earlier_pages: dict[str, Any] = {}
    earlier_parts: dict[str, Any] = {}
    if known is not None:  # a visit new to the index has no rows to replace
        # Files sent before (delivered_in) stay in their earlier bag: keep pointing there.
        earlier_pages = {r.id: r for r in conn.execute(select(
            index_pages.c.id, index_pages.c.batch_id, index_pages.c.path, index_pages.c.sha256,
            index_pages.c.scopes).where(index_pages.c.visit_id == visit_id))}
        earlier_parts = {r.id: r for r in conn.execute(select(
            index_parts.c.id, index_parts.c.batch_id, index_parts.c.path, index_parts.c.sha256,
            index_parts.c.original_path, index_parts.c.original_sha256, index_parts.c.scopes)
            .where(index_parts.c.visit_id == visit_id))}
        clear_visit(conn, visit_id)

    out = _Visit()
    province, ward = _int(visit.get("province_code")), _int(visit.get("ward_code"))
    visit_date = _text(visit.get("visit_date"), 10)
    common = {"visit_id": visit_id, "station_id": station_id, "province_code": province,
              "ward_code": ward, "visit_date": visit_date}

    def searchable(kind: str, ref_id: str, title: str, *parts: Any) -> None:
        body = " · ".join(t for t in (_text(p).strip() for p in parts) if t)
        if body and ("search", kind, ref_id) not in out.seen:
            out.seen.add(("search", kind, ref_id))
            out.add(search_entries, kind=kind, ref_id=ref_id, title=title[:500], body=body,
                    folded=fold(body), **common)

    review = [_dict(d) for d in _list(record.get("review"))]
    household = {k: _text(visit.get(k)) for k in ("village", "address", "contact_name",
                                                   "notes")}
    out.add(index_visits, visit_id=visit_id, station_id=station_id, batch_id=batch_id,
            received_at=received_at, record_format=record["format"], province_code=province,
            ward_code=ward, visit_date=visit_date, status=_text(visit.get("status"), 20),
            contact_phone=_text(visit.get("contact_phone"), 40),
            latitude=_float(visit.get("latitude")), longitude=_float(visit.get("longitude")),
            withheld_captures=_int(record.get("withheld_captures")) or 0,
            review=json.dumps(review, ensure_ascii=False), **household)
    searchable("visit", visit_id, household["contact_name"] or household["village"],
               household["contact_name"], household["village"], household["address"],
               _place("ward", ward), _place("province", province), household["notes"])

    for position, martyr in enumerate(_dict(m) for m in _list(record.get("martyrs"))):
        values = {k: _text(martyr.get(k)) for k in (
            "full_name", "other_names", "home_town", "unit", "death_place", "burial_info",
            "notes")}
        martyr_id = _text(martyr.get("id"), 36)
        out.add(index_martyrs, id=martyr_id, visit_id=visit_id,
                position=_int(martyr.get("position")) or position,
                birth_year=_int(martyr.get("birth_year")),
                enlistment_date=_text(martyr.get("enlistment_date"), 10),
                death_date=_text(martyr.get("death_date"), 10), **values)
        searchable("martyr", martyr_id, values["full_name"], values["full_name"],
                   values["other_names"], values["home_town"], values["unit"],
                   values["death_place"], values["burial_info"], values["notes"])

    people = {}
    for position, person in enumerate(_dict(p) for p in _list(record.get("people"))):
        values = {k: _text(person.get(k)) for k in (
            "full_name", "relationship", "unit", "battles", "dna_contact", "notes")}
        person_id = _text(person.get("id"), 36)
        people[person_id] = values["full_name"]
        out.add(index_people, id=person_id, visit_id=visit_id,
                position=_int(person.get("position")) or position,
                kind=_text(person.get("kind"), 20) or "relative",
                martyr_id=_text(person.get("martyr_id"), 36) or None,
                birth_year=_int(person.get("birth_year")),
                phone=_text(person.get("phone"), 40),
                dna_willing=bool(person.get("dna_willing")), **values)
        # Contacts (phone, DNA contact) are not searchable text.
        searchable("person", person_id, values["full_name"], values["full_name"],
                   values["relationship"], values["unit"], values["battles"], values["notes"])

    # What OCR read of the pages before (sync/server/ocr.py: a record kept across reindex).
    from sync.server.ocr import page_body, texts_of_visit

    read_pages = texts_of_visit(conn, visit_id)
    for position, item in enumerate(_dict(i) for i in _list(record.get("items"))):
        item_id = _text(item.get("id"), 36)
        values = {k: _text(item.get(k)) for k in ("title", "description", "owner",
                                                   "condition")}
        kind = _text(item.get("kind"), 20)
        out.add(index_items, id=item_id, visit_id=visit_id,
                position=_int(item.get("position")) or position, kind=kind,
                martyr_id=_text(item.get("martyr_id"), 36) or None, **values)
        searchable("item", item_id, values["title"] or kind, values["title"],
                   values["description"], values["owner"], kind)
        for page_position, page in enumerate(_dict(p) for p in _list(item.get("pages"))):
            page_id = _text(page.get("id"), 36)
            if page_id in withdrawn:
                continue
            media = "video" if page.get("media") == "video" else "photo"
            path, sha, scopes = _bag_path(page.get("file")), page.get("sha256"), \
                page.get("consent_scopes")
            holder: str | None = batch_id if path else None
            if path is None and page.get("delivered_in") and page_id in earlier_pages:
                before = earlier_pages[page_id]
                holder, path, sha = before.batch_id, before.path, before.sha256
                scopes = json.loads(before.scopes) if before.scopes else None
            number = (_int(page.get("position")) or page_position) + 1
            out.add(index_pages, id=page_id, item_id=item_id, visit_id=visit_id,
                    position=number - 1, media=media,
                    rotation=(_int(page.get("rotation")) or 0) % 360,
                    original_filename=_text(page.get("original_filename"), 500),
                    batch_id=holder, path=path, sha256=_text(sha, 64) or None,
                    meta=json.dumps(_dict(page.get("meta")), ensure_ascii=False)[:100_000],
                    scopes=json.dumps(scopes) if isinstance(scopes, dict) else None)
            searchable("page" if media == "photo" else "video", page_id,
                       f"{values['title'] or kind} — {number}", page_body(
                           [values["title"] or kind, _text(page.get("original_filename"), 500)],
                           read_pages.get(page_id, "")))

    marker_rows: dict[str, dict[str, Any]] = {}
    for testimony in (_dict(t) for t in _list(record.get("testimonies"))):
        testimony_id = _text(testimony.get("id"), 36)
        if not testimony_id:
            continue
        parts = [_dict(p) for p in _list(testimony.get("parts"))]
        kept_parts = [p for p in parts if _text(p.get("id"), 36) not in withdrawn]
        if parts and not kept_parts:
            continue  # every recording of it was withdrawn: its markers went with them
        index = _dict(testimony.get("index"))
        speaker = _text(testimony.get("speaker_name")) or people.get(
            _text(testimony.get("speaker_person_id"), 36), "")
        language, notes = _text(testimony.get("language")), _text(testimony.get("notes"))
        out.add(index_testimonies, id=testimony_id, visit_id=visit_id,
                speaker_person_id=_text(testimony.get("speaker_person_id"), 36) or None,
                speaker_name=speaker, language=language, notes=notes,
                created_at=_text(testimony.get("created_at"), 40),
                martyr_ids=json.dumps([_text(m, 36) for m in _list(
                    testimony.get("martyr_ids"))]),
                duration=_float(testimony.get("duration")) or 0.0, batch_id=batch_id,
                webvtt_path=_bag_path(index.get("webvtt")),
                ohms_path=_bag_path(index.get("ohms")))
        searchable("testimony", testimony_id, speaker or language, speaker, language, notes)
        for position, part in enumerate(kept_parts):
            part_id = _text(part.get("id"), 36)
            path, sha = _bag_path(part.get("file")), part.get("sha256")
            original, original_sha = _bag_path(part.get("original_file")), \
                part.get("original_sha256")
            scopes = part.get("consent_scopes")
            holder = batch_id if path or original else None
            if path is None and part.get("delivered_in") and part_id in earlier_parts:
                before = earlier_parts[part_id]
                holder, path, sha = before.batch_id, before.path, before.sha256
                original, original_sha = before.original_path, before.original_sha256
                scopes = json.loads(before.scopes) if before.scopes else None
            out.add(index_parts, id=part_id, testimony_id=testimony_id, visit_id=visit_id,
                    position=_int(part.get("position")) or position,
                    source=_text(part.get("source"), 10) or "recorded",
                    device_name=_text(part.get("device_name"), 500),
                    sample_rate=_int(part.get("sample_rate")) or 0,
                    channels=_int(part.get("channels")) or 1,
                    frames=_int(part.get("frames")) or 0,
                    duration=_float(part.get("duration")) or 0.0,
                    offset_seconds=_float(part.get("offset_seconds")) or 0.0,
                    started_at=_text(part.get("started_at"), 40), batch_id=holder, path=path,
                    sha256=_text(sha, 64) or None, original_path=original,
                    original_sha256=_text(original_sha, 64) or None,
                    original_filename=_text(part.get("original_filename"), 500),
                    scopes=json.dumps(scopes) if isinstance(scopes, dict) else None)
        for marker in (_dict(m) for m in _list(testimony.get("markers"))):
            marker_id = _text(marker.get("id"), 36)
            row = {"id": marker_id, "testimony_id": testimony_id, "visit_id": visit_id,
                   "at_seconds": max(0.0, _float(marker.get("at_seconds")) or 0.0),
                   "label": _text(marker.get("label")), "kind": _text(marker.get("kind"), 12),
                   "note": _text(marker.get("note"))}
            marker_rows[marker_id] = row
            out.add(index_markers, **row)
            searchable("marker", marker_id, row["label"] or row["kind"], row["label"],
                       row["note"], speaker)

    for position, lead in enumerate(_dict(x) for x in _list(record.get("leads"))):
        lead_id = _text(lead.get("id"), 36)
        source = _dict(lead.get("source"))
        ref = _text(source.get("ref") or lead.get("source_ref"), 64)
        kind = _text(source.get("kind") or lead.get("source_kind"), 20) or "other"
        marker = marker_rows.get(ref)
        if marker is not None:
            kind = "marker"
        description = _text(lead.get("description"))
        out.add(index_leads, id=lead_id, visit_id=visit_id,
                position=_int(lead.get("position")) or position,
                martyr_id=_text(lead.get("martyr_id"), 36) or None, description=description,
                latitude=_float(lead.get("latitude")), longitude=_float(lead.get("longitude")),
                grid_reference=_text(lead.get("grid_reference")), source_kind=kind,
                source_ref=ref,
                source_testimony_id=marker["testimony_id"] if marker else None,
                source_at_seconds=marker["at_seconds"] if marker else None,
                confidence=_text(lead.get("confidence"), 10) or "medium")
        # Not the marker's label: that goes with the recording if the family withdraws it.
        searchable("lead", lead_id, description[:120] or _text(lead.get("grid_reference")),
                   description, _text(lead.get("grid_reference")))

    if consents is None:
        consents = []
        folder = bag_folder / "data" / "visits" / visit_id / "consent" if bag_folder else None
        if folder is not None and folder.is_dir():
            consents = [_read_json(p) for p in sorted(folder.glob("*.json"))]
    for document in consents:
        _consent_rows(out, _dict(document), visit_id, station_id, batch_id, searchable)

    return out


def _write(conn: Connection, built: list[_Visit]) -> int:
    written = 0
    try:
        with conn.begin_nested():
            for table in INDEX_TABLES:
                rows = [row for out in built for row in out.rows[table.name]]
                if rows:
                    conn.execute(insert(table), rows)
                    written += len(rows)
    except IntegrityError:
        raise BadRecord("a visit record reuses an identifier of another visit") from None
    # Each new lead starts its life (a record kept across reindexes; idempotent).
    from sync.server import leads  # it reads these tables: imported here, not at the top

    visit_ids = [row["visit_id"] for out in built for row in out.rows[index_visits.name]]
    leads.on_indexed(conn, visit_ids)
    _report_rollup(conn, visit_ids)
    return written


def _report_rollup(conn: Connection, visit_ids: list[str]) -> None:
    """The reports' counters of these visits, again (sync/server/report_rollup.py)."""
    from sync.server import report_rollup  # it reads these tables: imported here

    report_rollup.refresh(conn, visit_ids)


def _consent_rows(out: _Visit, document: dict[str, Any], visit_id: str, station_id: str,
                  batch_id: str, searchable: Any) -> None:
    text = document.get("payload")
    if not isinstance(text, str):
        return
    try:
        payload = _dict(json.loads(text))
    except ValueError:
        return
    consent_id = _text(payload.get("id"), 36)
    if not consent_id or payload.get("visit") != visit_id:
        return
    signer = _dict(payload.get("signer"))
    out.add(index_consents, id=consent_id, visit_id=visit_id, station_id=station_id,
            batch_id=batch_id, kind=_text(payload.get("kind"), 10),
            supersedes=_text(payload.get("supersedes"), 36) or None,
            reference_code=_text(payload.get("reference_code"), 20),
            created_at=_text(payload.get("created_at"), 40),
            signer_name=_text(signer.get("name")),
            signer_relationship=_text(signer.get("relationship")),
            evidence_method=_text(_dict(payload.get("evidence")).get("method"), 20),
            payload=text, signature=_text(document.get("signature"), 128),
            public_key=_text(document.get("public_key"), 64))
    scopes = _dict(payload.get("scopes"))
    if payload.get("kind") in ("grant", "amend"):
        seen = set()
        for cover in (_dict(c) for c in _list(payload.get("covers"))):
            key = (_text(cover.get("kind"), 20), _text(cover.get("ref_id"), 36))
            if key in seen:
                continue
            seen.add(key)
            out.add(index_consent_scopes, consent_id=consent_id, capture_kind=key[0],
                    ref_id=key[1], visit_id=visit_id, sha256=_text(cover.get("sha256"), 64),
                    archive_and_search=bool(scopes.get("archive_and_search")),
                    share_with_authorities=bool(scopes.get("share_with_authorities")),
                    media_use=_text(scopes.get("media_use"), 10) or "none",
                    dna_contact=bool(scopes.get("dna_contact")),
                    embargo_until=_text(scopes.get("embargo_until"), 10))
    searchable("consent", consent_id, _text(payload.get("reference_code"), 20),
               _text(payload.get("reference_code"), 20), _text(signer.get("name")))


def clear_visit(conn: Connection, visit_id: str) -> None:
    for table in _PER_VISIT:
        conn.execute(delete(table).where(table.c.visit_id == visit_id))


def clear_index(conn: Connection) -> None:
    """Every index row (not the tombstones). On SQLite the FTS index is emptied at once and its
    delete trigger is set aside meanwhile (row by row it would cost as much as the rows); on
    PostgreSQL the tables are truncated."""
    from sync.server import report_rollup  # the reports' counters go with the index

    report_rollup.clear(conn)
    sqlite = conn.dialect.name == "sqlite"
    if conn.dialect.name == "postgresql":  # transactional, and no row-by-row delete
        conn.exec_driver_sql("TRUNCATE " + ", ".join(t.name for t in _PER_VISIT))
        return
    if sqlite:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS search_entries_ad")
        conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    for table in _PER_VISIT:
        conn.execute(delete(table))
    if sqlite:
        conn.exec_driver_sql(FTS_DELETE_TRIGGER)


def verify_consent(payload: str, signature_hex: str, station_key_hex: str) -> list[str]:
    """Problems with a consent record's signature, checked with the station's key as enrolled
    (never the key the record carries). Empty: it verifies."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(station_key_hex))
        key.verify(bytes.fromhex(signature_hex), CONSENT_DOMAIN + payload.encode())
    except (ValueError, InvalidSignature):
        return ["the signature does not match the record with this station's key"]
    return []


# --- withdrawals ---------------------------------------------------------------------------------

def _station_key(conn: Connection, station_id: str) -> str | None:
    return conn.execute(select(stations.c.signing_key).where(
        stations.c.id == station_id)).scalar()


def bag_folder_of(conn: Connection, batch_id: str, visit_id: str) -> Path | None:
    """The archived bag ``batch_id`` of the station that sent ``visit_id``: batch ids are the
    stations' own, so another station may have used the same one (batches are keyed by
    station and id)."""
    station = select(index_visits.c.station_id).where(
        index_visits.c.visit_id == visit_id).scalar_subquery()
    path = conn.execute(select(batches.c.archive_path).where(
        batches.c.batch_id == batch_id, batches.c.station_id == station)).scalar()
    return Path(path) if path else None


def fixity_path(bag_dir: Path) -> Path:
    return bag_dir.with_name(bag_dir.name + ".fixity.json")


def _note_removed(bag_dir: Path, entries: list[dict[str, Any]]) -> None:
    """Add to the bag's fixity record (beside the bag; the signed manifests stay as they are)."""
    path = fixity_path(bag_dir)
    record = {"format": FIXITY_FORMAT, "bag": bag_dir.name, "removed": []}
    if path.exists():
        record = json.loads(path.read_text(encoding="utf-8"))
    known = {e["path"] for e in record["removed"]}
    record["removed"].extend(e for e in entries if e["path"] not in known)
    record["removed"].sort(key=lambda e: e["path"])
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True),
                    encoding="utf-8")
    os.replace(temp, path)


def check_fixity(bag_dir: Path) -> list[str]:
    """Every payload file of the bag's manifest is there with its hash, or the fixity record
    says it was removed (and why). Returns the problems; empty when the bag is whole."""
    manifest = {}
    for line in (bag_dir / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            manifest[name] = digest
    removed = {}
    if fixity_path(bag_dir).exists():
        record = json.loads(fixity_path(bag_dir).read_text(encoding="utf-8"))
        removed = {e["path"]: e for e in record["removed"]}
    problems = []
    for name, digest in sorted(manifest.items()):
        file = bag_dir / name
        if name in removed:
            if file.exists():
                problems.append(f"{name}: withdrawn but still on disk")
            elif removed[name]["sha256"] != digest:
                problems.append(f"{name}: the fixity record names another file")
            continue
        if not file.exists():
            problems.append(f"{name}: missing")
            continue
        sha = hashlib.sha256()
        with open(file, "rb") as handle:
            while block := handle.read(1024 * 1024):
                sha.update(block)
        if sha.hexdigest() != digest:
            problems.append(f"{name}: changed")
    return problems


def _remove(conn: Connection, visit_id: str, batch_id: str | None,
            paths: Iterable[str | None], notice: dict[str, Any]) -> list[dict[str, Any]]:
    """Delete these files of a bag and note them in its fixity record."""
    bag_dir = bag_folder_of(conn, batch_id, visit_id) if batch_id else None
    if bag_dir is None:
        return []
    manifest = {}
    manifest_file = bag_dir / "manifest-sha256.txt"
    if manifest_file.exists():
        for line in manifest_file.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            manifest[name] = digest
    entries = []
    for path in paths:
        if not path or ".." in PurePosixPath(path).parts:
            continue
        file = bag_dir / path
        size = file.stat().st_size if file.exists() else None
        file.unlink(missing_ok=True)
        entries.append({"batch_id": batch_id, "path": path, "sha256": manifest.get(path, ""),
                        "size": size, "notice_id": notice["id"],
                        "notice_batch_id": notice["batch_id"], "at": notice["at"],
                        "reason": "withdrawn by the family (consent withdrawal "
                                  f"{notice['reference_code']})"})
    if entries:
        _note_removed(bag_dir, entries)
    return entries


def apply_withdrawal(conn: Connection, document: Any, station_id: str, batch_id: str,
                     now: datetime) -> int:
    """Apply one withdrawal notice of ``station_id``: the captures it names leave the index and
    the archive; a tombstone each. Only that station's own visits are touched, and only a
    notice its key signed. Applying it again changes nothing. Returns captures withdrawn."""
    document = _dict(document)
    text = document.get("payload")
    key = _station_key(conn, station_id)
    if not isinstance(text, str) or key is None or verify_consent(
            text, _text(document.get("signature"), 128), key):
        return 0
    try:
        payload = _dict(json.loads(text))
    except ValueError:
        return 0
    if payload.get("kind") != "withdraw" or payload.get("station") not in (None, station_id):
        return 0
    visit_id = _text(payload.get("visit"), 36)
    owner = conn.execute(select(index_visits.c.station_id).where(
        index_visits.c.visit_id == visit_id)).scalar()
    if owner is not None and owner != station_id:
        return 0
    notice = {"id": _text(payload.get("id"), 36), "batch_id": batch_id,
              "at": _text(payload.get("created_at"), 40),
              "reference_code": _text(payload.get("reference_code"), 20)}
    count = 0
    for cover in (_dict(c) for c in _list(payload.get("covers"))):
        kind, ref_id = _text(cover.get("kind"), 20), _text(cover.get("ref_id"), 36)
        if not ref_id:
            continue
        done = conn.execute(select(tombstones.c.id).where(
            tombstones.c.notice_id == notice["id"], tombstones.c.capture_kind == kind,
            tombstones.c.ref_id == ref_id)).first()
        removed = _withdraw_capture(conn, visit_id, kind, ref_id, notice)
        if done is not None:
            continue
        conn.execute(insert(tombstones).values(
            visit_id=visit_id, station_id=station_id, capture_kind=kind, ref_id=ref_id,
            sha256=_text(cover.get("sha256"), 64), notice_id=notice["id"],
            notice_batch_id=batch_id, withdrawn_at=notice["at"], applied_at=now,
            removed=json.dumps(removed, ensure_ascii=False)))
        count += 1
    if owner is not None:  # what left the index leaves the reports' counters
        _report_rollup(conn, [visit_id])
    return count


def _withdraw_capture(conn: Connection, visit_id: str, kind: str, ref_id: str,
                      notice: dict[str, Any]) -> list[dict[str, Any]]:
    removed: list[dict[str, Any]] = []
    if kind == "page":
        page = conn.execute(select(index_pages).where(index_pages.c.id == ref_id,
                                                      index_pages.c.visit_id == visit_id)).first()
        if page is not None:
            removed += _remove(conn, visit_id, page.batch_id, [page.path], notice)
            conn.execute(delete(index_pages).where(index_pages.c.id == ref_id))
        from sync.server.ocr import page_ocr  # what OCR read of it goes with it

        conn.execute(delete(page_ocr).where(page_ocr.c.page_id == ref_id,
                                            page_ocr.c.visit_id == visit_id))
        conn.execute(delete(search_entries).where(search_entries.c.ref_id == ref_id,
                                                  search_entries.c.visit_id == visit_id,
                                                  search_entries.c.kind.in_(("page", "video"))))
        return removed
    if kind not in ("recording", "recording-original"):
        return removed
    part = conn.execute(select(index_parts).where(index_parts.c.id == ref_id,
                                                  index_parts.c.visit_id == visit_id)).first()
    if part is None:
        return removed
    if kind == "recording-original":
        removed += _remove(conn, visit_id, part.batch_id, [part.original_path], notice)
        conn.execute(index_parts.update().where(index_parts.c.id == ref_id).values(
            original_path=None))
        return removed
    removed += _remove(conn, visit_id, part.batch_id, [part.path, part.original_path], notice)
    conn.execute(delete(index_parts).where(index_parts.c.id == ref_id))
    testimony_id = part.testimony_id
    left = conn.execute(select(index_parts.c.id).where(
        index_parts.c.testimony_id == testimony_id)).first()
    if left is None:
        # The recording is the testimony: its markers and index files say what was said.
        testimony = conn.execute(select(index_testimonies).where(
            index_testimonies.c.id == testimony_id)).first()
        if testimony is not None:
            removed += _remove(conn, visit_id, testimony.batch_id,
                               [testimony.webvtt_path, testimony.ohms_path], notice)
        markers = list(conn.execute(select(index_markers.c.id).where(
            index_markers.c.testimony_id == testimony_id)).scalars())
        conn.execute(delete(search_entries).where(
            search_entries.c.visit_id == visit_id,
            search_entries.c.ref_id.in_([testimony_id, *markers])))
        conn.execute(delete(index_markers).where(index_markers.c.testimony_id == testimony_id))
        conn.execute(delete(index_testimonies).where(index_testimonies.c.id == testimony_id))
        conn.execute(index_leads.update().where(
            index_leads.c.source_testimony_id == testimony_id).values(
            source_testimony_id=None, source_at_seconds=None))
    return removed


# --- reindex ------------------------------------------------------------------------------------

def reindex(conn: Connection, now: datetime | None = None) -> dict[str, int]:
    """Every index row again from the archive, batch by batch in the order they arrived, then
    every withdrawal notice again. Tombstones are kept and honoured. Idempotent."""
    now = now or datetime.now(UTC)
    clear_index(conn)
    totals = {"batches": 0, "visits": 0, "rows": 0, "withdrawn": 0}
    for row in conn.execute(select(batches.c.batch_id, batches.c.station_id,
                                   batches.c.archive_path, batches.c.received_at)
                            .order_by(batches.c.received_at, batches.c.batch_id)).all():
        bag = Path(row.archive_path)
        if not bag.is_dir():
            continue
        counts = index_bag(conn, bag, row.station_id, row.batch_id,
                           received_at=row.received_at, now=now)
        totals["batches"] += 1
        for key in ("visits", "rows", "withdrawn"):
            totals[key] += counts[key]
    return totals
