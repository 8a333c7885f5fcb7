"""The command's own map layers: scanned wartime sheets georeferenced as GeoTIFF (Indian 1960 /
UTM, VN-2000, WGS 84, whatever CRS the file says), tiled with GDAL at upload, and MBTiles files
taken as they are. Every layer ends as one MBTiles file the server wrote itself, served as
``/map/layers/{id}/{z}/{x}/{y}.png`` to signed-in staff; nothing comes from the internet.

An uploaded raster is hostile. Before GDAL opens it: a size cap and the first bytes (a TIFF, a
BigTIFF or an SQLite file; a VRT or anything else that could name other files is refused), one
file alone in an empty folder (no sidecar is read). GDAL then runs as Debian's command-line
tools in a subprocess under ``prlimit`` (address space, file size, CPU seconds) with a wall-clock
timeout, ``GDAL_CACHEMAX``, one thread and PROJ's network off, the input driver named (``-if
GTiff``), so a file that makes GDAL crash, loop or swell ends that child and not the server. The
subprocesses are why the tools and not the Python bindings: a crash in a binding is the server's
crash, and an in-process memory cap would be the whole server's. What ``gdalinfo -json`` says is
checked (georeferenced, 8-bit, 1 to 4 bands, a pixel and tile budget) before anything is warped.
An MBTiles file is copied tile by tile, by this module in a bounded subprocess, into a fresh
database: each tile's place checked, each image's magic bytes and size; the server never opens
the uploaded SQLite file itself."""

from __future__ import annotations

import json
import math
import secrets
import shutil
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from sync.errors import SyncError
from sync.server.actors import ADMIN, ANALYST, READS, Actor, require
from sync.server.mbtiles_copy import image_format
from sync.server.store import metadata

STAFF = frozenset({ADMIN, ANALYST})  # add a layer
ADMINS = frozenset({ADMIN})  # remove one
FOLDER = "map-layers"
TILES = "tiles.mbtiles"
ID_LENGTH = 16
WEB_MERCATOR_RES0 = 2 * math.pi * 6378137 / 256  # metres per pixel at zoom 0
MAX_NAME = 200
# One sheet tiled at a time in this process: each GDAL child may take ``memory_bytes``, and the
# command's machine has a few cores and other work; a second upload waits for the first.
_BUILDS = threading.BoundedSemaphore(1)

map_layers = Table(
    "map_layers", metadata,
    Column("id", String(ID_LENGTH), primary_key=True),
    Column("name", Text, nullable=False),  # as staff named it: "Khe Sanh 6342 IV (L7014)"
    Column("kind", String(8), nullable=False),  # geotiff | mbtiles
    Column("filename", Text, nullable=False),  # as uploaded: shown, never used as a path
    Column("sha256", String(64), nullable=False, index=True),  # of the file as uploaded
    Column("size_bytes", BigInteger, nullable=False),
    Column("source_crs", Text, nullable=False),  # "Indian 1960 / UTM zone 48N (EPSG:3148)"
    Column("west", Float, nullable=False),  # WGS 84 bounds of the tiles
    Column("south", Float, nullable=False),
    Column("east", Float, nullable=False),
    Column("north", Float, nullable=False),
    Column("min_zoom", Integer, nullable=False),
    Column("max_zoom", Integer, nullable=False),
    Column("tile_count", Integer, nullable=False),
    Column("tile_format", String(8), nullable=False),  # png | jpg | webp
    Column("added_by", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False, index=True),
    Column("removed_by", String(64), nullable=True),
    Column("removed_at", DateTime(timezone=True), nullable=True, index=True),
)


