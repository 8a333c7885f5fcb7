"""The coordinator's Reports page: the station's own figures for a chosen period, offline.

    page = ReportsPage(vault_or_getter)

From top to bottom: the period (kind, which one, or two dates), the cut-off rule (calendar or
Decree 09/2019, kept as the app's setting) and the day the figures are counted to; the rule and
the cut-off in words; the table of every KPI with this period, the previous one and the change
(the definition as the figure's tooltip and, for the selected row, under the table); a chart of
recent periods; Export XLSX… and Export PDF….

The figures come from ``capture.station_report`` on the database worker, the chart from
matplotlib on a general worker, the files from ``capture.report_files`` on a general worker. An
export writes exactly the report on the screen (the same snapshot), so the paper and the
screen cannot disagree.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture import kpis, report_files, station_report
from capture.kpis import CutoffRule, Period, PeriodKind
from ui import i18n, tasks
from ui import settings as app_settings
from ui.errors import user_message
from ui.viewmodels import VaultLike, vault_getter
from ui.widgets.common import Banner, BusyBar, heading, paragraph

MAX_CHOICES = 60  # periods offered in the "which" list, newest first


def period_choices(kind: PeriodKind, today: date, rule: CutoffRule) -> list[Period]:
    """The periods of a kind from the current one back to the campaign's start, newest first."""
    current = kpis.containing(kind, today, rule)
    if kind is PeriodKind.CAMPAIGN:
        return [current]
    choices = [current]
    while len(choices) < MAX_CHOICES:
        before = choices[-1].previous()
        if before is None or before.end < kpis.CAMPAIGN_START:
            break
        choices.append(before)
    return choices


def load_report(vault: Any, as_of: Any, period: Period) -> dict[str, Any]:
    """On the database worker: the figures of ``period`` as recorded before ``as_of``."""
    snapshot = station_report.snapshot(vault, as_of)
    return kpis.report(snapshot, period)


