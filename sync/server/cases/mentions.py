"""Mentions read from a CSV file, checked, and turned into the columns the model compares.

Every row is checked before any is linked: a malformed row is reported with its line number
and nothing is linked (a half-linked file would give case ids that change on the rerun).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from capture.names import parse_name
from sync.server.cases.normalise import AdminIndex, birth_year, death_date, unit

COLUMNS = ("mention_id", "full_name", "other_names", "birth_year", "home_town", "unit",
           "death_date", "death_place")
MAX_FIELD = 2_000  # characters: a name or a home town longer than this is not one
MAX_ROWS = 5_000_000


class MentionsError(Exception):
    """The mentions file could not be read; nothing was linked."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass(frozen=True)
class Mention:
    mention_id: str
    full_name: str = ""
    other_names: str = ""
    birth_year: str = ""
    home_town: str = ""
    unit: str = ""
    death_date: str = ""
    death_place: str = ""


def read_mentions(path: Path) -> list[Mention]:
    """All rows of a UTF-8 CSV with the mention columns, or MentionsError listing every
    row that is wrong (line numbers as a spreadsheet shows them)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MentionsError([f"the file is not UTF-8 text (byte {error.start}); save it as "
                             "CSV UTF-8 and try again"]) from None
    except OSError as error:
        raise MentionsError([f"cannot read {path}: {error.strerror}"]) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[str] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise MentionsError(["the file is empty: it needs a header line with the columns "
                             + ", ".join(COLUMNS)]) from None
    except csv.Error as error:
        raise MentionsError([f"line 1: {error}"]) from None
    if "mention_id" not in header:
        raise MentionsError(["the header has no mention_id column (it needs "
                             + ", ".join(COLUMNS) + ")"])
    # Other columns (a spreadsheet's own, labels) are left alone: they are not linked on.
    index = {name: header.index(name) for name in COLUMNS if name in header}
    mentions: list[Mention] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(mentions) >= MAX_ROWS:
                problems.append(f"more than {MAX_ROWS} rows: split the file")
                break
            if len(row) != len(header):
                problems.append(f"line {line}: {len(row)} fields, the header has {len(header)}")
                continue
            values = {name: row[i].strip() for name, i in index.items()}
            long = [name for name, value in values.items() if len(value) > MAX_FIELD]
            if long:
                problems.append(f"line {line}: {', '.join(long)} longer than {MAX_FIELD} "
                                "characters")
                continue
            mention_id = values["mention_id"]
            if not mention_id:
                problems.append(f"line {line}: mention_id is empty")
                continue
            if mention_id in seen:
                problems.append(f"line {line}: mention_id {mention_id!r} already on line "
                                f"{seen[mention_id]}")
                continue
            seen[mention_id] = line
            if values.get("birth_year") and birth_year(values["birth_year"]) is None:
                problems.append(f"line {line}: birth_year {values['birth_year']!r} has no year "
                                "in it")
                continue
            if values.get("death_date") and death_date(values["death_date"]) is None:
                problems.append(f"line {line}: death_date {values['death_date']!r} is not a "
                                "date (write 15/8/1972, 8/1972, tháng 8 năm 1972 or 1972)")
                continue
            mentions.append(Mention(**values))
    except csv.Error as error:
        problems.append(f"line {reader.line_num}: {error}")
    if problems:
        raise MentionsError(problems)
    return mentions


FEATURE_COLUMNS = (
    "unique_id", "name_orig", "name_fold", "surname", "middle_init", "given", "alias1",
    "alias2", "birth_order", "birth_year", "death_year", "death_month", "death_day",
    "ht_province", "ht_district", "ht_ward", "ht_old", "ht_text", "unit_f", "unit_e", "unit_d",
    "unit_c", "unit_tnxp", "death_place")


def _none(value: str) -> str | None:
    return value or None


class _Memo(dict):
    """A value's reading, computed once per distinct text (home towns, units and dates repeat
    thousands of times in a list)."""

    def __init__(self, read) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, key):
        value = self[key] = self.read(*key) if isinstance(key, tuple) else self.read(key)
        return value


def readers(admin: AdminIndex) -> dict[str, _Memo]:
    return {"name": _Memo(parse_name), "date": _Memo(death_date), "home": _Memo(admin.home_town),
            "unit": _Memo(unit), "year": _Memo(birth_year)}


def features(mention: Mention, admin: AdminIndex,
             memo: dict[str, _Memo] | None = None) -> dict[str, object]:
    """One mention as the model's columns (empty → NULL, so Splink's null levels apply)."""
    memo = memo or readers(admin)
    name = memo["name"][(mention.full_name, mention.other_names)]
    alias_given = [a.split()[-1] for a in name.aliases if a]
    date = memo["date"][mention.death_date]
    home = memo["home"][mention.home_town]
    u = memo["unit"][mention.unit]
    place = memo["home"][mention.death_place].text if mention.death_place else ""
    return {
        "unique_id": mention.mention_id,
        "name_orig": _none(name.original if name.given else ""),
        "name_fold": _none(name.folded),
        "surname": _none(name.surname),
        "middle_init": name.middle_initials,  # "" = no middle name written (compatible)
        "given": _none(name.given),
        "alias1": alias_given[0] if alias_given else None,
        "alias2": alias_given[1] if len(alias_given) > 1 else None,
        "birth_order": name.birth_order,
        "birth_year": memo["year"][mention.birth_year],
        "death_year": date.year if date else None,
        "death_month": date.month if date else None,
        "death_day": date.day if date else None,
        "ht_province": _none(home.province),
        "ht_district": _none(home.district),
        "ht_ward": _none(home.ward),
        "ht_old": _none(home.old_ward),
        "ht_text": _none(home.text),
        "unit_f": u.division,
        "unit_e": u.regiment,
        "unit_d": u.battalion,
        "unit_c": u.company,
        "unit_tnxp": u.tnxp,
        "death_place": _none(place),
    }


def feature_table(mentions: list[Mention], admin: AdminIndex):
    """The mentions as a pyarrow table (what Splink registers on DuckDB or Spark)."""
    import pyarrow as pa

    memo = readers(admin)
    rows = [features(m, admin, memo) for m in mentions]
    ints = {"birth_order", "birth_year", "death_year", "death_month", "death_day", "unit_f",
            "unit_e", "unit_d", "unit_c", "unit_tnxp"}
    schema = pa.schema([(c, pa.int32() if c in ints else pa.string()) for c in FEATURE_COLUMNS])
    return pa.Table.from_pylist(rows, schema=schema)
