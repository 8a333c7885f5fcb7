"""Settings: language, one's own passphrase, and for the admin the auto-lock and the accounts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture import accounts, retention, station
from capture.roles import Role
from capture.vault import UnlockedVault
from ui import i18n, tasks, viewmodels
from ui.errors import user_message
from ui.widgets.common import Banner, PassphrasePair, heading, paragraph, passphrase_edit


class SettingsPage(QScrollArea):
    def __init__(self, vault_getter: Callable[[], UnlockedVault],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.setWidgetResizable(True)
        self._vault = vault_getter
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(16)
        layout.addWidget(heading(self.tr("Settings")))
        self.banner = Banner()
        self.banner.setObjectName("settingsBanner")
        layout.addWidget(self.banner)
        layout.addWidget(self._language_box())
        layout.addWidget(self._passphrase_box())
        role = vault_getter().actor.role
        if viewmodels.can_edit_station(role):
            layout.addWidget(self._auto_lock_box())
            layout.addWidget(self._retention_box())
        if viewmodels.can_manage_accounts(role):
            layout.addWidget(self._accounts_box())
        layout.addStretch()

    # -- helpers -----------------------------------------------------------------------------

    def _run(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None],
             ) -> None:
        self.banner.clear()
        tasks.Task(self, fn, *args).success(done).failure(
            lambda error: self.banner.show_error(user_message(error))).run(tasks.Pool.DATABASE)

    # -- language ----------------------------------------------------------------------------

    def _language_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Language"))
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        self.language = QComboBox()
        self.language.setObjectName("languageChoice")
        for code in i18n.LANGUAGES:
            self.language.addItem(i18n.language_name(code), code)
        self.language.setCurrentIndex(self.language.findData(i18n.current_language()))
        apply = QPushButton(self.tr("Use this language"))
        apply.setObjectName("applyLanguage")
        row.addWidget(self.language, 1)
        row.addWidget(apply)
        layout.addLayout(row)
        layout.addWidget(paragraph(self.tr(
            "The new language is used from the next start of the app.")))
        apply.clicked.connect(self._apply_language)
        return box

    def _apply_language(self) -> None:
        code = self.language.currentData()
        i18n.set_language(QApplication.instance(), code)
        self.banner.show_info(self.tr("Saved. Close and open the app again to see it in {lang}.")
                              .format(lang=i18n.language_name(code)))

    # -- own passphrase ----------------------------------------------------------------------

    def _passphrase_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("My passphrase"))
        layout = QVBoxLayout(box)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.current = passphrase_edit()
        self.current.setObjectName("currentPassphrase")
        form.addRow(self.tr("Current passphrase"), self.current)
        layout.addLayout(form)
        self.pair = PassphrasePair()
        layout.addWidget(self.pair)
        self.change = QPushButton(self.tr("Change my passphrase"))
        self.change.setObjectName("changePassphrase")
        self.change.setEnabled(False)
        layout.addWidget(self.change, alignment=Qt.AlignmentFlag.AlignLeft)
        self.pair.changed.connect(self._update_change)
        self.current.textChanged.connect(self._update_change)
        self.change.clicked.connect(self._change_passphrase)
        return box

    def _update_change(self) -> None:
        self.change.setEnabled(bool(self.current.text()) and self.pair.is_valid())

    def _change_passphrase(self) -> None:
        current, new = self.current.text(), self.pair.passphrase()
        self.current.clear()
        self.pair.clear()

        def done(_: object) -> None:
            self.banner.show_info(self.tr("Your passphrase was changed. Use the new one from "
                                          "now on."))

        # Checking the current passphrase runs the slow key derivation: never on this thread.
        self._run(self._vault().change_passphrase, current, new, done=done)

    # -- auto-lock (admin) ---------------------------------------------------------------------

    def _auto_lock_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Automatic lock"))
        layout = QVBoxLayout(box)
        layout.addWidget(paragraph(self.tr(
            "The station locks itself after this many minutes without use, so that a laptop "
            "left open does not show the families' data.")))
        row = QHBoxLayout()
        self.auto_lock = QSpinBox()
        self.auto_lock.setObjectName("autoLockMinutes")
        self.auto_lock.setRange(1, 120)
        self.auto_lock.setSuffix(self.tr(" minutes"))
        self.auto_lock.setValue(self._vault().auto_lock_minutes())
        save = QPushButton(self.tr("Save"))
        save.setObjectName("saveAutoLock")
        row.addWidget(self.auto_lock)
        row.addWidget(save)
        row.addStretch()
        layout.addLayout(row)
        save.clicked.connect(lambda: self._run(
            station.set_auto_lock, self._vault(), self.auto_lock.value(),
            done=lambda _: self.banner.show_info(self.tr("The automatic lock was saved."))))
        return box

    # -- media retention (admin) --------------------------------------------------------------

    def _retention_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Media sent to the command"))
        layout = QVBoxLayout(box)
        layout.addWidget(paragraph(self.tr(
            "Photos, videos and recordings the command has confirmed receiving can be removed "
            "from this laptop after this many days, so that a lost laptop holds less. The "
            "records and their fingerprints stay.")))
        row = QHBoxLayout()
        self.retention = QSpinBox()
        self.retention.setObjectName("mediaRetentionDays")
        self.retention.setRange(0, retention.MAX_DAYS)
        self.retention.setSpecialValueText(self.tr("Off (keep everything)"))  # shown at 0
        self.retention.setSuffix(self.tr(" days"))
        self.retention.setValue(retention.retention_days(self._vault()) or 0)
        save = QPushButton(self.tr("Save"))
        save.setObjectName("saveRetention")
        row.addWidget(self.retention)
        row.addWidget(save)
        row.addStretch()
        layout.addLayout(row)
        save.clicked.connect(lambda: self._run(
            retention.set_retention_days, self._vault(), self.retention.value() or None,
            done=lambda _: self.banner.show_info(self.tr("The retention period was saved."))))
        return box

    # -- accounts (admin) ----------------------------------------------------------------------

    def _accounts_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Accounts"))
        layout = QVBoxLayout(box)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("accountsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Full name"), self.tr("User name"), self.tr("Role"), self.tr("Status")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(200)
        layout.addWidget(self.table)

        actions = QHBoxLayout()
        self.role_choice = self._role_combo()
        self.change_role = QPushButton(self.tr("Change role"))
        self.reset = QPushButton(self.tr("Reset passphrase…"))
        self.disable = QPushButton(self.tr("Disable account…"))
        for widget in (self.role_choice, self.change_role, self.reset, self.disable):
            actions.addWidget(widget)
        actions.addStretch()
        layout.addLayout(actions)
        self.change_role.clicked.connect(self._change_role)
        self.reset.clicked.connect(self._reset_passphrase)
        self.disable.clicked.connect(self._disable)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        create = QGroupBox(self.tr("New account"))
        form = QFormLayout(create)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.new_full_name = QLineEdit()
        self.new_full_name.setObjectName("newFullName")
        self.new_username = QLineEdit()
        self.new_username.setObjectName("newUsername")
        self.new_role = self._role_combo()
        self.new_role.setObjectName("newRole")
        self.new_temporary = passphrase_edit()
        self.new_temporary.setObjectName("newTemporary")
        form.addRow(self.tr("Full name"), self.new_full_name)
        form.addRow(self.tr("User name"), self.new_username)
        form.addRow(self.tr("Role"), self.new_role)
        form.addRow(self.tr("Temporary passphrase (at least 10 characters; the person "
                            "chooses their own at first sign-in)"), self.new_temporary)
        self.create_button = QPushButton(self.tr("Create account"))
        self.create_button.setObjectName("createAccount")
        form.addRow(self.create_button)
        self.create_button.clicked.connect(self._create)
        layout.addWidget(create)
        self._selection_changed()
        self.refresh_accounts()
        return box

    def _role_combo(self) -> QComboBox:
        combo = QComboBox()
        for role in (Role.VOLUNTEER, Role.COORDINATOR, Role.OPERATOR, Role.ADMIN):
            combo.addItem(viewmodels.role_label(role), role.value)
        return combo

    def refresh_accounts(self) -> None:
        self._run(viewmodels.account_rows, self._vault(), done=self._show_accounts)

    def _show_accounts(self, rows: list[viewmodels.AccountRow]) -> None:
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            status = self.tr("Active") if row.active else self.tr("Disabled")
            for column, text in enumerate(
                    (row.full_name, row.username, viewmodels.role_label(row.role), status)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.username)
                self.table.setItem(i, column, item)
        self._selection_changed()

    def _selected(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _selection_changed(self) -> None:
        chosen = self._selected() is not None
        for widget in (self.role_choice, self.change_role, self.reset, self.disable):
            widget.setEnabled(chosen)

    def _create(self) -> None:
        vault = self._vault()
        args = (vault, self.new_full_name.text().strip(), self.new_username.text().strip(),
                Role(self.new_role.currentData()), self.new_temporary.text())
        if not args[1] or not args[2]:
            self.banner.show_error(self.tr("Type the person's full name and a user name."))
            return

        def done(row: viewmodels.AccountRow) -> None:
            for edit in (self.new_full_name, self.new_username, self.new_temporary):
                edit.clear()
            self.banner.show_info(self.tr("The account {username} was created. Give the "
                                          "person the temporary passphrase in private.")
                                  .format(username=row.username))
            self.refresh_accounts()

        self._run(viewmodels.create_account, *args, done=done)

    def _change_role(self) -> None:
        username = self._selected()
        if username is None:
            return
        role = Role(self.role_choice.currentData())
        self._run(accounts.change_role, self._vault(), username, role,
                  done=lambda _: self._after(self.tr("The role of {username} was changed.")
                                             .format(username=username)))

    def _reset_passphrase(self) -> None:
        username = self._selected()
        if username is None:
            return
        temporary, ok = QInputDialog.getText(
            self, self.tr("Reset passphrase"),
            self.tr("A temporary passphrase for {username} (at least 10 characters). They "
                    "will choose their own at the next sign-in.").format(username=username),
            QLineEdit.EchoMode.Password)
        if ok and temporary:
            self._run(accounts.reset_passphrase, self._vault(), username, temporary,
                      done=lambda _: self._after(self.tr(
                          "{username} must now sign in with the temporary passphrase.")
                          .format(username=username)))

    def _disable(self) -> None:
        username = self._selected()
        if username is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Disable account"),
                          self.tr("{username} will no longer be able to sign in. What they "
                                  "recorded stays in the vault. Disable the account?")
                          .format(username=username), parent=self)
        yes = box.addButton(self.tr("Disable"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is yes:
            self._run(accounts.disable_user, self._vault(), username,
                      done=lambda _: self._after(self.tr("{username} was disabled.")
                                                 .format(username=username)))

    def _after(self, message: str) -> None:
        self.banner.show_info(message)
        self.refresh_accounts()
