"""The operator's "Send to the command" screen against the real command server on loopback:
the admin enrols (a wrong code, an unreachable server, then the pasted enrolment link); the
operator builds a batch and uploads it to delivered; pauses and resumes, also after the screen
was closed; loses nothing when the server is unreachable; writes a batch to a USB folder (and is
told when the drive is full or gone) and loads the command's receipt for it."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from capture import outbox as vault_outbox
from capture.vault import Vault
from sync import enrol_link, outbox
from sync import upload as upload_client
from sync.enrol_link import EnrolLink, fingerprint
from sync.server.app import ServerConfig, create_app
from sync.server.ingest import ingest
from sync.server.keys import CommandKeys
from sync.server.store import Store
from tests.capture.test_import import _mount_tmpfs
from tests.sync import servers
from tests.sync.conftest import approved  # noqa: F401 - the fixture, shared with the sync tests
from tests.sync.servers import CommandServer, only_station
from ui import settings as app_settings
from ui import tasks
from ui.pages.operator import OperatorPage
from ui.shell import Shell
from ui.viewmodels import Page

ADMIN = ("admin", "mật khẩu quản trị")
OPERATOR = ("tuan", "mật khẩu của tuan")


class Command:
    """The command's data folder and its server on loopback (stoppable and restartable on the
    same port, as after a power cut at the command)."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.keys = CommandKeys.create(data / "keys")
        self.store = Store.in_folder(data)
        self.server = CommandServer(create_app(ServerConfig(data))).start()
        self.url = self.server.url

    def code(self) -> str:
        return self.store.new_enrolment_code(datetime.now(UTC))

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.keys.recipient, self.keys.signing_public)

    def link(self) -> str:
        return EnrolLink(self.url, self.code(), self.fingerprint).text()

    def stop(self) -> None:
        self.server.stop()

    def restart(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(servers, "free_port", lambda: self.server.port)
        self.server = CommandServer(create_app(ServerConfig(self.data))).start()


@pytest.fixture
def command(tmp_path):  # type: ignore[no-untyped-def]
    made = Command(tmp_path / "command")
    yield made
    made.stop()


def _as(path: Path, user: tuple[str, str]):  # type: ignore[no-untyped-def]
    return Vault(path).unlock(*user)


@pytest.fixture
def station(approved, command):  # type: ignore[no-untyped-def]  # noqa: F811
    """The approved visit's station, enrolled by its admin; yields (operator vault, visit)."""
    operator, visit_id, _, _ = approved
    path = operator.path
    operator.lock()
    admin = _as(path, ADMIN)
    outbox.enrol(admin, command.url, command.code(), command.fingerprint)
    admin.lock()
    vault = _as(path, OPERATOR)
    yield vault, visit_id
    tasks.wait_for_all()
    vault.lock()


def _page(qtbot, vault) -> OperatorPage:  # type: ignore[no-untyped-def]
    page = OperatorPage(vault)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    qtbot.waitUntil(lambda: page.overview is not None, timeout=15_000)
    return page


def _build(qtbot, page: OperatorPage) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(page.build_button.isEnabled, timeout=15_000)
    with qtbot.waitSignal(page.batches_built, timeout=60_000):
        qtbot.mouseClick(page.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and page.detail.isVisible(),
                    timeout=15_000)


def _built_page(qtbot, vault):  # type: ignore[no-untyped-def]
    """The operator's screen with one batch built; returns it and the batch."""
    page = _page(qtbot, vault)
    _build(qtbot, page)
    return page, outbox.status(vault)[0]


def _delivered(qtbot, page: OperatorPage, start) -> None:  # type: ignore[no-untyped-def]
    """``start()`` (or nothing, for an upload already running) ends in a delivered batch."""
    with qtbot.waitSignal(page.upload_finished, timeout=120_000) as finished:
        start()
    assert finished.args[1] == "delivered"
    qtbot.waitUntil(lambda: _state(page) == "Đã giao ✓", timeout=15_000)


def _said(qtbot, page: OperatorPage) -> str:  # type: ignore[no-untyped-def]
    """What the banner says once a USB copy or a receipt check is over."""
    qtbot.waitUntil(lambda: page.busy_batch is None and page.banner.isVisible(), timeout=15_000)
    return page.banner.text()


def _state(page: OperatorPage) -> str:
    return page.table.item(0, 4).text()


# -- enrolment ----------------------------------------------------------------------------------


def test_admin_enrols_after_a_wrong_code_and_an_unreachable_server(app, qtbot, approved,  # noqa: F811
                                                                    command) -> None:  # type: ignore[no-untyped-def]
    operator, _, _, _ = approved
    path = operator.path
    operator.lock()
    admin = _as(path, ADMIN)
    try:
        page = _page(qtbot, admin)
        assert "chưa đăng ký" in page.enrolment_label.text()
        assert page.enrol_button.isVisible()
        assert not hasattr(page, "build_button")  # the admin enrols; the operator sends

        dialog = page.open_enrol_dialog()
        assert not dialog.enrol_button.isEnabled()
        dialog.server.setText(command.url)
        dialog.code.setText("0000-0000-0000-0000")
        assert not dialog.enrol_button.isEnabled()  # the fingerprint is required
        assert "tờ giấy" in dialog.keys_hint.text()  # and the hint says where it is
        # Typed from the sheet with a slip: the server's keys are not those; both are shown.
        wrong = "9F3C 1A2B 4D5E 6F70 8192 A3B4 C5D6 E7F8"
        dialog.keys.setText(wrong.lower())
        assert dialog.enrol_button.isEnabled()
        dialog.submit()
        qtbot.waitUntil(dialog.mismatch.isVisible, timeout=15_000)
        assert "khóa khác" in dialog.error.text()
        assert wrong in dialog.mismatch.text()
        assert enrol_link.grouped(command.fingerprint) in dialog.mismatch.text()
        dialog.grab().save(str(Path(os.environ.get("SOHOA_SHOTS", "/tmp")) /
                               "enrol-keys-mismatch.png"))
        dialog.keys.setText(enrol_link.grouped(command.fingerprint))
        assert not dialog.mismatch.isVisible()
        dialog.error.hide()
        dialog.submit()
        qtbot.waitUntil(dialog.error.isVisible, timeout=15_000)
        assert "mã" in dialog.error.text().lower()
        assert dialog.isVisible() and dialog.code.text() == "0000-0000-0000-0000"

        closed = servers.free_port()
        dialog.server.setText(f"127.0.0.1:{closed}")  # typed without http://, as on paper
        dialog.code.setText(command.code())
        dialog.error.hide()
        dialog.submit()
        qtbot.waitUntil(dialog.error.isVisible, timeout=30_000)
        assert "kết nối" in dialog.error.text().lower()
        assert outbox.enrolment(admin) is None

        # The link a phone's QR reader shows, pasted into the code field, fills the fields.
        dialog.keys.clear()
        dialog.code.setText(command.link())
        assert dialog.server.text() == command.url
        assert dialog.keys.text() == enrol_link.grouped(command.fingerprint)
        assert dialog.pinned.isVisible() and dialog.keys_fingerprint
        with qtbot.waitSignal(page.overview_loaded, timeout=15_000):
            with qtbot.waitSignal(dialog.enrolled, timeout=15_000):
                dialog.submit()
        assert not dialog.isVisible()
        assert command.url in page.enrolment_label.text()
        assert outbox.enrolment(admin).server_url == command.url
        assert page.enrol_button.text() == "Đăng ký lại…"
    finally:
        tasks.wait_for_all()
        admin.lock()


# -- build and upload ------------------------------------------------------------------------------


def test_operator_builds_a_batch_and_uploads_it_to_delivered(app, qtbot, station, command
                                                             ) -> None:  # type: ignore[no-untyped-def]
    vault, visit_id = station
    shell = Shell(vault)
    qtbot.addWidget(shell)
    assert shell.visible_pages()[0] is Page.SYNC
    assert shell.nav.item(0).text() == "Gửi về Bộ Chỉ huy"
    page = shell.page_widgets[Page.SYNC]
    assert isinstance(page, OperatorPage)
    shell.resize(1280, 900)
    shell.show()
    qtbot.waitUntil(lambda: page.overview is not None, timeout=15_000)
    assert not page.enrol_button.isVisible()  # enrolling is the admin's
    assert command.url in page.enrolment_label.text()
    assert "1 chuyến thăm" in page.ready_label.text() and "2 tệp" in page.ready_label.text()
    _build(qtbot, page)
    assert _state(page) == "Sẵn sàng gửi"
    assert page.upload_button.isVisible() and page.upload_button.isEnabled()
    assert not page.build_button.isEnabled()  # nothing left to pack
    _delivered(qtbot, page, lambda: qtbot.mouseClick(page.upload_button,
                                                      Qt.MouseButton.LeftButton))
    assert page.upload_bar.value() == 1000
    assert "biên nhận" in page.banner.text()
    [row] = command.store.list_batches()
    assert row["batch_id"] == outbox.status(vault)[0].id
    assert vault_outbox.delivered_visits(vault) == {visit_id}


def test_pause_stops_sending_and_resume_finishes_also_after_the_screen_was_closed(
        app, qtbot, station, command, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    vault, _ = station
    # Small chunks and a crawl of 1 KiB/s: pausing acts between chunks, so there are many.
    monkeypatch.setattr(upload_client, "CHUNK", 1024)
    page = _page(qtbot, vault)
    _build(qtbot, page)
    size = outbox.status(vault)[0].size
    page.speed_cap.addItem("1 KiB/s", 1024)
    page.speed_cap.setCurrentIndex(page.speed_cap.count() - 1)
    assert app_settings.load().upload_cap == 1024
    qtbot.mouseClick(page.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.upload_run is not None and page.upload_run.progress
                    is not None, timeout=20_000)
    qtbot.mouseClick(page.pause_button, Qt.MouseButton.LeftButton)
    assert _state(page) == "Tạm dừng" and page.resume_button.isVisible()
    qtbot.wait(1500)
    sent = page.upload_run.progress.sent
    qtbot.wait(1000)
    assert page.upload_run.progress.sent == sent < size  # nothing moves while paused

    with qtbot.waitSignal(page.upload_finished, timeout=20_000) as stopped:
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert stopped.args[1] == "cancelled" and "không mất gì" in page.banner.text().lower()
    qtbot.waitUntil(lambda: _state(page) == "Tạm dừng — bấm Tiếp tục", timeout=15_000)
    assert outbox.status(vault)[0].state == "uploading"

    # Resumed, then the app's window closes mid-upload: the upload stops (the window does
    # not wait on it) and a new screen, as after a restart, offers to resume.
    qtbot.mouseClick(page.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.upload_run is not None and page.upload_run.progress
                    is not None and page.upload_run.progress.sent > sent, timeout=20_000)
    with qtbot.waitSignal(page.upload_finished, timeout=20_000) as stopped:
        page.close()
    assert stopped.args[1] == "cancelled"
    again = _page(qtbot, vault)
    assert _state(again) == "Tạm dừng — bấm Tiếp tục"
    assert again.resume_button.isVisible() and not again.upload_button.isVisible()
    assert again.bandwidth_cap() == 1024  # the limit is remembered
    again.speed_cap.setCurrentIndex(0)
    _delivered(qtbot, again, lambda: qtbot.mouseClick(again.resume_button,
                                                       Qt.MouseButton.LeftButton))


def test_an_unreachable_server_is_said_plainly_and_loses_nothing(app, qtbot, station, command,
                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    vault, _ = station
    page, batch = _built_page(qtbot, vault)
    command.stop()
    qtbot.mouseClick(page.upload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.network_note.isVisible, timeout=30_000)
    note = page.network_note.text()
    assert "mất kết nối" in note.lower() and "không mất" in note.lower()
    assert _state(page) == "Đang chờ mạng"
    assert batch.path.read_bytes()  # the batch file is still there
    command.restart(monkeypatch)
    _delivered(qtbot, page, lambda: None)  # by itself, on the next try
    assert not page.network_note.isVisible()


# -- USB ------------------------------------------------------------------------------------------


def test_usb_export_then_the_commands_receipt_marks_it_delivered(app, qtbot, station, command,
                                                                 tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault, visit_id = station
    page, batch = _built_page(qtbot, vault)

    gone = tmp_path / "stick-pulled-out"
    page.export_to(batch.id, gone)
    _said(qtbot, page)
    assert "USB" in page.banner.text() and "không mất" in page.banner.text().lower()

    stick = tmp_path / "stick"
    stick.mkdir()
    page.choose_usb()
    page.usb_dialog.add_folder(stick)
    tasks.wait_for_all()  # the list of drives arrives after the folder was chosen
    qtbot.wait(100)
    listed = [page.usb_dialog.list.item(i).text() for i in range(page.usb_dialog.list.count())]
    assert listed.count(str(stick)) == 1 and page.usb_dialog.chosen() == stick
    with qtbot.waitSignal(page.exported, timeout=30_000) as exported:
        page.usb_dialog.accept()
    written = Path(exported.args[0])
    assert written.parent == stick and written.read_bytes() == batch.path.read_bytes()
    qtbot.waitUntil(lambda: _state(page) == "Đã ghi ra USB — chờ biên nhận", timeout=15_000)
    assert page.receipt_button.isVisible()

    # At the command: `sohoa-server ingest` of the stick's file; its receipt comes back.
    outcome = ingest(written, command.store, command.keys, command.data / "archive",
                     station_id=only_station(command.store))
    receipt_file = tmp_path / "bien-nhan.json"
    receipt_file.write_text(outcome.receipt.to_json(), encoding="utf-8")
    wrong = tmp_path / "not-a-receipt.json"
    wrong.write_text('{"batch": "x"}', encoding="utf-8")
    page.load_receipt(wrong)
    _said(qtbot, page)
    assert "biên nhận" in page.banner.text().lower()
    assert _state(page) != "Đã giao ✓"
    page.load_receipt(receipt_file)
    qtbot.waitUntil(lambda: _state(page) == "Đã giao ✓", timeout=15_000)
    assert vault_outbox.delivered_visits(vault) == {visit_id}


@pytest.mark.skipif(os.name != "posix", reason="tmpfs")
def test_a_full_usb_drive_is_said_plainly(app, qtbot, station, tmp_path) -> None:  # type: ignore[no-untyped-def]
    vault, _ = station
    small = tmp_path / "small-stick"
    if not _mount_tmpfs(small, "8k"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        page, batch = _built_page(qtbot, vault)
        assert batch.size > 8 * 1024
        page.export_to(batch.id, small)
        _said(qtbot, page)
        assert "đầy" in page.banner.text().lower()
        assert list(small.iterdir()) == []  # no half-written batch left on the stick
        assert _state(page) == "Sẵn sàng gửi"
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
