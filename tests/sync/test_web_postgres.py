"""The workbench on a real PostgreSQL, as on SQLite: sign in, search without accents, a visit
page written to the access log, the API with a token, the press form, sign out."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from sync.server import access_log, accounts
from sync.server.actors import Actor
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import workbench_world as ww


@pytest.mark.slow
def test_the_workbench_on_postgresql(tmp_path, postgres):
    world = ww.build(tmp_path, postgres.new_database())
    assert world.store.engine.dialect.name == "postgresql"
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    app = create_web_app(WebConfig(world.data, policy=policy), world.store)
    client = TestClient(app, follow_redirects=False)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
    wrong = client.post("/signin", data={"username": "binh", "password": "sai rồi đấy nhé",
                                         "csrf": csrf})
    assert wrong.status_code == 401
    signed = client.post("/signin", data={"username": "binh", "csrf": csrf,
                                          "password": ww.PASSWORDS["binh"]})
    assert signed.status_code == 303

    hits = client.get("/search", params={"q": "goc cay da"}).text
    assert "Chôn cất dưới gốc cây đa" in hits and "Mộ ở gốc cây đa gần suối" in hits
    visit = client.get(f"/visits/{world.visit_id}")
    assert visit.status_code == 200 and "Lời kể của Trần Văn Bảy" in visit.text
    assert "&lt;script&gt;document.title" in visit.text
    session_csrf = re.search(r'name="csrf" value="([^"]+)"', visit.text).group(1)
    exported = client.post(f"/visits/{world.visit_id}/press-export",
                           data={"csrf": session_csrf, "capture": f"page:{world.ids['pages'][0]}"})
    assert exported.status_code == 200 and exported.content[:2] == b"PK"

    with world.store.begin() as conn:
        _, token = accounts.create_token(conn, "dung", ww.NOW, "tests")
    api = TestClient(app, headers={"authorization": f"Bearer {token}"})
    marker = api.get("/api/v1/search", params={"q": "dai doi 3"}).json()["hits"]
    assert [h["kind"] for h in marker] == ["marker"]
    assert api.get(f"/api/v1/visits/{world.visit_id}").json()["household"][
        "contact_phone"] is None  # a reader sees no phone

    assert client.post("/signout", data={"csrf": session_csrf}).status_code == 303
    assert client.get("/").status_code == 303  # signed out: back to the sign-in page
    with world.store.engine.connect() as conn:
        assert access_log.verify(conn) is None
        entries, _total = access_log.entries(conn, Actor("an", "admin"), per_page=100)
    actions = {(e.username, e.action) for e in entries}
    assert {("binh", "view-visit"), ("binh", "view-person"), ("binh", "press-export"),
            ("dung", "view-visit")} <= actions
    world.store.engine.dispose()
