"""Importing photos into an item from the editor: progress, the per-file report, cancel, and the
window staying responsive (the longest event-loop stall is measured)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer

from capture import importer, media, visits
from tests.capture import mediafiles as mf
from ui.dialogs.importing import ImportReportDialog

from .visit_helpers import open_pages, photos, visit_with_item


def _pages_panel(qtbot, volunteer, visit_id):  # type: ignore[no-untyped-def]
    _shell, pages = open_pages(qtbot, volunteer, visit_id)
    reports: list = []
    pages.show_report = reports.append
    return pages, reports


def test_import_with_progress_then_a_report_that_names_each_bad_file(
        app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id, _item = visit_with_item(volunteer)
    good = photos(tmp_path / "card" / "DCIM" / "100CANON", 4)
    text = tmp_path / "card" / "DCIM" / "100CANON" / "IMG_9999.JPG"
    text.write_text("không phải ảnh")
    empty = tmp_path / "card" / "DCIM" / "100CANON" / "IMG_0000_empty.JPG"
    empty.write_bytes(b"")
    pages, reports = _pages_panel(qtbot, volunteer, visit_id)
    seen: list[tuple[int, int]] = []
    pages.import_panel.bar.valueChanged.connect(
        lambda value: seen.append((value, pages.import_panel.bar.maximum())))
    pages.import_paths([tmp_path / "card"])
    assert pages.import_panel.isVisible() and not pages.add_files.isEnabled()
    qtbot.waitUntil(lambda: bool(reports), timeout=30_000)
    report = reports[0]
    assert (report.imported, report.failed) == (4, 2)
    assert seen and seen[-1] == (6, 6)
    qtbot.waitUntil(lambda: pages.model.rowCount() == 4, timeout=10_000)
    assert pages.add_files.isEnabled() and not pages.import_panel.isVisible()
    dialog = ImportReportDialog(report)
    qtbot.addWidget(dialog)
    rows = dict(dialog.rows())
    assert "không phải là ảnh hay video" in rows["IMG_9999.JPG"]
    assert "trống" in rows["IMG_0000_empty.JPG"] or "0 byte" in rows["IMG_0000_empty.JPG"]
    assert rows["IMG_0001.JPG"] == "Đã nhập"
    assert "Đã nhập 4 tệp" in dialog.summary.text() and "2 tệp không nhập được" in (
        dialog.summary.text())

    # The same photos again: stored once, and the volunteer is told.
    reports.clear()
    pages.import_paths(good[:2])
    qtbot.waitUntil(lambda: bool(reports), timeout=30_000)
    again = ImportReportDialog(reports[0])
    qtbot.addWidget(again)
    assert all(result.startswith("Đã có trong kho") for _name, result in again.rows())


def test_cancel_mid_import_keeps_whole_pages_only(app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id, _item = visit_with_item(volunteer)
    files = photos(tmp_path / "many", 12, (2000, 1500))
    pages, reports = _pages_panel(qtbot, volunteer, visit_id)
    pages.import_panel._progressed.connect(
        lambda done, _total, _name: done >= 2 and pages.import_panel.cancel())
    pages.import_paths(files)
    qtbot.waitUntil(lambda: bool(reports), timeout=60_000)
    report = reports[0]
    assert report.cancelled > 0 and report.imported < 12
    stored = visits.load_visit(volunteer, visit_id).items[0].pages
    assert len(stored) == report.imported
    for page in stored:  # every page that stayed is whole: its thumbnail decrypts
        assert media.thumbnail_bytes(volunteer, page.id)[:2] == b"\xff\xd8"


def _longest_stall_ms(qtbot, pages, reports, files, wait_for_pass: bool) -> float:  # type: ignore[no-untyped-def]
    """Import ``files`` in the app with a 10 ms timer running: the longest gap between its
    ticks (the event loop blocked), through the import, the gallery's reload and, with
    ``wait_for_pass``, the after-import pass that decodes the camera photos."""
    gaps: list[float] = []
    last = [time.perf_counter()]

    ends: list[float] = []

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        ends.append(now)
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    started = time.perf_counter()
    timer.start()
    pages.import_paths(files)
    qtbot.waitUntil(lambda: bool(reports), timeout=120_000)
    imported = time.perf_counter() - started
    qtbot.waitUntil(lambda: pages.model.rowCount() == len(files), timeout=20_000)
    if wait_for_pass:
        previews = pages.import_panel.previews
        qtbot.waitUntil(lambda: not previews.running, timeout=120_000)
    qtbot.wait(300)  # thumbnails of the new pages decode meanwhile
    timer.stop()
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    worst_ms = gaps[worst] * 1000
    print(f"\nimport of {len(files)} × 12 MP JPEGs in the app: {imported:.1f} s "
          f"(with what followed {time.perf_counter() - started:.1f} s), longest event-loop "
          f"stall {worst_ms:.0f} ms over {len(gaps)} ticks, ending at "
          f"{ends[worst] - started:.2f} s; the next longest "
          f"{[round(g * 1000) for g in sorted(gaps)[-5:-1][::-1]]} ms")
    assert reports[0].imported == len(files)
    return worst_ms


# Camera photos (with their EXIF thumbnail, as phones and cameras make them) are measured
# until the after-import pass has made their previews and own thumbnails too. Photos without
# one (screenshots, edited files) are decoded at import: 29-60 ms in 4 runs (session 5, load
# 0.9-3.3), 43-141 ms before the decoders were started ahead and niced from birth; bound looser
# so a loaded CI machine does not flap, still catching a decode back on the GUI thread (~400 ms).
@pytest.mark.slow
@pytest.mark.parametrize(("camera", "bound_ms"), [(True, 100), (False, 150)],
                         ids=["camera-photos", "photos-without-thumbnails"])
def test_the_window_never_stalls_during_an_import_of_12_megapixel_photos(
        app, qtbot, volunteer, tmp_path, camera, bound_ms) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "big"
    folder.mkdir()
    picture = mf.photo(4000, 3000, seed=1)
    save = mf.save_camera_jpeg if camera else mf.save_jpeg
    files = [save(folder / f"DSC_{n:04d}.JPG", picture, quality=92,
                  taken=f"2024:05:01 11:00:{n:02d}", latitude=21.0 + n / 1000, longitude=105.8)
             for n in range(30)]
    visit_id, _item = visit_with_item(volunteer)
    pages, reports = _pages_panel(qtbot, volunteer, visit_id)
    assert _longest_stall_ms(qtbot, pages, reports, files, wait_for_pass=camera) < bound_ms
    if camera:
        assert media.pages_without_preview(volunteer) == []


def test_a_camera_photo_shows_the_camera_thumbnail_then_its_own_with_its_hints(
        app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id, _item = visit_with_item(volunteer)
    folder = tmp_path / "phone"
    folder.mkdir()
    files = [mf.save_camera_jpeg(folder / f"IMG_{n:04d}.JPG", mf.photo(1600, 1200, seed=n))
             for n in range(3)]
    pages, reports = _pages_panel(qtbot, volunteer, visit_id)
    previews = pages.import_panel.previews
    done: list[str] = []
    previews.page_done.connect(lambda page_id, _meta: done.append(page_id))
    pages.import_paths(files)
    qtbot.waitUntil(lambda: bool(reports), timeout=30_000)
    qtbot.waitUntil(lambda: pages.model.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: not previews.running, timeout=30_000)
    assert previews.made == 3 and sorted(done) == sorted(p.id for p in pages.model.pages)
    for page in pages.model.pages:  # in place: the model was not read again
        assert "thumbnail" not in page.meta and "quality" in page.meta
    # The gallery loads the photo's own 256 px thumbnail, no longer the camera's 160 px one.
    first = pages.model.pages[0]
    qtbot.waitUntil(lambda: pages.model.pixmap(first) is not None, timeout=5_000)  # asks, then has
    assert pages.loader.image(first.id).width() == 256


def test_opening_an_item_makes_what_an_earlier_pass_left(
        app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Camera photos imported outside the app (or the app closed before its pass ended) get
    their previews, own thumbnails and hints when their item is next opened."""
    visit_id, item_id = visit_with_item(volunteer)
    files = [mf.save_camera_jpeg(tmp_path / f"IMG_{n:04d}.JPG", mf.photo(1600, 1200, seed=n))
             for n in range(2)]
    importer.import_files(volunteer, item_id, files)
    assert len(media.pages_without_preview(volunteer, item_id)) == 2
    pages, _reports = _pages_panel(qtbot, volunteer, visit_id)
    previews = pages.import_panel.previews
    qtbot.waitUntil(lambda: previews.made == 2 and not previews.running, timeout=30_000)
    assert media.pages_without_preview(volunteer, item_id) == []
    assert all("quality" in page.meta for page in pages.model.pages)


