"""Importing photos: exact camera details out, originals back bit-exact, oriented thumbnails,
duplicates told, and every kind of bad file failing alone, leaving nothing behind."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from capture import importer, media, visits
from capture.errors import DiskFull
from capture.importer import (
    DUPLICATE,
    FAILED,
    IMPORTED,
    DamagedPhoto,
    EmptyFile,
    ExifUnreadable,
    FileUnreadable,
    FileVanished,
    NotMedia,
    PhotoTooLarge,
    find_media,
    import_files,
)
from capture.models import ObjectRow, Page
from capture.vault import Vault
from tests.capture import mediafiles as mf


def new_item(vault, kind=visits.ItemKind.DIARY, title="Nhật ký"):
    visit_id = visits.create_visit(vault, visits.Household(1, 4, contact_name="Bà Lan"))
    return visit_id, visits.add(vault, visit_id, visits.ItemData(kind, title=title))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_bytes(vault, name: str) -> bytes:
    return b"".join(vault.read_object(name))


def page_of(vault, page_id: str) -> Page:
    with vault.reading() as session:
        return session.get(Page, page_id)


def assert_nothing_partial(vault) -> None:
    """No half-written file, no object file without its row, no row without its file, and
    every page's objects present."""
    assert list(vault.objects.incoming.iterdir()) == []
    with vault.reading() as session:
        rows = set(session.scalars(select(ObjectRow.name)))
        pages = list(session.scalars(select(Page)))
    assert set(vault.objects.names_on_disk()) == rows
    for page in pages:
        for name in filter(None, (page.object_name, page.thumbnail_object, page.preview_object)):
            assert name in rows


def object_count(vault) -> int:
    with vault.reading() as session:
        return session.scalar(select(func.count()).select_from(ObjectRow))


@pytest.mark.parametrize(("latitude", "longitude", "altitude"), [
    (21.0285, 105.8542, 12.25),  # N, E, above sea level (Hà Nội)
    (-33.8688, 151.2093, -3.5),  # S, E, below sea level
    (16.4637, -107.5909, 480.0),  # N, W
    (-10.51, -106.0, 0.0),  # S, W
])
def test_exif_values_come_out_exactly_and_the_original_comes_back_bit_exact(
        volunteer, tmp_path, latitude, longitude, altitude):
    _, item = new_item(volunteer)
    path = mf.save_jpeg(tmp_path / "IMG_0001.JPG", make="Apple", model="iPhone 12",
                        taken="2025:07:27 08:30:05", latitude=latitude, longitude=longitude,
                        altitude=altitude)
    report = import_files(volunteer, item, [path])
    outcome, = report.outcomes
    assert outcome.status == IMPORTED and outcome.error is None and outcome.media == "photo"
    page = page_of(volunteer, outcome.page_id)
    import json
    meta = json.loads(page.meta)
    assert meta["camera_make"] == "Apple" and meta["camera_model"] == "iPhone 12"
    assert meta["taken_at"] == "2025-07-27T08:30:05"
    assert meta["latitude"] == pytest.approx(latitude, abs=1e-6)
    assert meta["longitude"] == pytest.approx(longitude, abs=1e-6)
    assert meta["altitude"] == pytest.approx(altitude, abs=0.01)
    assert (meta["width"], meta["height"]) == (400, 300)
    assert page.original_filename == "IMG_0001.JPG"
    assert sha(stored_bytes(volunteer, page.object_name)) == sha(path.read_bytes())
    with media.original_stream(volunteer, outcome.page_id) as stream:
        assert sha(stream.read()) == sha(path.read_bytes())
    assert report.imported == 1 and report.bytes_imported == path.stat().st_size


