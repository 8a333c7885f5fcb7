"""The practice station's mark on paper: "LUYỆN TẬP — PRACTICE" across the top of the page and
large and faint across it, so a sheet printed while training can never pass for a real one."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from capture.practice import MARK
from ui.resources import ui_font


def draw(painter: QPainter, width: int, height: int) -> None:
    """Draw the mark on the page ``painter`` is on; keeps the painter's state."""
    painter.save()
    try:
        painter.setPen(QColor("#b3261e"))
        painter.setFont(ui_font(14, True))
        painter.drawText(QRectF(0, 0, width, height), int(Qt.AlignmentFlag.AlignTop)
                         | int(Qt.AlignmentFlag.AlignRight), MARK)
        painter.translate(width / 2, height / 2)
        painter.rotate(-35)
        painter.setPen(QColor(179, 38, 30, 45))
        painter.setFont(ui_font(40, True))
        painter.drawText(QRectF(-width, -height / 4, 2 * width, height / 2),
                         int(Qt.AlignmentFlag.AlignCenter), MARK)
    finally:
        painter.restore()
