"""The bus-stop-selection benchmark (``sbr1.txt``): sequential against joint.

Format (``../shared/benchmarks/README.md``): a header ``N stops, M students, W maximum
walk, Q capacity``; N stop rows ``id x y`` (stop 0 is the school); M student rows
``id x y`` (rows beyond M are stray and ignored). Every student walks (Euclidean) at
most W to a chosen stop (stop 0 excluded); routes are closed tours from the school
with at most Q students; the cost is their total Euclidean length. A stop may hold
more than Q students (its load is split over vehicles).

Both methods finish with the same router (PyVRP through
:func:`optimise.bench.vrp.solve_pyvrp`, split loads as separate visits) for the
same time, so the difference is the stop choice alone.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np

from geodata.errors import InputError
from optimise.bench.vrp import Instance, solve_pyvrp
from optimise.transport.stops.choose import choose_fewest
from optimise.transport.stops.estimate import Estimator
from optimise.transport.stops.joint import Layout, improve
from optimise.transport.stops.reach import Reach, from_arrays

__all__ = ["SbrInstance", "parse_sbr", "solve_sbr"]

#: Coordinates are scaled to integers for the router.
SCALE = 1000


class SbrInstance:
    def __init__(self, stops: np.ndarray, students: np.ndarray, walk: float, capacity: int):
        self.stops, self.students, self.walk, self.capacity = stops, students, walk, capacity
        pts = np.vstack([stops, students])
        self.metres = np.rint(np.hypot(*(pts[:, None, :] - pts[None, :, :]).T) * SCALE)
        n = len(students)
        walk_m = self.metres[len(stops) :, 1 : len(stops)]
        self.reach: Reach = from_arrays(
            walk_m, np.full(n, walk * SCALE), np.zeros(n, np.int64), home_ok=False
        )
        self.layout = Layout(
            depot=np.array([0]),
            stop=np.arange(1, len(stops)),
            home=np.arange(len(stops), len(pts)),
        )


def parse_sbr(text: str, source: str = "sbr") -> SbrInstance:
    head = re.match(r"\s*(\d+) stops, (\d+) students, ([\d.]+) maximum walk, (\d+) capacity", text)
    if head is None:
        raise ValueError(f"{source}: expected 'N stops, M students, W maximum walk, Q capacity'")
    n_stops, n_students = int(head[1]), int(head[2])
    rows = [ln.split() for ln in text.splitlines()[1:] if ln.strip()]
    xy = np.array([[float(r[1]), float(r[2])] for r in rows])
    if len(xy) < n_stops + n_students:
        raise ValueError(f"{source}: {len(xy)} rows, expected {n_stops + n_students}")
    stops, students = xy[:n_stops], xy[n_stops : n_stops + n_students]
    return SbrInstance(stops, students, float(head[3]), int(head[4]))


def _route(inst: SbrInstance, assign: np.ndarray, time_limit: float, seed: int) -> dict:
    """Route the chosen stops with PyVRP; loads above capacity become extra visits."""
    stops, loads = np.unique(assign, return_counts=True)
    nodes, demand = [0], [0]
    for s, q in zip(stops.tolist(), loads.tolist(), strict=True):
        while q > 0:
            nodes.append(int(inst.layout.stop[s]))
            demand.append(min(q, inst.capacity))
            q -= inst.capacity
    dist = inst.metres[np.ix_(nodes, nodes)].astype(np.int64)
    res = solve_pyvrp(
        Instance("sbr", dist, np.array(demand), inst.capacity, SCALE, num_vehicles=len(nodes)),
        time_limit,
        seed,
    )
    return {"cost": res["cost"], "routes": len(res["routes"]), "feasible": res["feasible"]}


def solve_sbr(
    path: str | Path, *, method: str, time_limit: float = 30.0, seed: int = 0
) -> dict[str, object]:
    """Choose stops (``sequential`` or ``joint``) and route; the headline figures
    (``optimise bench sbr``). Bad files and options raise :class:`InputError`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    if method not in ("sequential", "joint"):
        raise InputError(f"--method: expected 'sequential' or 'joint', found '{method}'")
    try:
        inst = parse_sbr(path.read_text(), str(path))
    except (ValueError, IndexError) as exc:
        raise InputError(f"{path}: not a stop-selection instance ({exc})") from None
    began = time.perf_counter()
    assign = choose_fewest(inst.reach, time_limit=time_limit / 3, seed=seed)
    details: dict[str, float] = {}
    if method == "joint":
        est = Estimator(inst.metres, inst.capacity, 0.0, 1.0 / SCALE)
        assign, details = improve(
            inst.reach, inst.layout, est, assign, time_limit=time_limit / 3, seed=seed
        )
    choose_s = time.perf_counter() - began
    routed = _route(inst, assign, time_limit / 3, seed)
    walks = inst.metres[inst.layout.home, inst.layout.stop[assign]] / SCALE
    return {
        "method": method,
        **routed,
        "stops": int(np.unique(assign).size),
        "mean_walk": round(float(walks.mean()), 2),
        "max_walk": round(float(walks.max()), 2),
        "walk_violations": int((walks > inst.walk + 1e-9).sum()),
        "choose_s": round(choose_s, 1),
        "total_s": round(time.perf_counter() - began, 1),
        **{k: round(v, 1) for k, v in details.items()},
    }
