"""Route mapping: the morning home-to-school run, solved school by school.

Why decompose by school, in bell order
--------------------------------------
The hard ride limit is what makes school routing different. On a route that serves one
school, arriving by the end of its window ``A``, a pupil with limit ``R`` is within it
exactly when the vehicle leaves their pick-up point no earlier than ``A − R``: a plain
time window, which PyVRP handles natively and exactly (see :mod:`._school`). A route
serving two schools breaks that equivalence (the arrival that matters differs per
pupil), so each school becomes one PyVRP problem: heterogeneous fleet (one vehicle type
per fleet row and base, start at the base, end at the school), seats, wheelchair spaces,
assistant and no-share load dimensions, windows for the ride limits. Schools are solved
in order of their arrival deadline; a vehicle that has delivered to an early-bell school
is offered to later ones (multi-trip, day rate paid once) from that school and time.
Fleet counts carry from school to school, so no fleet row is over-used.

Vehicle types a pupil may not use (``excluded_vehicles``) are one more load dimension
per excluded fleet row, with capacity 0 in that row's vehicles: exact, like the others.

Multi-school runs: after every school is planned, :mod:`.merge` joins pairs of
routes of two schools into one route (where both schools allow it and they are not a
``never_share`` pair) or chains them in one vehicle (A's pupils → school A → B's
pick-ups → school B, for bells too close for the solver's own second trips), when
the result, rebuilt and checked by :mod:`.schedule`, costs less. This keeps the
exactness of the per-school model and never returns a join that breaks a limit.
On the default data few pass: the per-school routes use most of each pupil's
45-minute (primary) limit, so one school's pupils riding on through the other school
rarely fit, and a vehicle leaving school A rarely reaches B's pick-ups in time.
Measured (``benchmarks/bench_routing.py --only multischool --transport-time-limit 60
--seed 2026``, load 3.2-4.4 on 2 cores): applied to a 358-route per-school plan the
step made 1 join and 0 chains in 1.3 s, saving £155 a day (£29,498 a year) and one
vehicle; the afternoon run made 3 joins. A joint model (OR-Tools pickup and delivery
over two schools) was not built: the candidates fail on the ride limits and the
clock, not for want of search.

The afternoon run (:mod:`.afternoon`) is this same solve on the mirrored problem.

Solo pupils get a route of their own, built directly: base → home → school with the
cheapest vehicle that fits (a wheelchair space if they need one), which is optimal for
them. A pupil whose direct drive exceeds their limit, or whom no vehicle left can carry,
is listed with the reason and the best ride any vehicle could give.

Why PyVRP rather than OR-Tools
------------------------------
Measured with ``benchmarks/bench_routing.py --time-limit 30`` (BENCHMARKS.md, same
script, same machine): mean gap to the best known solutions on the 12 CVRPLIB X
instances 0.51% with this engine's PyVRP back end against 5.80% for OR-Tools routing
with guided local search, and on the 6 Solomon instances 0.15% against 4.25%. Every
part of the per-school problem maps onto PyVRP's model (multi-depot heterogeneous
fleet, multi-dimensional load, time windows, optional clients with prizes), so OR-Tools'
extra modelling freedom (pickup-and-delivery pairs, arbitrary dimensions) is not needed
until routes may serve several schools; then the choice should be measured again.

Determinism: the same problem, parameters and seed give the same plan when the search
stops on ``RoutingParams.max_iterations`` before the time limit; a pure time limit stops
after however many iterations the machine managed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from models.transport_result import TransportResult, UnservedPupil
from optimise.transport.routing._school import Option, Search, solve_school
from optimise.transport.routing.merge import merge_schools
from optimise.transport.routing.params import RoutingParams
from optimise.transport.routing.pool import default_workers
from optimise.transport.routing.schedule import (
    arrival_window,
    build_route,
    drop_seconds,
    dwell_seconds,
    rides_array,
)

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from optimise.transport.routing.schedule import RouteCheck

__all__ = ["plan_routes", "raise_limits", "solve"]

log = logging.getLogger(__name__)

#: Earlier-trip vehicles offered to a later school: the nearest this many.
_REUSE_OFFER = 40


def solve(
    problem: TransportProblem,
    *,
    params: RoutingParams | None = None,
    time_limit: float = 60.0,
    seed: int = 0,
    deadline: float | None = None,
    workers: int | None = None,
) -> TransportResult:
    """Plan the morning routes; see :func:`plan_routes` for the parameters.

    With ``params.planner == "county"`` (the default) the plan is made for the whole
    county at once (:mod:`.county`: a pool of routes per school on ``workers``
    processes, one per core by default, then one MILP); ``"greedy"`` plans school by
    school in bell order.

    The council must carry every eligible pupil: one whose direct drive from pick-up
    to school is already longer than their ride limit is planned with the limit raised
    to that direct drive (so they ride no longer than the shortest possible ride:
    nobody is picked up after them at a cost to their ride), and flagged in the
    result's ``details["ride_limit_exceeded_unavoidably"]`` (pupil, direct ride,
    limit) rather than left at home.
    """
    raised, beyond = raise_limits(problem)
    params = params or RoutingParams()
    if params.planner == "county":
        # county imports this module (for its school groups and limits): a true cycle
        from optimise.transport.routing.county import plan_county

        result = plan_county(raised, params, time_limit=time_limit, seed=seed,
                             deadline=deadline,
                             workers=workers or params.workers or default_workers())  # fmt: skip
    else:
        result = plan_routes(raised, params=params, time_limit=time_limit, seed=seed,
                             deadline=deadline)  # fmt: skip
    served = result.ride_s
    flagged = [{"pupil": p, "direct_ride_s": best, "limit_s": limit}
               for p, best, limit in beyond if served[p] >= 0]  # fmt: skip
    return replace(result, details={**result.details,
                                    "ride_limit_exceeded_unavoidably": flagged})  # fmt: skip


def raise_limits(problem: TransportProblem) -> tuple[TransportProblem, list[tuple[int, int, int]]]:
    """``problem`` with each pupil's ride limit raised to their direct drive from
    pick-up to school where that is longer, and those pupils: (pupil, direct, limit)."""
    beyond = [(p, best, int(problem.pupil_max_ride_s[p]))
              for p in range(problem.num_pupils)
              if (best := _best_ride(problem, p)) > problem.pupil_max_ride_s[p]]  # fmt: skip
    if not beyond:
        return problem, []
    limits = np.array(problem.pupil_max_ride_s, dtype=np.int64)
    for p, best, _ in beyond:
        limits[p] = best
    limits.setflags(write=False)
    return problem.replace(pupil_max_ride_s=limits), beyond


def plan_routes(
    problem: TransportProblem,
    *,
    params: RoutingParams | None = None,
    time_limit: float = 60.0,
    seed: int = 0,
    deadline: float | None = None,
) -> TransportResult:
    """Plan the morning routes within each pupil's ride limit.

    Parameters
    ----------
    problem
        Pupils, schools, fleet and travel times.
    params
        Solver settings (defaults if omitted).
    time_limit
        Seconds for the whole plan, shared between schools by their number of stops.
    seed
        Seed of the search.
    deadline
        A :func:`time.monotonic` value by which the plan ends, when sooner than
        ``time_limit`` from now: a command passes its start plus its ``--time-limit``
        (less what it keeps for writing), so that reading and building count too.

    Returns
    -------
    TransportResult
        Routes with no violation; pupils that cannot be carried are in ``unserved``.
    """
    params = params or RoutingParams()
    started = time.perf_counter()
    time_limit = _seconds_left(time_limit, deadline)
    deadline = started + time_limit
    # The multi-school joins run after every school is planned: keep them 5% of the time.
    solve_by = deadline - (0.05 * time_limit if params.multi_school else 0.0)
    unserved = _hopeless(problem)
    out = {u.pupil for u in unserved}
    remaining = [v.available for v in problem.vehicles]
    free: list[dict] = []  # vehicles after a trip: unit, vehicle, location, time, assistant
    checks: list[RouteCheck] = []
    schools = sorted(
        range(len(problem.school_ids)), key=lambda s: (arrival_window(problem, s)[1], s)
    )
    groups_of = {s: _groups(problem, s, out, params) for s in schools}
    left = sum(len(g) for _, g in groups_of.values()) or 1
    schools_left = sum(bool(g) for _, g in groups_of.values())
    overhead = 0.05  # seconds a school takes beyond its search time; learnt as we go
    stats = {"time_limited": 0}
    for s in schools:
        solo, groups = groups_of[s]
        if not solo and not groups:
            continue
        for p in solo:
            check = _solo_route(problem, p, s, remaining, free, f"R{len(checks) + 1:04d}", params)
            if check is None:
                unserved.append(_unserved(problem, p, "no vehicle left that can carry them alone"))
            else:
                checks.append(check)
        if not groups:
            continue
        # Share what is left by stops still to plan, after the overheads (building the
        # data, PyVRP's first local search) that the schools still to plan will take.
        spare = solve_by - time.perf_counter() - overhead * schools_left
        budget = 0.95 * max(0.0, spare) * len(groups) / left
        left -= len(groups)
        schools_left -= 1
        began = time.perf_counter()
        missing = list(range(len(groups)))
        for hired in (False, True):  # the fleet first; spot hire for what it cannot carry
            todo = [groups[g] for g in missing]
            options = _options(problem, s, remaining, [] if hired else free, params, hired)
            if not todo or not options:
                continue
            search = Search(
                time_limit=budget if not hired else budget / 4,
                max_iterations=params.max_iterations, seed=seed,
                prize_gbp=params.unserved_prize_gbp, arrive_by=_arrive_by(problem, s, params),
                vehicle_premium_gbp=params.vehicle_premium_gbp,
            )  # fmt: skip
            routes, unplaced = solve_school(problem, s, todo, options, search, stats=stats)
            for oi, _assistant, order in routes:
                stops = [todo[g] for g in order]
                rid, arrive = f"R{len(checks) + 1:04d}", _arrive_by(problem, s, params)
                check = _commit(problem, options[oi], stops, remaining, free, rid, arrive)
                checks.append(check)
            missing = [missing[g] for g in unplaced]
        overhead = max(overhead, time.perf_counter() - began - budget)
        for g in missing:
            for p in groups[g][1]:
                unserved.append(_unserved(problem, p, _why_missing(problem, p)))
    joins = {"joins": 0, "chains": 0}
    if params.multi_school:
        checks, joins = merge_schools(
            problem, checks, max_gap_min=params.merge_gap_min,
            max_drive_min=params.merge_drive_min, deadline=deadline,
        )  # fmt: skip
    bad = [v for c in checks for v in c.violations]
    if bad:  # the schedule check disagrees with the search: a bug, never returned as a plan
        log.error("solver plan breaks %d constraint(s), e.g. %s", len(bad), bad[0])
        for c in (c for c in checks if c.violations):
            unserved += [_unserved(problem, p, "left out: the plan's check failed (a bug)")
                         for p in c.route.pupils]  # fmt: skip
        checks = [c for c in checks if not c.violations]
    return plan_result(
        problem,
        checks,
        unserved,
        started=started,
        seed=seed,
        method="pyvrp per school, bell order"
        + (", multi-trip" if params.multi_trip else "")
        + (", multi-school joins" if params.multi_school else ""),
        details={
            "multi_school_joins": joins["joins"],
            "chained_pairs": joins["chains"],
            # 0: every school's search stopped on max_iterations, so the plan repeats
            # exactly for the same inputs and seed on any machine.
            "searches_stopped_by_time_limit": stats["time_limited"],
            **_hire(problem, [c.route for c in checks]),
        },
    )


def plan_result(
    problem: TransportProblem,
    checks: list[RouteCheck],
    unserved: list,
    *,
    started: float,
    seed: int,
    method: str,
    details: dict,
) -> TransportResult:
    """A planner's checked routes as the result every caller reads (runtime from
    ``started``, a :func:`time.perf_counter` value)."""
    return TransportResult(
        routes=tuple(c.route for c in checks),
        unserved=tuple(sorted(unserved, key=lambda u: u.pupil)),
        ride_s=rides_array(problem, checks),
        ride_limit_violations=sum(len(c.over_limit) for c in checks),
        school_days=problem.policy.school_days,
        runtime_s=round(time.perf_counter() - started, 2),
        seed=seed,
        method=method,
        details=details,
    )


def _hire(problem: TransportProblem, routes: list) -> dict[str, object]:
    """The spot-hired vehicles the plan needs, by type, and their cost a day."""
    hired = [r for r in routes if problem.vehicles[r.vehicle].hired]
    units: dict[str, set[str]] = {}
    for r in hired:
        units.setdefault(problem.vehicles[r.vehicle].id, set()).add(r.unit)
    return {"vehicles_to_procure": {k: len(v) for k, v in sorted(units.items())},
            "spot_hire_daily_gbp": round(sum(r.daily_cost for r in hired), 2)}  # fmt: skip


def _seconds_left(time_limit: float, deadline: float | None) -> float:
    """``time_limit``, or less when ``deadline`` (monotonic) comes sooner (never < 0)."""
    if deadline is None:
        return time_limit
    return max(0.0, min(time_limit, deadline - time.monotonic()))


def _arrive_by(problem: TransportProblem, s: int, params: RoutingParams) -> int:
    """When routes arrive at school s (seconds after midnight): see
    ``RoutingParams.chain_gap_min``."""
    early, late = arrival_window(problem, s)
    if not params.multi_trip:
        return late
    later = problem.bell_min >= problem.bell_min[s] + params.chain_gap_min
    return early if later.any() else late


def _best_ride(problem: TransportProblem, p: int, where: np.ndarray | None = None) -> int:
    """Pupil p's direct drive from their pick-up (``where``: every pupil's, when known)
    to their school, s."""
    pick = int((problem.pickup_location() if where is None else where)[p])
    return int(problem.drive.seconds[pick, problem.school_location[problem.pupil_school[p]]])


def _unserved(problem: TransportProblem, p: int, reason: str) -> UnservedPupil:
    return UnservedPupil(p, reason, _best_ride(problem, p), int(problem.pupil_max_ride_s[p]))


def _hopeless(problem: TransportProblem) -> list[UnservedPupil]:
    """Pupils no plan can carry: direct drive over the limit, or no vehicle fits them."""
    out = []
    where = problem.pickup_location()
    for p in range(problem.num_pupils):
        best, limit = _best_ride(problem, p, where), int(problem.pupil_max_ride_s[p])
        fits = [
            v for v, vt in enumerate(problem.vehicles)
            if vt.available > 0 and not problem.excluded(p, v)
            and (vt.wheelchair_spaces > 0 or not problem.pupil_wheelchair[p])
        ]  # fmt: skip
        if best > limit:
            out.append(_unserved(problem, p, (
                f"the direct drive between home and school ({best / 60:.1f} min) exceeds "
                f"the ride limit ({limit / 60:.0f} min)")))  # fmt: skip
        elif not fits:
            what = "wheelchair-accessible vehicle" if problem.pupil_wheelchair[p] else "vehicle"
            but = " they may use" if problem.pupil_excluded is not None else ""
            out.append(_unserved(problem, p, f"the fleet has no {what}{but}"))
    return out


def _why_missing(problem: TransportProblem, p: int) -> str:
    what = "wheelchair-accessible vehicle" if problem.pupil_wheelchair[p] else "vehicle"
    but = " of a type they may use" if problem.pupil_excluded is not None and (
        problem.pupil_excluded[p].any()) else ""  # fmt: skip
    return f"no {what}{but} left that can reach them within the ride limit"


def _groups(problem, s, out, params):
    """Solo pupils, and pick-up groups (same place, split to the group size) of school s."""
    pupils = [int(p) for p in np.flatnonzero(problem.pupil_school == s) if int(p) not in out]
    solo = [p for p in pupils if problem.pupil_solo[p]]
    apart = {p for pair in problem.no_share for p in pair}
    where = problem.pickup_location()
    by_place: dict[int, list[int]] = {}
    groups: list[tuple[int, tuple[int, ...]]] = []
    for p in pupils:
        if problem.pupil_solo[p]:
            continue
        if p in apart or where[p] == problem.pupil_location[p]:
            groups.append((int(where[p]), (p,)))
        else:
            by_place.setdefault(int(where[p]), []).append(p)
    for loc, ps in sorted(by_place.items()):
        for i in range(0, len(ps), params.stop_group_size):
            groups.append((loc, tuple(ps[i : i + params.stop_group_size])))
    return solo, groups


def _options(problem, s, remaining, free, params, hired=False) -> list[Option]:
    """The fleet's vehicles left (or, with ``hired``, the spot-hire rows) and the
    earlier trips' vehicles that can reach school s in time."""
    opts = [
        Option(v, problem.vehicles[v].base, 0, n, True, key=("fleet", v))
        for v, n in enumerate(remaining)
        if n > 0 and problem.vehicles[v].hired == hired
    ]
    if params.multi_trip and free:
        school_loc = int(problem.school_location[s])
        arrive = _arrive_by(problem, s, params)
        secs = problem.drive.seconds
        usable = [f for f in free if f["time"] + int(secs[f["loc"], school_loc]) < arrive]
        usable.sort(key=lambda f: (int(secs[f["loc"], school_loc]), f["unit"]))
        opts += [
            Option(f["vehicle"], f["loc"], f["time"], 1, False, f["assistant"], key=f["unit"])
            for f in usable[:_REUSE_OFFER]
        ]
    return opts


