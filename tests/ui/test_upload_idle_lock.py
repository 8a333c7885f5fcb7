"""An upload keeps running through the idle lock: the station locks (the clock moved past the
auto-lock minutes), the upload goes on with the key it took at its start, the command's verified
receipt is kept beside the batch file (the vault's key is gone), and it is recorded when the
operator signs in again."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from capture import outbox as vault_outbox
from capture.keyslots import KdfParams
from capture.vault import Vault
from sync import outbox
from sync import upload as upload_client
from tests.sync.conftest import approved  # noqa: F401 - the fixture, shared with the sync tests
from tests.sync.test_outbox import add_approved_visit
from tests.ui.test_operator_ui import ADMIN, OPERATOR, command  # noqa: F401 - the fixture
from ui import tasks
from ui.app import AppWindow
from ui.viewmodels import Page


def _sign_in(qtbot, window: AppWindow, user: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    window.login.username.setText(user[0])
    window.login.passphrase.setText(user[1])
    qtbot.mouseClick(window.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current() is window.shell, timeout=15_000)


@pytest.mark.slow  # a 4 s upload under a bandwidth cap
def test_an_upload_runs_on_through_the_idle_lock_and_its_receipt_waits_for_the_sign_in(
        app, qtbot, approved, command, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setattr(upload_client, "CHUNK", 16 * 1024)  # progress often, for the test
    operator, visit_id, _, _ = approved
    path: Path = operator.path
    operator.lock()
    second, _ = add_approved_visit(path, "Lê Văn Tám", [240_000])
    admin = Vault(path).unlock(*ADMIN)
    outbox.enrol(admin, command.url, command.code(), command.fingerprint)
    admin.lock()
    builder = Vault(path).unlock(*OPERATOR)
    (made,) = outbox.build(builder)
    builder.lock()

    window = AppWindow(path, clock=clock, kdf=KdfParams.for_tests(), idle_check_ms=50)
    qtbot.addWidget(window)
    window.show()
    _sign_in(qtbot, window, OPERATOR)
    vault = window.vault
    page = window.shell.page_widgets[Page.SYNC]
    qtbot.waitUntil(lambda: page.overview is not None and page.detail.isVisible(),
                    timeout=15_000)
    page.speed_cap.addItem("64 KiB/s", 64 * 1024)  # ~4 s for the batch
    page.speed_cap.setCurrentIndex(page.speed_cap.count() - 1)
    qtbot.mouseClick(page.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.upload_run is not None and page.upload_run.progress
                    is not None, timeout=20_000)

    clock.advance(minutes=11)  # nobody touched the laptop: the idle lock comes
    qtbot.waitUntil(lambda: window.current() is window.login, timeout=5_000)
    assert vault.is_locked
    assert page.upload_run is not None  # still sending
    sent_when_locked = page.upload_run.progress.sent
    assert sent_when_locked < made.size

    with qtbot.waitSignal(page.upload_finished, timeout=60_000) as finished:
        pass
    assert finished.args == [made.id, "delivered"]
    assert made.path.with_name(made.path.name + ".receipt.json").is_file()  # kept for now
    [row] = command.store.list_batches()
    assert row["batch_id"] == made.id

    _sign_in(qtbot, window, OPERATOR)  # the same operator, later
    qtbot.waitUntil(lambda: page.table.rowCount() == 1
                    and page.table.item(0, 4).text() == "Đã giao ✓", timeout=15_000)
    assert "khóa" in page.banner.text()
    assert not made.path.exists()
    assert not made.path.with_name(made.path.name + ".receipt.json").exists()
    assert vault_outbox.delivered_visits(window.vault) == {visit_id, second}
    tasks.wait_for_all()
    window.close()
