"""The Visits page: the list of visits (newest first), a big "New visit" button, a search box
that ignores diacritics, and the visit editor in the same place when one is opened."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture.roles import Action, allowed
from ui import tasks
from ui.errors import user_message
from ui.pages.visit_editor import VisitEditor
from ui.viewmodels import VaultGetter
from ui.visit_forms import VisitRow, date_from_core, new_visit_for_station, visit_rows
from ui.widgets.common import Banner, heading

STATUS_LABELS = {
    "draft": QT_TRANSLATE_NOOP("VisitStatus", "Draft"),
    "submitted": QT_TRANSLATE_NOOP("VisitStatus", "Submitted"),
    "approved": QT_TRANSLATE_NOOP("VisitStatus", "Approved"),
    "returned": QT_TRANSLATE_NOOP("VisitStatus", "Returned for changes"),
}
HIT_KINDS = {
    "visit": QT_TRANSLATE_NOOP("SearchHit", "Household"),
    "martyr": QT_TRANSLATE_NOOP("SearchHit", "Martyr"),
    "person": QT_TRANSLATE_NOOP("SearchHit", "Person"),
    "item": QT_TRANSLATE_NOOP("SearchHit", "Item"),
    "lead": QT_TRANSLATE_NOOP("SearchHit", "Lead"),
}
SEARCH_DELAY_MS = 250


def status_label(status: str) -> str:
    return QCoreApplication.translate("VisitStatus", STATUS_LABELS.get(status, status))


def _search(vault: Any, query: str) -> list[Any]:
    from capture import search

    return search.search(vault, query)


class VisitsPage(QWidget):
    visit_opened = Signal(str)

    LIST, EDITOR = 0, 1

    def __init__(self, vault: VaultGetter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitsPage")
        self.vault = vault
        self.rows: list[VisitRow] = []
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.stack.addWidget(self._list_page())
        self.editor = VisitEditor(vault)
        self.editor.closed.connect(self.show_list)
        self.stack.addWidget(self.editor)
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.search_timer.timeout.connect(self.run_search)
        self.refresh()

    def _list_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 16, 24, 24)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Visits")), 1)
        self.new_button = QPushButton(self.tr("+ New visit"))
        self.new_button.setObjectName("newVisit")
        self.new_button.setProperty("primary", True)
        self.new_button.setMinimumHeight(48)
        self.new_button.clicked.connect(self.new_visit)
        self.new_button.setVisible(allowed(self.vault().actor.role, Action.CAPTURE))
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("visitSearch")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(self.tr(
            "Search names, places and items — with or without accents"))
        self.search_box.textChanged.connect(lambda _text: self.search_timer.start())
        layout.addWidget(self.search_box)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.table = QTableWidget(0, 6)
        self.table.setObjectName("visitTable")
        self.table.setHorizontalHeaderLabels([
            self.tr("Date"), self.tr("Contact person"), self.tr("Village, commune"),
            self.tr("Martyrs"), self.tr("Items / photos"), self.tr("Status")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.cellActivated.connect(lambda row, _col: self.open_row(row))
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setWordWrap(True)
        self.results.itemActivated.connect(self._open_hit)
        self.results.itemClicked.connect(self._open_hit)
        self.results.hide()
        self.empty = QLabel(self.tr(
            "No visits yet. Press “New visit” when you sit down with a family: the household, "
            "the martyrs they remember, the keepsakes you photograph and their story are "
            "saved as you go."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_results = QLabel()
        self.no_results.setObjectName("emptyState")
        self.no_results.setWordWrap(True)
        self.no_results.hide()
        layout.addWidget(self.table, 1)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.no_results)
        layout.addWidget(self.empty, 1)
        return page

    # -- the list --

    def refresh(self) -> None:
        tasks.Task(self, visit_rows, self.vault()).success(self._show_rows).failure(
            lambda error: self.banner.show_error(user_message(error))).run(tasks.Pool.DATABASE)

    def _show_rows(self, rows: list[VisitRow]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = [date_from_core(row.visit_date), row.contact_name or "—",
                     row.place or "—", row.martyr_names or "—",
                     self.tr("{items} items · {pages} photos").format(items=row.items,
                                                                      pages=row.pages),
                     status_label(row.status)]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(index, column, cell)
        self.table.resizeRowsToContents()
        searching = bool(self.search_box.text().strip())
        self.empty.setVisible(not rows and not searching)
        self.table.setVisible(bool(rows) and not searching)

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.open_visit(self.rows[row].id)

    def new_visit(self) -> None:
        self.new_button.setEnabled(False)
        tasks.Task(self, new_visit_for_station, self.vault()).success(self._created).failure(
            self._create_failed).run(tasks.Pool.DATABASE)

    def _created(self, visit_id: str) -> None:
        self.new_button.setEnabled(True)
        self.open_visit(visit_id)
        self.editor.tabs.setCurrentIndex(0)

    def _create_failed(self, error: BaseException) -> None:
        self.new_button.setEnabled(True)
        self.banner.show_error(user_message(error))

    def open_visit(self, visit_id: str) -> None:
        self.editor.open_visit(visit_id)
        self.stack.setCurrentIndex(self.EDITOR)
        self.visit_opened.emit(visit_id)

    def show_list(self) -> None:
        self.stack.setCurrentIndex(self.LIST)
        self.refresh()

    # -- search --

    def run_search(self) -> None:
        query = self.search_box.text().strip()
        if not query:
            self.results.hide()
            self.no_results.hide()
            self._show_rows(self.rows)
            return
        tasks.Task(self, _search, self.vault(), query).success(
            lambda hits, q=query: self._show_hits(q, hits)).failure(
            lambda error: self.banner.show_error(user_message(error))).run(tasks.Pool.GENERAL)

    def _show_hits(self, query: str, hits: list[Any]) -> None:
        if query != self.search_box.text().strip():
            return  # typed on since: a newer search is coming
        self.results.clear()
        for hit in hits:
            kind = QCoreApplication.translate("SearchHit", HIT_KINDS.get(hit.kind, hit.kind))
            item = QListWidgetItem(f"{kind}: {hit.title}\n{hit.snippet}")
            item.setData(Qt.ItemDataRole.UserRole, hit.visit_id)
            item.setData(Qt.ItemDataRole.UserRole + 1, (hit.kind, hit.ref_id))
            self.results.addItem(item)
        self.table.hide()
        self.empty.hide()
        self.results.setVisible(bool(hits))
        self.no_results.setText(self.tr("Nothing found for “{query}”.").format(query=query))
        self.no_results.setVisible(not hits)

    def _open_hit(self, item: QListWidgetItem) -> None:
        visit_id = item.data(Qt.ItemDataRole.UserRole)
        kind, _ref = item.data(Qt.ItemDataRole.UserRole + 1)
        self.open_visit(visit_id)
        tab = {"visit": 0, "martyr": 1, "person": 2, "item": 3, "lead": 5}.get(kind, 0)
        self.editor.tabs.setCurrentIndex(tab)
