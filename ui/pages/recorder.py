"""The recorder screen: one visit's testimony — record, mark, describe, play back.

The audio path is ``capture.recorder`` (Qt-free). This screen only polls it: a 50 ms QTimer
reads the level of the last frames the callback left in the ring and drains the writer's events
(Friture's pattern), so nothing here ever runs on the audio thread. Stopping (which joins the
segments into one FLAC) and the waveform run as background tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from capture import recorder as rec
from capture import testimony as tm
from capture.coords import CoordinateReader
from capture.models import Martyr, Person
from capture.vault import UnlockedVault
from ui import settings as app_settings
from ui import tasks
from ui.errors import user_message
from ui.widgets.audio import LevelMeter, Player, TestimonyPlayer, clock_text
from ui.widgets.common import Banner, heading
from ui.widgets.coordinates import short_reading

SourceFactory = Callable[[str], rec.InputSource]
DeviceLister = Callable[[bool], list[str]]  # (rescan) -> input device names, default first
RESCAN_MS = 3000  # with no microphone, look for one this often


class RecorderScreen(QWidget):
    recording_stopped = Signal()

    def __init__(self, vault: UnlockedVault, visit_id: str, parent: QWidget | None = None,
                 source_factory: SourceFactory | None = None,
                 device_lister: DeviceLister | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recorderScreen")
        self._vault = vault
        self.visit_id = visit_id
        self._source_factory = source_factory or (lambda name: rec.DeviceSource(name or None))
        self._device_lister = device_lister or rec.input_devices
        self._rescanning = False
        self.recorder: rec.Recorder | None = None
        self.testimony_id: str | None = None
        self._pending_marker_at: float | None = None
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._rescan_timer = QTimer(self)
        self._rescan_timer.setInterval(RESCAN_MS)
        self._rescan_timer.timeout.connect(self._rescan_if_idle)
        self._show_devices(self._device_lister(False))
        QShortcut(QKeySequence(Qt.Key.Key_F2), self, self.begin_marker)
        QShortcut(QKeySequence(Qt.Key.Key_M), self, self.begin_marker)
        self._load_people()
        self._load_testimonies()
        self._recover()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading(self.tr("Testimony"), 2))
        self.banner = Banner()
        self.banner.setObjectName("recorderBanner")
        layout.addWidget(self.banner)

        pick = QHBoxLayout()
        self.testimonies = QComboBox()
        self.testimonies.setObjectName("testimonyChoice")
        self.testimonies.currentIndexChanged.connect(self._testimony_chosen)
        pick.addWidget(QLabel(self.tr("Recording:")))
        pick.addWidget(self.testimonies, 1)
        self.new_button = QPushButton(self.tr("New testimony"))
        self.new_button.clicked.connect(self.new_testimony)
        pick.addWidget(self.new_button)
        layout.addLayout(pick)

        about = QGroupBox(self.tr("Who is speaking"))
        form = QFormLayout(about)
        self.speaker = QComboBox()
        self.speaker.setObjectName("speaker")
        self.speaker.setEditable(True)
        self.speaker.lineEdit().setPlaceholderText(self.tr("A person of the visit, or a name"))
        form.addRow(self.tr("Speaker"), self.speaker)
        self.language = QLineEdit()
        self.language.setObjectName("language")
        self.language.setPlaceholderText(self.tr("e.g. Vietnamese, Huế dialect"))
        form.addRow(self.tr("Language or dialect"), self.language)
        self.martyrs = QListWidget()
        self.martyrs.setObjectName("martyrLinks")
        self.martyrs.setMaximumHeight(70)
        form.addRow(self.tr("About the martyrs"), self.martyrs)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("notes")
        self.notes.setMaximumHeight(60)
        form.addRow(self.tr("Notes"), self.notes)
        self.save_button = QPushButton(self.tr("Save details"))
        self.save_button.clicked.connect(self.save_details)
        form.addRow("", self.save_button)
        layout.addWidget(about)

        record = QGroupBox(self.tr("Record"))
        box = QVBoxLayout(record)
        row = QHBoxLayout()
        self.devices = QComboBox()
        self.devices.setObjectName("deviceChoice")
        row.addWidget(QLabel(self.tr("Microphone")))
        row.addWidget(self.devices, 1)
        self.rescan_button = QPushButton(self.tr("Look again"))
        self.rescan_button.setObjectName("rescanButton")
        self.rescan_button.setToolTip(self.tr("Look for microphones again"))
        self.rescan_button.clicked.connect(self.rescan_devices)
        row.addWidget(self.rescan_button)
        box.addLayout(row)
        self.no_microphone = Banner()
        self.no_microphone.setObjectName("noMicrophone")
        # All of the hint, whatever the window's height: the meter and blank rows give way.
        self.no_microphone.setSizePolicy(QSizePolicy.Policy.Preferred,
                                         QSizePolicy.Policy.Minimum)
        box.addWidget(self.no_microphone)
        self.meter = LevelMeter()
        box.addWidget(self.meter)
        self.level_label = QLabel()
        self.level_label.setObjectName("levelLabel")
        box.addWidget(self.level_label)
        buttons = QHBoxLayout()
        self.record_button = QPushButton(self.tr("Record"))
        self.record_button.setObjectName("recordButton")
        self.record_button.clicked.connect(self.start_recording)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setObjectName("stopButton")
        self.stop_button.clicked.connect(self.stop_recording)
        for button in (self.record_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        box.addLayout(buttons)
        self.elapsed = QLabel()
        self.elapsed.setObjectName("elapsed")
        box.addWidget(self.elapsed)
        self.disk_left = QLabel()
        self.disk_left.setObjectName("diskLeft")
        box.addWidget(self.disk_left)
        marker_row = QHBoxLayout()
        self.marker_label = QLineEdit()
        self.marker_label.setObjectName("markerLabel")
        self.marker_label.setPlaceholderText(self.tr("Marker (press M or F2 while recording)"))
        self.marker_label.returnPressed.connect(self.add_marker)
        self.marker_kind = QComboBox()
        self.marker_kind.setObjectName("markerKind")
        for kind, text in ((tm.MarkerKind.PERSON, self.tr("Person")),
                           (tm.MarkerKind.PLACE, self.tr("Place")),
                           (tm.MarkerKind.UNIT, self.tr("Unit")),
                           (tm.MarkerKind.DATE, self.tr("Date")),
                           (tm.MarkerKind.COORDINATE, self.tr("Coordinates")),
                           (tm.MarkerKind.OTHER, self.tr("Other"))):
            self.marker_kind.addItem(text, kind.value)
        self.marker_button = QPushButton(self.tr("Add marker"))
        self.marker_button.clicked.connect(self.add_marker)
        marker_row.addWidget(self.marker_label, 1)
        marker_row.addWidget(self.marker_kind)
        marker_row.addWidget(self.marker_button)
        box.addLayout(marker_row)
        # A coordinate marker says, as it is typed, what the OHMS export will take from it.
        self.marker_reading = QLabel()
        self.marker_reading.setObjectName("markerReading")
        self.marker_reading.hide()
        self._marker_reader: CoordinateReader | None = None
        self.marker_label.textChanged.connect(self._show_marker_reading)
        self.marker_kind.currentIndexChanged.connect(self._show_marker_reading)
        box.addWidget(self.marker_reading)
        layout.addWidget(record)

        playback = QGroupBox(self.tr("Listen"))
        play_box = QVBoxLayout(playback)
        self.listen = TestimonyPlayer(self._vault)
        self.listen.error.connect(self.banner.show_error)
        play_box.addWidget(self.listen)
        self.waveform = self.listen.waveform
        self.play_button = self.listen.play_button
        self.play_position = self.listen.play_position
        self.marker_list = self.listen.marker_list
        layout.addWidget(playback, 1)
        self._update_controls()

    # -- microphones -----------------------------------------------------------------------------

    def _show_devices(self, names: list[str]) -> None:
        """Fill the list with the microphones there are now: the one used last time chosen if
        it is among them; with none, say so and look again every few seconds."""
        current = self.devices.currentData() or app_settings.load().recorder_device
        self.devices.clear()
        for name in names:
            self.devices.addItem(name, name)
        if current and current in names:
            self.devices.setCurrentIndex(self.devices.findData(current))
        if names:
            self.no_microphone.clear()
            self._rescan_timer.stop()
        else:
            self.no_microphone.show_error(self.tr(
                "No microphone was found. Plug in a microphone (or switch it on and check its "
                "cable), then press Look again. The app also looks by itself every few "
                "seconds."))
            self._rescan_timer.start()
        self._update_controls()

    def rescan_devices(self) -> None:
        """Ask PortAudio again which microphones there are (off the GUI thread). Not while
        recording or playing: restarting PortAudio would end those streams."""
        if self._rescanning or self._busy() or (self.player is not None
                                                 and self.player.playing):
            return
        self._rescanning = True
        self.rescan_button.setEnabled(False)
        self._update_controls()  # Record and Play off: no stream may open while PortAudio restarts
        tasks.Task(self, self._device_lister, True).success(self._rescanned).failure(
            lambda error: self._rescanned([])).run()

    def _rescanned(self, names: list[str]) -> None:
        self._rescanning = False
        self.rescan_button.setEnabled(True)
        had_none = self.devices.count() == 0
        self._show_devices(names)
        if had_none and names:
            self.banner.show_info(self.tr("Microphone found: %1").replace("%1", names[0]))

    def _rescan_if_idle(self) -> None:
        if self.devices.count() == 0 and self.isVisible():
            self.rescan_devices()

    @property
    def player(self) -> Player | None:
        return self.listen.player

    # -- data ----------------------------------------------------------------------------------

    def _load_people(self) -> None:
        with self._vault.reading() as session:
            people = [(p.id, p.full_name) for p in session.query(Person)
                      .filter(Person.visit_id == self.visit_id).order_by(Person.position)]
            martyrs = [(m.id, m.full_name) for m in session.query(Martyr)
                       .filter(Martyr.visit_id == self.visit_id).order_by(Martyr.position)]
        self.speaker.clear()
        self.speaker.addItem("", None)
        for person_id, name in people:
            self.speaker.addItem(name, person_id)
        self.martyrs.clear()
        for martyr_id, name in martyrs:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, martyr_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.martyrs.addItem(item)

    def _load_testimonies(self, select: str | None = None) -> None:
        ids = tm.list_testimonies(self._vault, self.visit_id)
        self.testimonies.blockSignals(True)
        self.testimonies.clear()
        for number, testimony_id in enumerate(ids, 1):
            view = tm.load_testimony(self._vault, testimony_id)
            title = view.speaker_name or self.tr("Testimony %1").replace("%1", str(number))
            self.testimonies.addItem(f"{title} — {clock_text(view.duration)}", testimony_id)
        self.testimonies.blockSignals(False)
        if ids:
            index = self.testimonies.findData(select) if select else len(ids) - 1
            self.testimonies.setCurrentIndex(max(0, index))
            self._testimony_chosen()

    def new_testimony(self) -> str:
        testimony_id = tm.create_testimony(self._vault, self.visit_id)
        self._load_testimonies(select=testimony_id)
        return testimony_id

    def _testimony_chosen(self) -> None:
        testimony_id = self.testimonies.currentData()
        if not testimony_id or self._busy():
            return
        self.testimony_id = testimony_id
        view = tm.load_testimony(self._vault, testimony_id)
        index = self.speaker.findData(view.speaker_person_id) if view.speaker_person_id else -1
        if index >= 0:
            self.speaker.setCurrentIndex(index)
        else:
            self.speaker.setCurrentIndex(0)
            self.speaker.setEditText(view.speaker_name)
        self.language.setText(view.language)
        self.notes.setPlainText(view.notes)
        for row in range(self.martyrs.count()):
            item = self.martyrs.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in view.martyr_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self._show_playback(view)

    def save_details(self, quiet: bool = False) -> None:
        if self.testimony_id is None:
            self.testimony_id = tm.create_testimony(self._vault, self.visit_id)
            self.save_details(quiet)
            self._load_testimonies(select=self.testimony_id)
            return
        assert self.testimony_id is not None
        person = self.speaker.currentData()
        name = self.speaker.currentText().strip()
        martyr_ids = [self.martyrs.item(r).data(Qt.ItemDataRole.UserRole)
                      for r in range(self.martyrs.count())
                      if self.martyrs.item(r).checkState() == Qt.CheckState.Checked]
        try:
            tm.update_testimony(self._vault, self.testimony_id, speaker_person_id=person or "",
                                speaker_name=name, language=self.language.text().strip(),
                                notes=self.notes.toPlainText(), martyr_ids=martyr_ids)
        except Exception as error:
            self.banner.show_error(user_message(error))
            return
        if not quiet:
            self.banner.show_info(self.tr("Saved."))

    def _recover(self) -> None:
        busy = {self.recorder.part_id} if self.recorder and self.recorder.part_id else set()
        tasks.Task(self, rec.recover_unfinished, self._vault, busy).success(
            self._recovered).failure(
            lambda error: self.banner.show_error(user_message(error))).run(tasks.Pool.DATABASE)

    def _recovered(self, found: list[rec.Recovered]) -> None:
        if not found:
            return
        lines = [self.tr("Recovered the recording of %1 up to second %2.")
                 .replace("%1", item.speaker_name or self.tr("an unnamed speaker"))
                 .replace("%2", str(int(item.seconds))) for item in found]
        self.banner.show_info(" ".join(lines))
        self._load_testimonies(select=self.testimony_id)

    # -- recording -----------------------------------------------------------------------------

    def _busy(self) -> bool:
        return self.recorder is not None and self.recorder.state in (
            rec.State.RECORDING, rec.State.PAUSED, rec.State.FINISHING)

    def start_recording(self) -> None:
        if self._busy() or self._rescanning:
            return
        if self.devices.count() == 0:  # no microphone: the state already says what to do
            self._show_devices([])
            return
        self.banner.clear()
        self._stop_player()
        if self.testimony_id is None:
            # keep what was typed on the blank screen: it belongs to this first testimony
            self.testimony_id = tm.create_testimony(self._vault, self.visit_id)
            self.save_details(quiet=True)
            self._load_testimonies(select=self.testimony_id)
        else:
            self.save_details(quiet=True)  # who speaks is known before the first word
        name = self.devices.currentData() or ""
        try:
            source = self._source_factory(name)
            if self.recorder is None or self.recorder.testimony_id != self.testimony_id:
                self.recorder = rec.Recorder(self._vault, self.testimony_id)
            self.recorder.start(source)
        except Exception as error:
            self.banner.show_error(user_message(error))
            self._update_controls()
            return
        chosen = name or source.name
        if chosen and app_settings.load().recorder_device != chosen:
            saved = app_settings.load()
            saved.recorder_device = chosen
            app_settings.save(saved)
        self._update_controls()

    def toggle_pause(self) -> None:
        if self.recorder is None:
            return
        if self.recorder.state == rec.State.RECORDING:
            self.recorder.pause()
        elif self.recorder.state == rec.State.PAUSED:
            self.recorder.resume()
        self._update_controls()

    def stop_recording(self) -> None:
        recorder = self.recorder
        if recorder is None or recorder.state not in (rec.State.RECORDING, rec.State.PAUSED):
            return
        self.stop_button.setEnabled(False)
        tasks.Task(self, recorder.stop).success(lambda _: self._after_stop()).failure(
            lambda error: self.banner.show_error(user_message(error))).run()

    def _after_stop(self) -> None:
        self.save_details(quiet=True)
        self._drain_events()
        self._update_controls()
        self._load_testimonies(select=self.testimony_id)
        self.recording_stopped.emit()

    def begin_marker(self) -> None:
        """One key while recording: the time is taken now; the label may be typed after."""
        if self.recorder is not None and self.recorder.state in (rec.State.RECORDING,
                                                                 rec.State.PAUSED):
            self._pending_marker_at = self.recorder.position_seconds()
        else:
            self._pending_marker_at = self.waveform.position
        self.marker_label.setFocus()

    def _show_marker_reading(self, *_args: object) -> None:
        text = self.marker_label.text().strip()
        coordinate = self.marker_kind.currentData() == tm.MarkerKind.COORDINATE.value
        if not (coordinate and text):
            self.marker_reading.hide()
            return
        if self._marker_reader is None:
            self._marker_reader = CoordinateReader()
        best = self._marker_reader.best(text)
        self.marker_reading.setText("→ " + (short_reading(best[0]) if best else self.tr(
            "no coordinates understood yet (for example 16.7463, 107.1856 or 48Q XD 841 420)")))
        self.marker_reading.show()

    def add_marker(self) -> None:
        if self.testimony_id is None:
            return
        at = self._pending_marker_at
        if at is None:
            at = self.recorder.position_seconds() if self._busy() and self.recorder \
                else self.waveform.position
        self._pending_marker_at = None
        try:
            tm.add_marker(self._vault, self.testimony_id, at, self.marker_label.text().strip(),
                          self.marker_kind.currentData())
        except Exception as error:
            self.banner.show_error(user_message(error))
            return
        self.marker_label.clear()
        self._show_playback(tm.load_testimony(self._vault, self.testimony_id), waveform=False)

    def _update_controls(self) -> None:
        state = self.recorder.state if self.recorder is not None else rec.State.IDLE
        active = state in (rec.State.RECORDING, rec.State.PAUSED)
        self.record_button.setEnabled(state in (rec.State.IDLE, rec.State.STOPPED)
                                      and self.devices.count() > 0 and not self._rescanning)
        self.record_button.setText(self.tr("Record") if self.testimony_id is None or not
                                   self.waveform.duration else self.tr("Continue recording"))
        self.pause_button.setEnabled(active)
        self.pause_button.setText(self.tr("Resume") if state == rec.State.PAUSED
                                  else self.tr("Pause"))
        self.stop_button.setEnabled(active)
        self.devices.setEnabled(not active)
        self.rescan_button.setEnabled(not active and not self._rescanning)
        self.testimonies.setEnabled(not active)
        self.new_button.setEnabled(not active)
        self.listen.set_allowed(not active and not self._rescanning)

    def _tick(self) -> None:
        recorder = self.recorder
        if recorder is not None and recorder.state in (rec.State.RECORDING, rec.State.PAUSED):
            peak, rms, clipped = recorder.levels()
            self.meter.set_levels(peak, rms, clipped)
            self.level_label.setText(self.tr("Peak %1 dBFS, RMS %2 dBFS, overflows: %3")
                                     .replace("%1", f"{peak:.0f}").replace("%2", f"{rms:.0f}")
                                     .replace("%3", str(recorder.overflows)))
            self.elapsed.setText(self.tr("Recorded %1").replace(
                "%1", clock_text(recorder.position_seconds())))
            left = recorder.disk_seconds_left
            if left is not None:
                self.disk_left.setText(self.tr("Space left on the disk: about %1 minutes")
                                       .replace("%1", str(int(left // 60))))
        else:
            if self.meter.peak_db > -120:
                self.meter.set_levels(-120.0, -120.0, False)
                self.level_label.clear()
        if not (recorder is not None and recorder.state in (rec.State.RECORDING,
                                                             rec.State.PAUSED)) \
                and self.disk_left.text() == "":
            seconds = rec.disk_seconds_left(self._vault)
            self.disk_left.setText(self.tr("Space left on the disk: about %1 minutes")
                                   .replace("%1", str(int(seconds // 60))))
        if recorder is not None:
            self._drain_events()

    def _drain_events(self) -> None:
        assert self.recorder is not None
        for event in self.recorder.events():
            if event.kind == "device_lost":
                self.banner.show_error(
                    self.tr("The microphone stopped working. The first %1 are kept. Choose a "
                            "microphone and press Continue recording.")
                    .replace("%1", clock_text(event.detail["seconds"])))
                self.rescan_devices()
            elif event.kind == "disk_low":
                self.banner.show_error(
                    self.tr("The disk is nearly full: about %1 minutes of recording left.")
                    .replace("%1", str(int(event.detail["seconds_left"] // 60))))
            elif event.kind == "part_ended" and event.detail["reason"] == "disk_full":
                self.banner.show_error(self.tr("The disk is full: the recording was stopped and "
                                               "everything recorded is kept."))
            elif event.kind == "error":
                self.banner.show_error(user_message(event.detail["error"]))
            if event.kind == "part_ended":
                self.save_details(quiet=True)
                self._update_controls()
                self._load_testimonies(select=self.testimony_id)

    # -- playback ------------------------------------------------------------------------------

    def _show_playback(self, view: tm.TestimonyView, waveform: bool = True) -> None:
        self.listen.show_testimony(view, waveform)
        self._update_controls()

    def seek(self, seconds: float) -> None:
        self.listen.seek(seconds)

    def toggle_play(self) -> None:
        self.listen.toggle_play()

    def _stop_player(self) -> None:
        self.listen.stop()

    def closeEvent(self, event: Any) -> None:
        self._stop_player()
        if self._busy() and self.recorder is not None:
            self.recorder.stop()
        super().closeEvent(event)

