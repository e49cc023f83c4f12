"""Parse a travel matrix from a table (STYLE.md practice 7: parsers take text).

Two layouts:

``long``
    one row per pair: ``origin, destination, seconds[, metres]`` (header names
    mappable with ``columns``; with ``unit="minutes"`` the time column defaults to
    ``minutes``).
``wide``
    a grid: the first column holds origin ids, the other headers are destination ids,
    the cells are times. Distances, if any, come in a second grid of the same shape.

A missing pair or an empty cell means *no path* (:data:`UNREACHABLE`). Without
distances, metres are estimated from the time at the mode's default straight-line
speed, and the matrix's ``source`` says so.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geodata.errors import InputError, Problem, ValidationError
from geodata.matrix import MODES, UNREACHABLE, TravelMatrix
from geodata.providers._cells import MAX_PROBLEMS, id_cells, number_cells, raise_problems
from geodata.providers.straight_line import DEFAULT_SPEED_KMH

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["LAYOUTS", "UNITS", "matrix_from_frame", "parse_matrix"]

logger = logging.getLogger(__name__)

LAYOUTS = ("auto", "long", "wide")
UNITS = ("seconds", "minutes")
_FACTOR = {"seconds": 1.0, "minutes": 60.0}
_ALIASES = {
    "origin": ("origin", "origin_id", "from"),
    "destination": ("destination", "destination_id", "to"),
    "seconds": ("seconds", "secs", "time_s"),
    "minutes": ("minutes", "mins", "time_min"),
    "metres": ("metres", "meters", "distance_m"),
}


@dataclass(frozen=True)
class _Long:
    origin: str
    destination: str
    time: str
    metres: str | None


def parse_matrix(
    text: str,
    *,
    layout: str = "auto",
    unit: str = "seconds",
    mode: str = "drive",
    columns: Mapping[str, str] | None = None,
    metres_text: str | None = None,
    file: str = "<text>",
) -> TravelMatrix:
    """A :class:`TravelMatrix` from CSV text.

    Parameters
    ----------
    text
        The CSV, header first.
    layout
        ``"long"``, ``"wide"`` or ``"auto"`` (long when origin and destination columns
        are found).
    unit
        ``"seconds"`` or ``"minutes"``: the unit of the times.
    mode
        ``"drive"`` or ``"walk"``.
    columns
        Canonical name → header in the file, for ``origin``, ``destination``,
        ``seconds`` (the time column, whatever its unit) and ``metres``.
    metres_text
        Wide layout only: a second grid with the distances in metres.
    file
        Name used in error messages.

    Raises
    ------
    ValidationError
        Missing columns, empty ids, duplicate pairs, non-numeric or negative values.
    """
    frame = read_csv_frame(io.StringIO(text), file, layout=layout, unit=unit, columns=columns)
    metres = None
    if metres_text is not None:
        metres = read_csv_frame(io.StringIO(metres_text), f"{file} (metres)", layout="wide")
    return matrix_from_frame(
        frame, layout=layout, unit=unit, mode=mode, columns=columns, metres=metres, file=file
    )


def read_csv_frame(
    source: io.StringIO | Path,
    file: str,
    *,
    layout: str = "auto",
    unit: str = "seconds",
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read CSV with the id columns kept as text ("007" is not 7) and values as numbers."""
    _check_options(layout, unit, "drive")
    try:
        header = _csv_header(source)
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            raise ValidationError(
                Problem(file, None, repeated[0], "unique column names", f"'{repeated[0]}' repeated")
            )
        long = _resolve_long(header, layout, unit, columns, file)
        # pandas names an empty first header "Unnamed: 0"
        text_cols = [long.origin, long.destination] if long else [header[0] or "Unnamed: 0"]
        if isinstance(source, io.StringIO):
            source.seek(0)
        return pd.read_csv(
            source,
            dtype=dict.fromkeys(text_cols, str),
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
        )
    except UnicodeDecodeError as err:
        raise InputError(f"{file}: not UTF-8 text ({err.reason}); save it as CSV UTF-8") from err
    except pd.errors.ParserError as err:
        raise InputError(f"{file}: not a readable CSV ({err})") from err


