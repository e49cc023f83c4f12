"""Optional yes/no pupil columns read by eligibility and mode choice, checked once.

The pupils schema (``geodata/schema.py``) holds the columns every command needs; the
validation layer passes any other column through unconverted. Eligibility and mode
choice read a few such columns when a council supplies them, each with a documented
default rule when it is absent or empty:

* ``unable_to_walk``: SEND pupil who cannot be expected to walk to school whatever the
  distance (default: the ``sen`` flag);
* ``special_school``: a special school is the suitable school (default: the pupil
  attends a school of phase ``special``);
* ``budget_ok``: the family can accept a personal travel budget (default: the pupil
  needs neither a wheelchair space nor a passenger assistant, who call for an adapted
  vehicle or a trained escort that a family budget does not replace).

A bad cell is an :class:`~geodata.errors.InputError` naming the file, the row (as a
spreadsheet numbers it for a CSV file, from 1 for other formats), the column, what
was expected and what was found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from geodata._coerce import BadValue, coerce, describe, is_empty
from geodata.errors import Problem, ValidationError
from geodata.schema import Field

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check_school_ids", "flag", "row_number"]


def row_number(frame: pd.DataFrame, source: str, position: int) -> int:
    """The row a user sees for data row ``position`` (0-based) of ``source``: the number
    the validation layer kept (``frame.attrs["rows"]``: blank lines and skipped rows
    counted), else the position under a header row."""
    rows = frame.attrs.get("rows")
    if rows is not None and len(rows) == len(frame):
        return int(rows[position])
    return position + (2 if str(source).lower().endswith(".csv") else 1)


def flag(frame: pd.DataFrame, name: str, default: np.ndarray, source: str) -> np.ndarray:
    """Column ``name`` as a read-only bool array; ``default`` where absent or empty."""
    out = np.array(default, dtype=bool, copy=True)
    if name in frame:
        field = Field(name, "bool")
        problems = []
        for i, value in enumerate(frame[name].to_numpy()):
            if is_empty(value):
                continue
            try:
                out[i] = bool(coerce(value, field))
            except BadValue as exc:
                row = row_number(frame, source, i)
                problems.append(Problem(source, row, name, exc.expected, describe(value), exc.hint))
        if problems:
            raise ValidationError(problems)
    out.setflags(write=False)
    return out


def check_school_ids(pupils: pd.DataFrame, school_ids: tuple[str, ...], source: str) -> None:
    """Every pupil's ``school_id`` names a school of the schools file, or say which does not."""
    known = set(school_ids)
    problems = [
        Problem(
            source,
            row_number(pupils, source, i),
            "school_id",
            "the id of a school in the schools file",
            describe(value),
            "check the schools file or the pupil's school_id",
        )
        for i, value in enumerate(pupils["school_id"].astype(str).to_numpy())
        if value not in known
    ]
    if problems:
        raise ValidationError(problems)
