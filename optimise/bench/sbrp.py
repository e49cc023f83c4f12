"""Multi-school bus routing and scheduling (Park, Tae & Kim 2012) under BiRD's definition.

The definition is the one written in ``../shared/benchmarks/README.md``: Manhattan
distance at 20 mph, 19 s + 2.6 s a student at a stop, 154.4 s at school, 66 seats, one
school a route, ride limit from leaving a stop to reaching school, bell = AMEARLY read
as H:MM, and chaining rule ``bell(A) + drive(A → first stop of r) + duration(r) + 154.4
≤ bell(B)``. Objective: buses.

Method: the council engine itself, the same as ``transport routes``. :func:`to_problem`
states the instance as a :class:`~models.transport.TransportProblem` (every student a
pupil at their stop, the ride limit as each pupil's limit, one bus type without a base,
the arrival 154.4 s before the bell, a bus free at the bell) and
:func:`optimise.transport.routing.solve.solve` plans it as ``transport routes`` does
(the county planner, :mod:`optimise.transport.routing.county`): the school-by-school
plan and a pool of routes per school (one PyVRP search per ride cap in :data:`CAPS`,
spread over the cores), then the MILP of :mod:`optimise.transport.routing.master`
chooses routes that serve each stop once and chains them into the fewest buses (a bus
costs :data:`DAY_RATE`; mileage breaks ties). What this module keeps of its own: the
reader, the cost (buses) and :func:`check`, which recomputes every ride, load and
chaining from the routes alone in BiRD's exact times, trusting nothing of the engine.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geodata.matrix import TravelMatrix
from models._arrays import frozen
from models.transport import (
    METRES_PER_MILE,
    NO_BASE,
    TransportPolicy,
    TransportProblem,
    VehicleType,
)
from optimise.transport.routing.params import RoutingParams
from optimise.transport.routing.solve import solve

__all__ = ["SbrpInstance", "check", "read_sbrp", "solve_sbrp", "to_problem"]

SPEED_FT_S = 29.3333
SEATS = 66
SCHOOL_S = 154.4


@dataclass(frozen=True, eq=False)
class SbrpInstance:
    name: str
    school_xy: np.ndarray
    bell_s: np.ndarray
    stop_xy: np.ndarray
    stop_school: np.ndarray
    students: np.ndarray


def _table(path: Path) -> list[list[str]]:
    rows = [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return rows[1:]


def read_sbrp(folder: str | Path) -> SbrpInstance:
    """Read ``Schools.txt`` and ``Stops.txt`` (tab-separated, with headers)."""
    folder = Path(folder)
    schools = _table(folder / "Schools.txt")
    stops = _table(folder / "Stops.txt")
    sid = {r[0]: i for i, r in enumerate(schools)}
    bell = np.array([int(float(r[3])) // 100 * 3600 + int(float(r[3])) % 100 * 60 for r in schools])
    return SbrpInstance(
        name=folder.name,
        school_xy=np.array([[float(r[1]), float(r[2])] for r in schools]),
        bell_s=bell.astype(float),
        stop_xy=np.array([[float(r[1]), float(r[2])] for r in stops]),
        stop_school=np.array([sid[r[3]] for r in stops]),
        students=np.array([int(float(r[4])) for r in stops]),
    )


def _t(a: np.ndarray, b: np.ndarray) -> float:
    return float(abs(a[0] - b[0]) + abs(a[1] - b[1])) / SPEED_FT_S


def _stop_s(n: int) -> float:
    return 19.0 + 2.6 * n


def _duration(inst: SbrpInstance, route: list[int]) -> tuple[float, list[float]]:
    """Duration from arriving at the first stop to arriving at school; each ride."""
    school = int(inst.stop_school[route[0]])
    t, leave = 0.0, []
    for i, s in enumerate(route):
        t += _stop_s(int(inst.students[s]))
        leave.append(t)
        nxt = inst.stop_xy[route[i + 1]] if i + 1 < len(route) else inst.school_xy[school]
        t += _t(inst.stop_xy[s], nxt)
    return t, [t - x for x in leave]


#: The engine's clock runs in tenths of a second here: 19 + 2.6 s a student and 154.4 s
#: are whole tenths, and each drive is rounded up to the tenth, so a plan the engine
#: finds feasible is feasible in BiRD's exact times.
TICKS = 10
#: A bus's day rate in the engine (its pounds are buses here). Each search and the MILP
#: price mileage too, at a rate that makes a whole plan's mileage worth under a tenth of
#: a bus, so it only breaks ties between plans with as many buses.
DAY_RATE = 100_000.0
#: Ride caps the engine's searches route each school with (× the ride limit): shorter
#: routes chain more easily, at the price of more of them; the master mixes them.
CAPS = (1.0, 0.85, 0.7, 0.55, 0.4)


def to_problem(inst: SbrpInstance, max_ride: float) -> TransportProblem:
    """The instance as the council engine's problem, in :data:`TICKS` a second: a
    school's arrival window is the instant 154.4 s before its bell, a pick-up stands
    19 + 2.6 s a student, a bus is free 154.4 s after it reaches school (at the bell),
    one bus type of 66 seats without a base (a bus starts at its first stop), every
    student a pupil at their stop with the ride limit."""
    n_school, n_stop = len(inst.bell_s), len(inst.students)
    xy = np.vstack([inst.school_xy, inst.stop_xy])
    feet = np.abs(xy[:, None, 0] - xy[None, :, 0]) + np.abs(xy[:, None, 1] - xy[None, :, 1])
    # Two more places, 0 from and to everywhere: the buses' missing base; the students'
    # homes (unknown: they board at their stop, so a stop's students are one group).
    seconds = np.zeros((n_school + n_stop + 2,) * 2, dtype=np.int64)
    seconds[:-2, :-2] = np.ceil(feet / SPEED_FT_S * TICKS - 1e-9)
    metres = np.zeros_like(seconds)
    metres[:-2, :-2] = np.rint(feet * 0.3048)
    ids = (*(f"school:{i}" for i in range(n_school)), *(f"stop:{k}" for k in range(n_stop)),
           NO_BASE, "home:unknown")  # fmt: skip
    drive = TravelMatrix(ids, ids, seconds, metres, source="BiRD: Manhattan at 20 mph, 0.1 s")
    stop_of = np.repeat(np.arange(n_stop), inst.students.astype(np.int64))
    n = len(stop_of)
    # Every leg of a plan is at most the longest drive, and a plan has at most two a stop.
    longest_miles = max(float(feet.max(initial=0.0)) * 0.3048 / METRES_PER_MILE, 1e-3)
    bus = VehicleType("bus", "bus", SEATS, 0, DAY_RATE,
                      0.1 * DAY_RATE / (2 * n_stop * longest_miles), n_stop,
                      n_school + n_stop)  # fmt: skip
    policy = TransportPolicy(dwell_stop_s=19 * TICKS, dwell_pupil_s=2.6 * TICKS,
                             dropoff_s=SCHOOL_S * TICKS, spot_hire_premium=0.0)  # fmt: skip
    margin = np.full(n_school, SCHOOL_S * TICKS / 60)
    return TransportProblem(
        locations=ids, drive=drive, school_ids=tuple(f"{i}" for i in range(n_school)),
        school_location=frozen(np.arange(n_school), np.int64),
        school_phase=frozen(["secondary"] * n_school, object),
        bell_min=frozen(inst.bell_s * TICKS / 60, np.int64),
        arrive_min_before=frozen(margin, float), arrive_max_before=frozen(margin, float),
        end_min=frozen(inst.bell_s * TICKS / 60 + 1, np.int64),
        school_multi=frozen(np.zeros(n_school), bool),
        stop_ids=tuple(f"{k}" for k in range(n_stop)),
        stop_location=frozen(n_school + np.arange(n_stop), np.int64),
        stop_unsafe=frozen(np.zeros(n_stop), bool),
        stop_max_pupils=frozen(np.zeros(n_stop), np.int64),
        pupil_ids=tuple(f"{k}.{j}" for k, j in zip(stop_of, _rank(stop_of), strict=True)),
        pupil_location=frozen(np.full(n, n_school + n_stop + 1), np.int64),
        pupil_school=frozen(inst.stop_school[stop_of], np.int64),
        pupil_age=frozen(np.full(n, 12), np.int64), pupil_sen=frozen(np.zeros(n), bool),
        pupil_wheelchair=frozen(np.zeros(n), bool), pupil_solo=frozen(np.zeros(n), bool),
        pupil_assistant=frozen(np.zeros(n), bool),
        pupil_max_ride_s=frozen(np.full(n, math.floor(max_ride * TICKS + 1e-9)), np.int64),
        vehicles=(bus,), policy=policy, pupil_stop=frozen(stop_of, np.int64),
    )  # fmt: skip


def _rank(keys: np.ndarray) -> np.ndarray:
    """Each entry's place among the equal keys before it (keys sorted)."""
    first = np.searchsorted(keys, keys, side="left")
    return np.arange(len(keys)) - first


