"""Face-to-face centre opening hours: centres, weekly time slots, zones and travel.

The week is cut into slots of ``slot_minutes`` between ``day_start`` and ``day_end``
on each of the seven days. ``available[c, d, s]`` says the host building of centre
``c`` can open in slot ``s`` of day ``d``; ``current[c, d, s]`` is today's pattern.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.schema import WEEKDAYS
from geodata.timefmt import hours_per_week, parse_days, parse_hours
from models._arrays import check_axis, column, frozen, ids, points

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geodata.matrix import TravelMatrix, TravelProvider

__all__ = ["WEEKS_PER_YEAR", "HoursProblem", "visits_per_open_hour"]

#: DOMAIN.md: visits per open hour = visits a year ÷ (hours a week × 52).
WEEKS_PER_YEAR = 52


def visits_per_open_hour(visits_per_year: float, hours_a_week: float) -> float:
    """Visits per open hour, as DOMAIN.md defines it; NaN for a centre never open."""
    if hours_a_week <= 0:
        return float("nan")
    return visits_per_year / (hours_a_week * WEEKS_PER_YEAR)


@dataclass(frozen=True, eq=False)
class HoursProblem:
    """Candidate centres with their weekly availability, and the zones they serve."""

    centre_ids: tuple[str, ...]
    centre_name: np.ndarray
    status: np.ndarray  # open / hub / closed
    visits_per_year: np.ndarray  # NaN where unknown
    available: np.ndarray  # centres × 7 days × slots, bool
    current: np.ndarray  # centres × 7 days × slots, bool
    zone_ids: tuple[str, ...]
    population: np.ndarray
    over65: np.ndarray
    travel: TravelMatrix  # zones × centres
    slot_minutes: int = 30
    day_start: int = 7 * 60

    def __post_init__(self) -> None:
        check_axis(self.travel, self.zone_ids, self.centre_ids, "travel")
        if self.available.shape != self.current.shape or self.available.shape[:2] != (
            len(self.centre_ids),
            7,
        ):
            raise ValueError("available and current must both be centres × 7 days × slots")
        outside = self.current & ~self.available
        if outside.any():
            c = int(np.argwhere(outside)[0][0])
            raise ValueError(
                f"centre '{self.centre_ids[c]}' is open today outside its host building's hours"
            )

    @property
    def slots_per_day(self) -> int:
        return int(self.available.shape[2])

    def current_hours_per_week(self) -> np.ndarray:
        return self.current.sum(axis=(1, 2)) * self.slot_minutes / 60

    def replace(self, **changes: Any) -> HoursProblem:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_geodata(
        cls,
        centres: gpd.GeoDataFrame,
        zones: gpd.GeoDataFrame,
        provider: TravelProvider,
        *,
        slot_minutes: int = 30,
    ) -> HoursProblem:
        """Build from validated layers (EPSG:27700): zone centroids to centres, by road."""
        origins, destinations = points(zones, "zones"), points(centres, "centres")
        travel = provider.matrix(origins, destinations, mode="drive")
        return cls.from_matrix(centres, zones, travel, slot_minutes=slot_minutes)

    @classmethod
    def from_matrix(
        cls,
        centres: pd.DataFrame,
        zones: pd.DataFrame,
        travel: TravelMatrix,
        *,
        slot_minutes: int = 30,
        day_start: int = 7 * 60,
        day_end: int = 21 * 60,
    ) -> HoursProblem:
        """Build from tables: ``mon_hours``..``sun_hours`` availability, current pattern."""
        if slot_minutes <= 0 or (day_end - day_start) % slot_minutes:
            raise ValueError("slot_minutes must divide the opening day evenly")
        n_slots = (day_end - day_start) // slot_minutes
        starts = day_start + slot_minutes * np.arange(n_slots)
        available = np.zeros((len(centres), 7, n_slots), dtype=bool)
        current = np.zeros_like(available)
        for c, (_, row) in enumerate(centres.iterrows()):
            for d, day in enumerate(WEEKDAYS):
                available[c, d] = _mask(row.get(f"{day}_hours", ""), starts, slot_minutes)
            open_days = parse_days(row.get("current_days", "") or "")
            today = _mask(row.get("current_hours", ""), starts, slot_minutes)
            for d in open_days:
                current[c, d] = today
        visits = column(centres, "visits_per_year", np.nan, float)
        return cls(
            centre_ids=ids(centres, "centre"),
            centre_name=column(centres, "name", "", object),
            status=column(centres, "status", "open", object),
            visits_per_year=visits,
            available=frozen(available, bool),
            current=frozen(current, bool),
            zone_ids=ids(zones, "zone"),
            population=column(zones, "population", 0, np.int64),
            over65=column(zones, "over65", 0, np.int64),
            travel=travel,
            slot_minutes=slot_minutes,
            day_start=day_start,
        )


def _mask(text: object, starts: np.ndarray, slot: int) -> np.ndarray:
    """Slots fully inside the hours ``text`` (``"09:00-12:00, 13:00-17:00"``)."""
    mask = np.zeros(len(starts), dtype=bool)
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return mask
    for start, end in parse_hours(str(text)):
        mask |= (starts >= start) & (starts + slot <= end)
    return mask


def current_hours_per_week(centres: pd.DataFrame) -> np.ndarray:
    """Hours a week of each centre's current pattern, from its days and hours columns."""
    return np.array(
        [
            hours_per_week(d or "", h or "")
            for d, h in zip(centres["current_days"], centres["current_hours"], strict=True)
        ]
    )
