"""``sohoa-server``: the command server's tools.

    sohoa-server init       --data DIR      make the command's keys and database
    sohoa-server enrol-code --data DIR      a one-time code for one station
                [--url URL [--qr FILE]]     … and the enrolment link, also as a QR image
    sohoa-server ingest FILE --data DIR     a batch that came on a USB stick
                [--receipt OUT]             … and its signed receipt, to take back to the station
    sohoa-server batches    --data DIR      what was received, from which station, when

    sohoa-server serve      --data DIR      enrolment, tus uploads, receipts, status page

    sohoa-server cases link IN.csv --out OUT.csv   martyr mentions linked into cases (Splink)

Each takes ``--database URL`` for a PostgreSQL server (``postgresql+psycopg://…``) instead of
the SQLite file in the data folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sync.enrol_link import EnrolLink, fingerprint
from sync.errors import SyncError
from sync.server.cases import cli as cases_cli
from sync.server.ingest import Rejected, ingest
from sync.server.keys import CommandKeys
from sync.server.store import Store


def _version() -> str:
    try:
        return metadata.version("sohoa-ky-uc")
    except metadata.PackageNotFoundError:
        return "unknown"


def _enrol_code(args: argparse.Namespace, store: Store, keys: CommandKeys,
                now: datetime) -> int:
    if args.qr and not args.url:
        print("sohoa-server: --qr needs --url (the link in the QR code carries the address)",
              file=sys.stderr)
        return 2
    code = store.new_enrolment_code(now)
    print(code)
    if args.url:
        link = EnrolLink(args.url.rstrip("/"), code,
                         fingerprint(keys.recipient, keys.signing_public))
        print(link.text())
        if args.qr:
            args.qr.write_bytes(link.qr_png())
            print(f"QR code: {args.qr}")
    return 0


def _store(args: argparse.Namespace) -> Store:
    return Store(args.database) if args.database else Store.in_folder(args.data)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sohoa-server",
        description="The command server of Số hóa ký ức: receives, verifies and archives the "
                    "stations' batches.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("init", "make the command's keys and database"),
                       ("enrol-code", "print a one-time enrolment code for one station"),
                       ("ingest", "ingest a batch file (from a USB stick)"),
                       ("batches", "list the batches received"),
                       ("serve", "serve enrolment, tus uploads, receipts and the status page")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--data", type=Path, default=Path("sohoa-server-data"),
                         help="the server's data folder")
        sub.add_argument("--database", metavar="URL",
                         help="the database as an SQLAlchemy URL, e.g. "
                              "postgresql+psycopg://user@host/sohoa (default: SQLite in --data)")
        if name == "enrol-code":
            sub.add_argument("--url", help="the address stations reach this server at; with it, "
                             "the code is also printed as an enrolment link")
            sub.add_argument("--qr", type=Path, help="also write the link as a QR image (PNG)")
        if name == "ingest":
            sub.add_argument("file", type=Path)
            sub.add_argument("--receipt", type=Path,
                             help="also write the signed receipt here, for the station to load")
        if name == "serve":
            sub.add_argument("--host", default="127.0.0.1")
            sub.add_argument("--port", type=int, default=8470)
    cases_cli.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data: Path = args.data
    now = datetime.now(UTC)
    try:
        if args.command == "cases":
            return cases_cli.run(args)
        if args.command == "init":
            keys = CommandKeys.create(data / "keys")
            _store(args)
            print(f"age recipient (stations encrypt to it): {keys.recipient}")
            print(f"receipt key (Ed25519, hex): {keys.signing_public.hex()}")
            return 0
        if args.command == "serve":
            import uvicorn

            from sync.server.app import ServerConfig, create_app

            uvicorn.run(create_app(ServerConfig(data, database_url=args.database)),
                        host=args.host, port=args.port, log_level="info")
            return 0
        keys = CommandKeys.load(data / "keys")
        store = _store(args)
        if args.command == "enrol-code":
            return _enrol_code(args, store, keys, now)
        if args.command == "batches":
            for row in store.list_batches():
                print(f"{row['received_at']}  {row['station_id']}  {row['batch_id']}  "
                      f"{row['payload_files']} files  {row['payload_bytes']} bytes")
            return 0
        outcome = ingest(args.file, store, keys, data / "archive")
        if args.receipt:
            args.receipt.write_text(outcome.receipt.to_json() + "\n", encoding="utf-8")
        print(json.dumps({"replayed": outcome.replayed, **outcome.receipt.body},
                         ensure_ascii=False, indent=1))
        return 0
    except Rejected as rejection:
        print(f"sohoa-server: batch rejected ({rejection.reason}): {rejection.detail}",
              file=sys.stderr)
        return 3
    except SyncError as error:
        print(f"sohoa-server: {error.__doc__ or error}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
