"""Errors raised at the input boundary.

Every problem with a user's file is described by a :class:`Problem`: which file, which
row (1-based data row, as a spreadsheet user counts them, header excluded) or feature,
which field, what was expected and what was found, and what to do about it. The CLI
prints ``str(problem)`` as one line and exits with code 2.

Rows of a CSV file are numbered as a spreadsheet shows them (the header is row 1, so the
first data row is row 2); features of GeoJSON, GeoPackage, Shapefile, GeoParquet and
NaPTAN files are numbered from 1.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InputError", "Problem", "ValidationError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    row: int | None
    field: str | None
    expected: str
    found: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        text = f"{where}: expected {self.expected}, found {self.found}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
        }


class InputError(ValueError):
    """Bad input or bad options that are not tied to one row of a file."""


class ValidationError(InputError):
    """One or more problems with an input file.

    ``str()`` is the first problem, plus a count of the others, on one line; the full
    list is in ``problems``.
    """

    def __init__(self, problems: Problem | list[Problem] | tuple[Problem, ...]):
        if isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        first = str(self.problems[0])
        more = len(self.problems) - 1
        if more:
            first += f"; and {more} more problem{'s' if more > 1 else ''}"
        return first
