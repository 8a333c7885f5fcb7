"""Check and submit (blocked before consent, submitted after) and the coordinator's review
(queue → approved, and → returned with a per-item comment the volunteer then sees)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from capture import accounts, review, visits
from capture.review import Flag
from capture.roles import Role
from capture.vault import NewUser, Vault
from capture.visits import VisitStatus
from ui import tasks
from ui.consent_page import ConsentStep
from ui.review_page import CheckAndSubmitStep, ReviewPage

from . import test_consent_ui
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
    finally:
        tasks.wait_for_all()
        again.lock()
