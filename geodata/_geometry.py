"""Build and check the geometry of an input table (part of :mod:`geodata.validate`).

Points come from a geometry column with a CRS, or from ``lon``/``lat`` (WGS84) or
``easting``/``northing`` (British National Grid) columns. Everything is reprojected
to EPSG:27700 and checked to lie in Great Britain; a point outside that would land
inside with its two coordinates exchanged is reported as swapped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geodata._coerce import describe, is_empty
from geodata.errors import Problem, ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

__all__ = ["GB_BOUNDS", "any_shape", "build", "coordinate_pair", "geometry_name"]

#: Rough extent of Great Britain in British National Grid metres (xmin, ymin, xmax, ymax).
GB_BOUNDS = (0.0, 0.0, 700_000.0, 1_300_000.0)
_ALLOWED = {
    "point": ("Point",),
    "optional-point": ("Point",),
    "area": ("Polygon", "MultiPolygon"),
    "point-or-area": ("Point", "Polygon", "MultiPolygon"),
}
_WHAT = {
    "point": "a point",
    "optional-point": "a point",
    "area": "an area (polygon)",
    "point-or-area": "a point or an area (polygon)",
}
_PAIRS = (("lon", "lat", 4326), ("easting", "northing", 27700))


def coordinate_pair(frame: pd.DataFrame) -> tuple[str, str, int] | None:
    """The canonical coordinate columns present in ``frame``, with their EPSG code."""
    for x, y, epsg in _PAIRS:
        if x in frame.columns and y in frame.columns:
            return x, y, epsg
    return None


def build(
    frame: pd.DataFrame, kind: str, source: str, rows: list[int], labels: Mapping[str, str]
) -> tuple[gpd.GeoSeries, tuple[str, ...], list[Problem]]:
    """Geometry in EPSG:27700 (None for bad rows), the columns used, and row problems."""
    n = len(frame)
    if kind == "none":
        return gpd.GeoSeries([None] * n, crs=27700), (), []
    pair = coordinate_pair(frame)
    has_geometry = geometry_name(frame) is not None
    if has_geometry and (pair is None or any_shape(frame.geometry)):
        series = frame.geometry
        if series.crs is None and any_shape(series):
            raise ValidationError(_no_crs(source))
        shapes = list(series.array)
        crs = series.crs or CRS.from_epsg(27700)
        axes = _axes(crs)
        label = "geometry"
        problems: list[Problem] = []
        used: tuple[str, ...] = ()
        flagged: set[int | None] = set()
    elif pair is not None:
        x, y, epsg = pair
        crs, axes = CRS.from_epsg(epsg), (x, y)
        label = labels.get(x, x)
        shapes, problems = _points(frame, x, y, kind, source, rows, labels)
        used, flagged = (x, y), {p.row for p in problems}
    elif kind == "optional-point":
        return gpd.GeoSeries([None] * n, crs=27700), (), []
    else:
        raise ValidationError(_no_coordinates(frame, source))
    geoms, more = _check(shapes, crs, kind, source, rows, label, axes, flagged)
    return geoms, used, problems + more


def any_shape(series: gpd.GeoSeries) -> bool:
    """True when at least one geometry is neither missing nor empty."""
    shapes = np.asarray(series.array, dtype=object)
    return bool((~shapely.is_missing(shapes) & ~shapely.is_empty(shapes)).any())


def geometry_name(frame: pd.DataFrame) -> str | None:
    """The active geometry column of a GeoDataFrame, or None."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return None
    try:
        name = frame.geometry.name
    except AttributeError:  # a GeoDataFrame without an active geometry column
        return None
    return name if name in frame.columns else None


def _axes(crs: CRS) -> tuple[str, str]:
    if crs.is_geographic:
        return "lon", "lat"
    if crs.to_epsg() == 27700:
        return "easting", "northing"
    return "x", "y"


def _points(
    frame: pd.DataFrame,
    x: str,
    y: str,
    kind: str,
    source: str,
    rows: list[int],
    labels: Mapping[str, str],
) -> tuple[list[object], list[Problem]]:
    shapes: list[object] = []
    problems: list[Problem] = []
    for row, xv, yv in zip(rows, frame[x].tolist(), frame[y].tolist(), strict=True):
        empty = [is_empty(xv), is_empty(yv)]
        if all(empty):
            shapes.append(None)  # reported by _check unless the point is optional
            continue
        point, bad = None, False
        for name, value, missing in ((x, xv, empty[0]), (y, yv, empty[1])):
            if missing:
                what = (
                    f"both {x} and {y}",
                    "an empty cell",
                    "fill in both coordinates, or neither",
                )
            elif _number(value) is None:
                what = (
                    f"a number ({name})",
                    describe(value),
                    "write plain numbers: degrees for lon/lat, metres for easting/northing",
                )
            else:
                continue
            bad = True
            problems.append(Problem(source, row, labels.get(name, name), *what))
        if not bad:
            point = shapely.Point(_number(xv), _number(yv))
        shapes.append(point)
    return shapes, problems


