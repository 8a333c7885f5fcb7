"""The operators' and admins' command line: ``sohoa vault check``, ``sohoa vault info``.

It speaks the user's language through the same Qt translations as the app (QCoreApplication,
no window), and every failure is one sentence from ``ui.errors.user_message``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from capture import paths
from capture.check import check_vault
from capture.errors import CaptureError
from capture.importer import find_media, import_files
from capture.vault import Vault
from capture.visits import ItemData, ItemKind, add, load_visit

translate = QCoreApplication.translate


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sohoa", description="Số hóa ký ức — station tools")
    parser.add_argument("--lang", choices=["vi", "en"], default=None,
                        help="language of messages (default: the app's setting, Vietnamese)")
    commands = parser.add_subparsers(dest="command", required=True)
    vault = commands.add_parser("vault", help="the station vault").add_subparsers(
        dest="vault_command", required=True)
    for name, text in (("check", "verify every page, object and audit event"),
                       ("info", "show where the vault is and what it holds, without unlocking")):
        sub = vault.add_parser(name, help=text)
        sub.add_argument("--vault", type=Path, default=None, help="vault folder")
        if name == "check":
            sub.add_argument("--user", required=True, help="your user name")
            sub.add_argument("--passphrase-stdin", action="store_true",
                             help="read the passphrase from the first line of standard input")
            sub.add_argument("--json", action="store_true", help="print the report as JSON")
    imports = commands.add_parser("import", help="import photos and videos into a visit")
    imports.add_argument("paths", nargs="+", type=Path,
                         help="files, folders, a memory card or a phone")
    imports.add_argument("--visit", required=True, help="the visit's id")
    target = imports.add_mutually_exclusive_group()
    target.add_argument("--item", help="add pages to this item")
    target.add_argument("--new-item", choices=[k.value for k in ItemKind],
                        help="make a new item of this kind (default: photograph)")
    imports.add_argument("--title", default="", help="title of the new item")
    imports.add_argument("--vault", type=Path, default=None, help="vault folder")
    imports.add_argument("--user", required=True, help="your user name")
    imports.add_argument("--passphrase-stdin", action="store_true",
                         help="read the passphrase from the first line of standard input")
    return parser


def _passphrase(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(translate("cli", "Passphrase: "))


def _human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _check(args: argparse.Namespace) -> int:
    path = args.vault or paths.default_vault()
    unlocked = Vault(path).unlock(args.user, _passphrase(args.passphrase_stdin))
    try:
        report = check_vault(unlocked)
    finally:
        unlocked.lock()
    if args.json:
        print(report.as_json())
    else:
        print(translate("cli", "Checked {pages} database pages, {tables} tables, "
                        "{events} audit events and {objects} stored files ({size}).").format(
            pages=report.pages_checked, tables=report.tables_checked,
            events=report.audit_events, objects=report.objects_checked,
            size=_human_size(report.bytes_checked)))
        if report.ok:
            print(translate("cli", "Nothing is damaged."))
        else:
            print(translate("cli", "{count} problems found:").format(
                count=len(report.problems)))
            for problem in report.problems:
                print(f"  - [{problem.area}] {problem.subject}: {problem.detail}")
    return 0 if report.ok else 1


def _import(args: argparse.Namespace) -> int:
    from ui import errors

    path = args.vault or paths.default_vault()
    files = find_media(args.paths)
    unlocked = Vault(path).unlock(args.user, _passphrase(args.passphrase_stdin))
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
    finally:
        unlocked.lock()
    print(translate("cli", "{imported} imported ({size}), {duplicates} already there, "
                    "{failed} failed.").format(
        imported=report.imported, size=_human_size(report.bytes_imported),
        duplicates=report.duplicates, failed=report.failed))
    return 1 if report.failed else 0


def _info(args: argparse.Namespace) -> int:
    path = args.vault or paths.default_vault()
    Vault(path)  # raises VaultNotFound with a clear message
    files = [p for p in (path / "objects").rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    print(translate("cli", "Vault: {path}").format(path=path))
    print(translate("cli", "Stored files: {count}; size on disk: {size}.").format(
        count=len(files), size=_human_size(total)))
    print(translate("cli", "Everything in it is encrypted; unlock it in the app or with "
                    "'sohoa vault check'."))
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    app = QCoreApplication.instance() or QCoreApplication(["sohoa"])
    from ui import errors, i18n

    i18n.install(app, args.lang)
    try:
        if args.command == "vault" and args.vault_command == "check":
            return _check(args)
        if args.command == "import":
            return _import(args)
        return _info(args)
    except CaptureError as error:
        print(errors.user_message(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
