"""Bringing photos and videos into a visit: from files, folders, a memory card or a phone.

``find_media(paths)`` turns what the user picked (files, folders, a whole drive) into the list of
files to import; ``import_files(vault, item_id, files)`` stores each one encrypted, bit-exact,
with its thumbnail and camera details, and says per file what happened. One bad file
never stops the others, and a file that fails leaves nothing of itself in the vault.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import stat
import string
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import exifread
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from capture import visits
from capture.errors import CaptureError, DiskFull, ObjectMissing
from capture.models import Item, ObjectRow, Page
from capture.objects import READ_SIZE, ObjectStore, StoredObject
from capture.pictures import (
    DECODERS,
    PREVIEW_QUALITY,
    PREVIEW_SIZE,
    THUMBNAIL_SIZE,
    DamagedVideo,
    EmptyFile,
    FileUnreadable,
    FileVanished,
    ImportFailed,
    NotMedia,
    Pictures,
    _decode_soon,
    _decoded,
    _Decoding,
    _exif_time,
    _jpeg,
    _shrink,
    photo_pictures,
)

# Every photo failure is also an import's outcome: callers find them all here.
from capture.pictures import DamagedPhoto as DamagedPhoto
from capture.pictures import ExifUnreadable as ExifUnreadable
from capture.pictures import PhotoTooLarge as PhotoTooLarge
from capture.roles import Action
from capture.vault import UnlockedVault

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".heic", ".heif",
                            ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv"})
MEDIA_SUFFIXES = PHOTO_SUFFIXES | VIDEO_SUFFIXES


# --- the report ---------------------------------------------------------------------------------

IMPORTED = "imported"
DUPLICATE = "duplicate"
FAILED = "failed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class ImportOutcome:
    path: str
    status: str  # "imported" | "duplicate" | "failed" | "cancelled"
    page_id: str | None
    error: CaptureError | None  # set when status is "failed": show ui.errors.user_message(error)
    size: int = 0
    media: str = ""  # "photo" | "video" once known
    # The content was already in the vault (another item has it): stored once, a new page links it.
    already_in_vault: bool = False
    warning: CaptureError | None = None  # imported, but with something to tell (ExifUnreadable)


@dataclass
class ImportReport:
    outcomes: list[ImportOutcome] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def imported(self) -> int:
        return self._count(IMPORTED)

    @property
    def duplicates(self) -> int:
        return self._count(DUPLICATE)

    @property
    def failed(self) -> int:
        return self._count(FAILED)

    @property
    def cancelled(self) -> int:
        return self._count(CANCELLED)

    @property
    def bytes_imported(self) -> int:
        return sum(o.size for o in self.outcomes if o.status == IMPORTED)

    @property
    def page_ids(self) -> list[str]:
        return [o.page_id for o in self.outcomes if o.status == IMPORTED and o.page_id]


Progress = Callable[[int, int, ImportOutcome], None]

# Threads that read and encrypt files while decoder processes make their pictures and this
# thread commits rows: one more than the decoders, so a decoder never waits for a file.
_WORKERS = DECODERS + 1
_IN_FLIGHT = _WORKERS + 1  # files read ahead; bounds memory to a few photos
READER_NICENESS = 5

# --- finding files ------------------------------------------------------------------------------

_SYSTEM_NAMES = frozenset({"thumbs.db", "desktop.ini", "$recycle.bin", "system volume information",
                           "found.000", "lost+found", ".trashes", ".spotlight-v100", ".fseventsd",
                           ".thumbnails", "ehthumbs.db"})


def _skipped(entry: Path) -> bool:
    name = entry.name.lower()
    if name.startswith((".", "._", "~$")) or name in _SYSTEM_NAMES:
        return True
    if os.name == "nt":
        try:
            attributes = os.stat(entry, follow_symlinks=False).st_file_attributes  # type: ignore[attr-defined]
        except OSError:
            return True
        return bool(attributes & (stat.FILE_ATTRIBUTE_HIDDEN | stat.FILE_ATTRIBUTE_SYSTEM))
    return False


def _dcim_folders(folder: Path) -> list[Path]:
    """DCIM folders at the top of a drive, or one level down (a phone shows 'Internal storage/',
    'Card/'...)."""
    found = []
    for level in (folder, *_subfolders(folder)):
        found += [sub for sub in _subfolders(level) if sub.name.upper() == "DCIM"]
    return found


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(e for e in folder.iterdir() if e.is_dir() and not _skipped(e))
    except OSError:
        return []


def _walk(folder: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder, onerror=lambda error: None):
        base = Path(root)
        dirs[:] = sorted(d for d in dirs if not _skipped(base / d))
        for name in files:
            entry = base / name
            if (entry.suffix.lower() in MEDIA_SUFFIXES and not _skipped(entry)
                    and entry.is_file()):  # not a FIFO or a device: opening those can hang
                yield entry


def _time_taken(path: Path) -> str:
    """EXIF time for JPEG/HEIC/TIFF (header only), else the file's modification time."""
    if path.suffix.lower() in PHOTO_SUFFIXES and path.is_file():
        try:
            with open(path, "rb") as handle:
                tags = exifread.process_file(handle, details=False,
                                             stop_tag="DateTimeOriginal")
            taken = _exif_time(tags)
            if taken:
                return taken
        except Exception:  # noqa: S110 - sorting only; the import reads EXIF properly
            pass
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).isoformat(timespec="seconds")
    except OSError:
        return ""


