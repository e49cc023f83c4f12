"""Times, loads, costs and checks of one route, recomputed from its sequence alone.

Both :func:`~optimise.transport.solve` and :func:`~optimise.transport.evaluate` build
every route here, so a solver's plan and an imported plan are measured the same way
and the solver's own bookkeeping is never trusted.

A route leaves its operator base, stops at pick-up points (dwell: ``dwell_stop_s`` +
``dwell_pupil_s`` per boarding pupil), then drops at its school(s), earliest arrival
window first. Timing: the latest schedule (arrive at the last school at the end of its
window, work back), then pushed forward with no waiting on board, waiting only outside a
school whose window has not opened. For a one-school route this gives every pupil their
shortest possible ride, so a ride over the limit in it is a true violation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from models.transport_result import RouteResult, Visit

if TYPE_CHECKING:
    from collections.abc import Sequence

    from models.transport import TransportProblem

__all__ = [
    "RouteCheck",
    "arrival_window",
    "build_route",
    "drop_seconds",
    "dwell_seconds",
    "free_at",
    "group_pickups",
]


@dataclass(frozen=True)
class RouteCheck:
    """A built route, each of its pupils' ride (s) and what it breaks."""

    route: RouteResult
    rides: dict[int, int]
    violations: tuple[str, ...]
    over_limit: tuple[int, ...]


def arrival_window(problem: TransportProblem, school: int) -> tuple[int, int]:
    """A school's arrival window, seconds after midnight: [bell − max, bell − min],
    each rounded down to the second (council files give whole minutes; the school-bus
    benchmark's margin is 154.4 s)."""
    bell = float(problem.bell_min[school]) * 60
    return (
        math.floor(bell - float(problem.arrive_max_before[school]) * 60 + 1e-6),
        math.floor(bell - float(problem.arrive_min_before[school]) * 60 + 1e-6),
    )


def group_pickups(
    problem: TransportProblem, pupils: Sequence[int]
) -> list[tuple[int, tuple[int, ...]]]:
    """Consecutive pupils with the same pick-up location become one stop."""
    where = problem.pickup_location()
    out: list[tuple[int, tuple[int, ...]]] = []
    for p in pupils:
        loc = int(where[p])
        if out and out[-1][0] == loc:
            out[-1] = (loc, (*out[-1][1], int(p)))
        else:
            out.append((loc, (int(p),)))
    return out


def dwell_seconds(problem: TransportProblem, n: int) -> int:
    """Seconds a vehicle stands at a pick-up where ``n`` pupils board, rounded up (a
    schedule is never tighter than the policy's)."""
    pol = problem.policy
    return math.ceil(pol.dwell_stop_s + pol.dwell_pupil_s * n - 1e-6)


def drop_seconds(problem: TransportProblem, n: int) -> int:
    """Seconds after it reaches its school until a vehicle with ``n`` pupils aboard is
    free again: ``dropoff_s`` when the policy sets it, else the pick-up dwell."""
    fixed = problem.policy.dropoff_s
    return dwell_seconds(problem, n) if fixed is None else math.ceil(fixed - 1e-6)


def free_at(problem: TransportProblem, route: RouteResult) -> int:
    """When the vehicle of ``route`` is free again at its last school, s after midnight:
    its arrival there plus the drop-off."""
    return int(route.visits[-1].arrive_s + drop_seconds(problem, len(route.pupils)))


