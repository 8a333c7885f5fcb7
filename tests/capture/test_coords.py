"""The coordinate parser against a labelled set (tests/capture/data/coords_labelled.jsonl, made
by make_coords_labelled.py from known points with pyproj/mgrs set up apart from the parser),
and the ambiguities it must show instead of guessing."""

from __future__ import annotations

import collections
import json
import runpy
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from capture import coords
from capture.coords import Context, CoordinateReader, distance_m
from capture.testimony import MarkerKind, MarkerView, TestimonyView, to_ohms_index

DATA = Path(__file__).parent / "data"
LABELLED = DATA / "coords_labelled.jsonl"


@pytest.fixture(scope="module")
def reader() -> CoordinateReader:
    return CoordinateReader()


def _rows() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def _context(row: dict) -> Context:
    reference = tuple(row["reference"]) if row.get("reference") else None
    return Context(reference=reference, province=row.get("province", ""))  # type: ignore[arg-type]


def test_labelled_positives_are_read_within_their_tolerance(reader):
    positives = [r for r in _rows() if r["kind"] == "positive"]
    assert len(positives) >= 600
    assert len({r["notation"] for r in positives}) >= 12
    good: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    failures = []
    for row in positives:
        total[row["notation"]] += 1
        best = [c for c in reader.find(row["text"], _context(row)) if c.rank == 1]
        if best and distance_m(best[0].lat, best[0].lon, row["lat"], row["lon"]) \
                <= row["tolerance_m"]:
            good[row["notation"]] += 1
        else:
            miss = round(distance_m(best[0].lat, best[0].lon, row["lat"], row["lon"])) \
                if best else None
            failures.append(f"  {row['notation']}: {row['text']!r} → "
                            f"{'nothing' if miss is None else f'{miss} m off'}")
    for notation in sorted(total):
        print(f"{notation:24s} {good[notation]:4d} / {total[notation]:4d}")
    rate = sum(good.values()) / len(positives)
    print(f"positives within tolerance: {sum(good.values())} / {len(positives)} = {rate:.1%}")
    print("\n".join(failures) or "no failures")
    assert rate >= 0.98, "\n".join(failures)


def test_texts_without_coordinates_give_none(reader):
    negatives = [r for r in _rows() if r["kind"] == "negative"]
    assert len(negatives) >= 100
    false = [(r["text"], [c.text for c in reader.find(r["text"])]) for r in negatives
             if reader.find(r["text"])]
    print(f"negatives: {len(negatives)}, false coordinates: {len(false)}")
    for text, spans in false:
        print(f"  {text!r} → {spans}")
    assert not false


def test_the_committed_set_is_what_the_generator_makes(tmp_path):
    """The set is generated, not hand-edited: regenerating it in a copy gives the same file."""
    copy = tmp_path / "data"
    copy.mkdir()
    for name in ("make_coords_labelled.py", "coords_handwritten.jsonl"):
        shutil.copy(DATA / name, copy / name)
    runpy.run_path(str(copy / "make_coords_labelled.py"), run_name="__main__")
    assert (copy / "coords_labelled.jsonl").read_text(encoding="utf-8") == \
        LABELLED.read_text(encoding="utf-8")


def test_a_vietnamese_N_may_be_nam_so_both_readings_are_returned(reader):
    found = reader.find("16°44'46.7\"N 107°11'08.2\"Đ")
    assert [c.rank for c in found] == [1, 2]
    assert found[0].lat == pytest.approx(16.7463, abs=1e-4)
    assert found[1].lat == pytest.approx(-16.7463, abs=1e-4)
    assert "N read as Nam (south)" in found[1].notes
    # With E (English letters) N is north only.
    assert len(reader.find("16°44'46.7\"N 107°11'08.2\"E")) == 1


def test_mgrs_without_its_grid_zone_says_the_zone_was_inferred(reader):
    best = reader.best("tọa độ XD 841 420")[0]
    assert best.notation == "mgrs" and best.projection == "MGRS 48Q"
    assert any("grid zone not written: 48Q inferred" in note for note in best.notes)
    assert best.uncertainty_m == pytest.approx(100 / 2**0.5, rel=0.01)  # a 100 m square


