"""``sohoa report``, ``sohoa guide`` and ``sohoa coords``."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from capture import paths
from capture.vault import Vault
from ui.cli.common import passphrase, translate


def add_report_parser(commands) -> None:  # type: ignore[no-untyped-def]
    sub = commands.add_parser("report", help="the station's figures for a period, as a JSON, "
                              "XLSX or PDF file (coordinator or admin)")
    when = sub.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", help="2026-11, 2026-W48, 2026-Q4, 2026-H2, 2026 or campaign")
    when.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD",
                      help="first day of a date range (with --to)")
    sub.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="last day of the range")
    sub.add_argument("--by", choices=["commune", "station"], default=None,
                     help="also break the figures down by commune or station")
    sub.add_argument("--cutoff-rule", choices=["calendar", "decree-09"], default=None,
                     help="period boundaries: calendar, or Decree 09/2019 (15th to 14th); "
                     "default: the app's setting")
    sub.add_argument("--as-of", default=None, metavar="DATE[THH:MM]",
                     help="count what was recorded before this instant; a date means the end "
                     "of that day (default: the end of today)")
    sub.add_argument("--format", choices=["json", "xlsx", "pdf"], required=True)
    sub.add_argument("--out", type=Path, required=True, help="the file to write")
    sub.add_argument("--vault", type=Path, default=None, help="vault folder")
    sub.add_argument("--user", required=True, help="your user name")
    sub.add_argument("--passphrase-stdin", action="store_true",
                     help="read the passphrase from the first line of standard input")


def report(args: argparse.Namespace) -> int:
    from capture import kpis, report_files, station_report
    from ui import i18n
    from ui import settings as app_settings

    if (args.date_from is None) != (args.date_to is None):
        print(translate("cli", "Give both --from and --to, or a --period."), file=sys.stderr)
        return 2
    start = end = None
    if args.date_from is not None:
        try:
            start, end = date.fromisoformat(args.date_from), date.fromisoformat(args.date_to)
        except ValueError:
            raise kpis.InvalidPeriod(text=f"{args.date_from}..{args.date_to}"[:40]) from None
    rule = args.cutoff_rule or app_settings.load().report_cutoff_rule
    path = args.vault or paths.default_vault()
    vault = Vault(path)
    today = kpis.local_day(vault.clock())
    as_of = kpis.parse_cutoff(args.as_of) if args.as_of else kpis.end_of_day(today)
    unlocked = vault.unlock(args.user, passphrase(args.passphrase_stdin))
    try:
        data = station_report.build(unlocked, as_of, period=args.period, start=start, end=end,
                                    rule=rule, by=args.by)
        signer = unlocked.actor.full_name
    finally:
        unlocked.lock()
    letterhead = report_files.station_letterhead(data, today, signer)
    try:
        report_files.save(data, args.out, args.format, letterhead)
    except OSError:
        print(translate("cli", "The file {path} cannot be written: check the folder and the "
                        "free space.").format(path=args.out), file=sys.stderr)
        return 2
    print(translate("cli", "Report for {period} written to {path}; it counts what was recorded "
                    "before {cutoff} ({rule}).").format(
        period=data["period"]["title"][i18n.current_language()], path=args.out,
        cutoff=data["snapshot"]["as_of"], rule=data["period"]["cutoff_rule"]))
    return 0


def add_guide_parser(commands) -> None:  # type: ignore[no-untyped-def]
    sub = commands.add_parser("guide", help="the volunteer's field handbook (A5) or one-page "
                              "checklist, as PDF, from the same source as the in-app guide")
    what = sub.add_mutually_exclusive_group(required=True)
    what.add_argument("--handbook", type=Path, metavar="OUT.pdf", help="write the handbook")
    what.add_argument("--checklist", type=Path, metavar="OUT.pdf", help="write the checklist")
    sub.add_argument("--guide-lang", choices=["vi", "en"], default=None,
                     help="language of the handbook (default: the language of messages)")


def guide(args: argparse.Namespace) -> int:
    from capture import handbook
    from ui import i18n

    language = args.guide_lang or i18n.current_language()
    out = args.handbook or args.checklist
    write = handbook.write_handbook if args.handbook else handbook.write_checklist
    try:
        write(out, language)
    except OSError:
        print(translate("cli", "The file {path} cannot be written: check the folder and the "
                        "free space.").format(path=out), file=sys.stderr)
        return 2
    print(translate("cli", "Written: {path}").format(path=out))
    return 0


def add_coords_parser(commands) -> None:  # type: ignore[no-untyped-def]
    coords = commands.add_parser(
        "coords", help="read the coordinates in texts (JSON, one coordinate a line)")
    coords.add_argument("texts", nargs="+", metavar="TEXT",
                        help="texts to read; '-' reads standard input, one text a line")
    coords.add_argument("--near", metavar="LAT,LON", type=_lat_lon, default=None,
                        help="a reference point (e.g. the commune): ranks readings by distance")
    coords.add_argument("--province", default="",
                        help="the province (for VN-2000 X/Y without a central meridian)")
    coords.add_argument("--best", action="store_true",
                        help="only the most plausible reading of each coordinate")


def _lat_lon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in text.replace(";", ",").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not LAT,LON: {text!r} (try 16.75,107.18)") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise argparse.ArgumentTypeError(f"not LAT,LON: {text!r}")
    return lat, lon


def coords(args: argparse.Namespace) -> int:
    """One JSON object per coordinate read (every ranked reading unless --best); nothing for a
    text with none. 'input' is the text's index among the texts given ('-' adds one per line)."""
    import json

    from capture.coords import Context, CoordinateReader

    texts: list[str] = []
    for text in args.texts:
        if text == "-":
            texts.extend(line.rstrip("\r\n") for line in sys.stdin)
        else:
            texts.append(text)
    reader = CoordinateReader()
    context = Context(reference=args.near, province=args.province)
    for index, text in enumerate(texts):
        found = reader.best(text, context) if args.best else reader.find(text, context)
        for coordinate in found:
            print(json.dumps({**coordinate.as_json(), "input": index}, ensure_ascii=False),
                  flush=False)
    sys.stdout.flush()
    return 0
