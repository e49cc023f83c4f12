"""Calibrate the demand model so that today's pattern reproduces the observed visits.

Two steps:

1. **Distance decay**: the visit rate and the decay per minute (over-65s decay
   ``over65_decay`` times faster) minimise the Poisson-scaled squared error between
   modelled and observed visits a year of the centres open today.
2. **Local propensity** (optional): at a set decay (``half_distance``), each zone
   belongs to the catchment of its nearest observed centre; a factor per catchment
   on its residents' visit rate is solved (a square linear system) so that today's pattern
   reproduces each centre's visits exactly, like the balancing factors of a gravity
   model. It absorbs what travel time does not explain (local habits, other ways to
   reach the council) and belongs to the residents, not the building: a plan that
   moves hours elsewhere does not carry a centre's popularity with it.

The report keeps both fits, so a user sees how much the decay alone explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import least_squares

from optimise.hours.demand import DemandModel, evaluate, travel_minutes

if TYPE_CHECKING:
    from models.hours import HoursProblem

__all__ = ["Calibration", "calibrate"]


@dataclass(frozen=True, eq=False)
class Calibration:
    """A calibrated model and how well it reproduces today's visits.

    Attributes
    ----------
    model
        The demand model to plan with.
    decay_model
        The model of step 1 (distance decay alone, propensity 1).
    observed_index
        Positions of the centres with observed visits and open hours today.
    observed
        Their observed visits a year.
    decay_only
        Visits a year that step 1 (distance decay alone) gives them.
    fitted
        Visits a year that the final model gives them under today's pattern.
    """

    model: DemandModel
    decay_model: DemandModel
    observed_index: np.ndarray
    observed: np.ndarray
    decay_only: np.ndarray
    fitted: np.ndarray

    @staticmethod
    def _errors(modelled: np.ndarray, observed: np.ndarray) -> dict[str, float]:
        rel = modelled / observed - 1
        share = modelled / modelled.sum() - observed / observed.sum()
        return {
            "max_abs_relative_error": round(float(np.abs(rel).max()), 4),
            "max_share_error_points": round(float(np.abs(share).max() * 100), 2),
            "r2": round(
                float(
                    1
                    - ((modelled - observed) ** 2).sum() / ((observed - observed.mean()) ** 2).sum()
                ),
                4,
            ),
        }

    def fit(self) -> dict[str, dict[str, object]]:
        """Parameters and error figures of both steps, for reports."""

        def params(m: DemandModel) -> dict[str, object]:
            return {
                "rate_visits_per_resident_year": round(m.rate, 6),
                "beta_per_minute": round(m.beta, 6),
                "over65_beta_per_minute": round(m.over65_beta, 6),
                "half_distance_minutes": round(float(np.log(2) / m.beta), 1) if m.beta else None,
            }

        factors = np.unique(np.round(self.model.propensity, 4))
        return {
            "decay_only": {
                **params(self.decay_model),
                **self._errors(self.decay_only, self.observed),
            },
            "calibrated": {
                **params(self.model),
                "propensity_factors": [float(f) for f in factors],
                **self._errors(self.fitted, self.observed),
            },
        }


def _observed(problem: HoursProblem) -> np.ndarray:
    hours = problem.current_hours_per_week()
    ok = np.isfinite(problem.visits_per_year) & (hours > 0)
    return np.flatnonzero(ok)


def calibrate(
    problem: HoursProblem,
    profile: np.ndarray,
    *,
    over65_decay: float = 1.5,
    propensity: bool = True,
    half_distance: float = 20.0,
) -> Calibration:
    """Fit the demand model to the observed visits of the centres open today.

    Parameters
    ----------
    problem
        Centres with ``visits_per_year`` and today's pattern (``current``).
    profile
        ``7 × slots`` share of demand per slot (see :mod:`optimise.hours.profile`).
    over65_decay
        Over-65s' decay rate as a multiple of everyone else's (fixed, not fitted:
        visits are not split by age, so the data cannot separate the two).
    propensity
        Fit a factor per catchment so that the fit is exact (step 2).
    half_distance
        Travel minutes at which an under-65's visit probability halves, in step 2.
        Step 1 fits the decay, but on the default data the best decay alone
        (half-distance about 90 minutes) lets Tuesday's two open centres draw the
        whole county and still misses Alnwick by 39%; with local factors the decay
        is not identifiable from six centres, so it is set here.

    Returns
    -------
    Calibration

    Raises
    ------
    ValueError
        When fewer than two centres have observed visits and open hours today.
    """
    idx = _observed(problem)
    if len(idx) < 2:
        raise ValueError(
            "calibration needs at least two centres with visits_per_year and "
            "current_days/current_hours"
        )
    observed = problem.visits_per_year[idx].astype(float)
    ones = np.ones(len(problem.zone_ids))

    def model_of(log_rate: float, log_beta: float, attract: np.ndarray) -> DemandModel:
        beta = float(np.exp(log_beta))
        return DemandModel(float(np.exp(log_rate)), beta, beta * over65_decay, attract, profile)

    def residuals(x: np.ndarray) -> np.ndarray:
        visits = evaluate(problem, model_of(x[0], x[1], ones), problem.current).visits[idx]
        return (visits - observed) / np.sqrt(observed)

    # Start from the rate that matches the total at a half-distance of an hour.
    start_beta = np.log(np.log(2) / 60)
    base = evaluate(problem, model_of(0.0, start_beta, ones), problem.current).visits[idx]
    x0 = np.array([np.log(observed.sum() / max(base.sum(), 1e-12)), start_beta])
    fit = least_squares(residuals, x0, bounds=([-30, -15], [10, 2]), x_scale=1.0)
    decay_model = model_of(fit.x[0], fit.x[1], ones)
    decay_only = evaluate(problem, decay_model, problem.current).visits[idx]
    if not propensity:
        return Calibration(decay_model, decay_model, idx, observed, decay_only, decay_only)
    model = _with_propensity(problem, profile, over65_decay, idx, observed, half_distance)
    fitted = evaluate(problem, model, problem.current).visits[idx]
    return Calibration(model, decay_model, idx, observed, decay_only, fitted)


def _catchment_visits(
    problem: HoursProblem, beta: float, beta65: float, profile: np.ndarray, home: np.ndarray,
    idx: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Visits a year at rate 1: catchment k (zones whose nearest observed centre is
    ``idx[k]``) × observed centre j, under today's pattern."""
    minutes = travel_minutes(problem)
    over = problem.over65.astype(float)
    young = (problem.population - over)[:, None]
    worth = young * np.exp(-beta * minutes) + over[:, None] * np.exp(-beta65 * minutes)
    n, m = len(problem.centre_ids), len(idx)
    flat, prof = problem.current.reshape(n, -1), profile.reshape(-1)
    out = np.zeros(m * n)
    for t in np.flatnonzero(flat.any(axis=0) & (prof > 0)):
        open_ = np.flatnonzero(flat[:, t])
        best = minutes[:, open_].argmin(axis=1)
        served = worth[np.arange(len(best)), open_[best]] * prof[t]
        out += np.bincount(home * n + open_[best], weights=served, minlength=m * n)
    return out.reshape(m, n)[:, idx]


def _with_propensity(
    problem: HoursProblem, profile: np.ndarray, over65_decay: float, idx: np.ndarray,
    observed: np.ndarray, half_distance: float,
) -> DemandModel:  # fmt: skip
    """Per-catchment factors reproducing ``observed`` exactly at a given decay."""
    home = np.argmin(travel_minutes(problem)[:, idx], axis=1)
    beta = float(np.log(2) / half_distance)
    base = _catchment_visits(problem, beta, beta * over65_decay, profile, home, idx)
    try:
        a = np.linalg.solve(base.T, observed)
    except np.linalg.LinAlgError:
        a = np.full(len(idx), -1.0)
    if np.any(a <= 0):
        raise ValueError(
            f"at a half-distance of {half_distance:g} minutes no positive local factors "
            "reproduce today's visits; try a shorter half_distance_minutes"
        )
    weights = observed / observed.sum()
    rate = float(np.exp(weights @ np.log(a)))
    per_zone = a[home] / rate
    per_zone.setflags(write=False)
    return DemandModel(rate, beta, beta * over65_decay, per_zone, profile)
