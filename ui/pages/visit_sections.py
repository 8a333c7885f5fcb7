"""The visit editor's form tabs: the household, and the lists of martyrs, people, items and
leads (one RecordSection each, built from Field rows). Saved as you type, after a short pause."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from capture import visits
from capture.errors import CaptureError
from capture.visits import (
    Household,
)
from ui import tasks, viewmodels
from ui.errors import user_message
from ui.viewmodels import VaultGetter
from ui.visit_forms import date_from_core, date_to_core
from ui.widgets.common import PlacePicker

NOT_A_NUMBER = QT_TRANSLATE_NOOP("errors", "Write a number here, for example 1950 or 21.0285.")


SAVE_DELAY_MS = 700


class NotANumber(ValueError):
    """A year or a coordinate that is not a number (the UI's own check, said in the banner)."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, long, year, date, coord, choice, martyr, check
    choices: tuple[tuple[str, Any], ...] = ()
    placeholder: str = ""


def _number(text: str, kind: type) -> Any:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise NotANumber() from None


class FieldForm(QWidget):
    """A form built from ``Field``s; ``changed`` on any edit, ``values()`` in the core's terms."""

    changed = Signal()

    def __init__(self, fields: list[Field], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = fields
        self.widgets: dict[str, QWidget] = {}
        layout = QFormLayout(self)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._loading = False
        for field in fields:
            widget = self._make(field)
            widget.setObjectName(field.name)
            self.widgets[field.name] = widget
            if field.kind == "check":
                layout.addRow("", widget)
            else:
                layout.addRow(field.label, widget)

    def _make(self, field: Field) -> QWidget:
        if field.kind == "long":
            edit = QPlainTextEdit()
            edit.setPlaceholderText(field.placeholder)
            edit.setFixedHeight(80)
            edit.textChanged.connect(self._edited)
            return edit
        if field.kind in ("choice", "martyr"):
            combo = QComboBox()
            for label, value in field.choices:
                combo.addItem(label, value)
            combo.currentIndexChanged.connect(self._edited)
            return combo
        if field.kind == "check":
            check = QCheckBox(field.label)
            check.toggled.connect(self._edited)
            return check
        line = QLineEdit()
        line.setPlaceholderText(field.placeholder)
        line.textEdited.connect(self._edited)
        if field.kind in ("year", "coord"):
            line.setMaximumWidth(200)
        return line

    def _edited(self, *_args: Any) -> None:
        if not self._loading:
            self.changed.emit()

    def set_martyrs(self, martyrs: list[tuple[str, str]], none_label: str) -> None:
        self._loading = True
        for field in self.fields:
            if field.kind == "martyr":
                combo: QComboBox = self.widgets[field.name]  # type: ignore[assignment]
                current = combo.currentData()
                combo.clear()
                combo.addItem(none_label, None)
                for martyr_id, name in martyrs:
                    combo.addItem(name, martyr_id)
                combo.setCurrentIndex(max(combo.findData(current), 0))
        self._loading = False

    def load(self, data: object) -> None:
        self._loading = True
        for field in self.fields:
            value = getattr(data, field.name)
            widget = self.widgets[field.name]
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif field.kind == "date":
                widget.setText(date_from_core(value or ""))  # type: ignore[attr-defined]
            else:
                widget.setText("" if value is None else str(value))  # type: ignore[attr-defined]
        self._loading = False

    def values(self) -> dict[str, Any]:
        """The form in the core's terms; raises NotANumber or the core's InvalidPartialDate for
        a number or date it cannot read (said in the banner, like the core's own errors)."""
        out: dict[str, Any] = {}
        for field in self.fields:
            widget = self.widgets[field.name]
            if isinstance(widget, QPlainTextEdit):
                out[field.name] = widget.toPlainText()
            elif isinstance(widget, QComboBox):
                out[field.name] = widget.currentData()
            elif isinstance(widget, QCheckBox):
                out[field.name] = widget.isChecked()
            else:
                text = widget.text()  # type: ignore[attr-defined]
                if field.kind == "year":
                    out[field.name] = _number(text, int)
                elif field.kind == "coord":
                    out[field.name] = _number(text, float)
                elif field.kind == "date":
                    out[field.name] = date_to_core(text)
                else:
                    out[field.name] = text
        return out

    def set_editable(self, editable: bool) -> None:
        for widget in self.widgets.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(not editable)
            else:
                widget.setEnabled(editable)


class RecordSection(QWidget):
    """A list of records of one kind (martyrs, people, items, leads) beside the form of the
    chosen one. "Add" makes a new one; edits save themselves after a short pause."""

    error = Signal(str)
    saved = Signal()
    records_changed = Signal()
    current_changed = Signal(object)  # the record id or None

    def __init__(self, vault: VaultGetter, data_cls: type, fields: list[Field],
                 title_of: Callable[[Any], str], add_label: str, empty_text: str,
                 new_data: Callable[[], Any], required: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.visit_id = ""
        self.data_cls = data_cls
        self.title_of = title_of
        self.new_data = new_data
        self.required = required
        self.records: list[list[Any]] = []  # [id or None, data]
        self.editable = True
        self._busy = False  # an add is on its way: do not add twice
        self._dirty = False
        self.confirm: Callable[[str], bool] = self._ask
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("recordList")
        self.list.setMinimumWidth(220)
        self.list.setMaximumWidth(300)
        self.add_button = QPushButton(add_label)
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.add_record)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_record)
        left.addWidget(self.add_button)
        left.addWidget(self.list, 1)
        left.addWidget(self.remove_button)
        layout.addLayout(left)
        self.right = QVBoxLayout()
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.form = FieldForm(fields)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll = scroll
        self.right.addWidget(self.empty)
        self.right.addWidget(scroll, 1)
        layout.addLayout(self.right, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SAVE_DELAY_MS)
        self.timer.timeout.connect(self.save_now)
        self.form.changed.connect(self._changed)
        self.list.currentRowChanged.connect(self._row_changed)
        self._update_empty()

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Remove"), text)
        return answer == QMessageBox.StandardButton.Yes

    # -- content --

    def set_records(self, visit_id: str, records: list[tuple[str, Any]]) -> None:
        self.visit_id = visit_id
        self.records = [[record_id, data] for record_id, data in records]
        self.list.blockSignals(True)
        self.list.clear()
        for _record_id, data in self.records:
            self.list.addItem(QListWidgetItem(self._title(data)))
        self.list.blockSignals(False)
        if self.records:
            self.list.setCurrentRow(0)
        self._row_changed(self.list.currentRow())

    def current_id(self) -> str | None:
        row = self.list.currentRow()
        return self.records[row][0] if 0 <= row < len(self.records) else None

    def _title(self, data: Any) -> str:
        return self.title_of(data) or self.tr("(no name yet)")

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.form.set_editable(editable)
        self.add_button.setVisible(editable)
        self.remove_button.setVisible(editable)

    def _update_empty(self) -> None:
        has = bool(self.records)
        self.empty.setVisible(not has)
        self.scroll.setVisible(has and self.list.currentRow() >= 0)

    # -- editing --

    def add_record(self) -> None:
        self.save_now()
        data = self.new_data()
        self.records.append([None, data])
        self.list.addItem(QListWidgetItem(self._title(data)))
        self.list.setCurrentRow(len(self.records) - 1)
        if self.required is None:
            self._dirty = True
            self.save_now()  # items and leads exist at once (photos need an item to go to)
        first = self.form.widgets[self.form.fields[0].name]
        first.setFocus()

    def _row_changed(self, row: int) -> None:
        if self._dirty:
            self.save_now()
        if 0 <= row < len(self.records):
            self.form.load(self.records[row][1])
        self._update_empty()
        self.current_changed.emit(self.current_id())

    def _changed(self) -> None:
        self._dirty = True
        self.timer.start()

    def save_now(self) -> None:
        """Save the form now (on a pause, leaving the row, or leaving the visit)."""
        self.timer.stop()
        row = self.list.currentRow()
        if not self._dirty or not 0 <= row < len(self.records) or not self.editable:
            return
        record = self.records[row]
        try:
            data = replace(record[1], **self.form.values())
        except CaptureError as error:
            self.error.emit(user_message(error))
            return
        except NotANumber:
            self.error.emit(QCoreApplication.translate("errors", NOT_A_NUMBER))
            return
        if self.required and not str(getattr(data, self.required)).strip():
            return  # nothing to save until there is a name: the core would refuse it
        record[1] = data
        self.list.item(row).setText(self._title(data))
        vault = self.vault()
        if record[0] is None:
            if self._busy:
                return  # saved once the add comes back
            self._busy = True
            self._dirty = False
            tasks.Task(self, visits.add, vault, self.visit_id, replace(data)).success(
                lambda new_id, r=record: self._added(r, new_id)).failure(
                self._add_failed).run(tasks.Pool.DATABASE)
        else:
            self._dirty = False
            tasks.Task(self, visits.update, vault, record[0], replace(data)).success(
                lambda _: self._saved()).failure(self._failed).run(tasks.Pool.DATABASE)

    def _added(self, record: list[Any], new_id: str) -> None:
        self._busy = False
        record[0] = new_id
        self._saved()
        self.records_changed.emit()
        if record in self.records and self.records.index(record) == self.list.currentRow():
            self.current_changed.emit(new_id)
            if self._dirty:
                self.save_now()

    def _add_failed(self, error: BaseException) -> None:
        self._busy = False
        self._dirty = True
        self._failed(error)

    def _saved(self) -> None:
        self.saved.emit()
        self.records_changed.emit()

    def _failed(self, error: BaseException) -> None:
        self.error.emit(user_message(error))

    def remove_record(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.records):
            return
        record_id, data = self.records[row]
        if not self.confirm(self.tr("Remove “{name}” from this visit?").format(
                name=self._title(data))):
            return
        self.timer.stop()
        self._dirty = False

        def gone(_: object = None) -> None:
            if record in self.records:
                index = self.records.index(record)
                del self.records[index]
                self.list.takeItem(index)
            self._update_empty()
            self.records_changed.emit()
            self.current_changed.emit(self.current_id())

        record = self.records[row]
        if record_id is None:
            gone()
            return
        tasks.Task(self, visits.remove, self.vault(), self.data_cls, record_id).success(
            gone).failure(self._failed).run(tasks.Pool.DATABASE)


class HouseholdSection(QWidget):
    """Where the family lives and who to call; saved as the volunteer types."""

    error = Signal(str)
    saved = Signal()

    def __init__(self, vault: VaultGetter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.visit_id = ""
        self.editable = True
        self._loading = False
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.province = PlacePicker()
        self.province.setObjectName("province")
        self.province.set_choices(viewmodels.province_choices(),
                                  self.tr("Type to search, or choose from the list"))
        self.ward = PlacePicker()
        self.ward.setObjectName("ward")
        self.village = QLineEdit()
        self.village.setPlaceholderText(self.tr("For example: thôn Đông, tổ 5"))
        self.address = QLineEdit()
        self.contact = QLineEdit()
        self.contact.setObjectName("contactName")
        self.phone = QLineEdit()
        self.latitude = QLineEdit()
        self.latitude.setPlaceholderText(self.tr("for example 21.0285"))
        self.longitude = QLineEdit()
        self.longitude.setPlaceholderText(self.tr("for example 105.8542"))
        for edit in (self.latitude, self.longitude):
            edit.setMaximumWidth(200)
        self.gps_problem = QLabel()
        self.gps_problem.setObjectName("inlineError")
        self.gps_problem.hide()
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(90)
        gps = QHBoxLayout()
        gps.addWidget(QLabel(self.tr("Latitude")))
        gps.addWidget(self.latitude)
        gps.addWidget(QLabel(self.tr("Longitude")))
        gps.addWidget(self.longitude)
        gps.addStretch(1)
        form.addRow(self.tr("Province or city"), self.province)
        form.addRow(self.tr("Commune or ward"), self.ward)
        form.addRow(self.tr("Village or residential group"), self.village)
        form.addRow(self.tr("Address"), self.address)
        form.addRow(self.tr("Contact person"), self.contact)
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("GPS position"), gps)
        form.addRow("", self.gps_problem)
        form.addRow(self.tr("Notes"), self.notes)
        layout.addLayout(form)
        layout.addStretch(1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SAVE_DELAY_MS)
        self.timer.timeout.connect(self.save_now)
        self._dirty = False
        self.province.currentIndexChanged.connect(self._province_changed)
        self.ward.currentIndexChanged.connect(self._changed)
        for edit in (self.village, self.address, self.contact, self.phone, self.latitude,
                     self.longitude):
            edit.textEdited.connect(self._changed)
        self.notes.textChanged.connect(self._changed)

    def _province_changed(self) -> None:
        code = self.province.code()
        self.ward.set_choices(viewmodels.ward_choices(code) if code is not None else [],
                              self.tr("Type to search, or choose from the list"))
        self._changed()

    def load(self, visit_id: str, household: Household) -> None:
        self._loading = True
        self.visit_id = visit_id
        self.province.select_code(household.province_code)
        self.ward.select_code(household.ward_code)
        self.village.setText(household.village)
        self.address.setText(household.address)
        self.contact.setText(household.contact_name)
        self.phone.setText(household.contact_phone)
        self.latitude.setText("" if household.latitude is None else str(household.latitude))
        self.longitude.setText("" if household.longitude is None else str(household.longitude))
        self.notes.setPlainText(household.notes)
        self._loading = False
        self._dirty = False

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        for widget in (self.province, self.ward):
            widget.setEnabled(editable)
        for edit in (self.village, self.address, self.contact, self.phone, self.latitude,
                     self.longitude):
            edit.setReadOnly(not editable)
        self.notes.setReadOnly(not editable)

    def _changed(self, *_args: Any) -> None:
        if self._loading:
            return
        self._dirty = True
        self._check_gps()
        self.timer.start()

    def _gps(self) -> tuple[float | None, float | None] | None:
        try:
            latitude = _number(self.latitude.text(), float)
            longitude = _number(self.longitude.text(), float)
        except NotANumber:
            return None
        if (latitude is None) != (longitude is None):
            return None
        if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # type: ignore[operator]
            return None
        return latitude, longitude

    def _check_gps(self) -> bool:
        ok = self._gps() is not None
        self.gps_problem.setText("" if ok else self.tr(
            "Write both numbers in decimal degrees: latitude between -90 and 90, longitude "
            "between -180 and 180 (Vietnam is about 8 to 23 and 102 to 110)."))
        self.gps_problem.setVisible(not ok)
        return ok

    def household(self) -> Household | None:
        gps = self._gps()
        province, ward = self.province.code(), self.ward.code()
        if gps is None or province is None or ward is None:
            return None
        return Household(province, ward, self.village.text(), self.address.text(),
                         self.contact.text(), self.phone.text(), gps[0], gps[1],
                         self.notes.toPlainText())

    def save_now(self) -> None:
        self.timer.stop()
        if not self._dirty or not self.visit_id or not self.editable:
            return
        household = self.household()
        if household is None:
            return  # the inline message says what is missing; saved once it is right
        self._dirty = False
        tasks.Task(self, visits.update_household, self.vault(), self.visit_id, household
                   ).success(lambda _: self.saved.emit()).failure(
            lambda error: self.error.emit(user_message(error))).run(tasks.Pool.DATABASE)
