"""The operators' and admins' command line: ``sohoa vault check``, ``sohoa vault info``,
``sohoa import``, ``sohoa sync enrol / build / upload / status / usb / receipt``.

It speaks the user's language through the same Qt translations as the app (QCoreApplication,
no window), and every failure is one sentence from ``ui.errors.user_message``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from capture import paths
from capture.check import check_vault
from capture.errors import CaptureError
from capture.importer import find_media, import_files
from capture.sweep import sweep
from capture.vault import Vault
from capture.visits import ItemData, ItemKind, add, load_visit
from sync.errors import SyncError

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
    _sync_parser(commands)
    _report_parser(commands)
    _coords_parser(commands)
    _guide_parser(commands)
    return parser


def size_argument(text: str) -> int:
    """A size as people write it: 2G, 500k, 1.5M or bytes (binary units)."""
    cleaned = text.strip().upper().removesuffix("B").removesuffix("I")
    factor = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}.get(cleaned[-1:], 1)
    number = cleaned[:-1] if factor > 1 else cleaned
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 2G, 500k or 1048576)") \
            from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    return int(value * factor)


def _sync_parser(commands) -> None:  # type: ignore[no-untyped-def]
    sync = commands.add_parser("sync", help="send batches to the command").add_subparsers(
        dest="sync_command", required=True)
    subs = {name: sync.add_parser(name, help=text) for name, text in (
        ("enrol", "enrol this station with the command (station admin)"),
        ("build", "pack what is ready to send into encrypted batch files"),
        ("upload", "upload batches to the command and wait for its receipts"),
        ("status", "list the outgoing batches"),
        ("usb", "write a batch to a USB drive or folder"),
        ("receipt", "load the receipt the command gave for a batch that went on USB"))}
    subs["enrol"].add_argument("url", help="the command server's address, or the whole "
                               "sohoa-enrol: link")
    subs["enrol"].add_argument("code", nargs="?", default=None,
                               help="the one-time enrolment code (not needed with a link)")
    subs["enrol"].add_argument("--keys", default=None, metavar="FINGERPRINT",
                               help="the command's keys fingerprint from the printed sheet "
                               "(8 groups of 4; not needed with a link that has keys=)")
    subs["build"].add_argument("--size-cap", type=size_argument, default=None,
                               help="largest batch file, e.g. 2G or 700M (default 2G)")
    target = subs["upload"].add_mutually_exclusive_group(required=True)
    target.add_argument("id", nargs="?", default=None, help="the batch (its first characters)")
    target.add_argument("--all", action="store_true", help="every batch not yet delivered")
    subs["upload"].add_argument("--limit", type=size_argument, default=None,
                                help="bandwidth cap per second, e.g. 500k")
    subs["usb"].add_argument("id", help="the batch (its first characters)")
    subs["usb"].add_argument("destination", type=Path, help="the USB drive's folder")
    subs["receipt"].add_argument("file", type=Path, help="the receipt file from the command")
    for sub in subs.values():
        sub.add_argument("--vault", type=Path, default=None, help="vault folder")
        sub.add_argument("--user", required=True, help="your user name")
        sub.add_argument("--passphrase-stdin", action="store_true",
                         help="read the passphrase from the first line of standard input")


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
            size=_human_size(report.bytes_checked)))
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
                count=report.unreferenced_objects, size=_human_size(report.unreferenced_bytes)))
    if swept is not None:
        print(translate("cli", "Removed {count} stored files no record used ({size}).").format(
            count=swept.removed, size=_human_size(swept.bytes)),
            file=sys.stderr if args.json else sys.stdout)
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
        _make_pictures(unlocked, item_id)
    finally:
        unlocked.lock()
    print(translate("cli", "{imported} imported ({size}), {duplicates} already there, "
                    "{failed} failed.").format(
        imported=report.imported, size=_human_size(report.bytes_imported),
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


def _state_label(state: str) -> str:
    return {"built": translate("cli", "ready to send"),
            "uploading": translate("cli", "uploading (resumes)"),
            "delivered": translate("cli", "delivered"),
            "refused": translate("cli", "refused")}.get(state, state)


def _find_batch(vault, prefix: str):  # type: ignore[no-untyped-def]
    from capture.outbox import BatchNotFound
    from sync import outbox

    found = [b for b in outbox.status(vault) if b.id.startswith(prefix.strip().lower())]
    if len(found) != 1 or not prefix.strip():
        raise BatchNotFound()
    return found[0]


def _part(batch) -> str:  # type: ignore[no-untyped-def]
    return f"{batch.part}/{batch.parts}"


def _sync(args: argparse.Namespace) -> int:
    from sync import outbox

    path = args.vault or paths.default_vault()
    unlocked = Vault(path).unlock(args.user, _passphrase(args.passphrase_stdin))
    try:
        if args.sync_command in ("upload", "status"):
            # Receipts that came while the app's vault was locked (an upload runs on)
            for done in outbox.record_kept_receipts(unlocked):
                print(translate("cli", "Batch {id}, part {part}: delivered; the command's "
                                "receipt is verified.").format(id=done.id[:8], part=_part(done)))
        return {"enrol": _sync_enrol, "build": _sync_build, "upload": _sync_upload,
                "status": _sync_status, "usb": _sync_usb,
                "receipt": _sync_receipt}[args.sync_command](unlocked, args, outbox)
    finally:
        unlocked.lock()


def _sync_enrol(vault, args: argparse.Namespace, outbox) -> int:  # type: ignore[no-untyped-def]
    from sync import enrol_link

    url, code, keys, tls = args.url, args.code, args.keys, None
    if url.strip().lower().startswith(enrol_link.SCHEME + ":"):
        link = enrol_link.parse(url)
        url, code, tls = link.server_url, code or link.code, link.tls_sha256
        keys = keys or link.keys_fingerprint
    if not code:
        print(translate("cli", "Give the one-time code after the address, or the whole "
                        "enrolment link."), file=sys.stderr)
        return 2
    if not keys:
        print(translate("cli", "Give the command's keys fingerprint with --keys: it is on the "
                        "sheet 'sohoa-server enrol-code' printed, 8 groups of 4 characters "
                        "(e.g. --keys \"9F3C 1A2B ...\")."), file=sys.stderr)
        return 2
    try:
        enrolled = outbox.enrol(vault, url, code, keys, tls=tls)
    except enrol_link.KeysMismatch as mismatch:
        from ui import errors

        print(errors.user_message(mismatch), file=sys.stderr)
        print(translate("cli", "On the sheet: {expected}").format(
            expected=enrol_link.grouped(mismatch.expected)), file=sys.stderr)
        print(translate("cli", "The server answered: {answered}").format(
            answered=enrol_link.grouped(mismatch.answered)), file=sys.stderr)
        return 2
    print(translate("cli", "Enrolled with the command at {url}.").format(url=enrolled.server_url))
    if enrolled.tls_certificate:
        print(translate("cli", "Its TLS certificate is pinned: no other is accepted."))
    return 0


def _sync_build(vault, args: argparse.Namespace, outbox) -> int:  # type: ignore[no-untyped-def]
    from ui import errors

    cap = args.size_cap or outbox.DEFAULT_SIZE_CAP
    try:
        made = outbox.build(vault, size_cap=cap)
    except outbox.NothingToSend as nothing:
        print(errors.user_message(nothing))
        return 0
    for batch in made:
        print(translate("cli", "Batch {id}, part {part}: {size}, {visits} visits.").format(
            id=batch.id[:8], part=_part(batch), size=_human_size(batch.size),
            visits=len(batch.visits)))
    print(translate("cli", "Ready to send: 'sohoa sync upload --all', or write each part to a "
                    "USB drive with 'sohoa sync usb'."))
    return 0


def retry_text(reason: str, seconds: float, attempt: int) -> str:
    """What ``sohoa sync upload`` says when it tries again, by the reason's code."""
    if reason == "network":
        return translate("cli", "The connection failed; trying again in {seconds} s (attempt "
                         "{attempt}). Nothing is lost.").format(seconds=round(seconds),
                                                               attempt=attempt)
    if reason == "unsigned_answer":
        return translate("cli", "An answer did not come from the command (it is not signed "
                         "by its key): trying again in {seconds} s (attempt {attempt}). "
                         "Nothing is lost.").format(seconds=round(seconds), attempt=attempt)
    if reason == "certificate":
        return translate("cli", "The server's TLS certificate is not the one pinned at "
                         "enrolment: nothing was sent. Trying again in {seconds} s (attempt "
                         "{attempt}); if it lasts, tell the command.").format(
            seconds=round(seconds), attempt=attempt)
    return translate("cli", "The command asks to wait ({code}): trying again in {seconds} s "
                     "(attempt {attempt}). Nothing is lost.").format(
        code=reason, seconds=round(seconds), attempt=attempt)


