"""Spreadsheets (``.xlsx``, ``.xlsm``, ``.ods``): a sheet read as the CSV reader reads a
table.

A sheet is named as ``PATH#SHEET`` anywhere a file is given (``export.xlsx#Pupils``),
else the first sheet is read. Title lines above the header are skipped: the header is
the first row that names at least half as many columns as the widest of the sheet's
first rows (and at least two). Cells come as the spreadsheet stores them: formulas as
their last computed values, dates and times as dates and times (written ``YYYY-MM-DD``
and ``HH:MM`` for the validators), whole numbers without ``.0`` (so an id stored as a
number reads ``123456``). Rows are the spreadsheet's own row numbers, and a field in a
message carries its column letter.

The reader is python-calamine (Rust, one call per sheet): on a 10,000-row workbook it
reads in a fraction of openpyxl's time (BENCHMARKS.md, "Spreadsheets").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import python_calamine as pc

from geodata.errors import Problem, ValidationError
from geodata.read._records import Parsed, apply_columns, find_coordinates
from geodata.read.table import _header, _no_duplicate_columns

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

__all__ = [
    "OLD_SPREADSHEETS",
    "SPREADSHEETS",
    "cell_text",
    "column_letter",
    "read_sheet",
    "split_sheet",
]

#: Extensions read as spreadsheets.
SPREADSHEETS = (".xlsx", ".xlsm", ".ods")
#: Extensions of spreadsheet formats refused with a hint to save as ``.xlsx``.
OLD_SPREADSHEETS = (".xls", ".xlsb")
#: Rows searched for the header.
_HEAD_ROWS = 30


def split_sheet(path: str | os.PathLike[str]) -> tuple[Path, str | None]:
    """``export.xlsx#Pupils`` → (``export.xlsx``, ``Pupils``); other paths unchanged."""
    text = str(path)
    base, hash_, sheet = text.rpartition("#")
    if hash_ and Path(base).suffix.lower() in (*SPREADSHEETS, *OLD_SPREADSHEETS):
        return Path(base), sheet
    return Path(text), None


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_sheet(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
) -> Parsed:
    """Parse one sheet of a workbook into records with canonical names.

    ``path`` may name the sheet (``book.xlsx#Pupils``); ``sheet`` names it otherwise.
    """
    file, named = split_sheet(path)
    name, rows = _load(file, sheet if sheet is not None else named)
    source = f"{file}#{name}"
    at = _header_row(rows, source)
    cells = rows[at]
    left = next(i for i, c in enumerate(cells) if c)  # tables need not start in column A
    width = max(i for i, c in enumerate(cells) if c) + 1
    header = _header(cells[left:width])
    _no_duplicate_columns(cells[left:width], columns, source)
    numbers, data, problems = [], [], []
    for number, record in enumerate(rows[at + 1 :], start=at + 2):
        if not any(record):
            continue
        outside = [i for i, c in enumerate(record) if c and not left <= i < width]
        if outside:
            problems.append(Problem(source, number, column_letter(outside[0]),
                                    "values only under a header", f"'{record[outside[0]]}'",
                                    "give the column a header or clear it"))  # fmt: skip
        numbers.append(number)
        data.append((record + [""] * width)[left:width])
    if not data:
        raise ValidationError(Problem(source, None, None, "rows of data under the header",
                                      "no data rows", "fill in the sheet"))  # fmt: skip
    frame = pd.DataFrame(data, columns=header, dtype=object)
    frame.index = pd.Index(numbers, name="row", dtype="int64")
    frame, names = apply_columns(frame, columns, source)
    frame = find_coordinates(frame, names, crs, source)
    letters = {h: column_letter(left + i) for i, h in enumerate(header)}
    labels = {}
    for column in frame.columns:
        own = names.get(column, column)
        labels[column] = f"{own}, column {letters[own]}" if own in letters else own
    return Parsed(frame, source, tuple(problems), labels)


def _load(file: Path, sheet: str | None) -> tuple[str, list[list[str]]]:
    """The sheet's name and its rows as text, from row 1 and column A."""
    source = str(file)
    suffix = file.suffix.lower()
    if suffix in OLD_SPREADSHEETS:
        raise ValidationError(Problem(source, None, None, "an .xlsx, .xlsm or .ods workbook",
                                      f"an old '{suffix}' workbook",
                                      "open it in Excel and save it as .xlsx"))  # fmt: skip
    if not file.is_file():
        raise ValidationError(Problem(source, None, None, "a readable file", "no such file",
                                      "check the path"))  # fmt: skip
    try:
        book = pc.CalamineWorkbook.from_path(str(file))
    except pc.PasswordError:
        raise ValidationError(Problem(source, None, None, "a workbook without a password",
                                      "a password-protected workbook",
                                      "save a copy without the password"))  # fmt: skip
    except Exception as exc:  # calamine's errors: zip, XML, unknown format
        raise ValidationError(Problem(source, None, None, f"a {suffix} workbook",
                                      f"a file that does not open as one ({type(exc).__name__})",
                                      "open it in the spreadsheet and save it again"))  # fmt: skip
    names = list(book.sheet_names)
    if sheet is None:
        if not names:
            raise ValidationError(Problem(source, None, None, "a workbook with a sheet",
                                          "no sheets", "add the table to a sheet"))  # fmt: skip
        sheet = names[0]
    if sheet not in names:
        raise ValidationError(Problem(source, None, None, f"a sheet named '{sheet}'",
                                      f"sheets {', '.join(repr(n) for n in names)}",
                                      "name one of them after '#'"))  # fmt: skip
    try:
        values = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise ValidationError(Problem(f"{source}#{sheet}", None, None, "a readable sheet",
                                      f"an unreadable sheet ({type(exc).__name__})",
                                      "open it in the spreadsheet and save it again"))  # fmt: skip
    return sheet, [[cell_text(v) for v in row] for row in values]


def _header_row(rows: list[list[str]], source: str) -> int:
    """Index of the header: the first row naming ≥ 2 columns and at least half as many
    as the widest of the first rows (title lines above it name one or two)."""
    head = rows[:_HEAD_ROWS]
    counts = [sum(1 for c in row if c) for row in head]
    widest = max(counts, default=0)
    for i, count in enumerate(counts):
        if count >= max(2, (widest + 1) // 2):
            return i
    raise ValidationError(Problem(source, None, None, "a header row of column names",
                                  "an empty sheet" if not widest else "no row with two or more "
                                  "column names", "put the table's header in one row"))  # fmt: skip


def cell_text(value: Any) -> str:
    """A cell as the CSV reader would see it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    if isinstance(value, dt.timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value).strip()
