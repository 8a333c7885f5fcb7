"""The practice station in the app: reached from the sign-in and from the setup wizard, marked
on every page, a guided visit step by step, the sample put back, and left again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from capture import practice, visits
from capture.keyslots import KdfParams
from capture.roles import Role
from capture.vault import Vault
from ui.app import AppWindow
from ui.shell import Shell
from ui.viewmodels import Page

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def _window(qtbot, path: Path, clock) -> AppWindow:  # type: ignore[no-untyped-def]
    window = AppWindow(path, clock=clock, kdf=KdfParams.for_tests())
    qtbot.addWidget(window)
    window.resize(1200, 820)
    window.show()
    return window


def _practising(qtbot, window: AppWindow, role: Role | None = None) -> Shell:  # type: ignore[no-untyped-def]
    if role is not None:
        window.open_practice(role)
    qtbot.waitUntil(lambda: window.in_practice and window.shell is not None
                    and window.current() is window.shell, timeout=20_000)
    assert window.shell is not None
    return window.shell


def test_from_the_sign_in_every_page_of_every_role_says_practice(app, qtbot, made_vault,  # type: ignore[no-untyped-def]
                                                                clock) -> None:
    path, _ = made_vault
    window = _window(qtbot, path, clock)
    qtbot.mouseClick(window.login.practice_button, Qt.MouseButton.LeftButton)
    shell = _practising(qtbot, window)
    assert window.vault is not None and window.vault.path == path.parent / "practice" / "vault"
    seen: set[Page] = set()
    for role in (Role.VOLUNTEER, Role.COORDINATOR, Role.OPERATOR, Role.ADMIN):
        if role is not Role.VOLUNTEER:
            previous = shell
            window.open_practice(role)
            qtbot.waitUntil(lambda previous=previous: window.shell is not previous
                            and window.shell is not None, timeout=20_000)
            shell = _practising(qtbot, window)
        assert window.vault is not None and window.vault.actor.role is role
        for page in shell.visible_pages():
            shell.show_page(page)
            banner = shell.practice_banner
            assert banner is not None and banner.isVisible()
            assert banner.mark.text() == practice.MARK
            assert shell.pages.currentWidget() is shell.page_widgets[page]
            seen.add(page)
    assert seen == set(Page)
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / "practice-banner.png"))


def test_a_real_station_shows_no_practice_banner(app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    from .conftest import ADMIN_PASSPHRASE

    path, _ = made_vault
    window = _window(qtbot, path, clock)
    window.login.username.setText("lan")
    window.login.passphrase.setText(ADMIN_PASSPHRASE)
    qtbot.mouseClick(window.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shell is not None, timeout=10_000)
    assert window.shell.practice_banner is None and not window.in_practice


def test_from_the_wizard_and_back_to_it(app, qtbot, vault_path, clock) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, vault_path, clock)
    wizard = window.wizard
    assert wizard is not None and window.current() is wizard
    qtbot.mouseClick(wizard.language_page.practice_button, Qt.MouseButton.LeftButton)
    shell = _practising(qtbot, window)
    assert not Vault.exists(vault_path)  # the real station is still to be set up
    qtbot.mouseClick(shell.practice_banner.leave_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current() is wizard, timeout=10_000)
    assert window.shell is None and not window.in_practice


def test_the_guided_visit_opens_each_step_on_the_sample_visit(app, qtbot, made_vault,  # type: ignore[no-untyped-def]
                                                              clock) -> None:
    path, _ = made_vault
    window = _window(qtbot, path, clock)
    shell = _practising(qtbot, window, Role.VOLUNTEER)
    banner = shell.practice_banner
    page = shell.page_widgets[Page.VISITS]
    for number, step in enumerate(banner.steps):
        banner.go_to(number)
        qtbot.waitUntil(lambda step=step: page.stack.currentIndex() == page.EDITOR
                        and page.editor.tabs.currentIndex() == step.tab
                        and page.editor.record is not None, timeout=10_000)
        assert page.editor.record.household.contact_name.startswith("Bà Nguyễn Thị Hòa")
        assert f"{number + 1}" in banner.step_label.text()
    assert not banner.next_button.isEnabled()
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / "practice-step.png"))


def test_reset_puts_the_sample_back(app, qtbot, made_vault, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    window = _window(qtbot, path, clock)
    shell = _practising(qtbot, window, Role.VOLUNTEER)
    visits.create_visit(window.vault, practice.SAMPLE_HOUSEHOLD)
    assert len(visits.list_visits(window.vault)) == 2
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_args, **_kwargs: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(shell.practice_banner.reset_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shell is not None and window.shell is not shell
                    and window.in_practice, timeout=20_000)
    assert window.vault.actor.role is Role.VOLUNTEER
    assert len(visits.list_visits(window.vault)) == 1
    assert Vault.exists(path)  # the real station untouched
