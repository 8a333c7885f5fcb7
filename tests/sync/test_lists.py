"""Imported lists (sync/server/lists.py, list_files.py): files generated here in every encoding
the command reads and in the ones it must refuse, XLSX with dates, numbers and formulas,
malformed rows with the message for each (the row number a spreadsheet shows, the column, the
value, why), nothing half-imported, duplicates, replacement, withdrawal and roles — on SQLite
and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import time
import unicodedata
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from sync.server import list_files, lists
from sync.server.actors import Actor, Forbidden
from sync.server.casework_tables import list_imports, list_rows
from sync.server.store import Store

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ANALYST, READER = Actor("binh", "analyst"), Actor("dung", "reader")
HEADER = ["Họ và tên", "Năm sinh", "Quê quán", "Đơn vị", "Ngày hy sinh", "Nơi hy sinh",
          "Ghi chú"]
GOOD = [["Nguyễn Văn Hùng", "1948", "xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị",
         "E24 F304", "15/8/1972", "Thành cổ Quảng Trị", "anh Ba"],
        ["Lê Thị Hồng Ánh", "khoảng 1950", "Hải Lăng, Quảng Trị", "Đội TNXP 55",
         "tháng 8 năm 1972", "", ""],
        ["Trần Văn Bảy", "", "Vĩnh Linh", "c2 d8 e24", "1968", "Khe Sanh", ""]]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    import csv

    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    if encoding == "cp1258":
        return to_cp1258(text)
    return text.encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: the base letters (â, ơ, ư, đ …)
    precomposed and the five tones as combining marks."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(m for m in parts if m in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def import_small_list(store: Store, kind: str = "witnesses") -> str:
    """A list in the command, for pages that need one (the route table's walk)."""
    data = csv_bytes([["Họ và tên", "Năm sinh", "Đơn vị", "Trận đánh"],
                      ["Phạm Văn Minh", "1941", "E24 F304", "Khe Sanh 1968"]])
    checked = lists.check(list_files.read(data), kind,
                          lists.guess_mapping(["Họ và tên", "Năm sinh", "Đơn vị", "Trận đánh"]))
    with store.begin() as conn:
        return lists.import_list(conn, Actor("an", "admin"), checked, title="Hội CCB Cam Lộ",
                                 source="thư ngày 1/12/2026", filename="ccb.csv",
                                 sha256=hashlib.sha256(data).hexdigest(), now=NOW)


@pytest.fixture
def store(database_url):
    made = Store(database_url)
    yield made
    made.engine.dispose()


def _counts(store: Store) -> tuple[int, int]:
    with store.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(list_imports)).scalar_one(),
                conn.execute(select(func.count()).select_from(list_rows)).scalar_one())


def _import(store: Store, data: bytes, kind: str = "martyrs", *, replace: bool = False,
            actor: Actor = ANALYST, mapping: list[str] | None = None) -> str:
    grid = list_files.read(data)
    checked = lists.check(grid, kind, mapping or lists.guess_mapping(grid.header))
    with store.begin() as conn:
        return lists.import_list(conn, actor, checked, title="Danh sách LS chưa tìm thấy",
                                 source="Sở Nội vụ, công văn 123/SNV", filename="ds.csv",
                                 sha256=hashlib.sha256(data).hexdigest(), now=NOW,
                                 replace=replace)


def test_headers_are_guessed_in_vietnamese_and_english():
    assert lists.guess_mapping(HEADER) == ["full_name", "birth_year", "home_town", "unit",
                                           "death_date", "death_place", ""]
    assert lists.guess_mapping(["HỌ VÀ TÊN LIỆT SĨ", "Nghĩa trang", "Mộ số/Lô/Hàng", "Lô",
                                "Trận đánh", "Thời gian phục vụ", "Full name"]) == [
        "full_name", "cemetery", "plot", "plot", "battle", "served", ""]
    assert lists.guess_mapping(["Name", "Born", "Hometown", "Unit", "Date of death",
                                "Battle", "Served", "Cemetery", "Plot"]) == [
        "full_name", "birth_year", "home_town", "unit", "death_date", "battle", "served",
        "cemetery", "plot"]
    assert lists.parse_mapping(HEADER, ["ghi chu=other_names", "Nơi hy sinh="])[5:] == [
        "", "other_names"]
    with pytest.raises(lists.ListError, match="no column 'Ngày sinh'"):
        lists.parse_mapping(HEADER, ["Ngày sinh=birth_year"])


@pytest.mark.parametrize("encoding,name", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"),
                                           ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"),
                                           ("cp1258", "Windows-1258")])
