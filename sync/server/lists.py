"""Lists the command imports (COMMAND.md §5): the province's martyrs whose remains are not found,
unidentified graves in a cemetery with their plot numbers, and veterans' associations' lists of
witnesses by unit and battle. They become ``list_rows`` (sync/server/casework_tables.py), which
the case linker reads as mentions and the witness network as witnesses.

Three steps, each a function: ``guess_mapping`` (the file's columns to fields, from Vietnamese
and English header names; the person confirms or changes it), ``check`` (every row against the
mapping: a report of what was not understood, by the row number a spreadsheet shows, the
column, the value and why) and ``import_list`` (all or nothing, in the caller's transaction:
a file with one problem imports nothing). The same file again (by SHA-256) is refused unless
the importer says it replaces the earlier import. ``withdraw`` takes the rows out and keeps the
record (who imported, who withdrew, when, the file's name and hash, the source typed).

Each function takes the ``Actor`` asking and checks the role itself: admin and analyst import
and withdraw; everyone reads.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from capture.names import fold
from sync.errors import SyncError
from sync.server.actors import ADMIN, ANALYST, READS, Actor, require
from sync.server.cases.normalise import birth_year, death_date
from sync.server.casework_tables import LIST_KINDS, list_imports, list_rows
from sync.server.list_files import MAX_CELL, Grid, rows_of

IMPORTERS = frozenset({ADMIN, ANALYST})
FIELDS = ("full_name", "other_names", "birth_year", "home_town", "unit", "death_date",
          "death_place", "cemetery", "plot", "battle", "served")
IGNORE = ""  # a column mapped to nothing goes to the row's "extra"
MAX_TITLE, MAX_SOURCE, MAX_FILENAME = 300, 4000, 255
MAX_PROBLEMS = 1000  # kept in a report; the count says how many more

# What each kind of list must have: a column mapped, and a value in every row.
REQUIRED: dict[str, tuple[str, ...]] = {
    "martyrs": ("full_name",),
    "graves": ("plot",),  # an unidentified grave may have no name, never no place
    "witnesses": ("full_name",),
}
# Several columns may go to one field: "Lô", "Hàng", "Mộ số" are one plot; "Họ", "Tên" a name.
JOINERS = {"full_name": " ", "plot": " / "}

# Header names, folded (lower case, no diacritics, single spaces), to fields.
_GUESSES: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "ho ten liet si", "ten liet si", "ho va ten liet si",
                  "ten", "full name", "name", "ho ten nhan chung", "ho ten cuu chien binh",
                  "ho", "ho dem"),
    "other_names": ("ten khac", "bi danh", "ten goi khac", "con goi la", "other names",
                    "alias", "aliases"),
    "birth_year": ("nam sinh", "ngay sinh", "sinh nam", "ngay thang nam sinh", "birth year",
                   "year of birth", "born", "date of birth"),
    "home_town": ("que quan", "nguyen quan", "que", "dia chi", "noi o", "home town",
                  "hometown", "native place", "address"),
    "unit": ("don vi", "don vi khi hy sinh", "don vi chien dau", "unit", "military unit"),
    "death_date": ("ngay hy sinh", "hy sinh", "ngay thang nam hy sinh", "nam hy sinh",
                   "ngay mat", "date of death", "death date", "died"),
    "death_place": ("noi hy sinh", "dia diem hy sinh", "place of death", "death place"),
    "cemetery": ("nghia trang", "nghia trang liet si", "ntls", "cemetery"),
    "plot": ("mo so lo hang", "mo so", "so mo", "lo", "hang", "khu", "vi tri mo", "plot",
             "grave", "grave number", "row", "section"),
    "battle": ("tran danh", "chien dich", "tran", "tran danh chien dich", "battle",
               "campaign", "battles"),
    "served": ("thoi gian phuc vu", "thoi gian", "thoi gian tham gia", "nhap ngu",
               "served", "service", "years of service", "period"),
}
_BY_HEADER = {words: name for name, options in _GUESSES.items() for words in options}


class ListError(SyncError):
    """The import was refused; ``code`` is a locale key's tail (listerror.<code>)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class ListNotFound(ListError):
    def __init__(self) -> None:
        super().__init__("not_found", "no such list")


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())


def guess_mapping(header: list[str]) -> list[str]:
    """The field each column probably is (IGNORE if none), in the header's order; a field is
    guessed for one column only, except the plot's parts ("Lô", "Hàng", "Mộ số")."""
    guessed: list[str] = []
    for name in header:
        key = _header_key(name)
        found = _BY_HEADER.get(key, IGNORE)
        if not found:  # "Họ và tên liệt sĩ (ghi rõ)": the longest known name it starts with
            for words in sorted(_BY_HEADER, key=len, reverse=True):
                if len(words) > 3 and (key.startswith(words + " ") or key == words):
                    found = _BY_HEADER[words]
                    break
        if found and found in guessed and found != "plot":  # two names: the person decides
            found = IGNORE
        guessed.append(found)
    return guessed


PROBLEM_CODES = ("field_twice", "missing_column", "no_rows", "row_too_long", "too_long",
                 "not_a_year", "not_a_date", "empty_required")  # each has its words


