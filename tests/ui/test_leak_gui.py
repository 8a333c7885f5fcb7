"""Through the real app: a station set up in the wizard, an account created in Settings, the app
closed. No name typed into it is anywhere outside the encrypted vault."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QWizard

from capture.vault import Vault
from tests.leakscan import encodings, scan
from ui.app import AppWindow
from ui.viewmodels import Page

from .conftest import BA_DINH, HANOI

STATION = "Trạm Dấu-Vết-Giao-Diện"
ADMIN_NAME = "Phạm Thị Dấu-Vết"
NEW_NAME = "Lê Văn Dấu-Vết-Mới"
PASSPHRASE = "quê hương là chùm khế ngọt"


def test_names_typed_into_the_app_stay_in_the_vault(app, qtbot, vault_path: Path,
                                                    sohoa_home: Path) -> None:  # type: ignore[no-untyped-def]
    window = AppWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    wizard = window.wizard
    wizard.next()
    wizard.station_page.name.insert(STATION)
    wizard.station_page.province.select_code(HANOI)
    wizard.station_page.ward.select_code(BA_DINH)
    wizard.next()
    admin = wizard.admin_page
    admin.full_name.insert(ADMIN_NAME)
    admin.username.setText("pham")
    admin.passphrase.first.setText(PASSPHRASE)
    admin.passphrase.second.setText(PASSPHRASE)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=30_000)
    wizard.recovery_page.confirm.setChecked(True)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: window.shell is not None and window.current() is window.shell)

    window.shell.show_page(Page.SETTINGS)
    settings = window.shell.page_widgets[Page.SETTINGS]
    qtbot.waitUntil(lambda: settings.table.rowCount() == 1, timeout=10_000)
    settings.new_full_name.setText(NEW_NAME)
    settings.new_username.setText("le")
    settings.new_temporary.setText("tạm thời 12345")
    settings.create_button.click()
    qtbot.waitUntil(lambda: settings.table.rowCount() == 2, timeout=10_000)
    window.close()
    assert window.vault is None

    needles = [*encodings(STATION), *encodings(ADMIN_NAME), *encodings(NEW_NAME)]
    roots = [sohoa_home, Path(tempfile.gettempdir())]
    for location in (QStandardPaths.StandardLocation.AppDataLocation,
                     QStandardPaths.StandardLocation.AppConfigLocation,
                     QStandardPaths.StandardLocation.CacheLocation):
        folder = Path(QStandardPaths.writableLocation(location))
        if folder.is_dir():
            roots.append(folder)
    assert scan(roots, needles, names=(STATION, ADMIN_NAME, NEW_NAME)) == []
    # The names are there, encrypted: the vault gives them back.
    vault = Vault(vault_path).unlock("pham", PASSPHRASE)
    try:
        from capture import accounts, station

        assert station.info(vault).name == STATION
        assert {a.full_name for a in accounts.list_accounts(vault)} == {ADMIN_NAME, NEW_NAME}
    finally:
        vault.lock()
