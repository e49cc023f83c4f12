"""Choose routes from a pool and chain them into vehicles, in one MILP (HiGHS).

This is the master problem of the county planner and of the school-bus benchmark:
the set-partitioning and scheduling model of the school-bus literature (BiRD's
"scenario" selection, Park, Tae & Kim's scheduling step), in its compact flow form.

Candidates are routes from the generation step: each carries a set of *items* (pick-up
groups or stops), runs in one *class* of vehicle (a fleet row: type and base), has a
cost of its own, and leaves its vehicle free at an *end*: a place and time (its school,
after the drop-off) shared by every route of that class that ends there then. A *link*
(e, b) says a vehicle free at end ``e`` can reach route ``b``'s first pick-up in time
to run it. Linking ends rather than route pairs is exact (whether a vehicle can run
``b`` next depends only on where and when it is free) and keeps the model small: ends
× routes links instead of routes².

Variables: ``x_r`` (route r is run) and ``y_eb`` (a vehicle free at ``e`` runs ``b``
next), all binary. A vehicle's day starts at every chosen route no link leads into,
so ``x_b − Σ_e y_eb`` counts one vehicle at ``b`` and the model needs no start
variables::

    min  Σ_r (cost_r + start_r) x_r + Σ_eb (link_eb − start_b) y_eb
    s.t. Σ_{r ∋ i} x_r = 1                           every item carried exactly once
         Σ_e y_eb ≤ x_b                              one way into each route
         Σ_b y_eb ≤ Σ_{r ends at e} x_r              no more vehicles leave e than arrive
         Σ_{r ∈ k} x_r − Σ_{b ∈ k} y_eb ≤ n_k        vehicles of class k within the fleet

``start_r`` is what a vehicle costs when its day begins with r (day rate and the drive
from its base), ``link_eb`` the empty drive from the end to b's first pick-up. Links
go forward in time, so every solution is a set of chains: the vehicles.

HiGHS runs without its presolve. On these models the presolve removes little (a third
of the rows, 1-4% of the columns) and then spends 12-48 s before the root LP without
looking at the clock; that is where HiGHS overran its time limit at 10,000 pupils.
Without it, measured on three dumped pools (BENCHMARKS.md): the default data's reaches
the 1% proof in the same 51 s at the same cost (±0.01%), the 10,000-pupil county's in
21 s instead of 141 s, the school-bus benchmark's RSRB08 starts its root at 0.6 s
instead of 16 s and finds 167 buses in 38 s, where with presolve it had 180.
"""

from __future__ import annotations

import itertools
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import highspy
import numpy as np
from scipy.sparse import csc_matrix

from optimise.mip.highs import solve_mip
from optimise.transport.routing.pool import run_bounded

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["KILLED", "KILLED_BEST", "Candidate", "Links", "MasterResult", "select_and_chain"]

#: The status when HiGHS overran its time limit and was stopped before it found a plan
#: better than the start: the plan is the start.
KILLED = "stopped at the time limit (HiGHS overran it); the start plan is kept"
#: The status when HiGHS overran its time limit and was stopped after it had found a
#: better plan than the start: that plan is kept (with no bound).
KILLED_BEST = "stopped at the time limit (HiGHS overran it); its best plan so far is kept"
#: HiGHS is told to stop this much (at most a tenth) before the time limit, at which
#: it is killed, seconds.
KILL_GRACE_S = 2.0


@dataclass(frozen=True)
class Candidate:
    """One route of the pool; ``end`` is where its vehicle is free next (−1: nowhere)."""

    items: tuple[int, ...]
    vehicle_class: int
    cost: float
    start_cost: float
    end: int = -1


@dataclass(frozen=True, eq=False)
class Links:
    """A vehicle free at ``end[k]`` may run ``head[k]`` next, at ``cost[k]``."""

    end: np.ndarray
    head: np.ndarray
    cost: np.ndarray


