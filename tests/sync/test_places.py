"""Place names matched to points: the 2025 units and the old ones they took in (AdminIndex and
the centres vietnamadminunits publishes), the register the command curates (CSV import, roles,
refusals) and its proposals ranked below a written coordinate; the parser's notes as codes the
workbench says in Vietnamese. Register and proposals on a real SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from capture.coords import NOTE_CODES, CoordinateReader, distance_m, note_code
from sync.server import index as ix
from sync.server import leads as ld
from sync.server import places as pl
from sync.server.accounts import Policy, add_account
from sync.server.actors import Actor, Forbidden
from sync.server.store import Store
from sync.server.web.app import WebConfig, create_web_app

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SEED = Path(pl.__file__).with_name("data") / "places_register.csv"
ADMIN, ANALYST, READER = Actor("an", "admin"), Actor("binh", "analyst"), Actor("dung", "reader")
STATION = "11111111-1111-4111-8111-111111111111"
BATCH = "22222222-2222-4222-8222-222222222222"
VISIT, LEAD = "40000000-0000-4000-8000-000000000009", "70000000-0000-4000-8000-000000000009"


def seed_register() -> pl.Register:
    import csv

    rows = [pl.checked(r) for r in csv.DictReader(SEED.open(encoding="utf-8"))]
    return pl.Register([{**r, "aliases": __import__("json").loads(r["aliases"])} for r in rows])


def near(match: pl.PlaceMatch, lat: float, lon: float, within_m: float) -> bool:
    return distance_m(match.lat, match.lon, lat, lon) <= within_m


def test_units_old_and_new_and_register_places_are_found():
    register = seed_register()
    [old] = pl.find_places("Mộ ở xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị gần suối", "",
                           register)
    assert old.text == "xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị"
    assert "Cam Chính (before 2025), now Xã Cam Lộ" in old.notes[0]
    assert near(old, 16.73, 106.97, 3000) and 1500 <= old.uncertainty_m <= 15_000
    merged = pl.find_places("quê Cam Lộ, Quảng Trị", "", register)  # after the 2025 merger
    assert [m.rank for m in merged] == [1, 2]
    assert "commune named: Xã Cam Lộ" in merged[0].notes[0]
    assert "district named: Huyện Cam Lộ" in merged[1].notes[0]
    [cemetery] = pl.find_places("được quy tập về NTLS Truong Son năm 1990", "Quảng Trị",
                                register)
    assert cemetery.uncertainty_m == 400 and near(cemetery, 16.9586, 106.9549, 10)
    [citadel] = pl.find_places("chiến đấu ở Thành cổ Quảng Trị 81 ngày đêm", "", register)
    assert citadel.plausibility == pl.PLAUSIBILITY["register"]
    [town] = pl.find_places("hy sinh ở Khe Sanh năm 1968", "Quảng Trị", register)
    assert "province not written: Quảng Trị assumed" in town.notes[0]
    assert near(town, 16.62, 106.73, 5000)
    [base] = pl.find_places("đóng quân ở sân bay Tà Cơn", "", register)
    assert near(base, 16.6544, 106.7308, 10)
    # The visit's commune feeds plausibility: from Khe Sanh, 25 km off, Cam Lộ counts less.
    district_first = pl.find_places("quê Cam Lộ, Quảng Trị", "", register,
                                    pl.commune_centre(19429))  # Xã Khe Sanh
    assert [m.rank for m in district_first] == [1, 2]
    assert merged[0].plausibility > district_first[0].plausibility
    for nothing in ("Nguyễn Văn Hùng, đơn vị E24, F304", "cao điểm 544", "Đường 9",
                    "ông Hiền Lương kể lại", "đồi cao gần suối"):
        assert pl.find_places(nothing, "Quảng Trị", register) == [], nothing


def test_a_hill_and_a_road_in_the_register_are_matched_by_their_short_names():
    register = pl.Register([
        {"name": "Cao điểm 544", "aliases": [], "kind": "hill", "latitude": 16.7,
         "longitude": 106.9, "uncertainty_m": 800, "source": "tờ bản đồ 6342 IV"},
        {"name": "Đường 9", "aliases": ["Quốc lộ 9"], "kind": "road", "latitude": 16.7,
         "longitude": 106.8, "uncertainty_m": 30_000, "source": "bản đồ hành chính"}])
    found = {m.text for m in pl.find_places("đánh ở điểm cao 544 cạnh QL9, rồi CĐ 544", "",
                                            register)}
    assert found == {"điểm cao 544", "QL9", "CĐ 544"}


def test_every_parser_note_has_a_code_and_both_languages_say_it():
    import json

    reader = CoordinateReader()
    texts = ["XD 841 420", "16.7463, 107.1856", "107.1856, 16.7463", "16.7463 N 107.1856",
             "X = 1854321, Y = 512345", "X=512345 Y=1854321", "UTM 48S 712345 1854321",
             "KTT 105°: X = 1 854 321, Y = 512 345", "UTM 48P 712345 1854321",
             "X=1854321 Y=512345 ở Quảng Trị", "48.8566, 2.3522"]
    codes = {n["code"] for t in texts for c in reader.find(t) for n in c.note_codes}
    assert "text" not in codes
    assert codes >= {"datum_assumed_wgs84", "grid_zone_inferred", "lon_lat_order", "n_as_nam",
                     "datum_assumed_vn2000", "xy_swapped", "meridian_from_province",
                     "zone_assumed_6", "zone_assumed_3", "band_s_latitude", "band_s_south",
                     "band_mismatch", "outside_indochina"}
    assert note_code("grid zone not written: 48Q inferred (Vietnam, Laos, Cambodia)") == {
        "code": "grid_zone_inferred", "params": {"zone": "48Q"}}
    locales = Path(ix.__file__).parent / "web" / "locales"
    for lang in ("vi", "en"):
        words = json.loads((locales / f"{lang}.json").read_text(encoding="utf-8"))
        missing = [c for c, _ in NOTE_CODES if f"coordnote.{c}" not in words]
        assert missing == [], lang
    # `sohoa coords` keeps its fields and adds the codes.
    [first] = reader.best("XD 841 420")
    assert {"notes", "note_codes", "lat", "lon", "text"} <= set(first.as_json())


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    with store.begin() as conn:
        policy = Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
        for actor in (ADMIN, ANALYST, READER):
            add_account(conn, actor.username, actor.role, f"mật khẩu {actor.username} 2026",
                        NOW, policy)
    yield store
    store.engine.dispose()


def test_the_register_is_imported_kept_by_admins_and_refuses_bad_rows(store):
    with store.begin() as conn:
        assert pl.import_csv(conn, ADMIN, SEED.read_bytes(), NOW) == {"added": 4,
                                                                     "replaced": 0}
        assert pl.import_csv(conn, ADMIN, SEED.read_bytes(), NOW) == {"added": 0,
                                                                     "replaced": 4}
        with pytest.raises(Forbidden):
            pl.import_csv(conn, ANALYST, SEED.read_bytes(), NOW)
        with pytest.raises(Forbidden):
            pl.save_place(conn, READER, {"name": "x"}, NOW)
        bad = SEED.read_bytes() + "Đồi X,,hill,96,107,100,Quảng Trị,bản đồ,\n".encode()
        with pytest.raises(pl.PlaceError, match="line 6") as refused:
            pl.import_csv(conn, ADMIN, bad, NOW)
        assert refused.value.code == "bad_point"
        for values, code in (({"name": "A", "latitude": 16, "longitude": 107,
                               "uncertainty_m": 0, "source": "s"}, "bad_radius"),
                             ({"name": "A", "latitude": 16, "longitude": 107,
                               "uncertainty_m": 10, "source": ""}, "no_source"),
                             ({"name": "Cầu Hiền Lương", "latitude": 16, "longitude": 107,
                               "uncertainty_m": 10, "source": "s"}, "duplicate")):
            with pytest.raises(pl.PlaceError) as error:
                pl.save_place(conn, ADMIN, values, NOW)
            assert error.value.code == code
        assert [p["name"] for p in pl.list_places(conn, READER, "truong son")] == [
            "Nghĩa trang liệt sĩ quốc gia Trường Sơn"]


def test_a_place_named_by_a_lead_is_proposed_below_its_written_coordinate(store):
    with store.begin() as conn:
        pl.import_csv(conn, ADMIN, SEED.read_bytes(), NOW)
        ix.index_record(conn, {
            "format": "sohoa-visit/1",
            "visit": {"id": VISIT, "visit_date": "2026-11-20", "province_code": 44},
            "leads": [{"id": LEAD, "description": "Mộ gần căn cứ Khe Sanh, XD 841 420"}]},
            STATION, BATCH, NOW, consents=[])
    with store.engine.connect() as conn:
        proposed = ld.proposals(conn, READER, LEAD)
        point = ld.positions(conn, [LEAD])[LEAD]
    by_notation = {p["notation"]: p for p in proposed}
    assert by_notation["place"]["span_text"] == "căn cứ Khe Sanh"
    assert by_notation["place"]["plausibility"] < by_notation["mgrs"]["plausibility"]
    assert by_notation["place"]["note_codes"][0]["code"] == "place_register"
    assert point[2] == by_notation["mgrs"]["uncertainty_m"]  # the written grid, not the name


def test_the_register_pages_over_http(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'server.db'}")
    policy = Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    with store.begin() as conn:
        for actor in (ADMIN, ANALYST, READER):
            add_account(conn, actor.username, actor.role, f"mật khẩu {actor.username} 2026",
                        NOW, policy)
    app = create_web_app(WebConfig(tmp_path, policy=policy), store)

    def client(actor: Actor) -> tuple[TestClient, str]:
        c = TestClient(app, follow_redirects=False)
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text).group(1)
        c.post("/signin", data={"username": actor.username, "csrf": csrf, "next": "/",
                                "password": f"mật khẩu {actor.username} 2026"})
        page = c.get("/places")
        return c, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    admin, token = client(ADMIN)
    done = admin.post("/places", data={"csrf": token, "do": "import"},
                      files={"file": ("register.csv", SEED.read_bytes(), "text/csv")})
    assert done.status_code == 200 and "thêm 4, thay 0" in done.text
    added = admin.post("/places", data={"csrf": token, "do": "add", "name": "Đồi <b>A1</b>",
                                        "kind": "hill", "latitude": "21,3823",
                                        "longitude": "103,0197", "uncertainty_m": "200",
                                        "source": "bản đồ 1:25.000"})
    assert added.status_code == 303
    listing = admin.get("/places").text
    assert "Đồi &lt;b&gt;A1&lt;/b&gt;" in listing and "<b>A1</b>" not in listing
    refused = admin.post("/places", data={"csrf": token, "do": "add", "name": "B",
                                          "latitude": "16", "longitude": "107",
                                          "uncertainty_m": "10", "source": ""})
    assert refused.status_code == 400 and "Hãy ghi tọa độ lấy từ nguồn nào." in refused.text
    place_id = re.search(r'href="/places/(\d+)">Đồi', listing).group(1)
    assert admin.post(f"/places/{place_id}", data={"csrf": token, "do": "delete"}
                      ).status_code == 303
    assert "A1" not in admin.get("/places").text
    analyst, token = client(ANALYST)
    assert analyst.get(f"/places/{int(place_id) - 1}").status_code == 200
    assert analyst.post("/places", data={"csrf": token, "do": "add"}).status_code == 403
    assert analyst.post("/places", data={"do": "add"}).status_code == 403
    store.engine.dispose()


def test_the_command_line_imports_and_lists_the_register(tmp_path, capsys):
    from sync.server.__main__ import main

    data = tmp_path / "command"
    Store.in_folder(data).engine.dispose()
    assert main(["places", "import", str(SEED), "--data", str(data)]) == 0
    assert '"added": 4' in capsys.readouterr().out
    assert main(["places", "list", "--data", str(data)]) == 0
    listed = capsys.readouterr().out
    assert "Cầu Hiền Lương" in listed and "17.004167,107.051389" in listed
    broken = tmp_path / "broken.csv"
    broken.write_text("name,latitude\nĐồi X,16\n", encoding="utf-8")
    assert main(["places", "import", str(broken), "--data", str(data)]) == 2
    assert "the header lacks" in capsys.readouterr().err
    assert main(["ocr", "--data", str(data)]) == 0
    assert '"done": 0' in capsys.readouterr().out
