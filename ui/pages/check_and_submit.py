"""The visit editor's last step: the checklist of what the review will look at, and the
submission for review (the coordinator's review page reuses the checklist)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from capture import review, visits
from capture.review import Checklist, Flag
from capture.vault import UnlockedVault
from capture.visits import VisitStatus
from ui import tasks
from ui.errors import user_message
from ui.viewmodels import VaultLike, day_month_year, vault_getter
from ui.visit_forms import item_kind_label
from ui.widgets.common import Banner, BusyBar, escaped, heading, paragraph

BLOCKING = {Flag.CONSENT_MISSING, Flag.CONSENT_INVALID}


FLAG_ORDER = [Flag.CONSENT_MISSING, Flag.CONSENT_INVALID, Flag.NO_CAPTURES,
              Flag.HOUSEHOLD_INCOMPLETE, Flag.NO_MARTYR, Flag.MARTYR_WITHOUT_PLACE,
              Flag.PHOTO_QUALITY, Flag.AUDIO_QUALITY]


MARK = {"ok": "✓", "warning": "⚠", "blocking": "✗"}


COLOUR = {"ok": "#1e7b3a", "warning": "#9a6200", "blocking": "#b3261e"}


class ChecklistView(QWidget):
    """One line per flag: ✓ done, ⚠ worth a look, ✗ blocks submitting; one plain sentence each.
    ``lines`` maps each flag to (mark, sentence) for tests and screen readers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklist")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(6)
        self.lines: dict[Flag, tuple[str, str]] = {}
        self.labels: dict[Flag, QLabel] = {}

    def sentence(self, flag: Flag, count: int | None) -> str:
        if count is None:
            return {
                Flag.CONSENT_MISSING: self.tr(
                    "The family's consent covers every photo and recording."),
                Flag.CONSENT_INVALID: self.tr("Every consent record passes its signature check."),
                Flag.NO_CAPTURES: self.tr("Photos or recordings were made."),
                Flag.HOUSEHOLD_INCOMPLETE: self.tr(
                    "The household's address and contact person are filled in."),
                Flag.NO_MARTYR: self.tr("The martyr the family remembers is named."),
                Flag.MARTYR_WITHOUT_PLACE: self.tr(
                    "Each martyr has a home town and a place of death or burial."),
                Flag.PHOTO_QUALITY: self.tr("No photo looks blurred, dark or cut off."),
                Flag.AUDIO_QUALITY: self.tr("No recording is silent or very short."),
            }[flag]
        return {
            Flag.CONSENT_MISSING: self.tr(
                "{count} photos or recordings are not covered by the family's consent: take the "
                "consent (the Consent step) before submitting."),
            Flag.CONSENT_INVALID: self.tr(
                "{count} consent records fail their signature check: record the consent again "
                "and tell the station admin."),
            Flag.NO_CAPTURES: self.tr(
                "Nothing was photographed or recorded yet: add the photos of the items."),
            Flag.HOUSEHOLD_INCOMPLETE: self.tr(
                "The household's address or contact person is missing: fill in the Household "
                "step."),
            Flag.NO_MARTYR: self.tr(
                "No martyr is named: add at least the name the family knows."),
            Flag.MARTYR_WITHOUT_PLACE: self.tr(
                "{count} martyrs have no home town or no place of death or burial: ask the "
                "family, or write what is known."),
            Flag.PHOTO_QUALITY: self.tr(
                "{count} photos may be blurred, dark or cut off: look at them and take them "
                "again if you can."),
            Flag.AUDIO_QUALITY: self.tr(
                "{count} recordings are silent or very short: listen to them."),
        }[flag].format(count=count)

    def set_checklist(self, checklist: Checklist) -> None:
        """One label per flag, made once and updated (no widgets deleted while shown)."""
        if not self.labels:
            for flag in FLAG_ORDER:
                label = QLabel()
                label.setWordWrap(True)
                label.setObjectName(f"check_{flag.value}")
                self.layout_.addWidget(label)
                self.labels[flag] = label
        self.lines = {}
        for flag in FLAG_ORDER:
            count = checklist.flags.get(flag)
            kind = "ok" if count is None else "blocking" if flag in BLOCKING else "warning"
            text = self.sentence(flag, count)
            self.lines[flag] = (MARK[kind], text)
            label = self.labels[flag]
            label.setText(f"<span style='color:{COLOUR[kind]}; font-size:15pt; "
                          f"font-weight:bold'>{MARK[kind]}</span>&nbsp;&nbsp;{escaped(text)}")
            label.setProperty("state", kind)


@dataclass
class SubmitState:
    status: VisitStatus
    checklist: Checklist
    returned_comments: list[tuple[str, str]]  # (what: "" for the visit, or the item title; text)
    other_returned: list[tuple[str, str]]  # (visit label, first comment)


def item_titles(visit: visits.VisitRecord) -> dict[str, str]:
    return {item.id: item.data.title or item_kind_label(item.data.kind) for item in visit.items}


def load_submit_state(vault: UnlockedVault, visit_id: str) -> SubmitState:
    visit = visits.load_visit(vault, visit_id)
    notes = review.last_return(vault, visit_id)
    titles = item_titles(visit)
    comments = ([("", notes.visit_comment)] if notes.visit_comment else []) + [
        (titles.get(item_id, "?"), text) for item_id, text in notes.item_comments.items()]
    others = []
    summaries = {s.id: s for s in visits.list_visits(vault)}
    for other_id, notes in review.returned_to_me(vault):
        if other_id == visit_id:
            continue
        summary = summaries.get(other_id)
        label = (f"{day_month_year(summary.visit_date)} · {summary.contact_name or '—'}"
                 if summary else other_id[:8])
        others.append((label, notes[0].comment if notes else ""))
    return SubmitState(visit.status, review.checklist(vault, visit_id), comments, others)