def _number(value: object) -> float | None:
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _check(
    shapes: list[object],
    crs: CRS,
    kind: str,
    source: str,
    rows: list[int],
    label: str,
    axes: tuple[str, str],
    flagged: set[int | None],
) -> tuple[gpd.GeoSeries, list[Problem]]:
    allowed, what = _ALLOWED[kind], _WHAT[kind]
    problems: list[Problem] = []
    good: list[int] = []
    geoms: list[object] = [None] * len(shapes)
    for i, shape in enumerate(shapes):
        if rows[i] in flagged:
            continue
        if not isinstance(shape, shapely.Geometry) or shape.is_empty:
            if kind != "optional-point":
                problems.append(
                    Problem(
                        source,
                        rows[i],
                        label,
                        what,
                        "no coordinates",
                        "add the location, or leave the row out with --on-bad-row skip",
                    )
                )
            continue
        if shape.geom_type == "MultiPoint" and len(shape.geoms) == 1:
            shape = shape.geoms[0]
        if shape.geom_type not in allowed:
            hint = (
                "use a points layer, or the centroids of these shapes"
                if "Point" in allowed
                else "use a layer of polygons"
            )
            problems.append(Problem(source, rows[i], label, what, f"a {shape.geom_type}", hint))
            continue
        geoms[i] = shape
        good.append(i)
    if not good:
        return gpd.GeoSeries([None] * len(shapes), crs=27700), problems
    original = gpd.GeoSeries([geoms[i] for i in good], crs=crs)
    projected = _to_bng(original, source)
    inside = _inside(projected)
    outside = np.flatnonzero(~inside)
    swapped_inside = np.zeros(len(outside), dtype=bool)
    if len(outside):
        flipped = shapely.transform(original.array[outside], lambda c: c[:, ::-1])
        swapped_inside = _inside(_to_bng(gpd.GeoSeries(flipped, crs=crs), source))
    for k, j in enumerate(outside.tolist()):
        i = good[j]
        found = _where(original.array[j], axes, crs)
        if swapped_inside[k]:
            a, b = axes
            hint = f"{b}/{a} look swapped: swap the two columns, or fix this row"
        else:
            hint = (
                "it is outside Great Britain: check the coordinates and the CRS "
                "(WGS84 lon/lat, or British National Grid easting/northing)"
            )
        problems.append(
            Problem(
                source,
                rows[i],
                label,
                "a location in Great Britain (easting 0-700000, northing 0-1300000 in EPSG:27700)",
                found,
                hint,
            )
        )
        geoms[i] = None
    for j, i in enumerate(good):
        if inside[j]:
            geoms[i] = projected.array[j]
    return gpd.GeoSeries(geoms, crs=27700), problems


def _to_bng(series: gpd.GeoSeries, source: str) -> gpd.GeoSeries:
    try:
        return series.to_crs(27700)
    except Exception as exc:  # pyproj raises several types for a CRS it cannot use
        raise ValidationError(
            Problem(
                source,
                None,
                "geometry",
                "a CRS that converts to British National Grid",
                f"{series.crs} ({exc})",
                "reproject the file to EPSG:27700 or EPSG:4326 first",
            )
        ) from exc


def _inside(series: gpd.GeoSeries) -> np.ndarray:
    bounds = series.bounds.to_numpy()
    xmin, ymin, xmax, ymax = GB_BOUNDS
    with np.errstate(invalid="ignore"):
        ok = (bounds[:, 0] >= xmin) & (bounds[:, 2] <= xmax)
        ok &= (bounds[:, 1] >= ymin) & (bounds[:, 3] <= ymax)
    return ok & np.isfinite(bounds).all(axis=1)


def _where(shape: shapely.Geometry, axes: tuple[str, str], crs: CRS) -> str:
    epsg = crs.to_epsg()
    suffix = "" if epsg in (4326, 27700) else f" in {crs.to_string()}"
    if shape.geom_type == "Point":
        return f"{axes[0]} {shape.x:.7g}, {axes[1]} {shape.y:.7g}{suffix}"
    x0, y0, x1, y1 = shape.bounds
    return (
        f"an area spanning {axes[0]} {x0:.7g} to {x1:.7g}, {axes[1]} {y0:.7g} to {y1:.7g}{suffix}"
    )


def _no_crs(source: str) -> Problem:
    return Problem(
        source,
        None,
        "geometry",
        "a coordinate reference system (CRS)",
        "none",
        "pass crs='EPSG:27700' (--crs) for British National Grid or crs='EPSG:4326' "
        "for longitude/latitude, or save the file with its CRS (a .prj for shapefiles)",
    )


def _no_coordinates(frame: pd.DataFrame, source: str) -> Problem:
    shown = ", ".join(f"'{c}'" for c in list(frame.columns)[:12]) or "none"
    return Problem(
        source,
        None,
        "geometry",
        "coordinates: columns lon/lat (WGS84) or easting/northing (British National Grid)",
        f"none among the columns {shown}",
        "map them with --columns lon=YOURX,lat=YOURY (or easting=...,northing=...)",
    )
