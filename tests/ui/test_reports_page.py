"""The coordinator's Reports page on a real station (tests/capture/report_station.py): the
hand-counted November, "not yet recorded" shown as such, the previous month, the trend chart,
the Decree 09 rule (kept as the setting), and exports written off the GUI thread; in Vietnamese
and English, with screenshots in the test's folder."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from capture.kpis import CutoffRule, PeriodKind
from tests.capture import report_station as rs
from ui import i18n
from ui import settings as app_settings
from ui.pages.reports import ReportsPage

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def station(tmp_path_factory):  # type: ignore[no-untyped-def]
    return rs.build(tmp_path_factory.mktemp("reports-ui"))


@pytest.fixture
def vault(station):  # type: ignore[no-untyped-def]
    unlocked = rs.unlock(station)
    yield unlocked
    unlocked.lock()


def _open(qtbot, vault) -> ReportsPage:  # type: ignore[no-untyped-def]
    page = ReportsPage(vault, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1180, 1500)
    with qtbot.waitSignal(page.chart_shown, timeout=30_000):
        page.show()
    return page


def _row(page: ReportsPage, kpi_id: str) -> list[str]:
    for row in range(page.table.rowCount()):
        if page.table.item(row, 0).data(256) == kpi_id:  # Qt.UserRole
            return [page.table.item(row, c).text() for c in range(4)]
    raise AssertionError(kpi_id)


def test_the_month_in_vietnamese_with_its_comparison_chart_and_exports(app, qtbot, vault,
                                                                       tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = _open(qtbot, vault)
    assert page.which.currentText().startswith("Tháng 11/2026")
    assert _row(page, "visits") == ["Chuyến thăm hộ gia đình", "4", "1", "+3"]
    assert _row(page, "testimony_seconds")[1] == "10 (0 giờ 00 phút)"
    assert _row(page, "remains_found")[1:3] == ["Chưa có số liệu", "Chưa có số liệu"]
    assert "ngày thăm" in page.table.item(0, 0).toolTip()
    assert "hết ngày 24/11/2026" in page.rule_text.text()
    assert "Kỳ theo lịch" in page.rule_text.text()
    assert page.chart.pixmap().width() > 500
    page.grab().save(str(tmp_path / "reports-vi.png"))

    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export(tmp_path / "bao-cao-thang-11", "pdf")
    pdf = tmp_path / "bao-cao-thang-11.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Lê Thị Mai" in text
    assert page.banner.text().startswith("Đã lưu báo cáo:")
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export(tmp_path / "bao-cao.xlsx", "xlsx")
    figures = {row[0]: row[3] for row in
               load_workbook(tmp_path / "bao-cao.xlsx")["Chỉ số"].iter_rows(values_only=True)}
    assert figures["visits"] == 4 and figures["leads_received"] == 3

    # A folder that does not exist: one sentence, nothing else lost.
    page.export(tmp_path / "không có" / "x.pdf", "pdf")
    qtbot.waitUntil(lambda: "không lưu được" in page.banner.text().lower(), timeout=30_000)
    assert _row(page, "visits")[1] == "4"


def test_the_decree_rule_is_chosen_kept_and_moves_the_15th(app, qtbot, vault) -> None:  # type: ignore[no-untyped-def]
    page = _open(qtbot, vault)
    with qtbot.waitSignal(page.report_shown, timeout=30_000):
        page.select(PeriodKind.MONTH, rule=CutoffRule.DECREE_09)
    with qtbot.waitSignal(page.report_shown, timeout=30_000):
        page.select(PeriodKind.MONTH, "2026-11")
    assert app_settings.load().report_cutoff_rule == "decree-09"
    assert _row(page, "visits")[1] == "3"
    assert "09/2019/NĐ-CP" in page.rule_text.text()
    # The next page opened starts with the kept rule.
    again = _open(qtbot, vault)
    assert again.selected_rule() is CutoffRule.DECREE_09
    with qtbot.waitSignal(again.report_shown, timeout=30_000):
        again.select(PeriodKind.CAMPAIGN, rule=CutoffRule.CALENDAR)
    assert _row(again, "visits")[1] == "5"


def test_the_page_in_english(app, qtbot, vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    i18n.install(app, "en")
    page = _open(qtbot, vault)
    assert page.which.currentText().startswith("November 2026")
    assert _row(page, "visits")[:2] == ["Household visits", "4"]
    assert _row(page, "dna_samples_matched")[1] == "Not yet recorded"
    assert _row(page, "testimony_seconds")[1] == "10 (0 h 00 min)"
    assert "the end of 24/11/2026" in page.rule_text.text()
    page.grab().save(str(tmp_path / "reports-en.png"))
