"""Photos decoded: the checks a photo must pass, its camera details (EXIF), its thumbnail,
preview and quality hints, and the small pool of decoder processes that does this work.

Nothing here touches the vault: a decoder process gets plaintext bytes and gives back JPEG
bytes and details, and this module imports no more than Pillow, numpy and exifread, so those
processes start quickly. ``capture.importer`` stores what comes back; ``capture.media`` asks
for a preview when one is first viewed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import exifread
import numpy as np
from PIL import Image

from capture.errors import CaptureError

log = logging.getLogger(__name__)

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


THUMBNAIL_SIZE = 256
PREVIEW_SIZE = 1600  # the preview's long side is 1600–2400 px: what JPEG draft decoding gives
PREVIEW_QUALITY = 85
# A JPEG is decoded at 1/8 scale at most, so even a 250-megapixel panorama costs little; other
# formats decode in full (3 bytes a pixel), so they get a lower ceiling. Anything above is a
# "decompression bomb" or nothing a volunteer would photograph.
MAX_JPEG_PIXELS = 250_000_000
MAX_OTHER_PIXELS = 120_000_000
Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS  # Pillow's own check: a warning above, error at 2×

# Quality hints, measured on a ~512 px grey copy (cheap, and only hints).
BLUR_VARIANCE = 60.0  # variance of the Laplacian below this: probably out of focus or shaken
DARK_MEAN = 45.0  # mean brightness (0–255) below this
OVEREXPOSED_SHARE = 0.25  # share of pixels at 250 or above

_heif_ready = False


def _exif_and_thumbnail(data: bytes, name: str
                        ) -> tuple[dict[str, Any], CaptureError | None, bytes | None]:
    """``_read_exif`` of a JPEG's bytes, with the camera's thumbnail. A file Pillow cannot
    open has no details here: decoding it says what is wrong."""
    try:
        image = Image.open(io.BytesIO(data))
    except Exception:  # reported by the decode that follows
        return {}, None, None
    return _read_exif(image, name, data, thumbnail=True)


def camera_photo(jpeg: bytes, taken: datetime, camera: str, maker: str) -> bytes:
    """A JPEG made from a camera frame (no EXIF of its own) with the EXIF a camera would
    write: the time taken (with its UTC offset when ``taken`` has one), ``maker`` and
    ``camera`` as Make and Model, orientation 1 (the frame is upright). The pixels are not
    touched: one APP1 segment goes in after the JFIF header."""
    tags = Image.Exif()
    tags[0x010F] = maker.encode("utf-8")  # ASCII in EXIF 2.3; readers take UTF-8 in practice
    tags[0x0110] = camera.encode("utf-8")
    tags[0x0112] = 1
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    tags[0x0132] = stamp
    sub = tags.get_ifd(_IFD_EXIF)
    sub[0x9003] = sub[0x9004] = stamp
    offset = taken.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        sub[0x9011] = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    block = tags.tobytes()
    if not jpeg.startswith(b"\xff\xd8"):
        return jpeg
    at = 2
    if jpeg[2:4] == b"\xff\xe0":  # JFIF comes first; EXIF right after it
        at = 4 + int.from_bytes(jpeg[4:6], "big")
    return (jpeg[:at] + b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block
            + jpeg[at:])


def _register_heif() -> None:
    global _heif_ready
    if not _heif_ready:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_ready = True


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

# preview JPEG (None: made when first viewed), thumbnail JPEG
Pictures = tuple[bytes | None, bytes]


def _open_photo(data: bytes, name: str, media_type: str, long_side: int,
                exif: tuple[dict[str, Any], CaptureError | None] | None = None
                ) -> tuple[Image.Image, dict[str, Any], CaptureError | None]:
    """The photo decoded to about ``long_side`` px (a JPEG at 1/2 to 1/8 scale, straight
    from its DCT coefficients; other formats in full, then shrunk), turned upright, RGB.
    ``exif``: what ``_read_exif`` already said of these bytes."""
    heif = media_type == "image/heic"
    if heif:
        _register_heif()
    with _decode_errors(data, name):
        image = Image.open(io.BytesIO(data))
        meta, warning = exif if exif is not None else _read_exif(image, name, data)[:2]
        if heif:
            # libheif turns the picture upright itself (so no EXIF turn is added here) and
            # rewrites Orientation to 1 in the EXIF it hands over; pillow-heif keeps the
            # camera's value aside, and that is the one recorded.
            original = image.info.get("original_orientation")
            if isinstance(original, int) and 1 <= original <= 8:
                meta["orientation"] = original
        width, height = image.size
        # MPO: the JPEG with extra views some cameras make; its first view decodes as a JPEG.
        jpeg = image.format in ("JPEG", "MPO")
        limit = MAX_JPEG_PIXELS if jpeg else MAX_OTHER_PIXELS
        if width * height > limit:
            raise PhotoTooLarge(name=name, width=width, height=height)
        meta.update(format=image.format, width=width, height=height)
        if jpeg:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale directly: the smallest scale that still
            # covers the box. (The box has the photo's shape, so a 4:3 photo is not decoded
            # to fit a square.)
            scale = min(1.0, long_side / max(width, height))
            image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        image.load()
    try:
        picture = _to_rgb(image)
    except (OSError, ValueError) as error:
        raise DamagedPhoto(name=name) from error
    if max(picture.size) > long_side * 3 // 2:
        picture.thumbnail((long_side, long_side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    transpose = None if heif else _TRANSPOSE.get(meta.get("orientation", 1))
    if transpose is not None:
        picture = picture.transpose(transpose)
    return picture, meta, warning


# What a JPEG is decoded to at import: a 12 MP photo at 1/8 scale (500 px), enough for the
# thumbnail and the quality hints; its preview is made when it is first viewed.
IMPORT_DECODE_SIZE = 500


def photo_pictures(data: bytes, name: str, media_type: str
                    ) -> tuple[Pictures, dict[str, Any], CaptureError | None]:
    """Thumbnail and quality hints (and for PNG/TIFF/HEIC/WebP, which are decoded in full
    anyway, the preview too).

    A JPEG from a camera or phone carries a small thumbnail of its own in its EXIF: that one
    stands in (``meta["thumbnail"] == "camera"``) and the photo is not decoded at import; its
    thumbnail and quality hints are made with its preview, from one decode, after the import
    (``capture.media``). Decoding a 12-megapixel JPEG costs ~50 ms of CPU even at 1/8 scale
    (libjpeg must Huffman-decode the whole file), which bounded the import on two cores below
    the rate a memory card delivers photos. Such a photo is still checked whole at import:
    its header, its size, and that its scan ends."""
    jpeg = media_type == "image/jpeg"
    exif: tuple[dict[str, Any], CaptureError | None] | None = None
    if jpeg:
        meta, warning, embedded = _exif_and_thumbnail(data, name)
        exif = (meta, warning)
        if embedded:
            thumbnail = _camera_thumbnail(data, name, meta, embedded)
            if thumbnail is not None:
                return (None, thumbnail), meta, warning
    picture, meta, warning = _open_photo(data, name, media_type,
                                         IMPORT_DECODE_SIZE if jpeg else PREVIEW_SIZE, exif)
    preview = None if jpeg else _jpeg(picture, PREVIEW_QUALITY)
    thumbnail_jpeg, meta["quality"] = _thumbnail_and_hints(picture)
    return (preview, thumbnail_jpeg), meta, warning


def _thumbnail_and_hints(picture: Image.Image) -> tuple[bytes, dict[str, Any]]:
    """The thumbnail JPEG and the quality hints of an upright picture."""
    # Box-reduce by a whole factor first (several times cheaper than resampling), then the
    # thumbnail from that small copy.
    small = picture.reduce(max(1, max(picture.size) // 512))
    return _jpeg(_shrink(small, THUMBNAIL_SIZE), 80), quality_hints(small.convert("L"))


# A camera thumbnail is used when it shows the photo at a useful size (cameras write 160×120,
# phones up to 512 px) with its proportions (some cameras letterbox a 16:9 photo into 4:3).
CAMERA_THUMBNAIL_MIN = 120
CAMERA_THUMBNAIL_ASPECT = 0.03


def _camera_thumbnail(data: bytes, name: str, meta: dict[str, Any], embedded: bytes
                      ) -> bytes | None:
    """The thumbnail JPEG from the camera's own (upright), after checking the photo whole
    without decoding it; None when the camera's thumbnail is not fit to stand in."""
    with _decode_errors(data, name):
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_JPEG_PIXELS:
            raise PhotoTooLarge(name=name, width=width, height=height)
        photo_format = image.format
    if photo_format not in ("JPEG", "MPO"):
        return None
    scan = _scan_start(data)
    # The entropy-coded data never holds 0xFFD9 (every 0xFF in it is stuffed or a restart
    # marker): a photo whose first scan has no end was cut short (an interrupted copy).
    if scan is None or data.find(b"\xff\xd9", scan) < 0:
        raise DamagedPhoto(name=name)
    try:
        small = Image.open(io.BytesIO(embedded))
        small_width, small_height = small.size
        if (small.format != "JPEG" or max(small.size) < CAMERA_THUMBNAIL_MIN
                or abs(small_width / small_height - width / height)
                > CAMERA_THUMBNAIL_ASPECT * width / height):
            return None
        small.load()
        picture = _to_rgb(small)
    except (Image.UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, OSError,
            ValueError, EOFError, IndexError, TypeError, KeyError, ZeroDivisionError):
        return None  # a damaged camera thumbnail: the photo is decoded instead
    transpose = _TRANSPOSE.get(meta.get("orientation", 1))
    if transpose is not None:
        picture = picture.transpose(transpose)
    meta.update(format=photo_format, width=width, height=height, thumbnail="camera")
    return _jpeg(_shrink(picture, THUMBNAIL_SIZE), 80)