class LayerError(SyncError):
    """A layer refused; ``code`` names the sentence the page says (``layererror.<code>``)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


class LayerNotFound(LayerError):
    def __init__(self, layer_id: str) -> None:
        super().__init__("not_found", f"no map layer {layer_id!r}")


@dataclass(frozen=True)
class Limits:
    """What one upload may cost. A 1:50,000 sheet scanned at 600 dpi is about 11,000 pixels a
    side (120 Mpx) and tiles to zoom 16 in a minute on one core."""
    max_bytes: int = 1 << 30
    max_pixels: int = 400_000_000  # of the source
    max_output_pixels: int = 1_600_000_000  # of the sheet warped at its zoom
    max_zoom: int = 18
    max_tiles: int = 1_000_000  # of an MBTiles file
    max_tile_bytes: int = 1 << 20
    timeout_s: float = 600.0  # all the steps of one upload together
    memory_bytes: int = 2 << 30  # address space of each GDAL process
    output_bytes: int = 4 << 30  # the largest file a GDAL process may write
    cache_mb: int = 128  # GDAL_CACHEMAX


@dataclass(frozen=True)
class Built:
    """A layer made in its work folder, ready to be recorded."""
    kind: str
    folder: Path
    sha256: str
    size_bytes: int
    source_crs: str
    bounds: tuple[float, float, float, float]  # west, south, east, north
    min_zoom: int
    max_zoom: int
    tile_count: int
    tile_format: str


# --- what an upload is, from its first bytes ----------------------------------------------------

TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # TIFF and BigTIFF, both orders
SQLITE_MAGIC = b"SQLite format 3\x00"
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def kind_of(head: bytes) -> str:
    """``geotiff`` or ``mbtiles`` from a file's first 16 bytes; LayerError otherwise."""
    if head[:4] in TIFF_MAGIC:
        return "geotiff"
    if head[:16] == SQLITE_MAGIC:
        return "mbtiles"
    raise LayerError("not_a_layer", "only a GeoTIFF or an MBTiles file can be a map layer")


# --- GDAL, bounded ------------------------------------------------------------------------------

def _env(limits: Limits, work: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(work), "LC_ALL": "C.UTF-8",
            "GDAL_CACHEMAX": str(limits.cache_mb), "GDAL_NUM_THREADS": "1",
            "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",  # no sidecar is looked for
            "GDAL_PAM_ENABLED": "NO",  # no .aux.xml written beside anything
            "PROJ_NETWORK": "OFF", "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".none",
            "GDAL_HTTP_TIMEOUT": "1", "GDAL_HTTP_MAX_RETRY": "0"}


class _Budget:
    def __init__(self, limits: Limits) -> None:
        import time

        self._clock = time.monotonic
        self.deadline = self._clock() + limits.timeout_s

    def left(self) -> float:
        left = self.deadline - self._clock()
        if left <= 0:
            raise LayerError("timeout", "making the layer took too long")
        return left


def _run(args: list[str], work: Path, limits: Limits, budget: _Budget,
         max_output: int = 8 << 20) -> str:
    """Run one tool under prlimit in ``work``; its standard output (at most ``max_output``
    bytes). A failure, a kill by a limit or the clock is a LayerError, never a server crash."""
    left = budget.left()
    command = ["prlimit", f"--as={limits.memory_bytes}", f"--fsize={limits.output_bytes}",
               f"--cpu={int(left) + 1}", "--core=0", "--", *args]
    try:
        done = subprocess.run(command, cwd=work, env=_env(limits, work), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=left, check=False)
    except subprocess.TimeoutExpired:
        raise LayerError("timeout", f"{args[0]} took too long") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LayerError("corrupt", f"{args[0]} failed ({done.returncode}): "
                         f"{' '.join(said[-3:])[:500]}")
    if len(done.stdout) > max_output:
        raise LayerError("corrupt", f"{args[0]} said too much about this file")
    return done.stdout.decode("utf-8", "replace")


def _info(path: str, driver: str, work: Path, limits: Limits, budget: _Budget) -> dict[str, Any]:
    out = _run(["gdalinfo", "-json", "-nomd", "-norat", "-noct", "-if", driver, path], work,
               limits, budget)
    try:
        info = json.loads(out)
    except ValueError:
        raise LayerError("corrupt", "gdalinfo did not describe this file") from None
    if not isinstance(info, dict):
        raise LayerError("corrupt", "gdalinfo did not describe this file")
    return info


