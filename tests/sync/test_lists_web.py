"""/lists on the workbench, through the real app (Starlette's TestClient, a real SQLite store and
accounts): upload → mapping prefilled with the guesses → a bad file's report → a changed
mapping → confirm; a duplicate; an upload over the cap refused before it is read; another
account's upload not reachable; the rows' CSV export with formulas defused; withdrawal."""

from __future__ import annotations

import csv
import io
import re

import pytest
from starlette.testclient import TestClient

from sync.server import accounts
from sync.server.store import Store
from sync.server.web.app import WebConfig, create_web_app
from sync.server.web.views import lists as lists_views
from tests.sync.test_lists import NOW, csv_bytes

PASSWORD = "mật khẩu dài đủ 2026"
ROWS = [["Họ và tên", "Năm sinh", "Đơn vị", "Trận đánh", "Ghi chú"],
        ["Đỗ Văn Chín", "1938", "E24 F304", "Khe Sanh 1968", '=HYPERLINK("http://x.example")'],
        ["Vũ Văn Mười", "1939", "F304", "Khe Sanh 1968", ""]]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("command")
    store = Store.in_folder(data)
    with store.begin() as conn:
        for name, role in (("an", "admin"), ("binh", "analyst"), ("dung", "reader")):
            accounts.add_account(conn, name, role, PASSWORD, NOW,
                                 accounts.Policy(argon2_memory_kib=8 * 1024,
                                                 argon2_iterations=1))
    yield create_web_app(WebConfig(data, policy=accounts.Policy(
        argon2_memory_kib=8 * 1024, argon2_iterations=1)), store)
    store.engine.dispose()


def _signed_in(app, name: str) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
    assert client.post("/signin", data={"username": name, "password": PASSWORD, "csrf": csrf,
                                        "next": "/"}).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/lists").text).group(1)
    return client, csrf


def _upload(client: TestClient, csrf: str, data: bytes, kind: str = "witnesses",
            name: str = "ccb.csv"):  # type: ignore[no-untyped-def]
    return client.post("/lists/new", data={"csrf": csrf, "step": "upload", "kind": kind,
                                           "title": "Hội CCB E24",
                                           "source": "công văn 12/CCB, 20/11/2026"},
                       files={"file": (name, data, "text/csv")})


