"""Bringing photos into an item: the progress panel (files done of total, the current file, a
Cancel button), the per-file report, the list of memory cards and phones, and live capture from
a camera. The import itself runs in ``capture.importer`` on a worker; progress comes back by a
queued signal, so the window keeps answering while thousands of photos go in.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture.vault import UnlockedVault
from ui import tasks
from ui.errors import user_message
from ui.widgets.common import heading, paragraph


class ImportPanel(QFrame):
    """Progress of one import: a bar, "12 of 30 — IMG_0012.JPG", and Cancel. ``finished``
    carries the core's ImportReport (or the error that stopped the whole import)."""

    finished = Signal(object)
    failed = Signal(object)
    _progressed = Signal(int, int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPanel")
        self.setProperty("kind", "info")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        top = QHBoxLayout()
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelImport")
        self.cancel_button.clicked.connect(self.cancel)
        top.addWidget(self.label, 1)
        top.addWidget(self.cancel_button)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        self._cancel = threading.Event()
        self._progressed.connect(self._show_progress)
        self.running = False
        self.previews = PreviewPass(self)
        self._target: tuple[UnlockedVault, str] | None = None
        self.hide()

    def start(self, vault: UnlockedVault, item_id: str, sources: list[Path]) -> None:
        """Find the media in what was picked (folders; a drive: its media folders), then import
        it. Cancel works while it is still looking."""
        from capture import importer

        self.previews.cancel()  # the import has the processor now
        self._target = (vault, item_id)
        self._cancel = threading.Event()
        self.running = True
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)
        self.label.setText(self.tr("Looking for photos and videos…"))
        self.show()
        cancel = self._cancel

        def work() -> Any:
            try:
                files = importer.find_media(sources, cancel)
            except importer.FindCancelled:
                return importer.ImportReport()  # stopped while looking: nothing to import
            self._progressed.emit(0, len(files), "")
            return importer.import_files(vault, item_id, files, progress=self._report,
                                         cancel=cancel)

        tasks.Task(self, work).success(self._done).failure(self._error).run(tasks.Pool.GENERAL)

    def _report(self, done: int, total: int, outcome: Any) -> None:
        # On the worker: a queued signal carries it to the GUI thread.
        self._progressed.emit(done, total, Path(outcome.path).name)

    def _show_progress(self, done: int, total: int, name: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if self._cancel.is_set():
            self.label.setText(self.tr("Stopping after the current file…"))
        elif name:
            # ``done`` counts every file finished, the ones that failed too: "done", not
            # "imported" (the report says which were imported).
            self.label.setText(self.tr("{done} of {total} files done — {name}").format(
                done=done, total=total, name=name))
        else:
            self.label.setText(self.tr("Importing {total} files…").format(total=total))

    def cancel(self) -> None:
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.label.setText(self.tr("Stopping after the current file…"))

    def _done(self, report: Any) -> None:
        self.running = False
        self.hide()
        self.finished.emit(report)
        if self._target is not None and report.imported:
            self.previews.start(*self._target)

    def _error(self, error: BaseException) -> None:
        self.running = False
        self.hide()
        self.failed.emit(error)


class ImportReportDialog(QDialog):
    """What happened to each file, in plain words: imported, already in the vault, or why not."""

    def __init__(self, report: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle(self.tr("Import report"))
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Import finished"), 2))
        parts = [self.tr("{n} imported").format(n=report.imported)]
        if report.duplicates:
            parts.append(self.tr("{n} already in the vault").format(n=report.duplicates))
        if report.failed:
            parts.append(self.tr("{n} could not be imported").format(n=report.failed))
        if report.cancelled:
            parts.append(self.tr("{n} not imported (cancelled)").format(n=report.cancelled))
        self.summary = paragraph(" · ".join(parts))
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(report.outcomes), 2)
        self.table.setHorizontalHeaderLabels([self.tr("File"), self.tr("Result")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 240)
        # Problems first: that is what the volunteer has to act on.
        order = {"failed": 0, "cancelled": 1, "duplicate": 2, "imported": 3}
        outcomes = sorted(report.outcomes, key=lambda o: order.get(o.status, 9))
        for row, outcome in enumerate(outcomes):
            name = QTableWidgetItem(Path(outcome.path).name)
            name.setToolTip(str(outcome.path))
            result = QTableWidgetItem(self.outcome_text(outcome))
            result.setToolTip(result.text())
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, result)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def outcome_text(self, outcome: Any) -> str:
        if outcome.status == "imported":
            text = self.tr("Imported")
            if getattr(outcome, "already_in_vault", False):
                text = self.tr("Imported (the same file is already in another item)")
            warning = getattr(outcome, "warning", None)
            if warning is not None:
                text += " — " + user_message(warning)
            return text
        if outcome.status == "duplicate":
            return self.tr("Already in the vault: this file was imported before.")
        if outcome.status == "cancelled":
            return self.tr("Not imported: the import was cancelled.")
        if outcome.error is not None:
            return user_message(outcome.error)
        return self.tr("Could not be imported.")

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text())
                for r in range(self.table.rowCount())]


