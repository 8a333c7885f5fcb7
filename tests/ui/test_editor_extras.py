"""The item's pages panel and viewers, beyond tests/ui/test_gallery.py: the file dialog's
filter, Ctrl+Z, a camera photo taken twice, the camera picker, and a video played for real
(with its seek bar) without plaintext on disk."""

from __future__ import annotations

import re

from capture.importer import MEDIA_SUFFIXES
from ui.visit_editor import PagesPanel


def test_the_file_dialog_filter_lists_every_suffix_the_importer_reads_in_both_cases(
        app, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = PagesPanel(lambda: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    media, everything = panel.media_filter().split(";;")
    assert media.startswith("Ảnh và video (") and everything == "Tất cả các tệp (*)"
    patterns = set(re.findall(r"\*(\.\w+)", media))
    assert patterns == MEDIA_SUFFIXES | {s.upper() for s in MEDIA_SUFFIXES}
    assert {".JPG", ".HEIC", ".MP4", ".TIFF", ".MKV"} <= patterns
