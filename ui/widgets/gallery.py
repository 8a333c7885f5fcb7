"""An item's pages as a grid of thumbnails: ``PageModel`` (a QAbstractListModel), ``Gallery`` (the
view, with drag to reorder and files dropped in), ``ThumbnailLoader`` (decrypts thumbnails off the
GUI thread, only for the rows the view asks for, and keeps them in memory only: never on disk).
One page full size (its preview or video) opens in ``ui/dialogs/page_viewer.py``.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from capture.vault import UnlockedVault
from capture.visits import PageRecord
from ui import tasks

THUMB = 160
CELL = QSize(THUMB + 24, THUMB + 40)
PageRole = Qt.ItemDataRole.UserRole + 1
CoverRole = Qt.ItemDataRole.UserRole + 2
HintsRole = Qt.ItemDataRole.UserRole + 3

# The quality hints the importer may put in a page's meta, in the words the volunteer sees.
HINT_KEYS = ("blurred", "too_dark", "overexposed")


def quality_hints(meta: dict[str, Any]) -> list[str]:
    """The hint keys set in a page's meta: ``meta["quality"]`` as a list or a dict of flags,
    or the flags at the top level; ``"damaged"`` first when the photo was found damaged."""
    damaged = ["damaged"] if meta.get("damaged") else []
    quality = meta.get("quality", meta)
    if isinstance(quality, list | tuple):
        return damaged + [key for key in HINT_KEYS if key in quality]
    if isinstance(quality, dict):
        return damaged + [key for key in HINT_KEYS if quality.get(key)]
    return damaged


def duration_text(seconds: float) -> str:
    """A clip's length as people say it: 0:07, 1:23, 1:02:05."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def video_duration(meta: dict[str, Any]) -> float | None:
    """The duration (s) the importer stored for a video, if it is a usable number."""
    value = meta.get("duration")
    return float(value) if isinstance(value, int | float) and value > 0 else None


def rotated(image: QImage, degrees: int) -> QImage:
    if degrees % 360 == 0:
        return image
    return image.transformed(QTransform().rotate(degrees))


def _decode(data: bytes) -> QImage:
    """On a worker: JPEG bytes to an image (QImage is safe off the GUI thread)."""
    image = QImage()
    image.loadFromData(data)
    return image


class ThumbnailLoader(QObject):
    """Decrypts and decodes thumbnails on workers, newest request first, a few at a time, and
    keeps the last ``capacity`` of them in memory (an LRU dict; nothing is written to disk)."""

    loaded = Signal(str)  # page id

    def __init__(self, vault: Callable[[], UnlockedVault], parent: QObject | None = None,
                 capacity: int = 3000, in_flight: int = 2) -> None:
        super().__init__(parent)
        self._vault = vault
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._capacity = capacity
        self._queue: deque[str] = deque(maxlen=256)  # scrolled past long ago: forgotten
        self._busy: set[str] = set()
        self._failed: set[str] = set()
        self._max = in_flight

    def image(self, page_id: str) -> QImage | None:
        image = self._images.get(page_id)
        if image is not None:
            self._images.move_to_end(page_id)
        return image

    def request(self, page_id: str) -> None:
        if page_id in self._images or page_id in self._busy or page_id in self._failed:
            return
        if page_id in self._queue:
            self._queue.remove(page_id)
        self._queue.append(page_id)
        self._pump()

    def forget(self, page_id: str) -> None:
        self._images.pop(page_id, None)
        self._failed.discard(page_id)

    def pending(self) -> int:
        return len(self._queue) + len(self._busy)

    def _pump(self) -> None:
        while self._queue and len(self._busy) < self._max:
            page_id = self._queue.pop()  # the newest: what the view shows now
            self._busy.add(page_id)
            tasks.Task(self, load_thumbnail, self._vault(), page_id).success(
                lambda image, p=page_id: self._done(p, image)).failure(
                lambda _error, p=page_id: self._done(p, None)).run(tasks.Pool.GENERAL)

    def _done(self, page_id: str, image: QImage | None) -> None:
        self._busy.discard(page_id)
        if image is None or image.isNull():
            self._failed.add(page_id)
        else:
            self._images[page_id] = image
            while len(self._images) > self._capacity:
                self._images.popitem(last=False)
        self.loaded.emit(page_id)
        self._pump()


def load_thumbnail(vault: UnlockedVault, page_id: str) -> QImage:
    from capture import media

    return _decode(media.thumbnail_bytes(vault, page_id))


