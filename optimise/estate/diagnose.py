"""Say why the targets cannot be met: which zone, which service, which target.

Exact checks first (each names the culprit); when every target is reachable alone but
not together, an elastic model finds the smallest violation and names what it relaxed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from models.estate_result import Infeasibility
from optimise.estate import backend
from optimise.estate.model import build, receipt_target_gbp

if TYPE_CHECKING:
    from models.estate import EstateProblem
    from optimise.estate.params import EstateParams
    from optimise.estate.prepare import Prepared

__all__ = ["explain", "precheck"]

_MAX_LISTED = 20


def precheck(problem: EstateProblem, prep: Prepared, params: EstateParams) -> list[Infeasibility]:
    """Reasons that hold whatever the other targets are."""
    out: list[Infeasibility] = []
    seconds = problem.travel.seconds
    if params.strict_coverage:
        live = problem.population > 0
        for s, service in enumerate(prep.services):
            if params.services and service not in params.services:
                continue
            hosts = np.flatnonzero(prep.hosts[:, s])
            for i in np.flatnonzero(live & prep.beyond_today[:, s])[:_MAX_LISTED]:
                best = seconds[i, hosts].min() / 60 if hosts.size else np.inf
                nearest = problem.site_ids[hosts[seconds[i, hosts].argmin()]] if hosts.size else ""
                out.append(_coverage(problem, i, service, prep.limit_s[s], best, nearest))
    for r, cover in enumerate(prep.rows):
        if problem.must_dispose[cover].all():
            i, s = (int(x[0]) for x in np.nonzero(prep.pair_row == r))
            out.append(
                Infeasibility(
                    "coverage",
                    problem.zone_ids[i],
                    f"zone '{problem.zone_ids[i]}' keeps '{prep.services[s]}' within "
                    f"{prep.limit_s[s] / 60:g} min only through must-dispose site(s) "
                    + ", ".join(problem.site_ids[k] for k in cover),
                )
            )
    cap = np.where(problem.must_dispose, 0.0, problem.capacity)
    for s, service in enumerate(prep.services):
        most = float(cap[prep.hosts[:, s]].sum())
        if prep.demand[s] > most + 1e-6:
            out.append(
                Infeasibility(
                    "capacity",
                    service,
                    f"service '{service}' needs capacity {prep.demand[s]:,.0f}; the sites "
                    f"that may be kept hold {most:,.0f}",
                )
            )
    target = receipt_target_gbp(problem, params)
    reachable = float(np.clip(prep.receipt[~problem.must_keep], 0, None).sum())
    if target > reachable + 0.5:
        out.append(
            Infeasibility(
                "receipt",
                "receipt_target",
                f"receipt target £{target:,.0f} exceeds £{reachable:,.0f}, the net receipts "
                "of every site that is not must-keep",
            )
        )
    out += _capped(problem, prep, params, target)
    if params.running_budget_gbp > 0:
        floor = float(problem.running_cost[problem.must_keep].sum())
        if floor > params.running_budget_gbp:
            out.append(
                Infeasibility(
                    "budget",
                    "running_budget_gbp",
                    f"must-keep sites alone cost £{floor:,.0f} a year, above the budget "
                    f"£{params.running_budget_gbp:,.0f}",
                )
            )
    return out


def explain(
    problem: EstateProblem,
    prep: Prepared,
    params: EstateParams,
    *,
    time_limit: float | None,
    seed: int,
) -> list[Infeasibility]:
    """Relax the targets, minimise the violation, and name what had to give."""
    built = build(problem, prep, params, elastic=True)
    outcome = backend.run(built.model, time_limit=time_limit, seed=seed, gap_rel=1e-4)
    if not outcome.has_solution:
        return [Infeasibility("combined", "targets", "the targets conflict (no detail found)")]
    out: list[Infeasibility] = []
    for name, var in built.slack.items():
        if (var.value() or 0) > 1e-6:
            subject = prep.services[int(name[8:])] if name.startswith("capacity") else name
            out.append(
                Infeasibility(
                    "combined",
                    subject,
                    f"'{subject}' cannot be met together with the other targets "
                    f"(short by {var.value():.1%})",
                )
            )
    lost = [i for i, a in built.access.items() if (a.value() or 0) > 0.5]
    for i in lost[:_MAX_LISTED]:
        out.append(
            Infeasibility(
                "coverage",
                problem.zone_ids[i],
                f"zone '{problem.zone_ids[i]}' (population {int(problem.population[i]):,}) "
                "loses a service within the limit when the other targets are met",
            )
        )
    return out or [Infeasibility("combined", "targets", "the targets conflict")]


def _capped(
    problem: EstateProblem, prep: Prepared, params: EstateParams, target: float
) -> list[Infeasibility]:
    """What ``max_disposals`` allows: must-dispose sites, then the best free sites."""
    cap = params.cap
    if cap is None:
        return []
    forced = np.flatnonzero(problem.must_dispose)
    if forced.size > cap:
        return [
            Infeasibility(
                "max_disposals",
                "max_disposals",
                f"max_disposals {cap} is below the {forced.size} must-dispose sites",
            )
        ]
    free = ~problem.must_keep & ~problem.must_dispose
    out: list[Infeasibility] = []

    def best(values: np.ndarray) -> float:
        """The most ``values`` can add up to with at most ``cap`` disposals."""
        top = np.sort(np.clip(values[free], 0, None))[::-1][: cap - forced.size]
        return float(values[forced].sum() + top.sum())

    most = best(prep.receipt)
    if target > 0 and target > most + 0.5:
        out.append(
            Infeasibility(
                "receipt",
                "receipt_target",
                f"receipt target £{target:,.0f} cannot be met with max_disposals {cap}: "
                f"the best {cap} disposal(s) raise £{most:,.0f} net",
            )
        )
    if params.running_budget_gbp > 0:
        need = float(problem.running_cost.sum() - params.running_budget_gbp)
        most = best(problem.running_cost)
        if need > most + 0.5:
            out.append(
                Infeasibility(
                    "budget",
                    "running_budget_gbp",
                    f"running budget £{params.running_budget_gbp:,.0f} needs £{need:,.0f} a "
                    f"year cut; with max_disposals {cap} at most £{most:,.0f} can be",
                )
            )
    return out


def _coverage(problem, i, service, limit_s, best, nearest) -> Infeasibility:
    return Infeasibility(
        "coverage",
        problem.zone_ids[i],
        f"zone '{problem.zone_ids[i]}' has no site hosting '{service}' within "
        f"{limit_s / 60:g} min (nearest: {nearest or 'none'}, {best:.0f} min)",
    )
