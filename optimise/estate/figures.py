"""What a keep/dispose decision means: nearest kept site per zone and service, and £.

Capital receipts are the realised value (``receipt_share`` × book value); net receipts
also take off the sites' disposal, lease-break and relocation costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from models.estate import EstateProblem
    from optimise.estate.params import EstateParams
    from optimise.estate.prepare import Prepared

__all__ = ["figures", "nearest_kept"]


def nearest_kept(
    problem: EstateProblem, prep: Prepared, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Zones × services: nearest kept host (-1 if none) and its travel minutes."""
    seconds = problem.travel.seconds
    zones, m = len(problem.zone_ids), len(prep.services)
    nearest = np.full((zones, m), -1, dtype=np.int64)
    minutes = np.full((zones, m), np.inf)
    for s in range(m):
        cols = np.flatnonzero(keep & prep.hosts[:, s])
        if cols.size and zones:
            sub = seconds[:, cols]
            best = sub.argmin(axis=1)  # ties: the first site in input order
            nearest[:, s] = cols[best]
            minutes[:, s] = sub[np.arange(zones), best] / 60.0
    return nearest, minutes


def figures(
    problem: EstateProblem,
    prep: Prepared,
    params: EstateParams,
    keep: np.ndarray,
    minutes: np.ndarray,
) -> dict[str, Any]:
    """The plan's figures; money in £, rounded to the pound."""
    gone = ~keep
    value = float(problem.capital_value.sum())
    protected = np.array(
        [not params.services or s in params.services for s in prep.services], dtype=bool
    )
    scope = prep.pair_row >= 0
    # Residents who lose, in this plan, a service they reach within the limit today.
    zone_beyond = ((minutes * 60.0 > prep.limit_s[None, :]) & scope).any(axis=1)
    today = (prep.beyond_today & protected[None, :]).any(axis=1) & (problem.population > 0)
    finite = np.isfinite(minutes) & protected[None, :]
    weights = problem.population[:, None] * finite
    office = np.isin(problem.site_type.astype(str), params.office_types)
    area = problem.floor_area_m2
    return {
        "capital_receipts_gbp": round(float(prep.realised[gone].sum())),
        "net_receipts_gbp": round(float(prep.receipt[gone].sum())),
        "receipts_share_of_value": round(float(prep.realised[gone].sum()) / value, 4)
        if value
        else 0.0,
        "annual_saving_gbp": round(float(problem.running_cost[gone].sum())),
        "backlog_avoided_gbp": round(float(problem.backlog_total[gone].sum())),
        "annualised_benefit_gbp": round(float(prep.saving[gone].sum())),
        "max_travel_minutes": round(float(minutes[scope].max()), 1) if scope.any() else 0.0,
        "travel_limit_minutes": params.max_travel_minutes,
        "mean_travel_minutes": round(
            float((np.where(finite, minutes, 0) * weights).sum() / max(weights.sum(), 1)), 2
        ),
        "population_beyond_limit": int(problem.population[zone_beyond].sum()),
        "over65_beyond_limit": int(problem.over65[zone_beyond].sum()),
        "population_lacking_a_service_today": int(problem.population[today].sum()),
        "office_area_cut_share": round(float(area[office & gone].sum() / area[office].sum()), 4)
        if area[office].sum() > 0
        else 0.0,
        "office_reduction": params.office_reduction,
        "book_value_disposed_gbp": round(float(problem.capital_value[gone].sum())),
        "receipt_share": params.receipt_share,
        "relocation_costs_gbp": round(float(prep.relocation[gone].sum())),
        "max_disposals": params.max_disposals,
    }
