"""OCR of the pages photographed at the station (diaries, letters, death notices, typed
reports), at the command, with Debian's Tesseract and its Vietnamese model.

OCR is slow, so it never runs inside the ingest transaction: the queue is every photographed
page of the index that has no ``page_ocr`` row yet (or whose file changed), and a worker takes
pages from it — the thread ``sohoa-server serve`` starts, or ``sohoa-server ocr [--all]``.
Each page is read once (idempotent); ``--all`` reads every page again. A page costs bounded
time and memory, whatever the station sent: the file's size and pixel count are checked before
decoding, the image is read at most ``WORK_SIDE`` pixels a side, and every Tesseract run has a
timeout (``PAGE_SECONDS`` for the whole page).

Before Tesseract: the station's own rotation of the page, then grey, contrast stretched,
speckles removed (median filter), the page turned upright (Tesseract's orientation detection,
``--psm 0``; when it is unsure, each quarter turn is tried and the one read with the best
confidence kept) and its few degrees of skew straightened (projection profile).

What was read is a record like the lead's life (kept across reindex): its text, the mean word
confidence, the turn and skew applied. The text is searchable (the page's search entry holds
it; index.py adds it again at reindex) and goes through the coordinate parser and the place
names like every other text of the visit (leads.refresh_proposals, source kind ``page-ocr``).
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    or_,
    select,
)

from capture.folding import fold
from sync.server.store import metadata

log = logging.getLogger("sohoa.ocr")

LANGUAGE = "vie"
MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_PIXELS = 60_000_000  # checked from the header, before anything is decoded
WORK_SIDE = 2400  # the longest side Tesseract reads (a phone photo of an A4 page)
TRIAL_SIDE = 1000  # quarter turns are compared on a smaller copy
PAGE_SECONDS = 90.0  # every Tesseract run of one page together
MAX_TEXT = 50_000
MAX_SKEW = 8.0  # degrees straightened; beyond, the page is taken as it is
DONE, FAILED, SKIPPED = "done", "failed", "skipped"

page_ocr = Table(
    "page_ocr", metadata,
    Column("page_id", String(36), primary_key=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("sha256", String(64), nullable=True),  # the file read (a new file is read again)
    Column("status", String(12), nullable=False, index=True),  # done | failed | skipped
    Column("text", Text, nullable=False),
    Column("confidence", Float, nullable=True),  # mean word confidence, 0..100
    Column("rotation", Integer, nullable=False),  # quarter turn applied after the station's
    Column("skew", Float, nullable=False),  # degrees straightened
    Column("language", String(16), nullable=False),
    Column("engine", String(40), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("error", Text, nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=False, index=True),
)


class OcrFailed(Exception):
    """The page could not be read (not an image, too large, Tesseract failed or ran out of
    time); the reason is kept on the page's row."""


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float | None
    rotation: int
    skew: float
    seconds: float
    engine: str


# --- one image ------------------------------------------------------------------------------------

def engine_version() -> str:
    try:
        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "tesseract (missing)"
    first = (out.stdout or out.stderr).splitlines()
    return (first[0] if first else "tesseract").strip()[:40]


