"""The cases' pages and API over HTTP (Starlette's test client against the real app and a real
ingested visit): the roles refused on every change in the domain as well as the route table,
CSRF, what a station typed shown as text, and the API's case with its contradictions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from sync.server import accounts
from sync.server.cases.tables import case_links, case_pairs
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import cases_site
from tests.sync import workbench_world as ww


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = cases_site.build(tmp_path_factory.mktemp("cases-web"))
    yield built
    built.store.engine.dispose()


@pytest.fixture(scope="module")
def app(world):
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    return create_web_app(WebConfig(world.data, policy=policy), world.store)


def _signed_in(app, name: str) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    form = client.get("/signin")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = client.post("/signin", data={"username": name, "csrf": token, "next": "/",
                                          "password": ww.PASSWORDS[name]})
    assert answer.status_code == 303
    page = client.get("/cases")
    return client, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_changes_are_refused_to_the_wrong_role_and_without_csrf(app, world):
    hung, bay2 = world.ids["hung_case"], world.ids["bay2_case"]
    with world.store.begin() as conn:
        pair = conn.execute(select(case_pairs.c.id)).scalars().first()
    changes = [(f"/cases/{hung}", {"do": "merge", "other": bay2}),
               ("/cases/review", {"pair": str(pair), "decision": "same"}),
               (f"/cases/{hung}", {"do": "split", "mention": world.ids["grave"]})]
    for name in ("cuong", "dung"):  # a verifier and a reader
        client, token = _signed_in(app, name)
        for url, form in changes:
            answer = client.post(url, data={**form, "csrf": token})
            assert answer.status_code == 403, (name, url)
    reader, token = _signed_in(app, "dung")
    dna = reader.post(f"/cases/{hung}/dna", data={
        "csrf": token, "step": "collected", "sample_code": "X-1", "at": "2026-12-01",
        "relative_name": "Ai đó", "relation": "mother"})
    assert dna.status_code == 403
    analyst, token = _signed_in(app, "binh")
    assert analyst.post(f"/cases/{hung}", data={"do": "merge", "other": bay2}
                        ).status_code == 403  # no CSRF token
    wrong = analyst.post(f"/cases/{hung}", data={"do": "merge", "other": hung, "csrf": token})
    assert wrong.status_code == 400 and "Không gộp một hồ sơ vào chính nó" in wrong.text
    with world.store.begin() as conn:
        assert conn.execute(select(case_links)).first() is None
        assert set(conn.execute(select(case_pairs.c.status)).scalars()) == {"pending"}


def test_a_case_shows_its_sources_and_contradictions_as_text(app, world):
    client, _ = _signed_in(app, "dung")
    hung = world.ids["hung_case"]
    page = client.get(f"/cases/{hung}").text
    assert 'data-field="death_date" data-contradiction="yes"' in page
    assert "15/8/1972" in page and "1972-03" in page and "Nghĩa trang Đường 9, mộ C-7" in page
    assert f'href="/visits/{world.visit_id}"' in page
    assert "Thư gửi mẹ &lt;b&gt;1971&lt;/b&gt;" in page  # the item, typed with HTML
    assert "<b>1971</b>" not in page
    assert 'id="split-form"' not in page  # a reader sees no decision forms
    found = client.get("/cases?q=tran+van+bay")
    assert found.text.count('class="case-row"') == 2
    partial = client.get("/cases?q=bay", headers={"hx-request": "true"})
    assert "<html" not in partial.text and 'class="case-row"' in partial.text
    dna = client.get(f"/cases/{hung}/dna").text
    assert "Nguyễn Thị Hoa" in dna and "gọi buổi tối" not in dna  # contacts not for readers
    assert 'id="collect-form"' not in dna


def test_the_api_gives_a_case_with_its_contradictions(app, world):
    with world.store.begin() as conn:
        token = accounts.create_token(conn, "dung", ww.NOW, "tests")[1]
    client = TestClient(app)
    headers = {"authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/cases?q=Nguyen+Van+Hung", headers=headers).json()
    assert listed["total"] == 1 and listed["cases"][0]["id"] == world.ids["hung_case"]
    case = client.get(f"/api/v1/cases/{world.ids['hung_case']}", headers=headers).json()
    assert {r["kind"] for r in case["records"]} == {"martyr", "list_martyrs", "list_graves",
                                                     "testimony", "item", "lead"}
    assert [c["field"] for c in case["contradictions"]] == ["death_date"]
    assert case["relatives"][0]["dna_contact"] is None and case["dna_steps"] == []
    assert client.get("/api/v1/cases/nope", headers=headers).json()["error"]["code"] == \
        "not_found"
    assert client.get("/api/v1/cases?page=x", headers=headers).status_code == 400
    assert client.get("/api/v1/cases").status_code == 401
