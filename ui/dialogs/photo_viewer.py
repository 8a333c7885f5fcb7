"""Every photo of a visit full size, one at a time, for the coordinator's review (and anyone
who needs more than a thumbnail):

    PhotoViewer(vault, pages, start)      # pages: ViewedPage(page, caption) in visit order

Everything is decrypted in memory on a worker and never written to disk. The viewer shows the
page's preview at once and swaps in the decoded original (its camera orientation applied, then
the page's own rotation) so zooming shows every pixel the camera took. Videos play in the
``PageViewer`` (``ui/dialogs/page_viewer.py``), which streams the decrypted video to the
player. Recordings are played by ``TestimonyPlayer`` (``ui/widgets/testimony_player.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QImage, QImageReader, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture import media
from capture.vault import UnlockedVault
from capture.visits import PageRecord
from ui import tasks
from ui.dialogs.page_viewer import PageViewer
from ui.errors import user_message
from ui.widgets.gallery import hint_text, quality_hints, rotated

VaultGetter = Callable[[], UnlockedVault]
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 8.0


def _getter(vault: UnlockedVault | VaultGetter) -> VaultGetter:
    return (lambda: vault) if isinstance(vault, UnlockedVault) else vault


# -- photos -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewedPage:
    """A page with what the viewer writes under it: "Letter to mother · page 2"."""

    page: PageRecord
    caption: str


def _decode(data: bytes, auto_transform: bool) -> QImage:
    """On a worker: bytes in memory to an image (QImageReader over a QBuffer, no file)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(auto_transform)  # the camera's EXIF orientation, as at import
    reader.setAllocationLimit(1024)  # MiB: a 100 MP scan still opens
    image = reader.read()
    buffer.close()
    return image


def load_preview(vault: UnlockedVault, page_id: str) -> QImage:
    try:
        return _decode(media.preview_bytes(vault, page_id), False)
    except media.NoPreview:
        return _decode(media.thumbnail_bytes(vault, page_id), False)


def load_original(vault: UnlockedVault, page_id: str) -> QImage:
    """The original, full size; a null image when Qt cannot read its format (HEIC, RAW...):
    the preview then stays."""
    with media.original_stream(vault, page_id) as stream:
        data = stream.readall()
    return _decode(data, True)


class ZoomView(QGraphicsView):
    """A picture that fits the window until the user zooms (wheel, + and −, or the buttons);
    dragging pans a zoomed picture."""

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("zoomView")
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(Qt.GlobalColor.darkGray)
        self.fitting = True
        self.image_size = QSize()

    @property
    def zoom(self) -> float:
        """Screen pixels per image pixel."""
        return self.transform().m11()

    def set_image(self, image: QImage, keep_view: bool = False) -> None:
        """Show ``image``; with ``keep_view`` (the original replacing its preview) the user's
        zoom stays on the same part of the picture."""
        old_width = self.image_size.width()
        old_zoom = self.zoom
        self._item.setPixmap(QPixmap.fromImage(image))
        self._scene.setSceneRect(self._item.boundingRect())
        self.image_size = image.size()
        if self.fitting or not keep_view or not old_width:
            self.fit()
        else:
            self.set_zoom(old_zoom * old_width / max(1, image.width()))

    def clear(self) -> None:
        self._item.setPixmap(QPixmap())
        self.image_size = QSize()

    def fit(self) -> None:
        self.fitting = True
        if not self.image_size.isEmpty():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom_changed.emit(self.zoom)

    def set_zoom(self, zoom: float) -> None:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self.fitting = False
        self.resetTransform()
        self.scale(zoom, zoom)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    def wheelEvent(self, event: Any) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.zoom * ZOOM_STEP ** steps)
        event.accept()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.fitting:
            self.fit()


