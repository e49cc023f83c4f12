"""Cells of a matrix table: ids and numbers, checked, with one Problem per bad cell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geodata.errors import Problem, ValidationError
from geodata.matrix import UNREACHABLE

__all__ = ["MAX_PROBLEMS", "id_cells", "number_cells", "raise_problems"]

#: Problems listed per check; a file with 10M bad cells gets a short message.
MAX_PROBLEMS = 100


def id_cells(
    col: pd.Series, file: str, field: str, problems: list[Problem]
) -> tuple[np.ndarray, list[str]]:
    """Codes per row (-1 where empty) and the ids, in order of first appearance."""
    if pd.api.types.is_float_dtype(col) and np.all(np.mod(col.dropna(), 1) == 0):
        col = col.astype("Int64")  # Parquet ids 1001.0 mean "1001"
    # Clean the distinct values only: a 10M-row long file has ~11k distinct ids.
    raw_codes, uniques = pd.factorize(col)
    clean = pd.Series(uniques, dtype=object).astype("string").str.strip()
    clean = clean.mask(clean == "")
    clean_codes, ids = pd.factorize(clean)  # " a" and "a" become one id
    codes = np.where(raw_codes >= 0, clean_codes[np.maximum(raw_codes, 0)], -1)
    for i in np.flatnonzero(codes < 0)[:MAX_PROBLEMS]:
        problems.append(Problem(file, int(i) + 1, field, "an id", "an empty cell"))
    return codes, [str(i) for i in ids]


def number_cells(
    part: pd.DataFrame, factor: float, what: str, file: str, problems: list[Problem]
) -> np.ndarray:
    """Values × ``factor`` as floats; NaN where empty. Bad cells become problems."""
    header = [str(c) for c in part.columns]
    cols = []
    for j in range(part.shape[1]):
        col = part.iloc[:, j]
        if pd.api.types.is_numeric_dtype(col):
            cols.append(col.to_numpy(dtype=float, na_value=np.nan))
            continue
        text = col.astype("string").str.strip()
        num = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
        bad = (num.isna() & text.notna() & (text != "")).to_numpy()
        for i in np.flatnonzero(bad)[:MAX_PROBLEMS]:
            problems.append(
                Problem(file, int(i) + 1, header[j], f"a number of {what}", f"'{text.iloc[i]}'")
            )
        cols.append(num.to_numpy(dtype=float, na_value=np.nan))
    values = np.column_stack(cols) * factor if cols else np.empty((len(part), 0))
    with np.errstate(invalid="ignore"):
        wrong = ~np.isnan(values) & ~((values >= 0) & (values < UNREACHABLE))
    for i, j in np.argwhere(wrong)[:MAX_PROBLEMS]:
        raw = values[i, j] / factor
        expected = f"a number of {what}, 0 or more" if raw < 0 else f"a finite number of {what}"
        problems.append(
            Problem(
                file,
                int(i) + 1,
                header[j],
                expected,
                f"{raw:g}",
                hint="leave the cell empty for no path",
            )
        )
    return values


def raise_problems(problems: list[Problem]) -> None:
    if not problems:
        return
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem(problems[0].file, None, None, "no more problems", f"{more} more not listed"),
        ]
    raise ValidationError(problems)
