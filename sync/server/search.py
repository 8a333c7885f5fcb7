"""What the workbench and the API ask of the index (no HTTP here): search, a visit whole, lists
of visits, what arrived lately and what waits, and where a media file is.

Each function takes a connection and the ``Actor`` asking, and checks the actor's role itself
(COMMAND.md §3: roles are enforced in the domain functions, not only in templates). Results are
plain dicts and lists, ready for a template or for JSON.

Search folds the query as the station does (``capture.folding.fold``): "nguyen van hung" finds
"Nguyễn Văn Hùng", "goc cay da" finds "gốc cây đa". Every word must appear, each whole and the
last one also as the start of a word (typing as you search): FTS5 on SQLite, a full-text GIN
index on PostgreSQL, the same words either way.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, column, func, literal_column, select, table, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from capture.folding import fold
from sync.errors import SyncError
from sync.server import index as ix
from sync.server.actors import CONTACTS, READS, Actor, may, require
from sync.server.store import batches, stations

KINDS = ("visit", "martyr", "person", "item", "page", "video", "testimony", "marker", "lead",
         "consent")
MAX_PER_PAGE = 100
# Matches are counted up to this many: counting every match of a common name costs a row visit
# each on PostgreSQL (its GIN index has no counts), and nobody pages past it.
COUNT_CAP = 1000
RECENT_WINDOW = 3000  # PostgreSQL: newest entries searched first for a page of hits
MAX_QUERY_WORDS = 12
SNIPPET_WIDTH = 80
_WORD = re.compile(r"[^\W_]+")  # letters and digits: both engines split at "_"


class NotFound(SyncError):
    """No such visit or file in the index (never received, or withdrawn)."""


class BadFilter(SyncError):
    """A filter value the index does not understand."""


@dataclass(frozen=True)
class Hit:
    kind: str
    id: str
    visit_id: str
    title: str
    snippet: str
    station_id: str
    province_code: int | None
    ward_code: int | None
    visit_date: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows, the total count, and where we are. A search counts its
    matches up to COUNT_CAP: beyond, ``total`` is COUNT_CAP and ``more`` is True ("1,000+")."""

    items: list[Any]
    total: int
    page: int
    per_page: int
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class MediaFile:
    path: Path
    media_type: str
    kind: str
    id: str
    visit_id: str
    size: int
    scopes: dict[str, Any] | None  # the consent scopes it travelled with


def _paging(page: int, per_page: int) -> tuple[int, int]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise BadFilter("page and per_page must be whole numbers") from None
    return max(1, page), min(MAX_PER_PAGE, max(1, per_page))


def _date(value: Any, name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    text_value = str(value)
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text_value):
        raise BadFilter(f"{name} must be a date (YYYY-MM-DD)")
    return text_value


