"""The guide: F1 on every screen opens the part about that screen; both languages have the
same parts and every picture they show; the pictures come from the app by a script that still
runs; the handbook and the checklist keep every Vietnamese letter, and ``sohoa guide`` writes
them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from capture import guide, handbook
from capture.keyslots import KdfParams
from capture.roles import Role
from ui.app import AppWindow
from ui.viewmodels import Page

ROOT = Path(__file__).resolve().parents[2]
PAGE_SECTIONS = {Page.VISITS: "visit", Page.REVIEW: "review", Page.SYNC: "sending",
                 Page.REPORTS: "station", Page.SETTINGS: "station"}
# The visit editor's tabs, in order, and what a volunteer doing each needs to read.
TAB_SECTIONS = ["visit", "visit", "dna", "photographing", "recording", "visit", "consent",
                "review"]


def _press_f1(qtbot, window: AppWindow, expected: str) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()  # the help window took the focus last time
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.help_window is not None
                    and window.help_window.isVisible(), timeout=5_000)
    helper = window.help_window
    assert helper.current_section == expected
    title = guide.section("vi", expected).title
    assert helper.contents.currentItem().text() == title
    assert helper.browser.toPlainText().startswith(title)
    helper.hide()


@pytest.mark.slow
def test_f1_opens_the_part_of_the_guide_for_each_screen(app, qtbot, made_vault, clock) -> None:  # type: ignore[no-untyped-def]
    path, _ = made_vault
    window = AppWindow(path, clock=clock, kdf=KdfParams.for_tests())
    qtbot.addWidget(window)
    window.resize(1200, 820)
    window.show()
    window.activateWindow()
    _press_f1(qtbot, window, "start")  # the sign-in
    seen: set[Page] = set()
    for role in (Role.VOLUNTEER, Role.COORDINATOR, Role.OPERATOR, Role.ADMIN):
        before = window.shell
        window.open_practice(role)
        qtbot.waitUntil(lambda before=before: window.shell is not None
                        and window.shell is not before and window.current() is window.shell,
                        timeout=20_000)
        shell = window.shell
        for page in shell.visible_pages():
            shell.show_page(page)
            _press_f1(qtbot, window, PAGE_SECTIONS[page])
            seen.add(page)
        if role is Role.VOLUNTEER:
            editor = shell.page_widgets[Page.VISITS].editor
            for number, step in enumerate(shell.practice_banner.steps):
                shell.practice_banner.go_to(number)
                qtbot.waitUntil(lambda step=step, editor=editor: editor.record is not None
                                and editor.tabs.currentIndex() == step.tab, timeout=10_000)
            for tab, expected in enumerate(TAB_SECTIONS):
                editor.tabs.setCurrentIndex(tab)
                _press_f1(qtbot, window, expected)
    assert seen == set(Page)


def test_the_practice_bands_how_button_opens_the_steps_part(app, qtbot, made_vault, clock  # type: ignore[no-untyped-def]
                                                             ) -> None:
    path, _ = made_vault
    window = AppWindow(path, clock=clock, kdf=KdfParams.for_tests())
    qtbot.addWidget(window)
    window.show()
    window.open_practice(Role.VOLUNTEER)
    qtbot.waitUntil(lambda: window.shell is not None, timeout=20_000)
    banner = window.shell.practice_banner
    banner.go_to(3)  # testimony with markers
    editor = window.shell.page_widgets[Page.VISITS].editor
    qtbot.waitUntil(lambda: editor.record is not None and editor.tabs.currentIndex() == 4,
                    timeout=10_000)
    qtbot.mouseClick(banner.guide_button, Qt.MouseButton.LeftButton)
    assert window.help_window is not None and window.help_window.current_section == "recording"


def test_both_languages_have_the_same_parts_and_every_picture(app) -> None:  # type: ignore[no-untyped-def]
    ids = {language: [part.id for part in guide.sections(language)]
           for language in guide.LANGUAGES}
    assert ids["vi"] == ids["en"]
    assert {"start", "photographing", "recording", "consent", "dna", "never"} <= set(ids["vi"])
    for language in guide.LANGUAGES:
        for part in guide.sections(language):
            assert part.checklist(), f"{language}/{part.id} has no checklist lines"
    missing = [p for p in guide.pictures() if not (guide.folder() / p).is_file()]
    assert missing == []


def test_the_guide_says_what_the_training_plan_asks(app) -> None:  # type: ignore[no-untyped-def]
    text = {part.id: part.markdown.lower() for part in guide.sections("en")}
    for words in ("flat", "even light", "no flash", "whole page in the frame", "both sides",
                  "every page, in order", "scale card", "keepsakes", "hand-drawn maps"):
        assert words in text["photographing"], words
    for words in ("quiet room", "half a metre", "ask before starting", "set a marker",
                  "low battery"):
        assert words in text["recording"], words
    for words in ("archive", "authorities", "media", "dna", "withdraw", "keeps every original"):
        assert words in text["consent"], words
    assert "maternal line" in text["dna"] and "never press" in text["dna"]
    assert "never take an original away" in text["never"]
    assert "without consent" in text["never"]


@pytest.mark.slow
def test_the_screens_script_makes_every_picture_the_guide_shows(tmp_path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "guide" / "make_screens.py"),
                           str(tmp_path)], capture_output=True, text=True, timeout=240,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    from PIL import Image

    for picture in guide.pictures():
        made = tmp_path / picture.removeprefix("screens/")
        assert made.is_file(), picture
        with Image.open(made) as image:
            assert image.width == 900 and image.height > 400


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _letters(text: str) -> set[str]:
    return {c for c in text if ord(c) > 127 and c.isalpha()}


def test_the_handbook_keeps_every_vietnamese_letter_and_is_a5(tmp_path) -> None:
    out = handbook.write_handbook(tmp_path / "so-tay.pdf", "vi")
    text = _pdf_text(out)
    source = "".join(part.markdown for part in guide.sections("vi"))
    assert _letters(source) - _letters(text) == set()
    assert len(_letters(source)) > 40  # the source really is Vietnamese
    for part in guide.sections("vi"):
        assert part.title in " ".join(text.split())
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert "419.528 x 595.276 pts" in info  # A5
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout
    assert "NotoSans" in fonts or "SohoaSans" in fonts
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "4", "-l", "4", str(out),
                    str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_the_checklist_is_one_page_with_every_line(tmp_path) -> None:
    for language in guide.LANGUAGES:
        out = handbook.write_checklist(tmp_path / f"checklist-{language}.pdf", language)
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                              check=True).stdout
        assert "Pages:           1" in info
        text = " ".join(_pdf_text(out).split())
        for part in guide.sections(language):
            for line in part.checklist():
                assert line.replace("*", "") in text, line


@pytest.mark.slow
def test_sohoa_guide_writes_the_handbook_and_the_checklist(tmp_path) -> None:
    for flag in ("--handbook", "--checklist"):
        out = tmp_path / f"{flag[2:]}.pdf"
        done = subprocess.run([sys.executable, "-m", "ui", "--lang", "vi", "guide", flag,
                               str(out)], capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert out.read_bytes().startswith(b"%PDF") and str(out) in done.stdout
    done = subprocess.run([sys.executable, "-m", "ui", "--lang", "vi", "guide", "--checklist",
                           str(tmp_path / "no-such-folder" / "x.pdf")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2 and "không" in done.stderr.lower()


def test_f1_on_the_setup_wizard_opens_the_start(app, qtbot, vault_path, clock) -> None:  # type: ignore[no-untyped-def]
    window = AppWindow(vault_path, clock=clock, kdf=KdfParams.for_tests())
    qtbot.addWidget(window)
    window.show()
    assert window.current() is window.wizard
    _press_f1(qtbot, window, "start")


def test_the_handbook_prints_every_page(app, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtPrintSupport import QPrinter

    from ui.dialogs.help import HelpWindow

    helper = HelpWindow()
    qtbot.addWidget(helper)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert helper.print_on(printer)
    source = handbook.write_handbook(tmp_path / "source.pdf", "vi")

    def pages(pdf: Path) -> int:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        return int(next(line.split()[-1] for line in info.splitlines()
                        if line.startswith("Pages:")))

    assert pages(tmp_path / "printed.pdf") == pages(source)
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-f", "2", "-l", "2",
                    str(tmp_path / "printed.pdf"), str(tmp_path / "printed")], check=True)
    import numpy as np
    from PIL import Image

    with Image.open(next(tmp_path.glob("printed*.png"))) as page:
        shot = page.copy()
    assert np.asarray(shot.convert("L")).min() < 100  # text was printed, not a blank page