def _crs_name(info: dict[str, Any]) -> str:
    """The CRS's name and EPSG code from its WKT, for people ("Indian 1960 / UTM zone 48N
    (EPSG:3148)"); the WKT itself goes to GDAL untouched."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    wkt = ((info.get("coordinateSystem") or {}).get("wkt")
           or ((info.get("gcps") or {}).get("coordinateSystem") or {}).get("wkt") or "")
    if not wkt:
        return ""
    try:
        crs = CRS.from_wkt(wkt)
    except CRSError:
        return "?"
    code = crs.to_epsg(min_confidence=70)
    return f"{crs.name} (EPSG:{code})" if code else crs.name


def _check_source(info: dict[str, Any], limits: Limits) -> None:
    size = info.get("size")
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(n, int) for n in size)):
        raise LayerError("corrupt", "the image has no size")
    width, height = size
    if width < 1 or height < 1 or width * height > limits.max_pixels:
        raise LayerError("too_many_pixels", f"{width}×{height} pixels: at most "
                         f"{limits.max_pixels:,} are tiled")
    transform = info.get("geoTransform")
    gcps = (info.get("gcps") or {}).get("gcpList") or []
    georeferenced = (isinstance(transform, list) and len(transform) == 6
                     and transform != [0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
                     and transform[1] != 0 and transform[5] != 0) or len(gcps) >= 3
    if not georeferenced or not _crs_name(info):
        raise LayerError("not_georeferenced", "the image says nothing of where it lies "
                         "(no coordinate system, no geotransform or control points)")
    bands = info.get("bands") or []
    if not 1 <= len(bands) <= 4:
        raise LayerError("bad_bands", f"{len(bands)} bands: 1 to 4 (grey, RGB, RGBA) are tiled")
    if any(b.get("type") != "Byte" for b in bands if isinstance(b, dict)):
        raise LayerError("bad_bands", "only 8-bit images are tiled")


def _zoom(res_m: float, limits: Limits) -> int:
    """The zoom whose pixel is nearest the sheet's own, at most ``max_zoom``."""
    if not res_m > 0:
        raise LayerError("corrupt", "the image's pixel size is not a size")
    return max(0, min(limits.max_zoom, round(math.log2(WEB_MERCATOR_RES0 / res_m))))


def build_geotiff(source: Path, limits: Limits, budget: _Budget) -> tuple[str, int]:
    """Tile ``source`` (alone in its folder) into TILES beside it; (source CRS, max zoom)."""
    work = source.parent
    info = _info(source.name, "GTiff", work, limits, budget)
    _check_source(info, limits)
    crs = _crs_name(info)
    src = source.name
    if any(b.get("colorInterpretation") == "Palette" for b in info.get("bands") or []):
        # A paletted scan is expanded before warping: bilinear between palette indices is noise.
        _run(["gdal_translate", "-q", "-if", "GTiff", "-of", "VRT", "-expand", "rgba", src,
              "expanded.vrt"], work, limits, budget)
        src = "expanded.vrt"
    # A first warp (a VRT: nothing computed yet) says the sheet's pixel in Web Mercator.
    _run(["gdalwarp", "-q", "-overwrite", "-t_srs", "EPSG:3857", "-of", "VRT", src,
          "probe.vrt"], work, limits, budget)
    probe = _info("probe.vrt", "VRT", work, limits, budget)
    transform = probe.get("geoTransform") or [0, 0, 0, 0, 0, 0]
    zoom = _zoom(abs(float(transform[1])), limits)
    res = WEB_MERCATOR_RES0 / 2 ** zoom
    width, height = probe.get("size") or [0, 0]
    across, down = width * abs(float(transform[1])) / res, height * abs(float(transform[5])) / res
    out_pixels = across * down
    if out_pixels > limits.max_output_pixels:
        raise LayerError("too_many_pixels", f"the sheet would be {out_pixels:,.0f} pixels "
                         "at its zoom")
    # Pixels aligned on the zoom's tile grid (-tap), so the MBTiles driver cuts, not resamples;
    # outside the sheet is transparent (-dstalpha).
    _run(["gdalwarp", "-q", "-overwrite", "-t_srs", "EPSG:3857", "-tr", repr(res), repr(res),
          "-tap", "-r", "bilinear", "-dstalpha", "-wm", "64", "-of", "VRT", src, "warped.vrt"],
         work, limits, budget)
    _run(["gdal_translate", "-q", "-if", "VRT", "-of", "MBTILES", "-co", "TILE_FORMAT=PNG",
          "-co", "ZOOM_LEVEL_STRATEGY=AUTO", "warped.vrt", TILES], work, limits, budget)
    factors, side = [], max(across, down)
    while side / 2 ** len(factors) > 256 and len(factors) < zoom:
        factors.append(str(2 ** (len(factors) + 1)))
    if factors:
        _run(["gdaladdo", "-q", "-r", "average", TILES, *factors], work, limits, budget)
    return crs, zoom


