"""The signed-in workspace: a top bar (station, user, Lock), a left navigation filtered by role,
and one page per part of the work: visits, review, sending to the command, reports, settings.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from capture import visits
from capture.roles import Action, Role, allowed
from capture.vault import UnlockedVault
from ui import tasks, viewmodels
from ui.pages.settings import SettingsPage
from ui.pages.visits import VisitsPage
from ui.viewmodels import Page
from ui.widgets.practice_banner import PracticeBanner


class Shell(QWidget):
    lock_requested = Signal()
    help_requested = Signal(str)  # a section of the guide
    practice_reset_requested = Signal()
    practice_leave_requested = Signal()

    def __init__(self, vault: UnlockedVault, parent: QWidget | None = None, *,
                 practice: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("shell")
        self.vault = vault
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._top_bar())
        # The practice station says so above every page (ui/widgets/practice_banner.py).
        self.practice_banner: PracticeBanner | None = None
        if practice:
            self.practice_banner = PracticeBanner()
            self.practice_banner.step_chosen.connect(self.go_to_step)
            self.practice_banner.guide_requested.connect(self.help_requested)
            self.practice_banner.reset_requested.connect(self.practice_reset_requested)
            self.practice_banner.leave_requested.connect(self.practice_leave_requested)
            layout.addWidget(self.practice_banner)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(220)
        self.pages = QStackedWidget()
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        layout.addLayout(body, 1)
        self.page_widgets: dict[Page, QWidget] = {}
        for page in _navigation(vault.actor.role):
            widget = self._make_page(page)
            self.page_widgets[page] = widget
            self.pages.addWidget(widget)
            item = QListWidgetItem(self._page_title(page))
            item.setData(Qt.ItemDataRole.UserRole, page.value)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)
        self.refresh_header()

    def visible_pages(self) -> list[Page]:
        return [Page(self.nav.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.nav.count())]

    def show_page(self, page: Page) -> None:
        self.nav.setCurrentRow(self.visible_pages().index(page))

    def help_section(self) -> str:
        """The part of the guide about what is on the screen now."""
        page = self.visible_pages()[self.nav.currentRow()]
        if page is Page.VISITS:
            visits_page = self.page_widgets[page]
            if visits_page.stack.currentIndex() == visits_page.EDITOR:  # type: ignore[attr-defined]
                tab = visits_page.editor.tabs.currentIndex()  # type: ignore[attr-defined]
                return EDITOR_TAB_SECTIONS.get(tab, "visit")
        return PAGE_SECTIONS[page]

    def go_to_step(self, step: int) -> None:
        """A step of the guided practice visit: the sample visit, open on that step's tab."""
        if self.practice_banner is None or Page.VISITS not in self.page_widgets:
            return
        self.show_page(Page.VISITS)
        visits_page = self.page_widgets[Page.VISITS]
        tab = self.practice_banner.steps[step].tab

        def opened(summaries: list) -> None:  # type: ignore[type-arg]
            if not summaries:
                return
            if visits_page.editor.record is None or visits_page.stack.currentIndex() != \
                    visits_page.EDITOR:  # type: ignore[attr-defined]
                visits_page.open_visit(summaries[-1].id)  # type: ignore[attr-defined]
            visits_page.editor.tabs.setCurrentIndex(tab)  # type: ignore[attr-defined]

        tasks.Task(self, visits.list_visits, self.vault).success(opened).failure(
            lambda _error: None).run(tasks.Pool.DATABASE)

    def set_vault(self, vault: UnlockedVault) -> None:
        """The same user signed in again after a lock: keep everything, swap the key."""
        self.vault = vault
        self.refresh_header()

    # -- building ----------------------------------------------------------------------------

    def _top_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("topBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 8, 16, 8)
        self.station_label = QLabel()
        self.station_label.setObjectName("stationLabel")
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.user_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.lock_button = QPushButton(self.tr("Lock"))
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setToolTip(self.tr("Lock the station now; sign in again to continue."))
        self.lock_button.clicked.connect(self.lock_requested)
        row.addWidget(self.station_label, 1)
        row.addWidget(self.user_label)
        row.addWidget(self.lock_button)
        return bar

    def _page_title(self, page: Page) -> str:
        return {
            Page.VISITS: self.tr("Visits"),
            Page.REVIEW: self.tr("Review"),
            Page.SYNC: self.tr("Send to the command"),
            Page.REPORTS: self.tr("Reports"),
            Page.SETTINGS: self.tr("Settings"),
        }[page]

    def _make_page(self, page: Page) -> QWidget:
        if page is Page.SETTINGS:
            return SettingsPage(lambda: self.vault)
        if page is Page.VISITS:
            return VisitsPage(lambda: self.vault)
        if page is Page.REVIEW:
            from ui.pages.review import ReviewPage

            return ReviewPage(lambda: self.vault)
        if page is Page.SYNC:
            from ui.pages.operator import OperatorPage

            return OperatorPage(lambda: self.vault)
        from ui.pages.reports import ReportsPage

        return ReportsPage(lambda: self.vault)

    def refresh_header(self) -> None:
        tasks.Task(self, viewmodels.header, self.vault).success(self._show_header).failure(
            lambda _error: None).run(tasks.Pool.DATABASE)

    def _show_header(self, header: viewmodels.Header) -> None:
        self.station_label.setText(f"<b>{_escape(header.station_name)}</b><br>"
                                   f"{_escape(header.place)}")
        self.user_label.setText(self.tr("{name} · {role}").format(
            name=_escape(header.full_name), role=viewmodels.role_label(header.role)))


# The guide's section for each page, and for each tab of the visit editor (ui/pages/visit_editor.py:
# household, martyrs, people present, items, testimony, leads, consent, check and submit).
PAGE_SECTIONS = {Page.VISITS: "visit", Page.REVIEW: "review", Page.SYNC: "sending",
                 Page.REPORTS: "station", Page.SETTINGS: "station"}
EDITOR_TAB_SECTIONS = {0: "visit", 1: "visit", 2: "dna", 3: "photographing", 4: "recording",
                       5: "visit", 6: "consent", 7: "review"}


def _navigation(role: Role) -> list[Page]:
    pages = viewmodels.pages_for(role)
    # The admin enrols the station with the command, on the Sync page ("Send to the command").
    if Page.SYNC not in pages and allowed(role, Action.ENROL_STATION):
        pages.insert(pages.index(Page.REPORTS) if Page.REPORTS in pages
                     else pages.index(Page.SETTINGS), Page.SYNC)
    return pages


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
