"""Estate rationalisation: the sites, the demand zones and the travel between them.

An :class:`EstateProblem` is frozen problem data for the facility-location solver:
read-only arrays per site and per zone, and a zones × sites :class:`TravelMatrix`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from models._arrays import check_axis, column, frozen, ids, points

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geodata.matrix import TravelMatrix, TravelProvider

__all__ = ["EstateProblem"]


@dataclass(frozen=True, eq=False)
class EstateProblem:
    """Council sites (keep or dispose) and the zones whose residents use them."""

    site_ids: tuple[str, ...]
    site_name: np.ndarray
    site_type: np.ndarray
    floor_area_m2: np.ndarray
    capacity: np.ndarray
    occupancy: np.ndarray
    running_cost: np.ndarray
    backlog: np.ndarray  # sites × 4 priorities (1 urgent ... 4 beyond five years), £
    condition: np.ndarray
    capital_value: np.ndarray
    disposal_cost: np.ndarray
    leasehold: np.ndarray
    lease_break_cost: np.ndarray
    must_keep: np.ndarray
    must_dispose: np.ndarray
    listed: np.ndarray
    corporate_landlord: np.ndarray
    services: tuple[frozenset[str], ...]
    zone_ids: tuple[str, ...]
    population: np.ndarray
    over65: np.ndarray
    travel: TravelMatrix  # zones × sites

    def __post_init__(self) -> None:
        check_axis(self.travel, self.zone_ids, self.site_ids, "travel")
        clash = np.flatnonzero(self.must_keep & self.must_dispose)
        if clash.size:
            raise ValueError(
                f"site '{self.site_ids[clash[0]]}' is flagged both must-keep and must-dispose"
            )
        if np.any(self.over65 > self.population):
            bad = int(np.flatnonzero(self.over65 > self.population)[0])
            raise ValueError(f"zone '{self.zone_ids[bad]}' has more over-65s than residents")

    @property
    def num_sites(self) -> int:
        return len(self.site_ids)

    @property
    def backlog_total(self) -> np.ndarray:
        return self.backlog.sum(axis=1)

    def hosts(self, service: str) -> np.ndarray:
        """Boolean array: the sites that host ``service``."""
        return np.array([service in s for s in self.services], dtype=bool)

    def replace(self, **changes: Any) -> EstateProblem:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_geodata(
        cls,
        sites: gpd.GeoDataFrame,
        zones: gpd.GeoDataFrame,
        provider: TravelProvider,
        *,
        mode: str = "drive",
    ) -> EstateProblem:
        """Build from validated layers (EPSG:27700): zone centroids to site points."""
        origins, destinations = points(zones, "zones"), points(sites, "sites")
        travel = provider.matrix(origins, destinations, mode=mode)
        return cls.from_matrix(sites, zones, travel)

    @classmethod
    def from_matrix(
        cls, sites: pd.DataFrame, zones: pd.DataFrame, travel: TravelMatrix
    ) -> EstateProblem:
        """Build from tables (no geometry needed) and a zones × sites matrix."""
        backlog = (
            np.column_stack([column(sites, f"backlog_p{p}", 0.0, float) for p in range(1, 5)])
            if len(sites)
            else np.zeros((0, 4))
        )
        services = tuple(
            frozenset(s.strip() for s in str(text).split(";") if s.strip())
            for text in column(sites, "services", "", object)
        )
        return cls(
            site_ids=ids(sites, "site"),
            site_name=column(sites, "name", "", object),
            site_type=column(sites, "type", "", object),
            floor_area_m2=column(sites, "floor_area_m2", 0.0, float),
            capacity=column(sites, "capacity", 0.0, float),
            occupancy=column(sites, "occupancy", 0.0, float),
            running_cost=column(sites, "running_cost", 0.0, float),
            backlog=frozen(backlog, float),
            condition=column(sites, "condition", "B", object),
            capital_value=column(sites, "capital_value", 0.0, float),
            disposal_cost=column(sites, "disposal_cost", 0.0, float),
            leasehold=frozen(column(sites, "tenure", "freehold", object) == "leasehold", bool),
            lease_break_cost=column(sites, "lease_break_cost", 0.0, float),
            must_keep=column(sites, "must_keep", False, bool),
            must_dispose=column(sites, "must_dispose", False, bool),
            listed=column(sites, "listed", False, bool),
            corporate_landlord=column(sites, "corporate_landlord", False, bool),
            services=services,
            zone_ids=ids(zones, "zone"),
            population=column(zones, "population", 0, np.int64),
            over65=column(zones, "over65", 0, np.int64),
            travel=travel,
        )
