"""A command's database with martyrs in it, for the cases' tests: visits' martyrs (with their
relatives, a testimony, an item and a lead naming them) and an imported list, written straight
into the index and list tables (what ingest and the list import write), so each test says
exactly which mentions there are."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert

from sync.server import index as ix
from sync.server.casework_tables import list_imports, list_rows

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
STATION = "6f1c1a52-0000-4000-8000-00000000aaaa"


def visit(conn, visit_id: str, village: str = "Thôn Đông") -> None:  # type: ignore[no-untyped-def]
    conn.execute(insert(ix.index_visits).values(
        visit_id=visit_id, station_id=STATION, batch_id="b-" + visit_id, received_at=NOW,
        record_format="sohoa-visit/2", province_code=None, ward_code=None,
        visit_date="2026-11-20", status="approved", village=village, address="",
        contact_name="", contact_phone="", latitude=None, longitude=None, notes="",
        withheld_captures=0, review="[]"))


def martyr(conn, martyr_id: str, visit_id: str, full_name: str, *, other_names: str = "",  # type: ignore[no-untyped-def]
           birth_year: int | None = None, home_town: str = "", unit: str = "",
           death_date: str = "", death_place: str = "", burial_info: str = "") -> str:
    conn.execute(insert(ix.index_martyrs).values(
        id=martyr_id, visit_id=visit_id, position=0, full_name=full_name,
        other_names=other_names, birth_year=birth_year, home_town=home_town, unit=unit,
        enlistment_date="", death_date=death_date, death_place=death_place,
        burial_info=burial_info, notes=""))
    return f"martyr:{martyr_id}"


def person(conn, person_id: str, visit_id: str, name: str, relationship: str,  # type: ignore[no-untyped-def]
           martyr_id: str | None, dna_willing: bool = True, kind: str = "relative") -> None:
    conn.execute(insert(ix.index_people).values(
        id=person_id, visit_id=visit_id, position=0, kind=kind, full_name=name,
        relationship=relationship, martyr_id=martyr_id, birth_year=None, phone="0912 000 111",
        unit="", battles="", dna_willing=dna_willing, dna_contact="gọi buổi tối", notes=""))


def testimony(conn, testimony_id: str, visit_id: str, martyr_ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    conn.execute(insert(ix.index_testimonies).values(
        id=testimony_id, visit_id=visit_id, speaker_person_id=None, speaker_name="Ông Bảy",
        language="vi", notes="", created_at="2026-11-20T08:00:00Z",
        martyr_ids=json.dumps(martyr_ids), duration=4.0, batch_id="b-" + visit_id))


def item(conn, item_id: str, visit_id: str, martyr_id: str, title: str = "Thư gửi mẹ") -> None:  # type: ignore[no-untyped-def]
    conn.execute(insert(ix.index_items).values(
        id=item_id, visit_id=visit_id, position=0, kind="letter", title=title,
        description="", owner="", condition="", martyr_id=martyr_id))


def lead(conn, lead_id: str, visit_id: str, martyr_id: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(insert(ix.index_leads).values(
        id=lead_id, visit_id=visit_id, position=0, martyr_id=martyr_id,
        description="Mộ ở gốc cây đa", latitude=None, longitude=None, grid_reference="",
        source_kind="other", source_ref="", source_testimony_id=None,
        source_at_seconds=None, confidence="medium"))


def a_list(conn, import_id: str, kind: str, rows: list[dict[str, str]],  # type: ignore[no-untyped-def]
           title: str = "Danh sách liệt sĩ chưa tìm thấy mộ") -> list[str]:
    conn.execute(insert(list_imports).values(
        id=import_id, kind=kind, title=title, source="Sở Nội vụ, công văn 12/2026",
        filename="ds.csv", sha256="0" * 64, row_count=len(rows), mapping="{}",
        imported_by="an", imported_at=NOW, withdrawn_by=None, withdrawn_at=None))
    ids = []
    for line, row in enumerate(rows, start=2):
        row_id = f"{import_id}:{line}"
        values = {k: "" for k in ("full_name", "other_names", "birth_year", "home_town",
                                  "unit", "death_date", "death_place", "cemetery", "plot",
                                  "battle", "served")}
        values.update(row)
        conn.execute(insert(list_rows).values(id=row_id, import_id=import_id, line=line,
                                              kind=kind, extra="{}", **values))
        ids.append(f"list:{row_id}")
    return ids


def hung_world(conn) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Nguyễn Văn Hùng told of by his sister (a visit) and by the province's list, with two
    death dates and two burial places; his namesake born six years later in another
    regiment; Trần Văn Bảy told of twice, sparsely (a pair for a person to review)."""
    visit(conn, "v1")
    visit(conn, "v2", "Thôn Tây")
    ids = {
        "hung": martyr(conn, "m-hung", "v1", "Nguyễn Văn Hùng", other_names="anh Ba",
                       birth_year=1948, home_town="xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị",
                       unit="Trung đoàn 24, Sư đoàn 304", death_date="1972-08-15",
                       death_place="Thành cổ Quảng Trị", burial_info="Chôn ở gốc cây đa"),
        "namesake": martyr(conn, "m-hung2", "v2", "Nguyễn Văn Hùng", birth_year=1954,
                           home_town="Cam Chính, Quảng Trị", unit="E64 F320",
                           death_date="3/1975", death_place="Buôn Ma Thuột"),
        "bay1": martyr(conn, "m-bay", "v2", "Trần Văn Bảy", home_town="Hải Lăng, Quảng Trị"),
    }
    person(conn, "p-sister", "v1", "Nguyễn Thị Hoa", "em gái ruột", "m-hung")
    person(conn, "p-mother", "v1", "Lê Thị Mận", "mẹ", "m-hung")
    person(conn, "p-uncle", "v1", "Nguyễn Văn Tâm", "chú", "m-hung", dna_willing=False)
    testimony(conn, "t1", "v1", ["m-hung"])
    item(conn, "i1", "v1", "m-hung")
    lead(conn, "l1", "v1", "m-hung")
    rows = a_list(conn, "imp1", "martyrs", [
        {"full_name": "Nguyễn Văn Hùng", "birth_year": "1948",
         "home_town": "Cam Chính, Cam Lộ, Quảng Trị", "unit": "E24 F304",
         "death_date": "20/9/1972", "death_place": "Quảng Trị"},
        {"full_name": "Trần Bảy", "birth_year": "1950", "home_town": "Hải Lăng, Quảng Trị"},
    ])
    ids["hung_list"], ids["bay2"] = rows
    graves = a_list(conn, "imp2", "graves", [
        {"full_name": "Nguyễn Văn Hùng", "home_town": "Quảng Trị", "death_date": "1972",
         "unit": "E24", "cemetery": "Nghĩa trang Trường Sơn", "plot": "B-12"}],
        title="Mộ chưa xác định danh tính")
    ids["hung_grave"] = graves[0]
    return ids
