"""Results of the opening-hours problem: a weekly plan and what it serves.

:class:`Coverage` is what an opening pattern (today's or a solved one) gives under a
demand model: expected visits per centre, demand served and lost, over-65s
separately. :class:`HoursResult` is a solved plan with its coverage, today's coverage
side by side, and the solver's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from models.hours import WEEKS_PER_YEAR

__all__ = ["Coverage", "HoursResult"]


@dataclass(frozen=True, eq=False)
class Coverage:
    """What one opening pattern serves, in visits a year.

    Attributes
    ----------
    visits
        Expected visits a year at each centre.
    hours
        Open hours a week of each centre.
    demand, over65_demand
        Potential visits a year (everyone next to an open centre whenever they want
        one), all residents and over-65s.
    served, over65_served
        Expected visits a year under the pattern, all residents and over-65s.
    """

    visits: np.ndarray
    hours: np.ndarray
    demand: float
    over65_demand: float
    served: float
    over65_served: float

    @property
    def lost(self) -> float:
        return self.demand - self.served

    @property
    def over65_lost(self) -> float:
        return self.over65_demand - self.over65_served

    def visits_per_open_hour(self) -> np.ndarray:
        """Visits ÷ (hours a week × 52), NaN for a centre that does not open."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.hours > 0, self.visits / (self.hours * WEEKS_PER_YEAR), np.nan)

    def figures(self) -> dict[str, float]:
        """The totals as plain floats, rounded to whole visits."""
        return {
            "demand": round(self.demand),
            "served": round(self.served),
            "lost": round(self.lost),
            "over65_demand": round(self.over65_demand),
            "over65_served": round(self.over65_served),
            "over65_lost": round(self.over65_lost),
            "hours": float(self.hours.sum()),
        }


@dataclass(frozen=True, eq=False)
class HoursResult:
    """A solved weekly opening plan.

    Attributes
    ----------
    plan
        Centres × 7 days × slots, True where the centre opens (read-only).
    coverage, current
        What the plan and today's pattern serve under the same demand model.
    budget_hours
        Weekly staff-hours budget.
    hours_used, staff_hours_used
        Open hours a week (all centres) and the staff-hours they take.
    objective, bound, gap
        Over-65-weighted visits a year of the plan, the solver's proven upper bound,
        and the relative gap between them.
    optimal
        True when the solver proved the plan optimal (within ``gap``).
    status
        The solver's status text.
    runtime_s
        Wall-clock seconds the solver took (for reports; never compared in tests).
    """

    plan: np.ndarray
    coverage: Coverage
    current: Coverage
    budget_hours: float
    hours_used: float
    staff_hours_used: float
    objective: float
    bound: float
    gap: float
    optimal: bool
    status: str
    runtime_s: float

    def summary(self, centre_names: tuple[str, ...] | list[str]) -> dict[str, Any]:
        """The figures of ``summary.json``, visits per open hour keyed by centre name."""

        def per_centre(values: np.ndarray) -> dict[str, float | None]:
            return {
                str(n): (None if np.isnan(v) else round(float(v), 2))
                for n, v in zip(centre_names, values, strict=True)
            }

        return {
            "budget_hours": float(self.budget_hours),
            "hours_used": float(self.hours_used),
            "demand_served": round(self.coverage.served, 1),
            "over65_demand_served": round(self.coverage.over65_served, 1),
            "current_demand_served": round(self.current.served, 1),
            "current_over65_demand_served": round(self.current.over65_served, 1),
            "visits_per_open_hour": per_centre(self.coverage.visits_per_open_hour()),
            "current_visits_per_open_hour": per_centre(self.current.visits_per_open_hour()),
            "optimal": bool(self.optimal),
        }
