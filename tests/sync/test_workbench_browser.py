"""The workbench in a real Chromium (Debian's chromium + chromedriver through Selenium), as the
command's staff use it: sign in, a wrong password, search with and without accents, a visit
with a testimony that plays and jumps to a marker, a photo, a reader kept out of an admin page,
a form sent without its CSRF token refused; strings typed at a station stay text. Screenshots
in Vietnamese and English go to $SOHOA_SCREENSHOTS (or the test's temporary folder).

One browser and one command for the whole module: starting Chromium is the slow part.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sync.server import accounts
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import chromium
from tests.sync import workbench_world as ww
from tests.sync.servers import CommandServer

pytestmark = pytest.mark.slow



@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbench")
    built = ww.build(folder, f"sqlite:///{folder / 'server.db'}")
    yield built
    built.store.engine.dispose()


@pytest.fixture(scope="module")
def site(world):
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    server = CommandServer(create_web_app(WebConfig(world.data, policy=policy),
                                          world.store)).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SOHOA_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium.start(tmp_path_factory.mktemp("chromium-profile"), window="1280,1000",
                            flags=["--autoplay-policy=no-user-gesture-required"])
    yield driver
    driver.quit()


_by = chromium.by


def _wait(condition, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    return chromium.wait_until(condition, timeout)


def _sign_in(browser, site: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    browser.delete_all_cookies()
    browser.get(f"{site}/signin")
    browser.find_element(*_by("#username")).send_keys(username)
    browser.find_element(*_by("#password")).send_keys(password)
    browser.find_element(*_by("#signin-button")).click()


def _language(browser, site: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{site}/lang/{lang}?next=/signin")


def test_a_wrong_password_is_refused_and_a_right_one_lets_in(browser, site, shots):
    _language(browser, site, "vi")
    _sign_in(browser, site, "binh", "không phải mật khẩu")
    error = browser.find_element(*_by("#signin-error")).text
    assert "Sai tên đăng nhập hoặc mật khẩu" in error
    assert browser.find_element(*_by("#username")).get_attribute("value") == "binh"
    browser.save_screenshot(str(shots / "vi-signin-refused.png"))
    _sign_in(browser, site, "binh", ww.PASSWORDS["binh"])
    _wait(lambda: browser.current_url.rstrip("/") == site)
    assert "binh · phân tích" in browser.find_element(*_by(".account")).text
    cookie = browser.get_cookie("sohoa_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    browser.save_screenshot(str(shots / "vi-home.png"))


def test_search_finds_the_same_with_and_without_accents(browser, site, world, shots):
    counts = {}
    for words in ("goc cay da", "gốc cây đa", "GOC CAY DA"):
        browser.get(f"{site}/search")
        box = browser.find_element(*_by("#q"))
        box.send_keys(words)
        browser.find_element(*_by("#search-button")).click()
        # htmx swaps the results in and pushes the address; without it the form is a GET.
        _wait(lambda: browser.find_elements(*_by("#result-count")))
        _wait(lambda: "q=" in browser.current_url)
        hits = browser.find_elements(*_by("li.hit"))
        counts[words] = {(h.get_attribute("data-kind"), h.find_element(*_by("a")).text)
                         for h in hits}
    assert counts["goc cay da"] == counts["gốc cây đa"] == counts["GOC CAY DA"]
    kinds = {kind for kind, _ in counts["goc cay da"]}
    assert {"marker", "lead"} <= kinds
    # The results came through htmx, the copy vendored in this server (nothing else may load).
    assert browser.execute_script("return typeof htmx") == "object"
    browser.save_screenshot(str(shots / "vi-search.png"))


def test_a_visit_shows_its_testimony_and_a_marker_moves_the_player(browser, site, world,
                                                                   shots):
    browser.get(f"{site}/search?q=nguyen+van+hung&kind=martyr")
    browser.find_element(*_by("li.hit a")).click()
    _wait(lambda: f"/visits/{world.visit_id}" in browser.current_url)
    page = browser.find_element(*_by("main")).text
    for shown in ("Nguyễn Văn Hùng", "Trần Văn Bảy", "Lời kể của Trần Văn Bảy",
                  "Chôn cất dưới gốc cây đa", "tiếng Việt (Nghệ An)", "Chữ ký số hợp lệ",
                  "gọi buổi tối", "đã duyệt"):
        assert shown in page
    # What a station typed stays text: the tags are shown, nothing ran.
    assert ww.HOSTILE_LABEL in page and ww.HOSTILE_NOTE in page and ww.FORMULA in page
    assert "Thư gửi mẹ <b>1971</b>" in page
    assert browser.title != "pwned"
    assert browser.find_elements(*_by("main script, main img[src='x']")) == []

    audio = browser.find_element(*_by("audio"))
    # Nothing of the recording is fetched until someone asks for it.
    assert browser.execute_script("return arguments[0].readyState", audio) == 0
    marker = browser.find_elements(*_by("a.marker[data-seconds]"))[1]  # "Đại đội 3" at 2.0 s
    assert marker.text == "0:02"
    marker.click()
    _wait(lambda: browser.execute_script("return arguments[0].readyState", audio) >= 1)
    duration = browser.execute_script("return arguments[0].duration", audio)
    assert duration == pytest.approx(ww.SECONDS, abs=0.2)
    moved = _wait(lambda: browser.execute_script(
        "return arguments[0].currentTime >= 1.95 && arguments[0].currentTime", audio))
    assert 1.95 <= moved < ww.SECONDS
    # It plays on from there (the range request for the middle of the FLAC was answered).
    _wait(lambda: browser.execute_script("return arguments[0].currentTime", audio) > moved)
    browser.execute_script("arguments[0].pause()", audio)
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(url.startswith(site + "/") for url in loaded), loaded
    browser.execute_script("document.getElementById('testimonies').scrollIntoView()")
    browser.save_screenshot(str(shots / "vi-visit-testimony.png"))
    browser.execute_script("document.getElementById('consents').scrollIntoView()")
    browser.save_screenshot(str(shots / "vi-visit-consent-press.png"))


def test_a_video_plays_in_the_page(browser, site, world, shots):
    browser.get(f"{site}/visits/{world.visit_id}#items")
    video = browser.find_element(*_by(f"#video-{world.ids['video']} video"))
    browser.execute_script("arguments[0].muted = true; arguments[0].play()", video)
    _wait(lambda: browser.execute_script("return arguments[0].currentTime", video) > 0.3)
    assert browser.execute_script("return arguments[0].videoWidth", video) == 160
    browser.execute_script("arguments[0].pause()", video)
    browser.execute_script("document.getElementById('items').scrollIntoView()")
    browser.save_screenshot(str(shots / "vi-visit-items.png"))


def test_a_photo_opens_turned_as_stored_with_next_and_zoom(browser, site, world, shots):
    browser.get(f"{site}/visits/{world.visit_id}#items")
    browser.find_element(*_by("a.thumb")).click()
    _wait(lambda: browser.find_elements(*_by("#photo")))
    image = browser.find_element(*_by("#photo"))
    _wait(lambda: browser.execute_script("return arguments[0].complete && "
                                         "arguments[0].naturalWidth", image))
    size = browser.execute_script("return [arguments[0].naturalWidth, "
                                  "arguments[0].naturalHeight]", image)
    assert size[0] > size[1]  # the first page is as photographed, wider than tall
    browser.save_screenshot(str(shots / "vi-photo.png"))
    assert "ảnh 1/2" in browser.find_element(*_by("#photo-position")).text
    browser.find_element(*_by("#photo-next")).click()
    _wait(lambda: "ảnh 2/2" in browser.find_element(*_by("#photo-position")).text)
    image = browser.find_element(*_by("#photo"))
    _wait(lambda: browser.execute_script("return arguments[0].complete && "
                                         "arguments[0].naturalWidth", image))
    turned = browser.execute_script("return [arguments[0].naturalWidth, "
                                    "arguments[0].naturalHeight]", image)
    assert turned[1] > turned[0]  # the second was turned a quarter at the station
    browser.find_elements(*_by("a.zoom-step"))[1].click()  # 3×
    _wait(lambda: "zoom=3" in browser.current_url)
    shown = browser.find_element(*_by("#photo"))
    assert "zoom-3" in shown.get_attribute("class")
    assert browser.find_element(*_by(".download"))  # an analyst may take the original
    browser.save_screenshot(str(shots / "vi-photo-zoomed.png"))


def test_a_form_sent_without_its_csrf_token_is_refused(browser, site, world):
    browser.get(f"{site}/")
    browser.execute_script(
        "const form = document.querySelector('form[action=\"/signout\"]');"
        "form.querySelector('input[name=csrf]').remove(); form.submit();")
    _wait(lambda: browser.find_elements(*_by("#refusal")))
    assert browser.find_element(*_by("#refusal")).get_attribute("data-code") == "csrf"
    browser.get(f"{site}/")
    assert browser.find_elements(*_by(".account"))  # still signed in: nothing happened


def test_a_reader_is_kept_out_of_the_access_log(browser, site, shots):
    _sign_in(browser, site, "dung", ww.PASSWORDS["dung"])
    _wait(lambda: browser.find_elements(*_by(".account")))
    assert browser.find_elements(*_by("a[href='/access-log']")) == []
    browser.get(f"{site}/access-log")
    refusal = browser.find_element(*_by("#refusal"))
    assert refusal.get_attribute("data-code") == "forbidden"
    assert "Vai trò của bạn không được xem trang này" in refusal.text
    browser.save_screenshot(str(shots / "vi-reader-refused.png"))


def test_in_english_and_the_admin_sees_who_looked(browser, site, world, shots):
    _sign_in(browser, site, "an", ww.PASSWORDS["an"])
    _wait(lambda: browser.find_elements(*_by(".account")))
    browser.find_element(*_by(".langs a[lang=en]")).click()
    _wait(lambda: "Sign out" in browser.find_element(*_by("header")).text)
    browser.save_screenshot(str(shots / "en-home.png"))
    browser.get(f"{site}/visits/{world.visit_id}")
    assert "Testimony of Trần Văn Bảy" in browser.find_element(*_by("main")).text
    browser.save_screenshot(str(shots / "en-visit.png"))
    browser.get(f"{site}/access-log")
    log = browser.find_element(*_by("main")).text
    assert "The hash chain is whole" in log
    assert "binh · analyst" in log and "viewed the visit" in log and "played" in log
    browser.save_screenshot(str(shots / "en-access-log.png"))
    browser.get(f"{site}/stations")
    assert "Trạm Hải Lăng" in browser.find_element(*_by("#stations")).text
    browser.save_screenshot(str(shots / "en-stations.png"))
    browser.get(f"{site}/accounts")
    assert "dung" in browser.find_element(*_by("#accounts")).text
    browser.save_screenshot(str(shots / "en-accounts.png"))
