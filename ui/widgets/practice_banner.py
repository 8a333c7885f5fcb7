"""The band the shell shows above every page while the practice station is open: it says
"LUYỆN TẬP — PRACTICE", walks the trainee through a visit step by step (each step opens the
part of the sample visit it is about, and its part of the guide), and offers to put the sample
back or to leave the practice."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture.practice import MARK, PASSPHRASE, USERS
from capture.roles import Role


@dataclass(frozen=True)
class Step:
    title: str
    what_to_do: str
    tab: int  # the visit editor's tab this step is done on
    guide: str  # the guide's section about it


def steps() -> list[Step]:
    return [
        Step(QCoreApplication.translate(
            "PracticeBanner", "Household"), QCoreApplication.translate(
            "PracticeBanner", "Open the sample visit and check the household: village, "
            "contact person, phone."), 0, "visit"),
        Step(QCoreApplication.translate(
            "PracticeBanner", "Martyr"), QCoreApplication.translate(
            "PracticeBanner", "Add the martyr the family speaks of: Nguyễn Văn Thắng, born "
            "1950, battalion 8, fell near Suối Đá in 1972."), 1, "visit"),
        Step(QCoreApplication.translate(
            "PracticeBanner", "Items and pages"), QCoreApplication.translate(
            "PracticeBanner", "Add a letter, a diary, a certificate and a hand-drawn map, and "
            "import their pictures from the practice samples folder, every page in order."), 3,
             "photographing"),
        Step(QCoreApplication.translate(
            "PracticeBanner", "Testimony with markers"), QCoreApplication.translate(
            "PracticeBanner", "Import the sample recording (loi-ke.flac) and set a marker "
            "where the unit is named."), 4, "recording"),
        Step(QCoreApplication.translate(
            "PracticeBanner", "Lead"), QCoreApplication.translate(
            "PracticeBanner", "Add a lead: the burial place south of hill 203, from the map "
            "and the testimony."), 5, "visit"),
        Step(QCoreApplication.translate(
            "PracticeBanner", "DNA volunteer"), QCoreApplication.translate(
            "PracticeBanner", "Add the martyr's younger sister as a relative willing to give "
            "a DNA sample, with her phone."), 2, "dna"),
        Step(QCoreApplication.translate(
            "PracticeBanner", "Consent"), QCoreApplication.translate(
            "PracticeBanner", "Go through the consent with the family, each scope in plain "
            "words, and have the representative sign."), 6, "consent"),
        Step(QCoreApplication.translate(
            "PracticeBanner", "Review"), QCoreApplication.translate(
            "PracticeBanner", "Check and submit the visit; then sign in as the coordinator "
            "({user}) to review it.").format(user=USERS[Role.COORDINATOR][0]), 7, "review"),
    ]


class PracticeBanner(QFrame):
    step_chosen = Signal(int)
    guide_requested = Signal(str)
    reset_requested = Signal()
    leave_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("practiceBanner")
        self.steps = steps()
        self.step = 0
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 6, 16, 6)
        top = QHBoxLayout()
        self.mark = QLabel(MARK)
        self.mark.setObjectName("practiceMark")
        top.addWidget(self.mark)
        self.note = QLabel(self.tr(
            "Nothing here is real and nothing can be sent. Every account's passphrase: "
            "{passphrase}").format(passphrase=PASSPHRASE))
        self.note.setWordWrap(True)
        top.addWidget(self.note, 1)
        self.reset_button = QPushButton(self.tr("Put the sample back"))
        self.reset_button.setObjectName("practiceReset")
        self.reset_button.clicked.connect(self._confirm_reset)
        self.leave_button = QPushButton(self.tr("Leave the practice"))
        self.leave_button.setObjectName("practiceLeave")
        self.leave_button.clicked.connect(self.leave_requested)
        top.addWidget(self.reset_button)
        top.addWidget(self.leave_button)
        outer.addLayout(top)
        row = QHBoxLayout()
        self.back_button = QPushButton(self.tr("◀ Back"))
        self.back_button.setObjectName("practiceBack")
        self.back_button.clicked.connect(lambda: self.go_to(self.step - 1))
        self.step_label = QLabel()
        self.step_label.setObjectName("practiceStep")
        self.step_label.setWordWrap(True)
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.next_button.setObjectName("practiceNext")
        self.next_button.clicked.connect(lambda: self.go_to(self.step + 1))
        self.guide_button = QPushButton(self.tr("How? (F1)"))
        self.guide_button.setObjectName("practiceGuide")
        self.guide_button.clicked.connect(
            lambda: self.guide_requested.emit(self.steps[self.step].guide))
        row.addWidget(self.back_button)
        row.addWidget(self.step_label, 1)
        row.addWidget(self.guide_button)
        row.addWidget(self.next_button)
        outer.addLayout(row)
        self._show_step()

    def _confirm_reset(self) -> None:
        answer = QMessageBox.question(self, self.tr("Put the sample back"), self.tr(
            "Everything done in the practice is wiped and the sample household is put back "
            "as new. Continue?"))
        if answer == QMessageBox.StandardButton.Yes:
            self.reset_requested.emit()

    def go_to(self, step: int) -> None:
        self.step = max(0, min(step, len(self.steps) - 1))
        self._show_step()
        self.step_chosen.emit(self.step)

    def _show_step(self) -> None:
        step = self.steps[self.step]
        self.step_label.setText(self.tr("Step {n} of {total} — {title}: {what}").format(
            n=self.step + 1, total=len(self.steps), title=step.title, what=step.what_to_do))
        self.back_button.setEnabled(self.step > 0)
        self.next_button.setEnabled(self.step < len(self.steps) - 1)
