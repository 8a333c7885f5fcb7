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
import re
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
# .mts/.m2ts: AVCHD camcorders (MPEG-TS with 192-byte packets), common in families' footage
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv", ".mts", ".m2ts"})
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
HEAD_SIZE = 512  # what decides a file's kind: enough for three transport-stream packets

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


# Where phones and cameras keep photos and videos besides DCIM (camera roll): chat apps'
# folders (Zalo, WhatsApp, Messenger, Telegram, Viber), downloads, Pictures and Movies. Matched
# without case, at the drive's top or one level down ('Internal storage/...'), or under
# Android/media where newer Android versions put the chat apps' files.
_MEDIA_FOLDERS = frozenset({"dcim", "pictures", "movies", "download", "downloads", "zalo",
                            "whatsapp", "messenger", "telegram", "viber", "camera",
                            "screenshots", "video", "videos"})
_APP_MEDIA = frozenset({"com.zing.zalo", "com.whatsapp", "org.telegram.messenger",
                        "com.facebook.orca", "com.viber.voip"})


def _media_folders(folder: Path) -> list[Path]:
    """The media folders of a drive or phone (at the top, or one level down: a phone shows
    'Internal storage/', 'Card/'...), when it has a DCIM folder; else none (a plain folder,
    searched whole)."""
    levels = [folder, *_subfolders(folder)]
    if not any(sub.name.upper() == "DCIM" for level in levels for sub in _subfolders(level)):
        return []
    found = []
    for level in levels:
        for sub in _subfolders(level):
            if sub.name.lower() in _MEDIA_FOLDERS:
                found.append(sub)
            elif sub.name.lower() == "android":
                media = sub / "media"
                found += [app for app in _subfolders(media) if app.name.lower() in _APP_MEDIA]
    # DCIM/Camera is found as well as DCIM: each folder is searched once
    return [root for root in found if not any(other in root.parents for other in found)]


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(e for e in folder.iterdir() if e.is_dir() and not _skipped(e))
    except OSError:
        return []


class FindCancelled(Exception):
    """``find_media`` was told to stop."""


def _walk(folder: Path, cancel: threading.Event | None) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder, onerror=lambda error: None):
        if cancel is not None and cancel.is_set():
            raise FindCancelled()
        base = Path(root)
        dirs[:] = sorted(d for d in dirs if not _skipped(base / d))
        for name in files:
            entry = base / name
            if (entry.suffix.lower() in MEDIA_SUFFIXES and not _skipped(entry)
                    and entry.is_file()):  # not a FIFO or a device: opening those can hang
                yield entry


