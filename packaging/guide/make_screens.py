"""Make the guide's pictures from the app itself, so they never show an old screen.

    python packaging/guide/make_screens.py [OUT]      # default: assets/guide/screens

Runs the real app offscreen in a throwaway SOHOA_HOME: a station to show the sign-in, then
the practice station, the sample visit step by step (with the sample pictures imported into
its items), and the review, sending and settings pages, once per language. Writes
``OUT/<language>/<name>.png`` for every picture the guide's Markdown shows (capture/guide.py).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WIDTH = 900  # the guide's pictures are scaled to this width


def _settle(ms: int = 150) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(predicate: Callable[[], object], timeout_ms: int = 30_000) -> None:
    waited = 0
    while not predicate():
        _settle(50)
        waited += 50
        if waited > timeout_ms:
            raise TimeoutError("the screen did not reach the expected state")


def _save(widget, path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    _settle(250)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = widget.grab()
    picture.scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation).save(str(path))


def _prepare_sample(window, practice_place) -> None:  # type: ignore[no-untyped-def]
    """The sample visit's keepsakes photographed, so the items screen shows pages."""
    from capture import importer, visits
    from capture.visits import ItemData, ItemKind

    vault = window.vault
    visit_id = visits.list_visits(vault)[-1].id
    for kind, title, sample in ((ItemKind.LETTER, "Thư gửi mẹ, 1972", "thu.jpg"),
                                (ItemKind.DIARY, "Nhật ký chiến trường", "nhat-ky.jpg"),
                                (ItemKind.MAP, "Bản đồ vẽ tay", "ban-do.jpg")):
        item_id = visits.add(vault, visit_id, ItemData(kind, title=title))
        importer.import_files(vault, item_id, [practice_place.samples / sample])


def make(out: Path, languages: tuple[str, ...] = ("vi", "en")) -> list[Path]:
    from capture.keyslots import KdfParams
    from capture.roles import Role
    from capture.vault import NewUser, StationSetup, Vault
    from ui import app as app_module
    from ui import i18n, tasks
    from ui.viewmodels import Page

    os.environ["SOHOA_HOME"] = tempfile.mkdtemp(prefix="sohoa-guide-")
    from capture import paths

    qt_app = app_module.create_app([])
    kdf = KdfParams.for_tests()  # a throwaway station: no need for a slow passphrase hash
    real, _ = Vault.create(paths.default_vault(), StationSetup("Đoàn Thanh niên phường Ba Đình",
                                                               1, 4),
                           NewUser("lan", "Nguyễn Thị Lan", "một câu thật dài để nhớ",
                                   Role.ADMIN), kdf=kdf)
    real.lock()
    made: list[Path] = []
    for language in languages:
        i18n.install(qt_app, language)
        window = app_module.AppWindow(paths.default_vault(), kdf=kdf)
        window.resize(1100, 760)
        window.show()
        folder = out / language

        def shot(name: str, window=window, folder=folder) -> None:  # type: ignore[no-untyped-def]
            _save(window, folder / f"{name}.png")
            made.append(folder / f"{name}.png")

        shot("login")

        def practising(role: Role, window=window) -> None:  # type: ignore[no-untyped-def]
            before = window.shell
            window.open_practice(role)
            _wait(lambda: window.in_practice and window.shell is not None
                  and window.shell is not before and window.current() is window.shell)

        practising(Role.VOLUNTEER)
        if language == languages[0]:
            _prepare_sample(window, window.practice)
        banner = window.shell.practice_banner
        editor = window.shell.page_widgets[Page.VISITS].editor
        for name, step in (("visit", 0), ("items", 2), ("testimony", 3), ("consent", 6)):
            banner.go_to(step)
            _wait(lambda step=step, editor=editor, banner=banner: editor.record is not None
                  and editor.tabs.currentIndex() == banner.steps[step].tab)
            if name == "items":
                _wait(lambda editor=editor: editor.pages.item is not None)
            shot(name)
        for role, page, name in ((Role.COORDINATOR, Page.REVIEW, "review"),
                                 (Role.OPERATOR, Page.SYNC, "sending"),
                                 (Role.ADMIN, Page.SETTINGS, "settings")):
            practising(role)
            window.shell.show_page(page)
            shot(name)
        window.leave_practice()
        tasks.wait_for_all()
        window.close()
        window.deleteLater()
        _settle()
    i18n.install(qt_app, "vi")
    return made


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else ROOT / "assets" / "guide" / "screens"
    for path in make(out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
