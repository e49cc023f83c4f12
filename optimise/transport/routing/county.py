"""The county planner: a pool of routes per school, then one MILP for the whole county.

The greedy planner (:func:`.solve.plan_routes`) routes one school at a time in bell
order and hands the fleet out as it goes, so the schools planned last get what is
left. Here every school is routed independently, several times, and the choice of
routes and vehicles is made once for all of them:

1. **Items.** A school's pupils become pick-up groups (one place, at most
   ``stop_group_size`` pupils; a pupil who must travel alone or apart from another is a
   group of one), exactly as the greedy planner groups them.
2. **The greedy plan** (:func:`.solve.plan_routes`; it stops as soon as every school's
   search reaches its iteration count): its routes, joined two-school runs included,
   go into the pool and its vehicles are the MILP's start, so the MILP begins from the
   plan the school-by-school order makes and can only improve on it (in the MILP's
   costs). It is one task of the generation pool: it runs on one core while the
   searches run on the others (and on its core once it is done).
3. **Generation** (:func:`_generate`, spread over the cores by :mod:`.pool`; the
   greedy plan and every search end by ``RoutingParams.generation_share`` of the time
   (80%); a search not started by then is left out): for each school, one PyVRP search
   (:mod:`._school`) per setting (:func:`settings`, from ``RoutingParams.ride_caps``):
   arriving at the end of the school's window or at its start (a vehicle free early can
   run a later school's route), and with the ride limit tightened (shorter routes chain
   more easily). Every fleet row is offered at its full count and every spot-hire row
   without limit: each search plans its school as if it had the fleet to itself.
4. **Candidates** (:func:`_candidates`): each route found, on its own vehicle row and
   on the nearest base's row of every other vehicle type that can carry its pupils
   (seats, wheelchair spaces, exclusions: rebuilt and checked by :mod:`.schedule`), and
   each group alone on the cheapest spot-hire vehicle that fits (so the MILP can
   always carry everyone). Costs split into the day's start (day rate and the drive
   from the base; nothing when the fleet has no bases) and the route's own loaded miles
   and passenger assistant. A second start is built from the searches (per school the
   cheapest search's routes, chained first-fit in time); the cheaper start is given.
5. **Master** (:mod:`.master`): choose routes that carry every group once and chain
   them into vehicles (a vehicle free at school A after its drop-off runs route B when
   it reaches B's first pick-up by the time B leaves it; no chains without
   ``multi_trip``), within each fleet row's count, at the least day rates and mileage.
   Spot hire costs ``spot_hire_premium`` × the day rate, so it is used only where the
   fleet cannot do the work. The remaining time, less 5% kept for the multi-school
   joins (:mod:`.merge`) and writing; with less than ``MIN_MASTER_S`` left the greedy
   plan is the plan (``county_step`` says so).

Vehicles free at a school are grouped by the five minutes after their drop-off (the
time rounded up, so a link is never more generous than the real schedule;
``RoutingParams.free_bucket_s``). A route
that follows another on the same vehicle pays its assistant again in the MILP's cost
(the reported cost, rebuilt from the chains, pays one assistant per vehicle and day),
so the MILP's cost is an upper bound of the plan's. The chains are rebuilt route by
route by :func:`.schedule.build_route` and the vehicle's arrival at each next route is
checked again: the MILP's own bookkeeping is never trusted.

Determinism: the searches stop on ``RoutingParams.max_iterations`` (their time limit is
a safety net, counted in ``searches_stopped_by_time_limit``), each with its own seed
derived from the run's seed, school and setting, so the pool is the same on any number
of workers. The MILP is deterministic for a given pool and stops once its plan is
proven within ``RoutingParams.master_gap`` of the pool's best (1%): a stop that
repeats anywhere, where a stop on the clock may differ on a faster or busier machine.
The summary's ``repeatable`` is true only when no search was cut short and the MILP
reached that proof (``master_status`` "optimal", ``master_gap``). HiGHS runs in a child
process killed at its time limit (:mod:`.master`), which it does not always keep.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from models.transport import METRES_PER_MILE
from optimise.transport.routing._school import Option, Search, solve_school
from optimise.transport.routing.master import Candidate, Links, select_and_chain
from optimise.transport.routing.merge import merge_schools
from optimise.transport.routing.pool import run_tasks
from optimise.transport.routing.schedule import arrival_window, build_route, free_at
from optimise.transport.routing.solve import (
    _groups,
    _hire,
    _hopeless,
    _seconds_left,
    _unserved,
    plan_result,
    plan_routes,
)

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from models.transport_result import TransportResult
    from optimise.transport.routing.params import RoutingParams
    from optimise.transport.routing.schedule import RouteCheck

__all__ = ["plan_county", "settings"]

log = logging.getLogger(__name__)

#: Added to a spot-hired vehicle's cost in the MILP only (never reported): hire is for
#: what the fleet cannot do, not for a saving on a dearer vehicle of the fleet.
HIRE_PENALTY_GBP = 1_000.0
#: Below this many seconds left for it, the MILP is not run: the greedy plan is the plan.
MIN_MASTER_S = 2.0


@dataclass(frozen=True)
class _Route:
    """One candidate: pick-up groups in order, on a fleet row, arriving then."""

    row: int  # the type's row with the base nearest the first pick-up
    klass: int  # vehicle class: a vehicle type, own or spot hire
    items: tuple[int, ...]
    arrive_by: int
    check: RouteCheck
    first_loc: int
    leave_first_s: int  # when the vehicle must be at the first pick-up
    school_loc: int
    free_s: int  # the vehicle is free at the school then (rounded up)


@dataclass(frozen=True)
class _Pool:
    """The MILP's input: candidate routes, their costs and links, the class limits, and
    the two starts (the greedy plan's vehicles; a plan built from the searches)."""

    routes: list[_Route]
    cands: list[Candidate]
    links: Links
    limits: list[float]
    classes: dict[tuple, list[int]]
    start: list[list[int]] | None
    time_limited: int
    greedy_s: float  # how long the greedy plan took


def plan_county(
    problem: TransportProblem,
    params: RoutingParams,
    *,
    time_limit: float,
    seed: int,
    deadline: float | None = None,
    workers: int = 1,
) -> TransportResult:
    """Plan the morning routes for the whole county at once (see the module's text)."""
    started, began = time.perf_counter(), time.monotonic()
    time_limit = _seconds_left(time_limit, deadline)
    unserved = _hopeless(problem)
    items = _items(problem, {u.pupil for u in unserved}, params)
    until = began + params.generation_share * time_limit
    greedy, pool = _pool(problem, items, params, (seed, workers, until))
    generated_s = time.perf_counter() - started
    left = time_limit - generated_s - 1.0 - 0.05 * time_limit
    if left < MIN_MASTER_S:
        why = (f"not run: the school-by-school plan and the route pool took {generated_s:.0f}"
               f" s of {time_limit:.0f} s; a longer --time-limit leaves time for the county"
               " MILP")  # fmt: skip
        log.warning("county planner %s", why)
        return replace(greedy, details={**greedy.details, "county_step": why})
    master = select_and_chain(len(items), pool.cands, pool.links, pool.limits,
                              time_limit=left, seed=seed, start=pool.start,
                              gap_rel=params.master_gap,
                              gap_abs=max(params.master_gap_gbp, 1e-6))  # fmt: skip
    timings = {"routes_generated": len(pool.routes), "master_status": master.status,
               "master_gap": None if math.isnan(master.gap) else round(master.gap, 6),
               "master_bound_gbp": round(master.bound, 2) if math.isfinite(master.bound)
               else None,
               "greedy_start_s": pool.greedy_s, "generation_s": round(generated_s, 2),
               "selection_s": master.seconds, "workers": workers}  # fmt: skip
    if not master.vehicles:  # no plan in the time: the greedy plan
        log.warning("the county MILP found no plan in %.0f s (%s); the plan is the "
                    "school-by-school one", left, master.status)  # fmt: skip
        return replace(greedy, details={**greedy.details, **timings})
    checks = _plan(problem, items, pool, master.vehicles, unserved)
    joins = {"joins": 0, "chains": 0}
    if params.multi_school:
        checks, joins = merge_schools(
            problem, checks, max_gap_min=params.merge_gap_min,
            max_drive_min=params.merge_drive_min, deadline=started + time_limit,
        )  # fmt: skip
    return plan_result(
        problem,
        checks,
        unserved,
        started=started,
        seed=seed,
        method="county: route pool per school, then one MILP (selection and chaining)",
        details={
            **timings,
            "multi_school_joins": joins["joins"],
            # routes run after another on the same vehicle (second and later trips)
            "chained_pairs": len(checks) - len({c.route.unit for c in checks}),
            "searches_stopped_by_time_limit": pool.time_limited
            + _count(greedy.details, "searches_stopped_by_time_limit"),
            **_hire(problem, [c.route for c in checks]),
        },
    )


def _count(details: dict[str, object], key: str) -> int:
    value = details.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


def _pool(problem, items, params, run) -> tuple[TransportResult, _Pool]:
    """The school-by-school plan and the searches, side by side on ``workers`` cores (no
    search starts past ``until``, when the plan must end too); the pool of their routes,
    linked, and the cheaper start."""
    seed, workers, until = run
    cpu_seconds = max(0.0, until - time.monotonic()) * max(1, workers)
    tasks = _tasks(problem, items, params, seed, cpu_seconds, until)
    done = run_tasks(_work, problem, [("greedy", params, seed, until), *tasks], workers)
    (greedy, greedy_s), found = done[0], done[1:]
    classes = _classes(problem)
    routes = _candidates(problem, items, tasks, found, classes, params.free_bucket_s)
    from_greedy = _from_plan(problem, items, classes, routes, greedy)
    ends, links = _links(problem, routes, params.multi_trip)
    cands = [_candidate(problem, r, ends) for r in routes]
    limits = [math.inf if key[-1] else float(sum(problem.vehicles[v].available for v in rows))
              for key, rows in classes.items()]  # fmt: skip
    step = {(int(e), int(b)): float(c)  # the links by (end, route): built once, read thrice
            for e, b, c in zip(links.end, links.head, links.cost, strict=True)}  # fmt: skip
    starts = [_start(routes, cands, step, limits, _chosen(items, tasks, found, routes, cands)),
              _linked(from_greedy, cands, step)]  # fmt: skip
    start = min((s for s in starts if s), key=lambda s: _cost(s, cands, step), default=None)
    timed = sum(t for _, t in found)
    return greedy, _Pool(routes, cands, links, limits, classes, start, timed, greedy_s)


def _work(problem: TransportProblem, task: tuple) -> Any:
    """One task of the pool: the school-by-school plan (``("greedy", params, seed,
    until)``: it must end by ``until``, a monotonic time), or one search."""
    if task[0] != "greedy":
        return _generate(problem, task)
    _, params, seed, until = task
    began = time.perf_counter()
    plan = plan_routes(problem, params=params, seed=seed, time_limit=until - time.monotonic())
    return plan, round(time.perf_counter() - began, 2)


def _plan(problem, items, pool: _Pool, vehicles, unserved) -> list[RouteCheck]:
    """The MILP's vehicles rebuilt and checked route by route; a pupil the rebuilt plan
    does not carry (a bug, never expected) is listed as unserved with that reason."""
    rows = _bases(problem, pool.routes, vehicles, pool.classes)
    checks, broken = _assemble(problem, pool.routes, vehicles, rows)
    for c in broken:
        unserved += [_unserved(problem, p, "left out: the plan's check failed (a bug)")
                     for p in c.route.pupils]  # fmt: skip
    carried = {p for c in checks for p in c.route.pupils}
    unserved += [_unserved(problem, p, "no route of the pool carries them (a bug)")
                 for it in items for p in it[2] if p not in carried]  # fmt: skip
    return checks


def _items(problem, out, params) -> list[tuple[int, int, tuple[int, ...]]]:
    """Every pick-up group of the county: (school, place, pupils)."""
    where = problem.pickup_location()
    items: list[tuple[int, int, tuple[int, ...]]] = []
    for s in range(len(problem.school_ids)):
        solo, groups = _groups(problem, s, out, params)
        items += [(s, int(where[p]), (p,)) for p in solo]
        items += [(s, loc, ps) for loc, ps in groups]
    return items


def _arrive(problem, s, early) -> int:
    first, last = arrival_window(problem, s)
    return first if early else last


def settings(params: RoutingParams) -> list[tuple[int, bool, float]]:
    """The searches per school: (index, arrive at the window's start?, ride-limit
    multiplier); the index seeds the search."""
    first, *more = params.ride_caps
    return [(0, False, first), (1, True, first), *((k + 2, False, c) for k, c in enumerate(more))]


def _tasks(problem, items, params, seed, seconds, deadline) -> list[tuple]:
    """One search per school and setting (solo pupils need none): (school, item ids,
    groups, arrive_by, ride cap, seed, params, seconds, deadline: a monotonic time no
    search runs past)."""
    by_school: dict[int, list[int]] = {}
    for i, (s, _, ps) in enumerate(items):
        if not (len(ps) == 1 and problem.pupil_solo[ps[0]]):
            by_school.setdefault(s, []).append(i)
    total = sum(len(v) for v in by_school.values()) or 1
    tasks = []
    for s, its in sorted(by_school.items()):
        groups = tuple((items[i][1], items[i][2]) for i in its)
        # With an iteration count, a search may run to the deadline: a share of the
        # time would cut the larger searches short and the pool would depend on the
        # clock. Searching on time alone (0 iterations), each gets its share.
        share = seconds if params.max_iterations > 0 else max(
            0.2, seconds * len(its) / total / len(settings(params)))  # fmt: skip
        window = arrival_window(problem, s)
        for k, early, cap in settings(params):
            if early and window[0] == window[1]:
                continue  # no start of the window to arrive at
            tasks.append((s, tuple(its), groups, _arrive(problem, s, early), cap,
                          seed + 7919 * s + k, params, share, deadline))  # fmt: skip
    # The largest first, so that no worker is left with a big search at the end.
    return sorted(tasks, key=lambda t: (-len(t[1]), t[0], t[5]))


def _generate(problem: TransportProblem, task: tuple) -> tuple[list[tuple[int, list[int]]], int]:
    """One school's routes in one setting: (fleet row, item ids in order) each; and 1
    when the clock, not the iteration count, stopped the search."""
    s, its, groups, arrive_by, cap, seed, params, seconds, deadline = task
    seconds = min(seconds, deadline - time.monotonic())
    if seconds < 0.05:  # the deadline has passed: the pool does without this search
        return [], 1
    if cap < 1.0:
        tight = np.maximum(problem.pupil_max_ride_s * cap, 1).astype(np.int64)
        tight.setflags(write=False)
        problem = problem.replace(pupil_max_ride_s=tight)
    options = [Option(v, vt.base, 0, len(groups) if vt.hired else vt.available, True, key=v)
               for v, vt in enumerate(problem.vehicles) if vt.available > 0]  # fmt: skip
    stats = {"time_limited": 0}
    search = Search(time_limit=seconds, max_iterations=params.max_iterations, seed=seed,
                    prize_gbp=params.unserved_prize_gbp, arrive_by=arrive_by)  # fmt: skip
    routes, _ = solve_school(problem, s, list(groups), options, search, stats=stats)
    found = [(options[oi].vehicle, [its[g] for g in order]) for oi, _, order in routes]
    return found, stats["time_limited"]


def _classes(problem) -> dict[tuple, list[int]]:
    """The vehicle classes of the MILP: each type (its room and rates; a fleet file has
    one row a type and base), own and spot hire, with its rows. The key ends with
    whether it is hired."""
    out: dict[tuple, list[int]] = {}
    for v, vt in enumerate(problem.vehicles):
        if vt.available > 0:
            key = (vt.seats, vt.wheelchair_spaces, vt.day_rate, vt.cost_per_mile)
            out.setdefault((*key, vt.hired), []).append(v)
    return out


def _candidates(problem, items, tasks, found, classes, bucket) -> list[_Route]:
    """Every route the searches found, on every own vehicle type and the cheapest
    spot-hire type that can carry it (each on the row of its type whose base is
    nearest the first pick-up); each group alone likewise (so the MILP can always carry
    everyone); solo pupils alone, arriving early or late. Vehicles' free times are
    rounded up to ``bucket`` seconds."""
    klass = {key: k for k, key in enumerate(classes)}
    seen: set[tuple] = set()
    out: list[_Route] = []

    def add(order, arrive_by):
        first = items[order[0]][1]
        for key in _fitting(problem, classes, [p for i in order for p in items[i][2]]):
            row = min(classes[key], key=lambda v: (
                int(problem.drive.seconds[problem.vehicles[v].base, first]), v))  # fmt: skip
            if (row, tuple(order), arrive_by) in seen:
                continue
            seen.add((row, tuple(order), arrive_by))
            r = _route(problem, items, row, klass[key], order, arrive_by, bucket)
            if r is not None:
                out.append(r)

    for task, (routes, _) in zip(tasks, found, strict=True):
        for _, order in routes:
            add(order, task[3])
    for i, (s, _, ps) in enumerate(items):
        add([i], _arrive(problem, s, False))
        if len(ps) == 1 and problem.pupil_solo[ps[0]]:
            add([i], _arrive(problem, s, True))
    return out


def _fitting(problem, classes, pupils) -> list[tuple]:
    """Every own type and the cheapest spot-hire type with room for these pupils (seats
    and wheelchair spaces) that none of them is barred from."""
    chairs = int(problem.pupil_wheelchair[pupils].sum())
    seated = len(pupils) - chairs
    own: list[tuple[float, tuple]] = []
    hired: list[tuple[float, tuple]] = []
    for key, rows in classes.items():
        vt = problem.vehicles[rows[0]]
        if vt.seats < seated or vt.wheelchair_spaces < chairs:
            continue
        if any(problem.excluded(p, rows[0]) for p in pupils):
            continue
        (hired if key[-1] else own).append((vt.day_rate, key))
    return [k for _, k in sorted(own) + sorted(hired)[:1]]


def _route(problem, items, row, klass, order, arrive_by, bucket=1) -> _Route | None:
    """The route rebuilt on ``row``; None when it breaks a rule there (seats, spaces, a
    type a pupil may not use, a ride over the limit). Its vehicle's free time is rounded
    up to ``bucket`` seconds."""
    stops = [(items[i][1], items[i][2]) for i in order]
    check = build_route(problem, "c", row, stops, arrive_by=arrive_by)
    if check.violations:
        return None
    visits = check.route.visits
    free = -(-free_at(problem, check.route) // bucket) * bucket
    return _Route(row, klass, tuple(order), arrive_by, check, int(visits[0].location),
                  int(visits[0].arrive_s), int(visits[-1].location), int(free))  # fmt: skip


def _links(problem, routes: list[_Route], multi_trip: bool = True) -> tuple[dict, Links]:
    """Ends (class, school place, free time) and the routes a vehicle free there reaches
    in time, with the empty drive's mileage cost (none without ``multi_trip``)."""
    ends: dict[tuple[int, int, int], int] = {}
    for r in routes:
        ends.setdefault((r.klass, r.school_loc, r.free_s), len(ends))
    secs, metres = problem.drive.seconds, problem.drive.metres
    by_row: dict[int, list[int]] = {}
    for i, r in enumerate(routes):
        by_row.setdefault(r.klass, []).append(i)
    ends_of: dict[int, list[tuple[int, int, int]]] = {}
    for (row, loc, t), e in ends.items():
        ends_of.setdefault(row, []).append((e, loc, t))
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for row, members in sorted(by_row.items()):
        e_id, e_loc, e_t = (np.array(x) for x in zip(*ends_of[row], strict=True))
        m = np.array(members)
        first = np.array([routes[i].first_loc for i in m])
        leave = np.array([routes[i].leave_first_s for i in m])
        a, b = np.nonzero(e_t[:, None] + secs[np.ix_(e_loc, first)] <= leave[None, :])
        rate = problem.vehicles[routes[members[0]].row].cost_per_mile / METRES_PER_MILE
        parts.append((e_id[a], m[b], metres[e_loc[a], first[b]] * rate))
    if not parts or not multi_trip:
        return ends, Links(np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    tail, head, cost = (np.concatenate(x) for x in zip(*parts, strict=True))
    return ends, Links(tail.astype(np.int64), head.astype(np.int64), cost.astype(float))


def _candidate(problem, r: _Route, ends) -> Candidate:
    vt = problem.vehicles[r.row]
    rate = vt.cost_per_mile / METRES_PER_MILE
    to_first = int(problem.drive.metres[vt.base, r.first_loc])
    cost = r.check.route.daily_cost - vt.day_rate - to_first * rate
    start = vt.day_rate + to_first * rate + (HIRE_PENALTY_GBP if vt.hired else 0.0)
    return Candidate(r.items, r.klass, cost, start,
                     ends[(r.klass, r.school_loc, r.free_s)])  # fmt: skip


def _bases(problem, routes, vehicles, classes) -> dict[tuple[int, ...], int]:
    """Each vehicle's fleet row: per own type, the assignment of its vehicles to the
    type's bases (within each base's count) with the least drive to their first
    pick-ups; a spot-hired vehicle comes from the base nearest its first pick-up."""
    out: dict[tuple[int, ...], int] = {}
    for k, (key, rows) in enumerate(classes.items()):
        hired = key[-1]
        mine = [c for c in vehicles if routes[c[0]].klass == k]
        if hired or not mine:
            out.update({c: routes[c[0]].row for c in mine})
            continue
        slots = [v for v in rows for _ in range(min(problem.vehicles[v].available, len(mine)))]
        bases = np.array([problem.vehicles[v].base for v in slots])
        first = np.array([routes[c[0]].first_loc for c in mine])
        cost = problem.drive.metres[np.ix_(first, bases)].astype(float)
        picked_chain, picked_slot = linear_sum_assignment(cost)
        out.update({mine[i]: slots[j] for i, j in zip(picked_chain, picked_slot, strict=True)})
    return out


def _assemble(problem, routes: list[_Route], vehicles, rows) -> tuple[list, list]:
    """Rebuild each vehicle's routes in order on its row (ids R0001..., one unit per
    vehicle) and check that it reaches each next route in time; the checks, and any
    that fail."""
    checks: list[RouteCheck] = []
    broken: list[RouteCheck] = []
    n = 0
    for chain in sorted(vehicles, key=lambda c: (routes[c[0]].leave_first_s, c)):
        unit = f"R{n + 1:04d}"
        prev, assistant = None, False
        for i in chain:
            r = routes[i]
            n += 1
            stops = [(v.location, v.pupils) for v in r.check.route.visits if v.school < 0]
            check = build_route(
                problem, f"R{n:04d}", rows[chain], stops, arrive_by=r.arrive_by, unit=unit,
                start_location=None if prev is None else prev.school_loc,
                day_rate_due=prev is None, assistant_paid=assistant,
            )  # fmt: skip
            late = prev is not None and check.route.start_s < free_at(problem, prev.check.route)
            (broken if check.violations or late else checks).append(check)
            assistant = assistant or check.route.assistant
            prev = r
    return checks, broken


def _from_plan(problem, items, classes, routes: list[_Route], plan) -> list[list[int]] | None:
    """Add a plan's routes to the pool, on their own rows and times (their vehicles
    free at the exact time, so the plan's own chains stay links); its vehicles as
    chains of pool indices, or None when a route does not map onto the groups."""
    at = {(s, loc, ps): i for i, (s, loc, ps) in enumerate(items)}
    klass = {v: k for k, rows in enumerate(classes.values()) for v in rows}
    units: dict[str, list[int]] = {}
    for r in sorted(plan.routes, key=lambda r: (r.start_s, r.id)):
        stops = [v for v in r.visits if v.school < 0 and v.pupils]
        order = [at.get((int(problem.pupil_school[v.pupils[0]]), v.location, v.pupils))
                 for v in stops]  # fmt: skip
        if not stops or None in order or r.vehicle not in klass:
            return None
        made = _route(problem, items, r.vehicle, klass[r.vehicle], order,
                      r.visits[-1].arrive_s)  # fmt: skip
        if made is None:
            return None
        units.setdefault(r.unit or r.id, []).append(len(routes))
        routes.append(made)
    return list(units.values())


def _linked(chains, cands, step: dict) -> list[list[int]] | None:
    """The chains when every step of each is a link of the MILP (``step``: link cost by
    (end, route)), else None."""
    if chains is None:
        return None
    ok = all((cands[a].end, b) in step for c in chains for a, b in itertools.pairwise(c))
    return chains if ok else None


def _cost(chains, cands, step: dict) -> float:
    """What a start costs in the MILP's terms."""
    total = 0.0
    for c in chains:
        total += cands[c[0]].start_cost + sum(cands[r].cost for r in c)
        total += sum(step[(cands[a].end, b)] for a, b in itertools.pairwise(c))
    return total


def _chosen(items, tasks, found, routes: list[_Route], cands) -> list[list[int]]:
    """The start's routes: per school, the routes of its cheapest search (each on its
    cheapest vehicle class), and every group no such route carries alone; as the lists
    of candidates (one per class) that carry the same groups at the same time."""
    same: dict[tuple, list[int]] = {}
    for i, r in enumerate(routes):
        same.setdefault((r.items, r.arrive_by), []).append(i)

    def price(key) -> float:
        return min(cands[i].cost + cands[i].start_cost for i in same[key])

    best: dict[int, tuple[float, list[tuple]]] = {}
    for task, (found_routes, _) in zip(tasks, found, strict=True):
        keys = [(tuple(order), task[3]) for _, order in found_routes]
        if not keys or any(k not in same for k in keys):
            continue  # a route no vehicle class can run as found: not a start
        total = sum(price(k) for k in keys)
        if task[0] not in best or total < best[task[0]][0] - 1e-9:
            best[task[0]] = (total, keys)
    picked = [k for _, keys in best.values() for k in keys]
    covered = {i for its, _ in picked for i in its}
    alone: dict[int, list[tuple]] = {}
    for key in same:
        if len(key[0]) == 1:
            alone.setdefault(key[0][0], []).append(key)
    picked += [max(alone[i], key=lambda k: k[1])
               for i in range(len(items)) if i not in covered and i in alone]  # fmt: skip
    return [same[k] for k in picked if k in same]


def _start(routes: list[_Route], cands, step: dict, limits, chosen) -> list[list[int]] | None:
    """A feasible plan for the MILP to start from: the chosen routes in the order their
    vehicles must leave, each run by the open vehicle that reaches it in time at the
    least cost, or by a new vehicle of the class (with one left) where that is cheaper.
    None when some route can be run by no class with a vehicle left."""
    left = [float(x) for x in limits]
    chains: list[list[int]] = []
    of_class: dict[int, list[int]] = {}  # the chains of each class
    for options in sorted(chosen, key=lambda o: (routes[o[0]].leave_first_s, o[0])):
        best, how = math.inf, None
        for c in options:
            k = cands[c].vehicle_class
            for v in of_class.get(k, ()):
                cost = step.get((cands[chains[v][-1]].end, c))
                if cost is not None and cost + cands[c].cost < best:
                    best, how = cost + cands[c].cost, (v, c)
            if left[k] >= 1 and cands[c].cost + cands[c].start_cost < best:
                best, how = cands[c].cost + cands[c].start_cost, (-1, c)
        if how is None:
            return None
        v, c = how
        if v < 0:
            left[cands[c].vehicle_class] -= 1
            of_class.setdefault(cands[c].vehicle_class, []).append(len(chains))
            chains.append([c])
        else:
            chains[v].append(c)
    return chains
