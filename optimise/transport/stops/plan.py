"""Choose pick-up points for a :class:`TransportProblem` and report the walking.

The two methods share everything but the choice: :func:`choose.choose_fewest` (the
sequential baseline) and that followed by :func:`joint.improve` (the default). Measured
with ``benchmarks/bench_stops.py`` (BENCHMARKS.md, "Pick-up point consolidation and
re-planning"; 2-core machine, 2026-11-22):

* sbr1 (400 students, 80 candidate stops, 30 s per method, seed 1): sequential 338.5
  (3 stops, 17 routes, mean walk 16.1), joint 304.1 (3 stops, 16 routes, mean walk
  18.6): 10.2% shorter for 2.5 more units of walking per student.
* default data (``--time-limit 60``, seeds 1-3, routing at 1,000 iterations per
  school; load ~1): sequential £11.96m, £11.91m, £11.90m a year (227 stops, 1,352
  pupils walking, mean 1,284 m, 1,648 collected from home); joint £11.91m, £11.87m,
  £11.92m (289 stops, 1,460 walking, mean 1,312-1,321 m, 1,540 from home: more stops,
  fewer pick-up points in all): 0.2% cheaper on average, better on two seeds of three.
  The joint search is kept as the default: never worse on its own estimate, clearly
  better where routes dominate (sbr1), as good or slightly better on the county.

The route estimate prices a vehicle at the fleet's cheapest type with at least 10
seats (:class:`params.StopParams`), annualised, so a change penalty in £ weighs
against it directly. The sequential MILP counts pick-up points, not pounds; it gets
the penalty divided by the estimated annual cost of one pick-up point.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from models.transport import METRES_PER_MILE
from optimise.transport.stops.choose import HOME, Stability, choose_fewest, nearest
from optimise.transport.stops.estimate import Estimator
from optimise.transport.stops.joint import Layout, estimate, improve
from optimise.transport.stops.reach import reach, walk_limits

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from optimise.transport.stops.params import StopParams

__all__ = ["choose_stops", "estimator", "walk_report"]


def estimator(problem: TransportProblem, params: StopParams) -> tuple[Estimator, Layout]:
    """The joint search's annual route-cost estimate over the problem's locations."""
    seated = [v for v in problem.vehicles if v.seats >= 10] or list(problem.vehicles)
    vt = min(seated, key=lambda v: (v.day_rate, -v.seats))
    days = problem.policy.school_days
    est = Estimator(
        problem.drive.metres,
        params.estimate_seats or vt.seats,
        (params.estimate_day_rate or vt.day_rate) * days,
        (params.estimate_per_mile or vt.cost_per_mile) / METRES_PER_MILE * days,
    )
    layout = Layout(problem.school_location, problem.stop_location, problem.pupil_location)
    return est, layout


def choose_stops(
    problem: TransportProblem,
    params: StopParams,
    *,
    time_limit: float,
    seed: int = 0,
    stability: Stability | None = None,
) -> tuple[np.ndarray, dict[str, object]]:
    """Each pupil's stop position (or -1: home), and figures of the choice.

    ``stability.penalty`` is in £ per changed pupil.
    """
    began = time.perf_counter()
    r = reach(problem)
    est, layout = estimator(problem, params)
    milp_stab = None
    if stability is not None:
        near = nearest(r)
        points = len({(a, g) for a, g in zip(near.tolist(), r.group.tolist()) if a >= 0})
        points += int((near == HOME).sum())
        per_point = float(estimate(r, layout, est, near).sum()) / max(1, points)
        milp_stab = Stability(stability.previous, stability.penalty / per_point,
                              stability.max_changes)  # fmt: skip
    assign = choose_fewest(r, stability=milp_stab, time_limit=time_limit / 2, seed=seed)
    details: dict[str, object] = {"method": params.method}
    if params.method == "joint":
        left = max(0.0, time_limit - (time.perf_counter() - began))
        assign, found = improve(r, layout, est, assign, stability=stability,
                                time_limit=left, seed=seed, restarts=params.restarts)  # fmt: skip
        details.update({k: round(float(v), 1) for k, v in found.items()})
    details["choose_s"] = round(time.perf_counter() - began, 1)
    return assign, details


def walk_report(problem: TransportProblem, assign: np.ndarray) -> dict[str, object]:
    """Stops used and walking, every rule recomputed from the walk matrix."""
    at = np.flatnonzero(assign >= 0)
    s = assign[at]
    walk = problem.walk.metres[at, s].astype(float) if problem.walk is not None else np.zeros(0)
    broken = (
        (walk > walk_limits(problem)[at] + 0.5)
        | problem.stop_unsafe[s]
        | problem.pupil_sen[at]
        | problem.pupil_solo[at]
    )
    load = np.bincount(s, minlength=len(problem.stop_ids))
    cap = problem.stop_max_pupils
    over_cap = int(((cap > 0) & (load > cap)).sum())
    return {
        "stops_used": int(np.unique(s).size),
        "stops_candidate": len(problem.stop_ids),
        "stops_unsafe": int(problem.stop_unsafe.sum()),
        "pupils_at_stops": int(at.size),
        "pupils_at_home": int(problem.num_pupils - at.size),
        "mean_walk_m": round(float(walk.mean()), 1) if walk.size else 0.0,
        "max_walk_m": round(float(walk.max()), 1) if walk.size else 0.0,
        "walk_limit_violations": int(broken.sum()) + over_cap,
    }