@pytest.mark.parametrize("orientation", range(1, 9))
def test_thumbnails_and_previews_are_turned_upright_and_the_original_is_not(
        volunteer, tmp_path, orientation):
    _, item = new_item(volunteer)
    stored = mf.stored_for_orientation(orientation)
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, "JPEG", quality=95, exif=mf.exif(orientation=orientation).tobytes())
    outcome, = import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED
    for picture in (media.thumbnail_bytes(volunteer, outcome.page_id),
                    media.preview_bytes(volunteer, outcome.page_id)):
        image = Image.open(io.BytesIO(picture)).convert("RGB")
        width, height = image.size
        assert width == 2 * height  # upright is wide
        for corner, (x, y) in {"top_left": (0.25, 0.25), "top_right": (0.75, 0.25),
                               "bottom_left": (0.25, 0.75),
                               "bottom_right": (0.75, 0.75)}.items():
            pixel = image.getpixel((int(width * x), int(height * y)))
            expected = mf.UPRIGHT_COLOURS[corner]
            assert all(abs(a - b) < 40 for a, b in zip(pixel, expected, strict=True)), corner
    # the original is untouched: same bytes, still stored sideways
    original = stored_bytes(volunteer, page_of(volunteer, outcome.page_id).object_name)
    assert original == path.read_bytes()
    assert Image.open(io.BytesIO(original)).size == stored.size


def test_heic_png_tiff_and_webp_are_imported_with_their_details(volunteer, tmp_path):
    _, item = new_item(volunteer)
    heic = mf.save_heic(tmp_path / "IMG_5000.HEIC", make="Apple", model="iPhone 15",
                        latitude=10.7769, longitude=106.7009, altitude=-2.0)
    png = tmp_path / "scan.png"
    mf.photo(seed=2).save(png)
    tiff = tmp_path / "map.tif"
    mf.photo(seed=3).save(tiff)
    webp = tmp_path / "letter.webp"
    mf.photo(seed=4).save(webp, quality=80)
    report = import_files(volunteer, item, [heic, png, tiff, webp])
    assert [o.status for o in report.outcomes] == [IMPORTED] * 4, report.outcomes
    import json
    metas = [json.loads(page_of(volunteer, o.page_id).meta) for o in report.outcomes]
    assert metas[0]["camera_model"] == "iPhone 15"
    assert metas[0]["latitude"] == pytest.approx(10.7769, abs=1e-6)
    assert metas[0]["longitude"] == pytest.approx(106.7009, abs=1e-6)
    assert metas[0]["altitude"] == pytest.approx(-2.0)
    assert [m["media_type"] for m in metas] == ["image/heic", "image/png", "image/tiff",
                                                 "image/webp"]
    for outcome, path in zip(report.outcomes, [heic, png, tiff, webp], strict=True):
        page = page_of(volunteer, outcome.page_id)
        assert stored_bytes(volunteer, page.object_name) == path.read_bytes()
        thumb = Image.open(io.BytesIO(media.thumbnail_bytes(volunteer, outcome.page_id)))
        assert thumb.format == "JPEG" and max(thumb.size) == 256
    assert_nothing_partial(volunteer)


def test_the_same_photo_twice_is_stored_once_and_the_user_is_told(volunteer, tmp_path):
    visit_id, item = new_item(volunteer)
    path = mf.save_jpeg(tmp_path / "a.jpg")
    copy = tmp_path / "copy of a.jpg"
    shutil.copy(path, copy)
    first = import_files(volunteer, item, [path]).outcomes[0]
    objects = object_count(volunteer)
    again = import_files(volunteer, item, [copy, path]).outcomes
    assert [o.status for o in again] == [DUPLICATE, DUPLICATE]
    assert all(o.page_id == first.page_id for o in again)
    assert object_count(volunteer) == objects
    assert len(visits.load_visit(volunteer, visit_id).items[0].pages) == 1
    # another item may show the same photo: a new page, the same stored object
    other = visits.add(volunteer, visit_id, visits.ItemData(visits.ItemKind.LETTER))
    elsewhere, = import_files(volunteer, other, [path]).outcomes
    assert elsewhere.status == IMPORTED and elsewhere.already_in_vault
    assert object_count(volunteer) == objects
    assert_nothing_partial(volunteer)