def _open(data: bytes) -> Any:
    """The image, checked before it is decoded: a small file can claim a huge canvas."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()
    except ImportError:
        pass
    if len(data) > MAX_FILE_BYTES:
        raise OcrFailed(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_PIXELS or width < 16 or height < 16:
            raise OcrFailed(f"an image of {width}×{height} pixels is not read")
        image.draft("L", (WORK_SIDE, WORK_SIDE))  # JPEG: decoded at a fraction of its size
        image = ImageOps.exif_transpose(image)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise OcrFailed(f"not an image that can be read: {type(e).__name__}") from None
    return image


def prepare(image: Any, rotation: int = 0) -> Any:
    """Grey, at most WORK_SIDE a side, the station's rotation applied (stored clockwise),
    contrast stretched and speckles taken out."""
    from PIL import ImageFilter, ImageOps

    grey = image.convert("L")
    grey.thumbnail((WORK_SIDE, WORK_SIDE))
    if rotation % 360:
        grey = grey.rotate(-(rotation % 360), expand=True, fillcolor=255)
    grey = ImageOps.autocontrast(grey, cutoff=1)
    return grey.filter(ImageFilter.MedianFilter(3))


def skew_angle(grey: Any) -> float:
    """The small angle (degrees, counter-clockwise) that makes the text lines horizontal: the
    one whose rows of ink differ most from row to row (a projection profile), on a small copy."""
    import numpy as np
    from PIL import Image

    small = grey.copy()
    small.thumbnail((800, 800))
    ink = small.point(lambda v: 255 if v < 128 else 0).convert("L")
    if not np.asarray(ink).any():
        return 0.0

    def score(angle: float) -> float:
        turned = np.asarray(ink.rotate(angle, resample=Image.NEAREST, fillcolor=0),
                            dtype=np.float64)
        rows = turned.sum(axis=1)
        return float(np.sum(np.diff(rows) ** 2))

    coarse = max((a * 1.0 for a in range(-int(MAX_SKEW), int(MAX_SKEW) + 1)), key=score)
    fine = max((coarse + d / 4 for d in range(-4, 5)), key=score)
    return round(fine, 2) if abs(fine) >= 0.5 else 0.0


def _tesseract(grey: Any, args: list[str], deadline: float) -> str:
    left = deadline - time.monotonic()
    if left <= 1:
        raise OcrFailed("out of time for this page")
    handle, name = tempfile.mkstemp(suffix=".png", prefix="sohoa-ocr-")
    try:
        with os.fdopen(handle, "wb") as out:
            grey.save(out, "PNG")
        # One thread, at a lower priority: OCR waits behind receiving batches and the pages.
        # (coreutils' nice, not preexec_fn: that is unsafe in a process with threads.)
        done = subprocess.run(["nice", "-n", "10", "tesseract", name, "stdout", *args],
                              capture_output=True, timeout=left,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except subprocess.TimeoutExpired:
        raise OcrFailed("out of time for this page") from None
    except OSError as e:
        raise OcrFailed(f"tesseract could not run: {e.strerror}") from None
    finally:
        Path(name).unlink(missing_ok=True)
    if done.returncode != 0:
        return ""  # OSD says "too few characters" this way; a page is then read as it is
    return done.stdout.decode("utf-8", "replace")


def _read_tsv(tsv: str) -> tuple[str, float | None]:
    """Text (lines as Tesseract found them, paragraphs apart) and the mean word confidence."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        word = cells[11].strip()
        try:
            conf = float(cells[10])
        except ValueError:
            continue
        if not word or conf < 0:
            continue
        confidences.append(conf)
        lines.setdefault((int(cells[2]), int(cells[3]), int(cells[4])), []).append(word)
    out, last = [], None
    for (block, par, _line), words in lines.items():
        if last is not None and last != (block, par):
            out.append("")
        out.append(" ".join(words))
        last = (block, par)
    text = unicodedata.normalize("NFC", "\n".join(out))[:MAX_TEXT]
    return text, (sum(confidences) / len(confidences) if confidences else None)


def _orientation(grey: Any, deadline: float) -> int | None:
    """Tesseract's orientation detection: the clockwise turn the page needs, when it is sure."""
    answer = _tesseract(grey, ["--psm", "0"], deadline)
    turn = confidence = None
    for line in answer.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Rotate":
            turn = int(value.strip() or 0)
        elif key.strip() == "Orientation confidence":
            confidence = float(value.strip() or 0)
    if turn is None or confidence is None or confidence < 2.0:
        return None
    return turn % 360


GOOD_CONFIDENCE = 75.0  # a first reading this sure is kept: the page was upright


def _straightened(grey: Any) -> tuple[Any, float]:
    skew = skew_angle(grey)
    return (grey.rotate(skew, expand=True, fillcolor=255) if skew else grey), skew


