"""The captures of a visit: every original the family let us take (photos, videos, recordings),
each named by its SHA-256 so a consent, a review and a batch can say exactly which ones.

Each kind of capture registers a source: a function giving (kind, ref id, object name) rows for a
visit. Pages are built in; the testimony recorder registers its recordings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from capture.models import Base, Item, Page
from capture.vault import UnlockedVault


class ObjectDigest(Base):
    """SHA-256 of an object's plaintext, computed once. Inside the encrypted database only:
    on disk the object's name is keyed, so no plain hash of a family's photo is exposed."""

    __tablename__ = "object_digests"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class Capture:
    kind: str  # "page" | "recording" | ...
    ref_id: str
    object_name: str


Source = Callable[[Session, str], Iterable[Capture]]
_sources: list[Source] = []
# kind -> judge(session, ref_id) saying a capture is doubtful (silent, very short audio...),
# for the review checklist. The recorder registers one for "recording".
audio_judges: dict[str, Callable[[Session, str], bool]] = {}


def register_source(source: Source) -> Source:
    _sources.append(source)
    return source


@register_source
def _pages(session: Session, visit_id: str) -> Iterable[Capture]:
    rows = session.execute(select(Page.id, Page.object_name).join(Item, Page.item_id == Item.id)
                           .where(Item.visit_id == visit_id).order_by(Item.position,
                                                                       Page.position))
    return [Capture("page", page_id, name) for page_id, name in rows]


@register_source
def _recordings(session: Session, visit_id: str) -> Iterable[Capture]:
    """Finished testimony parts: the joined FLAC, and for an imported recording the phone's
    original file too. A part still being recorded has nothing to consent to yet."""
    from capture.testimony import Testimony, TestimonyPart

    rows = session.execute(
        select(TestimonyPart.id, TestimonyPart.object_name, TestimonyPart.original_object)
        .join(Testimony, TestimonyPart.testimony_id == Testimony.id)
        .where(Testimony.visit_id == visit_id, TestimonyPart.object_name.is_not(None))
        .order_by(Testimony.created_at, TestimonyPart.position))
    found = []
    for part_id, joined, original in rows:
        found.append(Capture("recording", part_id, joined))
        if original:
            found.append(Capture("recording-original", part_id, original))
    return found


SHORT_RECORDING_SECONDS = 10.0


def _short_recording(session: Session, part_id: str) -> bool:
    from capture.testimony import TestimonyPart

    part = session.get(TestimonyPart, part_id)
    return part is not None and part.duration < SHORT_RECORDING_SECONDS


audio_judges["recording"] = _short_recording


def visit_captures(session: Session, visit_id: str) -> list[Capture]:
    return [capture for source in _sources for capture in source(session, visit_id)]


def digest(vault: UnlockedVault, object_name: str) -> str:
    """The object's SHA-256, from the cache or by streaming it once (and remembering)."""
    with vault.reading() as session:
        known = session.get(ObjectDigest, object_name)
        if known is not None:
            return known.sha256
    sha = hashlib.sha256()
    for chunk in vault.objects.chunks(object_name):
        sha.update(chunk)
    value = sha.hexdigest()
    with vault.writing() as session:
        if session.get(ObjectDigest, object_name) is None:
            session.add(ObjectDigest(name=object_name, sha256=value))
    return value


def fresh_digest(vault: UnlockedVault, object_name: str) -> str:
    """Recomputed from the stored bytes, ignoring the cache: for verification."""
    sha = hashlib.sha256()
    for chunk in vault.objects.chunks(object_name):
        sha.update(chunk)
    return sha.hexdigest()
