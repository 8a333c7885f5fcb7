"""A lead from tip to verified in a real Chromium (Debian's chromium + chromedriver): the list,
the lead's page, the coordinate proposed from its grid reference accepted with a click, the
moves, a source added, verified; the GeoJSON export downloaded by the browser and parsed.
Screenshots in Vietnamese and English go to $SOHOA_SCREENSHOTS (or a temporary folder)."""

from __future__ import annotations

import json
import time

import pytest

from sync.server import accounts
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import workbench_world as ww
from tests.sync.servers import CommandServer
from tests.sync.test_web_leads import SPOKEN

# Fixtures shared with those modules (the world with a spoken lead, one Chromium, screenshots).
from tests.sync.test_web_leads import world as world
from tests.sync.test_workbench_browser import _by, _language, _sign_in, _wait
from tests.sync.test_workbench_browser import browser as browser
from tests.sync.test_workbench_browser import shots as shots

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(world):
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    server = CommandServer(create_web_app(WebConfig(world.data, policy=policy),
                                          world.store)).start()
    yield server.url
    server.stop()


def _click(browser, css: str) -> None:  # type: ignore[no-untyped-def]
    old = browser.find_element(*_by("html"))
    browser.find_element(*_by(css)).click()
    _wait(lambda: old != browser.find_element(*_by("html")))  # the next page is there


def test_a_lead_from_tip_to_verified_in_the_browser(browser, site, shots, tmp_path):
    _language(browser, site, "vi")
    _sign_in(browser, site, "binh", ww.PASSWORDS["binh"])
    _wait(lambda: browser.current_url.rstrip("/") == site)
    browser.get(f"{site}/leads")
    assert "Nguồn tin về mộ liệt sĩ" in browser.find_element(*_by("h1")).text
    browser.save_screenshot(str(shots / "vi-leads.png"))
    _click(browser, f'a[href="/leads/{SPOKEN}"]')
    assert browser.find_element(*_by("#lead-state")).get_attribute("data-state") == "received"
    assert "48Q XD 841 420" in browser.find_element(*_by("#proposals")).text
    browser.save_screenshot(str(shots / "vi-lead-received.png"))
    _click(browser, "#proposals button.accept")
    assert "48QXD84" in browser.find_element(*_by("#lead-coordinate")).text
    assert "đã chấp nhận" in browser.find_element(*_by("#proposals")).text
    for to in ("screening", "cross_checked"):
        _click(browser, f'button[data-to="{to}"]')
    _click(browser, 'button[data-to="verified"]')
    assert "Cần hai nguồn độc lập" in browser.find_element(*_by("#lead-error")).text
    browser.find_element(*_by('input[name="reference"]')).send_keys("Sơ đồ mộ, Đoàn 559")
    _click(browser, 'input[name="reference"] ~ button')
    why = browser.find_elements(*_by('form.move input[name="why"]'))
    verified_form = next(w for w in why if w.find_element(
        "xpath", "..").find_elements(*_by('button[data-to="verified"]')))
    verified_form.send_keys("lưới và sơ đồ khớp nhau")
    _click(browser, 'button[data-to="verified"]')
    state = browser.find_element(*_by("#lead-state"))
    assert state.get_attribute("data-state") == "verified" and state.text == "Đã xác minh"
    browser.save_screenshot(str(shots / "vi-lead-verified.png"))

    # The export, downloaded by the browser itself.
    browser.execute_cdp_cmd("Browser.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(f"{site}/leads?state=verified")
    browser.find_element(*_by('a.export[data-format="geojson"]')).click()
    deadline = time.monotonic() + 20
    while not (tmp_path / "leads.geojson").exists():
        assert time.monotonic() < deadline, "the export never arrived"
        time.sleep(0.1)
    time.sleep(0.2)
    exported = json.loads((tmp_path / "leads.geojson").read_text("utf-8"))
    assert [f["id"] for f in exported["features"]] == [SPOKEN]
    assert exported["features"][0]["properties"]["state"] == "verified"

    _language(browser, site, "en")
    browser.get(f"{site}/leads/{SPOKEN}")
    assert browser.find_element(*_by("#lead-state")).text == "Verified"
    assert "accepted" in browser.find_element(*_by("#proposals")).text
    browser.save_screenshot(str(shots / "en-lead-verified.png"))
    browser.get(f"{site}/leads")
    browser.save_screenshot(str(shots / "en-leads.png"))


def test_the_map_draws_the_leads_from_this_server_only(browser, site, shots):
    """After the walk above: the verified lead is on the map (Leaflet and its clusters served by
    this server, no tile or script from elsewhere)."""
    _language(browser, site, "vi")
    _sign_in(browser, site, "dung", ww.PASSWORDS["dung"])  # a reader sees the map too
    _wait(lambda: browser.current_url.rstrip("/") == site)
    browser.get(f"{site}/leads/map")
    drawn = _wait(lambda: browser.find_elements(*_by("#map.drawn, #map[data-error]")))
    assert drawn[0].get_attribute("data-error") is None
    assert drawn[0].get_attribute("data-leads") == "1"
    assert browser.find_elements(*_by("#map path.leaflet-interactive"))  # the lead's dot
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    assert loaded and all(url.startswith(site) for url in loaded), loaded
    browser.save_screenshot(str(shots / "vi-leads-map.png"))
