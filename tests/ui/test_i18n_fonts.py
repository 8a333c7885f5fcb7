"""Translations are complete and compiled, errors read as Vietnamese sentences, and the bundled
font draws every Vietnamese letter."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QImage, QPainter, QRawFont

import capture.accounts
import capture.errors
from capture.errors import CaptureError, PermissionDenied, TooManyAttempts, WrongPassphrase
from ui import errors as ui_errors
from ui import i18n, settings
from ui.resources import FONT_FILES, MONO_FAMILY, UI_FAMILY, assets_dir, load_fonts

SAMPLE = "Nguyễn Văn Hùng — Mẹ Việt Nam Anh hùng ỹ ữ ặ ẫ"
ALL_VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
)


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(ts).getroot()  # noqa: S314 - our own file in the repository
    return [(ctx.findtext("name") or "", msg.findtext("source") or "", msg.find("translation"))
            for ctx in root.iter("context") for msg in ctx.iter("message")]


def test_every_string_has_a_finished_vietnamese_translation() -> None:
    messages = _messages(i18n.ts_path())
    assert len(messages) > 100
    unfinished = [(ctx, src) for ctx, src, tr in messages
                  if tr is None or not (tr.text or "").strip() or tr.get("type")]
    assert unfinished == []
    # Placeholders survive translation, or .format() would drop a name or a number.
    for ctx, src, tr in messages:
        for name in ("{path}", "{seconds}", "{minimum}", "{role}", "{action}", "{username}",
                     "{name}", "{code}", "{what}", "{lang}", "{date}", "{ward}", "{province}"):
            assert (name in src) == (name in (tr.text or "")), (ctx, src)


def test_lupdate_finds_no_string_missing_from_the_ts(tmp_path: Path) -> None:
    copy = tmp_path / "check.ts"
    copy.write_bytes(i18n.ts_path().read_bytes())
    i18n.update_sources(copy)
    new = [(ctx, src) for ctx, src, tr in _messages(copy) if tr is not None
           and tr.get("type") == "unfinished"]
    assert new == [], "run ui.i18n.update_sources(), translate, then compile_translations()"


def test_the_compiled_qm_is_current_and_loads(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fresh = tmp_path / "fresh.qm"
    subprocess.run([i18n._tool("pyside6-lrelease"), str(i18n.ts_path()), "-qm", str(fresh)],
                   check=True, capture_output=True)
    assert fresh.read_bytes() == i18n.qm_path().read_bytes(), "run ui.i18n.compile_translations()"
    assert i18n.install(app, "vi") == "vi"
    assert QCoreApplication.translate("Shell", "Visits") == "Chuyến thăm"
    i18n.install(app, "en")
    assert QCoreApplication.translate("Shell", "Visits") == "Visits"


def test_language_setting_is_saved_without_anything_personal(app, sohoa_home: Path) -> None:  # type: ignore[no-untyped-def]
    assert settings.load().language == "vi"  # Vietnamese when nothing was chosen
    i18n.set_language(app, "en")
    saved = settings.settings_path().read_text(encoding="utf-8")
    assert settings.settings_path().is_relative_to(sohoa_home)
    assert '"schema_version": 1' in saved and '"language": "en"' in saved
    assert settings.load().language == "en"
    settings.settings_path().write_text('{"lang": "en"}')  # a version-0 file is migrated
    assert settings.load().language == "en"


def _core_error_classes() -> list[type[CaptureError]]:
    """Every CaptureError subclass anywhere in capture/, so a new module cannot slip by."""
    for module in pkgutil.walk_packages(capture.__path__, "capture."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, queue = [], [CaptureError]
    while queue:
        cls = queue.pop()
        found.append(cls)
        queue.extend(cls.__subclasses__())
    return found


def test_every_core_error_message_is_in_the_translation_table() -> None:
    missing = [cls.__name__ for cls in _core_error_classes()
               if cls.message not in ui_errors.CORE_MESSAGES]
    assert missing == []


def test_user_messages_are_vietnamese_sentences(app) -> None:  # type: ignore[no-untyped-def]
    assert ui_errors.user_message(WrongPassphrase()).startswith("Tên đăng nhập hoặc mật khẩu")
    assert "30 giây" in ui_errors.user_message(TooManyAttempts(seconds=30))
    denied = ui_errors.user_message(PermissionDenied(role="volunteer",
                                                     action="approve or return visits"))
    assert denied == ("Với vai trò Tình nguyện viên, bạn không được duyệt hoặc trả lại chuyến "
                      "thăm. Hãy hỏi quản trị trạm.")
    assert ui_errors.user_message(KeyError("x")).startswith("Đã xảy ra lỗi ngoài dự kiến")
    for cls in _core_error_classes():
        assert ui_errors._tr("errors", cls.message) != cls.message, cls.__name__


def test_bundled_fonts_draw_every_vietnamese_letter(app) -> None:  # type: ignore[no-untyped-def]
    families = load_fonts()
    assert UI_FAMILY in families and MONO_FAMILY in families
    assert app.font().family() == UI_FAMILY
    for name in FONT_FILES[:2]:
        raw = QRawFont(str(assets_dir() / "fonts" / name), 12)
        assert raw.isValid()
        text = SAMPLE + ALL_VIETNAMESE + ALL_VIETNAMESE.upper()
        missing = [ch for ch in text if not ch.isspace() and not raw.supportsCharacter(ord(ch))]
        assert missing == [], name
    metrics = QFontMetrics(QFont(UI_FAMILY, 12))
    assert all(metrics.inFontUcs4(ord(ch)) for ch in SAMPLE if not ch.isspace())
    assert (assets_dir() / "fonts" / "OFL.txt").read_text().count("SIL Open Font License") >= 1


def test_sample_renders_ink(app) -> None:  # type: ignore[no-untyped-def]
    image = QImage(900, 80, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    painter.setFont(QFont(UI_FAMILY, 20))
    painter.drawText(10, 50, SAMPLE)
    painter.end()
    dark = sum(1 for x in range(0, 900, 2) for y in range(0, 80, 2)
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 200
    assert QFontDatabase.hasFamily(UI_FAMILY)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_language_names_are_written_in_themselves(language: str) -> None:
    assert i18n.language_name(language) in {"Tiếng Việt", "English"}
