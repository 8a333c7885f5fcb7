"""Small widgets shared by the screens: headings, a message banner, a passphrase pair, a busy bar,
a place picker searched without accents."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from capture.search import fold
from ui import viewmodels
from ui.viewmodels import PassphraseProblem


def heading(text: str, level: int = 1) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading" if level == 1 else "subheading")
    label.setWordWrap(True)
    label.setIndent(0)
    return label


def paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("paragraph")
    return label


class Banner(QFrame):
    """A one-sentence message above a form: red for errors, calm blue for information."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def show_info(self, text: str) -> None:
        self._show(text, "info")

    def _show(self, text: str, kind: str) -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.hide()

    def text(self) -> str:
        return self.label.text() if self.isVisible() or self.label.text() else ""


def passphrase_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    # Passphrases never go through an input method's history or the clipboard by drag.
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)
    return edit


def problem_text(problem: PassphraseProblem) -> str:
    if problem is PassphraseProblem.TOO_SHORT:
        return QCoreApplication.translate(
            "PassphrasePair", "The passphrase needs at least 10 characters.")
    if problem is PassphraseProblem.MISMATCH:
        return QCoreApplication.translate(
            "PassphrasePair", "The two passphrases are not the same.")
    return ""


class PassphrasePair(QWidget):
    """A new passphrase typed twice, with the rule and any problem said inline as one types."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.first = passphrase_edit()
        self.first.setObjectName("newPassphrase")
        self.second = passphrase_edit()
        self.second.setObjectName("repeatPassphrase")
        self.rule = QLabel(self.tr("At least 10 characters. A short sentence you can remember "
                                   "is good, for example a line of a song."))
        self.rule.setWordWrap(True)
        self.rule.setObjectName("hint")
        self.problem = QLabel()
        self.problem.setObjectName("inlineError")
        self.problem.setWordWrap(True)
        layout.addWidget(QLabel(self.tr("New passphrase")))
        layout.addWidget(self.first)
        layout.addWidget(self.rule)
        layout.addWidget(QLabel(self.tr("Type it again")))
        layout.addWidget(self.second)
        layout.addWidget(self.problem)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self._update()

    def state(self) -> PassphraseProblem:
        return viewmodels.check_new_passphrase(self.first.text(), self.second.text())

    def is_valid(self) -> bool:
        return self.state() is PassphraseProblem.NONE

    def passphrase(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()

    def _update(self) -> None:
        problem = self.state()
        # Say nothing until there is something to judge: an empty form is not an error.
        if not self.first.text() and not self.second.text():
            text = ""
        elif problem is PassphraseProblem.MISMATCH and not self.second.text():
            text = ""
        else:
            text = problem_text(problem)
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self.changed.emit()


class BusyBar(QProgressBar):
    """An indeterminate bar: something is happening, the window is not frozen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setFixedHeight(8)
        self.hide()


# Each choice's name folded as capture.search folds text (no marks, lower case, đ → d).
FOLDED_ROLE = Qt.ItemDataRole.UserRole + 1


class _FoldingCompleter(QCompleter):
    """Matches what is typed, folded, anywhere in the folded names: "quang tri", "QUANG TRI"
    and "tri" all offer "Quảng Trị"; the line edit still shows the official spelling."""

    def splitPath(self, path: str) -> list[str]:
        folded = " ".join(fold(path).split())
        return [folded + " " if folded and path[-1:].isspace() else folded]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class PlacePicker(QComboBox):
    """A combobox over a list of (name, code) the user can type into to search, ignoring
    accents and case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        completer = _FoldingCompleter(self.model(), self)
        completer.setCompletionRole(FOLDED_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        # After QComboBox's own Enter handling, which only knows the exact spelling.
        self.lineEdit().returnPressed.connect(self._choose_typed)

    def _choose_typed(self) -> None:
        """Enter on "quang tri" chooses "Quảng Trị": the one name that folds to what was
        typed, else the only one offered."""
        if self.code() is not None:
            return
        typed = " ".join(fold(self.currentText()).split())
        if not typed:
            return
        names = [self.itemData(i, FOLDED_ROLE) for i in range(self.count())]
        exact = [i for i, name in enumerate(names) if name == typed]
        offered = exact or [i for i, name in enumerate(names) if typed in name]
        if len(offered) == 1:
            self.setCurrentIndex(offered[0])

    def set_choices(self, choices: list[tuple[str, int]], placeholder: str) -> None:
        self.blockSignals(True)
        self.clear()
        for name, code in choices:
            self.addItem(name, code)
            self.setItemData(self.count() - 1, fold(name), FOLDED_ROLE)
        self.setCurrentIndex(-1)
        self.lineEdit().setPlaceholderText(placeholder)
        self.blockSignals(False)
        self.currentIndexChanged.emit(-1)

    def code(self) -> int | None:
        index = self.currentIndex()
        # The text must still be the chosen item's: typing over it un-chooses it.
        if index < 0 or self.itemText(index) != self.currentText():
            return None
        return self.itemData(index)

    def select_code(self, code: int) -> None:
        index = self.findData(code)
        self.setCurrentIndex(index)


def escaped(text: str) -> str:
    """For text put into a QLabel's rich text (names and notes families gave us)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def size_text(size: int, precision: int = 1) -> str:
    """Bytes as people read them (1.5 MB, 700 KB), in the app's language."""
    return QLocale().formattedDataSize(max(size, 0), precision,
                                       QLocale.DataSizeFormat.DataSizeTraditionalFormat)