def preview_jpeg(data: bytes, name: str, media_type: str
                 ) -> tuple[bytes, dict[str, Any], CaptureError | None]:
    """The preview of a photo's original (1600-2400 px long side, upright) as JPEG bytes."""
    picture, meta, warning = _open_photo(data, name, media_type, PREVIEW_SIZE)
    return _jpeg(picture, PREVIEW_QUALITY), meta, warning


def preview_pictures(data: bytes, name: str, media_type: str
                     ) -> tuple[tuple[bytes, bytes, dict[str, Any]], dict[str, Any],
                                CaptureError | None]:
    """From one decode: the preview, the thumbnail and the quality hints (for a photo whose
    camera thumbnail stood in at import)."""
    picture, meta, warning = _open_photo(data, name, media_type, PREVIEW_SIZE)
    thumbnail, hints = _thumbnail_and_hints(picture)
    return (_jpeg(picture, PREVIEW_QUALITY), thumbnail, hints), meta, warning


@contextlib.contextmanager
def _decode_errors(data: bytes, name: str) -> Iterator[None]:
    """What Pillow (and pillow-heif) raise on a bad file, as the file's outcome."""
    try:
        yield
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


_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                          0xCE, 0xCF})
_SOS = 0xDA


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, int]]:
    """(marker, offset of its length field) of each JPEG header segment, up to the first scan
    (start of scan included)."""
    position = 2
    while data.startswith(b"\xff\xd8") and position + 4 <= len(data):
        if data[position] != 0xFF:
            return
        marker = data[position + 1]
        if marker == 0xFF:  # fill bytes before a marker
            position += 1
            continue
        yield marker, position + 2
        if marker == _SOS:
            return
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")


