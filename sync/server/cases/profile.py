"""A case's fields side by side: every value a source gave, grouped where they say the same
thing, and a field marked as a contradiction when two of its values cannot both be true
(born 1948 and 1950; died 15/8/1972 and 3/1973; buried in two cemeteries). Nothing is
chosen or overwritten: the page shows each value with where it came from.

"Say the same thing" is read as the linker reads it: a death date "8/1972" agrees with
"15/8/1972" (less precise, not different), "Cam Chính, Quảng Trị" with "xã Cam Chính, huyện
Cam Lộ, tỉnh Quảng Trị", "E24 F304" with "Trung đoàn 24, Sư đoàn 304".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from capture.folding import fold
from sync.server.cases import normalise as nz
from sync.server.cases.sources import FIELDS

LINKED = ("martyr", "list_martyrs", "list_graves")


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", fold(text)).strip()


def _date_key(text: str) -> Any:
    found = nz.death_date(text)
    return (found.year, found.month, found.day) if found else _plain(text)


def _dates_agree(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _home_key(text: str) -> Any:
    home = nz.admin_index().home_town(text)
    if not (home.province or home.district or home.old_ward):
        return _plain(text)
    return (home.province, home.district, home.old_ward or home.ward)


def _parts_agree(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return all(not x or not y or x == y for x, y in zip(a, b, strict=True))


def _unit_key(text: str) -> Any:
    u = nz.unit(text)
    if not u.key:
        return _plain(text)
    return (u.tnxp, u.division, u.regiment, u.battalion, u.company)


def _year_key(text: str) -> Any:
    year = nz.birth_year(text)
    return year if year is not None else _plain(text)


def _words_agree(a: Any, b: Any) -> bool:
    """"Quảng Trị" and "Thành cổ Quảng Trị": one says less, not something else."""
    x, y = set(str(a).split()), set(str(b).split())
    return x <= y or y <= x


# field -> (the key values are grouped by, whether two keys can both be true)
READINGS: dict[str, tuple[Callable[[str], Any], Callable[[Any, Any], bool]]] = {
    "birth_year": (_year_key, lambda a, b: a == b),
    "death_date": (_date_key, _dates_agree),
    "home_town": (_home_key, _parts_agree),
    "unit": (_unit_key, _parts_agree),
    "death_place": (_plain, _words_agree),
    "burial": (_plain, _words_agree),
}
# Names are variants of one man's name, told apart by the linker: shown, never contradictions.
VARIANTS = ("full_name", "other_names")


def side_by_side(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each field: its groups of values (each with the value as first written and the
    mentions that gave it), and ``contradiction`` when two groups cannot both be true."""
    out = []
    for name in FIELDS:
        groups: list[dict[str, Any]] = []
        read, agree = READINGS.get(name, (_plain, lambda a, b: a == b))
        for record in records:
            if record["kind"] not in LINKED:
                continue
            value = str(record["fields"].get(name) or "").strip()
            if not value:
                continue
            key = read(value)
            group = next((g for g in groups if g["key"] == key), None)
            if group is None:
                group = {"key": key, "value": value, "values": [], "mentions": []}
                groups.append(group)
            if value not in group["values"]:
                group["values"].append(value)
            group["mentions"].append(record["mention_id"])
        contradiction = name not in VARIANTS and any(
            not agree(a["key"], b["key"]) for i, a in enumerate(groups) for b in groups[i + 1:])
        out.append({"field": name, "groups": [{k: g[k] for k in ("value", "values", "mentions")}
                                              for g in groups],
                    "contradiction": contradiction})
    return out


def summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The columns of ``cases`` that the list shows and search reads."""
    fields = {f["field"]: f for f in side_by_side(records)}
    names = [r["fields"].get("full_name", "") for r in records
             if r["kind"] in LINKED and r["fields"].get("full_name")]
    # The name most sources give; between equals the fullest (most words, then longest).
    title = max(names, key=lambda n: (names.count(n), len(n.split()), len(n), n),
                default="")

    def shown(name: str) -> str:
        return " · ".join(g["value"] for g in fields[name]["groups"])[:500]

    words = [r["fields"].get(k, "") for r in records if r["kind"] in LINKED
             for k in ("full_name", "other_names", "home_town", "unit", "death_place")]
    folded = " ".join(dict.fromkeys(w for w in (_plain(x) for x in words) if w))
    return {"title": title, "folded": folded[:20_000], "birth_year": shown("birth_year"),
            "home_town": shown("home_town"), "death_date": shown("death_date"),
            "mentions": len(records),
            "contradictions": sum(1 for f in fields.values() if f["contradiction"])}
