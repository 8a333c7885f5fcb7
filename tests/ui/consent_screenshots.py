"""Save PNGs of the consent step, the receipt (screen and PDF page), check-and-submit blocked
and ready, and the coordinator's review queue and detail, in Vietnamese, to look at.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/consent_screenshots.py [OUT_DIR]

Uses a throwaway SOHOA_HOME; writes to ``screenshots/`` (gitignored) by default.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.ui.shotkit import ShotKit


def make_station(path: Path) -> None:
    """A station with an admin, the volunteer ``hoa`` and the coordinator ``minh``, each with
    the passphrase "mật khẩu riêng của <user>"."""
    from capture import accounts
    from capture.keyslots import KdfParams
    from capture.roles import Role
    from capture.vault import NewUser, StationSetup, Vault

    admin, _ = Vault.create(path, StationSetup("Đoàn Thanh niên phường Ba Đình", 1, 4),
                            NewUser("admin", "Quản trị", "một câu thật dài để nhớ", Role.ADMIN),
                            kdf=KdfParams.for_tests())
    accounts.create_user(admin, NewUser("hoa", "Trần Thị Hoa", "tạm thời 12345",
                                        Role.VOLUNTEER))
    accounts.create_user(admin, NewUser("minh", "Lê Văn Minh", "tạm thời 12345",
                                        Role.COORDINATOR))
    admin.lock()
    for user in ("hoa", "minh"):
        first = Vault(path).unlock(user, "tạm thời 12345")
        first.set_new_passphrase(f"mật khẩu riêng của {user}")
        first.lock()


def main() -> int:
    kit = ShotKit.start("sohoa-consent-shots-")
    out, settle, wait_until, shot = kit.out, kit.settle, kit.wait_until, kit.shot

    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from capture import paths, review, visits
    from capture.vault import Vault
    from capture.visits import Household, ItemData, ItemKind, MartyrData, PersonData, PersonKind
    from ui.pages.check_and_submit import CheckAndSubmitStep
    from ui.pages.consent import ConsentStep
    from ui.pages.review import ReviewPage


    path = paths.default_vault()
    make_station(path)
    vault = Vault(path).unlock("hoa", "mật khẩu riêng của hoa")

    def make_visit(contact: str, village: str) -> tuple[str, str]:
        visit_id = visits.create_visit(vault, Household(1, 4, village=village,
                                                        contact_name=contact,
                                                        contact_phone="0912 345 678"))
        martyr = visits.add(vault, visit_id, MartyrData(
            "Nguyễn Văn Hùng", birth_year=1950, home_town="Thanh Hóa", unit="E95",
            death_place="Quảng Trị, 1972"))
        visits.add(vault, visit_id, PersonData(PersonKind.RELATIVE, contact,
                                               relationship="con gái", martyr_id=martyr))
        item = visits.add(vault, visit_id, ItemData(ItemKind.LETTER, title="Thư gửi mẹ 1971"))
        for i in range(3):
            visits.add_page(vault, item, vault.store_bytes(f"ảnh {village} {i}".encode()).name)
        diary = visits.add(vault, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký chiến trường"))
        for i in range(2):
            visits.add_page(vault, diary, vault.store_bytes(f"nhật ký {village} {i}".encode()).name)
        return visit_id, item

    first, _ = make_visit("Nguyễn Thị Mai", "Thôn Đông")
    second, _ = make_visit("Phạm Văn Sáu", "Xóm Chùa")

    # Check and submit, blocked: no consent yet.
    submit = CheckAndSubmitStep(vault, first)
    submit.resize(900, 760)
    submit.show()
    wait_until(lambda: submit.state is not None)
    shot(submit, "consent-04-check-blocked")

    # The consent form, filled in and signed.
    step = ConsentStep(vault, first)
    step.resize(1000, 900)
    step.show()
    wait_until(lambda: step.state is not None)
    step.share_check.setChecked(True)
    step.media_anonymous.setChecked(True)
    step.dna_check.setChecked(True)
    step.dna_details.setText("Chị Mai, 0912 345 678")
    step.signer_name.setText("Nguyễn Thị Mai")
    step.relationship.setEditText("con gái")
    pad = step.pad
    strokes = [[(40, 150), (60, 80), (85, 160), (110, 70), (140, 150), (170, 100)],
               [(190, 120), (230, 90), (260, 140), (300, 80), (340, 130), (380, 110)],
               [(60, 175), (200, 165), (360, 170)]]
    for stroke in strokes:
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*stroke[0]))
        for x, y in stroke[1:]:
            QTest.mouseMove(pad, QPoint(x, y))
            settle(10)
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*stroke[-1]))
    form = step.stack.widget(step.FORM).widget()
    form.resize(1000, form.sizeHint().height())
    shot(form, "consent-01-form-signed")
    shot(step, "consent-01b-form-window")

    recorded: list[str] = []
    step.consent_recorded.connect(recorded.append)
    step.record()
    wait_until(lambda: bool(recorded))
    shot(step, "consent-02-receipt")
    pdf = out / "consent-03-receipt.pdf"
    step.save_receipt(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(out / "consent-03-receipt-pdf")], check=True)
    print(out / "consent-03-receipt-pdf.png")

    submit.reload()
    wait_until(lambda: submit.submit_button.isEnabled())
    shot(submit, "consent-05-check-ready")
    review.submit(vault, first)

    second_step = ConsentStep(vault, second)
    second_step.show()
    wait_until(lambda: second_step.state is not None)
    second_step.signer_name.setText("Phạm Văn Sáu")
    second_step.by_voice.setChecked(True)
    second_step.testimony_ref.setEditText("testimony/1#marker/3")
    done: list[str] = []
    second_step.consent_recorded.connect(done.append)
    second_step.record()
    wait_until(lambda: bool(done))
    review.submit(vault, second)
    vault.lock()

    coordinator = Vault(path).unlock("minh", "mật khẩu riêng của minh")
    page = ReviewPage(coordinator)
    page.resize(1280, 860)
    page.show()
    wait_until(lambda: page.queue_list.count() == 2 and page.detail is not None)
    shot(page, "consent-06-review-queue")
    detail = page.detail_widget
    detail.resize(detail.width(), detail.sizeHint().height())
    shot(detail, "consent-07-review-detail")
    page.ask_return()
    dialog = page.return_dialog
    dialog.comment.setPlainText("Ảnh trang 2 của lá thư bị mờ, nhờ chụp lại.")
    next(iter(dialog.item_comments.values())).setText("Chụp lại trang 2")
    shot(dialog, "consent-08-return-dialog")
    dialog._accept()
    wait_until(lambda: page.queue_list.count() == 1)
    coordinator.lock()

    again = Vault(path).unlock("hoa", "mật khẩu riêng của hoa")
    returned = CheckAndSubmitStep(again, first)
    returned.resize(900, 760)
    returned.show()
    wait_until(lambda: returned.state is not None)
    shot(returned, "consent-09-check-returned")
    again.lock()
    return 0


if __name__ == "__main__":
    sys.exit(main())
