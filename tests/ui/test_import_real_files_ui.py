"""What the volunteer sees of the import's real-file cases: a shot from the camera screen
carries its time and camera, a damaged photo is marked red with its reason, a clip the player
cannot decode says so, an empty recording is refused in words, and cancelling while the files
are still being looked for stops."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from capture import importer, media, pictures, visits
from tests.capture import mediafiles as mf
from ui.dialogs.importing import CameraDialog, ImportPanel, keep_photo
from ui.dialogs.page_viewer import PageViewer
from ui.errors import user_message
from ui.widgets.gallery import HintsRole, PageDelegate, PageModel, ThumbnailLoader

from .visit_helpers import visit_with_item


def test_a_shot_from_the_camera_screen_carries_time_camera_and_orientation(
        app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtMultimedia import QCameraDevice

    when = datetime(2026, 7, 27, 8, 30, 5, tzinfo=timezone(timedelta(hours=7)))
    dialog = CameraDialog(clock=lambda: when)
    qtbot.addWidget(dialog)
    dialog.set_cameras([QCameraDevice()])  # Qt's empty device stands for a camera here
    frame = QImage(640, 480, QImage.Format.Format_RGB32)
    frame.fill(QColor("#f4efe1"))
    with qtbot.waitSignal(dialog.photo_taken) as shot:
        dialog._captured(1, frame)  # what QImageCapture.imageCaptured hands over
    data = shot.args[0]
    dialog.reject()
    _visit_id, item_id = visit_with_item(volunteer)
    page_id = keep_photo(volunteer, item_id, data, "camera-20260727-083005.jpg").page_id
    meta = media.page_meta(volunteer, page_id)
    assert (meta["camera_make"], meta["camera_model"], meta["taken_at"],
            meta["orientation"]) == ("Số hóa ký ức", "Máy ảnh 1",
                                     "2026-07-27T08:30:05+07:00", 1)


def test_a_photo_found_damaged_is_marked_red_with_its_reason(
        app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id, item_id = visit_with_item(volunteer)
    good = mf.save_camera_jpeg(tmp_path / "good.jpg", image=mf.photo(800, 600))
    data = good.read_bytes()
    middle = (pictures._scan_start(data) + data.rfind(b"\xff\xd9")) // 2
    bad = tmp_path / "IMG_0004.JPG"
    bad.write_bytes(data[:middle] + b"\xff\xc8" + data[middle:])  # a stray marker in the scan
    importer.import_files(volunteer, item_id, [good, bad])
    media.make_missing_previews(volunteer)
    pages = visits.load_visit(volunteer, visit_id).items[0].pages
    model = PageModel(ThumbnailLoader(lambda: volunteer))
    model.set_pages(pages, None)
    assert model.index(0).data(HintsRole) == []
    assert model.index(1).data(HintsRole) == ["damaged"]
    assert "bị hỏng" in model.index(1).data(Qt.ItemDataRole.ToolTipRole)
    from PySide6.QtWidgets import QListView

    view = QListView()
    qtbot.addWidget(view)
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setModel(model)
    view.setItemDelegate(PageDelegate(view))
    view.resize(460, 260)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: all(model.loader.image(p.id) is not None for p in pages),
                    timeout=20_000)
    shot = view.viewport().grab().toImage()
    shot.save(str(tmp_path / "damaged.png"))
    # a red badge in the second cell's top-right corner; none on the first

    def red_in_corner(row: int) -> int:
        cell = view.visualRect(model.index(row))
        return sum(1 for x in range(cell.right() - 40, cell.right())
                   for y in range(cell.top(), cell.top() + 40)
                   if (c := shot.pixelColor(x, y)).red() > 180 and c.green() < 80)

    assert red_in_corner(1) > 200 and red_in_corner(0) == 0
    viewer = PageViewer(volunteer, pages[1])
    qtbot.addWidget(viewer)
    assert "bị hỏng" in viewer.hints.text()


def test_a_clip_the_player_cannot_decode_says_so(app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtMultimedia import QMediaPlayer

    visit_id, item_id = visit_with_item(volunteer)
    importer.import_files(volunteer, item_id, [mf.mp4(tmp_path / "clip.mp4", seconds=2.0)])
    page = visits.load_visit(volunteer, visit_id).items[0].pages[0]
    viewer = PageViewer(volunteer, page)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.player is not None and viewer.player.position() > 0,
                    timeout=15_000)
    # what QMediaPlayer reports when FFmpeg fails on a frame past the poster
    viewer.player.errorOccurred.emit(QMediaPlayer.Error.FormatError, "decoding failed")
    assert viewer.message.isVisible()
    assert viewer.message.text().startswith("Không phát được video này")
    assert not viewer.play_button.isEnabled()
    viewer.reject()


def test_an_empty_recording_is_refused_in_vietnamese(app) -> None:  # type: ignore[no-untyped-def]
    from capture.audio import EmptyRecording

    text = user_message(EmptyRecording(name="phan-2.wav"))
    assert text.startswith("Bản ghi âm phan-2.wav") and "0 giây" in text


def test_cancel_while_looking_for_files_stops_without_importing(
        app, qtbot, volunteer, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _visit_id, item_id = visit_with_item(volunteer)
    folder = tmp_path / "card" / "DCIM"
    folder.mkdir(parents=True)
    mf.save_jpeg(folder / "IMG_0001.JPG")
    looking = threading.Event()
    real_walk = importer._walk

    def slow_walk(root, cancel):  # type: ignore[no-untyped-def]
        looking.set()
        assert cancel is not None and cancel.wait(10)  # a slow phone: still walking
        yield from real_walk(root, cancel)

    monkeypatch.setattr(importer, "_walk", slow_walk)
    panel = ImportPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.finished, timeout=15_000) as done:
        panel.start(volunteer, item_id, [tmp_path / "card"])
        assert looking.wait(10)
        panel.cancel()
    assert done.args[0].outcomes == []
    assert visits.load_visit(volunteer, _visit_id).items[0].pages == []
