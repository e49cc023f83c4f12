"""Working on a plan: lock a route, move a pupil, close a stop; check; re-plan around.

An :class:`EditedPlan` is a morning plan as :func:`~optimise.transport.routing.evaluate.evaluate`
reads it (a tuple of :class:`PlanRoute`, each naming its pupils in pick-up order) with
the routes the user locked and the pick-up points a closed stop changed. Edits return
a new plan (nothing changes in place) and refuse, with one line (InputError), an
unknown pupil, route or stop, and any change to a locked route.

* :func:`move`: the pupil leaves their route (an emptied route goes) and joins another
  at the position adding the least drive time (beside pupils boarding where they do,
  else as a new stop).
* :func:`move_to_stop`: the pupil's pick-up point becomes a stop (open, safe and within
  their walking limit; a SEND or solo pupil, collected from home, is refused); they ride
  a route already serving that stop (their own if it does), else stay on their route
  with the stop at the position adding the least drive time.
* :func:`close_stop`: each pupil picked up there goes to the nearest other open, safe
  stop within their walking limit (the problem's walk matrix and the policy's limits),
  else to their home, at the best position of the same route.
* :func:`check`: the edited plan measured by ``evaluate``: every rule at once (ride
  limit, seats, wheelchair spaces, solo, no-share, excluded vehicles, fleet counts) and
  the cost. A pupil whose direct drive is already over their limit is held to that
  direct drive, as :func:`~optimise.transport.routing.solve.solve` carries them.
* :func:`replan_around`: the locked routes kept as they are (vehicle type, pupils,
  stops and order; with the other trips of their vehicle), their pupils taken out of
  the problem and their vehicles out of the fleet's counts, the rest planned by
  :func:`~optimise.transport.routing.solve.solve`.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from geodata.errors import InputError
from models.transport_result import TransportResult
from optimise.transport.routing.evaluate import PlanRoute, evaluate
from optimise.transport.routing.schedule import arrival_window
from optimise.transport.routing.solve import raise_limits, solve
from optimise.transport.stops.reach import walk_limits

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from models.transport import TransportProblem
    from optimise.transport.routing.params import RoutingParams

__all__ = [
    "EditedPlan", "check", "close_stop", "from_assignments", "from_result", "from_routes_rows",
    "lock", "move", "move_to_stop", "problem_for", "replan_around", "unlock",
]  # fmt: skip


@dataclass(frozen=True)
class EditedPlan:
    """A morning plan being edited: routes naming pupils in pick-up order, the locked
    route ids, and pick-up points changed by closed stops (pupil id → stop id, ``""``
    for home)."""

    routes: tuple[PlanRoute, ...]
    locked: frozenset[str] = frozenset()
    closed: frozenset[str] = frozenset()
    pickups: tuple[tuple[str, str], ...] = field(default=())

    def route(self, route_id: str) -> PlanRoute:
        found = next((r for r in self.routes if r.id == route_id), None)
        if found is None:
            raise InputError(f"route {route_id[:40]!r} is not in this plan")
        return found


# --- making a plan ------------------------------------------------------------------


def from_result(problem: TransportProblem, result: TransportResult) -> EditedPlan:
    """The plan of a solver's (morning) result: each route's pupils in visit order, its
    fleet row's id (a spot-hire vehicle counts as its fleet row), trips sharing a
    vehicle keeping it."""
    units: dict[str, int] = {}
    for r in result.routes:
        units[r.unit or r.id] = units.get(r.unit or r.id, 0) + 1
    return EditedPlan(tuple(
        PlanRoute(r.id, problem.vehicles[r.vehicle].id,
                  tuple(problem.pupil_ids[p] for p in r.pupils),
                  r.unit if units[r.unit or r.id] > 1 else "")
        for r in result.routes
    ))  # fmt: skip


def from_assignments(rows: Iterable[Mapping[str, str]]) -> EditedPlan:
    """The morning plan of a ``transport plan`` run's ``assignments-personal.csv``
    rows (pupil_id, route, vehicle, vehicle_type, sequence): pupils of a route in
    visit order, pupils without a route left out."""
    by_route: dict[str, list[tuple[int, int, str]]] = {}
    kind: dict[str, tuple[str, str]] = {}
    for n, row in enumerate(rows):
        route = str(row.get("route") or "").strip()
        if not route:
            continue
        by_route.setdefault(route, []).append((int(float(row.get("sequence") or 0)), n,
                                               str(row["pupil_id"])))  # fmt: skip
        kind[route] = (str(row.get("vehicle_type") or ""), str(row.get("vehicle") or ""))
    units: dict[str, int] = {}
    for _, unit in kind.values():
        units[unit] = units.get(unit, 0) + 1
    return EditedPlan(tuple(
        PlanRoute(route, kind[route][0], tuple(p for *_, p in sorted(items)),
                  kind[route][1] if units[kind[route][1]] > 1 else "")
        for route, items in by_route.items()
    ))  # fmt: skip


def from_routes_rows(rows: Iterable[Mapping[str, str]]) -> EditedPlan:
    """The morning plan of ``routes-personal.csv`` rows of a ``transport routes`` run
    (every pupil picked up at home: a ``home`` row names its pupils, ';'-separated)."""
    by_route: dict[str, list[str]] = {}
    kind: dict[str, tuple[str, str]] = {}
    for row in rows:
        if str(row.get("run") or "am") != "am":
            continue
        route = str(row["route"])
        by_route.setdefault(route, [])
        kind[route] = (str(row["vehicle_type"]), str(row.get("vehicle") or ""))
        if row.get("kind") == "home":
            by_route[route] += [p for p in str(row["id"]).split(";") if p]
        elif row.get("kind") == "stop":
            raise InputError(f"route {route}: a stop's pupils are not named in routes-personal"
                             ".csv; edit the plan run's assignments instead")  # fmt: skip
    units: dict[str, int] = {}
    for _, unit in kind.values():
        units[unit] = units.get(unit, 0) + 1
    return EditedPlan(tuple(
        PlanRoute(route, kind[route][0], tuple(pupils),
                  kind[route][1] if units[kind[route][1]] > 1 else "")
        for route, pupils in by_route.items() if pupils
    ))  # fmt: skip


# --- edits --------------------------------------------------------------------------


def lock(plan: EditedPlan, route_id: str) -> EditedPlan:
    plan.route(route_id)
    return dataclasses.replace(plan, locked=plan.locked | {route_id})


def unlock(plan: EditedPlan, route_id: str) -> EditedPlan:
    plan.route(route_id)
    return dataclasses.replace(plan, locked=plan.locked - {route_id})


def _unlocked(plan: EditedPlan, route_id: str) -> PlanRoute:
    route = plan.route(route_id)
    if route_id in plan.locked:
        raise InputError(f"route {route_id} is locked; unlock it to change it")
    return route


def problem_for(problem: TransportProblem, plan: EditedPlan) -> TransportProblem:
    """``problem`` with the pick-up points the plan's closed stops changed."""
    if not plan.pickups:
        return problem
    at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
    stop_at = {sid: i for i, sid in enumerate(problem.stop_ids)}
    stops = np.array(problem.pupil_stop, dtype=np.int64)
    for pid, sid in plan.pickups:
        stops[at[pid]] = stop_at[sid] if sid else -1
    stops.setflags(write=False)
    return problem.replace(pupil_stop=stops)


