"""Search ignores Vietnamese diacritics and case, finds every kind of record, stays current."""

from __future__ import annotations

from capture import search, visits
from capture.search import fold


def downgrade(vault, revision: str) -> None:
    """Take an open vault's schema back to ``revision`` (each later migration's downgrade)."""
    from alembic import command
    from alembic.config import Config

    from capture.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with vault.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def versions(vault) -> set[str]:
    with vault.reading() as session:
        return {row[0] for row in session.connection().exec_driver_sql(
            "SELECT version_num FROM alembic_version")}


def visit_with_people(vault):
    visit_id = visits.create_visit(vault, visits.Household(
        1, 4, village="Thôn Đông Hòa", contact_name="Lê Thị Hoa", address="Xã Quảng Điền"))
    martyr = visits.add(vault, visit_id, visits.MartyrData(
        "Nguyễn Văn Hùng", other_names="Hùng Đen", home_town="Quảng Trị",
        unit="Trung đoàn 95, Sư đoàn 325", death_place="Đồi Không Tên, Khe Sanh"))
    person = visits.add(vault, visit_id, visits.PersonData(
        visits.PersonKind.VETERAN, "Trần Đức Thắng", unit="Tiểu đoàn 8", battles="Thành cổ"))
    item = visits.add(vault, visit_id, visits.ItemData(
        visits.ItemKind.DIARY, title="Nhật ký chiến trường", owner="Bà Hoa",
        description="Sổ bìa xanh, 1972, nhiều trang ướt"))
    lead = visits.add(vault, visit_id, visits.LeadData(
        description="Chôn cạnh gốc cây đa lớn phía bắc đồi", grid_reference="XD 123 456"))
    return visit_id, martyr, person, item, lead


def test_fold_strips_every_vietnamese_mark_and_d_bar_and_keeps_length():
    text = "Nguyễn Văn Hùng, ĐỒNG THÁP, Đặng Thị Ánh"
    assert fold(text) == "nguyen van hung, dong thap, dang thi anh"
    assert len(fold(text)) == len(text)
    # combining input (typed with VNI/Unikey in decomposed form) folds the same
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Hùng")) == "hung"


def test_search_ignores_diacritics_and_case_across_every_kind_of_record(volunteer):
    visit_id, martyr, person, item, lead = visit_with_people(volunteer)
    hits = search.search(volunteer, "nguyen van hung")
    assert [(h.kind, h.ref_id, h.title) for h in hits] == [("martyr", martyr, "Nguyễn Văn Hùng")]
    assert hits[0].visit_id == visit_id and "Nguyễn Văn Hùng" in hits[0].snippet
    assert {h.kind for h in search.search(volunteer, "DONG HOA")} == {"visit"}
    assert search.search(volunteer, "tran duc thang")[0].ref_id == person
    assert search.search(volunteer, "nhat ky")[0].ref_id == item
    assert search.search(volunteer, "cay da")[0].ref_id == lead
    assert search.search(volunteer, "khe sanh")[0].ref_id == martyr
    assert search.search(volunteer, "Trung đoàn 95")[0].ref_id == martyr
    # typing: the last word may be unfinished
    assert search.search(volunteer, "nguyen van hu")[0].ref_id == martyr
    assert search.search(volunteer, "nguyen van hoa") == []
    assert search.search(volunteer, "  ,;  ") == []
    assert search.search(volunteer, '"quoted" OR NEAR(') == []  # no FTS syntax leaks through


def test_the_index_follows_edits_and_removals(volunteer):
    visit_id, martyr, _person, _item, lead = visit_with_people(volunteer)
    visits.update(volunteer, martyr, visits.MartyrData("Phạm Quốc Bảo"))
    assert search.search(volunteer, "nguyen van hung") == []
    assert search.search(volunteer, "pham quoc bao")[0].ref_id == martyr
    visits.remove(volunteer, visits.LeadData, lead)
    assert search.search(volunteer, "cay da") == []
    visits.update_household(volunteer, visit_id, visits.Household(1, 4, contact_name="Võ Thị Sáu"))
    assert search.search(volunteer, "vo thi sau")[0].kind == "visit"
    assert search.search(volunteer, "dong hoa") == []
    empty = visits.create_visit(volunteer, visits.Household(1, 4, contact_name="Mai Văn Tám"))
    assert search.search(volunteer, "mai van tam")[0].visit_id == empty
    visits.delete_visit(volunteer, empty)
    assert search.search(volunteer, "mai van tam") == []


def test_the_index_survives_locking_and_is_inside_the_encrypted_database(volunteer):
    from capture.vault import Vault
    from tests.conftest import VOLUNTEER_PASS

    visit_with_people(volunteer)
    path = volunteer.path
    volunteer.lock()
    data = b"".join(p.read_bytes() for p in path.glob("vault.db*"))
    assert b"nguyen van hung" not in data and "Nguyễn".encode() not in data
    again = Vault(path).unlock("lan", VOLUNTEER_PASS)
    try:
        assert search.search(again, "nguyen van hung")
    finally:
        again.lock()


