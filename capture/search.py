"""Search across visits, martyrs, people, items and leads, ignoring Vietnamese diacritics and
case: "nguyen van hung" finds "Nguyễn Văn Hùng", "dong" finds "Đồng". An FTS5 index inside the
encrypted database holds the folded text; capture/visits.py keeps it current.

Folding (``capture.folding.fold``, re-exported here) is done in Python, character by character
(so a folded text has the original's length and a hit maps back onto the original spelling for
the snippet): decompose, drop the marks, lower-case, and đ/Đ become d.

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
from capture.folding import fold
from capture.roles import Action, allowed
from capture.vault import UnlockedVault

CREATE_INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
    "folded, visit_id UNINDEXED, kind UNINDEXED, ref_id UNINDEXED, title UNINDEXED, "
    "body UNINDEXED, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3')"
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


def _insert(connection: Any, rows: list[tuple[str, str, str, str, str, str]]) -> None:
    if rows:
        connection.exec_driver_sql(
            "INSERT INTO search_index (folded, visit_id, kind, ref_id, title, body) "
            "VALUES (?, ?, ?, ?, ?, ?)", rows)


def reindex_connection(connection: Any, visit_id: str) -> None:
    """Rebuild one visit's rows on a SQLAlchemy connection. (visit_id is UNINDEXED in FTS5, so
    this DELETE reads the whole index: fine for one edit, quadratic for many visits — use
    ``rebuild`` for those.)"""
    connection.exec_driver_sql("DELETE FROM search_index WHERE visit_id = ?", (visit_id,))
    _insert(connection, _rows(connection, visit_id))


def reindex_visit(session: Session, visit_id: str) -> None:
    """Rebuild the index rows of one visit inside the caller's write transaction."""
    session.flush()
    reindex_connection(session.connection(), visit_id)


def rebuild(connection: Any) -> None:
    """The whole index from the tables, in time linear in the records (also used by the
    migration)."""
    connection.exec_driver_sql("DELETE FROM search_index")
    _insert(connection, _rows(connection, None))


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
