"""Withdrawing consent: for a record on screen (WithdrawalDialog) or by the reference code a
family quotes on the phone (WithdrawByCodeDialog)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from capture import consent
from capture.consent import Signer
from capture.vault import UnlockedVault
from ui import tasks
from ui.consent_records import FoundConsent, RecordRow, find_consent, local_time
from ui.errors import user_message
from ui.viewmodels import VaultLike, day_month_year, vault_getter
from ui.widgets.common import Banner, escaped, heading, paragraph


class WithdrawalDialog(QDialog):
    """Who asked, how (phone, letter, in person), and all or some of what the consent covers."""

    def __init__(self, record: RecordRow, parent: QWidget | None = None,
                 context: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("withdrawalDialog")
        self.setWindowTitle(self.tr("Record a withdrawal of consent"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Withdrawal of consent {code}").format(
            code=record.reference_code), 2))
        if context:
            layout.addWidget(paragraph(context))
        layout.addWidget(paragraph(self.tr(
            "Write down the family's request as they made it. The consent record stays; a new "
            "signed record says what is taken back, and it is no longer sent anywhere.")))
        form = QFormLayout()
        self.name = QLineEdit(record.signer)
        self.relationship = QLineEdit()
        self.relationship.setPlaceholderText(self.tr("e.g. daughter, nephew"))
        form.addRow(self.tr("Who asked"), self.name)
        form.addRow(self.tr("Relationship to the martyr"), self.relationship)
        how_row = QHBoxLayout()
        self.how_group = QButtonGroup(self)
        self.how_buttons: dict[str, QRadioButton] = {}
        for key, text in (("phone", self.tr("By phone")), ("letter", self.tr("By letter")),
                          ("in_person", self.tr("In person"))):
            button = QRadioButton(text)
            self.how_group.addButton(button)
            self.how_buttons[key] = button
            how_row.addWidget(button)
        self.how_buttons["phone"].setChecked(True)
        how_row.addStretch(1)
        form.addRow(self.tr("How"), how_row)
        self.detail = QLineEdit()
        self.detail.setPlaceholderText(self.tr("Date, phone number or other details"))
        form.addRow(self.tr("Details"), self.detail)
        layout.addLayout(form)
        self.all_button = QRadioButton(self.tr("Everything this consent covers"))
        self.some_button = QRadioButton(self.tr("Only the photos and recordings chosen below"))
        self.all_button.setChecked(True)
        layout.addWidget(self.all_button)
        layout.addWidget(self.some_button)
        self.captures = QListWidget()
        for name, label in record.covers:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.captures.addItem(item)
        self.captures.setEnabled(False)
        self.some_button.toggled.connect(self.captures.setEnabled)
        layout.addWidget(self.captures)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(self.tr("Record the withdrawal"),
                                           QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setProperty("primary", True)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def requested_by(self) -> Signer:
        return Signer(self.name.text().strip(), self.relationship.text().strip())

    def how(self) -> str:
        labels = {key: button.text() for key, button in self.how_buttons.items()}
        chosen = next(key for key, button in self.how_buttons.items() if button.isChecked())
        detail = self.detail.text().strip()
        return labels[chosen] + (f": {detail}" if detail else "")

    def chosen_objects(self) -> list[str] | None:
        if self.all_button.isChecked():
            return None
        return [self.captures.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.captures.count())
                if self.captures.item(i).checkState() == Qt.CheckState.Checked]

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText(self.tr("Write the name of the person who asked."))
            self.error.show()
            return
        if self.chosen_objects() == []:
            self.error.setText(self.tr("Tick the photos or recordings the family takes back."))
            self.error.show()
            return
        self.accept()


class WithdrawByCodeDialog(QDialog):
    """A family calls, writes or comes by with the code on their receipt: find the consent it
    names (whatever visit it belongs to), then record what they take back. Emits ``withdrawn``
    with the new record."""

    withdrawn = Signal(object)  # consent.ConsentView

    def __init__(self, vault: VaultLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("withdrawByCode")
        self.setWindowTitle(self.tr("Withdrawal by reference code"))
        self.setMinimumWidth(560)
        self._vault = vault_getter(vault)
        self.found: FoundConsent | None = None
        self.withdrawal_dialog: WithdrawalDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Withdrawal by reference code"), 2))
        layout.addWidget(paragraph(self.tr(
            "Type the code the family reads from their receipt (DY-XXXX-XXXX).")))
        row = QHBoxLayout()
        self.code = QLineEdit()
        self.code.setObjectName("referenceCodeInput")
        self.code.setPlaceholderText("DY-XXXX-XXXX")
        self.code.returnPressed.connect(self.find)
        self.find_button = QPushButton(self.tr("Find"))
        self.find_button.clicked.connect(self.find)
        row.addWidget(self.code, 1)
        row.addWidget(self.find_button)
        layout.addLayout(row)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.summary = paragraph("")
        self.summary.setObjectName("foundConsent")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.hide()
        layout.addWidget(self.summary)
        buttons = QDialogButtonBox()
        self.continue_button = buttons.addButton(self.tr("Record the withdrawal…"),
                                                 QDialogButtonBox.ButtonRole.ActionRole)
        self.continue_button.setProperty("primary", True)
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(self.open_withdrawal)
        self.close_button = buttons.addButton(self.tr("Close"),
                                              QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def vault(self) -> UnlockedVault:
        return self._vault()

    def find(self) -> None:
        self.banner.clear()
        self.found = None
        self.summary.hide()
        self.continue_button.setEnabled(False)
        code = self.code.text().strip()
        if not code:
            self.banner.show_error(self.tr("Type the code from the family's receipt."))
            return
        tasks.Task(self, find_consent, self.vault, code).success(self._found).failure(
            lambda error: self.banner.show_error(user_message(error))).run(tasks.Pool.DATABASE)

    def _found(self, found: FoundConsent) -> None:
        self.found = found
        row = found.row
        lines = [self.tr("Consent <b>{code}</b>, signed by {name} on {when}, visit of {date} "
                         "to {contact}.").format(
            code=escaped(row.reference_code), name=escaped(row.signer),
            when=local_time(row.created_at), date=day_month_year(found.visit_date),
            contact=escaped(found.contact_name or "—"))]
        if found.quoted_code != row.reference_code:
            lines.append(self.tr("The code {quoted} was changed later; {code} is the consent "
                                 "in force now.").format(quoted=escaped(found.quoted_code),
                                                         code=escaped(row.reference_code)))
        if row.state == "withdrawn":
            lines.append(self.tr("Everything it covered was already withdrawn."))
        else:
            lines.append(self.tr("It covers {count} photos and recordings.").format(
                count=len(row.covers)))
        self.summary.setText("<br>".join(lines))
        self.summary.show()
        self.continue_button.setEnabled(row.state in ("valid", "partly_withdrawn"))

    def open_withdrawal(self) -> None:
        if self.found is None:
            return
        found = self.found
        dialog = WithdrawalDialog(found.row, self, context=self.tr(
            "Visit of {date} to {contact}.").format(date=day_month_year(found.visit_date),
                                                    contact=found.contact_name or "—"))
        self.withdrawal_dialog = dialog
        dialog.accepted.connect(lambda: self._withdraw(found.row, dialog))
        dialog.open()

    def _withdraw(self, row: RecordRow, dialog: WithdrawalDialog) -> None:
        self.continue_button.setEnabled(False)
        tasks.Task(self, consent.withdraw, self.vault, row.id, dialog.requested_by(),
                   dialog.how(), dialog.chosen_objects()).success(self._withdrawn).failure(
            lambda error: self.banner.show_error(user_message(error))).run(tasks.Pool.DATABASE)

    def _withdrawn(self, view: consent.ConsentView) -> None:
        self.banner.show_info(withdrawal_notice_text(view.reference_code))
        self.withdrawn.emit(view)


def withdrawal_notice_text(code: str) -> str:
    return QCoreApplication.translate(
        "ConsentStep", "The withdrawal is recorded ({code}). What it names will not be sent; "
        "the command is told with the next batch.").format(code=code)