def test_files_dropped_on_the_gallery_are_imported(app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id, _item = visit_with_item(volunteer)
    files = photos(tmp_path / "drop", 2)
    pages, reports = _pages_panel(qtbot, volunteer, visit_id)
    pages.gallery.files_dropped.emit([str(f) for f in files])
    qtbot.waitUntil(lambda: bool(reports), timeout=30_000)
    assert reports[0].imported == 2
    # Then, while nothing else runs, the previews the import left for later are made.
    previews = pages.import_panel.previews
    qtbot.waitUntil(lambda: not previews.running, timeout=30_000)
    assert previews.made == 2 and media.pages_without_preview(volunteer) == []
    assert importer.find_media([tmp_path / "drop"]) == files


def test_the_preview_pass_waits_while_a_recording_runs(app, qtbot, volunteer, tmp_path,
                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from capture import recorder
    from ui.dialogs.importing import PreviewPass

    _visit_id, item_id = visit_with_item(volunteer)
    importer.import_files(volunteer, item_id, photos(tmp_path / "cam", 2))
    monkeypatch.setattr(PreviewPass, "RETRY_MS", 50)
    monkeypatch.setattr(recorder, "_open_streams", 1)  # what an open microphone stream sets
    previews = PreviewPass()
    previews.start(volunteer, item_id)
    qtbot.wait(600)
    assert previews.running and previews.made == 0
    assert len(media.pages_without_preview(volunteer, item_id)) == 2
    monkeypatch.setattr(recorder, "_open_streams", 0)  # the recording stopped
    qtbot.waitUntil(lambda: not previews.running, timeout=20_000)
    assert previews.made == 2 and media.pages_without_preview(volunteer, item_id) == []