def routing_params(workers: int) -> RoutingParams:
    """The council engine's settings for the benchmark: every stop one group, the
    :data:`CAPS` searches, vehicles' free times exact, half the time for the searches
    (at 80%, the council's default, the MILP of the largest instances at a 5,400 s
    limit, about 98,000 columns, had 20 s and was killed at them; at 50% it proves its
    plan in 36-45 s, BENCHMARKS.md), and the MILP stopped once its plan is proven
    within one bus."""
    return RoutingParams(stop_group_size=SEATS, ride_caps=CAPS, free_bucket_s=1,
                         generation_share=0.5,
                         multi_school=False, planner="county", workers=workers,
                         master_gap=0.0, master_gap_gbp=0.999 * DAY_RATE,
                         unserved_prize_gbp=10 * DAY_RATE)  # fmt: skip


def solve_sbrp(
    inst: SbrpInstance,
    max_ride: float,
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 1,
) -> dict:
    """The council's planner, as ``transport routes`` calls it
    (:func:`optimise.transport.routing.solve.solve`, county planner: the route pools,
    the school-by-school plan, the selection-and-chaining MILP), on the instance
    (:func:`to_problem`); its buses and routes read back as stops and checked by
    :func:`check` in BiRD's exact times."""
    problem = to_problem(inst, max_ride)
    plan = solve(problem, params=routing_params(workers), time_limit=time_limit, seed=seed,
                 workers=workers)  # fmt: skip
    first_stop = len(inst.bell_s)
    routes: list[list[int]] = []
    buses: dict[str, list[int]] = {}
    for r in sorted(plan.routes, key=lambda r: (r.start_s, r.id)):
        buses.setdefault(r.unit, []).append(len(routes))
        routes.append([v.location - first_stop for v in r.visits if v.school < 0])
    chains = list(buses.values())
    violations = check(inst, routes, chains, max_ride)
    d = plan.details
    bound = d.get("master_bound_gbp")
    return {"instance": inst.name, "max_ride_s": max_ride, "buses": len(chains),
            "routes": len(routes), "violations": len(violations),
            "first_violations": violations[:5], "bus_routes": chains,
            "route_stops": routes, "routes_generated": d.get("routes_generated", 0),
            "master_status": d.get("master_status", d.get("county_step", "not run")),
            "buses_lower_bound": (math.ceil(bound / DAY_RATE - 0.1)
                                  if isinstance(bound, int | float) else None),
            "unserved_students": len(plan.unserved),
            "searches_stopped_by_time_limit": d.get("searches_stopped_by_time_limit", 0),
            "generation_s": d.get("generation_s"), "selection_s": d.get("selection_s"),
            "wall_s": plan.runtime_s}  # fmt: skip


