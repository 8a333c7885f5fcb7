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


def build_light(folder: Path):  # type: ignore[no-untyped-def]
    """The same kinds of mention without a station (rows written as ingest and the list import
    write them: tests/sync/cases_world.py), for the browser test, where a station's vault,
    recording and batch would only cost minutes on a loaded machine. Two "Lê Văn Tám" from two
    communes of Quảng Trị are a pair across two cases."""
    from sync.server import accounts
    from sync.server.store import Store

    data = folder / "command"
    data.mkdir(parents=True)
    store = Store(f"sqlite:///{folder / 'server.db'}")
    policy = accounts.Policy(argon2_memory_kib=8 * 1024, argon2_iterations=1)
    with store.begin() as conn:
        ids = cw.hung_world(conn)
        ids["tam1"], ids["tam2"] = cw.a_list(conn, "imp-tam", "martyrs", [
            {"full_name": "Lê Văn Tám", "birth_year": "1951", "home_town": "Hải Lăng, Quảng Trị"},
            {"full_name": "Lê Văn Tám", "birth_year": "1951",
             "home_town": "Triệu Phong, Quảng Trị"}], title="Danh sách bổ sung")
        for name, role in ww.ROLES.items():
            accounts.add_account(conn, name, role, ww.PASSWORDS[name], ww.NOW, policy)
        relink(conn, ww.NOW)
        of = dict(conn.execute(select(case_members.c.mention_id, case_members.c.case_id)).all())
    ids.update({"hung_case": of[ids["hung"]], "tam1_case": of[ids["tam1"]],
                "tam2_case": of[ids["tam2"]], "grave": ids["hung_grave"]})
    return ww.World(data, store, "v1", cw.STATION, "b-v1", ids)