@dataclass(frozen=True)
class Problem:
    line: int  # the row number a spreadsheet shows (header = 1); 0: the whole file
    column: str  # the file's column name ("" for the row itself)
    value: str
    code: str  # listproblem.<code> in the locales
    detail: str  # the same in English, for the command line and the log

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {self.code!r}")


@dataclass
class Checked:
    kind: str
    mapping: dict[str, str]  # file column -> field (IGNORE: kept in extra)
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    skipped_empty: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def _memo(read):  # type: ignore[no-untyped-def]
    seen: dict[str, Any] = {}

    def cached(text: str) -> Any:
        if text not in seen:
            seen[text] = read(text)
        return seen[text]
    return cached


def check(grid: Grid, kind: str, mapping: list[str]) -> Checked:
    """Every row of the grid against the mapping (one field or IGNORE per column)."""
    if kind not in LIST_KINDS:
        raise ListError("bad_kind", f"kind must be one of {', '.join(LIST_KINDS)}")
    header = grid.header
    if len(mapping) != len(header):
        raise ListError("bad_mapping", f"the mapping has {len(mapping)} columns, the file "
                        f"{len(header)}")
    unknown = [m for m in mapping if m and m not in FIELDS]
    if unknown:
        raise ListError("bad_mapping", f"unknown field {unknown[0]!r}")
    result = Checked(kind, dict(zip(_unique(header), mapping, strict=True)))
    for name, count in Counter(m for m in mapping if m).items():
        if count > 1 and name not in JOINERS:
            result.add(Problem(0, "", name, "field_twice",
                               f"two columns are mapped to {name}"))
    for required in REQUIRED[kind]:
        if required not in mapping:
            result.add(Problem(0, "", required, "missing_column",
                               f"no column is mapped to {required}, which a list of {kind} "
                               "needs"))
    if not result.ok:
        return result
    columns = [(i, header[i] or f"#{i + 1}", m) for i, m in enumerate(mapping)]
    year_of, date_of = _memo(birth_year), _memo(death_date)
    width = len(header)
    data_rows = 0
    for number, cells in rows_of(grid):
        data_rows += 1
        before = result.problem_count
        if len(cells) > width and any(cells[width:]):
            result.add(Problem(number, "", " | ".join(c for c in cells[width:] if c)[:200],
                               "row_too_long", f"{len(cells)} cells, the header has {width}"))
            continue
        values: dict[str, list[str]] = {}
        extra: dict[str, str] = {}
        for i, column, target in columns:
            cell = cells[i] if i < len(cells) else ""
            if len(cell) > MAX_CELL:
                result.add(Problem(number, column, cell[:60] + "…", "too_long",
                                   f"longer than {MAX_CELL} characters"))
                continue
            if target:
                if cell:
                    values.setdefault(target, []).append(cell)
            elif cell:
                extra[column] = cell
        row = {name: JOINERS.get(name, "; ").join(values.get(name, ())) for name in FIELDS}
        year = row["birth_year"]
        if year and year_of(year) is None:
            result.add(Problem(number, _column_of(columns, "birth_year"), year, "not_a_year",
                               f"birth year {year!r} has no year in it"))
        died = row["death_date"]
        if died and date_of(died) is None:
            result.add(Problem(number, _column_of(columns, "death_date"), died, "not_a_date",
                               f"death date {died!r} is not a date (write 15/8/1972, 8/1972, "
                               "tháng 8 năm 1972 or 1972)"))
        for required in REQUIRED[kind]:
            if not row[required]:
                result.add(Problem(number, _column_of(columns, required), "", "empty_required",
                                   f"{required} is empty"))
        if result.problem_count == before:
            row["line"] = number
            row["extra"] = json.dumps(extra, ensure_ascii=False) if extra else "{}"
            result.rows.append(row)
    result.skipped_empty = len(grid.rows) - data_rows
    if data_rows == 0:
        result.add(Problem(0, "", "", "no_rows", "the file has a header and no rows"))
    return result


def _unique(header: list[str]) -> list[str]:
    """Column names as keys: an empty one is "#3", a repeated one "Ghi chú (2)"."""
    seen: Counter[str] = Counter()
    out = []
    for i, name in enumerate(header):
        name = name or f"#{i + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _column_of(columns: list[tuple[int, str, str]], target: str) -> str:
    return " + ".join(column for _i, column, m in columns if m == target)


def parse_mapping(header: list[str], pairs: list[str]) -> list[str]:
    """``--map "Họ và tên=full_name"`` (repeatable) over the guesses; "=" alone ignores."""
    mapping = guess_mapping(header)
    keys = [_header_key(h) for h in header]
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        if not sep:
            raise ListError("bad_mapping", f"--map {pair!r}: write COLUMN=FIELD")
        target = target.strip()
        if target and target not in FIELDS:
            raise ListError("bad_mapping", f"--map {pair!r}: {target!r} is not one of "
                            + ", ".join(FIELDS))
        key = _header_key(column)
        if key not in keys:
            raise ListError("bad_mapping", f"--map {pair!r}: the file has no column "
                            f"{column!r}")
        mapping[keys.index(key)] = target
    return mapping


