"""Sound on screen: the input level meter, a recording's waveform, and the testimony player
(every part of a testimony on one timeline) the recorder and the review share."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture import recorder as rec
from capture import testimony as tm
from capture.coords import CoordinateReader
from capture.vault import UnlockedVault
from ui import tasks
from ui.errors import user_message
from ui.widgets.coordinates import short_reading


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class LevelMeter(QWidget):
    """Peak (bar) and RMS (inner bar) in dBFS from -60 to 0, and a clipping light that stays lit
    for a second."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("levelMeter")
        self.setMinimumHeight(22)
        self.peak_db = -120.0
        self.rms_db = -120.0
        self.clip_ticks = 0

    def set_levels(self, peak_db: float, rms_db: float, clipped: bool) -> None:
        self.peak_db, self.rms_db = peak_db, rms_db
        self.clip_ticks = 20 if clipped else max(0, self.clip_ticks - 1)
        self.update()

    @property
    def clipping(self) -> bool:
        return self.clip_ticks > 0

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(1, 1, -28, -1)
        painter.fillRect(rect, QColor("#e8e8e8"))

        def width(db: float) -> float:
            return rect.width() * min(1.0, max(0.0, (db + 60) / 60))

        colour = QColor("#d08c00") if self.peak_db > -6 else QColor("#2e8b57")
        painter.fillRect(QRectF(rect.left(), rect.top(), width(self.peak_db), rect.height()),
                         colour.lighter(140))
        inner = rect.adjusted(0, rect.height() / 4, 0, -rect.height() / 4)
        painter.fillRect(QRectF(inner.left(), inner.top(), width(self.rms_db), inner.height()),
                         colour)
        light = QRectF(self.width() - 22, (self.height() - 18) / 2, 18, 18)
        painter.setBrush(QColor("#d32f2f") if self.clipping else QColor("#bdbdbd"))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(light)


class Waveform(QWidget):
    """Peaks drawn across the width, markers as ticks, the play position as a line. A click
    seeks (``seek_requested`` in seconds)."""

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waveform")
        self.setMinimumHeight(90)
        self.peaks = np.zeros(0, dtype=np.float32)
        self.duration = 0.0
        self.markers: list[float] = []
        self.position = 0.0

    def set_data(self, peaks: np.ndarray, duration: float, markers: list[float]) -> None:
        self.peaks, self.duration, self.markers = peaks, duration, markers
        self.update()

    def set_position(self, seconds: float) -> None:
        self.position = seconds
        self.update()

    def mousePressEvent(self, event: Any) -> None:
        if self.duration > 0:
            self.seek_requested.emit(event.position().x() / max(1, self.width()) * self.duration)

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#fafafa"))
        w, h = self.width(), self.height()
        middle = h / 2
        if len(self.peaks):
            painter.setPen(QColor("#1f6feb"))
            columns = np.interp(np.linspace(0, len(self.peaks) - 1, w),
                                np.arange(len(self.peaks)), self.peaks)
            for x, peak in enumerate(columns):
                half = float(peak) * (h / 2 - 2)
                painter.drawLine(x, int(middle - half), x, int(middle + half))
        if self.duration > 0:
            def column(seconds: float) -> int:  # the end itself stays inside the widget
                return min(w - 1, max(0, int(seconds / self.duration * w)))

            painter.setPen(QColor("#c62828"))
            for at in self.markers:
                painter.drawLine(column(at), 0, column(at), h)
            painter.setPen(QColor("#000000"))
            painter.drawLine(column(self.position), 0, column(self.position), h)