def find_media(paths: Iterable[Path]) -> list[Path]:
    """Files to import from what the user picked: files as they are, folders searched
    (a drive or phone: its DCIM folders), hidden and system files skipped, sorted by the
    time the photo was taken, then by name."""
    found: dict[str, Path] = {}
    for picked in paths:
        picked = Path(picked)
        if picked.is_dir():
            roots = _dcim_folders(picked) or [picked]
            for root in roots:
                for entry in _walk(root):
                    found.setdefault(os.path.normcase(os.path.abspath(entry)), entry)
        elif picked.exists() or picked.is_symlink():
            # Picked by hand: kept whatever its name, and the import says what it is.
            found.setdefault(os.path.normcase(os.path.abspath(picked)), picked)
    return sorted(found.values(), key=lambda p: (_time_taken(p), p.name.lower(), str(p)))


def find_removable_drives() -> list[Path]:
    """Mounted memory cards, USB sticks and phones (best effort)."""
    drives: list[Path] = []
    if os.name == "nt":
        import ctypes

        kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
        mask = kernel.GetLogicalDrives()
        for index, letter in enumerate(string.ascii_uppercase):
            if mask & (1 << index) and kernel.GetDriveTypeW(f"{letter}:\\") == 2:  # REMOVABLE
                drives.append(Path(f"{letter}:\\"))
        return drives
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or ""
    bases = [Path("/media") / user, Path("/run/media") / user, Path("/media")]
    if sys.platform == "darwin":
        bases = [Path("/Volumes")]
    uid = os.getuid() if hasattr(os, "getuid") else None
    if uid is not None:
        bases.append(Path(f"/run/user/{uid}/gvfs"))  # phones over MTP/PTP
    seen = set()
    for base in bases:
        for entry in _subfolders(base):
            if base == Path("/media") and entry.name == user:
                continue
            if sys.platform == "darwin" and entry.resolve() == Path("/"):
                continue
            if entry not in seen:
                seen.add(entry)
                drives.append(entry)
    return drives


# --- reading one file -----------------------------------------------------------------------------


class _Cancelled(Exception):
    pass


@dataclass
class _Prepared:
    media: str
    media_type: str
    size: int
    original: StoredObject
    thumbnail: StoredObject | None
    preview: StoredObject | None
    meta: dict[str, Any]
    fresh: list[str]  # objects this file newly wrote: removed again if it is not committed
    warning: CaptureError | None = None


def _sniff(head: bytes) -> tuple[str, str] | None:
    """(media, MIME type) from the first bytes; the file name's extension is not trusted."""
    if head.startswith(b"\xff\xd8\xff"):
        return "photo", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo", "image/png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "photo", "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "photo", "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video", "video/x-msvideo"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video", "video/x-matroska"
    box = head[4:8]
    if box == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"):
            return "photo", "image/heic"
        if brand.startswith(b"qt"):
            return "video", "video/quicktime"
        if brand.startswith(b"3g"):
            return "video", "video/3gpp"
        return "video", "video/mp4"
    if box in (b"moov", b"mdat", b"wide", b"free", b"skip"):  # QuickTime without ftyp
        return "video", "video/quicktime"
    return None


