"""Pricing a pupil's seat: a route's cost with and without them, and plans without pupils.

A vehicle's morning (its *unit*: one trip, or several chained across bell times) is
rebuilt with :func:`~optimise.transport.routing.schedule.build_route`, exactly as the solver
and the plan evaluator build routes, so the prices compare like with like: each trip
starts where the previous one ended (at its school), the day rate is paid on the first
trip that still carries someone, a passenger assistant once per vehicle, and each trip
arrives at its last school when it did in the plan (removing a pupil only shortens a
trip, so that arrival stays reachable and no chained trip starts before its vehicle is
free).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from models.transport_result import TransportResult
from optimise.transport.routing.schedule import build_route, rides_array

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from models.transport import TransportProblem
    from models.transport_result import RouteResult
    from optimise.transport.routing.schedule import RouteCheck

__all__ = ["drop_pupils", "marginal_costs", "strip", "unit_cost", "units_by_pupil"]


def drop_pupils(
    problem: TransportProblem, drop: Collection[int]
) -> tuple[TransportProblem, np.ndarray]:
    """The problem without the pupils at positions ``drop``, and the kept positions.

    Every per-pupil field (``pupil_*`` arrays, ``walk`` rows, ``no_share`` pairs) is
    cut to the kept pupils; locations and the drive matrix stay as they are.
    """
    keep = np.setdiff1d(np.arange(problem.num_pupils), np.fromiter(drop, int, len(drop)))
    new_at = {int(p): i for i, p in enumerate(keep)}
    changes: dict[str, object] = {}
    for f in dataclasses.fields(problem):
        value = getattr(problem, f.name)
        if f.name.startswith("pupil_") and isinstance(value, np.ndarray):
            cut = value[keep]
            cut.setflags(write=False)
            changes[f.name] = cut
    changes["pupil_ids"] = ids = tuple(problem.pupil_ids[p] for p in keep)
    changes["no_share"] = tuple(
        (new_at[a], new_at[b]) for a, b in problem.no_share if a in new_at and b in new_at
    )
    if problem.walk is not None:
        changes["walk"] = problem.walk.subset(ids, problem.walk.destinations)
    return problem.replace(**changes), keep


def _units(result: TransportResult) -> list[list[RouteResult]]:
    """Routes grouped by the vehicle running them, each group in the order driven."""
    by: dict[str, list[RouteResult]] = {}
    for r in result.routes:
        by.setdefault(r.unit or r.id, []).append(r)
    return [sorted(trips, key=lambda r: (r.start_s, r.id)) for _, trips in sorted(by.items())]


def _rebuild(
    problem: TransportProblem,
    trips: list[RouteResult],
    drop: Collection[int] = (),
    renumber: Mapping[int, int] | None = None,
    target: TransportProblem | None = None,
) -> list[RouteCheck]:
    """A unit's trips rebuilt without ``drop``; on ``target`` with pupils renumbered."""
    target = target or problem
    out: list[RouteCheck] = []
    start = None
    for trip in trips:
        stops = []
        for v in trip.visits:
            kept = [p for p in v.pupils if p not in drop]
            if v.school < 0 and kept:
                ids = tuple(renumber[p] for p in kept) if renumber is not None else tuple(kept)
                stops.append((v.location, ids))
        if stops:
            check = build_route(
                target, trip.id, trip.vehicle, stops, start_location=start,
                day_rate_due=not out, assistant_paid=any(c.route.assistant for c in out),
                unit=out[0].route.id if out else trip.id,
                arrive_by=trip.visits[-1].arrive_s,
            )  # fmt: skip
            out.append(check)
            start = int(target.school_location[check.route.schools[-1]])
        # An emptied trip is gone: the next one starts where the last kept one ended.
    return out


def units_by_pupil(result: TransportResult) -> dict[int, list[RouteResult]]:
    """Each carried pupil → the trips of the vehicle carrying them, in the order driven."""
    return {p: trips for trips in _units(result) for trip in trips for p in trip.pupils}


def unit_cost(
    problem: TransportProblem, trips: list[RouteResult], drop: Collection[int] = ()
) -> float:
    """A vehicle's daily cost for its trips rebuilt without the pupils ``drop``."""
    return sum(c.route.daily_cost for c in _rebuild(problem, trips, drop))


def marginal_costs(problem: TransportProblem, result: TransportResult) -> dict[int, float]:
    """Each carried pupil's daily marginal cost: their vehicle's cost with − without them."""
    out: dict[int, float] = {}
    for trips in _units(result):
        full = unit_cost(problem, trips)
        for trip in trips:
            for p in trip.pupils:
                out[p] = full - unit_cost(problem, trips, {p})
    return out


def strip(
    problem: TransportProblem, result: TransportResult, drop: Collection[int]
) -> tuple[TransportProblem, TransportResult, np.ndarray]:
    """The plan with the pupils ``drop`` taken off their routes, on the reduced problem.

    Returns the reduced problem, the plan on it (routes rebuilt, emptied trips gone)
    and the kept positions (reduced position → position in ``problem``).
    """
    reduced, keep = drop_pupils(problem, drop)
    renumber = {int(p): i for i, p in enumerate(keep)}
    checks = [c for trips in _units(result) for c in _rebuild(problem, trips, set(drop),
                                                                renumber, reduced)]  # fmt: skip
    checks.sort(key=lambda c: c.route.id)
    unserved = tuple(
        dataclasses.replace(u, pupil=renumber[u.pupil]) for u in result.unserved
        if u.pupil in renumber
    )  # fmt: skip
    plan = TransportResult(
        routes=tuple(c.route for c in checks),
        unserved=tuple(sorted(unserved, key=lambda u: u.pupil)),
        ride_s=rides_array(reduced, checks),
        violations=tuple(v for c in checks for v in c.violations),
        ride_limit_violations=sum(len(c.over_limit) for c in checks),
        school_days=result.school_days,
        seed=result.seed,
        method=result.method + "; pupils moved to other modes taken off",
    )
    return reduced, plan, keep
