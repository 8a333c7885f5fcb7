"""The item's pages panel and viewers, beyond tests/ui/test_gallery.py: the file dialog's
filter, Ctrl+Z, a camera photo taken twice, the camera picker, and a video played for real
(with its seek bar) without plaintext on disk."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from capture import importer, visits
from capture.importer import MEDIA_SUFFIXES
from ui.visit_editor import PagesPanel

from .visit_helpers import photos, visit_with_item, visits_page


def test_the_file_dialog_filter_lists_every_suffix_the_importer_reads_in_both_cases(
        app, qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = PagesPanel(lambda: None)  # type: ignore[arg-type, return-value]
    qtbot.addWidget(panel)
    media, everything = panel.media_filter().split(";;")
    assert media.startswith("Ảnh và video (") and everything == "Tất cả các tệp (*)"
    patterns = set(re.findall(r"\*(\.\w+)", media))
    assert patterns == MEDIA_SUFFIXES | {s.upper() for s in MEDIA_SUFFIXES}
    assert {".JPG", ".HEIC", ".MP4", ".TIFF", ".MKV"} <= patterns


def _open_item(qtbot, volunteer, visit_id):  # type: ignore[no-untyped-def]
    shell, page = visits_page(qtbot, volunteer)
    page.open_visit(visit_id)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.record is not None, timeout=10_000)
    editor.tabs.setCurrentWidget(editor.items)
    qtbot.waitUntil(lambda: editor.pages.item is not None, timeout=10_000)
    return shell, editor.pages


def _rotations(vault, visit_id):  # type: ignore[no-untyped-def]
    return [p.rotation for p in visits.load_visit(vault, visit_id).items[0].pages]


def test_keys_turn_the_chosen_page_and_ctrl_z_takes_the_turn_back(
        app, qtbot, volunteer, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui.importing import PreviewPass

    monkeypatch.setattr(PreviewPass, "start", lambda *_args: None)  # not under test here
    visit_id, item_id = visit_with_item(volunteer)
    importer.import_files(volunteer, item_id, photos(tmp_path / "cam", 3))
    shell, pages = _open_item(qtbot, volunteer, visit_id)
    shell.activateWindow()
    qtbot.waitUntil(lambda: shell.isActiveWindow(), timeout=5_000)
    pages.gallery.setFocus()
    pages.gallery.setCurrentIndex(pages.model.index(1))
    qtbot.waitUntil(lambda: pages.gallery.hasFocus(), timeout=5_000)

    qtbot.keyClick(pages.gallery, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _rotations(volunteer, visit_id) == [0, 90, 0], timeout=10_000)
    assert pages.model.pages[1].rotation == 90 and pages.undo_button.isEnabled()
    qtbot.keyClick(pages.gallery, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _rotations(volunteer, visit_id) == [0, 0, 0], timeout=10_000)
    assert pages.model.pages[1].rotation == 0 and not pages.undo_stack.canUndo()
    qtbot.keyClick(pages.gallery, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _rotations(volunteer, visit_id) == [0, 270, 0], timeout=10_000)
    assert "Ctrl+Z" in pages.undo_button.toolTip()

    # Only in the pages panel: Ctrl+Z in a text field of the editor is that field's own.
    title = pages.window().findChild(QLineEdit)
    assert title is not None and not pages.isAncestorOf(title)
    title.setFocus()
    qtbot.waitUntil(lambda: title.hasFocus(), timeout=5_000)
    qtbot.keyClick(title, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait(300)
    assert _rotations(volunteer, visit_id) == [0, 270, 0] and pages.undo_stack.canUndo()
