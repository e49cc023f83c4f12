"""What a parser returns, and the column work shared by the parsers.

A parser turns text or a file into :class:`Parsed` records: a frame with canonical
column names (after the user's ``columns`` mapping and coordinate detection), the row
problems it met, and the file's own names of the renamed columns for messages.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError

from geodata._geometry import any_shape, geometry_name
from geodata.errors import InputError, Problem, ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

__all__ = ["COORDINATE_NAMES", "Parsed", "apply_columns", "find_coordinates", "parse_crs"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Parsed:
    """Records parsed from one input, ready for :func:`geodata.validate.validate`.

    Parameters
    ----------
    frame
        DataFrame (coordinates in ``lon``/``lat`` or ``easting``/``northing`` columns)
        or GeoDataFrame (geometry with its CRS). An index named ``"row"`` holds the
        file's 1-based row or feature numbers.
    source
        File name for messages.
    problems
        Row problems met while parsing.
    names
        Canonical column name → the file's own name, for messages.
    decimal
        The decimal mark of the file's numbers: ``"."``, ``","`` (a semicolon CSV
        written with decimal commas) or ``"?"`` (a semicolon CSV without them);
        see :func:`geodata._coerce.coerce`.
    """

    frame: pd.DataFrame
    source: str
    problems: tuple[Problem, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    decimal: str = "."


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


_LON = {"lon", "long", "lng", "longitude", "lonwgs84", "wgs84lon", "longitudewgs84", "xlon"}
_LAT = {"lat", "latitude", "latwgs84", "wgs84lat", "latitudewgs84", "ylat"}
_EAST = {"easting", "eastings", "east", "bngx", "bngeasting", "osgbx", "xbng", "osx", "gridx"}
_NORTH = {"northing", "northings", "north", "bngy", "bngnorthing", "osgby", "ybng", "osy", "gridy"}
_X = {"x", "geox", "xcoord", "xcoordinate", "coordx", "pointx", "locationx", "xcoordinates"}
_Y = {"y", "geoy", "ycoord", "ycoordinate", "coordy", "pointy", "locationy", "ycoordinates"}


#: Every name read as a coordinate column.
COORDINATE_NAMES = frozenset(_LON | _LAT | _EAST | _NORTH | _X | _Y)

#: Coordinate names a user may map explicitly, and what they mean (None: by range).
_MAPPED = (("lon", "lat", "lonlat"), ("easting", "northing", "bng"), ("x", "y", None))


def apply_columns(
    frame: pd.DataFrame, columns: Mapping[str, str] | None, source: str
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename the file's columns to canonical names (``columns``: canonical → file)."""
    if not columns:
        return frame, {}
    present = [str(c) for c in frame.columns]
    problems = []
    for canonical, original in columns.items():
        if original not in present:
            close = difflib.get_close_matches(str(original), present, n=1, cutoff=0.5)
            guess = f"did you mean '{close[0]}'? " if close else ""
            problems.append(
                Problem(
                    source,
                    None,
                    str(original),
                    f"a column '{original}' (mapped to '{canonical}')",
                    "no such column",
                    f"{guess}fix the mapping --columns {canonical}=COLUMN",
                )
            )
    if problems:
        raise ValidationError(problems)
    out = frame.copy()
    sources = set(columns.values())
    clashes = {c: f"{c}_file" for c in columns if c in present and c not in sources}
    if clashes:
        log.info("%s: kept the file's own %s as %s", source, list(clashes), list(clashes.values()))
        out = out.rename(columns=clashes)
    for canonical, original in columns.items():
        out[canonical] = frame[original].to_numpy()
    unused = [c for c in sources if c not in columns]
    return out.drop(columns=unused), {k: v for k, v in columns.items() if k != v}


def parse_crs(crs: object, source: str) -> CRS:
    """A pyproj CRS from user input, or a ValidationError saying what to write."""
    try:
        return CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError) as exc:
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                "a CRS such as 'EPSG:27700' or 'EPSG:4326'",
                repr(crs),
                "pass crs='EPSG:27700' for British National Grid or 'EPSG:4326' for lon/lat",
            )
        ) from exc


def find_coordinates(
    frame: pd.DataFrame, names: dict[str, str], crs: object, source: str
) -> pd.DataFrame:
    """Rename the coordinate columns to ``lon``/``lat`` or ``easting``/``northing``.

    Explicit canonical names win, then names that say lon/lat or easting/northing, then
    ambiguous ``x``/``y`` (``GeoX``...), decided by ``crs`` or by the values' range.
    ``names`` is updated with the file's own names.
    """
    if geometry_name(frame) is not None and any_shape(frame.geometry):
        return frame
    cols = {_norm(c): c for c in reversed(list(frame.columns)) if isinstance(c, str)}
    pair = next(
        (
            (a, b, m)
            for a, b, m in _MAPPED
            if a in names and b in names and a in frame and b in frame
        ),
        None,
    )
    for xs, ys, meaning in ((_LON, _LAT, "lonlat"), (_EAST, _NORTH, "bng"), (_X, _Y, None)):
        xcol = next((cols[n] for n in xs if n in cols), None)
        ycol = next((cols[n] for n in ys if n in cols), None)
        if pair is None and xcol is not None and ycol is not None:
            pair = (xcol, ycol, meaning)
            break
    if pair is None:
        return frame
    xcol, ycol, meaning = pair
    if crs is not None:
        epsg = parse_crs(crs, source).to_epsg()
        if epsg not in (4326, 27700):
            raise InputError(
                f"{source}: CSV coordinates must be WGS84 lon/lat (EPSG:4326) or British "
                f"National Grid (EPSG:27700), not {crs}; convert them first"
            )
        wanted = "lonlat" if epsg == 4326 else "bng"
    else:
        wanted = _guess(frame[xcol], frame[ycol]) or meaning or "lonlat"
        if meaning is not None and wanted != meaning:
            log.warning(
                "%s: %s/%s hold %s values; reading them as such",
                source,
                xcol,
                ycol,
                "British National Grid" if wanted == "bng" else "longitude/latitude",
            )
    x, y = ("lon", "lat") if wanted == "lonlat" else ("easting", "northing")
    # other columns with canonical coordinate names would clash or be read instead
    others = {
        c: f"{c}_file"
        for c in ("lon", "lat", "easting", "northing")
        if c in frame.columns and c not in (xcol, ycol)
    }
    out = frame.rename(columns={**others, xcol: x, ycol: y})
    for canonical, original in ((x, xcol), (y, ycol)):
        original = names.pop(original, original)
        if original != canonical:
            names[canonical] = original
    return out


def _guess(xs: pd.Series, ys: pd.Series) -> str | None:
    """'lonlat' when the values look like degrees, 'bng' when like metres."""
    x = _numbers(xs)
    y = _numbers(ys)
    if not len(x) or not len(y):
        return None
    if np.median(np.abs(x)) <= 180 and np.median(np.abs(y)) <= 90:
        return "lonlat"
    return "bng"


def _numbers(values: pd.Series) -> np.ndarray:
    out = []
    for value in values.tolist():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if np.isfinite(number):
            out.append(number)
    return np.asarray(out, dtype=float)
