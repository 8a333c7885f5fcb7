"""The coordinator's Review page (the volunteer's last step, check and submit, is
check_and_submit.py; its checklist is shown here too).

    page = ReviewPage(vault_or_getter)      # coordinators (Action.REVIEW)

The checklist comes from ``review.checklist``: only the consent blocks; everything else is a
warning the volunteer may still submit with. Every read and decision runs in a ``Task``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from capture import review, testimony, visits
from capture.review import Checklist, Flag
from capture.vault import UnlockedVault
from ui import tasks
from ui.consent_records import RecordRow, capture_labels, record_rows
from ui.dialogs.photo_viewer import PhotoViewer, ViewedPage
from ui.dialogs.withdrawal import WithdrawByCodeDialog
from ui.errors import user_message
from ui.pages.check_and_submit import BLOCKING, COLOUR, FLAG_ORDER, MARK, ChecklistView, item_titles
from ui.viewmodels import VaultLike, day_month_year, vault_getter
from ui.visit_forms import item_kind_label
from ui.widgets.audio import TestimonyPlayer
from ui.widgets.common import Banner, BusyBar, escaped, heading, paragraph
from ui.widgets.gallery import rotated

THUMB_CELL = 110


# -- the coordinator's review --------------------------------------------------------------------


@dataclass
class ReviewDetail:
    visit: visits.VisitRecord
    checklist: Checklist
    records: list[RecordRow]
    recordings: list[testimony.TestimonyView]  # each played by a TestimonyPlayer
    history: list[tuple[str, str, str]] = field(default_factory=list)  # (decision, what, text)
    stage: review.Stage = review.Stage.SUBMITTED


def load_review(vault: UnlockedVault, visit_id: str) -> ReviewDetail:
    visit = visits.load_visit(vault, visit_id)
    labels = capture_labels(vault, visit)
    rows = record_rows(vault, visit_id, labels, check_captures=True)
    titles = item_titles(visit)
    history = [(d.decision, titles.get(d.item_id or "", ""), d.comment)
               for d in review.history(vault, visit_id)]
    recordings = [testimony.load_testimony(vault, testimony_id)
                  for testimony_id in testimony.list_testimonies(vault, visit_id)]
    return ReviewDetail(visit, review.checklist(vault, visit_id), rows, recordings, history,
                        review.stage(vault, visit_id))


def viewed_pages(visit: visits.VisitRecord) -> list[ViewedPage]:
    """Every page of every item, in order, with the caption the photo viewer shows."""
    out = []
    for item in visit.items:
        title = item.data.title or item_kind_label(item.data.kind)
        for page in item.pages:
            out.append(ViewedPage(page, QCoreApplication.translate(
                "ReviewPage", "{item} · page {n} of {total}").format(
                item=title, n=page.position + 1, total=len(item.pages))))
    return out


def _thumbnail(vault: UnlockedVault, page_id: str) -> bytes:
    from capture import media

    return media.thumbnail_bytes(vault, page_id)


class ReturnDialog(QDialog):
    """Why the visit goes back: a comment for the visit (required) and one per item."""

    def __init__(self, visit: visits.VisitRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Return the visit to the volunteer"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(paragraph(self.tr(
            "Say what needs fixing, so the volunteer can do it on the next visit or call.")))
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText(self.tr("Comment on the visit (required)"))
        self.comment.setFixedHeight(90)
        layout.addWidget(self.comment)
        self.item_comments: dict[str, QLineEdit] = {}
        if visit.items:
            form = QFormLayout()
            for item in visit.items:
                edit = QLineEdit()
                edit.setPlaceholderText(self.tr("Comment on this item (optional)"))
                self.item_comments[item.id] = edit
                form.addRow(item.data.title or item.data.kind.value, edit)
            layout.addLayout(form)
        self.error = QLabel(self.tr("Write a comment for the visit."))
        self.error.setObjectName("inlineError")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(self.tr("Return"),
                                           QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, dict[str, str]]:
        return (self.comment.toPlainText().strip(),
                {k: e.text().strip() for k, e in self.item_comments.items() if e.text().strip()})

    def _accept(self) -> None:
        if not self.values()[0]:
            self.error.show()
            return
        self.accept()


class QueueRow(QWidget):
    """A visit in the queue: date, household, and its flags as small badges."""

    def __init__(self, entry: review.QueueEntry, checklist_view: ChecklistView) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        title = QLabel(f"<b>{escaped(day_month_year(entry.visit_date))}</b> · "
                       f"{escaped(entry.contact_name or '—')} · {escaped(entry.village or '')}")
        layout.addWidget(title)
        badges = QHBoxLayout()
        badges.setSpacing(4)
        self.badges: list[QLabel] = []
        if entry.resubmitted:
            again = QLabel(QCoreApplication.translate("ReviewPage", "↻ sent again"))
            again.setObjectName("resubmittedBadge")
            again.setStyleSheet(_badge_style("info"))
            again.setToolTip(QCoreApplication.translate(
                "ReviewPage", "Returned earlier; the volunteer made the changes and sent it "
                "again."))
            self.badges.append(again)
        if not entry.checklist.flags:
            ok = QLabel(QCoreApplication.translate("ReviewPage", "✓ complete"))
            ok.setStyleSheet(_badge_style("ok"))
            self.badges.append(ok)
        for flag in FLAG_ORDER:
            if flag in entry.checklist.flags:
                kind = "blocking" if flag in BLOCKING else "warning"
                badge = QLabel(f"{MARK[kind]} {flag_badge(flag)}")
                badge.setStyleSheet(_badge_style(kind))
                badge.setToolTip(checklist_view.sentence(flag, entry.checklist.flags[flag]))
                self.badges.append(badge)
        for badge in self.badges:
            badges.addWidget(badge)
        badges.addStretch(1)
        layout.addLayout(badges)


def _badge_style(kind: str) -> str:
    background = {"ok": "#e3f3e7", "warning": "#fff1d6", "blocking": "#fbe1de",
                  "info": "#e1ecfb"}[kind]
    colour = COLOUR.get(kind, "#1d4f91")
    return (f"QLabel {{ background: {background}; color: {colour}; border-radius: 8px; "
            "padding: 1px 8px; font-size: 9pt; }")


def stage_sentence(stage: review.Stage) -> str:
    return {
        review.Stage.DRAFT: QCoreApplication.translate("ReviewPage", "A draft, not sent yet."),
        review.Stage.SUBMITTED: QCoreApplication.translate(
            "ReviewPage", "Submitted for review for the first time."),
        review.Stage.RESUBMITTED: QCoreApplication.translate(
            "ReviewPage", "Sent again after it was returned: check what was asked (below, in "
            "the earlier decisions)."),
        review.Stage.APPROVED: QCoreApplication.translate("ReviewPage", "Approved."),
        review.Stage.RETURNED: QCoreApplication.translate(
            "ReviewPage", "Returned to the volunteer."),
    }[stage]


def flag_badge(flag: Flag) -> str:
    return {
        Flag.CONSENT_MISSING: QCoreApplication.translate("ReviewPage", "consent missing"),
        Flag.CONSENT_INVALID: QCoreApplication.translate("ReviewPage", "consent invalid"),
        Flag.NO_CAPTURES: QCoreApplication.translate("ReviewPage", "no photos"),
        Flag.HOUSEHOLD_INCOMPLETE: QCoreApplication.translate("ReviewPage", "household incomplete"),
        Flag.NO_MARTYR: QCoreApplication.translate("ReviewPage", "no martyr"),
        Flag.MARTYR_WITHOUT_PLACE: QCoreApplication.translate("ReviewPage", "place missing"),
        Flag.PHOTO_QUALITY: QCoreApplication.translate("ReviewPage", "photo quality"),
        Flag.AUDIO_QUALITY: QCoreApplication.translate("ReviewPage", "audio quality"),
    }[flag]


class ReviewPage(QWidget):
    """The queue of submitted visits on the left; one visit to check on the right, with
    Approve and Return."""

    decided = Signal(str, str)  # visit id, "approved" | "returned"

    def __init__(self, vault: VaultLike, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewPage")
        self._vault = vault_getter(vault)
        self.entries: list[review.QueueEntry] = []
        self.detail: ReviewDetail | None = None
        self.current_visit: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Review")), 1)
        self.withdraw_code_button = QPushButton(self.tr("Withdrawal by reference code…"))
        self.withdraw_code_button.setToolTip(self.tr(
            "A family calls or writes with the code on their receipt to take back their "
            "consent."))
        self.withdraw_code_button.clicked.connect(self.withdraw_by_code)
        top.addWidget(self.withdraw_code_button)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.banner = Banner()
        layout.addWidget(self.banner)
        splitter = QSplitter()
        layout.addWidget(splitter, 1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 8, 0)
        left_layout.addWidget(heading(self.tr("Waiting for review"), 2))
        self.queue_list = QListWidget()
        self.queue_list.setObjectName("reviewQueue")
        self.queue_list.currentRowChanged.connect(self._select)
        left_layout.addWidget(self.queue_list, 1)
        self.empty_label = QLabel(self.tr("Nothing to review"))
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        left_layout.addWidget(self.empty_label)
        splitter.addWidget(left)

        self._checklist_texts = ChecklistView()  # sentences for the badges' tooltips
        right = QScrollArea()
        right.setWidgetResizable(True)
        right.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_widget = QWidget()
        right.setWidget(self.detail_widget)
        self.detail_layout = QVBoxLayout(self.detail_widget)
        self.detail_layout.setContentsMargins(12, 0, 0, 0)
        self.detail_layout.setSpacing(10)
        self.detail_title = heading("", 2)
        self.detail_layout.addWidget(self.detail_title)
        self.stage_label = paragraph("")
        self.stage_label.setObjectName("reviewStage")
        self.detail_layout.addWidget(self.stage_label)
        self.household_label = self._rich()
        self.detail_layout.addWidget(self._group(self.tr("Household"), self.household_label))
        self.people_label = self._rich()
        self.detail_layout.addWidget(self._group(self.tr("Martyrs and people"),
                                                 self.people_label))
        self.items_box = QGroupBox(self.tr("Items and photos"))
        self.items_layout = QVBoxLayout(self.items_box)
        self.detail_layout.addWidget(self.items_box)
        self.recordings_box = QGroupBox(self.tr("Recordings"))
        self.recordings_layout = QVBoxLayout(self.recordings_box)
        self.detail_layout.addWidget(self.recordings_box)
        self.players: list[TestimonyPlayer] = []
        self._player_boxes: list[QWidget] = []
        self.consent_label = self._rich()
        self.detail_layout.addWidget(self._group(self.tr("Consent"), self.consent_label))
        self.checklist = ChecklistView()
        self.detail_layout.addWidget(self._group(self.tr("Checklist"), self.checklist))
        self.history_label = self._rich()
        self.history_box = self._group(self.tr("Earlier decisions"), self.history_label)
        self.detail_layout.addWidget(self.history_box)
        decide = QGroupBox(self.tr("Decision"))
        decide_layout = QVBoxLayout(decide)
        self.approve_comment = QLineEdit()
        self.approve_comment.setPlaceholderText(self.tr("Comment (optional)"))
        decide_layout.addWidget(self.approve_comment)
        row = QHBoxLayout()
        self.approve_button = QPushButton(self.tr("Approve"))
        self.approve_button.setProperty("primary", True)
        self.approve_button.setMinimumHeight(42)
        self.approve_button.clicked.connect(self.approve)
        self.return_button = QPushButton(self.tr("Return with comments…"))
        self.return_button.setMinimumHeight(42)
        self.return_button.clicked.connect(self.ask_return)
        row.addWidget(self.approve_button)
        row.addWidget(self.return_button)
        row.addStretch(1)
        decide_layout.addLayout(row)
        self.detail_layout.addWidget(decide)
        self.busy = BusyBar()
        self.busy.hide()
        self.detail_layout.addWidget(self.busy)
        self.detail_layout.addStretch(1)
        self.detail_widget.setEnabled(False)
        splitter.addWidget(right)
        splitter.setSizes([330, 700])
        self.thumbnails: dict[str, QToolButton] = {}
        self.viewed: list[ViewedPage] = []
        self.photo_viewer: PhotoViewer | None = None
        self._rows: list[QueueRow] = []
        self.refresh()

    @property
    def vault(self) -> UnlockedVault:
        return self._vault()

    @staticmethod
    def _rich() -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    @staticmethod
    def _group(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        QVBoxLayout(box).addWidget(widget)
        return box

    # -- the queue --------------------------------------------------------------------------

    def refresh(self) -> None:
        tasks.Task(self, review.queue, self.vault).success(self._queue_loaded).failure(
            self._failed).run(tasks.Pool.DATABASE)

    def _queue_loaded(self, entries: list[review.QueueEntry]) -> None:
        keep = self.current_visit
        self.entries = entries
        self.queue_list.blockSignals(True)
        for index in range(self.queue_list.count()):
            self.queue_list.removeItemWidget(self.queue_list.item(index))
        self.queue_list.clear()
        self._rows = []
        for entry in entries:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, entry.visit_id)
            row = QueueRow(entry, self._checklist_texts)
            self._rows.append(row)
            item.setSizeHint(row.sizeHint())
            self.queue_list.addItem(item)
            self.queue_list.setItemWidget(item, row)
        self.queue_list.blockSignals(False)
        self.empty_label.setVisible(not entries)
        ids = [e.visit_id for e in entries]
        if keep in ids:
            self.queue_list.setCurrentRow(ids.index(keep))
        elif entries:
            self.queue_list.setCurrentRow(0)
        else:
            self._clear_detail()

    def _clear_detail(self) -> None:
        self.current_visit = None
        self.detail = None
        self.detail_widget.setEnabled(False)
        self.detail_title.setText(self.tr("Choose a visit in the list"))
        self.stage_label.clear()
        for label in (self.household_label, self.people_label, self.consent_label,
                      self.history_label):
            label.clear()
        self._clear_items()
        self._clear_players()
        self.checklist.set_checklist(Checklist())

    def _select(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        self.current_visit = self.entries[row].visit_id
        tasks.Task(self, load_review, self.vault, self.current_visit).success(
            self._detail_loaded).failure(self._failed).run(tasks.Pool.DATABASE)

    # -- one visit --------------------------------------------------------------------------

    def _clear_items(self) -> None:
        """Drop the previous visit's items: one host widget, detached and deleted by Qt."""
        host = getattr(self, "_items_host", None)
        if host is not None:
            self.items_layout.removeWidget(host)
            host.hide()
            host.deleteLater()
        self._items_host = QWidget()
        self._items_host_layout = QVBoxLayout(self._items_host)
        self._items_host_layout.setContentsMargins(0, 0, 0, 0)
        self.items_layout.addWidget(self._items_host)
        self.thumbnails = {}

    def _detail_loaded(self, detail: ReviewDetail) -> None:
        if detail.visit.id != self.current_visit:
            return
        self.detail = detail
        visit = detail.visit
        h = visit.household
        self.detail_title.setText(self.tr("Visit of {date} · {contact}").format(
            date=day_month_year(visit.visit_date), contact=h.contact_name or "—"))
        self.stage_label.setText(stage_sentence(detail.stage))
        self.household_label.setText(
            f"{escaped(h.village)} {escaped(h.address)}<br>"
            + self.tr("Contact: {name} {phone}").format(name=escaped(h.contact_name),
                                                         phone=escaped(h.contact_phone)))
        lines = []
        for _id, martyr in visit.martyrs:
            facts = ", ".join(x for x in (
                martyr.birth_year and str(martyr.birth_year), martyr.home_town, martyr.unit,
                martyr.death_place, martyr.burial_info) if x)
            lines.append(self.tr("Martyr: <b>{name}</b> {facts}").format(
                name=escaped(martyr.full_name), facts=escaped(f"({facts})" if facts else "")))
        for _id, person in visit.people:
            lines.append(f"{escaped(person.full_name)} "
                         f"{escaped(f'({person.relationship})' if person.relationship else '')}")
        self.people_label.setText("<br>".join(lines) or self.tr("No one recorded."))
        self._show_items(visit)
        self._show_players(detail.recordings)
        consent_lines = []
        for row in detail.records:
            if row.state == "invalid":
                check = self.tr("✗ fails its check: {problems}").format(
                    problems=escaped("; ".join(row.problems)))
            else:
                check = self.tr("✓ signature verified")
            kind = {"grant": self.tr("consent"), "amend": self.tr("amended consent"),
                    "withdraw": self.tr("withdrawal")}.get(row.kind, row.kind)
            consent_lines.append(f"<b>{escaped(row.reference_code)}</b> · {kind} · "
                                 f"{escaped(row.signer)} · {check}")
        self.consent_label.setText("<br>".join(consent_lines) or self.tr("No consent."))
        self.checklist.set_checklist(detail.checklist)
        history = []
        for decision, what, text in detail.history:
            name = {"submitted": self.tr("submitted"), "approved": self.tr("approved"),
                    "resubmitted": self.tr("sent again after changes"),
                    "returned": self.tr("returned"), "comment": self.tr("comment")}.get(
                decision, decision)
            history.append(f"<b>{name}</b>{' · ' + escaped(what) if what else ''}"
                           f"{': ' + escaped(text) if text else ''}")
        self.history_label.setText("<br>".join(history))
        self.history_box.setVisible(len(history) > 1)
        self.approve_comment.clear()
        self.approve_button.setEnabled(not detail.checklist.blocking)
        self.detail_widget.setEnabled(True)

    def _show_items(self, visit: visits.VisitRecord) -> None:
        """Each item with its comment box and its pages as thumbnails; a click opens the page
        full size in the photo viewer, which then goes through every page of the visit."""
        self._clear_items()
        self.viewed = viewed_pages(visit)
        order = {viewed.page.id: index for index, viewed in enumerate(self.viewed)}
        if not visit.items:
            self._items_host_layout.addWidget(QLabel(self.tr("No items.")))
        for item in visit.items:
            title = QLabel(f"<b>{escaped(item.data.title or item_kind_label(item.data.kind))}</b>"
                           " · " + self.tr("{count} pages").format(count=len(item.pages)))
            self._items_host_layout.addWidget(title)
            grid_host = QWidget()
            grid = QGridLayout(grid_host)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            for index, page in enumerate(item.pages):
                button = QToolButton()
                button.setObjectName("reviewThumb")
                button.setText(self.tr("Page {n}").format(n=page.position + 1))
                button.setFixedSize(THUMB_CELL, THUMB_CELL)
                button.setIconSize(QSize(THUMB_CELL - 6, THUMB_CELL - 6))
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
                button.setToolTip(self.tr("Open full size: {name}").format(
                    name=page.original_filename or self.tr("page {n}").format(
                        n=page.position + 1)))
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                # A bound slot, not a lambda holding the page: a lambda connected to a button
                # of a host deleted later crashed (SIGSEGV in ~QWidget) on PySide6 6.12.
                button.setProperty("viewerIndex", order[page.id])
                button.clicked.connect(self._thumb_clicked)
                grid.addWidget(button, index // 6, index % 6)
                self.thumbnails[page.id] = button
                tasks.Task(self, _thumbnail, self.vault, page.id).success(
                    lambda data, pid=page.id, turns=page.rotation: self._thumb(pid, data, turns)
                ).failure(lambda _error: None).run(tasks.Pool.DATABASE)
            self._items_host_layout.addWidget(grid_host)

    def _thumb(self, page_id: str, data: bytes, rotation: int) -> None:
        button = self.thumbnails.get(page_id)
        if button is None:
            return
        image = QImage()
        if not image.loadFromData(data):
            return
        image = rotated(image, rotation)  # degrees, as stored
        button.setIcon(QIcon(QPixmap.fromImage(image)))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

    def _thumb_clicked(self) -> None:
        self.open_photo(int(self.sender().property("viewerIndex")))

    def open_photo(self, index: int) -> PhotoViewer:
        """The photo viewer on page ``index`` of the visit (in item order)."""
        self.photo_viewer = PhotoViewer(self._vault, self.viewed, index, self)
        self.photo_viewer.open()
        return self.photo_viewer

    def _clear_players(self) -> None:
        for player in self.players:
            player.stop()  # no sound from a visit no longer shown
        for box in self._player_boxes:
            self.recordings_layout.removeWidget(box)
            box.hide()
            box.deleteLater()
        self.players, self._player_boxes = [], []
        if getattr(self, "_no_recordings", None) is None:
            self._no_recordings = QLabel(self.tr("No recordings."))
            self.recordings_layout.addWidget(self._no_recordings)
        self._no_recordings.hide()

    def _show_players(self, views: list[testimony.TestimonyView]) -> None:
        """One player per testimony (the recorder's own, ``ui/widgets/audio.py``): every part in
        order, decrypted as it plays, its markers to jump to."""
        self._clear_players()
        for view in views:
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 8)
            minutes, seconds = divmod(int(view.duration), 60)
            title = QLabel(self.tr("<b>{speaker}</b> · {minutes}:{seconds} · {markers} markers")
                           .format(speaker=escaped(view.speaker_name or "—"), minutes=minutes,
                                   seconds=f"{seconds:02d}", markers=len(view.markers)))
            layout.addWidget(title)
            player = TestimonyPlayer(self.vault)
            player.marker_list.setMaximumHeight(100)
            player.error.connect(self.banner.show_error)
            player.show_testimony(view)
            layout.addWidget(player)
            self.recordings_layout.addWidget(box)
            self.players.append(player)
            self._player_boxes.append(box)
        self._no_recordings.setVisible(not views)

    # -- decisions --------------------------------------------------------------------------

    def approve(self) -> None:
        if self.current_visit is None:
            return
        self._decide("approved", review.approve, self.vault, self.current_visit,
                     self.approve_comment.text())

    def ask_return(self) -> None:
        if self.detail is None:
            return
        dialog = ReturnDialog(self.detail.visit, self)
        self.return_dialog = dialog  # tests fill it in
        dialog.accepted.connect(lambda: self.return_with(*dialog.values()))
        dialog.open()

    def return_with(self, comment: str, item_comments: dict[str, str]) -> None:
        if self.current_visit is None:
            return
        self._decide("returned", review.return_visit, self.vault, self.current_visit, comment,
                     item_comments)

    def _decide(self, what: str, fn: Callable[..., None], *args: object) -> None:
        self.banner.clear()
        self.busy.show()
        self.approve_button.setEnabled(False)
        self.return_button.setEnabled(False)
        visit_id = self.current_visit or ""

        def done(_result: object) -> None:
            self.busy.hide()
            self.return_button.setEnabled(True)
            self.banner.show_info(self.tr("Approved.") if what == "approved" else self.tr(
                "Returned to the volunteer with your comments."))
            self.current_visit = None
            self.refresh()
            self.decided.emit(visit_id, what)

        tasks.Task(self, fn, *args).success(done).failure(self._failed).run(
            tasks.Pool.DATABASE)

    def withdraw_by_code(self) -> WithdrawByCodeDialog:
        """A family quotes their receipt's code: find the consent, record what they take back."""
        dialog = WithdrawByCodeDialog(self._vault, self)
        self.withdraw_dialog = dialog  # tests fill it in
        dialog.withdrawn.connect(lambda _view: self.refresh())
        dialog.open()
        return dialog

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.return_button.setEnabled(True)
        self.approve_button.setEnabled(self.detail is not None
                                       and not self.detail.checklist.blocking)
        self.banner.show_error(user_message(error))


