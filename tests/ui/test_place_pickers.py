"""The province and commune pickers match what is typed without accents and in any case,
anywhere in the name, and a choice from the filtered list is the official place."""

from __future__ import annotations

import unicodedata

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QInputMethodEvent

from capture.search import fold
from ui import viewmodels
from ui.widgets.common import FOLDED_ROLE, PlacePicker

QUANG_TRI, HAI_LANG = 44, 19702


@pytest.fixture
def province(app, qtbot):
    picker = PlacePicker()
    qtbot.addWidget(picker)
    picker.set_choices(viewmodels.province_choices(), "Gõ để tìm")
    picker.show()
    qtbot.waitExposed(picker)
    return picker


def type_into(qtbot, picker: PlacePicker, typed: str) -> list[str]:
    """Types as a volunteer would and returns the names the list offers. Letters with marks
    come as a Vietnamese input method (Unikey, ibus-bamboo) delivers them: committed text
    (QTest's key clicks know only Latin-1 keys)."""
    edit = picker.lineEdit()
    edit.clear()
    for char in typed:
        if char.isascii():
            qtbot.keyClicks(edit, char)
        else:
            event = QInputMethodEvent()
            event.setCommitString(char)
            QCoreApplication.sendEvent(edit, event)
    assert edit.text() == typed
    model = picker.completer().completionModel()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def choose_first(qtbot, picker: PlacePicker) -> None:
    popup = picker.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)


@pytest.mark.parametrize("typed", ["quang tri", "QUANG TRI", "Quang Tri", "Quảng Trị",
                                   "quảng trị", "quang  tri", "uang tr"])
def test_the_province_is_offered_however_accents_and_case_are_typed(province, qtbot, typed):
    assert type_into(qtbot, province, typed) == ["Quảng Trị"]
    choose_first(qtbot, province)
    assert province.code() == QUANG_TRI
    assert province.currentText() == "Quảng Trị"  # the official spelling, not what was typed


def test_a_match_anywhere_in_the_name_is_offered(province, qtbot):
    assert "Quảng Trị" in type_into(qtbot, province, "tri")
    assert type_into(qtbot, province, "ha noi") == ["Thành phố Hà Nội"]
    assert type_into(qtbot, province, "HA NOI") == ["Thành phố Hà Nội"]
    choose_first(qtbot, province)
    assert province.code() == viewmodels.province_choices()[0][1] == 1
    # đ is no mark in Unicode but folds to d; a decomposed (VNI/Unikey) Đ as well
    assert type_into(qtbot, province, "da nang") == ["Thành phố Đà Nẵng"]
    assert type_into(qtbot, province, unicodedata.normalize("NFD", "Đà Nẵng")) == [
        "Thành phố Đà Nẵng"]
    assert {"Đắk Lắk", "Đồng Nai", "Đồng Tháp"} <= set(type_into(qtbot, province, "dong nai")
                                                        + type_into(qtbot, province, "dak")
                                                        + type_into(qtbot, province, "dong t"))
    assert type_into(qtbot, province, "xyz") == []


def test_typed_text_alone_is_still_no_choice(province, qtbot):
    type_into(qtbot, province, "quang tri")
    assert province.code() is None
    province.select_code(QUANG_TRI)
    assert province.code() == QUANG_TRI
    type_into(qtbot, province, "Quảng Trịx")  # typing over a choice un-chooses it
    assert province.code() is None


def press_enter(qtbot, picker: PlacePicker) -> None:
    popup = picker.completer().popup()
    qtbot.keyClick(popup if popup.isVisible() else picker.lineEdit(), Qt.Key.Key_Return)


def test_enter_chooses_the_name_typed_without_accents_or_the_only_one_offered(province,
                                                                               qtbot):
    chosen = []
    province.currentIndexChanged.connect(lambda _index: chosen.append(province.code()))
    type_into(qtbot, province, "quang tri")
    press_enter(qtbot, province)
    assert (province.code(), province.currentText(), chosen) == (
        QUANG_TRI, "Quảng Trị", [QUANG_TRI])
    type_into(qtbot, province, "HA NOI")  # the only name that contains it
    press_enter(qtbot, province)
    assert (province.code(), province.currentText()) == (1, "Thành phố Hà Nội")
    type_into(qtbot, province, "thanh pho")  # six cities: no guess
    press_enter(qtbot, province)
    assert province.code() is None and province.currentText() == "thanh pho"
    type_into(qtbot, province, "ha noi")  # the same choice again, retyped
    press_enter(qtbot, province)
    assert (province.code(), province.currentText()) == (1, "Thành phố Hà Nội")


def test_the_commune_picker_folds_the_same_way(app, qtbot):
    ward = PlacePicker()
    qtbot.addWidget(ward)
    ward.set_choices(viewmodels.ward_choices(QUANG_TRI), "Gõ để tìm")
    ward.show()
    qtbot.waitExposed(ward)
    assert type_into(qtbot, ward, "hai lang") == ["Xã Hải Lăng", "Xã Nam Hải Lăng"]
    assert type_into(qtbot, ward, "XA HAI LANG") == ["Xã Hải Lăng"]
    choose_first(qtbot, ward)
    assert ward.code() == HAI_LANG and ward.currentText() == "Xã Hải Lăng"
    # New choices (another province) carry their folded names too.
    ward.set_choices(viewmodels.ward_choices(1), "Gõ để tìm")
    assert all(ward.itemData(i, FOLDED_ROLE) == fold(ward.itemText(i))
               for i in range(ward.count()))
    assert type_into(qtbot, ward, "phuong ba dinh") == ["Phường Ba Đình"]
    assert type_into(qtbot, ward, "hai lang") == []
