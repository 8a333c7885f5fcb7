"""The dashboard in a real Chromium (Debian's chromium + chromedriver through Selenium): a
reader opens the figures (this month by default), switches to November with the form, follows a
figure to the visits behind it, downloads the XLSX and reads it; then the same in English.
Screenshots go to $SOHOA_SCREENSHOTS (or the test's temporary folder)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sync.server import accounts
from sync.server.store import Store
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import chromium
from tests.sync import report_world as world
from tests.sync.servers import CommandServer

pytestmark = pytest.mark.slow

NOW = datetime(2026, 12, 3, 3, tzinfo=UTC)
PASSWORD = "mật khẩu của người đọc 2026"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports-browser")
    store = Store(f"sqlite:///{folder / 'server.db'}")
    world.build(store)
    world.case_work(store)
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    with store.begin() as conn:
        accounts.add_account(conn, "dung", "reader", PASSWORD, NOW, policy)
    server = CommandServer(create_web_app(WebConfig(folder, policy=policy, clock=lambda: NOW),
                                          store)).start()
    yield server.url
    server.stop()
    store.engine.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SOHOA_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory, downloads):
    driver = chromium.start(tmp_path_factory.mktemp("chromium-profile"), window="1280,1400",
                            downloads=downloads)
    yield driver
    driver.quit()


_by = chromium.by


def _wait(condition, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    return chromium.wait_until(condition, timeout)


def _value(browser, kpi: str) -> str:  # type: ignore[no-untyped-def]
    return browser.find_element(*_by(f'tr[data-kpi="{kpi}"] td.value')).text


def _sign_in(browser, site: str) -> None:  # type: ignore[no-untyped-def]
    browser.delete_all_cookies()
    browser.get(f"{site}/lang/vi?next=/signin")
    browser.find_element(*_by("#username")).send_keys("dung")
    browser.find_element(*_by("#password")).send_keys(PASSWORD)
    browser.find_element(*_by("#signin-button")).click()
    _wait(lambda: browser.current_url.rstrip("/") == site)


def test_a_reader_switches_period_drills_down_and_downloads_the_xlsx(browser, site, shots,
                                                                     downloads):
    _sign_in(browser, site)
    browser.find_element(*_by('header nav a[href="/reports"]')).click()
    _wait(lambda: browser.find_elements(*_by("table.figures")))
    # This month (December, by the clock) holds no visit yet, but the lead work did: L2 verified
    # on the 1st, L1's 3 remains gathered; no lead received, so no rate.
    assert "Tháng 12/2026" in browser.find_element(*_by("h1")).text
    assert _value(browser, "visits") == "0"
    assert (_value(browser, "leads_verified"), _value(browser, "remains_gathered")) == ("1", "3")
    assert _value(browser, "verification_rate") == "—"
    browser.save_screenshot(str(shots / "vi-reports-december.png"))
    box = browser.find_element(*_by('input[name="period"]'))
    box.clear()
    box.send_keys("2026-11")
    browser.find_element(*_by(".report-choice button")).click()
    _wait(lambda: "Tháng 11/2026" in browser.find_element(*_by("h1")).text)
    assert (_value(browser, "visits"), _value(browser, "households_visited"),
            _value(browser, "testimony_seconds")) == ("3", "2", "56 (0 giờ 00 phút)")
    chart = browser.find_element(*_by("img.chart"))
    _wait(lambda: browser.execute_script("return arguments[0].naturalWidth", chart) > 0)
    browser.save_screenshot(str(shots / "vi-reports.png"))
    chart.screenshot(str(shots / "vi-reports-chart.png"))
    browser.find_element(*_by('tr[data-kpi="martyrs_mentioned"] td.value a')).click()
    _wait(lambda: browser.find_elements(*_by("table.records")))
    days = [a.text for a in browser.find_elements(*_by("table.records td a"))]
    assert days == ["2026-11-30", "2026-11-25", "2026-11-24"]
    browser.save_screenshot(str(shots / "vi-report-records.png"))
    browser.back()
    _wait(lambda: browser.find_elements(*_by("table.figures")))
    # The remains found lead to the visit whose lead they were found by (V1, 3 remains).
    browser.find_element(*_by('tr[data-kpi="remains_found"] td.value a')).click()
    _wait(lambda: browser.find_elements(*_by("table.records")))
    assert [a.text for a in browser.find_elements(*_by("table.records td a"))] == ["2026-11-24"]
    browser.save_screenshot(str(shots / "vi-report-remains.png"))
    browser.back()
    _wait(lambda: browser.find_elements(*_by("table.figures")))
    browser.find_element(*_by('.downloads a[href^="/reports/download/xlsx"]')).click()
    done = _wait(lambda: [p for p in downloads.glob("*.xlsx")])
    sheet = load_workbook(done[0], read_only=True)["Chỉ số"]
    figures = {row[0]: row[3] for row in sheet.iter_rows(values_only=True)}
    assert figures["visits"] == 3 and figures["pages_digitised"] == 9
    assert figures["remains_found"] == 3 and figures["dna_samples_collected"] == 1


def test_the_dashboard_in_english(browser, site, shots):
    browser.get(f"{site}/lang/en?next=/reports%3Fperiod%3D2026-11%26by%3Dstation")
    _wait(lambda: browser.find_elements(*_by("table.breakdown")))
    assert "November 2026" in browser.find_element(*_by("h1")).text
    assert (_value(browser, "remains_found"), _value(browser, "remains_gathered")) == ("3", "0")
    heads = [th.text for th in browser.find_elements(*_by("table.breakdown th"))]
    # S-003 (collected in October, in the trend's days) names no relative: a group of its own.
    assert heads == ["Figure", "Không rõ địa bàn", "Trạm Đông Hà", "Trạm Gio Linh"]
    browser.save_screenshot(str(shots / "en-reports.png"))
    browser.find_element(*_by("table.breakdown")).screenshot(
        str(shots / "en-reports-by-station.png"))
