"""Lagrangian branch and bound over the warehouses of a capacitated location problem.

Each node fixes some warehouses open or shut; its bound is ``cflp_bound``'s, warm-started
from the parent's multipliers (a few dozen subgradient steps, stopped as soon as the
bound passes the incumbent). Then every free warehouse is tried both ways: a side whose
bound passes the incumbent is impossible, so the other is fixed. Branching is on the
warehouse whose weaker side is strongest (the most informative split), the cheaper side
first. A node with every warehouse fixed is priced exactly by the transportation LP.
Pruning is at a relative 1e-9 of the incumbent, so a finished search is a proof.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from optimise.location.cflp_bound import Lagrangian, lagrangian

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["branch_and_bound"]


def branch_and_bound(
    inst,
    lam: np.ndarray,
    price: Callable[[np.ndarray], float],
    incumbent: Callable[[], float],
    *,
    time_limit: float | None = None,
    node_iters: int = 40,
) -> tuple[float, int]:
    """Search all plans; ``price(mask)`` records a plan, ``incumbent()`` is the best
    cost so far. Returns the lower bound proven (the incumbent when finished) and the
    number of nodes."""
    start = time.perf_counter()
    m = inst.cost.shape[1]
    stack = [(-math.inf, lam, np.zeros(m, int))]
    nodes = 0
    while stack:
        if time_limit is not None and time.perf_counter() - start > time_limit:
            return min(incumbent(), min(s[0] for s in stack)), nodes
        parent, lam, state = stack.pop()
        cut = incumbent() * (1 - 1e-9)
        if parent > cut:
            continue
        nodes += 1
        bound = lagrangian(inst, incumbent(), lam, state=state, iters=node_iters, theta=1.0,
                           stop=cut)  # fmt: skip
        bound, sides = _fix(bound, cut)
        if bound is None:
            continue
        free = np.flatnonzero(bound.state == 0)
        if free.size == 0:
            price(bound.state == 1)
            continue
        j = free[int(np.argmax(np.minimum(sides[free, 0], sides[free, 1])))]
        children = []
        for side, value in ((1, sides[j, 0]), (-1, sides[j, 1])):
            child = bound.state.copy()
            child[j] = side
            children.append((value, bound.lam, child))
        children.sort(key=lambda c: -c[0])  # the cheaper side is popped first
        stack += children
    return incumbent(), nodes


def _fix(bound: Lagrangian, cut: float):
    """Fix warehouses by their forced bounds until none moves; (bound, sides) or None."""
    while True:
        if bound.value > cut:
            return None, None
        state = bound.state
        free = state == 0
        sides = np.full((state.size, 2), math.inf)
        for j in np.flatnonzero(free).tolist():
            sides[j] = bound.forced(j, 1), bound.forced(j, -1)
        shut, keep = free & (sides[:, 0] > cut), free & (sides[:, 1] > cut)
        if (shut & keep).any():
            return None, None
        if not (shut.any() or keep.any()):
            return bound, sides
        state = state.copy()
        state[shut], state[keep] = -1, 1
        bound = Lagrangian(bound.inst, bound.lam, state)
