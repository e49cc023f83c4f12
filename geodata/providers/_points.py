"""Turn the points a provider is given into ids and British National Grid coordinates."""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["BNG", "ids_of", "to_bng"]

logger = logging.getLogger(__name__)

#: British National Grid, the CRS every distance here is measured in.
BNG = 27700


def ids_of(points: gpd.GeoSeries | pd.Series | Sequence[object], role: str) -> tuple[str, ...]:
    """The ids of ``points``: the index of a (Geo)Series, or the items of a sequence."""
    if isinstance(points, pd.Series | pd.DataFrame):
        ids = tuple(str(i) for i in points.index)
    else:
        ids = tuple(str(i) for i in points)
    if len(set(ids)) != len(ids):
        dups = sorted(i for i, n in Counter(ids).items() if n > 1)
        raise InputError(f"{role} ids must be unique; repeated: {_few(dups)}")
    return ids


def to_bng(
    points: gpd.GeoSeries | gpd.GeoDataFrame, role: str
) -> tuple[tuple[str, ...], np.ndarray]:
    """Ids and an ``(n, 2)`` float array of eastings and northings in metres.

    Parameters
    ----------
    points
        Points (or areas, reduced to a representative point inside each) whose index
        holds the ids. Reprojected to EPSG:27700 when in another CRS.
    role
        ``"origins"`` or ``"destinations"``, to say which input is wrong.

    Raises
    ------
    InputError
        No CRS, duplicate ids, or missing or empty geometries.
    """
    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if not isinstance(points, gpd.GeoSeries):
        raise InputError(f"{role} must be a GeoSeries of points; found {type(points).__name__}")
    ids = ids_of(points, role)
    if points.crs is None:
        # geopandas says "Cannot transform naive geometries. Please set a crs on the
        # object first."; we say which input and how.
        raise InputError(
            f"{role} have no CRS; set a CRS first, e.g. .set_crs(27700) for British "
            "National Grid eastings/northings or .set_crs(4326) for longitude/latitude"
        )
    bad = points.isna() | points.is_empty
    if bad.any():
        raise InputError(
            f"{role} have no geometry for id(s) {_few([str(i) for i in points.index[bad]])}; "
            "give every place a point or drop it"
        )
    if not points.crs.equals(BNG):
        logger.debug("reprojecting %s from %s to EPSG:%d", role, points.crs, BNG)
        points = points.to_crs(BNG)
    if not (points.geom_type == "Point").all():
        points = points.representative_point()
    xy = np.column_stack([points.x.to_numpy(float), points.y.to_numpy(float)])
    if not np.isfinite(xy).all():
        raise InputError(f"{role} have coordinates that are not finite after reprojection")
    return ids, xy


def _few(items: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(f"'{i}'" for i in items[:limit])
    more = len(items) - limit
    return shown + (f" (+{more} more)" if more > 0 else "")
