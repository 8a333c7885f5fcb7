"""Languages: Vietnamese by default, English selectable.

Source strings are English and go through ``self.tr()`` or ``QCoreApplication.translate``;
``assets/i18n/sohoa_vi.ts`` holds the Vietnamese, compiled to ``sohoa_vi.qm``.

For the app and the CLI:

    ui.i18n.install(app)            # the language saved in settings (Vietnamese if none)
    ui.i18n.install(app, "en")      # an explicit language; returns the language installed
    ui.i18n.current_language()      # "vi" or "en"

For developers, after changing any user-facing string:

    python -c "import ui.i18n as i; i.update_sources(); i.compile_translations()"

``update_sources`` runs ``pyside6-lupdate`` over ``ui/`` (new strings appear unfinished in the
.ts); translate them, then ``compile_translations`` runs ``pyside6-lrelease``. A test fails if a
string is missing from the .ts, unfinished, or the .qm is older than the .ts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from ui import settings as app_settings
from ui.resources import assets_dir

LANGUAGES = app_settings.LANGUAGES
_installed: list[QTranslator] = []
_current = app_settings.DEFAULT_LANGUAGE


def ts_path(language: str = "vi") -> Path:
    return assets_dir() / "i18n" / f"sohoa_{language}.ts"


def qm_path(language: str = "vi") -> Path:
    return assets_dir() / "i18n" / f"sohoa_{language}.qm"


def language_name(language: str) -> str:
    # Each language is named in itself, so anyone can find their own.
    return {"vi": "Tiếng Việt", "en": "English"}[language]


def install(app: QCoreApplication, language: str | None = None) -> str:
    """Install the translator for ``language`` (default: the saved setting). English is the
    source language and needs none. Returns the language now in use."""
    global _current
    if language is None:
        language = app_settings.load().language
    if language not in LANGUAGES:
        language = app_settings.DEFAULT_LANGUAGE
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language != "en":
        translator = QTranslator(app)
        if translator.load(str(qm_path(language))):
            app.installTranslator(translator)
            _installed.append(translator)
    QLocale.setDefault(QLocale(QLocale.Language.Vietnamese if language == "vi"
                               else QLocale.Language.English))
    _current = language
    return language


def current_language() -> str:
    return _current


def set_language(app: QCoreApplication, language: str) -> str:
    """Save the choice and install it."""
    current = app_settings.load()
    current.language = language
    app_settings.save(current)
    return install(app, language)


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def ui_sources() -> list[Path]:
    root = Path(__file__).resolve().parent
    return sorted(p for p in root.rglob("*.py") if p.name != "__main__.py")


def update_sources(ts: Path | None = None) -> None:
    """Refresh the .ts from the strings in ``ui/`` (keeps existing translations)."""
    ts = ts or ts_path()
    subprocess.run([_tool("pyside6-lupdate"), *map(str, ui_sources()), "-no-obsolete",
                    "-locations", "none", "-ts", str(ts)], check=True, capture_output=True)


def compile_translations(language: str = "vi") -> Path:
    """Compile the .ts into the .qm the app loads."""
    subprocess.run([_tool("pyside6-lrelease"), str(ts_path(language)), "-qm",
                    str(qm_path(language))], check=True, capture_output=True)
    return qm_path(language)


def unfinished(ts: Path | None = None) -> list[tuple[str, str]]:
    """(context, source) of every message still waiting for its translation."""
    root = ElementTree.parse(ts or ts_path()).getroot()  # noqa: S314 - our own file
    return [(context.findtext("name", ""), message.findtext("source", ""))
            for context in root.iter("context") for message in context.iter("message")
            if message.find("translation").get("type") == "unfinished"]


def translate(done: dict[tuple[str, str], str], ts: Path | None = None) -> int:
    """Fill in translations, keyed by (context, English source). Returns how many were set.
    The usual round: ``update_sources()``, ``unfinished()``, ``translate({...})``,
    ``compile_translations()``."""
    ts = ts or ts_path()
    tree = ElementTree.parse(ts)  # noqa: S314 - our own file
    count = 0
    for context in tree.getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            key = (name, message.findtext("source", ""))
            if key in done:
                translation = message.find("translation")
                translation.text = done[key]
                translation.attrib.pop("type", None)
                count += 1
    body = ElementTree.tostring(tree.getroot(), encoding="unicode")
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                  encoding="utf-8")
    return count