def _sync_upload(vault, args: argparse.Namespace, outbox) -> int:  # type: ignore[no-untyped-def]
    from ui import errors

    if args.all:
        waiting = sorted((b for b in outbox.status(vault) if b.state in ("built", "uploading")),
                         key=lambda b: (b.created_at, b.part))
        if not waiting:
            print(translate("cli", "No batch is waiting to be uploaded."))
            return 0
    else:
        waiting = [_find_batch(vault, args.id)]
    failures = 0
    for batch in waiting:
        shown = [0.0]
        live = sys.stdout.isatty()

        def show(step, batch=batch, shown=shown, live=live) -> None:  # type: ignore[no-untyped-def]
            now = time.monotonic()
            if step.sent < step.total and now - shown[0] < (0.2 if live else 2.0):
                return
            shown[0] = now
            left = (step.total - step.sent) / step.bytes_per_s if step.bytes_per_s else 0
            line = translate("cli", "[{part}] {sent} / {total} ({speed}/s, {left} s left)").format(
                part=_part(batch), sent=_human_size(step.sent), total=_human_size(step.total),
                speed=_human_size(step.bytes_per_s), left=round(left))
            print(("\r" + line) if live else line, end="" if live else "\n", flush=True)

        def retrying(attempt: int, seconds: float, reason: str) -> None:
            print(retry_text(reason, seconds, attempt), flush=True)

        try:
            outbox.upload(vault, batch.id, progress=show, bandwidth_cap=args.limit,
                          retrying=retrying)
        except outbox.UploadStopped:
            raise
        except (CaptureError, SyncError) as error:
            # One part failing does not stop the others: say it and go on.
            if sys.stdout.isatty():
                print()
            print(translate("cli", "Batch {id}, part {part}: {problem}").format(
                id=batch.id[:8], part=_part(batch), problem=errors.user_message(error)),
                file=sys.stderr, flush=True)
            failures += 1
            continue
        if sys.stdout.isatty():
            print()
        print(translate("cli", "Batch {id}, part {part}: delivered; the command's receipt is "
                        "verified.").format(id=batch.id[:8], part=_part(batch)))
    if failures:
        print(translate("cli", "{failed} of {total} parts were not delivered; they stay in the "
                        "outbox.").format(failed=failures, total=len(waiting)), file=sys.stderr)
        return 1
    return 0


