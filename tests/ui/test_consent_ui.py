"""The consent step driven like a volunteer would: scopes, a signature drawn on the pad, the
record in a Task, the receipt and its PDF (rendered and read back), and a withdrawal."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from capture import accounts, consent, visits
from capture.roles import Role
from capture.vault import NewUser, Vault
from capture.visits import Household, ItemData, ItemKind, MartyrData
from ui import tasks
from ui.pages.consent import ConsentStep

from .conftest import ADMIN_PASSPHRASE

VOLUNTEER_PASS = "mật khẩu của Hoa ở trạm"


@pytest.fixture
def volunteer(made_vault, clock):  # type: ignore[no-untyped-def]
    path, _ = made_vault
    admin = Vault(path, clock).unlock("lan", ADMIN_PASSPHRASE)
    accounts.create_user(admin, NewUser("hoa", "Trần Thị Hoa", "tạm thời 12345",
                                        Role.VOLUNTEER))
    admin.lock()
    vault = Vault(path, clock).unlock("hoa", "tạm thời 12345")
    vault.set_new_passphrase(VOLUNTEER_PASS)
    yield vault
    tasks.wait_for_all()  # never lock under a read still running on the database worker
    if not vault.is_locked:
        vault.lock()


def make_visit(vault, pages: int = 2, contact: str = "Nguyễn Thị Mai"):  # type: ignore[no-untyped-def]
    visit_id = visits.create_visit(vault, Household(1, 4, village="Thôn Đông",
                                                    contact_name=contact,
                                                    contact_phone="0912 345 678"))
    visits.add(vault, visit_id, MartyrData("Nguyễn Văn Hùng", home_town="Thanh Hóa",
                                           death_place="Quảng Trị"))
    item = visits.add(vault, visit_id, ItemData(ItemKind.LETTER, title="Thư gửi mẹ"))
    for i in range(pages):
        visits.add_page(vault, item, vault.store_bytes(f"ảnh {i}".encode()).name)
    return visit_id, item


def shown_step(qtbot, vault, visit_id: str) -> ConsentStep:  # type: ignore[no-untyped-def]
    """The consent step on screen, its records loaded."""
    step = ConsentStep(vault, visit_id)
    qtbot.addWidget(step)
    step.resize(900, 900)
    step.show()
    qtbot.waitUntil(lambda: step.state is not None, timeout=10_000)
    return step


def draw_signature(qtbot, pad) -> None:  # type: ignore[no-untyped-def]
    strokes = [[(40, 120), (80, 60), (120, 140), (160, 70), (200, 130)],
               [(230, 90), (300, 100), (360, 80)]]
    for stroke in strokes:
        first = QPoint(*stroke[0])
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=first)
        for x, y in stroke[1:]:
            qtbot.mouseMove(pad, QPoint(x, y))
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*stroke[-1]))


def fill_and_sign(qtbot, step: ConsentStep) -> None:  # type: ignore[no-untyped-def]
    step.share_check.setChecked(True)
    step.media_anonymous.setChecked(True)
    step.dna_check.setChecked(True)
    step.dna_details.setText("Chị Mai, 0912 345 678")
    step.no_embargo.setChecked(False)
    step.signer_name.setText("Nguyễn Thị Mai")
    step.relationship.setEditText("con gái")
    draw_signature(qtbot, step.pad)


def record_consent(qtbot, step: ConsentStep) -> str:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(step.consent_recorded, timeout=20_000) as signal:
        qtbot.mouseClick(step.record_button, Qt.MouseButton.LeftButton)
    return signal.args[0]


def dark_fraction(png: Path) -> float:
    image = QImage(str(png))
    assert not image.isNull()
    dark = total = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            total += 1
            if image.pixelColor(x, y).lightness() < 128:
                dark += 1
    return dark / total


def test_a_whole_consent_is_signed_recorded_and_its_receipt_renders(
        app, qtbot, volunteer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    visit_id, _ = make_visit(volunteer)
    step = shown_step(qtbot, volunteer, visit_id)
    assert step.archive_check.isChecked() and not step.archive_check.isEnabled()
    assert "Phiếu đồng ý" in step.text.toPlainText()
    assert "Trần Thị Hoa" in step.witness_label.text()

    fill_and_sign(qtbot, step)
    strokes = step.pad.strokes()
    assert len(strokes) == 2 and len(strokes[0]) == 5
    assert all(p[3] == 0.5 for s in strokes for p in s)  # mouse pressure
    assert strokes[0][-1][2] >= strokes[0][0][2]  # timing in ms, not going backwards
    png = step.pad.png_bytes()
    assert png.startswith(b"\x89PNG")
    image = QImage.fromData(png)
    assert any(image.pixelColor(x, y).lightness() < 100
               for x in range(0, image.width(), 2) for y in range(0, image.height(), 2))

    record_id = record_consent(qtbot, step)
    assert step.stack.currentIndex() == step.RECEIPT
    view = consent.get(volunteer, record_id)
    code = view.reference_code
    assert step.receipt_code.text() == code
    assert view.scopes.share_with_authorities and view.scopes.media_use == "anonymous"
    assert view.scopes.dna_contact_details == "Chị Mai, 0912 345 678"
    assert view.scopes.embargo_until  # a date a year ahead
    assert view.payload["signer"] == {"name": "Nguyễn Thị Mai", "relationship": "con gái"}
    assert view.payload["evidence"]["strokes"] == 2
    assert consent.verify(volunteer, record_id).valid
    assert consent.evidence_png(volunteer, record_id) is not None

    pdf = tmp_path / "bien-nhan.pdf"
    assert step.save_receipt(pdf)
    assert pdf.exists()
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils is not installed (packaging/dev/setup.sh installs it)")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    assert dark_fraction(page) > 0.01
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert code in text
    assert "Giấy biên nhận" in text
    assert "Nguyễn Thị Mai" in text and "Trần Thị Hoa" in text
    assert "kèm mã phiếu" in text

    # Back on the form, the record is listed as valid.
    qtbot.mouseClick(step.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.records_list.count() == 1, timeout=10_000)
    assert "✓" in step.records_list.item(0).text() and code in step.records_list.item(0).text()


def test_a_missing_signature_is_said_and_nothing_is_recorded(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    visit_id, _ = make_visit(volunteer)
    step = ConsentStep(volunteer, visit_id)
    qtbot.addWidget(step)
    qtbot.waitUntil(lambda: step.state is not None, timeout=10_000)
    step.signer_name.setText("Nguyễn Thị Mai")
    qtbot.mouseClick(step.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.banner.property("kind") == "error", timeout=10_000)
    assert "chữ ký" in step.banner.text().lower()
    assert consent.records(volunteer, visit_id) == []
    draw_signature(qtbot, step.pad)
    qtbot.mouseClick(step.clear_button, Qt.MouseButton.LeftButton)
    assert step.pad.is_empty()


def test_verbal_consent_and_a_partial_withdrawal(app, qtbot, volunteer, clock) -> None:  # type: ignore[no-untyped-def]
    visit_id, _ = make_visit(volunteer, pages=3)
    step = ConsentStep(volunteer, visit_id)
    qtbot.addWidget(step)
    qtbot.waitUntil(lambda: step.state is not None, timeout=10_000)
    step.signer_name.setText("Lê Văn Ba")
    step.relationship.setEditText("em trai")
    step.by_voice.setChecked(True)
    step.testimony_ref.setEditText("testimony/abc#marker/12")
    step.verbal_note.setText("Không viết được, đồng ý ở phút 12")
    record_id = record_consent(qtbot, step)
    assert consent.get(volunteer, record_id).payload["evidence"]["method"] == "verbal"
    qtbot.mouseClick(step.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.records_list.count() == 1, timeout=10_000)
    step.records_list.setCurrentRow(0)
    assert step.withdraw_button.isEnabled()
    clock.advance(days=3)
    step.record_withdrawal()
    dialog = step.withdrawal_dialog
    dialog.how_buttons["letter"].setChecked(True)
    dialog.detail.setText("thư ngày 20/11")
    dialog.some_button.setChecked(True)
    assert dialog.captures.count() == 3
    assert "Thư gửi mẹ" in dialog.captures.item(0).text()
    dialog.captures.item(0).setCheckState(Qt.CheckState.Checked)
    dialog._accept()
    qtbot.waitUntil(lambda: step.records_list.count() == 2, timeout=10_000)
    withdrawal = consent.records(volunteer, visit_id)[1]  # in time order
    assert withdrawal.kind == "withdraw" and len(withdrawal.covers) == 1
    assert withdrawal.payload["evidence"]["how"] == "Bằng thư: thư ngày 20/11"
    assert "rút lại một phần" in step.records_list.item(0).text()
    assert len(consent.batchable(volunteer, visit_id)) == 2


def test_the_family_changes_its_consent_then_withdraws_by_the_old_code(
        app, qtbot, volunteer, clock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    visit_id, _ = make_visit(volunteer)
    step = shown_step(qtbot, volunteer, visit_id)
    fill_and_sign(qtbot, step)
    first_id = record_consent(qtbot, step)
    first = consent.get(volunteer, first_id)
    qtbot.mouseClick(step.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.records_list.count() == 1, timeout=10_000)

    # The family now wants their name in the newspaper and no DNA contact.
    clock.advance(days=30)
    step.records_list.setCurrentRow(0)
    assert step.amend_button.isEnabled()
    qtbot.mouseClick(step.amend_button, Qt.MouseButton.LeftButton)
    assert step.amend_box.isVisibleTo(step) and first.reference_code in step.amend_label.text()
    # The form holds what the family agreed to before; the signature must be drawn again.
    assert step.media_anonymous.isChecked() and step.dna_check.isChecked()
    assert step.signer_name.text() == "Nguyễn Thị Mai" and step.pad.is_empty()
    step.media_named.setChecked(True)
    step.dna_check.setChecked(False)
    qtbot.mouseClick(step.record_button, Qt.MouseButton.LeftButton)  # no signature yet
    qtbot.waitUntil(lambda: step.banner.property("kind") == "error", timeout=10_000)
    assert len(consent.records(volunteer, visit_id)) == 1
    draw_signature(qtbot, step.pad)
    amended_id = record_consent(qtbot, step)
    amended = consent.get(volunteer, amended_id)
    assert amended.kind == "amend" and amended.supersedes == first_id
    assert amended.scopes.media_use == "named" and not amended.scopes.dna_contact
    assert consent.verify(volunteer, amended_id).valid
    assert first.reference_code in step.receipt_summary.text()  # "this changes DY-…"
    pdf = tmp_path / "bien-nhan-thay-doi.pdf"
    assert step.save_receipt(pdf)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert f"thay đổi phiếu {first.reference_code}" in " ".join(text.split())
        assert amended.reference_code in text
    assert not step.amend_box.isVisibleTo(step)
    qtbot.mouseClick(step.back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.records_list.count() == 2, timeout=10_000)
    history = [step.records_list.item(i).text() for i in range(2)]
    assert "thay bằng" in history[0] or "thay thế" in history[0], history
    assert history[1].startswith("✎") and first.reference_code in history[1]

    # Months later the family phones and quotes the code of their FIRST receipt.
    clock.advance(days=90)
    dialog = step.withdraw_by_code()
    dialog.code.setText(first.reference_code.lower().replace("-", " - "))
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.found is not None, timeout=10_000)
    assert dialog.found.row.id == amended_id  # the consent in force now
    assert amended.reference_code in dialog.summary.text()
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    withdrawal = dialog.withdrawal_dialog
    assert withdrawal is not None and "Nguyễn Thị Mai" in withdrawal.name.text()
    withdrawal.detail.setText("gọi điện ngày 20/02")
    with qtbot.waitSignal(dialog.withdrawn, timeout=10_000):
        withdrawal._accept()
    assert "đợt gửi sau" in dialog.banner.text()
    qtbot.waitUntil(lambda: step.records_list.count() == 3, timeout=10_000)
    notice = step.records_list.item(2).text()
    assert notice.startswith("↩") and "đợt gửi sau" in notice
    assert consent.batchable(volunteer, visit_id) == []
    (pending,) = consent.withdrawal_notices(volunteer)
    assert pending.supersedes == amended_id
    # Once a batch has carried the notice, the history says so.
    consent.mark_notice_sent(volunteer, pending.id, "a1b2c3d4e5f6")
    step.reload()
    qtbot.waitUntil(lambda: "a1b2c3d4" in step.records_list.item(2).text(), timeout=10_000)

    # A code that does not exist is said plainly.
    dialog.code.setText("DY-0000-0000")
    qtbot.mouseClick(dialog.find_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.banner.property("kind") == "error", timeout=10_000)
    assert "không có" in dialog.banner.text().lower() or "không tồn tại" in dialog.banner.text()
    assert not dialog.continue_button.isEnabled()
