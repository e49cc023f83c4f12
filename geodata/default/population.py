"""Demand zones: small areas with residents and residents aged 65 and over.

Each town of ``towns.csv`` is split into several LSOA-like zones around its centre;
the rest of the county's residents live in rural zones spread over the outline, larger
and sparser to the west and north. Zone polygons are the Voronoi cells of the zone
seeds, clipped to the outline.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geodata.default._common import BNG, apportion, spread_points
from geodata.default.centres import centre_table

__all__ = [
    "OVER65_SHARE",
    "RURAL_ZONES",
    "TOTAL_POPULATION",
    "TOWN_OVER65",
    "TOWN_ZONE_SIZE",
    "build_zones",
    "town_over65_share",
]

#: Residents of the county. Assumption agreed for the engine (ONS mid-year ≈ 320,000).
TOTAL_POPULATION = 320_000
#: Share of residents aged 65 and over (DOMAIN.md §3: "25.5% of residents are over 65").
OVER65_SHARE = 0.255
#: Target residents of a town zone, like an LSOA (assumption; parts vary ~600-1,600).
TOWN_ZONE_SIZE = 850
#: Number of rural zones (assumption: ~500 zones in all, as the county's LSOAs).
RURAL_ZONES = 215
#: Over-65 share of towns other than the six centre towns (assumption: older market
#: towns and coastal villages, younger former mining towns). The six centre towns take
#: DOMAIN.md's figures; the rural remainder is solved so the county total is exact.
TOWN_OVER65: dict[str, float] = {
    "Bedlington": 0.215, "Morpeth": 0.27, "Prudhoe": 0.235, "Ponteland": 0.33,
    "Newbiggin-by-the-Sea": 0.225, "Amble": 0.30, "Seaton Delaval": 0.215,
    "Haltwhistle": 0.30, "Corbridge": 0.33, "Stocksfield": 0.30, "Haydon Bridge": 0.29,
    "Allendale": 0.33, "Rothbury": 0.36, "Wooler": 0.35, "Widdrington Station": 0.21,
    "Lynemouth": 0.20, "Seahouses": 0.38, "Bellingham": 0.33, "Belford": 0.34,
    "Otterburn": 0.32, "Norham": 0.32, "Kielder": 0.25, "Slaley": 0.31, "Wark": 0.32,
}  # fmt: skip


def town_over65_share(name: str) -> float:
    """The over-65 share of a town: DOMAIN.md's for the centre towns, else the assumption."""
    table = centre_table().set_index("town")
    if name in table.index:
        return float(table.loc[name, "over65"])
    return TOWN_OVER65[name]


def _town_seeds(towns: gpd.GeoDataFrame, outline: shapely.Geometry, rng: np.random.Generator):
    rows = []
    for town in towns.itertuples():
        n = max(1, round(town.population / TOWN_ZONE_SIZE))
        xy = spread_points((town.geometry.x, town.geometry.y), n, town.radius_m, outline, rng)
        pops = apportion(int(town.population), rng.gamma(10.0, size=len(xy)))
        rows += [(town.name, k + 1, p, x, y) for k, (p, (x, y)) in enumerate(zip(pops, xy))]
    return rows


def _rural_seeds(towns: gpd.GeoDataFrame, outline: shapely.Geometry, rng: np.random.Generator):
    x0, y0, x1, y1 = outline.bounds
    centres = np.column_stack([towns.geometry.x, towns.geometry.y])
    keep_off = towns["radius_m"].to_numpy() + 2_000.0
    seeds: list[np.ndarray] = []
    while sum(len(s) for s in seeds) < RURAL_ZONES:
        xy = np.column_stack([rng.uniform(x0, x1, 400), rng.uniform(y0, y1, 400)])
        inside = shapely.contains_xy(outline, xy[:, 0], xy[:, 1])
        gap = np.hypot(*(xy[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
        clear = (gap > keep_off).all(axis=1)
        # Denser in the east, where most rural residents live (assumption).
        east = (xy[:, 0] - x0) / (x1 - x0)
        lucky = rng.uniform(size=len(xy)) < 0.25 + 0.75 * east**1.5
        seeds.append(xy[inside & clear & lucky])
    return np.concatenate(seeds)[:RURAL_ZONES]


def build_zones(
    towns: gpd.GeoDataFrame,
    outline: shapely.Geometry,
    land: shapely.Geometry,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """About 500 zones holding exactly :data:`TOTAL_POPULATION` residents, 25.5% over 65.

    Zone seeds lie inside ``land``; the cells are clipped to ``outline``.
    """
    town_rows = _town_seeds(towns, land, rng)
    rural_xy = _rural_seeds(towns, land, rng)
    rural_total = TOTAL_POPULATION - int(towns["population"].sum())
    rural_pop = apportion(rural_total, rng.gamma(4.0, size=len(rural_xy)))

    centres = np.column_stack([towns.geometry.x, towns.geometry.y])
    nearest = np.argmin(
        np.hypot(*(rural_xy[:, None, :] - centres[None, :, :]).transpose(2, 0, 1)), axis=1
    )
    rural_town = towns["name"].to_numpy()[nearest]
    counter: dict[str, int] = {}
    rural_names = []
    for t in rural_town:
        counter[t] = counter.get(t, 0) + 1
        rural_names.append(f"{t} rural {counter[t]}")

    xy = np.vstack([np.array([(r[3], r[4]) for r in town_rows]), rural_xy])
    cells = shapely.voronoi_polygons(shapely.multipoints(xy), extend_to=outline, ordered=True).geoms
    polygons = shapely.intersection(np.array(cells, dtype=object), outline)

    town_of = [r[0] for r in town_rows] + list(rural_town)
    population = np.concatenate([[r[2] for r in town_rows], rural_pop]).astype(np.int64)
    over65 = np.zeros(len(population), dtype=np.int64)
    is_town = np.arange(len(population)) < len(town_rows)
    town_arr = np.array(town_of, dtype=object)
    town_target = 0
    for name, pop in zip(towns["name"], towns["population"]):
        members = is_town & (town_arr == name)
        total = round(pop * town_over65_share(name))
        town_target += total
        over65[members] = apportion(
            total, population[members] * rng.gamma(30.0, size=members.sum())
        )
    rural_over65 = round(OVER65_SHARE * TOTAL_POPULATION) - town_target
    over65[~is_town] = apportion(
        rural_over65, population[~is_town] * rng.gamma(15.0, size=(~is_town).sum())
    )
    over65 = np.minimum(over65, population)

    names = [f"{r[0]} {r[1]:02d}" for r in town_rows] + rural_names
    return gpd.GeoDataFrame(
        {
            "id": [f"Z{i + 1:04d}" for i in range(len(names))],
            "name": names,
            "population": population,
            "over65": over65,
            "town": town_of,
            "settlement": np.where(is_town, "town", "rural"),
        },
        geometry=list(polygons),
        crs=BNG,
    )