def test_a_one_letter_prefix_narrows_and_broad_queries_put_the_newest_first(volunteer,
                                                                              monkeypatch):
    _visit_id, martyr, *_ = visit_with_people(volunteer)
    assert [h.ref_id for h in search.search(volunteer, "nguyen van h")] == [martyr]
    assert search.search(volunteer, "nguyen van x") == []  # no word starts with x
    # Beyond RANKED_AT_MOST hits ranking would cost per hit: the newest records come first.
    monkeypatch.setattr(search, "RANKED_AT_MOST", 2)
    names = [f"Lê Văn Số {n}" for n in range(5)]
    made = [visits.create_visit(volunteer, visits.Household(1, 4, contact_name=name))
            for name in names]
    hits = search.search(volunteer, "le van", limit=3)
    assert [h.visit_id for h in hits] == made[::-1][:3]
    assert search.search(volunteer, "le van so 3")[0].visit_id == made[3]  # few hits: ranked


QUANG_TRI, HAI_LANG = 44, 19702  # Quảng Trị; Xã Hải Lăng in it


def test_a_visit_is_found_by_the_names_of_its_province_and_commune_without_accents(volunteer):
    visit_id = visits.create_visit(volunteer, visits.Household(
        QUANG_TRI, HAI_LANG, village="Thôn Câu Nhi", contact_name="Hồ Thị Mến"))
    elsewhere = visits.create_visit(volunteer, visits.Household(1, 4, contact_name="Lê Văn Tư"))
    for query in ("quang tri", "QUANG TRI", "Quảng Trị", "quảng trị", "Quang Tri",
                  "hai lang", "HẢI LĂNG", "xa hai lang", "hai lang quang tri", "hai la",
                  "cau nhi hai lang"):
        hits = search.search(volunteer, query)
        assert [(h.kind, h.visit_id) for h in hits] == [("visit", visit_id)], query
    snippet = search.search(volunteer, "quang tri")[0].snippet
    assert "Xã Hải Lăng" in snippet and "Quảng Trị" in snippet  # the official spelling
    assert [h.visit_id for h in search.search(volunteer, "ha noi")] == [elsewhere]
    assert [h.visit_id for h in search.search(volunteer, "phuong ba dinh")] == [elsewhere]
    assert search.search(volunteer, "nam hai lang") == []  # another commune of Quảng Trị
    # Moving the household moves its place names in the index with it.
    visits.update_household(volunteer, visit_id, visits.Household(
        1, 4, village="Thôn Câu Nhi", contact_name="Hồ Thị Mến"))
    assert search.search(volunteer, "quang tri") == []
    assert {h.visit_id for h in search.search(volunteer, "ha noi")} == {visit_id, elsewhere}


def test_a_martyr_is_found_by_home_town_death_place_and_burial_and_a_lead_by_its_words(
        volunteer):
    visit_id = visits.create_visit(volunteer, visits.Household(1, 4, contact_name="Lê Thị Hoa"))
    martyr = visits.add(volunteer, visit_id, visits.MartyrData(
        "Đặng Văn Lộc", home_town="Xã Thụy Anh, Thái Bình", death_place="Thành cổ Quảng Trị",
        burial_info="Nghĩa trang liệt sĩ Trường Sơn, hàng 4, mộ 12"))
    lead = visits.add(volunteer, visit_id, visits.LeadData(
        description="Đồng đội chôn ở bờ sông Thạch Hãn, dưới bụi tre"))
    for query in ("thanh co quang tri", "THÀNH CỔ", "thuy anh thai binh",
                  "nghia trang truong son", "Truong Son hang 4"):
        assert [(h.kind, h.ref_id) for h in search.search(volunteer, query)] == [
            ("martyr", martyr)], query
    assert [h.ref_id for h in search.search(volunteer, "song thach han")] == [lead]
    assert [h.ref_id for h in search.search(volunteer, "BUI TRE")] == [lead]