def test_every_encoding_an_office_saves_reads_the_same(encoding, name):
    delimiter = "\t" if encoding.startswith("utf-16") else ","  # Excel's "Unicode Text"
    grid = list_files.read(csv_bytes([HEADER, *GOOD], encoding, delimiter))
    assert grid.encoding == name
    assert grid.header == HEADER
    assert [cells for _n, cells in grid.rows] == GOOD
    assert [n for n, _c in grid.rows] == [2, 3, 4]


def test_what_it_cannot_read_is_refused_with_what_to_do():
    # TCVN3 ("ABC") bytes: "Hä vµ tªn" read as Windows-1258 is not Vietnamese.
    with pytest.raises(list_files.ListFileError, match="VNI or TCVN3") as tcvn3:
        list_files.read(b"H\xe4 v\xb5 t\xaan,N\xa8m sinh\r\nNguy\xd4n V\xa8n H\xaeng,1948\r\n")
    assert tcvn3.value.code == "encoding"
    with pytest.raises(list_files.ListFileError, match="starts as UTF-8 with BOM"):
        list_files.read(b"\xef\xbb\xbfH\xc3\xa1,x\r\n\xff\xfe\xfa,1\r\n")
    with pytest.raises(list_files.ListFileError, match=r"old Excel file \(\.xls\)"):
        list_files.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(list_files.ListFileError, match="damaged"):
        list_files.read(b"PK\x03\x04 not really a workbook")
    with pytest.raises(list_files.ListFileError, match="empty"):
        list_files.read(b"  \r\n")
    with pytest.raises(list_files.ListFileError, match="over 32 MB"):
        list_files.read(b"a" * (list_files.MAX_BYTES + 1))
    with pytest.raises(list_files.ListFileError, match="row 3: the CSV is malformed"):
        list_files.read('Họ và tên,Năm sinh\r\nA,1948\r\n"B,1949\r\n'.encode())


def test_every_problem_is_reported_by_row_column_value_and_why_and_nothing_is_imported(store):
    rows = [HEADER, GOOD[0],
            ["Phan Văn Út", "không rõ", "", "", "32/13/1972", "", ""],  # row 3
            ["", "1950", "", "", "1970", "", ""],  # row 4: no name
            [],  # row 5: empty, skipped
            ["Võ Văn Tư", "1949", "", "", "1971", "", "", "thừa"],  # row 6: longer
            ["Hoàng Văn A", "1947", "x" * 2001, "", "", "", ""]]  # row 7
    grid = list_files.read(csv_bytes(rows))
    checked = lists.check(grid, "martyrs", lists.guess_mapping(grid.header))
    report = [(p.line, p.column, p.value[:12], p.code) for p in checked.problems]
    assert report == [(3, "Năm sinh", "không rõ", "not_a_year"),
                      (3, "Ngày hy sinh", "32/13/1972", "not_a_date"),
                      (4, "Họ và tên", "", "empty_required"),
                      (6, "", "thừa", "row_too_long"),
                      (7, "Quê quán", "xxxxxxxxxxxx", "too_long")]
    assert "is not a date (write 15/8/1972" in checked.problems[1].detail
    assert checked.skipped_empty == 1 and len(checked.rows) == 1
    with pytest.raises(lists.ListError, match="5 problems: nothing imported"), \
            store.begin() as conn:
        lists.import_list(conn, ANALYST, checked, title="t", source="s", filename="f.csv",
                          sha256="0" * 64, now=NOW)
    assert _counts(store) == (0, 0)


def test_a_list_without_the_columns_its_kind_needs_is_refused_whole():
    grid = list_files.read(csv_bytes([["Nghĩa trang", "Ghi chú"], ["NTLS Trường Sơn", "x"]]))
    checked = lists.check(grid, "graves", lists.guess_mapping(grid.header))
    assert [(p.line, p.code, p.value) for p in checked.problems] == [
        (0, "missing_column", "plot")]
    assert checked.rows == []
    twice = lists.check(grid, "graves", ["plot", "cemetery"])
    assert twice.ok
    with pytest.raises(lists.ListError, match="mapping has 1 columns"):
        lists.check(grid, "graves", ["plot"])


