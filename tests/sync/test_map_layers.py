"""The command's map layers with the real GDAL (Debian's gdal-bin) over the workbench's real HTTP
app: a scanned sheet in Indian 1960 / UTM drawn here, georeferenced with gdal_translate, uploaded
by an analyst, tiled, its tiles served with the drawn pixels where the parser says they are; a
VN-2000 sheet; an MBTiles file taken tile by tile; hostile uploads refused with a sentence in
Vietnamese (not a raster, not georeferenced, damaged, a VRT that names other files, 16-bit, too
many pixels, too slow, too large before a byte is parsed, vector or off-grid tiles); roles; an
admin removes a layer and its tiles are gone. And the leads as the map draws them."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from capture.coords import CoordinateReader
from sync.server import map_layers as ml
from sync.server.actors import Actor, Forbidden
from sync.server.web import i18n
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import map_world as mw

pytestmark = pytest.mark.slow  # GDAL runs a few dozen times (~20 s)

ANALYST, ADMIN, READER = Actor("binh", "analyst"), Actor("an", "admin"), Actor("dung", "reader")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = mw.build(tmp_path_factory.mktemp("maps"))
    yield built
    built.store.engine.dispose()


@pytest.fixture(scope="module")
def app(world):
    return create_web_app(WebConfig(world.data, policy=mw.FAST), world.store)


@pytest.fixture(scope="module")
def clients(app):
    return {name: mw.client(app, name) for name in mw.ROLES}


def _upload(client, path: Path | None, name: str = "Khe Sanh 6342 IV", content: bytes | None = None,
            filename: str = "sheet.tif"):  # type: ignore[no-untyped-def]
    page = client.get("/map/layers")
    body = content if content is not None else path.read_bytes()  # type: ignore[union-attr]
    return client.post("/map/layers", data={"csrf": mw.csrf_of(page.text), "name": name},
                       files={"file": (filename, body, "image/tiff")})


def _layers(client) -> list[dict]:  # type: ignore[no-untyped-def]
    return client.get("/map/layers.json").json()["layers"]


def _refusal(answer) -> str:  # type: ignore[no-untyped-def]
    import re

    assert answer.status_code == 400, answer.text[:300]
    return re.search(r'id="layer-error" data-code="(\w+)"', answer.text).group(1)


def test_a_sheet_in_indian_1960_is_tiled_and_its_pixels_are_where_the_parser_reads(
        world, clients, tmp_path):
    tif = mw.sheet(tmp_path)
    answer = _upload(clients["binh"], tif)
    assert answer.status_code == 303, answer.text[:500]
    [layer] = [x for x in _layers(clients["dung"]) if x["name"] == "Khe Sanh 6342 IV"]
    page = clients["binh"].get("/map/layers").text
    assert "Indian 1960 / UTM zone 48N (EPSG:3148)" in page
    assert "Gỡ bỏ" not in page  # an analyst adds; only an admin removes

    # The sheet's corners as GDAL tiled them are where capture/coords.py reads the same
    # Indian 1960 UTM numbers (the same EPSG:1542 transformation), within a pixel of the zoom:
    # the layer's bounds are the envelope of the four (UTM's edges are not meridians).
    reader = CoordinateReader()
    west, north, east, south = mw.SHEET_ULLR
    corners = [reader.best(f"Indian 1960, UTM 48Q {e} {n}")[0]
               for e in (west, east) for n in (north, south)]
    pixel_deg = 360 / 256 / 2 ** layer["max_zoom"]
    w, s, e, n = layer["bounds"]
    assert abs(w - min(c.lon for c in corners)) <= pixel_deg
    assert abs(e - max(c.lon for c in corners)) <= pixel_deg
    assert abs(s - min(c.lat for c in corners)) <= pixel_deg
    assert abs(n - max(c.lat for c in corners)) <= pixel_deg
    assert layer["max_zoom"] == 13  # 19.5 m pixels: zoom 13's 19.1 m is the nearest

    lat, lon = mw.sheet_centre()
    for z in (layer["max_zoom"], layer["min_zoom"]):
        x, y, px, py = mw.tile_of(lat, lon, z)
        tile = clients["dung"].get(f"/map/layers/{layer['id']}/{z}/{x}/{y}.png")
        assert tile.status_code == 200 and tile.headers["content-type"] == "image/png"
        assert tile.headers["cache-control"].startswith("private")
        r, g, b, a = mw.pixel(tile.content, px, py)
        assert r > 150 and g < 60 and b < 60 and a == 255, (z, r, g, b, a)
    # North of the red square, inside the blue bar along the sheet's top edge.
    x, y, px, py = mw.tile_of(n - 0.01 * (n - s), lon, layer["max_zoom"])
    r, g, b, a = mw.pixel(clients["dung"].get(
        f"/map/layers/{layer['id']}/{layer['max_zoom']}/{x}/{y}.png").content, px, py)
    assert b > 150 and r < 60, (r, g, b)
    # Far from the sheet: no tile; off the grid or not a number: none either.
    assert clients["dung"].get(f"/map/layers/{layer['id']}/13/0/0.png").status_code == 204
    assert clients["dung"].get(f"/map/layers/{layer['id']}/13/x/0.png").status_code == 404
    assert clients["dung"].get("/map/layers/../../etc/1/1/1.png").status_code == 404


def test_a_vn2000_sheet_and_an_mbtiles_file_are_taken(world, tmp_path):
    vn = mw.sheet(tmp_path / "vn", srs="EPSG:3405")  # VN-2000 / UTM 48N
    folder = _work(world, vn)
    built = ml.build(ANALYST, folder, "0" * 64)
    assert built.source_crs == "VN-2000 / UTM zone 48N (EPSG:3405)"
    with world.store.begin() as conn:
        layer_id = ml.record(conn, ANALYST, world.data, built, "VN-2000 thử", "vn.tif", mw.NOW)
    tiles = ml.layers_folder(world.data) / layer_id / ml.TILES

    # That layer's own MBTiles, uploaded again as an MBTiles file, is copied tile by tile.
    copy = _work(world, tiles, "source.mbtiles")
    again = ml.build(ADMIN, copy, "1" * 64)
    assert (again.kind, again.tile_count, again.max_zoom) == ("mbtiles", built.tile_count,
                                                              built.max_zoom)
    for a, b in zip(again.bounds, built.bounds, strict=True):
        assert abs(a - b) < 0.1  # tile edges, not the sheet's edges
    ml.discard(copy.parent)


def _work(world, source: Path, name: str = "source.tif") -> Path:  # type: ignore[no-untyped-def]
    _id, folder = ml.new_work_folder(world.data)
    target = folder / name
    target.write_bytes(source.read_bytes())
    return target


def _tiff(tmp_path: Path, *args: str) -> Path:
    png = tmp_path / "plain.png"
    png.write_bytes(mw.sheet_png(64))
    out = tmp_path / f"plain{len(list(tmp_path.iterdir()))}.tif"
    subprocess.run(["gdal_translate", "-q", *args, str(png), str(out)], check=True, timeout=60)
    return out


def test_hostile_uploads_are_refused_with_a_sentence(world, clients, tmp_path):
    analyst = clients["binh"]
    before = len(_layers(analyst))
    png = tmp_path / "a.png"
    png.write_bytes(mw.sheet_png(64))
    vrt = (b'<VRTDataset rasterXSize="1" rasterYSize="1"><VRTRasterBand dataType="Byte" band="1">'
           b'<SimpleSource><SourceFilename>/etc/passwd</SourceFilename></SimpleSource>'
           b'</VRTRasterBand></VRTDataset>')
    whole = mw.sheet(tmp_path / "whole").read_bytes()
    cases = {
        "not_a_layer": png.read_bytes(),  # a PNG named .tif
        "not_georeferenced": _tiff(tmp_path).read_bytes(),
        "corrupt": whole[:5000],  # a TIFF cut short
        "bad_bands": _tiff(tmp_path, "-ot", "UInt16", "-a_srs", "EPSG:3148", "-a_ullr",
                           "680000", "1846000", "690000", "1836000").read_bytes(),
    }
    for code, content in cases.items():
        assert _refusal(_upload(analyst, None, content=content)) == code, code
    assert _refusal(_upload(analyst, None, content=vrt, filename="sheet.vrt")) == "not_a_layer"
    said = _upload(analyst, None, content=cases["not_georeferenced"]).text
    assert i18n.load()["vi"]("layererror.not_georeferenced") in said
    assert _refusal(_upload(analyst, None, name="  ", content=whole)) == "no_name"
    assert len(_layers(analyst)) == before
    assert not list(ml.layers_folder(world.data).glob(".incoming-*"))  # nothing left behind

    # The budgets: pixels and time (checked by GDAL's own account of the file), memory.
    for limits, code in ((ml.Limits(max_pixels=10_000), "too_many_pixels"),
                         (ml.Limits(timeout_s=0.01), "timeout"),
                         (ml.Limits(max_zoom=30, max_output_pixels=1000), "too_many_pixels"),
                         # GDAL runs under prlimit: in 24 MiB of address space it cannot start
                         (ml.Limits(memory_bytes=24 << 20), "corrupt")):
        with pytest.raises(ml.LayerError) as refused:
            ml.build(ANALYST, _work(world, tmp_path / "whole" / "sheet.tif"), "0" * 64, limits)
        assert refused.value.code == code


def test_hostile_mbtiles_files_are_refused(world, tmp_path):
    def mbtiles(rows: list[tuple]) -> Path:  # type: ignore[type-arg]
        path = tmp_path / f"m{len(list(tmp_path.iterdir()))}.mbtiles"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
            db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                       "tile_row INTEGER, tile_data BLOB)")
            db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
        return path

    png = BytesIO()
    from PIL import Image

    Image.new("RGB", (256, 256), mw.RED).save(png, "PNG")
    for rows, code in (([(3, 1, 1, b"\x1a\x02vector tile")], "not_raster"),
                       ([(3, 9, 1, png.getvalue())], "bad_tile"),
                       ([], "no_tiles")):
        with pytest.raises(ml.LayerError) as refused:
            ml.build(ADMIN, _work(world, mbtiles(rows), "source.mbtiles"), "0" * 64)
        assert refused.value.code == code
    garbage = tmp_path / "garbage.mbtiles"
    garbage.write_bytes(ml.SQLITE_MAGIC + b"\x00\x01" * 4000)
    with pytest.raises(ml.LayerError) as refused:
        ml.build(ADMIN, _work(world, garbage, "source.mbtiles"), "0" * 64)
    assert refused.value.code == "corrupt"
    with pytest.raises(Forbidden):  # a reader adds nothing, whatever the file
        ml.build(READER, _work(world, mbtiles([(3, 1, 1, png.getvalue())]), "source.mbtiles"),
                 "0" * 64)


def test_a_body_over_the_cap_is_refused_before_it_is_parsed(world, tmp_path):
    small = create_web_app(WebConfig(world.data, policy=mw.FAST,
                                     map_limits=ml.Limits(max_bytes=50_000)), world.store)
    analyst = mw.client(small, "binh")
    answer = _upload(analyst, None, content=b"II*\x00" + b"\x00" * 200_000)
    assert answer.status_code == 413
    assert i18n.load()["vi"]("error.too_large") in answer.text
    # The anonymous are sent to sign in, and nothing of their body is read.
    anonymous = mw.client(small, None)
    assert anonymous.post("/map/layers", content=b"x" * 200_000).status_code == 303


def test_roles_and_an_admin_removes_a_layer(world, clients, tmp_path):
    reader, verifier, analyst, admin = (clients[n] for n in ("dung", "cuong", "binh", "an"))
    assert reader.get("/map/layers").status_code == 403
    assert verifier.get("/map/layers").status_code == 403
    csrf = mw.csrf_of(reader.get("/leads/map").text)
    assert reader.post("/map/layers", data={"csrf": csrf, "name": "x"},
                       files={"file": ("a.tif", b"II*\x00", "image/tiff")}).status_code == 403
    layer = _layers(reader)[0]
    analyst_csrf = mw.csrf_of(analyst.get("/map/layers").text)
    assert analyst.post(f"/map/layers/{layer['id']}/remove",
                        data={"csrf": analyst_csrf}).status_code == 403
    page = admin.get("/map/layers").text
    assert f'id="layer-{layer["id"]}"' in page and "Gỡ bỏ" in page
    assert admin.post(f"/map/layers/{layer['id']}/remove", data={}).status_code == 403  # no token
    done = admin.post(f"/map/layers/{layer['id']}/remove", data={"csrf": mw.csrf_of(page)})
    assert done.status_code == 303
    assert layer["id"] not in [x["id"] for x in _layers(reader)]
    assert not (ml.layers_folder(world.data) / layer["id"]).exists()
    assert reader.get(f"/map/layers/{layer['id']}/13/0/0.png").status_code == 404
    assert admin.post(f"/map/layers/{layer['id']}/remove",
                      data={"csrf": mw.csrf_of(page)}).status_code == 404


def test_the_map_draws_the_leads_from_a_compact_list(clients):
    found = clients["dung"].get("/map/leads.json").json()
    [row] = [r for r in found["leads"] if r[0] == mw.LEAD]
    _id, lat, lon, state, radius, proposed, label = row
    [reading] = CoordinateReader().best("48Q XD 841 420")
    assert (round(lat, 5), round(lon, 5)) == (round(reading.lat, 5), round(reading.lon, 5))
    assert found["states"][state] == "received" and proposed == 1 and radius == 71
    assert label == "Mộ dưới gốc đa, <b>bản đồ cũ</b>"  # JSON: the page makes it a text node
    assert clients["dung"].get("/map/leads.json?state=verified").json()["leads"] == []
    assert clients["dung"].get("/map/leads.json?state=nonsense").status_code == 400
    assert json.loads(clients["dung"].get("/map/layers.json").text)["layers"] is not None


def test_the_compact_list_places_each_lead_where_leads_positions_does(world, clients):
    from sync.server import leads as ld

    mw.seed_leads(world.store, 240)
    with world.store.begin() as conn:
        where = ld.positions(conn)
        states = dict(conn.execute(select(ld.lead_states.c.lead_id, ld.lead_states.c.state)).all())
    for state in (None, "verified", "received"):
        rows = clients["dung"].get("/map/leads.json", params={"state": state} if state else {}
                                   ).json()["leads"]
        wanted = {k for k in where if state in (None, states[k])}
        assert {r[0] for r in rows} == wanted and len(rows) == len(wanted), state
        for lead_id, lat, lon, _state, radius, proposed, _label in rows:
            point = where[lead_id]
            assert (lat, lon, radius) == (round(point[0], 6), round(point[1], 6),
                                          round(point[2]))
            assert proposed == (point[3] != "coordinate")