class PhotoViewer(QDialog):
    """The photos of a visit, one at a time and full size: Previous / Next (← →), zoom (wheel,
    + −), Fit (0) and 100 % (1). Each page is turned by its stored rotation; its quality hints
    are written under it. A video page shows its poster and a button that plays it."""

    def __init__(self, vault: UnlockedVault | VaultGetter, pages: list[ViewedPage],
                 start: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self.setWindowTitle(self.tr("Photos of the visit"))
        self.resize(1000, 760)
        self._vault = _getter(vault)
        self.pages = pages
        self.index = -1
        self.full_size = False  # the original is shown, not the preview
        self._cache: dict[str, QImage] = {}  # page id -> preview, in memory only
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.caption = QLabel()
        self.caption.setObjectName("subheading")
        top.addWidget(self.caption, 1)
        self.counter = QLabel()
        top.addWidget(self.counter)
        layout.addLayout(top)
        self.view = ZoomView()
        layout.addWidget(self.view, 1)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        self.hints = QLabel()
        self.hints.setObjectName("hint")
        self.hints.setWordWrap(True)
        layout.addWidget(self.hints)
        row = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("◀ Previous"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.zoom_out_button = QPushButton("−")
        self.zoom_in_button = QPushButton("+")
        self.fit_button = QPushButton(self.tr("Fit"))
        self.actual_button = QPushButton(self.tr("100 %"))
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(60)
        self.play_button = QPushButton(self.tr("Play the video"))
        close = QPushButton(self.tr("Close"))
        self.zoom_out_button.setToolTip(self.tr("Zoom out (−)"))
        self.zoom_in_button.setToolTip(self.tr("Zoom in (+)"))
        self.fit_button.setToolTip(self.tr("The whole photo in the window (0)"))
        self.actual_button.setToolTip(self.tr("One pixel of the photo on one pixel of the screen"
                                              " (1)"))
        for widget in (self.previous_button, self.next_button, self.zoom_out_button,
                       self.zoom_in_button, self.fit_button, self.actual_button,
                       self.zoom_label, self.play_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.previous_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.zoom_in_button.clicked.connect(self.view.zoom_in)
        self.zoom_out_button.clicked.connect(self.view.zoom_out)
        self.fit_button.clicked.connect(self.view.fit)
        self.actual_button.clicked.connect(lambda: self.view.set_zoom(1.0))
        self.play_button.clicked.connect(self.play_video)
        close.clicked.connect(self.accept)
        self.view.zoom_changed.connect(
            lambda zoom: self.zoom_label.setText(f"{round(zoom * 100)} %"))
        for keys, slot in ((Qt.Key.Key_Left, self.previous), (Qt.Key.Key_Right, self.next),
                           (Qt.Key.Key_Plus, self.view.zoom_in),
                           (Qt.Key.Key_Equal, self.view.zoom_in),
                           (Qt.Key.Key_Minus, self.view.zoom_out),
                           (Qt.Key.Key_0, self.view.fit),
                           (Qt.Key.Key_1, lambda: self.view.set_zoom(1.0))):
            QShortcut(QKeySequence(keys), self, activated=slot)
        self.video_viewer: PageViewer | None = None
        self.show_page(start)

    @property
    def vault(self) -> UnlockedVault:
        return self._vault()

    @property
    def current(self) -> ViewedPage | None:
        return self.pages[self.index] if 0 <= self.index < len(self.pages) else None

    def show_page(self, index: int) -> None:
        if not self.pages:
            self.message.setText(self.tr("This visit has no photos."))
            return
        self.index = max(0, min(index, len(self.pages) - 1))
        viewed = self.pages[self.index]
        page = viewed.page
        self.full_size = False
        self.caption.setText(viewed.caption)
        self.counter.setText(self.tr("{n} of {total}").format(n=self.index + 1,
                                                               total=len(self.pages)))
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index < len(self.pages) - 1)
        hints = [hint_text(h) for h in quality_hints(page.meta)]
        self.hints.setText("⚠ " + " · ".join(hints) if hints else "")
        self.hints.setVisible(bool(hints))
        self.play_button.setVisible(page.media == "video")
        self.view.fitting = True
        cached = self._cache.get(page.id)
        if cached is not None:
            self._show(page.id, cached, original=False)
        else:
            self.view.clear()
            self.message.setText(self.tr("Opening…"))
            self.message.show()
            tasks.Task(self, load_preview, self.vault, page.id).success(
                lambda image, pid=page.id: self._preview_loaded(pid, image)).failure(
                self._failed).run(tasks.Pool.GENERAL)
        if page.media != "video":
            tasks.Task(self, load_original, self.vault, page.id).success(
                lambda image, pid=page.id: self._show(pid, image, original=True)).failure(
                lambda _error: None).run(tasks.Pool.GENERAL)  # the preview stays

    def _preview_loaded(self, page_id: str, image: QImage) -> None:
        if not image.isNull():
            self._cache[page_id] = image
        if not self.full_size:
            self._show(page_id, image, original=False)

    def _show(self, page_id: str, image: QImage, original: bool) -> None:
        viewed = self.current
        if viewed is None or viewed.page.id != page_id or image.isNull():
            if viewed is not None and viewed.page.id == page_id and not original:
                self.message.setText(self.tr("This photo cannot be shown."))
            return
        self.message.hide()
        self.view.set_image(rotated(image, viewed.page.rotation), keep_view=original)
        if original:
            self.full_size = True

    def _failed(self, error: BaseException) -> None:
        self.message.setText(user_message(error))
        self.message.show()

    def previous(self) -> None:
        if self.index > 0:
            self.show_page(self.index - 1)

    def next(self) -> None:
        if self.index < len(self.pages) - 1:
            self.show_page(self.index + 1)

    def play_video(self) -> None:
        viewed = self.current
        if viewed is None or viewed.page.media != "video":
            return
        self.video_viewer = PageViewer(self.vault, viewed.page, self)
        self.video_viewer.open()