def test_an_import_keeps_its_provenance_and_a_second_one_of_the_same_file_is_refused(store):
    data = csv_bytes([HEADER, *GOOD], "cp1258")
    first = _import(store, data)
    assert _counts(store) == (1, 3)
    with store.begin() as conn:
        found = lists.one_import(conn, READER, first)
    assert found["imported_by"] == "binh" and found["source"] == "Sở Nội vụ, công văn 123/SNV"
    assert found["sha256"] == hashlib.sha256(data).hexdigest()
    assert found["mapping"]["Ghi chú"] == ""
    hung = found["rows"][0]
    assert (hung["line"], hung["full_name"], hung["unit"], hung["extra"]) == (
        2, "Nguyễn Văn Hùng", "E24 F304", {"Ghi chú": "anh Ba"})
    assert hung["id"] == f"{first}:2" and hung["kind"] == "martyrs"
    with pytest.raises(lists.ListError, match=r"imported on") as again:
        _import(store, data)
    assert again.value.code == "duplicate"
    assert _counts(store) == (1, 3)
    second = _import(store, data, replace=True)
    with store.begin() as conn:
        every = {row["id"]: row for row in lists.imports(conn, READER)}
    assert every[first]["withdrawn_by"] == "binh" and every[first]["rows_now"] == 0
    assert every[first]["row_count"] == 3  # the record of what it was stays
    assert every[second]["rows_now"] == 3 and every[second]["withdrawn_at"] is None
    assert _counts(store) == (2, 3)


def test_withdrawal_takes_the_rows_and_keeps_the_record_and_roles_are_checked(store):
    data = csv_bytes([HEADER, *GOOD])
    with pytest.raises(Forbidden):
        _import(store, data, actor=READER)
    import_id = _import(store, data)
    with pytest.raises(Forbidden), store.begin() as conn:
        lists.withdraw(conn, READER, import_id, NOW)
    with store.begin() as conn:
        lists.withdraw(conn, Actor("an", "admin"), import_id, NOW)
    with pytest.raises(lists.ListError, match="already withdrawn"), store.begin() as conn:
        lists.withdraw(conn, ANALYST, import_id, NOW)
    assert _counts(store) == (1, 0)
    with store.begin() as conn:
        [record] = lists.imports(conn, READER)
        assert record["withdrawn_by"] == "an" and record["filename"] == "ds.csv"
        with pytest.raises(lists.ListNotFound):
            lists.one_import(conn, READER, "no-such-import")
    _import(store, data)  # a withdrawn file may come back
    assert _counts(store) == (2, 3)


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Mộ chưa xác định"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_list_of_graves_reads_dates_numbers_and_formulas_as_text(store):
    data = _xlsx([[None], ["Nghĩa trang", "Lô", "Hàng", "Mộ số", "Họ và tên", "Ngày hy sinh",
                           "Ghi chú"],
                  ["NTLS Đường 9", "B", 3, 12.0, "", datetime(1972, 8, 15), "=1+1"],
                  ["NTLS Đường 9", "B", 3, 13, "Vô danh", "mùa mưa", None],
                  [None, None, None, None, None, None, None],
                  ["NTLS Đường 9", "C", 1, 2, "", "1968", None, "ngoài bảng"]])
    grid = list_files.read(data, "graves.xlsx")
    assert grid.encoding == "XLSX" and grid.sheet == "Mộ chưa xác định"
    mapping = lists.guess_mapping(grid.header)
    assert mapping == ["cemetery", "plot", "plot", "plot", "full_name", "death_date", ""]
    checked = lists.check(grid, "graves", mapping)
    assert [(p.line, p.column, p.value, p.code) for p in checked.problems] == [
        (4, "Ngày hy sinh", "mùa mưa", "not_a_date"), (6, "", "ngoài bảng", "row_too_long")]
    fixed = list_files.read(_xlsx([["Nghĩa trang", "Lô", "Hàng", "Mộ số", "Ngày hy sinh",
                                    "Ghi chú"],
                                   ["NTLS Đường 9", "B", 3, 12.0, datetime(1972, 8, 15),
                                    "=HYPERLINK(\"http://evil.example\")"]]))
    checked = lists.check(fixed, "graves", lists.guess_mapping(fixed.header))
    assert checked.ok, checked.problems
    row = checked.rows[0]
    assert (row["plot"], row["death_date"]) == ("B / 3 / 12", "15/08/1972")
    # a workbook's formula is read as the value Excel computed (none saved here), never run
    assert json.loads(row["extra"]) == {}
    # in a CSV it is text, kept as it is, and defused wherever it is shown or exported
    grid = list_files.read(csv_bytes([["Họ và tên", "Ghi chú"],
                                      ["A", '=HYPERLINK("http://evil.example")']]))
    kept = lists.check(grid, "martyrs", lists.guess_mapping(grid.header)).rows[0]
    assert json.loads(kept["extra"]) == {"Ghi chú": '=HYPERLINK("http://evil.example")'}
    assert list_files.safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert [list_files.safe_cell(v) for v in ("+1", "@SUM", "-2", "Lô B")] == [
        "'+1", "'@SUM", "'-2", "Lô B"]


