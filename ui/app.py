"""The desktop application: ``main(argv) -> int``.

Start: the bundled font, the saved language, then the setup wizard if this laptop has no vault,
else the sign-in. After sign-in, the workspace (``Shell``). Any keyboard or mouse input counts as
activity (``vault.touch()``); a timer asks the vault to lock itself when idle for the station's
auto-lock minutes. Locked, the window hides the workspace behind the sign-in; the same person
signing in again finds it as they left it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from capture import guide, paths, practice, retention
from capture.keyslots import KdfParams
from capture.practice import Practice
from capture.roles import Role
from capture.vault import Clock, UnlockedVault, Vault, utc_now
from ui import i18n, tasks
from ui.dialogs.help import HelpWindow
from ui.errors import user_message
from ui.pages.login import LoginScreen
from ui.pages.setup_wizard import SetupWizard
from ui.resources import apply_style, assets_dir
from ui.shell import Shell

IDLE_CHECK_MS = 15_000
_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin,
}


class ActivityFilter(QObject):
    """Tells the vault the user is there, on any input anywhere in the app."""

    def __init__(self, window: AppWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            vault = self._window.vault
            if vault is not None and not vault.is_locked:
                vault.touch()
        return False


class AppWindow(QMainWindow):
    """One window; its stack holds the wizard, the sign-in, or the workspace."""

    def __init__(self, vault_path: Path, *, clock: Clock = utc_now,
                 kdf: KdfParams | None = None, idle_check_ms: int = IDLE_CHECK_MS) -> None:
        super().__init__()
        self.setObjectName("appWindow")
        self.vault_path = Path(vault_path)
        self.clock = clock
        self.kdf = kdf
        self.vault: UnlockedVault | None = None
        self.wizard: SetupWizard | None = None
        self.shell: Shell | None = None
        # The practice station lives beside the real vault, never in it (capture/practice.py).
        self.practice = Practice.beside(self.vault_path)
        self.in_practice = False
        self.setWindowTitle(self.tr("Digitize Memories"))
        icon = assets_dir() / "icons" / "sohoa.png"
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self.resize(1100, 760)
        self.setMinimumSize(860, 640)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.login = LoginScreen(self.vault_path, clock)
        self.login.signed_in.connect(self._signed_in)
        self.login.switch_user.connect(self._switch_user)
        self.login.practice_requested.connect(self.open_practice)
        self.stack.addWidget(self.login)
        # F1 anywhere opens the guide at the part about what is on the screen.
        self.help_window: HelpWindow | None = None
        self.help_shortcut = QShortcut(QKeySequence(Qt.Key.Key_F1), self)
        self.help_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.help_shortcut.activated.connect(lambda: self.show_help(self.help_section()))
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(idle_check_ms)
        self.idle_timer.timeout.connect(self._check_idle)
        self._activity = ActivityFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity)
        if Vault.exists(self.vault_path):
            self.show_login()
        else:
            self.show_wizard()

    # -- what the window shows -----------------------------------------------------------------

    def current(self) -> QWidget:
        return self.stack.currentWidget()

    def show_wizard(self) -> None:
        if self.wizard is None:  # kept while practising, so the setup waits as it was
            self.wizard = SetupWizard(self.vault_path, kdf=self.kdf, clock=self.clock)
            self.wizard.completed.connect(self._setup_done)
            self.wizard.practice_requested.connect(self.open_practice)
            self.stack.addWidget(self.wizard)
        self.stack.setCurrentWidget(self.wizard)

    def show_login(self) -> None:
        self.login.reset()
        self.stack.setCurrentWidget(self.login)

    def _setup_done(self, vault: UnlockedVault) -> None:
        if self.wizard is not None:
            self.stack.removeWidget(self.wizard)
            self.wizard.deleteLater()
            self.wizard = None
        self._signed_in(vault)

    def _signed_in(self, vault: UnlockedVault) -> None:
        self.vault = vault
        vault.touch()
        if self.shell is not None and self.shell.vault.actor.user_id == vault.actor.user_id \
                and self.shell.vault.path == vault.path:
            self.shell.set_vault(vault)
        else:
            self._drop_shell()
            self.shell = Shell(vault, practice=self.in_practice)
            self.shell.lock_requested.connect(self.lock)
            self.shell.practice_reset_requested.connect(self.reset_practice)
            self.shell.practice_leave_requested.connect(self.leave_practice)
            self.shell.help_requested.connect(self.show_help)
            self.stack.addWidget(self.shell)
        self.stack.setCurrentWidget(self.shell)
        self.idle_timer.start()
        # Delivered media past the admin's retention period leave the laptop (off by default);
        # on the database worker, after any write already queued.
        tasks.Task(self, retention.release_delivered, vault).run(tasks.Pool.DATABASE)

    def _drop_shell(self) -> None:
        if self.shell is not None:
            self.stack.removeWidget(self.shell)
            self.shell.deleteLater()
            self.shell = None

    def _switch_user(self) -> None:
        self._drop_shell()
        self.show_login()

    # -- the guide -----------------------------------------------------------------------------

    def help_section(self) -> str:
        if self.shell is not None and self.current() is self.shell:
            return self.shell.help_section()
        return guide.FIRST  # the sign-in and the setup

    def show_help(self, section_id: str) -> None:
        if self.help_window is not None and self.help_window.language != i18n.current_language():
            self.help_window.deleteLater()  # the language changed in the settings
            self.help_window = None
        if self.help_window is None:
            self.help_window = HelpWindow(self)
        self.help_window.show_section(section_id)

    # -- the practice station -----------------------------------------------------------------

    def open_practice(self, role: Role = Role.VOLUNTEER) -> None:
        """Sign in to the practice station (made first if it is not there yet), as ``role``;
        a trainee already practising as another role is signed out of it first."""
        previous = self.vault if self.in_practice else None
        if previous is not None:
            self._save_waiting_edits()
            self._end_practice()

        def sign_in() -> UnlockedVault:
            if previous is not None:
                previous.lock()  # after its waiting saves, on the same worker
            return practice.open_vault(self.practice, role, clock=self.clock, kdf=self.kdf)

        tasks.Task(self, sign_in).success(self._practice_opened).failure(
            self._practice_failed).run(tasks.Pool.DATABASE if previous else tasks.Pool.GENERAL)

    def _practice_opened(self, vault: UnlockedVault) -> None:
        self.in_practice = True
        self._signed_in(vault)

    def _practice_failed(self, error: BaseException) -> None:
        self.login.banner.show_error(user_message(error))
        if self.wizard is not None:
            self.wizard.language_page.banner.show_error(user_message(error))

    def leave_practice(self) -> None:
        vault = self.vault
        self._save_waiting_edits()
        self._end_practice()
        if vault is not None:
            tasks.Task(self, vault.lock).run(tasks.Pool.DATABASE)

    def _end_practice(self) -> None:
        self.idle_timer.stop()
        self.vault = None
        self.in_practice = False
        self._drop_shell()
        if Vault.exists(self.vault_path):
            self.show_login()
        else:
            self.show_wizard()

    def reset_practice(self) -> None:
        """Put the sample back: the practice vault is wiped and made again, and the same role
        signs in to it."""
        vault = self.vault
        if vault is None or not self.in_practice:
            return
        role = vault.actor.role
        self._end_practice()

        def wipe() -> None:
            vault.lock()
            practice.reset(self.practice, clock=self.clock, kdf=self.kdf)

        tasks.Task(self, wipe).success(lambda _: self.open_practice(role)).failure(
            self._practice_failed).run(tasks.Pool.DATABASE)

    # -- locking -------------------------------------------------------------------------------

    def _check_idle(self) -> None:
        vault = self.vault
        if vault is None:
            return
        # On the database worker, so a write still running finishes before the keys go.
        tasks.Task(self, vault.lock_if_idle).success(
            lambda locked: locked and self._show_locked(vault)).run(tasks.Pool.DATABASE)

    def _save_waiting_edits(self) -> None:
        """Typing is saved 0.7 s after the last key: save what still waits, so a draft typed
        just before a lock or a close survives. The saves go to the database worker first, so
        they finish before the vault locks there."""
        for editor in self.findChildren(QWidget, "visitEditor"):
            editor.save_all()  # type: ignore[attr-defined]

    def lock(self) -> None:
        vault = self.vault
        if vault is None:
            return
        self._save_waiting_edits()
        tasks.Task(self, vault.lock).success(lambda _: self._show_locked(vault)
                                             ).run(tasks.Pool.DATABASE)

    def _show_locked(self, vault: UnlockedVault) -> None:
        if vault is not self.vault:
            return
        if self.in_practice:  # nothing to protect: the practice simply ends
            self._end_practice()
            return
        self.idle_timer.stop()
        self.vault = None
        self.login.resume_for(vault.actor.username, vault.actor.full_name)
        self.stack.setCurrentWidget(self.login)

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        self.idle_timer.stop()
        self._save_waiting_edits()
        tasks.wait_for_all()
        if self.vault is not None:
            self.vault.lock()
            self.vault = None
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity)
        super().closeEvent(event)


def create_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("sohoa")
    app.setApplicationDisplayName("Số hóa ký ức")
    apply_style(app)
    i18n.install(app)
    app.garbage_collector = tasks.GarbageCollector(app)  # type: ignore[attr-defined]
    return app


def main(argv: list[str] | None = None) -> int:
    app = create_app(list(argv or []))
    window = AppWindow(paths.default_vault())
    window.show()
    return app.exec()
