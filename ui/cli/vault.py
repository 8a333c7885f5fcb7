"""``sohoa vault check``, ``sohoa vault info`` and ``sohoa import``."""

from __future__ import annotations

import argparse
import sys

from capture import paths
from capture.check import check_vault
from capture.importer import find_media, import_files
from capture.sweep import sweep
from capture.vault import Vault
from capture.visits import ItemData, ItemKind, add, load_visit
from ui.cli.common import human_size, passphrase, translate


def check(args: argparse.Namespace) -> int:
    path = args.vault or paths.default_vault()
    unlocked = Vault(path).unlock(args.user, passphrase(args.passphrase_stdin))
    try:
        report = check_vault(unlocked)
        swept = sweep(unlocked) if args.sweep else None
    finally:
        unlocked.lock()
    if args.json:
        print(report.as_json())
    else:
        print(translate("cli", "Checked {pages} database pages, {tables} tables, "
                        "{events} audit events and {objects} stored files ({size}).").format(
            pages=report.pages_checked, tables=report.tables_checked,
            events=report.audit_events, objects=report.objects_checked,
            size=human_size(report.bytes_checked)))
        if report.ok:
            print(translate("cli", "Nothing is damaged."))
        else:
            print(translate("cli", "{count} problems found:").format(
                count=len(report.problems)))
            for problem in report.problems:
                print(f"  - [{problem.area}] {problem.subject}: {problem.detail}")
        if report.unreferenced_objects and swept is None:
            print(translate("cli", "{count} stored files ({size}) are used by no record any "
                            "more; 'sohoa vault check --sweep' removes them.").format(
                count=report.unreferenced_objects, size=human_size(report.unreferenced_bytes)))
    if swept is not None:
        print(translate("cli", "Removed {count} stored files no record used ({size}).").format(
            count=swept.removed, size=human_size(swept.bytes)),
            file=sys.stderr if args.json else sys.stdout)
    return 0 if report.ok else 1


def import_media(args: argparse.Namespace) -> int:
    from ui import errors

    path = args.vault or paths.default_vault()
    files = find_media(args.paths)
    unlocked = Vault(path).unlock(args.user, passphrase(args.passphrase_stdin))
    try:
        if args.item:
            item_id = args.item
        elif not args.new_item and len(items := load_visit(unlocked, args.visit).items) == 1:
            item_id = items[0].id
        else:
            item_id = add(unlocked, args.visit, ItemData(ItemKind(args.new_item or "photograph"),
                                                         title=args.title))
            print(translate("cli", "New item: {id}").format(id=item_id))
        labels = {"imported": translate("cli", "imported"),
                  "duplicate": translate("cli", "already imported"),
                  "failed": translate("cli", "failed"),
                  "cancelled": translate("cli", "cancelled")}

        def show(done: int, total: int, outcome) -> None:  # type: ignore[no-untyped-def]
            line = f"[{done}/{total}] {labels[outcome.status]}: {outcome.path}"
            problem = outcome.error or outcome.warning
            if problem is not None:
                line += " — " + errors.user_message(problem)
            print(line, flush=True)

        report = import_files(unlocked, item_id, files, progress=show)
        _make_pictures(unlocked, item_id)
    finally:
        unlocked.lock()
    print(translate("cli", "{imported} imported ({size}), {duplicates} already there, "
                    "{failed} failed.").format(
        imported=report.imported, size=human_size(report.bytes_imported),
        duplicates=report.duplicates, failed=report.failed))
    return 1 if report.failed else 0


def _make_pictures(vault, item_id: str) -> None:  # type: ignore[no-untyped-def]
    """What the app's after-import pass does: previews, and a camera photo's own thumbnail and
    quality hints instead of its camera's. The photos are already safe; Ctrl+C stops this and
    the rest is made when a photo is first viewed."""
    from capture import media

    waiting = media.pages_without_preview(vault, item_id)
    if not waiting:
        return
    print(translate("cli", "Making thumbnails and previews of {count} photos "
                    "(Ctrl+C stops; the photos are already stored)…").format(
        count=len(waiting)), flush=True)
    try:
        media.make_missing_previews(vault, waiting)
    except KeyboardInterrupt:
        print(translate("cli", "Stopped: the rest are made when the photos are first viewed."))


def info(args: argparse.Namespace) -> int:
    path = args.vault or paths.default_vault()
    Vault(path)  # raises VaultNotFound with a clear message
    files = [p for p in (path / "objects").rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(translate("cli", "Vault: {path}").format(path=path))
    print(translate("cli", "Stored files: {count}; size on disk: {size}.").format(
        count=len(files), size=human_size(total)))
    print(translate("cli", "Everything in it is encrypted; unlock it in the app or with "
                    "'sohoa vault check'."))
    return 0
