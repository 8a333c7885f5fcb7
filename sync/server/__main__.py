"""``sohoa-server``: the command server's tools.

    sohoa-server init       --data DIR      make the command's keys and database
    sohoa-server tls-cert   --data DIR      a self-signed TLS certificate for `serve`
                --host NAME [--ip ADDR]     … for this name and these addresses
    sohoa-server enrol-code --data DIR      a one-time code for one station, the command's key
                [--url URL [--qr FILE]]     fingerprint and TLS certificate hash, and the
                                            enrolment link, also as a QR image
    sohoa-server stations   --data DIR      list | disable ID [--reason TEXT] | enable ID
                                            | rotate-key ID --signing-key HEX --identity-key HEX
    sohoa-server ingest FILE --data DIR     a batch that came on a USB stick, checked against
                [--signature SIG]           its station's signature (default FILE.minisig)
                [--receipt OUT]             … and its signed receipt, to take back to the station
    sohoa-server batches    --data DIR      what was received, from which station, when
    sohoa-server reindex    --data DIR      rebuild the index from the archive (idempotent)

    sohoa-server serve      --data DIR      enrolment, tus uploads and receipts, over TLS when
                [--tls-cert PEM --tls-key PEM]  given a certificate (or DATA/tls/ has one)
                [--web-host H --web-port P] … and the workbench for the command's staff

    sohoa-server account add NAME --role admin|analyst|verifier|reader --password-stdin
    sohoa-server account list | disable NAME | enable NAME | passwd NAME [--password-stdin]
    sohoa-server token create NAME [--label TEXT] | list [NAME] | revoke TOKEN_ID
    sohoa-server reindex    --data DIR      rebuild the index of every batch from the archive
    sohoa-server ocr [--all] [--limit N]    read the photographed pages waiting (Tesseract)
    sohoa-server places import REGISTER.csv | list   the register of places the command curates

    sohoa-server cases link IN.csv --out OUT.csv   martyr mentions linked into cases (Splink)
    sohoa-server lists import FILE --kind martyrs|graves|witnesses --title T --source S
                --by USER [--map "Họ và tên=full_name" …] [--dry-run] [--replace]
    sohoa-server lists list | withdraw ID --by USER   the imported lists
    sohoa-server cases relink | decisions --out F  the command's cases; people's decisions

    sohoa-server report (--period 2026-11|2026-W48|2026-Q4|2026-H2|2026|campaign
                        | --from YYYY-MM-DD --to YYYY-MM-DD) [--by commune|station|province]
                        [--cutoff-rule calendar|decree-09] [--as-of DATE|TIME]
                        --format json|xlsx|pdf --out FILE     the campaign's figures

Each takes ``--database URL`` for a PostgreSQL server (``postgresql+psycopg://…``) instead of
the SQLite file in the data folder.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

import segno
from sqlalchemy import select

from sync.enrol_link import EnrolLink, fingerprint
from sync.errors import SyncError
from sync.server import accounts
from sync.server.actors import ROLES
from sync.server.cases import cli as cases_cli
from sync.server.ingest import MAX_SIGNATURE_BYTES, Rejected, Retryable, ingest
from sync.server.keys import CommandKeys
from sync.server.receiving import lock_down
from sync.server.store import Store
from sync.server.tls import TlsFiles, certificate_sha256, make_self_signed
from sync.server.validate import is_ed25519_point


def _version() -> str:
    try:
        return metadata.version("sohoa-ky-uc")
    except metadata.PackageNotFoundError:
        return "unknown"


def _grouped(fingerprint_hex: str) -> str:
    """``9F3C 1A2B …``: 8 groups of 4, as the operator reads it from the printed sheet."""
    upper = fingerprint_hex.upper()
    return " ".join(upper[at:at + 4] for at in range(0, len(upper), 4))


def _pinned_certificate(args: argparse.Namespace) -> Path | None:
    """The certificate stations see: --tls-cert (e.g. the reverse proxy's), else the one
    ``tls-cert`` made in the data folder, else none (plain HTTP, loopback only)."""
    if getattr(args, "tls_cert", None):
        return args.tls_cert
    files = TlsFiles.in_data(args.data)
    return files.cert if files.exist() else None


def _enrol_code(args: argparse.Namespace, store: Store, keys: CommandKeys,
                now: datetime) -> int:
    if args.qr and not args.url:
        print("sohoa-server: --qr needs --url (the link in the QR code carries the address)",
              file=sys.stderr)
        return 2
    cert = _pinned_certificate(args)
    tls_sha256 = certificate_sha256(cert) if cert else None
    code = store.new_enrolment_code(now)
    keys_fingerprint = fingerprint(keys.recipient, keys.signing_public)
    print(code)
    print(f"Fingerprint / Dấu vân tay: {_grouped(keys_fingerprint)}")
    if tls_sha256:
        print(f"TLS certificate SHA-256 / Chứng chỉ TLS: {tls_sha256}")
    if args.url:
        text = EnrolLink(args.url.rstrip("/"), code, keys_fingerprint).text()
        if tls_sha256 and "tls=" not in text:
            text += "&" + urlencode({"tls": tls_sha256})
        print(text)
        if args.qr:
            out = io.BytesIO()
            segno.make(text, error="m").save(out, kind="png", scale=8, border=4)
            args.qr.write_bytes(out.getvalue())
            print(f"QR code: {args.qr}")
    return 0


def _stations(args: argparse.Namespace, store: Store, now: datetime) -> int:
    if args.action == "list":
        for row in store.stations():
            state = "active" if row["active"] else (
                f"DISABLED {row['disabled_at']}: {row['disabled_reason'] or ''}".rstrip(": "))
            print(f"{row['id']}  {row['name']}  {row['province_code']}/{row['ward_code']}  "
                  f"enrolled {row['enrolled_at']}  {state}")
        return 0
    if args.action == "disable":
        store.set_active(args.id, False, now, args.reason)
        print(f"station {args.id} disabled: its requests and batches are refused")
    elif args.action == "enable":
        store.set_active(args.id, True, now)
        print(f"station {args.id} enabled")
    else:
        try:
            signing, identity = bytes.fromhex(args.signing_key), bytes.fromhex(args.identity_key)
            if len(signing) != 32 or len(identity) != 32 or not is_ed25519_point(signing):
                raise ValueError
        except ValueError:
            print("sohoa-server: --signing-key and --identity-key are the station's public "
                  "keys, 64 hex digits each (the signing key an Ed25519 key)", file=sys.stderr)
            return 2
        store.rotate_key(args.id, signing, identity, now)
        print(f"station {args.id}: new keys recorded; the old key is no longer accepted")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import ServerConfig, create_app
    from sync.server.guard import raise_open_files_limit, uvicorn_config

    if bool(args.tls_cert) != bool(args.tls_key):
        print("sohoa-server: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    files = (TlsFiles(args.tls_cert, args.tls_key) if args.tls_cert
             else TlsFiles.in_data(args.data))
    tls = files if files.exist() else None
    if args.tls_cert and tls is None:
        print(f"sohoa-server: {args.tls_cert} or {args.tls_key} is missing", file=sys.stderr)
        return 2
    pinned = args.public_certificate or (tls.cert if tls else None)
    lock_down(args.data)
    raise_open_files_limit()
    from sync.server.web.app import WebConfig, create_web_app
    from sync.server.web.serving import WEB_LIMITS, serve_both

    app = create_app(ServerConfig(args.data, database_url=args.database,
                                  tls_certificate=pinned))
    station = uvicorn_config(
        app, args.host, args.port, tls_cert=str(tls.cert) if tls else None,
        tls_key=str(tls.key) if tls else None, proxies=args.proxy or None)
    web = uvicorn.Config(create_web_app(WebConfig(args.data, database_url=args.database)),
                         host=args.web_host, port=args.web_port, log_level="info",
                         **WEB_LIMITS)
    ocr_worker = None
    if not args.no_ocr:  # photographed pages are read in the background (sync/server/ocr.py)
        from sync.server import ocr

        ocr_worker = ocr.start_worker(Store(args.database) if args.database
                                      else Store.in_folder(args.data))
    try:
        serve_both(station, web)
    finally:
        if ocr_worker is not None:
            ocr_worker.set()
    return 0


def _signature(path: Path) -> str | None:
    """The detached signature's text; None when there is none (the batch is then refused)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_SIGNATURE_BYTES).decode("utf-8", "replace")
    except FileNotFoundError:
        return None


def _read_password(args: argparse.Namespace) -> str:
    """The password from one line of standard input (scripts), or typed twice at a prompt."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise accounts.AccountError("the two passwords differ")
    return first


def _account(args: argparse.Namespace, store: Store, now: datetime) -> int:
    with store.begin() as conn:
        if args.action == "add":
            account = accounts.add_account(conn, args.username, args.role,
                                           _read_password(args), now)
            print(f"account {account.username} ({account.role}) made")
        elif args.action == "list":
            for account in accounts.list_accounts(conn):
                state = "active" if account.active else "disabled"
                print(f"{account.username}\t{account.role}\t{state}\t"
                      f"{account.created_at:%Y-%m-%d}")
        elif args.action == "passwd":
            accounts.set_password(conn, args.username, _read_password(args), now)
            print(f"password of {args.username} changed; its sessions are closed")
        else:
            accounts.set_active(conn, args.username, args.action == "enable", now)
            print(f"account {args.username} {args.action}d")
    return 0


def _token(args: argparse.Namespace, store: Store, now: datetime) -> int:
    with store.begin() as conn:
        if args.action == "create":
            token_id, secret = accounts.create_token(conn, args.username, now, args.label)
            print(secret)
            print(f"token {token_id} for {args.username}: shown once, keep it safe",
                  file=sys.stderr)
        elif args.action == "list":
            for row in accounts.list_tokens(conn, args.username):
                state = "revoked" if row["revoked_at"] else "live"
                print(f"{row['id']}\t{row['username']}\t{state}\t{row['label']}")
        else:
            accounts.revoke_token(conn, args.token_id, now)
            print(f"token {args.token_id} revoked")
    return 0


def _add_account_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--data", type=Path, default=Path("sohoa-server-data"),
                         help="the server's data folder")
        sub.add_argument("--database", metavar="URL",
                         help="the database as an SQLAlchemy URL (default: SQLite in --data)")

    account = commands.add_parser("account", help="the workbench's accounts")
    actions = account.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make an account")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    common(actions.add_parser("list", help="list the accounts"))
    for name, text in (("disable", "disable an account (its sessions end)"),
                       ("enable", "enable a disabled account"),
                       ("passwd", "set a new password (its sessions end)")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("username")
        if name == "passwd":
            sub.add_argument("--password-stdin", action="store_true",
                             help="read the password from one line of standard input")
        common(sub)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from one line of standard input")
    common(add)

    token = commands.add_parser("token", help="API tokens for scripts")
    actions = token.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="print a new API token for an account")
    create.add_argument("username")
    create.add_argument("--label", default="", help="what the token is for")
    common(create)
    listing = actions.add_parser("list", help="list the tokens (never the tokens themselves)")
    listing.add_argument("username", nargs="?")
    common(listing)
    revoke = actions.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id")
    common(revoke)


def _report(args: argparse.Namespace, store: Store, now: datetime) -> int:
    """The campaign's figures from the index, frozen at --as-of (default: now)."""
    from datetime import date

    from capture import kpis, report_files
    from capture.errors import CaptureError
    from sync.server import report_facts

    try:
        as_of = kpis.parse_cutoff(args.as_of) if args.as_of else now
        if (args.period is None) == (args.start is None or args.end is None):
            print("sohoa-server: give either --period or both --from and --to", file=sys.stderr)
            return 2
        start = date.fromisoformat(args.start) if args.start else None
        end = date.fromisoformat(args.end) if args.end else None
        body, place = report_facts.command_body(store)
        body = args.body or body
        data = report_facts.build(store, as_of, period=args.period, start=start, end=end,
                                  rule=args.cutoff_rule, by=args.by, body=body)
    except ValueError:
        print("sohoa-server: --from and --to are dates written 2026-11-24", file=sys.stderr)
        return 2
    except CaptureError as error:
        print(f"sohoa-server: {error}", file=sys.stderr)
        return 2
    head = report_facts.letterhead(data, kpis.local_day(now), body=body, place=place,
                                   superior=args.superior, signer_name=args.signer)
    report_files.save(data, args.out, args.format, head)
    print(args.out)
    return 0


def _add_report_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub = commands.add_parser("report", help="the campaign's figures for a period")
    sub.add_argument("--data", type=Path, default=Path("sohoa-server-data"),
                     help="the server's data folder")
    sub.add_argument("--database", metavar="URL",
                     help="the database as an SQLAlchemy URL (default: SQLite in --data)")
    sub.add_argument("--period", help="2026-11, 2026-W48, 2026-Q4, 2026-H2, 2026 or campaign")
    sub.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    sub.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    sub.add_argument("--by", choices=("commune", "station", "province"))
    sub.add_argument("--cutoff-rule", choices=("calendar", "decree-09"), default="calendar")
    sub.add_argument("--as-of", help="count what arrived before this (a date: to its end); "
                                     "default: now")
    sub.add_argument("--format", choices=("json", "xlsx", "pdf"), required=True)
    sub.add_argument("--out", type=Path, required=True)
    sub.add_argument("--body", default="", help="the reporting body's name (default: the "
                                                "provincial Military Command of the stations)")
    sub.add_argument("--superior", default="", help="the body above it, for the heading")
    sub.add_argument("--signer", default="", help="who signs")


def _add_ocr_places_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ocr = commands.add_parser("ocr", help="read the photographed pages waiting (Tesseract)")
    ocr.add_argument("--all", action="store_true", help="every page again, not only new ones")
    ocr.add_argument("--limit", type=int, help="at most this many pages")
    places = commands.add_parser("places", help="the register of places (cemeteries, hills…)")
    actions = places.add_subparsers(dest="action", required=True)
    imported = actions.add_parser("import", help="add or replace entries from a CSV file")
    imported.add_argument("file", type=Path)
    imported.add_argument("--as", dest="username", default="",
                          help="the admin account it is recorded under (default: the first)")
    actions.add_parser("list", help="every entry, as CSV-like lines")
    for sub in (ocr, imported, actions.choices["list"]):
        sub.add_argument("--data", type=Path, default=Path("sohoa-server-data"),
                         help="the server's data folder")
        sub.add_argument("--database", metavar="URL")


def _ocr_places(args: argparse.Namespace, store: Store, now: datetime) -> int:
    from sync.server import ocr, places
    from sync.server.actors import ADMIN, Actor

    if args.command == "ocr":
        print(json.dumps(ocr.run(store, redo=args.all, limit=args.limit)))
        return 0
    if args.action == "list":
        with store.begin() as conn:
            for row in places.list_places(conn, Actor("cli", ADMIN)):
                print(f"{row['id']}\t{row['kind']}\t{row['latitude']:.6f},"
                      f"{row['longitude']:.6f}\t±{row['uncertainty_m']:.0f} m\t{row['name']}")
        return 0
    with store.begin() as conn:
        name = args.username or conn.execute(
            select(accounts.accounts.c.username).where(accounts.accounts.c.role == ADMIN)
            .order_by(accounts.accounts.c.username).limit(1)).scalar() or "cli"
        try:
            counts = places.import_csv(conn, Actor(name, ADMIN), args.file.read_bytes(), now)
        except places.PlaceError as error:
            print(f"sohoa-server: {args.file}: {error.detail}", file=sys.stderr)
            return 2
    print(json.dumps(counts))
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
                       ("tls-cert", "make a self-signed TLS certificate for serve"),
                       ("enrol-code", "print a one-time enrolment code for one station"),
                       ("stations", "list, disable, enable enrolled stations or rotate a key"),
                       ("ingest", "ingest a batch file (from a USB stick)"),
                       ("batches", "list the batches received"),
                       ("reindex", "rebuild the index of every batch from the archive"),
                       ("serve", "serve enrolment, tus uploads and receipts, and the workbench")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--data", type=Path, default=Path("sohoa-server-data"),
                         help="the server's data folder")
        sub.add_argument("--database", metavar="URL",
                         help="the database as an SQLAlchemy URL, e.g. "
                              "postgresql+psycopg://user@host/sohoa (default: SQLite in --data)")
        if name == "tls-cert":
            sub.add_argument("--host", required=True,
                             help="the name stations reach the command by")
            sub.add_argument("--ip", action="append", default=[], metavar="ADDR",
                             help="an address stations reach the command at (repeatable)")
        if name == "enrol-code":
            sub.add_argument("--url", help="the address stations reach this server at; with it, "
                             "the code is also printed as an enrolment link")
            sub.add_argument("--qr", type=Path, help="also write the link as a QR image (PNG)")
            sub.add_argument("--tls-cert", type=Path, metavar="PEM",
                             help="the certificate stations see, if not DATA/tls/cert.pem "
                                  "(e.g. the reverse proxy's)")
        if name == "stations":
            # --data and --database also after the action (stations list --data DIR)
            places = argparse.ArgumentParser(add_help=False)
            places.add_argument("--data", type=Path, default=argparse.SUPPRESS)
            places.add_argument("--database", metavar="URL", default=argparse.SUPPRESS)
            actions = sub.add_subparsers(dest="action", required=True)
            actions.add_parser("list", parents=[places],
                               help="every enrolled station and whether it is active")
            disable = actions.add_parser("disable", parents=[places], help="refuse a "
                                         "station's requests and batches (a lost laptop)")
            disable.add_argument("id")
            disable.add_argument("--reason", help="why (kept with the station)")
            actions.add_parser("enable", parents=[places],
                               help="accept a disabled station again").add_argument("id")
            rotate = actions.add_parser("rotate-key", parents=[places],
                                        help="record a station's new public keys")
            rotate.add_argument("id")
            rotate.add_argument("--signing-key", required=True, metavar="HEX")
            rotate.add_argument("--identity-key", required=True, metavar="HEX")
        if name == "ingest":
            sub.add_argument("file", type=Path)
            sub.add_argument("--signature", type=Path,
                             help="the station's detached signature of FILE "
                                  "(default: FILE.minisig beside it)")
            sub.add_argument("--receipt", type=Path,
                             help="also write the signed receipt here, for the station to load")
        if name == "serve":
            sub.add_argument("--host", default="127.0.0.1")
            sub.add_argument("--port", type=int, default=8470)
            sub.add_argument("--tls-cert", type=Path, metavar="PEM",
                             help="serve HTTPS with this certificate (default: DATA/tls/cert.pem "
                                  "when tls-cert made one)")
            sub.add_argument("--tls-key", type=Path, metavar="PEM")
            sub.add_argument("--public-certificate", type=Path, metavar="PEM",
                             help="behind a reverse proxy: the proxy's certificate, which "
                                  "stations pin")
            sub.add_argument("--proxy", action="append", metavar="ADDR",
                             help="a reverse proxy in front (repeatable): its X-Forwarded-For "
                                  "is believed and it is not held to the per-client limits")
            sub.add_argument("--web-host", default="127.0.0.1",
                             help="the workbench's address: the command's office network only")
            sub.add_argument("--web-port", type=int, default=8471)
            sub.add_argument("--no-ocr", action="store_true",
                             help="do not read photographed pages in the background")
        if name == "reindex":
            sub.add_argument("--ocr", action="store_true",
                             help="also read every photographed page again (slow)")
    _add_account_parsers(commands)
    _add_ocr_places_parsers(commands)
    cases_cli.add_parser(commands)
    # --- imported lists (h19-lists) ---
    from sync.server import lists_cli

    lists_cli.add_parser(commands)
    # --- end imported lists ---
    _add_report_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data: Path = args.data
    now = datetime.now(UTC)
    umask = os.umask(0o077)  # what the command writes (archive, keys, database) is its own
    try:
        if args.command == "cases":
            return cases_cli.run(args)
        # --- imported lists (h19-lists) ---
        if args.command == "lists":
            from sync.server import lists_cli

            return lists_cli.run(args)
        # --- end imported lists ---
        if args.command == "init":
            keys = CommandKeys.create(data / "keys")
            _store(args)
            lock_down(data)
            print(f"age recipient (stations encrypt to it): {keys.recipient}")
            print(f"receipt key (Ed25519, hex): {keys.signing_public.hex()}")
            print(f"fingerprint: {_grouped(fingerprint(keys.recipient, keys.signing_public))}")
            return 0
        if args.command == "serve":
            return _serve(args)
        if args.command == "tls-cert":
            digest = make_self_signed(TlsFiles.in_data(data), args.host, args.ip, now)
            print(f"certificate: {TlsFiles.in_data(data).cert}")
            print(f"SHA-256: {digest}")
            return 0
        if args.command == "account":
            return _account(args, _store(args), now)
        if args.command == "token":
            return _token(args, _store(args), now)
        if args.command == "report":
            return _report(args, _store(args), now)
        if args.command in ("ocr", "places"):
            return _ocr_places(args, _store(args), now)
        if args.command == "reindex":
            from sync.server.index import reindex

            store = _store(args)
            with store.begin() as conn:
                totals = reindex(conn)
            if args.ocr:  # asked for: every page read again, after the index is rebuilt
                from sync.server import ocr

                totals["ocr"] = ocr.run(store, redo=True)
            print(json.dumps(totals))
            return 0
        keys = CommandKeys.load(data / "keys")
        store = _store(args)
        if args.command == "enrol-code":
            return _enrol_code(args, store, keys, now)
        if args.command == "stations":
            return _stations(args, store, now)
        if args.command == "batches":
            for row in store.list_batches():
                print(f"{row['received_at']}  {row['station_id']}  {row['batch_id']}  "
                      f"{row['payload_files']} files  {row['payload_bytes']} bytes")
            return 0
        outcome = ingest(args.file, store, keys, data / "archive",
                         signature=_signature(args.signature or Path(f"{args.file}.minisig")))
        if args.receipt:
            args.receipt.write_text(outcome.receipt.to_json() + "\n", encoding="utf-8")
        print(json.dumps({"replayed": outcome.replayed, **outcome.receipt.body},
                         ensure_ascii=False, indent=1))
        return 0
    except Rejected as rejection:
        print(f"sohoa-server: batch rejected ({rejection.reason}): {rejection.detail}",
              file=sys.stderr)
        return 3
    except Retryable as fault:
        print(f"sohoa-server: the batch could not be ingested now ({fault.reason}): "
              f"{fault.detail}; nothing was kept, try again", file=sys.stderr)
        return 4
    except SyncError as error:
        print(f"sohoa-server: {error.__doc__ or error}: {error}", file=sys.stderr)
        return 2
    finally:
        os.umask(umask)


if __name__ == "__main__":
    sys.exit(main())
