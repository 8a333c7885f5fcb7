"""The item's pages panel and viewers, beyond tests/ui/test_gallery.py: the file dialog's
filter, Ctrl+Z, a camera photo taken twice, the camera picker, and a video played for real
(with its seek bar) without plaintext on disk."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLineEdit

from capture import importer, visits
from capture.importer import MEDIA_SUFFIXES
from tests.capture import mediafiles as mf
from ui import tasks
from ui.dialogs.importing import CameraDialog, best_video_format, jpeg_bytes
from ui.dialogs.page_viewer import PageViewer
from ui.pages.item_pages import PagesPanel
from ui.widgets.gallery import PageModel, ThumbnailLoader

from .visit_helpers import open_pages, photos, visit_with_item


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
    return open_pages(qtbot, volunteer, visit_id)


def _rotations(vault, visit_id):  # type: ignore[no-untyped-def]
    return [p.rotation for p in visits.load_visit(vault, visit_id).items[0].pages]


def test_keys_turn_the_chosen_page_and_ctrl_z_takes_the_turn_back(
        app, qtbot, volunteer, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.importing import PreviewPass

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
    from ui.dialogs.importing import PreviewPass

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


def test_the_camera_picker_follows_cameras_plugged_in_and_removed(app, qtbot) -> None:  # type: ignore[no-untyped-def]
    """This machine has no camera, and no camera is faked: the dialog starts in its no-camera
    state, and the handler QMediaDevices.videoInputsChanged calls is given lists chosen here.
    ``QCameraDevice()`` is Qt's own empty device (no stream: QCamera says "No camera
    detected"), standing in for what videoInputs() would list once something is plugged in."""
    from PySide6.QtMultimedia import QCameraDevice

    dialog = CameraDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    no_camera = "Không tìm thấy máy ảnh — hãy nhập ảnh từ điện thoại hoặc thẻ nhớ."
    assert not dialog.has_camera and dialog.picker.count() == 0
    assert dialog.status.text() == no_camera
    assert not dialog.picker.isVisible() and not dialog.shoot.isVisible()
    assert dialog.media_devices is not None  # listening for cameras plugged in

    dialog.set_cameras([])  # a list changed, still nothing
    assert dialog.picker.count() == 0 and dialog.status.text() == no_camera

    dialog.set_cameras([QCameraDevice()])  # one plugged in
    assert dialog.has_camera and dialog.picker.count() == 1
    assert dialog.picker.itemText(0) == "Máy ảnh 1"  # a camera without a name
    assert dialog.picker.isVisible() and not dialog.picker.isEnabled()  # nothing to choose
    assert dialog.shoot.isVisible() and dialog.camera is not None
    assert dialog.viewfinder is not None and dialog.viewfinder.isVisible()

    dialog.set_cameras([QCameraDevice(), QCameraDevice()])  # a second one
    assert dialog.picker.count() == 2 and dialog.picker.isEnabled()
    assert dialog.picker.itemText(1) == "Máy ảnh 2"
    dialog.picker.setCurrentIndex(1)  # the volunteer picks the other
    assert dialog.current_device() is dialog.devices[1] and dialog.camera is not None

    dialog.set_cameras([])  # both unplugged
    assert not dialog.has_camera and dialog.picker.count() == 0 and dialog.camera is None
    assert dialog.status.text() == no_camera
    assert not dialog.shoot.isVisible() and not dialog.viewfinder.isVisible()
    dialog.reject()


def test_the_chosen_camera_is_remembered_by_name(sohoa_home) -> None:  # type: ignore[no-untyped-def]
    from ui import settings

    saved = settings.load()
    assert saved.camera_device == ""
    saved.camera_device = "USB Document Camera"
    settings.save(saved)
    assert settings.load().camera_device == "USB Document Camera"
    settings.settings_path().write_text('{"schema_version": 1, "camera_device": 3}')
    assert settings.load().camera_device == ""


@dataclass
class _Format:
    """The two things best_video_format reads from a QCameraFormat (which Python cannot
    build with values)."""

    width: int
    height: int
    fps: float

    def resolution(self) -> QSize:
        return QSize(self.width, self.height)

    def maxFrameRate(self) -> float:
        return self.fps


def test_the_largest_picture_the_camera_streams_at_a_usable_rate_is_chosen() -> None:
    webcam = [_Format(640, 480, 30), _Format(1280, 720, 30), _Format(1280, 720, 10)]
    assert best_video_format(webcam) == _Format(1280, 720, 30)
    document = [_Format(1920, 1080, 30), _Format(3264, 2448, 15), _Format(4208, 3120, 2)]
    assert best_video_format(document) == _Format(3264, 2448, 15)  # not the 2 fps one
    assert best_video_format([_Format(4208, 3120, 2), _Format(800, 600, 3)]) == (
        _Format(4208, 3120, 2))
    assert best_video_format([]) is None


def _regular_files(roots: list[Path]) -> dict[str, tuple[int, int]]:
    listing: dict[str, tuple[int, int]] = {}
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                except OSError:  # gone meanwhile (another process's temp file)
                    continue
                if stat.S_ISREG(info.st_mode):
                    listing[path] = (info.st_size, info.st_mtime_ns)
    return listing


def _holds(path: str, needles: list[bytes], limit: int = 64 << 20) -> bool:
    try:
        if os.stat(path).st_size > limit:
            return False  # not a copy of a 40 kB clip
        with open(path, "rb") as handle:
            data = handle.read(limit)
    except OSError:
        return False
    return any(needle in data for needle in needles)


