"""Distance-decay demand over the week, and what an opening pattern serves.

A resident of zone ``z`` who wants to visit in slot ``t`` (a share ``profile[t]`` of
the week's demand) goes to the nearest centre ``c`` open in that slot, with
probability ``exp(-beta * minutes[z, c])``; over-65s decay faster (``over65_beta``).
Demand in a slot where no centre is open is lost: people do not move their visit to
another day. So a year's expected visits at centre ``c`` are::

    rate * sum over slots t where c is open, zones z choosing c at t:
        profile[t] * propensity[z] * (under65[z] * p[z, c] + over65[z] * p65[z, c])

``rate * propensity[z]`` is visits a resident of zone ``z`` makes a year next to a
centre that is always open (``propensity`` is 1 unless calibrated per area).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from geodata.matrix import UNREACHABLE
from models.hours_result import Coverage

if TYPE_CHECKING:
    from models.hours import HoursProblem

__all__ = ["DemandModel", "evaluate", "travel_minutes"]


def travel_minutes(problem: HoursProblem) -> np.ndarray:
    """Zones × centres travel minutes; unreachable pairs as infinity."""
    seconds = problem.travel.seconds
    minutes = seconds / 60.0
    return np.where(seconds == UNREACHABLE, np.inf, minutes)


@dataclass(frozen=True, eq=False)
class DemandModel:
    """A calibrated demand model on one problem's zones, centres and week.

    Attributes
    ----------
    rate
        Visits a resident makes a year when a centre is next door and always open.
    beta, over65_beta
        Decay per minute of travel, under-65s and over-65s.
    propensity
        A factor per zone on its residents' visit rate (calibrated per catchment of
        an observed centre; 1 everywhere for the distance decay alone).
    profile
        ``7 × slots`` share of the week's demand in each slot; sums to 1.
    """

    rate: float
    beta: float
    over65_beta: float
    propensity: np.ndarray
    profile: np.ndarray

    def __post_init__(self) -> None:
        if not (self.rate > 0 and self.beta >= 0 and self.over65_beta >= 0):
            raise ValueError("rate must be positive and the decay rates not negative")
        if np.any(self.propensity < 0):
            raise ValueError("propensities must not be negative")
        if abs(float(self.profile.sum()) - 1) > 1e-9:
            raise ValueError("the profile must sum to 1")

    def values(self, problem: HoursProblem) -> tuple[np.ndarray, np.ndarray]:
        """Visit probability, zones × centres: under-65s, over-65s."""
        minutes = travel_minutes(problem)
        return np.exp(-self.beta * minutes), np.exp(-self.over65_beta * minutes)

    def weights(self, problem: HoursProblem) -> tuple[np.ndarray, np.ndarray]:
        """Potential visits a year per zone: under-65s, over-65s."""
        over = problem.over65.astype(float)
        rate = self.rate * self.propensity
        return rate * (problem.population - over), rate * over

    def replace_profile(self, profile: np.ndarray) -> DemandModel:
        return DemandModel(self.rate, self.beta, self.over65_beta, self.propensity, profile)


def evaluate(problem: HoursProblem, model: DemandModel, mask: np.ndarray) -> Coverage:
    """What the opening pattern ``mask`` (centres × 7 × slots) serves under ``model``."""
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != problem.available.shape:
        raise ValueError(f"mask has shape {mask.shape}; expected {problem.available.shape}")
    young_v, old_v = model.values(problem)
    minutes = travel_minutes(problem)
    young_w, old_w = model.weights(problem)
    n = len(problem.centre_ids)
    visits = np.zeros(n)
    old_served = 0.0
    flat = mask.reshape(n, -1)
    profile = model.profile.reshape(-1)
    for t in np.flatnonzero(flat.any(axis=0) & (profile > 0)):
        open_ = np.flatnonzero(flat[:, t])
        best = minutes[:, open_].argmin(axis=1)  # the nearest; ties: the lower index
        rows = np.arange(len(best))
        for values, weights, is_old in ((young_v, young_w, False), (old_v, old_w, True)):
            served = weights * values[:, open_][rows, best] * profile[t]
            visits += np.bincount(open_[best], weights=served, minlength=n)
            if is_old:
                old_served += float(served.sum())
    hours = mask.sum(axis=(1, 2)) * problem.slot_minutes / 60
    return Coverage(
        visits=visits,
        hours=hours,
        demand=float(young_w.sum() + old_w.sum()),
        over65_demand=float(old_w.sum()),
        served=float(visits.sum()),
        over65_served=old_served,
    )