def matrix_from_frame(
    frame: pd.DataFrame,
    *,
    layout: str = "auto",
    unit: str = "seconds",
    mode: str = "drive",
    columns: Mapping[str, str] | None = None,
    metres: pd.DataFrame | None = None,
    file: str = "<table>",
) -> TravelMatrix:
    """A :class:`TravelMatrix` from a table already read (CSV or Parquet).

    Parameters are as for :func:`parse_matrix`; ``metres`` is the wide distance grid.
    """
    _check_options(layout, unit, mode)
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()  # pandas-written Parquet may hold the ids in the index
    frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1)
    long = _resolve_long(list(frame.columns), layout, unit, columns, file)
    problems: list[Problem] = []
    if long:
        if metres is not None:
            raise InputError("a separate metres file goes with the wide layout only")
        origins, dests, secs, dist = _parse_long(frame, long, unit, file, problems)
    else:
        origins, dests, secs = _parse_wide(frame, _FACTOR[unit], "seconds", file, problems)
        dist = None
        if metres is not None:
            mfile = f"{file} (metres)"
            m_o, m_d, m_vals = _parse_wide(metres, 1.0, "metres", mfile, problems)
            if not problems:
                dist = _align(m_vals, m_o, m_d, origins, dests, mfile, problems)
    raise_problems(problems)
    estimated = dist is None or bool(np.isnan(dist[~np.isnan(secs)]).any())
    speed = DEFAULT_SPEED_KMH[mode]
    if dist is None:
        dist = np.full_like(secs, np.nan)
    dist = np.where(np.isnan(dist), secs * speed / 3.6, dist)
    no_path = np.isnan(secs)
    seconds = np.where(no_path, UNREACHABLE, np.rint(np.nan_to_num(secs)))
    metres_arr = np.where(no_path, UNREACHABLE, np.rint(np.nan_to_num(dist)))
    source = f"imported {file} ({'long' if long else 'wide'}, {unit})"
    if estimated:
        logger.info("%s: no distance for some pairs; estimated at %g km/h", file, speed)
        source += f"; metres estimated at {speed:g} km/h"
    return TravelMatrix(tuple(origins), tuple(dests), seconds, metres_arr, mode, source)


def _check_options(layout: str, unit: str, mode: str) -> None:
    for name, value, allowed in (
        ("layout", layout, LAYOUTS),
        ("unit", unit, UNITS),
        ("mode", mode, MODES),
    ):
        if value not in allowed:
            raise InputError(f"{name} must be one of {allowed}; found '{value}'")


def _csv_header(source: io.StringIO | Path) -> list[str]:
    if isinstance(source, io.StringIO):
        source.seek(0)
        first = source.readline()
    else:
        with open(source, encoding="utf-8-sig", newline="") as fh:
            first = fh.readline()
    row = next(csv.reader([first.lstrip("\ufeff")]), [])
    return [h.strip() for h in row]


