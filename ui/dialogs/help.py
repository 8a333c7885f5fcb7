"""The guide in a window of its own (F1 anywhere): the sections on the left, the chosen one on
the right, in the app's language, from ``assets/guide`` (capture/guide.py). From here the field
handbook and the checklist are saved as PDF or printed."""

from __future__ import annotations

import html
import re
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from capture import guide, handbook
from ui import i18n
from ui.errors import user_message
from ui.widgets.common import Banner


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)


def to_html(part: guide.Section, picture_width: int) -> str:
    """The section as HTML for QTextBrowser (Markdown cannot size a picture to the window)."""
    out: list[str] = []
    listing = ""
    for block in part.blocks():
        kind = block.kind if block.kind in ("bullet", "check") else ""
        if listing and kind != listing:
            out.append("</ul>")
            listing = ""
        if kind and not listing:
            out.append('<ul style="list-style-type: none;">' if kind == "check" else "<ul>")
            listing = kind
        if block.kind == "h1":
            out.append(f"<h1>{_inline(block.text)}</h1>")
        elif block.kind == "h2":
            out.append(f"<h2>{_inline(block.text)}</h2>")
        elif block.kind == "bullet":
            out.append(f"<li>{_inline(block.text)}</li>")
        elif block.kind == "check":
            out.append(f"<li>☐ {_inline(block.text)}</li>")
        elif block.kind == "picture":
            out.append(f'<p align="center"><img src="{html.escape(block.path)}" '
                       f'width="{picture_width}"><br><small>{_inline(block.text)}</small></p>')
        else:
            out.append(f"<p>{_inline(block.text)}</p>")
    if listing:
        out.append("</ul>")
    return "\n".join(out)


class HelpWindow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("helpWindow")
        self.setWindowTitle(self.tr("Guide — Digitize Memories"))
        self.resize(980, 720)
        self.language = i18n.current_language()
        if self.language not in guide.LANGUAGES:
            self.language = "en"
        self.sections = guide.sections(self.language)
        self.current_section = ""
        layout = QVBoxLayout(self)
        body = QHBoxLayout()
        self.contents = QListWidget()
        self.contents.setObjectName("guideContents")
        self.contents.setFixedWidth(300)
        self.contents.setWordWrap(True)
        for part in self.sections:
            item = QListWidgetItem(part.title)
            item.setData(Qt.ItemDataRole.UserRole, part.id)
            self.contents.addItem(item)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setOpenExternalLinks(False)
        self.browser.setSearchPaths([str(guide.folder())])
        body.addWidget(self.contents)
        body.addWidget(self.browser, 1)
        layout.addLayout(body, 1)
        self.banner = Banner()
        layout.addWidget(self.banner)
        buttons = QHBoxLayout()
        self.save_handbook = QPushButton(self.tr("Save the field handbook (PDF)…"))
        self.save_handbook.setObjectName("saveHandbook")
        self.save_checklist = QPushButton(self.tr("Save the checklist (PDF)…"))
        self.save_checklist.setObjectName("saveChecklist")
        self.print_handbook = QPushButton(self.tr("Print the field handbook…"))
        self.print_handbook.setObjectName("printHandbook")
        self.save_handbook.clicked.connect(lambda: self._ask_and_save("handbook"))
        self.save_checklist.clicked.connect(lambda: self._ask_and_save("checklist"))
        self.print_handbook.clicked.connect(self._print)
        buttons.addWidget(self.save_handbook)
        buttons.addWidget(self.save_checklist)
        buttons.addStretch(1)
        buttons.addWidget(self.print_handbook)
        layout.addLayout(buttons)
        self.contents.currentRowChanged.connect(self._row_chosen)

    def show_section(self, section_id: str) -> None:
        ids = [part.id for part in self.sections]
        row = ids.index(section_id) if section_id in ids else 0
        self.contents.setCurrentRow(row)
        self._row_chosen(row)
        self.show()
        self.raise_()
        self.activateWindow()

    def _row_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.sections):
            return
        part = self.sections[row]
        self.current_section = part.id
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(guide.folder()) + "/"))
        self.browser.setHtml(to_html(part, max(320, min(self.browser.width() - 60, 680))))

    # -- paper --

    def save_to(self, kind: str, path: Path) -> Path:
        write = handbook.write_handbook if kind == "handbook" else handbook.write_checklist
        return write(Path(path), self.language)

    def _ask_and_save(self, kind: str) -> None:
        name = (self.tr("field-handbook.pdf") if kind == "handbook"
                else self.tr("visit-checklist.pdf"))
        chosen, _ = QFileDialog.getSaveFileName(self, self.tr("Save as PDF"), name,
                                                self.tr("PDF (*.pdf)"))
        if not chosen:
            return
        try:
            self.save_to(kind, Path(chosen))
        except OSError as error:
            self.banner.show_error(user_message(error))
            return
        self.banner.show_info(self.tr("Saved: {path}").format(path=chosen))

    def _print(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QPrintDialog.DialogCode.Accepted:
            return
        if not self.print_on(printer):
            self.banner.show_error(self.tr("The printer could not be used."))

    def print_on(self, printer) -> bool:  # type: ignore[no-untyped-def]
        """Print the handbook PDF on a printer the user chose: its pages rendered by QtPdf at
        the printer's resolution, each scaled to the page keeping its shape."""
        import tempfile

        from PySide6.QtCore import QSize
        from PySide6.QtGui import QPageLayout, QPageSize, QPainter
        from PySide6.QtPdf import QPdfDocument

        printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A5),
                                          QPageLayout.Orientation.Portrait,
                                          printer.pageLayout().margins()))
        with tempfile.TemporaryDirectory() as temp:
            pdf = self.save_to("handbook", Path(temp) / "handbook.pdf")
            document = QPdfDocument(self)
            document.load(str(pdf))
            painter = QPainter()
            if not painter.begin(printer):
                document.close()
                return False
            try:
                for page in range(document.pageCount()):
                    if page:
                        printer.newPage()
                    area = painter.viewport().size()
                    shape = document.pagePointSize(page).toSize()
                    shape.scale(area, Qt.AspectRatioMode.KeepAspectRatio)
                    image = document.render(page, QSize(shape.width(), shape.height()))
                    painter.drawImage(0, 0, image)
            finally:
                painter.end()
                document.close()
        return True