def recognise(data: bytes, rotation: int = 0, *, language: str = LANGUAGE,
              seconds: float = PAGE_SECONDS) -> Reading:
    """Read one photographed page (the file's bytes) into text. Most pages arrive upright (the
    station applies its rotation): the page is read once, straightened; only a reading that is
    unsure asks which way up the page is (orientation detection, else each quarter turn read
    small) and reads it again turned, keeping the more confident reading."""
    started = time.monotonic()
    deadline = started + seconds
    upright = prepare(_open(data), rotation)
    grey, skew = _straightened(upright)
    args = ["-l", language, "--psm", "3", "tsv"]
    text, conf = _read_tsv(_tesseract(grey, args, deadline))
    turn = 0
    if (conf or 0) < GOOD_CONFIDENCE or len(text.strip()) < 20:
        found = _orientation(upright, deadline)
        if found is None:
            trials = []
            for quarter in (90, 180, 270):
                small = upright.rotate(-quarter, expand=True, fillcolor=255)
                small.thumbnail((TRIAL_SIDE, TRIAL_SIDE))
                t, c = _read_tsv(_tesseract(small, ["-l", language, "--psm", "6", "tsv"],
                                            deadline))
                trials.append(((c or 0) * min(1.0, len(t) / 40), quarter))
            best = max(trials)
            found = best[1] if best[0] > (conf or 0) * min(1.0, len(text) / 40) else 0
        if found:
            turned, turned_skew = _straightened(upright.rotate(-found, expand=True,
                                                               fillcolor=255))
            t, c = _read_tsv(_tesseract(turned, args, deadline))
            if (c or 0) > (conf or 0):
                text, conf, turn, skew = t, c, found, turned_skew
    return Reading(text, conf, turn, skew, time.monotonic() - started, engine_version())


# --- the queue ------------------------------------------------------------------------------------

def pending(conn: Connection, limit: int = 20, redo: bool = False,
            after: str = "") -> list[Any]:
    """Photographed pages with their file in the archive and no reading of that file yet (all
    of them with ``redo``), in page id order from ``after``."""
    from sync.server import index as ix

    p = ix.index_pages
    query = (select(p.c.id, p.c.visit_id, p.c.batch_id, p.c.path, p.c.sha256, p.c.rotation,
                    p.c.scopes)
             .where(p.c.media == "photo", p.c.path.is_not(None), p.c.id > after)
             .order_by(p.c.id).limit(limit))
    if not redo:
        query = query.outerjoin(page_ocr, page_ocr.c.page_id == p.c.id).where(or_(
            page_ocr.c.page_id.is_(None), page_ocr.c.sha256 != p.c.sha256))
    return list(conn.execute(query).all())


def _file(conn: Connection, page: Any) -> Path | None:
    from sync.server import index as ix

    folder = ix.bag_folder_of(conn, page.batch_id, page.visit_id) if page.batch_id else None
    if folder is None or not page.path:
        return None
    bag = Path(folder).resolve()
    file = (bag / page.path).resolve()
    return file if file.is_relative_to(bag) and file.is_file() else None


def _searchable(scopes: str | None) -> bool:
    """A page whose consent keeps it out of the archive's search is not read into it."""
    try:
        granted = json.loads(scopes) if scopes else None
    except ValueError:
        return False
    return not (isinstance(granted, dict) and granted.get("archive_and_search") is False)


def record(conn: Connection, page: Any, reading: Reading | None, now: datetime, *,
           status: str = DONE, error: str = "") -> None:
    """Keep what was read of a page, make it searchable and read its coordinates and places."""
    from sync.server import leads

    conn.execute(delete(page_ocr).where(page_ocr.c.page_id == page.id))
    conn.execute(insert(page_ocr).values(
        page_id=page.id, visit_id=page.visit_id, sha256=page.sha256, status=status,
        text=reading.text if reading else "", confidence=reading.confidence if reading else None,
        rotation=reading.rotation if reading else 0, skew=reading.skew if reading else 0.0,
        language=LANGUAGE, engine=(reading.engine if reading else engine_version())[:40],
        seconds=round(reading.seconds, 2) if reading else 0.0, error=error[:500], done_at=now))
    _index_text(conn, page.id, page.visit_id, reading.text if reading else "")
    leads.refresh_proposals(conn, [page.visit_id])


