"""CSV tables of points: lon/lat or British National Grid columns.

``parse_csv`` takes text (tests pass it inline); ``read_csv`` decodes a file (UTF-8
with or without BOM, UTF-16 with BOM, else Windows-1252) and parses it. Rows are
numbered as a spreadsheet user counts them: 1 is the first row under the header, and
blank lines count but are dropped.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from geodata.errors import Problem, ValidationError
from geodata.read._records import COORDINATE_NAMES, Parsed, apply_columns, find_coordinates
from geodata.schema import SCHEMAS

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

__all__ = ["decode", "parse_csv", "read_bytes", "read_csv"]

log = logging.getLogger(__name__)

_DELIMITERS = ",;\t|"
#: A number written with a decimal comma: 18000,0 or 1.234,5 (also -1,6 and 85,5%).
_DECIMAL_COMMA = re.compile(r"[+-]?£?(\d{1,3}(\.\d{3})+|\d*),\d+%?")


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file, or a ValidationError naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(
            Problem(
                str(path),
                None,
                None,
                "a readable file",
                exc.strerror or type(exc).__name__,
                "check the path and that you may read the file",
            )
        ) from exc


#: How binary files that users save as .csv begin → what they probably are.
_MAGIC = (
    (b"PK\x03\x04", "a zip file, such as an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"SQLite format 3", "a database, such as a GeoPackage"),
    (b"%PDF", "a PDF document"),
)


def decode(data: bytes, source: str) -> str:
    """Text of a file: UTF-16 or UTF-8 by BOM, else UTF-8, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    _not_binary(data, source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    log.warning("%s is not UTF-8; reading it as Windows-1252 (save as UTF-8 to be sure)", source)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _not_binary(data: bytes, source: str) -> None:
    """A ValidationError for a file of binary data (never its bytes on the terminal)."""
    head = data[:8192]
    controls = sum(1 for b in head if (b < 32 and b not in (9, 10, 12, 13)) or b == 127)
    if not controls:
        return
    what = next((name for magic, name in _MAGIC if head.startswith(magic)), None)
    if what is None and b"\x00" not in head and controls <= max(8, len(head) // 100):
        return  # a stray control character in text: the cell that holds it says so
    raise ValidationError(
        Problem(
            source,
            None,
            None,
            "a text CSV file",
            what or "binary data",
            "open it in a spreadsheet and save it as CSV (UTF-8), or pass the right file",
        )
    )


def read_csv(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
) -> Parsed:
    """Parse a CSV file; see :func:`parse_csv`."""
    source = str(path)
    return parse_csv(decode(read_bytes(path), source), columns=columns, crs=crs, source=source)


def parse_csv(
    text: str,
    *,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
    source: str = "<text>",
) -> Parsed:
    """Parse CSV text into records with canonical names.

    Parameters
    ----------
    text
        The whole file. The delimiter (comma, semicolon, tab or bar) is taken from the
        header line.
    columns
        Canonical name → the file's column, e.g. ``{"id": "URN", "lon": "GeoX"}``.
    crs
        How to read the coordinate columns when their names do not say: ``"EPSG:4326"``
        (lon/lat) or ``"EPSG:27700"`` (easting/northing). By default the column names
        decide, then the values' range.
    source
        File name for messages.
    """
    text = text.lstrip("\ufeff")
    delimiter = _delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                "a CSV file",
                f"unreadable text ({exc})",
                "export the table again as CSV (UTF-8) from the spreadsheet",
            )
        ) from exc
    blank_lines = 0  # leading blank records: the header's spreadsheet row is below them
    while records and not any(cell.strip() for cell in records[0]):
        records.pop(0)
        blank_lines += 1
    if not records:
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                "a header row of column names",
                "an empty file",
                "export the table again with its header row",
            )
        )
    header = _header(records[0])
    _no_duplicate_columns(records[0], columns, source)
    rows, data, problems = [], [], []
    # Rows are numbered as a spreadsheet shows them: the header is row 1 (+ blank lines).
    for number, record in enumerate(records[1:], start=2 + blank_lines):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            problems.append(
                Problem(
                    source,
                    number,
                    None,
                    f"{len(header)} values, as in the header",
                    f"{len(record)} values",
                    "put values containing the delimiter in double quotes",
                )
            )
        record = (record + [""] * len(header))[: len(header)]
        rows.append(number)
        data.append([cell.strip() for cell in record])
    frame = pd.DataFrame(data, columns=header, dtype=object)
    frame.index = pd.Index(rows, name="row", dtype="int64")
    decimal = _decimal_mark(data, delimiter, source)
    frame, names = apply_columns(frame, columns, source)
    frame = find_coordinates(frame, names, crs, source)
    return Parsed(frame, source, tuple(problems), names, decimal)


def _decimal_mark(data: list[list[str]], delimiter: str, source: str) -> str:
    """``","`` for a semicolon CSV whose numbers use decimal commas, ``"?"`` for one
    that shows none (a dot is a decimal mark, but ``1.234`` is ambiguous), else ``"."``."""
    if delimiter != ";":
        return "."
    if not any(_DECIMAL_COMMA.fullmatch(cell.replace(" ", "")) for row in data for cell in row):
        return "?"
    log.info("%s: semicolon CSV with decimal commas: reading 18000,5 as 18000.5", source)
    return ","


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _no_duplicate_columns(cells: list[str], columns: Mapping[str, str] | None, source: str) -> None:
    """A column the engine reads (a schema field, a coordinate, a mapped column) named
    twice in the header is ambiguous: one problem naming it."""
    used = {f.name for schema in SCHEMAS.values() for f in schema.fields}
    used |= COORDINATE_NAMES | {str(v).lower() for v in (columns or {}).values()}
    seen: set[str] = set()
    for cell in cells:
        name = cell.strip()
        if name and name in seen and name.lower() in used:
            raise ValidationError(
                Problem(
                    source,
                    None,
                    name,
                    f"one column named '{name}'",
                    "two columns with that name in the header",
                    "rename or delete one of them",
                )
            )
        seen.add(name)


def _header(cells: list[str]) -> list[str]:
    header: list[str] = []
    for i, cell in enumerate(cells, start=1):
        base = cell.strip() or f"column_{i}"
        name, k = base, 1
        while name in header:
            k += 1
            name = f"{base}.{k}"
        header.append(name)
    return header
