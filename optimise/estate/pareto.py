"""Pareto front of annualised saving against access, by epsilon constraints.

Two measures of access, each the epsilon of a constraint while the saving is maximised:

* ``"limit"`` (default, fast): the travel limit every resident keeps for each service
  they reach within it today; the front runs over limits from half to twice the
  configured one;
* ``"population"``: residents who lose, within the configured limit, a service they
  reach today; from nobody to the largest saving with coverage ignored. Slower (a
  knapsack over zones): each point stops at a 0.1% gap.

Dominated points are dropped.

With a ``deadline`` the points are traced coarse to fine (both ends of the range, then
midpoints) and the tracing stops when the deadline passes: a front cut short still
spans its range, and ``stats["traced"]`` says how many points were solved.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from optimise.estate.prepare import prepare
from optimise.estate.solve import solve

if TYPE_CHECKING:
    from models.estate import EstateProblem
    from optimise.estate.params import EstateParams

__all__ = ["MAX_POINTS", "MIN_SOLVE_S", "pareto_front", "solve_limit"]

#: The most points ``--pareto`` may ask for: the front rarely has more than a few dozen
#: distinct plans, and each point is a solve.
MAX_POINTS = 1000

#: No solve is started with less time than this left before the deadline.
MIN_SOLVE_S = 0.2

_COLUMNS = (
    "population_beyond_limit",
    "over65_beyond_limit",
    "annual_saving_gbp",
    "annualised_benefit_gbp",
    "capital_receipts_gbp",
    "backlog_avoided_gbp",
    "mean_travel_minutes",
)


def pareto_front(
    problem: EstateProblem,
    params: EstateParams,
    points: int,
    *,
    measure: str = "limit",
    time_limit: float | None = None,
    seed: int = 0,
    deadline: float | None = None,
    stats: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Up to ``points`` non-dominated plans, best access first.

    ``time_limit`` caps each solve; ``deadline`` (a :func:`time.monotonic` value) ends
    the tracing: each solve gets an even share of the time left, and none starts within
    :data:`MIN_SOLVE_S` of it. ``stats["traced"]`` (when given) is set to the number of
    points solved. Each row holds ``epsilon`` (minutes or residents), the plan's
    figures, ``sites_disposed``, ``optimal`` and ``gap``.
    """
    stats = {} if stats is None else stats
    stats["traced"] = 0
    if points < 1:
        return []
    if measure == "limit":
        return _by_limit(problem, params, points, (time_limit, deadline), seed, stats)
    if measure != "population":
        raise ValueError(f"measure must be 'limit' or 'population'; found {measure!r}")
    return _by_population(problem, params, points, (time_limit, deadline), seed, stats)


#: (time_limit, deadline) of :func:`pareto_front`, passed on to :func:`solve_limit`
_Limits = tuple[float | None, float | None]


def solve_limit(time_limit: float | None, deadline: float | None, solves: int) -> float | None:
    """Seconds for the next of ``solves`` solves: an even share of the time to
    ``deadline`` (at least :data:`MIN_SOLVE_S`, at most ``time_limit``); 0.0 when less
    than that is left; ``time_limit`` when there is no deadline."""
    if deadline is None:
        return time_limit
    left = deadline - time.monotonic()
    if left < MIN_SOLVE_S:
        return 0.0
    share = max(MIN_SOLVE_S, left / max(solves, 1))
    return share if time_limit is None else min(share, time_limit)


def _by_population(problem, params, points, limits: _Limits, seed, stats) -> list[dict[str, Any]]:
    params = params.with_(gap=max(params.gap, 1e-3))
    total = int(problem.population.sum())
    widest = params.with_(max_population_beyond=total)
    first = solve_limit(*limits, points)
    if first == 0.0:
        return []
    loosest = solve(problem, params=widest, time_limit=first, seed=seed,
                    prepared=prepare(problem, widest))  # fmt: skip
    stats["traced"] = 1
    if not loosest.feasible:
        return []
    most = int(loosest.figures["population_beyond_limit"])
    levels = sorted({round(float(x)) for x in np.linspace(0, most, points)})
    rows = [_row(most, loosest)]
    todo = [levels[i] for i in _spread(len(levels)) if levels[i] != most]
    for n, eps in enumerate(todo):
        limit = solve_limit(*limits, len(todo) - n)
        if limit == 0.0:
            break
        p = params.with_(max_population_beyond=eps)
        result = solve(problem, params=p, time_limit=limit, seed=seed,
                       prepared=prepare(problem, p))  # fmt: skip
        stats["traced"] += 1
        if result.feasible:
            rows.append(_row(eps, result))
    return _non_dominated(rows, "population_beyond_limit")


def _by_limit(problem, params, points, limits: _Limits, seed, stats) -> list[dict[str, Any]]:
    base = params.max_travel_minutes
    levels = np.linspace(base / 2, base * 2, points) if points > 1 else [base]
    rows = []
    order = _spread(len(levels))
    for n, i in enumerate(order):
        limit = solve_limit(*limits, len(order) - n)
        if limit == 0.0:
            break
        scale = float(levels[i]) / base
        p = params.with_(
            max_travel_minutes=round(float(levels[i]), 2),
            travel_minutes={k: v * scale for k, v in params.travel_minutes.items()},
        )
        result = solve(problem, params=p, time_limit=limit, seed=seed)
        stats["traced"] += 1
        if result.feasible:
            rows.append(_row(round(float(levels[i]), 2), result))
    return _non_dominated(rows, "epsilon")


def _spread(n: int) -> list[int]:
    """``range(n)`` coarse to fine: both ends, then midpoints of the gaps, level by level."""
    order = list(dict.fromkeys([0, n - 1])) if n > 0 else []
    spans = [(0, n - 1)]
    while spans:
        lo, hi = spans.pop(0)
        mid = (lo + hi) // 2
        if lo < mid < hi:
            order.append(mid)
            spans += [(lo, mid), (mid, hi)]
    return order


def _row(eps: float, result: Any) -> dict[str, Any]:
    return {
        "epsilon": eps,
        **{c: result.figures[c] for c in _COLUMNS},
        "sites_disposed": len(result.disposed),
        "optimal": result.optimal,
        "gap": result.gap,
    }


def _non_dominated(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    rows = sorted(rows, key=lambda r: (r[key], -r["annualised_benefit_gbp"]))
    out: list[dict[str, Any]] = []
    for r in rows:
        if not out or r["annualised_benefit_gbp"] > out[-1]["annualised_benefit_gbp"]:
            out.append(r)
    return out
