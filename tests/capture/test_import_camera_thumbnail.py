"""A camera JPEG (one with the small thumbnail cameras and phones put in its EXIF) is not decoded
at import: the camera's thumbnail stands in, the photo is still checked whole, and its own
thumbnail and quality hints come with its preview, from one decode, after the import."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from capture import importer, media
from capture.importer import FAILED, IMPORTED, DamagedPhoto, PhotoTooLarge
from capture.models import ObjectRow
from tests.capture import mediafiles as mf
from tests.capture.test_import import (
    _full_check_as_admin,
    assert_nothing_partial,
    new_item,
    page_of,
    sha,
    stored_bytes,
)


def _meta(vault, page_id: str) -> dict:
    return json.loads(page_of(vault, page_id).meta)


def _thumbnail(vault, page_id: str) -> Image.Image:
    return Image.open(io.BytesIO(media.thumbnail_bytes(vault, page_id)))


def _has_row(vault, name: str) -> bool:
    with vault.reading() as session:
        return session.get(ObjectRow, name) is not None


def test_a_camera_jpeg_shows_the_camera_thumbnail_then_gets_its_own_from_the_preview_decode(
        volunteer, tmp_path):
    _, item = new_item(volunteer)
    # Stored sideways (orientation 6): upright it is a 2400×3200 portrait.
    path = mf.save_camera_jpeg(tmp_path / "IMG_0001.JPG", mf.photo(3200, 2400, seed=1),
                               make="Apple", model="iPhone 12", taken="2025:07:27 08:30:05",
                               latitude=16.4637, longitude=-107.5909, altitude=12.5,
                               orientation=6)
    outcome, = importer.import_files(volunteer, item, [path]).outcomes
    assert outcome.status == IMPORTED and outcome.error is None
    page_id = outcome.page_id
    meta = _meta(volunteer, page_id)
    assert meta["thumbnail"] == "camera" and "quality" not in meta
    assert meta["camera_make"] == "Apple" and meta["taken_at"] == "2025-07-27T08:30:05"
    assert meta["latitude"] == pytest.approx(16.4637, abs=1e-6)
    assert meta["longitude"] == pytest.approx(-107.5909, abs=1e-6)
    assert meta["altitude"] == pytest.approx(12.5, abs=0.01)
    assert (meta["width"], meta["height"], meta["orientation"]) == (3200, 2400, 6)
    stand_in = page_of(volunteer, page_id).thumbnail_object
    assert _thumbnail(volunteer, page_id).size == (120, 160)  # the camera's 160 px, upright
    assert sha(stored_bytes(volunteer, page_of(volunteer, page_id).object_name)) == sha(
        path.read_bytes())
    assert media.pages_without_preview(volunteer, item) == [page_id]

    assert media.make_missing_previews(volunteer) == 1
    page = page_of(volunteer, page_id)
    meta = _meta(volunteer, page_id)
    assert "thumbnail" not in meta
    assert set(meta["quality"]) >= {"blurred", "too_dark", "overexposed"}
    assert meta["quality"]["blurred"] is False
    assert meta["latitude"] == pytest.approx(16.4637, abs=1e-6)  # the rest of the meta stays
    assert page.thumbnail_object != stand_in
    assert _thumbnail(volunteer, page_id).size == (192, 256)  # its own, upright
    preview = Image.open(io.BytesIO(media.preview_bytes(volunteer, page_id)))
    assert preview.size == (1200, 1600)
    # The stand-in is gone: its row (with an audit event) and its file.
    assert not _has_row(volunteer, stand_in)
    assert stand_in not in set(volunteer.objects.names_on_disk())
    assert_nothing_partial(volunteer)
    _full_check_as_admin(volunteer)


def test_the_first_view_also_replaces_the_stand_in_and_a_shared_stand_in_stays_while_used(
        volunteer, tmp_path):
    _, first_item = new_item(volunteer)
    _, second_item = new_item(volunteer, title="Thư")
    path = mf.save_camera_jpeg(tmp_path / "DSC_0001.JPG", mf.photo(1600, 1200, seed=2))
    first, = importer.import_files(volunteer, first_item, [path]).page_ids
    second, = importer.import_files(volunteer, second_item, [path]).page_ids
    stand_in = page_of(volunteer, first).thumbnail_object
    assert page_of(volunteer, second).thumbnail_object == stand_in  # stored once

    media.preview_bytes(volunteer, first)  # the viewer opening the first page
    assert "quality" in _meta(volunteer, first)
    assert page_of(volunteer, first).thumbnail_object != stand_in
    assert _has_row(volunteer, stand_in)  # the second page still shows it
    assert _thumbnail(volunteer, second).size == (160, 120)

    assert media.make_missing_previews(volunteer) == 1
    assert page_of(volunteer, second).thumbnail_object == page_of(volunteer,
                                                                  first).thumbnail_object
    assert not _has_row(volunteer, stand_in)
    assert_nothing_partial(volunteer)


def _bomb(source: Path, target: Path, *, thumbnail: bool = False) -> Path:
    """The camera JPEG with its frame header (or its EXIF thumbnail's, which comes first)
    claiming 30000×30000 pixels."""
    data = bytearray(source.read_bytes())
    sof = data.index(b"\xff\xc0") if thumbnail else data.rindex(b"\xff\xc0")
    data[sof + 5:sof + 9] = (30000).to_bytes(2, "big") + (30000).to_bytes(2, "big")
    target.write_bytes(bytes(data))
    return target


def _broken_thumbnail(source: Path, target: Path) -> Path:
    """The camera JPEG with the middle of its EXIF thumbnail overwritten."""
    data = bytearray(source.read_bytes())
    start = data.index(b"\xff\xd8", 2)  # the thumbnail's own start, inside APP1
    data[start + 40:start + 400] = b"\x00" * 360
    target.write_bytes(bytes(data))
    return target


def test_camera_jpegs_are_still_checked_whole_and_a_useless_camera_thumbnail_is_not_used(
        volunteer, tmp_path):
    _, item = new_item(volunteer)
    whole = mf.save_camera_jpeg(tmp_path / "whole.jpg", mf.photo(800, 600, seed=3))
    truncated = tmp_path / "01 truncated.jpg"
    truncated.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    bomb = _bomb(whole, tmp_path / "02 bomb.jpg")
    broken = _broken_thumbnail(whole, tmp_path / "03 broken thumbnail.jpg")
    # A 4:3 thumbnail of a 16:9 photo (cameras letterbox it): it would show the wrong shape.
    letterboxed = tmp_path / "04 letterboxed.jpg"
    wide = mf.photo(1600, 900, seed=4)
    wide.save(letterboxed, "JPEG", quality=90,
              exif=mf.camera_exif(wide.resize((160, 120))))
    bomb_thumbnail = _bomb(whole, tmp_path / "07 bomb thumbnail.jpg", thumbnail=True)
    tiny = mf.save_camera_jpeg(tmp_path / "05 tiny thumbnail.jpg", mf.photo(800, 600, seed=5),
                               thumbnail_size=64)
    good = mf.save_camera_jpeg(tmp_path / "06 good.jpg", mf.photo(800, 600, seed=6))
    report = importer.import_files(volunteer, item,
                                   [truncated, bomb, broken, letterboxed, tiny, good,
                                    bomb_thumbnail])
    by_name = {Path(o.path).name: o for o in report.outcomes}
    assert by_name["01 truncated.jpg"].status == FAILED
    assert type(by_name["01 truncated.jpg"].error) is DamagedPhoto
    assert type(by_name["02 bomb.jpg"].error) is PhotoTooLarge
    assert "30000×30000" in str(by_name["02 bomb.jpg"].error)
    for name in ("03 broken thumbnail.jpg", "04 letterboxed.jpg", "05 tiny thumbnail.jpg",
                 "07 bomb thumbnail.jpg"):
        outcome = by_name[name]
        assert outcome.status == IMPORTED, (name, outcome.error)
        meta = _meta(volunteer, outcome.page_id)
        assert "thumbnail" not in meta and "quality" in meta, name  # decoded at import
    assert _thumbnail(volunteer, by_name["04 letterboxed.jpg"].page_id).size == (256, 144)
    assert _meta(volunteer, by_name["06 good.jpg"].page_id)["thumbnail"] == "camera"
    assert report.imported == 5 and report.failed == 2
    assert_nothing_partial(volunteer)