class Player:
    """Plays a testimony's parts end to end through PortAudio, from a thread that decrypts and
    decodes one block at a time (``capture.recorder.TimelineReader``; nothing is written to
    disk). ``position`` is in seconds on the testimony's timeline; ``part_index`` is the part
    playing. Given one object name instead of parts, it plays that object alone."""

    def __init__(self, vault: UnlockedVault, parts: list[rec.TimelinePart] | str) -> None:
        self._vault = vault
        if isinstance(parts, str):
            with rec.open_audio(vault, parts) as audio:
                parts = [rec.TimelinePart(parts, 0.0, audio.frames / audio.samplerate)]
        self.parts = parts
        self.position = 0.0
        self.part_index = 0
        self._seek_to: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def duration(self) -> float:
        return self.parts[-1].offset + self.parts[-1].duration if self.parts else 0.0

    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def seek(self, seconds: float) -> None:
        self.position = min(max(0.0, seconds), self.duration)
        self.part_index = next((i for i, part in enumerate(self.parts)
                                if self.position < part.offset + part.duration),
                               max(0, len(self.parts) - 1))
        self._seek_to = self.position

    def play(self) -> None:
        if self.playing:
            return
        if self.position >= self.duration:
            self.seek(0.0)  # played to the end: the next play starts again
        self._stop.clear()
        self._seek_to = self.position
        self._thread = threading.Thread(target=self._run, name="player", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _run(self) -> None:
        out: Any = None
        shape: tuple[int, int] | None = None
        try:
            with rec.TimelineReader(self._vault, self.parts) as reader:
                while not self._stop.is_set():
                    if self._seek_to is not None:
                        reader.seek(self._seek_to)
                        self._seek_to = None
                    got = reader.read(0.1)
                    if got is None:
                        self.position = self.duration
                        return
                    block, rate = got
                    if (rate, block.shape[1]) != shape:  # a part in another format
                        if out is not None:
                            out.close()
                            out = None
                            rec.stream_opened(False)
                        out = _output_stream(rate, block.shape[1])
                        out.start()
                        rec.stream_opened(True)
                        shape = (rate, block.shape[1])
                    out.write(block)
                    self.position = reader.position
                    self.part_index = reader.part_index
        except Exception as error:
            self.error = error
        finally:
            if out is not None:
                out.close()
                rec.stream_opened(False)


def _output_stream(rate: int, channels: int) -> Any:
    import sounddevice as sd

    def open_stream() -> Any:
        return sd.OutputStream(samplerate=rate, channels=channels, dtype="float32", latency=0.1)

    try:
        return open_stream()
    except (sd.PortAudioError, ValueError):
        # PortAudio lists devices when it starts: look again for speakers plugged in since.
        rec.input_devices(rescan=True)
        return open_stream()


class TestimonyPlayer(QWidget):
    """Listen to a testimony: the waveform of all its parts, play and pause, the position, and
    its markers to jump to. Embed it in any screen:

        player = TestimonyPlayer(vault, parent)
        player.show_testimony(testimony_id)   # or a capture.testimony.TestimonyView
        player.error.connect(banner.show_error)

    ``seek(seconds)``, ``toggle_play()`` and ``stop()`` (call it when the screen closes)."""

    __test__ = False
    error = Signal(str)

    def __init__(self, vault: UnlockedVault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testimonyPlayer")
        self._vault = vault
        self.parts: list[rec.TimelinePart] = []
        self.player: Player | None = None
        self._allowed = True
        self._coordinates: CoordinateReader | None = None  # made when a testimony is shown
        self._kinds = {tm.MarkerKind.PERSON.value: self.tr("Person"),
                       tm.MarkerKind.PLACE.value: self.tr("Place"),
                       tm.MarkerKind.UNIT.value: self.tr("Unit"),
                       tm.MarkerKind.DATE.value: self.tr("Date"),
                       tm.MarkerKind.COORDINATE.value: self.tr("Coordinates"),
                       tm.MarkerKind.OTHER.value: self.tr("Other")}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.waveform = Waveform()
        self.waveform.seek_requested.connect(self.seek)
        box.addWidget(self.waveform)
        row = QHBoxLayout()
        self.play_button = QPushButton(self.tr("Play"))
        self.play_button.setObjectName("playButton")
        self.play_button.clicked.connect(self.toggle_play)
        self.play_position = QLabel()
        self.play_position.setObjectName("playPosition")
        row.addWidget(self.play_button)
        row.addWidget(self.play_position, 1)
        box.addLayout(row)
        self.marker_list = QListWidget()
        self.marker_list.setObjectName("markerList")
        self.marker_list.itemActivated.connect(self._marker_chosen)
        self.marker_list.itemClicked.connect(self._marker_chosen)
        box.addWidget(self.marker_list)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._follow)
        self._update()

    @property
    def has_audio(self) -> bool:
        return bool(self.parts)

    @property
    def duration(self) -> float:
        return self.waveform.duration

    def set_allowed(self, allowed: bool) -> None:
        """False while something else uses the audio device (the recorder records)."""
        self._allowed = allowed
        if not allowed:
            self.stop()
        self._update()

    def show_testimony(self, testimony: str | tm.TestimonyView, waveform: bool = True) -> None:
        """Markers, and (unless ``waveform`` is False, e.g. after adding a marker) the parts
        and their waveform, computed off the GUI thread."""
        view = tm.load_testimony(self._vault, testimony) if isinstance(testimony, str) \
            else testimony
        self.marker_list.clear()
        if self._coordinates is None:
            self._coordinates = CoordinateReader()
        read = tm.marker_coordinates(view, self._coordinates)
        for marker in view.markers:
            text = (f"{clock_text(marker.at_seconds)}  "
                    f"[{self._kinds.get(marker.kind, '')}]  {marker.label}")
            if marker.kind == tm.MarkerKind.COORDINATE:
                # What the OHMS export and the command will take from it, shown now.
                text += "  → " + (short_reading(read[marker.id]) if marker.id in read
                                  else self.tr("no coordinates understood"))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, marker.at_seconds)
            self.marker_list.addItem(item)
        markers = [m.at_seconds for m in view.markers]
        if not waveform:
            self.waveform.set_data(self.waveform.peaks, self.waveform.duration, markers)
            return
        parts = rec.timeline(view)
        if parts != self.parts:
            self.stop()
            self.player = None
            self.parts = parts
        duration = view.duration
        # Blank until the new peaks come: old ones stretched to a new length would mislead.
        self.waveform.set_data(np.zeros(0, dtype=np.float32), duration if parts else 0.0,
                               markers)
        if parts:
            tasks.Task(self, rec.timeline_waveform, self._vault, parts).success(
                lambda peaks: self.waveform.set_data(peaks, duration, markers)).failure(
                lambda error: self.error.emit(user_message(error))).run()
        self._update()

    def _player(self) -> Player | None:
        if self.player is None and self.parts:
            self.player = Player(self._vault, self.parts)
        return self.player

    def seek(self, seconds: float) -> None:
        player = self._player()
        if player is None:
            return
        player.seek(seconds)
        self.waveform.set_position(player.position)
        self.play_position.setText(clock_text(player.position))

    def toggle_play(self) -> None:
        player = self._player()
        if player is None or not self._allowed:
            return
        if player.playing:
            player.stop()
        else:
            player.play()
            self._timer.start()
        self._update()

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()
        self._timer.stop()
        self._update()

    def _follow(self) -> None:
        player = self.player
        if player is None:
            self._timer.stop()
            return
        self.waveform.set_position(player.position)
        self.play_position.setText(clock_text(player.position))
        if not player.playing:
            self._timer.stop()
            self._update()
            if player.error is not None:
                self.error.emit(self.tr("Playback is not possible: no sound output was found."))
                player.error = None

    def _update(self) -> None:
        playing = self.player is not None and self.player.playing
        self.play_button.setText(self.tr("Pause playback") if playing else self.tr("Play"))
        self.play_button.setEnabled(self._allowed and self.has_audio)

    def _marker_chosen(self, item: QListWidgetItem) -> None:
        self.seek(float(item.data(Qt.ItemDataRole.UserRole)))