def _best_position(problem: TransportProblem, route: PlanRoute, pupil: int) -> int:
    """Where in ``route.items`` the pupil adds the least drive time (base → pick-ups →
    the first school): beside pupils boarding at their pick-up point, if any."""
    at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
    where = problem.pickup_location()
    locs = [int(where[at[p]]) for p in route.items if p in at]
    secs = problem.drive.seconds
    base = next((v.base for v in problem.vehicles if v.id == route.vehicle_type), None)
    schools = {int(problem.pupil_school[at[p]]) for p in route.items if p in at}
    schools.add(int(problem.pupil_school[pupil]))
    first = min(schools, key=lambda s: (arrival_window(problem, s)[1], s))
    end = int(problem.school_location[first])

    def cost(seq: list[int]) -> int:
        path = ([base] if base is not None else []) + seq + [end]
        return sum(int(secs[a, b]) for a, b in itertools.pairwise(path))

    me = int(where[pupil])
    options = [cost([*locs[:i], me, *locs[i:]]) for i in range(len(locs) + 1)]
    return int(np.argmin(options))


def _insert(problem: TransportProblem, route: PlanRoute, pupil: int) -> PlanRoute:
    i = _best_position(problem, route, pupil)
    items = (*route.items[:i], problem.pupil_ids[pupil], *route.items[i:])
    return dataclasses.replace(route, items=items)


