"""A JPEG's preview made when it is first viewed (or by the idle pass), photos taken with the
camera imported from memory like files, and decoder processes that die being replaced."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import threading

from PIL import Image

from capture import importer, media, pictures
from capture.importer import DUPLICATE, FAILED, IMPORTED, EmptyFile, NotMedia
from capture.models import ObjectRow, Page
from tests.capture import mediafiles as mf
from tests.capture.test_import import assert_nothing_partial, new_item, page_of, stored_bytes


def _jpeg_bytes(image: Image.Image, **exif_fields: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=mf.exif(**exif_fields).tobytes())
    return out.getvalue()


def test_a_jpeg_preview_is_made_on_first_view_kept_and_then_only_decrypted(volunteer, tmp_path):
    _, item = new_item(volunteer)
    jpeg = mf.save_jpeg(tmp_path / "IMG_0001.JPG", mf.photo(3200, 2400, seed=1), orientation=6)
    png = tmp_path / "scan.png"
    mf.photo(seed=2).save(png)
    report = importer.import_files(volunteer, item, [jpeg, png])
    photo_page, png_page = report.page_ids
    # At import: the thumbnail (upright: orientation 6 turns 3200×2400 into a portrait) and the
    # hints; the JPEG's preview not yet, the PNG's (decoded in full anyway) already.
    assert page_of(volunteer, photo_page).preview_object is None
    assert page_of(volunteer, png_page).preview_object is not None
    thumb = Image.open(io.BytesIO(media.thumbnail_bytes(volunteer, photo_page)))
    assert thumb.size == (192, 256)
    assert set(json.loads(page_of(volunteer, photo_page).meta)["quality"]) >= {
        "blurred", "too_dark", "overexposed"}
    assert media.pages_without_preview(volunteer, item) == [photo_page]
    assert not media.has_preview(volunteer, photo_page)

    first = media.preview_bytes(volunteer, photo_page)
    preview = Image.open(io.BytesIO(first))
    assert preview.format == "JPEG" and preview.size == (1200, 1600)  # 1/2 scale, upright
    kept = page_of(volunteer, photo_page).preview_object
    assert kept is not None and media.has_preview(volunteer, photo_page)
    with volunteer.reading() as session:
        assert session.get(ObjectRow, kept).label == "preview of IMG_0001.JPG"
    assert media.preview_bytes(volunteer, photo_page) == first
    assert media.pages_without_preview(volunteer) == []
    assert stored_bytes(volunteer, page_of(volunteer, photo_page).object_name) == (
        jpeg.read_bytes())
    assert_nothing_partial(volunteer)


def test_the_idle_pass_makes_the_missing_previews_and_stops_when_told(volunteer, tmp_path):
    _, item = new_item(volunteer)
    files = [mf.save_jpeg(tmp_path / f"{n}.jpg", mf.photo(1200, 900, seed=n)) for n in range(4)]
    pages = importer.import_files(volunteer, item, files).page_ids
    stop = threading.Event()
    stop.set()
    assert media.make_missing_previews(volunteer, cancel=stop) == 0
    assert media.make_missing_previews(volunteer, busy=lambda: True) == 0
    made = []

    def busy() -> bool:  # the station turns busy after two previews
        made.append(1)
        return len(made) > 2

    assert media.make_missing_previews(volunteer, busy=busy) == 2
    assert media.pages_without_preview(volunteer, item) == pages[2:]
    assert media.make_missing_previews(volunteer) == 2
    assert media.pages_without_preview(volunteer) == []
    for page_id in pages:
        assert Image.open(io.BytesIO(media.preview_bytes(volunteer, page_id))).size == (
            1200, 900)
    assert_nothing_partial(volunteer)


def test_a_camera_photo_from_memory_gets_thumbnail_details_hints_and_dedupe(volunteer):
    _visit_id, item = new_item(volunteer)
    data = _jpeg_bytes(mf.photo(1600, 1200, seed=5), make="Logitech", model="BRIO",
                       taken="2026:11:22 09:15:00", orientation=1)
    outcome = importer.import_bytes(volunteer, item, data, "camera-20261122-091500.jpg")
    assert outcome.status == IMPORTED and outcome.error is None
    assert outcome.path == "camera-20261122-091500.jpg" and outcome.size == len(data)
    page = page_of(volunteer, outcome.page_id)
    meta = json.loads(page.meta)
    assert (meta["camera_make"], meta["camera_model"]) == ("Logitech", "BRIO")
    assert meta["taken_at"] == "2026-11-22T09:15:00"
    assert (meta["width"], meta["height"]) == (1600, 1200)
    assert meta["quality"]["blurred"] is False
    assert page.original_filename == "camera-20261122-091500.jpg"
    assert stored_bytes(volunteer, page.object_name) == data
    assert Image.open(io.BytesIO(media.thumbnail_bytes(volunteer, page.id))).size == (256, 192)
    assert Image.open(io.BytesIO(media.preview_bytes(volunteer, page.id))).size == (1600, 1200)

    again = importer.import_bytes(volunteer, item, data, "camera-20261122-091501.jpg")
    assert again.status == DUPLICATE and again.page_id == outcome.page_id

    empty = importer.import_bytes(volunteer, item, b"", "camera-empty.jpg")
    assert empty.status == FAILED and isinstance(empty.error, EmptyFile)
    garbage = importer.import_bytes(volunteer, item, b"not a photo" * 50, "camera-x.jpg")
    assert garbage.status == FAILED and isinstance(garbage.error, NotMedia)
    assert "camera-x.jpg" in str(garbage.error)
    truncated = importer.import_bytes(volunteer, item, data[: len(data) // 3], "camera-t.jpg")
    assert truncated.status == FAILED and type(truncated.error) is importer.DamagedPhoto
    with volunteer.reading() as session:
        assert session.query(Page).count() == 1
    assert_nothing_partial(volunteer)


def test_a_decoder_process_that_dies_is_replaced_and_the_import_goes_on(volunteer, tmp_path):
    _, item = new_item(volunteer)
    first = mf.save_jpeg(tmp_path / "a.jpg", mf.photo(seed=1))
    assert importer.import_files(volunteer, item, [first]).imported == 1
    pool = pictures._decoder_pool()
    for process in list(pool._processes.values()):  # what the OOM killer or a codec crash does
        # Once one dies the executor ends the others itself: one may be gone already.
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.join(10)
    files = [mf.save_jpeg(tmp_path / f"{n}.jpg", mf.photo(seed=10 + n)) for n in range(3)]
    report = importer.import_files(volunteer, item, files)
    assert [o.status for o in report.outcomes] == [IMPORTED] * 3
    assert pictures._decoder_pool() is not pool
    assert_nothing_partial(volunteer)