def _sync_status(vault, args: argparse.Namespace, outbox) -> int:  # type: ignore[no-untyped-def]
    enrolled = outbox.enrolment(vault)
    if enrolled is None:
        print(translate("cli", "Not enrolled with the command yet."))
    else:
        print(translate("cli", "Enrolled with {url} since {date}.").format(
            url=enrolled.server_url, date=enrolled.enrolled_at.astimezone().strftime("%d/%m/%Y")))
    batches = outbox.status(vault)
    if not batches:
        print(translate("cli", "No batches yet."))
        return 0
    header = (translate("cli", "Batch"), translate("cli", "Part"), translate("cli", "Size"),
              translate("cli", "State"), translate("cli", "Delivered"))
    rows = [(b.id[:8], _part(b), _human_size(b.size), _state_label(b.state),
             b.delivered_at.astimezone().strftime("%d/%m/%Y %H:%M") if b.delivered_at else "—")
            for b in batches]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
    return 0


def _sync_usb(vault, args: argparse.Namespace, outbox) -> int:  # type: ignore[no-untyped-def]
    batch = _find_batch(vault, args.id)
    copy = outbox.export_usb(vault, batch.id, args.destination)
    print(translate("cli", "Written to {path} and read back: it matches.").format(path=copy))
    print(translate("cli", "At the command: 'sohoa-server ingest FILE --receipt RECEIPT'; bring "
                    "the receipt back and load it with 'sohoa sync receipt RECEIPT'."))
    return 0


def _sync_receipt(vault, args: argparse.Namespace, outbox) -> int:  # type: ignore[no-untyped-def]
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError:
        print(translate("cli", "The file {path} cannot be read.").format(path=args.file),
              file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        text = ""  # not a receipt: accept_receipt says so
    done = outbox.accept_receipt(vault, text)
    print(translate("cli", "Batch {id}, part {part}: delivered; the command's receipt is "
                    "verified.").format(id=done.id[:8], part=_part(done)))
    return 0


def _report_parser(commands) -> None:  # type: ignore[no-untyped-def]
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


def _report(args: argparse.Namespace) -> int:
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
    unlocked = vault.unlock(args.user, _passphrase(args.passphrase_stdin))
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


def _guide_parser(commands) -> None:  # type: ignore[no-untyped-def]
    sub = commands.add_parser("guide", help="the volunteer's field handbook (A5) or one-page "
                              "checklist, as PDF, from the same source as the in-app guide")
    what = sub.add_mutually_exclusive_group(required=True)
    what.add_argument("--handbook", type=Path, metavar="OUT.pdf", help="write the handbook")
    what.add_argument("--checklist", type=Path, metavar="OUT.pdf", help="write the checklist")
    sub.add_argument("--guide-lang", choices=["vi", "en"], default=None,
                     help="language of the handbook (default: the language of messages)")


def _guide(args: argparse.Namespace) -> int:
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
        if args.command == "sync":
            return _sync(args)
        if args.command == "report":
            return _report(args)
        if args.command == "coords":
            return _coords(args)
        if args.command == "guide":
            return _guide(args)
        return _info(args)
    except (CaptureError, SyncError) as error:
        print(errors.user_message(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


# -- sohoa coords -------------------------------------------------------------------------------


def _coords_parser(commands) -> None:  # type: ignore[no-untyped-def]
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


def _coords(args: argparse.Namespace) -> int:
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