def _code(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadFilter(f"{name} must be a code (a number)") from None


def query_words(q: str) -> list[str]:
    return _WORD.findall(fold(q or ""))[:MAX_QUERY_WORDS]


def fts_query(words: list[str]) -> str:
    """FTS5 query: every word whole, the last one also as the start of a word (typing as you
    search), as the station's search does. A prefix on every word would make FTS5 merge the
    lists of every longer word too."""
    return " ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*'])


def ts_query(words: list[str]) -> str:
    """The same query for PostgreSQL's full-text search (the words are letters and digits,
    nothing to escape): 'goc & cay & da:*'."""
    return " & ".join([*words[:-1], words[-1] + ":*"])


def _match(conn: Connection, words: list[str]
           ) -> tuple[Any, Any, ColumnElement[bool], Any]:
    """The only dialect branch of search: what to select from (with the entries' columns, and
    enough to count matches when nothing else filters), the match, and the newest-first order.
    SQLite: the FTS5 table joined to the entries by rowid (FTS5 walks its matches in rowid
    order itself, and counts them alone); PostgreSQL: the stored words of the folded text
    (``to_tsvector('simple', folded)``) and their GIN index, as migration 0006 makes them."""
    entries = ix.search_entries
    if conn.dialect.name == "sqlite":
        fts = table(ix.FTS_TABLE, column("rowid"))
        return (fts.join(entries, entries.c.id == fts.c.rowid), fts,
                text(f"{ix.FTS_TABLE} MATCH :fts_query").bindparams(fts_query=fts_query(words)),
                fts.c.rowid.desc())
    return entries, entries, _words_match(_stored_words(), words), entries.c.id.desc()


def _stored_words() -> Any:
    """PostgreSQL's generated column (not in the metadata: SQLite has none)."""
    return literal_column(f"{ix.search_entries.name}.{ix.WORDS_COLUMN}", TSVECTOR)


def _words_match(vector: Any, words: list[str]) -> ColumnElement[bool]:
    query = func.to_tsquery(literal_column("'simple'::regconfig"), ts_query(words))
    return vector.op("@@")(query)


def snippet(body: str, folded: str, words: list[str], width: int = SNIPPET_WIDTH) -> str:
    """The text around the first word found, in its original spelling (folding keeps the
    length, so a position in the folded text is the same in the original)."""
    start = -1
    for word in words:
        found = re.search(r"\b" + re.escape(word), folded) or re.search(re.escape(word), folded)
        if found:
            start = found.start()
            break
    if len(body) <= width:
        return body
    begin = 0 if start < 0 else max(0, start - width // 3)
    end = min(len(body), begin + width)
    return ("…" if begin else "") + body[begin:end] + ("…" if end < len(body) else "")


def search(conn: Connection, actor: Actor, q: str, filters: dict[str, Any] | None = None,
           page: int = 1, per_page: int = 20) -> Page:
    """Hits (kind, id, visit_id, title, snippet, …) for every word of ``q``, newest indexed
    first, with the total count. Filters: province, commune, station, date_from, date_to
    (the visit's date), kind. An empty query finds nothing."""
    require(actor, READS, "search the archive")
    page, per_page = _paging(page, per_page)
    filters = filters or {}
    unknown = set(filters) - {"province", "commune", "station", "date_from", "date_to", "kind"}
    if unknown:
        raise BadFilter(f"unknown filter {sorted(unknown)[0]!r}")
    words = query_words(q)
    if not words:
        return Page([], 0, page, per_page)
    entries = ix.search_entries
    source, matches_only, match, newest = _match(conn, words)
    where = [match]
    province = _code(filters.get("province"), "province")
    commune = _code(filters.get("commune"), "commune")
    if province is not None:
        where.append(entries.c.province_code == province)
    if commune is not None:
        where.append(entries.c.ward_code == commune)
    if filters.get("station"):
        where.append(entries.c.station_id == str(filters["station"]))
    date_from = _date(filters.get("date_from"), "date_from")
    date_to = _date(filters.get("date_to"), "date_to")
    if date_from:
        where.append(entries.c.visit_date >= date_from)
    if date_to:
        where.append(entries.c.visit_date <= date_to + "\uffff")  # "2026-11" includes its days
    kind = filters.get("kind")
    if kind:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        if not set(kinds) <= set(KINDS):
            raise BadFilter(f"kind must be one of {', '.join(KINDS)}")
        where.append(entries.c.kind.in_(kinds))
    counted = source if len(where) > 1 else matches_only
    capped = select(literal_column("1")).select_from(counted).where(*where).limit(
        COUNT_CAP + 1).subquery()
    total = conn.execute(select(func.count()).select_from(capped)).scalar() or 0
    query = select(entries).select_from(source).order_by(newest).limit(per_page).offset(
        (page - 1) * per_page)
    rows = []
    if conn.dialect.name == "postgresql":
        # Newest first needs every match sorted (GIN keeps no order): look among the newest
        # entries first, where a common name fills the page; the whole index only if not.
        # (A subquery with LIMIT is evaluated as written: the planner cannot swap it for the
        # GIN index and sort every match, as it did with a plain "id > edge".)
        recent = select(entries, _stored_words().label(ix.WORDS_COLUMN)).order_by(
            entries.c.id.desc()).limit(RECENT_WINDOW).subquery()
        adapt = ClauseAdapter(recent).traverse
        in_recent = [_words_match(recent.c[ix.WORDS_COLUMN], words),
                     *(adapt(w) for w in where[1:])]
        rows = conn.execute(select(*(recent.c[c.name] for c in entries.c)).where(*in_recent)
                            .order_by(recent.c.id.desc()).limit(per_page)
                            .offset((page - 1) * per_page)).all()
        if len(rows) < per_page:
            rows = []
    if not rows:
        rows = conn.execute(query.where(*where)).all()
    hits = [Hit(r.kind, r.ref_id, r.visit_id, r.title, snippet(r.body, r.folded, words),
                r.station_id, r.province_code, r.ward_code, r.visit_date) for r in rows]
    return Page(hits, min(int(total), COUNT_CAP), page, per_page, more=total > COUNT_CAP)


def jsonable(value: Any) -> Any:
    """A result of these functions as JSON-ready values (times as ISO 8601, hits and pages as
    dicts), for the API."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Hit):
        return value.as_dict()
    if isinstance(value, Page):
        return {"items": [jsonable(i) for i in value.items], "total": value.total,
                "more": value.more, "page": value.page, "per_page": value.per_page,
                "pages": value.pages}
    if isinstance(value, MediaFile):
        return {k: jsonable(v) for k, v in value.__dict__.items() if k != "path"}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


# --- the visit -----------------------------------------------------------------------------------

def _rows(conn: Connection, table: Any, *where: Any, order: Any = None) -> list[dict[str, Any]]:
    query = select(table).where(*where)
    if order is not None:
        query = query.order_by(*order)
    return [dict(r._mapping) for r in conn.execute(query)]


def _scopes(value: str | None) -> dict[str, Any] | None:
    return json.loads(value) if value else None


def visit_detail(conn: Connection, actor: Actor, visit_id: str) -> dict[str, Any]:
    """Everything the index holds of one visit: household, martyrs, people, items with their
    pages (rotation, where the file is), videos, testimonies with parts and markers, leads with
    their sources, DNA volunteers, consent records with their scopes and their signatures
    checked with the station's key as enrolled, review history, provenance and tombstones.
    Phones and DNA contact details only for the roles that follow leads up."""
    require(actor, READS, "open a visit")
    visit = conn.execute(select(ix.index_visits).where(
        ix.index_visits.c.visit_id == visit_id)).first()
    if visit is None:
        raise NotFound(f"no visit {visit_id} in the index")
    contacts = may(actor, CONTACTS)
    v = dict(visit._mapping)
    household = {k: v[k] for k in ("village", "address", "contact_name", "province_code",
                                   "ward_code", "latitude", "longitude", "notes")}
    household["province"] = ix._place("province", v["province_code"])
    household["commune"] = ix._place("ward", v["ward_code"])
    household["contact_phone"] = v["contact_phone"] if contacts else None

    def by_visit(table: Any) -> Any:
        return table.c.visit_id == visit_id

    martyrs = _rows(conn, ix.index_martyrs, by_visit(ix.index_martyrs),
                    order=[ix.index_martyrs.c.position])
    people = _rows(conn, ix.index_people, by_visit(ix.index_people),
                   order=[ix.index_people.c.position])
    for person in people:
        if not contacts:
            person["phone"] = None
            person["dna_contact"] = None
    items = _rows(conn, ix.index_items, by_visit(ix.index_items),
                  order=[ix.index_items.c.position])
    pages = _rows(conn, ix.index_pages, by_visit(ix.index_pages),
                  order=[ix.index_pages.c.item_id, ix.index_pages.c.position])
    for row in pages:
        row["meta"] = json.loads(row["meta"])
        row["scopes"] = _scopes(row["scopes"])
        row["available"] = row["path"] is not None
    for item in items:
        item["pages"] = [p for p in pages if p["item_id"] == item["id"]]
    videos = [p for p in pages if p["media"] == "video"]

    testimonies = _rows(conn, ix.index_testimonies, by_visit(ix.index_testimonies),
                        order=[ix.index_testimonies.c.created_at, ix.index_testimonies.c.id])
    parts = _rows(conn, ix.index_parts, by_visit(ix.index_parts),
                  order=[ix.index_parts.c.testimony_id, ix.index_parts.c.position])
    markers = _rows(conn, ix.index_markers, by_visit(ix.index_markers),
                    order=[ix.index_markers.c.at_seconds, ix.index_markers.c.id])
    names = {p["id"]: p["full_name"] for p in people}
    for testimony in testimonies:
        testimony["martyr_ids"] = json.loads(testimony["martyr_ids"])
        testimony["speaker"] = next((p for p in people
                                     if p["id"] == testimony["speaker_person_id"]), None)
        testimony["speaker_name"] = testimony["speaker_name"] or names.get(
            testimony["speaker_person_id"] or "", "")
        testimony["parts"] = [p for p in parts if p["testimony_id"] == testimony["id"]]
        for part in testimony["parts"]:
            part["scopes"] = _scopes(part["scopes"])
            part["available"] = part["path"] is not None
            if not contacts:
                part["original_path"] = None
        testimony["markers"] = [m for m in markers if m["testimony_id"] == testimony["id"]]

    leads = _rows(conn, ix.index_leads, by_visit(ix.index_leads),
                  order=[ix.index_leads.c.position])
    marker_by_id = {m["id"]: m for m in markers}
    page_by_id = {p["id"]: p for p in pages}
    for lead in leads:
        source: dict[str, Any] = {"kind": lead["source_kind"], "ref": lead["source_ref"]}
        marker = marker_by_id.get(lead["source_ref"])
        if marker is not None:
            source.update(testimony_id=marker["testimony_id"], at_seconds=marker["at_seconds"],
                          label=marker["label"], marker_kind=marker["kind"])
        elif lead["source_ref"] in page_by_id:
            page = page_by_id[lead["source_ref"]]
            source.update(kind="page", item_id=page["item_id"], position=page["position"])
        elif lead["source_kind"] == "marker":
            source["withdrawn"] = True  # its testimony was withdrawn
        lead["source"] = source

    station = conn.execute(select(stations).where(stations.c.id == v["station_id"])).first()
    consents = _rows(conn, ix.index_consents, by_visit(ix.index_consents),
                     order=[ix.index_consents.c.created_at, ix.index_consents.c.id])
    scopes = _rows(conn, ix.index_consent_scopes, by_visit(ix.index_consent_scopes),
                   order=[ix.index_consent_scopes.c.capture_kind,
                          ix.index_consent_scopes.c.ref_id])
    for record in consents:
        payload = json.loads(record["payload"])
        problems = ["the station is not enrolled here"] if station is None else \
            ix.verify_consent(record["payload"], record["signature"], station.signing_key)
        if station is not None and record["public_key"] != station.signing_key:
            problems.append("the record names another key than the station's")
        record["signature_valid"] = not problems
        record["problems"] = problems
        record["scopes"] = payload.get("scopes")
        record["covers"] = [s for s in scopes if s["consent_id"] == record["id"]] \
            if record["kind"] != "withdraw" else payload.get("covers", [])
        record["witness"] = payload.get("witness")
        del record["payload"]

    batch = conn.execute(select(batches).where(batches.c.batch_id == v["batch_id"],
                                               batches.c.station_id == v["station_id"])).first()
    receipt = json.loads(batch.receipt) if batch is not None else None
    gone = _rows(conn, ix.tombstones, ix.tombstones.c.visit_id == visit_id,
                 order=[ix.tombstones.c.id])
    for row in gone:
        row["removed"] = json.loads(row["removed"])
    return {
        "visit_id": visit_id,
        "visit_date": v["visit_date"],
        "status": v["status"],
        "record_format": v["record_format"],
        "household": household,
        "martyrs": martyrs,
        "people": people,
        "items": items,
        "videos": videos,
        "testimonies": testimonies,
        "leads": leads,
        "dna_volunteers": [p for p in people if p["dna_willing"]],
        "consents": consents,
        "review": json.loads(v["review"]),
        "withheld_captures": v["withheld_captures"],
        "provenance": {
            "station_id": v["station_id"],
            "station_name": station.name if station is not None else None,
            "batch_id": v["batch_id"],
            "received_at": v["received_at"],
            "tagmanifest_sha256": batch.tagmanifest_sha256 if batch is not None else None,
            "receipt": receipt,
        },
        "tombstones": gone,
    }


def _visit_summary(row: Any) -> dict[str, Any]:
    return {"visit_id": row.visit_id, "visit_date": row.visit_date,
            "station_id": row.station_id, "batch_id": row.batch_id,
            "received_at": row.received_at, "province_code": row.province_code,
            "ward_code": row.ward_code, "commune": ix._place("ward", row.ward_code),
            "village": row.village, "contact_name": row.contact_name,
            "martyrs": row.martyrs}


def _visits_query(where: list[Any]) -> Any:
    v = ix.index_visits
    martyrs = (select(func.count()).select_from(ix.index_martyrs)
               .where(ix.index_martyrs.c.visit_id == v.c.visit_id).scalar_subquery())
    return select(v, martyrs.label("martyrs")).where(*where)


def list_visits(conn: Connection, actor: Actor, station: str | None = None,
                since: Any = None, page: int = 1, per_page: int = 50,
                province: Any = None, commune: Any = None) -> Page:
    """Visits newest received first, optionally of one station, received since a time (or a
    date), in a province or commune."""
    require(actor, READS, "list visits")
    page, per_page = _paging(page, per_page)
    v = ix.index_visits
    where: list[Any] = []
    if station:
        where.append(v.c.station_id == str(station))
    if since not in (None, ""):
        if isinstance(since, str):
            try:
                since = datetime.fromisoformat(since)
            except ValueError:
                raise BadFilter("since must be a date or a time (ISO 8601)") from None
        elif isinstance(since, date) and not isinstance(since, datetime):
            since = datetime(since.year, since.month, since.day)
        where.append(v.c.received_at >= since)
    if (code := _code(province, "province")) is not None:
        where.append(v.c.province_code == code)
    if (code := _code(commune, "commune")) is not None:
        where.append(v.c.ward_code == code)
    total = conn.execute(select(func.count()).select_from(v).where(*where)).scalar() or 0
    rows = conn.execute(_visits_query(where).order_by(v.c.received_at.desc(),
                                                      v.c.visit_id)
                        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page([_visit_summary(r) for r in rows], int(total), page, per_page)


def recent_arrivals(conn: Connection, actor: Actor, limit: int = 20) -> dict[str, Any]:
    """For the home page: the batches and visits that arrived last, counts by station and by
    commune, and what waits for someone — leads no one has taken up yet, DNA volunteers no
    sample was taken from yet."""
    require(actor, READS, "see what arrived")
    limit = min(MAX_PER_PAGE, max(1, int(limit)))
    v = ix.index_visits
    latest = conn.execute(select(batches.c.batch_id, batches.c.station_id, batches.c.received_at,
                                 batches.c.payload_files, stations.c.name)
                          .join(stations, stations.c.id == batches.c.station_id, isouter=True)
                          .order_by(batches.c.received_at.desc()).limit(limit)).all()
    visits = conn.execute(_visits_query([]).order_by(v.c.received_at.desc(), v.c.visit_id)
                          .limit(limit)).all()
    by_station = conn.execute(select(v.c.station_id, stations.c.name, func.count(),
                                     func.max(v.c.received_at))
                              .join(stations, stations.c.id == v.c.station_id, isouter=True)
                              .group_by(v.c.station_id, stations.c.name)
                              .order_by(func.max(v.c.received_at).desc()).limit(limit)).all()
    by_commune = conn.execute(select(v.c.province_code, v.c.ward_code, func.count())
                              .group_by(v.c.province_code, v.c.ward_code)
                              .order_by(func.count().desc()).limit(limit)).all()
    # Waiting = no one has taken it up: a lead still "received" (not screened, not merged), a
    # relative willing to give DNA of whom no sample step is recorded yet.
    from sync.server.casework_tables import dna_steps
    from sync.server.leads import RECEIVED, lead_states

    leads = conn.execute(select(func.count()).select_from(lead_states).where(
        lead_states.c.state == RECEIVED, lead_states.c.merged_into.is_(None))).scalar() or 0
    people = ix.index_people
    volunteers = conn.execute(select(func.count()).select_from(people).where(
        people.c.dna_willing.is_(True),
        ~select(dna_steps.c.id).where(dna_steps.c.person_id == people.c.id).exists(),
    )).scalar() or 0
    return {
        "batches": [{"batch_id": r.batch_id, "station_id": r.station_id, "station_name": r.name,
                     "received_at": r.received_at, "payload_files": r.payload_files}
                    for r in latest],
        "visits": [_visit_summary(r) for r in visits],
        "by_station": [{"station_id": r[0], "station_name": r[1], "visits": r[2],
                        "last_received_at": r[3]} for r in by_station],
        "by_commune": [{"province_code": r[0], "ward_code": r[1],
                        "commune": ix._place("ward", r[1]), "visits": r[2]}
                       for r in by_commune],
        "waiting": {"leads": int(leads), "dna_volunteers": int(volunteers)},
    }


def waiting_leads(conn: Connection, actor: Actor, page: int = 1, per_page: int = 50) -> Page:
    """Leads waiting for an analyst, newest visit first, with the martyr they are about."""
    require(actor, READS, "see the leads")
    page, per_page = _paging(page, per_page)
    lead, v, m = ix.index_leads, ix.index_visits, ix.index_martyrs
    total = conn.execute(select(func.count()).select_from(lead)).scalar() or 0
    rows = conn.execute(
        select(lead, v.c.station_id, v.c.visit_date, v.c.ward_code, m.c.full_name)
        .join(v, v.c.visit_id == lead.c.visit_id)
        .join(m, m.c.id == lead.c.martyr_id, isouter=True)
        .order_by(v.c.received_at.desc(), lead.c.position)
        .limit(per_page).offset((page - 1) * per_page)).all()
    items = [{**{k: r._mapping[k] for k in ("id", "visit_id", "description", "latitude",
                                            "longitude", "grid_reference", "source_kind",
                                            "source_ref", "confidence", "station_id",
                                            "visit_date", "ward_code")},
              "martyr": r.full_name} for r in rows]
    return Page(items, int(total), page, per_page)


# --- media ----------------------------------------------------------------------------------------

def _in_bag(conn: Connection, batch_id: str | None, path: str | None,
            visit_id: str | None) -> Path | None:
    if not batch_id or not path or not visit_id:
        return None
    folder = ix.bag_folder_of(conn, batch_id, visit_id)
    if folder is None:
        return None
    bag = Path(folder).resolve()
    file = (bag / path).resolve()
    if not file.is_relative_to(bag) or not file.is_file():
        return None
    return file


def media_file(conn: Connection, actor: Actor, kind: str, id: str) -> MediaFile:
    """Where a file is in the archive, its media type and the consent scopes it travelled
    with, for the web to stream (with HTTP Range). Kinds: page / video (a page id), part (the
    FLAC of a testimony part), part-original (an imported recording's original file: roles
    that follow leads up), webvtt / ohms (a testimony's index)."""
    require(actor, READS, "open a file")
    row: Any
    batch_id = path = visit_id = None
    scopes = None
    media_type = "application/octet-stream"
    visit_id = ""
    if kind in ("page", "video"):
        row = conn.execute(select(ix.index_pages).where(ix.index_pages.c.id == id)).first()
        if row is not None and (row.media == "video") == (kind == "video"):
            batch_id, path, visit_id = row.batch_id, row.path, row.visit_id
            scopes = _scopes(row.scopes)
            media_type = mimetypes.guess_type(path or "")[0] or media_type
    elif kind in ("part", "part-original"):
        if kind == "part-original":
            require(actor, CONTACTS, "download an original recording")
        row = conn.execute(select(ix.index_parts).where(ix.index_parts.c.id == id)).first()
        if row is not None:
            batch_id, visit_id = row.batch_id, row.visit_id
            path = row.path if kind == "part" else row.original_path
            scopes = _scopes(row.scopes)
            media_type = "audio/flac" if kind == "part" else \
                mimetypes.guess_type(row.original_filename or "")[0] or media_type
    elif kind in ("webvtt", "ohms"):
        row = conn.execute(select(ix.index_testimonies).where(
            ix.index_testimonies.c.id == id)).first()
        if row is not None:
            batch_id, visit_id = row.batch_id, row.visit_id
            path = row.webvtt_path if kind == "webvtt" else row.ohms_path
            media_type = "text/vtt" if kind == "webvtt" else "application/xml"
    else:
        raise BadFilter(f"unknown media kind {kind!r}")
    file = _in_bag(conn, batch_id, path, visit_id)
    if file is None:
        raise NotFound(f"no {kind} {id} in the archive")
    return MediaFile(file, media_type, kind, id, visit_id, file.stat().st_size, scopes)


def tombstones(conn: Connection, actor: Actor, visit_id: str | None = None, page: int = 1,
               per_page: int = 50) -> Page:
    """What was withdrawn and removed, newest first."""
    require(actor, READS, "see what was withdrawn")
    page, per_page = _paging(page, per_page)
    t = ix.tombstones
    where = [t.c.visit_id == visit_id] if visit_id else []
    total = conn.execute(select(func.count()).select_from(t).where(*where)).scalar() or 0
    rows = [dict(r._mapping) for r in conn.execute(
        select(t).where(*where).order_by(t.c.id.desc()).limit(per_page)
        .offset((page - 1) * per_page))]
    for row in rows:
        row["removed"] = json.loads(row["removed"])
    return Page(rows, int(total), page, per_page)

