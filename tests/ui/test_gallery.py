"""The item's gallery: thumbnails decrypted in the background, pages moved, turned, made the
cover and taken back with Undo; quality hints; the viewer; video read through a QIODevice."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtCore import QIODevice, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from capture import importer, media, visits
from tests.capture import mediafiles as mf
from ui.dialogs.importing import CameraDialog, jpeg_bytes, keep_photo
from ui.dialogs.page_viewer import VideoDevice
from ui.widgets.gallery import HintsRole, PageModel

from .visit_helpers import open_pages, photos, visit_with_item


def _open_item(qtbot, volunteer, visit_id):  # type: ignore[no-untyped-def]
    return open_pages(qtbot, volunteer, visit_id)[1]


def _order(vault, visit_id):  # type: ignore[no-untyped-def]
    item = visits.load_visit(vault, visit_id).items[0]
    return [p.id for p in item.pages], item


def test_thumbnails_load_then_pages_move_turn_and_undo(app, qtbot, volunteer, tmp_path,
                                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # This test shows the viewer making a preview on first view: the pass that opening an
    # item starts would race it (that pass: tests/ui/test_import_ui.py).
    from ui.dialogs.importing import PreviewPass

    monkeypatch.setattr(PreviewPass, "start", lambda *_args: None)
    visit_id, item_id = visit_with_item(volunteer)
    files = photos(tmp_path / "cam", 5)
    dark = tmp_path / "cam" / "IMG_DARK.JPG"
    Image.new("RGB", (400, 300), (4, 4, 4)).save(dark, "JPEG")
    importer.import_files(volunteer, item_id, [*files, dark])
    pages = _open_item(qtbot, volunteer, visit_id)
    model: PageModel = pages.model
    assert model.rowCount() == 6
    qtbot.waitUntil(lambda: all(model.loader.image(p.id) is not None for p in model.pages),
                    timeout=20_000)
    first = model.pages[0]
    pixmap = model.pixmap(first)
    assert pixmap is not None and pixmap.width() > pixmap.height()  # landscape, as shot
    assert "too_dark" in model.index(5).data(HintsRole)
    assert "tối" in model.index(5).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0).data(HintsRole) == []

    before, _ = _order(volunteer, visit_id)
    assert model.move_page(0, 3)  # what a drag does
    expected = before[1:4] + before[:1] + before[4:]
    assert model.order() == expected
    qtbot.waitUntil(lambda: _order(volunteer, visit_id)[0] == expected, timeout=10_000)
    pages.undo_stack.undo()
    assert model.order() == before
    qtbot.waitUntil(lambda: _order(volunteer, visit_id)[0] == before, timeout=10_000)

    pages.gallery.setCurrentIndex(model.index(0))
    pages.rotate_current(1)
    qtbot.waitUntil(lambda: _order(volunteer, visit_id)[1].pages[0].rotation == 90,
                    timeout=10_000)
    turned = model.pixmap(model.pages[0])
    assert turned is not None and turned.height() > turned.width()
    pages.undo_stack.undo()
    qtbot.waitUntil(lambda: _order(volunteer, visit_id)[1].pages[0].rotation == 0,
                    timeout=10_000)

    pages.gallery.setCurrentIndex(model.index(2))
    pages.cover_current()
    qtbot.waitUntil(lambda: _order(volunteer, visit_id)[1].cover_page_id == before[2],
                    timeout=10_000)

    # Its preview was not made at import (a JPEG's is made on first view): the viewer shows
    # the page at once (the thumbnail stands in) and then the preview, which is kept.
    assert media.pages_without_preview(volunteer, item_id) != []
    viewer = pages.open_viewer(before[2])
    qtbot.waitUntil(lambda: viewer.picture.pixmap() is not None
                    and not viewer.picture.pixmap().isNull(), timeout=10_000)
    qtbot.waitUntil(lambda: viewer.sharp, timeout=10_000)
    assert (viewer._image.width(), viewer._image.height()) == (400, 300)  # not the 256 px one
    assert before[2] not in media.pages_without_preview(volunteer, item_id)
    viewer.accept()

    pages.gallery.setCurrentIndex(model.index(4))
    pages.remove_current()
    qtbot.waitUntil(lambda: len(_order(volunteer, visit_id)[0]) == 5, timeout=10_000)
    assert model.rowCount() == 5


def test_many_thumbnails_load_only_for_what_is_shown(app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id, item_id = visit_with_item(volunteer)
    importer.import_files(volunteer, item_id, photos(tmp_path / "many", 60, (200, 150)))
    pages = _open_item(qtbot, volunteer, visit_id)
    pages.resize(700, 400)
    qtbot.wait(300)
    qtbot.waitUntil(lambda: pages.loader.pending() == 0, timeout=20_000)
    loaded = sum(pages.loader.image(p.id) is not None for p in pages.model.pages)
    assert 0 < loaded < 60  # the rows out of sight were never decrypted


def test_video_is_read_through_a_qiodevice_without_plaintext_on_disk(
        app, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _visit_id, item_id = visit_with_item(volunteer)
    clip = mf.mp4(tmp_path / "clip.mp4")
    report = importer.import_files(volunteer, item_id, [clip])
    page_id = report.page_ids[0]
    original = clip.read_bytes()
    device = VideoDevice(media.video_stream(volunteer, page_id))
    assert device.open(QIODevice.OpenModeFlag.ReadOnly)
    assert device.size() == len(original) and not device.isSequential()
    head = bytes(device.read(1000).data())
    assert head == original[:1000]
    assert device.seek(len(original) - 500)
    assert bytes(device.read(10_000).data()) == original[-500:]
    assert device.seek(100)
    assert bytes(device.read(50).data()) == original[100:150]
    device.close()
    # QMediaPlayer playback itself needs an audio/video output this headless machine lacks;
    # the device above is what the player reads.


def test_video_device_over_any_seekable_stream(app) -> None:  # type: ignore[no-untyped-def]
    data = bytes(range(256)) * 1000
    device = VideoDevice(io.BytesIO(data))
    device.open(QIODevice.OpenModeFlag.ReadOnly)
    assert device.bytesAvailable() == len(data)
    assert bytes(device.readAll().data()) == data


def test_no_camera_says_to_import_instead(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = CameraDialog()
    qtbot.addWidget(dialog)
    assert not dialog.has_camera  # this machine has none
    assert dialog.status.text() == ("Không tìm thấy máy ảnh — hãy nhập ảnh từ điện thoại "
                                    "hoặc thẻ nhớ.")
    assert not dialog.shoot.isVisibleTo(dialog)


def test_a_camera_photo_is_imported_like_a_file(app, volunteer) -> None:  # type: ignore[no-untyped-def]
    """What the camera screen does with a frame (the camera itself is missing here)."""
    _visit_id, item_id = visit_with_item(volunteer)
    frame = QImage(1280, 960, QImage.Format.Format_RGB32)
    frame.fill(QColor("#f4efe1"))
    painter = QPainter(frame)
    for row in range(0, 960, 24):  # lines of "handwriting": a sharp page
        painter.fillRect(80, row, 1100, 3, QColor("#20304a"))
    painter.end()
    data = jpeg_bytes(frame)
    page_id = keep_photo(volunteer, item_id, data, "camera-20261122-101500.jpg").page_id
    page = visits.load_visit(volunteer, _visit_id).items[0].pages[0]
    assert page.id == page_id and page.original_filename == "camera-20261122-101500.jpg"
    assert (page.meta["width"], page.meta["height"]) == (1280, 960)
    assert page.meta["quality"]["blurred"] is False and page.thumbnail_object is not None
    thumb = Image.open(io.BytesIO(media.thumbnail_bytes(volunteer, page_id)))
    assert thumb.size == (256, 192)
    with media.original_stream(volunteer, page_id) as stream:
        assert stream.read() == data
    # The same frame kept twice: one page, and the volunteer's second tap says which.
    assert keep_photo(volunteer, item_id, data, "camera-20261122-101501.jpg").page_id == page_id
    assert len(visits.load_visit(volunteer, _visit_id).items[0].pages) == 1
