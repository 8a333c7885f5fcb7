"""Copies the raster tiles of an uploaded (hostile) MBTiles file into a new one this server
writes, in a child process that sync/server/map_layers.py starts under prlimit with a timeout:
``python -m sync.server.mbtiles_copy SRC DST MAX_TILES MAX_TILE_BYTES`` prints one JSON line,
the summary or the refusal. Only the standard library: the child imports nothing of the server."""

from __future__ import annotations

import json
import math
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

IMAGE_MAGIC = {"png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",),
               "webp": (b"RIFF",)}


class CopyRefused(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def image_format(blob: bytes) -> str | None:
    for name, magics in IMAGE_MAGIC.items():
        if any(blob.startswith(m) for m in magics):
            if name == "webp" and blob[8:12] != b"WEBP":
                continue
            return name
    return None


def copy_mbtiles(source: Path, target: Path, max_tiles: int, max_tile_bytes: int
                 ) -> dict[str, Any]:
    """Copy the raster tiles of an uploaded MBTiles file into a new one (run in a child,
    ``python -m sync.server.mbtiles_copy``). Every tile's zoom, column and row must
    be on the tile grid and its bytes a PNG, JPEG or WebP image of at most ``max_tile_bytes``."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    src.execute("PRAGMA trusted_schema = OFF")  # a view or trigger in the file runs nothing
    src.execute("PRAGMA cell_size_check = ON")
    try:
        names = {r[0] for r in src.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        raise CopyRefused("corrupt", "not an SQLite database") from None
    if "tiles" not in names:
        raise CopyRefused("no_tiles", "an MBTiles file has a table of tiles")
    with closing(sqlite3.connect(target)) as out:
        out.executescript(
            "CREATE TABLE metadata (name TEXT, value TEXT);"
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
            " tile_data BLOB);"
            "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);")
        formats: set[str] = set()
        zooms: dict[int, list[int]] = {}  # zoom -> [min column, max column, min row, max row]
        count = 0
        try:
            rows = src.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            for z, x, y, blob in rows:
                if not (isinstance(z, int) and isinstance(x, int) and isinstance(y, int)
                        and 0 <= z <= 22 and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
                    raise CopyRefused("bad_tile", "a tile lies off the tile grid")
                if not isinstance(blob, bytes) or len(blob) > max_tile_bytes:
                    raise CopyRefused("bad_tile", "a tile is not an image of a tile's size")
                found = image_format(blob)
                if found is None:
                    raise CopyRefused("not_raster", "a tile is not a PNG, JPEG or WebP image "
                                     "(vector tiles are not drawn)")
                formats.add(found)
                count += 1
                if count > max_tiles:
                    raise CopyRefused("too_many_pixels", f"more than {max_tiles:,} tiles")
                box = zooms.setdefault(z, [x, x, y, y])
                box[:] = [min(box[0], x), max(box[1], x), min(box[2], y), max(box[3], y)]
                out.execute("INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", (z, x, y, blob))
        except sqlite3.DatabaseError as error:
            raise CopyRefused("corrupt", f"the MBTiles file is damaged: {error}") from None
        if not count:
            raise CopyRefused("no_tiles", "the MBTiles file holds no tile")
        top = max(zooms)
        x0, x1, y0, y1 = zooms[top]
        n = 2 ** top
        west, east = x0 / n * 360 - 180, (x1 + 1) / n * 360 - 180
        # TMS rows count from the south.
        south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (n - y0) / n))))
        north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (n - 1 - y1) / n))))
        fmt = sorted(formats)[0] if len(formats) == 1 else "png"
        summary = {"bounds": [west, south, east, north], "min_zoom": min(zooms), "max_zoom": top,
                   "tile_count": count, "format": fmt}
        out.executemany("INSERT INTO metadata VALUES (?, ?)", [
            ("format", fmt), ("minzoom", str(min(zooms))), ("maxzoom", str(top)),
            ("bounds", ",".join(f"{v:.7f}" for v in summary["bounds"]))])
        out.commit()
    src.close()
    return summary


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print("usage: python -m sync.server.mbtiles_copy SRC DST MAX_TILES MAX_TILE_BYTES",
              file=sys.stderr)
        return 2
    try:
        summary = copy_mbtiles(Path(argv[0]), Path(argv[1]), int(argv[2]), int(argv[3]))
    except CopyRefused as error:
        summary = {"error": error.code, "detail": error.detail}
    except sqlite3.Error as error:  # damaged anywhere: refused as damaged, not as a traceback
        summary = {"error": "corrupt", "detail": f"the MBTiles file is damaged: {error}"}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
