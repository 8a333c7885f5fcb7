"""What every screenshot script needs: a throwaway SOHOA_HOME, the app as it starts (bundled
font, style, Vietnamese), and ways to wait for the screen and save it.

    kit = ShotKit.start("sohoa-shots-")      # before importing anything that reads SOHOA_HOME
    kit.shot(widget, "01-name")             # writes screenshots/01-name.png (gitignored)
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


class ShotKit:
    def __init__(self, out: Path, app) -> None:  # type: ignore[no-untyped-def]
        self.out = out
        self.app = app

    @classmethod
    def start(cls, prefix: str) -> ShotKit:
        out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        os.environ["SOHOA_HOME"] = tempfile.mkdtemp(prefix=prefix)
        from ui import app as app_module
        from ui import i18n

        app = app_module.create_app([])
        i18n.install(app, "vi")
        return cls(out, app)

    def settle(self, ms: int = 150) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_until(self, predicate: Callable[[], object], timeout_ms: int = 20_000) -> None:
        waited = 0
        while not predicate():
            self.settle(50)
            waited += 50
            if waited > timeout_ms:
                raise TimeoutError("the screen did not reach the expected state")

    def shot(self, widget, name: str) -> None:  # type: ignore[no-untyped-def]
        self.settle()
        widget.grab().save(str(self.out / f"{name}.png"))
        print(self.out / f"{name}.png")