@dataclass(frozen=True)
class MasterResult:
    status: str  # optimal | feasible | infeasible | no solution
    vehicles: tuple[tuple[int, ...], ...]  # candidate indices, in running order
    objective: float
    bound: float
    gap: float
    seconds: float
    columns: int


def select_and_chain(
    num_items: int,
    candidates: Sequence[Candidate],
    links: Links,
    class_limit: Sequence[float],
    *,
    time_limit: float,
    seed: int = 0,
    start: Sequence[Sequence[int]] | None = None,
    gap_abs: float = 1e-6,
    gap_rel: float = 1e-6,
    presolve: bool = False,
) -> MasterResult:
    """Solve the master problem (see the module's text); ``start`` is a feasible set of
    vehicles (lists of candidate indices in order) for HiGHS to begin from; the search
    stops when the cost is proven within ``gap_abs`` of the optimum or within the
    fraction ``gap_rel`` of it (a stop that, unlike the clock's, repeats anywhere).
    HiGHS runs in a child process killed at ``time_limit`` (it is told to stop
    ``KILL_GRACE_S`` sooner); then the vehicles are those of the best plan HiGHS had
    reported by then (status :data:`KILLED_BEST`), else ``start``'s (:data:`KILLED`).
    ``presolve`` turns HiGHS's presolve back on (for the benchmark that compares; see
    the module's text)."""
    began = time.perf_counter()
    n, m = len(candidates), len(links.end)
    end, head = links.end.astype(np.int64), links.head.astype(np.int64)
    ends = np.array([c.end for c in candidates], dtype=np.int64)
    num_ends = int(max(ends.max(initial=-1), end.max(initial=-1))) + 1
    start_cost = np.array([c.start_cost for c in candidates], dtype=float)
    cost = np.concatenate([
        [c.cost + c.start_cost for c in candidates], links.cost - start_cost[head]
    ])  # fmt: skip
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []

    def add(r, c, v):
        rows.extend(np.asarray(r).tolist())
        cols.extend(np.asarray(c).tolist())
        vals.extend(np.broadcast_to(np.asarray(v, dtype=float), np.shape(r)).tolist())

    for r, c in enumerate(candidates):  # items: Σ x = 1
        add(list(c.items), [r] * len(c.items), 1.0)
    link_cols = n + np.arange(m)
    into = num_items  # Σ_e y_eb − x_b ≤ 0
    add(into + head, link_cols, 1.0)
    add(into + np.arange(n), np.arange(n), -1.0)
    out = into + n  # Σ_b y_eb − Σ_{r ends at e} x_r ≤ 0
    add(out + end, link_cols, 1.0)
    has_end = np.flatnonzero(ends >= 0)
    add(out + ends[has_end], has_end, -1.0)
    klass = np.array([c.vehicle_class for c in candidates], dtype=np.int64)
    limited = [k for k, lim in enumerate(class_limit) if math.isfinite(lim)]
    fleet = out + num_ends
    row_of = np.full(max(len(class_limit), int(klass.max(initial=0)) + 1), -1)
    row_of[limited] = fleet + np.arange(len(limited))
    r_in = np.flatnonzero(row_of[klass] >= 0)
    add(row_of[klass[r_in]], r_in, 1.0)
    l_in = np.flatnonzero(row_of[klass[head]] >= 0)
    add(row_of[klass[head[l_in]]], n + l_in, -1.0)
    num_rows = fleet + len(limited)
    a = csc_matrix((vals, (rows, cols)), shape=(num_rows, n + m))
    lo = np.concatenate([np.ones(num_items), np.full(num_rows - num_items, -np.inf)])
    hi = np.concatenate([np.ones(num_items), np.zeros(n + num_ends),
                         [float(class_limit[k]) for k in limited]])  # fmt: skip
    x0 = _start_vector(start, n, end, head, ends) if start is not None else None
    model = (cost, a, lo, hi, n, (end, head, ends))
    # HiGHS does not always stop on its own time limit on a large pool (seen at 10,000
    # pupils, inside presolve or the root), so it runs in a child killed at the limit.
    grace = min(KILL_GRACE_S, 0.1 * time_limit)
    how = {"gap_abs": gap_abs, "gap_rel": max(gap_rel, 1e-6), "presolve": presolve}
    with tempfile.TemporaryDirectory(prefix="optimise-master-") as folder:
        best = Path(folder) / "best.npz"
        task = (model, x0, max(0.1, time_limit - grace), seed, how, best)
        done, result = run_bounded(_solve, task, max(0.2, time_limit))
        if done:
            return result
        found = _last_best(best)
    seconds = round(time.perf_counter() - began, 2)
    if found is not None:
        x, objective = found
        return MasterResult(KILLED_BEST, _vehicles(x, n, end, head, ends), objective,
                            math.nan, math.nan, seconds, n + m)  # fmt: skip
    vehicles = tuple(tuple(c) for c in start) if start else ()
    return MasterResult(KILLED, vehicles, math.nan, math.nan, math.nan, seconds, n + m)