def _commit(problem, opt, stops, remaining, free, route_id, arrive_by) -> RouteCheck:
    """Build the route and book its vehicle: a fresh one, or an earlier trip's."""
    if opt.day_rate_due:
        remaining[opt.vehicle] -= 1
        unit, start = route_id, None
    else:
        unit, start = opt.key, opt.start_location
        free[:] = [f for f in free if f["unit"] != unit]
    check = build_route(
        problem, route_id, opt.vehicle, stops, start_location=start,
        day_rate_due=opt.day_rate_due, assistant_paid=opt.assistant_paid, unit=unit,
        arrive_by=arrive_by,
    )  # fmt: skip
    drop = drop_seconds(problem, len(check.route.pupils))
    school = int(problem.school_location[check.route.schools[-1]])
    free.append({
        "unit": unit, "vehicle": opt.vehicle, "loc": school,
        "time": arrive_by + drop, "assistant": check.route.assistant or opt.assistant_paid,
    })  # fmt: skip
    return check


def _solo_route(problem, p, s, remaining, free, route_id, params) -> RouteCheck | None:
    """The cheapest vehicle that can take pupil p alone (fresh, or after an earlier trip);
    a spot-hired one when no vehicle of the fleet can."""
    own = _solo_on(problem, p, s, remaining, free, route_id, params, hired=False)
    if own is not None:
        return own
    return _solo_on(problem, p, s, remaining, [], route_id, params, hired=True)