def _open_regular(path: Path) -> BinaryIO:
    name = path.name
    try:
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)  # non-blocking: a FIFO must not hang the import
    except FileNotFoundError:
        raise FileVanished(name=name) from None
    except OSError as error:
        if error.errno in (errno.ENODEV, errno.ENXIO, errno.EIO):
            raise FileVanished(name=name) from None
        raise FileUnreadable(name=name) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise FileUnreadable(name=name)
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb", buffering=0)


def _read_error(name: str, error: OSError) -> ImportFailed:
    if isinstance(error, FileNotFoundError) or error.errno in (errno.ENODEV, errno.ENXIO,
                                                                errno.EIO, errno.ESTALE):
        return FileVanished(name=name)
    return FileUnreadable(name=name)


@dataclass(frozen=True)
class _Source:
    """One thing to import: a file, or a photo made in memory (the camera screen)."""

    name: str  # what the report and the page call it
    label: str  # the outcome's ``path``: the full path of a file, the name of a photo
    open: Callable[[], BinaryIO]
    path: Path | None = None  # a file (a video is probed from it)


def lower_thread_priority() -> None:
    """Let the calling thread (an import's reader) give way to the window and the recorder
    when the processor is short. Linux gives each thread its own niceness; elsewhere the
    decoder processes, the bulk of the work, are lowered anyway."""
    if sys.platform.startswith("linux"):
        try:
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread,
                           os.getpriority(os.PRIO_PROCESS, thread) + READER_NICENESS)
        except OSError:
            pass


def _file_source(path: Path) -> _Source:
    return _Source(path.name, str(path), lambda: _open_regular(path), path)


def _prepare(store: ObjectStore, source: _Source, cancel: threading.Event | None
             ) -> _Prepared:
    """Everything for one file that needs no database: encrypt the original while a decoder
    process (``capture.pictures``) makes its pictures. Runs on a worker thread; writes only
    object files."""
    name = source.name
    handle = source.open()
    with handle:
        try:
            head = handle.read(64)
        except OSError as error:
            raise _read_error(name, error) from None
        if not head:
            raise EmptyFile(name=name)
        kind = _sniff(head)
        if kind is None:
            raise NotMedia(name=name)
        media, media_type = kind
        if media == "video":
            # before encrypting a gigabyte of a broken file
            probe = _probe_video(source.path if source.path is not None else handle, name)
            handle.seek(len(head))
        fresh: list[str] = []
        try:
            writer = store.writer()
            blocks: list[bytes] = [head]
            decoding: _Decoding | None = None
            try:
                writer.write(head)
                while True:
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled()
                    try:
                        block = handle.read(READ_SIZE)
                    except OSError as error:
                        raise _read_error(name, error) from None
                    if not block:
                        break
                    writer.write(block)
                    if media == "photo":
                        blocks.append(block)  # one read: the same bytes are decoded too
                if media == "photo":
                    # Decoded in another process while this one finishes the original.
                    decoding = _decode_soon(photo_pictures, b"".join(blocks), name,
                                            media_type)
                    del blocks
                original = writer.finish()
            except BaseException:
                writer.abort()
                if decoding is not None:
                    decoding.cancel()
                raise
            if not original.duplicate:
                fresh.append(original.name)
            if decoding is not None:
                picture, meta, warning = _decoded(decoding, name)
            else:
                picture, meta, warning = probe
            thumbnail = preview = None
            if picture is not None:
                preview_jpeg, thumbnail_jpeg = picture
                if preview_jpeg is not None:
                    preview = store.put_bytes(preview_jpeg)
                    if not preview.duplicate:
                        fresh.append(preview.name)
                thumbnail = store.put_bytes(thumbnail_jpeg)
                if not thumbnail.duplicate:
                    fresh.append(thumbnail.name)
        except BaseException:
            for stored_name in fresh:
                store.remove(stored_name)
            raise
    meta["size"] = original.size
    meta["media_type"] = media_type
    return _Prepared(media, media_type, original.size, original, thumbnail, preview, meta,
                     fresh, warning)


# --- video ----------------------------------------------------------------------------------------


