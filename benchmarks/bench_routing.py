"""Routing benchmarks (issue #3): CVRPLIB X and Solomon VRPTW, gap to BKS, side by side.

Run on purpose (not by the test command), from the repository root with ../shared
beside it:

    python benchmarks/bench_routing.py --time-limit 30 [--only cvrp,vrptw,transport]
    python benchmarks/bench_routing.py --only multischool --transport-time-limit 60

Columns: the engine (``optimise bench cvrp|vrptw``: our instance construction on
PyVRP's hybrid genetic search), plain PyVRP (``pyvrp.read`` + ``pyvrp.solve``; X only,
since PyVRP's reader does not take this Solomon layout) and plain OR-Tools routing with
guided local search, all at the same time limit, one after the other in one process.
The transport row solves the default Northumberland data with ``optimise transport
routes``' run function. Prints markdown tables ready for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimise.bench.vrp import read_instance, solve_ortools, solve_pyvrp  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
BKS_X = {
    "X-n101-k25": 27591, "X-n106-k14": 26362, "X-n110-k13": 14971, "X-n120-k6": 13332,
    "X-n148-k46": 43448, "X-n190-k8": 16980, "X-n200-k36": 58578, "X-n219-k73": 117595,
    "X-n256-k16": 18839, "X-n303-k21": 21736, "X-n331-k15": 31102, "X-n393-k38": 38260,
}  # fmt: skip
BKS_SOLOMON = {
    "C103": 826.3, "C202": 589.1, "R101": 1637.7, "R201": 1143.2, "RC101": 1619.8,
    "RC201": 1261.8,
}  # fmt: skip


def _gap(cost: float | None, bks: float) -> float | None:
    return None if cost is None else 100.0 * (cost - bks) / bks


def _fmt(gap: float | None) -> str:
    return "n/a" if gap is None else f"{gap:.2f}%"


def _plain_pyvrp(path: Path, time_limit: float, seed: int) -> float:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    data = pyvrp.read(path, round_func="round")
    return float(pyvrp.solve(data, stop=MaxRuntime(time_limit), seed=seed).best.distance())


def bench_set(kind: str, names: list[str], time_limit: float, seed: int) -> list[str]:
    bks = BKS_X if kind == "cvrp" else BKS_SOLOMON
    ext = ".vrp" if kind == "cvrp" else ".txt"
    head = "| instance | BKS | engine | gap | plain PyVRP | gap | OR-Tools GLS | gap |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    gaps: dict[str, list[float]] = {"engine": [], "pyvrp": [], "ortools": []}
    for name in names:
        path = SHARED / kind / f"{name}{ext}"
        inst = read_instance(path)
        engine = solve_pyvrp(inst, time_limit, seed)
        # Solomon: plain PyVRP is the engine's own construction (see the docstring).
        plain = _plain_pyvrp(path, time_limit, seed) if kind == "cvrp" else None
        ort = solve_ortools(inst, time_limit)
        row = {"engine": engine["cost"] if engine["feasible"] else None, "pyvrp": plain}
        row["ortools"] = ort["cost"] if ort["feasible"] else None
        for key, cost in row.items():
            g = _gap(cost, bks[name])
            if g is not None:
                gaps[key].append(g)
        lines.append(
            f"| {name} | {bks[name]} | {row['engine']} | {_fmt(_gap(row['engine'], bks[name]))} "
            f"| {row['pyvrp'] if plain is not None else '= engine'} "
            f"| {_fmt(_gap(plain, bks[name])) if plain is not None else ''} "
            f"| {row['ortools']} | {_fmt(_gap(row['ortools'], bks[name]))} |"
        )
        print(lines[-1], flush=True)
    mean = {k: (statistics.mean(v) if v else None) for k, v in gaps.items()}
    lines.append(
        f"| **mean** | | | **{_fmt(mean['engine'])}** | | {_fmt(mean['pyvrp'])} | "
        f"| {_fmt(mean['ortools'])} |"
    )
    return lines


def _transport_row(time_limit: float, seed: int, scale: int) -> str:
    import dataclasses
    import resource
    import tempfile

    started = time.perf_counter()
    if scale == 1:  # end to end, as ``optimise transport routes`` runs it
        from optimise.transport.run import run_routes

        with tempfile.TemporaryDirectory() as tmp:
            s = run_routes(Path(tmp), time_limit=time_limit, seed=seed, run="am")
        what = "default (3,000 pupils, 60 schools), end to end"
    else:  # the same problem with every fleet row's count multiplied
        from geodata.default import load_default
        from geodata.providers import StraightLine
        from models.transport import TransportProblem
        from optimise.transport import solve

        d = load_default()
        prob = TransportProblem.from_geodata(d.pupils, d.schools, d.stops, d.fleet, StraightLine())
        vehicles = tuple(
            dataclasses.replace(v, available=v.available * scale) for v in prob.vehicles
        )
        s = solve(prob.replace(vehicles=vehicles), time_limit=time_limit, seed=seed).summary()
        what = f"default, every fleet count x{scale} (solve only)"
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"| {what} | {time_limit:g} | {elapsed:.1f} | {peak:.0f} | {s['vehicles']} | {s['routes']} "
        f"| {s['daily_cost_gbp']:,.0f} | {s['annual_cost_gbp']:,.0f} | {s['pupils_served']} "
        f"| {s['pupils_unserved']} | {s['mean_ride_minutes']} | {s['p95_ride_minutes']} "
        f"| {s['ride_limit_violations']} |"
    )


def bench_transport(time_limit: float, seed: int, scales: list[int]) -> list[str]:
    lines = [
        "| data | time limit s | wall s | peak RSS MB (process) | vehicles | routes | daily £ "
        "| annual £ | served | unserved | mean ride min | p95 ride min | ride violations |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale in scales:
        lines.append(_transport_row(time_limit, seed, scale))
        print(lines[-1], flush=True)
    return lines


def _rebuilt(problem, result):
    """The result's routes rebuilt into checks (second trips from their depot, day rate
    paid once per vehicle), as :func:`solve` had them before its joins."""
    from optimise.transport.routing.schedule import build_route

    checks, paid = [], set()
    for r in sorted(result.routes, key=lambda r: (r.start_s, r.id)):
        stops = [(v.location, v.pupils) for v in r.visits if v.school < 0]
        checks.append(build_route(
            problem, r.id, r.vehicle, stops, start_location=None if r.depot < 0 else r.depot,
            day_rate_due=r.unit == r.id, assistant_paid=r.unit in paid, unit=r.unit,
            arrive_by=r.visits[-1].arrive_s,
        ))  # fmt: skip
        if r.assistant:
            paid.add(r.unit)
    return checks


def bench_multischool(time_limit: float, seed: int) -> list[str]:
    """Default data: the per-school plan, the same plan after the multi-school joins,
    a fresh solve with joins on, and the afternoon run."""
    import dataclasses

    from geodata.default import load_default
    from optimise.transport import solve
    from optimise.transport.routing.afternoon import solve_pm
    from optimise.transport.routing.merge import merge_schools
    from optimise.transport.run import build_problem, day_totals

    d = load_default()
    problem, params = build_problem(d.pupils, d.schools, d.stops, d.fleet)
    off = dataclasses.replace(params, multi_school=False)
    lines = [
        "| plan | time limit s | wall s | vehicles | routes | multi-school routes | daily £ "
        "| annual £ | served | ride violations |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(what, wall, routes, daily, served, viol, vehicles):
        multi = sum(len(r.schools) > 1 for r in routes)
        lines.append(
            f"| {what} | {time_limit:g} | {wall:.1f} | {vehicles} | {len(routes)} | {multi} "
            f"| {daily:,.0f} | {daily * 190:,.0f} | {served} | {viol} |"
        )
        print(lines[-1], flush=True)

    t = time.perf_counter()
    base = solve(problem, params=off, time_limit=time_limit, seed=seed)
    wall = time.perf_counter() - t
    s = base.summary()
    row("per school, no joins", wall, base.routes, base.daily_cost, s["pupils_served"],
        s["ride_limit_violations"], s["vehicles"])  # fmt: skip
    checks = _rebuilt(problem, base)
    assert abs(sum(c.route.daily_cost for c in checks) - base.daily_cost) < 0.01
    t = time.perf_counter()
    joined, n = merge_schools(problem, checks)
    wall = time.perf_counter() - t
    assert not any(c.violations for c in joined)
    what = f"same plan + joins/chains ({n['joins']} joins, {n['chains']} chains; wall: the step)"
    row(what, wall, [c.route for c in joined],
        sum(c.route.daily_cost for c in joined), s["pupils_served"],
        sum(len(c.over_limit) for c in joined), len({c.route.unit for c in joined}))  # fmt: skip
    t = time.perf_counter()
    on = solve(problem, params=params, time_limit=time_limit, seed=seed)
    wall = time.perf_counter() - t
    s = on.summary()
    made = on.details
    row(f"solve with joins/chains (default; {made['multi_school_joins']} joins, "
        f"{made['chained_pairs']} chains)", wall, on.routes, on.daily_cost, s["pupils_served"],
        s["ride_limit_violations"], s["vehicles"])  # fmt: skip
    t = time.perf_counter()
    pm = solve_pm(problem, params=params, time_limit=time_limit, seed=seed)
    wall = time.perf_counter() - t
    s = pm.summary()
    made = pm.details
    row(f"afternoon run (solve_pm; {made['multi_school_joins']} joins, "
        f"{made['chained_pairs']} chains)", wall, pm.routes, pm.daily_cost,
        s["pupils_served"], s["ride_limit_violations"], s["vehicles"])  # fmt: skip
    day = day_totals(problem, on, pm)
    lines.append(f"\nDay (morning + afternoon, one day rate per vehicle running both): "
                 f"{day['total_vehicles']} vehicles, £{day['total_daily_cost_gbp']:,.0f} a day, "
                 f"£{day['total_annual_cost_gbp']:,.0f} a year")  # fmt: skip
    print(lines[-1], flush=True)
    return lines


BIRD = {
    ("RSRB", 2700): [31, 30, 55, 63, 100, 104, 164, 175],
    ("CSCB", 2700): [33, 37, 65, 69, 143, 141, 206, 188],
    ("RSRB", 5400): [31, 26, 50, 50, 91, 76, 152, 154],
    ("CSCB", 5400): [30, 28, 51, 48, 121, 116, 163, 140],
}


def bench_sbrp(
    time_limit: float, seed: int, names: set[str], rides: set[int], workers: int
) -> list[str]:
    """Each instance through `solve_sbrp`: the council engine's county planner (the
    school-by-school plan, the route pools, the MILP) on the instance, then the
    benchmark's own checker."""
    from optimise.bench.sbrp import read_sbrp, solve_sbrp

    lines = [
        "| instance | T s | BiRD buses | engine buses | lower bound (pool) | routes | pool "
        "| master | violations (checker) | students not carried | searches cut by time "
        "| generation / MILP s | wall s |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|",
    ]
    totals = [0, 0]
    over = []
    for (family, limit), bird in BIRD.items():
        for i, target in enumerate(bird, start=1):
            name = f"{family}{i:02d}"
            if (names and name not in names) or limit not in rides:
                continue
            inst = read_sbrp(SHARED / "sbrp" / name)
            started = time.perf_counter()
            r = solve_sbrp(inst, limit, time_limit=time_limit, seed=seed, workers=workers)
            totals[0] += target
            totals[1] += r["buses"]
            mark = "" if r["buses"] <= target else f" (+{r['buses'] - target})"
            if mark:
                over.append(f"{name}@{limit}")
            lines.append(
                f"| {name} | {limit} | {target} | {r['buses']}{mark} | {r['buses_lower_bound']} "
                f"| {r['routes']} | {r['routes_generated']} | {r['master_status']} "
                f"| {r['violations']} | {r['unserved_students']} "
                f"| {r['searches_stopped_by_time_limit']} "
                f"| {r['generation_s']} / {r['selection_s']} "
                f"| {time.perf_counter() - started:.1f} |"
            )
            print(lines[-1], flush=True)
    lines.append(f"| total | | {totals[0]} | {totals[1]} | | | | | | | | | |")
    lines.append(f"\nMore buses than BiRD: {', '.join(over) or 'none'}.")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--transport-time-limit", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="cvrp,vrptw,transport")
    ap.add_argument("--max-rides", default="2700,5400", help="sbrp ride limits, seconds")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="sbrp: processes")
    ap.add_argument("--fleet-scales", default="1", help="transport rows: fleet multipliers")
    ap.add_argument("--instances", default="", help="comma-separated subset of names")
    args = ap.parse_args()
    only = set(args.only.split(","))
    subset = set(filter(None, args.instances.split(",")))
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}; "
        f"date {date.today().isoformat()}; time limit {args.time_limit:g} s per solver "
        f"and instance; seed {args.seed}\n"
    )
    for kind, bks in (("cvrp", BKS_X), ("vrptw", BKS_SOLOMON)):
        if kind in only:
            names = [n for n in bks if not subset or n in subset]
            print(f"\n### {kind}\n", flush=True)
            table = bench_set(kind, names, args.time_limit, args.seed)
            print("\n" + "\n".join(table), flush=True)
    if "sbrp" in only:
        print("\n### sbrp\n", flush=True)
        rides = {int(x) for x in args.max_rides.split(",")}
        table = bench_sbrp(args.time_limit, args.seed, subset, rides, args.workers)
        print("\n" + "\n".join(table), flush=True)
    if "multischool" in only:
        print("\n### multi-school joins and the afternoon run (default data)\n", flush=True)
        table = bench_multischool(args.transport_time_limit, args.seed)
        print("\n" + "\n".join(table), flush=True)
    if "transport" in only:
        print("\n### transport (default data)\n", flush=True)
        scales = [int(x) for x in args.fleet_scales.split(",")]
        table = bench_transport(args.transport_time_limit, args.seed, scales)
        print("\n" + "\n".join(table), flush=True)


if __name__ == "__main__":
    main()
