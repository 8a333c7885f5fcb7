"""Save PNGs of the wizard pages, the sign-in and the workspace, in Vietnamese, to look at.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/screenshots.py [OUT_DIR]

Uses a throwaway SOHOA_HOME; writes to ``screenshots/`` (gitignored) by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.ui.shotkit import ShotKit


def main() -> int:
    kit = ShotKit.start("sohoa-shots-")
    out, wait_until, shot = kit.out, kit.wait_until, kit.shot

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from capture import accounts, paths
    from capture.keyslots import KdfParams
    from capture.roles import Role
    from capture.vault import NewUser
    from ui import app as app_module

    app = kit.app


    window = app_module.AppWindow(paths.default_vault(), kdf=KdfParams.for_tests())
    window.show()
    wizard = window.wizard
    assert wizard is not None
    shot(window, "01-wizard-language")
    wizard.next()
    page = wizard.station_page
    page.name.setText("Đoàn Thanh niên phường Ba Đình, tổ 1")
    page.province.select_code(1)
    page.ward.select_code(4)
    shot(window, "02-wizard-station")
    wizard.next()
    admin = wizard.admin_page
    admin.full_name.setText("Nguyễn Thị Lan")
    admin.username.setText("lan")
    admin.passphrase.first.setText("một câu thật dài")
    admin.passphrase.second.setText("một câu thật")
    shot(window, "03-wizard-admin-mismatch")
    admin.passphrase.second.setText("một câu thật dài")
    wizard.next()
    shot(window, "04-wizard-creating")
    wait_until(lambda: wizard.currentId() == 4)
    shot(window, "05-wizard-recovery-key")
    wizard.recovery_page.save_pdf_to(out / "recovery-key.pdf")
    wizard.recovery_page.confirm.setChecked(True)
    shot(window, "06-wizard-recovery-confirmed")
    wizard.accept()
    wait_until(lambda: window.shell is not None and window.shell.station_label.text() != "")
    shot(window, "07-main-admin-reports")
    window.shell.show_page(window.shell.visible_pages()[-1])
    wait_until(lambda: window.shell.page_widgets[
        window.shell.visible_pages()[-1]].table.rowCount() > 0)
    shot(window, "08-main-admin-settings")
    vault = window.vault
    accounts.create_user(vault, NewUser("hung", "Trần Văn Hùng", "mật khẩu tạm thời",
                                        Role.VOLUNTEER))
    window.lock()
    wait_until(lambda: window.current() is window.login)
    shot(window, "09-locked")
    window.login.other_user.click()
    shot(window, "10-login")
    window.login.username.setText("lan")
    window.login.passphrase.setText("sai mật khẩu rồi")
    window.login.sign_in_button.click()
    wait_until(lambda: window.login.banner.isVisible())
    shot(window, "11-login-wrong")
    window.login.forgot.click()
    shot(window, "12-recovery")
    window.login.stack.setCurrentIndex(0)
    window.login.username.setText("hung")
    window.login.passphrase.setText("mật khẩu tạm thời")
    window.login.sign_in_button.click()
    wait_until(lambda: window.login.stack.currentIndex() == window.login.NEW_PASSPHRASE)
    shot(window, "13-forced-new-passphrase")
    window.login.new_pair.first.setText("câu hát quê hương")
    window.login.new_pair.second.setText("câu hát quê hương")
    window.login.save_new.click()
    wait_until(lambda: window.shell is not None and window.current() is window.shell)
    shot(window, "14-main-volunteer-visits")
    window.close()
    QCoreApplication.processEvents()
    del app
    QApplication.instance()
    return 0


if __name__ == "__main__":
    sys.exit(main())