def _probe_video(source: Path | BinaryIO, name: str
                 ) -> tuple[Pictures | None, dict[str, Any], CaptureError | None]:
    """Duration and a poster frame, read from the original (no plaintext copy)."""
    import av

    try:
        with av.open(str(source) if isinstance(source, Path) else source,
                     metadata_errors="ignore") as container:
            streams = container.streams.video
            if not streams:
                raise NotMedia(name=name)
            stream = streams[0]
            meta: dict[str, Any] = {"format": container.format.name,
                                    "video_codec": stream.codec_context.name,
                                    "width": stream.codec_context.width,
                                    "height": stream.codec_context.height}
            duration = None
            if container.duration is not None:
                duration = container.duration / av.time_base
            elif stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            if duration is not None:
                meta["duration"] = round(duration, 3)
            if container.streams.audio:
                meta["audio_codec"] = container.streams.audio[0].codec_context.name
            stream.thread_type = "AUTO"
            frame = next(container.decode(stream), None)
            if frame is None:
                raise DamagedVideo(name=name)
            picture = frame.to_image()
            rotation = int(getattr(frame, "rotation", 0) or 0)
            if rotation % 360:
                picture = picture.rotate(rotation, expand=True)  # counter-clockwise degrees
                meta["rotation"] = rotation
    except CaptureError:
        raise
    except (av.FFmpegError, OSError, ValueError, IndexError, StopIteration, MemoryError):
        raise DamagedVideo(name=name) from None
    preview = _shrink(picture.convert("RGB"), PREVIEW_SIZE)
    return ((_jpeg(preview, PREVIEW_QUALITY), _jpeg(_shrink(preview, THUMBNAIL_SIZE), 80)),
            meta, None)


# --- the import -----------------------------------------------------------------------------------


