"""The visit editor: Household, Martyrs, People present, Items (each with its gallery of pages),
Testimony and Leads. Every change is saved to the vault as the volunteer types (a short pause,
or leaving the field), on the database worker; an error from the core shows as one sentence in
the banner. Page moves and turns go through a QUndoStack so they can be taken back.

The tabs' forms are in visit_sections.py, an item's pages in item_pages.py; the consent and
check-and-submit steps are their own pages (consent.py, check_and_submit.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from capture import review, visits
from capture.coords import Context, CoordinateReader
from capture.roles import Action, allowed
from capture.visits import (
    EDITABLE,
    Confidence,
    ItemData,
    ItemKind,
    ItemRecord,
    LeadData,
    MartyrData,
    PersonData,
    PersonKind,
    VisitRecord,
)
from ui import tasks
from ui.errors import user_message
from ui.pages.item_pages import PagesPanel
from ui.pages.visit_sections import Field, HouseholdSection, RecordSection
from ui.viewmodels import VaultGetter
from ui.visit_forms import date_from_core, item_kind_label
from ui.widgets.common import Banner, heading, paragraph
from ui.widgets.coordinates import CoordinatesReadout, PhotoGps


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
        # the submission for review (ui/pages/consent.py, ui/pages/check_and_submit.py).
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
        from ui.pages.check_and_submit import CheckAndSubmitStep
        from ui.pages.consent import ConsentStep

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
