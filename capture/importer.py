"""Bringing photos and videos into a visit: from files, folders, a memory card or a phone.

``find_media(paths)`` turns what the user picked (files, folders, a whole drive) into the list of
files to import; ``import_files(vault, item_id, files)`` stores each one encrypted, bit-exact,
with its thumbnail, preview and camera details, and says per file what happened. One bad file
never stops the others, and a file that fails leaves nothing of itself in the vault.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from capture.errors import CaptureError
from capture.vault import UnlockedVault

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


def find_media(paths: Iterable[Path]) -> list[Path]:
    """Files to import from what the user picked: files as they are, folders searched
    (a drive or phone: its DCIM folders), hidden and system files skipped, sorted by the
    time the photo was taken, then by name."""
    raise NotImplementedError


def find_removable_drives() -> list[Path]:
    """Mounted memory cards, USB sticks and phones (best effort)."""
    raise NotImplementedError


def import_files(vault: UnlockedVault, item_id: str, files: Sequence[Path],
                 progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> ImportReport:
    """Import ``files`` as new pages of the item, in order. ``progress(done, total, outcome)``
    is called after each file (on the calling thread); setting ``cancel`` stops at the next
    file or chunk, and the file being imported leaves nothing behind."""
    raise NotImplementedError
