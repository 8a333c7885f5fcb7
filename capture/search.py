"""Search across visits, martyrs, people, items and leads, ignoring Vietnamese diacritics and
case: "nguyen van hung" finds "Nguyễn Văn Hùng", "dong" finds "Đồng". An FTS5 index inside the
encrypted database holds the folded text; it is kept current by capture/visits.py."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from capture.vault import UnlockedVault


@dataclass(frozen=True)
class SearchHit:
    visit_id: str
    kind: str  # "visit" | "martyr" | "person" | "item" | "lead"
    ref_id: str  # the id of that record (the visit id for kind "visit")
    title: str  # what to show: a name, an item's title, the household's contact
    snippet: str  # the matching text around the first hit, original spelling


def search(vault: UnlockedVault, query: str, limit: int = 50) -> list[SearchHit]:
    raise NotImplementedError


def reindex_visit(session: Session, visit_id: str) -> None:
    """Rebuild the index rows of one visit inside the caller's write transaction."""
    raise NotImplementedError
