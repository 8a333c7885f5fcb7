"""Folding Vietnamese text for matching: "Nguyễn Văn Đồng" -> "nguyen van dong".

Done in Python, character by character, so a folded text has the original's length and a hit
maps back onto the original spelling: decompose, drop the marks, lower-case, and đ/Đ become d,
which Unicode does not decompose. Kept apart from capture/search.py (which needs the vault) so
that the command server folds names the same way without importing the vault.
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


# A cache of a pure function of the character, not state: every caller gets the same answer.
_FOLD = _FoldTable()


def fold(value: str) -> str:
    """'Nguyễn Văn Đồng' -> 'nguyen van dong'; same length as the input (NFC)."""
    value = unicodedata.normalize("NFC", value)
    if value.isascii():
        return value.lower()
    return value.translate(_FOLD)