def test_fewer_digits_and_an_older_datum_mean_a_wider_radius(reader):
    fine = reader.best("48QXD8415342030")[0]
    coarse = reader.best("48QXD84")[0]
    assert fine.uncertainty_m < 1 < 5000 < coarse.uncertainty_m
    wartime = reader.best("bản đồ L7014 tờ 6342 IV, tọa độ XD 850 420")[0]
    assert wartime.datum == coords.INDIAN1960
    assert wartime.uncertainty_m >= 44  # EPSG:1542's own accuracy is part of the radius
    # The same numbers read on today's datum land hundreds of metres away.
    today = reader.best("tọa độ XD 850 420")[0]
    assert 200 < distance_m(today.lat, today.lon, wartime.lat, wartime.lon) < 800


def test_vn2000_without_a_zone_lists_every_zone_and_a_reference_picks_one(reader):
    text = "X = 1854321, Y = 512345"
    found = reader.find(text)
    assert len(found) > 10  # 6° zones 48, 49 and every provincial 3° meridian
    near_hue = reader.best(text, Context(reference=(16.77, 107.12)))[0]
    assert near_hue.projection == "TM-3 107°00′"
    quang_tri = reader.best(text, Context(province="Tỉnh Quảng Trị"))[0]
    assert quang_tri.projection == "TM-3 106°15′"
    assert "from the province" in quang_tri.notes[-1]


def test_a_province_of_today_stands_for_each_former_province(reader):
    # Quảng Trị took in Quảng Bình in 2025: both meridians, its own first.
    found = reader.find("X=1854321 Y=512345 ở Quảng Trị")
    assert [c.projection for c in found] == ["TM-3 106°15′", "TM-3 106°00′"]


def test_spans_point_at_what_was_read_and_each_coordinate_is_found(reader):
    text = "Hai điểm: 16.7463, 107.1856 và https://www.openstreetmap.org/#map=17/16.8/107.0."
    found = reader.find(text)
    assert [c.notation for c in found] == ["decimal", "map-link"]
    for coordinate in found:
        assert text[coordinate.start:coordinate.end] == coordinate.text
    assert found[1].text.endswith("/107.0")  # the sentence's full stop is not the link's


def test_ohms_export_reads_a_coordinate_marker_in_any_notation():
    markers = [MarkerView("m1", 3.0, "16°44'46.7\"N 107°11'08.2\"E", MarkerKind.COORDINATE, ""),
               MarkerView("m2", 5.0, "gốc đa", MarkerKind.COORDINATE, "tọa độ 48QXD8415342030"),
               MarkerView("m3", 7.0, "16.75, 107.18", MarkerKind.PLACE, ""),
               MarkerView("m4", 9.0, "không rõ", MarkerKind.COORDINATE, "")]
    view = TestimonyView("t", "v", None, "Bà Lan", "vi", "", markers=markers)
    root = ElementTree.fromstring(to_ohms_index(view, "Lời kể"))  # noqa: S314 - our own output
    gps = [p.findtext("gpspoints/gps") for p in root.findall("./record/index/point")]
    assert gps[0] == "16.746306, 107.185611"
    assert gps[1] == "16.653599, 106.726702"
    assert gps[2] is None and gps[3] is None  # a place marker; a coordinate marker with none


@pytest.mark.parametrize("hostile", [
    "1" + " " * 99_998 + "2", "1 " * 50_000, "1° " * 33_000, "N1 " * 33_000, "XD 1 " * 20_000,
    "X" + " " * 99_999, "48Q " * 25_000, "1'" * 50_000, "geo:1," * 16_000,
    "https://www.google.com/maps/@" + "1" * 99_000])
def test_hostile_text_is_read_in_bounded_time(reader, hostile):
    """Long runs of spaces, digits and half-coordinates (a pasted file, OCR noise) take time
    proportional to their length: no regex backtracks over a run twice."""
    import time

    start = time.perf_counter()
    assert reader.find(hostile) == []
    assert time.perf_counter() - start < 5  # ~0.3 s here on a loaded 2-core machine


def test_many_coordinates_in_one_text_are_all_found(reader):
    text = "16°44'46.7\"N 107°11'08.2\"E; " * 3000
    assert len(reader.best(text)) == 3000


def test_a_short_link_is_not_read_but_is_named(reader):
    text = "chị Lan gửi https://maps.app.goo.gl/Xy12AbC nhé"
    assert reader.find(text) == []
    assert coords.short_links(text) == ["https://maps.app.goo.gl/Xy12AbC"]