def test_migration_0008_rebuilds_the_index_of_a_vault_made_before_place_names(volunteer,
                                                                             monkeypatch):
    from capture.vault import Vault
    from tests.conftest import VOLUNTEER_PASS

    visit_id = visits.create_visit(volunteer, visits.Household(
        QUANG_TRI, HAI_LANG, contact_name="Hồ Thị Mến"))
    # The vault as 0007 left it: the index without place names, alembic at 0007.
    old = dict(search._SOURCES)
    old["visit"] = ("visits", "contact_name",
                    ("contact_name", "village", "address", "contact_phone", "notes"))
    heads = versions(volunteer)
    downgrade(volunteer, "0007")
    with monkeypatch.context() as patch:
        patch.setattr(search, "_SOURCES", old)
        with volunteer.writing() as session:
            search.rebuild(session.connection())
    assert search.search(volunteer, "quang tri") == []
    assert search.search(volunteer, "ho thi men")[0].visit_id == visit_id
    path = volunteer.path
    volunteer.lock()
    again = Vault(path).unlock("lan", VOLUNTEER_PASS)  # unlocking runs the migrations
    try:
        assert [h.visit_id for h in search.search(again, "quang tri")] == [visit_id]
        assert [h.visit_id for h in search.search(again, "hai lang")] == [visit_id]
        assert [h.visit_id for h in search.search(again, "ho thi men")] == [visit_id]
        assert versions(again) == heads
        with again.reading() as session:
            count = session.connection().exec_driver_sql(
                "SELECT count(*) FROM search_index").scalar()
        assert count == 1  # rebuilt, not added to
    finally:
        again.lock()


def index_rows(vault):
    with vault.reading() as session:
        connection = session.connection()
        rows = sorted(connection.exec_driver_sql(
            "SELECT visit_id, kind, ref_id, title, body, folded FROM search_index").fetchall())
        mapped = sorted(connection.exec_driver_sql(
            "SELECT m.visit_id, i.visit_id FROM search_rows m "
            "JOIN search_index i ON i.rowid = m.fts_rowid").fetchall())
        counts = connection.exec_driver_sql(
            "SELECT (SELECT count(*) FROM search_rows), (SELECT count(*) FROM search_index)"
        ).one()
    return rows, mapped, tuple(counts)


def test_an_edit_leaves_the_index_as_a_full_rebuild_would_make_it(volunteer):
    first, martyr, _person, _item, lead = visit_with_people(volunteer)
    second, *_ = visit_with_people(volunteer)
    visits.update(volunteer, martyr, visits.MartyrData("Phạm Quốc Bảo"))
    visits.remove(volunteer, visits.LeadData, lead)
    visits.update_household(volunteer, second, visits.Household(1, 4, contact_name="Võ Thị Sáu"))
    gone = visits.create_visit(volunteer, visits.Household(1, 4, contact_name="Mai Văn Tám"))
    visits.delete_visit(volunteer, gone)
    edited, mapped, (map_count, index_count) = index_rows(volunteer)
    # Every index row is mapped once, to its own visit: none left behind by an edit.
    assert map_count == index_count == len(mapped) == len(edited)
    assert all(owner == indexed for owner, indexed in mapped)
    assert {row[0] for row in edited} == {first, second}
    with volunteer.writing() as session:
        search.rebuild(session.connection())
    assert index_rows(volunteer)[0] == edited
    assert search.search(volunteer, "pham quoc bao")[0].ref_id == martyr
    assert search.search(volunteer, "cay da")[0].visit_id == second


def test_migration_0012_maps_the_index_of_an_older_vault_and_edits_then_find_their_rows(
        volunteer):
    import importlib.util

    from capture.db import MIGRATIONS
    from capture.vault import Vault
    from tests.conftest import VOLUNTEER_PASS

    spec = importlib.util.spec_from_file_location(
        "m0012", MIGRATIONS / "versions" / "0012_search_rows.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    visit_id, martyr, *_ = visit_with_people(volunteer)
    heads = versions(volunteer)
    downgrade(volunteer, migration.down_revision)  # the vault as it was before 0012: no map
    with volunteer.reading() as session:
        assert session.connection().exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'search_rows'").scalar() == 0
    path = volunteer.path
    volunteer.lock()
    again = Vault(path).unlock("lan", VOLUNTEER_PASS)
    try:
        rows, mapped, (map_count, index_count) = index_rows(again)
        assert map_count == index_count == len(rows) == 5
        assert {owner for owner, _ in mapped} == {visit_id}
        visits.update(again, martyr, visits.MartyrData("Phạm Quốc Bảo"))
        assert search.search(again, "nguyen van hung") == []
        assert [h.ref_id for h in search.search(again, "pham quoc bao")] == [martyr]
        assert index_rows(again)[2] == (5, 5)
        assert versions(again) == heads
    finally:
        again.lock()


def test_the_folding_loads_without_the_vault_for_the_command_server():
    import subprocess
    import sys

    probe = ("import sys, capture.folding as t; "
             "assert t.fold('Nguyễn Văn Đồng') == 'nguyen van dong'; "
             "print(sorted(m for m in sys.modules if m.startswith(('capture.', 'sqlalchemy'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout
    assert "capture.vault" not in loaded and "sqlalchemy" not in loaded
    from capture import folding
    assert search.fold is folding.fold  # the old import path still works
