"""A list file as a grid of text: CSV in the encodings Vietnamese offices save (UTF-8, UTF-8
with a BOM, UTF-16 from Excel's "Unicode Text", Windows-1258), or XLSX read with openpyxl in
read-only mode. Each row keeps the number a spreadsheet shows beside it (the header is row 1).

An uploaded list is hostile: its size, its rows, its cells and, for XLSX, what the zip expands
to are bounded before anything is read into memory; an encoding this module cannot tell for
sure (VNI, TCVN3 "ABC", Latin-1 mojibake) is refused with what to do, never guessed.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

MAX_BYTES = 32 * 1024 * 1024  # a 200,000-row list of martyrs is about 30 MB of CSV
MAX_XLSX_EXPANDED = 400 * 1024 * 1024  # what the zip's parts expand to (a zip bomb stops here)
MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELL = 2_000  # characters; the import reports a longer cell, the reader cuts at 4x this


class ListFileError(Exception):
    """The file cannot be read as a list at all; ``code`` names why (a locale key's tail)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class Grid:
    encoding: str  # "UTF-8", "UTF-8 with BOM", "UTF-16", "Windows-1258", "XLSX"
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, its cells)
    sheet: str = ""  # XLSX: the sheet read


# Tone marks and the vowel marks that Windows-1258 writes as combining characters or as
# precomposed letters; a decoding that gives anything else outside ASCII is not Vietnamese.
_VI_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b")
_TYPOGRAPHY = frozenset("“”‘’–—…•°·«»€₫\u00a0§№")


def _vietnamese_share(text: str) -> float:
    """The share of the non-ASCII characters that are Vietnamese letters or common
    typography (1.0 when there are none)."""
    odd = total = 0
    for char in text:
        if char < "\x80":
            continue
        total += 1
        if char in _TYPOGRAPHY or char in "đĐ":
            continue
        base, *marks = unicodedata.normalize("NFD", char)
        if not (base.isascii() and base.isalpha() and marks and set(marks) <= _VI_MARKS):
            odd += 1
    return 1.0 if not total else 1 - odd / total


def decode(data: bytes) -> tuple[str, str]:
    """(text, the encoding's name), or ListFileError('encoding') saying what to do."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", "UTF-8 with BOM"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", "UTF-16"), "UTF-16"
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:  # UTF-16 without its BOM
        odd_zeros = sample[1::2].count(0)
        codec = "utf-16-le" if odd_zeros > sample[0::2].count(0) else "utf-16-be"
        return _strict(data, codec, "UTF-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        text = ""
    if text and _vietnamese_share(text) >= 0.97:
        return text, "Windows-1258"
    raise ListFileError("encoding", "the file is not UTF-8, UTF-16 or Windows-1258 text (it may "
                        "be VNI or TCVN3/ABC): open it in Excel or UniKey and save it as "
                        "'CSV UTF-8', then upload it again")


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise ListFileError("encoding", f"the file starts as {name} but byte {error.start} "
                            "is not: save it again as 'CSV UTF-8'") from None


def _delimiter(first_line: str) -> str:
    """Excel writes ',' (or ';' where the decimal mark is ','), and tabs in 'Unicode Text'."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean(cell: str) -> str:
    """A cell as text: NFC (Windows-1258 and macOS write decomposed marks), without control
    characters, cut far beyond the field limit so a hostile cell costs little."""
    cell = cell[:MAX_CELL * 4]
    if not cell.isascii():
        cell = unicodedata.normalize("NFC", cell)
    if any(ch < " " for ch in cell):
        cell = "".join(ch if ch >= " " or ch in "\n\t" else " " for ch in cell)
    return cell.strip()


def read_csv(data: bytes) -> Grid:
    text, encoding = decode(data)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""),
                        delimiter=_delimiter(first), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    number = 0
    try:
        for record in reader:
            number += 1  # a record with a line break inside a quoted cell is still one row
            if header is None:
                if not any(c.strip() for c in record):
                    continue  # blank lines above the header
                header = [_clean(c) for c in record[:MAX_COLUMNS + 1]]
                continue
            if len(rows) >= MAX_ROWS:
                raise ListFileError("too_many_rows", f"more than {MAX_ROWS} rows: split the "
                                    "file")
            rows.append((number, [_clean(c) for c in record[:MAX_COLUMNS + 1]]))
    except csv.Error as error:
        raise ListFileError("csv", f"row {number + 1}: the CSV is malformed ({error})") from None
    return _grid(encoding, header, rows)


def _grid(encoding: str, header: list[str] | None, rows: list[tuple[int, list[str]]],
          sheet: str = "") -> Grid:
    if not header:
        raise ListFileError("empty", "the file has no header row (the column names)")
    while header and not header[-1]:
        header.pop()  # trailing empty header cells (a spreadsheet's formatting)
    if len(header) > MAX_COLUMNS:
        raise ListFileError("too_many_columns", f"more than {MAX_COLUMNS} columns")
    return Grid(encoding, header, rows, sheet)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if value.time() == time() else \
            value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1948.0 is the year 1948
    return _clean(str(value))


def read_xlsx(data: bytes) -> Grid:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ListFileError("xlsx", "the file looks like XLSX but is damaged") from None
    if expanded > MAX_XLSX_EXPANDED:
        raise ListFileError("too_large", "the workbook expands to more than "
                            f"{MAX_XLSX_EXPANDED // 2**20} MB")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a broken workbook
        raise ListFileError("xlsx", f"the workbook cannot be read ({type(error).__name__})") \
            from None
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True,
                                                        max_col=MAX_COLUMNS + 1), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()  # read-only rows come padded to the widest column asked for
            if header is None:
                if any(cells):
                    header = cells
                continue
            if len(rows) >= MAX_ROWS:
                raise ListFileError("too_many_rows", f"more than {MAX_ROWS} rows: split the "
                                    "file")
            rows.append((number, cells))
        return _grid("XLSX", header, rows, sheet.title)
    finally:
        book.close()


def read(data: bytes, filename: str = "") -> Grid:
    """The file as a grid, whatever it is, or ListFileError."""
    if len(data) > MAX_BYTES:
        raise ListFileError("too_large", f"the file is over {MAX_BYTES // 2**20} MB: split it")
    if not data.strip():
        raise ListFileError("empty", "the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ListFileError("xls", "this is an old Excel file (.xls): save it as .xlsx or "
                            "'CSV UTF-8' and upload it again")
    return read_csv(data)


def rows_of(grid: Grid) -> Iterator[tuple[int, list[str]]]:
    """The data rows, without the wholly empty ones (a spreadsheet's blank lines)."""
    for number, cells in grid.rows:
        if any(cells):
            yield number, cells


# --- shown or exported: never a formula ---------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell that a spreadsheet will show as text: one starting like a formula
    (=, +, -, @, tab, CR; OWASP's CSV-injection list) gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value
