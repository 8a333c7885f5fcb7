"""Check and submit (blocked before consent, submitted after) and the coordinator's review:
queue → approved, and → returned with a per-item comment the volunteer then sees in the
checklist and beside the item, → resubmitted → approved; every photo opened full size; a
testimony played across its parts (real PortAudio into a PulseAudio null sink)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from capture import accounts, review, visits
from capture.review import Flag
from capture.roles import Role
from capture.vault import NewUser, Vault
from capture.visits import VisitStatus
from tests.capture.conftest import pulse  # noqa: F401 - the fixture, shared
from ui import tasks
from ui.pages.check_and_submit import CheckAndSubmitStep
from ui.pages.consent import ConsentStep
from ui.pages.review import ReviewPage

from . import test_consent_ui, visit_helpers
from .conftest import ADMIN_PASSPHRASE
from .test_consent_ui import VOLUNTEER_PASS, fill_and_sign, make_visit, record_consent

volunteer = test_consent_ui.volunteer  # the same signed-in volunteer fixture

COORDINATOR_PASS = "mật khẩu của điều phối viên"


def _coordinator(path, clock) -> None:  # type: ignore[no-untyped-def]
    admin = Vault(path, clock).unlock("lan", ADMIN_PASSPHRASE)
    accounts.create_user(admin, NewUser("minh", "Lê Văn Minh", "tạm thời 12345",
                                        Role.COORDINATOR))
    admin.lock()
    first = Vault(path, clock).unlock("minh", "tạm thời 12345")
    first.set_new_passphrase(COORDINATOR_PASS)
    first.lock()


def _consent(qtbot, vault, visit_id: str) -> None:  # type: ignore[no-untyped-def]
    step = ConsentStep(vault, visit_id)
    qtbot.addWidget(step)
    qtbot.waitUntil(lambda: step.state is not None, timeout=10_000)
    fill_and_sign(qtbot, step)
    record_consent(qtbot, step)


def _submit_step(qtbot, vault, visit_id: str) -> CheckAndSubmitStep:  # type: ignore[no-untyped-def]
    step = CheckAndSubmitStep(vault, visit_id)
    qtbot.addWidget(step)
    qtbot.waitUntil(lambda: step.state is not None, timeout=10_000)
    return step


def test_submit_is_blocked_until_the_consent_then_sends(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    visit_id, _ = make_visit(volunteer)
    step = _submit_step(qtbot, volunteer, visit_id)
    assert not step.submit_button.isEnabled()
    mark, sentence = step.checklist.lines[Flag.CONSENT_MISSING]
    assert mark == "✗" and "2" in sentence
    assert step.checklist.lines[Flag.NO_MARTYR][0] == "✓"

    _consent(qtbot, volunteer, visit_id)
    step.reload()
    qtbot.waitUntil(lambda: step.submit_button.isEnabled(), timeout=10_000)
    assert step.checklist.lines[Flag.CONSENT_MISSING][0] == "✓"
    with qtbot.waitSignal(step.submitted, timeout=10_000):
        qtbot.mouseClick(step.submit_button, Qt.MouseButton.LeftButton)
    assert visits.load_visit(volunteer, visit_id).status == VisitStatus.SUBMITTED
    qtbot.waitUntil(lambda: step.state.status == VisitStatus.SUBMITTED, timeout=10_000)
    assert not step.submit_button.isEnabled()


def test_review_approves_one_visit_and_returns_another_with_item_comments(
        app, qtbot, volunteer, clock) -> None:  # type: ignore[no-untyped-def]
    path = volunteer.path
    first, _ = make_visit(volunteer, contact="Nguyễn Thị Mai")
    second, item = make_visit(volunteer, contact="Phạm Văn Sáu")
    for visit_id in (first, second):
        _consent(qtbot, volunteer, visit_id)
        review.submit(volunteer, visit_id)
        clock.advance(minutes=1)
    tasks.wait_for_all()  # the consent steps' reloads finish before the lock
    volunteer.lock()
    _coordinator(path, clock)
    coordinator = Vault(path, clock).unlock("minh", COORDINATOR_PASS)
    page = ReviewPage(coordinator)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    qtbot.waitUntil(lambda: page.queue_list.count() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.visit.id == first,
                    timeout=10_000)
    assert "✓" in page.consent_label.text() and "DY-" in page.consent_label.text()
    assert "Nguyễn Văn Hùng" in page.people_label.text()
    assert page.approve_button.isEnabled()
    page.approve_comment.setText("Đủ hồ sơ")
    with qtbot.waitSignal(page.decided, timeout=10_000):
        qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert visits.load_visit(coordinator, first).status == VisitStatus.APPROVED
    qtbot.waitUntil(lambda: page.queue_list.count() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.visit.id == second,
                    timeout=10_000)
    page.ask_return()
    dialog = page.return_dialog
    dialog._accept()
    assert dialog.error.isVisibleTo(dialog)  # a comment for the visit is required
    dialog.comment.setPlainText("Ảnh trang 2 bị mờ")
    dialog.item_comments[item].setText("Chụp lại trang 2 của lá thư")
    with qtbot.waitSignal(page.decided, timeout=10_000):
        dialog._accept()
    assert visits.load_visit(coordinator, second).status == VisitStatus.RETURNED
    qtbot.waitUntil(lambda: page.queue_list.count() == 0, timeout=10_000)
    assert page.empty_label.isVisible()
    tasks.wait_for_all()
    coordinator.lock()

    again = Vault(path, clock).unlock("hoa", VOLUNTEER_PASS)
    try:
        step = _submit_step(qtbot, again, second)
        assert step.returned_box.isVisibleTo(step)
        text = step.returned_label.text()
        assert "Ảnh trang 2 bị mờ" in text and "Chụp lại trang 2 của lá thư" in text
        assert "Thư gửi mẹ" in text
        assert step.submit_button.isEnabled()  # returned, consent still valid: can resend

        # In the visit itself, the item's comment stands next to the item.
        shell, visits_page = visit_helpers.visits_page(qtbot, again)
        visits_page.open_visit(second)
        editor = visits_page.editor
        qtbot.waitUntil(lambda: editor.record is not None and editor.record.id == second,
                        timeout=10_000)
        editor.tabs.setCurrentWidget(editor.items)
        editor.items.list.setCurrentRow(0)
        qtbot.waitUntil(lambda: editor.item_comment.isVisible(), timeout=10_000)
        assert "Chụp lại trang 2 của lá thư" in editor.item_comment.text()

        # Fixed and sent again: the queue says it was resubmitted.
        with qtbot.waitSignal(step.submitted, timeout=10_000):
            qtbot.mouseClick(step.submit_button, Qt.MouseButton.LeftButton)
        assert review.stage(again, second) == review.Stage.RESUBMITTED
        shell.close()
    finally:
        tasks.wait_for_all()
        again.lock()

    coordinator = Vault(path, clock).unlock("minh", COORDINATOR_PASS)
    try:
        page = ReviewPage(coordinator)
        qtbot.addWidget(page)
        page.resize(1100, 800)
        page.show()
        qtbot.waitUntil(lambda: page.detail is not None and page.detail.visit.id == second,
                        timeout=10_000)
        assert page.entries[0].resubmitted
        badges = [b.text() for b in page._rows[0].badges]
        assert any("gửi lại" in b for b in badges), badges
        assert "sau khi bị trả lại" in page.stage_label.text()
        assert "Chụp lại trang 2 của lá thư" in page.history_label.text()
        with qtbot.waitSignal(page.decided, timeout=10_000):
            qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
        assert review.stage(coordinator, second) == review.Stage.APPROVED
    finally:
        tasks.wait_for_all()
        coordinator.lock()


def _signed_and_submitted(vault, visit_id: str) -> None:  # type: ignore[no-untyped-def]
    from capture import consent
    from capture.consent import DrawnSignature, Scopes, Signer

    consent.record(vault, visit_id, Scopes(), Signer("Nguyễn Thị Mai", "con gái"),
                   DrawnSignature([[(1.0, 2.0, 0, 0.5), (30.0, 40.0, 90, 0.5)]],
                                  b"\x89PNG signature"))
    review.submit(vault, visit_id)


def _review_page(qtbot, vault) -> ReviewPage:  # type: ignore[no-untyped-def]
    page = ReviewPage(vault)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    return page


def _coordinator_vault(qtbot, volunteer, clock):  # type: ignore[no-untyped-def]
    path = volunteer.path
    tasks.wait_for_all()
    volunteer.lock()
    _coordinator(path, clock)
    return Vault(path, clock).unlock("minh", COORDINATOR_PASS)


def test_every_photo_opens_full_size_in_turn_with_its_rotation(
        app, qtbot, volunteer, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from capture import importer

    from .visit_helpers import photos

    visit_id, item = make_visit(volunteer, pages=0)
    # Wider than any preview (2400 px at most): what the viewer shows is the original.
    report = importer.import_files(volunteer, item, photos(tmp_path / "dcim", 3, (2600, 1200)))
    assert report.imported == 3
    pages = visits.load_visit(volunteer, visit_id).items[0].pages
    visits.rotate_page(volunteer, pages[1].id, 1)  # a quarter turn, clockwise
    _signed_and_submitted(volunteer, visit_id)
    coordinator = _coordinator_vault(qtbot, volunteer, clock)
    try:
        page = _review_page(qtbot, coordinator)
        qtbot.waitUntil(lambda: page.detail is not None and len(page.thumbnails) == 3,
                        timeout=10_000)
        first = page.thumbnails[pages[0].id]
        qtbot.waitUntil(lambda: not first.icon().isNull(), timeout=10_000)
        qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
        viewer = page.photo_viewer
        assert viewer is not None and viewer.index == 0
        qtbot.waitUntil(lambda: viewer.full_size, timeout=20_000)
        assert (viewer.view.image_size.width(), viewer.view.image_size.height()) == (2600, 1200)
        assert viewer.view.fitting and viewer.view.zoom < 1  # the whole photo in the window
        assert "Thư gửi mẹ" in viewer.caption.text() and "1" in viewer.counter.text()
        assert not viewer.previous_button.isEnabled()
        qtbot.mouseClick(viewer.zoom_in_button, Qt.MouseButton.LeftButton)
        zoomed = viewer.view.zoom
        assert not viewer.view.fitting and zoomed > 0
        qtbot.mouseClick(viewer.actual_button, Qt.MouseButton.LeftButton)
        assert viewer.view.zoom == 1.0
        qtbot.mouseClick(viewer.fit_button, Qt.MouseButton.LeftButton)
        assert viewer.view.fitting

        qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
        assert viewer.index == 1
        qtbot.waitUntil(lambda: viewer.full_size, timeout=20_000)
        # Turned as stored: the wide photo stands upright.
        assert (viewer.view.image_size.width(), viewer.view.image_size.height()) == (1200, 2600)
        qtbot.keyClick(viewer, Qt.Key.Key_Right)
        assert viewer.index == 2 and not viewer.next_button.isEnabled()
        qtbot.keyClick(viewer, Qt.Key.Key_Left)
        assert viewer.index == 1
        viewer.accept()
    finally:
        tasks.wait_for_all()
        coordinator.lock()


def test_wrong_state_says_the_status_in_vietnamese(app) -> None:  # type: ignore[no-untyped-def]
    from ui.errors import user_message

    text = user_message(review.WrongState(status="approved"))
    assert "đã được duyệt" in text and "approved" not in text
    assert "bị trả lại" in user_message(review.WrongState(status="returned"))


@pytest.fixture
def speakers(request):  # type: ignore[no-untyped-def]
    """Real PortAudio output into a private PulseAudio null sink (tests/capture/pulse.py)."""
    from capture import recorder as rec

    server = request.getfixturevalue("pulse")
    rec.input_devices(rescan=True)  # PortAudio lists devices when it starts: see this one
    return server


def _wav(path, seconds: float, start: int = 0):  # type: ignore[no-untyped-def]
    import soundfile as sf

    from tests.capture.recording_helpers import RATE, tone

    sf.write(path, tone(start, int(seconds * RATE)), RATE, subtype="PCM_16")
    return path


def test_the_coordinator_plays_a_testimony_across_its_parts_and_jumps_to_a_marker(
        app, qtbot, volunteer, clock, speakers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from capture import recorder as rec
    from capture import testimony

    visit_id, _ = make_visit(volunteer, pages=1)
    testimony_id = testimony.create_testimony(volunteer, visit_id,
                                              speaker_name="Bà Nguyễn Thị Mai")
    # Two parts of 1.5 s (a microphone change in the middle), a marker in the second one.
    rec.import_recording(volunteer, testimony_id, _wav(tmp_path / "a.wav", 1.5))
    rec.import_recording(volunteer, testimony_id, _wav(tmp_path / "b.wav", 1.5, 72_000))
    testimony.add_marker(volunteer, testimony_id, 2.25, "Đồi 468", "place")
    _signed_and_submitted(volunteer, visit_id)
    coordinator = _coordinator_vault(qtbot, volunteer, clock)
    try:
        page = _review_page(qtbot, coordinator)
        qtbot.waitUntil(lambda: page.detail is not None and len(page.players) == 1,
                        timeout=10_000)
        player = page.players[0]
        qtbot.waitUntil(lambda: len(player.waveform.peaks) > 0, timeout=10_000)
        assert [round(part.offset, 2) for part in player.parts] == [0.0, 1.5]
        assert abs(player.duration - 3.0) < 0.01 and player.waveform.markers == [2.25]
        assert player.marker_list.count() == 1
        assert "Đồi 468" in player.marker_list.item(0).text()
        assert "Bà Nguyễn Thị Mai" in page._player_boxes[0].findChild(QLabel).text()

        # A marker jumps into the second part.
        marker = player.marker_list.item(0)
        qtbot.mouseClick(player.marker_list.viewport(), Qt.MouseButton.LeftButton,
                         pos=player.marker_list.visualItemRect(marker).center())
        assert player.player is not None
        assert player.player.position == 2.25 and player.player.part_index == 1

        # From just before the end of the first part, playing carries on into the second.
        player.seek(1.3)
        assert player.player.part_index == 0
        qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
        assert player.player.playing
        qtbot.waitUntil(lambda: player.player.part_index == 1
                        and player.player.position > 1.6, timeout=30_000)
        assert player.player.error is None
        qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)  # pause
        assert not player.player.playing
        paused_at = player.player.position
        qtbot.wait(300)
        assert player.player.position == paused_at
        page.current_visit = None
        page._clear_detail()  # another visit chosen: the players stop and go
        assert page.players == []
    finally:
        tasks.wait_for_all()
        coordinator.lock()
