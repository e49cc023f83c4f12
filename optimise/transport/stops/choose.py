"""The sequential baseline: choose the fewest pick-up points, then route.

A set-covering MILP (HiGHS, through :func:`optimise.mip.highs.solve_mip`): open
stop ``s`` for group ``k`` (a school: a route serves one school, so a stop shared by
two schools is two pick-up points), assign each pupil to an open stop in reach or to
home; every home pick-up counts as a pick-up point of its own. Minimise the pick-up
points, then (a far smaller weight) the walking; each stop's cap on pupils holds over
all groups. This is the classical first phase of "location-allocation-routing"
(Bowerman et al. 1995); the routes are then planned on the chosen points.

With a previous plan (term re-planning) a pupil keeping last term's pick-up point
earns ``change_weight`` (in pick-up points: the caller converts the £ penalty), and
``max_changes`` caps the continuing pupils who change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import coo_matrix

from optimise.mip.highs import solve_mip

if TYPE_CHECKING:
    from optimise.transport.stops.reach import Reach

__all__ = ["HOME", "NEW", "Stability", "choose_fewest", "nearest"]

#: ``assign`` value of a pupil collected from home; in ``previous``: a new pupil.
HOME, NEW = -1, -2
#: Weight of a metre walked against one pick-up point: 3,000 pupils × 2.4 km < 1.
WALK_WEIGHT = 1e-7


@dataclass(frozen=True, eq=False)
class Stability:
    """Last term's pick-up point per pupil (stop, :data:`HOME` or :data:`NEW`)."""

    previous: np.ndarray
    penalty: float = 0.0  # per changed pupil, in the caller's objective units
    max_changes: int | None = None

    def changed(self, assign: np.ndarray) -> np.ndarray:
        """Continuing pupils whose pick-up point differs from last term's."""
        return (self.previous != NEW) & (assign != self.previous)


def nearest(reach: Reach) -> np.ndarray:
    """Every pupil at the nearest stop in reach (home when none, or when caps are full)."""
    assign = np.full(reach.num_pupils, HOME, dtype=np.int64)
    load = np.zeros(reach.num_stops, dtype=np.int64)
    for p in range(reach.num_pupils):
        for s in reach.options(p)[0].tolist():
            if reach.cap[s] == 0 or load[s] < reach.cap[s]:
                assign[p], load[s] = s, load[s] + 1
                break
    return assign


def choose_fewest(
    reach: Reach,
    *,
    stability: Stability | None = None,
    time_limit: float = 10.0,
    seed: int = 0,
) -> np.ndarray:
    """Each pupil's stop (or :data:`HOME`): fewest pick-up points, then least walking."""
    n, pairs = reach.num_pupils, len(reach.pupil)
    keys = reach.group[reach.pupil] * reach.num_stops + reach.stop
    opened, pair_open = np.unique(keys, return_inverse=True)
    home = np.flatnonzero(reach.home_ok)
    n_x, n_y, n_h = pairs, len(opened), len(home)
    cols = n_x + n_y + n_h
    cost = np.concatenate([reach.metres * WALK_WEIGHT, np.ones(n_y), np.ones(n_h)])
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(r_rows, r_cols, r_vals, n_rows, low, high) -> None:
        base = sum(len(b[3]) for b in blocks)
        blocks.append((np.asarray(r_rows) + base, np.asarray(r_cols), np.asarray(r_vals, float),
                       np.broadcast_to(np.asarray(low, float), n_rows),
                       np.broadcast_to(np.asarray(high, float), n_rows)))  # fmt: skip

    # every pupil at exactly one pick-up point (a stop in reach, or home)
    add(np.r_[reach.pupil, home], np.r_[np.arange(n_x), n_x + n_y + np.arange(n_h)],
        np.ones(n_x + n_h), n, 1.0, 1.0)  # fmt: skip
    # a pupil uses a stop only where it is opened for their group
    idx = np.arange(n_x)
    add(np.r_[idx, idx], np.r_[idx, n_x + pair_open], np.r_[np.ones(n_x), -np.ones(n_x)],
        n_x, -np.inf, 0.0)  # fmt: skip
    # caps on pupils per stop
    capped = np.flatnonzero(reach.cap > 0)
    if capped.size:
        on = np.flatnonzero(np.isin(reach.stop, capped))
        add(np.searchsorted(capped, reach.stop[on]), on, np.ones(len(on)), len(capped),
            -np.inf, reach.cap[capped])  # fmt: skip
    if stability is not None:
        cost, keep_cols = _stability(reach, stability, cost, home, n_x, n_y)
        if stability.max_changes is not None:
            need = int((stability.previous != NEW).sum()) - stability.max_changes
            add(np.zeros(len(keep_cols), np.int64), keep_cols, np.ones(len(keep_cols)), 1,
                need, np.inf)  # fmt: skip
    rows, cidx, vals, lo, hi = (np.concatenate(parts) for parts in zip(*blocks))
    a = coo_matrix((vals, (rows, cidx)), shape=(len(lo), cols)).tocsc()
    sol = solve_mip(cost, a, lo, hi, np.zeros(cols), np.ones(cols),
                    np.ones(cols, bool), time_limit=time_limit, seed=seed,
                    gap_rel=1e-4)  # fmt: skip
    if sol.status in ("infeasible", "no solution"):
        raise ValueError(f"no assignment of pupils to stops meets the rules ({sol.status})")
    assign = np.full(n, HOME, dtype=np.int64)
    chosen = np.flatnonzero(sol.x[:n_x] > 0.5)
    assign[reach.pupil[chosen]] = reach.stop[chosen]
    return assign


def _stability(reach, stability, cost, home, n_x, n_y):
    """Reward (negative cost) for each column that keeps a pupil's previous point."""
    prev = stability.previous
    keep_pair = np.flatnonzero(prev[reach.pupil] == reach.stop)
    keep_home = np.flatnonzero(prev[home] == HOME)
    keep_cols = np.concatenate([keep_pair, n_x + n_y + keep_home])
    cost = cost.copy()
    cost[keep_cols] -= stability.penalty
    return cost, keep_cols
