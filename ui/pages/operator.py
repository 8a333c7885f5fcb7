"""The sync operator's screen: "Send to the command".

    page = OperatorPage(vault_or_getter)

From top to bottom: whether the station is enrolled with the command (and a way to enrol it);
what is ready to send (``outbox.preview``) with "Build batch"; the outgoing batches
(``outbox.status``) and, for the one selected, Upload with progress, speed and time left, Pause,
Resume, Cancel, "Write to USB drive" and "Load receipt…"; the upload speed limit.

The core keeps every batch's state in the vault, so this screen only shows it and starts work:
reading runs on the database worker, building, uploading, enrolling and copying on a general
worker; progress comes back by queued signals. An upload that was running when the app closed
shows as paused; Resume continues from where the command stopped.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture.errors import VaultLocked
from capture.roles import Action, allowed
from capture.vault import UnlockedVault
from sync import outbox
from ui import settings as app_settings
from ui import tasks
from ui.dialogs.enrol import EnrolDialog
from ui.dialogs.usb import UsbDialog, accept_receipt_file
from ui.errors import user_message
from ui.pages.operator_texts import (
    Overview,
    UploadRun,
    figures_text,
    load_overview,
    local_time,
    retry_text,
    sent_text,
    size_text,
    state_sentence,
    state_text,
)
from ui.viewmodels import VaultLike, vault_getter
from ui.widgets.common import Banner, BusyBar, escaped, heading, paragraph

# Choices for the upload speed limit, in bytes per second (0: no limit). A shared 3G phone
# or the commune office's line gives 30–200 KB/s; the operator leaves the rest to others.
UPLOAD_CAPS = (0, 32 * 1024, 64 * 1024, 128 * 1024, 256 * 1024, 512 * 1024, 1024 * 1024,
               2 * 1024 * 1024)


class OperatorPage(QScrollArea):
    # From workers to the GUI thread (queued).
    _built_progress = Signal(int, int)
    _upload_progress = Signal(object)
    _upload_retrying = Signal(int, float, str)
    # For tests and the shell.
    overview_loaded = Signal()
    upload_finished = Signal(str, str)  # batch id, "delivered" | "cancelled" | "failed"
    batches_built = Signal(int)
    exported = Signal(str)  # the path written

    def __init__(self, vault: VaultLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("operatorPage")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._vault = vault_getter(vault)
        role = self.vault.actor.role
        self.can_send = allowed(role, Action.SEND_BATCH) and allowed(role, Action.BUILD_BATCH)
        self.can_enrol = allowed(role, Action.ENROL_STATION)
        self.overview: Overview | None = None
        self.upload_run: UploadRun | None = None
        self.build_cancel: threading.Event | None = None
        self.building = False
        self.busy_batch: str | None = None  # a USB copy or receipt check in progress

        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(14)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Send to the command")), 1)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.banner = Banner()
        self.banner.setObjectName("operatorBanner")
        layout.addWidget(self.banner)
        layout.addWidget(self._enrolment_box())
        if self.can_send:
            layout.addWidget(self._ready_box())
            layout.addWidget(self._batches_box())
            layout.addWidget(self._speed_box())
        layout.addStretch(1)
        self._built_progress.connect(self._show_build_progress)
        self._upload_progress.connect(self._show_upload_progress)
        self._upload_retrying.connect(self._show_retrying)
        self.refresh()

    @property
    def vault(self) -> UnlockedVault:
        return self._vault()

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        window = self.window()
        if window is not getattr(self, "_watched_window", None):
            # The app waits for running tasks when its window closes: an upload retrying on a
            # dead link would hold it open, so it is stopped first (the vault keeps its place).
            window.installEventFilter(self)
            self._watched_window = window
        if self.overview is not None:
            self.refresh()  # coming back to the page: what was approved meanwhile

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.stop_work()
        return False

    def stop_work(self) -> None:
        """Stop an upload or a build this screen started (both resume or restart later)."""
        if self.upload_run is not None:
            self.upload_run.cancel.set()
            self.upload_run.pause.clear()
        if self.build_cancel is not None:
            self.build_cancel.set()

    # -- building the screen --------------------------------------------------------------------

    def _enrolment_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Connection to the command"))
        box.setObjectName("enrolmentBox")
        layout = QHBoxLayout(box)
        self.enrolment_label = QLabel(self.tr("Checking…"))
        self.enrolment_label.setObjectName("enrolmentState")
        self.enrolment_label.setWordWrap(True)
        self.enrolment_label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.enrolment_label, 1)
        self.enrol_button = QPushButton(self.tr("Enrol this station…"))
        self.enrol_button.setObjectName("enrolButton")
        self.enrol_button.setMinimumHeight(40)
        self.enrol_button.clicked.connect(self.open_enrol_dialog)
        self.enrol_button.setVisible(False)
        layout.addWidget(self.enrol_button, alignment=Qt.AlignmentFlag.AlignTop)
        return box

    def _ready_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Ready to send"))
        layout = QVBoxLayout(box)
        self.ready_label = QLabel(self.tr("Checking…"))
        self.ready_label.setObjectName("readySummary")
        self.ready_label.setWordWrap(True)
        layout.addWidget(self.ready_label)
        self.ready_list = QListWidget()
        self.ready_list.setObjectName("readyVisits")
        self.ready_list.setMaximumHeight(130)
        self.ready_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.ready_list.hide()
        layout.addWidget(self.ready_list)
        self.build_bar = QProgressBar()
        self.build_bar.setObjectName("buildProgress")
        self.build_bar.setTextVisible(False)
        self.build_bar.setFixedHeight(14)
        self.build_bar.hide()
        layout.addWidget(self.build_bar)
        self.build_figures = QLabel()
        self.build_figures.setObjectName("buildFigures")
        self.build_figures.hide()
        layout.addWidget(self.build_figures)
        row = QHBoxLayout()
        self.build_button = QPushButton(self.tr("Build batch"))
        self.build_button.setObjectName("buildButton")
        self.build_button.setProperty("primary", True)
        self.build_button.setMinimumHeight(42)
        self.build_button.setEnabled(False)
        self.build_button.clicked.connect(self.build)
        self.cancel_build_button = QPushButton(self.tr("Cancel"))
        self.cancel_build_button.setObjectName("cancelBuild")
        self.cancel_build_button.clicked.connect(self.cancel_build)
        self.cancel_build_button.hide()
        row.addWidget(self.build_button)
        row.addWidget(self.cancel_build_button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _batches_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Outgoing batches"))
        layout = QVBoxLayout(box)
        self.batches_empty = QLabel(self.tr("No batches yet. Build one from the visits ready "
                                            "to send."))
        self.batches_empty.setObjectName("emptyState")
        self.batches_empty.setWordWrap(True)
        layout.addWidget(self.batches_empty)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("batchTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Built"), self.tr("Part"), self.tr("Visits"), self.tr("Size"),
            self.tr("State"), self.tr("Delivered")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.table.itemSelectionChanged.connect(self._show_selected)
        layout.addWidget(self.table)

        self.detail = QFrame()
        self.detail.setObjectName("batchDetail")
        detail = QVBoxLayout(self.detail)
        detail.setContentsMargins(0, 6, 0, 0)
        self.detail_title = QLabel()
        self.detail_title.setObjectName("subheading")
        self.detail_title.setWordWrap(True)
        detail.addWidget(self.detail_title)
        self.detail_state = QLabel()
        self.detail_state.setObjectName("batchState")
        self.detail_state.setWordWrap(True)
        detail.addWidget(self.detail_state)
        self.upload_bar = QProgressBar()
        self.upload_bar.setObjectName("uploadProgress")
        self.upload_bar.setRange(0, 1000)
        self.upload_bar.setTextVisible(False)  # the line below says it, readable on any fill
        self.upload_bar.setFixedHeight(14)
        detail.addWidget(self.upload_bar)
        self.upload_figures = QLabel()
        self.upload_figures.setObjectName("uploadFigures")
        detail.addWidget(self.upload_figures)
        self.network_note = QLabel()
        self.network_note.setObjectName("networkNote")
        # Amber, not red: nothing failed for good, the app is on it.
        self.network_note.setStyleSheet("QLabel { color: #9a6200; font-weight: bold; }")
        self.network_note.setWordWrap(True)
        self.network_note.hide()
        detail.addWidget(self.network_note)
        buttons = QHBoxLayout()
        self.upload_button = QPushButton(self.tr("Upload"))
        self.upload_button.setObjectName("uploadButton")
        self.upload_button.setProperty("primary", True)
        self.upload_button.setMinimumHeight(42)
        self.upload_button.clicked.connect(self.start_upload)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.clicked.connect(self.pause_upload)
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setObjectName("resumeButton")
        self.resume_button.setProperty("primary", True)
        self.resume_button.setMinimumHeight(42)
        self.resume_button.clicked.connect(self.resume_upload)
        self.cancel_button = QPushButton(self.tr("Cancel upload"))
        self.cancel_button.setObjectName("cancelUpload")
        self.cancel_button.clicked.connect(self.cancel_upload)
        self.usb_button = QPushButton(self.tr("Write to USB drive…"))
        self.usb_button.setObjectName("usbButton")
        self.usb_button.clicked.connect(self.choose_usb)
        self.receipt_button = QPushButton(self.tr("Load receipt…"))
        self.receipt_button.setObjectName("receiptButton")
        self.receipt_button.clicked.connect(self.choose_receipt)
        for button in (self.upload_button, self.resume_button, self.pause_button,
                       self.cancel_button, self.usb_button, self.receipt_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        detail.addLayout(buttons)
        self.detail_busy = BusyBar()
        detail.addWidget(self.detail_busy)
        layout.addWidget(self.detail)
        self.detail.hide()
        return box

    def _speed_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Upload speed limit"))
        layout = QVBoxLayout(box)
        layout.addWidget(paragraph(self.tr(
            "On a shared connection (a phone's 3G/4G, the commune office's line), leave room "
            "for others. The limit applies from the next upload or resume.")))
        self.speed_cap = QComboBox()
        self.speed_cap.setObjectName("speedCap")
        for cap in UPLOAD_CAPS:
            label = self.tr("No limit") if cap == 0 else self.tr("{size}/s").format(
                size=size_text(cap, 0))
            self.speed_cap.addItem(label, cap)
        saved = app_settings.load().upload_cap
        index = self.speed_cap.findData(saved)
        if index < 0 and saved:
            self.speed_cap.addItem(self.tr("{size}/s").format(size=size_text(saved, 0)), saved)
            index = self.speed_cap.count() - 1
        self.speed_cap.setCurrentIndex(max(index, 0))
        self.speed_cap.currentIndexChanged.connect(self._save_speed_cap)
        layout.addWidget(self.speed_cap, alignment=Qt.AlignmentFlag.AlignLeft)
        return box

    def _save_speed_cap(self) -> None:
        saved = app_settings.load()
        saved.upload_cap = int(self.speed_cap.currentData() or 0)
        app_settings.save(saved)

    def bandwidth_cap(self) -> int | None:
        cap = int(self.speed_cap.currentData() or 0)
        return cap or None

    # -- loading --------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.vault.is_locked:
            return  # the station locked; signing in again shows the page, which reloads
        tasks.Task(self, load_overview, self.vault, self.can_send).success(
            self._loaded).failure(self._failed).run(tasks.Pool.DATABASE)

    def _loaded(self, overview: Overview) -> None:
        self.overview = overview
        self._show_enrolment(overview.enrolment)
        if self.can_send:
            self._show_plan(overview.plan)
            self._show_batches(overview.batches)
        self.overview_loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.banner.show_error(user_message(error))

    def _show_enrolment(self, enrolment: outbox.Enrolment | None) -> None:
        if enrolment is None:
            if self.can_enrol:
                text = self.tr(
                    "<b>This station is not enrolled with the command yet.</b><br>Enrol it "
                    "once with the address and the one-time code the command gave you; "
                    "then batches can be sent.")
            else:
                text = self.tr(
                    "<b>This station is not enrolled with the command yet.</b><br>Ask the "
                    "station admin to enrol it (on this page, with the one-time code from "
                    "the command). Until then no batch can be built or sent.")
        else:
            text = self.tr("<b>Enrolled with the command</b> at {server}<br>since {when}").format(
                server=escaped(enrolment.server_url), when=local_time(enrolment.enrolled_at))
        self.enrolment_label.setText(text)
        self.enrolment_label.setProperty("enrolled", enrolment is not None)
        self.enrol_button.setVisible(self.can_enrol)
        self.enrol_button.setText(self.tr("Enrol this station…") if enrolment is None
                                  else self.tr("Enrol again…"))
        self.enrol_button.setProperty("primary", enrolment is None)
        self.enrol_button.style().unpolish(self.enrol_button)
        self.enrol_button.style().polish(self.enrol_button)

    def _show_plan(self, plan: Any) -> None:
        self.ready_list.clear()
        if plan is None or (not plan.visits and not plan.withdrawal_notices):
            self.ready_label.setText(self.tr(
                "Nothing to send: approved visits with the family's consent appear here "
                "once the coordinator approves them."))
            self.ready_list.hide()
        else:
            parts = self.tr("{visits} visits · {files} files · {size}").format(
                visits=len(plan.visits), files=sum(v.files for v in plan.visits),
                size=size_text(plan.total_bytes))
            if plan.parts > 1:
                parts += " · " + self.tr("in {parts} parts").format(parts=plan.parts)
            if plan.withdrawal_notices:
                parts += " · " + self.tr("{count} consent withdrawals").format(
                    count=plan.withdrawal_notices)
            self.ready_label.setText(parts)
            for visit in plan.visits:
                item = QListWidgetItem(self.tr("{title} — {files} files, {size}").format(
                    title=visit.title or visit.visit_id[:8], files=visit.files,
                    size=size_text(visit.bytes)))
                self.ready_list.addItem(item)
            self.ready_list.setVisible(bool(plan.visits))
        self._update_build_button()

    def _update_build_button(self) -> None:
        plan = self.overview.plan if self.overview else None
        has_work = plan is not None and bool(plan.visits or plan.withdrawal_notices)
        enrolled = self.overview is not None and self.overview.enrolment is not None
        # Batches are encrypted to the command's key, which only enrolment brings.
        self.build_button.setEnabled(has_work and enrolled and not self.building)

    # -- building a batch -----------------------------------------------------------------------

    def build(self) -> None:
        if self.building:
            return
        self.banner.clear()
        self.building = True
        self.build_cancel = threading.Event()
        self.build_bar.setRange(0, 0)
        self.build_bar.show()
        self.build_figures.setText(self.tr("Packing and encrypting…"))
        self.build_figures.show()
        self.cancel_build_button.setEnabled(True)
        self.cancel_build_button.show()
        self._update_build_button()
        tasks.Task(self, outbox.build, self.vault, cancel=self.build_cancel,
                   progress=self._built_progress.emit).success(self._built).failure(
            self._build_failed).run(tasks.Pool.GENERAL)

    def _show_build_progress(self, done: int, total: int) -> None:
        if total <= 0:
            return
        # Byte counts overflow a QProgressBar's int: show permille.
        self.build_bar.setRange(0, 1000)
        self.build_bar.setValue(int(1000 * done / total))
        if self.build_cancel is None or not self.build_cancel.is_set():
            self.build_figures.setText(self.tr("{done} of {total} packed and encrypted").format(
                done=size_text(done), total=size_text(total)))

    def cancel_build(self) -> None:
        if self.build_cancel is not None:
            self.build_cancel.set()
        self.cancel_build_button.setEnabled(False)
        self.build_figures.setText(self.tr("Stopping…"))

    def _build_finished(self) -> None:
        self.building = False
        self.build_bar.hide()
        self.build_figures.hide()
        self.cancel_build_button.hide()
        self._update_build_button()

    def _built(self, batches: list[Any]) -> None:
        self._build_finished()
        if batches:
            self.banner.show_info(self.tr(
                "Batch built: {parts} file(s), {size}. Select it below to upload it or write "
                "it to a USB drive.").format(parts=len(batches),
                                              size=size_text(sum(b.size for b in batches))))
        self.batches_built.emit(len(batches))
        self.refresh()

    def _build_failed(self, error: BaseException) -> None:
        self._build_finished()
        if isinstance(error, outbox.BuildCancelled):
            self.banner.show_info(self.tr("Building was cancelled. Nothing was sent and "
                                          "nothing was lost."))
        else:
            self.banner.show_error(user_message(error))
        self.refresh()

    # -- the list of batches --------------------------------------------------------------------

    def _show_batches(self, batches: list[Any]) -> None:
        keep = self.selected_batch_id()
        if keep is None and self.upload_run is not None:
            keep = self.upload_run.batch_id
        self.table.blockSignals(True)
        self.table.setRowCount(len(batches))
        for row, batch in enumerate(batches):
            cells = [local_time(batch.created_at),
                     self.tr("{part} of {parts}").format(part=batch.part, parts=batch.parts),
                     str(len(batch.visits)), size_text(batch.size),
                     state_text(batch, self.upload_run),
                     local_time(batch.delivered_at)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, batch.id)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        self.batches_empty.setVisible(not batches)
        self.table.setVisible(bool(batches))
        ids = [b.id for b in batches]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif batches:
            self.table.selectRow(0)
        self._show_selected()

    def selected_batch_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.can_send else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def selected_batch(self) -> Any:
        batch_id = self.selected_batch_id()
        if batch_id is None or self.overview is None:
            return None
        return next((b for b in self.overview.batches if b.id == batch_id), None)

    def _show_selected(self) -> None:
        batch = self.selected_batch()
        self.detail.setVisible(batch is not None)
        if batch is None:
            return
        self.detail_title.setText(self.tr(
            "Batch of {when} · part {part} of {parts} · {visits} visits · {size}").format(
            when=local_time(batch.created_at), part=batch.part, parts=batch.parts,
            visits=len(batch.visits), size=size_text(batch.size)))
        self.detail_state.setText(state_sentence(batch, self.upload_run))
        run = self.upload_run if self.upload_run and self.upload_run.batch_id == batch.id \
            else None
        sent = run.progress.sent if run and run.progress else batch.sent_bytes
        total = run.progress.total if run and run.progress else batch.size
        if batch.state == "delivered":
            sent = total
        self.upload_bar.setValue(int(1000 * sent / total) if total else 0)
        if run is None:
            self.upload_figures.setText(sent_text(sent, total))
            self.network_note.hide()
        self._update_buttons()

    def _update_buttons(self) -> None:
        batch = self.selected_batch()
        run = self.upload_run
        mine = run is not None and batch is not None and run.batch_id == batch.id
        idle = self.busy_batch is None
        enrolled = self.overview is not None and self.overview.enrolment is not None
        open_state = batch is not None and batch.state in ("built", "uploading")
        self.upload_button.setVisible(batch is not None and batch.state == "built" and not mine)
        self.upload_button.setEnabled(enrolled and run is None and idle)
        paused = mine and run is not None and run.pause.is_set()
        stopped_midway = batch is not None and batch.state == "uploading" and not mine
        self.resume_button.setVisible(paused or stopped_midway)
        self.resume_button.setEnabled(enrolled and idle and (paused or run is None))
        self.pause_button.setVisible(mine and not paused)
        self.cancel_button.setVisible(mine)
        self.usb_button.setVisible(open_state)
        self.usb_button.setEnabled(open_state and not mine and idle)
        self.receipt_button.setVisible(open_state)
        self.receipt_button.setEnabled(open_state and not mine and idle)
        self.detail_busy.setVisible(not idle)

    # -- uploading ------------------------------------------------------------------------------

    def start_upload(self, batch_id: str | None = None) -> None:
        batch_id = batch_id or self.selected_batch_id()
        if batch_id is None or self.upload_run is not None:
            return
        self.banner.clear()
        run = UploadRun(batch_id)
        self.upload_run = run
        self.network_note.hide()
        self.upload_figures.setText(self.tr("Connecting to the command…"))
        self._refresh_row_states()
        task = tasks.Task(self, outbox.upload, self.vault, batch_id,
                          progress=self._upload_progress.emit, pause=run.pause,
                          cancel=run.cancel, bandwidth_cap=self.bandwidth_cap(),
                          retrying=self._upload_retrying.emit)
        task.success(lambda batch: self._upload_done(run, batch)).failure(
            lambda error: self._upload_failed(run, error)).run(tasks.Pool.GENERAL)

    def pause_upload(self) -> None:
        if self.upload_run is not None:
            self.upload_run.pause.set()
            self.upload_figures.setText(self.upload_figures.text())
            self._refresh_row_states()

    def resume_upload(self) -> None:
        run = self.upload_run
        if run is not None and run.pause.is_set():
            run.pause.clear()
            self._refresh_row_states()
            return
        self.start_upload()

    def cancel_upload(self) -> None:
        if self.upload_run is not None:
            self.upload_run.cancel.set()
            self.upload_run.pause.clear()
            self.cancel_button.setEnabled(False)
            self.upload_figures.setText(self.tr("Stopping…"))

    def _show_upload_progress(self, progress: Any) -> None:
        run = self.upload_run
        if run is None:
            return
        was_waiting = run.waiting_for_network
        run.progress = progress
        run.waiting_for_network = False  # bytes are flowing again
        self.network_note.hide()
        if self.selected_batch_id() == run.batch_id:
            total = max(progress.total, 1)
            self.upload_bar.setValue(int(1000 * progress.sent / total))
            self.upload_figures.setText(figures_text(
                progress, self.upload_run is not None and self.upload_run.pause.is_set()))
        if was_waiting != run.waiting_for_network:
            self._refresh_row_states()

    def _show_retrying(self, attempt: int, seconds: float, reason: str) -> None:
        """The core could not reach the command, or was asked to wait, and tries again after
        ``seconds``; ``reason`` is "network", "unsigned_answer", "certificate" or the
        command's signed refusal code."""
        run = self.upload_run
        if run is None:
            return
        run.attempts = attempt
        changed = run.wait_reason != reason
        run.wait_reason = reason
        batch = self.selected_batch()
        if run.progress is None and batch is not None and batch.id == run.batch_id:
            self.upload_figures.setText(sent_text(batch.sent_bytes, batch.size))
        self.network_note.setText(retry_text(reason, seconds, attempt))
        self.network_note.show()
        if not run.waiting_for_network or changed:
            run.waiting_for_network = True
            self._refresh_row_states()

    def _refresh_row_states(self) -> None:
        if self.overview is None:
            return
        for row, batch in enumerate(self.overview.batches):
            item = self.table.item(row, 4)
            if item is not None:
                item.setText(state_text(batch, self.upload_run))
        self._show_selected()

    def _upload_done(self, run: UploadRun, batch: Any) -> None:
        self.upload_run = None
        self.cancel_button.setEnabled(True)
        if batch is None:
            # The vault locked during the upload: the verified receipt waits beside the batch
            # and is recorded when the page loads after the next sign-in.
            self.banner.show_info(self.tr(
                "The command received the batch while the station was locked; its signed "
                "receipt was checked and is recorded now."))
        else:
            self.banner.show_info(self.tr("Delivered: the command received the batch and its "
                                          "signed receipt was checked."))
        self.upload_finished.emit(run.batch_id, "delivered")
        self.refresh()

    def _upload_failed(self, run: UploadRun, error: BaseException) -> None:
        self.upload_run = None
        self.cancel_button.setEnabled(True)
        self.network_note.hide()
        if isinstance(error, VaultLocked):
            self.banner.show_info(self.tr(
                "The upload stopped when the station locked. Nothing is lost: press Resume to "
                "continue from where it stopped."))
            outcome = "cancelled"
        elif isinstance(error, outbox.UploadStopped) or run.cancel.is_set():
            self.banner.show_info(self.tr(
                "Upload stopped. Nothing is lost: press Resume to continue from where it "
                "stopped, or write the batch to a USB drive."))
            outcome = "cancelled"
        else:
            self.banner.show_error(user_message(error))
            outcome = "failed"
        self.upload_finished.emit(run.batch_id, outcome)
        self.refresh()

    # -- enrolment ------------------------------------------------------------------------------

    def open_enrol_dialog(self) -> EnrolDialog:
        dialog = EnrolDialog(self._vault, self)
        self.enrol_dialog = dialog  # tests fill it in
        dialog.enrolled.connect(self._enrolled)
        dialog.open()
        return dialog

    def _enrolled(self, enrolment: outbox.Enrolment) -> None:
        self.banner.show_info(self.tr("The station is enrolled with the command at {server}.")
                              .format(server=enrolment.server_url))
        self.refresh()

    # -- USB --------------------------------------------------------------------------------------

    def choose_usb(self) -> None:
        batch = self.selected_batch()
        if batch is None:
            return
        dialog = UsbDialog(batch.size, self)
        self.usb_dialog = dialog  # tests choose a folder in it
        dialog.accepted.connect(lambda: self.export_to(batch.id, dialog.chosen()))
        dialog.open()

    def export_to(self, batch_id: str, destination: Path | None) -> None:
        if destination is None or self.busy_batch is not None:
            return
        self.banner.clear()
        self.busy_batch = batch_id
        self._update_buttons()
        tasks.Task(self, outbox.export_usb, self.vault, batch_id, destination).success(
            self._exported).failure(self._busy_failed).run(tasks.Pool.GENERAL)

    def _exported(self, written: Path) -> None:
        self.busy_batch = None
        self.banner.show_info(self.tr(
            "Written and checked: {path}. Take the drive to the command; when they give you "
            "the receipt, load it with \"Load receipt…\".").format(path=written))
        self.exported.emit(str(written))
        self.refresh()

    def _busy_failed(self, error: BaseException) -> None:
        self.busy_batch = None
        self.banner.show_error(user_message(error))
        self.refresh()

    # -- receipts from USB ------------------------------------------------------------------------

    def choose_receipt(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("The command's receipt"), "",
            self.tr("Receipts (*.json *.txt *.receipt);;All files (*)"))
        if name:
            self.load_receipt(Path(name))

    def load_receipt(self, path: Path) -> None:
        if self.busy_batch is not None:
            return
        self.banner.clear()
        self.busy_batch = "receipt"
        self._update_buttons()
        tasks.Task(self, accept_receipt_file, self.vault, path).success(
            self._receipt_accepted).failure(self._busy_failed).run(tasks.Pool.DATABASE)

    def _receipt_accepted(self, batch: Any) -> None:
        self.busy_batch = None
        self.banner.show_info(self.tr("Receipt checked: the command received the batch of "
                                      "{when}. Its visits are marked delivered.").format(
            when=local_time(batch.created_at)))
        self.refresh()


