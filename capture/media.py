"""What the gallery and the viewer show: decrypted thumbnails, previews and video, in memory.

Thumbnails (~256 px) and previews (~1600 px) are JPEG objects with the camera's EXIF orientation
applied. Thumbnails are made at import. A JPEG photo's preview is made when it is first asked
for (decoding a 12-megapixel photo to 1600 px costs 60-80 ms, which would halve the import's
speed) and kept, encrypted, like any other object; ``make_missing_previews`` makes the rest
while the station is idle. A JPEG that carries a camera thumbnail (EXIF) is not decoded at
import at all: the camera's thumbnail stands in (page meta ``"thumbnail": "camera"``) until
the preview is made, and the same decode then gives the page its own thumbnail and its
quality hints (the stand-in's object is deleted unless another page shows it). Previews of
other formats and poster frames of videos are made at import. The page's own ``rotation`` (the
user's quarter turns) is NOT baked in: the UI turns the image by ``page.rotation`` when it shows
it, so rotating stays instant and never rewrites anything. Originals are never changed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from capture import importer, pictures
from capture.errors import CaptureError
from capture.models import Item, ObjectRow, Page
from capture.objects import ObjectReader
from capture.roles import Action, allowed
from capture.vault import UnlockedVault


class NoPreview(CaptureError):
    message = "There is no picture to show for this page."


def _page(vault: UnlockedVault, page_id: str) -> Page:
    if not allowed(vault.actor.role, Action.REVIEW):
        vault.require(Action.CAPTURE)
    with vault.reading() as session:
        page = session.get(Page, page_id)
        if page is None:
            from capture.visits import VisitNotFound

            raise VisitNotFound()
        return page


def _object_bytes(vault: UnlockedVault, name: str | None) -> bytes:
    if name is None:
        raise NoPreview()
    return vault.objects.read_bytes(name)


def thumbnail_bytes(vault: UnlockedVault, page_id: str) -> bytes:
    """The page's thumbnail as JPEG bytes (EXIF orientation applied, page.rotation not)."""
    return _object_bytes(vault, _page(vault, page_id).thumbnail_object)


def preview_bytes(vault: UnlockedVault, page_id: str) -> bytes:
    """The page's preview (1600–2400 px long side) as JPEG bytes (EXIF orientation applied,
    page.rotation not). For a video it is the poster frame. A photo whose preview was not made
    yet gets it now, on this thread (~0.1 s for 12 megapixels): show its thumbnail meanwhile."""
    page = _page(vault, page_id)
    if page.preview_object is None and page.media == "photo":
        return _make_preview(vault, page, in_process=True)
    return _object_bytes(vault, page.preview_object)


def page_meta(vault: UnlockedVault, page_id: str) -> dict[str, Any]:
    """The page's details as stored now (camera, size, quality hints, ``"thumbnail"``)."""
    return json.loads(_page(vault, page_id).meta or "{}")


def has_preview(vault: UnlockedVault, page_id: str) -> bool:
    """Whether ``preview_bytes`` only has to decrypt (True) or must decode the original."""
    page = _page(vault, page_id)
    return page.preview_object is not None or page.media != "photo"


def _make_preview(vault: UnlockedVault, page: Page, *, in_process: bool) -> bytes:
    """Decode the original to a preview and keep it (when this user may store objects: a
    coordinator only looking gets it made for the moment). A photo whose camera thumbnail
    stood in at import gets its own thumbnail and quality hints from the same decode."""
    original = vault.objects.read_bytes(page.object_name)
    meta = json.loads(page.meta or "{}")
    media_type = meta.get("media_type") or _object_type(vault, page.object_name)
    name = page.original_filename or "photo"
    better: tuple[bytes, dict[str, Any]] | None = None
    try:
        if meta.get("thumbnail") == "camera":
            jpeg, thumbnail, hints = pictures.make_pictures(original, name, media_type,
                                                            in_process=in_process)
            better = (thumbnail, hints)
        else:
            jpeg = pictures.make_preview(original, name, media_type, in_process=in_process)
    except pictures.ImportFailed:
        # Damage inside the scan of a camera JPEG, not decoded at import (only its end was
        # checked): marked once, shown as damaged, and not tried again by every pass.
        if allowed(vault.actor.role, Action.STORE_OBJECT):
            _mark_damaged(vault, page.id)
        raise
    del original
    if allowed(vault.actor.role, Action.STORE_OBJECT):
        _keep_preview(vault, page.id, jpeg, name, better)
    return jpeg


def _mark_damaged(vault: UnlockedVault, page_id: str) -> None:
    with vault.writing() as session:
        page = session.get(Page, page_id)
        if page is None:
            return
        meta = json.loads(page.meta or "{}")
        if meta.get("damaged"):
            return
        meta["damaged"] = True
        page.meta = json.dumps(meta, ensure_ascii=False)
        vault.audit(session, "change", "page", page_id, damaged=True)


def _object_type(vault: UnlockedVault, name: str) -> str:
    with vault.reading() as session:
        row = session.get(ObjectRow, name)
        return row.media_type if row is not None else "image/jpeg"


