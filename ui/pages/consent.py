"""The consent step of a visit: the consent text, the family's choices, the signature (or the
verbal consent in a testimony), the witness, and the receipt with its reference code; the
visit's consent records with their state, and recording a withdrawal.

    step = ConsentStep(vault_or_getter, visit_id)
    step.consent_recorded.connect(lambda record_id: ...)

``consent.record`` hashes every capture of the visit, so it (like every read here) runs in a
``Task`` on the database worker.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from capture import consent
from capture.consent import DrawnSignature, MediaUse, Scopes, Signer, VerbalConsent
from capture.vault import UnlockedVault
from ui import i18n, tasks
from ui.consent_records import ConsentState, RecordRow, load_state, local_time
from ui.dialogs.withdrawal import WithdrawalDialog, WithdrawByCodeDialog, withdrawal_notice_text
from ui.documents import receipt_pdf
from ui.errors import user_message
from ui.viewmodels import VaultLike, vault_getter
from ui.widgets.common import Banner, BusyBar, escaped, heading, paragraph
from ui.widgets.signature_pad import SignaturePad

log = logging.getLogger(__name__)

# -- the step -----------------------------------------------------------------------------------


class ConsentStep(QWidget):
    """Consent → receipt. Emits ``consent_recorded(record_id)`` once the signed record is
    stored."""

    consent_recorded = Signal(str)
    FORM, RECEIPT = 0, 1

    def __init__(self, vault: VaultLike, visit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consentStep")
        self._vault = vault_getter(vault)
        self.visit_id = visit_id
        self.state: ConsentState | None = None
        self.receipt: receipt_pdf.ReceiptData | None = None
        self.last_record_id: str | None = None
        self.language = i18n.current_language() or "vi"
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.stack.addWidget(self._scrolling(self._form_page()))
        self.stack.addWidget(self._scrolling(self._receipt_page()))
        self.reload()

    @property
    def vault(self) -> UnlockedVault:
        return self._vault()

    @staticmethod
    def _scrolling(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(widget)
        return area

    # -- building ---------------------------------------------------------------------------

    def _form_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(12)
        layout.addWidget(heading(self.tr("Consent of the family")))
        layout.addWidget(paragraph(self.tr(
            "Read the consent to the family, or let them read it. Then tick with them what they "
            "agree to. Nothing leaves this laptop without it.")))
        self.banner = Banner()
        layout.addWidget(self.banner)

        # The visit's consent records, when there are any.
        self.records_box = QGroupBox(self.tr("Consent history of this visit"))
        records_layout = QVBoxLayout(self.records_box)
        self.records_list = QListWidget()
        self.records_list.setObjectName("consentRecords")
        self.records_list.setMaximumHeight(170)
        self.records_list.setWordWrap(True)  # a withdrawal's line says when the command is told
        self.records_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.records_list.currentRowChanged.connect(self._record_selected)
        records_layout.addWidget(self.records_list)
        row = QHBoxLayout()
        self.receipt_again_button = QPushButton(self.tr("Show the receipt"))
        self.receipt_again_button.clicked.connect(self._show_selected_receipt)
        self.withdraw_button = QPushButton(self.tr("Record a withdrawal…"))
        self.withdraw_button.setToolTip(self.tr(
            "The family takes back all or part of this consent (by phone, letter or in person)."))
        self.withdraw_button.clicked.connect(self.record_withdrawal)
        self.amend_button = QPushButton(self.tr("Change the consent…"))
        self.amend_button.setToolTip(self.tr(
            "The family changes what they agree to (media use, DNA contact, a date): they sign "
            "again, and a new record replaces this one. The old one stays in the history."))
        self.amend_button.clicked.connect(self.start_amendment)
        row.addWidget(self.receipt_again_button)
        row.addWidget(self.amend_button)
        row.addWidget(self.withdraw_button)
        row.addStretch(1)
        records_layout.addLayout(row)
        self.records_box.hide()
        layout.addWidget(self.records_box)
        code_row = QHBoxLayout()
        code_row.addWidget(self._hint(self.tr(
            "A family quotes the code on their receipt to take back their consent?")), 1)
        self.code_button = QPushButton(self.tr("Withdrawal by reference code…"))
        self.code_button.clicked.connect(self.withdraw_by_code)
        code_row.addWidget(self.code_button)
        layout.addLayout(code_row)

        # Shown while the family changes an existing consent.
        self.amend_box = QFrame()
        self.amend_box.setObjectName("amendBox")
        self.amend_box.setStyleSheet(
            "QFrame#amendBox { background: #e1ecfb; border: 1px solid #9bb8e0; "
            "border-radius: 6px; }")
        amend_row = QHBoxLayout(self.amend_box)
        self.amend_label = QLabel()
        self.amend_label.setWordWrap(True)
        amend_row.addWidget(self.amend_label, 1)
        self.cancel_amend_button = QPushButton(self.tr("Cancel the change"))
        self.cancel_amend_button.clicked.connect(self.cancel_amendment)
        amend_row.addWidget(self.cancel_amend_button)
        self.amend_box.hide()
        layout.addWidget(self.amend_box)
        self.amending: RecordRow | None = None

        self.text = QTextBrowser()
        self.text.setObjectName("consentText")
        self.text.setOpenExternalLinks(False)
        self.text.setMinimumHeight(260)
        try:
            self.text.setMarkdown(consent.consent_text(self.language))
        except OSError:
            self.language = "vi"
            self.text.setMarkdown(consent.consent_text("vi"))
        layout.addWidget(self.text)

        layout.addWidget(self._scopes_box())
        layout.addWidget(self._signer_box())
        layout.addWidget(self._evidence_box())

        actor = self.vault.actor
        self.witness_label = paragraph(self.tr("Witness: {name} ({username}), the volunteer "
                                               "signed in on this laptop.").format(
            name=actor.full_name, username=actor.username))
        self.witness_label.setObjectName("witness")
        layout.addWidget(self.witness_label)
        self.busy = BusyBar()
        self.busy.hide()
        layout.addWidget(self.busy)
        row = QHBoxLayout()
        row.addStretch(1)
        self.record_button = QPushButton(self.tr("Record consent"))
        self.record_button.setProperty("primary", True)
        self.record_button.setMinimumHeight(44)
        self.record_button.clicked.connect(self.record)
        row.addWidget(self.record_button)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _scopes_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("What the family agrees to"))
        layout = QVBoxLayout(box)
        layout.setSpacing(8)
        self.archive_check = QCheckBox(self.tr(
            "1. Keep the material in the campaign archive and use it to search for and "
            "identify martyrs"))
        self.archive_check.setChecked(True)
        self.archive_check.setEnabled(False)
        layout.addWidget(self.archive_check)
        layout.addWidget(self._hint(self.tr(
            "Required: without it nothing can be kept. The material is encrypted and goes only "
            "to the provincial Military Command.")))
        self.share_check = QCheckBox(self.tr(
            "2. Share with the authorities that search for and identify martyrs"))
        layout.addWidget(self.share_check)
        layout.addWidget(self._hint(self.tr(
            "The Ministry of Defence, the Ministry of Home Affairs and the specialised units "
            "named in the consent.")))
        layout.addWidget(QLabel(self.tr("3. Public use in newspapers and the media")))
        media_row = QHBoxLayout()
        media_row.setContentsMargins(28, 0, 0, 0)
        self.media_group = QButtonGroup(self)
        self.media_named = QRadioButton(self.tr("With the family's name"))
        self.media_anonymous = QRadioButton(self.tr("Without the name"))
        self.media_none = QRadioButton(self.tr("Not at all"))
        for button in (self.media_named, self.media_anonymous, self.media_none):
            self.media_group.addButton(button)
            media_row.addWidget(button)
        self.media_none.setChecked(True)
        media_row.addStretch(1)
        layout.addLayout(media_row)
        self.dna_check = QCheckBox(self.tr(
            "4. The family may be contacted to give a DNA sample"))
        layout.addWidget(self.dna_check)
        dna_row = QHBoxLayout()
        dna_row.setContentsMargins(28, 0, 0, 0)
        self.dna_details = QLineEdit()
        self.dna_details.setPlaceholderText(self.tr("Who to contact, phone number or address"))
        self.dna_details.setEnabled(False)
        self.dna_check.toggled.connect(self.dna_details.setEnabled)
        dna_row.addWidget(self.dna_details)
        layout.addLayout(dna_row)
        layout.addWidget(QLabel(self.tr("5. Not to be made public before a date (optional)")))
        embargo_row = QHBoxLayout()
        embargo_row.setContentsMargins(28, 0, 0, 0)
        self.no_embargo = QCheckBox(self.tr("No such date"))
        self.no_embargo.setChecked(True)
        self.embargo_date = QDateEdit()
        self.embargo_date.setCalendarPopup(True)
        self.embargo_date.setDisplayFormat("dd/MM/yyyy")
        today = self.vault.clock().date()
        tomorrow = today + timedelta(days=1)
        self.embargo_date.setMinimumDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.embargo_date.setDate(QDate(today.year + 1, today.month, min(today.day, 28)))
        self.embargo_date.setEnabled(False)
        self.no_embargo.toggled.connect(lambda on: self.embargo_date.setEnabled(not on))
        embargo_row.addWidget(self.no_embargo)
        embargo_row.addWidget(self.embargo_date)
        embargo_row.addStretch(1)
        layout.addLayout(embargo_row)
        return box

    def _signer_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Who gives the consent"))
        form = QFormLayout(box)
        self.signer_name = QLineEdit()
        self.signer_name.setPlaceholderText(self.tr("Full name of the family's representative"))
        self.relationship = QComboBox()
        self.relationship.setEditable(True)
        self.relationship.addItems([
            "", self.tr("wife"), self.tr("son"), self.tr("daughter"), self.tr("brother"),
            self.tr("sister"), self.tr("nephew or niece"), self.tr("grandchild"),
            self.tr("other relative")])
        self.relationship.lineEdit().setPlaceholderText(self.tr("Relationship to the martyr"))
        form.addRow(self.tr("Name"), self.signer_name)
        form.addRow(self.tr("Relationship"), self.relationship)
        return box

    def _evidence_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Signature"))
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.evidence_group = QButtonGroup(self)
        self.by_signature = QRadioButton(self.tr("Signed on the screen"))
        self.by_voice = QRadioButton(self.tr("Said aloud in a recorded testimony"))
        self.evidence_group.addButton(self.by_signature)
        self.evidence_group.addButton(self.by_voice)
        self.by_signature.setChecked(True)
        row.addWidget(self.by_signature)
        row.addWidget(self.by_voice)
        row.addStretch(1)
        layout.addLayout(row)
        self.evidence_stack = QStackedWidget()
        signature = QWidget()
        sig_layout = QVBoxLayout(signature)
        sig_layout.setContentsMargins(0, 0, 0, 0)
        self.pad = SignaturePad()
        sig_layout.addWidget(self.pad)
        pad_row = QHBoxLayout()
        pad_row.addWidget(self._hint(self.tr(
            "The family's representative signs with the mouse, a finger or a pen.")), 1)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.clicked.connect(self.pad.clear)
        pad_row.addWidget(self.clear_button)
        sig_layout.addLayout(pad_row)
        self.evidence_stack.addWidget(signature)
        verbal = QWidget()
        verbal_form = QFormLayout(verbal)
        verbal_form.setContentsMargins(0, 0, 0, 0)
        self.testimony_ref = QComboBox()
        self.testimony_ref.setEditable(True)
        self.testimony_ref.lineEdit().setPlaceholderText(self.tr(
            "The recording (and the marker) where the family says they agree"))
        self.verbal_note = QLineEdit()
        self.verbal_note.setPlaceholderText(self.tr("e.g. cannot write; agreed at minute 12"))
        verbal_form.addRow(self.tr("Testimony"), self.testimony_ref)
        verbal_form.addRow(self.tr("Note"), self.verbal_note)
        verbal_form.addRow(self._hint(self.tr(
            "For those who cannot write: read the consent aloud while recording, and set a "
            "marker where they say what they agree to.")))
        self.evidence_stack.addWidget(verbal)
        self.by_voice.toggled.connect(
            lambda on: self.evidence_stack.setCurrentIndex(1 if on else 0))
        layout.addWidget(self.evidence_stack)
        return box

    def _receipt_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(14)
        layout.addWidget(heading(self.tr("Consent recorded")))
        self.receipt_banner = Banner()
        layout.addWidget(self.receipt_banner)
        layout.addWidget(paragraph(self.tr(
            "Give the family the receipt, printed or as a PDF. With this reference code they "
            "can take back or change their consent at any time.")))
        caption = QLabel(self.tr("Reference code"))
        caption.setObjectName("subheading")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(caption)
        self.receipt_code = QLabel("—")
        self.receipt_code.setObjectName("referenceCode")
        self.receipt_code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.receipt_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receipt_code.setStyleSheet(
            "QLabel#referenceCode { font-family: 'Noto Sans Mono'; font-size: 40pt; "
            "font-weight: bold; color: #10233f; border: 2px solid #10233f; border-radius: 10px;"
            " padding: 16px 24px; background: white; }")
        code_row = QHBoxLayout()
        code_row.addStretch(1)
        code_row.addWidget(self.receipt_code)
        code_row.addStretch(1)
        layout.addLayout(code_row)
        self.receipt_summary = paragraph("")
        self.receipt_summary.setObjectName("receiptSummary")
        self.receipt_summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.receipt_summary)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_pdf_button = QPushButton(self.tr("Save receipt as PDF…"))
        self.save_pdf_button.setProperty("primary", True)
        self.save_pdf_button.clicked.connect(self.choose_pdf_path)
        self.print_button = QPushButton(self.tr("Print…"))
        self.print_button.clicked.connect(self.print_receipt)
        self.back_button = QPushButton(self.tr("Back to the consent records"))
        self.back_button.clicked.connect(lambda: self.stack.setCurrentIndex(self.FORM))
        for button in (self.save_pdf_button, self.print_button, self.back_button):
            button.setMinimumHeight(40)
            button.setEnabled(button is self.back_button)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    @staticmethod
    def _hint(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("hint")
        label.setWordWrap(True)
        label.setContentsMargins(28, 0, 0, 0)
        return label

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        tasks.Task(self, load_state, self.vault, self.visit_id).success(self._loaded).failure(
            self._failed).run(tasks.Pool.DATABASE)

    def _loaded(self, state: ConsentState) -> None:
        self.state = state
        self.records_list.clear()
        for row in state.records:
            item = QListWidgetItem(self._record_text(row))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.records_list.addItem(item)
        self.records_box.setVisible(bool(state.records))
        self._record_selected(self.records_list.currentRow())
        current = self.testimony_ref.currentText()
        self.testimony_ref.clear()
        for ref, label in state.testimonies:
            self.testimony_ref.addItem(label, ref)
        self.testimony_ref.setEditText(current)
        if state.records and state.uncovered:
            self.banner.show_info(self.tr(
                "{count} photos or recordings were added after the last consent: the family "
                "needs to consent to them too (record the consent again).").format(
                count=state.uncovered))
        elif state.records and not state.uncovered:
            self.banner.show_info(self.tr(
                "The family's consent covers everything recorded in this visit."))
        else:
            self.banner.clear()

    def _record_text(self, row: RecordRow) -> str:
        when = local_time(row.created_at)
        if row.kind == "withdraw":
            notice = (self.tr("the command is told with the next batch")
                      if row.notice_sent_in is None else
                      self.tr("the command was told (batch {batch})").format(
                          batch=row.notice_sent_in[:8]))
            return self.tr("↩ {code} · withdrawal of {target} · asked by {name} · {when} · "
                           "{notice}").format(code=row.reference_code, target=row.target_code,
                                              name=row.signer, when=when, notice=notice)
        if row.kind == "amend":
            return self.tr("✎ {code} · change of {target} · {state} · signed by {name} · "
                           "{when}").format(code=row.reference_code, target=row.target_code,
                                            state=self._state_text(row), name=row.signer,
                                            when=when)
        return self.tr("{code} · {state} · signed by {name} · {when}").format(
            code=row.reference_code, state=self._state_text(row), name=row.signer, when=when)

    def _state_text(self, row: RecordRow) -> str:
        return {
            "valid": self.tr("✓ valid"),
            "superseded": self.tr("replaced by a later consent"),
            "withdrawn": self.tr("withdrawn"),
            "partly_withdrawn": self.tr("✓ valid, partly withdrawn"),
            "invalid": self.tr("✗ fails its signature check"),
        }[row.state]

    def _selected_row(self) -> RecordRow | None:
        if self.state is None:
            return None
        index = self.records_list.currentRow()
        return self.state.records[index] if 0 <= index < len(self.state.records) else None

    def _record_selected(self, _index: int) -> None:
        row = self._selected_row()
        grant = row is not None and row.kind != "withdraw"
        in_force = grant and row.state in ("valid", "partly_withdrawn")
        self.withdraw_button.setEnabled(in_force)
        self.amend_button.setEnabled(in_force)
        self.receipt_again_button.setEnabled(grant)

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.record_button.setEnabled(True)
        self.banner.show_error(user_message(error))

    # -- recording --------------------------------------------------------------------------

    def scopes(self) -> Scopes:
        media = (MediaUse.NAMED if self.media_named.isChecked() else MediaUse.ANONYMOUS
                 if self.media_anonymous.isChecked() else MediaUse.NONE)
        embargo = ""
        if not self.no_embargo.isChecked():
            embargo = self.embargo_date.date().toString("yyyy-MM-dd")
        return Scopes(archive_and_search=self.archive_check.isChecked(),
                      share_with_authorities=self.share_check.isChecked(), media_use=media,
                      dna_contact=self.dna_check.isChecked(),
                      dna_contact_details=self.dna_details.text() if self.dna_check.isChecked()
                      else "", embargo_until=embargo)

    def signer(self) -> Signer:
        return Signer(self.signer_name.text().strip(), self.relationship.currentText().strip())

    def evidence(self) -> DrawnSignature | VerbalConsent | None:
        if self.by_signature.isChecked():
            if self.pad.is_empty():
                return None
            return DrawnSignature(self.pad.strokes(), self.pad.png_bytes())
        index = self.testimony_ref.currentIndex()
        text = self.testimony_ref.currentText().strip()
        ref = (self.testimony_ref.itemData(index)
               if index >= 0 and self.testimony_ref.itemText(index) == text else text)
        return VerbalConsent(ref or "", self.verbal_note.text())

    def record(self) -> None:
        self.banner.clear()
        self.record_button.setEnabled(False)
        self.busy.show()
        tasks.Task(self, _record_and_read, self.vault, self.visit_id, self.scopes(),
                   self.signer(), self.evidence(), self.language,
                   self.amending.id if self.amending else None).success(
            self._recorded).failure(self._failed).run(tasks.Pool.DATABASE)

    # -- changing a consent -------------------------------------------------------------------

    def start_amendment(self) -> None:
        """The form again, filled with what the chosen consent says: the family changes what
        they want and signs again."""
        row = self._selected_row()
        if row is None or row.scopes is None:
            return
        self.amending = row
        scopes = row.scopes
        self.share_check.setChecked(scopes.share_with_authorities)
        {MediaUse.NAMED: self.media_named, MediaUse.ANONYMOUS: self.media_anonymous,
         MediaUse.NONE: self.media_none}[MediaUse(scopes.media_use)].setChecked(True)
        self.dna_check.setChecked(scopes.dna_contact)
        self.dna_details.setText(scopes.dna_contact_details)
        self.no_embargo.setChecked(not scopes.embargo_until)
        if scopes.embargo_until:
            self.embargo_date.setDate(QDate.fromString(scopes.embargo_until, "yyyy-MM-dd"))
        self.signer_name.setText(row.signer)
        self.relationship.setEditText(row.relationship)
        self.pad.clear()
        self.amend_label.setText(self.tr(
            "Changing consent {code}. Tick what the family agrees to now and let them sign "
            "again: a new record with a new code replaces it; the old one stays in the "
            "history.").format(code=row.reference_code))
        self.amend_box.show()
        self.record_button.setText(self.tr("Record the change"))

    def cancel_amendment(self) -> None:
        self.amending = None
        self.amend_box.hide()
        self.record_button.setText(self.tr("Record consent"))

    def _recorded(self, result: tuple[str, receipt_pdf.ReceiptData]) -> None:
        record_id, data = result
        self.busy.hide()
        self.record_button.setEnabled(True)
        self.last_record_id = record_id
        self._show_receipt(data)
        self.pad.clear()
        self.cancel_amendment()
        self.reload()
        self.consent_recorded.emit(record_id)

    def _show_receipt(self, data: receipt_pdf.ReceiptData) -> None:
        self.receipt = data
        self.receipt_banner.clear()
        self.receipt_code.setText(data.reference_code)
        lines = [f"<b>{escaped(what)}:</b> {escaped(answer)}" for what, answer in data.scopes]
        embargo = self.tr("Not public before")
        lines.append(f"<b>{escaped(embargo)}:</b> {escaped(data.embargo)}")
        self.receipt_summary.setText(
            self.tr("Signed by {signer} on {when}; witness {witness}.").format(
                signer=escaped(data.signer + (f" ({data.relationship})" if data.relationship
                                           else "")),
                when=data.signed_at, witness=escaped(data.witness))
            + ("<br>" + self.tr("This changes consent {code}; that one is no longer in force "
                                "but stays in the history.").format(code=data.replaces)
               if data.replaces else "")
            + "<br><br>" + "<br>".join(lines))
        self.save_pdf_button.setEnabled(True)
        self.print_button.setEnabled(True)
        self.stack.setCurrentIndex(self.RECEIPT)

    def _show_selected_receipt(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        tasks.Task(self, receipt_pdf.receipt_data, self.vault, row.id).success(
            self._show_receipt).failure(self._failed).run(tasks.Pool.DATABASE)

    # -- the receipt ------------------------------------------------------------------------

    def choose_pdf_path(self) -> None:
        if self.receipt is None:
            return
        suggested = str(Path.home() / f"bien-nhan-{self.receipt.reference_code}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save receipt as PDF"), suggested,
                                              self.tr("PDF (*.pdf)"))
        if path:
            self.save_receipt(Path(path))

    def save_receipt(self, path: Path) -> bool:
        if self.receipt is None:
            return False
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            receipt_pdf.save(path, self.receipt)
        except OSError as error:
            self.receipt_banner.show_error(user_message(error))
            return False
        self.receipt_banner.show_info(self.tr("Receipt saved: {path}").format(path=str(path)))
        return True

    def print_receipt(self) -> None:
        if self.receipt is None:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            receipt_pdf.print_on(printer, self.receipt)
        except OSError as error:
            self.receipt_banner.show_error(user_message(error))

    # -- withdrawal -------------------------------------------------------------------------

    def record_withdrawal(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        dialog = WithdrawalDialog(row, self)
        self.withdrawal_dialog = dialog  # tests fill it in
        dialog.accepted.connect(lambda: self._withdraw(row, dialog))
        dialog.open()

    def _withdraw(self, row: RecordRow, dialog: WithdrawalDialog) -> None:
        tasks.Task(self, consent.withdraw, self.vault, row.id, dialog.requested_by(),
                   dialog.how(), dialog.chosen_objects()).success(self._withdrawn).failure(
            self._failed).run(tasks.Pool.DATABASE)

    def _withdrawn(self, view: consent.ConsentView) -> None:
        self.reload()
        self.banner.show_info(withdrawal_notice_text(view.reference_code))

    def withdraw_by_code(self) -> WithdrawByCodeDialog:
        dialog = WithdrawByCodeDialog(self._vault, self)
        self.code_dialog = dialog  # tests fill it in
        dialog.withdrawn.connect(lambda _view: self.reload())
        dialog.open()
        return dialog


def _record_and_read(vault: UnlockedVault, visit_id: str, scopes: Scopes, signer: Signer,
                     evidence: Any, language: str, amends: str | None = None
                     ) -> tuple[str, receipt_pdf.ReceiptData]:
    """A new consent, or with ``amends`` the change of that one; and its receipt."""
    if amends:
        view = consent.amend(vault, amends, scopes, signer, evidence, language)
    else:
        view = consent.record(vault, visit_id, scopes, signer, evidence, language)
    return view.id, receipt_pdf.receipt_data(vault, view.id)


