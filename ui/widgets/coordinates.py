"""What the coordinate parser understood, shown where coordinates are typed: under a lead's
grid reference (with buttons to take the reading, the household's GPS or a photo's GPS into the
lead's latitude and longitude), and beside coordinate markers in the testimony's marker list.
The reading itself is capture.coords; this module only says it in the user's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from capture.coords import Context, Coordinate, CoordinateReader, note_code, short_links

translate = QCoreApplication.translate

# The parser's notes, by their stable code (capture.coords.NOTE_CODES), in the user's language.
_NOTES: dict[str, str] = {
    "datum_assumed_wgs84": QT_TRANSLATE_NOOP("coords", "datum not written: WGS 84 assumed"),
    "datum_assumed_vn2000": QT_TRANSLATE_NOOP("coords", "datum not written: VN-2000 assumed "
                                                        "for X and Y"),
    "grid_zone_inferred": QT_TRANSLATE_NOOP("coords", "grid zone not written: {zone} assumed "
                                                      "(Vietnam, Laos, Cambodia)"),
    "n_as_nam": QT_TRANSLATE_NOOP("coords", "N read as Nam (south)"),
    "lon_lat_order": QT_TRANSLATE_NOOP("coords", "read as longitude first, then latitude"),
    "xy_swapped": QT_TRANSLATE_NOOP("coords", "X and Y read the other way round (X as the "
                                              "easting)"),
    "meridian_from_province": QT_TRANSLATE_NOOP("coords", "central meridian {meridian} of "
                                                          "{province}"),
    "zone_assumed_utm": QT_TRANSLATE_NOOP("coords", "zone not written: {zone} assumed"),
    "zone_assumed_6": QT_TRANSLATE_NOOP("coords", "zone not written: {zone} assumed"),
    "zone_assumed_3": QT_TRANSLATE_NOOP("coords", "zone not written: {zone} assumed"),
    "zone_size_unwritten": QT_TRANSLATE_NOOP("coords", "zone size not written: the 6° zone is "
                                                       "read too"),
    "outside_indochina": QT_TRANSLATE_NOOP("coords", "outside Vietnam, Laos and Cambodia"),
    "band_s_latitude": QT_TRANSLATE_NOOP("coords", "S read as the latitude band S"),
    "band_s_south": QT_TRANSLATE_NOOP("coords", "S read as the southern hemisphere"),
    "band_mismatch": QT_TRANSLATE_NOOP("coords", "band {band} does not match the northing"),
}
# The zone as the sentence names it (the parser's values are plain numbers and meridians).
_ZONES = {"zone_assumed_utm": "UTM {zone}", "zone_assumed_6": "6° zone {zone}",
          "zone_assumed_3": "3° zone {meridian}"}


def note_text(note: str) -> str:
    coded = note_code(note)
    if coded is None or coded["code"] not in _NOTES:
        return note
    values = {str(k): str(v) for k, v in dict(coded["params"]).items()}  # type: ignore[call-overload]
    if coded["code"] in _ZONES:
        values["zone"] = _ZONES[str(coded["code"])].format(**values)
    return translate("coords", _NOTES[str(coded["code"])]).format(**values)


def mgrs_spaced(reference: str) -> str:
    """'48QXD8415342030' → '48Q XD 84153 42030', as it is read aloud and written on maps."""
    match = re.fullmatch(r"(\d{1,2}[A-Z])([A-Z]{2})(\d*)", reference)
    if not match:
        return reference
    digits = match[3]
    half = len(digits) // 2
    return " ".join(p for p in (match[1], match[2], digits[:half], digits[half:]) if p)


def radius_text(metres: float) -> str:
    if metres >= 1000:
        km = f"{metres / 1000:.1f}".rstrip("0").rstrip(".")
        return translate("coords", "±{km} km").format(km=km)
    return translate("coords", "±{m} m").format(m=max(1, round(metres)))


def short_reading(coordinate: Coordinate) -> str:
    """'16.746306, 107.185611 · MGRS 48Q XD 84153 42030 · WGS 84 · ±8 m'."""
    parts = [f"{coordinate.lat:.6f}, {coordinate.lon:.6f}"]
    if coordinate.mgrs:
        parts.append("MGRS " + mgrs_spaced(coordinate.mgrs))
    datum = coordinate.datum
    if coordinate.projection and coordinate.notation == "vn2000":
        datum += f" {coordinate.projection}"
    parts.append(datum)
    parts.append(radius_text(coordinate.uncertainty_m))
    return " · ".join(parts)


def describe(found: list[Coordinate]) -> str:
    """What was understood, in a few lines: the best reading of each span, what was assumed,
    and the other readings of an ambiguous span."""
    lines: list[str] = []
    for coordinate in found:
        if coordinate.rank == 1:
            lines.append(translate("coords", "Understood “{text}”: {reading}").format(
                text=coordinate.text, reading=short_reading(coordinate)))
            notes = [note_text(n) for n in coordinate.notes]
            if notes:
                lines.append("   " + "; ".join(notes))
            if coordinate.candidates > 1:
                lines.append("   " + translate("coords", "{count} other readings, less "
                                                  "plausible:").format(
                    count=coordinate.candidates - 1))
        elif coordinate.rank <= 3:
            lines.append(f"   {coordinate.rank}. " + short_reading(coordinate))
        elif coordinate.rank == 4:
            lines.append("   …")
    return "\n".join(lines)


@dataclass(frozen=True)
class PhotoGps:
    label: str  # the item and the photo's file name
    latitude: float
    longitude: float


class CoordinatesReadout(QWidget):
    """Under a lead's "grid reference": what was understood as the volunteer types, and ways
    to fill the lead's latitude and longitude (the reading, the household's GPS, a photo's).

    ``context()`` gives the ranking's reference (the household's GPS, its province);
    ``household_gps()`` the household's (lat, lon) or None; ``photos()`` the visit's photos
    that carry GPS."""

    def __init__(self, form: Any, context: Callable[[], Context],
                 household_gps: Callable[[], tuple[float, float] | None],
                 photos: Callable[[], list[PhotoGps]], reader: CoordinateReader,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coordinatesReadout")
        self.form = form
        self.context = context
        self.household_gps = household_gps
        self.photos = photos
        self.reader = reader
        self.found: list[Coordinate] = []
        self.grid: QLineEdit = form.widgets["grid_reference"]
        self.description: QPlainTextEdit = form.widgets["description"]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # Read-only text of a fixed height: a wrapped label in a scrolled form reflows badly.
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("coordUnderstood")
        self.summary.setReadOnly(True)
        self.summary.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.summary.setStyleSheet(
            "QPlainTextEdit#coordUnderstood { background: #eef5ee; color: #1d3b1d; "
            "border: 1px solid #b9d6b9; border-radius: 6px; }")
        lines = self.summary.fontMetrics().lineSpacing()
        self.summary.setFixedHeight(lines * 5 + 16)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.use_button = QPushButton(self.tr("Use as latitude and longitude"))
        self.use_button.setObjectName("useReading")
        self.use_button.clicked.connect(self.use_reading)
        self.household_button = QPushButton(self.tr("Household's GPS"))
        self.household_button.setObjectName("useHouseholdGps")
        self.household_button.clicked.connect(self.use_household)
        self.photo_button = QPushButton(self.tr("A photo's GPS…"))
        self.photo_button.setObjectName("usePhotoGps")
        self.photo_menu = QMenu(self)
        self.photo_menu.aboutToShow.connect(self._fill_photo_menu)
        self.photo_button.setMenu(self.photo_menu)
        for button in (self.use_button, self.household_button, self.photo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.taken_from = QLabel()  # one line: a wrapped label here makes the form jump
        self.taken_from.setObjectName("hint")
        layout.addWidget(self.taken_from)
        self.grid.textChanged.connect(self.refresh)
        self.description.textChanged.connect(self.refresh)
        form_layout: QFormLayout = form.layout()
        row, _role = form_layout.getWidgetPosition(self.grid)
        form_layout.insertRow(row + 1, self.tr("What was understood"), self)
        # Extra height in a tall window goes below the last field, not into this row.
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        form_layout.addRow(spacer)
        self.refresh()

    def refresh(self) -> None:
        grid = self.grid.text().strip()
        context = self.context()
        self.found = self.reader.find(grid, context) if grid else []
        source = grid
        if not self.found:
            description = self.description.toPlainText()
            in_description = self.reader.find(description, context) if description else []
            if in_description:
                self.found, source = in_description, description
        if self.found:
            text = describe(self.found)
            if source is not grid:
                text = self.tr("In the description:") + "\n" + text
        elif short_links(grid):
            text = self.tr("“{link}” is a short link: it holds no coordinates until it is "
                           "opened on the internet. Open it on the phone, then copy the "
                           "coordinates the map shows (hold a finger on the point).").format(
                link=short_links(grid)[0])
        elif grid:
            text = self.tr(
                "No coordinates understood in “{text}”. For example: 16.7463, 107.1856 · "
                "16°44'47\"B 107°11'08\"Đ · 48Q XD 841 420 · VN-2000 X = 1854321, "
                "Y = 512345.").format(text=grid)
        else:
            text = self.tr("Type coordinates or a grid reference as it was said; what is "
                           "understood shows here.")
        self.summary.setPlainText(text)
        self.use_button.setEnabled(bool(self.found) and self.editable())

    def summary_text(self) -> str:
        return self.summary.toPlainText()

    def editable(self) -> bool:
        return not self.grid.isReadOnly()

    def set_editable(self, editable: bool) -> None:
        for button in (self.use_button, self.household_button, self.photo_button):
            button.setVisible(editable)
        self.refresh()

    def best(self) -> Coordinate | None:
        return next((c for c in self.found if c.rank == 1), None)

    def _fill(self, latitude: float, longitude: float, said: str) -> None:
        for name, value in (("latitude", latitude), ("longitude", longitude)):
            self.form.widgets[name].setText(f"{value:.6f}")
        self.taken_from.setText(said)
        self.form.changed.emit()  # saved like a typed change

    def use_reading(self) -> None:
        best = self.best()
        if best is not None and self.editable():
            self._fill(best.lat, best.lon, self.tr("Latitude and longitude from “{text}” "
                                                   "({datum}, {radius}).").format(
                text=best.text, datum=best.datum, radius=radius_text(best.uncertainty_m)))

    def use_household(self) -> None:
        gps = self.household_gps()
        if gps is None:
            self.taken_from.setText(self.tr("The household has no GPS position yet: fill it "
                                            "in on the Household tab."))
            return
        self._fill(gps[0], gps[1], self.tr("Latitude and longitude from the household's GPS."))

    def _fill_photo_menu(self) -> None:
        self.photo_menu.clear()
        photos = self.photos()
        if not photos:
            action = self.photo_menu.addAction(self.tr("No photo of this visit has a GPS "
                                                       "position"))
            action.setEnabled(False)
            return
        for photo in photos:
            action = self.photo_menu.addAction(f"{photo.label}  ({photo.latitude:.5f}, "
                                               f"{photo.longitude:.5f})")
            action.triggered.connect(lambda _=False, p=photo: self.use_photo(p))

    def use_photo(self, photo: PhotoGps) -> None:
        self._fill(photo.latitude, photo.longitude,
                   self.tr("Latitude and longitude from the GPS of the photo {photo}.").format(
                       photo=photo.label))
