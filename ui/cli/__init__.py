"""The operators' and admins' command line (one file per command group beside this one, which
parses and dispatches): ``sohoa vault check``, ``sohoa vault info``,
``sohoa import``, ``sohoa sync enrol / build / upload / status / usb / receipt``.

It speaks the user's language through the same Qt translations as the app (QCoreApplication,
no window), and every failure is one sentence from ``ui.errors.user_message``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from capture.errors import CaptureError
from capture.visits import ItemKind
from sync.errors import SyncError
from ui.cli.reports import (
    add_coords_parser,
    add_guide_parser,
    add_report_parser,
    coords,
    guide,
    report,
)
from ui.cli.sync import add_sync_parser, sync
from ui.cli.vault import check, import_media, info


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
            sub.add_argument("--sweep", action="store_true",
                             help="then remove the stored files no record uses any more")
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
    add_sync_parser(commands)
    add_report_parser(commands)
    add_coords_parser(commands)
    add_guide_parser(commands)
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    app = QCoreApplication.instance() or QCoreApplication(["sohoa"])
    from ui import errors, i18n

    i18n.install(app, args.lang)
    try:
        if args.command == "vault" and args.vault_command == "check":
            return check(args)
        if args.command == "import":
            return import_media(args)
        if args.command == "sync":
            return sync(args)
        if args.command == "report":
            return report(args)
        if args.command == "coords":
            return coords(args)
        if args.command == "guide":
            return guide(args)
        return info(args)
    except (CaptureError, SyncError) as error:
        print(errors.user_message(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