def _index_text(conn: Connection, page_id: str, visit_id: str, text: str) -> None:
    """The page's search entry again, with the words read (delete and insert: SQLite's FTS
    index follows the entries by its insert and delete triggers)."""
    from sync.server import index as ix

    e = ix.search_entries
    entry = conn.execute(select(e).where(e.c.kind == "page", e.c.ref_id == page_id,
                                         e.c.visit_id == visit_id)).first()
    if entry is None:
        return
    row = conn.execute(select(ix.index_pages.c.original_filename, ix.index_items.c.title,
                              ix.index_items.c.kind)
                       .join(ix.index_items, ix.index_items.c.id == ix.index_pages.c.item_id)
                       .where(ix.index_pages.c.id == page_id)).first()
    parts = [row.title or row.kind, row.original_filename] if row is not None else [entry.title]
    body = page_body(parts, text)
    values = {c.name: getattr(entry, c.name) for c in e.c if c.name != "id"}
    conn.execute(delete(e).where(e.c.id == entry.id))
    conn.execute(insert(e).values(**{**values, "body": body, "folded": fold(body)}))


def page_body(parts: list[str], text: str) -> str:
    """A page's searchable text: its item's title, its file name, then what OCR read."""
    return " · ".join(t for t in (str(p or "").strip() for p in [*parts, text]) if t)


def texts_of_visit(conn: Connection, visit_id: str) -> dict[str, str]:
    """page id → the text read of it, for the index (reindex keeps pages searchable by it)."""
    return {r.page_id: r.text for r in conn.execute(
        select(page_ocr.c.page_id, page_ocr.c.text).where(
            page_ocr.c.visit_id == visit_id, page_ocr.c.status == DONE, page_ocr.c.text != ""))}


def run(store: Any, *, redo: bool = False, limit: int | None = None,
        seconds: float = PAGE_SECONDS, clock: Any = None,
        stop: threading.Event | None = None) -> dict[str, int]:
    """Read the pages waiting (every page with ``redo``), one at a time, each in its own
    short transaction after Tesseract is done. Returns counts by outcome."""
    clock = clock or (lambda: datetime.now(UTC))
    counts = {DONE: 0, FAILED: 0, SKIPPED: 0}
    after = ""
    while limit is None or sum(counts.values()) < limit:
        if stop is not None and stop.is_set():
            break
        with store.begin() as conn:
            batch = pending(conn, 10, redo=redo, after=after)
            files = {page.id: _file(conn, page) for page in batch}
        if not batch:
            break
        for page in batch:
            after = page.id
            if stop is not None and stop.is_set():
                break
            status, reading, error = DONE, None, ""
            file = files[page.id]
            if not _searchable(page.scopes):
                status, error = SKIPPED, "its consent keeps it out of search"
            elif file is None:
                status, error = FAILED, "the file is not in the archive"
            else:
                try:
                    reading = recognise(file.read_bytes(), page.rotation, seconds=seconds)
                except OcrFailed as e:
                    status, error = FAILED, str(e)
            with store.begin() as conn:
                record(conn, page, reading, clock(), status=status, error=error)
            counts[status] += 1
            log.info("OCR %s: %s %s", page.id, status, error)
            if limit is not None and sum(counts.values()) >= limit:
                break
    return counts


def start_worker(store: Any, every: float = 30.0) -> threading.Event:
    """A thread that reads waiting pages while ``serve`` runs, ``every`` seconds (the first
    time ``every`` seconds after the start: the server answers first); set the event to stop
    it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                run(store, stop=stop)
            except Exception:  # a bad page never stops the worker; it is logged
                log.exception("the OCR worker failed; it tries again")

    threading.Thread(target=loop, name="sohoa-ocr", daemon=True).start()
    return stop


def page_reading(conn: Connection, page_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(page_ocr).where(page_ocr.c.page_id == page_id)).first()
    return dict(row._mapping) if row is not None else None
