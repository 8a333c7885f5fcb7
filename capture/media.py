"""What the gallery and the viewer show: decrypted thumbnails, previews and video, in memory.

Thumbnails (~256 px) and previews (~1600 px) are JPEG objects made at import with the camera's
EXIF orientation applied. The page's own ``rotation`` (the user's quarter turns) is NOT baked in:
the UI turns the image by ``page.rotation`` when it shows it, so rotating stays instant and never
rewrites anything. Originals are never changed.
"""

from __future__ import annotations

from capture.errors import CaptureError
from capture.models import Page
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
    page.rotation not). For a video it is the poster frame."""
    return _object_bytes(vault, _page(vault, page_id).preview_object)


def original_stream(vault: UnlockedVault, page_id: str) -> ObjectReader:
    """The original file, bit-exact, as a seekable read-only stream decrypted in memory."""
    return vault.objects.open_random(_page(vault, page_id).object_name)


def video_stream(vault: UnlockedVault, page_id: str) -> ObjectReader:
    """A readable, seekable file object over the decrypted video, decrypting one chunk (1 MiB)
    at a time in memory; ``.size`` is its length. Close it when done."""
    return original_stream(vault, page_id)