class ReportsPage(QScrollArea):
    report_shown = Signal()
    chart_shown = Signal()
    exported = Signal(str)  # the path written

    def __init__(self, vault: VaultLike, today: date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportsPage")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._vault = vault_getter(vault)
        self._today = today or kpis.local_day(self._vault().clock())
        self.data: dict[str, Any] | None = None
        self._loaded_once = False
        self._generation = 0  # a newer choice wins over a slower older load

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.addWidget(heading(self.tr("Reports")))
        layout.addWidget(paragraph(self.tr(
            "The station's own figures for a period, counted from what was recorded on this "
            "laptop. The command adds lead verification, DNA and remains.")))
        self.banner = Banner()
        layout.addWidget(self.banner)

        choose = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setObjectName("periodKind")
        for kind, text in ((PeriodKind.WEEK, self.tr("Week")),
                           (PeriodKind.MONTH, self.tr("Month")),
                           (PeriodKind.QUARTER, self.tr("Quarter")),
                           (PeriodKind.HALF, self.tr("Half-year")),
                           (PeriodKind.YEAR, self.tr("Year")),
                           (PeriodKind.CAMPAIGN, self.tr("Campaign to date")),
                           (PeriodKind.RANGE, self.tr("From … to …"))):
            self.kind.addItem(text, kind.value)
        self.which = QComboBox()
        self.which.setObjectName("periodWhich")
        self.which.setMinimumWidth(320)
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.start = self._date_edit(self._today.replace(day=1))
        self.end = self._date_edit(self._today)
        self.rule = QComboBox()
        self.rule.setObjectName("cutoffRule")
        self.rule.addItem(self.tr("Calendar periods"), CutoffRule.CALENDAR.value)
        self.rule.addItem(self.tr("Decree 09/2019 (15th to 14th)"), CutoffRule.DECREE_09.value)
        self.rule.setCurrentIndex(max(0, self.rule.findData(
            app_settings.load().report_cutoff_rule)))
        self.until = self._date_edit(self._today)
        self.until.setObjectName("countedUntil")
        self.until.setToolTip(self.tr("Only what was recorded up to the end of this day is "
                                      "counted, so the same day always gives the same figures."))
        rules = QHBoxLayout()  # a second row: Vietnamese labels do not fit in one
        for row, label, widget in ((choose, self.tr("Period"), self.kind),
                                   (choose, None, self.which), (choose, None, self.start),
                                   (choose, None, self.end),
                                   (rules, self.tr("Cut-off rule"), self.rule),
                                   (rules, self.tr("Recorded up to"), self.until)):
            if label:
                row.addWidget(QLabel(label))
            row.addWidget(widget)
        for row in (choose, rules):
            row.addStretch(1)
            layout.addLayout(row)

        self.rule_text = paragraph("")
        self.rule_text.setObjectName("ruleText")
        layout.addWidget(self.rule_text)
        self.busy = BusyBar()
        self.busy.hide()
        layout.addWidget(self.busy)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("figures")
        self.table.setHorizontalHeaderLabels([self.tr("Figure"), self.tr("This period"),
                                              self.tr("Previous period"), self.tr("Change")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._show_definition)
        layout.addWidget(self.table)
        self.definition = paragraph("")
        self.definition.setObjectName("definition")
        layout.addWidget(self.definition)

        layout.addWidget(heading(self.tr("Recent periods"), level=2))
        self.chart = QLabel()
        self.chart.setObjectName("trendChart")
        self.chart.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.chart.setMinimumHeight(300)
        layout.addWidget(self.chart)

        buttons = QHBoxLayout()
        self.xlsx_button = QPushButton(self.tr("Export XLSX…"))
        self.pdf_button = QPushButton(self.tr("Export PDF…"))
        self.pdf_button.setToolTip(self.tr("The report in the layout of an official report, in "
                                           "Vietnamese, ready to sign."))
        self.xlsx_button.clicked.connect(lambda: self.choose_export("xlsx"))
        self.pdf_button.clicked.connect(lambda: self.choose_export("pdf"))
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.setWidget(body)

        self.kind.setCurrentIndex(self.kind.findData(PeriodKind.MONTH.value))
        self._fill_choices()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.rule.currentIndexChanged.connect(self._rule_changed)
        for signal in (self.which.currentIndexChanged, self.start.dateChanged,
                       self.end.dateChanged, self.until.dateChanged):
            signal.connect(self.refresh)

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        return edit

    # -- choosing --------------------------------------------------------------------------

    def selected_kind(self) -> PeriodKind:
        return PeriodKind(self.kind.currentData())

    def selected_rule(self) -> CutoffRule:
        return CutoffRule(self.rule.currentData())

    def selected_period(self) -> Period:
        if self.selected_kind() is PeriodKind.RANGE:
            return kpis.range_period(self.start.date().toPython(), self.end.date().toPython(),
                                     self.selected_rule())
        if self.selected_kind() is PeriodKind.CAMPAIGN:  # to the day counted up to
            return kpis.campaign_period(self.selected_rule(), self.until.date().toPython())
        return self.which.currentData()

    def _fill_choices(self) -> None:
        kind = self.selected_kind()
        self.which.blockSignals(True)
        self.which.clear()
        if kind is not PeriodKind.RANGE:
            language = i18n.current_language()
            for period in period_choices(kind, self._today, self.selected_rule()):
                self.which.addItem(period.title()[language], period)
        self.which.blockSignals(False)
        ranged = kind is PeriodKind.RANGE
        self.which.setVisible(not ranged)
        self.start.setVisible(ranged)
        self.end.setVisible(ranged)

    def _kind_changed(self) -> None:
        self._fill_choices()
        self.refresh()

    def _rule_changed(self) -> None:
        saved = app_settings.load()
        saved.report_cutoff_rule = self.selected_rule().value
        app_settings.save(saved)
        self._fill_choices()
        self.refresh()

    def select(self, kind: PeriodKind, label: str | None = None,
               rule: CutoffRule | None = None) -> None:
        """For tests and the shell: choose a period as a user would with the lists."""
        if rule is not None:
            self.rule.setCurrentIndex(self.rule.findData(rule.value))
        self.kind.setCurrentIndex(self.kind.findData(kind.value))
        if label is not None:
            for index in range(self.which.count()):
                if self.which.itemData(index).label == label:
                    self.which.setCurrentIndex(index)

    # -- loading ---------------------------------------------------------------------------

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        super().showEvent(event)
        if not self._loaded_once:
            self._loaded_once = True
            self.refresh()

    def refresh(self) -> None:
        self.banner.clear()
        try:
            period = self.selected_period()
        except kpis.InvalidPeriod:
            self.banner.show_error(self.tr("The first day of the range comes after the last; "
                                           "choose the dates again."))
            return
        as_of = kpis.end_of_day(self.until.date().toPython())
        self._generation += 1
        generation = self._generation
        self.busy.show()
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(False)
        tasks.Task(self, load_report, self._vault(), as_of, period).success(
            lambda data: self._show(data, generation)).failure(self._failed).run(
            tasks.Pool.DATABASE)

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.banner.show_error(user_message(error))

    def _show(self, data: dict[str, Any], generation: int) -> None:
        if generation != self._generation:
            return
        self.busy.hide()
        self.data = data
        language = i18n.current_language()
        period, snapshot = data["period"], data["snapshot"]
        self.rule_text.setText(self.tr(
            "{period}. {rule} Counted: what was recorded before {cutoff}; {records} records "
            "(check code {digest}).").format(
            period=period["title"][language], rule=period["cutoff_rule_text"][language],
            cutoff=report_files.cutoff_text(snapshot["as_of"], language),
            records=report_files.number_text(snapshot["facts"], language),
            digest=snapshot["sha256"][:12]))
        previous = data.get("previous")
        self.table.setRowCount(len(data["kpis"]))
        for row, (kpi_id, entry) in enumerate(data["kpis"].items()):
            label = QTableWidgetItem(entry[f"label_{language}"])
            label.setToolTip(entry["definition"][language])
            label.setData(Qt.ItemDataRole.UserRole, kpi_id)
            cells = [label, QTableWidgetItem(self._value(kpi_id, entry, language))]
            if previous:
                before = previous["kpis"][kpi_id]
                cells += [QTableWidgetItem(self._value(kpi_id, {**entry, "value":
                                                                before["value"]}, language)),
                          QTableWidgetItem(report_files.change_text(before["change"], language))]
            else:
                cells += [QTableWidgetItem("—"), QTableWidgetItem("")]
            for column, item in enumerate(cells):
                if entry["status"] == "not_yet_recorded":
                    item.setForeground(Qt.GlobalColor.darkGray)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(entry["definition"][language])
                self.table.setItem(row, column, item)
        self.table.setHorizontalHeaderItem(2, QTableWidgetItem(
            previous["period"]["title"][language].split(" (")[0] if previous
            else self.tr("Previous period")))
        self.table.selectRow(0)
        # Every figure visible at once: the page scrolls, not the table.
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 4 + sum(
            self.table.rowHeight(r) for r in range(self.table.rowCount())))
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(True)
        self.report_shown.emit()
        tasks.Task(self, report_files.trend_chart_png, data, report_files.CHART_KPIS,
                   language, (7.6, 3.0), 100).success(self._show_chart).failure(
            self._failed).run(tasks.Pool.GENERAL)

    def _value(self, kpi_id: str, entry: dict[str, Any], language: str) -> str:
        if entry["status"] == "not_yet_recorded":
            return self.tr("Not yet recorded")
        return report_files.value_text(kpi_id, entry, language)

    def _show_chart(self, png: bytes) -> None:
        picture = QPixmap()
        picture.loadFromData(png, "PNG")
        self.chart.setPixmap(picture)
        self.chart_shown.emit()

    def _show_definition(self) -> None:
        rows = self.table.selectionModel().selectedRows() if self.data else []
        if not rows:
            self.definition.clear()
            return
        entry = self.data["kpis"][self.table.item(rows[0].row(), 0).data(  # type: ignore[index]
            Qt.ItemDataRole.UserRole)]
        language = i18n.current_language()
        self.definition.setText(f"<b>{entry[f'label_{language}']}</b>: "
                                f"{entry['definition'][language]}")

    # -- exporting -------------------------------------------------------------------------

    def choose_export(self, file_format: str) -> None:
        if self.data is None:
            return
        suggested = str(Path.home() / f"bao-cao-{self.data['period']['label']}."
                        f"{file_format}".replace("..", "_"))
        filters = {"xlsx": self.tr("Excel workbook (*.xlsx)"), "pdf": self.tr("PDF (*.pdf)")}
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the report as"), suggested,
                                              filters[file_format])
        if path:
            self.export(Path(path), file_format)

    def export(self, path: Path, file_format: str) -> None:
        """Write the report on the screen to ``path`` off the GUI thread."""
        if self.data is None:
            return
        if path.suffix.lower() != f".{file_format}":
            path = path.with_name(path.name + f".{file_format}")
        letterhead = report_files.station_letterhead(self.data, self._today,
                                                     self._vault().actor.full_name)
        self.busy.show()
        tasks.Task(self, report_files.save, self.data, path, file_format, letterhead).success(
            self._exported).failure(self._export_failed).run(tasks.Pool.GENERAL)

    def _exported(self, path: Path) -> None:
        self.busy.hide()
        self.banner.show_info(self.tr("Report saved: {path}").format(path=str(path)))
        self.exported.emit(str(path))

    def _export_failed(self, error: BaseException) -> None:
        self.busy.hide()
        if isinstance(error, OSError):
            self.banner.show_error(self.tr("The report could not be saved there: choose "
                                           "another folder or free some space."))
        else:
            self.banner.show_error(user_message(error))
