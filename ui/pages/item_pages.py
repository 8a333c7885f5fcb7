"""An item's pages in the visit editor: the gallery, import from files, a drive or the camera,
reordering and rotating with undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture import visits
from capture.vault import UnlockedVault
from capture.visits import (
    ItemRecord,
)
from ui import tasks
from ui.dialogs.importing import (
    CameraDialog,
    DrivePicker,
    ImportPanel,
    ImportReportDialog,
    keep_photo,
)
from ui.dialogs.page_viewer import PageViewer
from ui.errors import user_message
from ui.viewmodels import VaultGetter
from ui.widgets.gallery import Gallery, PageModel, ThumbnailLoader


class ReorderPages(QUndoCommand):
    def __init__(self, pages: PagesPanel, item_id: str, before: list[str], after: list[str],
                 applied: bool) -> None:
        super().__init__(QCoreApplication.translate("PagesPanel", "Move page"))
        self.pages, self.item_id, self.before, self.after = pages, item_id, before, after
        self._skip = applied  # the drag already moved it in the model

    def redo(self) -> None:
        self.pages.apply_order(self.item_id, self.after, in_model=not self._skip)
        self._skip = False

    def undo(self) -> None:
        self.pages.apply_order(self.item_id, self.before, in_model=True)


class RotatePage(QUndoCommand):
    def __init__(self, pages: PagesPanel, page_id: str, turns: int) -> None:
        super().__init__(QCoreApplication.translate("PagesPanel", "Turn page"))
        self.pages, self.page_id, self.turns = pages, page_id, turns

    def redo(self) -> None:
        self.pages.turn(self.page_id, self.turns)

    def undo(self) -> None:
        self.pages.turn(self.page_id, -self.turns)


class PagesPanel(QWidget):
    """The gallery of the chosen item with its tools: add photos (files, a folder, a card or
    phone, the camera), turn, set as cover, remove; the import's progress and report."""

    error = Signal(str)
    pages_changed = Signal()

    def __init__(self, vault: VaultGetter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        self.item: ItemRecord | None = None
        self.editable = True
        self.undo_stack = QUndoStack(self)
        self.last_report: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        tools = QHBoxLayout()
        self.add_files = QPushButton(self.tr("Add photos…"))
        self.add_files.setProperty("primary", True)
        self.add_folder = QPushButton(self.tr("From a folder…"))
        self.add_drive = QPushButton(self.tr("From a card or phone…"))
        self.take_photo = QPushButton(self.tr("Take a photo"))
        for button in (self.add_files, self.add_folder, self.add_drive, self.take_photo):
            tools.addWidget(button)
        tools.addStretch(1)
        layout.addLayout(tools)
        page_tools = QHBoxLayout()
        self.rotate_left = QPushButton(self.tr("↺ Turn left"))
        self.rotate_right = QPushButton(self.tr("↻ Turn right"))
        self.cover_button = QPushButton(self.tr("★ Set as cover"))
        self.remove_button = QPushButton(self.tr("Remove page"))
        self.undo_button = QPushButton(self.tr("Undo"))
        self.undo_button.setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        for button in (self.rotate_left, self.rotate_right, self.cover_button,
                       self.remove_button, self.undo_button):
            page_tools.addWidget(button)
        page_tools.addStretch(1)
        self.count_label = QLabel()
        page_tools.addWidget(self.count_label)
        layout.addLayout(page_tools)
        self.import_panel = ImportPanel()
        layout.addWidget(self.import_panel)
        self.loader = ThumbnailLoader(vault, self)
        self.model = PageModel(self.loader, self)
        self.gallery = Gallery()
        self.gallery.setModel(self.model)
        self.empty = QLabel(self.tr("No pages yet. Add the photos of this item: drag them here, "
                                    "or use the buttons above."))
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)
        layout.addWidget(self.gallery, 1)
        self.add_files.clicked.connect(self.choose_files)
        self.add_folder.clicked.connect(self.choose_folder)
        self.add_drive.clicked.connect(self.choose_drive)
        self.take_photo.clicked.connect(self.open_camera)
        self.rotate_left.clicked.connect(lambda: self.rotate_current(-1))
        self.rotate_right.clicked.connect(lambda: self.rotate_current(1))
        self.cover_button.clicked.connect(self.cover_current)
        self.remove_button.clicked.connect(self.remove_current)
        self.gallery.files_dropped.connect(lambda paths: self.import_paths(
            [Path(p) for p in paths]))
        self.gallery.page_activated.connect(self.open_viewer)
        self.model.moved.connect(self._moved)
        self.import_panel.finished.connect(self._imported)
        self.import_panel.previews.page_done.connect(self.model.update_page)
        self.import_panel.failed.connect(lambda error: self.error.emit(user_message(error)))
        # Keys, while the focus is in this panel (a text field elsewhere in the editor keeps
        # its own Ctrl+Z): Ctrl+Z takes back the last move or turn, Ctrl+L / Ctrl+R turn the
        # chosen page. Each presses its button, so what a hidden or disabled button would
        # not do (a submitted visit, no pages), the key does not do either.
        self.undo_shortcut = self._key(QKeySequence(QKeySequence.StandardKey.Undo),
                                       self.undo_button)
        self.rotate_left_shortcut = self._key(QKeySequence("Ctrl+L"), self.rotate_left)
        self.rotate_right_shortcut = self._key(QKeySequence("Ctrl+R"), self.rotate_right)
        self.show_report: Callable[[Any], None] = self._show_report
        self.set_item(None)

    def _key(self, keys: QKeySequence, button: QPushButton) -> QShortcut:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(
            lambda: button.click() if button.isEnabled() and not button.isHidden() else None)
        native = keys.toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(f"{button.text()} ({native})")
        return shortcut

    def set_item(self, item: ItemRecord | None) -> None:
        self.item = item
        if item is not None and self.editable:
            # Photos are likely next: their decoders start now, at low priority, not at the
            # first photo while the window is busy showing the import.
            from capture import pictures

            pictures.warm_up_decoders()
            if not self.import_panel.running:
                # What an earlier pass left (the app closed, a `sohoa import`, another item's
                # import): previews, and camera photos' own thumbnails and quality hints.
                self.import_panel.previews.start(self.vault(), item.id)
        self.undo_stack.clear()
        self.model.set_pages(item.pages if item else [], item.cover_page_id if item else None)
        self._update()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self._update()

    def _update(self) -> None:
        has_item = self.item is not None
        count = len(self.model.pages)
        self.empty.setVisible(has_item and count == 0)
        self.gallery.setVisible(has_item and count > 0)
        self.count_label.setText(self.tr("{n} pages").format(n=count) if has_item else "")
        busy = self.import_panel.running
        for button in (self.add_files, self.add_folder, self.add_drive, self.take_photo):
            button.setVisible(self.editable)
            button.setEnabled(has_item and not busy)
        for button in (self.rotate_left, self.rotate_right, self.cover_button,
                       self.remove_button, self.undo_button):
            button.setVisible(self.editable)
        for button in (self.rotate_left, self.rotate_right, self.cover_button,
                       self.remove_button):
            button.setEnabled(count > 0)
        self.gallery.setDragEnabled(self.editable)
        self.gallery.setAcceptDrops(self.editable)

    # -- importing --

    def media_filter(self) -> str:
        """The file dialog's filter: every suffix the importer looks for, in both cases (the
        dialog matches case-sensitively on Linux, and cameras write IMG_0001.JPG)."""
        from capture.importer import MEDIA_SUFFIXES

        suffixes = sorted(MEDIA_SUFFIXES)
        patterns = " ".join([f"*{s}" for s in suffixes] + [f"*{s.upper()}" for s in suffixes])
        return (self.tr("Photos and videos ({patterns})").format(patterns=patterns) + ";;"
                + self.tr("All files (*)"))

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Choose photos and videos"), str(Path.home()), self.media_filter())
        if files:
            self.import_paths([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder of photos"),
                                                  str(Path.home()))
        if folder:
            self.import_paths([Path(folder)])

    def choose_drive(self) -> None:
        picker = DrivePicker(self)
        if picker.exec() and picker.chosen() is not None:
            self.import_paths([picker.chosen()])  # type: ignore[list-item]

    def import_paths(self, paths: list[Path]) -> None:
        if self.item is None or self.import_panel.running or not self.editable:
            return
        self.import_panel.start(self.vault(), self.item.id, paths)
        self._update()

    def _imported(self, report: Any) -> None:
        self.last_report = report
        self._update()
        self.reload()
        self.show_report(report)

    def _show_report(self, report: Any) -> None:
        dialog = ImportReportDialog(report, self)
        dialog.open()

    def reload(self) -> None:
        """Read the item's pages again (after an import or a photo taken)."""
        if self.item is None:
            return
        item_id = self.item.id

        def pages(vault: UnlockedVault, visit_id: str) -> ItemRecord | None:
            record = visits.load_visit(vault, visit_id)
            return next((i for i in record.items if i.id == item_id), None)

        visit_id = self.property("visit_id")
        tasks.Task(self, pages, self.vault(), visit_id).success(self._reloaded).failure(
            lambda error: self.error.emit(user_message(error))).run(tasks.Pool.DATABASE)

    def _reloaded(self, item: ItemRecord | None) -> None:
        if item is not None and self.item is not None and item.id == self.item.id:
            self.item = item
            self.model.set_pages(item.pages, item.cover_page_id)
            self._update()
            self.pages_changed.emit()

    def open_camera(self) -> None:
        dialog = CameraDialog(self)
        dialog.photo_taken.connect(self._photo_taken)
        dialog.open()
        self.camera_dialog = dialog

    def _photo_taken(self, data: bytes) -> None:
        if self.item is None:
            return
        name = datetime.now().strftime("camera-%Y%m%d-%H%M%S.jpg")
        # The general pool: decoding the thumbnail waits on the decoder process, and the
        # database worker must stay free for the typing being saved meanwhile.
        tasks.Task(self, keep_photo, self.vault(), self.item.id, data, name).success(
            self._photo_kept).failure(
            lambda error: self.error.emit(user_message(error))).run(tasks.Pool.GENERAL)

    def _photo_kept(self, outcome: Any) -> None:
        if outcome.status != "duplicate":
            self.reload()
            return
        # The same picture is already a page of this item: nothing was added, and the
        # volunteer is told which page it is (as the file import's report tells duplicates).
        row = self.model.row_of(outcome.page_id)
        if row >= 0:
            text = self.tr("This photo is already page {n} of this item: nothing was added."
                           ).format(n=row + 1)
        else:  # the page it matches is not in the gallery yet (it is being reloaded)
            text = self.tr("This photo is already in this item: nothing was added.")
        dialog = getattr(self, "camera_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.tell(text)
        else:  # the camera window was closed meanwhile
            box = QMessageBox(QMessageBox.Icon.Information, self.tr("Take a photo"), text,
                              QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.duplicate_notice = box

    # -- page edits --

    def _moved(self, before: list[str], after: list[str]) -> None:
        if self.item is not None:
            self.undo_stack.push(ReorderPages(self, self.item.id, before, after, applied=True))

    def apply_order(self, item_id: str, order: list[str], in_model: bool) -> None:
        if in_model and self.item is not None and self.item.id == item_id:
            self.model.apply_order(order)
        tasks.Task(self, visits.reorder_pages, self.vault(), item_id, order).failure(
            self._failed_then_reload).run(tasks.Pool.DATABASE)

    def rotate_current(self, turns: int) -> None:
        page = self.gallery.current_page()
        if page is not None:
            self.undo_stack.push(RotatePage(self, page.id, turns))

    def turn(self, page_id: str, turns: int) -> None:
        row = self.model.row_of(page_id)
        if row >= 0:
            self.model.set_rotation(page_id, self.model.pages[row].rotation + 90 * turns)
        tasks.Task(self, visits.rotate_page, self.vault(), page_id, turns).success(
            lambda rotation: self.model.set_rotation(page_id, rotation)).failure(
            self._failed_then_reload).run(tasks.Pool.DATABASE)

    def cover_current(self) -> None:
        page = self.gallery.current_page()
        if page is None or self.item is None:
            return
        self.model.set_cover(page.id)
        tasks.Task(self, visits.set_cover, self.vault(), self.item.id, page.id).success(
            lambda _: self.pages_changed.emit()).failure(self._failed_then_reload
                                                         ).run(tasks.Pool.DATABASE)

    def remove_current(self) -> None:
        page = self.gallery.current_page()
        if page is None:
            return
        self.undo_stack.clear()  # a removed page is not brought back by Undo
        self.model.remove_page(page.id)
        self._update()
        tasks.Task(self, visits.remove_page, self.vault(), page.id).success(
            lambda _: self.reload()).failure(self._failed_then_reload).run(tasks.Pool.DATABASE)

    def _failed_then_reload(self, error: BaseException) -> None:
        self.error.emit(user_message(error))
        self.reload()

    def open_viewer(self, page_id: str) -> PageViewer | None:
        row = self.model.row_of(page_id)
        if row < 0:
            return None
        viewer = PageViewer(self.vault(), self.model.pages[row], self)
        viewer.open()
        self.viewer = viewer
        return viewer