def _pupil(problem: TransportProblem, pupil_id: str) -> int:
    try:
        return problem.pupil_ids.index(pupil_id)
    except ValueError:
        raise InputError(f"pupil {pupil_id[:40]!r} is not in this plan's data") from None


def move(problem: TransportProblem, plan: EditedPlan, pupil_id: str, to_route: str) -> EditedPlan:
    """The plan with the pupil on ``to_route`` (at the position adding the least drive
    time), off their own route (gone if that empties it)."""
    p = _pupil(problem, pupil_id)
    target = _unlocked(plan, to_route)
    source = next((r for r in plan.routes if pupil_id in r.items), None)
    if source is not None and source.id == to_route:
        raise InputError(f"pupil {pupil_id} is on route {to_route} already")
    if source is not None:
        _unlocked(plan, source.id)
    edited = problem_for(problem, plan)
    routes = []
    for r in plan.routes:
        if source is not None and r.id == source.id:
            r = dataclasses.replace(r, items=tuple(i for i in r.items if i != pupil_id))
            if not r.items:
                continue
        elif r.id == to_route:
            r = _insert(edited, target, p)
        routes.append(r)
    return dataclasses.replace(plan, routes=tuple(routes))


def _stop(problem: TransportProblem, plan: EditedPlan, stop_id: str) -> int:
    """The index of an open, safe stop of the problem (else one line)."""
    if stop_id not in problem.stop_ids or problem.pupil_stop is None:
        raise InputError(f"stop {stop_id[:40]!r} is not a pick-up point of this plan")
    s = problem.stop_ids.index(stop_id)
    if stop_id in plan.closed:
        raise InputError(f"stop {stop_id} is closed in this plan")
    if problem.stop_unsafe[s]:
        raise InputError(f"stop {stop_id} is marked unsafe: no pupil is picked up there")
    return s


def move_to_stop(problem: TransportProblem, plan: EditedPlan, pupil_id: str,
                 stop_id: str) -> EditedPlan:  # fmt: skip
    """The plan with the pupil picked up at ``stop_id``: on a route already serving it
    (their own if it does, else another unlocked one), else on their own route with the
    stop where it adds the least drive time. Refused (one line) for an unknown, closed
    or unsafe stop, one beyond the pupil's walking limit, a SEND or solo pupil (the
    planner collects them from home) and a locked route."""
    p = _pupil(problem, pupil_id)
    s = _stop(problem, plan, stop_id)
    edited = problem_for(problem, plan)
    stop_of = edited.pupil_stop
    assert stop_of is not None  # a plan with stops (checked above)
    if stop_of[p] == s:
        raise InputError(f"pupil {pupil_id} is picked up at stop {stop_id} already")
    if problem.pupil_sen[p] or problem.pupil_solo[p]:
        why = "SEND" if problem.pupil_sen[p] else "travels alone"
        raise InputError(f"pupil {pupil_id} ({why}) is collected from home, not at a stop; "
                         "move them to another route instead")  # fmt: skip
    if problem.walk is None:
        raise InputError(f"no walking distances to stop {stop_id}: this plan picks up at home")
    metres, limit = float(problem.walk.metres[p, s]), float(walk_limits(problem)[p])
    if metres > limit:
        raise InputError(f"pupil {pupil_id} would walk {metres:,.0f} m to stop {stop_id}; "
                         f"their walking limit is {limit:,.0f} m")  # fmt: skip
    source = next((r for r in plan.routes if pupil_id in r.items), None)
    if source is not None:
        _unlocked(plan, source.id)
    at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
    serving = [
        r.id
        for r in plan.routes
        if r.id not in plan.locked and any(stop_of[at[i]] == s for i in r.items if i != pupil_id)
    ]
    to = source.id if source is not None and (source.id in serving or not serving) else None
    to = to or (serving[0] if serving else None)
    pickups = {**dict(plan.pickups), pupil_id: stop_id}
    plan = dataclasses.replace(plan, pickups=tuple(sorted(pickups.items())))
    edited = problem_for(problem, plan)
    routes = []
    for r in plan.routes:
        if pupil_id in r.items:
            r = dataclasses.replace(r, items=tuple(i for i in r.items if i != pupil_id))
        if r.id == to:
            r = _insert(edited, r, p)
        if r.items:
            routes.append(r)
    return dataclasses.replace(plan, routes=tuple(routes))