def _solo_on(problem, p, s, remaining, free, route_id, params, hired) -> RouteCheck | None:
    secs, metres = problem.drive.seconds, problem.drive.metres
    home, school = int(problem.pickup_location()[p]), int(problem.school_location[s])
    need_chair = bool(problem.pupil_wheelchair[p])
    arrive = _arrive_by(problem, s, params)
    leave_home = arrive - int(secs[home, school]) - dwell_seconds(problem, 1)
    candidates = []
    for opt in _options(problem, s, remaining, free if params.multi_trip else [], params, hired):
        vt = problem.vehicles[opt.vehicle]
        if (vt.wheelchair_spaces if need_chair else vt.seats) < 1 or problem.excluded(
            p, opt.vehicle
        ):
            continue
        if opt.earliest_s + int(secs[opt.start_location, home]) > leave_home:
            continue
        m = int(metres[opt.start_location, home]) + int(metres[home, school])
        cost = vt.daily_cost(m) - (0 if opt.day_rate_due else vt.day_rate)
        if problem.pupil_assistant[p] and not opt.assistant_paid:
            cost += problem.policy.assistant_day_rate
        candidates.append((cost, opt.vehicle, str(opt.key), opt))
    if not candidates:
        return None
    opt = min(candidates, key=lambda c: c[:3])[3]
    # A solo pupil's vehicle may run a later trip, but never with them aboard.
    return _commit(problem, opt, [(home, (p,))], remaining, free, route_id, arrive)
