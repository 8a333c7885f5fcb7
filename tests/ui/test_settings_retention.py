"""The admin sets how long delivered media stay on the laptop; off by default."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QSpinBox

from capture import retention
from ui.pages.settings import SettingsPage


def test_the_admin_turns_media_retention_on_and_off_again(app, qtbot, make_vault):
    admin, _ = make_vault()
    page = SettingsPage(lambda: admin)
    qtbot.addWidget(page)
    page.resize(900, 1200)
    page.show()
    days = page.findChild(QSpinBox, "mediaRetentionDays")
    assert days.value() == 0 and days.text() == "Tắt (giữ lại tất cả)"
    days.setValue(45)
    page.findChild(QPushButton, "saveRetention").click()
    qtbot.waitUntil(lambda: retention.retention_days(admin) == 45, timeout=10_000)
    page.grab().save("/tmp/h17-settings.png")
    days.setValue(0)
    page.findChild(QPushButton, "saveRetention").click()
    qtbot.waitUntil(lambda: retention.retention_days(admin) is None, timeout=10_000)