def build_route(
    problem: TransportProblem,
    route_id: str,
    vehicle: int,
    stops: Sequence[tuple[int, Sequence[int]]],
    *,
    start_location: int | None = None,
    day_rate_due: bool = True,
    assistant_paid: bool = False,
    unit: str = "",
    arrive_by: int | None = None,
) -> RouteCheck:
    """Build and check a route from its vehicle type and ordered pick-up stops.

    A vehicle's second trip starts at ``start_location`` (its first trip's school)
    with ``day_rate_due=False``, and ``assistant_paid`` when its first trip already
    paid a passenger assistant. ``arrive_by`` (inside the last school's window) makes
    the route arrive then instead of at the end of the window, freeing the vehicle
    earlier for a second trip; rides are the same length either way.
    """
    vt = problem.vehicles[vehicle]
    secs, metres = problem.drive.seconds, problem.drive.metres
    pupils = [p for _, ps in stops for p in ps]
    schools = sorted(
        {int(problem.pupil_school[p]) for p in pupils},
        key=lambda s: (arrival_window(problem, s)[1], s),
    )
    # Nodes: (location, pupils boarding, school or -1).
    nodes = [(int(loc), tuple(int(p) for p in ps), -1) for loc, ps in stops]
    nodes += [(int(problem.school_location[s]), (), s) for s in schools]
    n = len(nodes)
    service = [dwell_seconds(problem, len(ps)) if s < 0 else 0 for _, ps, s in nodes]
    travel = [int(secs[nodes[i][0], nodes[i + 1][0]]) for i in range(n - 1)]
    # Backward: latest arrival at each node.
    late = [0] * n
    late[-1] = arrival_window(problem, schools[-1])[1] if arrive_by is None else arrive_by
    for i in range(n - 2, -1, -1):
        dep = late[i + 1] - travel[i]
        s = nodes[i][2]
        late[i] = min(dep, arrival_window(problem, s)[1]) if s >= 0 else dep - service[i]
    # Forward from the latest first arrival, waiting only outside a school not yet open.
    arrive = [0] * n
    depart = [0] * n
    t = late[0]
    for i in range(n):
        if i:
            t = depart[i - 1] + travel[i - 1]
        s = nodes[i][2]
        if s >= 0:
            t = max(t, arrival_window(problem, s)[0])
        arrive[i], depart[i] = t, t + service[i]
    at_school = {nodes[i][2]: arrive[i] for i in range(n) if nodes[i][2] >= 0}
    rides: dict[int, int] = {}
    visits: list[Visit] = []
    load = 0
    for i, (loc, ps, s) in enumerate(nodes):
        for p in ps:
            rides[p] = at_school[int(problem.pupil_school[p])] - depart[i]
        load += len(ps) - (sum(int(problem.pupil_school[p]) == s for p in pupils) if s >= 0 else 0)
        visits.append(Visit(loc, ps, arrive[i], depart[i], load, s))
    base_loc = vt.base if start_location is None else start_location
    route_m = int(metres[base_loc, nodes[0][0]]) + sum(
        int(metres[nodes[i][0], nodes[i + 1][0]]) for i in range(n - 1)
    )
    assistant = bool(problem.pupil_assistant[pupils].any()) if pupils else False
    cost = vt.daily_cost(
        route_m,
        assistant_day_rate=(
            problem.policy.assistant_day_rate if assistant and not assistant_paid else 0.0
        ),
    ) - (0.0 if day_rate_due else vt.day_rate)
    violations, over = _check(problem, route_id, vehicle, pupils, rides, visits)
    route = RouteResult(
        id=route_id,
        vehicle=vehicle,
        visits=tuple(visits),
        metres=route_m,
        daily_cost=cost,
        assistant=assistant,
        start_s=arrive[0] - int(secs[base_loc, nodes[0][0]]),
        unit=unit or route_id,
        depot=-1 if start_location is None else int(start_location),
    )
    return RouteCheck(route, rides, tuple(violations), tuple(over))


def _check(problem, route_id, vehicle, pupils, rides, visits):
    vt = problem.vehicles[vehicle]
    out: list[str] = []
    names = problem.pupil_ids
    wheel = problem.pupil_wheelchair
    seated = sum(not wheel[p] for p in pupils)
    chairs = len(pupils) - seated
    if seated > vt.seats:
        out.append(f"route {route_id}: {seated} seated pupils on {vt.seats} seats ({vt.id})")
    if chairs > vt.wheelchair_spaces:
        out.append(
            f"route {route_id}: {chairs} wheelchair users, {vt.wheelchair_spaces} spaces ({vt.id})"
        )
    solo = [p for p in pupils if problem.pupil_solo[p]]
    if solo and len(pupils) > 1:
        out.append(f"route {route_id}: pupil {names[solo[0]]} must travel alone")
    on = set(pupils)
    for a, b in problem.no_share:
        if a in on and b in on:
            out.append(f"route {route_id}: pupils {names[a]} and {names[b]} must not share")
    for p in pupils:
        if problem.excluded(p, vehicle):
            out.append(f"route {route_id}: pupil {names[p]} may not travel in a {vt.id}")
    served = sorted({int(problem.pupil_school[p]) for p in pupils})
    for i, a in enumerate(served):
        for b in served[i + 1 :]:
            if not problem.may_share(a, b):
                out.append(
                    f"route {route_id}: schools {problem.school_ids[a]} and "
                    f"{problem.school_ids[b]} may not share a vehicle"
                )
    over = []
    for p in pupils:
        if rides[p] > int(problem.pupil_max_ride_s[p]):
            over.append(p)
            out.append(
                f"route {route_id}: pupil {names[p]} rides {rides[p] / 60:.1f} min, "
                f"limit {problem.pupil_max_ride_s[p] / 60:.0f}"
            )
    for v in visits:
        if v.school >= 0:
            _, late = arrival_window(problem, v.school)
            if v.arrive_s > late:
                out.append(
                    f"route {route_id}: arrives at school {problem.school_ids[v.school]} "
                    f"{(v.arrive_s - late) / 60:.1f} min late"
                )
    return out, over


def rides_array(problem: TransportProblem, checks: Sequence[RouteCheck]) -> np.ndarray:
    """Each pupil's ride (s), -1 for a pupil no route carries."""
    ride = np.full(problem.num_pupils, -1, dtype=np.int64)
    for c in checks:
        for p, r in c.rides.items():
            ride[p] = r
    ride.setflags(write=False)
    return ride
