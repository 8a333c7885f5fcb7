"""Signing in, the recovery key, forced new passphrases, what each role sees, and the idle lock,
all against the real vault."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from capture import accounts
from capture.keyslots import KdfParams
from capture.roles import Role
from capture.vault import NewUser, Vault
from ui.app import AppWindow
from ui.viewmodels import Page

from .conftest import ADMIN_PASSPHRASE


def _window(qtbot, path: Path, clock, **kwargs) -> AppWindow:  # type: ignore[no-untyped-def]
    window = AppWindow(path, clock=clock, kdf=KdfParams.for_tests(), **kwargs)
    qtbot.addWidget(window)
    window.show()
    return window


def _sign_in(qtbot, window: AppWindow, username: str, passphrase: str) -> None:  # type: ignore[no-untyped-def]
    login = window.login
    login.username.setText(username)
    login.passphrase.setText(passphrase)
    qtbot.mouseClick(login.sign_in_button, Qt.MouseButton.LeftButton)


def _add_user(path: Path, clock, username: str, role: Role) -> None:  # type: ignore[no-untyped-def]
    admin = Vault(path, clock).unlock("lan", ADMIN_PASSPHRASE)
    accounts.create_user(admin, NewUser(username, f"Người {username}", "tạm thời 12345", role))
    admin.lock()


def _set_own(qtbot, window: AppWindow, new: str) -> None:  # type: ignore[no-untyped-def]
    login = window.login
    qtbot.waitUntil(lambda: login.stack.currentIndex() == login.NEW_PASSPHRASE, timeout=10_000)
    login.new_pair.first.setText(new)
    login.new_pair.second.setText(new)
    qtbot.mouseClick(login.save_new, Qt.MouseButton.LeftButton)


def test_wrong_passphrase_is_said_in_vietnamese_then_right_one_opens(
        app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    window = _window(qtbot, path, clock)
    assert window.current() is window.login
    _sign_in(qtbot, window, "lan", "không phải mật khẩu")
    assert window.login.busy.isVisible()  # the unlock runs in the background
    qtbot.waitUntil(lambda: window.login.banner.isVisible(), timeout=10_000)
    assert window.login.banner.label.text() == (
        "Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra kiểu gõ tiếng Việt và phím "
        "Caps Lock.")
    assert window.shell is None and window.login.passphrase.text() == ""
    _sign_in(qtbot, window, "lan", ADMIN_PASSPHRASE)
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=10_000)
    assert window.vault.actor.username == "lan"
    assert window.shell.visible_pages() == [Page.SYNC, Page.REPORTS, Page.SETTINGS]
    qtbot.waitUntil(lambda: "Quản trị trạm" in window.shell.user_label.text())


def test_too_many_wrong_passphrases_count_down(app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    window = _window(qtbot, path, clock)
    for _ in range(3):
        _sign_in(qtbot, window, "lan", "sai mật khẩu rồi")
        qtbot.waitUntil(lambda: window.login.sign_in_button.isEnabled()
                        or "giây" in window.login.banner.label.text(), timeout=10_000)
        qtbot.waitUntil(lambda: not window.login.busy.isVisible(), timeout=10_000)
    assert "Hãy chờ 30 giây rồi thử lại" in window.login.banner.label.text()
    assert not window.login.sign_in_button.isEnabled()
    clock.advance(seconds=12)
    window.login._tick()
    assert "Hãy chờ 18 giây" in window.login.banner.label.text()
    clock.advance(seconds=20)
    window.login._tick()
    assert window.login.sign_in_button.isEnabled()
    assert window.login.banner.label.text() == "Bây giờ bạn có thể thử lại."


def test_recovery_key_forces_a_new_passphrase(app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, recovery = made_vault
    window = _window(qtbot, path, clock)
    login = window.login
    qtbot.mouseClick(login.forgot, Qt.MouseButton.LeftButton)
    assert login.stack.currentIndex() == login.RECOVERY
    login.recovery_username.setText("lan")
    login.recovery_key.setText(recovery[:-1] + ("0" if recovery[-1] != "0" else "1"))
    qtbot.mouseClick(login.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: login.recovery_banner.isVisible(), timeout=10_000)
    assert "Khóa khôi phục bị gõ nhầm" in login.recovery_banner.label.text()
    login.recovery_key.setText(recovery.lower().replace("-", " "))  # as someone may type it
    qtbot.mouseClick(login.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: login.stack.currentIndex() == login.NEW_PASSPHRASE, timeout=10_000)
    assert window.shell is None  # nothing opens before the new passphrase
    login.new_pair.first.setText("mật khẩu mới")
    login.new_pair.second.setText("mật khẩu cũ")
    assert not login.save_new.isEnabled()
    assert login.new_pair.problem.text() == "Hai mật khẩu chưa giống nhau."
    _set_own(qtbot, window, "mật khẩu mới toanh")
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=10_000)
    assert not window.vault.must_change_passphrase
    window.close()
    Vault(path, clock).unlock("lan", "mật khẩu mới toanh").lock()


def test_new_account_chooses_own_passphrase_and_sees_only_its_pages(
        app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    _add_user(path, clock, "hung", Role.VOLUNTEER)
    window = _window(qtbot, path, clock)
    _sign_in(qtbot, window, "hung", "tạm thời 12345")
    _set_own(qtbot, window, "câu hát quê hương")
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=10_000)
    pages = window.shell.visible_pages()
    assert pages == [Page.VISITS, Page.SETTINGS]
    assert Page.SYNC not in pages and Page.REVIEW not in pages
    assert window.shell.nav.item(0).text() == "Chuyến thăm"
    assert any(label.text().startswith("Chưa có chuyến thăm nào") for label in
               window.shell.page_widgets[Page.VISITS].findChildren(
                   type(window.shell.station_label)))
    settings = window.shell.page_widgets[Page.SETTINGS]
    assert not hasattr(settings, "table")  # no accounts section for a volunteer


def test_roles_see_their_navigation(app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    expected = {
        Role.COORDINATOR: [Page.VISITS, Page.REVIEW, Page.REPORTS, Page.SETTINGS],
        Role.OPERATOR: [Page.SYNC, Page.REPORTS, Page.SETTINGS],
    }
    for role, pages in expected.items():
        _add_user(path, clock, role.value, role)
        window = _window(qtbot, path, clock)
        _sign_in(qtbot, window, role.value, "tạm thời 12345")
        _set_own(qtbot, window, "một câu dài dễ nhớ")
        qtbot.waitUntil(lambda window=window: window.current() is window.shell, timeout=10_000)
        assert window.shell.visible_pages() == pages
        window.close()


def test_admin_creates_an_account_from_settings(app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    window = _window(qtbot, path, clock)
    _sign_in(qtbot, window, "lan", ADMIN_PASSPHRASE)
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=10_000)
    window.shell.show_page(Page.SETTINGS)
    settings = window.shell.page_widgets[Page.SETTINGS]
    qtbot.waitUntil(lambda: settings.table.rowCount() == 1, timeout=10_000)
    settings.new_full_name.setText("Trần Văn Hùng")
    settings.new_username.setText("lan")  # taken
    settings.new_temporary.setText("tạm thời 12345")
    qtbot.mouseClick(settings.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: settings.banner.isVisible(), timeout=10_000)
    assert settings.banner.label.text() == "Tên đăng nhập lan đã có người dùng ở trạm này."
    settings.new_username.setText("hung")
    qtbot.mouseClick(settings.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: settings.table.rowCount() == 2, timeout=10_000)
    names = {settings.table.item(i, 1).text() for i in range(2)}
    assert names == {"lan", "hung"}
    assert settings.table.item(0, 2).text() in {"Tình nguyện viên", "Quản trị trạm"}


def test_idle_lock_shows_the_sign_in_and_the_same_user_resumes(
        app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    window = _window(qtbot, path, clock, idle_check_ms=30)
    _sign_in(qtbot, window, "lan", ADMIN_PASSPHRASE)
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=10_000)
    shell = window.shell
    shell.show_page(Page.SETTINGS)
    vault = window.vault
    clock.advance(minutes=9)
    qtbot.wait(200)
    assert window.current() is shell and not vault.is_locked  # 9 of 10 minutes: still open
    # Input counts as activity: a key press restarts the idle time.
    qtbot.keyClick(shell.nav, Qt.Key.Key_Shift)
    clock.advance(minutes=9)
    qtbot.wait(200)
    assert window.current() is shell
    clock.advance(minutes=2)
    qtbot.waitUntil(lambda: window.current() is window.login, timeout=5_000)
    assert vault.is_locked and window.vault is None
    assert window.login.username.text() == "lan" and window.login.username.isReadOnly()
    assert window.login.sign_in_title.text() == "Trạm đang khóa"
    _sign_in(qtbot, window, "lan", ADMIN_PASSPHRASE)
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=10_000)
    assert window.shell is shell  # the same window, as it was left
    assert shell.visible_pages()[shell.nav.currentRow()] is Page.SETTINGS
    assert not window.vault.is_locked


def test_lock_button_locks_now(app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    window = _window(qtbot, path, clock)
    _sign_in(qtbot, window, "lan", ADMIN_PASSPHRASE)
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=10_000)
    vault = window.vault
    qtbot.mouseClick(window.shell.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current() is window.login, timeout=5_000)
    assert vault.is_locked
    qtbot.mouseClick(window.login.other_user, Qt.MouseButton.LeftButton)
    assert window.shell is None and not window.login.username.isReadOnly()
