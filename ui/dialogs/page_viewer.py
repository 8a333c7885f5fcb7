"""One page full size: a photo with its hints, or a video streamed decrypted to the player
(never written to disk)."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import (
    QIODevice,
    QObject,
    Qt,
)
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from capture.vault import UnlockedVault
from capture.visits import PageRecord
from ui import tasks
from ui.errors import user_message
from ui.widgets.gallery import (
    duration_text,
    hint_text,
    load_preview,
    load_thumbnail,
    quality_hints,
    rotated,
    video_duration,
)


class VideoDevice(QIODevice):
    """A random-access QIODevice over ``media.video_stream``: QMediaPlayer reads the decrypted
    video from memory, a chunk at a time, and seeks as it plays. Reads may come from the
    player's own thread, so the stream is used under a lock."""

    def __init__(self, stream: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stream = stream
        self._lock = threading.Lock()
        with self._lock:
            self._size = stream.seek(0, 2)
            stream.seek(0)

    def isSequential(self) -> bool:
        return False

    def size(self) -> int:
        return self._size

    def seek(self, pos: int) -> bool:
        if not 0 <= pos <= self._size:
            return False
        with self._lock:
            self._stream.seek(pos)
        return super().seek(pos)

    def open(self, mode: QIODevice.OpenModeFlag) -> bool:
        # Unbuffered: every read goes to the stream at the position ``seek`` set, so QIODevice's
        # own read-ahead buffer can never disagree with the stream's position.
        return super().open(mode | QIODevice.OpenModeFlag.Unbuffered)

    def readData(self, maxlen: int) -> bytes:
        with self._lock:
            return self._stream.read(maxlen) or b""

    def writeData(self, data: bytes) -> int:
        return -1

    def close(self) -> None:
        with self._lock:
            self._stream.close()
        super().close()


class PageViewer(QDialog):
    """One page, large: the preview turned by the page's rotation (its thumbnail, scaled,
    while a photo's preview is first made), or the video playing. Open it with
    ``PageViewer(vault, page_record, parent).open()``."""

    def __init__(self, vault: UnlockedVault, page: PageRecord, parent: QWidget | None = None
                 ) -> None:
        super().__init__(parent)
        self.setObjectName("pageViewer")
        self.setWindowTitle(page.original_filename or self.tr("Page"))
        self.resize(900, 700)
        self.vault = vault
        self.page = page
        self.player: Any = None
        self.device: VideoDevice | None = None
        layout = QVBoxLayout(self)
        self.message = QLabel(self.tr("Opening…"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(320, 240)
        layout.addWidget(self.message)
        layout.addWidget(self.picture, 1)
        self.hints = QLabel("\n".join(hint_text(h) for h in quality_hints(page.meta)))
        self.hints.setObjectName("hint")
        self.hints.setVisible(bool(self.hints.text()))
        layout.addWidget(self.hints)
        row = QHBoxLayout()
        self.play_button = QPushButton(self.tr("Play"))
        self.play_button.hide()
        self.play_button.clicked.connect(self._toggle_play)
        # A video's seek bar, in milliseconds as QMediaPlayer counts, and "0:12 / 1:23".
        self.seek_bar = QSlider(Qt.Orientation.Horizontal)
        self.seek_bar.setObjectName("seekBar")
        self.seek_bar.setAccessibleName(self.tr("Position in the video"))
        self.seek_bar.setTracking(False)  # seek when let go; dragging only moves the time
        self.seek_bar.setEnabled(False)  # until the player knows the duration
        self.seek_bar.valueChanged.connect(self._seek)
        self.seek_bar.sliderMoved.connect(self._show_time)
        self.time_label = QLabel()
        self.time_label.setObjectName("videoTime")
        self.duration_ms = round((video_duration(page.meta) or 0) * 1000)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        row.addWidget(self.play_button)
        if page.media == "video":
            # Wide enough for both words and for the longest time, so the bar never jumps.
            self.play_button.setText(self.tr("Pause"))
            widest = self.play_button.sizeHint().width()
            self.play_button.setText(self.tr("Play"))
            self.play_button.setMinimumWidth(max(widest, self.play_button.sizeHint().width()))
            row.addWidget(self.seek_bar, 1)
            row.addWidget(self.time_label)
            self._show_time(0)
            self._fit_time_label()
        else:
            self.seek_bar.hide()
            self.time_label.hide()
            row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self._image: QImage | None = None
        self.sharp = False  # the preview is shown (not the thumbnail standing in for it)
        if page.media == "video":
            self._open_video()
        else:
            self._open_preview()

    def _open_preview(self) -> None:
        if self.page.preview_object is None and self.page.media == "photo":
            # A JPEG's preview is made on first view (~0.1 s): its thumbnail, scaled, stands
            # in meanwhile, so the page shows at once.
            tasks.Task(self, load_thumbnail, self.vault, self.page.id).success(
                self._show_stand_in).run(tasks.Pool.GENERAL)
        tasks.Task(self, load_preview, self.vault, self.page.id).success(
            self._show_image).failure(self._preview_failed).run(tasks.Pool.GENERAL)

    def _show_stand_in(self, image: QImage) -> None:
        if not self.sharp and not image.isNull():
            self._image = rotated(image, self.page.rotation)
            self.message.hide()
            self._fit()

    def _show_image(self, image: QImage) -> None:
        self.sharp = True
        self._image = rotated(image, self.page.rotation)
        self.message.hide()
        self._fit()

    def _preview_failed(self, error: BaseException) -> None:
        self.message.setText(user_message(error))
        self.message.show()

    def _fit(self) -> None:
        if self._image is not None and not self._image.isNull():
            self.picture.setPixmap(QPixmap.fromImage(self._image).scaled(
                self.picture.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().resizeEvent(event)
        self._fit()

    def _open_video(self) -> None:
        from capture import media

        tasks.Task(self, media.video_stream, self.vault, self.page.id).success(
            self._play).failure(lambda error: self.message.setText(user_message(error))
                                ).run(tasks.Pool.GENERAL)

    def _play(self, stream: Any) -> None:
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
            from PySide6.QtMultimediaWidgets import QVideoWidget
        except ImportError:
            stream.close()
            self.message.setText(self.tr("Video playback is not available on this laptop."))
            return
        self.device = VideoDevice(stream, self)
        self.device.open(QIODevice.OpenModeFlag.ReadOnly)
        self.video = QVideoWidget()
        self.layout().replaceWidget(self.picture, self.video)
        self.picture.hide()
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.player.setVideoOutput(self.video)
        self.player.errorOccurred.connect(self._play_failed)
        self.player.durationChanged.connect(self._duration_known)
        self.player.positionChanged.connect(self._position_changed)
        self.player.playbackStateChanged.connect(self._state_changed)
        self.player.setSourceDevice(self.device)
        self.message.hide()
        self.play_button.show()
        self.player.play()
        self.play_button.setText(self.tr("Pause"))

    def _play_failed(self, error: Any, _detail: str = "") -> None:
        """The player could not decode the clip (damaged after its first frames, or a codec
        this laptop lacks): said in words, and the poster shown again."""
        from PySide6.QtMultimedia import QMediaPlayer

        if error == QMediaPlayer.Error.NoError:
            return
        self.play_button.setEnabled(False)  # the player has stopped itself
        self.seek_bar.setEnabled(False)
        self.message.setText(self.tr(
            "This video cannot be played on this laptop: the file may be damaged, or its "
            "format is one this laptop cannot decode. The original is kept unchanged in the "
            "vault."))
        self.message.show()

    def _toggle_play(self) -> None:
        if self.player is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer

        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def _state_changed(self, state: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))

    def _duration_known(self, duration_ms: int) -> None:
        if duration_ms > 0:
            self.duration_ms = duration_ms
            self.seek_bar.setRange(0, duration_ms)
            self.seek_bar.setSingleStep(1000)
            self.seek_bar.setPageStep(max(1000, duration_ms // 10))
            self.seek_bar.setEnabled(True)
            self._show_time(self.seek_bar.value())
            self._fit_time_label()

    def _position_changed(self, position_ms: int) -> None:
        if self.seek_bar.isSliderDown():
            return  # the volunteer is dragging: the bar is theirs until they let go
        self.seek_bar.blockSignals(True)  # the player moved it: no seek back
        self.seek_bar.setValue(position_ms)
        self.seek_bar.blockSignals(False)
        self._show_time(position_ms)

    def _seek(self, position_ms: int) -> None:
        """The volunteer moved the bar (let go of it, clicked it, or pressed a key)."""
        if self.player is not None:
            self.player.setPosition(position_ms)
        self._show_time(position_ms)

    def _fit_time_label(self) -> None:
        total = duration_text(self.duration_ms / 1000)
        widest = f"{total} / {total}".translate(str.maketrans("0123456789", "8888888888"))
        self.time_label.setMinimumWidth(
            self.time_label.fontMetrics().horizontalAdvance(widest) + 4)

    def _show_time(self, position_ms: int) -> None:
        self.time_label.setText(f"{duration_text(position_ms // 1000)} / "
                                f"{duration_text(self.duration_ms / 1000)}")

    def done(self, result: int) -> None:
        if self.player is not None:
            self.player.stop()
            self.player.setSourceDevice(None)
        if self.device is not None:
            self.device.close()
        super().done(result)
