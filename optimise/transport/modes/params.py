"""Settings and per-pupil flags of travel mode choice (TOML table ``[transport.modes]``).

Prices are assumptions until the council gives its own (all overridable):

* personal travel budget, mileage basis: £0.45 a mile (HMRC's approved mileage rate,
  the usual basis of council mileage allowances) × home-school driving distance × 2
  (there and back) × 190 school days; or a fixed sum a year (``budget_basis = "fixed"``);
* independent travel training: £2,000 one-off (trainer time for a term), spread over 2
  years, then a bus pass at £600 a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from models.params import Params
from optimise.transport.pupil_flags import flag

if TYPE_CHECKING:
    import pandas as pd

    from models.transport import TransportProblem

__all__ = ["ModeFlags", "ModeParams"]


@dataclass(frozen=True)
class ModeParams(Params):
    """Prices of the alternatives to council transport, and the search's limits.

    Attributes
    ----------
    budget_basis
        ``"mileage"``: ``mileage_rate_gbp`` × distance × ``budget_trips_per_day`` × days;
        ``"fixed"``: ``fixed_budget_gbp`` a year.
    training_cost_gbp, training_spread_years, bus_pass_gbp
        Travel training's annual cost: one-off ÷ years + the bus pass.
    max_rounds
        Rounds of price → move → re-plan after the first plan.
    first_solve_share
        Share of the time limit given to the first plan; a re-plan runs only when a
        quarter of the limit is left after the first round's moves (so never at the
        default). Measured on the default data at 60 s under load (BENCHMARKS.md):
        with 0.5, routes + alternatives came out £0.15m-£0.61m a year above plain
        routing at 60 s in 3 of 4 runs: the shorter first search lost more than
        re-planning recovered.
    min_saving_gbp
        A move must save more than this a year (0: any saving).
    """

    budget_basis: str = "mileage"
    mileage_rate_gbp: float = 0.45
    budget_trips_per_day: float = 2.0
    fixed_budget_gbp: float = 3_000.0
    training_cost_gbp: float = 2_000.0
    training_spread_years: float = 2.0
    bus_pass_gbp: float = 600.0
    max_rounds: int = 3
    first_solve_share: float = 0.9
    min_saving_gbp: float = 0.0

    def __post_init__(self) -> None:
        if self.budget_basis not in ("mileage", "fixed"):
            raise ValueError(
                f"budget_basis must be 'mileage' or 'fixed'; found {self.budget_basis!r}"
            )
        self._non_negative("mileage_rate_gbp", "fixed_budget_gbp", "training_cost_gbp")
        self._non_negative("bus_pass_gbp", "max_rounds", "min_saving_gbp")
        self._positive("budget_trips_per_day", "training_spread_years")
        if not 0 < self.first_solve_share <= 1:
            raise ValueError(
                f"first_solve_share must be in (0, 1]; found {self.first_solve_share!r}"
            )

    def budget_gbp(self, metres: np.ndarray, school_days: int) -> np.ndarray:
        """A year's personal travel budget for a home-school driving distance."""
        if self.budget_basis == "fixed":
            return np.full(np.shape(metres), self.fixed_budget_gbp, dtype=float)
        miles = np.asarray(metres, dtype=float) / 1609.344
        return self.mileage_rate_gbp * miles * self.budget_trips_per_day * school_days

    def training_gbp(self) -> float:
        """A year's cost of travel training: the one-off spread, then the bus pass."""
        return self.training_cost_gbp / self.training_spread_years + self.bus_pass_gbp


@dataclass(frozen=True, eq=False)
class ModeFlags:
    """Which alternatives each pupil of a problem may take (arrays by pupil position).

    ``budget_ok``: SEND pupils whose family can accept a personal travel budget;
    ``training``: pupils flagged ``travel_training`` (candidates for it).
    """

    budget_ok: np.ndarray
    training: np.ndarray

    @classmethod
    def default(cls, problem: TransportProblem) -> ModeFlags:
        """The documented default rule, with nobody flagged for travel training."""
        ok = problem.pupil_sen & ~problem.pupil_wheelchair & ~problem.pupil_assistant
        return cls(ok, np.zeros(problem.num_pupils, dtype=bool))

    @classmethod
    def from_frame(
        cls, pupils: pd.DataFrame, problem: TransportProblem, source: str = "pupils"
    ) -> ModeFlags:
        """From the pupils frame the problem was built from (same rows, same order).

        ``budget_ok`` (nullable column, checked when the pupils were read; default rule
        in :mod:`optimise.transport.pupil_flags`) and ``travel_training``.
        """
        default = cls.default(problem)
        ok = flag(pupils, "budget_ok", default.budget_ok, source) & problem.pupil_sen
        training = flag(pupils, "travel_training", default.training, source)
        return cls(ok, training)
