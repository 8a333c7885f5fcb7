"""Bringing photos and videos into a visit: from files, folders, a memory card or a phone.

``find_media(paths)`` turns what the user picked (files, folders, a whole drive) into the list of
files to import; ``import_files(vault, item_id, files)`` stores each one encrypted, bit-exact,
with its thumbnail, preview and camera details, and says per file what happened. One bad file
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
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import exifread
import numpy as np
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from capture import visits
from capture.errors import CaptureError, DiskFull, ObjectMissing
from capture.models import Item, ObjectRow, Page
from capture.objects import READ_SIZE, ObjectStore, StoredObject
from capture.roles import Action
from capture.vault import UnlockedVault

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".heic", ".heif",
                            ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv"})
MEDIA_SUFFIXES = PHOTO_SUFFIXES | VIDEO_SUFFIXES


# --- what can go wrong with one file (each is that file's outcome; the import goes on) ---------


class ImportFailed(CaptureError):
    message = "The file {name} could not be imported."


class EmptyFile(ImportFailed):
    message = "The file {name} is empty (0 bytes): there is nothing to import."


class NotMedia(ImportFailed):
    message = "The file {name} is not a photo or video this app can read."


class DamagedPhoto(ImportFailed):
    message = ("The photo {name} is damaged or incomplete. Copy it again from the camera "
               "or phone and import the copy.")


class PhotoTooLarge(ImportFailed):
    message = ("The file {name} claims to be {width}×{height} pixels, far larger than any "
               "camera photo; it was skipped to keep the laptop responsive.")


class DamagedVideo(ImportFailed):
    message = ("The video {name} is damaged or incomplete. Copy it again from the camera "
               "or phone and import the copy.")


class FileUnreadable(ImportFailed):
    message = "The file {name} could not be read. Check that it is a file and you may open it."


class FileVanished(ImportFailed):
    message = ("The file {name} disappeared before it was imported. Was the card or phone "
               "unplugged? Plug it in again and repeat the import.")


class ExifUnreadable(ImportFailed):
    """A warning, not a failure: the photo is imported without its camera details."""

    message = ("The camera details (EXIF) in {name} are damaged; the photo was imported "
               "without them.")


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

THUMBNAIL_SIZE = 256
PREVIEW_SIZE = 1600  # the preview's long side is 1600–2400 px: what JPEG draft decoding gives
# A JPEG is decoded at 1/8 scale at most, so even a 250-megapixel panorama costs little; other
# formats decode in full (3 bytes a pixel), so they get a lower ceiling. Anything above is a
# "decompression bomb" or nothing a volunteer would photograph.
MAX_JPEG_PIXELS = 250_000_000
MAX_OTHER_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS  # Pillow's own check: a warning above, error at 2×
_WORKERS = 2  # decode and encrypt the next file while this one's rows are committed
_IN_FLIGHT = 3  # files read ahead; bounds memory to a few photos

# Quality hints, measured on a ~512 px grey copy (cheap, and only hints).
BLUR_VARIANCE = 60.0  # variance of the Laplacian below this: probably out of focus or shaken
DARK_MEAN = 45.0  # mean brightness (0–255) below this
OVEREXPOSED_SHARE = 0.25  # share of pixels at 250 or above

_heif_ready = False


def _register_heif() -> None:
    global _heif_ready
    if not _heif_ready:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_ready = True


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


def _read_error(path: Path, error: OSError) -> ImportFailed:
    if isinstance(error, FileNotFoundError) or error.errno in (errno.ENODEV, errno.ENXIO,
                                                                errno.EIO, errno.ESTALE):
        return FileVanished(name=path.name)
    return FileUnreadable(name=path.name)


def _prepare(store: ObjectStore, path: Path, cancel: threading.Event | None) -> _Prepared:
    """Everything for one file that needs no database: encrypt the original, decode it once,
    make thumbnail and preview. Runs on a worker thread; writes only object files."""
    handle = _open_regular(path)
    with handle:
        try:
            head = handle.read(64)
        except OSError as error:
            raise _read_error(path, error) from None
        if not head:
            raise EmptyFile(name=path.name)
        kind = _sniff(head)
        if kind is None:
            raise NotMedia(name=path.name)
        media, media_type = kind
        if media == "video":
            probe = _probe_video(path)  # before encrypting a gigabyte of a broken file
        fresh: list[str] = []
        try:
            writer = store.writer()
            blocks: list[bytes] = [head]
            try:
                writer.write(head)
                while True:
                    if cancel is not None and cancel.is_set():
                        raise _Cancelled()
                    try:
                        block = handle.read(READ_SIZE)
                    except OSError as error:
                        raise _read_error(path, error) from None
                    if not block:
                        break
                    writer.write(block)
                    if media == "photo":
                        blocks.append(block)  # one read: the same bytes are decoded below
                if media == "photo":
                    data = b"".join(blocks)
                    del blocks
                    picture, meta, warning = _decode_photo(data, path.name, media_type)
                    del data
                else:
                    picture, meta, warning = probe
                original = writer.finish()
            except BaseException:
                writer.abort()
                raise
            if not original.duplicate:
                fresh.append(original.name)
            thumbnail = preview = None
            if picture is not None:
                preview_jpeg, thumbnail_jpeg = picture
                preview = store.put_bytes(preview_jpeg)
                if not preview.duplicate:
                    fresh.append(preview.name)
                thumbnail = store.put_bytes(thumbnail_jpeg)
                if not thumbnail.duplicate:
                    fresh.append(thumbnail.name)
        except BaseException:
            for name in fresh:
                store.remove(name)
            raise
    meta["size"] = original.size
    meta["media_type"] = media_type
    return _Prepared(media, media_type, original.size, original, thumbnail, preview, meta,
                     fresh, warning)


# --- photos -----------------------------------------------------------------------------------

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

Pictures = tuple[bytes, bytes]  # preview JPEG, thumbnail JPEG


def _decode_photo(data: bytes, name: str, media_type: str
                  ) -> tuple[Pictures, dict[str, Any], CaptureError | None]:
    heif = media_type == "image/heic"
    meta: dict[str, Any] = {}
    warning: CaptureError | None = None
    if heif:
        _register_heif()
    else:
        meta, warning = _read_exif(data, name)
    try:
        image = Image.open(io.BytesIO(data))
        if heif:
            # exifread cannot find the EXIF box in every HEIF; libheif hands it over. libheif
            # also applies the container's rotation itself, so no EXIF turn is added.
            raw = image.info.get("exif") or b""
            meta, warning = _read_exif(raw[6:] if raw.startswith(b"Exif") else raw, name)
        width, height = image.size
        limit = MAX_JPEG_PIXELS if image.format == "JPEG" else MAX_OTHER_PIXELS
        if width * height > limit:
            raise PhotoTooLarge(name=name, width=width, height=height)
        meta.update(format=image.format, width=width, height=height)
        if image.format == "JPEG":
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale directly: a 12 MP photo costs a
            # fraction of a full decode.
            # (draft keeps both sides at or above the box, so the box has the photo's shape.)
            scale = min(1.0, PREVIEW_SIZE / max(width, height))
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        image.load()
    except Image.DecompressionBombError:
        width, height = _claimed_size(data)
        raise PhotoTooLarge(name=name, width=width, height=height) from None
    except (Image.UnidentifiedImageError, SyntaxError):
        raise NotMedia(name=name) from None
    except (OSError, ValueError, EOFError, IndexError, TypeError, KeyError):
        # "image file is truncated", broken Huffman data, a bad PNG chunk, ...
        raise DamagedPhoto(name=name) from None
    except RuntimeError:  # pillow-heif: corrupt or unsupported HEIF
        raise DamagedPhoto(name=name) from None
    try:
        preview = _to_rgb(image)
    except (OSError, ValueError) as error:
        raise DamagedPhoto(name=name) from error
    if max(preview.size) > PREVIEW_SIZE * 3 // 2:
        preview.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE), Image.Resampling.BILINEAR,
                          reducing_gap=2.0)
    transpose = None if heif else _TRANSPOSE.get(meta.get("orientation", 1))
    if transpose is not None:
        preview = preview.transpose(transpose)
    # Box-reduce by a whole factor first (several times cheaper than resampling 3 MP), then
    # the thumbnail from that small copy.
    small = preview.reduce(max(1, max(preview.size) // 512))
    thumbnail = _shrink(small, THUMBNAIL_SIZE)
    meta["quality"] = quality_hints(small.convert("L"))
    return (_jpeg(preview, 85), _jpeg(thumbnail, 80)), meta, warning


def _claimed_size(data: bytes) -> tuple[int | str, int | str]:
    """Width and height a PNG or JPEG header claims (Pillow refuses a bomb before saying)."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    position = 2
    while data.startswith(b"\xff\xd8") and position + 9 < len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                      0xCF):
            return (int.from_bytes(data[position + 7:position + 9], "big"),
                    int.from_bytes(data[position + 5:position + 7], "big"))
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
    return "?", "?"


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))  # transparent parts on white
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if image.mode.startswith("I;16") or image.mode == "I":
        scaled = np.asarray(image, dtype=np.float32)
        peak = max(float(scaled.max()), 1.0)
        return Image.fromarray((scaled * (255.0 / peak)).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


def _shrink(image: Image.Image, size: int) -> Image.Image:
    width, height = image.size
    scale = size / max(width, height)
    if scale >= 1:
        return image
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def quality_hints(grey: Image.Image) -> dict[str, Any]:
    """Blurred, too dark, overexposed: hints for the volunteer, never a reason to refuse."""
    pixels = np.asarray(grey, dtype=np.float32)
    if pixels.shape[0] < 3 or pixels.shape[1] < 3:
        return {"blurred": False, "too_dark": False, "overexposed": False,
                "sharpness": 0.0, "brightness": float(pixels.mean()) if pixels.size else 0.0,
                "clipped": 0.0}
    laplacian = (4 * pixels[1:-1, 1:-1] - pixels[:-2, 1:-1] - pixels[2:, 1:-1]
                 - pixels[1:-1, :-2] - pixels[1:-1, 2:])
    sharpness = float(laplacian.var())
    brightness = float(pixels.mean())
    clipped = float((pixels >= 250).mean())
    return {"blurred": sharpness < BLUR_VARIANCE, "too_dark": brightness < DARK_MEAN,
            "overexposed": clipped > OVEREXPOSED_SHARE, "sharpness": round(sharpness, 1),
            "brightness": round(brightness, 1), "clipped": round(clipped, 3)}


# --- EXIF ---------------------------------------------------------------------------------------


def _exif_time(tags: dict[str, Any]) -> str:
    for key in ("EXIF DateTimeOriginal", "EXIF DateTimeDigitized", "Image DateTime"):
        value = str(tags.get(key, "")).strip()
        try:
            return datetime.strptime(value, "%Y:%m:%d %H:%M:%S").isoformat()
        except ValueError:
            continue
    return ""


def _ratio(value: Any) -> float:
    return float(Fraction(value.num, value.den)) if hasattr(value, "num") else float(value)


def _degrees(tag: Any, ref: Any, negative: str) -> float | None:
    values = getattr(tag, "values", None)
    if not values or len(values) != 3:
        return None
    degrees = _ratio(values[0]) + _ratio(values[1]) / 60 + _ratio(values[2]) / 3600
    if str(getattr(ref, "values", ref)).strip().upper().startswith(negative):
        degrees = -degrees
    return round(degrees, 7)


def _read_exif(data: bytes, name: str) -> tuple[dict[str, Any], CaptureError | None]:
    """Camera, time taken, GPS (signed decimal degrees), altitude, orientation. Damaged EXIF
    is a warning: the photo itself is still worth keeping."""
    has_exif = b"Exif\x00\x00" in data[:65536] or data[:4] in (b"II*\x00", b"MM\x00*")
    try:
        tags = exifread.process_file(io.BytesIO(data), details=False)
    except Exception:  # exifread raises anything from struct.error to ZeroDivisionError
        log.debug("EXIF of %s unreadable", name, exc_info=True)
        return {"exif_unreadable": True}, ExifUnreadable(name=name)
    meta: dict[str, Any] = {}
    try:
        for key, field_name in (("Image Make", "camera_make"), ("Image Model", "camera_model")):
            if key in tags:
                meta[field_name] = str(tags[key]).strip()
        taken = _exif_time(tags)
        if taken:
            offset = str(tags.get("EXIF OffsetTimeOriginal", "")).strip()
            meta["taken_at"] = taken + offset if offset else taken
        if "Image Orientation" in tags:
            orientation = int(tags["Image Orientation"].values[0])
            if 1 <= orientation <= 8:
                meta["orientation"] = orientation
        latitude = _degrees(tags.get("GPS GPSLatitude"), tags.get("GPS GPSLatitudeRef", "N"),
                            "S")
        longitude = _degrees(tags.get("GPS GPSLongitude"),
                             tags.get("GPS GPSLongitudeRef", "E"), "W")
        if latitude is not None and longitude is not None and (
                -90 <= latitude <= 90 and -180 <= longitude <= 180):
            meta["latitude"], meta["longitude"] = latitude, longitude
        if "GPS GPSAltitude" in tags:
            altitude = _ratio(tags["GPS GPSAltitude"].values[0])
            below = tags.get("GPS GPSAltitudeRef")
            if below is not None and int(below.values[0]) == 1:
                altitude = -altitude
            meta["altitude"] = round(altitude, 2)
    except (ValueError, TypeError, ZeroDivisionError, IndexError, AttributeError):
        return {"exif_unreadable": True}, ExifUnreadable(name=name)
    if has_exif and not tags:
        return {"exif_unreadable": True}, ExifUnreadable(name=name)
    return meta, None


# --- video ----------------------------------------------------------------------------------------


def _probe_video(path: Path) -> tuple[Pictures | None, dict[str, Any], CaptureError | None]:
    """Duration and a poster frame, read from the original file (no plaintext copy)."""
    import av

    name = path.name
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
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
    return (_jpeg(preview, 85), _jpeg(_shrink(preview, THUMBNAIL_SIZE), 80)), meta, None


# --- the import -----------------------------------------------------------------------------------


def _is_disk_full(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "disk is full" in text or "disk i/o error" in text


def _commit(vault: UnlockedVault, item_id: str, path: Path, ready: _Prepared
            ) -> tuple[str, str, bool]:
    """Rows for the objects and the page, in one transaction. Returns (status, page id,
    already in the vault)."""
    store = vault.objects
    objects = [(ready.original, ready.media_type, path.name)]
    if ready.preview is not None:
        objects.append((ready.preview, "image/jpeg", f"preview of {path.name}"))
    if ready.thumbnail is not None:
        objects.append((ready.thumbnail, "image/jpeg", f"thumbnail of {path.name}"))
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
            session.add(ObjectRow(name=stored.name, size=stored.size, media_type=media_type,
                                  label=label, created_at=vault.clock(),
                                  created_by=vault.actor.user_id))
            session.flush()  # the page's foreign keys need the row
            vault.audit(session, "create", "object", stored.name, size=stored.size,
                        media_type=media_type)
        page_id = visits.insert_page(
            vault, session, item_id, ready.original.name, media=ready.media,
            original_filename=path.name, meta=ready.meta,
            thumbnail_object=ready.thumbnail.name if ready.thumbnail else None,
            preview_object=ready.preview.name if ready.preview else None)
    return IMPORTED, page_id, already


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
    gets a new page here ("imported", already_in_vault=True)."""
    check_item(vault, item_id)
    files = [Path(f) for f in files]
    report = ImportReport()
    total = len(files)
    store = vault.objects

    def record(outcome: ImportOutcome) -> None:
        report.outcomes.append(outcome)
        if progress is not None:
            progress(len(report.outcomes), total, outcome)

    def cancelled() -> bool:
        return cancel is not None and cancel.is_set()

    pending: deque[tuple[Path, Future[_Prepared]]] = deque()
    upcoming = iter(files)
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="import") as pool:
        try:
            while True:
                while len(pending) < _IN_FLIGHT and not cancelled():
                    path = next(upcoming, None)
                    if path is None:
                        break
                    pending.append((path, pool.submit(_prepare, store, path, cancel)))
                if not pending:
                    break
                path, future = pending.popleft()
                record(_finish_one(vault, item_id, path, future, cancelled()))
        finally:
            for _path, future in pending:  # only after an unexpected error
                future.cancel()
                _outcome_of_abandoned(vault, future)
    for path in upcoming:
        record(ImportOutcome(str(path), CANCELLED, None, None))
    return report


def _outcome_of_abandoned(vault: UnlockedVault, future: Future[_Prepared]) -> None:
    try:
        ready = future.result()
    except BaseException:  # its own clean-up already ran
        return
    _discard(vault, ready)


def _finish_one(vault: UnlockedVault, item_id: str, path: Path, future: Future[_Prepared],
                stop: bool) -> ImportOutcome:
    try:
        ready = future.result()
    except _Cancelled:
        return ImportOutcome(str(path), CANCELLED, None, None)
    except (ImportFailed, DiskFull) as error:
        return ImportOutcome(str(path), FAILED, None, error)
    except OSError as error:
        return ImportOutcome(str(path), FAILED, None, _read_error(path, error))
    if stop:
        _discard(vault, ready)
        return ImportOutcome(str(path), CANCELLED, None, None)
    try:
        status, page_id, already = _commit(vault, item_id, path, ready)
    except OperationalError as error:
        _discard(vault, ready)
        if _is_disk_full(error):
            return ImportOutcome(str(path), FAILED, None, DiskFull(), ready.size, ready.media)
        raise
    except CaptureError as error:
        _discard(vault, ready)
        return ImportOutcome(str(path), FAILED, None, error, ready.size, ready.media)
    except BaseException:
        _discard(vault, ready)
        raise
    if status == DUPLICATE:
        _discard(vault, ready)
    return ImportOutcome(str(path), status, page_id, None, ready.size, ready.media,
                         already_in_vault=already,
                         warning=ready.warning if status == IMPORTED else None)
