"""A veterans' list imported and the witness network asked, in a real Chromium (Debian's
chromium + chromedriver): a bad file's validation report, a good file through the mapping step
(one guess changed) and confirmed, then "who else was in Trung đoàn 24 at Khe Sanh in 1968",
a review pair decided. Screenshots in Vietnamese and English go to $SOHOA_SCREENSHOTS (or a
temporary folder)."""

from __future__ import annotations

import pytest

from sync.server import accounts
from sync.server.store import Store
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import workbench_world as ww
from tests.sync.servers import CommandServer
from tests.sync.test_lists import csv_bytes
from tests.sync.test_witnesses import index_people_and_testimonies
from tests.sync.test_workbench_browser import _by, _language, _sign_in, _wait
from tests.sync.test_workbench_browser import browser as browser
from tests.sync.test_workbench_browser import shots as shots

pytestmark = pytest.mark.slow

HEADER = ["Họ và tên", "Năm sinh", "Quê quán", "Đơn vị", "Trận đánh", "Thời gian phục vụ",
          "Ghi chú"]
GOOD = [HEADER,
        ["Trần Văn Bảy", "1946", "Vĩnh Linh, Quảng Trị", "c2 d8 E24", "Khe Sanh 1968", "", ""],
        ["Đỗ Văn Chín", "1938", "", "Trung đoàn 24, Sư đoàn 304", "Khe Sanh", "1967–1969",
         "=HYPERLINK(\"http://evil.example\")"],
        ["Ngô Văn Hải", "1950", "Cam Lộ, Quảng Trị", "", "Khe Sanh 1968", "", ""],
        ["Ngô Hải", "1950", "", "", "Đường 9", "", ""],
        ["Đặng Văn Lâm", "1945", "", "E24", "Khe Sanh 1968", "", ""],
        ["Đặng Văn Lâm", "1948", "", "E24", "Khe Sanh 1968", "", ""],
        ["Vũ Văn Mười", "1939", "", "F304", "Khe Sanh 1968", "", ""]]
BAD = [HEADER, GOOD[1], ["Lê Văn Sáu", "không nhớ", "", "E24", "Khe Sanh", "", ""],
       ["", "1944", "", "E24", "", "", ""]]


