"""The visit editor: Household, Martyrs, People present, Items (each with its gallery of pages),
Testimony and Leads. Every change is saved to the vault as the volunteer types (a short pause,
or leaving the field), on the database worker; an error from the core shows as one sentence in
the banner. Page moves and turns go through a QUndoStack so they can be taken back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
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
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from capture import review, visits
from capture.coords import Context, CoordinateReader
from capture.errors import CaptureError
from capture.roles import Action, allowed
from capture.vault import UnlockedVault
from capture.visits import (
    EDITABLE,
    Confidence,
    Household,
    ItemData,
    ItemKind,
    ItemRecord,
    LeadData,
    MartyrData,
    PersonData,
    PersonKind,
    VisitRecord,
)
from ui import tasks, viewmodels
from ui.dialogs.importing import (
    CameraDialog,
    DrivePicker,
    ImportPanel,
    ImportReportDialog,
    keep_photo,
)
from ui.errors import user_message
from ui.visit_forms import date_from_core, date_to_core
from ui.widgets.common import Banner, PlacePicker, heading, paragraph
from ui.widgets.coordinates import CoordinatesReadout, PhotoGps
from ui.widgets.gallery import Gallery, PageModel, PageViewer, ThumbnailLoader

SAVE_DELAY_MS = 700
VaultGetter = Callable[[], UnlockedVault]


NOT_A_NUMBER = QT_TRANSLATE_NOOP("errors", "Write a number here, for example 1950 or 21.0285.")


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


# -- undoable page edits ---------------------------------------------------------------------


class ReorderPages(QUndoCommand):
    def __init__(self, pages: PagesPanel, item_id: str, before: list[str], after: list[str],
                 applied: bool) -> None:
        super().__init__(QCoreApplication.translate("PagesPanel", "Move page"))
        self.pages, self.item_id, self.before, self.after = pages, item_id, before, after
        self._skip = applied  # the drag already moved it in the model

    def redo(self) -> None:
        self.pages.apply_order(self.item_id, self.after, in_model=not self._skip)
        self._skip = False

    def undo(self) -> None:
        self.pages.apply_order(self.item_id, self.before, in_model=True)


class RotatePage(QUndoCommand):
    def __init__(self, pages: PagesPanel, page_id: str, turns: int) -> None:
        super().__init__(QCoreApplication.translate("PagesPanel", "Turn page"))
        self.pages, self.page_id, self.turns = pages, page_id, turns

    def redo(self) -> None:
        self.pages.turn(self.page_id, self.turns)

    def undo(self) -> None:
        self.pages.turn(self.page_id, -self.turns)


class PagesPanel(QWidget):
    """The gallery of the chosen item with its tools: add photos (files, a folder, a card or
    phone, the camera), turn, set as cover, remove; the import's progress and report."""

    error = Signal(str)
    pages_changed = Signal()

    def __init__(self, vault: VaultGetter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.item: ItemRecord | None = None
        self.editable = True
        self.undo_stack = QUndoStack(self)
        self.last_report: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        self.add_files = QPushButton(self.tr("Add photos…"))
        self.add_files.setProperty("primary", True)
        self.add_folder = QPushButton(self.tr("From a folder…"))
        self.add_drive = QPushButton(self.tr("From a card or phone…"))
        self.take_photo = QPushButton(self.tr("Take a photo"))
        for button in (self.add_files, self.add_folder, self.add_drive, self.take_photo):
            tools.addWidget(button)
        tools.addStretch(1)
        layout.addLayout(tools)
        page_tools = QHBoxLayout()
        self.rotate_left = QPushButton(self.tr("↺ Turn left"))
        self.rotate_right = QPushButton(self.tr("↻ Turn right"))
        self.cover_button = QPushButton(self.tr("★ Set as cover"))
        self.remove_button = QPushButton(self.tr("Remove page"))
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        for button in (self.rotate_left, self.rotate_right, self.cover_button,
                       self.remove_button, self.undo_button):
            page_tools.addWidget(button)
        page_tools.addStretch(1)
        self.count_label = QLabel()
        page_tools.addWidget(self.count_label)
        layout.addLayout(page_tools)
        self.import_panel = ImportPanel()
        layout.addWidget(self.import_panel)
        self.loader = ThumbnailLoader(vault, self)
        self.model = PageModel(self.loader, self)
        self.gallery = Gallery()
        self.gallery.setModel(self.model)
        self.empty = QLabel(self.tr("No pages yet. Add the photos of this item: drag them here, "
                                    "or use the buttons above."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        layout.addWidget(self.gallery, 1)
        self.add_files.clicked.connect(self.choose_files)
        self.add_folder.clicked.connect(self.choose_folder)
        self.add_drive.clicked.connect(self.choose_drive)
        self.take_photo.clicked.connect(self.open_camera)
        self.rotate_left.clicked.connect(lambda: self.rotate_current(-1))
        self.rotate_right.clicked.connect(lambda: self.rotate_current(1))
        self.cover_button.clicked.connect(self.cover_current)
        self.remove_button.clicked.connect(self.remove_current)
        self.gallery.files_dropped.connect(lambda paths: self.import_paths(
            [Path(p) for p in paths]))
        self.gallery.page_activated.connect(self.open_viewer)
        self.model.moved.connect(self._moved)
        self.import_panel.finished.connect(self._imported)
        self.import_panel.previews.page_done.connect(self.model.update_page)
        self.import_panel.failed.connect(lambda error: self.error.emit(user_message(error)))
        # Keys, while the focus is in this panel (a text field elsewhere in the editor keeps
        # its own Ctrl+Z): Ctrl+Z takes back the last move or turn, Ctrl+L / Ctrl+R turn the
        # chosen page. Each presses its button, so what a hidden or disabled button would
        # not do (a submitted visit, no pages), the key does not do either.
        self.undo_shortcut = self._key(QKeySequence(QKeySequence.StandardKey.Undo),
                                       self.undo_button)
        self.rotate_left_shortcut = self._key(QKeySequence("Ctrl+L"), self.rotate_left)
        self.rotate_right_shortcut = self._key(QKeySequence("Ctrl+R"), self.rotate_right)
        self.show_report: Callable[[Any], None] = self._show_report
        self.set_item(None)

    def _key(self, keys: QKeySequence, button: QPushButton) -> QShortcut:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(
            lambda: button.click() if button.isEnabled() and not button.isHidden() else None)
        native = keys.toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{button.text()} ({native})")
        return shortcut

    def set_item(self, item: ItemRecord | None) -> None:
        self.item = item
        if item is not None and self.editable:
            # Photos are likely next: their decoders start now, at low priority, not at the
            # first photo while the window is busy showing the import.
            from capture import pictures

            pictures.warm_up_decoders()
            if not self.import_panel.running:
                # What an earlier pass left (the app closed, a `sohoa import`, another item's
                # import): previews, and camera photos' own thumbnails and quality hints.
                self.import_panel.previews.start(self.vault(), item.id)
        self.undo_stack.clear()
        self.model.set_pages(item.pages if item else [], item.cover_page_id if item else None)
        self._update()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self._update()

    def _update(self) -> None:
        has_item = self.item is not None
        count = len(self.model.pages)
        self.empty.setVisible(has_item and count == 0)
        self.gallery.setVisible(has_item and count > 0)
        self.count_label.setText(self.tr("{n} pages").format(n=count) if has_item else "")
        busy = self.import_panel.running
        for button in (self.add_files, self.add_folder, self.add_drive, self.take_photo):
            button.setVisible(self.editable)
            button.setEnabled(has_item and not busy)
        for button in (self.rotate_left, self.rotate_right, self.cover_button,
                       self.remove_button, self.undo_button):
            button.setVisible(self.editable)
        for button in (self.rotate_left, self.rotate_right, self.cover_button,
                       self.remove_button):
            button.setEnabled(count > 0)
        self.gallery.setDragEnabled(self.editable)
        self.gallery.setAcceptDrops(self.editable)

    # -- importing --

    def media_filter(self) -> str:
        """The file dialog's filter: every suffix the importer looks for, in both cases (the
        dialog matches case-sensitively on Linux, and cameras write IMG_0001.JPG)."""
        from capture.importer import MEDIA_SUFFIXES

        suffixes = sorted(MEDIA_SUFFIXES)
        patterns = " ".join([f"*{s}" for s in suffixes] + [f"*{s.upper()}" for s in suffixes])
        return (self.tr("Photos and videos ({patterns})").format(patterns=patterns) + ";;"
                + self.tr("All files (*)"))

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Choose photos and videos"), str(Path.home()), self.media_filter())
        if files:
            self.import_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder of photos"),
                                                  str(Path.home()))
        if folder:
            self.import_paths([Path(folder)])

    def choose_drive(self) -> None:
        picker = DrivePicker(self)
        if picker.exec() and picker.chosen() is not None:
            self.import_paths([picker.chosen()])  # type: ignore[list-item]

    def import_paths(self, paths: list[Path]) -> None:
        if self.item is None or self.import_panel.running or not self.editable:
            return
        self.import_panel.start(self.vault(), self.item.id, paths)
        self._update()

    def _imported(self, report: Any) -> None:
        self.last_report = report
        self._update()
        self.reload()
        self.show_report(report)

    def _show_report(self, report: Any) -> None:
        dialog = ImportReportDialog(report, self)
        dialog.open()

    def reload(self) -> None:
        """Read the item's pages again (after an import or a photo taken)."""
        if self.item is None:
            return
        item_id = self.item.id

        def pages(vault: UnlockedVault, visit_id: str) -> ItemRecord | None:
            record = visits.load_visit(vault, visit_id)
            return next((i for i in record.items if i.id == item_id), None)

        visit_id = self.property("visit_id")
        tasks.Task(self, pages, self.vault(), visit_id).success(self._reloaded).failure(
            lambda error: self.error.emit(user_message(error))).run(tasks.Pool.DATABASE)

    def _reloaded(self, item: ItemRecord | None) -> None:
        if item is not None and self.item is not None and item.id == self.item.id:
            self.item = item
            self.model.set_pages(item.pages, item.cover_page_id)
            self._update()
            self.pages_changed.emit()

    def open_camera(self) -> None:
        dialog = CameraDialog(self)
        dialog.photo_taken.connect(self._photo_taken)
        dialog.open()
        self.camera_dialog = dialog

    def _photo_taken(self, data: bytes) -> None:
        if self.item is None:
            return
        name = datetime.now().strftime("camera-%Y%m%d-%H%M%S.jpg")
        # The general pool: decoding the thumbnail waits on the decoder process, and the
        # database worker must stay free for the typing being saved meanwhile.
        tasks.Task(self, keep_photo, self.vault(), self.item.id, data, name).success(
            self._photo_kept).failure(
            lambda error: self.error.emit(user_message(error))).run(tasks.Pool.GENERAL)

    def _photo_kept(self, outcome: Any) -> None:
        if outcome.status != "duplicate":
            self.reload()
            return
        # The same picture is already a page of this item: nothing was added, and the
        # volunteer is told which page it is (as the file import's report tells duplicates).
        row = self.model.row_of(outcome.page_id)
        if row >= 0:
            text = self.tr("This photo is already page {n} of this item: nothing was added."
                           ).format(n=row + 1)
        else:  # the page it matches is not in the gallery yet (it is being reloaded)
            text = self.tr("This photo is already in this item: nothing was added.")
        dialog = getattr(self, "camera_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.tell(text)
        else:  # the camera window was closed meanwhile
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Take a photo"), text,
                              QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.duplicate_notice = box

    # -- page edits --

    def _moved(self, before: list[str], after: list[str]) -> None:
        if self.item is not None:
            self.undo_stack.push(ReorderPages(self, self.item.id, before, after, applied=True))

    def apply_order(self, item_id: str, order: list[str], in_model: bool) -> None:
        if in_model and self.item is not None and self.item.id == item_id:
            self.model.apply_order(order)
        tasks.Task(self, visits.reorder_pages, self.vault(), item_id, order).failure(
            self._failed_then_reload).run(tasks.Pool.DATABASE)

    def rotate_current(self, turns: int) -> None:
        page = self.gallery.current_page()
        if page is not None:
            self.undo_stack.push(RotatePage(self, page.id, turns))

    def turn(self, page_id: str, turns: int) -> None:
        row = self.model.row_of(page_id)
        if row >= 0:
            self.model.set_rotation(page_id, self.model.pages[row].rotation + 90 * turns)
        tasks.Task(self, visits.rotate_page, self.vault(), page_id, turns).success(
            lambda rotation: self.model.set_rotation(page_id, rotation)).failure(
            self._failed_then_reload).run(tasks.Pool.DATABASE)

    def cover_current(self) -> None:
        page = self.gallery.current_page()
        if page is None or self.item is None:
            return
        self.model.set_cover(page.id)
        tasks.Task(self, visits.set_cover, self.vault(), self.item.id, page.id).success(
            lambda _: self.pages_changed.emit()).failure(self._failed_then_reload
                                                         ).run(tasks.Pool.DATABASE)

    def remove_current(self) -> None:
        page = self.gallery.current_page()
        if page is None:
            return
        self.undo_stack.clear()  # a removed page is not brought back by Undo
        self.model.remove_page(page.id)
        self._update()
        tasks.Task(self, visits.remove_page, self.vault(), page.id).success(
            lambda _: self.reload()).failure(self._failed_then_reload).run(tasks.Pool.DATABASE)

    def _failed_then_reload(self, error: BaseException) -> None:
        self.error.emit(user_message(error))
        self.reload()

    def open_viewer(self, page_id: str) -> PageViewer | None:
        row = self.model.row_of(page_id)
        if row < 0:
            return None
        viewer = PageViewer(self.vault(), self.model.pages[row], self)
        viewer.open()
        self.viewer = viewer
        return viewer


class VisitEditor(QWidget):
    """One visit, in tabs. ``closed`` when the volunteer goes back to the list."""

    closed = Signal()
    changed = Signal()

    def __init__(self, vault: VaultGetter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitEditor")
        self.vault = vault
        self.record: VisitRecord | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        top = QHBoxLayout()
        self.back = QPushButton(self.tr("← All visits"))
        self.back.setObjectName("backToVisits")
        self.back.clicked.connect(self.close_visit)
        self.title = heading("")
        self.saved_label = QLabel()
        self.saved_label.setObjectName("hint")
        top.addWidget(self.back)
        top.addWidget(self.title, 1)
        top.addWidget(self.saved_label)
        layout.addLayout(top)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.read_only_note = paragraph(self.tr(
            "This visit is shown as it was submitted; it can be changed again only if it is "
            "returned to you."))
        self.read_only_note.hide()
        layout.addWidget(self.read_only_note)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("visitTabs")
        layout.addWidget(self.tabs, 1)
        self.household = HouseholdSection(vault)
        self.martyrs = RecordSection(
            vault, MartyrData, self._martyr_fields(), lambda d: d.full_name,
            self.tr("+ Add a martyr"),
            self.tr("No martyr recorded yet. Add each fallen soldier the family remembers, "
                    "even if only a name is known."),
            lambda: MartyrData(full_name=""), required="full_name")
        self.people = RecordSection(
            vault, PersonData, self._person_fields(),
            lambda d: d.full_name + (f" ({d.relationship})" if d.relationship else ""),
            self.tr("+ Add a person"),
            self.tr("Nobody recorded yet: add the relatives, witnesses and veterans present."),
            lambda: PersonData(kind=PersonKind.RELATIVE, full_name=""), required="full_name")
        self.items = RecordSection(
            vault, ItemData, self._item_fields(),
            lambda d: d.title or item_kind_label(d.kind), self.tr("+ Add an item"),
            self.tr("No items yet. Add each keepsake, diary, letter or map, then its photos."),
            lambda: ItemData(kind=ItemKind.KEEPSAKE))
        self.leads = RecordSection(
            vault, LeadData, self._lead_fields(),
            lambda d: (d.description.splitlines() or [""])[0][:60], self.tr("+ Add a lead"),
            self.tr("No leads yet. A lead is a clue to where a martyr may rest: a place, "
                    "coordinates, a grid reference as it was said."),
            lambda: LeadData())
        self.coordinate_reader = CoordinateReader()  # keeps its PROJ set-up between keystrokes
        self.lead_coordinates = CoordinatesReadout(
            self.leads.form, self._lead_context, self._household_gps, self._photos_with_gps,
            self.coordinate_reader)
        self.pages = PagesPanel(vault)
        splitter = QSplitter()
        splitter.setOrientation(splitter.orientation().Vertical)
        form_holder = self.items.scroll
        self.items.right.removeWidget(form_holder)
        splitter.addWidget(form_holder)
        form_holder.show()  # hidden while the list was empty; the splitter now shows or hides
        form_holder.setMinimumHeight(120)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([220, 520])
        self.items.right.addWidget(splitter, 1)
        self.items.scroll = splitter  # shown and hidden as one with the form
        # What the coordinator asked about the item shown, when the visit came back to us.
        self.item_comment = QLabel()
        self.item_comment.setObjectName("itemReturnComment")
        self.item_comment.setWordWrap(True)
        self.item_comment.setStyleSheet(
            "QLabel#itemReturnComment { background: #fff1d6; color: #5c3b00; padding: 8px; "
            "border: 1px solid #e0b860; border-radius: 6px; }")
        self.item_comment.hide()
        self.items.right.insertWidget(0, self.item_comment)
        self.item_comments: dict[str, str] = {}  # item id -> the last return's comment
        self.testimony = QWidget()
        QVBoxLayout(self.testimony).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.household, self.tr("Household"))
        self.tabs.addTab(self.martyrs, self.tr("Martyrs"))
        self.tabs.addTab(self.people, self.tr("People present"))
        self.tabs.addTab(self.items, self.tr("Items and photos"))
        self.tabs.addTab(self.testimony, self.tr("Testimony"))
        self.tabs.addTab(self.leads, self.tr("Leads"))
        # The last two steps of the guided visit: the family's consent, then the checklist and
        # the submission for review (ui/pages/consent.py, ui/pages/review.py).
        self.consent_tab = QWidget()
        QVBoxLayout(self.consent_tab).setContentsMargins(0, 0, 0, 0)
        self.submit_tab = QWidget()
        QVBoxLayout(self.submit_tab).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.consent_tab, self.tr("Consent"))
        self.tabs.addTab(self.submit_tab, self.tr("Check and submit"))
        self.consent_step: QWidget | None = None
        self.submit_step: QWidget | None = None
        self.next_step = QPushButton(self.tr("Next step →"))
        self.next_step.setObjectName("nextStep")
        self.next_step.clicked.connect(
            lambda: self.tabs.setCurrentIndex(self.tabs.currentIndex() + 1))
        steps = QHBoxLayout()
        steps.addStretch()
        steps.addWidget(self.next_step)
        layout.addLayout(steps)
        self.tabs.currentChanged.connect(self._step_shown)
        self.recorder: QWidget | None = None
        for section in (self.household, self.martyrs, self.people, self.items, self.leads,
                        self.pages):
            section.error.connect(self.banner.show_error)
        for section in (self.household, self.martyrs, self.people, self.items, self.leads):
            section.saved.connect(self._saved)
        self.martyrs.records_changed.connect(self._martyrs_changed)
        self.items.current_changed.connect(self._item_changed)
        self.pages.pages_changed.connect(self.changed)

    # -- the forms --

    def _martyr_fields(self) -> list[Field]:
        date_hint = self.tr("1968, 03/1968 or 15/03/1968")
        return [
            Field("full_name", self.tr("Full name")),
            Field("other_names", self.tr("Other names (alias, name at home)")),
            Field("birth_year", self.tr("Year of birth"), "year"),
            Field("home_town", self.tr("Home town")),
            Field("unit", self.tr("Unit")),
            Field("enlistment_date", self.tr("Enlisted"), "date", placeholder=date_hint),
            Field("death_date", self.tr("Date of death"), "date", placeholder=date_hint),
            Field("death_place", self.tr("Place of death")),
            Field("burial_info", self.tr("What is known of the burial"), "long"),
            Field("notes", self.tr("Notes"), "long"),
        ]

    def _person_fields(self) -> list[Field]:
        kinds = ((self.tr("Relative"), PersonKind.RELATIVE),
                 (self.tr("Witness"), PersonKind.WITNESS),
                 (self.tr("Veteran"), PersonKind.VETERAN))
        return [
            Field("full_name", self.tr("Full name")),
            Field("kind", self.tr("Who they are"), "choice", kinds),
            Field("relationship", self.tr("Relationship to the martyr"),
                  placeholder=self.tr("for example: younger sister, nephew")),
            Field("martyr_id", self.tr("Martyr"), "martyr"),
            Field("birth_year", self.tr("Year of birth"), "year"),
            Field("phone", self.tr("Phone")),
            Field("unit", self.tr("Unit (veterans)")),
            Field("battles", self.tr("Battles (veterans)"), "long"),
            Field("dna_willing", self.tr("Willing to give a DNA sample"), "check"),
            Field("dna_contact", self.tr("How to reach them for the DNA sample")),
            Field("notes", self.tr("Notes"), "long"),
        ]

    def _item_fields(self) -> list[Field]:
        kinds = tuple((item_kind_label(kind), kind) for kind in ItemKind)
        return [
            Field("kind", self.tr("Kind"), "choice", kinds),
            Field("title", self.tr("Title"),
                  placeholder=self.tr("for example: Letter to his mother, 1971")),
            Field("description", self.tr("Description"), "long"),
            Field("owner", self.tr("Kept by")),
            Field("condition", self.tr("Condition")),
            Field("martyr_id", self.tr("Martyr"), "martyr"),
        ]

    def _lead_fields(self) -> list[Field]:
        sources = ((self.tr("Testimony"), "testimony"), (self.tr("Hand-drawn map"), "map"),
                   (self.tr("Photo"), "photo"), (self.tr("Document"), "document"),
                   (self.tr("Other"), "other"))
        confidence = ((self.tr("Low"), Confidence.LOW), (self.tr("Medium"), Confidence.MEDIUM),
                      (self.tr("High"), Confidence.HIGH))
        return [
            Field("description", self.tr("What the clue says"), "long"),
            Field("latitude", self.tr("Latitude"), "coord"),
            Field("longitude", self.tr("Longitude"), "coord"),
            Field("grid_reference", self.tr("Grid reference, as it was said")),
            Field("martyr_id", self.tr("Martyr"), "martyr"),
            Field("source_kind", self.tr("Source"), "choice", sources),
            Field("source_ref", self.tr("Where exactly"),
                  placeholder=self.tr("for example: recording 2, minute 14; map page 3")),
            Field("confidence", self.tr("Confidence"), "choice", confidence),
        ]

    # -- loading --

    def open_visit(self, visit_id: str) -> None:
        self.banner.clear()
        tasks.Task(self, visits.load_visit, self.vault(), visit_id).success(self.show_record
                                                                            ).failure(
            lambda error: self.banner.show_error(user_message(error))).run(tasks.Pool.DATABASE)

    def show_record(self, record: VisitRecord) -> None:
        # A fresh record replaces what the gallery held: without this, reopening a visit after
        # pages were added elsewhere (an import from the CLI, another window) showed the old
        # page list and wrote it back over the new one.
        self.pages.set_item(None)
        self.record = record
        self.title.setText(self.tr("Visit of {date}").format(date=date_from_core(
            record.visit_date)))
        self.household.load(record.id, record.household)
        self.martyrs.set_records(record.id, record.martyrs)
        self.people.set_records(record.id, record.people)
        self.items.set_records(record.id, [(i.id, i.data) for i in record.items])
        self.leads.set_records(record.id, record.leads)
        self.pages.setProperty("visit_id", record.id)
        self._martyrs_changed()
        self._item_changed(self.items.current_id())
        editable = (allowed(self.vault().actor.role, Action.CAPTURE)
                    and record.status in EDITABLE)
        for section in (self.household, self.martyrs, self.people, self.items, self.leads,
                        self.pages):
            section.set_editable(editable)
        self.lead_coordinates.set_editable(editable)
        self.read_only_note.setVisible(not editable)
        self.item_comments = {}
        self._show_item_comment(self.items.current_id())
        if record.status == visits.VisitStatus.RETURNED:
            tasks.Task(self, review.last_return, self.vault(), record.id).success(
                self._return_notes).failure(lambda _error: None).run(tasks.Pool.DATABASE)
        self._open_recorder(record.id)
        self._open_steps(record.id)

    def _return_notes(self, notes: Any) -> None:
        self.item_comments = dict(notes.item_comments)
        self._show_item_comment(self.items.current_id())

    def _show_item_comment(self, item_id: str | None) -> None:
        comment = self.item_comments.get(item_id or "")
        self.item_comment.setText(self.tr("The coordinator asks about this item: {comment}")
                                  .format(comment=comment) if comment else "")
        self.item_comment.setVisible(bool(comment))

    def _open_steps(self, visit_id: str) -> None:
        from ui.pages.consent import ConsentStep
        from ui.pages.review import CheckAndSubmitStep

        for old in (self.consent_step, self.submit_step):
            if old is not None:
                old.parentWidget().layout().removeWidget(old)
                old.deleteLater()
        self.consent_step = ConsentStep(self.vault, visit_id, self.consent_tab)
        self.submit_step = CheckAndSubmitStep(self.vault, visit_id, self.submit_tab)
        self.consent_tab.layout().addWidget(self.consent_step)
        self.submit_tab.layout().addWidget(self.submit_step)
        self.consent_step.consent_recorded.connect(lambda _id: self.submit_step.reload())
        self.submit_step.submitted.connect(self._submitted)

    def _step_shown(self, index: int) -> None:
        self.next_step.setVisible(index < self.tabs.count() - 1)
        if self.tabs.widget(index) is self.submit_tab and self.submit_step is not None:
            self.save_all()  # the checklist reads what was just typed
            self.submit_step.reload()

    def _submitted(self, visit_id: str) -> None:
        self.changed.emit()
        self.open_visit(visit_id)  # shown read-only from now on

    def _open_recorder(self, visit_id: str) -> None:
        layout = self.testimony.layout()
        if self.recorder is not None:
            layout.removeWidget(self.recorder)
            self.recorder.deleteLater()
            self.recorder = None
        try:
            from ui.pages.recorder import RecorderScreen
        except ImportError:
            label = QLabel(self.tr("Recording testimony is not available in this version yet."))
            label.setObjectName("emptyState")
            label.setWordWrap(True)
            self.recorder = label
        else:
            self.recorder = RecorderScreen(self.vault(), visit_id, self.testimony)
        layout.addWidget(self.recorder)

    # -- where a lead's coordinates can come from --

    def _household_gps(self) -> tuple[float, float] | None:
        gps = self.household._gps()
        if gps is None or gps[0] is None or gps[1] is None:
            return None
        return gps[0], gps[1]

    def _lead_context(self) -> Context:
        """A lead is often far from the household (a battlefield, another province): neither
        its GPS nor its province ranks the readings; the lead's own description may name the
        province, whose VN-2000 meridians then rank first."""
        return Context(province=self.leads.form.widgets["description"].toPlainText())

    def _photos_with_gps(self) -> list[PhotoGps]:
        if self.record is None:
            return []
        found = []
        for item in self.record.items:
            pages = list(self.pages.model.pages) if self.pages.item is not None \
                and self.pages.item.id == item.id else item.pages
            title = item.data.title or item_kind_label(item.data.kind)
            for page in pages:
                latitude, longitude = page.meta.get("latitude"), page.meta.get("longitude")
                if isinstance(latitude, int | float) and isinstance(longitude, int | float):
                    found.append(PhotoGps(f"{title} — {page.original_filename}",
                                          float(latitude), float(longitude)))
        return found

    def _martyrs_changed(self) -> None:
        martyrs = [(m[0], m[1].full_name) for m in self.martyrs.records if m[0]]
        for section in (self.people, self.items, self.leads):
            section.form.set_martyrs(martyrs, self.tr("— not linked —"))

    def _item_changed(self, item_id: str | None) -> None:
        item = None
        if self.record is not None and item_id is not None:
            item = next((i for i in self.record.items if i.id == item_id), None)
            if item is None:  # just added: no pages yet
                data = self.items.records[self.items.list.currentRow()][1]
                item = ItemRecord(item_id, data, None, [])
                self.record.items.append(item)
        if self.pages.item is not None and self.record is not None:
            # Keep what the gallery knows (pages added since loading) for the next visit to it.
            for index, known in enumerate(self.record.items):
                if known.id == self.pages.item.id:
                    self.record.items[index] = replace(
                        known, pages=list(self.pages.model.pages),
                        cover_page_id=self.pages.model.cover)
        self.pages.set_item(item)
        self._show_item_comment(item_id)

    def _saved(self) -> None:
        self.banner.clear()
        self.saved_label.setText(self.tr("All changes saved"))
        self.changed.emit()

    def save_all(self) -> None:
        for section in (self.household, self.martyrs, self.people, self.items, self.leads):
            section.save_now()

    def close_visit(self) -> None:
        self.save_all()
        self.closed.emit()


ITEM_KIND_LABELS = {
    ItemKind.KEEPSAKE: QT_TRANSLATE_NOOP("ItemKind", "Keepsake"),
    ItemKind.DIARY: QT_TRANSLATE_NOOP("ItemKind", "Battlefield diary"),
    ItemKind.LETTER: QT_TRANSLATE_NOOP("ItemKind", "Letter"),
    ItemKind.MAP: QT_TRANSLATE_NOOP("ItemKind", "Hand-drawn map"),
    ItemKind.PHOTOGRAPH: QT_TRANSLATE_NOOP("ItemKind", "Photograph"),
    ItemKind.DEATH_NOTICE: QT_TRANSLATE_NOOP("ItemKind", "Death notice"),
    ItemKind.CERTIFICATE: QT_TRANSLATE_NOOP("ItemKind", "Certificate"),
    ItemKind.OTHER: QT_TRANSLATE_NOOP("ItemKind", "Other"),
}


def item_kind_label(kind: ItemKind | str) -> str:
    return QCoreApplication.translate("ItemKind", ITEM_KIND_LABELS[ItemKind(kind)])
