"""Search across visits, martyrs, people, items and leads, ignoring Vietnamese diacritics and
case: "nguyen van hung" finds "Nguyễn Văn Hùng", "dong" finds "Đồng". An FTS5 index inside the
encrypted database holds the folded text; capture/visits.py keeps it current.

Folding (``capture.folding.fold``, re-exported here) is done in Python, character by character
(so a folded text has the original's length and a hit maps back onto the original spelling for
the snippet): decompose, drop the marks, lower-case, and đ/Đ become d.

``search_rows`` maps each visit to the FTS rowids of its rows: visit_id is UNINDEXED in FTS5, so
finding a visit's rows there read the whole index (~190 ms per edit at 100,000 records). The map
is an ordinary indexed table in the same transaction as the index; migration 0012 made it for
older vaults.

A household is found by its place too: the commune/ward and province are stored as codes, and
their names (capture/places.py) are indexed after the village, so "quang tri" or "hai lang"
finds the visits there. Migration 0008 rebuilt the index of vaults made before that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from capture import places
from capture.errors import UnknownPlace
from capture.folding import fold  # re-exported: callers import it from here
from capture.roles import Action, allowed
from capture.vault import UnlockedVault

CREATE_INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
    "folded, visit_id UNINDEXED, kind UNINDEXED, ref_id UNINDEXED, title UNINDEXED, "
    "body UNINDEXED, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3')"
)
CREATE_MAP = (
    "CREATE TABLE IF NOT EXISTS search_rows (fts_rowid INTEGER PRIMARY KEY, "
    "visit_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_rows_visit ON search_rows (visit_id)",
)
# Ranking (bm25) costs per matching row: "hoa" matches 26,000 of 100,000 records and takes
# ~100 ms to rank. Up to this many hits are ranked; beyond it, the newest come first (and one
# more word typed narrows it back into ranking).
RANKED_AT_MOST = 500
SNIPPET_WIDTH = 60


@dataclass(frozen=True)
class SearchHit:
    visit_id: str
    kind: str  # "visit" | "martyr" | "person" | "item" | "lead"
    ref_id: str  # the id of that record (the visit id for kind "visit")
    title: str  # what to show: a name, an item's title, the household's contact
    snippet: str  # the matching text around the first hit, original spelling


# Which columns of each table are searched, and which one names the record. The columns in
# _PLACE_NAMES hold codes: their names are indexed instead.
_SOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "visit": ("visits", "contact_name",
              ("contact_name", "village", "ward_code", "province_code", "address",
               "contact_phone", "notes")),
    "martyr": ("martyrs", "full_name",
               ("full_name", "other_names", "home_town", "unit", "death_place", "burial_info",
                "notes")),
    "person": ("people", "full_name",
               ("full_name", "relationship", "unit", "battles", "dna_contact", "notes")),
    "item": ("items", "title", ("title", "description", "owner", "condition")),
    "lead": ("leads", "description", ("description", "grid_reference", "source_ref")),
}
_PLACE_NAMES = {"ward_code": places.ward_name, "province_code": places.province_name}


def _place_name(column: str, code: Any) -> str:
    """'Quảng Trị' for province code 44; "" for a code the official list no longer has (the
    record stays findable by everything else)."""
    try:
        return _PLACE_NAMES[column](int(code)) if code is not None else ""
    except (UnknownPlace, ValueError, TypeError):
        return ""


def _rows(connection: Any, visit_id: str | None
          ) -> list[tuple[str, str, str, str, str, str]]:
    """Index rows of one visit, or of every visit when ``visit_id`` is None (one query per
    table either way)."""
    out = []
    for kind, (table, title_column, columns) in _SOURCES.items():
        key = "id" if kind == "visit" else "visit_id"
        query = (f"SELECT {key}, id, {title_column}, {', '.join(columns)} "  # noqa: S608 - fixed names
                 f"FROM {table}")
        found = (connection.exec_driver_sql(query + f" WHERE {key} = ?", (visit_id,))
                 if visit_id is not None else connection.exec_driver_sql(query))
        named = [i for i, column in enumerate(columns) if column in _PLACE_NAMES]
        for row in found.fetchall():
            owner, ref_id, title, *values = row
            for i in named:
                values[i] = _place_name(columns[i], values[i])
            body = " · ".join(str(v).strip() for v in values if v and str(v).strip())
            if body:
                out.append((fold(body), owner, kind, ref_id, title or "", body))
    return out


_INSERT = ("INSERT INTO search_index (folded, visit_id, kind, ref_id, title, body) "
           "VALUES (?, ?, ?, ?, ?, ?)")


def ensure_map(connection: Any) -> None:
    """The visit -> FTS rowid map (idempotent: migrations older than 0012 rebuild the index
    through this module too, before 0012 itself has run)."""
    for statement in CREATE_MAP:
        connection.exec_driver_sql(statement)


def fill_map(connection: Any) -> None:
    """The map made again from the index: one pass, linear in the records (migration 0012)."""
    ensure_map(connection)
    connection.exec_driver_sql("DELETE FROM search_rows")
    connection.exec_driver_sql(
        "INSERT INTO search_rows (fts_rowid, visit_id) SELECT rowid, visit_id FROM search_index")


def reindex_connection(connection: Any, visit_id: str) -> None:
    """Rebuild one visit's rows on a SQLAlchemy connection: its old rows are found through the
    map by their rowids, so an edit costs the same at 100 records or 100,000."""
    old = connection.exec_driver_sql(
        "SELECT fts_rowid FROM search_rows WHERE visit_id = ?", (visit_id,)).fetchall()
    if old:
        connection.exec_driver_sql("DELETE FROM search_index WHERE rowid = ?",
                                   [tuple(row) for row in old])
        connection.exec_driver_sql("DELETE FROM search_rows WHERE visit_id = ?", (visit_id,))
    # One at a time, to learn each new row's rowid (a visit has a few dozen at most).
    for row in _rows(connection, visit_id):
        rowid = connection.exec_driver_sql(_INSERT, row).lastrowid
        connection.exec_driver_sql(
            "INSERT INTO search_rows (fts_rowid, visit_id) VALUES (?, ?)", (rowid, visit_id))


def reindex_visit(session: Session, visit_id: str) -> None:
    """Rebuild the index rows of one visit inside the caller's write transaction."""
    session.flush()
    reindex_connection(session.connection(), visit_id)


