"""The lead form says what it understood as the volunteer types a grid reference, and a lead
takes its latitude and longitude from that reading, the household's GPS or a photo's GPS;
coordinate markers show their reading in the marker list. Real vault, real editor, offscreen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit

from capture import importer, station, visits
from capture.testimony import MarkerKind, MarkerView, TestimonyView
from tests.capture import mediafiles as mf

from .visit_helpers import visits_page

SHOTS = Path(__file__).parent.parent.parent / "build" / "screenshots"


def _visit(vault, folder: Path) -> str:  # type: ignore[no-untyped-def]
    info = station.info(vault)
    visit_id = visits.create_visit(vault, visits.Household(
        info.province_code, info.ward_code, contact_name="Lê Văn Bảy", latitude=16.7508,
        longitude=107.1936))
    item_id = visits.add(vault, visit_id, visits.ItemData(visits.ItemKind.MAP,
                                                         title="Bản đồ vẽ tay"))
    folder.mkdir()
    photo = mf.save_jpeg(folder / "IMG_0420.JPG", latitude=16.6536, longitude=106.7267)
    importer.import_files(vault, item_id, [photo])
    visits.add(vault, visit_id, visits.LeadData(
        "Ông Bảy kể: chôn cạnh gốc đa lớn, cách bờ suối chừng 200 mét về phía đông."))
    return visit_id


def _saved_lead(vault, visit_id: str) -> visits.LeadData:  # type: ignore[no-untyped-def]
    return visits.load_visit(vault, visit_id).leads[0][1]


def test_the_lead_form_says_what_it_understood_and_fills_the_coordinates(
        app, qtbot, volunteer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    visit_id = _visit(volunteer, tmp_path / "card")
    shell, page = visits_page(qtbot, volunteer)
    page.open_visit(visit_id)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.record is not None, timeout=10_000)
    editor.tabs.setCurrentWidget(editor.leads)
    readout = editor.lead_coordinates
    form = editor.leads.form
    grid: QLineEdit = form.widgets["grid_reference"]
    assert "Gõ tọa độ" in readout.summary_text()  # nothing typed yet: what to do

    # A veteran's grid reference without its zone: understood, the zone said to be assumed.
    type_into(grid, "tọa độ XD 841 420")
    summary = readout.summary_text()
    assert "16.653776, 106.726671" in summary
    assert "MGRS 48Q XD 84150 42050" in summary
    assert "WGS 84" in summary and "±71 m" in summary
    assert "chưa ghi múi lưới: coi là 48Q" in summary
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "lead-coordinates.png"
    assert shell.grab().save(str(shot))

    qtbot.mouseClick(readout.use_button, qtbot_button())
    assert form.widgets["latitude"].text() == "16.653776"
    qtbot.waitUntil(lambda: _saved_lead(volunteer, visit_id).latitude == pytest.approx(
        16.653776, abs=1e-6), timeout=10_000)
    assert _saved_lead(volunteer, visit_id).longitude == pytest.approx(106.726671, abs=1e-6)
    assert _saved_lead(volunteer, visit_id).grid_reference == "tọa độ XD 841 420"

    # Words that hold no coordinate: said so, with examples; nothing to take.
    grid.clear()
    type_into(grid, "gốc đa cạnh suối, Đồi 1015")
    assert readout.summary_text().startswith("Không hiểu được tọa độ nào")
    assert not readout.use_button.isEnabled()

    # A short link from a phone: nothing to read offline, and what to do instead.
    grid.clear()
    type_into(grid, "https://maps.app.goo.gl/Xy12AbC")
    assert readout.summary_text().startswith("“https://maps.app.goo.gl/Xy12AbC” là đường link")

    # The household's GPS, then the GPS of the visit's photo.
    qtbot.mouseClick(readout.household_button, qtbot_button())
    assert (form.widgets["latitude"].text(), form.widgets["longitude"].text()) == \
        ("16.750800", "107.193600")
    readout._fill_photo_menu()
    actions = [a for a in readout.photo_menu.actions() if a.isEnabled()]
    assert len(actions) == 1 and "IMG_0420.JPG" in actions[0].text()
    actions[0].trigger()
    assert form.widgets["latitude"].text() == "16.653600"
    assert "IMG_0420.JPG" in readout.taken_from.text()
    qtbot.waitUntil(lambda: _saved_lead(volunteer, visit_id).longitude == pytest.approx(
        106.7267, abs=1e-6), timeout=10_000)

    # Ambiguity is shown, not hidden: VN-2000 X/Y without a meridian, the description naming
    # the province (not the household's, Hà Nội: a lead is often far from home).
    description = form.widgets["description"]
    description.setPlainText(description.toPlainText() + " Ở xã Hải Lâm, Quảng Trị.")
    grid.clear()
    type_into(grid, "X = 1854321, Y = 512345")
    summary = readout.summary_text()
    assert "kinh tuyến trục 106°15′ của Quảng Trị" in summary
    assert "cách đọc khác, ít khả năng hơn" in summary
    assert readout.best().projection == "TM-3 106°15′"
    assert editor.leads.grab().save(str(SHOTS / "lead-coordinates-ambiguous.png"))


def type_into(line: QLineEdit, text: str) -> None:
    """Typed as by a keyboard (QLineEdit.insert edits like a user; QTest's key clicks cannot
    type Vietnamese letters)."""
    line.setFocus()
    line.insert(text)


def qtbot_button():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_coordinate_markers_show_what_was_read(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    from ui.widgets.audio import TestimonyPlayer

    player = TestimonyPlayer(volunteer)
    qtbot.addWidget(player)
    view = TestimonyView("t", "v", None, "Bà Lan", "vi", "", markers=[
        MarkerView("m1", 3.0, "16°44'46.7\"N 107°11'08.2\"E", MarkerKind.COORDINATE, ""),
        MarkerView("m2", 5.0, "gốc đa", MarkerKind.COORDINATE, ""),
        MarkerView("m3", 7.0, "Đại đội 3", MarkerKind.UNIT, "")])
    player.show_testimony(view, waveform=False)
    texts = [player.marker_list.item(row).text() for row in range(player.marker_list.count())]
    assert "→ 16.746306, 107.185611 · MGRS 48Q YD 33001 52771 · WGS 84 · ±2 m" in texts[0]
    assert texts[1].endswith("→ không hiểu được tọa độ nào")
    assert "→" not in texts[2]


def test_a_coordinate_marker_says_what_it_will_be_read_as(app, qtbot, volunteer) -> None:  # type: ignore[no-untyped-def]
    from ui.pages.recorder import RecorderScreen

    info = station.info(volunteer)
    visit_id = visits.create_visit(volunteer, visits.Household(info.province_code,
                                                               info.ward_code))
    screen = RecorderScreen(volunteer, visit_id)
    qtbot.addWidget(screen)
    screen.marker_kind.setCurrentIndex(screen.marker_kind.findData(MarkerKind.COORDINATE.value))
    type_into(screen.marker_label, "tọa độ 48QXD8415342030")
    assert screen.marker_reading.text().startswith("→ 16.653599, 106.726702 · MGRS 48Q XD")
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.resize(1000, 700)
    assert screen.grab().save(str(SHOTS / "marker-coordinates.png"))
    screen.marker_label.clear()
    type_into(screen.marker_label, "gốc đa")
    assert screen.marker_reading.text().startswith("→ chưa hiểu được tọa độ nào")
    screen.marker_kind.setCurrentIndex(screen.marker_kind.findData(MarkerKind.PLACE.value))
    assert screen.marker_reading.isHidden()  # a place marker is not read as coordinates