def load_preview(vault: UnlockedVault, page_id: str) -> QImage:
    """On a worker: the page's preview (made now if it was not yet: ~0.1 s), decoded, EXIF
    orientation applied, page.rotation not. A page whose media were delivered and removed
    from the laptop says so (``MediaReleased``) instead of "missing"."""
    from capture import media, retention
    from capture.errors import ObjectMissing

    try:
        return _decode(media.preview_bytes(vault, page_id))
    except ObjectMissing:
        if retention.page_released(vault, page_id):
            raise retention.MediaReleased() from None
        raise


class PageModel(QAbstractListModel):
    """The pages of one item, in order. ``moved`` says a page was dragged to a new place."""

    moved = Signal(list, list)  # old order, new order (page ids)

    def __init__(self, loader: ThumbnailLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.pages: list[PageRecord] = []
        self.cover: str | None = None
        self._pixmaps: OrderedDict[tuple[str, int], QPixmap] = OrderedDict()
        loader.loaded.connect(self._loaded)

    # -- content --

    def set_pages(self, pages: list[PageRecord], cover: str | None) -> None:
        self.beginResetModel()
        self.pages = list(pages)
        self.cover = cover
        self.endResetModel()

    def order(self) -> list[str]:
        return [page.id for page in self.pages]

    def row_of(self, page_id: str) -> int:
        for row, page in enumerate(self.pages):
            if page.id == page_id:
                return row
        return -1

    def apply_order(self, page_ids: list[str]) -> None:
        by_id = {page.id: page for page in self.pages}
        self.beginResetModel()
        self.pages = [by_id[page_id] for page_id in page_ids if page_id in by_id]
        self.endResetModel()

    def set_rotation(self, page_id: str, rotation: int) -> None:
        row = self.row_of(page_id)
        if row >= 0:
            self.pages[row].rotation = rotation % 360
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def update_page(self, page_id: str, meta: dict[str, Any]) -> None:
        """The page's details changed (its own thumbnail and quality hints replaced the
        camera's): show the new thumbnail and hints in place, keeping the scroll position."""
        row = self.row_of(page_id)
        if row < 0:
            return
        self.pages[row].meta = meta
        self.loader.forget(page_id)
        for key in [k for k in self._pixmaps if k[0] == page_id]:
            del self._pixmaps[key]
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def set_cover(self, page_id: str | None) -> None:
        self.cover = page_id
        if self.pages:
            self.dataChanged.emit(self.index(0), self.index(len(self.pages) - 1))

    def remove_page(self, page_id: str) -> None:
        row = self.row_of(page_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.pages[row]
            self.endRemoveRows()

    def move_page(self, source: int, target: int) -> bool:
        """Move the page at ``source`` so it ends up at index ``target``."""
        count = len(self.pages)
        if not (0 <= source < count and 0 <= target < count) or source == target:
            return False
        before = self.order()
        # beginMoveRows wants the row *before which* it lands, counted before the move.
        destination = target + 1 if target > source else target
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), destination)
        self.pages.insert(target, self.pages.pop(source))
        self.endMoveRows()
        self.moved.emit(before, self.order())
        return True

    # -- the model interface --

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pages)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled
        return base | Qt.ItemFlag.ItemIsDropEnabled

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.pages):
            return None
        page = self.pages[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(index.row() + 1)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.pixmap(page)
        if role == PageRole:
            return page
        if role == CoverRole:
            return page.id == self.cover
        if role == HintsRole:
            return quality_hints(page.meta)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(page)
        return None

    def pixmap(self, page: PageRecord) -> QPixmap | None:
        """The thumbnail turned by the page's rotation, or None (and a request) until loaded."""
        key = (page.id, page.rotation)
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        image = self.loader.image(page.id)
        if image is None:
            self.loader.request(page.id)
            return None
        pixmap = QPixmap.fromImage(rotated(image, page.rotation).scaled(
            THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        self._pixmaps[key] = pixmap
        while len(self._pixmaps) > 1500:
            self._pixmaps.popitem(last=False)
        return pixmap

    def _tooltip(self, page: PageRecord) -> str:
        lines = [page.original_filename or self.tr("Page")]
        if page.media == "video":
            duration = video_duration(page.meta)
            lines.append(self.tr("Video, {duration}").format(duration=duration_text(duration))
                         if duration is not None else self.tr("Video"))
        for hint in quality_hints(page.meta):
            lines.append(hint_text(hint))
        if page.id == self.cover:
            lines.append(self.tr("This page is the item's cover."))
        return "\n".join(lines)

    def _loaded(self, page_id: str) -> None:
        row = self.row_of(page_id)
        if row >= 0:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def hint_text(hint: str) -> str:
    from PySide6.QtCore import QCoreApplication

    texts = {
        "blurred": QCoreApplication.translate(
            "Gallery", "Looks blurred: if you can, take this page again."),
        "too_dark": QCoreApplication.translate(
            "Gallery", "Looks too dark: more light would help."),
        "overexposed": QCoreApplication.translate(
            "Gallery", "Looks too bright: some writing may be lost in the glare."),
        "damaged": QCoreApplication.translate(
            "Gallery", "This photo is damaged and cannot be shown whole: copy it again from "
            "the camera or phone and import the copy."),
    }
    return texts.get(hint, hint)


class PageDelegate(QStyledItemDelegate):
    """A thumbnail (a grey placeholder until it is decrypted), its page number, a star on the
    cover, a play mark on videos, and a small amber mark when a quality hint is set (red when
    the photo was found damaged)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
                 ) -> QSize:
        return CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        rect = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QColor("#1f6feb") if selected else QColor("#d0d7de"))
        painter.setBrush(QColor("#e8f0fe") if selected else QColor("#ffffff"))
        painter.drawRoundedRect(rect, 6, 6)
        image_rect = QRect(rect.left() + 8, rect.top() + 8, rect.width() - 16, THUMB)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            x = image_rect.left() + (image_rect.width() - pixmap.width()) // 2
            y = image_rect.top() + (image_rect.height() - pixmap.height()) // 2
            painter.drawPixmap(x, y, pixmap)
        else:
            painter.fillRect(image_rect.adjusted(10, 10, -10, -10), QColor("#eef1f4"))
        page: PageRecord = index.data(PageRole)
        font = QFont(painter.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#1b1f24"))
        label_rect = QRect(rect.left(), image_rect.bottom() + 4, rect.width(), 24)
        label = index.data(Qt.ItemDataRole.DisplayRole)
        if index.data(CoverRole):
            label = "★ " + label
        painter.drawText(label_rect, Qt.AlignmentFlag.AlignCenter, label)
        if page is not None and page.media == "video":
            painter.setBrush(QColor(0, 0, 0, 150))
            painter.setPen(Qt.PenStyle.NoPen)
            center = image_rect.center()
            painter.drawEllipse(center, 22, 22)
            painter.setPen(QColor("white"))
            painter.drawText(QRect(center.x() - 22, center.y() - 22, 44, 44),
                             Qt.AlignmentFlag.AlignCenter, "▶")
        hints = index.data(HintsRole)
        if hints:
            badge = QRect(rect.right() - 30, rect.top() + 6, 24, 24)
            # red for a damaged photo, amber for a quality hint
            painter.setBrush(QColor("#cf222e" if "damaged" in hints else "#d97706"))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(badge)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "!")
        painter.restore()


class Gallery(QListView):
    """The grid. Dragging a page moves it; files or folders dropped here are imported."""

    files_dropped = Signal(list)  # paths as str
    page_activated = Signal(str)  # page id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Snap)
        self.setUniformItemSizes(True)  # only visible rows are asked for their data
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setGridSize(CELL)
        self.setSpacing(4)
        self.setWrapping(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setItemDelegate(PageDelegate(self))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.doubleClicked.connect(self._activated)

    def page_model(self) -> PageModel:
        return self.model()  # type: ignore[return-value]

    def _activated(self, index: QModelIndex) -> None:
        page = index.data(PageRole)
        if page is not None:
            self.page_activated.emit(page.id)

    def current_page(self) -> PageRecord | None:
        index = self.currentIndex()
        return index.data(PageRole) if index.isValid() else None

    def dragEnterEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.mimeData().hasUrls() or event.source() is self:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        mime = event.mimeData()
        if mime.hasUrls() and event.source() is not self:
            paths = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
            if paths:
                self.files_dropped.emit(paths)
            event.acceptProposedAction()
            return
        source = self.currentIndex().row()
        target_index = self.indexAt(event.position().toPoint())
        target = target_index.row() if target_index.isValid() else self.model().rowCount() - 1
        self.page_model().move_page(source, target)
        # Copy, not Move: the model moved the row itself; the view must not remove anything.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()