def _mapping_form(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    for index, chosen in re.findall(
            r'<select name="map-(\d+)".*?<option value="([^"]*)" selected', page, re.S):
        fields[f"map-{index}"] = chosen
    return fields


def test_a_list_through_the_mapping_step_the_report_and_the_confirmation(app):
    client, csrf = _signed_in(app, "binh")
    bad = _upload(client, csrf, csv_bytes([*ROWS, ["Lê Văn A", "xưa lắm", "", "", ""],
                                           ["Lê Văn B", "1950", "", "", "", "thừa"]]))
    assert bad.status_code == 200 and "Đã đọc tệp dạng UTF-8: 4 dòng." in bad.text
    form = _mapping_form(bad.text)
    assert (form["map-0"], form["map-1"], form["map-3"], form["map-4"]) == (
        "full_name", "birth_year", "battle", "")
    report = client.post("/lists/new", data={**form, "step": "check"})
    assert report.status_code == 422
    assert 'data-line="4" data-code="not_a_year"' in report.text
    assert 'data-line="5" data-code="row_too_long"' in report.text
    assert "Không nhập dòng nào" in report.text and 'id="confirm-button"' not in report.text

    good = _upload(client, csrf, csv_bytes(ROWS))
    form = _mapping_form(good.text)
    form["map-4"] = "other_names"  # the person changes a guess
    checked = client.post("/lists/new", data={**form, "step": "check"})
    assert checked.status_code == 200 and 'id="confirm-button"' in checked.text
    assert "Hiểu được tất cả 2 dòng" in checked.text
    done = client.post("/lists/new", data={**form, "step": "confirm"})
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "công văn 12/CCB" in page.text and "Đỗ Văn Chín" in page.text
    assert "Ghi chú → Tên khác, bí danh" in page.text
    # the export: a spreadsheet sees the formula as text
    exported = client.get(done.headers["location"] + "/rows.csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[1][rows[0].index("other_names")] == '\'=HYPERLINK("http://x.example")'
    # the same file again: said, and imported only when it replaces the earlier one
    again = _upload(client, csrf, csv_bytes(ROWS))
    form = _mapping_form(again.text)
    checked = client.post("/lists/new", data={**form, "step": "check"})
    assert 'id="duplicate"' in checked.text
    refused = client.post("/lists/new", data={**form, "step": "confirm"})
    assert refused.status_code == 400 and "Tệp này đã được nhập" in refused.text
    replaced = client.post("/lists/new", data={**form, "step": "confirm", "replace": "yes"})
    assert replaced.status_code == 303
    listing = client.get("/lists").text
    assert listing.count('class="import-row"') == 2 and "Đã rút bởi binh" in listing
    # withdrawn from its page; the reader sees it but has no button
    withdrawn = client.post(replaced.headers["location"] + "/withdraw", data={"csrf": csrf})
    assert withdrawn.status_code == 303
    reader, _ = _signed_in(app, "dung")
    seen = reader.get(replaced.headers["location"]).text
    assert 'id="withdrawn"' in seen and 'id="withdraw-button"' not in seen


def test_a_file_it_cannot_read_is_said_on_the_upload_page(app):
    client, csrf = _signed_in(app, "an")
    answer = _upload(client, csrf, b"H\xe4 v\xb5 t\xaan\r\nNguy\xd4n\r\n")
    assert answer.status_code == 400 and "VNI hoặc TCVN3" in answer.text
    assert "Hội CCB E24" in answer.text  # what was typed is kept for the next try


def test_an_upload_over_the_cap_is_refused_before_it_is_read(app, monkeypatch):
    client, csrf = _signed_in(app, "an")
    monkeypatch.setattr(lists_views, "MAX_UPLOAD", 1000)
    answer = _upload(client, csrf, b"a," * 1000)
    assert answer.status_code == 413
    assert "default-src 'self'" in answer.headers["content-security-policy"]


def test_an_xlsx_list_of_graves_through_the_pages(app):
    from openpyxl import Workbook

    book = Workbook()
    for row in (["Nghĩa trang", "Lô", "Hàng", "Mộ số", "Ngày hy sinh"],
                ["NTLS Đường 9", "B", 3, 12, "1972"], ["NTLS Đường 9", "B", 3, 13, None]):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    client, csrf = _signed_in(app, "an")
    untitled = client.post("/lists/new", data={"csrf": csrf, "step": "upload",
                                               "kind": "graves", "source": "NTLS"},
                           files={"file": ("mo.xlsx", out.getvalue(), "application/octet")})
    assert untitled.status_code == 400 and "Cần tên danh sách" in untitled.text
    page = _upload(client, csrf, out.getvalue(), kind="graves", name="mo.xlsx")
    assert "Đã đọc tệp dạng XLSX: 2 dòng." in page.text
    form = _mapping_form(page.text)
    assert [form[f"map-{i}"] for i in range(5)] == ["cemetery", "plot", "plot", "plot",
                                                     "death_date"]
    done = client.post("/lists/new", data={**form, "step": "confirm"})
    assert done.status_code == 303
    rows = client.get(done.headers["location"]).text
    assert "B / 3 / 12" in rows and "B / 3 / 13" in rows


def test_another_accounts_upload_is_not_there(app):
    client, csrf = _signed_in(app, "binh")
    form = _mapping_form(_upload(client, csrf, csv_bytes(ROWS)).text)
    other, other_csrf = _signed_in(app, "an")
    answer = other.post("/lists/new", data={**form, "csrf": other_csrf, "step": "confirm"})
    assert answer.status_code == 400 and "của tài khoản khác" in answer.text
    forged = other.post("/lists/new", data={**form, "csrf": other_csrf, "step": "check",
                                            "token": "../../server.db"})
    assert forged.status_code == 400



def test_the_witness_page_says_what_is_wrong_with_a_query(app):
    client, _csrf = _signed_in(app, "dung")
    empty = client.get("/witnesses")
    assert empty.status_code == 200 and 'id="oldest"' in empty.text
    wrong = client.get("/witnesses?unit=E24&from=196")
    assert wrong.status_code == 400 and "Năm phải có bốn chữ số" in wrong.text
    assert 'value="E24"' in wrong.text  # the query stays in the form
    refused = client.post("/witnesses/decide", data={"csrf": _csrf, "left": "person:a",
                                                     "right": "person:b", "decision": "same"})
    assert refused.status_code == 403  # a reader reads the network, does not decide
