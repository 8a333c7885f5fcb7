"""The workbench's world (tests/sync/workbench_world.py: a real station's visit ingested) with
imported lists added, linked into cases: for the cases' web and browser tests.

The visit's martyr "Nguyễn Văn Hùng" (Thanh Hóa, died 3/1972) is joined by the province's
list (died 15/8/1972: a contradiction) and a grave (Nghĩa trang Đường 9, plot C-7); two
"Trần Văn Bảy" from two communes of Quảng Trị stay in two cases, a pair for a person."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from sync.server.cases.relink import relink
from sync.server.cases.tables import case_members
from tests.sync import cases_world as cw
from tests.sync import workbench_world as ww


def build(folder: Path) -> ww.World:
    world = ww.build(folder, f"sqlite:///{folder / 'server.db'}")
    with world.store.begin() as conn:
        listed = cw.a_list(conn, "imp-ls", "martyrs", [
            {"full_name": "Nguyễn Văn Hùng", "birth_year": "1948", "home_town": "Thanh Hóa",
             "death_date": "15/8/1972", "death_place": "Quảng Trị"},
            {"full_name": "Trần Văn Bảy", "birth_year": "1950",
             "home_town": "Hải Lăng, Quảng Trị"},
            {"full_name": "Trần Văn Bảy", "birth_year": "1950",
             "home_town": "Triệu Phong, Quảng Trị"}])
        graves = cw.a_list(conn, "imp-mo", "graves", [
            {"full_name": "Nguyễn Văn Hùng", "home_town": "Thanh Hóa", "death_date": "1972",
             "cemetery": "Nghĩa trang Đường 9", "plot": "C-7"}],
            title="Mộ chưa xác định danh tính, Nghĩa trang Đường 9")
        relink(conn, ww.NOW)
        of = dict(conn.execute(select(case_members.c.mention_id, case_members.c.case_id)).all())
    martyr = f"martyr:{world.ids['martyr']}"
    world.ids.update({"hung_case": of[martyr], "martyr_mention": martyr,
                      "hung_list": listed[0], "bay1": listed[1], "bay2": listed[2],
                      "grave": graves[0], "bay1_case": of[listed[1]],
                      "bay2_case": of[listed[2]]})
    return world
