"""The map in a real Chromium (Debian's chromium + chromedriver): an analyst uploads a scanned
sheet georeferenced here with GDAL (a non-georeferenced one is refused in words first), the
leads' map shows it from this server's tiles — a tile fetched by the page holds the red square
drawn where the sheet says — with an opacity slider in Leaflet's layer control; the graticule
and the UTM/MGRS grid are turned on there, and the grid's labels and the pointer's MGRS are what
capture/coords.py reads at the same place. Screenshots in Vietnamese and English go to
$SOHOA_SCREENSHOTS (or a temporary folder)."""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path

import pytest

from capture.coords import CoordinateReader
from sync.server.web import i18n
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import chromium
from tests.sync import map_world as mw
from tests.sync.servers import CommandServer

pytestmark = pytest.mark.slow
_by = chromium.by


def _wait(condition, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    return chromium.wait_until(condition, timeout)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = mw.build(tmp_path_factory.mktemp("maps"))
    yield built
    built.store.engine.dispose()


@pytest.fixture(scope="module")
def site(world):
    server = CommandServer(create_web_app(WebConfig(world.data, policy=mw.FAST),
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
    driver = chromium.start(tmp_path_factory.mktemp("chromium-profile"), window="1280,1000")
    driver.set_page_load_timeout(180)  # an upload's page comes after GDAL has tiled the sheet
    yield driver
    driver.quit()


def _sign_in(browser, site: str, username: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    browser.delete_all_cookies()
    browser.get(f"{site}/lang/{lang}?next=/signin")
    browser.find_element(*_by("#username")).send_keys(username)
    browser.find_element(*_by("#password")).send_keys(mw.PASSWORDS[username])
    browser.find_element(*_by("#signin-button")).click()
    _wait(lambda: browser.current_url.rstrip("/") == site)


def _upload(browser, site: str, name: str, path: Path) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{site}/map/layers")
    browser.find_element(*_by('#layer-add input[name="name"]')).send_keys(name)
    browser.find_element(*_by('#layer-add input[type="file"]')).send_keys(str(path))
    old = browser.find_element(*_by("html"))
    browser.find_element(*_by("#layer-add button")).click()
    _wait(lambda: old != browser.find_element(*_by("html")), 60)


def _open_map(browser, site: str):  # type: ignore[no-untyped-def]
    browser.get(f"{site}/leads/map")
    drawn = _wait(lambda: browser.find_elements(*_by("#map.drawn, #map[data-error]")))[0]
    assert drawn.get_attribute("data-error") is None
    _wait(lambda: drawn.get_attribute("data-layers-shown") is not None)
    return drawn


def _overlay(browser, words: str) -> None:  # type: ignore[no-untyped-def]
    """Tick the layer control's overlay named ``words``."""
    for label in browser.find_elements(*_by(".leaflet-control-layers-overlays label")):
        if words in label.text:
            box = label.find_element(*_by("input[type=checkbox]"))
            if not box.is_selected():
                box.click()
            return
    raise AssertionError(f"no overlay {words!r} in the layer control")


TILE_PIXEL = """
const [url, px, py, done] = arguments;
fetch(url, {credentials: "same-origin"}).then(async (answer) => {
  const type = answer.headers.get("content-type");
  const image = await createImageBitmap(await answer.blob());
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  done([answer.status, type, ...context.getImageData(px, py, 1, 1).data]);
}).catch((error) => done(["failed", String(error)]));
"""


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def test_a_sheet_added_in_the_browser_is_drawn_with_the_grid(browser, site, world, shots,
                                                             tmp_path):
    vi = i18n.load()["vi"]
    _sign_in(browser, site, "binh", "vi")
    plain = tmp_path / "plain.tif"  # a scan nobody georeferenced yet
    (tmp_path / "plain.png").write_bytes(mw.sheet_png(128))
    subprocess.run(["gdal_translate", "-q", str(tmp_path / "plain.png"), str(plain)],
                   check=True, timeout=60)
    _upload(browser, site, "Tờ chưa nắn", plain)
    assert browser.find_element(*_by("#layer-error")).text == vi("layererror.not_georeferenced")
    browser.save_screenshot(str(shots / "vi-map-layer-refused.png"))

    _upload(browser, site, "Khe Sanh 6342 IV (L7014)", mw.sheet(tmp_path / "sheet"))
    row = browser.find_element(*_by("#layers tr[data-layer]"))
    layer_id = row.get_attribute("data-layer")
    assert "Indian 1960 / UTM zone 48N" in row.text
    browser.save_screenshot(str(shots / "vi-map-layers.png"))

    map_el = _open_map(browser, site)
    assert map_el.get_attribute("data-layers-shown") == "1"
    assert float(map_el.get_attribute("data-drawn-ms")) > 0
    pane = browser.find_element(*_by(f".map-layer-{layer_id}"))
    _wait(lambda: pane.find_elements(*_by("img.leaflet-tile-loaded")))
    # A tile as the page fetches it: the red square is where the sheet's middle is.
    lat, lon = mw.sheet_centre()
    x, y, px, py = mw.tile_of(lat, lon, 13)
    got = browser.execute_async_script(TILE_PIXEL, f"/map/layers/{layer_id}/13/{x}/{y}.png",
                                       px, py)
    assert got[:2] == [200, "image/png"], got
    r, g, b, a = got[2:]
    assert r > 150 and g < 60 and b < 60 and a == 255, got

    # The opacity slider under the sheet in the layer control.
    slider = browser.find_element(*_by(f'input.opacity[data-layer="{layer_id}"]'))
    browser.execute_script("arguments[0].value = '40';"
                           "arguments[0].dispatchEvent(new Event('input'));", slider)
    assert pane.value_of_css_property("opacity") == "0.4"
    browser.execute_script("arguments[0].value = '80';"
                           "arguments[0].dispatchEvent(new Event('input'));", slider)

    # The grids, turned on in the layer control; closer, each 1 km square is labelled.
    _overlay(browser, vi("map.utm_grid"))
    _overlay(browser, vi("map.graticule"))
    _wait(lambda: browser.find_elements(*_by(".utm-label")))
    assert any(" B" in e.text for e in browser.find_elements(*_by(".graticule-label")))
    browser.find_element(*_by(".leaflet-control-zoom-in")).click()
    cells = _wait(lambda: browser.find_elements(*_by(".utm-cell div[data-lat]")))
    reader = CoordinateReader()
    import mgrs

    converter = mgrs.MGRS()
    for cell in cells[:12]:
        text = cell.text
        at = float(cell.get_attribute("data-lat")), float(cell.get_attribute("data-lon"))
        assert text.startswith("48Q X"), text
        # The label is the parser's reading of the square's centre, and the square's centre
        # is where the parser reads the label.
        assert text.replace(" ", "") == converter.toMGRS(*at, MGRSPrecision=2)
        [read] = reader.best(text)
        assert _metres(read.lat, read.lon, *at) < 1.0, (text, at, read)

    # The pointer's MGRS, read back by the parser at the point the page says.
    from selenium.webdriver import ActionChains

    ActionChains(browser).move_to_element_with_offset(map_el, 37, -23).perform()
    pointer = browser.find_element(*_by("#pointer-mgrs"))
    _wait(lambda: pointer.text.startswith("48Q"))
    where = float(pointer.get_attribute("data-lat")), float(pointer.get_attribute("data-lon"))
    [read] = reader.best(pointer.text.split(" · ")[0])
    assert _metres(read.lat, read.lon, *where) < 1.0, (pointer.text, where)
    browser.save_screenshot(str(shots / "vi-map-grid.png"))

    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    assert loaded and all(url.startswith(site) for url in loaded), loaded


def test_the_map_and_its_layers_in_english(browser, site, world, shots, tmp_path):
    en = i18n.load()["en"]
    from sync.server import map_layers as ml
    from sync.server.actors import Actor

    admin = Actor("an", "admin")
    with world.store.begin() as conn:
        present = ml.layers(conn, admin)
    if not present:  # this test alone: the sheet the walk above uploads
        _id, folder = ml.new_work_folder(world.data)
        source = folder / "source.tif"
        source.write_bytes(mw.sheet(tmp_path).read_bytes())
        built = ml.build(admin, source, "0" * 64)
        with world.store.begin() as conn:
            ml.record(conn, admin, world.data, built, "Khe Sanh 6342 IV (L7014)", "sheet.tif",
                      mw.NOW)
    _sign_in(browser, site, "an", "en")
    browser.get(f"{site}/map/layers")
    assert browser.find_element(*_by("h1")).text == en("layers.title")
    assert browser.find_elements(*_by("#layers button.remove"))  # an admin may remove
    browser.save_screenshot(str(shots / "en-map-layers.png"))
    _open_map(browser, site)
    _overlay(browser, en("map.utm_grid"))
    _overlay(browser, en("map.graticule"))
    labels = _wait(lambda: browser.find_elements(*_by(".graticule-label")))
    assert any(e.text.endswith(" N") for e in labels)
    _wait(lambda: browser.find_elements(*_by(".utm-label")))
    browser.save_screenshot(str(shots / "en-map-grid.png"))
