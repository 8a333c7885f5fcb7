"""Folding Vietnamese text for search: "Nguyễn Văn Đồng" → "nguyen van dong".

Character by character (so a folded text has the original's length and a hit maps back onto the
original spelling for a snippet): decompose, drop the marks, lower-case, and đ/Đ become d, which
Unicode does not decompose. A module of its own, importing nothing of the vault, so the
command's server folds exactly as the station does.
"""

from __future__ import annotations

import unicodedata


def _fold_char(char: str) -> str:
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base[0] if base else char


class _FoldTable(dict[int, str]):
    """str.translate table filled as characters are met: the loop stays in C."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def fold(value: str) -> str:
    """'Nguyễn Văn Đồng' -> 'nguyen van dong'; same length as the input (NFC)."""
    value = unicodedata.normalize("NFC", value)
    if value.isascii():
        return value.lower()
    return value.translate(_FOLD)