def _scan_start(data: bytes) -> int | None:
    """Where a JPEG's first scan (its entropy-coded data) begins."""
    for marker, at in _jpeg_segments(data):
        if marker == _SOS:
            return at + int.from_bytes(data[at:at + 2], "big")
    return None


def _claimed_size(data: bytes) -> tuple[int | str, int | str]:
    """Width and height a PNG or JPEG header claims (Pillow refuses a bomb before saying)."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    for marker, at in _jpeg_segments(data):
        if marker in _SOF_MARKERS and at + 7 <= len(data):
            return (int.from_bytes(data[at + 5:at + 7], "big"),
                    int.from_bytes(data[at + 3:at + 5], "big"))
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
#
# Pillow finds the EXIF block wherever the format keeps it: any APP1 of a JPEG (an XMP segment
# may come first), a WebP's EXIF chunk, a PNG's eXIf, the block libheif hands over for HEIC.
# exifread then reads that block entry by entry (Pillow drops a whole IFD when one entry
# points outside the block), and each field is read on its own here: a phone that writes an
# empty GPS position as 0/0 fractions, or one entry of garbage, costs that field only.

_IFD_EXIF = 0x8769
_EXIF_HEADER = b"Exif\x00\x00"


def _exif_time(tags: dict[str, Any]) -> str:
    """DateTimeOriginal, else DateTimeDigitized, else DateTime, as ISO 8601 (camera clock)."""
    for key in ("EXIF DateTimeOriginal", "EXIF DateTimeDigitized", "Image DateTime"):
        try:
            return datetime.strptime(_text(tags.get(key)), "%Y:%m:%d %H:%M:%S").isoformat()
        except ValueError:
            continue
    return ""


def _text(tag: Any) -> str:
    value = getattr(tag, "values", tag)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    elif isinstance(value, str):
        # read as Latin-1 by some readers; phones (and this app's camera) write UTF-8
        try:
            value = value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
    return str(value if value is not None else "").replace("\x00", "").strip()


def _number(value: Any) -> float:
    if hasattr(value, "num") and hasattr(value, "den"):
        value = Fraction(value.num, value.den)  # 0/0, an empty field: ZeroDivisionError
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a number")
    return number


def _degrees(tag: Any, ref: Any, negative: str) -> float:
    values = getattr(tag, "values", None)
    if not values or len(values) != 3:
        raise ValueError("not degrees, minutes, seconds")
    degrees = _number(values[0]) + _number(values[1]) / 60 + _number(values[2]) / 3600
    if _text(ref).upper().startswith(negative):
        degrees = -degrees
    return round(degrees, 7)


def _fields(tags: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The camera details from exifread's tags, and the names of the fields that were there
    but could not be read."""
    meta: dict[str, Any] = {}
    skipped: list[str] = []

    def camera() -> None:
        for key, field_name in (("Image Make", "camera_make"), ("Image Model", "camera_model")):
            if _text(tags.get(key)):
                meta[field_name] = _text(tags[key])[:200]

    def taken() -> None:
        when = _exif_time(tags)
        if when:
            offset = _text(tags.get("EXIF OffsetTimeOriginal"))
            meta["taken_at"] = when + offset if offset else when

    def orientation() -> None:
        if "Image Orientation" in tags:
            value = int(tags["Image Orientation"].values[0])
            if 1 <= value <= 8:
                meta["orientation"] = value

    def position() -> None:
        if "GPS GPSLatitude" in tags and "GPS GPSLongitude" in tags:
            latitude = _degrees(tags["GPS GPSLatitude"], tags.get("GPS GPSLatitudeRef", "N"),
                                "S")
            longitude = _degrees(tags["GPS GPSLongitude"],
                                 tags.get("GPS GPSLongitudeRef", "E"), "W")
            if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                raise ValueError("out of range")
            meta["latitude"], meta["longitude"] = latitude, longitude

    def altitude() -> None:
        if "GPS GPSAltitude" in tags:
            metres = _number(tags["GPS GPSAltitude"].values[0])
            below = tags.get("GPS GPSAltitudeRef")
            if below is not None and int(below.values[0]) == 1:
                metres = -metres
            meta["altitude"] = round(metres, 2)

    for field_name, read in (("camera", camera), ("taken_at", taken),
                             ("orientation", orientation), ("gps", position),
                             ("altitude", altitude)):
        try:
            read()
        except (ValueError, TypeError, ZeroDivisionError, IndexError, AttributeError,
                OverflowError, KeyError):
            skipped.append(field_name)
    return meta, skipped


