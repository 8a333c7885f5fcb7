"""Save PNGs of the coordinator's review with real photos and a recording, the photo viewer (fit,
zoomed, a turned page), the testimony player, returning with a comment per item, what the
volunteer then sees beside the item, the resubmitted visit in the queue, and the consent
step's change and withdrawal by reference code — in Vietnamese, to look at.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/review_screenshots.py [OUT_DIR]

Uses a throwaway SOHOA_HOME; writes review-*.png to ``screenshots/`` (gitignored) by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.ui.consent_screenshots import make_station
from tests.ui.shotkit import ShotKit


def main() -> int:
    kit = ShotKit.start("sohoa-review-shots-")
    out, settle, wait_until, shot = kit.out, kit.settle, kit.wait_until, kit.shot

    from capture import consent, importer, paths, review, testimony, visits
    from capture import recorder as rec
    from capture.consent import DrawnSignature, MediaUse, Scopes, Signer
    from capture.vault import Vault
    from capture.visits import Household, ItemData, ItemKind, MartyrData, PersonData, PersonKind
    from tests.ui.test_consent_ui import draw_signature
    from tests.ui.test_review_ui import _wav
    from tests.ui.visit_helpers import photos
    from ui.pages.consent import ConsentStep
    from ui.pages.review import ReviewPage
    from ui.shell import Shell
    from ui.viewmodels import Page

    class Bot:  # qtbot's drawing calls, for draw_signature
        @staticmethod
        def mousePress(widget, button, pos):  # type: ignore[no-untyped-def]
            from PySide6.QtTest import QTest

            QTest.mousePress(widget, button, pos=pos)

        @staticmethod
        def mouseMove(widget, pos):  # type: ignore[no-untyped-def]
            from PySide6.QtTest import QTest

            QTest.mouseMove(widget, pos)
            settle(10)

        @staticmethod
        def mouseRelease(widget, button, pos):  # type: ignore[no-untyped-def]
            from PySide6.QtTest import QTest

            QTest.mouseRelease(widget, button, pos=pos)

    work = Path(out) / "review-shots-work"
    work.mkdir(exist_ok=True)
    path = paths.default_vault()
    make_station(path)

    def volunteer() -> Vault:
        return Vault(path).unlock("hoa", "mật khẩu riêng của hoa")

    def coordinator() -> Vault:
        return Vault(path).unlock("minh", "mật khẩu riêng của minh")

    vault = volunteer()
    visit_id = visits.create_visit(vault, Household(1, 4, village="Thôn Đông",
                                                    contact_name="Nguyễn Thị Mai",
                                                    contact_phone="0912 345 678"))
    martyr = visits.add(vault, visit_id, MartyrData(
        "Nguyễn Văn Hùng", birth_year=1950, home_town="Thanh Hóa", unit="E95",
        death_place="Thành cổ Quảng Trị, 1972"))
    visits.add(vault, visit_id, PersonData(PersonKind.RELATIVE, "Nguyễn Thị Mai",
                                           relationship="con gái", martyr_id=martyr))
    letter = visits.add(vault, visit_id, ItemData(ItemKind.LETTER, title="Thư gửi mẹ, 1971"))
    importer.import_files(vault, letter, photos(work / "thu", 3, (1800, 1300)))
    diary = visits.add(vault, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký chiến trường"))
    importer.import_files(vault, diary, photos(work / "nhat-ky", 2, (1300, 1800)))
    diary_pages = visits.load_visit(vault, visit_id).items[1].pages
    visits.rotate_page(vault, diary_pages[1].id, 1)
    testimony_id = testimony.create_testimony(vault, visit_id, speaker_name="Nguyễn Thị Mai")
    rec.import_recording(vault, testimony_id, _wav(work / "phan-1.wav", 2.5))
    rec.import_recording(vault, testimony_id, _wav(work / "phan-2.wav", 2.0, 120_000))
    testimony.add_marker(vault, testimony_id, 1.2, "Thành cổ Quảng Trị", "place")
    testimony.add_marker(vault, testimony_id, 3.4, "Đại đội 3, tiểu đoàn 8", "unit")
    strokes = [[(10.0, 20.0, 0, 0.5), (60.0, 40.0, 120, 0.5), (120.0, 25.0, 260, 0.5)]]
    consent.record(vault, visit_id, Scopes(share_with_authorities=True,
                                           media_use=MediaUse.ANONYMOUS),
                   Signer("Nguyễn Thị Mai", "con gái"),
                   DrawnSignature(strokes, b"\x89PNG signature"))
    review.submit(vault, visit_id)
    vault.lock()

    # The coordinator: queue, the visit with its photos and its recording.
    boss = coordinator()
    page = ReviewPage(boss)
    page.resize(1280, 1000)
    page.show()
    wait_until(lambda: page.detail is not None and len(page.players) == 1
               and len(page.players[0].waveform.peaks) > 0)
    wait_until(lambda: all(not b.icon().isNull() for b in page.thumbnails.values()))
    shot(page, "review-01-queue-and-visit")
    detail = page.detail_widget
    detail.resize(detail.width(), detail.sizeHint().height())
    shot(detail, "review-02-visit-detail-full")

    viewer = page.open_photo(0)
    viewer.resize(1100, 820)
    wait_until(lambda: viewer.full_size)
    shot(viewer, "review-03-photo-fit")
    viewer.view.set_zoom(1.0)
    settle(200)
    shot(viewer, "review-04-photo-100")
    viewer.show_page(4)  # the diary page turned a quarter
    wait_until(lambda: viewer.full_size)
    shot(viewer, "review-05-photo-turned")
    viewer.accept()

    player = page.players[0]
    player.seek(3.4)
    box = page._player_boxes[0]
    shot(box, "review-06-testimony-player")

    page.ask_return()
    dialog = page.return_dialog
    dialog.comment.setPlainText("Thiếu ngày hy sinh của liệt sĩ; hỏi lại gia đình.")
    dialog.item_comments[diary].setText("Trang 2 bị mờ, nhờ chụp lại.")
    dialog.resize(640, dialog.sizeHint().height())
    shot(dialog, "review-07-return-dialog")
    dialog._accept()
    wait_until(lambda: page.queue_list.count() == 0)
    shot(page, "review-08-queue-empty")
    page.close()
    boss.lock()

    # The volunteer sees the comment beside the item, fixes it and sends the visit again.
    vault = volunteer()
    shell = Shell(vault)
    shell.resize(1200, 900)
    shell.show()
    shell.show_page(Page.VISITS)
    visits_page = shell.page_widgets[Page.VISITS]
    visits_page.open_visit(visit_id)
    editor = visits_page.editor
    wait_until(lambda: editor.record is not None)
    editor.tabs.setCurrentWidget(editor.items)
    editor.items.list.setCurrentRow(1)
    wait_until(lambda: editor.item_comment.isVisible())
    settle(400)
    shot(shell, "review-09-volunteer-item-comment")
    editor.tabs.setCurrentWidget(editor.submit_tab)
    step = editor.submit_step
    wait_until(lambda: step is not None and step.state is not None
               and step.submit_button.isEnabled())
    shot(shell, "review-10-volunteer-returned-checklist")
    submitted: list[str] = []
    step.submitted.connect(submitted.append)
    step.submit()
    wait_until(lambda: bool(submitted))
    shell.close()
    vault.lock()

    boss = coordinator()
    page = ReviewPage(boss)
    page.resize(1280, 900)
    page.show()
    wait_until(lambda: page.detail is not None)
    shot(page, "review-11-resubmitted-in-queue")
    page.close()
    boss.lock()

    # The consent step: the family changes its consent, later withdraws by the old code.
    vault = volunteer()
    step = ConsentStep(vault, visit_id)
    step.resize(1000, 1000)
    step.show()
    wait_until(lambda: step.state is not None and step.records_list.count() == 1)
    step.records_list.setCurrentRow(0)
    step.start_amendment()
    step.media_named.setChecked(True)
    step.dna_check.setChecked(True)
    step.dna_details.setText("Chị Mai, 0912 345 678")
    draw_signature(Bot, step.pad)
    form = step.stack.widget(step.FORM).widget()
    form.resize(1000, form.sizeHint().height())
    shot(form, "review-12-consent-change-form")
    recorded: list[str] = []
    step.consent_recorded.connect(recorded.append)
    step.record()
    wait_until(lambda: bool(recorded))
    shot(step, "review-13-consent-change-receipt")
    old_code = consent.records(vault, visit_id)[0].reference_code
    step.stack.setCurrentIndex(step.FORM)
    code_dialog = step.withdraw_by_code()
    code_dialog.code.setText(old_code)
    code_dialog.find()
    wait_until(lambda: code_dialog.found is not None)
    code_dialog.resize(640, code_dialog.sizeHint().height())
    shot(code_dialog, "review-14-withdraw-by-code")
    code_dialog.open_withdrawal()
    withdrawal = code_dialog.withdrawal_dialog
    withdrawal.detail.setText("gọi điện ngày 20/02")
    shot(withdrawal, "review-15-withdrawal-dialog")
    done: list[object] = []
    code_dialog.withdrawn.connect(done.append)
    withdrawal._accept()
    wait_until(lambda: bool(done) and step.records_list.count() == 3)
    shot(code_dialog, "review-16-withdrawal-recorded")
    code_dialog.accept()
    step.resize(1000, 700)
    settle(300)
    shot(step.records_box, "review-17-consent-history")
    vault.lock()
    return 0


if __name__ == "__main__":
    sys.exit(main())