def _file_time(path: Path) -> float:
    """When the file was last written: on a card or phone, when the photo was taken (or
    received), near enough to put them in order without opening each one. EXIF is read at
    import."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def find_media(paths: Iterable[Path], cancel: threading.Event | None = None) -> list[Path]:
    """Files to import from what the user picked: files as they are, folders searched
    (a drive or phone: its DCIM and other media folders), hidden and system files skipped,
    sorted by file time, then by name. Raises FindCancelled once ``cancel`` is set."""
    found: dict[str, Path] = {}
    for picked in paths:
        picked = Path(picked)
        if picked.is_dir():
            roots = _media_folders(picked) or [picked]
            for root in roots:
                for entry in _walk(root, cancel):
                    found.setdefault(os.path.normcase(os.path.abspath(entry)), entry)
        elif picked.exists() or picked.is_symlink():
            # Picked by hand: kept whatever its name, and the import says what it is.
            found.setdefault(os.path.normcase(os.path.abspath(picked)), picked)
        if cancel is not None and cancel.is_set():
            raise FindCancelled()
    return sorted(found.values(), key=lambda p: (_file_time(p), p.name.lower(), str(p)))


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
    # MPEG transport stream: a sync byte every 188 bytes, or every 192 after a 4-byte time
    # code (AVCHD .mts/.m2ts, Blu-ray)
    if len(head) > 196 and head[4] == head[196] == 0x47:
        return "video", "video/mp2t"
    if len(head) > 376 and head[0] == head[188] == head[376] == 0x47:
        return "video", "video/mp2t"
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
            head = handle.read(HEAD_SIZE)
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


# The poster is the first frame that is not near-black (a clip that fades in), looked for in
# the first seconds only, so a long dark clip costs a bounded decode.
POSTER_SECONDS = 4.0
POSTER_FRAMES = 150
NEAR_BLACK = 20.0  # mean of R, G and B (0-255) below this


def _probe_video(source: Path | BinaryIO, name: str
                 ) -> tuple[Pictures | None, dict[str, Any], CaptureError | None]:
    """Duration, the camera's details and a poster frame, read from the original (no
    plaintext copy)."""
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
            duration = _video_duration(container, stream)
            if duration is not None:
                meta["duration"] = round(duration, 3)
            if container.streams.audio:
                meta["audio_codec"] = container.streams.audio[0].codec_context.name
            meta.update(video_details({**dict(container.metadata), **dict(stream.metadata)}))
            stream.thread_type = "AUTO"
            frame = _poster_frame(container, stream)
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


def _video_duration(container: Any, stream: Any) -> float | None:
    """The video stream's own length when the file says it: the container's is the longest
    track's, and a GoPro's data track or a longer sound track outlasts the picture."""
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        import av

        return float(container.duration / av.time_base)
    return None


def _poster_frame(container: Any, stream: Any) -> Any:
    """The first frame that is not near-black within ``POSTER_SECONDS`` (at most
    ``POSTER_FRAMES`` decoded); else the brightest of those; None if none decodes."""
    best, best_level = None, -1.0
    for count, frame in enumerate(container.decode(stream)):
        small = frame.reformat(width=32, height=max(1, 32 * frame.height // max(1, frame.width)),
                               format="rgb24")
        level = float(small.to_ndarray().mean())
        if level >= NEAR_BLACK:
            return frame
        if level > best_level:
            best, best_level = frame, level
        seconds = float(frame.time) if frame.time is not None else 0.0
        if count + 1 >= POSTER_FRAMES or seconds >= POSTER_SECONDS:
            break
    return best


def video_details(tags: dict[str, str]) -> dict[str, Any]:
    """A phone's or camera's details from a video's metadata, kept like a photo's:
    ``camera_make``, ``camera_model``, ``taken_at``, ``latitude``, ``longitude``,
    ``altitude``. QuickTime (iPhone: ``com.apple.quicktime.*`` keys, ``©xyz``, which FFmpeg
    calls ``location``) and MP4 (Android writes ``location`` too); positions in ISO 6709."""
    keys = {key.lower(): str(value).strip() for key, value in tags.items() if value}
    meta: dict[str, Any] = {}
    for key, names in (("camera_make", ("com.apple.quicktime.make", "make")),
                       ("camera_model", ("com.apple.quicktime.model", "model"))):
        value = next((keys[n] for n in names if keys.get(n)), "")
        if value:
            meta[key] = value[:200]
    place = next((keys[n] for n in ("com.apple.quicktime.location.iso6709", "location",
                                    "location-eng") if keys.get(n)), "")
    position = _iso6709(place)
    if position is not None:
        meta["latitude"], meta["longitude"] = position[0], position[1]
        if position[2] is not None:
            meta["altitude"] = position[2]
    taken = _video_time(keys.get("com.apple.quicktime.creationdate", "")) or _video_time(
        keys.get("creation_time", ""))
    if taken:
        meta["taken_at"] = taken
    return meta


_ISO6709 = re.compile(r"^([+-]\d{1,3}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")


def _iso6709(text: str) -> tuple[float, float, float | None] | None:
    """``+21.0285+105.8542+012.250/`` (decimal degrees; the only form phones write) as
    (latitude, longitude, altitude or None); None when absent or out of range."""
    match = _ISO6709.match(text.strip())
    if match is None:
        return None
    latitude, longitude = float(match[1]), float(match[2])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    altitude = round(float(match[3]), 2) if match[3] else None
    return round(latitude, 7), round(longitude, 7), altitude


def _video_time(text: str) -> str:
    """ISO 8601 with its offset kept (an iPhone's creationdate is local time with it; MP4's
    creation_time is UTC): ``2025-07-27T08:30:05+07:00``."""
    text = text.strip()
    if not text:
        return ""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return ""
    if when.year < 1990:  # 1904 or 1970: a camera that never had its clock set
        return ""
    return when.replace(microsecond=0).isoformat()


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
        if error.errno in (errno.ENOSPC, errno.EDQUOT):  # a write that did not fit
            return ImportOutcome(label, FAILED, None, DiskFull())
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