def _read_exif(image: Image.Image, name: str, data: bytes | None = None, *,
               thumbnail: bool = False
               ) -> tuple[dict[str, Any], CaptureError | None, bytes | None]:
    """Camera, time taken, GPS (signed decimal degrees), altitude, orientation, and with
    ``thumbnail`` the camera's own thumbnail (JPEG bytes), from an opened (not yet decoded)
    photo; ``data``: its bytes, for a TIFF (whose EXIF is the file's own header). EXIF that
    is there but unreadable as a whole is a warning: the photo is still worth keeping. A
    photo without EXIF (no APP1 marker, no EXIF chunk) is no warning."""
    raw = image.info.get("exif") or b""
    if isinstance(raw, str):
        raw = raw.encode("latin-1", "replace")
    block = raw[len(_EXIF_HEADER):] if raw.startswith(_EXIF_HEADER) else raw
    if not block and image.format == "TIFF" and data is not None:
        block = data
    if not block:
        return {}, None, None
    try:
        tags = exifread.process_file(io.BytesIO(block), details=False)
    except Exception:  # exifread raises anything from struct.error to ZeroDivisionError
        log.debug("EXIF of %s unreadable", name, exc_info=True)
        tags = {}
    embedded = tags.pop("JPEGThumbnail", None)
    if not tags:
        if image.format == "TIFF":
            return {}, None, None  # a scanner's TIFF: tags of the image, no camera's
        return {"exif_unreadable": True}, ExifUnreadable(name=name), None
    meta, skipped = _fields(tags)
    if skipped:
        meta["exif_skipped"] = skipped
    embedded = embedded if thumbnail and isinstance(embedded, bytes) and embedded else None
    return meta, None, embedded


