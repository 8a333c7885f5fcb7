"""``sohoa``: with no arguments, the desktop app; with a subcommand, the operators' CLI."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # frozen, a spawned photo decoder starts here: it runs it
    args = sys.argv[1:] if argv is None else argv
    if args and not args[0].startswith("-platform"):
        from ui import cli

        return cli.main(args)
    from ui import app

    return app.main(args)


if __name__ == "__main__":
    sys.exit(main())
