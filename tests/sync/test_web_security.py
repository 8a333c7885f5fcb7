"""Who may open what on the workbench, walked over its whole route table (a route added without
a rule, or one an anonymous caller can open, fails here); CSRF, cookies and headers; strings
typed at a station stay text on every page and in the API; the API's answers and errors;
HTTP Range on a recording. Against a real ingested visit (tests/sync/workbench_world.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from sync.server import accounts
from sync.server.actors import PERMISSIONS, ROLES
from sync.server.cases.relink import relink
from sync.server.cases.tables import case_members
from sync.server.web.app import PUBLIC, WebConfig, create_web_app
from tests.sync import map_world
from tests.sync import workbench_world as ww
from tests.sync.test_lists import import_small_list  # h19-lists

# The only routes anyone may open; everything else needs an account.
OPEN = {"/signin", "/lang/{lang}"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbench")
    built = ww.build(folder, f"sqlite:///{folder / 'server.db'}")
    built.ids["import"] = import_small_list(built.store)  # h19-lists: /lists/{import_id}
    built.ids["map_layer"] = map_world.tiny_layer(built.store, built.data)  # the map's tiles
    with built.store.begin() as conn:  # the visit's martyr in a case (/cases/{case_id})
        relink(conn, ww.NOW)
        built.ids["case"] = conn.execute(select(case_members.c.case_id)).scalars().first()
    yield built
    built.store.engine.dispose()


@pytest.fixture(scope="module")
def app(world):
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    from sync.server import places  # an entry of the register, for /places/{place_id}
    from sync.server.actors import Actor

    with world.store.begin() as conn:
        world.ids["place"] = str(places.save_place(conn, Actor("an", "admin"), {
            "name": "Cầu Hiền Lương", "kind": "bridge", "latitude": 17.004167,
            "longitude": 107.051389, "uncertainty_m": 300, "source": "de.wikipedia.org"},
            ww.NOW))
    return create_web_app(WebConfig(world.data, policy=policy), world.store)


def _client(app, role: str | None = None, https: bool = False) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="https://testserver" if https else "http://testserver",
                        follow_redirects=False)
    if role is not None:
        name = next(n for n, r in ww.ROLES.items() if r == role)
        form = client.get("/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = client.post("/signin", data={"username": name, "csrf": csrf, "next": "/",
                                              "password": ww.PASSWORDS[name]})
        assert answer.status_code == 303, answer.text
    return client


@pytest.fixture(scope="module")
def clients(app):
    return {role: _client(app, role) for role in ROLES}


@pytest.fixture(scope="module")
def tokens(world):
    with world.store.begin() as conn:
        return {role: accounts.create_token(conn, name, ww.NOW, "tests")[1]
                for name, role in ww.ROLES.items()}


def _paths(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A real value for every path parameter, so an allowed role gets a real page."""
    pages = world.ids["pages"]
    return {"visit_id": world.visit_id, "page_id": pages[0], "kind": "page",
            "object_id": pages[0], "lang": "en", "username": "cuong", "token_id": "0" * 12,
            "format": "xlsx",
            "lead_id": world.ids["lead"], "fmt": "geojson",
            "import_id": world.ids["import"], "place_id": world.ids["place"],
            # the map's layers (tests/sync/test_map_layers.py has the rest)
            "layer_id": world.ids["map_layer"], "z": "0", "x": "0", "y": "0",
            "case_id": world.ids["case"]}


def _url(route: Route, values: dict[str, str]) -> str:
    path = route.path
    for name in route.param_convertors:
        path = path.replace("{" + name + "}", values[name])
    if route.path.startswith("/media/file/"):
        path = path.replace("/page/", "/part/")
    if route.path in ("/search", "/api/v1/search"):
        path += "?q=hung"
    return path


def _routes(app) -> list[tuple[Route, str]]:  # type: ignore[no-untyped-def]
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            assert route.path == "/static", f"an unexpected mount {route.path}"
            continue
        for method in sorted(route.methods - {"HEAD"}):
            found.append((route, method))
    return found


