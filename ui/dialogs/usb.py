"""Sending by USB stick: choosing the drive (or a folder) that has room for a batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from capture.vault import UnlockedVault
from sync import outbox
from ui.dialogs.importing import DrivePicker
from ui.widgets.common import size_text


def accept_receipt_file(vault: UnlockedVault, path: Path) -> Any:
    # A receipt is a few kilobytes of signed JSON; anything far larger is not one.
    with open(path, "rb") as source:
        data = source.read(1024 * 1024)
    return outbox.accept_receipt(vault, data.decode("utf-8", errors="replace"))


class UsbDialog(DrivePicker):
    """Where to write the batch: a USB drive plugged in now (the import's drive list), or any
    folder."""

    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        self._folder: Path | None = None  # before the drive list arrives, which re-adds it
        super().__init__(parent)
        self.setObjectName("usbDialog")
        self.setWindowTitle(self.tr("Write to USB drive"))
        self.intro.setText(self.tr(
            "Plug in the USB drive and choose it. The batch ({size}) is encrypted for the "
            "command: a lost drive reveals nothing.").format(size=size_text(size)))
        self.empty.setText(self.tr("Looking for USB drives…"))
        folder = QPushButton(self.tr("Choose a folder…"))
        folder.clicked.connect(self._pick_folder)
        self.row.insertWidget(1, folder)
        self.write_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.write_button.setText(self.tr("Write"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.list.currentRowChanged.connect(lambda _row: self._update())

    def none_found_text(self) -> str:
        return self.tr("No USB drive found. Plug one in, then press \"Look again\", or choose "
                       "a folder.")

    def _show(self, drives: list[Path]) -> None:
        super()._show(drives)
        if self._folder is not None:
            self.add_folder(self._folder)
        self._update()

    def _pick_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, self.tr("Write the batch into"))
        if name:
            self.add_folder(Path(name))

    def add_folder(self, folder: Path) -> None:
        self._folder = folder
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == str(folder):
                self.list.setCurrentRow(row)
                return
        item = QListWidgetItem(str(folder))
        item.setData(Qt.ItemDataRole.UserRole, str(folder))
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        self.empty.hide()
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.list.currentItem() is not None)