POLICY = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A command whose index holds the veterans and the testimony of test_witnesses (written
    into the index tables; building a real visit here would double the test's time)."""
    data = tmp_path_factory.mktemp("command")
    store = Store.in_folder(data)
    with store.begin() as conn:
        for name, role in ww.ROLES.items():
            accounts.add_account(conn, name, role, ww.PASSWORDS[name], ww.NOW, POLICY)
    index_people_and_testimonies(store)
    server = CommandServer(create_web_app(WebConfig(data, policy=POLICY), store)).start()
    yield server.url
    server.stop()
    store.engine.dispose()


def _submit(browser, css: str) -> None:  # type: ignore[no-untyped-def]
    old = browser.find_element(*_by("html"))
    browser.find_element(*_by(css)).click()
    _wait(lambda: old != browser.find_element(*_by("html")), 30)


def _upload(browser, site: str, path, title: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select

    browser.get(f"{site}/lists/new")
    Select(browser.find_element(*_by("#kind"))).select_by_value("witnesses")
    browser.find_element(*_by("#title")).send_keys(title)
    browser.find_element(*_by("#source")).send_keys("Hội CCB tỉnh, công văn 12/CCB, 20/11/2026")
    browser.find_element(*_by("#file")).send_keys(str(path))
    _submit(browser, "#upload-button")


def test_a_list_imported_and_the_witness_network_asked(browser, site, shots, tmp_path):
    from selenium.webdriver.support.ui import Select

    bad, good = tmp_path / "ccb-loi.csv", tmp_path / "ccb.csv"
    bad.write_bytes(csv_bytes(BAD, "cp1258"))
    good.write_bytes(csv_bytes(GOOD, "utf-8-sig"))
    _language(browser, site, "vi")
    _sign_in(browser, site, "binh", ww.PASSWORDS["binh"])
    _wait(lambda: browser.current_url.rstrip("/") == site)

    _upload(browser, site, bad, "Danh sách có lỗi")
    assert "Windows-1258" in browser.find_element(*_by("#file-read")).text
    _submit(browser, "#check-button")
    report = browser.find_element(*_by("#report"))
    assert report.get_attribute("data-problems") == "2"
    problems = [(p.get_attribute("data-line"), p.get_attribute("data-code"))
                for p in browser.find_elements(*_by("tr.problem"))]
    assert problems == [("3", "not_a_year"), ("4", "empty_required")]
    assert "không nhớ" in report.text and "Không nhập dòng nào" in report.text
    assert not browser.find_elements(*_by("#confirm-button"))
    browser.save_screenshot(str(shots / "vi-list-report-bad.png"))

    _upload(browser, site, good, "Hội CCB Trung đoàn 24")
    assert "UTF-8 có BOM" in browser.find_element(*_by("#file-read")).text
    assert Select(browser.find_element(*_by("#map-4"))).first_selected_option.get_attribute(
        "value") == "battle"
    Select(browser.find_element(*_by("#map-6"))).select_by_value("other_names")
    browser.save_screenshot(str(shots / "vi-list-mapping.png"))
    _submit(browser, "#check-button")
    assert browser.find_element(*_by("#report")).get_attribute("data-rows") == "7"
    _submit(browser, "#confirm-button")
    assert browser.find_element(*_by("#row-count")).text == "7"
    assert len(browser.find_elements(*_by("tr.list-row"))) == 7
    assert "=HYPERLINK" in browser.find_element(*_by("tr.list-row[data-line='3']")).text
    browser.save_screenshot(str(shots / "vi-list.png"))

    browser.get(f"{site}/witnesses")
    for css, text in (("#q-unit", "Trung đoàn 24"), ("#q-place", "Khe Sanh"),
                      ("#q-from", "1968"), ("#q-to", "1968")):
        browser.find_element(*_by(css)).send_keys(text)
    _submit(browser, "#witness-button")
    names = [row.find_element(*_by("strong")).text
             for row in browser.find_elements(*_by("tr.answer"))]
    assert names == ["Đỗ Văn Chín", "Đặng Văn Lâm", "Trần Văn Bảy", "Đặng Văn Lâm",
                     "Phạm Văn Minh"]  # Minh wrote no year: last, not left out
    # Bảy: two visits and this list's row 2 are one person, who has a testimony
    bay = browser.find_elements(*_by("tr.answer"))[2]
    assert len(bay.find_elements(*_by("li"))) == 3 and "đã ghi" in bay.text
    oldest = [li.find_element(*_by("strong")).text
              for li in browser.find_elements(*_by("li.oldest"))]
    assert oldest[:3] == ["Đỗ Văn Chín", "Vũ Văn Mười", "Phạm Văn Minh"]
    assert "Trần Văn Bảy" not in oldest
    review = browser.find_element(*_by("#review"))
    waiting = int(review.get_attribute("data-waiting"))
    assert waiting >= 1
    browser.save_screenshot(str(shots / "vi-witnesses.png"))
    _submit(browser, "#review article.pair button.decide-different")
    assert int(browser.find_element(*_by("#review")).get_attribute("data-waiting")) == \
        waiting - 1
    assert browser.find_element(*_by("#q-unit")).get_attribute("value") == "Trung đoàn 24"

    _language(browser, site, "en")
    browser.get(f"{site}/witnesses?unit=E24&place=khe+sanh&from=1968&to=1968")
    assert browser.find_element(*_by("h1")).text == "The witness network"
    assert "The oldest witnesses not yet recorded" in browser.find_element(*_by("#oldest")).text
    browser.save_screenshot(str(shots / "en-witnesses.png"))
    browser.get(f"{site}/lists")
    assert "Hội CCB Trung đoàn 24" in browser.find_element(*_by("#imports")).text
    browser.save_screenshot(str(shots / "en-lists.png"))
