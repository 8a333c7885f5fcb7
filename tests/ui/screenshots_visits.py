"""Save PNGs of the Visits page, the editor's sections, the gallery, an import in progress, the
import report and the viewer, in Vietnamese, to look at.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/screenshots_visits.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.ui.shotkit import ShotKit


def main() -> int:
    kit = ShotKit.start("sohoa-visit-shots-")
    settle, shot = kit.settle, kit.shot
    home = Path(os.environ["SOHOA_HOME"])


    from capture import accounts, importer, paths, visits
    from capture.keyslots import KdfParams
    from capture.roles import Role
    from capture.vault import NewUser, StationSetup, Vault
    from tests.capture import mediafiles as mf
    from ui.dialogs.importing import ImportReportDialog
    from ui.shell import Shell
    from ui.viewmodels import Page

    def wait_until(predicate, timeout_ms: int = 60_000) -> None:  # type: ignore[no-untyped-def]
        kit.wait_until(predicate, timeout_ms)  # imports and thumbnails take a while here

    admin, _ = Vault.create(paths.default_vault(), StationSetup("Đoàn Thanh niên xã Đông", 1, 4),
                            NewUser("lan", "Nguyễn Thị Lan", "một câu thật dài để nhớ",
                                    Role.ADMIN), kdf=KdfParams.for_tests())
    accounts.create_user(admin, NewUser("hung", "Trần Văn Hùng", "tạm thời 12345",
                                        Role.VOLUNTEER))
    admin.lock()
    vault = Vault(paths.default_vault()).unlock("hung", "tạm thời 12345")
    vault.set_new_passphrase("câu hát quê hương")

    shell = Shell(vault)
    shell.resize(1280, 820)
    shell.show()
    shell.show_page(Page.VISITS)
    page = shell.page_widgets[Page.VISITS]
    settle(400)
    shot(shell, "20-visits-empty")

    media_dir = home / "card" / "DCIM" / "100CANON"
    media_dir.mkdir(parents=True)
    files = [mf.save_jpeg(media_dir / f"IMG_{n:04d}.JPG", mf.photo(1200, 900, seed=n),
                          taken=f"2024:05:01 10:00:{n:02d}") for n in range(14)]
    dark = media_dir / "IMG_0099.JPG"
    from PIL import Image

    Image.new("RGB", (1200, 900), (5, 5, 8)).save(dark, "JPEG")
    (media_dir / "IMG_0100.JPG").write_text("không phải ảnh")
    for n, (contact, village, martyr) in enumerate([
            ("Nguyễn Thị Mai", "Thôn Đông", "Nguyễn Văn Hùng"),
            ("Lê Văn Bảy", "Tổ dân phố 5", "Lê Văn Tám"),
            ("Phạm Thị Hoa", "Xóm Chùa", "Phạm Quang Đức")]):
        visit_id = visits.create_visit(vault, visits.Household(1, 4, village=village,
                                                               contact_name=contact))
        visits.add(vault, visit_id, visits.MartyrData(
            martyr, birth_year=1948 + n, home_town="Hà Nội", unit="Trung đoàn 9, Sư đoàn 304",
            death_date="1968-03", death_place="Quảng Trị"))
        if n == 0:
            first_visit = visit_id
            visits.add(vault, visit_id, visits.PersonData(visits.PersonKind.RELATIVE,
                                                          "Nguyễn Thị Mai",
                                                          relationship="em gái"))
            item = visits.add(vault, visit_id, visits.ItemData(
                visits.ItemKind.DIARY, title="Nhật ký chiến trường 1967–1968",
                description="Sổ bìa xanh, 48 trang, chữ viết tay bằng mực tím.",
                owner="Nguyễn Thị Mai", condition="Ố vàng, rách gáy"))
            importer.import_files(vault, item, [*files, dark])
            visits.add(vault, visit_id, visits.LeadData(
                "Ông Bảy kể: chôn cạnh gốc đa lớn, cách bờ suối chừng 200 mét về phía đông.",
                grid_reference="XD 123 456", source_kind="testimony",
                source_ref="bản ghi 1, phút 14"))
    page.refresh()
    wait_until(lambda: page.table.rowCount() == 3)
    shot(shell, "21-visits-list")
    page.search_box.setText("nguyen van hung")
    wait_until(lambda: page.results.count() > 0)
    shot(shell, "22-visits-search")
    page.search_box.clear()
    page.open_visit(first_visit)
    editor = page.editor
    wait_until(lambda: editor.record is not None)
    shot(shell, "23-editor-household")
    editor.tabs.setCurrentWidget(editor.martyrs)
    shot(shell, "24-editor-martyrs")
    editor.tabs.setCurrentWidget(editor.people)
    shot(shell, "25-editor-people")
    editor.tabs.setCurrentWidget(editor.items)
    pages = editor.pages
    wait_until(lambda: pages.item is not None and pages.model.rowCount() == 15)
    wait_until(lambda: pages.loader.pending() == 0)
    settle(500)
    shot(shell, "26-editor-items-gallery")
    reports: list = []
    pages.show_report = reports.append
    more = [mf.save_camera_jpeg(home / f"more_{n}.jpg", mf.photo(4000, 3000, seed=50 + n))
            for n in range(6)]  # as a phone makes them: with their EXIF thumbnail
    pages.import_paths([*more, media_dir / "IMG_0100.JPG", files[0]])
    wait_until(lambda: pages.import_panel.bar.value() >= 1)
    shot(shell, "27-import-progress")
    wait_until(lambda: bool(reports))
    dialog = ImportReportDialog(reports[0], shell)
    dialog.show()
    shot(dialog, "28-import-report")
    dialog.close()
    wait_until(lambda: pages.model.rowCount() == 21 and pages.loader.pending() == 0)
    pages.gallery.scrollToBottom()
    settle(300)
    shot(shell, "28b-gallery-camera-thumbnails")  # the cameras' own, until the pass is done
    wait_until(lambda: not pages.import_panel.previews.running)
    wait_until(lambda: pages.loader.pending() == 0)
    settle(300)
    shot(shell, "28c-gallery-own-thumbnails")
    editor.tabs.setCurrentWidget(editor.leads)
    shot(shell, "29-editor-leads")
    editor.tabs.setCurrentWidget(editor.testimony)
    shot(shell, "30-editor-testimony")
    editor.tabs.setCurrentWidget(editor.items)
    viewer = pages.open_viewer(pages.model.pages[0].id)
    assert viewer is not None
    wait_until(lambda: viewer.picture.pixmap() is not None
               and not viewer.picture.pixmap().isNull())
    shot(viewer, "31-viewer")
    viewer.close()
    from ui.dialogs.importing import CameraDialog

    camera = CameraDialog(shell)
    camera.show()
    shot(camera, "32-no-camera")
    camera.close()
    shell.close()
    vault.lock()
    return 0


if __name__ == "__main__":
    sys.exit(main())