class DrivePicker(QDialog):
    """Memory cards, USB sticks and phones plugged in now; the volunteer picks one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drivePicker")
        self.setWindowTitle(self.tr("Import from a card or phone"))
        self.resize(520, 360)
        layout = QVBoxLayout(self)
        self.intro = paragraph(self.tr(
            "Plug in the memory card, the USB stick or the phone (on the phone, choose "
            "\"File transfer\"). The app finds the photos in its DCIM folder by itself."))
        layout.addWidget(self.intro)
        self.list = QListWidget()
        self.empty = QLabel(self.tr("Looking for cards and phones…"))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self.row = QHBoxLayout()
        row = self.row
        self.refresh_button = QPushButton(self.tr("Look again"))
        self.refresh_button.clicked.connect(self.refresh)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Import"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout.addLayout(row)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.refresh()

    def refresh(self) -> None:
        from capture import importer

        self.list.clear()
        tasks.Task(self, importer.find_removable_drives).success(self._show).failure(
            lambda error: self.empty.setText(user_message(error))).run(tasks.Pool.GENERAL)

    def _show(self, drives: list[Path]) -> None:
        for drive in drives:
            item = QListWidgetItem(f"{drive.name or drive}  ({drive})")
            item.setData(Qt.ItemDataRole.UserRole, str(drive))
            self.list.addItem(item)
        if drives:
            self.list.setCurrentRow(0)
            self.empty.hide()
        else:
            self.empty.setText(self.none_found_text())
            self.empty.show()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(drives))

    def none_found_text(self) -> str:
        return self.tr("No memory card or phone found. Plug one in, then press \"Look "
                       "again\".")

    def chosen(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None


def cameras() -> list[Any]:
    """The cameras Qt sees (none when QtMultimedia is missing)."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return []
    return list(QMediaDevices.videoInputs())


