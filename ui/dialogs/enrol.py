"""Enrolling the station with the command: the server's address and the one-time code.

    dialog = EnrolDialog(vault_or_getter, parent)
    dialog.enrolled.connect(lambda enrolment: ...)
    dialog.open()

The command hands out the code on paper or a screen, as ``sohoa-server enrol-code`` prints it:
the code with the fingerprint of the command's keys (8 groups of 4, ``9F3C 1A2B …``), or an
enrolment link (``sohoa-enrol:?server=…&code=…&keys=…``, also shown as a QR code). The operator
types the address, the code and the fingerprint, or pastes the link (what a phone's QR reader
shows) into any field: the dialog splits it. The fingerprint is required: the station compares
the keys the server offers with it before it sends the code, so a server that is not the
command's (a hostile Wi-Fi, a relay) is refused and the code stays unspent. On a mismatch the
dialog shows both fingerprints, grouped as on the sheet.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
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
from ui.errors import user_message
from ui.viewmodels import VaultLike, vault_getter
from ui.widgets.common import BusyBar, paragraph


class EnrolDialog(QDialog):
    enrolled = Signal(object)  # outbox.Enrolment

    def __init__(self, vault: VaultLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolDialog")
        self.setWindowTitle(self.tr("Enrol this station with the command"))
        self.setMinimumWidth(560)
        self._vault = vault_getter(vault)
        self.keys_fingerprint: str | None = None
        self.tls_sha256: str | None = None  # from a link's tls=
        self.running = False
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(self.tr(
            "The provincial Military Command gives each station a one-time code, on paper or "
            "as a QR code. Type the server's address, the code and the fingerprint of the "
            "command's keys from the printed sheet, or paste the whole enrolment link (it "
            "starts with sohoa-enrol:) into any field.")))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.server = QLineEdit()
        self.server.setObjectName("enrolServer")
        self.server.setPlaceholderText("https://chqs.example.vn:8470")
        self.code = QLineEdit()
        self.code.setObjectName("enrolCode")
        self.code.setPlaceholderText("1A2B-3C4D-5E6F-7A8B")
        self.keys = QLineEdit()
        self.keys.setObjectName("enrolKeys")
        self.keys.setPlaceholderText("9F3C 1A2B 4D5E 6F70 8192 A3B4 C5D6 E7F8")
        self.keys.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        form.addRow(self.tr("Address of the command server"), self.server)
        form.addRow(self.tr("One-time code"), self.code)
        form.addRow(self.tr("Fingerprint of the command's keys"), self.keys)
        layout.addLayout(form)
        self.keys_hint = QLabel(self.tr(
            "It is on the sheet the command printed with the code (sohoa-server enrol-code): "
            "8 groups of 4 letters and digits. The station checks that the server answers "
            "with these keys before it sends the code."))
        self.keys_hint.setObjectName("hint")
        self.keys_hint.setWordWrap(True)
        layout.addWidget(self.keys_hint)
        self.mismatch = QLabel()
        self.mismatch.setObjectName("keysMismatch")
        self.mismatch.setTextFormat(Qt.TextFormat.RichText)
        self.mismatch.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.mismatch.hide()
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
        layout.addWidget(self.mismatch)
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
        self.keys.textChanged.connect(lambda text: self._maybe_link(self.keys, text))
        self._update()

    def _maybe_link(self, field: QLineEdit, text: str) -> None:
        """A pasted enrolment link fills the fields, whichever it was pasted into."""
        if text.strip().lower().startswith(enrol_link.SCHEME + ":"):
            try:
                link = enrol_link.parse(text)
            except enrol_link.BadEnrolLink as error:
                self._show_error(user_message(error))
                return
            fingerprint = (enrol_link.grouped(link.keys_fingerprint)
                           if link.keys_fingerprint else "")
            for edit, value in ((self.server, link.server_url), (self.code, link.code),
                                (self.keys, fingerprint)):
                edit.blockSignals(True)
                edit.setText(value)
                edit.blockSignals(False)
            self.keys_fingerprint = link.keys_fingerprint
            self.tls_sha256 = link.tls_sha256
            self.pinned.setText(self.tr(
                "From the enrolment link: the station will check that the server answers "
                "with the command's own keys.") if link.keys_fingerprint else "")
            self.pinned.setVisible(bool(link.keys_fingerprint))
            self.error.hide()
        elif field is self.server:
            # Another address than the link's: its certificate pin no longer applies.
            self.tls_sha256 = None
            self.pinned.hide()
        elif field is self.keys:
            self.keys_fingerprint = None
            self.pinned.hide()
        self.mismatch.hide()
        self._update()

    def _update(self) -> None:
        ready = all(edit.text().strip() for edit in (self.server, self.code, self.keys))
        self.enrol_button.setEnabled(ready and not self.running)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _fields(self, enabled: bool) -> None:
        for edit in (self.server, self.code, self.keys):
            edit.setEnabled(enabled)

    def submit(self) -> None:
        if self.running:
            return
        server = self.server.text().strip()
        code = self.code.text().strip().upper()
        try:
            keys = enrol_link.parse_fingerprint(self.keys.text())
        except enrol_link.BadFingerprint as error:
            self._show_error(user_message(error))
            self.keys.setFocus()
            return
        self.error.hide()
        self.mismatch.hide()
        self.running = True
        self.busy.show()
        self._fields(False)
        self._update()
        # The network may be slow or absent: never on the GUI thread. An address without a
        # scheme becomes https:// there; http:// only reaches this machine.
        tasks.Task(self, outbox.enrol, self._vault(), server, code, keys,
                   tls=self.tls_sha256).success(self._done).failure(
            self._failed).run(tasks.Pool.GENERAL)

    def _done(self, enrolment: object) -> None:
        self.running = False
        self.busy.hide()
        self.enrolled.emit(enrolment)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self.busy.hide()
        self._fields(True)
        self._show_error(user_message(error))
        if isinstance(error, enrol_link.KeysMismatch) and error.expected and error.answered:
            self.mismatch.setText(self.tr(
                "On the sheet: <tt>{expected}</tt><br>The server answered: "
                "<tt>{answered}</tt>").format(expected=enrol_link.grouped(error.expected),
                                               answered=enrol_link.grouped(error.answered)))
            self.mismatch.show()
        self._update()

    def reject(self) -> None:
        if self.running:
            return  # the answer is on its way; the station must know whether it is enrolled
        super().reject()
