"""Checks across files, made on validated frames: a value that must name a row of
another file (a pupil's ``school_id`` → the schools file).

:func:`geodata.validate.validate` checks one file; it keeps each row's number as a
spreadsheet shows it (``frame.attrs["rows"]``: header, blank lines and skipped rows
counted) and the file's own column names (``frame.attrs["labels"]``), so a problem
found later, against another file, is reported exactly like a problem of the file
itself: file, row, field (the file's name for it), expected, found, what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geodata._coerce import describe
from geodata.errors import Problem, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

__all__ = ["check_references", "row_number"]


def row_number(frame: pd.DataFrame, source: str, position: int) -> int:
    """The row a user sees for data row ``position`` (0-based) of ``source``: the number
    validation kept, else the position under a header row (CSV) or from 1."""
    rows = frame.attrs.get("rows")
    if rows is not None and len(rows) == len(frame):
        return int(rows[position])
    return position + (2 if str(source).lower().endswith(".csv") else 1)


def check_references(
    frame: pd.DataFrame,
    name: str,
    known: Iterable[str],
    *,
    source: str,
    expected: str,
    hint: str,
) -> None:
    """Every value of column ``name`` is one of ``known``, or raise
    :class:`ValidationError` listing each row that is not."""
    known = set(known)
    label = frame.attrs.get("labels", {}).get(name, name)
    problems = [
        Problem(source, row_number(frame, source, i), label, expected, describe(value), hint)
        for i, value in enumerate(frame[name].astype(str).to_numpy())
        if value not in known
    ]
    if problems:
        raise ValidationError(problems)
