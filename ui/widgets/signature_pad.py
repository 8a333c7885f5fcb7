"""A pad the family signs on with a mouse, a finger or a pen.

Every stroke is kept as drawn: a list of (x, y, milliseconds since the first touch, pressure).
A pen gives its real pressure (``QTabletEvent.pressure()``), a touch screen its own if it has
one, a mouse 0.5. ``png_bytes()`` renders what was drawn into a PNG in memory only; nothing is
written to disk here (the core stores it encrypted in the vault).
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QBuffer, QByteArray, QElapsedTimer, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

Point = tuple[float, float, int, float]
MOUSE_PRESSURE = 0.5
INK = QColor("#10233f")


class SignaturePad(QWidget):
    """Strokes with timing and pressure; ``changed`` after each stroke and after ``clear``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents, True)
        self.setMinimumSize(420, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(220)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self.tr("Sign here with the mouse, a finger or a pen."))
        self._strokes: list[list[Point]] = []
        self._current: list[Point] | None = None
        self._clock = QElapsedTimer()
        self._enabled_drawing = True

    # -- what was drawn --------------------------------------------------------------------

    def strokes(self) -> list[list[Point]]:
        return [list(stroke) for stroke in self._strokes if stroke]

    def is_empty(self) -> bool:
        return not any(self._strokes)

    def clear(self) -> None:
        self._strokes = []
        self._current = None
        self._clock.invalidate()
        self.update()
        self.changed.emit()

    def set_drawing_enabled(self, enabled: bool) -> None:
        self._enabled_drawing = enabled
        self.setEnabled(enabled)

    def render_image(self, scale: float = 2.0) -> QImage:
        """What the screen shows, ink on white, at ``scale`` times the widget's size."""
        image = QImage(max(1, int(self.width() * scale)), max(1, int(self.height() * scale)),
                       QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        self._paint_strokes(painter)
        painter.end()
        return image

    def png_bytes(self) -> bytes:
        """The drawing as PNG bytes, in memory."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.render_image().save(buffer, "PNG")
        buffer.close()
        return bytes(data.data())

    # -- input -----------------------------------------------------------------------------

    def _ms(self) -> int:
        if not self._clock.isValid():
            self._clock.start()
        return int(self._clock.elapsed())

    def _begin(self, pos: QPointF, pressure: float) -> None:
        if not self._enabled_drawing:
            return
        self._current = [(round(pos.x(), 1), round(pos.y(), 1), self._ms(), round(pressure, 3))]
        self._strokes.append(self._current)
        self.update()

    def _extend(self, pos: QPointF, pressure: float) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if (round(pos.x(), 1), round(pos.y(), 1)) == (last[0], last[1]):
            return
        self._current.append((round(pos.x(), 1), round(pos.y(), 1), self._ms(),
                              round(pressure, 3)))
        self.update()

    def _end(self) -> None:
        if self._current is None:
            return
        self._current = None
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), MOUSE_PRESSURE)
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position(), MOUSE_PRESSURE)
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position(), MOUSE_PRESSURE)
            self._end()
            event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        pressure = float(event.pressure())
        if kind == QTabletEvent.Type.TabletPress:
            self._begin(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletMove:
            if pressure > 0:
                self._extend(event.position(), pressure)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._end()
        event.accept()  # no synthesized mouse events: the pen's pressure is what counts

    def event(self, event) -> bool:  # type: ignore[no-untyped-def]
        kind = event.type()
        if kind in (QTouchEvent.Type.TouchBegin, QTouchEvent.Type.TouchUpdate,
                    QTouchEvent.Type.TouchEnd, QTouchEvent.Type.TouchCancel):
            self._touch(event)
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        points = event.points()
        if not points:
            self._end()
            return
        point = points[0]  # one finger signs; a resting palm is ignored
        pressure = float(point.pressure()) or MOUSE_PRESSURE
        if event.type() == QTouchEvent.Type.TouchBegin:
            self._begin(point.position(), pressure)
        elif event.type() == QTouchEvent.Type.TouchUpdate:
            self._extend(point.position(), pressure)
        else:
            self._extend(point.position(), pressure)
            self._end()
        event.accept()

    # -- drawing ---------------------------------------------------------------------------

    def _paint_strokes(self, painter: QPainter) -> None:
        for stroke in self._strokes:
            if not stroke:
                continue
            if len(stroke) == 1:
                x, y, _, p = stroke[0]
                painter.setPen(QPen(INK, 1.5 + 3 * p, Qt.PenStyle.SolidLine,
                                    Qt.PenCapStyle.RoundCap))
                painter.drawPoint(QPointF(x, y))
                continue
            for (x0, y0, _, p0), (x1, y1, _, p1) in itertools.pairwise(stroke):
                width = 1.5 + 3 * (p0 + p1) / 2
                painter.setPen(QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                                    Qt.PenJoinStyle.RoundJoin))
                painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        # The line to sign on, and a quiet hint while the pad is empty.
        baseline = self.height() - 48
        painter.setPen(QPen(QColor("#9aa8b8"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(24, baseline, self.width() - 24, baseline)
        painter.setPen(QColor("#9aa8b8"))
        painter.drawText(24, baseline + 24, "✕")
        if self.is_empty():
            painter.drawText(self.rect().adjusted(0, 0, 0, -60),
                             int(Qt.AlignmentFlag.AlignCenter), self.tr("Sign here"))
        painter.setPen(QPen(QColor("#9aa8b8"), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        self._paint_strokes(painter)
        painter.end()

