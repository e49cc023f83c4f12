"""Ranked disposal options: the order in which sites go as the saving target rises.

The plan is re-solved with at most ``k`` disposals for ``k`` rising in even steps to
the plan's own count; a site ranks by the first step at which it is disposed of, then
by what disposing of it is worth (net of ``receipt_share`` and disposal costs). Each row
says what the site yields (realised receipt, relocation cost, net receipt, running
saving, backlog avoided) and who loses their nearest site for a service (zones and
over-65 residents who must travel further, and how much further).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from optimise.estate.figures import nearest_kept
from optimise.estate.solve import solve

if TYPE_CHECKING:
    from models.estate import EstateProblem
    from models.estate_result import EstateResult
    from optimise.estate.params import EstateParams
    from optimise.estate.prepare import Prepared

__all__ = ["rank_disposals"]


def rank_disposals(
    problem: EstateProblem,
    prep: Prepared,
    params: EstateParams,
    plan: EstateResult,
    *,
    time_limit: float | None = None,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """One row per disposed site of ``plan``, first to go first."""
    gone = np.flatnonzero(~plan.keep)
    if not plan.feasible or gone.size == 0:
        return []
    first = np.full(problem.num_sites, params.ranking_steps + 1)
    steps = params.ranking_steps
    for step in range(1, steps):
        cap = int(np.ceil(gone.size * step / steps))
        r = solve(problem, params=params, time_limit=time_limit, seed=seed,
                  max_disposals=cap, prepared=prep)  # fmt: skip
        if r.feasible:
            newly = ~r.keep & (first > steps)
            first[newly] = step
    first[gone[first[gone] > steps]] = steps
    order = sorted(gone, key=lambda j: (first[j], -prep.saving[j], problem.site_ids[j]))

    today, today_min = nearest_kept(problem, prep, np.ones(problem.num_sites, dtype=bool))
    rows = []
    for rank, j in enumerate(order, 1):
        hit = today == j
        zones = hit.any(axis=1)
        extra = np.where(hit, plan.minutes - today_min, 0.0)
        rows.append({
            "rank": rank,
            "step": int(first[j]),
            "site_id": problem.site_ids[j],
            "name": str(problem.site_name[j]),
            "type": str(problem.site_type[j]),
            "capital_receipt_gbp": round(float(prep.realised[j])),
            "relocation_cost_gbp": round(float(prep.relocation[j])),
            "net_receipt_gbp": round(float(prep.receipt[j])),
            "running_saving_gbp": round(float(problem.running_cost[j])),
            "backlog_avoided_gbp": round(float(problem.backlog_total[j])),
            "annualised_benefit_gbp": round(float(prep.saving[j])),
            "zones_affected": int(zones.sum()),
            "population_affected": int(problem.population[zones].sum()),
            "over65_affected": int(problem.over65[zones].sum()),
            "max_extra_minutes": round(float(extra[np.isfinite(extra)].max(initial=0.0)), 1),
        })  # fmt: skip
    return rows