def close_stop(problem: TransportProblem, plan: EditedPlan, stop_id: str) -> EditedPlan:
    """The plan with ``stop_id`` closed: each pupil picked up there moves to the nearest
    other open, safe stop within their walking limit, else home, at the best position
    of their own route."""
    if stop_id not in problem.stop_ids or problem.pupil_stop is None:
        raise InputError(f"stop {stop_id[:40]!r} is not a pick-up point of this plan")
    edited = problem_for(problem, plan)
    stop_of = edited.pupil_stop
    assert stop_of is not None  # a plan with stops (checked above)
    s = problem.stop_ids.index(stop_id)
    where = edited.pickup_location()
    riders = [int(p) for p in np.flatnonzero(where == problem.stop_location[s])
              if stop_of[p] == s]  # fmt: skip
    if not riders:
        raise InputError(f"no pupil of this plan is picked up at stop {stop_id}")
    ids = {problem.pupil_ids[p] for p in riders}
    held = sorted({r.id for r in plan.routes if r.id in plan.locked and ids & set(r.items)})
    if held:
        raise InputError(f"stop {stop_id} is on locked route {', '.join(held)}; unlock it first")
    closed = plan.closed | {stop_id}
    shut = np.array([sid in closed for sid in problem.stop_ids]) | problem.stop_unsafe
    limits = walk_limits(problem)
    pickups = dict(plan.pickups)
    for p in riders:
        metres = (np.asarray(problem.walk.metres[p], dtype=float) if problem.walk is not None
                  else np.full(len(problem.stop_ids), np.inf))  # fmt: skip
        metres = np.where(shut | (metres > limits[p]), np.inf, metres)
        best = int(np.argmin(metres))
        pickups[problem.pupil_ids[p]] = problem.stop_ids[best] if np.isfinite(metres[best]) else ""
    plan = dataclasses.replace(plan, closed=closed, pickups=tuple(sorted(pickups.items())))
    edited = problem_for(problem, plan)
    routes = []
    for r in plan.routes:
        for pid in [i for i in r.items if i in ids]:
            r = dataclasses.replace(r, items=tuple(i for i in r.items if i != pid))
            r = _insert(edited, r, problem.pupil_ids.index(pid))
        routes.append(r)
    return dataclasses.replace(plan, routes=tuple(routes))


# --- checking and re-planning -------------------------------------------------------


def check(problem: TransportProblem, plan: EditedPlan) -> tuple[tuple[str, ...], float, float]:
    """Every broken rule of the edited plan (one sentence each), its daily and annual
    cost."""
    result = evaluate(_carried(problem_for(problem, plan)), plan.routes)
    return result.violations, result.daily_cost, result.annual_cost


def _carried(problem: TransportProblem) -> TransportProblem:
    """Ride limits as the planner applies them: a pupil whose direct drive from pick-up
    to school is over their limit is held to that direct drive."""
    return raise_limits(problem)[0]