def _part_id(world) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from sync.server import index as ix

    with world.store.engine.connect() as conn:
        return conn.execute(select(ix.index_parts.c.id)).scalar_one()


def test_every_route_has_a_rule_and_refuses_the_anonymous(app, world):
    values = _paths(world)
    anonymous = _client(app)
    seen = 0
    for route, method in _routes(app):
        rule = getattr(route.endpoint, "rule", None)
        assert rule is not None, f"{method} {route.path} was added without a rule"
        if rule.action is PUBLIC:
            assert route.path in OPEN, f"{method} {route.path} is open to anyone"
            continue
        assert rule.action in PERMISSIONS, f"{route.path}: unknown action {rule.action}"
        answer = anonymous.request(method, _url(route, values))
        if rule.api:
            assert answer.status_code == 401, route.path
            assert answer.json()["error"]["code"] == "unauthenticated"
        else:
            assert answer.status_code == 303, route.path
            assert answer.headers["location"].startswith("/signin?next=")
        assert world.visit_id not in answer.text and "Nguyễn Văn Hùng" not in answer.text
        seen += 1
    assert seen >= 14


def test_every_route_refuses_the_wrong_role_and_opens_for_the_right_one(app, world, clients,
                                                                        tokens):
    values = _paths(world)
    checked = set()
    for route, method in _routes(app):
        rule = route.endpoint.rule
        if rule.action is PUBLIC or method != "GET":
            continue
        url = _url(route, values)
        if route.path.startswith("/media/file/"):
            url = f"/media/file/part/{_part_id(world)}"
        for role in ROLES:
            if rule.api:
                answer = TestClient(app).get(url, headers={
                    "authorization": f"Bearer {tokens[role]}"})
            else:
                answer = clients[role].get(url)
            if role in PERMISSIONS[rule.action]:
                assert answer.status_code == 200, (route.path, role, answer.text[:300])
            else:
                assert answer.status_code == 403, (route.path, role)
                assert "Nguyễn Văn Hùng" not in answer.text
            checked.add((route.path, role))
    assert ("/access-log", "reader") in checked and ("/media/original/{kind}/{object_id}",
                                                     "reader") in checked
    assert ("/map/layers", "verifier") in checked and (
        "/map/layers/{layer_id}/{z}/{x}/{y}.png", "reader") in checked


def test_a_form_without_its_csrf_token_changes_nothing(app, world):
    client = _client(app, "analyst")
    refused = client.post("/signout", data={})
    assert refused.status_code == 403 and 'data-code="csrf"' in refused.text
    wrong = client.post("/signout", data={"csrf": "not-the-token"})
    assert wrong.status_code == 403
    assert client.get("/").status_code == 200  # still signed in
    stranger = _client(app)
    no_token = stranger.post("/signin", data={"username": "an", "password": ww.PASSWORDS["an"]})
    assert no_token.status_code == 403 and "sohoa_session" not in no_token.headers.get(
        "set-cookie", "")


