"""The first start on a laptop: language, station, first admin, creating the vault, recovery key.

The recovery key is shown once, here, and printed or written down before the wizard can finish.
It is kept only in this wizard's memory and dropped when the wizard closes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from capture.keyslots import KdfParams
from capture.roles import Role
from capture.vault import Clock, NewUser, StationSetup, UnlockedVault, Vault, utc_now
from ui import i18n, tasks, viewmodels
from ui.documents import recovery_pdf
from ui.errors import user_message
from ui.resources import mono_font
from ui.widgets.common import Banner, BusyBar, PassphrasePair, PlacePicker, heading, paragraph

LANGUAGE_PAGE, STATION_PAGE, ADMIN_PAGE, CREATING_PAGE, RECOVERY_PAGE = range(5)


class LanguagePage(QWizardPage):
    language_chosen = Signal(str)
    practice_requested = Signal()

    def __init__(self, language: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Welcome to Digitize Memories")))
        layout.addWidget(paragraph(self.tr(
            "This laptop is not set up yet. In a few steps you will name the station, create "
            "the first admin account and print the recovery key. First, choose the language.")))
        self.buttons: dict[str, QRadioButton] = {}
        for code in i18n.LANGUAGES:
            button = QRadioButton(i18n.language_name(code))
            button.setObjectName(f"language_{code}")
            button.setChecked(code == language)
            button.toggled.connect(lambda on, code=code: on and self.language_chosen.emit(code))
            self.buttons[code] = button
            layout.addWidget(button)
        layout.addStretch()
        layout.addWidget(paragraph(self.tr(
            "New to the station? Practise first on a sample household: nothing real, nothing "
            "sent, and this setup waits for you.")))
        self.practice_button = QPushButton(self.tr("Practise on a sample household"))
        self.practice_button.setObjectName("practice")
        self.practice_button.clicked.connect(self.practice_requested)
        layout.addWidget(self.practice_button)
        self.banner = Banner()
        layout.addWidget(self.banner)


class StationPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("The station")))
        layout.addWidget(paragraph(self.tr(
            "A station is this laptop and the team that uses it. Give it a name the command will "
            "recognise, and the province and commune or ward where the team works.")))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.name = QLineEdit()
        self.name.setObjectName("stationName")
        self.name.setPlaceholderText(self.tr("For example: Youth Union of Ba Đình ward, team 1"))
        self.province = PlacePicker()
        self.province.setObjectName("province")
        self.province.set_choices(viewmodels.province_choices(),
                                  self.tr("Type to search, or choose from the list"))
        self.ward = PlacePicker()
        self.ward.setObjectName("ward")
        self.ward.setEnabled(False)
        self.ward.lineEdit().setPlaceholderText(self.tr("Choose the province first"))
        form.addRow(self.tr("Station name"), self.name)
        form.addRow(self.tr("Province or city"), self.province)
        form.addRow(self.tr("Commune or ward"), self.ward)
        layout.addLayout(form)
        layout.addStretch()
        self.name.textChanged.connect(self.completeChanged)
        self.province.currentIndexChanged.connect(self._province_changed)
        self.province.editTextChanged.connect(self.completeChanged)
        self.ward.currentIndexChanged.connect(self.completeChanged)
        self.ward.editTextChanged.connect(self.completeChanged)

    def _province_changed(self) -> None:
        code = self.province.code()
        if code is None:
            self.ward.set_choices([], self.tr("Choose the province first"))
            self.ward.setEnabled(False)
        else:
            self.ward.set_choices(viewmodels.ward_choices(code),
                                  self.tr("Type to search, or choose from the list"))
            self.ward.setEnabled(True)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return (bool(self.name.text().strip()) and self.province.code() is not None
                and self.ward.code() is not None)

    def validatePage(self) -> bool:
        return self.isComplete()

    def setup(self) -> StationSetup:
        province, ward = self.province.code(), self.ward.code()
        assert province is not None and ward is not None
        return StationSetup(self.name.text().strip(), province, ward)


class AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("The station admin")))
        layout.addWidget(paragraph(self.tr(
            "The admin creates the accounts of the team. You can add volunteers, coordinators "
            "and sync operators later, in Settings.")))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.full_name = QLineEdit()
        self.full_name.setObjectName("fullName")
        self.full_name.setPlaceholderText(self.tr("For example: Nguyễn Thị Lan"))
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setPlaceholderText(self.tr("For example: lan.nguyen"))
        self.username_problem = QLabel()
        self.username_problem.setObjectName("inlineError")
        self.username_problem.setWordWrap(True)
        self.username_problem.hide()
        form.addRow(self.tr("Full name"), self.full_name)
        form.addRow(self.tr("User name (used to sign in)"), self.username)
        layout.addLayout(form)
        layout.addWidget(self.username_problem)
        self.passphrase = PassphrasePair()
        layout.addWidget(self.passphrase)
        layout.addStretch()
        self.full_name.textChanged.connect(self.completeChanged)
        self.username.textChanged.connect(self._username_changed)
        self.passphrase.changed.connect(self.completeChanged)

    def _username_changed(self) -> None:
        text = self.username.text()
        bad = bool(text.strip()) and not viewmodels.username_ok(text)
        self.username_problem.setText(self.tr(
            "A user name needs 2 to 40 letters, digits, dots, dashes or underscores, "
            "without spaces.") if bad else "")
        self.username_problem.setVisible(bad)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return (bool(self.full_name.text().strip()) and viewmodels.username_ok(
            self.username.text()) and self.passphrase.is_valid())

    def validatePage(self) -> bool:
        # Also when next() is called directly: a mismatched passphrase never reaches the core.
        return self.isComplete()

    def new_user(self) -> NewUser:
        return NewUser(self.username.text().strip(), self.full_name.text().strip(),
                       self.passphrase.passphrase(), Role.ADMIN)


class CreatingPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._done = False
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Creating the station")))
        self.status = paragraph(self.tr(
            "Creating the encrypted vault and the station's keys. This takes a few seconds."))
        layout.addWidget(self.status)
        self.busy = BusyBar()
        layout.addWidget(self.busy)
        self.banner = Banner()
        layout.addWidget(self.banner)
        layout.addStretch()

    def initializePage(self) -> None:
        wizard = self._wizard
        if self._done or not (wizard.station_page.isComplete()
                              and wizard.admin_page.isComplete()):
            return
        self.banner.clear()
        self.busy.show()
        tasks.Task(self, Vault.create, wizard.vault_path, wizard.station_page.setup(),
                   wizard.admin_page.new_user(), clock=wizard.clock, kdf=wizard.kdf
                   ).success(self._created).failure(self._failed).run()

    def _created(self, result: tuple[UnlockedVault, str]) -> None:
        self.busy.hide()
        self._done = True
        self.setCommitPage(True)  # from here there is no going back: the vault exists
        self._wizard.vault_created(*result)
        self.completeChanged.emit()
        self._wizard.next()

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.status.setText(self.tr("The station was not created."))
        self.banner.show_error(user_message(error))

    def isComplete(self) -> bool:
        return self._done


class RecoveryKeyPage(QWizardPage):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__()
        self._wizard = wizard
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("The recovery key")))
        layout.addWidget(paragraph(self.tr(
            "If every passphrase is forgotten, only this key can open the station's vault. "
            "It is shown only this once. Write it down on paper, or save it as a PDF and print "
            "it, then keep it in a safe place away from the laptop.")))
        self.grid_host = QWidget()
        self.grid_host.setObjectName("recoveryKey")
        self.grid = QGridLayout(self.grid_host)
        self.grid.setHorizontalSpacing(28)
        self.grid.setVerticalSpacing(10)
        layout.addWidget(self.grid_host, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.save_pdf = QPushButton(self.tr("Save as PDF…"))
        self.save_pdf.setObjectName("savePdf")
        self.save_pdf.clicked.connect(self._ask_and_save_pdf)
        layout.addWidget(self.save_pdf, alignment=Qt.AlignmentFlag.AlignLeft)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.confirm = QCheckBox(self.tr("I have written down or printed the recovery key"))
        self.confirm.setObjectName("confirmRecovery")
        self.confirm.toggled.connect(self.completeChanged)
        layout.addWidget(self.confirm)
        layout.addStretch()
        self.groups: list[QLabel] = []

    def initializePage(self) -> None:
        for label in self.groups:
            label.deleteLater()
        self.groups = []
        key = self._wizard.recovery_key or ""
        for i, group in enumerate(viewmodels.recovery_groups(key)):
            label = QLabel(group)
            label.setFont(mono_font(22))
            label.setObjectName("keyGroup")
            self.grid.addWidget(label, i // 3, i % 3)
            self.groups.append(label)

    def shown_key(self) -> str:
        return "-".join(label.text() for label in self.groups)

    def isComplete(self) -> bool:
        return self.confirm.isChecked()

    def _ask_and_save_pdf(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the recovery key as PDF"),
            str(Path.home() / self.tr("recovery-key.pdf")), self.tr("PDF files (*.pdf)"))
        if chosen:
            self.save_pdf_to(Path(chosen))

    def save_pdf_to(self, path: Path) -> None:
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        sheet = self._wizard.recovery_sheet()
        try:
            recovery_pdf.save(path, sheet)
        except OSError as error:
            self.banner.show_error(user_message(error))
            return
        self.banner.show_info(self.tr("Saved to {path}. Print it now, then keep the paper "
                                      "in a safe place.").format(path=str(path)))


class SetupWizard(QWizard):
    """Emits ``completed`` with the first admin's unlocked vault after the last page."""

    completed = Signal(object)
    practice_requested = Signal()

    def __init__(self, vault_path: Path, *, kdf: KdfParams | None = None,
                 clock: Clock = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault_path = Path(vault_path)
        self.kdf = kdf
        self.clock = clock
        self.unlocked: UnlockedVault | None = None
        self.recovery_key: str | None = None
        self.setObjectName("setupWizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoDefaultButton, True)
        self._build()

    def _build(self) -> None:
        # Last page first, so that removing a page never makes the wizard show a later one.
        for page_id in reversed(list(self.pageIds())):
            page = self.page(page_id)
            self.removePage(page_id)
            page.deleteLater()
        self.setWindowTitle(self.tr("Set up the station — Digitize Memories"))
        self.language_page = LanguagePage(i18n.current_language())
        self.language_page.language_chosen.connect(self._language_chosen)
        self.language_page.practice_requested.connect(self.practice_requested)
        self.station_page = StationPage()
        self.admin_page = AdminPage()
        self.creating_page = CreatingPage(self)
        self.recovery_page = RecoveryKeyPage(self)
        for page_id, page in enumerate((self.language_page, self.station_page, self.admin_page,
                                        self.creating_page, self.recovery_page)):
            self.setPage(page_id, page)
        self.setStartId(LANGUAGE_PAGE)
        texts = {
            QWizard.WizardButton.BackButton: self.tr("Back"),
            QWizard.WizardButton.NextButton: self.tr("Next"),
            QWizard.WizardButton.CommitButton: self.tr("Next"),
            QWizard.WizardButton.FinishButton: self.tr("Finish"),
            QWizard.WizardButton.CancelButton: self.tr("Cancel"),
        }
        for button, text in texts.items():
            self.setButtonText(button, text)
        self.admin_page.setButtonText(QWizard.WizardButton.NextButton,
                                      self.tr("Create the station"))
        self.restart()

    def _language_chosen(self, language: str) -> None:
        # Nothing is typed yet on the first page, so the pages are simply built again.
        i18n.set_language(QApplication.instance(), language)
        self._build()

    def vault_created(self, unlocked: UnlockedVault, recovery_key: str) -> None:
        self.unlocked = unlocked
        self.recovery_key = recovery_key
        self.setOption(QWizard.WizardOption.NoCancelButton, True)

    def recovery_sheet(self) -> viewmodels.RecoverySheet:
        assert self.unlocked is not None and self.recovery_key is not None
        return viewmodels.recovery_sheet(self.unlocked, self.recovery_key, date.today())

    def reject(self) -> None:
        # Once the vault exists, leaving without the recovery key written down is not offered.
        if self.unlocked is None:
            super().reject()

    def accept(self) -> None:
        unlocked = self.unlocked
        self.recovery_key = None
        super().accept()
        if unlocked is not None:
            self.completed.emit(unlocked)
