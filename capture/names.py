"""Vietnamese personal names as people write them, taken apart for comparison.

Vault-free (the command server's linker uses it); names are folded by ``capture.folding.fold``,
the same folding the station's search and the command's index use.

"Nguyễn Văn Hùng", "NGUYEN V. HUNG", "Hùng (anh Ba)", "Huỳnh Văn Hùng" all give the same
surname/given keys; the original spelling is kept beside them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from capture.folding import fold

# Surnames written two ways for the same lineage: the North's and the South's reading.
SURNAME_EQUIVALENTS = {"huynh": "hoang", "vo": "vu"}

# Birth-order names (tên thứ): in the South the eldest child is "Hai", so "anh Ba" is the
# second-born; the number is what the family and comrades call him.
BIRTH_ORDER = {"hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
               "chin": 9, "muoi": 10, "ut": 99, "ca": 1}
_KIN_PREFIX = {"anh", "chi", "cau", "co", "chu", "bac", "ong", "em", "o", "di"}

_BRACKETS = re.compile(r"[(\[](.*?)[)\]]")
_SPLIT_ALIASES = re.compile(
    r"[,;/]| tức | tuc | hay | còn gọi là | con goi la | bí danh | bi danh ", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Name:
    original: str  # NFC, lower-case, spaces squeezed: the spelling as written
    folded: str  # the whole name folded, surname variants unified
    surname: str  # folded, Huỳnh -> hoang, Võ -> vu
    middle: str  # folded middle names joined by a space; "" when absent
    middle_initials: str  # first letter of each middle name ("v" for "V." or "Văn")
    given: str  # folded last word: the name people are called by
    birth_order: int | None  # from "anh Ba", "chị Tư", "Hùng (anh Ba)"
    aliases: tuple[str, ...]  # other names, folded (not birth-order words)


def _words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(fold(text)) if w]


def _birth_order(words: list[str]) -> int | None:
    """'anh ba' / 'chi tu' / 'ba' alone -> the order; None if the words are a name."""
    if len(words) == 2 and words[0] in _KIN_PREFIX and words[1] in BIRTH_ORDER:
        return BIRTH_ORDER[words[1]]
    if len(words) == 1 and words[0] in BIRTH_ORDER and words[0] != "ba":
        return BIRTH_ORDER[words[0]]
    return None


def parse_name(full_name: str, other_names: str = "") -> Name:
    """Take a written name (and the other names it was known by) apart."""
    text = unicodedata.normalize("NFC", full_name or "").strip()
    extra = [m.group(1) for m in _BRACKETS.finditer(text)]
    text = _BRACKETS.sub(" ", text)
    others = [p for chunk in [*extra, other_names or ""] for p in _SPLIT_ALIASES.split(chunk)]
    birth_order: int | None = None
    aliases: list[str] = []
    for other in others:
        words = _words(other)
        if not words:
            continue
        order = _birth_order(words)
        if order is not None:
            birth_order = birth_order or order
            continue
        if words[0] in _KIN_PREFIX and len(words) > 1:
            words = words[1:]
        if len(words) == 2 and words[0] in BIRTH_ORDER:  # "Tư Tỵ", "Chín Hùng"
            birth_order = birth_order or BIRTH_ORDER[words[0]]
            words = words[1:]
        aliases.append(" ".join(words))
    words = _words(text)
    order = _birth_order(words)
    if order is not None:  # the whole name is "anh Ba": no name, only the order
        birth_order = birth_order or order
        words = []
    elif len(words) >= 2 and words[0] in _KIN_PREFIX and len(words) <= 2:
        words = words[1:]  # "anh Hùng"
    original = " ".join(_NON_WORD.split(text.lower())).strip()
    if not words:
        return Name(original, "", "", "", "", "", birth_order, tuple(aliases))
    if len(words) == 1:
        surname, middle, given = "", [], words[0]
    else:
        surname, middle, given = words[0], words[1:-1], words[-1]
    surname = SURNAME_EQUIVALENTS.get(surname, surname)
    folded = " ".join(w for w in (surname, *middle, given) if w)
    return Name(original, folded, surname, " ".join(middle),
                "".join(m[0] for m in middle), given, birth_order, tuple(aliases))