def _keep_preview(vault: UnlockedVault, page_id: str, jpeg: bytes, name: str,
                  better: tuple[bytes, dict[str, Any]] | None = None) -> None:
    """Store the preview and point the page at it; with ``better`` (thumbnail JPEG, quality
    hints) also replace the camera's stand-in thumbnail, in the same transaction. Two makers
    of the same preview (the viewer and the idle pass) write the same bytes, so the same
    object: the second finds it there."""
    stored = [(vault.objects.put_bytes(jpeg), f"preview of {name}")]
    if better is not None:
        stored.append((vault.objects.put_bytes(better[0]), f"thumbnail of {name}"))
    replaced: str | None = None
    try:
        with vault.writing() as session:
            page = session.get(Page, page_id)
            if page is None or page.preview_object is not None:
                return
            for each, label in stored:
                if session.get(ObjectRow, each.name) is None:
                    importer.add_object_row(vault, session, each, "image/jpeg", label)
            page.preview_object = stored[0][0].name
            if better is not None:
                replaced = page.thumbnail_object
                page.thumbnail_object = stored[1][0].name
                meta = json.loads(page.meta or "{}")
                meta.pop("thumbnail", None)
                meta["quality"] = better[1]
                page.meta = json.dumps(meta, ensure_ascii=False)
                session.flush()
                if replaced is not None and replaced != page.thumbnail_object:
                    replaced = _drop_if_unused(vault, session, replaced)
    finally:
        for each, _label in stored:
            if not each.duplicate:
                with vault.reading() as session:
                    kept = session.get(ObjectRow, each.name) is not None
                if not kept:  # the page went away meanwhile, or the write failed
                    vault.objects.remove(each.name)
    if replaced is not None:  # after the commit; a crash here leaves an orphan the unlock sweeps
        vault.objects.remove(replaced)


def _drop_if_unused(vault: UnlockedVault, session: Session, name: str) -> str | None:
    """Delete the row of the camera thumbnail a page no longer shows, unless any row still
    refers to it (the same photo as a page of another item): every column with a foreign key
    to ``objects`` is asked, as the schema lists them. Returns the name when its file may go."""
    references = session.execute(text(
        "SELECT m.name, f.\"from\" FROM sqlite_master AS m "
        "JOIN pragma_foreign_key_list(m.name) AS f "
        "WHERE m.type = 'table' AND f.\"table\" = 'objects'")).all()
    for table, column in references:
        # Names from the schema itself, not from anyone's input.
        used = text(f'SELECT 1 FROM "{table}" WHERE "{column}" = :name LIMIT 1')  # noqa: S608
        if session.execute(used, {"name": name}).first() is not None:
            return None
    session.execute(delete(ObjectRow).where(ObjectRow.name == name))
    vault.audit(session, "delete", "object", name, reason="camera thumbnail replaced")
    return name


def pages_without_preview(vault: UnlockedVault, item_id: str | None = None) -> list[str]:
    """Photo pages whose preview is still to be made (of one item, or all), in page order;
    not those found damaged."""
    damaged = func.coalesce(func.json_extract(Page.meta, "$.damaged"), 0)
    query = (select(Page.id).join(Item, Page.item_id == Item.id)
             .where(Page.media == "photo", Page.preview_object.is_(None), damaged == 0)
             .order_by(Item.visit_id, Item.position, Page.position))
    if item_id is not None:
        query = query.where(Page.item_id == item_id)
    with vault.reading() as session:
        return list(session.scalars(query))


def make_missing_previews(vault: UnlockedVault, page_ids: list[str] | None = None,
                          cancel: threading.Event | None = None,
                          busy: Callable[[], bool] | None = None) -> int:
    """The idle pass: make the previews not made yet, one at a time, decoded in a decoder
    process at low priority. Stops as soon as ``cancel`` is set or ``busy()`` says the station
    has better things to do (an import, a recording). Returns how many it made."""
    vault.require(Action.STORE_OBJECT)
    made = 0
    for page_id in pages_without_preview(vault) if page_ids is None else page_ids:
        if (cancel is not None and cancel.is_set()) or (busy is not None and busy()):
            break
        try:
            page = _page(vault, page_id)
        except CaptureError:  # removed meanwhile
            continue
        if page.preview_object is not None or page.media != "photo":
            continue
        try:
            _make_preview(vault, page, in_process=False)
        except pictures.ImportFailed:
            continue  # an original that does not decode: marked damaged, the viewer says so
        made += 1
    return made


def original_stream(vault: UnlockedVault, page_id: str) -> ObjectReader:
    """The original file, bit-exact, as a seekable read-only stream decrypted in memory."""
    return vault.objects.open_random(_page(vault, page_id).object_name)


def video_stream(vault: UnlockedVault, page_id: str) -> ObjectReader:
    """A readable, seekable file object over the decrypted video, decrypting one chunk (1 MiB)
    at a time in memory; ``.size`` is its length. Close it when done."""
    return original_stream(vault, page_id)
