"""`sohoa import PATH --visit ID` as a scripted import runs it: a per-file report in Vietnamese,
exit 1 when a file failed, the photos in the visit afterwards."""

from __future__ import annotations

from capture import visits
from capture.vault import Vault
from tests.capture import mediafiles as mf
from tests.conftest import VOLUNTEER_PASS
from tests.ui.test_cli import _sohoa


def test_sohoa_import_reports_each_file_and_fills_the_visit(volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id = visits.create_visit(volunteer, visits.Household(1, 4, contact_name="Bà Lan"))
    path = volunteer.path
    volunteer.lock()
    card = tmp_path / "card" / "DCIM" / "100CANON"
    card.mkdir(parents=True)
    mf.save_jpeg(card / "IMG_0001.JPG", taken="2025:01:01 08:00:00")
    mf.save_camera_jpeg(card / "IMG_0002.JPG", mf.photo(seed=5), taken="2025:01:01 09:00:00")
    (card / "IMG_0003.JPG").write_text("không phải ảnh")
    args = ("import", str(tmp_path / "card"), "--visit", visit_id, "--new-item", "letter",
            "--title", "Thư gửi mẹ", "--vault", str(path), "--user", "lan",
            "--passphrase-stdin")
    run = _sohoa(*args, stdin=VOLUNTEER_PASS + "\n")
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("Hiện vật mới: ")
    assert "[1/3] đã nhập: " in lines[1] and lines[1].endswith("IMG_0001.JPG")
    assert "[3/3] không nhập được: " in lines[3]
    assert "không phải là ảnh hay video" in lines[3]
    # Then what the app's after-import pass does: previews, the camera photo's own thumbnail.
    assert lines[4].startswith("Đang làm ảnh thu nhỏ và ảnh xem trước cho 2 ảnh")
    assert "Đã nhập 2 tệp" in lines[-1] and "1 tệp không nhập được" in lines[-1]
    again = _sohoa(*args[:4], "--vault", str(path), "--user", "lan", "--passphrase-stdin",
                   stdin=VOLUNTEER_PASS + "\n")  # the visit's only item is used
    assert "đã có từ trước" in again.stdout
    vault = Vault(path).unlock("lan", VOLUNTEER_PASS)
    try:
        record = visits.load_visit(vault, visit_id)
    finally:
        vault.lock()
    assert [(i.data.kind, i.data.title, len(i.pages)) for i in record.items] == [
        ("letter", "Thư gửi mẹ", 2)]
    for page in record.items[0].pages:
        assert page.preview_object is not None and "quality" in page.meta
        assert "thumbnail" not in page.meta