# --- decoding, in other processes -------------------------------------------------------------
#
# Decoding a 12-megapixel JPEG is 40-80 ms of CPU, much of it holding the GIL (EXIF parsing,
# Pillow's conversions). Done on threads of the app, it took the GUI thread's turns: the window
# stalled for up to 400 ms during an import. So photos are decoded in a small pool of
# *spawned* processes at a lower CPU priority: they are sent plaintext bytes and send back JPEG
# bytes and camera details. The vault's keys never exist there (spawn starts a fresh
# interpreter; fork would copy the unlocked vault's memory), and encryption stays here.

DECODERS = max(1, min(4, os.cpu_count() or 1))
_DECODER_NICENESS = 10  # below the GUI and the recorder, which keep their turns
_decoders: ProcessPoolExecutor | None = None
_decoders_lock = threading.Lock()

_Decoded = tuple[Any, dict[str, Any] | None, tuple[type[CaptureError], dict[str, Any]] | None]


def _decoder_started(niceness: int) -> None:
    """The decoder's niceness, whatever it inherited from the thread that started it."""
    if sys.platform == "win32":  # no nice(): Windows has priority classes
        import psutil

        try:
            psutil.Process().nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        except psutil.Error:
            pass
    elif hasattr(os, "nice"):
        try:
            os.nice(max(0, niceness - os.nice(0)))
        except OSError:  # not allowed: run at the normal priority
            pass


def _decoder_pool() -> ProcessPoolExecutor:
    global _decoders
    with _decoders_lock:
        if _decoders is None:
            _decoders = ProcessPoolExecutor(
                max_workers=DECODERS, mp_context=multiprocessing.get_context("spawn"),
                initializer=_decoder_started, initargs=(_DECODER_NICENESS,))
        return _decoders


def _drop_decoder_pool(broken: ProcessPoolExecutor) -> None:
    global _decoders
    with _decoders_lock:
        if _decoders is broken:
            _decoders = None
    broken.shutdown(wait=False, cancel_futures=True)


def start_decoders() -> None:
    """Start the decoder processes now rather than at the first photo (each takes a few tenths
    of a second to start)."""
    pool = _decoder_pool()
    naps = [pool.submit(time.sleep, 0.05) for _ in range(DECODERS)]  # one each: all start
    _lower_new_decoders(pool)
    for nap in naps:
        nap.result()


def warm_up_decoders() -> None:
    """Start the decoder processes in the background, so the first import neither waits for
    them nor has their start-up (a Python interpreter importing Pillow and numpy, ~0.3 s of
    CPU each) compete with the window: they are lowered as soon as they exist."""
    with _decoders_lock:
        if _decoders is not None:
            return

    def start() -> None:
        try:
            start_decoders()
        except (OSError, RuntimeError, BrokenProcessPool):
            log.warning("decoder processes did not start ahead", exc_info=True)

    threading.Thread(target=start, name="decoders-warm-up", daemon=True).start()


