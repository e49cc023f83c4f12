"""The result of routing (or of evaluating a given plan): routes, times, costs, gaps.

Everything is frozen and indexed by position in the :class:`~models.transport.
TransportProblem` it was computed for; ids are looked up there when writing outputs.
Times are seconds after midnight; a pupil's ride runs from the vehicle leaving their
pick-up point to its arrival at their school.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["RouteResult", "TransportResult", "UnservedPupil", "Visit"]


@dataclass(frozen=True)
class Visit:
    """One stop of a route: a pick-up point (or a school, with ``school`` set)."""

    location: int  # position in the problem's locations
    pupils: tuple[int, ...]  # pupils boarding here (empty at a school)
    arrive_s: int
    depart_s: int
    load: int  # pupils on board when leaving
    school: int = -1  # the school dropped at, for a school visit


@dataclass(frozen=True)
class RouteResult:
    """One vehicle's run: base → pick-ups → school(s) in the morning, school(s) →
    drop-offs → base (or its next school) in the afternoon. On a pm route ``pupils``
    of a home visit alight there."""

    id: str
    vehicle: int  # position in the problem's vehicle types
    visits: tuple[Visit, ...]
    metres: int
    daily_cost: float
    assistant: bool
    start_s: int  # am: leaving the base (or the previous trip's school); pm: back there
    unit: str = ""  # the vehicle running it: a second trip shares its first trip's unit
    run: str = "am"  # "am": pick-ups → school(s); "pm": school(s) → drop-offs
    #: am: where the vehicle starts; pm: where it ends (the next trip's school); -1 for
    #: its operator base.
    depot: int = -1

    @property
    def pupils(self) -> tuple[int, ...]:
        return tuple(p for v in self.visits for p in v.pupils)

    @property
    def schools(self) -> tuple[int, ...]:
        return tuple(v.school for v in self.visits if v.school >= 0)


@dataclass(frozen=True)
class UnservedPupil:
    """A pupil no route carries, with the reason and the best ride any vehicle could give."""

    pupil: int
    reason: str
    best_ride_s: int
    max_ride_s: int


@dataclass(frozen=True, eq=False)
class TransportResult:
    """Routes, each pupil's ride, costs and any violations (none in a solver's plan).

    Attributes
    ----------
    routes
        The routes, in id order.
    unserved
        Pupils left out, each with its reason.
    ride_s
        Each pupil's ride in seconds (-1 when unserved), read-only.
    violations
        Broken constraints, one sentence each (empty for a plan :func:`solve` returns).
    ride_limit_violations
        Pupils whose ride exceeds their limit.
    school_days
        Days a year the daily cost is paid.
    """

    routes: tuple[RouteResult, ...]
    unserved: tuple[UnservedPupil, ...]
    ride_s: np.ndarray
    violations: tuple[str, ...] = ()
    ride_limit_violations: int = 0
    school_days: int = 190
    runtime_s: float = 0.0
    seed: int | None = None
    method: str = ""
    details: dict[str, object] = field(default_factory=dict)

    def beyond_limit(self) -> list[dict[str, Any]]:
        """``details["ride_limit_exceeded_unavoidably"]``: one dict per pupil carried
        although even the direct drive is over the limit (empty when not recorded)."""
        flagged = self.details.get("ride_limit_exceeded_unavoidably")
        return list(flagged) if isinstance(flagged, list | tuple) else []

    @property
    def daily_cost(self) -> float:
        return float(sum(r.daily_cost for r in self.routes))

    @property
    def annual_cost(self) -> float:
        return self.daily_cost * self.school_days

    @property
    def vehicles(self) -> int:
        """Vehicles used: a vehicle running two trips counts once."""
        return len({r.unit or r.id for r in self.routes})

    @property
    def feasible(self) -> bool:
        return not self.violations

    def summary(self) -> dict[str, object]:
        """The headline figures of ``summary.json``."""
        served = self.ride_s[self.ride_s >= 0] / 60.0
        return {
            "annual_cost_gbp": round(self.annual_cost, 2),
            "daily_cost_gbp": round(self.daily_cost, 2),
            "vehicles": self.vehicles,
            "routes": len(self.routes),
            "pupils_total": len(self.ride_s),
            "pupils_served": int(served.size),
            "pupils_unserved": len(self.unserved),
            "ride_limit_violations": self.ride_limit_violations,
            "violations": len(self.violations),
            "mean_ride_minutes": round(float(served.mean()), 1) if served.size else 0.0,
            "p95_ride_minutes": (
                round(float(np.percentile(served, 95)), 1) if served.size else 0.0
            ),
            "miles": round(sum(r.metres for r in self.routes) / 1609.344, 1),
            "routes_with_assistant": sum(r.assistant for r in self.routes),
            "multi_school_routes": sum(len(r.schools) > 1 for r in self.routes),
            **self._hire(),
            **self._beyond_limit(),
            **self._planner(),
            **self._repeatable(),
        }

    def _hire(self) -> dict[str, object]:
        # Vehicles the fleet file lacks, hired at the spot price (solve()).
        if "vehicles_to_procure" not in self.details:
            return {}
        daily = self.details.get("spot_hire_daily_gbp", 0.0)
        daily = float(daily) if isinstance(daily, int | float) else 0.0
        return {"vehicles_to_procure": self.details["vehicles_to_procure"],
                "spot_hire_cost_gbp": round(daily * self.school_days, 2)}  # fmt: skip

    def _beyond_limit(self) -> dict[str, object]:
        # Pupils carried although even the direct drive is over their limit (solve()).
        flagged = self.details.get("ride_limit_exceeded_unavoidably")
        if not isinstance(flagged, list | tuple):  # a list of pupil ids when there are any
            return {}
        return {"ride_limit_exceeded_unavoidably": len(flagged)}

    def _planner(self) -> dict[str, object]:
        # The county planner's pool and MILP (optimise.transport.routing.county).
        keys = ("county_step", "routes_generated", "master_status", "master_gap",
                "master_bound_gbp", "greedy_start_s", "generation_s", "selection_s",
                "workers")  # fmt: skip
        return {k: self.details[k] for k in keys if k in self.details}

    def _repeatable(self) -> dict[str, object]:
        # A solved plan (not an evaluated one) says whether every search stopped on its
        # iteration count rather than the clock, and the county MILP (if any) was solved
        # to optimality: then the same inputs and seed give this plan again anywhere.
        timed = self.details.get("searches_stopped_by_time_limit")
        proven = self.details.get("master_status", "optimal") == "optimal"
        return {} if timed is None else {"repeatable": timed == 0 and proven}
