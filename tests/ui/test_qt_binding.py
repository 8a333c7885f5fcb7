"""The Qt binding itself must keep Python's reference counts: PySide6 6.12.0 on Python 3.11
dropped one reference to None per void Qt call, and the app aborted ("none_dealloc") after a few
seconds of drawing a waveform."""

from __future__ import annotations

import sys

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_the_reference_count_of_none(qapp) -> None:
    label = QLabel()
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for step in range(2000):
            label.setText(str(step % 7))
            painter.drawLine(0, step % 64, 63, 0)
        after = sys.getrefcount(None)
    finally:
        painter.end()
    # Other threads may hold or drop a few references meanwhile; a broken binding loses 2000+.
    assert after - before > -200, f"None lost {before - after} references in 4000 Qt calls"
