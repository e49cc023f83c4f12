"""Public routing benchmarks: CVRPLIB X (VRPLIB) and Solomon VRPTW instances.

Both are solved by the engine's routing back end (PyVRP's hybrid genetic search, the
same back end :func:`optimise.transport.solve` calls per school) and, for comparison,
by OR-Tools routing with guided local search (:func:`solve_ortools`).

Solomon distances follow the DIMACS convention of ``../shared/benchmarks/README.md``:
each arc is the Euclidean distance truncated to one decimal. Internally every figure
is scaled by 10 so that the solvers see integers; costs are reported unscaled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyvrp
import vrplib
from pyvrp.stop import MaxRuntime

from geodata.errors import InputError
from geodata.write import Staging, write_json

__all__ = [
    "Instance",
    "parse_solomon",
    "read_instance",
    "run_bench",
    "solve_ortools",
    "solve_pyvrp",
]


@dataclass(frozen=True, eq=False)
class Instance:
    """A CVRP or VRPTW instance as integer matrices; node 0 is the depot."""

    name: str
    distance: np.ndarray  # scaled integers
    demand: np.ndarray
    capacity: int
    scale: float = 1.0  # reported cost = integer cost / scale
    tw: np.ndarray | None = None  # (n, 2), scaled
    service: np.ndarray | None = None  # scaled
    num_vehicles: int = 0


def parse_solomon(text: str, name: str = "") -> Instance:
    """Parse the Solomon text of the benchmarks README (line 1 ``n capacity``)."""
    lines = [ln.split() for ln in text.strip().splitlines() if ln.strip()]
    n, capacity = int(lines[0][0]), int(lines[0][1])
    rows = np.array([[float(v) for v in ln] for ln in lines[1 : n + 2]])
    xy = rows[:, 1:3]
    euclid = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    # Truncate to one decimal, then scale by 10: the small epsilon undoes float noise
    # such as 2.9999999 for an exact 3.0.
    dist = np.floor(euclid * 10 + 1e-9).astype(np.int64)
    return Instance(
        name=name,
        distance=dist,
        demand=rows[:, 3].astype(np.int64),
        capacity=capacity,
        scale=10.0,
        tw=np.rint(rows[:, 4:6] * 10).astype(np.int64),
        service=np.rint(rows[:, 6] * 10).astype(np.int64),
        num_vehicles=n,
    )


def read_instance(path: str | Path) -> Instance:
    """Read a ``.vrp`` (VRPLIB, distances rounded) or Solomon ``.txt`` file."""
    path = Path(path)
    if path.suffix == ".txt":
        return parse_solomon(path.read_text(encoding="utf-8"), path.stem)

    inst = vrplib.read_instance(str(path))
    xy = np.asarray(inst["node_coord"], dtype=float)
    euclid = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    demand = np.asarray(inst["demand"], dtype=np.int64)
    return Instance(
        name=path.stem,
        distance=np.rint(euclid).astype(np.int64),
        demand=demand,
        capacity=int(inst["capacity"]),
        num_vehicles=len(demand) - 1,
    )


def _pyvrp_data(inst: Instance):
    n = len(inst.demand)
    tw = inst.tw if inst.tw is not None else np.zeros((n, 2), dtype=np.int64)
    horizon = int(tw[0, 1]) if inst.tw is not None else np.iinfo(np.int64).max
    service = inst.service if inst.service is not None else np.zeros(n, dtype=np.int64)
    locations = [pyvrp.Location(0, 0) for _ in range(n)]
    depot = pyvrp.Depot(0, tw_early=int(tw[0, 0]), tw_late=horizon)
    clients = [
        pyvrp.Client(
            i,
            delivery=[int(inst.demand[i])],
            service_duration=int(service[i]),
            tw_early=int(tw[i, 0]),
            tw_late=int(tw[i, 1]) if inst.tw is not None else np.iinfo(np.int64).max,
        )
        for i in range(1, n)
    ]
    vt = pyvrp.VehicleType(
        num_available=inst.num_vehicles,
        capacity=[inst.capacity],
        tw_early=int(tw[0, 0]),
        tw_late=horizon,
    )
    dist = np.ascontiguousarray(inst.distance, dtype=np.int64)
    duration = dist if inst.tw is not None else np.zeros_like(dist)
    # pyvrp's stubs type the matrices as np.ndarray[int], which no array matches
    return pyvrp.ProblemData(locations, clients, [depot], [vt], [dist], [duration])  # type: ignore[list-item]


def solve_pyvrp(inst: Instance, time_limit: float, seed: int = 0) -> dict:
    """Solve with PyVRP (the engine's back end); ``{"cost", "routes", "feasible"}``."""
    res = pyvrp.solve(_pyvrp_data(inst), stop=MaxRuntime(time_limit), seed=seed)
    best = res.best
    routes = [[a.idx + 1 for a in r if a.is_client()] for r in best.routes()]
    return {
        "cost": round(best.distance() / inst.scale, 1),
        "routes": routes,
        "feasible": bool(best.is_feasible()),
    }


def solve_ortools(inst: Instance, time_limit: float) -> dict:
    """Solve with OR-Tools routing, guided local search; same output as PyVRP's."""
    # lazy: OR-Tools only for this comparison (it shares a process with HiGHS at pinned versions)
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = len(inst.demand)
    dist = inst.distance.tolist()
    service = (inst.service if inst.service is not None else np.zeros(n, int)).tolist()
    demand = inst.demand.tolist()
    manager = pywrapcp.RoutingIndexManager(n, inst.num_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def arc(i: int, j: int) -> int:
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    arc_cb = routing.RegisterTransitCallback(arc)
    routing.SetArcCostEvaluatorOfAllVehicles(arc_cb)
    demand_cb = routing.RegisterUnaryTransitCallback(lambda i: demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(
        demand_cb, 0, [inst.capacity] * inst.num_vehicles, True, "load"
    )
    if inst.tw is not None:

        def timed(i: int, j: int) -> int:
            a = manager.IndexToNode(i)
            return service[a] + dist[a][manager.IndexToNode(j)]

        time_cb = routing.RegisterTransitCallback(timed)
        horizon = int(inst.tw[0, 1])
        routing.AddDimension(time_cb, horizon, horizon, False, "time")
        dim = routing.GetDimensionOrDie("time")
        for node in range(1, n):
            dim.CumulVar(manager.NodeToIndex(node)).SetRange(
                int(inst.tw[node, 0]), int(inst.tw[node, 1])
            )
        for v in range(inst.num_vehicles):
            dim.CumulVar(routing.Start(v)).SetRange(int(inst.tw[0, 0]), horizon)
            dim.CumulVar(routing.End(v)).SetRange(int(inst.tw[0, 0]), horizon)
    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    search.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    search.time_limit.FromMilliseconds(int(time_limit * 1000))
    sol = routing.SolveWithParameters(search)
    if sol is None:
        return {"cost": None, "routes": [], "feasible": False}
    routes = []
    for v in range(inst.num_vehicles):
        idx, route = routing.Start(v), []
        idx = sol.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            route.append(manager.IndexToNode(idx))
            idx = sol.Value(routing.NextVar(idx))
        if route:
            routes.append(route)
    cost = sum(inst.distance[a, b] for r in routes for a, b in zip([0, *r], [*r, 0], strict=True))
    return {"cost": round(cost / inst.scale, 1), "routes": routes, "feasible": True}


def run_bench(
    path: str | Path,
    *,
    kind: str,
    time_limit: float,
    seed: int = 0,
    out: str | Path | None = None,
) -> dict:
    """``optimise bench cvrp|vrptw``: read, solve with the engine, optionally write.

    Returns ``{"cost", "routes", "feasible", ...}``; with ``out``, also
    ``out/summary.json``. The cost is the total distance (Solomon: one decimal).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    expected = ".vrp" if kind == "cvrp" else ".txt"
    if path.suffix != expected:
        raise InputError(f"{path}: expected a {expected} file for 'bench {kind}'")
    try:
        inst = read_instance(path)
    except (ValueError, IndexError, KeyError) as exc:
        raise InputError(f"{path}: not a valid {kind} instance ({exc})") from None
    result = solve_pyvrp(inst, time_limit, seed)
    summary = {
        "instance": inst.name,
        "kind": kind,
        "cost": result["cost"],
        "vehicles": len(result["routes"]),
        "feasible": result["feasible"],
        "time_limit_s": time_limit,
        "seed": seed,
        "routes": result["routes"],
    }
    if out is not None:
        with Staging(out) as stage:
            write_json(Path(stage.path) / "summary.json", summary)
    return summary
