"""Home-to-school transport: the problem data the routing and stop solvers read.

A :class:`TransportProblem` is frozen: read-only arrays indexed by position, ids kept
beside them, and travel matrices instead of geometry (STYLE.md practices 1 and 4).
Build one from validated GeoDataFrames with :meth:`TransportProblem.from_geodata`, or
from arrays and matrices with :meth:`TransportProblem.from_matrix`.

Locations in the drive matrix, in order: operator bases, schools, candidate stops,
pupils' homes, with ids prefixed ``base:``, ``school:``, ``stop:`` and ``pupil:`` so
that the four kinds never collide.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.errors import Problem, ValidationError
from geodata.matrix import TravelMatrix
from geodata.references import row_number
from geodata.timefmt import parse_time
from models._arrays import check_axis, column, frozen, ids, index_of, points
from models.params import Params

if TYPE_CHECKING:
    from geodata.matrix import TravelProvider

__all__ = ["SCHOOL_DAYS", "TransportPolicy", "TransportProblem", "VehicleType"]

#: School days a year: the annual cost of a daily route is its daily cost × this.
SCHOOL_DAYS = 190
METRES_PER_MILE = 1609.344


def spot_hire(
    fleet: tuple[VehicleType, ...], premium: float, pupils: int
) -> tuple[VehicleType, ...]:
    """A spot-hire row per fleet row: the same vehicle from the same base at ``premium``
    × its day rate, as many as there are pupils; none when ``premium`` is 0."""
    if premium <= 0:
        return ()
    return tuple(
        dataclasses.replace(
            vt,
            name=f"{vt.name} (spot hire)",
            day_rate=vt.day_rate * premium,
            available=max(1, pupils),
            hired=True,
        )
        for vt in fleet
    )


#: The location of a contract without an operator base: no miles, no minutes to or
#: from anywhere, so its route starts at the first pick-up (day rate + loaded miles).
NO_BASE = "base:none"


def with_no_base(drive: TravelMatrix, at: int) -> TravelMatrix:
    """``drive`` with :data:`NO_BASE` inserted at position ``at`` on both axes, 0 s and
    0 m to and from every location."""

    def grow(values: np.ndarray) -> np.ndarray:
        out = np.insert(values, at, 0, axis=0)
        return np.insert(out, at, 0, axis=1)

    ids = (*drive.origins[:at], NO_BASE, *drive.origins[at:])
    return TravelMatrix(ids, ids, grow(drive.seconds), grow(drive.metres), mode=drive.mode,
                        source=drive.source)  # fmt: skip


@dataclass(frozen=True)
class TransportPolicy(Params):
    """The council's transport policy; every figure overridable from TOML.

    Defaults from DOMAIN.md: ride time at most 45 min (primary) and 75 min
    (secondary); walk to a pick-up point at most 1 mile (primary) and 1.5 miles
    (secondary); statutory walking distance 2 miles under 8 and 3 miles from 8.
    """

    max_ride_primary_min: float = 45.0
    max_ride_secondary_min: float = 75.0
    max_walk_primary_m: float = 1.0 * METRES_PER_MILE
    max_walk_secondary_m: float = 1.5 * METRES_PER_MILE
    statutory_walk_under8_m: float = 2.0 * METRES_PER_MILE
    statutory_walk_from8_m: float = 3.0 * METRES_PER_MILE
    secondary_from_age: int = 11
    dwell_stop_s: float = 30.0
    dwell_pupil_s: float = 10.0
    assistant_day_rate: float = 85.0
    school_days: int = SCHOOL_DAYS
    #: Afternoon run: pupils board at the school's end time plus this (minutes) ...
    pm_delay_min: float = 10.0
    #: ... and a vehicle may leave up to this many minutes later (pupils wait at school).
    pm_wait_min: float = 0.0
    #: A pupil the fleet cannot carry goes in a spot-hired vehicle of a type in the file
    #: at this multiple of its day rate (0: no hire; the pupil is listed as not carried).
    spot_hire_premium: float = 1.5
    #: Seconds a vehicle stands at a school while its pupils get off, before it is free
    #: for another route; unset: the pick-up dwell for that many pupils. (The
    #: school-bus benchmark fixes it at 154.4 s.)
    dropoff_s: float | None = None

    def __post_init__(self) -> None:
        self._positive(
            "max_ride_primary_min",
            "max_ride_secondary_min",
            "max_walk_primary_m",
            "max_walk_secondary_m",
            "statutory_walk_under8_m",
            "statutory_walk_from8_m",
            "school_days",
        )
        self._non_negative(
            "dwell_stop_s",
            "dwell_pupil_s",
            "assistant_day_rate",
            "pm_delay_min",
            "pm_wait_min",
            "spot_hire_premium",
        )
        if self.dropoff_s is not None and (
            isinstance(self.dropoff_s, bool)
            or not isinstance(self.dropoff_s, int | float)
            or not 0 <= self.dropoff_s < 3600
        ):
            raise ValueError(
                f"dropoff_s: expected seconds from 0 to 3600, found {self.dropoff_s!r}"
            )


@dataclass(frozen=True)
class VehicleType:
    """One type of vehicle in the mixed fleet."""

    id: str
    name: str
    seats: int
    wheelchair_spaces: int
    day_rate: float
    cost_per_mile: float
    available: int
    base: int  # position of its operator base among the problem's locations
    hired: bool = False  # a spot-hire row: used only for pupils the fleet cannot carry

    def __post_init__(self) -> None:
        if self.seats < 1:
            raise ValueError(f"vehicle type '{self.id}': seats must be at least 1")
        if (
            min(self.wheelchair_spaces, self.available) < 0
            or min(self.day_rate, self.cost_per_mile) < 0
        ):
            raise ValueError(f"vehicle type '{self.id}': figures must not be negative")

    def daily_cost(self, metres: float, *, assistant_day_rate: float = 0.0) -> float:
        """Day rate + miles × rate (+ a passenger assistant's day rate)."""
        return self.day_rate + metres / METRES_PER_MILE * self.cost_per_mile + assistant_day_rate


@dataclass(frozen=True, eq=False)
class TransportProblem:
    """Pupils, schools, stops and fleet, with travel times between them."""

    locations: tuple[str, ...]
    drive: TravelMatrix
    school_ids: tuple[str, ...]
    school_location: np.ndarray
    school_phase: np.ndarray
    bell_min: np.ndarray
    arrive_min_before: np.ndarray
    arrive_max_before: np.ndarray
    end_min: np.ndarray
    school_multi: np.ndarray
    stop_ids: tuple[str, ...]
    stop_location: np.ndarray
    stop_unsafe: np.ndarray
    stop_max_pupils: np.ndarray  # 0 means no cap
    pupil_ids: tuple[str, ...]
    pupil_location: np.ndarray
    pupil_school: np.ndarray
    pupil_age: np.ndarray
    pupil_sen: np.ndarray
    pupil_wheelchair: np.ndarray
    pupil_solo: np.ndarray
    pupil_assistant: np.ndarray
    pupil_max_ride_s: np.ndarray
    vehicles: tuple[VehicleType, ...]
    policy: TransportPolicy = dataclasses.field(default_factory=TransportPolicy)
    walk: TravelMatrix | None = None  # pupils × stops
    #: Pairs of pupil positions that must never travel in the same vehicle.
    no_share: tuple[tuple[int, int], ...] = ()
    #: Each pupil's assigned pick-up stop (position in ``stop_ids``), -1 for home
    #: pick-up; ``None``: everyone is picked up at home (until stops are assigned).
    pupil_stop: np.ndarray | None = None
    #: Vehicle types each pupil may not use (pupils × fleet rows, True = excluded);
    #: ``None``: no pupil excludes any.
    pupil_excluded: np.ndarray | None = None
    #: Pairs of school positions that may never share a vehicle on one run.
    never_share: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        check_axis(self.drive, self.locations, self.locations, "drive")
        n_pupils = len(self.pupil_ids)
        for a, b in self.no_share:
            if not (0 <= a < n_pupils and 0 <= b < n_pupils) or a == b:
                raise ValueError(f"no_share pair ({a}, {b}) must name two different pupils")
        if self.pupil_stop is not None and (
            self.pupil_stop.shape != (n_pupils,)
            or self.pupil_stop.max(initial=-1) >= len(self.stop_ids)
        ):
            raise ValueError("pupil_stop needs one stop position (or -1) per pupil")
        if self.pupil_excluded is not None and self.pupil_excluded.shape != (
            n_pupils,
            len(self.vehicles),
        ):
            raise ValueError("pupil_excluded needs one row per pupil, one column per fleet row")
        for a, b in self.never_share:
            if not (0 <= a < len(self.school_ids) and 0 <= b < len(self.school_ids)):
                raise ValueError(f"never_share pair ({a}, {b}) must name two schools")
        if self.walk is not None:
            check_axis(self.walk, self.pupil_ids, self.stop_ids, "walk")
        n_loc = len(self.locations)
        for name in ("school_location", "stop_location", "pupil_location"):
            arr = getattr(self, name)
            if arr.size and (arr.min() < 0 or arr.max() >= n_loc):
                raise ValueError(f"{name} points outside the {n_loc} locations")
        if self.pupil_school.size and self.pupil_school.max() >= len(self.school_ids):
            raise ValueError("pupil_school points outside the schools")
        if not self.vehicles:
            raise ValueError("the fleet has no vehicle types")

    @property
    def num_pupils(self) -> int:
        return len(self.pupil_ids)

    def replace(self, **changes: Any) -> TransportProblem:
        """A copy with some fields changed (the problem itself never changes)."""
        return dataclasses.replace(self, **changes)

    def excluded(self, pupil: int, vehicle: int) -> bool:
        """Whether ``pupil`` may not travel in fleet row ``vehicle``."""
        return self.pupil_excluded is not None and bool(self.pupil_excluded[pupil, vehicle])

    def may_share(self, a: int, b: int) -> bool:
        """Whether schools ``a`` and ``b`` may be served by one vehicle on one run."""
        if a == b:
            return True
        pair = (min(a, b), max(a, b))
        return (
            bool(self.school_multi[a])
            and bool(self.school_multi[b])
            and pair not in {(min(x, y), max(x, y)) for x, y in self.never_share}
        )

    def pickup_location(self) -> np.ndarray:
        """Each pupil's pick-up location: the assigned stop, else home.

        SEND pupils, and pupils flagged solo, are always collected from home.
        """
        if self.pupil_stop is None:
            return self.pupil_location
        at_stop = (self.pupil_stop >= 0) & ~self.pupil_sen & ~self.pupil_solo
        stops = self.stop_location[np.maximum(self.pupil_stop, 0)]
        return np.where(at_stop, stops, self.pupil_location)

    def direct_seconds(self) -> np.ndarray:
        """Each pupil's direct drive time from home to school: the best any route can do."""
        schools = self.school_location[self.pupil_school]
        return self.drive.seconds[self.pupil_location, schools]

    @classmethod
    def from_geodata(
        cls,
        pupils: gpd.GeoDataFrame,
        schools: gpd.GeoDataFrame,
        stops: gpd.GeoDataFrame,
        fleet: gpd.GeoDataFrame,
        provider: TravelProvider,
        *,
        policy: TransportPolicy | None = None,
        walk_provider: TravelProvider | None = None,
    ) -> TransportProblem:
        """Build from validated layers (EPSG:27700) and a travel-time provider."""
        located = fleet.geometry.notna() if "geometry" in fleet else pd.Series(False, fleet.index)
        base_points = fleet.geometry[located].drop_duplicates() if located.any() else []
        everything = pd.concat(
            [
                gpd.GeoSeries(
                    list(base_points),
                    index=[f"base:{i}" for i in range(len(base_points))],
                    crs=27700,
                ),
                points(schools, "schools", prefix="school:"),
                points(stops, "stops", prefix="stop:"),
                points(pupils, "pupils", prefix="pupil:"),
            ]
        )
        drive = provider.matrix(everything, everything, mode="drive")
        if not located.all():  # a contract without a base starts at its first pick-up
            drive = with_no_base(drive, len(base_points))
        walk = None
        if walk_provider is not None and len(stops):
            walk = walk_provider.matrix(
                points(pupils, "pupils"), points(stops, "stops"), mode="walk"
            )
        base_of = {geom.wkb: i for i, geom in enumerate(base_points)}
        fleet_rows = []
        for (_, row), has_base in zip(fleet.iterrows(), located, strict=True):
            fleet_rows.append((row, base_of[row["geometry"].wkb] if has_base else len(base_points)))
        return cls.from_matrix(pupils, schools, stops, fleet_rows, drive, policy=policy, walk=walk)

    @classmethod
    def from_matrix(
        cls,
        pupils: pd.DataFrame,
        schools: pd.DataFrame,
        stops: pd.DataFrame,
        fleet: list[tuple[pd.Series, int]],
        drive: TravelMatrix,
        *,
        policy: TransportPolicy | None = None,
        walk: TravelMatrix | None = None,
    ) -> TransportProblem:
        """Build from tables (no geometry needed) and a drive matrix over all locations.

        ``drive`` must have the locations on both axes in the order of the module
        docstring; ``fleet`` pairs each vehicle-type row with its base's position.
        """
        policy = policy or TransportPolicy()
        locations = drive.origins
        school_ids = ids(schools, "school")
        stop_ids = ids(stops, "stop")
        pupil_ids = ids(pupils, "pupil")
        phase = column(schools, "phase", "primary", object)
        pupil_school = index_of(school_ids, pupils["school_id"], "school_id")
        age = column(pupils, "age", 10, np.int64)
        secondary = np.where(
            phase[pupil_school] == "special",
            age >= policy.secondary_from_age,
            np.isin(phase[pupil_school], ("secondary", "all-through"))
            & (age >= policy.secondary_from_age),
        )
        default_ride = np.where(
            secondary, policy.max_ride_secondary_min, policy.max_ride_primary_min
        )
        override = column(pupils, "max_ride_min", np.nan, float)
        max_ride_s = np.rint(np.where(np.isnan(override), default_ride, override) * 60).astype(
            np.int64
        )
        vehicles = tuple(
            VehicleType(
                id=str(row["id"]),
                name=str(row.get("name") or row["id"]),
                seats=int(row["seats"]),
                wheelchair_spaces=int(row.get("wheelchair_spaces", 0) or 0),
                day_rate=float(row["day_rate"]),
                cost_per_mile=float(row["cost_per_mile"]),
                available=int(row.get("available", 1) or 0),
                base=base,
            )
            for row, base in fleet
        )
        vehicles += spot_hire(vehicles, policy.spot_hire_premium, len(pupil_ids))
        max_pupils = column(stops, "max_pupils", 0, float)
        excluded = _excluded(pupils, pupil_ids, vehicles)
        return cls(
            locations=locations,
            drive=drive,
            school_ids=school_ids,
            school_location=index_of(locations, [f"school:{i}" for i in school_ids], "location"),
            school_phase=phase,
            bell_min=frozen([parse_time(t) for t in schools["bell_time"]], np.int64),
            arrive_min_before=column(schools, "arrive_min_before", 5, np.int64),
            arrive_max_before=column(schools, "arrive_max_before", 25, np.int64),
            end_min=frozen(
                [parse_time(t) for t in column(schools, "end_time", "15:15", object)], np.int64
            ),
            school_multi=column(schools, "multi_school", True, bool),
            stop_ids=stop_ids,
            stop_location=index_of(locations, [f"stop:{i}" for i in stop_ids], "location"),
            stop_unsafe=column(stops, "unsafe", False, bool),
            stop_max_pupils=frozen(np.nan_to_num(max_pupils, nan=0.0), np.int64),
            pupil_ids=pupil_ids,
            pupil_location=index_of(locations, [f"pupil:{i}" for i in pupil_ids], "location"),
            pupil_school=pupil_school,
            pupil_age=age,
            pupil_sen=column(pupils, "sen", False, bool),
            pupil_wheelchair=column(pupils, "wheelchair", False, bool),
            pupil_solo=column(pupils, "solo", False, bool),
            pupil_assistant=column(pupils, "assistant", False, bool),
            pupil_max_ride_s=frozen(max_ride_s, np.int64),
            vehicles=vehicles,
            policy=policy,
            walk=walk,
            pupil_excluded=excluded,
        )


def _excluded(
    pupils: pd.DataFrame, pupil_ids: tuple[str, ...], vehicles: tuple[VehicleType, ...]
) -> np.ndarray | None:
    """The ``excluded_vehicles`` column (fleet ids or names, ';'-separated) as a matrix."""
    if "excluded_vehicles" not in pupils:
        return None
    at: dict[str, int] = {}
    for i, v in enumerate(vehicles):
        at.setdefault(v.name, i)
    for i, v in enumerate(vehicles):
        at[v.id] = i
    out = np.zeros((len(pupil_ids), len(vehicles)), dtype=bool)
    problems = []
    known = ", ".join(sorted({v.id for v in vehicles}))
    for row, text in enumerate(pupils["excluded_vehicles"]):
        if text is None or (isinstance(text, float) and np.isnan(text)):
            continue
        for name in (t.strip() for t in str(text).split(";")):
            if not name:
                continue
            if name in at:
                out[row, at[name]] = True
                # A fleet id may have several rows (one per base): exclude them all.
                out[row, [j for j, v in enumerate(vehicles) if v.id == name]] = True
            else:
                problems.append(Problem(
                    "pupils", row_number(pupils, "pupils.csv", row), "excluded_vehicles",
                    f"fleet type ids separated by ';' ({known})",
                    f"'{name}' (pupil {pupil_ids[row]})",
                ))  # fmt: skip
    if problems:
        raise ValidationError(problems)
    out.setflags(write=False)
    return out if out.any() else None
