"""Cases in a real Chromium (Debian's chromium + chromedriver): an analyst searches without
accents, reviews a proposed pair and merges it, undoes the merge, splits a grave out of a
case, sees the contradicting death dates side by side with their sources, and records a DNA
sample collected, sent and matched. Screenshots in Vietnamese and English go to
$SOHOA_SCREENSHOTS (or a temporary folder)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.sync import cases_site
from tests.sync import workbench_world as ww
from tests.sync.test_leads_browser import _click
from tests.sync.test_workbench_browser import _by, _language, _sign_in, _wait
from tests.sync.test_workbench_browser import browser as browser
from tests.sync.test_workbench_browser import shots as shots

# The command serving this module's world (the fixture reads the ``world`` defined here).
from tests.sync.test_workbench_browser import site as site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = cases_site.build_light(tmp_path_factory.mktemp("cases-browser"))
    yield built
    built.store.engine.dispose()


def _texts(browser, css: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in browser.find_elements(*_by(css))]


def test_review_merge_undo_and_split_in_the_browser(browser, site, world, shots):
    ids = world.ids
    _language(browser, site, "vi")
    _sign_in(browser, site, "binh", ww.PASSWORDS["binh"])
    _wait(lambda: browser.current_url.rstrip("/") == site)
    browser.get(f"{site}/cases")
    browser.find_element(*_by("#case-q")).send_keys("le van tam")
    browser.find_element(*_by("form.search button")).click()  # htmx swaps the results
    _wait(lambda: "q=le" in browser.current_url
          and len(browser.find_elements(*_by("tr.case-row"))) == 2)
    browser.save_screenshot(str(shots / "vi-cases.png"))

    # The queue: skip the pairs the model already put together, to the one across two cases.
    browser.get(f"{site}/cases/review")
    for _ in range(5):
        if browser.find_elements(*_by("#pair-two-cases")):
            break
        _click(browser, "#skip")
    assert "Lê Văn Tám" in browser.find_element(*_by("#pair")).text
    assert "Quê quán" in browser.find_element(*_by("#reasons")).text
    browser.save_screenshot(str(shots / "vi-cases-review.png"))
    browser.find_element(*_by('form.decide input[name="why"]')).send_keys("cùng năm sinh")
    _click(browser, "#decide-same")
    assert "Đã ghi quyết định" in browser.find_element(*_by("#review-done")).text
    _click(browser, "#done-case")
    kept = unquote(browser.current_url.rsplit("/", 1)[1])
    assert len(browser.find_elements(*_by("article.mention"))) == 2
    assert "Gộp" in browser.find_element(*_by('div.link[data-action="merge"]')).text
    browser.save_screenshot(str(shots / "vi-case-merged.png"))
    _click(browser, 'div.link[data-action="merge"] button.undo')
    assert unquote(browser.current_url).endswith(f"/cases/{kept}")
    assert len(browser.find_elements(*_by("article.mention"))) == 1
    assert "đã hoàn tác bởi binh" in browser.find_element(*_by("#links")).text

    # Hùng's case: the grave split out of it.
    browser.get(f"{site}/cases/{ids['hung_case']}")
    browser.find_element(*_by(f'input[name="mention"][value="{ids["grave"]}"]')).click()
    _click(browser, "#split-button")
    split_off = unquote(browser.current_url.rsplit("/", 1)[1])
    assert split_off != ids["hung_case"]
    assert [m.get_attribute("data-kind") for m in browser.find_elements(
        *_by("article.mention"))] == ["list_graves"]
    browser.get(f"{site}/cases/{ids['hung_case']}")
    assert "Tách" in browser.find_element(*_by('div.link[data-action="split"]')).text
    assert not browser.find_elements(*_by(f'[data-mention="{ids["grave"]}"]'))


def test_contradictions_side_by_side_and_dna_steps_in_the_browser(browser, site, world, shots):
    ids = world.ids
    _language(browser, site, "vi")
    _sign_in(browser, site, "binh", ww.PASSWORDS["binh"])
    _wait(lambda: browser.current_url.rstrip("/") == site)
    # The two death dates kept side by side, each with where it came from.
    browser.get(f"{site}/cases/{ids['hung_case']}")
    death = browser.find_element(*_by('tr[data-field="death_date"]'))
    assert death.get_attribute("data-contradiction") == "yes"
    assert "mâu thuẫn" in death.text and "1972-08-15" in death.text and "20/9/1972" in death.text
    assert "dòng 2" in death.text  # the list's line the date came from
    assert death.find_elements(*_by(f'a[href="/visits/{world.visit_id}"]'))
    browser.save_screenshot(str(shots / "vi-case-contradictions.png"))

    # DNA: the mother is willing and on the maternal line, the father's brother is not; a
    # sample collected from the mother, sent, matched to the grave.
    _click(browser, "#dna-link")
    maternal = {r.get_attribute("data-person"): r.get_attribute("data-maternal")
                for r in browser.find_elements(*_by("tr.relative"))}
    assert maternal == {"p-mother": "yes", "p-sister": "yes", "p-uncle": "no"}
    assert "gọi buổi tối" in browser.find_element(*_by('tr[data-person="p-mother"]')).text
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(*_by("#collect-person"))).select_by_value("p-mother")
    browser.find_element(*_by("#collect-code")).send_keys("QT-2026-0042")
    _click(browser, "#collect-button")
    browser.find_element(*_by('form.next-step input[name="laboratory"]')).send_keys(
        "Viện Công nghệ sinh học")
    _click(browser, 'form.next-step button[data-step="sent"]')
    browser.find_element(*_by('form.next-step input[name="grave_ref"]')).send_keys(
        "Nghĩa trang Trường Sơn, mộ B-12")
    _click(browser, 'form.next-step button[data-step="result"]')
    sample = browser.find_element(*_by('article.sample[data-sample="QT-2026-0042"]'))
    assert sample.get_attribute("data-stage") == "result"
    assert _texts(browser, "li.step")[0].startswith("Đã lấy mẫu")
    assert "Trùng khớp với mộ" in sample.text and "ghi bởi binh" in sample.text
    browser.save_screenshot(str(shots / "vi-case-dna.png"))

    _language(browser, site, "en")
    browser.get(f"{site}/cases/{ids['hung_case']}/dna")
    assert "Match to a grave" in browser.find_element(*_by("#samples")).text
    browser.save_screenshot(str(shots / "en-case-dna.png"))
    browser.get(f"{site}/cases/{ids['hung_case']}")
    assert "contradiction" in browser.find_element(*_by('tr[data-field="death_date"]')).text
    browser.save_screenshot(str(shots / "en-case-contradictions.png"))
    browser.get(f"{site}/cases")
    browser.save_screenshot(str(shots / "en-cases.png"))
