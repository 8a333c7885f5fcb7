"""``sohoa-server``: the command server's entry point.

A placeholder: the server (ASGI under uvicorn, tus uploads, batch ingest, signed receipts) arrives
with the sync work (issue 6). Until then this only answers ``--help`` and ``--version`` and
refuses to pretend to serve anything.
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata

NOT_YET = (
    "sohoa-server: the command server is not built yet; it arrives with the sync work "
    "(issue 6). Nothing was started."
)


def _version() -> str:
    try:
        return metadata.version("sohoa-ky-uc")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sohoa-server",
        description=(
            "The command server of Số hóa ký ức: receives, verifies and archives the stations' "
            "batches. Not built yet — a placeholder until the sync work (issue 6)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    return parser


def main(argv: list[str] | None = None) -> int:
    build_parser().parse_args(argv)  # exits 0 on --help/--version, 2 on unknown options
    print(NOT_YET, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
