"""Where the bundled assets (fonts, translations, styles) are, and loading the ones Qt needs."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from capture.paths import assets_dir

FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansMono-Bold.ttf")
UI_FAMILY = "Noto Sans"
MONO_FAMILY = "Noto Sans Mono"
BASE_POINT_SIZE = 11


def load_fonts() -> list[str]:
    """Register the bundled fonts; returns the families Qt found in them."""
    families: list[str] = []
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(assets_dir() / "fonts" / name))
        if font_id >= 0:
            families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def ui_font(point_size: int = BASE_POINT_SIZE, bold: bool = False) -> QFont:
    font = QFont(UI_FAMILY, point_size)
    font.setBold(bold)
    return font


def mono_font(point_size: int) -> QFont:
    font = QFont(MONO_FAMILY, point_size)
    font.setBold(True)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def apply_style(app: QApplication) -> None:
    """The bundled font as the application font, and the calm style sheet."""
    load_fonts()
    app.setFont(ui_font())
    qss = assets_dir() / "styles" / "app.qss"
    if qss.exists():
        # url() in a style sheet is relative to the working directory: anchor it to the assets.
        text = qss.read_text(encoding="utf-8").replace("@ASSETS@", assets_dir().as_posix())
        app.setStyleSheet(text)