def jpeg_bytes(image: QImage, quality: int = 92) -> bytes:
    """Encode in memory: a photo taken here never touches the disk unencrypted."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG", quality)
    buffer.close()
    return bytes(array.data())


# With Qt's FFmpeg backend (Linux, Windows) a still photo is a frame of the camera's video
# stream, scaled to QImageCapture's resolution when one is set (stretched, whatever the shape).
# So the photo's real resolution is the stream's: the dialog picks the largest video format, and
# sets no capture resolution, which could only add invented pixels.
MIN_VIEWFINDER_FPS = 5.0
# The Make written into the EXIF of a photo taken here (its Model: the camera's name).
STATION_CAMERA_MAKER = "Số hóa ký ức"


def best_video_format(formats: list[Any]) -> Any | None:
    """The largest picture the camera streams at a usable rate (``MIN_VIEWFINDER_FPS`` frames a
    second or more; else the largest at all), the faster of two the same size: document cameras
    offer 8 megapixels at 15 frames a second beside 1080p at 30, and the page wants the 8."""
    if not formats:
        return None
    usable = [f for f in formats if f.maxFrameRate() >= MIN_VIEWFINDER_FPS] or list(formats)
    return max(usable, key=lambda f: (f.resolution().width() * f.resolution().height(),
                                      f.maxFrameRate()))


def camera_name(device: Any, number: int) -> str:
    return device.description() or QCoreApplication.translate(
        "CameraDialog", "Camera {n}").format(n=number + 1)


class CameraDialog(QDialog):
    """Live capture from a laptop or USB document camera; ``photo_taken`` carries JPEG bytes
    made in memory. A picker lists the cameras (the one chosen last time first, else the
    system's default) and follows cameras plugged in or removed while it is open. Without a
    camera it says so and points to importing instead."""

    photo_taken = Signal(bytes)

    def __init__(self, parent: QWidget | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        # When a photo is taken, with the laptop's UTC offset: written into its EXIF.
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.setObjectName("cameraDialog")
        self.setWindowTitle(self.tr("Take a photo"))
        self.resize(800, 620)
        layout = QVBoxLayout(self)
        self.status = QLabel()
        self.status.setObjectName("emptyState")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.status)
        picker_row = QHBoxLayout()
        self.picker_label = QLabel(self.tr("Camera:"))
        self.picker = QComboBox()
        self.picker.setObjectName("cameraPicker")
        self.picker_label.setBuddy(self.picker)
        picker_row.addWidget(self.picker_label)
        picker_row.addWidget(self.picker, 1)
        layout.addLayout(picker_row)
        # The viewfinder goes here once there is a camera; empty, it keeps the buttons down.
        self.view_area = QWidget()
        self.view_layout = QVBoxLayout(self.view_area)
        self.view_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view_area, 1)
        self.camera: Any = None
        self.capture: Any = None
        self.session: Any = None
        self.viewfinder: Any = None
        self.devices: list[Any] = []
        self.has_camera = False
        row = QHBoxLayout()
        self.shoot = QPushButton(self.tr("Take the photo"))
        self.shoot.setProperty("primary", True)
        self.shoot.clicked.connect(self._shoot)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        row.addStretch(1)
        row.addWidget(self.shoot)
        row.addWidget(close)
        layout.addLayout(row)
        self.picker.currentIndexChanged.connect(self._picked)
        self.media_devices: Any = None
        try:
            from PySide6.QtMultimedia import QMediaDevices
        except ImportError:
            pass
        else:
            self.media_devices = QMediaDevices(self)
            self.media_devices.videoInputsChanged.connect(lambda: self.set_cameras(cameras()))
        self.set_cameras(cameras())

    # -- which camera --

    def set_cameras(self, devices: list[Any]) -> None:
        """Show these cameras (called again whenever one is plugged in or removed): the one
        chosen last time if it is there, else the one in use, else the system's default."""
        in_use = self.current_device()
        self.devices = list(devices)
        self.has_camera = bool(self.devices)
        self.picker.blockSignals(True)
        self.picker.clear()
        for number, device in enumerate(self.devices):
            self.picker.addItem(camera_name(device, number))
        index = self._preferred(in_use)
        if index >= 0:
            self.picker.setCurrentIndex(index)
        self.picker.blockSignals(False)
        for widget in (self.picker_label, self.picker):
            widget.setVisible(self.has_camera)
        self.picker.setEnabled(len(self.devices) > 1)
        if not self.has_camera:
            self._close_camera()
            self.status.setText(self.tr("No camera found — import photos from the phone or "
                                        "card instead."))
            self.shoot.hide()
        elif in_use is None or in_use.id() != self.devices[index].id():
            self._open(self.devices[index])

    def current_device(self) -> Any | None:
        index = self.picker.currentIndex()
        return self.devices[index] if 0 <= index < len(self.devices) else None

    def _preferred(self, in_use: Any | None) -> int:
        if not self.devices:
            return -1
        from ui import settings as app_settings

        remembered = app_settings.load().camera_device
        names = [device.description() for device in self.devices]
        if remembered and remembered in names:
            return names.index(remembered)
        ids = [device.id() for device in self.devices]
        if in_use is not None and in_use.id() in ids:
            return ids.index(in_use.id())
        from PySide6.QtMultimedia import QMediaDevices

        default = QMediaDevices.defaultVideoInput()
        if not default.isNull() and default.id() in ids:
            return ids.index(default.id())
        return 0

    def _picked(self, index: int) -> None:
        if not 0 <= index < len(self.devices):
            return
        device = self.devices[index]
        self._open(device)
        from ui import settings as app_settings

        saved = app_settings.load()  # the camera's name only, as Qt lists it
        if device.description() and saved.camera_device != device.description():
            saved.camera_device = device.description()
            app_settings.save(saved)

    # -- the camera itself --

    def _open(self, device: Any) -> None:
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession
        from PySide6.QtMultimediaWidgets import QVideoWidget

        if self.session is None:
            self.viewfinder = QVideoWidget()
            self.view_layout.addWidget(self.viewfinder)
            self.session = QMediaCaptureSession(self)
            self.capture = QImageCapture(self)
            self.session.setImageCapture(self.capture)
            self.session.setVideoOutput(self.viewfinder)
            self.capture.imageCaptured.connect(self._captured)
        self._close_camera()
        self.status.setText(self.tr("Hold the page flat and still, in good light."))
        self.camera = QCamera(device, self)
        best = best_video_format(list(device.videoFormats()))
        if best is not None:
            self.camera.setCameraFormat(best)
        self.camera.errorOccurred.connect(self._camera_failed)
        self.session.setCamera(self.camera)
        self.viewfinder.show()
        self.shoot.show()
        self.camera.start()

    def _close_camera(self) -> None:
        if self.camera is not None:
            self.camera.errorOccurred.disconnect(self._camera_failed)
            self.camera.stop()
            if self.session is not None:
                self.session.setCamera(None)
            self.camera.deleteLater()
            self.camera = None
        if self.viewfinder is not None:
            self.viewfinder.hide()

    def _camera_failed(self, *_args: Any) -> None:
        self.status.setText(self.tr("The camera stopped working. Unplug it and plug it in "
                                    "again, or choose another camera."))

    def _shoot(self) -> None:
        if self.capture is not None and self.capture.isReadyForCapture():
            self.capture.capture()  # to memory (imageCaptured), never captureToFile

    def _captured(self, _id: int, image: QImage) -> None:
        from capture.pictures import camera_photo

        device = self.current_device()
        camera = camera_name(device, self.picker.currentIndex()) if device is not None else ""
        # A frame has no EXIF: it gets a camera's (time taken, this station's camera, upright).
        self.photo_taken.emit(camera_photo(jpeg_bytes(image), self.clock(), camera,
                                           STATION_CAMERA_MAKER))
        self.status.setText(self.tr("Photo kept. Take the next page, or close."))

    def tell(self, text: str) -> None:
        """Say what became of the last photo (the editor knows once it is stored)."""
        self.status.setText(text)

    def done(self, result: int) -> None:
        self._close_camera()
        super().done(result)


def keep_photo(vault: UnlockedVault, item_id: str, data: bytes, name: str) -> Any:
    """On a worker: import the in-memory photo as a page, like a file (thumbnail, camera
    details, quality hints, the same photo stored once). Returns the core's ImportOutcome:
    ``status == "duplicate"`` and the existing page's id for a photo that is already a page of
    this item (nothing added); raises what made it fail."""
    from capture import importer

    outcome = importer.import_bytes(vault, item_id, data, name)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.page_id is not None
    return outcome



def recording_now() -> bool:
    """A recording is running in this app (the recorder has a sound stream open)."""
    recorder = sys.modules.get("capture.recorder")  # not imported yet: nothing is recording
    return bool(recorder is not None and recorder.streams_open())


def _make_preview_of(vault: UnlockedVault, page_id: str, cancel: threading.Event
                     ) -> dict[str, Any] | None:
    """On a worker: the page's preview (and a camera photo's own thumbnail); the page's
    details after, or None when nothing was made (stopped, or nothing to make)."""
    from capture import media

    if not media.make_missing_previews(vault, [page_id], cancel, recording_now):
        meta = media.page_meta(vault, page_id)
        return meta if meta.get("damaged") else None  # found damaged: shown as such
    return media.page_meta(vault, page_id)


class PreviewPass(QObject):
    """After an import, makes the previews it left for later (a JPEG's preview is made when it
    is first viewed; a camera photo's own thumbnail and quality hints with it), one page per
    task, decoded in a low-priority process. It steps aside while a recording runs and stops
    when an import starts, the vault locks or it is cancelled, so it never competes with the
    volunteer's work."""

    finished = Signal(int)  # previews made
    # A page's preview was made: its id and its details now. A camera photo's thumbnail and
    # quality hints come with it, so a gallery showing the page loads its thumbnail again.
    page_done = Signal(str, object)
    RETRY_MS = 2000

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self._queue: deque[str] = deque()
        self._vault: UnlockedVault | None = None
        self.made = 0
        self.running = False

    def start(self, vault: UnlockedVault, item_id: str) -> None:
        from capture import media

        self.cancel()
        self._cancel = threading.Event()
        self._vault = vault
        self.made = 0
        self.running = True
        tasks.Task(self, media.pages_without_preview, vault, item_id).success(
            self._queued).failure(lambda _error: self._stop()).run(tasks.Pool.GENERAL)

    def cancel(self) -> None:
        self._cancel.set()
        self._queue.clear()
        self.running = False

    def _queued(self, page_ids: list[str]) -> None:
        if not self._cancel.is_set():
            self._queue.extend(page_ids)
            self._step()

    def _step(self) -> None:
        if self._cancel.is_set():
            return
        if not self._queue or self._vault is None:
            self._stop()
            return
        if recording_now():
            QTimer.singleShot(self.RETRY_MS, self._step)
            return
        page_id = self._queue.popleft()
        cancel = self._cancel
        tasks.Task(self, _make_preview_of, self._vault, page_id, cancel).success(
            lambda meta, p=page_id: self._made(p, meta)).failure(
            lambda _error: self._stop()).run(tasks.Pool.GENERAL)

    def _made(self, page_id: str, meta: dict[str, Any] | None) -> None:
        if meta is not None:
            self.made += 0 if meta.get("damaged") else 1
            self.page_done.emit(page_id, meta)
        self._step()

    def _stop(self) -> None:
        if self.running:
            self.running = False
            self.finished.emit(self.made)