def _lower_new_decoders(pool: ProcessPoolExecutor) -> None:
    """Lower the decoders this pool just started, from here, before their imports run (their
    initializer's ``nice`` comes only after them). Not by lowering the thread that starts
    them, which would be inherited: a low-priority thread holding the GIL while it waits for
    a core stalls the window. ``_processes`` is the executor's own table of its workers."""
    if not hasattr(os, "setpriority"):
        return  # Windows: the initializer sets the priority class
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.pid is None:
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to change
            if os.getpriority(os.PRIO_PROCESS, process.pid) < _DECODER_NICENESS:
                os.setpriority(os.PRIO_PROCESS, process.pid, _DECODER_NICENESS)


def shutdown_decoders() -> None:
    """Stop the decoder processes (they are started again when next needed)."""
    global _decoders
    with _decoders_lock:
        pool, _decoders = _decoders, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _in_decoder(work: Callable[..., Any], *args: Any) -> _Decoded:
    """Runs in a decoder process. A CaptureError is sent back as (class, details): its own
    pickling would keep only the message and lose the details the app's translation needs."""
    try:
        result, meta, warning = work(*args)
    except ImportFailed as error:
        return None, None, (type(error), error.details)
    return (result, meta,
            (type(warning), warning.details) if warning is not None else None)


@dataclass
class _Decoding:
    """A photo being decoded in a decoder process, with what is needed to try it again."""

    work: Callable[..., Any]
    args: tuple[Any, ...]
    pool: ProcessPoolExecutor
    future: Future[_Decoded]

    def cancel(self) -> None:
        self.future.cancel()


def _decode_soon(work: Callable[..., Any], *args: Any) -> _Decoding:
    pool = _decoder_pool()
    try:
        future = pool.submit(_in_decoder, work, *args)
    except (BrokenProcessPool, RuntimeError):  # a decoder died since the last photo
        _drop_decoder_pool(pool)
        pool = _decoder_pool()
        future = pool.submit(_in_decoder, work, *args)
    _lower_new_decoders(pool)
    return _Decoding(work, args, pool, future)


def _decoded(decoding: _Decoding, name: str) -> tuple[Any, dict[str, Any], Any]:
    """The result of ``_decode_soon``; ImportFailed raised here as it was in the decoder. A
    decoder that died (a file that crashes a codec, memory) is replaced and the photo tried
    once more; if it dies again the photo is reported damaged and the import goes on."""
    for attempt in range(2):
        try:
            result, meta, failure = decoding.future.result()
            break
        except BrokenProcessPool:
            _drop_decoder_pool(decoding.pool)
            if attempt:
                raise DamagedPhoto(name=name) from None
            decoding = _decode_soon(decoding.work, *decoding.args)
    if result is None:
        assert failure is not None
        error_class, details = failure
        raise error_class(**details)
    warning = failure[0](**failure[1]) if failure is not None else None
    return result, meta or {}, warning


def _decode_for_view(work: Callable[..., Any], data: bytes, name: str, media_type: str,
                     in_process: bool) -> Any:
    """``work``'s result on this thread when someone is waiting for it (a viewer opening),
    else in a decoder process at low priority (the idle pass)."""
    if in_process:
        return work(data, name, media_type)[0]
    return _decoded(_decode_soon(work, data, name, media_type), name)[0]


def make_preview(data: bytes, name: str, media_type: str, *, in_process: bool) -> bytes:
    """A photo's preview from its original bytes (see ``_decode_for_view``)."""
    return _decode_for_view(preview_jpeg, data, name, media_type, in_process)  # type: ignore[no-any-return]


def make_pictures(data: bytes, name: str, media_type: str, *, in_process: bool
                  ) -> tuple[bytes, bytes, dict[str, Any]]:
    """``make_preview``, with the thumbnail and the quality hints from the same decode (a
    photo whose camera thumbnail stood in at import)."""
    return _decode_for_view(preview_pictures, data, name, media_type, in_process)  # type: ignore[no-any-return]