def _open_plain_files(needles: list[bytes], known: set[tuple[int, int]] | None = None
                      ) -> list[str]:
    """This process's open regular files that were deleted after opening (the classic hidden
    temp file), leaving out the ``known`` ones (device, inode: pytest's own capture files are
    such), or that hold the clip's bytes. Memfds live in memory: only their bytes count."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        link = f"/proc/self/fd/{fd}"
        try:
            target = os.readlink(link)
            info = os.stat(link)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue  # pipes, sockets, devices: never read them
        hidden = (target.endswith(" (deleted)") and not target.startswith("/memfd:")
                  and (info.st_dev, info.st_ino) not in (known or set()))
        if hidden or _holds(link, needles):
            found.append(target)
    return found


def _deleted_open_files() -> set[tuple[int, int]]:
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        link = f"/proc/self/fd/{fd}"
        try:
            if os.readlink(link).endswith(" (deleted)"):
                info = os.stat(link)
                found.add((info.st_dev, info.st_ino))
        except OSError:
            continue
    return found


def test_a_video_plays_with_a_seek_bar_and_leaves_no_plaintext_on_disk(
        app, qtbot, volunteer, tmp_path, sohoa_home) -> None:  # type: ignore[no-untyped-def]
    """QMediaPlayer really plays here: Qt's FFmpeg backend under offscreen Qt decodes the clip
    (no sound device: PulseAudio is refused, the video plays on) and reports a duration and a
    moving position. It reads only through VideoDevice, the decrypted stream in memory."""
    from PySide6.QtMultimedia import QMediaPlayer

    visit_id, item_id = visit_with_item(volunteer)
    clip = mf.mp4(tmp_path / "clip.mp4", seconds=4.0)
    original = clip.read_bytes()
    importer.import_files(volunteer, item_id, [clip])
    clip.unlink()  # from here on the clip's bytes exist on disk only encrypted
    mdat = original.index(b"mdat") + 4
    needles = [original[mdat:mdat + 256], original[len(original) // 2:len(original) // 2 + 256]]
    page = visits.load_visit(volunteer, visit_id).items[0].pages[0]
    assert page.media == "video" and page.meta["duration"] == pytest.approx(4.0, abs=0.2)

    model = PageModel(ThumbnailLoader(lambda: volunteer))
    model.set_pages([page], None)
    assert "Video, dài 0:04" in model.index(0).data(Qt.ItemDataRole.ToolTipRole)

    # The test's own folders, TMPDIR among them (tests/conftest.py gives each test its own,
    # which is where Qt and FFmpeg would put a temporary file): no new file at all. The
    # machine's temp folders, where other processes work meanwhile: nothing new or changed
    # there may hold the clip's bytes.
    strict = [tmp_path, sohoa_home, Path(tempfile.gettempdir()), Path(os.environ["TMPDIR"])]
    shared = [Path(p) for p in ("/tmp", "/var/tmp") if Path(p).is_dir()]
    roots = [*shared, *(r for r in strict if not any(r.is_relative_to(s) for s in shared))]
    tasks.wait_for_all()
    before = _regular_files(roots)
    known = _deleted_open_files()  # pytest captures output into files deleted on open

    viewer = PageViewer(volunteer, page)
    qtbot.addWidget(viewer)
    viewer.show()
    assert viewer.time_label.text() == "0:00 / 0:04"  # the stored duration, at once
    assert viewer.seek_bar.isVisible() and not viewer.seek_bar.isEnabled()
    qtbot.waitUntil(lambda: viewer.player is not None and viewer.player.duration() > 0,
                    timeout=15_000)
    assert viewer.player.duration() == pytest.approx(4000, abs=200)
    qtbot.waitUntil(lambda: viewer.seek_bar.isEnabled(), timeout=5_000)
    assert viewer.seek_bar.maximum() == viewer.player.duration()
    first = viewer.player.position()
    qtbot.waitUntil(lambda: viewer.player.position() >= first + 300, timeout=10_000)
    assert viewer.play_button.text() == "Tạm dừng"
    assert viewer.seek_bar.value() > 0  # the bar follows the player
    assert _open_plain_files(needles, known) == []

    viewer.play_button.click()  # paused, so only the seek can move it now
    qtbot.waitUntil(lambda: viewer.play_button.text() == "Phát", timeout=5_000)
    paused_at = viewer.player.position()
    assert paused_at < 2000
    viewer.seek_bar.setValue(2500)  # what letting go of the bar, or clicking it, does
    qtbot.waitUntil(lambda: viewer.player.position() >= 2500, timeout=5_000)
    assert viewer.time_label.text() == "0:02 / 0:04"
    assert _open_plain_files(needles, known) == []
    viewer.play_button.click()  # on from there, to the end
    qtbot.waitUntil(lambda: viewer.player.mediaStatus() == QMediaPlayer.MediaStatus.EndOfMedia,
                    timeout=10_000)
    assert viewer.play_button.text() == "Phát" and viewer.seek_bar.value() >= 3800
    viewer.accept()
    tasks.wait_for_all()

    after = _regular_files(roots)
    new = sorted(set(after) - set(before))
    assert [p for p in new if any(Path(p).is_relative_to(r) for r in strict)] == []
    changed = [p for p in after if p in before and after[p] != before[p]]
    assert [p for p in new + changed if _holds(p, needles)] == []
