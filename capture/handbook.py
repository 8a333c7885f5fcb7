"""The field handbook (A5, every section of the guide with its pictures) and the one-page
checklist (A4, every ``- [ ]`` line of the guide), from the same Markdown as the help window,
with the bundled Noto Sans embedded so every Vietnamese diacritic survives. No Qt: the command
line (``sohoa guide --handbook OUT.pdf``) and the help window's button make the same file.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from capture import guide
from capture.report_files import pdf_fonts, write_atomically

TITLES = {
    "vi": ("SỔ TAY HIỆN TRƯỜNG", "Tình nguyện viên “Số hóa ký ức”",
           "DANH SÁCH KIỂM TRA CHUYẾN THĂM", "Mang theo mỗi chuyến thăm; đánh dấu từng ô."),
    "en": ("FIELD HANDBOOK", "“Digitize Memories” volunteers",
           "VISIT CHECKLIST", "Take it on every visit; tick each box."),
}
def _inline(text: str) -> str:
    """Markdown emphasis to reportlab's mini-HTML, after escaping."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)


def _write(path: Path, build: Any) -> Path:
    return write_atomically(path, build, ".sohoa-guide-")


def write_handbook(path: Path, language: str = "vi", root: Path | None = None) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
    )

    regular, bold = pdf_fonts()
    title, subtitle, _, _ = TITLES[language]
    ink = colors.HexColor("#1b2a3a")
    body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=13, textColor=ink,
                          spaceAfter=4)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19, textColor=ink,
                        spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11.5, leading=15, textColor=ink,
                        spaceBefore=6, spaceAfter=3)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=10, bulletIndent=2,
                            spaceAfter=2)
    check = ParagraphStyle("check", parent=bullet, bulletFontName="ZapfDingbats",
                           bulletFontSize=8)
    caption = ParagraphStyle("caption", parent=body, fontSize=8, leading=10,
                             alignment=TA_CENTER, textColor=colors.HexColor("#55606b"))
    cover = ParagraphStyle("cover", parent=h1, fontSize=22, leading=28, alignment=TA_CENTER)
    width = A5[0] - 24 * mm
    folder = guide.folder(root)

    story: list[Any] = [Spacer(1, 45 * mm), Paragraph(_inline(title), cover),
                        Paragraph(_inline(subtitle), ParagraphStyle(
                            "coverSub", parent=body, fontSize=12, alignment=TA_CENTER)),
                        PageBreak()]
    for number, part in enumerate(guide.sections(language, root)):
        if number:
            story.append(PageBreak())
        for block in part.blocks():
            if block.kind == "h1":
                story.append(Paragraph(_inline(f"{number + 1}. {block.text}"), h1))
            elif block.kind == "h2":
                story.append(Paragraph(_inline(block.text), h2))
            elif block.kind == "bullet":
                story.append(Paragraph(_inline(block.text), bullet, bulletText="•"))
            elif block.kind == "check":
                # Noto Sans has no box glyph: ZapfDingbats' "o" (one of the PDF standard 14).
                story.append(Paragraph(_inline(block.text), check, bulletText="o"))
            elif block.kind == "picture":
                picture = folder / block.path
                if picture.is_file():
                    image = Image(str(picture))
                    scale = min(width / image.imageWidth, 50 * mm / image.imageHeight)
                    image.drawWidth = image.imageWidth * scale
                    image.drawHeight = image.imageHeight * scale
                    story.append(KeepTogether([image, Paragraph(_inline(block.text), caption)]))
            else:
                story.append(Paragraph(_inline(block.text), body))

    def page_number(canvas: Any, document: Any) -> None:
        canvas.setFont(regular, 8)
        canvas.setFillColor(ink)
        canvas.drawCentredString(A5[0] / 2, 8 * mm, f"{title.title()} — {document.page}")

    def build(out: io.IOBase) -> None:
        document = SimpleDocTemplate(out, pagesize=A5, leftMargin=12 * mm, rightMargin=12 * mm,
                                     topMargin=12 * mm, bottomMargin=15 * mm, title=title,
                                     author="Số hóa ký ức", creator="Số hóa ký ức",
                                     invariant=1)
        document.build(story, onLaterPages=page_number)

    return _write(path, build)


def write_checklist(path: Path, language: str = "vi", root: Path | None = None) -> Path:
    """Every checklist line of the guide on one A4 page, grouped by section."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas as pdf_canvas

    regular, bold = pdf_fonts()
    _, _, title, hint = TITLES[language]
    groups = [(part.title, part.checklist()) for part in guide.sections(language, root)]
    groups = [(name, items) for name, items in groups if items]
    lines = sum(len(items) + 1.6 for _, items in groups)
    # One page whatever the guide holds: the line height shrinks to fit.
    step = min(6.2 * mm, (A4[1] - 55 * mm) / max(lines, 1))
    size = min(10.0, step / mm * 1.6)

    def build(out: io.IOBase) -> None:
        page = pdf_canvas.Canvas(out, pagesize=A4, invariant=1)
        page.setTitle(title)
        page.setAuthor("Số hóa ký ức")
        ink = colors.HexColor("#1b2a3a")
        page.setFillColor(ink)
        y = A4[1] - 20 * mm
        page.setFont(bold, 16)
        page.drawString(18 * mm, y, title)
        y -= 7 * mm
        page.setFont(regular, 10)
        page.drawString(18 * mm, y, hint)
        y -= 9 * mm
        for name, items in groups:
            page.setFont(bold, size + 1)
            page.drawString(18 * mm, y, name)
            y -= step * 1.1
            page.setFont(regular, size)
            for item in items:
                page.rect(22 * mm, y - 0.5 * mm, size * 0.35 * mm, size * 0.35 * mm)
                page.drawString(22 * mm + size * 0.55 * mm, y, re.sub(r"\*", "", item))
                y -= step
            y -= step * 0.5
        page.showPage()
        page.save()

    return _write(path, build)
