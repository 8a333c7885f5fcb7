"""The visit model: what a volunteer records in a household, kept exactly, and changes audited."""

import pytest

from capture import visits
from capture.check import check_vault
from capture.errors import PermissionDenied, UnknownPlace
from capture.vault import Vault
from capture.visits import (
    Household,
    ItemData,
    ItemKind,
    LeadData,
    MartyrData,
    PersonData,
    PersonKind,
)

HOUSEHOLD = Household(province_code=1, ward_code=4, village="Tổ dân phố 7",
                      contact_name="Nguyễn Thị Hoa", contact_phone="0912 345 678",
                      latitude=21.0368, longitude=105.8342)


def test_a_whole_visit_round_trips(volunteer):
    visit_id = visits.create_visit(volunteer, HOUSEHOLD)
    martyr = visits.add(volunteer, visit_id, MartyrData(
        "Nguyễn Văn Hùng", other_names="Hùng Bé", birth_year=1950, home_town="Thanh Hóa",
        unit="E209, F312", enlistment_date="1968-03", death_date="1972", burial_info="Quảng Trị"))
    visits.add(volunteer, visit_id, PersonData(PersonKind.RELATIVE, "Nguyễn Thị Hoa",
                                              relationship="em gái", martyr_id=martyr,
                                              dna_willing=True, dna_contact="0912 345 678"))
    visits.add(volunteer, visit_id, PersonData(PersonKind.VETERAN, "Trần Văn Lợi",
                                              unit="E209", battles="Thành cổ Quảng Trị 1972"))
    diary = visits.add(volunteer, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký 1971",
                                                    condition="giấy ố vàng", martyr_id=martyr))
    pages = []
    for n in range(3):
        stored = volunteer.store_bytes(f"trang {n}".encode(), media_type="image/jpeg")
        pages.append(visits.add_page(volunteer, diary, stored.name,
                                     original_filename=f"IMG_{n}.JPG", meta={"n": n}))
    visits.add(volunteer, visit_id, LeadData("Gốc đa đầu làng", latitude=16.75, longitude=107.19,
                                             source_kind="testimony"))
    visits.reorder_pages(volunteer, diary, [pages[2], pages[0], pages[1]])
    assert visits.rotate_page(volunteer, pages[0], 1) == 90
    assert visits.rotate_page(volunteer, pages[0], -2) == 270
    visits.set_cover(volunteer, diary, pages[1])

    record = visits.load_visit(volunteer, visit_id)
    assert record.household == HOUSEHOLD
    assert record.status == visits.VisitStatus.DRAFT
    (martyr_row_id, martyr_data), = record.martyrs
    assert martyr_row_id == martyr
    assert martyr_data.death_date == "1972" and martyr_data.enlistment_date == "1968-03"
    assert [p.full_name for _, p in record.people] == ["Nguyễn Thị Hoa", "Trần Văn Lợi"]
    assert record.people[0][1].dna_willing
    item = record.items[0]
    assert [p.id for p in item.pages] == [pages[2], pages[0], pages[1]]
    assert item.cover_page_id == pages[1]
    assert [p.rotation for p in item.pages] == [0, 270, 0]
    assert item.pages[1].meta == {"n": 0}
    summary, = visits.list_visits(volunteer)
    assert (summary.items, summary.pages, summary.martyr_names) == (1, 3, ("Nguyễn Văn Hùng",))


def test_bad_values_are_refused_with_a_reason(volunteer):
    visit_id = visits.create_visit(volunteer, HOUSEHOLD)
    with pytest.raises(visits.InvalidPartialDate):
        visits.add(volunteer, visit_id, MartyrData("A", death_date="1972-13"))
    with pytest.raises(visits.InvalidPartialDate):
        visits.add(volunteer, visit_id, MartyrData("A", death_date="3/1972"))
    with pytest.raises(visits.MartyrNameMissing):
        visits.add(volunteer, visit_id, MartyrData("  "))
    with pytest.raises(visits.InvalidCoordinates):
        visits.add(volunteer, visit_id, LeadData("x", latitude=95.0, longitude=10.0))
    with pytest.raises(visits.InvalidCoordinates):
        visits.add(volunteer, visit_id, LeadData("x", latitude=16.0))
    with pytest.raises(UnknownPlace):
        visits.create_visit(volunteer, Household(province_code=1, ward_code=999_999))
    with pytest.raises(visits.PageWithoutObject):
        item = visits.add(volunteer, visit_id, ItemData(ItemKind.LETTER))
        visits.add_page(volunteer, item, "0" * 64)
    assert visits.load_visit(volunteer, visit_id).martyrs == []


def test_an_item_with_pages_is_not_removed_by_a_stray_click(volunteer):
    visit_id = visits.create_visit(volunteer, HOUSEHOLD)
    item = visits.add(volunteer, visit_id, ItemData(ItemKind.LETTER))
    page = visits.add_page(volunteer, item, volunteer.store_bytes(b"thu").name)
    with pytest.raises(visits.ItemHasPages):
        visits.remove(volunteer, ItemData, item)
    with pytest.raises(visits.VisitNotEmpty):
        visits.delete_visit(volunteer, visit_id)
    visits.remove_page(volunteer, page)
    visits.remove(volunteer, ItemData, item)
    visits.delete_visit(volunteer, visit_id)
    assert visits.list_visits(volunteer) == []


def test_submitted_visits_are_frozen(volunteer):
    visit_id = visits.create_visit(volunteer, HOUSEHOLD)
    with volunteer.writing() as session:  # review states arrive with the review work
        session.get(visits.Visit, visit_id).status = "submitted"
    with pytest.raises(visits.VisitNotEditable):
        visits.add(volunteer, visit_id, MartyrData("B"))


def test_changes_are_audited_and_roles_enforced(volunteer):
    visit_id = visits.create_visit(volunteer, HOUSEHOLD)
    visits.add(volunteer, visit_id, MartyrData("Lê Văn Tám"))
    path = volunteer.path
    volunteer.lock()
    admin = Vault(path).unlock("admin", "mật khẩu quản trị")
    try:
        with pytest.raises(PermissionDenied):
            visits.create_visit(admin, HOUSEHOLD)
        with pytest.raises(PermissionDenied):
            visits.load_visit(admin, visit_id)
        report = check_vault(admin)
        assert report.ok and report.audit_events >= 5
        with admin.reading() as session:
            from sqlalchemy import select

            from capture.models import AuditEvent

            actions = [(e.action, e.entity) for e in session.scalars(select(AuditEvent))]
        assert ("create", "visit") in actions and ("create", "martyr") in actions
    finally:
        admin.lock()