def _without(problem: TransportProblem, gone: set[int], used: np.ndarray):
    """The problem without the pupils ``gone`` and with ``used`` vehicles of each fleet
    row taken from its count; and the kept pupils' positions in ``problem``."""
    keep = np.array([p for p in range(problem.num_pupils) if p not in gone], dtype=np.int64)
    at = {int(p): i for i, p in enumerate(keep)}

    def take(values):
        if values is None:
            return None
        out = np.array(values)[keep]
        out.setflags(write=False)
        return out

    ids = tuple(problem.pupil_ids[p] for p in keep)
    fleet = tuple(v if v.hired else dataclasses.replace(v, available=max(0, v.available - int(n)))
                  for v, n in zip(problem.vehicles, used, strict=True))  # fmt: skip
    rest = problem.replace(
        pupil_ids=ids, pupil_location=take(problem.pupil_location),
        pupil_school=take(problem.pupil_school), pupil_age=take(problem.pupil_age),
        pupil_sen=take(problem.pupil_sen), pupil_wheelchair=take(problem.pupil_wheelchair),
        pupil_solo=take(problem.pupil_solo), pupil_assistant=take(problem.pupil_assistant),
        pupil_max_ride_s=take(problem.pupil_max_ride_s), pupil_stop=take(problem.pupil_stop),
        pupil_excluded=take(problem.pupil_excluded), vehicles=fleet,
        walk=None if problem.walk is None else problem.walk.subset(origins=ids),
        no_share=tuple((at[a], at[b]) for a, b in problem.no_share if a in at and b in at),
    )  # fmt: skip
    return rest, keep


def replan_around(
    problem: TransportProblem,
    plan: EditedPlan,
    locked_route_ids: Iterable[str],
    params: RoutingParams | None = None,
    time_limit: float = 60.0,
    seed: int = 0,
) -> TransportResult:
    """The locked routes exactly as they are, the other pupils planned afresh.

    A locked route that is one trip of a vehicle's morning keeps the vehicle's other
    trips too (a second trip starts at the first one's school).

    Returned for :func:`problem_for` ``(problem, plan)`` (the closed stops' pick-up
    points): the locked routes first (as :func:`check` builds them, with any rule they
    break among the violations), then the new ones; a new route whose id a locked
    route has is renamed (``R0001n``). ``details["locked_routes"]`` lists the kept ids.
    """
    edited = problem_for(problem, plan)
    asked = [plan.route(r) for r in dict.fromkeys(locked_route_ids)]
    units = {r.vehicle for r in asked if r.vehicle}
    locked_ids = [r.id for r in plan.routes if r in asked or (r.vehicle and r.vehicle in units)]
    kept = evaluate(_carried(edited), tuple(plan.route(r) for r in locked_ids))
    gone = {p for r in kept.routes for p in r.pupils}
    used = np.zeros(len(edited.vehicles), dtype=np.int64)
    for _unit, v in {(r.unit or r.id, r.vehicle) for r in kept.routes}:
        used[v] += 1
    rest, keep = _without(edited, gone, used)
    taken = {r.id for r in kept.routes} | {r.unit for r in kept.routes}

    def rename(name: str) -> str:
        while name and name in taken:
            name += "n"
        return name

    if rest.num_pupils:
        new = solve(rest, params=params, time_limit=time_limit, seed=seed)
    else:
        new = TransportResult((), (), np.zeros(0, dtype=np.int64), method="nothing to plan")
    routes = tuple(
        dataclasses.replace(
            r, id=rename(r.id), unit=rename(r.unit),
            visits=tuple(dataclasses.replace(v, pupils=tuple(int(keep[p]) for p in v.pupils))
                         for v in r.visits),
        )
        for r in new.routes
    )  # fmt: skip
    ride = np.array(kept.ride_s, dtype=np.int64)
    ride[keep] = new.ride_s  # the kept pupils are on no locked route
    ride.setflags(write=False)
    details = dict(new.details)
    details["ride_limit_exceeded_unavoidably"] = [
        {**f, "pupil": int(keep[f["pupil"]])} for f in new.beyond_limit()
    ]
    details["locked_routes"] = [r.id for r in kept.routes]
    return TransportResult(
        routes=kept.routes + routes,
        unserved=tuple(dataclasses.replace(u, pupil=int(keep[u.pupil])) for u in new.unserved),
        ride_s=ride,
        violations=kept.violations + new.violations,
        ride_limit_violations=kept.ride_limit_violations + new.ride_limit_violations,
        school_days=edited.policy.school_days,
        runtime_s=new.runtime_s,
        seed=seed,
        method=f"re-plan around {len(kept.routes)} locked route(s): {new.method}",
        details=details,
    )
