"""Camera-like files made on the spot: JPEG with EXIF (GPS, orientation, time), HEIC, PNG, TIFF,
WebP, an MP4, and the broken ones a memory card really holds."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

# Four colour blocks: what "upright" looks like. Top-left red, top-right green,
# bottom-left blue, bottom-right white; 2:1 wide so a quarter turn shows in the shape.
UPRIGHT_COLOURS = {"top_left": (255, 0, 0), "top_right": (0, 255, 0),
                   "bottom_left": (0, 0, 255), "bottom_right": (255, 255, 255)}

# What a camera stores for each EXIF orientation, given the upright picture: the inverse of
# the transform a viewer applies.
_STORED_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # the viewer turns it back with ROTATE_270
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def upright_blocks(width: int = 128, height: int = 64) -> Image.Image:
    image = Image.new("RGB", (width, height))
    half_w, half_h = width // 2, height // 2
    image.paste(UPRIGHT_COLOURS["top_left"], (0, 0, half_w, half_h))
    image.paste(UPRIGHT_COLOURS["top_right"], (half_w, 0, width, half_h))
    image.paste(UPRIGHT_COLOURS["bottom_left"], (0, half_h, half_w, height))
    image.paste(UPRIGHT_COLOURS["bottom_right"], (half_w, half_h, width, height))
    return image


def stored_for_orientation(orientation: int) -> Image.Image:
    image = upright_blocks()
    transpose = _STORED_AS[orientation]
    return image if transpose is None else image.transpose(transpose)


def photo(width: int = 400, height: int = 300, seed: int = 0) -> Image.Image:
    """Something like a photo: gradients and grain (so it is sharp and compresses like one)."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    base = np.stack(np.broadcast_arrays(160 * x + 60 * y, 200 * (1 - y) + 30 * x,
                                        120 + 80 * x * y), axis=-1)
    grain = rng.normal(0, 18, (height, width, 3)).astype(np.float32)
    return Image.fromarray(np.clip(base + grain, 0, 255).astype(np.uint8))


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600 * 1000)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds, 1000)


def exif(*, make: str = "Canon", model: str = "EOS 80D", taken: str = "2024:05:01 10:11:12",
         latitude: float | None = None, longitude: float | None = None,
         altitude: float | None = None, orientation: int | None = None) -> Image.Exif:
    tags = Image.Exif()
    tags[0x010F] = make
    tags[0x0110] = model
    if orientation is not None:
        tags[0x0112] = orientation
    tags.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    if latitude is not None and longitude is not None:
        gps = tags.get_ifd(0x8825)
        gps[0] = b"\x02\x03\x00\x00"
        gps[1] = "N" if latitude >= 0 else "S"
        gps[2] = _dms(latitude)
        gps[3] = "E" if longitude >= 0 else "W"
        gps[4] = _dms(longitude)
        if altitude is not None:
            gps[5] = b"\x00" if altitude >= 0 else b"\x01"
            gps[6] = Fraction(abs(altitude)).limit_denominator(100)
    return tags


def save_jpeg(path: Path, image: Image.Image | None = None, quality: int = 90,
              **exif_fields: object) -> Path:
    (image or photo()).save(path, "JPEG", quality=quality, exif=exif(**exif_fields).tobytes())
    return path


def camera_exif(picture: Image.Image, size: int = 160, **exif_fields: object) -> bytes:
    """EXIF as a camera writes it: the tags, and in IFD1 a small JPEG thumbnail of the
    picture as stored (before its orientation is applied), ``size`` px on the long side."""
    import piexif

    small = picture.copy()
    small.thumbnail((size, size))
    thumbnail = io.BytesIO()
    small.save(thumbnail, "JPEG", quality=75)
    tags = piexif.load(exif(**exif_fields).tobytes())  # type: ignore[arg-type]
    tags["thumbnail"] = thumbnail.getvalue()
    tags["1st"] = {piexif.ImageIFD.Compression: 6}  # 6: the thumbnail is a JPEG
    return piexif.dump(tags)


def save_camera_jpeg(path: Path, image: Image.Image | None = None, quality: int = 90,
                     thumbnail_size: int = 160, **exif_fields: object) -> Path:
    """A JPEG with a camera's EXIF thumbnail, as phones and cameras make them."""
    picture = image or photo()
    picture.save(path, "JPEG", quality=quality,
                 exif=camera_exif(picture, thumbnail_size, **exif_fields))
    return path


def save_heic(path: Path, image: Image.Image | None = None, **exif_fields: object) -> Path:
    import pillow_heif

    pillow_heif.register_heif_opener()
    (image or photo()).save(path, "HEIF", quality=80, exif=exif(**exif_fields).tobytes())
    return path


def bomb_png(path: Path, width: int = 30000, height: int = 30000) -> Path:
    """A tiny PNG whose header claims a huge picture."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1000)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
                     + chunk(b"IEND", b""))
    return path


def bomb_jpeg(path: Path) -> Path:
    """A real JPEG whose frame header is patched to claim 30000×30000 pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 90, 90)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = (30000).to_bytes(2, "big") + (30000).to_bytes(2, "big")
    path.write_bytes(bytes(data))
    return path


def corrupt_exif_jpeg(path: Path) -> Path:
    """A sound picture whose APP1 EXIF block is garbage (IFD offsets pointing nowhere)."""
    buffer = io.BytesIO()
    photo(seed=7).save(buffer, "JPEG", quality=85)
    data = buffer.getvalue()
    garbage = b"Exif\x00\x00" + b"II*\x00" + (0xFFFFFF00).to_bytes(4, "little") + bytes(
        range(256)) * 2
    app1 = b"\xff\xe1" + (len(garbage) + 2).to_bytes(2, "big") + garbage
    path.write_bytes(data[:2] + app1 + data[2:])
    return path


def mp4(path: Path, seconds: float = 2.0, fps: int = 10, size: tuple[int, int] = (160, 120),
        colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        frames = int(seconds * fps)
        for index in range(frames):
            picture = np.zeros((size[1], size[0], 3), dtype=np.uint8)
            picture[:] = colour
            picture[:, : (index * 7) % size[0]] //= 2
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