def check(inst: SbrpInstance, routes: list[list[int]], buses: list[list[int]],
          max_ride: float) -> list[str]:  # fmt: skip
    """Every broken rule, recomputed from the routes and buses alone."""
    out = []
    seen = sorted(s for r in routes for s in r)
    if seen != list(range(len(inst.students))):
        out.append("stops not served exactly once")
    for i, r in enumerate(routes):
        schools = {int(inst.stop_school[s]) for s in r}
        if len(schools) != 1:
            out.append(f"route {i} serves {len(schools)} schools")
        if int(inst.students[r].sum()) > SEATS:
            out.append(f"route {i} carries {int(inst.students[r].sum())} > {SEATS}")
        _, rides = _duration(inst, r)
        if max(rides) > max_ride + 1e-6:
            out.append(f"route {i}: a ride of {max(rides):.1f} s > {max_ride}")
    school = [int(inst.stop_school[r[0]]) for r in routes]
    for b, chain in enumerate(buses):
        for a, c in itertools.pairwise(chain):
            sa, sc = school[a], school[c]
            need = (inst.bell_s[sa] + _t(inst.school_xy[sa], inst.stop_xy[routes[c][0]])
                    + _duration(inst, routes[c])[0] + SCHOOL_S)  # fmt: skip
            if need > inst.bell_s[sc] + 1e-6:
                out.append(f"bus {b}: route {c} cannot follow route {a}")
        if len({school[x] for x in chain}) != len(chain):
            out.append(f"bus {b} runs two routes of one school")
    if sorted(x for c in buses for x in c) != list(range(len(routes))):
        out.append("routes not on exactly one bus")
    return out


def run_sbrp(folder: str | Path, *, max_ride: float, time_limit: float, seed: int = 0,
             workers: int = 1) -> dict:  # fmt: skip
    """``optimise bench sbrp``: read the folder, solve, check; stops named by their ids."""
    from geodata.errors import InputError

    folder = Path(folder)
    if not (folder / "Schools.txt").is_file() or not (folder / "Stops.txt").is_file():
        raise InputError(f"{folder}: expected a folder with Schools.txt and Stops.txt")
    if max_ride <= 0:
        raise InputError(f"--max-ride: expected a positive number of seconds, found {max_ride}")
    try:
        inst = read_sbrp(folder)
    except (ValueError, IndexError, KeyError) as exc:
        raise InputError(f"{folder}: not a valid instance ({exc})") from None
    result = solve_sbrp(inst, max_ride, time_limit=time_limit, seed=seed, workers=workers)
    ids = [ln.split("\t")[0] for ln in (folder / "Stops.txt").read_text().splitlines()[1:] if ln]
    result["route_stops"] = [[ids[s] for s in r] for r in result["route_stops"]]
    result["time_limit_s"] = time_limit
    return result