def test_cookies_and_headers_keep_the_session_to_this_site(app):
    for https in (False, True):
        client = TestClient(app, base_url="https://testserver" if https else "http://testserver",
                            follow_redirects=False)
        form = client.get("/signin")
        assert "default-src 'self'" in form.headers["content-security-policy"]
        assert form.headers["x-frame-options"] == "DENY"
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = client.post("/signin", data={"username": "binh", "csrf": csrf,
                                              "password": ww.PASSWORDS["binh"]})
        cookie = next(c for c in answer.headers.get_list("set-cookie")
                      if c.startswith("sohoa_session="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert ("Secure" in cookie) is https
    # No page takes a visitor elsewhere after signing in.
    client = TestClient(app, follow_redirects=False)
    form = client.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = client.post("/signin", data={"username": "binh", "csrf": csrf,
                                          "password": ww.PASSWORDS["binh"],
                                          "next": "//evil.example/"})
    assert answer.headers["location"] == "/"


HOSTILE = (ww.HOSTILE_LABEL, ww.HOSTILE_NOTE)


def test_what_a_station_typed_is_shown_as_text_on_every_page(world, clients):
    client = clients["admin"]
    pages = [f"/visits/{world.visit_id}", "/search?q=thang+3+1972",
             "/search?q=tran+van+bay", f"/visits/{world.visit_id}/pages/{world.ids['pages'][0]}",
             "/", "/access-log"]
    for url in pages:
        body = client.get(url).text
        assert "<script>document.title" not in body, url
        assert "<img src=x" not in body, url
    visit = client.get(pages[0]).text
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; tháng 3/1972" in visit
    assert "&lt;img src=x onerror=&#34;document.title=&#39;pwned&#39;&#34;&gt;" in visit
    assert "=HYPERLINK(&#34;http://evil.example/&#34;,&#34;bấm&#34;)" in visit
    assert "Thư gửi mẹ &lt;b&gt;1971&lt;/b&gt;" in visit
    hits = client.get(pages[1]).text
    assert "&lt;script&gt;" in hits


def test_the_api_answers_with_hits_visits_and_coded_errors(app, world, tokens):
    api = TestClient(app, headers={"authorization": f"Bearer {tokens['analyst']}"})
    found = api.get("/api/v1/search", params={"q": "dai doi 3"}).json()
    assert found["total"] == 1
    [hit] = found["hits"]
    assert set(hit) >= {"kind", "id", "visit_id", "title", "snippet"}
    assert hit["kind"] == "marker" and hit["visit_id"] == world.visit_id
    assert hit["id"] == world.ids["markers"][1]

    visit = api.get(f"/api/v1/visits/{world.visit_id}").json()
    [testimony] = visit["testimonies"]
    assert [m["label"] for m in testimony["markers"]] == [m[1] for m in ww.MARKERS]
    assert testimony["speaker_name"] == "Trần Văn Bảy"
    assert visit["leads"][0]["source"]["label"] == "Chôn cất dưới gốc cây đa"

    listed = api.get("/api/v1/visits", params={"station": world.station_id}).json()
    assert [v["visit_id"] for v in listed["visits"]] == [world.visit_id]
    assert api.get("/api/v1/visits", params={"since": "2099-01-01"}).json()["total"] == 0

    for url, status, code in (("/api/v1/search", 400, "missing_query"),
                              ("/api/v1/search?q=hung&date_from=hôm+qua", 400, "bad_filter"),
                              ("/api/v1/visits?since=hôm+qua", 400, "bad_filter"),
                              ("/api/v1/visits?page=một", 400, "bad_filter"),
                              ("/api/v1/visits/khong-co", 404, "not_found")):
        answer = api.get(url)
        assert answer.status_code == status, url
        assert answer.json()["error"]["code"] == code
    for header in ("Bearer sohoa_nothing_here", "Basic YWJjOmRlZg==", ""):
        answer = TestClient(app).get("/api/v1/search?q=hung",
                                     headers={"authorization": header})
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


def test_a_recording_is_streamed_in_ranges_for_the_player(world, clients):
    part = _part_id(world)
    whole = clients["reader"].get(f"/media/file/part/{part}")
    assert whole.status_code == 200 and whole.content[:4] == b"fLaC"
    assert whole.headers["accept-ranges"] == "bytes"
    middle = clients["reader"].get(f"/media/file/part/{part}",
                                   headers={"range": "bytes=1000-1999"})
    assert middle.status_code == 206
    assert middle.content == whole.content[1000:2000]
    assert middle.headers["content-range"] == f"bytes 1000-1999/{len(whole.content)}"


def test_search_pages_through_many_hits(world):
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    small = create_web_app(WebConfig(world.data, policy=policy, per_page=1), world.store)
    client = _client(small, "reader")
    first = client.get("/search", params={"q": "tran van bay"}).text
    total = int(re.search(r'id="result-count">\D*(\d+)', first).group(1))
    assert total >= 2
    assert f"Trang 1/{total}" in first and 'rel="next"' in first and 'rel="prev"' not in first
    seen = set()
    for page in range(1, total + 1):
        body = client.get("/search", params={"q": "tran van bay", "page": page}).text
        seen |= set(re.findall(r'<li class="hit" data-kind="(\w+)"', body))
    assert {"person", "testimony"} <= seen
    last = client.get("/search", params={"q": "tran van bay", "page": total}).text
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_previews_are_made_once_turned_as_stored(world, clients):
    from io import BytesIO

    from PIL import Image

    first, turned = world.ids["pages"]
    one = clients["reader"].get(f"/media/preview/{first}?size=thumb")
    two = clients["reader"].get(f"/media/preview/{turned}?size=thumb")
    assert Image.open(BytesIO(one.content)).size == (320, 213)
    assert Image.open(BytesIO(two.content)).size == (213, 320)
    cached = sorted((world.data / "previews").rglob("*.jpg"))
    again = clients["reader"].get(f"/media/preview/{turned}?size=thumb")
    assert again.content == two.content
    assert sorted((world.data / "previews").rglob("*.jpg")) == cached


def test_an_admin_disables_an_account_from_its_page_and_its_session_ends(app, tokens):
    admin, verifier, reader = (_client(app, role) for role in ("admin", "verifier", "reader"))
    page = admin.get("/accounts").text
    assert 'id="account-cuong"' in page and "sohoa_" not in page  # ids, never tokens
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    reader_csrf = re.search(r'name="csrf" value="([^"]+)"', reader.get("/").text).group(1)
    assert reader.post("/accounts/cuong/state", data={"csrf": reader_csrf,
                                                      "active": "0"}).status_code == 403
    assert admin.post("/accounts/an/state", data={"csrf": csrf, "active": "0"}
                      ).status_code == 409  # not one's own
    assert admin.post("/accounts/cuong/state", data={"active": "0"}).status_code == 403
    assert verifier.get("/").status_code == 200
    done = admin.post("/accounts/cuong/state", data={"csrf": csrf, "active": "0"})
    assert done.status_code == 303
    assert verifier.get("/").status_code == 303  # its session ended: back to sign-in
    api = TestClient(app, headers={"authorization": f"Bearer {tokens['verifier']}"})
    assert api.get("/api/v1/visits").status_code == 401
    assert "stations.disabled" not in admin.get("/accounts").text
    assert admin.post("/accounts/cuong/state", data={"csrf": csrf, "active": "1"}
                      ).status_code == 303
    assert api.get("/api/v1/visits").status_code == 200


# --- imported lists and the witness network (h19-lists) -------------------------------------

def test_the_list_and_witness_forms_refuse_the_roles_that_may_not_send_them(app, world):
    """Each POST with a valid CSRF token from a role without the right: 403, nothing done."""
    import_id = world.ids["import"]
    for role in ("verifier", "reader"):
        client = _client(app, role)  # a fresh session (an earlier test disables the verifier)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
        for url, data in (("/lists/new", {"step": "upload", "kind": "witnesses"}),
                          (f"/lists/{import_id}/withdraw", {}),
                          ("/witnesses/decide", {"left": "person:a", "right": "person:b",
                                                 "decision": "same"})):
            answer = client.post(url, data={"csrf": csrf, **data})
            assert answer.status_code == 403, (url, role)
    with world.store.engine.connect() as conn:
        from sqlalchemy import select

        from sync.server.casework_tables import list_imports
        from sync.server.witness_tables import witness_decisions

        assert conn.execute(select(list_imports.c.withdrawn_at)).scalar_one() is None
        assert conn.execute(select(witness_decisions)).first() is None