def rebuild(connection: Any) -> None:
    """The whole index and its map from the tables, in time linear in the records (also used
    by the migrations)."""
    connection.exec_driver_sql("DELETE FROM search_index")
    rows = _rows(connection, None)
    if rows:
        connection.exec_driver_sql(_INSERT, rows)
    fill_map(connection)


_TOKEN = re.compile(r"\w+")


def fts_query(query: str) -> str:
    """Every word must appear; the last one may be unfinished (typing as you search)."""
    words = _TOKEN.findall(fold(query))
    if not words:
        return ""
    parts = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " ".join(parts)


def _snippet(body: str, folded: str, folded_words: list[str]) -> str:
    start = -1
    for word in folded_words:
        match = re.search(r"\b" + re.escape(word), folded)
        if match:
            start = match.start()
            break
    if len(body) <= SNIPPET_WIDTH or start < 0:
        return body[:SNIPPET_WIDTH] + ("…" if len(body) > SNIPPET_WIDTH else "")
    begin = max(0, start - SNIPPET_WIDTH // 3)
    end = min(len(body), begin + SNIPPET_WIDTH)
    return ("…" if begin else "") + body[begin:end] + ("…" if end < len(body) else "")


def search(vault: UnlockedVault, query: str, limit: int = 50) -> list[SearchHit]:
    """Best matches first (bm25; when more than RANKED_AT_MOST records match, the newest
    first). Empty or punctuation-only queries find nothing."""
    if not allowed(vault.actor.role, Action.REVIEW):
        vault.require(Action.CAPTURE)
    match = fts_query(query)
    if not match:
        return []
    words = _TOKEN.findall(fold(query))
    columns = "SELECT visit_id, kind, ref_id, title, body, folded FROM search_index " \
        "WHERE search_index MATCH :match "
    with vault.reading() as session:
        hits = session.execute(text(
            "SELECT rowid FROM search_index WHERE search_index MATCH :match LIMIT :probe"),
            {"match": match, "probe": RANKED_AT_MOST + 1}).all()
        order = "ORDER BY rank" if len(hits) <= RANKED_AT_MOST else "ORDER BY rowid DESC"
        rows = session.execute(text(columns + order + " LIMIT :limit"),
                               {"match": match, "limit": limit}).all()
    return [SearchHit(visit_id, kind, ref_id, title, _snippet(body, folded, words))
            for visit_id, kind, ref_id, title, body, folded in rows]
