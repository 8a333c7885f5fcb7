"""Photos, recordings and videos out of the archive.

- A photo's preview is made here once per (file, rotation, size) with Pillow, the stored
  rotation applied, and cached under DATA/previews; later views read the cache.
- Recordings and videos are streamed with HTTP Range (Starlette's FileResponse), so the
  browser's player seeks without downloading the whole file.
- Originals are downloads, for the roles that may have them; each is logged.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from sync.server import access_log, search
from sync.server import index as ix
from sync.server.web.app import Workbench

SIZES = {"thumb": 320, "view": 1600, "large": 3200}
STREAMED = ("video", "part", "webvtt", "ohms")  # played in the page
ORIGINALS = ("page", "video", "part", "part-original")  # downloaded whole


def _cached_preview(source: Path, sha256: str, rotation: int, size: int, cache: Path) -> Path:
    target = cache / sha256[:2] / f"{sha256}-r{rotation}-{size}.jpg"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image.draft("RGB", (size, size))  # JPEG: decode at a fraction of the size
        shown = ImageOps.exif_transpose(image).convert("RGB")
        shown.thumbnail((size, size))
        if rotation:
            shown = shown.rotate(-rotation, expand=True)  # stored clockwise, Pillow turns ccw
        # Written beside and renamed: two views at once never read half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            shown.save(out, "JPEG", quality=85)
    os.replace(temporary, target)
    return target


def preview(request: Request, wb: Workbench) -> Response:
    page_id = request.path_params["page_id"][:64]
    size = SIZES.get(request.query_params.get("size", "view"), SIZES["view"])
    with wb.store.begin() as conn:
        try:
            found = search.media_file(conn, request.state.actor, "page", page_id)
        except (search.NotFound, search.BadFilter):
            return wb.refuse(request, 404, "not_found")
        row = conn.execute(select(ix.index_pages.c.rotation, ix.index_pages.c.sha256)
                           .where(ix.index_pages.c.id == page_id)).one()
    try:
        from pillow_heif import register_heif_opener

        register_heif_opener()
    except ImportError:  # HEIC photos then show as "cannot be shown"; the rest work
        pass
    try:
        cached = _cached_preview(found.path, row.sha256 or page_id, row.rotation % 360, size,
                                 wb.data / "previews")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return wb.refuse(request, 415, "not_an_image")
    return FileResponse(cached, media_type="image/jpeg",
                        headers={"cache-control": "private, max-age=3600"})


def stream(request: Request, wb: Workbench) -> Response:
    kind = request.path_params["kind"]
    object_id = request.path_params["object_id"][:64]
    if kind not in STREAMED:
        return wb.refuse(request, 404, "not_found")
    with wb.store.begin() as conn:
        try:
            found = search.media_file(conn, request.state.actor, kind, object_id)
        except (search.NotFound, search.BadFilter):
            return wb.refuse(request, 404, "not_found")
        asked = request.headers.get("range", "")
        if kind in ("part", "video") and (not asked or asked.startswith("bytes=0-")):
            # A player asks many ranges while it plays and seeks: log the start, not each.
            access_log.record(conn, request.state.actor, "play", kind, object_id, wb.now(),
                              f"visit={found.visit_id}")
    return FileResponse(found.path, media_type=found.media_type,
                        headers={"cache-control": "private, no-store"})


def original(request: Request, wb: Workbench) -> Response:
    kind = request.path_params["kind"]
    object_id = request.path_params["object_id"][:64]
    if kind not in ORIGINALS:
        return wb.refuse(request, 404, "not_found")
    with wb.store.begin() as conn:
        try:
            found = search.media_file(conn, request.state.actor, kind, object_id)
        except (search.NotFound, search.BadFilter):
            return wb.refuse(request, 404, "not_found")
        access_log.record(conn, request.state.actor, "download", kind, object_id, wb.now(),
                          f"visit={found.visit_id}")
    return FileResponse(found.path, media_type="application/octet-stream",
                        filename=f"{kind}-{object_id}{found.path.suffix}",
                        headers={"cache-control": "private, no-store"})
