"""The estate MIP in PuLP: dispose or keep each site, within coverage and capacity.

Variables: ``d[j]`` = 1 to dispose of site ``j``; ``v[s, k]`` ≥ 0 the load of service
``s`` placed at kept site ``k`` (co-location: a closed site's load moves to kept hosts
of the same service within their capacity); ``a[i]`` = 1 when zone ``i`` may lose a
service within the limit (only when an access epsilon is given).

    maximise  Σ_j saving_j d_j
    s.t.      Σ_{k ∈ N(i,s)} d_k - a_i ≤ |N(i,s)| - 1      every protected (zone, service)
              Σ_s v[s,k] + cap_k d_k ≤ cap_k                  every site
              v[s,k] + cap_k d_k ≤ cap_k                      every host (tightens the LP)
              Σ_k v[s,k] ≥ demand_s                           every service
              Σ_j receipt_j d_j ≥ target;  Σ_j running_j d_j ≥ Σ running - budget
              Σ_i population_i a_i ≤ epsilon;  Σ_j d_j ≤ max_disposals
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pulp

if TYPE_CHECKING:
    from models.estate import EstateProblem
    from optimise.estate.params import EstateParams
    from optimise.estate.prepare import Prepared

__all__ = ["Built", "build", "receipt_target_gbp"]


@dataclass(frozen=True, eq=False)
class Built:
    model: pulp.LpProblem
    dispose: list[pulp.LpVariable]
    access: dict[int, pulp.LpVariable]
    slack: dict[str, pulp.LpVariable]


def receipt_target_gbp(problem: EstateProblem, params: EstateParams) -> float:
    """The receipt target in £: a share of the estate's book value when ≤ 1.

    The model meets it with net realised receipts (after ``receipt_share`` and costs)."""
    t = params.receipt_target
    return float(t * problem.capital_value.sum()) if 0 < t <= 1 else float(t)


def build(
    problem: EstateProblem,
    prep: Prepared,
    params: EstateParams,
    *,
    max_disposals: int | None = None,
    elastic: bool = False,
) -> Built:
    """The model; ``elastic`` turns the targets soft to find out which ones conflict.

    ``max_disposals`` (the ranking's steps) and ``params.max_disposals`` both cap the
    number of disposals; the tighter one holds. The cap stays hard when ``elastic``."""
    n = problem.num_sites
    model = pulp.LpProblem("estate", pulp.LpMinimize if elastic else pulp.LpMaximize)
    d = [
        model.add_variable(
            f"d{j}",
            lowBound=1 if problem.must_dispose[j] else 0,
            upBound=0 if problem.must_keep[j] else 1,
            cat=pulp.LpBinary
            if not (problem.must_keep[j] or problem.must_dispose[j])
            else pulp.LpContinuous,
        )
        for j in range(n)
    ]
    epsilon = params.max_population_beyond
    access: dict[int, pulp.LpVariable] = {}
    if epsilon >= 0 or elastic:
        live = np.flatnonzero((prep.pair_row >= 0).any(axis=1))
        access = {int(i): model.add_variable(f"a{i}", cat=pulp.LpBinary) for i in live}

    # Coverage: one row per distinct cover set, or per (zone, cover set) with access.
    if access:
        for i, a in access.items():
            for r in sorted(set(prep.pair_row[i][prep.pair_row[i] >= 0].tolist())):
                cover = prep.rows[r]
                model += pulp.lpSum(d[k] for k in cover) - a <= len(cover) - 1, f"cov{i}_{r}"
    else:
        for r, cover in enumerate(prep.rows):
            model += pulp.lpSum(d[k] for k in cover) <= len(cover) - 1, f"cov{r}"

    slack: dict[str, pulp.LpVariable] = {}

    def soft(name: str, scale: float) -> pulp.LpAffineExpression | int:
        if not elastic:
            return 0
        slack[name] = model.add_variable(f"slack_{name}", lowBound=0)
        return slack[name] * scale

    cap = problem.capacity
    v: dict[tuple[int, int], pulp.LpVariable] = {}
    for s, demand in enumerate(prep.demand):
        if demand <= 0:
            continue
        for k in np.flatnonzero(prep.hosts[:, s] & (cap > 0)).tolist():
            v[s, int(k)] = model.add_variable(f"v{s}_{k}", lowBound=0)
            model += v[s, int(k)] + cap[k] * d[k] <= cap[k], f"vub{s}_{k}"
        model += (
            (
                pulp.lpSum(x for (t, _), x in v.items() if t == s) + soft(f"capacity{s}", demand)
                >= demand
            ),
            f"dem{s}",
        )
    for k in range(n):
        here = [x for (_, kk), x in v.items() if kk == k]
        if len(here) > 1:
            model += pulp.lpSum(here) + cap[k] * d[k] <= cap[k], f"cap{k}"

    target = receipt_target_gbp(problem, params)
    if target > 0:
        expr = pulp.lpSum(float(prep.receipt[j]) * d[j] for j in range(n))
        model += expr + soft("receipt", target) >= target, "receipt"
    if params.running_budget_gbp > 0:
        need = float(problem.running_cost.sum() - params.running_budget_gbp)
        expr = pulp.lpSum(float(problem.running_cost[j]) * d[j] for j in range(n))
        model += expr + soft("budget", max(need, 1.0)) >= need, "budget"
    if access and not elastic:
        model += (
            pulp.lpSum(int(problem.population[i]) * a for i, a in access.items()) <= epsilon,
            "epsilon",
        )
    caps = [c for c in (max_disposals, params.cap) if c is not None]
    if caps:
        model += pulp.lpSum(d) <= min(caps), "cardinality"

    if elastic:
        total = max(float(problem.population.sum()), 1.0)
        model += pulp.lpSum(slack.values()) + pulp.lpSum(
            int(problem.population[i]) / total * a for i, a in access.items()
        )
    else:
        model += pulp.lpSum(float(prep.saving[j]) * d[j] for j in range(n))
    return Built(model, d, access, slack)
