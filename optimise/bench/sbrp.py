"""Multi-school bus routing and scheduling (Park, Tae & Kim 2012) under BiRD's definition.

The definition is the one written in ``../shared/benchmarks/README.md``: Manhattan
distance at 20 mph, 19 s + 2.6 s a student at a stop, 154.4 s at school, 66 seats, one
school a route, ride limit from leaving a stop to reaching school, bell = AMEARLY read
as H:MM, and chaining rule ``bell(A) + drive(A → first stop of r) + duration(r) + 154.4
≤ bell(B)``. Objective: buses.

Method (the county planner's, :mod:`optimise.transport.routing.master`): a pool of
routes per school, from one PyVRP search per ride cap in :data:`CAPS` (the ride limit ×
1 down to × 0.4: shorter routes chain more easily, at the price of more of them), all
schools and caps spread over the cores (:mod:`optimise.transport.routing.pool`); then
one MILP chooses, per school, which routes of the pool to run (any mix of the searches'
routes that serves each stop once) and chains them into buses across the bell times,
with the fewest buses and, among those, the least time on the road. The search's
encoding is :mod:`optimise.transport.routing._school`'s (ride limit as a pick-up window
before the arrival ``bell − 154.4``; a vehicle costs far more than a second, so each
search first minimises routes, then their duration). A bus free at school A at A's bell
can run route r next when it reaches r's first stop in time: the MILP links schools to
routes, not routes to routes, which is exact and small. :func:`check` recomputes every
time and load from the routes alone.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SbrpInstance", "check", "read_sbrp", "solve_sbrp"]

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


def _route_school(inst: SbrpInstance, task: tuple) -> tuple[list[list[int]], bool]:
    """One school's routes at one ride cap; and whether the clock stopped the search."""
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    school, stops, max_ride, iterations, time_limit, seed, deadline = task
    time_limit = max(0.05, min(time_limit, deadline - time.monotonic()))

    # Ten units a second, travel rounded up: a plan feasible here is feasible in floats.
    xy = np.vstack([inst.school_xy[school][None, :], inst.stop_xy[stops]])
    man = np.abs(xy[:, None, 0] - xy[None, :, 0]) + np.abs(xy[:, None, 1] - xy[None, :, 1])
    dur = np.ceil(man / SPEED_FT_S * 10).astype(np.int64)
    n = len(stops)
    # Locations: 0 yard (free to anywhere: yard legs are unlimited), 1 school, 2.. stops.
    full = np.zeros((n + 2, n + 2), dtype=np.int64)
    full[1:, 1:] = dur
    full[1:, 0] = 0
    arrive = 0  # the school's arrival, relative: bell − 154.4 s
    clients = []
    for k, s in enumerate(stops):
        service = math.ceil(_stop_s(int(inst.students[s])) * 10)
        clients.append(pyvrp.Client(k + 2, pickup=[int(inst.students[s])],
                                    service_duration=service,
                                    tw_early=int(arrive - max_ride * 10) - service + 10**7,
                                    tw_late=arrive + 10**7))  # fmt: skip
    vt = pyvrp.VehicleType(n, capacity=[SEATS], start_depot=0, end_depot=1,
                           fixed_cost=10**9, tw_late=arrive + 10**7,
                           unit_distance_cost=0, unit_duration_cost=1)  # fmt: skip
    locs = [pyvrp.Location(0, 0) for _ in range(n + 2)]
    # pyvrp's stubs type the matrices as np.ndarray[int], which no array matches
    data = pyvrp.ProblemData(locs, clients, [pyvrp.Depot(0), pyvrp.Depot(1)], [vt], [full], [full])  # type: ignore[list-item]
    params = pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=1e9))
    stop = MultipleCriteria([MaxIterations(iterations), MaxRuntime(time_limit)])
    res = pyvrp.solve(data, stop=stop, seed=seed, params=params)
    best = res.best
    # Keep the feasible routes; a stop left on an infeasible one (rare, at tiny time
    # limits) gets a route of its own, which the checker then judges like any other.
    routes = [[stops[a.idx] for a in r if a.is_client()] for r in best.routes()
              if r.is_feasible()]  # fmt: skip
    done = {s for r in routes for s in r}
    return routes + [[s] for s in stops if s not in done], res.num_iterations < iterations


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


def _chains(inst: SbrpInstance, routes: list[list[int]]) -> list[list[int]]:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    school = np.array([int(inst.stop_school[r[0]]) for r in routes])
    dur = np.array([_duration(inst, r)[0] for r in routes])
    first = inst.stop_xy[[r[0] for r in routes]]
    sxy, bell = inst.school_xy[school], inst.bell_s[school]
    # need[a, b]: when route b would finish at its school if its bus first served a.
    drive = np.abs(sxy[:, None, 0] - first[None, :, 0]) + np.abs(
        sxy[:, None, 1] - first[None, :, 1]
    )
    need = bell[:, None] + drive / SPEED_FT_S + dur[None, :] + SCHOOL_S
    ok = (need <= bell[None, :]) & (school[:, None] != school[None, :])
    rows, cols = np.nonzero(ok)
    n = len(routes)
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    match = maximum_bipartite_matching(graph, perm_type="column")
    nxt = {a: int(b) for a, b in enumerate(match) if b >= 0}
    starts = set(range(n)) - set(nxt.values())
    buses = []
    for s in sorted(starts):
        chain = [s]
        while chain[-1] in nxt:
            chain.append(nxt[chain[-1]])
        buses.append(chain)
    return buses


