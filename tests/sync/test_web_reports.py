"""The dashboard over HTTP (Starlette's TestClient against the real app and a real database):
the hand-counted November figures of tests/sync/report_world.py, labels and definitions in
both languages, the previous month, the breakdown, the chart, the downloads, and the visits
behind a figure, for a reader; no account, no figures."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from sync.server import accounts
from sync.server.store import Store
from sync.server.web.app import WebConfig, create_web_app
from tests.sync import report_world as world

NOW = datetime(2026, 12, 3, 3, tzinfo=UTC)
PASSWORD = "mật khẩu của người đọc 2026"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports-web")
    store = Store(f"sqlite:///{folder / 'server.db'}")
    world.build(store)
    world.case_work(store)
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    with store.begin() as conn:
        accounts.add_account(conn, "dung", "reader", PASSWORD, NOW, policy)
    yield create_web_app(WebConfig(folder, policy=policy, clock=lambda: NOW), store)
    store.engine.dispose()


def signed_in(app) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    form = client.get("/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = client.post("/signin", data={"username": "dung", "password": PASSWORD,
                                          "csrf": csrf, "next": "/"})
    assert answer.status_code == 303
    return client


def cell(html: str, kpi: str) -> str:
    row = re.search(rf'<tr data-kpi="{kpi}">(.*?)</tr>', html, re.S).group(1)
    value = re.search(r'<td class="value">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", value).strip()


def test_a_reader_sees_november_drills_down_and_downloads(app):
    client = signed_in(app)
    page = client.get("/reports?period=2026-11&by=station")
    assert page.status_code == 200
    html = page.text
    assert "Tháng 11/2026 (01/11/2026 – 30/11/2026)" in html
    assert (cell(html, "visits"), cell(html, "pages_digitised"), cell(html, "witnesses_heard")
            ) == ("3", "9", "3")
    # From the lead work: 3 remains found on 29 November (L1), 1 lead of 3 verified.
    assert (cell(html, "remains_found"), cell(html, "leads_verified"),
            cell(html, "verification_rate"), cell(html, "dna_samples_matched")) == (
        "3", "1", "33,3", "1")
    link = re.search(r'href="(/reports/records\?[^"]*kpi=remains_found)"', html).group(1)
    behind = client.get(link.replace("&amp;", "&")).text
    assert re.findall(r'<td>(\d+)</td></tr>', behind) == ["3"]
    assert "Hộ gia đình được thăm" in html and "Trạm Gio Linh" in html
    assert "Kỳ theo lịch" in html  # the cut-off rule is printed
    # The visits behind "pages digitised" in station S1: V1 (3 photos) and V2 (2).
    link = re.search(r'href="(/reports/records\?[^"]*kpi=pages_digitised&amp;station=51[^"]*)"',
                     html).group(1).replace("&amp;", "&")
    records = client.get(link).text
    rows = re.findall(r'<tr><td><a href="/visits/([^"]+)">([\d-]+)</a>.*?<td>(\d+)</td></tr>',
                      records)
    assert [(day, n) for _, day, n in rows] == [("2026-11-25", "2"), ("2026-11-24", "3")]
    assert client.get(f"/visits/{rows[0][0]}").status_code == 200
    chart = client.get("/reports/chart.png?period=2026-11")
    assert chart.headers["content-type"] == "image/png" and chart.content[:4] == b"\x89PNG"
    xlsx = client.get("/reports/download/xlsx?period=2026-11&by=commune")
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True)["Chỉ số"]
    assert {r[0]: r[3] for r in sheet.iter_rows(values_only=True)}["visits"] == 3
    pdf = client.get("/reports/download/pdf?period=2026-11")
    assert pdf.content[:5] == b"%PDF-" and "attachment" in pdf.headers["content-disposition"]


def test_english_decree_rule_previous_period_and_bad_input(app):
    client = signed_in(app)
    client.get("/lang/en?next=/reports")
    html = client.get("/reports?period=2026-12&rule=decree-09&by=commune").text
    assert "December 2026 (15/11/2026 – 14/12/2026)" in html
    # 15 November – 14 December, cut at 10:00 on 3 December: L1 (26/11) and L2 (1/12) verified.
    assert cell(html, "visits") == "3" and cell(html, "leads_verified") == "2"
    assert "Phường Ba Đình" in html and "Households visited" in html
    assert 'class="previous"' in html and "period=2026-11" in html
    bad = client.get("/reports?period=2026-13")
    assert bad.status_code == 400 and "2026-13" in bad.text
    assert "Phường Ba Đình" not in bad.text


def test_no_account_no_figures(app):
    anonymous = TestClient(app, follow_redirects=False)
    for path in ("/reports", "/reports/records?kpi=visits", "/reports/download/xlsx",
                 "/reports/chart.png"):
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