def _solve(model, x0, time_limit, seed, how, best: Path) -> MasterResult:
    """HiGHS on the model (in the bounded child: its thread pool is started afresh);
    each better plan it finds is also written to ``best``, for the parent to keep if
    it must kill this child."""
    cost, a, lo, hi, n, (end, head, ends) = model
    highspy.Highs.resetGlobalScheduler(True)
    size = len(cost)

    def keep(x: np.ndarray, objective: float) -> None:
        part = best.with_suffix(".part.npz")
        np.savez(part, chosen=np.flatnonzero(x > 0.5), size=size, objective=objective)
        os.replace(part, best)  # whole or not at all, whenever the kill comes

    sol = solve_mip(cost, a, lo, hi, np.zeros(size), np.ones(size), np.ones(size, dtype=bool),
                    time_limit=time_limit, seed=seed, start=x0, on_incumbent=keep,
                    **how)  # fmt: skip
    vehicles = _vehicles(sol.x, n, end, head, ends) if sol.status in ("optimal", "feasible") else ()
    return MasterResult(sol.status, vehicles, sol.objective, sol.bound,
                        sol.gap, round(sol.seconds, 2), size)  # fmt: skip


def _last_best(path: Path) -> tuple[np.ndarray, float] | None:
    """The last plan the killed child wrote: (x, objective), or None."""
    if not path.is_file():
        return None
    with np.load(path) as saved:
        x = np.zeros(int(saved["size"]))
        x[saved["chosen"]] = 1.0
        return x, float(saved["objective"])


def _start_vector(start, n, end, head, ends) -> np.ndarray:
    x = np.zeros(n + len(end))
    link = {(int(e), int(b)): k for k, (e, b) in enumerate(zip(end, head, strict=True))}
    for chain in start:
        for r in chain:
            x[r] = 1.0
        for a, b in itertools.pairwise(chain):
            x[n + link[(int(ends[a]), int(b))]] = 1.0
    return x


def _vehicles(x, n, end, head, ends) -> tuple[tuple[int, ...], ...]:
    """The chains: at each end, the routes that arrive there are paired in index order
    with the links that leave it (any of them can run any of those links)."""
    chosen = [r for r in range(n) if x[r] > 0.5]
    used = sorted(np.flatnonzero(x[n:] > 0.5).tolist(), key=lambda k: int(head[k]))
    leaving: dict[int, list[int]] = {}
    for k in used:
        leaving.setdefault(int(end[k]), []).append(int(head[k]))
    nxt: dict[int, int] = {}
    for r in chosen:
        e = int(ends[r])
        if e >= 0 and leaving.get(e):
            nxt[r] = leaving[e].pop(0)
    has_pred = set(nxt.values())
    out = []
    for r in chosen:
        if r in has_pred:
            continue
        chain = [r]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        out.append(tuple(chain))
    return tuple(out)