#: Ride caps the generation routes each school with (× the ride limit): shorter routes
#: chain more easily, at the price of more of them; the master mixes them per school.
CAPS = (1.0, 0.85, 0.7, 0.55, 0.4)
#: Iterations of each search: a 30-stop school's search settles well before this
#: (1,000 and 3,000 gave the same routes on RSRB08's largest school).
ITERATIONS = 1000
#: The share of the time limit the searches may take (the MILP has the rest).
GENERATION_SHARE = 0.5


def solve_sbrp(
    inst: SbrpInstance,
    max_ride: float,
    *,
    time_limit: float,
    seed: int = 0,
    caps: tuple[float, ...] = CAPS,
    workers: int = 1,
) -> dict:
    """The county planner's method on a benchmark: a pool of routes per school (one
    search per ride cap, on ``workers`` cores), then the master problem
    (:mod:`optimise.transport.routing.master`) chooses routes and chains them into the
    fewest buses."""
    from optimise.transport.routing.master import Candidate, Links, select_and_chain
    from optimise.transport.routing.pool import run_tasks

    began = time.perf_counter()
    per_school = {s: np.flatnonzero(inst.stop_school == s).tolist()
                  for s in np.argsort(inst.bell_s, kind="stable")}  # fmt: skip
    total = sum(len(p) for p in per_school.values()) or 1
    share = GENERATION_SHARE * time_limit * max(1, workers) / len(caps)
    # No search runs past this: the MILP keeps its share of the time on a loaded machine.
    deadline = time.monotonic() + GENERATION_SHARE * time_limit
    tasks = [(int(s), stops, max_ride * cap, ITERATIONS,
              max(0.05, share * len(stops) / total), seed + k, deadline)
             for s, stops in per_school.items() if stops for k, cap in enumerate(caps)]  # fmt: skip
    done = run_tasks(_route_school, inst, tasks, workers)
    generated = time.perf_counter() - began
    pool: dict[tuple[int, ...], int] = {}
    first: list[list[int]] = []  # the routes at the true limit (cap 0): the start's
    for task, (routes, _) in zip(tasks, done, strict=True):
        for r in routes:
            pool.setdefault(tuple(r), len(pool))
            if task[5] == seed:
                first.append(r)
    routes = [list(r) for r in pool]
    end, head, drive = _links(inst, routes)
    # A bus costs 1; time on the road (routes and empty drives) breaks ties, at a
    # weight small enough that all of it together is worth less than a fifth of a bus.
    cands = [Candidate(tuple(r), 0, _duration(inst, r)[0] * 1e-9, 1.0,
                       int(inst.stop_school[r[0]])) for r in routes]  # fmt: skip
    links = Links(end, head, drive * 1e-9)
    # The start: the routes at the true limit, chained alone (a minimum path cover).
    start = [[pool[tuple(first[i])] for i in bus] for bus in _chains(inst, first)]
    left = time_limit - (time.perf_counter() - began) - 0.5
    master = select_and_chain(len(inst.students), cands, links, [math.inf],
                              time_limit=left, seed=seed, start=start, gap_abs=0.999)  # fmt: skip
    chosen = sorted({r for bus in master.vehicles for r in bus})
    index = {r: i for i, r in enumerate(chosen)}
    buses = [[index[r] for r in bus] for bus in master.vehicles]
    routes = [routes[r] for r in chosen]
    violations = check(inst, routes, buses, max_ride)
    return {"instance": inst.name, "max_ride_s": max_ride, "buses": len(buses),
            "routes": len(routes), "violations": len(violations),
            "first_violations": violations[:5], "bus_routes": buses,
            "route_stops": routes, "routes_generated": len(pool),
            "master_status": master.status, "master_gap": _gap(master),
            "buses_lower_bound": _lower_bound(master), "links": len(end),
            "searches_stopped_by_time_limit": sum(t for _, t in done),
            "generation_s": round(generated, 2), "selection_s": master.seconds}  # fmt: skip


def _gap(master) -> float:
    """The proven gap on buses: (found − lower bound) / found."""
    if not master.vehicles:
        return math.nan
    found = len(master.vehicles)
    return round((found - _lower_bound(master)) / found, 4)


def _lower_bound(master) -> int:
    """Fewest buses possible: the bound less the tie-break weights (under 0.2 in all)."""
    return math.ceil(master.bound - 0.2) if math.isfinite(master.bound) else 0


def _links(inst: SbrpInstance, routes: list[list[int]]) -> tuple[np.ndarray, ...]:
    """Which route a bus free at each school (at its bell) can run next, by BiRD's
    chaining rule; and the empty drive (s)."""
    school = np.array([int(inst.stop_school[r[0]]) for r in routes])
    dur = np.array([_duration(inst, r)[0] for r in routes])
    first = inst.stop_xy[[r[0] for r in routes]]
    sxy, bell = inst.school_xy, inst.bell_s
    drive = (np.abs(sxy[:, None, 0] - first[None, :, 0])
             + np.abs(sxy[:, None, 1] - first[None, :, 1])) / SPEED_FT_S  # fmt: skip
    ok = bell[:, None] + drive + dur[None, :] + SCHOOL_S <= bell[school][None, :]
    end, head = np.nonzero(ok)
    return end, head, drive[end, head]


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
