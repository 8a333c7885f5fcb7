"""What the gallery and the viewer show: decrypted thumbnails, previews and video, in memory.

Thumbnails (~256 px) and previews (~1600 px) are JPEG objects made at import with the camera's
EXIF orientation applied. The page's own ``rotation`` (the user's quarter turns) is NOT baked in:
the UI turns the image by ``page.rotation`` when it shows it, so rotating stays instant and never
rewrites anything. Originals are never changed.
"""

from __future__ import annotations

import io

from capture.errors import CaptureError
from capture.vault import UnlockedVault


class NoPreview(CaptureError):
    message = "There is no picture to show for this page."


def thumbnail_bytes(vault: UnlockedVault, page_id: str) -> bytes:
    """The page's thumbnail as JPEG bytes (EXIF orientation applied, page.rotation not)."""
    raise NotImplementedError


def preview_bytes(vault: UnlockedVault, page_id: str) -> bytes:
    """The page's preview (~1600 px) as JPEG bytes (EXIF orientation applied, rotation not)."""
    raise NotImplementedError


def video_stream(vault: UnlockedVault, page_id: str) -> io.RawIOBase:
    """A readable, seekable file object over the decrypted video, decrypting one chunk at a
    time in memory. Close it when done."""
    raise NotImplementedError
