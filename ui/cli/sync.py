"""``sohoa sync enrol / build / upload / status / usb / receipt``: batches to the command."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from capture import paths
from capture.errors import CaptureError
from capture.vault import Vault
from sync.errors import SyncError
from ui.cli.common import human_size, passphrase, size_argument, translate


def add_sync_parser(commands) -> None:  # type: ignore[no-untyped-def]
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


def sync(args: argparse.Namespace) -> int:
    from sync import outbox

    path = args.vault or paths.default_vault()
    unlocked = Vault(path).unlock(args.user, passphrase(args.passphrase_stdin))
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
            id=batch.id[:8], part=_part(batch), size=human_size(batch.size),
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
                part=_part(batch), sent=human_size(step.sent), total=human_size(step.total),
                speed=human_size(step.bytes_per_s), left=round(left))
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
    rows = [(b.id[:8], _part(b), human_size(b.size), _state_label(b.state),
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
