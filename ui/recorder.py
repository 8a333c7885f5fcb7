"""The recorder screen (stub; the full screen follows)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from capture.vault import UnlockedVault


class RecorderScreen(QWidget):
    def __init__(self, vault: UnlockedVault, visit_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recorderScreen")
        self._vault = vault
        self.visit_id = visit_id
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Recorder")))
