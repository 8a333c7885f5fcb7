"""Save PNGs of the operator's "Send to the command" screen in each state, in Vietnamese and in
English, against the real command server on loopback: not enrolled (the admin's view), the
enrolment dialog (pasted link; a wrong code), ready to send, built, uploading, paused, the
network lost, delivered, the USB dialog and a batch written to USB, and an upload left paused
by a restart.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/operator_screenshots.py [OUT_DIR]

Uses a throwaway SOHOA_HOME; writes ``operator-*-vi.png`` and ``operator-*-en.png`` to
``screenshots/`` (gitignored) by default.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.ui.shotkit import ShotKit

PASSPHRASE = "mật khẩu đủ dài 123"


def make_station(root: Path):  # type: ignore[no-untyped-def]
    """A station with three approved, consented visits; returns its vault path."""
    from capture import accounts, consent, review, visits
    from capture.consent import DrawnSignature, Scopes, Signer
    from capture.keyslots import KdfParams
    from capture.roles import Role
    from capture.vault import NewUser, StationSetup, Vault
    from capture.visits import Household, ItemData, ItemKind, MartyrData

    path = root / "vault"
    admin, _ = Vault.create(path, StationSetup("Đoàn Thanh niên xã Đông", 1, 4),
                            NewUser("lan", "Nguyễn Thị Lan", PASSPHRASE, Role.ADMIN),
                            kdf=KdfParams.for_tests())
    for user, name, role in (("hoa", "Trần Thị Hoa", Role.VOLUNTEER),
                             ("minh", "Lê Văn Minh", Role.COORDINATOR),
                             ("tuan", "Phạm Văn Tuấn", Role.OPERATOR)):
        accounts.create_user(admin, NewUser(user, name, "tạm thời 12345", role))
    admin.lock()
    for user in ("hoa", "minh", "tuan"):
        first = Vault(path).unlock(user, "tạm thời 12345")
        first.set_new_passphrase(PASSPHRASE)
        first.lock()
    volunteer = Vault(path).unlock("hoa", PASSPHRASE)
    made = []
    for n, (contact, village, martyr) in enumerate([
            ("Nguyễn Thị Mai", "Thôn Đông", "Nguyễn Văn Hùng"),
            ("Lê Văn Bảy", "Tổ dân phố 5", "Lê Văn Tám"),
            ("Phạm Thị Hoa", "Xóm Chùa", "Phạm Quang Đức")]):
        visit_id = visits.create_visit(volunteer, Household(1, 4, village=village,
                                                            contact_name=contact))
        visits.add(volunteer, visit_id, MartyrData(martyr, home_town="Thanh Hóa",
                                                   death_place="Quảng Trị"))
        item = visits.add(volunteer, visit_id, ItemData(ItemKind.DIARY,
                                                        title="Nhật ký chiến trường"))
        for page in range(4 + 2 * n):
            # Photo-sized and incompressible, as camera JPEGs are.
            stored = volunteer.store_bytes(os.urandom(700_000 + 50_000 * page))
            visits.add_page(volunteer, item, stored.name, original_filename=f"IMG_{page}.JPG")
        consent.record(volunteer, visit_id, Scopes(share_with_authorities=True),
                       Signer(contact, "con"),
                       DrawnSignature([[(1.0, 2.0, 0, 0.5), (3.0, 4.0, 50, 0.5)]],
                                      b"\x89PNG signature"))
        review.submit(volunteer, visit_id)
        made.append(visit_id)
    volunteer.lock()
    coordinator = Vault(path).unlock("minh", PASSPHRASE)
    for visit_id in made:
        review.approve(coordinator, visit_id)
    coordinator.lock()
    return path


def run(kit: ShotKit, language: str) -> None:
    from PySide6.QtCore import QCoreApplication

    import sync.upload
    from capture.vault import Vault
    from tests.ui.test_operator_ui import Command
    from ui import i18n, tasks
    from ui.pages.operator import OperatorPage

    i18n.install(kit.app, language)
    root = Path(os.environ["SOHOA_HOME"]) / language
    path = make_station(root)
    command = Command(root / "command")
    wait_until = kit.wait_until

    def shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
        kit.shot(widget, f"operator-{name}-{language}")

    def page_for(vault) -> OperatorPage:  # type: ignore[no-untyped-def]
        page = OperatorPage(vault)
        page.resize(1100, 980)
        page.show()
        wait_until(lambda: page.overview is not None)
        return page

    # The admin: not enrolled yet, then the dialog.
    admin = Vault(path).unlock("lan", PASSPHRASE)
    page = page_for(admin)
    shot(page, "01-not-enrolled")
    dialog = page.open_enrol_dialog()
    dialog.server.setText(command.url)
    dialog.code.setText("0000-0000-0000-0000")
    shot(dialog, "02a-enrol-typed-needs-fingerprint")
    dialog.keys.setText("9F3C 1A2B 4D5E 6F70 8192 A3B4 C5D6 E7F8")  # a slip from the sheet
    dialog.submit()
    wait_until(dialog.mismatch.isVisible)
    shot(dialog, "02b-enrol-keys-mismatch")
    from sync.enrol_link import grouped

    dialog.keys.setText(grouped(command.fingerprint))
    dialog.error.hide()
    dialog.submit()
    wait_until(dialog.error.isVisible)
    shot(dialog, "02-enrol-wrong-code")
    dialog.code.setText(command.link())
    shot(dialog, "03-enrol-link-pasted")
    dialog.submit()
    wait_until(lambda: not dialog.isVisible() and "127.0.0.1" in page.enrolment_label.text())
    shot(page, "04-enrolled-admin")
    page.close()
    tasks.wait_for_all()
    admin.lock()

    # The operator: ready, built, uploading, paused, network lost, delivered.
    vault = Vault(path).unlock("tuan", PASSPHRASE)
    page = page_for(vault)
    shot(page, "05-ready")
    page.build()
    wait_until(lambda: page.table.rowCount() > 0 and not page.building, 60_000)
    shot(page, "06-built")
    page.choose_usb()
    stick = root / "USB-KINGSTON"
    stick.mkdir()
    page.usb_dialog.add_folder(stick)
    shot(page.usb_dialog, "07-usb-dialog")
    page.usb_dialog.accept()
    wait_until(lambda: page.busy_batch is None and page.banner.isVisible())
    wait_until(lambda: page.selected_batch().exported_at is not None)
    shot(page, "08-usb-written")
    sync.upload.CHUNK = 64 * 1024  # smooth progress for the picture
    page.speed_cap.setCurrentIndex(page.speed_cap.findData(512 * 1024))
    page.start_upload()
    wait_until(lambda: page.upload_run and page.upload_run.progress
               and page.upload_run.progress.sent > 1_500_000, 60_000)
    shot(page, "09-uploading")
    page.pause_upload()
    kit.settle(600)
    shot(page, "10-paused")
    page.cancel_upload()
    wait_until(lambda: page.upload_run is None)
    shot(page, "11-stopped")
    command.stop()
    page.resume_upload()
    wait_until(page.network_note.isVisible, 30_000)
    shot(page, "12-network-lost")
    # What the amber note says for the other reasons to wait (as the core reports them; the
    # real retries behind are slowed so they do not write over it).
    page.upload_run.attempts = 99
    page._show_retrying(3, 8.0, "unsigned_answer")
    kit.shot(page, f"operator-12b-unsigned-answer-{language}")
    page._show_retrying(4, 60.0, "no_space")
    kit.shot(page, f"operator-12c-command-asks-to-wait-{language}")
    page.cancel_upload()
    wait_until(lambda: page.upload_run is None)
    page.close()
    # As after a restart: a new screen finds the batch half sent.
    from pytest import MonkeyPatch

    patch = MonkeyPatch()
    command.restart(patch)
    page = page_for(vault)
    shot(page, "13-resume-after-restart")
    page.speed_cap.setCurrentIndex(0)
    page.resume_upload()
    wait_until(lambda: page.upload_run is None, 120_000)
    wait_until(lambda: page.selected_batch() is not None
               and page.selected_batch().state == "delivered")
    shot(page, "14-delivered")

    page.close()
    tasks.wait_for_all()
    vault.lock()
    patch.undo()
    command.stop()
    QCoreApplication.processEvents()


def main() -> int:
    kit = ShotKit.start("sohoa-operator-shots-")
    for language in ("vi", "en"):
        run(kit, language)
    from ui import i18n

    i18n.install(kit.app, "vi")
    return 0


if __name__ == "__main__":
    sys.exit(main())
