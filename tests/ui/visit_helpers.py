"""Shared steps for the visit UI tests: a volunteer's workspace, photos like a camera's."""

from __future__ import annotations

from pathlib import Path

from capture import visits
from capture.visits import ItemData, ItemKind
from tests.capture import mediafiles as mf
from ui.pages.visits import VisitsPage
from ui.shell import Shell
from ui.viewmodels import Page


def visits_page(qtbot, vault) -> tuple[Shell, VisitsPage]:  # type: ignore[no-untyped-def]
    shell = Shell(vault)
    qtbot.addWidget(shell)
    shell.resize(1200, 800)
    shell.show()
    shell.show_page(Page.VISITS)
    page = shell.page_widgets[Page.VISITS]
    assert isinstance(page, VisitsPage)
    return shell, page


def photos(folder: Path, count: int, size: tuple[int, int] = (400, 300)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [mf.save_jpeg(folder / f"IMG_{n:04d}.JPG", mf.photo(*size, seed=n),
                         taken=f"2024:05:01 10:{n // 60:02d}:{n % 60:02d}")
            for n in range(count)]


def visit_with_item(vault) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from capture import station

    info = station.info(vault)
    visit_id = visits.create_visit(vault, visits.Household(info.province_code, info.ward_code))
    item_id = visits.add(vault, visit_id, ItemData(ItemKind.DIARY, title="Nhật ký 1968"))
    return visit_id, item_id


def open_pages(qtbot, vault, visit_id: str):  # type: ignore[no-untyped-def]
    """The app's Visits page with the visit open on its items: (shell, the pages panel of its
    first item)."""
    shell, page = visits_page(qtbot, vault)
    page.open_visit(visit_id)
    editor = page.editor
    qtbot.waitUntil(lambda: editor.record is not None, timeout=10_000)
    editor.tabs.setCurrentWidget(editor.items)
    qtbot.waitUntil(lambda: editor.pages.item is not None, timeout=10_000)
    return shell, editor.pages
