"""When residents want to visit: a weight per day and slot of the problem's week.

A profile is a read-only ``7 × slots`` array that sums to 1. The default is uniform
over Monday to Friday, 09:00 to 17:00; a council with footfall data supplies a CSV
with one line per day (or day range) and period::

    day,hours,weight
    Mon-Fri,09:00-12:00,3
    Mon-Fri,12:00-17:00,2
    Sat,09:30-12:30,1

``weight`` is the relative demand per hour within the period (only ratios matter).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geodata.errors import InputError
from geodata.timefmt import parse_days, parse_hours

if TYPE_CHECKING:
    from models.hours import HoursProblem

__all__ = ["DEFAULT_DAYS", "DEFAULT_HOURS", "parse_profile", "read_profile", "uniform_profile"]

DEFAULT_DAYS = "Mon-Fri"
DEFAULT_HOURS = "09:00-17:00"


def _starts(problem: HoursProblem) -> np.ndarray:
    return problem.day_start + problem.slot_minutes * np.arange(problem.slots_per_day)


def _normalised(weights: np.ndarray, source: str) -> np.ndarray:
    total = weights.sum()
    if not total > 0:
        raise InputError(f"{source}: the profile puts no weight on any slot of the week")
    out = weights / total
    out.setflags(write=False)
    return out


def uniform_profile(
    problem: HoursProblem, days: str = DEFAULT_DAYS, hours: str = DEFAULT_HOURS
) -> np.ndarray:
    """Equal weight on every slot of ``hours`` on ``days``."""
    return parse_profile(f"day,hours,weight\n{days},{hours},1\n", problem, source="profile")


def parse_profile(text: str, problem: HoursProblem, *, source: str = "profile") -> np.ndarray:
    """A profile from CSV text (``day,hours,weight``) on the slots of ``problem``."""
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    missing = [f for f in ("day", "hours", "weight") if f not in fields]
    if missing:
        raise InputError(
            f"{source}: expected columns day,hours,weight; missing '{missing[0]}' "
            f"(found {', '.join(fields) or 'no header'})"
        )
    starts = _starts(problem)
    weights = np.zeros((7, problem.slots_per_day))
    for row_no, raw in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            days = parse_days(row["day"])
            periods = parse_hours(row["hours"])
            weight = float(row["weight"])
        except ValueError as exc:
            raise InputError(f"{source}, row {row_no}: expected {exc}") from None
        if not days or not periods:
            raise InputError(f"{source}, row {row_no}: expected a day and hours, found none")
        if not (weight >= 0 and np.isfinite(weight)):
            raise InputError(
                f"{source}, row {row_no}, field 'weight': expected a number >= 0, "
                f"found '{row['weight']}'"
            )
        share = problem.slot_minutes / 60  # weight is per hour
        for start, end in periods:
            inside = (starts >= start) & (starts + problem.slot_minutes <= end)
            if not inside.any():
                raise InputError(
                    f"{source}, row {row_no}, field 'hours': expected hours within the "
                    f"problem's day, found '{row['hours']}'"
                )
            for d in days:
                weights[d, inside] += weight * share
    return _normalised(weights, source)


def read_profile(path: str | Path, problem: HoursProblem) -> np.ndarray:
    """A profile from a CSV file (see :func:`parse_profile`)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: profile file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: expected a UTF-8 CSV file") from None
    return parse_profile(text, problem, source=str(path))
