"""Schools: primaries in most towns, secondaries in the larger towns, a few special schools."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from geodata.default._common import BNG, apportion, spread_points

if TYPE_CHECKING:
    import shapely

__all__ = [
    "BELL_TIMES",
    "PRIMARY_SCHOOLS",
    "SECONDARY_TOWNS",
    "SPECIAL_TOWNS",
    "build_schools",
]

#: Number of primary (first) schools. Assumption: one in every town of towns.csv, the
#: rest in proportion to population (a coarse stand-in for the county's ~160 schools).
PRIMARY_SCHOOLS = 45
#: Towns with a secondary (high) school, one entry per school. Assumption.
SECONDARY_TOWNS = (
    "Blyth", "Blyth", "Ashington", "Cramlington", "Bedlington", "Morpeth",
    "Berwick-upon-Tweed", "Hexham", "Prudhoe", "Ponteland", "Alnwick", "Haydon Bridge",
)  # fmt: skip
#: Towns with a special school. Assumption (the county has special schools in the
#: south-east, in Morpeth and in Hexham).
SPECIAL_TOWNS = ("Blyth", "Morpeth", "Hexham")
#: (bell time, end time) choices per phase. Assumption: staggered starts let a vehicle
#: serve a secondary and then a primary school.
BELL_TIMES: dict[str, tuple[tuple[str, str], ...]] = {
    "secondary": (("08:30", "15:00"), ("08:40", "15:10")),
    "primary": (("08:45", "15:15"), ("08:50", "15:20"), ("09:00", "15:30")),
    "special": (("09:15", "15:00"),),
}
#: Arrival window before the bell, minutes (assumption: local policy).
ARRIVE_MIN_BEFORE, ARRIVE_MAX_BEFORE = 5, 25


def _label(town: str, kind: str, k: int, n: int) -> str:
    return f"{town} {kind}" if n == 1 else f"{town} {kind} {k}"


def build_schools(
    towns: gpd.GeoDataFrame, outline: shapely.Geometry, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """About 60 schools with phases, bell times and arrival windows."""
    by_name = towns.set_index("name")
    extra = apportion(PRIMARY_SCHOOLS - len(towns), towns["population"].to_numpy())
    rows: list[tuple[str, str, str, float, float]] = []
    for (name, town), k in zip(by_name.iterrows(), 1 + extra):
        xy = spread_points(
            (town.geometry.x, town.geometry.y), int(k), 0.7 * town.radius_m, outline, rng
        )
        rows += [("primary", _label(name, "Primary", i + 1, k), name, *p) for i, p in enumerate(xy)]
    for phase, kind, places in (
        ("secondary", "High", SECONDARY_TOWNS),
        ("special", "Special School", SPECIAL_TOWNS),
    ):
        for name in dict.fromkeys(places):
            town = by_name.loc[name]
            k = places.count(name)
            xy = spread_points(
                (town.geometry.x, town.geometry.y), k, 0.6 * town.radius_m, outline, rng
            )
            rows += [(phase, _label(name, kind, i + 1, k), name, *p) for i, p in enumerate(xy)]
    phases = [r[0] for r in rows]
    times = [BELL_TIMES[p][rng.integers(len(BELL_TIMES[p]))] for p in phases]
    return gpd.GeoDataFrame(
        {
            "id": [f"S{i + 1:03d}" for i in range(len(rows))],
            "name": [r[1] for r in rows],
            "phase": phases,
            "bell_time": [t[0] for t in times],
            "arrive_min_before": np.full(len(rows), ARRIVE_MIN_BEFORE, dtype=np.int64),
            "arrive_max_before": np.full(len(rows), ARRIVE_MAX_BEFORE, dtype=np.int64),
            "end_time": [t[1] for t in times],
            # Assumption: most schools accept shared vehicles; some special schools do not.
            "multi_school": [bool(p != "special" or rng.uniform() < 0.5) for p in phases],
            "town": [r[2] for r in rows],
        },
        geometry=gpd.points_from_xy([r[3] for r in rows], [r[4] for r in rows]),
        crs=BNG,
    )
