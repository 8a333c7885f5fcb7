"""``sohoa-server cases link IN.csv --out OUT.csv``: a mentions file linked into cases.

Reads every row first (a malformed row is reported with its line, and nothing is written),
trains the model on the file (u from random pairs, m by EM; ``--no-train`` uses the shipped
parameters), writes ``mention_id, case_id`` for every row, and optionally the review list.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

SHOWN_PROBLEMS = 50


def add_parser(commands: argparse._SubParsersAction) -> None:
    cases = commands.add_parser("cases", help="link martyr mentions into cases (Splink)")
    cases.set_defaults(data=None, database=None)
    sub = cases.add_subparsers(dest="cases_command", required=True)
    link = sub.add_parser("link", help="link a mentions CSV file into cases")
    link.add_argument("input", type=Path, help="CSV (UTF-8) with mention_id, full_name, "
                      "other_names, birth_year, home_town, unit, death_date, death_place")
    link.add_argument("--out", type=Path, required=True, help="mention_id, case_id (CSV)")
    link.add_argument("--review", type=Path, help="also write the pairs waiting for a person")
    link.add_argument("--model", type=Path, help="model JSON (default: the shipped model)")
    link.add_argument("--save-model", type=Path, help="write the model as trained on this file")
    link.add_argument("--no-train", action="store_true",
                      help="use the model's parameters as they are (small files)")
    link.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    link.add_argument("--seed", type=int, default=15, help="seed of the random pairs for u")
    relink = sub.add_parser("relink", help="link every mention the command holds into its "
                            "cases (people's decisions kept)")
    relink.add_argument("--if-changed", action="store_true",
                        help="do nothing when nothing changed since the last run")
    relink.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    decisions = sub.add_parser("decisions", help="the pairs people decided, labelled, for "
                               "the next training")
    decisions.add_argument("--out", type=Path, required=True, help="CSV to write")
    for command in (relink, decisions):
        command.add_argument("--data", type=Path, default=Path("sohoa-server-data"),
                             help="the server's data folder")
        command.add_argument("--database", metavar="URL",
                             help="the database as an SQLAlchemy URL (default: SQLite in "
                                  "--data)")


def _atomic_csv(path: Path, header: list[str], rows) -> None:
    """Written beside the target and renamed: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    if args.cases_command == "relink":
        return _relink(args)
    if args.cases_command == "decisions":
        return _decisions(args)
    return _link(args)


def _store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from sync.server.store import Store

    return Store(args.database) if args.database else Store.in_folder(args.data)


def _relink(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sync.server.cases.relink import relink

    logging.getLogger("splink").setLevel(logging.ERROR)
    store = _store(args)
    with store.begin() as conn:
        run = relink(conn, datetime.now(UTC), "cli", only_if_changed=args.if_changed,
                     threads=args.threads)
    if run.skipped:
        print("nothing changed since the last run: the cases are as they were")
    else:
        print(f"{run.mentions} mentions -> {run.cases} cases ({run.changed_cases} changed), "
              f"{run.pairs} pairs waiting for a person ({run.seconds:.1f} s)")
    return 0


def _decisions(args: argparse.Namespace) -> int:
    from sync.server.cases.casework import DECISION_COLUMNS, decisions
    from sync.server.cases.sources import FIELDS

    store = _store(args)
    with store.begin() as conn:
        rows = decisions(conn)
    header = [*DECISION_COLUMNS, *(f"{side}_{name}" for side in ("left", "right")
                                   for name in FIELDS)]
    _atomic_csv(args.out, header, ([_cell(row[h]) for h in header] for row in rows))
    print(f"{len(rows)} decided pairs -> {args.out}")
    return 0


def _cell(value: object) -> str:
    """A spreadsheet opens this file: a cell that starts like a formula stays text."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _link(args: argparse.Namespace) -> int:
    from sync.server.cases.linker import MODEL_PATH, SMALL_FILE, link_table, load_model
    from sync.server.cases.mentions import MentionsError, feature_table, read_mentions
    from sync.server.cases.normalise import admin_index

    started = time.monotonic()
    # Splink tells every untrainable level on the log; the figures that matter are printed below
    logging.getLogger("splink").setLevel(logging.ERROR)
    try:
        mentions = read_mentions(args.input)
    except MentionsError as error:
        print(f"sohoa-server: {args.input} was not linked ({len(error.problems)} problem(s); "
              "nothing was written):", file=sys.stderr)
        for problem in error.problems[:SHOWN_PROBLEMS]:
            print(f"  {problem}", file=sys.stderr)
        if len(error.problems) > SHOWN_PROBLEMS:
            print(f"  … and {len(error.problems) - SHOWN_PROBLEMS} more", file=sys.stderr)
        return 2
    try:
        model = load_model(args.model or MODEL_PATH)
    except (OSError, ValueError) as error:
        print(f"sohoa-server: cannot read the model {args.model}: {error}", file=sys.stderr)
        return 2
    table = feature_table(mentions, admin_index())
    train = not args.no_train and len(mentions) >= SMALL_FILE  # EM needs pairs to learn from
    linkage = link_table(table, model, train_model=train, seed=args.seed, threads=args.threads)
    _atomic_csv(args.out, ["mention_id", "case_id"],
                ((m.mention_id, linkage.case_of[m.mention_id]) for m in mentions))
    if args.review:
        names = list(linkage.review[0].reasons) if linkage.review else []
        _atomic_csv(args.review,
                    ["mention_id_left", "mention_id_right", "match_probability",
                     "held_apart", *names],
                    ((r.left, r.right, f"{r.match_probability:.4f}",
                      "yes" if r.held_apart else "",
                      *(f"{r.reasons[n][0]} ({r.reasons[n][1]:+.1f})" for n in names))
                     for r in linkage.review))
    if args.save_model:
        args.save_model.write_text(json.dumps(linkage.model, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    cases = len(set(linkage.case_of.values()))
    print(f"{len(mentions)} mentions -> {cases} cases, {len(linkage.review)} pairs to review"
          f" ({'trained on this file' if train else 'shipped parameters'}, "
          f"{time.monotonic() - started:.1f} s) -> {args.out}")
    return 0
