"""The Visits page and the visit editor, driven as a volunteer would, on the real vault."""

from __future__ import annotations

from PySide6.QtCore import Qt

from capture import visits
from capture.visits import MartyrData
from ui.visit_forms import date_from_core, date_to_core

from .visit_helpers import visits_page


def test_partial_dates_as_families_say_them() -> None:
    assert date_to_core("1968") == "1968"
    assert date_to_core("3/1968") == "1968-03"
    assert date_to_core("15/03/1968") == "1968-03-15"
    assert date_to_core("1968-03") == "1968-03"
    assert date_from_core("1968-03-15") == "15/03/1968"
    assert date_from_core("1968-03") == "03/1968"


def test_new_visit_filled_in_is_saved_as_the_volunteer_types(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    _shell, page = visits_page(qtbot, volunteer)
    qtbot.waitUntil(lambda: page.empty.isVisible())
    assert "Chưa có chuyến thăm nào" in page.empty.text()
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.record is not None, timeout=10_000)
    assert page.stack.currentIndex() == page.EDITOR
    visit_id = editor.record.id

    household = editor.household
    household.contact.setText("Nguyễn Thị Mai")
    household.contact.textEdited.emit("Nguyễn Thị Mai")
    household.village.setText("Thôn Đông")
    household.village.textEdited.emit("Thôn Đông")
    household.latitude.setText("121")
    household.latitude.textEdited.emit("121")
    assert household.gps_problem.isVisible()  # said at once, nothing saved with it
    household.latitude.setText("21.0285")
    household.longitude.setText("105.8542")
    household.longitude.textEdited.emit("105.8542")
    assert not household.gps_problem.isVisible()
    household.save_now()
    qtbot.waitUntil(lambda: visits.load_visit(volunteer, visit_id).household.latitude
                    == 21.0285, timeout=10_000)
    assert visits.load_visit(volunteer, visit_id).household.contact_name == "Nguyễn Thị Mai"

    editor.tabs.setCurrentWidget(editor.martyrs)
    martyrs = editor.martyrs
    qtbot.mouseClick(martyrs.add_button, Qt.MouseButton.LeftButton)
    form = martyrs.form.widgets
    form["full_name"].setText("Nguyễn Văn Hùng")
    form["full_name"].textEdited.emit("Nguyễn Văn Hùng")
    form["birth_year"].setText("1948")
    form["death_date"].setText("03/1968")
    form["death_date"].textEdited.emit("03/1968")
    martyrs.save_now()
    qtbot.waitUntil(lambda: len(visits.load_visit(volunteer, visit_id).martyrs) == 1,
                    timeout=10_000)
    qtbot.waitUntil(lambda: visits.load_visit(volunteer, visit_id).martyrs[0][1].death_date
                    == "1968-03", timeout=10_000)
    martyr_id, martyr = visits.load_visit(volunteer, visit_id).martyrs[0]
    assert (martyr.full_name, martyr.birth_year) == ("Nguyễn Văn Hùng", 1948)

    # A date nobody can read is said in the banner, in Vietnamese, and nothing is lost.
    form["death_date"].setText("mùa xuân")
    form["death_date"].textEdited.emit("mùa xuân")
    martyrs.save_now()
    assert "1968" in editor.banner.label.text() and editor.banner.isVisible()

    editor.tabs.setCurrentWidget(editor.people)
    people = editor.people
    qtbot.mouseClick(people.add_button, Qt.MouseButton.LeftButton)
    pform = people.form.widgets
    pform["full_name"].setText("Nguyễn Thị Mai")
    pform["relationship"].setText("em gái")
    qtbot.waitUntil(lambda: pform["martyr_id"].count() == 2, timeout=10_000)
    pform["martyr_id"].setCurrentIndex(1)
    pform["dna_willing"].setChecked(True)
    pform["dna_contact"].setText("0912 345 678")
    people.save_now()
    qtbot.waitUntil(lambda: len(visits.load_visit(volunteer, visit_id).people) == 1,
                    timeout=10_000)
    person = visits.load_visit(volunteer, visit_id).people[0][1]
    assert (person.relationship, person.martyr_id, person.dna_willing) == (
        "em gái", martyr_id, True)

    editor.tabs.setCurrentWidget(editor.items)
    qtbot.mouseClick(editor.items.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(visits.load_visit(volunteer, visit_id).items) == 1,
                    timeout=10_000)
    qtbot.waitUntil(lambda: editor.pages.item is not None, timeout=10_000)
    iform = editor.items.form.widgets
    iform["title"].setText("Thư gửi mẹ, 1967")
    iform["title"].textEdited.emit("Thư gửi mẹ, 1967")
    editor.items.save_now()
    qtbot.waitUntil(lambda: visits.load_visit(volunteer, visit_id).items[0].data.title
                    == "Thư gửi mẹ, 1967", timeout=10_000)
    assert editor.pages.empty.isVisible()  # the item's gallery invites photos

    editor.tabs.setCurrentWidget(editor.testimony)
    assert editor.recorder is not None

    qtbot.mouseClick(editor.back, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and page.table.isVisible(),
                    timeout=10_000)
    row = [page.table.item(0, c).text() for c in range(6)]
    assert row[1] == "Nguyễn Thị Mai" and "Thôn Đông" in row[2]
    assert row[3] == "Nguyễn Văn Hùng" and row[5] == "Nháp"


def test_search_without_accents_finds_the_martyr_and_opens_the_visit(
        app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    from .visit_helpers import visit_with_item

    visit_id, _item = visit_with_item(volunteer)
    visits.add(volunteer, visit_id, MartyrData("Nguyễn Văn Hùng", unit="Trung đoàn 9"))
    _shell, page = visits_page(qtbot, volunteer)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    qtbot.keyClicks(page.search_box, "nguyen van hung")
    qtbot.waitUntil(lambda: page.results.count() >= 1, timeout=10_000)
    assert not page.table.isVisible()
    hit = page.results.item(0)
    assert "Nguyễn Văn Hùng" in hit.text()
    page._open_hit(hit)
    qtbot.waitUntil(lambda: page.editor.record is not None
                    and page.editor.record.id == visit_id, timeout=10_000)
    assert page.editor.tabs.currentWidget() is page.editor.martyrs
    page.show_list()
    page.search_box.setText("khong co ai ten nay")
    qtbot.waitUntil(lambda: page.no_results.isVisible(), timeout=10_000)


def test_submitted_visit_shows_no_edit_controls(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    from capture.models import Visit

    from .visit_helpers import visit_with_item

    visit_id, _item = visit_with_item(volunteer)
    with volunteer.writing() as session:
        session.get(Visit, visit_id).status = "submitted"
    _shell, page = visits_page(qtbot, volunteer)
    page.open_visit(visit_id)
    qtbot.waitUntil(lambda: page.editor.record is not None, timeout=10_000)
    editor = page.editor
    assert editor.read_only_note.isVisibleTo(editor)
    assert not editor.martyrs.add_button.isVisibleTo(editor.martyrs)
    assert not editor.pages.add_files.isVisibleTo(editor.pages)
    assert editor.household.contact.isReadOnly()
