"""The leads on the workbench, through its real HTTP app over a real ingested visit: the list
with its state filter, a lead from tip to verified by accepting the coordinate proposed from its
grid reference, a refusal said in words, a reader who sees no form and is refused one, the
exports (GeoJSON, KML, GPX, CSV with MGRS) parsed back, and the API."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from sync.server import accounts
from sync.server import index as ix
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import workbench_world as ww

SPOKEN = "70000000-0000-4000-8000-000000000001"
SPOKEN_VISIT = "70000000-0000-4000-8000-0000000000aa"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("leads")
    built = ww.build(folder, f"sqlite:///{folder / 'server.db'}")
    with built.store.begin() as conn:  # a second visit, whose lead gave a grid reference
        ix.index_record(conn, {
            "format": "sohoa-visit/1",
            "visit": {"id": SPOKEN_VISIT, "visit_date": "2026-11-30", "province_code": 1,
                      "ward_code": 4},
            "leads": [{"id": SPOKEN, "description": "Mộ ở đồi cây sim, bản đồ cũ",
                       "grid_reference": "48Q XD 841 420"}]},
            built.station_id, built.batch_id, ww.NOW, consents=[])
    yield built
    built.store.engine.dispose()


@pytest.fixture(scope="module")
def app(world):
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    return create_web_app(WebConfig(world.data, policy=policy), world.store)


def _client(app, role: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    name = next(n for n, r in ww.ROLES.items() if r == role)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
    assert client.post("/signin", data={"username": name, "csrf": csrf, "next": "/",
                                        "password": ww.PASSWORDS[name]}).status_code == 303
    return client


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _post(client: TestClient, lead: str, **form: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/leads/{lead}").text
    return client.post(f"/leads/{lead}", data={"csrf": _csrf(page), **form})


@pytest.mark.slow
def test_a_lead_from_tip_to_verified_then_exported(app, world):
    analyst = _client(app, "analyst")
    listed = analyst.get("/leads")
    assert listed.status_code == 200
    assert "Mộ ở đồi cây sim" in listed.text and "Mộ ở gốc cây đa gần suối" in listed.text
    assert listed.text.count('data-state="received"') == 2
    assert analyst.get("/leads?state=verified").text.count('class="lead-row"') == 0
    assert analyst.get("/leads?state=buried").status_code == 400

    page = analyst.get(f"/leads/{SPOKEN}").text
    assert "48Q XD 841 420" in page and "Mới nhận" in page  # Vietnamese first
    proposal = re.search(r'name="proposal" value="(\d+)"><button type="submit" class="accept"',
                         page).group(1)
    assert _post(analyst, SPOKEN, do="accept", proposal=proposal,
                 why="đúng lưới").status_code == 303
    for to in ("screening", "cross_checked"):
        assert _post(analyst, SPOKEN, do="transition", to=to).status_code == 303
    refused = _post(analyst, SPOKEN, do="transition", to="verified")
    assert refused.status_code == 400
    assert "Cần hai nguồn độc lập hoặc một lần xác minh thực địa" in refused.text
    assert _post(analyst, SPOKEN, do="source", kind="document",
                 reference="Sơ đồ mộ, Đoàn 559, tờ 3").status_code == 303
    assert _post(analyst, SPOKEN, do="transition", to="verified",
                 why="lưới và sơ đồ khớp nhau").status_code == 303
    verified = analyst.get(f"/leads/{SPOKEN}").text
    assert 'data-state="verified"' in verified and "48QXD8415042050" in verified
    assert re.findall(r'data-action="(\w+)"', verified) == [
        "received", "coordinate", "transition", "transition", "source", "transition"]

    reader = _client(app, "reader")
    shown = reader.get(f"/leads/{SPOKEN}")
    assert shown.status_code == 200 and 'name="do"' not in shown.text
    assert reader.post(f"/leads/{SPOKEN}", data={"csrf": _csrf(shown.text), "do": "comment",
                                                  "text": "x"}).status_code == 403
    no_token = analyst.post(f"/leads/{SPOKEN}", data={"do": "comment", "text": "x"})
    assert no_token.status_code == 403

    # Exports of the verified ones, by a reader (reports), each parsed back.
    geo = json.loads(reader.get("/leads/export/geojson?state=verified").content)
    [feature] = geo["features"]
    lon, lat = feature["geometry"]["coordinates"]
    assert feature["id"] == SPOKEN and abs(lat - 16.6) < 0.3 and abs(lon - 106.7) < 0.3
    assert feature["properties"]["position"] == "coordinate"
    assert feature["properties"]["datum"] == "WGS 84"
    kml = ET.fromstring(reader.get("/leads/export/kml?state=verified").content)  # noqa: S314 (ours)
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    assert kml.find(".//k:Placemark/k:Point/k:coordinates", ns).text == f"{lon:.7f},{lat:.7f}"
    gpx = ET.fromstring(reader.get("/leads/export/gpx?state=verified").content)  # noqa: S314 (ours)
    [point] = gpx.findall("{http://www.topografix.com/GPX/1/1}wpt")
    assert (float(point.get("lat")), float(point.get("lon"))) == (lat, lon)
    answer = reader.get("/leads/export/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="leads.csv"'
    rows = {r["lead_id"]: r for r in csv.DictReader(io.StringIO(
        answer.content.decode("utf-8-sig")))}
    assert rows[SPOKEN]["mgrs"].startswith("48QXD84") and rows[SPOKEN]["state"] == "verified"
    assert rows[world.ids["lead"]]["position"] == "none"  # no coordinate: listed, unplaced
    assert reader.get("/leads/export/shp").status_code == 404

    # The API, with a token.
    with world.store.begin() as conn:
        token = accounts.create_token(conn, "dung", ww.NOW, "tests")[1]
    api = TestClient(app, headers={"authorization": f"Bearer {token}"})
    listed_api = api.get("/api/v1/leads?state=verified&bbox=106,16,108,17").json()
    assert [x["lead_id"] for x in listed_api["leads"]] == [SPOKEN]
    assert api.get("/api/v1/leads?bbox=110,16,108,17").json()["error"]["code"] == "bad_filter"
    assert api.get("/api/v1/leads?bbox=0,0,1,1").json()["total"] == 0
    one = api.get(f"/api/v1/leads/{SPOKEN}").json()
    assert one["state"] == "verified" and one["datum"] == "WGS 84"
    assert [e["action"] for e in one["events"]][:2] == ["received", "coordinate"]
    assert one["proposals"][0]["status"] == "accepted"
    assert api.get("/api/v1/leads/nothing").status_code == 404
    assert TestClient(app).get("/api/v1/leads").status_code == 401