def test_bad_files_each_fail_alone_with_their_own_reason_and_leave_nothing(
        volunteer, tmp_path, make_vault):
    _, item = new_item(volunteer)
    good_first = mf.save_jpeg(tmp_path / "01 good.jpg", mf.photo(seed=1))
    empty = tmp_path / "02 empty.jpg"
    empty.write_bytes(b"")
    whole = mf.save_jpeg(tmp_path / "whole.jpg", mf.photo(800, 600, seed=2))
    truncated = tmp_path / "03 truncated.jpg"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    text = tmp_path / "04 notes.jpg"
    text.write_text("Không phải ảnh, chỉ là ghi chú.\n" * 20, encoding="utf-8")
    bomb_png = mf.bomb_png(tmp_path / "05 bomb.png")
    bomb_jpeg = mf.bomb_jpeg(tmp_path / "06 bomb.jpg")
    corrupt_exif = mf.corrupt_exif_jpeg(tmp_path / "07 corrupt exif.jpg")
    # Tests run as root, so chmod 000 would still be readable: a folder named like a photo and
    # a FIFO are the honest unreadable "files" (open() fails or it is no regular file).
    folder = tmp_path / "08 folder.jpg"
    folder.mkdir()
    fifo = tmp_path / "09 pipe.jpg"
    os.mkfifo(fifo)
    vanished = mf.save_jpeg(tmp_path / "10 vanished.jpg", mf.photo(seed=3))
    good_last = mf.save_jpeg(tmp_path / "11 good.jpg", mf.photo(seed=4))
    files = find_media([tmp_path])
    assert folder not in files  # a folder is searched, not listed...
    files = [good_first, empty, truncated, text, bomb_png, bomb_jpeg, corrupt_exif, folder,
             fifo, vanished, good_last]
    vanished.unlink()  # between finding and importing (a card pulled out)
    seen = []
    report = import_files(volunteer, item, files,
                          progress=lambda done, total, outcome: seen.append((done, total)))
    by_name = {Path(o.path).name: o for o in report.outcomes}
    expected = {"02 empty.jpg": EmptyFile, "03 truncated.jpg": DamagedPhoto,
                "04 notes.jpg": NotMedia, "05 bomb.png": PhotoTooLarge,
                "06 bomb.jpg": PhotoTooLarge, "08 folder.jpg": FileUnreadable,
                "09 pipe.jpg": FileUnreadable, "10 vanished.jpg": FileVanished}
    for name, error in expected.items():
        assert by_name[name].status == FAILED, name
        assert type(by_name[name].error) is error, (name, by_name[name].error)
        assert by_name[name].page_id is None
        assert name in str(by_name[name].error)  # the message names the file
    assert "30000×30000" in str(by_name["05 bomb.png"].error)
    for name in ("01 good.jpg", "11 good.jpg"):
        assert by_name[name].status == IMPORTED
    damaged_exif = by_name["07 corrupt exif.jpg"]
    assert damaged_exif.status == IMPORTED and isinstance(damaged_exif.warning, ExifUnreadable)
    assert seen == [(i, len(files)) for i in range(1, len(files) + 1)]
    assert report.imported == 3 and report.failed == 8
    # original and thumbnail each: a JPEG's preview is made when it is first viewed
    assert object_count(volunteer) == 3 * 2
    assert_nothing_partial(volunteer)
    _full_check_as_admin(volunteer)


def _full_check_as_admin(volunteer) -> None:
    """The vault check (an admin's action) passes. Opening runs the orphan sweep, so callers
    check assert_nothing_partial first."""
    from capture.check import check_vault

    path = volunteer.path
    volunteer.lock()
    admin = Vault(path).unlock("admin", "mật khẩu quản trị")
    try:
        assert admin.open_report.orphans_removed == 0
        assert admin.open_report.partial_writes_removed == 0
        report = check_vault(admin)
        assert report.ok, report.problems
    finally:
        admin.lock()


