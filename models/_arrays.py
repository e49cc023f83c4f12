"""Helpers that turn validated frames into the read-only arrays problems hold."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd
    from numpy.typing import DTypeLike

    from geodata.matrix import TravelMatrix


def frozen(values: Iterable[object] | np.ndarray, dtype: DTypeLike | None = None) -> np.ndarray:
    """A read-only copy of ``values``."""
    arr = np.array(values if isinstance(values, np.ndarray) else list(values), dtype=dtype)
    arr.setflags(write=False)
    return arr


def column(frame: pd.DataFrame, name: str, default: object, dtype: DTypeLike | None) -> np.ndarray:
    """A column as a read-only array, ``default`` where it is missing or empty."""
    if name not in frame:
        return frozen(np.full(len(frame), default), dtype)
    series = frame[name]
    if default is not None:
        series = series.where(series.notna(), default)
    return frozen(series.to_numpy(), dtype)


def ids(frame: pd.DataFrame, what: str) -> tuple[str, ...]:
    out = tuple(str(i) for i in frame["id"])
    if len(set(out)) != len(out):
        raise ValueError(f"{what} ids must be unique")
    return out


def check_axis(
    matrix: TravelMatrix, rows: tuple[str, ...], cols: tuple[str, ...], name: str
) -> None:
    """Raise ValueError unless ``matrix`` has exactly these ids on its axes, in this order."""
    if matrix.origins != rows or matrix.destinations != cols:
        raise ValueError(
            f"{name} matrix ids do not match the problem's ids: "
            "build it with TravelMatrix.subset(origins, destinations)"
        )


def index_of(keys: tuple[str, ...], values: Iterable[object], what: str) -> np.ndarray:
    """Positions of ``values`` in ``keys``; ValueError naming the first unknown one."""
    lookup = {k: i for i, k in enumerate(keys)}
    out = []
    for v in values:
        if str(v) not in lookup:
            raise ValueError(f"unknown {what} '{v}'")
        out.append(lookup[str(v)])
    return frozen(out, np.intp)


def points(frame: gpd.GeoDataFrame, what: str, *, prefix: str = "") -> gpd.GeoSeries:
    """One point per row (a polygon's representative point), indexed by id, in EPSG:27700."""
    if frame.crs is None or frame.crs.to_epsg() != 27700:
        raise ValueError(f"{what} must be in EPSG:27700: read it with geodata.read")
    geom = frame.geometry
    if not (geom.geom_type == "Point").all():
        geom = geom.representative_point()
    return gpd.GeoSeries(geom.to_numpy(), index=[f"{prefix}{i}" for i in frame["id"]], crs=27700)
