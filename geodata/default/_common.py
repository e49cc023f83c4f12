"""Helpers shared by the default-data generators: projection, towns, apportioning."""

from __future__ import annotations

from functools import cache
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

__all__ = [
    "BNG",
    "apportion",
    "lonlat_to_bng",
    "points_in_polygon",
    "sunflower",
    "town_radius",
    "towns",
]

#: British National Grid, the CRS of every default frame.
BNG = "EPSG:27700"


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", BNG, always_xy=True)


def lonlat_to_bng(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitudes and latitudes to BNG eastings and northings."""
    x, y = _to_bng().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def town_radius(population: object) -> np.ndarray:
    """Built-up radius of a settlement in metres.

    Assumption: 14 m × √population, at least 500 m (Blyth ≈ 2.8 km, Wooler ≈ 620 m).
    """
    return np.maximum(500.0, 14.0 * np.sqrt(np.asarray(population, dtype=float)))


@cache
def _towns_table() -> pd.DataFrame:
    with resources.files("geodata.default").joinpath("towns.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f)


def towns() -> gpd.GeoDataFrame:
    """The 30 towns and villages of ``towns.csv`` (ours), projected, with a radius.

    Columns: ``name``, ``population``, ``lon``, ``lat``, ``radius_m``, point geometry.
    """
    table = _towns_table().copy()
    x, y = lonlat_to_bng(table["lon"], table["lat"])
    table["radius_m"] = town_radius(table["population"]).round(0)
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(x, y), crs=BNG)


def apportion(total: int, weights: object) -> np.ndarray:
    """Split an integer ``total`` in proportion to ``weights`` (largest remainder).

    The parts are non-negative integers that sum exactly to ``total``; ties go to the
    earlier position, so the result is deterministic.
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or w.size == 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError("apportion needs total >= 0 and non-negative weights with a positive sum")
    quota = total * w / w.sum()
    parts = np.floor(quota).astype(np.int64)
    short = int(total - parts.sum())
    if short:
        order = np.argsort(-(quota - parts), kind="stable")
        parts[order[:short]] += 1
    return parts


def sunflower(n: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` well-spread offsets in a disc (a jittered sunflower), nearest first."""
    k = np.arange(n) + 0.5
    r = radius * np.sqrt(k / max(n, 1))
    theta = k * np.pi * (3.0 - np.sqrt(5.0)) + rng.uniform(0, 2 * np.pi)
    jitter = rng.normal(0.0, 0.15 * radius / np.sqrt(max(n, 1)), size=(n, 2))
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)]) + jitter


def points_in_polygon(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points drawn uniformly inside ``polygon`` (rejection sampling), as (n, 2)."""
    if n <= 0:
        return np.empty((0, 2))
    x0, y0, x1, y1 = polygon.bounds
    shapely.prepare(polygon)
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        m = max(16, 3 * (n - got))
        xy = np.column_stack([rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)])
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        out.append(inside)
        got += len(inside)
    return np.concatenate(out)[:n]


def spread_points(
    centre: tuple[float, float],
    n: int,
    radius: float,
    outline: shapely.Geometry,
    rng: np.random.Generator,
) -> np.ndarray:
    """``n`` well-spread points within ``radius`` of ``centre`` and inside ``outline``.

    Coastal towns lose the part of their disc that is sea: three times the points are
    laid over √3 × the radius and the ``n`` nearest the centre that fall on land kept.
    """
    if n <= 0:
        return np.empty((0, 2))
    shapely.prepare(outline)
    xy = sunflower(3 * n, radius * np.sqrt(3.0), rng) + centre
    xy = xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])][:n]
    if len(xy) < n:  # a tiny island of land: stack the rest on the centre
        xy = np.vstack([xy, np.tile(centre, (n - len(xy), 1))])
    return xy