class CancelAfter(threading.Event):
    """An Event that reads as set after it has been asked ``n`` times: cancels in the middle of
    a file's chunks, deterministically."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self._left = n
        self._lock = threading.Lock()

    def is_set(self) -> bool:
        with self._lock:
            self._left -= 1
            return self._left < 0 or super().is_set()


def test_cancel_between_files_stops_and_keeps_what_was_done(volunteer, tmp_path):
    _, item = new_item(volunteer)
    files = [mf.save_jpeg(tmp_path / f"{i}.jpg", mf.photo(seed=i)) for i in range(6)]
    cancel = threading.Event()

    def progress(done, total, outcome):
        if done == 2:
            cancel.set()

    report = import_files(volunteer, item, files, progress=progress, cancel=cancel)
    statuses = [o.status for o in report.outcomes]
    assert statuses[:2] == [IMPORTED, IMPORTED]
    assert set(statuses[2:]) == {"cancelled"} and len(statuses) == 6
    assert object_count(volunteer) == 2 * 2  # original and thumbnail each
    assert_nothing_partial(volunteer)


def test_cancel_in_the_middle_of_a_big_file_leaves_nothing_of_it(volunteer, tmp_path):
    _, item = new_item(volunteer)
    big = tmp_path / "big.jpg"
    mf.photo(3000, 2000, seed=9).save(big, "JPEG", quality=100)
    assert big.stat().st_size > 3 * 1024 * 1024  # several chunks
    report = import_files(volunteer, item, [big], cancel=CancelAfter(2))
    assert [o.status for o in report.outcomes] == ["cancelled"]
    assert object_count(volunteer) == 0
    assert_nothing_partial(volunteer)


def _written_at(path: Path, when: str) -> Path:
    from datetime import datetime

    stamp = datetime.fromisoformat(when).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_find_media_finds_a_cards_media_folders_skips_hidden_files_and_sorts_by_file_time(
        tmp_path):
    card = tmp_path / "card"
    camera = card / "DCIM" / "100CANON"
    camera.mkdir(parents=True)
    late = _written_at(mf.save_jpeg(camera / "IMG_0001.JPG"), "2025-01-02T09:00:00")
    _written_at(mf.save_jpeg(camera / "IMG_0002.JPG"), "2024-12-31T23:59:00")
    _written_at(mf.mp4(camera / "MVI_0003.MP4"), "2025-01-03T08:00:00")
    (camera / ".hidden.jpg").write_bytes(late.read_bytes())
    (camera / "._IMG_0001.JPG").write_bytes(b"AppleDouble")
    (camera / "Thumbs.db").write_bytes(b"x")
    (camera / "notes.txt").write_text("x")
    (card / "MISC").mkdir()
    mf.save_jpeg(card / "MISC" / "not from the camera.jpg")  # not a media folder
    phone = tmp_path / "phone" / "Internal storage"
    (phone / "DCIM" / "Camera").mkdir(parents=True)
    _written_at(mf.save_jpeg(phone / "DCIM" / "Camera" / "IMG_20250101.jpg"),
                "2025-01-01T12:00:00")
    # what a family's phone holds beside the camera roll: chat apps' and downloaded photos
    for folder, name, when in (("Zalo", "zalo_ong.jpg", "2025-01-01T13:00:00"),
                               ("Download", "giay_bao_tu.jpg", "2025-01-01T14:00:00"),
                               ("Pictures/Messenger", "thu.jpg", "2025-01-01T15:00:00"),
                               ("Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images",
                                "IMG-WA0001.jpg", "2025-01-01T16:00:00")):
        (phone / folder).mkdir(parents=True)
        _written_at(mf.save_jpeg(phone / folder / name), when)
    (phone / "Android" / "data" / "com.app" / "cache").mkdir(parents=True)
    mf.save_jpeg(phone / "Android" / "data" / "com.app" / "cache" / "ad.jpg")  # an app's cache
    found = find_media([card, tmp_path / "phone"])
    assert [p.name for p in found] == ["IMG_0002.JPG", "IMG_20250101.jpg", "zalo_ong.jpg",
                                       "giay_bao_tu.jpg", "thu.jpg", "IMG-WA0001.jpg",
                                       "IMG_0001.JPG", "MVI_0003.MP4"]
    # a plain folder is searched whole; a picked file is kept whatever its name
    assert set(find_media([card / "MISC", card / "DCIM" / "100CANON" / "notes.txt"])) == {
        card / "DCIM" / "100CANON" / "notes.txt", card / "MISC" / "not from the camera.jpg"}
    assert isinstance(importer.find_removable_drives(), list)


def test_find_media_stops_when_cancelled_without_opening_the_photos(tmp_path, monkeypatch):
    folder = tmp_path / "DCIM"
    folder.mkdir()
    for index in range(5):
        mf.save_jpeg(folder / f"IMG_{index}.JPG")
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a[0]) or real_open(*a, **k))
    assert len(find_media([tmp_path])) == 5
    assert opened == []  # sorted by file time: no photo read to find its EXIF time
    stop = threading.Event()
    stop.set()
    with pytest.raises(importer.FindCancelled):
        find_media([tmp_path], cancel=stop)


def test_quality_hints_flag_blurred_dark_and_overexposed_photos(volunteer, tmp_path):
    from PIL import ImageFilter

    _, item = new_item(volunteer)
    sharp = mf.save_jpeg(tmp_path / "sharp.jpg", mf.photo(800, 600, seed=1))
    blurred = mf.save_jpeg(tmp_path / "blurred.jpg",
                           mf.photo(800, 600, seed=1).filter(ImageFilter.GaussianBlur(8)))
    dark = mf.save_jpeg(tmp_path / "dark.jpg", mf.photo(800, 600, seed=2).point(
        lambda v: v // 8))
    bright = mf.save_jpeg(tmp_path / "bright.jpg", mf.photo(800, 600, seed=3).point(
        lambda v: min(255, v * 3)))
    report = import_files(volunteer, item, [sharp, blurred, dark, bright])
    import json
    hints = [json.loads(page_of(volunteer, o.page_id).meta)["quality"] for o in report.outcomes]
    flags = [{k for k in ("blurred", "too_dark", "overexposed") if h[k]} for h in hints]
    assert flags[0] == set()
    assert "blurred" in flags[1]
    assert "too_dark" in flags[2]
    assert "overexposed" in flags[3]


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                            capture_output=True)
    return result.returncode == 0


@pytest.mark.slow
def test_a_full_disk_fails_the_file_that_did_not_fit_and_keeps_the_rest(tmp_path, fast_kdf):
    from capture import accounts
    from capture.roles import Role
    from capture.vault import NewUser, StationSetup

    small = tmp_path / "small-disk"
    if not _mount_tmpfs(small, "8M"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        # Other files on the same small disk, which the volunteer can delete to make room.
        ballast = small / "other-files.bin"
        ballast.write_bytes(b"\0" * 768 * 1024)
        admin, _ = Vault.create(small / "vault", StationSetup("Trạm", 1, 4),
                                NewUser("admin", "Quản trị", "mật khẩu quản trị", Role.ADMIN),
                                kdf=fast_kdf)
        accounts.create_user(admin, NewUser("lan", "Lan", "tạm thời 12345", Role.VOLUNTEER))
        admin.lock()
        vault = Vault(small / "vault").unlock("lan", "tạm thời 12345")
        vault.set_new_passphrase("mật khẩu của Lan")
        _, item = new_item(vault)
        files = []
        for index in range(8):
            path = tmp_path / f"photo{index}.jpg"
            mf.photo(1600, 1200, seed=index).save(path, "JPEG", quality=95)
            files.append(path)
        size = files[0].stat().st_size
        assert 1_000_000 < size < 2_500_000
        report = import_files(vault, item, files)
        statuses = [o.status for o in report.outcomes]
        assert IMPORTED in statuses and FAILED in statuses, statuses
        first_failure = statuses.index(FAILED)
        assert isinstance(report.outcomes[first_failure].error, DiskFull)
        assert all(s == IMPORTED for s in statuses[:first_failure])
        assert_nothing_partial(vault)
        for outcome, path in zip(report.outcomes, files, strict=True):
            if outcome.status == IMPORTED:
                page = page_of(vault, outcome.page_id)
                assert stored_bytes(vault, page.object_name) == path.read_bytes()
        # "Free some space and try again": with room made, the vault opens and checks clean.
        ballast.unlink()
        _full_check_as_admin(vault)
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)