class CheckAndSubmitStep(QWidget):
    """What is still missing, the coordinator's comments if the visit came back, and the big
    "Submit for review" button (enabled only when nothing blocks)."""

    submitted = Signal(str)

    def __init__(self, vault: VaultLike, visit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkAndSubmitStep")
        self._vault = vault_getter(vault)
        self.visit_id = visit_id
        self.state: SubmitState | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(area)
        page = QWidget()
        area.setWidget(page)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 16, 24, 24)
        layout.setSpacing(12)
        layout.addWidget(heading(self.tr("Check and submit")))
        self.status_label = paragraph("")
        self.status_label.setObjectName("visitStatus")
        layout.addWidget(self.status_label)
        self.banner = Banner()
        layout.addWidget(self.banner)

        self.returned_box = QGroupBox(self.tr("Returned by the coordinator: what to fix"))
        self.returned_box.setObjectName("returnedBox")
        returned_layout = QVBoxLayout(self.returned_box)
        self.returned_label = QLabel()
        self.returned_label.setWordWrap(True)
        self.returned_label.setTextFormat(Qt.TextFormat.RichText)
        returned_layout.addWidget(self.returned_label)
        self.returned_box.hide()
        layout.addWidget(self.returned_box)

        box = QGroupBox(self.tr("Before sending"))
        box_layout = QVBoxLayout(box)
        self.checklist = ChecklistView()
        box_layout.addWidget(self.checklist)
        layout.addWidget(box)

        self.busy = BusyBar()
        self.busy.hide()
        layout.addWidget(self.busy)
        row = QHBoxLayout()
        row.addStretch(1)
        self.submit_button = QPushButton(self.tr("Submit for review"))
        self.submit_button.setProperty("primary", True)
        self.submit_button.setMinimumSize(QSize(240, 52))
        font = self.submit_button.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.submit_button.setFont(font)
        self.submit_button.setEnabled(False)
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.submit_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.hint = paragraph("")
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.hint)

        self.others_box = QGroupBox(self.tr("Other visits returned to you"))
        others_layout = QVBoxLayout(self.others_box)
        self.others_list = QListWidget()
        self.others_list.setMaximumHeight(140)
        others_layout.addWidget(self.others_list)
        self.others_box.hide()
        layout.addWidget(self.others_box)
        layout.addStretch(1)
        self.reload()

    @property
    def vault(self) -> UnlockedVault:
        return self._vault()

    def reload(self) -> None:
        tasks.Task(self, load_submit_state, self.vault, self.visit_id).success(
            self._loaded).failure(self._failed).run(tasks.Pool.DATABASE)

    def status_text(self, status: VisitStatus) -> str:
        return {
            VisitStatus.DRAFT: self.tr("This visit is a draft: not yet sent for review."),
            VisitStatus.SUBMITTED: self.tr(
                "Sent for review: the coordinator will approve it or return it with comments."),
            VisitStatus.APPROVED: self.tr("Approved by the coordinator."),
            VisitStatus.RETURNED: self.tr(
                "Returned by the coordinator: fix what they ask, then send it again."),
        }.get(status, status.value)

    def _loaded(self, state: SubmitState) -> None:
        self.state = state
        self.busy.hide()
        self.status_label.setText(self.status_text(state.status))
        self.checklist.set_checklist(state.checklist)
        if state.returned_comments and state.status == VisitStatus.RETURNED:
            lines = []
            for what, text in state.returned_comments:
                who = self.tr("The whole visit") if not what else what
                lines.append(f"<b>{escaped(who)}:</b> {escaped(text)}")
            self.returned_label.setText("<br>".join(lines))
            self.returned_box.show()
        else:
            self.returned_box.hide()
        self.others_list.clear()
        for label, comment in state.other_returned:
            self.others_list.addItem(f"{label} — {comment}")
        self.others_box.setVisible(bool(state.other_returned))
        can_send = state.status in (VisitStatus.DRAFT, VisitStatus.RETURNED)
        self.submit_button.setEnabled(can_send and not state.checklist.blocking)
        if not can_send:
            self.hint.setText("")
        elif state.checklist.blocking:
            self.hint.setText(self.tr("Fix the lines marked ✗ first; the ⚠ lines are advice."))
        elif state.checklist.flags:
            self.hint.setText(self.tr(
                "You can send it now; the coordinator will see the ⚠ lines too."))
        else:
            self.hint.setText(self.tr("Everything is in order."))

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.banner.show_error(user_message(error))
        if self.state is not None:
            self._loaded(self.state)

    def submit(self) -> None:
        self.banner.clear()
        self.submit_button.setEnabled(False)
        self.busy.show()
        tasks.Task(self, review.submit, self.vault, self.visit_id).success(
            self._submitted).failure(self._failed).run(tasks.Pool.DATABASE)

    def _submitted(self, _result: object) -> None:
        self.banner.show_info(self.tr("Sent for review. Thank you!"))
        self.reload()
        self.submitted.emit(self.visit_id)