def _tiles_summary(path: Path) -> dict[str, Any]:
    """Zooms, count and WGS 84 bounds of an MBTiles file this server wrote."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        low, high, count = db.execute(
            "SELECT min(zoom_level), max(zoom_level), count(*) FROM tiles").fetchone()
        meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
    if not count:
        raise LayerError("no_tiles", "GDAL made no tile of this sheet")
    west, south, east, north = (float(v) for v in meta["bounds"].split(","))
    return {"bounds": [west, south, east, north], "min_zoom": low, "max_zoom": high,
            "tile_count": count, "format": meta.get("format", "png").replace("jpeg", "jpg")}


# --- a layer's life ------------------------------------------------------------------------------

def layers_folder(data: Path) -> Path:
    return data / FOLDER


def _layer_folder(data: Path, layer_id: str) -> Path:
    if len(layer_id) != ID_LENGTH or not all(c in "0123456789abcdef" for c in layer_id):
        raise LayerNotFound(layer_id)
    return layers_folder(data) / layer_id


def new_work_folder(data: Path) -> tuple[str, Path]:
    """A fresh, empty folder for one upload (its id, its path)."""
    layer_id = secrets.token_hex(ID_LENGTH // 2)
    folder = layers_folder(data) / f".incoming-{layer_id}"
    folder.mkdir(parents=True, mode=0o700)
    return layer_id, folder


def build(actor: Actor, source: Path, sha256: str, limits: Limits | None = None) -> Built:
    """Make a layer of ``source`` (the upload, alone in its work folder, already within the
    size cap): its tiles in TILES beside it. Staff only; the role is checked before GDAL runs."""
    require(actor, STAFF, "add a map layer")
    limits = limits or Limits()
    size = source.stat().st_size
    if size > limits.max_bytes:
        raise LayerError("too_large", f"at most {limits.max_bytes:,} bytes")
    with source.open("rb") as f:
        kind = kind_of(f.read(16))
    if not _BUILDS.acquire(timeout=min(120.0, limits.timeout_s)):
        raise LayerError("busy", "another sheet is being tiled")
    try:
        return _build(kind, source, sha256, size, limits, _Budget(limits))
    finally:
        _BUILDS.release()


def _build(kind: str, source: Path, sha256: str, size: int, limits: Limits, budget: _Budget
           ) -> Built:
    work = source.parent
    if kind == "geotiff":
        crs, _zoom_made = build_geotiff(source, limits, budget)
        summary = _tiles_summary(work / TILES)
    else:
        crs = "EPSG:3857 (MBTiles)"
        out = _run([sys.executable, "-m", "sync.server.mbtiles_copy", source.name,
                    TILES, str(limits.max_tiles), str(limits.max_tile_bytes)], work, limits,
                   budget)
        try:
            summary = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise LayerError("corrupt", "the MBTiles file could not be read") from None
        if "error" in summary:
            raise LayerError(summary["error"], summary.get("detail", ""))
    west, south, east, north = summary["bounds"]
    return Built(kind, work, sha256, size, crs, (west, south, east, north),
                 int(summary["min_zoom"]), int(summary["max_zoom"]), int(summary["tile_count"]),
                 str(summary["format"]))


def record(conn: Connection, actor: Actor, data: Path, built: Built, name: str, filename: str,
           now: datetime) -> str:
    """Record a built layer and move its folder into place; its id."""
    require(actor, STAFF, "add a map layer")
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        raise LayerError("no_name", "a layer needs a name")
    layer_id = built.folder.name.removeprefix(".incoming-")
    west, south, east, north = built.bounds
    conn.execute(insert(map_layers).values(
        id=layer_id, name=name, kind=built.kind, filename=filename[:MAX_NAME],
        sha256=built.sha256, size_bytes=built.size_bytes, source_crs=built.source_crs[:200],
        west=west, south=south, east=east, north=north, min_zoom=built.min_zoom,
        max_zoom=built.max_zoom, tile_count=built.tile_count, tile_format=built.tile_format,
        added_by=actor.username, added_at=now))
    for scratch in built.folder.glob("*.vrt"):
        scratch.unlink()
    built.folder.rename(_layer_folder(data, layer_id))
    return layer_id


def discard(folder: Path) -> None:
    """Remove an upload's work folder (a refused or failed layer)."""
    if folder.name.startswith(".incoming-"):
        shutil.rmtree(folder, ignore_errors=True)


