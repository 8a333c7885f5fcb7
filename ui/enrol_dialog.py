"""Enrolling the station with the command: the server's address and the one-time code.

    dialog = EnrolDialog(vault_or_getter, parent)
    dialog.enrolled.connect(lambda enrolment: ...)
    dialog.open()

The command hands out the code on paper or a screen, as ``sohoa-server enrol-code`` prints it:
the code alone (``1A2B-3C4D-5E6F-7A8B``) or an enrolment link (``sohoa-enrol:?server=…&code=…
&keys=…``, also shown as a QR code). The operator may type the address and the code, or paste
the link (what a phone's QR reader shows) into either field: the dialog splits it. A link also
pins the command's keys, so the station checks the keys it gets back against it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from sync import enrol_link, outbox
from ui import tasks
from ui.consent_page import VaultLike, vault_getter
from ui.errors import user_message
from ui.widgets import BusyBar, paragraph


class EnrolDialog(QDialog):
    enrolled = Signal(object)  # outbox.Enrolment

    def __init__(self, vault: VaultLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self.setWindowTitle(self.tr("Enrol this station with the command"))
        self.setMinimumWidth(560)
        self._vault = vault_getter(vault)
        self.keys_fingerprint: str | None = None
        self.running = False
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(self.tr(
            "The provincial Military Command gives each station a one-time code, on paper or "
            "as a QR code. Type the server's address and the code, or paste the whole "
            "enrolment link (it starts with sohoa-enrol:) into either field.")))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.server = QLineEdit()
        self.server.setObjectName("enrolServer")
        self.server.setPlaceholderText("https://chqs.example.vn:8470")
        self.code = QLineEdit()
        self.code.setObjectName("enrolCode")
        self.code.setPlaceholderText("1A2B-3C4D-5E6F-7A8B")
        form.addRow(self.tr("Address of the command server"), self.server)
        form.addRow(self.tr("One-time code"), self.code)
        layout.addLayout(form)
        self.pinned = QLabel()
        self.pinned.setObjectName("hint")
        self.pinned.setWordWrap(True)
        self.pinned.hide()
        layout.addWidget(self.pinned)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        layout.addWidget(self.error)
        self.busy = BusyBar()
        layout.addWidget(self.busy)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.enrol_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.enrol_button.setText(self.tr("Enrol"))
        self.enrol_button.setProperty("primary", True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.server.textChanged.connect(lambda text: self._maybe_link(self.server, text))
        self.code.textChanged.connect(lambda text: self._maybe_link(self.code, text))
        self._update()

    def _maybe_link(self, field: QLineEdit, text: str) -> None:
        """A pasted enrolment link fills both fields, whichever it was pasted into."""
        if text.strip().lower().startswith(enrol_link.SCHEME + ":"):
            try:
                link = enrol_link.parse(text)
            except enrol_link.BadEnrolLink as error:
                self._show_error(user_message(error))
                return
            for edit, value in ((self.server, link.server_url), (self.code, link.code)):
                edit.blockSignals(True)
                edit.setText(value)
                edit.blockSignals(False)
            self.keys_fingerprint = link.keys_fingerprint
            self.pinned.setText(self.tr(
                "From the enrolment link: the station will check that the server answers "
                "with the command's own keys.") if link.keys_fingerprint else "")
            self.pinned.setVisible(bool(link.keys_fingerprint))
            self.error.hide()
        elif field is self.server:
            # Another address than the link's: the keys on the link no longer apply to it.
            self.keys_fingerprint = None
            self.pinned.hide()
        self._update()

    def _update(self) -> None:
        ready = bool(self.server.text().strip()) and bool(self.code.text().strip())
        self.enrol_button.setEnabled(ready and not self.running)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def submit(self) -> None:
        if self.running:
            return
        server = self.server.text().strip().rstrip("/")
        if "://" not in server:
            # An operator types "10.0.0.5:8470" as the command wrote it on the paper.
            server = "http://" + server
        code = self.code.text().strip().upper()
        self.error.hide()
        self.running = True
        self.busy.show()
        self.server.setEnabled(False)
        self.code.setEnabled(False)
        self._update()
        # The network may be slow or absent: never on the GUI thread.
        # With a link, the keys the server answers with must be the ones printed on it.
        check = (enrol_link.EnrolLink(server, code, self.keys_fingerprint).check_keys
                 if self.keys_fingerprint else None)
        tasks.Task(self, outbox.enrol, self._vault(), server, code, check=check).success(
            self._done).failure(self._failed).run(tasks.Pool.GENERAL)

    def _done(self, enrolment: object) -> None:
        self.running = False
        self.busy.hide()
        self.enrolled.emit(enrolment)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.busy.hide()
        self.server.setEnabled(True)
        self.code.setEnabled(True)
        self._show_error(user_message(error))
        self._update()

    def reject(self) -> None:
        if self.running:
            return  # the answer is on its way; the station must know whether it is enrolled
        super().reject()
