"""Lagrangian bound for capacitated facility location with split demand.

Relax each customer's "served once" row with a multiplier ``λ_i``. Warehouse ``j``
then solves a continuous knapsack on its own: take customers with ``c_ij − λ_i < 0``
best ratio first up to its capacity, at value ``v_j = f_j + Σ_i (c_ij − λ_i) x_ij``.
The warehouses chosen minimise ``Σ v_j y_j`` subject to ``Σ s_j y_j ≥`` total demand
(exact when all capacities are equal, as in capa/capb/capc; the fractional cover, a
weaker but valid bound, otherwise). ``L(λ) = Σ λ_i + Σ v_j y_j`` equals the LP bound
of the strong model (``x_ij ≤ y_j`` on every arc) or beats it, and costs one sort of
the cost matrix per step instead of an LP with 100,000 linking rows.

Forcing one warehouse open (or shut) and choosing again gives a bound on every plan
that opens (or shuts) it: above the incumbent, that warehouse's fate is settled.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimise.bench.orlib import CflpInstance

__all__ = ["Lagrangian", "lagrangian"]


class Lagrangian:
    """Multipliers ``lam``, warehouse values ``v`` and the bound ``value``."""

    def __init__(self, inst: CflpInstance, lam: np.ndarray, state: np.ndarray | None = None):
        self.inst, self.lam = inst, lam
        self.state = np.zeros(inst.cost.shape[1], int) if state is None else state
        self.v, self.x = _knapsacks(inst, lam)
        self.v[self.state == -1] = math.inf
        need = inst.demand.sum()
        self.open, chosen = choose(self.v, inst.capacity, need, self.state == 1)
        self.value = float(lam.sum() + chosen)

    def forced(self, j: int, state: int) -> float:
        """The bound of every plan (within this node) with warehouse ``j`` open (state 1)
        or shut (-1)."""
        v = self.v.copy()
        if state == -1:
            v[j] = math.inf
        fixed = self.state == 1
        if state == 1:
            fixed = fixed.copy()
            fixed[j] = True
        return float(self.lam.sum() + choose(v, self.inst.capacity, self.inst.demand.sum(),
                                             fixed)[1])  # fmt: skip


def choose(v, capacity, need, fixed=None):
    """Warehouses minimising ``Σ v y`` with ``Σ s y ≥ need`` (see the module notes)."""
    y = (v < 0) if fixed is None else (v < 0) | fixed
    have, total = float(capacity[y].sum()), float(v[y].sum())
    equal = bool(np.all(capacity == capacity[0]))
    rest = np.flatnonzero(~y & np.isfinite(v))
    for j in rest[np.argsort(v[rest] / capacity[rest], kind="stable")]:
        if have >= need - 1e-9:
            break
        share = 1.0 if equal else min(1.0, (need - have) / capacity[j])
        total += share * v[j]
        have += share * capacity[j]
        y[j] = True
    if have < need - 1e-9:
        return y, math.inf
    return y, total


def _knapsacks(inst, lam):
    """Every warehouse's continuous knapsack at once, on the arcs with ``c − λ < 0``
    only (a few per customer): the values ``v`` and the arcs used as (i, j, share)."""
    rt = inst.cost.T - lam[None, :]
    j, i = np.nonzero(rt < 0)
    r = rt[j, i]
    dem = inst.demand[i]
    o = np.lexsort((r / dem, j))  # by warehouse, best ratio first
    j, i, r, dem = j[o], i[o], r[o], dem[o]
    total = np.cumsum(dem)
    first = np.searchsorted(j, j)  # where each warehouse's run starts
    before = total - dem - (total[first] - dem[first])
    share = np.clip((inst.capacity[j] - before) / dem, 0.0, 1.0)
    m = inst.cost.shape[1]
    return inst.fixed + np.bincount(j, weights=r * share, minlength=m), (i, j, share)


def lagrangian(
    inst, ub, lam=None, *, state=None, iters=300, theta=2.0, stop=math.inf, on_open=None
) -> Lagrangian:
    """Subgradient ascent (Polyak steps towards ``ub``); the best multipliers found,
    early once the bound passes ``stop``. ``on_open(mask)`` is called with each new set
    of warehouses the bound opens (at most 20) and may return a better ``ub``."""
    if lam is None:
        lam = np.sort(inst.cost, axis=1)[:, 1].copy()
    best = Lagrangian(inst, lam, state)
    current, stall = best, 0
    seen: set[bytes] = set()
    for _ in range(iters):
        key = current.open.tobytes()
        if on_open is not None and key not in seen and len(seen) < 20:
            seen.add(key)
            ub = min(ub, on_open(current.open))
        if not math.isfinite(current.value) or best.value > stop:
            break
        i, j, share = current.x
        g = 1.0 - np.bincount(i, weights=share * current.open[j], minlength=lam.size)
        norm = float(g @ g)
        if norm == 0:
            break
        lam = current.lam + theta * max(ub - current.value, 1e-6 * abs(ub)) / norm * g
        current = Lagrangian(inst, lam, state)
        if current.value > best.value + 1e-9:
            best, stall = current, 0
        else:
            stall += 1
            if stall >= 15:
                theta, stall = theta / 2, 0
                if theta < 1e-4:
                    break
    return best
