"""What every command group shares: the passphrase prompt, sizes as people write and read
them, and the translator (the app's own .qm, context "cli")."""

from __future__ import annotations

import argparse
import getpass
import sys

from PySide6.QtCore import QCoreApplication

translate = QCoreApplication.translate


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


def passphrase(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(translate("cli", "Passphrase: "))


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
