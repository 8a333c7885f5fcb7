"""The printable recovery sheet: a one-page PDF written only where the user chose to save it.

It is meant to be printed and kept in a safe place, so it says plainly what it is, which station
it opens, and what to do with it, in the bundled font (every Vietnamese diacritic renders).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from ui.documents import practice_mark
from ui.resources import mono_font, ui_font
from ui.viewmodels import RecoverySheet, recovery_groups

DPI = 300


def instructions() -> list[str]:
    return [
        QCoreApplication.translate(
            "RecoveryPdf",
            "This key opens the station's vault if every passphrase is forgotten. "
            "Without it, and without a passphrase, everything recorded on this laptop is lost."),
        QCoreApplication.translate(
            "RecoveryPdf",
            "Keep this sheet in a safe, locked place, away from the laptop. "
            "Do not photograph it and do not send it by message or e-mail."),
        QCoreApplication.translate(
            "RecoveryPdf",
            "Anyone who has this key and the laptop can read everything in the vault. "
            "If the sheet is lost or seen by someone else, the station admin must make a new "
            "recovery key at once."),
        QCoreApplication.translate(
            "RecoveryPdf",
            "To use it: on the sign-in screen choose \"Forgot passphrase? Use the recovery "
            "key\", type your user name and the key, then choose a new passphrase."),
    ]


def save(path: Path, sheet: RecoverySheet) -> Path:
    """Write the sheet to ``path`` (a file the user picked). Returns the path."""
    path = Path(path)
    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter)
    writer.setTitle(QCoreApplication.translate("RecoveryPdf", "Recovery key"))
    writer.setCreator("Số hóa ký ức")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        _draw(painter, writer.width(), sheet)
    finally:
        painter.end()
    return path


def _draw(painter: QPainter, width: int, sheet: RecoverySheet) -> None:
    y = 0.0
    wrap = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)

    def block(text: str, size: int, bold: bool = False, gap: float = 0.6) -> None:
        nonlocal y
        painter.setFont(ui_font(size, bold))
        rect = painter.boundingRect(QRectF(0, y, width, 10_000), wrap, text)
        painter.drawText(QRectF(0, y, width, rect.height()), wrap, text)
        y += rect.height() + gap * DPI / 6

    station = QCoreApplication.translate("RecoveryPdf", "Station: {name}")
    place = QCoreApplication.translate("RecoveryPdf", "Place: {ward}, {province}")
    made = QCoreApplication.translate("RecoveryPdf", "Made on: {date}")
    if sheet.practice:
        practice_mark.draw(painter, width, painter.device().height())
        y += DPI * 0.25
    painter.setPen(QColor("#1b2a3a"))
    block("Số hóa ký ức", 12, bold=False, gap=0.2)
    block(QCoreApplication.translate("RecoveryPdf", "Station recovery key"), 22, bold=True)
    block(station.format(name=sheet.station_name), 13, gap=0.2)
    block(place.format(ward=sheet.ward_name, province=sheet.province_name), 13, gap=0.2)
    block(made.format(date=sheet.created_on.strftime("%d/%m/%Y")), 13)

    # The key: three rows of three groups, large and monospaced, in a ruled box.
    groups = recovery_groups(sheet.recovery_key)
    rows = [groups[i:i + 3] for i in range(0, len(groups), 3)]
    painter.setFont(mono_font(26))
    line = painter.fontMetrics().height() * 1.5
    box = QRectF(0, y, width, line * len(rows) + DPI * 0.4)
    painter.setPen(QPen(QColor("#1b2a3a"), DPI / 50))
    painter.drawRoundedRect(box, DPI / 10, DPI / 10)
    ty = y + DPI * 0.2
    for row in rows:
        painter.drawText(QRectF(0, ty, width, line), int(Qt.AlignmentFlag.AlignCenter),
                         "  ".join(row))
        ty += line
    y = box.bottom() + DPI * 0.3

    painter.setPen(QColor("#1b2a3a"))
    block(QCoreApplication.translate("RecoveryPdf", "What to do with this sheet"), 14,
          bold=True, gap=0.3)
    for text in instructions():
        block("•  " + text, 12, gap=0.4)
    block(QCoreApplication.translate(
        "RecoveryPdf", "Write down the user names of the station's accounts here:"), 12, gap=0.3)
    painter.setPen(QPen(QColor("#8899aa"), DPI / 100))
    for _ in range(4):
        y += DPI * 0.35
        painter.drawLine(0, int(y), width, int(y))
