"""The embedded Northumberland default dataset, generated from facts and a seed.

No real small-area population, pupil register, asset register or road network of the
county is public, so :func:`load_default` builds a realistic stand-in from DOMAIN.md's
figures and ``towns.csv``: about 500 zones (320,000 residents, 25.5% over 65), 60
schools, 3,000 entitled pupils (12% SEND, 51 travelling alone), about 600 candidate
stops on a road skeleton, a mixed fleet, the 343-site estate (£9.6m backlog, £545m
value, 44 corporate-landlord sites) and the customer-service centres of DOMAIN.md §3.
Every random draw comes from ``numpy.random.default_rng`` seeded from ``seed`` and the
part being built, so the same seed gives identical frames.

>>> data = load_default()                      # doctest: +SKIP
>>> export_default(data, "northumberland")     # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geodata.default._common import towns as _towns
from geodata.default.centres import build_centres
from geodata.default.estate import build_sites
from geodata.default.fleet import build_fleet
from geodata.default.outline import boundary_frame, county_outline, placement_area
from geodata.default.population import build_zones
from geodata.default.pupils import build_pupils
from geodata.default.schools import build_schools
from geodata.default.stops import build_roads, build_stops
from geodata.write import Staging, write_csv, write_gpkg

if TYPE_CHECKING:
    import os

    import geopandas as gpd

__all__ = [
    "DEFAULT_SEED",
    "KIND_FILES",
    "DefaultData",
    "export_default",
    "load_default",
]

#: Seed of the published default dataset.
DEFAULT_SEED = 2026
#: File name of each kind's CSV in an export.
KIND_FILES = {
    kind: f"{kind}.csv"
    for kind in ("sites", "zones", "pupils", "schools", "stops", "fleet", "centres")
}
GPKG_NAME = "northumberland.gpkg"
_PARTS = ("zones", "schools", "pupils", "roads", "stops", "sites", "centres")


@dataclass(frozen=True, eq=False)
class DefaultData:
    """The default dataset: one GeoDataFrame per kind (EPSG:27700), plus context.

    The frames are shared by every caller of :func:`load_default` with the same seed:
    treat them as read-only and ``.copy()`` one before changing it.

    Attributes
    ----------
    seed
        The seed the data was generated from.
    boundary
        The county outline (hand-drawn, coarse), one polygon.
    towns
        The 30 towns of ``towns.csv`` with their built-up radius.
    zones, schools, pupils, stops, fleet, sites, centres
        One frame per kind, with the canonical columns of :mod:`geodata.schema` first
        and descriptive columns (``town``, ...) after them.
    roads
        The road skeleton the stops lie on (A-roads, B-roads, lanes to hamlets).
    """

    seed: int
    boundary: gpd.GeoDataFrame
    towns: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame
    pupils: gpd.GeoDataFrame
    stops: gpd.GeoDataFrame
    fleet: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    centres: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame

    def kinds(self) -> dict[str, gpd.GeoDataFrame]:
        """The frame of each input kind, keyed as :data:`geodata.schema.KINDS`."""
        return {kind: getattr(self, kind) for kind in KIND_FILES}


def _rng(seed: int, part: str) -> np.random.Generator:
    # One stream per part: changing how one part draws leaves the others unchanged.
    return np.random.default_rng([seed, _PARTS.index(part)])


@lru_cache(maxsize=4)
def load_default(seed: int = DEFAULT_SEED) -> DefaultData:
    """Generate (once per seed) the Northumberland default dataset.

    Parameters
    ----------
    seed
        Seed of every random draw; the same seed gives identical frames.

    Returns
    -------
    DefaultData
        Shared between callers with the same seed: do not modify its frames in place.
    """
    outline, land = county_outline(), placement_area()
    towns = _towns()
    zones = build_zones(towns, outline, land, _rng(seed, "zones"))
    schools = build_schools(towns, land, _rng(seed, "schools"))
    pupils = build_pupils(zones, schools, land, _rng(seed, "pupils"))
    roads = build_roads(towns, zones, land, _rng(seed, "roads"))
    stops = build_stops(towns, roads, land, _rng(seed, "stops"))
    sites = build_sites(towns, land, _rng(seed, "sites"))
    centres = build_centres(towns, zones, sites)
    return DefaultData(
        seed=seed,
        boundary=boundary_frame(),
        towns=towns,
        zones=zones,
        schools=schools,
        pupils=pupils,
        stops=stops,
        fleet=build_fleet(towns),
        sites=sites,
        centres=centres,
        roads=roads,
    )


def export_default(data: DefaultData, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write the dataset as one GeoPackage and one CSV per kind, all or nothing.

    ``northumberland.gpkg`` holds a layer per kind plus ``boundary`` and ``roads``; each
    ``<kind>.csv`` is the same table with WGS84 ``lon``/``lat`` columns (a zone's is a
    point inside it), so a user sees every input format by example.

    Returns
    -------
    list of Path
        The files written, GeoPackage first.
    """
    out = Path(out_dir)
    layers = {"boundary": data.boundary, **data.kinds(), "roads": data.roads}
    with Staging(out) as stage:
        write_gpkg(stage.path / GPKG_NAME, layers)
        for kind, name in KIND_FILES.items():
            write_csv(stage.path / name, getattr(data, kind))
    return [out / GPKG_NAME, *(out / name for name in KIND_FILES.values())]
