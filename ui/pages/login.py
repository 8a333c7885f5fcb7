"""Signing in: passphrase, or the recovery key, and the forced new passphrase that follows a
recovery or an admin's reset. Unlocking runs in the background; the window never freezes.

``resume_for(username)`` puts the screen in "locked" mode after an idle lock: the same user signs
in again and finds the windows as they were, or chooses to let someone else sign in.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from capture.errors import TooManyAttempts, WrongPassphrase
from capture.vault import Clock, UnlockedVault, Vault, utc_now
from ui import tasks
from ui.errors import user_message
from ui.widgets.common import Banner, BusyBar, PassphrasePair, heading, paragraph, passphrase_edit


def _centered(inner: QWidget) -> QWidget:
    outer = QWidget()
    layout = QHBoxLayout(outer)
    layout.addStretch(1)
    inner.setMaximumWidth(560)
    inner.setMinimumWidth(420)
    layout.addWidget(inner, 3)
    layout.addStretch(1)
    return outer


class LoginScreen(QWidget):
    """Emits ``signed_in(UnlockedVault)`` once the vault is open and usable, and
    ``switch_user`` when a locked screen is handed to someone else."""

    signed_in = Signal(object)
    switch_user = Signal()
    practice_requested = Signal()

    SIGN_IN, RECOVERY, NEW_PASSPHRASE = range(3)

    def __init__(self, vault_path: Path, clock: Clock = utc_now,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginScreen")
        self.vault_path = Path(vault_path)
        self.clock = clock
        self._pending: UnlockedVault | None = None
        self._resume_user: str | None = None
        self._wait_user = ""
        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.stack)
        layout.addStretch(2)
        self.stack.addWidget(_centered(self._build_sign_in()))
        self.stack.addWidget(_centered(self._build_recovery()))
        self.stack.addWidget(_centered(self._build_new_passphrase()))
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

    # -- building ----------------------------------------------------------------------------

    def _build_sign_in(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.sign_in_title = heading(self.tr("Sign in"))
        layout.addWidget(self.sign_in_title)
        self.sign_in_note = paragraph(self.tr("Digitize Memories — the station's vault is locked."))
        layout.addWidget(self.sign_in_note)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.username = QLineEdit()
        self.username.setObjectName("loginUsername")
        self.passphrase = passphrase_edit()
        self.passphrase.setObjectName("loginPassphrase")
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        layout.addLayout(form)
        self.banner = Banner()
        self.banner.setObjectName("loginBanner")
        layout.addWidget(self.banner)
        self.busy = BusyBar()
        layout.addWidget(self.busy)
        self.sign_in_button = QPushButton(self.tr("Sign in"))
        self.sign_in_button.setObjectName("signIn")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setProperty("primary", True)
        layout.addWidget(self.sign_in_button)
        self.forgot = QPushButton(self.tr("Forgot passphrase? Use the recovery key"))
        self.forgot.setObjectName("forgot")
        self.forgot.setProperty("flat", True)
        layout.addWidget(self.forgot)
        self.other_user = QPushButton(self.tr("Someone else signs in"))
        self.other_user.setObjectName("otherUser")
        self.other_user.setProperty("flat", True)
        self.other_user.hide()
        layout.addWidget(self.other_user)
        self.practice_button = QPushButton(self.tr("Practise on a sample household"))
        self.practice_button.setObjectName("practice")
        self.practice_button.setProperty("flat", True)
        self.practice_button.setToolTip(self.tr(
            "A practice station with nothing real in it: try every step before a real visit."))
        self.practice_button.clicked.connect(self.practice_requested)
        layout.addWidget(self.practice_button)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.passphrase.returnPressed.connect(self._sign_in)
        self.username.returnPressed.connect(self.passphrase.setFocus)
        self.forgot.clicked.connect(self._show_recovery)
        self.other_user.clicked.connect(self._other_user)
        return page

    def _build_recovery(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading(self.tr("Sign in with the recovery key")))
        layout.addWidget(paragraph(self.tr(
            "Type your user name and the recovery key printed when the station was set up. "
            "Then you will choose a new passphrase.")))
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.recovery_username = QLineEdit()
        self.recovery_username.setObjectName("recoveryUsername")
        self.recovery_key = QLineEdit()
        self.recovery_key.setObjectName("recoveryKeyInput")
        self.recovery_key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        form.addRow(self.tr("User name"), self.recovery_username)
        form.addRow(self.tr("Recovery key"), self.recovery_key)
        layout.addLayout(form)
        self.recovery_banner = Banner()
        layout.addWidget(self.recovery_banner)
        self.recovery_busy = BusyBar()
        layout.addWidget(self.recovery_busy)
        row = QHBoxLayout()
        back = QPushButton(self.tr("Back"))
        self.recover_button = QPushButton(self.tr("Continue"))
        self.recover_button.setObjectName("recover")
        self.recover_button.setProperty("primary", True)
        row.addWidget(back)
        row.addStretch()
        row.addWidget(self.recover_button)
        layout.addLayout(row)
        back.clicked.connect(lambda: self.stack.setCurrentIndex(self.SIGN_IN))
        self.recover_button.clicked.connect(self._recover)
        self.recovery_key.returnPressed.connect(self._recover)
        return page

    def _build_new_passphrase(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(heading(self.tr("Choose a new passphrase")))
        self.new_note = paragraph("")
        layout.addWidget(self.new_note)
        self.new_pair = PassphrasePair()
        layout.addWidget(self.new_pair)
        self.new_banner = Banner()
        layout.addWidget(self.new_banner)
        self.new_busy = BusyBar()
        layout.addWidget(self.new_busy)
        row = QHBoxLayout()
        cancel = QPushButton(self.tr("Cancel"))
        self.save_new = QPushButton(self.tr("Save and continue"))
        self.save_new.setObjectName("saveNewPassphrase")
        self.save_new.setProperty("primary", True)
        self.save_new.setEnabled(False)
        row.addWidget(cancel)
        row.addStretch()
        row.addWidget(self.save_new)
        layout.addLayout(row)
        self.new_pair.changed.connect(
            lambda: self.save_new.setEnabled(self.new_pair.is_valid()))
        self.save_new.clicked.connect(self._save_new_passphrase)
        cancel.clicked.connect(self._cancel_new_passphrase)
        return page

    # -- modes -------------------------------------------------------------------------------

    def reset(self) -> None:
        """A fresh sign-in for anyone."""
        self._resume_user = None
        self.username.setReadOnly(False)
        self.username.clear()
        self.passphrase.clear()
        self.banner.clear()
        self.sign_in_title.setText(self.tr("Sign in"))
        self.sign_in_note.setText(self.tr("Digitize Memories — the station's vault is locked."))
        self.other_user.hide()
        self.stack.setCurrentIndex(self.SIGN_IN)
        self.username.setFocus()

    def resume_for(self, username: str, full_name: str) -> None:
        """After an idle lock: the same person signs in again to continue where they were."""
        self.reset()
        self._resume_user = username
        self.username.setText(username)
        self.username.setReadOnly(True)
        self.sign_in_title.setText(self.tr("The station is locked"))
        self.sign_in_note.setText(self.tr(
            "It locked itself after a while without use, to protect the families' data. "
            "{name}, type your passphrase to continue where you were.").format(name=full_name))
        self.other_user.show()
        self.passphrase.setFocus()

    def _other_user(self) -> None:
        self.reset()
        self.switch_user.emit()

    # -- signing in --------------------------------------------------------------------------

    def _vault(self) -> Vault:
        return Vault(self.vault_path, self.clock)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.sign_in_button.setEnabled(not busy)
        self.username.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)

    def _sign_in(self) -> None:
        username, passphrase = self.username.text().strip(), self.passphrase.text()
        if not username or not passphrase:
            self.banner.show_error(self.tr("Type your user name and your passphrase."))
            return
        if self._countdown.isActive():
            return
        self.banner.clear()
        self._set_busy(True)
        tasks.Task(self, self._vault().unlock, username, passphrase
                   ).success(self._unlocked).failure(self._sign_in_failed).run()

    def _unlocked(self, vault: UnlockedVault) -> None:
        self._set_busy(False)
        self.passphrase.clear()
        if vault.must_change_passphrase:
            self._ask_new_passphrase(vault, self.tr(
                "An admin gave you a temporary passphrase. Choose your own now; only you "
                "will know it."))
            return
        self.signed_in.emit(vault)

    def _sign_in_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.passphrase.clear()
        self.passphrase.setFocus()
        if isinstance(error, TooManyAttempts | WrongPassphrase):
            self._wait_user = self.username.text().strip()
            try:
                seconds = self._vault().seconds_to_wait(self._wait_user)
            except Exception:
                seconds = 0
            if seconds > 0:
                self._start_countdown(seconds)
                return
        self.banner.show_error(user_message(error))

    def _start_countdown(self, seconds: int) -> None:
        self.sign_in_button.setEnabled(False)
        self._show_wait(seconds)
        self._countdown.start()

    def _show_wait(self, seconds: int) -> None:
        self.banner.show_error(user_message(TooManyAttempts(seconds=seconds)))

    def _tick(self) -> None:
        try:
            seconds = self._vault().seconds_to_wait(self._wait_user)
        except Exception:
            seconds = 0
        if seconds <= 0:
            self._countdown.stop()
            self.sign_in_button.setEnabled(True)
            self.banner.show_info(self.tr("You can try again now."))
        else:
            self._show_wait(seconds)

    # -- recovery ----------------------------------------------------------------------------

    def _show_recovery(self) -> None:
        self.recovery_username.setText(self.username.text())
        self.recovery_banner.clear()
        self.stack.setCurrentIndex(self.RECOVERY)
        (self.recovery_key if self.recovery_username.text() else self.recovery_username
         ).setFocus()

    def _recover(self) -> None:
        username, key = self.recovery_username.text().strip(), self.recovery_key.text()
        if not username or not key.strip():
            self.recovery_banner.show_error(self.tr("Type your user name and the recovery key."))
            return
        self.recovery_banner.clear()
        self.recovery_busy.show()
        self.recover_button.setEnabled(False)
        tasks.Task(self, self._vault().unlock_with_recovery, username, key
                   ).success(self._recovered).failure(self._recovery_failed).run()

    def _recovered(self, vault: UnlockedVault) -> None:
        self.recovery_busy.hide()
        self.recover_button.setEnabled(True)
        self.recovery_key.clear()
        self._ask_new_passphrase(vault, self.tr(
            "The recovery key worked. Choose a new passphrase now: you will sign in with it "
            "from now on."))

    def _recovery_failed(self, error: BaseException) -> None:
        self.recovery_busy.hide()
        self.recover_button.setEnabled(True)
        self.recovery_banner.show_error(user_message(error))

    # -- forced new passphrase ---------------------------------------------------------------

    def _ask_new_passphrase(self, vault: UnlockedVault, note: str) -> None:
        self._pending = vault
        self.new_note.setText(note)
        self.new_pair.clear()
        self.new_banner.clear()
        self.stack.setCurrentIndex(self.NEW_PASSPHRASE)
        self.new_pair.first.setFocus()

    def _save_new_passphrase(self) -> None:
        vault = self._pending
        if vault is None or not self.new_pair.is_valid():
            return
        self.new_busy.show()
        self.save_new.setEnabled(False)
        tasks.Task(self, vault.set_new_passphrase, self.new_pair.passphrase()
                   ).success(lambda _: self._new_passphrase_saved(vault)
                             ).failure(self._new_passphrase_failed).run(tasks.Pool.DATABASE)

    def _new_passphrase_saved(self, vault: UnlockedVault) -> None:
        self.new_busy.hide()
        self.new_pair.clear()
        self._pending = None
        self.stack.setCurrentIndex(self.SIGN_IN)
        self.signed_in.emit(vault)

    def _new_passphrase_failed(self, error: BaseException) -> None:
        self.new_busy.hide()
        self.save_new.setEnabled(self.new_pair.is_valid())
        self.new_banner.show_error(user_message(error))

    def _cancel_new_passphrase(self) -> None:
        if self._pending is not None:
            self._pending.lock()
            self._pending = None
        self.new_pair.clear()
        self.stack.setCurrentIndex(self.SIGN_IN)

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() == Qt.Key.Key_Escape and self.stack.currentIndex() == self.RECOVERY:
            self.stack.setCurrentIndex(self.SIGN_IN)
            return
        super().keyPressEvent(event)
