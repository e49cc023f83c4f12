"""p-median: Lagrangian branch and bound (the engine's), and two MIP models to compare.

``solve_pmedian`` starts from a greedy + interchange plan and proves it (or finds better)
by Lagrangian branch and bound (``optimise.location.branch``, where the method and the
measurements behind the choice are).

``solve_pmedian_radius`` is the previous engine, kept for the side-by-side benchmark: the
radius formulation (Elloumi 2010; Garcia, Labbé & Marín 2011), written as a chain so
that each site enters each client's rows once: for client ``i`` with distinct distances
``D1 < D2 < ...`` and ``S_k`` the sites at distance ``D_k``, ``z_ik`` = 1 when no open
site is closer than ``D_k``:

    min  Σ_i [D1 + Σ_k (D_k − D_{k−1}) z_ik]
    s.t. z_i2 + Σ_{S_1} y ≥ 1;  z_i(k+1) − z_ik + Σ_{S_k} y ≥ 0;  Σ y = p

Each client keeps only the levels of its ``K_i`` nearest sites. Dropping the later
levels drops non-negative terms, so the truncated optimum is a lower bound on the true
one. The proof that K was large enough: the chosen sites, evaluated exactly (every
client to its nearest open site), cost no more than that bound. When they do, the plan
is optimal; when not, the clients served beyond their truncation get twice the sites
and the model is solved again. ``solve_pmedian_textbook`` is ``x_ij ≤ y_j`` on all pairs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix

from optimise.location.branch import branch_and_bound
from optimise.location.interchange import interchange
from optimise.mip.highs import solve_mip

__all__ = ["FacilityResult", "solve_pmedian", "solve_pmedian_radius", "solve_pmedian_textbook"]

BRANCH_FROM = 20  # sites per median from which the branch and bound is used


@dataclass(frozen=True, eq=False)
class FacilityResult:
    cost: float
    optimal: bool
    gap: float
    seconds: float
    open: np.ndarray
    rounds: int = 1  # MIP solves (CFLP rounds)
    nodes: int = 0  # branch-and-bound nodes (p-median)

    def as_dict(self) -> dict[str, object]:
        return {
            "cost": None if math.isnan(self.cost) else round(float(self.cost), 6),
            "optimal": bool(self.optimal),
            "gap": None if math.isnan(self.gap) else float(self.gap),
            "seconds": round(self.seconds, 3),
        }


def solve_pmedian(
    distance: np.ndarray, p: int, *, time_limit: float | None = None, seed: int = 0
) -> FacilityResult:
    """Optimal p sites (rows of ``distance`` are clients of weight 1, columns sites).

    Many sites per median (n ≥ 20 p): Lagrangian branch and bound, deterministic. Fewer:
    the LP of the radius model is tight and HiGHS proves it in about a second, where
    the branch and bound needs tens (pmed20, n=400, p=133: 0.3 s against 37 s).
    """
    if distance.shape[1] < BRANCH_FROM * p:
        return solve_pmedian_radius(distance, p, time_limit=time_limit, seed=seed)
    start = time.perf_counter()
    first, _ = interchange(distance, p)
    left = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - start))
    opened, cost, lower, nodes = branch_and_bound(distance, p, first, time_limit=left)
    gap = max(0.0, (cost - lower) / cost) if cost else 0.0
    optimal = cost - lower < (1.0 if np.all(distance == np.round(distance)) else 1e-9 * cost)
    return FacilityResult(cost, bool(optimal), 0.0 if optimal else gap,
                          time.perf_counter() - start, opened, nodes=nodes)  # fmt: skip


def solve_pmedian_radius(
    distance: np.ndarray,
    p: int,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    k_factor: float = 1.2,
) -> FacilityResult:
    """Optimal p sites (every vertex a client of weight 1); ``k_factor × n / p`` nearest
    sites per client to start with."""
    start = time.perf_counter()
    n = distance.shape[0]
    order = np.argsort(distance, axis=1, kind="stable")
    k = np.full(n, min(n, max(8, math.ceil(k_factor * n / p))))
    warm, _ = interchange(distance, p)
    rounds = 0
    while True:
        rounds += 1
        left = None if time_limit is None else max(1.0, time_limit - (time.perf_counter() - start))
        sol, bound = _radius(distance, order, k, p, left, seed, warm)
        if sol is None:
            return FacilityResult(math.nan, False, math.nan, time.perf_counter() - start,
                                  np.zeros(n, bool), rounds)  # fmt: skip
        opened = sol > 0.5
        nearest = distance[:, opened].min(axis=1)
        true = float(nearest.sum())
        reach = distance[np.arange(n), order[np.arange(n), k - 1]]
        short = (nearest > reach + 1e-9) & (k < n)
        gap = (true - bound) / true if true else 0.0
        done = gap <= 1e-9 or not short.any()
        out_of_time = time_limit is not None and time.perf_counter() - start >= time_limit
        if done or out_of_time:
            return FacilityResult(true, gap <= 1e-9, max(gap, 0.0),
                                  time.perf_counter() - start, opened, rounds)  # fmt: skip
        k[short] = np.minimum(n, 2 * k[short])


def _radius(distance, order, k, p, time_limit, seed, warm=None):
    """The truncated radius model; clients are rows of ``distance``, sites its columns."""
    clients, n = distance.shape
    rows, cols, vals, lo = [], [], [], []
    costs: list[float] = []
    start: list[float] = [] if warm is None else warm.astype(float).tolist()
    served = None if warm is None else distance[:, warm].min(axis=1)
    const = 0.0
    col = n  # y occupies columns 0..n-1
    row = 0
    for i in range(clients):
        near = order[i, : k[i]]
        d = distance[i, near]
        # Extend to every site tied with the last one kept, so levels are whole.
        levels, first = np.unique(d, return_index=True)
        const += levels[0]
        z = np.arange(col, col + len(levels) - 1)
        costs.extend(np.diff(levels))
        if served is not None:  # z_ik = 1 while no open site is closer than D_k
            start.extend((levels[1:] <= served[i]).astype(float).tolist())
        col += len(levels) - 1
        bounds = np.append(first, len(d))
        for lvl in range(len(levels) - 1):
            sites = near[bounds[lvl] : bounds[lvl + 1]]
            rows.extend([row] * (len(sites) + 1))
            cols.extend([*sites.tolist(), z[lvl]])
            vals.extend([1.0] * (len(sites) + 1))
            if lvl > 0:
                rows.append(row)
                cols.append(z[lvl - 1])
                vals.append(-1.0)
            lo.append(1.0 if lvl == 0 else 0.0)
            row += 1
    rows.extend([row] * n)
    cols.extend(range(n))
    vals.extend([1.0] * n)
    lo.append(p)
    hi = np.full(row + 1, np.inf)
    hi[-1] = p
    a = coo_matrix((vals, (rows, cols)), shape=(row + 1, col)).tocsc()
    c = np.concatenate([np.zeros(n), np.asarray(costs)])
    integer = np.zeros(col, bool)
    integer[:n] = True
    sol = solve_mip(c, a, np.asarray(lo), hi, np.zeros(col), np.ones(col), integer,
                    time_limit=time_limit, seed=seed, gap_abs=0.5,
                    start=None if warm is None else np.asarray(start))  # fmt: skip
    if sol.status not in ("optimal", "feasible"):
        return None, math.nan
    bound = sol.bound if sol.status == "feasible" else sol.objective
    return sol.x[:n], const + bound


def solve_pmedian_textbook(
    distance: np.ndarray, p: int, *, time_limit: float | None = None, seed: int = 0
) -> FacilityResult:
    """The classical model: x_ij ≤ y_j for all pairs, Σ_j x_ij = 1, Σ y = p."""
    n = distance.shape[0]
    nn = n * n
    x = np.arange(nn).reshape(n, n) + n  # x_ij columns after y
    r_assign = np.repeat(np.arange(n), n)
    r_link = n + np.arange(nn)
    rows = np.concatenate([r_assign, r_link, r_link, np.full(n, n + nn)])
    cols = np.concatenate([x.ravel(), x.ravel(), np.tile(np.arange(n), n), np.arange(n)])
    vals = np.concatenate([np.ones(nn), np.ones(nn), -np.ones(nn), np.ones(n)])
    a = coo_matrix((vals, (rows, cols)), shape=(n + nn + 1, n + nn)).tocsc()
    lo = np.concatenate([np.ones(n), np.full(nn, -np.inf), [p]])
    hi = np.concatenate([np.ones(n), np.zeros(nn), [p]])
    c = np.concatenate([np.zeros(n), distance.ravel()])
    integer = np.zeros(n + nn, bool)
    integer[:n] = True
    sol = solve_mip(c, a, lo, hi, np.zeros(n + nn), np.ones(n + nn), integer,
                    time_limit=time_limit, seed=seed, gap_abs=0.5)  # fmt: skip
    opened = sol.x[:n] > 0.5
    cost = float(distance[:, opened].min(axis=1).sum()) if opened.any() else math.nan
    return FacilityResult(cost, sol.status == "optimal", sol.gap, sol.seconds, opened)