def test_an_xlsx_that_expands_too_far_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(list_files, "MAX_XLSX_EXPANDED", 1000)
    with pytest.raises(list_files.ListFileError, match="expands to more than") as refused:
        list_files.read(_xlsx([["Họ và tên"], ["x" * 5000]]))
    assert refused.value.code == "too_large"


def _big_csv(rows: int) -> bytes:
    lines = ["Họ và tên,Năm sinh,Quê quán,Đơn vị,Ngày hy sinh,Nơi hy sinh"]
    for i in range(rows):
        lines.append(f"Nguyễn Văn Hùng {i},{1940 + i % 20},\"xã Cam Chính, huyện Cam Lộ, tỉnh "
                     f"Quảng Trị\",E{i % 50} F304,{1 + i % 28}/{1 + i % 12}/{1965 + i % 10},"
                     "Khe Sanh")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@pytest.mark.slow  # ~8 s; on PostgreSQL it took 6.3 s against SQLite's 5.3 s (docs/cases.md)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_fifty_thousand_rows_check_and_import_in_one_transaction(store, capsys):
    data = _big_csv(50_000)
    started = time.monotonic()
    import_id = _import(store, data)
    took = time.monotonic() - started
    assert _counts(store) == (1, 50_000)
    with store.begin() as conn:
        page = lists.one_import(conn, READER, import_id, page=1000, per_page=50)
    assert [r["line"] for r in page["rows"]][:2] == [49_952, 49_953]
    with capsys.disabled():
        print(f"\n50,000 rows read, checked and imported in {took:.1f} s "
              f"({store.engine.dialect.name})")
    assert took < 60
    # one bad row among 50,000: found, reported, and nothing of the other 49,999 written
    row = f"Hùng 31337,{1940 + 31337 % 20},".encode()
    bad = data.replace(row, "Hùng 31337,năm ngoái,".encode())
    grid = list_files.read(bad)
    checked = lists.check(grid, "martyrs", lists.guess_mapping(grid.header))
    assert [(p.line, p.code) for p in checked.problems] == [(31_339, "not_a_year")]


def test_the_command_line_reports_each_problem_and_imports_only_a_clean_file(tmp_path, capsys):
    from sync.server import accounts
    from sync.server.__main__ import main

    data = tmp_path / "data"
    store = Store.in_folder(data)
    with store.begin() as conn:
        accounts.add_account(conn, "binh", "analyst", "mật khẩu dài đủ 2026", NOW,
                             accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1))
    store.engine.dispose()
    bad, good = tmp_path / "loi.csv", tmp_path / "ds.csv"
    bad.write_bytes(csv_bytes([HEADER, GOOD[0], ["Phan Văn Út", "không rõ", "", "", "1972",
                                                 "", "=cmd|' /C calc'!A0"]], "utf-16"))
    good.write_bytes(csv_bytes([HEADER, *GOOD]))
    common = ["--kind", "martyrs", "--title", "LS chưa tìm thấy", "--source", "Sở Nội vụ",
              "--by", "binh", "--data", str(data)]
    assert main(["lists", "import", str(bad), *common]) == 1
    out = capsys.readouterr().out
    assert "loi.csv: UTF-16, 2 rows" in out
    assert "row 3, column 'Năm sinh': 'không rõ' — birth year 'không rõ' has no year" in out
    assert "nothing was imported" in out
    assert main(["lists", "import", str(good), *common[:-4], "--data", str(data),
                 "--map", "Ghi chú=other_names", "--dry-run"]) == 0  # no --by needed
    out = capsys.readouterr().out
    assert "'Ghi chú' -> other_names" in out and "dry run: nothing was imported" in out
    assert main(["lists", "import", str(good), *common]) == 0
    assert "imported 3 rows as" in capsys.readouterr().out
    assert main(["lists", "import", str(good), *common]) == 2
    assert "say that it replaces that import" in capsys.readouterr().err
    assert main(["lists", "import", str(good), *common[:-4], "--by", "nobody",
                 "--data", str(data)]) == 2
    assert main(["lists", "import", str(good), *common[:-4], "--data", str(data)]) == 2
    assert "--by USERNAME" in capsys.readouterr().err
    assert main(["lists", "list", "--data", str(data)]) == 0
    listing = capsys.readouterr().out
    assert "martyrs" in listing and "3 rows" in listing and "binh" in listing
    assert _counts(Store.in_folder(data)) == (1, 3)
