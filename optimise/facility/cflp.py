"""Capacitated facility location (demand may be split), solved exactly on nearest arcs.

Each customer may use only its ``K_i`` cheapest warehouses, plus an *overflow* at the
cost of its next cheapest that uses no capacity. Any full solution maps to this model at
no greater cost (send the far arcs' share to the overflow), so its optimum is a lower
bound. The proof that K was large enough: the optimum puts nothing on the overflows, so
it is feasible for the full model, hence optimal. Otherwise the customers that
overflowed get twice the warehouses and the model is solved again.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import coo_matrix

from optimise.facility.highs import solve_mip
from optimise.facility.pmedian import FacilityResult

if TYPE_CHECKING:
    from optimise.facility.orlib import CflpInstance

__all__ = ["solve_cflp"]


def solve_cflp(
    inst: CflpInstance, *, time_limit: float | None = None, seed: int = 0, k0: int = 20
) -> FacilityResult:
    start = time.perf_counter()
    n, m = inst.cost.shape
    order = np.argsort(inst.cost, axis=1, kind="stable")
    k = np.full(n, min(m, k0))
    rounds = 0
    while True:
        rounds += 1
        left = None if time_limit is None else max(1.0, time_limit - (time.perf_counter() - start))
        sol = _model(inst, order, k, left, seed)
        if sol is None:
            return FacilityResult(math.nan, False, math.nan, time.perf_counter() - start,
                                  np.zeros(m, bool), rounds)  # fmt: skip
        opened, overflow, status, gap, obj = sol
        spilled = (overflow > 1e-7) & (k < m)
        out_of_time = time_limit is not None and time.perf_counter() - start >= time_limit
        if not spilled.any() or out_of_time:
            optimal = status == "optimal" and not spilled.any()
            cost = math.nan if spilled.any() else obj  # a bound, not a plan, while it spills
            return FacilityResult(cost, optimal, gap, time.perf_counter() - start, opened, rounds)
        k[spilled] = np.minimum(m, 2 * k[spilled])


def _model(inst, order, k, time_limit, seed):
    n, m = inst.cost.shape
    # Columns: y (m), overflow w (n), then x arcs.
    arc_i = np.repeat(np.arange(n), k)
    arc_j = np.concatenate([order[i, : k[i]] for i in range(n)])
    arcs = arc_i.size
    x = m + n + np.arange(arcs)
    full = k >= m
    nxt = order[np.arange(n), np.minimum(k, m - 1)]
    over_cost = np.where(full, 0.0, inst.cost[np.arange(n), nxt])
    # Rows: assignment (n), capacity (m), linking (arcs), total capacity (1).
    r_cap = n + arc_j
    r_link = n + m + np.arange(arcs)
    rows = np.concatenate([arc_i, np.arange(n), r_cap, n + np.arange(m), r_link, r_link,
                           np.full(m, n + m + arcs)])  # fmt: skip
    cols = np.concatenate([x, m + np.arange(n), x, np.arange(m), x, arc_j, np.arange(m)])
    vals = np.concatenate([np.ones(arcs), np.ones(n), inst.demand[arc_i], -inst.capacity,
                           np.ones(arcs), -np.ones(arcs), inst.capacity])  # fmt: skip
    shape = (n + m + arcs + 1, m + n + arcs)
    a = coo_matrix((vals, (rows, cols)), shape=shape).tocsc()
    lo = np.concatenate([np.ones(n), np.full(m + arcs, -np.inf), [inst.demand.sum()]])
    hi = np.concatenate([np.ones(n), np.zeros(m + arcs), [np.inf]])
    c = np.concatenate([inst.fixed, over_cost, inst.cost[arc_i, arc_j]])
    col_hi = np.concatenate([np.ones(m), np.where(full, 0.0, 1.0), np.ones(arcs)])
    integer = np.zeros(shape[1], bool)
    integer[:m] = True
    sol = solve_mip(c, a, lo, hi, np.zeros(shape[1]), col_hi, integer,
                    time_limit=time_limit, seed=seed, gap_rel=1e-9, gap_abs=1e-3)  # fmt: skip
    if sol.status not in ("optimal", "feasible"):
        return None
    return sol.x[:m] > 0.5, sol.x[m : m + n], sol.status, sol.gap, sol.objective
