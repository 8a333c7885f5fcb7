"""The item's pages panel and viewers, beyond tests/ui/test_gallery.py: the file dialog's
filter, Ctrl+Z, a camera photo taken twice, the camera picker, and a video played for real
(with its seek bar) without plaintext on disk."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLineEdit

from capture import importer, visits
from capture.importer import MEDIA_SUFFIXES
from ui.importing import jpeg_bytes
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


def test_a_camera_photo_already_in_the_item_is_told_with_its_page_number(
        app, qtbot, volunteer, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What the editor does with the camera's frames (there is no camera here: the frames are
    handed to the editor as the dialog's ``photo_taken`` would)."""
    from ui.importing import PreviewPass

    monkeypatch.setattr(PreviewPass, "start", lambda *_args: None)
    visit_id, item_id = visit_with_item(volunteer)
    files = photos(tmp_path / "cam", 2)
    importer.import_files(volunteer, item_id, files)
    _shell, pages = _open_item(qtbot, volunteer, visit_id)
    errors: list[str] = []
    pages.error.connect(errors.append)
    pages.open_camera()
    dialog = pages.camera_dialog
    assert dialog.isVisible()

    # The second file's bytes, as if the camera had made exactly them: page 2 already.
    pages._photo_taken(files[1].read_bytes())
    qtbot.waitUntil(lambda: "trang 2" in dialog.status.text(), timeout=10_000)
    assert dialog.status.text() == ("Ảnh này đã là trang 2 của hiện vật này: không thêm "
                                    "trang mới.")
    frame = QImage(640, 480, QImage.Format.Format_RGB32)
    frame.fill(QColor("#f4efe1"))
    data = jpeg_bytes(frame)
    pages._photo_taken(data)  # a new photo: a new page, nothing said about duplicates
    qtbot.waitUntil(lambda: pages.model.rowCount() == 3, timeout=10_000)
    dialog.tell("")
    pages._photo_taken(data)  # the same frame again
    qtbot.waitUntil(lambda: "trang 3" in dialog.status.text(), timeout=10_000)
    assert len(visits.load_visit(volunteer, visit_id).items[0].pages) == 3

    dialog.reject()  # closed before the answer came: a message box says it instead
    pages._photo_taken(data)
    qtbot.waitUntil(lambda: getattr(pages, "duplicate_notice", None) is not None, timeout=10_000)
    assert "trang 3" in pages.duplicate_notice.text()
    pages.duplicate_notice.accept()
    assert errors == [] and pages.model.rowCount() == 3