def _is_disk_full(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "disk is full" in text or "disk i/o error" in text


def _commit(vault: UnlockedVault, item_id: str, name: str, ready: _Prepared
            ) -> tuple[str, str, bool]:
    """Rows for the objects and the page, in one transaction. Returns (status, page id,
    already in the vault)."""
    store = vault.objects
    objects = [(ready.original, ready.media_type, name)]
    if ready.preview is not None:
        objects.append((ready.preview, "image/jpeg", f"preview of {name}"))
    if ready.thumbnail is not None:
        objects.append((ready.thumbnail, "image/jpeg", f"thumbnail of {name}"))
    with vault.writing() as session:
        existing = session.scalar(select(Page.id).where(
            Page.item_id == item_id, Page.object_name == ready.original.name).limit(1))
        if existing is not None:
            return DUPLICATE, existing, True
        already = session.get(ObjectRow, ready.original.name) is not None
        for stored, media_type, label in objects:
            if session.get(ObjectRow, stored.name) is not None:
                continue
            if not store.path_of(stored.name).exists():
                raise ObjectMissing(name=stored.name)
            add_object_row(vault, session, stored, media_type, label)
        page_id = visits.insert_page(
            vault, session, item_id, ready.original.name, media=ready.media,
            original_filename=name, meta=ready.meta,
            thumbnail_object=ready.thumbnail.name if ready.thumbnail else None,
            preview_object=ready.preview.name if ready.preview else None)
    return IMPORTED, page_id, already


def add_object_row(vault: UnlockedVault, session: Session, stored: StoredObject,
                   media_type: str, label: str) -> None:
    """The row (and audit event) of an object just written, flushed: a page may refer to it
    in the same transaction."""
    session.add(ObjectRow(name=stored.name, size=stored.size, media_type=media_type,
                          label=label, created_at=vault.clock(),
                          created_by=vault.actor.user_id))
    session.flush()
    vault.audit(session, "create", "object", stored.name, size=stored.size,
                media_type=media_type)


def _discard(vault: UnlockedVault, ready: _Prepared) -> None:
    """Remove the object files this file wrote that no committed row refers to."""
    if not ready.fresh:
        return
    with vault.reading() as session:
        kept = {name for name in ready.fresh if session.get(ObjectRow, name) is not None}
    for name in ready.fresh:
        if name not in kept:
            vault.objects.remove(name)


def check_item(vault: UnlockedVault, item_id: str) -> None:
    """Raises VisitNotFound or VisitNotEditable before any file is touched."""
    vault.require(Action.CAPTURE)
    vault.require(Action.STORE_OBJECT)
    with vault.reading() as session:
        item = session.get(Item, item_id)
        if item is None:
            raise visits.VisitNotFound()
        visits._editable_visit(session, item.visit_id)


def import_files(vault: UnlockedVault, item_id: str, files: Sequence[Path],
                 progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> ImportReport:
    """Import ``files`` as new pages of the item, in order. ``progress(done, total, outcome)``
    is called after each file (on the calling thread); setting ``cancel`` stops at the next
    file or chunk, and the file being imported leaves nothing behind.

    The same content already a page of this item is a "duplicate" (no new page; page_id names
    the existing one). Content already in the vault under another item is stored once and
    gets a new page here ("imported", already_in_vault=True).

    A JPEG gets its camera details and thumbnail now and its preview when it is first viewed
    (``capture.media.preview_bytes``) or by ``media.make_missing_previews``. Its quality hints
    come now too, unless it carries a camera's EXIF thumbnail: that one stands in, the photo
    is not decoded, and its own thumbnail and hints come with its preview. PNG, TIFF, HEIC and
    WebP are decoded in full anyway and get everything now."""
    return _import(vault, item_id, [_file_source(Path(f)) for f in files], progress, cancel)


def import_bytes(vault: UnlockedVault, item_id: str, data: bytes, name: str) -> ImportOutcome:
    """A photo made in memory (the camera screen) as a new page of the item: the same checks,
    the same dedupe and the same outcome as a file, without its plaintext touching the disk.
    ``name`` is what the page and the report call it."""
    report = _import(vault, item_id, [_Source(name, name, lambda: io.BytesIO(data))],
                     None, None)
    return report.outcomes[0]


def _import(vault: UnlockedVault, item_id: str, sources: list[_Source],
            progress: Progress | None, cancel: threading.Event | None) -> ImportReport:
    check_item(vault, item_id)
    with vault.held_open():  # a long import from a slow card is not cut by the idle lock
        return _import_held(vault, item_id, sources, progress, cancel)


def _import_held(vault: UnlockedVault, item_id: str, sources: list[_Source],
                 progress: Progress | None, cancel: threading.Event | None) -> ImportReport:
    report = ImportReport()
    total = len(sources)
    store = vault.objects

    def record(outcome: ImportOutcome) -> None:
        report.outcomes.append(outcome)
        if progress is not None:
            progress(len(report.outcomes), total, outcome)

    def cancelled() -> bool:
        return cancel is not None and cancel.is_set()

    pending: deque[tuple[_Source, Future[_Prepared]]] = deque()
    upcoming = iter(sources)
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="import",
                            initializer=lower_thread_priority) as pool:
        try:
            while True:
                while len(pending) < _IN_FLIGHT and not cancelled():
                    source = next(upcoming, None)
                    if source is None:
                        break
                    pending.append((source, pool.submit(_prepare, store, source, cancel)))
                if not pending:
                    break
                source, future = pending.popleft()
                record(_finish_one(vault, item_id, source, future, cancelled()))
        finally:
            for _source, future in pending:  # only after an unexpected error
                future.cancel()
                _outcome_of_abandoned(vault, future)
    for source in upcoming:
        record(ImportOutcome(source.label, CANCELLED, None, None))
    return report


def _outcome_of_abandoned(vault: UnlockedVault, future: Future[_Prepared]) -> None:
    try:
        ready = future.result()
    except BaseException:  # its own clean-up already ran
        return
    _discard(vault, ready)


def _finish_one(vault: UnlockedVault, item_id: str, source: _Source,
                future: Future[_Prepared], stop: bool) -> ImportOutcome:
    label = source.label
    try:
        ready = future.result()
    except _Cancelled:
        return ImportOutcome(label, CANCELLED, None, None)
    except (ImportFailed, DiskFull) as error:
        return ImportOutcome(label, FAILED, None, error)
    except OSError as error:
        return ImportOutcome(label, FAILED, None, _read_error(source.name, error))
    if stop:
        _discard(vault, ready)
        return ImportOutcome(label, CANCELLED, None, None)
    try:
        status, page_id, already = _commit(vault, item_id, source.name, ready)
    except OperationalError as error:
        _discard(vault, ready)
        if _is_disk_full(error):
            return ImportOutcome(label, FAILED, None, DiskFull(), ready.size, ready.media)
        raise
    except CaptureError as error:
        _discard(vault, ready)
        return ImportOutcome(label, FAILED, None, error, ready.size, ready.media)
    except BaseException:
        _discard(vault, ready)
        raise
    if status == DUPLICATE:
        _discard(vault, ready)
    return ImportOutcome(label, status, page_id, None, ready.size, ready.media,
                         already_in_vault=already,
                         warning=ready.warning if status == IMPORTED else None)
