"""A plausible road skeleton between settlements and candidate pick-up points on it.

No public Northumberland road network ships with the package, so the skeleton links
the towns of ``towns.csv`` (the minimum spanning tree plus each town's nearest
neighbours, each road bent once) and runs a lane from each rural zone's hamlet to the
nearest road. Stops sit every 1.5-3 km along the roads and lanes outside the towns,
one at each hamlet, and several inside each town in proportion to its population.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import minimum_spanning_tree
from shapely.geometry import LineString

from geodata.default._common import BNG, spread_points

__all__ = ["build_roads", "build_stops"]

#: Nearest neighbours each town is linked to: 3 for towns of 5,000+, else 2 (assumption).
NEIGHBOURS_LARGE, NEIGHBOURS_SMALL, LARGE_TOWN = 3, 2, 5_000
#: Roads between two towns of at least this many residents are A-roads (assumption).
A_ROAD_TOWN = 3_000
#: Spacing of stops along a road, metres (assumption: rural school-bus practice), and
#: along a lane (assumption: a lane's farms cluster near the hamlet).
SPACING_M, LANE_SPACING_M = (1_500.0, 3_000.0), (8_000.0, 12_000.0)
#: Residents per stop inside a town, at least two per town (assumption).
RESIDENTS_PER_STOP = 1_500
#: Stops closer than this to an earlier stop are dropped (where roads meet), metres.
MIN_GAP_M = 500.0
#: Share of stops unsafe to use (assumption), and the share with a cap on pupils.
UNSAFE_SHARE, CAPPED_SHARE = 0.03, 0.08
CAPS = (6, 8, 10, 15)


def _edges(xy: np.ndarray, population: np.ndarray) -> list[tuple[int, int]]:
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    tree = minimum_spanning_tree(d).tocoo()
    pairs = {(min(i, j), max(i, j)) for i, j in zip(tree.row.tolist(), tree.col.tolist())}
    for i in range(len(xy)):
        k = NEIGHBOURS_LARGE if population[i] >= LARGE_TOWN else NEIGHBOURS_SMALL
        for j in np.argsort(d[i], kind="stable")[1 : k + 1].tolist():
            pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def build_roads(
    towns: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    outline: shapely.Geometry,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Roads between towns and lanes to rural hamlets, as line strings.

    Columns: ``id``, ``name``, ``road_class`` (A-road, B-road, lane), ``from_town`` (for
    a lane, its rural zone), ``to_town`` (for a lane, the road it joins), ``length_m``.
    """
    xy = np.column_stack([towns.geometry.x, towns.geometry.y])
    pop = towns["population"].to_numpy()
    names = towns["name"].tolist()
    rows = []
    for i, j in _edges(xy, pop):
        a, b = xy[i], xy[j]
        normal = np.array([a[1] - b[1], b[0] - a[0]]) / max(np.hypot(*(b - a)), 1.0)
        bend = (a + b) / 2 + normal * rng.normal(0.0, 0.06) * np.hypot(*(b - a))
        if not outline.contains(shapely.Point(bend)):
            bend = (a + b) / 2
        road_class = "A-road" if min(pop[i], pop[j]) >= A_ROAD_TOWN else "B-road"
        rows.append((f"{names[i]}–{names[j]}", road_class, names[i], names[j],
                     LineString([a, bend, b])))  # fmt: skip
    network = shapely.union_all([r[-1] for r in rows])
    town_roads = list(rows)
    hamlets = zones[zones["settlement"] == "rural"]
    for zone_name, point in zip(hamlets["name"], hamlets.geometry.representative_point()):
        lane = shapely.shortest_line(point, network)
        end = shapely.Point(lane.coords[-1])
        joins = min(town_roads, key=lambda r: r[-1].distance(end))
        rows.append((f"{zone_name} lane", "lane", zone_name, joins[0], lane))
    frame = pd.DataFrame(rows, columns=["name", "road_class", "from_town", "to_town", "geometry"])
    frame.insert(0, "id", [f"R{i + 1:03d}" for i in range(len(frame))])
    roads = gpd.GeoDataFrame(frame, geometry="geometry", crs=BNG)
    roads["length_m"] = roads.length.round(0)
    return roads


def build_stops(
    towns: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    outline: shapely.Geometry,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """About 600 candidate pick-up points: along the roads and inside the towns."""
    radius = towns.set_index("name")["radius_m"]
    names: list[str] = []
    where: list[str] = []
    points: list[tuple[float, float]] = []
    for road in roads.itertuples():
        lane = road.road_class == "lane"
        if lane:  # from the hamlet, stopping short of the road
            s, end, spacing = 0.0, road.length_m - 2 * MIN_GAP_M, LANE_SPACING_M
        else:
            s = radius[road.from_town] + 300.0 + rng.uniform(0.0, SPACING_M[0])
            end, spacing = road.length_m - radius[road.to_town] - 300.0, SPACING_M
        k = 0
        while s < end or (k == 0 and lane):  # a hamlet always has a stop
            p = road.geometry.interpolate(s)
            k += 1
            names.append(f"{road.name} {k}" if lane else f"{road.road_class} {road.name} {k}")
            where.append(road.name)
            points.append((p.x, p.y))
            s += rng.uniform(*spacing)
    on_road = len(points)
    for town in towns.itertuples():
        n = max(2, round(town.population / RESIDENTS_PER_STOP))
        xy = spread_points((town.geometry.x, town.geometry.y), n, town.radius_m, outline, rng)
        names += [f"{town.name} stop {k + 1}" for k in range(n)]
        where += [town.name] * n
        points += [tuple(p) for p in xy]
    xy = np.array(points)
    keep = shapely.contains_xy(outline, xy[:, 0], xy[:, 1])
    for i in range(len(xy)):  # drop near-duplicates where roads meet
        if keep[i]:
            near = np.hypot(xy[i + 1 :, 0] - xy[i, 0], xy[i + 1 :, 1] - xy[i, 1]) < MIN_GAP_M
            near &= np.arange(i + 1, len(xy)) < on_road
            keep[i + 1 :] &= ~near
    idx = np.flatnonzero(keep)
    n = len(idx)
    road_stop = idx < on_road
    unsafe = np.zeros(n, dtype=bool)
    unsafe[rng.choice(np.flatnonzero(road_stop), round(UNSAFE_SHARE * n), replace=False)] = True
    caps = pd.array([pd.NA] * n, dtype="Int64")
    capped = rng.choice(n, round(CAPPED_SHARE * n), replace=False)
    caps[capped] = rng.choice(CAPS, size=len(capped))
    return gpd.GeoDataFrame(
        {
            "id": [f"T{i + 1:04d}" for i in range(n)],
            "name": [names[i] for i in idx],
            "unsafe": unsafe,
            "max_pupils": caps,
            "kind": np.where(road_stop, "road", "town"),
            "on": [where[i] for i in idx],
        },
        geometry=gpd.points_from_xy(xy[idx, 0], xy[idx, 1]),
        crs=BNG,
    )
