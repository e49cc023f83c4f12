"""Fields derived from others a council file holds: a location from a postcode, an age
from a date of birth.

* ``postcode`` (when the file has no coordinates): the postcode's centroid
  (:mod:`geodata.geocode`), written as ``easting``/``northing``. A malformed, unknown or
  terminated postcode is a bad row, with its value.
* ``date_of_birth`` (when the file has no ``age``): the age on 31 August of the school
  year (``school_year``, the year the school year starts), the age eligibility uses.
  Day-first dates as UK files write them (``04/03/2015``, ``4.3.2015``), ISO dates
  (``2015-03-04``, as spreadsheets store them) and ``4 Mar 2015``; ``03/04/15`` (two-digit
  year) is refused, as ambiguous.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from geodata.errors import Problem
from geodata.geocode import default_postcodes, normalise, uprn_points

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geodata.geocode import PostcodeTable
    from geodata.read._records import Parsed

__all__ = ["SOURCE_COLUMNS", "ReadSettings", "derive", "school_year_now"]

_COORDS = ("lon", "lat", "easting", "northing")
#: A file's names for the source columns (lower case, letters and digits only).
_POSTCODE = {"postcode", "postalcode", "pcode", "homepostcode"}
_BIRTH = {"dateofbirth", "dob", "birthdate", "birthday"}
_UPRN = {"uprn"}
#: Every name read as the source of a derived field (a column in use, not "not used").
SOURCE_COLUMNS = frozenset(_POSTCODE | _BIRTH | _UPRN)


@dataclass(frozen=True)
class ReadSettings:
    """What the readers need beyond a file: the ``[geocode]`` tables, the school year
    ages are taken in, and the ``[values]`` mappings by kind
    (:func:`geodata.read.values.check_value_tables`)."""

    postcodes: PostcodeTable | None = None  # None: the embedded Code-Point Open
    uprns: str | None = None  # an OS Open UPRN CSV
    school_year: int | None = None  # None: the school year of today's date
    values: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)


def school_year_now(today: dt.date | None = None) -> int:
    """The year the current school year started (September): 2026 from Sept 2026 to Aug 2027."""
    today = today or dt.date.today()
    return today.year if today.month >= 9 else today.year - 1


def _find(frame, names: set[str]) -> str | None:
    return next((c for c in frame.columns if re.sub(r"[^a-z0-9]", "", str(c).lower()) in names),
                None)  # fmt: skip


def derive(
    parsed: Parsed, settings: ReadSettings, ages: bool = True
) -> tuple[Parsed, dict[str, object]]:
    """``parsed`` with ``easting``/``northing`` from a postcode (or UPRN) and, with
    ``ages``, ``age`` from a date of birth, where the file lacks them; and a note of
    what was derived (for the run's summary)."""
    frame, problems = parsed.frame, list(parsed.problems)
    note: dict[str, object] = {}
    located = "geometry" in frame.columns or any(c in frame for c in _COORDS)
    uprn, postcode = _find(frame, _UPRN), _find(frame, _POSTCODE)
    if not located and uprn is not None and settings.uprns:
        frame, bad = _locate_uprns(frame, uprn, settings.uprns, parsed)
        problems += bad
        note["locations_from_uprns"] = int(frame["easting"].ne("").sum())
    elif not located and postcode is not None:
        table = settings.postcodes or default_postcodes()
        frame, bad = _locate(frame, postcode, table, parsed)
        problems += bad
        note["locations_from_postcodes"] = int(frame["easting"].ne("").sum())
        note["postcodes"] = table.source
    born = _find(frame, _BIRTH)
    if ages and born is not None and "age" not in frame:
        year = settings.school_year if settings.school_year is not None else school_year_now()
        frame, bad = _ages(frame, born, year, parsed)
        problems += bad
        note["age_from_date_of_birth"] = f"age on 31 August {year}"
    if not note:
        return parsed, note
    return replace(parsed, frame=frame, problems=tuple(problems)), note


def _locate_uprns(frame, column, path: str, parsed: Parsed):
    wanted = {str(v).strip().removesuffix(".0") for v in frame[column]}
    points = uprn_points(path, wanted)
    east, north, problems = [], [], []
    for row, value in zip(frame.index, frame[column], strict=True):
        key = str(value or "").strip().removesuffix(".0")
        point = points.get(key)
        if point is None:
            found = f"'{key}'" if key else "an empty cell"
            problems.append(Problem(parsed.source, int(row), _label(parsed, column),
                                    "a UPRN in OS Open UPRN", found,
                                    "correct it or give the point's coordinates"))  # fmt: skip
        east.append("" if point is None else str(point[0]))
        north.append("" if point is None else str(point[1]))
    out = frame.copy()
    out["easting"], out["northing"] = east, north
    return out, problems


def _label(parsed: Parsed, column: str) -> str:
    return str(parsed.names.get(column, column))


def _locate(frame, column, table: PostcodeTable, parsed: Parsed):
    east, north, problems = [], [], []
    for row, value in zip(frame.index, frame[column], strict=True):
        text = str(value or "").strip()
        code = normalise(text) if text else None
        point = table.lookup(code) if code else None
        if point is None:
            found = "an empty cell" if not text else f"'{text}'"
            if text and code is None:
                why = "a malformed postcode"
            elif code in table.terminated:
                why = "a terminated postcode"
            elif text:
                why = f"a postcode not in {table.source}"
            else:
                why = "no postcode"
            problems.append(Problem(parsed.source, int(row), _label(parsed, column),
                                    "a UK postcode such as NE61 1AA", f"{found} ({why})",
                                    "correct it or give the point's coordinates"))  # fmt: skip
            east.append("")
            north.append("")
        else:
            east.append(str(point[0]))
            north.append(str(point[1]))
    out = frame.copy()
    out["easting"], out["northing"] = east, north
    return out, problems


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def _date(text: str) -> dt.date | None:
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?", text)
    if iso:
        y, m, d = (int(x) for x in iso.groups())
        return dt.date(y, m, d)
    uk = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    if uk:
        d, m, y = (int(x) for x in uk.groups())
        return dt.date(y, m, d)
    words = re.fullmatch(r"(\d{1,2})[ \-]([A-Za-z]{3})[A-Za-z]*[ \-](\d{4})", text)
    if words and words[2].lower() in _MONTHS:
        return dt.date(int(words[3]), _MONTHS[words[2].lower()], int(words[1]))
    return None


def _ages(frame, column, year: int, parsed: Parsed):
    cutoff = dt.date(year, 8, 31)
    ages, problems = [], []
    for row, value in zip(frame.index, frame[column], strict=True):
        text = str(value or "").strip()
        try:
            born = _date(text) if text else None
        except ValueError:  # 31/02/2015
            born = None
        if born is None or born > cutoff:
            problems.append(Problem(parsed.source, int(row), _label(parsed, column),
                                    f"a date of birth, day first (04/03/2015), before {cutoff}",
                                    f"'{text}'" if text else "an empty cell",
                                    "write the date as DD/MM/YYYY"))  # fmt: skip
            ages.append("")
            continue
        age = cutoff.year - born.year - ((cutoff.month, cutoff.day) < (born.month, born.day))
        ages.append(str(age))
    out = frame.copy()
    out["age"] = ages
    return out, problems
