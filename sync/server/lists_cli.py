"""``sohoa-server lists import FILE …`` and ``lists list`` / ``lists withdraw ID``: the imported
lists from the server's console (sync/server/lists.py does the work and checks the roles).

``import`` prints the encoding it read, the mapping (the guesses with ``--map`` over them) and
every problem by the row a spreadsheet shows; with a problem, or ``--dry-run``, nothing is
written. ``--by`` names the account the import is recorded under (an admin or an analyst):
who imported is part of the provenance, so the console does not import as nobody.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from sync.server import list_files, lists
from sync.server.accounts import accounts
from sync.server.actors import Actor
from sync.server.casework_tables import LIST_KINDS
from sync.server.store import Store

SHOWN_PROBLEMS = 200


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    places = argparse.ArgumentParser(add_help=False)
    places.add_argument("--data", type=Path, default=Path("sohoa-server-data"),
                        help="the server's data folder")
    places.add_argument("--database", metavar="URL", help="an SQLAlchemy URL instead of the "
                        "SQLite file in --data")
    top = commands.add_parser("lists", help="import lists of martyrs, graves and witnesses")
    top.set_defaults(data=Path("sohoa-server-data"), database=None)
    sub = top.add_subparsers(dest="lists_command", required=True)
    run = sub.add_parser("import", parents=[places], help="import a CSV or XLSX list")
    run.add_argument("file", type=Path)
    run.add_argument("--kind", required=True, choices=LIST_KINDS)
    run.add_argument("--title", required=True, help="the list's name, e.g. 'Danh sách liệt "
                     "sĩ chưa tìm thấy hài cốt, huyện Cam Lộ'")
    run.add_argument("--source", required=True, help="where it came from: who gave it, when, "
                     "under which letter (kept with the import)")
    run.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                     help="a column's field, over the guess (repeatable); fields: "
                     + ", ".join(lists.FIELDS) + "; COLUMN= ignores the column")
    run.add_argument("--by", metavar="USERNAME",
                     help="the account it is recorded under (admin or analyst; not needed "
                          "with --dry-run)")
    run.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    run.add_argument("--replace", action="store_true",
                     help="the same file was imported before: withdraw that import and "
                          "import this one")
    sub.add_parser("list", parents=[places], help="every import, newest first")
    out = sub.add_parser("withdraw", parents=[places], help="take an import's rows out "
                         "(its record stays)")
    out.add_argument("import_id")
    out.add_argument("--by", required=True, metavar="USERNAME")


def _actor(store: Store, username: str) -> Actor:
    with store.begin() as conn:
        row = conn.execute(select(accounts.c.role, accounts.c.active).where(
            accounts.c.username == username)).first()
    if row is None or not row.active:
        raise lists.ListError("no_account", f"there is no active account {username!r}")
    return Actor(username, row.role)


def _print_report(checked: lists.Checked, out=None) -> None:  # type: ignore[no-untyped-def]
    # sys.stdout looked up at the call, not at import: a redirected or replaced stdout (a pipe
    # that was swapped, pytest's capture) must be the one written to.
    out = out if out is not None else sys.stdout
    for problem in checked.problems[:SHOWN_PROBLEMS]:
        where = f"row {problem.line}" if problem.line else "the file"
        column = f", column {problem.column!r}" if problem.column else ""
        value = f": {list_files.safe_cell(problem.value)!r}" if problem.value else ""
        print(f"  {where}{column}{value} — {problem.detail}", file=out)
    if checked.problem_count > SHOWN_PROBLEMS:
        print(f"  … and {checked.problem_count - SHOWN_PROBLEMS} more", file=out)


def run(args: argparse.Namespace) -> int:
    store = Store(args.database) if args.database else Store.in_folder(args.data)
    now = datetime.now(UTC)
    try:
        if args.lists_command == "list":
            with store.begin() as conn:
                found = lists.imports(conn, Actor("console", "admin"))
            for row in found:
                state = f"withdrawn {row['withdrawn_at']:%Y-%m-%d} by {row['withdrawn_by']}" \
                    if row["withdrawn_at"] else f"{row['rows_now']} rows"
                print(f"{row['id']}  {row['imported_at']:%Y-%m-%d %H:%M}  {row['kind']:<9}  "
                      f"{row['imported_by']:<12}  {state:<24}  "
                      f"{list_files.safe_cell(row['title'])}  ({row['filename']})")
            return 0
        if args.lists_command == "withdraw":
            with store.begin() as conn:
                lists.withdraw(conn, _actor(store, args.by), args.import_id, now)
            print(f"withdrawn: {args.import_id}")
            return 0
        if not args.dry_run and not args.by:
            raise lists.ListError("no_account", "say whose import it is: --by USERNAME (an "
                                  "admin or analyst account)")
        return _import(args, store, _actor(store, args.by) if args.by else None, now)
    except (lists.ListError, list_files.ListFileError) as error:
        print(f"sohoa-server lists: {error.detail}", file=sys.stderr)
        return 2


def _import(args: argparse.Namespace, store: Store, actor: Actor | None,
            now: datetime) -> int:
    started = time.monotonic()
    try:
        if args.file.stat().st_size > list_files.MAX_BYTES:
            raise list_files.ListFileError("too_large", f"the file is over "
                                           f"{list_files.MAX_BYTES // 2**20} MB: split it")
        data = args.file.read_bytes()
    except OSError as error:
        print(f"sohoa-server lists: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    grid = list_files.read(data, args.file.name)
    mapping = lists.parse_mapping(grid.header, args.map)
    sheet = f", sheet {grid.sheet!r}" if grid.sheet else ""
    print(f"{args.file.name}: {grid.encoding}{sheet}, {len(grid.rows)} rows")
    print("columns:")
    for column, target in zip(grid.header, mapping, strict=True):
        print(f"  {list_files.safe_cell(column)!r} -> {target or '(kept as extra)'}")
    checked = lists.check(grid, args.kind, mapping)
    if not checked.ok:
        print(f"{checked.problem_count} problems; nothing was imported:")
        _print_report(checked)
        return 1
    print(f"{len(checked.rows)} rows understood ({checked.skipped_empty} empty rows skipped)")
    if args.dry_run or actor is None:
        print("dry run: nothing was imported")
        return 0
    digest = hashlib.sha256(data).hexdigest()
    with store.begin() as conn:
        import_id = lists.import_list(conn, actor, checked, title=args.title,
                                      source=args.source, filename=args.file.name,
                                      sha256=digest, now=now, replace=args.replace)
    print(f"imported {len(checked.rows)} rows as {import_id} (sha256 {digest}) in "
          f"{time.monotonic() - started:.1f} s")
    return 0