# --- importing, withdrawing, reading ---------------------------------------------------------

def active_duplicate(conn: Connection, sha256: str) -> dict[str, Any] | None:
    row = conn.execute(select(list_imports).where(
        list_imports.c.sha256 == sha256, list_imports.c.withdrawn_at.is_(None))
        .order_by(list_imports.c.imported_at)).first()
    return dict(row._mapping) if row else None


def import_list(conn: Connection, actor: Actor, checked: Checked, *, title: str, source: str,
                filename: str, sha256: str, now: datetime, replace: bool = False) -> str:
    """The checked rows as one import, in the caller's transaction; its id. Nothing is written
    when a row has a problem, or when the same file is already imported (unless ``replace``:
    the earlier import is withdrawn in the same transaction)."""
    require(actor, IMPORTERS, "import lists")
    if not checked.ok:
        raise ListError("has_problems", f"{checked.problem_count} problems: nothing imported")
    title, source = title.strip(), source.strip()
    if not title or len(title) > MAX_TITLE:
        raise ListError("bad_title", f"a title of 1 to {MAX_TITLE} characters is needed")
    if not source or len(source) > MAX_SOURCE:
        raise ListError("bad_source", "say where the list came from (who gave it, under which "
                        f"letter), up to {MAX_SOURCE} characters")
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ListError("bad_hash", "not a SHA-256")
    earlier = active_duplicate(conn, sha256)
    if earlier is not None:
        if not replace:
            when = f"{earlier['imported_at']:%Y-%m-%d}"
            raise ListError("duplicate", f"this file was imported on {when} by "
                            f"{earlier['imported_by']} as {earlier['title']!r} "
                            f"({earlier['id']}); say that it replaces that import")
        withdraw(conn, actor, earlier["id"], now)
    import_id = str(uuid.uuid4())
    conn.execute(insert(list_imports).values(
        id=import_id, kind=checked.kind, title=title, source=source,
        filename=filename.replace("/", "_").replace("\\", "_")[-MAX_FILENAME:] or "list",
        sha256=sha256, row_count=len(checked.rows),
        mapping=json.dumps(checked.mapping, ensure_ascii=False), imported_by=actor.username,
        imported_at=now))
    batch: list[dict[str, Any]] = []
    for row in checked.rows:
        batch.append({**row, "id": f"{import_id}:{row['line']}", "import_id": import_id,
                      "kind": checked.kind})
        if len(batch) >= 5000:
            conn.execute(insert(list_rows), batch)
            batch = []
    if batch:
        conn.execute(insert(list_rows), batch)
    return import_id


def withdraw(conn: Connection, actor: Actor, import_id: str, now: datetime) -> None:
    """The rows leave (the linker and the witness network no longer see them); the import's
    record stays, with who withdrew it and when."""
    require(actor, IMPORTERS, "withdraw lists")
    found = conn.execute(select(list_imports.c.withdrawn_at).where(
        list_imports.c.id == import_id)).first()
    if found is None:
        raise ListNotFound()
    if found.withdrawn_at is not None:
        raise ListError("withdrawn", "this list was already withdrawn")
    conn.execute(delete(list_rows).where(list_rows.c.import_id == import_id))
    conn.execute(update(list_imports).where(list_imports.c.id == import_id).values(
        withdrawn_by=actor.username, withdrawn_at=now))


def imports(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """Every import, newest first, with the rows it still has."""
    require(actor, READS, "read lists")
    counts = dict(conn.execute(select(list_rows.c.import_id, func.count())
                               .group_by(list_rows.c.import_id)).all())
    rows = conn.execute(select(list_imports).order_by(list_imports.c.imported_at.desc()))
    return [dict(r._mapping, rows_now=counts.get(r.id, 0)) for r in rows]


def one_import(conn: Connection, actor: Actor, import_id: str, *, page: int = 1,
               per_page: int = 50) -> dict[str, Any]:
    require(actor, READS, "read lists")
    found = conn.execute(select(list_imports).where(list_imports.c.id == import_id)).first()
    if found is None:
        raise ListNotFound()
    total = conn.execute(select(func.count()).select_from(list_rows).where(
        list_rows.c.import_id == import_id)).scalar_one()
    page = max(1, page)
    rows = conn.execute(select(list_rows).where(list_rows.c.import_id == import_id)
                        .order_by(list_rows.c.line).limit(per_page)
                        .offset((page - 1) * per_page))
    out = dict(found._mapping)
    out["mapping"] = json.loads(out["mapping"])
    out.update(total=total, page=page, per_page=per_page,
               rows=[dict(r._mapping, extra=json.loads(r.extra)) for r in rows])
    return out


def all_rows(conn: Connection, actor: Actor, import_id: str) -> list[dict[str, Any]]:
    require(actor, READS, "read lists")
    return [dict(r._mapping) for r in conn.execute(
        select(list_rows).where(list_rows.c.import_id == import_id).order_by(list_rows.c.line))]