def _row(layer: Any) -> dict[str, Any]:
    out = dict(layer._mapping)
    out["bounds"] = [out["west"], out["south"], out["east"], out["north"]]
    return out


def layers(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """The layers in use, oldest first (the map stacks them in that order)."""
    require(actor, READS, "see the map layers")
    return [_row(r) for r in conn.execute(select(map_layers).where(
        map_layers.c.removed_at.is_(None)).order_by(map_layers.c.added_at, map_layers.c.id))]


def remove(conn: Connection, actor: Actor, data: Path, layer_id: str, now: datetime) -> None:
    """Take a layer off the map: its files deleted, its row kept (who added and removed it)."""
    require(actor, ADMINS, "remove a map layer")
    folder = _layer_folder(data, layer_id)
    done = conn.execute(update(map_layers).where(map_layers.c.id == layer_id,
                                                 map_layers.c.removed_at.is_(None))
                        .values(removed_by=actor.username, removed_at=now))
    if not done.rowcount:
        raise LayerNotFound(layer_id)
    shutil.rmtree(folder, ignore_errors=True)


def tile(conn: Connection, actor: Actor, data: Path, layer_id: str, z: int, x: int, y: int
         ) -> tuple[bytes, str] | None:
    """One tile (XYZ numbering, as Leaflet asks) and its media type; None where the layer has
    none. LayerNotFound for a layer that is not (or no longer) on the map."""
    require(actor, READS, "see the map layers")
    folder = _layer_folder(data, layer_id)
    row = conn.execute(select(map_layers.c.min_zoom, map_layers.c.max_zoom).where(
        map_layers.c.id == layer_id, map_layers.c.removed_at.is_(None))).first()
    if row is None:
        raise LayerNotFound(layer_id)
    if not (row.min_zoom <= z <= row.max_zoom and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
        return None
    with closing(sqlite3.connect(f"file:{folder / TILES}?mode=ro&immutable=1", uri=True)) as db:
        found = db.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ?"
                           " AND tile_row = ?", (z, x, 2 ** z - 1 - y)).fetchone()
    if found is None:
        return None
    fmt = image_format(found[0]) or "png"
    return found[0], MEDIA_TYPES[fmt]