def _find(header: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _resolve_long(
    header: list[str], layout: str, unit: str, columns: Mapping[str, str] | None, file: str
) -> _Long | None:
    """The long layout's columns, or None for a wide table."""
    columns = dict(columns or {})
    unknown = set(columns) - {"origin", "destination", "seconds", "minutes", "metres"}
    if unknown:
        raise InputError(
            f"columns: unknown name(s) {sorted(unknown)}; use origin, destination, seconds, metres"
        )
    time_key = "minutes" if "minutes" in columns else "seconds"

    def look(key: str, default: tuple[str, ...]) -> str | None:
        return _find(header, (columns[key],) if key in columns else default)

    found = {
        "origin": look("origin", _ALIASES["origin"]),
        "destination": look("destination", _ALIASES["destination"]),
        "seconds": look(time_key, _ALIASES[unit]),
    }
    if layout == "wide" or (layout == "auto" and not (found["origin"] and found["destination"])):
        return None
    missing = [k for k, v in found.items() if v is None]
    if missing:
        key = missing[0]
        wanted = columns.get(key) or _ALIASES[unit if key == "seconds" else key][0]
        raise ValidationError(
            Problem(
                file,
                None,
                key,
                f"a column '{wanted}'",
                "columns " + ", ".join(f"'{h}'" for h in header),
                hint=f"map yours with columns={{'{key}': 'YOUR HEADER'}}"
                + (f" or set unit to match ({unit} now)" if key == "seconds" else ""),
            )
        )
    named = {k: v for k, v in found.items() if v is not None}  # all three: checked above
    return _Long(
        named["origin"], named["destination"], named["seconds"], look("metres", _ALIASES["metres"])
    )


def _parse_long(
    frame: pd.DataFrame, cols: _Long, unit: str, file: str, problems: list[Problem]
) -> tuple[list[str], list[str], np.ndarray, np.ndarray | None]:
    o_codes, origins = id_cells(frame[cols.origin], file, cols.origin, problems)
    d_codes, dests = id_cells(frame[cols.destination], file, cols.destination, problems)
    t = number_cells(frame[[cols.time]], _FACTOR[unit], unit, file, problems)[:, 0]
    m = (
        number_cells(frame[[cols.metres]], 1.0, "metres", file, problems)[:, 0]
        if cols.metres
        else None
    )
    if problems:
        return [], [], np.empty((0, 0)), None
    flat = o_codes.astype(np.int64) * len(dests) + d_codes
    for i in np.flatnonzero(pd.Series(flat).duplicated().to_numpy())[:MAX_PROBLEMS]:
        problems.append(
            Problem(
                file,
                int(i) + 1,
                cols.destination,
                "one row per origin and destination",
                f"'{origins[o_codes[i]]}' → '{dests[d_codes[i]]}' again",
                hint="remove the repeated row",
            )
        )
    secs = np.full(len(origins) * len(dests), np.nan)
    secs[flat] = t
    dist = None
    if m is not None:
        flat_dist = np.full(len(origins) * len(dests), np.nan)
        flat_dist[flat] = m
        dist = flat_dist.reshape(len(origins), len(dests))
    return origins, dests, secs.reshape(len(origins), len(dests)), dist


def _parse_wide(
    frame: pd.DataFrame, factor: float, what: str, file: str, problems: list[Problem]
) -> tuple[list[str], list[str], np.ndarray]:
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    if frame.shape[1] < 2:
        raise ValidationError(
            Problem(
                file,
                None,
                None,
                "origin ids in the first column and one column per destination",
                f"{frame.shape[1]} column(s)",
                hint="or a long table with origin, destination and seconds columns",
            )
        )
    header = [str(c).strip() for c in frame.columns]
    id_field = "origin" if not header[0] or header[0].startswith("Unnamed:") else header[0]
    codes, ids = id_cells(frame.iloc[:, 0], file, id_field, problems)
    origins = [ids[c] if c >= 0 else "" for c in codes]
    dests = header[1:]
    for j, name in enumerate(dests):
        if not name or name.startswith("Unnamed:"):
            problems.append(
                Problem(
                    file,
                    None,
                    f"column {j + 2}",
                    "a destination id in the header",
                    "an empty header",
                )
            )
    repeated = pd.Index(dests)[pd.Index(dests).duplicated()].unique()
    problems.extend(
        Problem(file, None, r, "unique destination ids", f"'{r}' repeated") for r in repeated
    )
    again = pd.Series(codes).duplicated().to_numpy() & (codes >= 0)
    problems.extend(
        Problem(file, int(i) + 1, id_field, "one row per origin", f"'{origins[i]}' again")
        for i in np.flatnonzero(again)[:MAX_PROBLEMS]
    )
    values = number_cells(frame.iloc[:, 1:], factor, what, file, problems)
    return origins, dests, values


def _align(
    values: np.ndarray,
    o: list[str],
    d: list[str],
    origins: list[str],
    dests: list[str],
    file: str,
    problems: list[Problem],
) -> np.ndarray | None:
    """``values`` reordered to the rows and columns of the seconds grid."""
    for field, have, want in (("origin", o, origins), ("destination", d, dests)):
        if set(have) != set(want):
            missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
            problems.append(
                Problem(
                    file,
                    None,
                    field,
                    f"the same {field} ids as the seconds grid",
                    f"missing {missing[:10]}, extra {extra[:10]}",
                )
            )
    if problems:
        return None
    rows = pd.Index(o).get_indexer(origins)
    cols = pd.Index(d).get_indexer(dests)
    return values[np.ix_(rows, cols)]
