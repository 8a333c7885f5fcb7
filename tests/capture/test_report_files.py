"""The report as files: XLSX cells that are the same for the same snapshot, and a PDF in the
official layout whose every Vietnamese letter survives (pdftotext) and that renders (pdftoppm;
the PNG is kept in the test's folder to be looked at)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from capture import kpis, report_files, station_report
from tests.capture import report_station as rs

# Every letter Vietnamese writes, lower and upper case: the heading's font must carry them all.
LETTERS = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstu"
           "ùúủũụưừứửữựvxyỳýỷỹỵ")
PANGRAM = LETTERS + " " + LETTERS.upper()


@pytest.fixture(scope="module")
def report(tmp_path_factory):  # type: ignore[no-untyped-def]
    station = rs.build(tmp_path_factory.mktemp("report-files"))
    vault = rs.unlock(station)
    try:
        return station_report.build(vault, rs.cutoff("2026-11-24"), period="2026-11",
                                    by="commune")
    finally:
        vault.lock()


def _letterhead(report) -> report_files.Letterhead:  # type: ignore[no-untyped-def]
    plain = report_files.station_letterhead(report, date(2026, 11, 25), "Lê Thị Mai")
    return report_files.Letterhead(**{**plain.__dict__,
                                      "recipients": (*plain.recipients, PANGRAM)})


def _cells(path: Path) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    book = load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_the_xlsx_has_one_sheet_per_table_and_the_same_cells_every_time(report, tmp_path
                                                                        ) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    report_files.save(report, first, "xlsx", _letterhead(report))
    report_files.save(report, second, "xlsx", _letterhead(report))
    cells = _cells(first)
    assert cells == _cells(second)
    assert list(cells) == ["Thông tin", "Chỉ số", "So với kỳ trước", "Diễn biến",
                           "Theo xã phường"]
    figures = {row[0]: row for row in cells["Chỉ số"][1:]}
    assert len(figures) == len(kpis.KPIS)
    assert figures["visits"][1:5] == ("Chuyến thăm hộ gia đình", "Household visits", 4,
                                      "recorded")
    assert figures["testimony_seconds"][3] == 10
    # Not recorded stays an empty cell with its status, never a 0.
    assert figures["remains_found"][3:5] == (None, "not_yet_recorded")
    previous = {row[0]: row for row in cells["So với kỳ trước"][2:]}
    assert previous["visits"][2:] == (4, 1, 3)
    communes = cells["Theo xã phường"]
    assert communes[0][2:] == ("Phường Bạch Mai (277)", "Phường Ba Đình (4)")
    assert {row[0]: row[2:] for row in communes[1:]}["visits"] == (1, 3)
    about = {row[0]: row[2] for row in cells["Thông tin"][1:] if row[0]}
    assert about["Số liệu tính đến"] == "2026-11-25T00:00:00.000000+07:00"
    assert about["Mã kiểm tra (SHA-256)"] == report["snapshot"]["sha256"]


def test_the_pdf_keeps_every_vietnamese_letter_and_renders(report, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = report_files.save(report, tmp_path / "bao-cao.pdf", "pdf", _letterhead(report))
    again = report_files.save(report, tmp_path / "again.pdf", "pdf", _letterhead(report))
    assert path.read_bytes() == again.read_bytes()  # reportlab's invariant mode
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    assert "NotoSans-Regular" in fonts and "NotoSans-Bold" in fonts
    assert all(" yes " in line for line in fonts.splitlines() if "NotoSans" in line)  # embedded
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for wanted in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "ĐOÀN THANH NIÊN PHƯỜNG BA ĐÌNH", "THÀNH PHỐ HÀ NỘI",
                   "Ba Đình, ngày 25 tháng 11 năm 2026", "BÁO CÁO", "Tháng 11/2026",
                   "hết ngày 24/11/2026", "NGƯỜI LẬP BÁO CÁO", "Lê Thị Mai", "Nơi nhận:",
                   "Chưa có số liệu", "Kỳ theo lịch", "Phường Bạch Mai"):
        assert wanted in flat, wanted
    # The line of every letter wraps where the table cell ends.
    assert "".join(PANGRAM.split()) in "".join(text.split())
    for entry in report["kpis"].values():
        assert entry["label_vi"] in flat
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 20_000 for p in pages)


def test_a_failed_write_leaves_no_half_file(report, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "bao-cao.pdf"
    target.write_bytes(b"the report of last month")
    broken = {**report, "kpis": {}}  # the renderer fails half-way
    with pytest.raises(KeyError):
        report_files.save(broken, target, "pdf", _letterhead(report))
    assert target.read_bytes() == b"the report of last month"
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao.pdf"]


def test_numbers_read_as_people_write_them() -> None:
    assert report_files.number_text(12345) == "12.345"
    assert report_files.number_text(12.5) == "12,5"
    assert report_files.number_text(12345, "en") == "12,345"
    assert report_files.value_text("testimony_seconds", {"status": "recorded", "value": 3725}) \
        == "3.725 (1 giờ 02 phút)"
    assert report_files.value_text("verification_rate", {"status": "recorded", "value": None}) \
        == "—"
    assert report_files.value_text("remains_found", {"status": "not_yet_recorded",
                                                     "value": None}, "en") == "Not yet recorded"


def test_sheet_titles_are_ones_excel_accepts() -> None:
    assert report_files.sheet_title("Theo tỉnh, thành phố") == "Theo tỉnh, thành phố"
    assert report_files.sheet_title("Theo xã/phường: [Quảng Trị]*?") == "Theo xã phường Quảng Trị"
    assert len(report_files.sheet_title("Theo " + "đơn vị hành chính " * 4)) == 31
    assert report_files.sheet_title(":/?") == "Sheet"
    for dimension in ("commune", "station", "province"):
        title = report_files.sheet_title(report_files.BY_SHEET[dimension])
        assert title == report_files.BY_SHEET[dimension] and len(title) <= 31
