"""What the linker reads out of a mention as people write it: names, dates, units, home towns.

Each case is a way a sister, a comrade or the province's list writes the same fact; if two
spellings gave different keys, the same martyr would be split into two cases.
"""

from __future__ import annotations

import pytest

from capture.names import fold, parse_name
from sync.server.cases.normalise import Date, admin_index, birth_year, death_date, unit


def test_fold_needs_no_vault_and_folds_like_search():
    from capture import search

    for text in ("Nguyễn Văn Đồng", "HUỲNH TẤN PHÁT", "Võ Thị Sáu", "plain"):
        assert fold(text) == search.fold(text)
    assert fold("Đặng Thùy Trâm") == "dang thuy tram"


@pytest.mark.parametrize("written", ["Nguyễn Văn Hùng", "NGUYEN VAN HUNG", "NGUYEN V. HUNG",
                                     "Nguyễn Hùng", "nguyễn  văn   hùng", "Nguyễn V Hùng"])
def test_one_man_many_spellings_same_keys(written):
    name = parse_name(written)
    assert (name.surname, name.given) == ("nguyen", "hung")
    assert name.middle_initials in ("v", "")


def test_hoang_huynh_and_vu_vo_are_one_surname():
    assert parse_name("Huỳnh Văn Hùng").surname == parse_name("Hoàng Văn Hùng").surname
    assert parse_name("Võ Thị Sáu").surname == parse_name("Vũ Thị Sáu").surname
    assert parse_name("Huỳnh Văn Hùng").original == "huỳnh văn hùng"  # the spelling kept


@pytest.mark.parametrize(("full", "other", "order", "given"), [
    ("Hùng (anh Ba)", "", 3, "hung"),
    ("Nguyễn Văn Hùng", "anh Ba", 3, "hung"),
    ("Trần Thị Lan", "chị Tư", 4, "lan"),
    ("anh Ba", "", 3, ""),
    ("Nguyễn Văn Tỵ", "Tư Tỵ", 4, "ty"),
    ("Lê Văn Út", "", None, "ut"),
])
def test_birth_order_names(full, other, order, given):
    name = parse_name(full, other)
    assert (name.birth_order, name.given) == (order, given)


def test_aliases_are_kept():
    name = parse_name("Phạm Văn Đồng", "Tô; bí danh Lâm Bá Kiệt")
    assert "to" in name.aliases and "lam ba kiet" in name.aliases


@pytest.mark.parametrize(("written", "date"), [
    ("15/8/1972", Date(1972, 8, 15)), ("15-08-1972", Date(1972, 8, 15)),
    ("8/1972", Date(1972, 8)), ("tháng 8 năm 1972", Date(1972, 8)),
    ("ngày 15 tháng 8 năm 1972", Date(1972, 8, 15)), ("1972", Date(1972)),
    ("năm 1972", Date(1972)), ("1972-08-15", Date(1972, 8, 15)),
    ("hy sinh tháng 8/1972", Date(1972, 8)),
])
def test_death_dates_as_people_write_them(written, date):
    assert death_date(written) == date
    assert death_date(written).precision == ("day" if date.day else
                                             "month" if date.month else "year")


@pytest.mark.parametrize("written", ["không rõ", "32/8/1972", "15/13/1972", "", "abc"])
def test_what_is_not_a_date(written):
    assert death_date(written) is None


def test_birth_years():
    assert [birth_year(t) for t in ("1948", "khoảng 1948", "12/3/1948", "1948?", "", "48")] \
        == [1948, 1948, 1948, 1948, None, None]


@pytest.mark.parametrize("written", ["E24 F304", "Trung đoàn 24, Sư đoàn 304", "e24/f304",
                                     "c2 d8 e24 f304", "C2-D8-E24-F304",
                                     "Đại đội 2, Tiểu đoàn 8, Trung đoàn 24, Sư đoàn 304"])
def test_units_abbreviated_or_written_out(written):
    found = unit(written)
    assert (found.regiment, found.division) == (24, 304)


def test_company_and_battalion_and_tnxp():
    assert unit("c2 d8 e24").key == "e24 d8 c2"
    for written in ("Đội TNXP 55", "Thanh niên xung phong đội 55", "TNXP đội 55"):
        assert unit(written).tnxp == 55
    assert unit("").key == ""


def test_home_town_old_and_new_forms_reach_the_same_commune():
    admin = admin_index()
    old = admin.home_town("xã Cam Chính, huyện Cam Lộ, tỉnh Quảng Trị")
    assert (old.province, old.district, old.old_ward) == (
        "tinhquangtri", "huyencamlo", "huyencamlo_xacamchinh")
    for written in ("Cam Chính, Cam Lộ, Quảng Trị", "X. Cam Chính, H. Cam Lộ, T. Quảng Trị",
                    "xa cam chinh huyen cam lo tinh quang tri", "Cam Chính, Quảng Trị"):
        assert admin.home_town(written).old_ward == old.old_ward, written
    after_merger = admin.home_town(f"xã {old.ward[2:].title()}, tỉnh Quảng Trị")
    assert after_merger.ward == old.ward  # the 2025 commune the old one went into
    district_only = admin.home_town("Cam Lộ, Quảng Trị")
    assert (district_only.province, district_only.district) == ("tinhquangtri", "huyencamlo")


def test_a_province_merged_in_2025_is_the_new_one():
    admin = admin_index()
    # Thái Bình went into Hưng Yên in 2025; Quảng Bình into Quảng Trị
    assert admin.home_town("Vũ Thư, Thái Bình").province == admin.home_town("Hưng Yên").province
    assert admin.home_town("Quảng Bình").province == "tinhquangtri"


def test_a_home_town_no_table_knows_is_kept_as_text():
    town = admin_index().home_town("làng Đông, vùng biên giới")
    assert town.province == "" and town.text
