"""The first start: from an empty laptop to a station whose admin can sign in and whose printed
recovery key opens the vault."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWizard

from capture import station
from capture.vault import Vault
from ui.app import AppWindow
from ui.viewmodels import PassphraseProblem

from .conftest import BA_DINH, HANOI

PASSPHRASE = "quê hương là chùm khế ngọt"


def _next_enabled(wizard: QWizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_wizard_from_empty_laptop_to_signed_in_admin(app, qtbot, vault_path: Path,
                                                    tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The real key derivation (no kdf override): the path a volunteer's laptop takes.
    window = AppWindow(vault_path)
    qtbot.addWidget(window)
    window.show()
    wizard = window.wizard
    assert wizard is not None and window.current() is wizard
    assert wizard.language_page.buttons["vi"].isChecked()
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "Tiếp theo"
    wizard.next()

    page = wizard.station_page
    assert not _next_enabled(wizard)
    page.name.insert("Đoàn Thanh niên phường Ba Đình")  # as an input method commits it
    assert not page.ward.isEnabled()
    # Type to search the province, then pick the ward from the filtered list.
    page.province.lineEdit().setText("Hà Nội")
    assert page.province.code() is None  # typed text alone is not a choice
    page.province.select_code(HANOI)
    assert page.ward.isEnabled() and page.ward.count() > 50
    assert page.ward.findText("Phường Ba Đình") >= 0
    assert page.ward.findText("Phường Hồng Bàng") < 0  # a Hải Phòng ward is not offered
    assert not _next_enabled(wizard)
    page.ward.select_code(BA_DINH)
    assert _next_enabled(wizard)
    wizard.next()

    admin = wizard.admin_page
    admin.full_name.insert("Nguyễn Thị Lan")
    qtbot.keyClicks(admin.username, "lan nguyen")
    assert admin.username_problem.isVisible()
    admin.username.setText("lan")
    assert not admin.username_problem.isVisible()
    admin.passphrase.first.insert("ngắn")
    assert admin.passphrase.problem.text() == "Mật khẩu cần có ít nhất 10 ký tự."
    admin.passphrase.first.setText(PASSPHRASE)
    admin.passphrase.second.insert("quê hương là chùm khế")
    assert admin.passphrase.state() is PassphraseProblem.MISMATCH
    assert admin.passphrase.problem.isVisible()
    assert admin.passphrase.problem.text() == "Hai mật khẩu chưa giống nhau."
    assert not _next_enabled(wizard)
    wizard.next()  # blocked: the page is not complete
    assert wizard.currentPage() is admin
    admin.passphrase.second.insert(" ngọt")
    assert not admin.passphrase.problem.isVisible()
    assert _next_enabled(wizard)
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "Tạo trạm"
    assert not Vault.exists(vault_path)
    wizard.next()

    assert wizard.currentPage() is wizard.creating_page
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery_page, timeout=30_000)
    assert Vault.exists(vault_path)
    recovery = wizard.recovery_page
    shown = recovery.shown_key()
    assert len(recovery.groups) == 9 and len(shown) == 44
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the key is written down
    wizard.reject()
    assert wizard.isVisible()  # cannot leave without the key either

    pdf = tmp_path / "chosen" / "khoa.pdf"
    pdf.parent.mkdir()
    recovery.save_pdf_to(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "Đã lưu vào" in recovery.banner.label.text()
    _check_pdf_renders(pdf, tmp_path)

    qtbot.mouseClick(recovery.confirm, Qt.MouseButton.LeftButton,
                     pos=QPoint(12, recovery.confirm.height() // 2))
    assert finish.isEnabled()
    qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.shell is not None and window.current() is window.shell)
    assert window.vault is not None and window.vault.actor.username == "lan"
    qtbot.waitUntil(lambda: "Ba Đình" in window.shell.station_label.text())
    info = station.info(window.vault)
    assert (info.name, info.province_code, info.ward_code) == (
        "Đoàn Thanh niên phường Ba Đình", HANOI, BA_DINH)
    window.close()
    assert window.vault is None

    # The admin can unlock it, and the key that was shown opens it.
    Vault(vault_path).unlock("lan", PASSPHRASE).lock()
    recovered = Vault(vault_path).unlock_with_recovery("lan", shown)
    assert recovered.must_change_passphrase
    recovered.lock()


def _check_pdf_renders(pdf: Path, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    image = QImage(str(pages[0]))
    assert not image.isNull()
    dark = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 500  # title, key and instructions are drawn, not a blank page
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "Khóa khôi phục của trạm" in text
        assert "Phường Ba Đình" in text


def test_choosing_english_rebuilds_the_wizard_in_english(app, qtbot, vault_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = AppWindow(vault_path)
    qtbot.addWidget(window)
    wizard = window.wizard
    assert wizard.station_page.findChild(type(wizard.station_page.name)) is not None
    wizard.language_page.buttons["en"].setChecked(True)
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "Next"
    assert wizard.language_page.buttons["en"].isChecked()
    wizard.language_page.buttons["vi"].setChecked(True)
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "Tiếp theo"
