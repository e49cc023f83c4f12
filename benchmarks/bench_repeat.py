"""Does the same transport plan come back? The default morning run, twice per setting.

Run on purpose, from the repository root:

    python benchmarks/bench_repeat.py --iterations 500 2000 [--time-limit 120]

For each ``max_iterations`` (PyVRP iterations per school; 0 = stop on the time limit
only) the default data's morning plan is solved twice with the same seed, and the table
shows wall time, annual cost, pupils carried, vehicles and whether the summary says the
plan is repeatable (no school's search was stopped by the clock).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geodata.default import load_default
from optimise.transport.routing.solve import solve
from optimise.transport.run import build_problem


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, nargs="+", default=[500, 2000])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    data = load_default(2026)
    problem, routing = build_problem(data.pupils, data.schools, data.stops, data.fleet)
    print(f"load average before: {os.getloadavg()[0]:.2f}\n")
    print("| max_iterations | run | wall s | annual cost £ | carried | vehicles | repeatable |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for n in args.iterations:
        params = dataclasses.replace(routing, max_iterations=n)
        for run in (1, 2):
            start = time.perf_counter()
            s = solve(problem, params=params, time_limit=args.time_limit, seed=args.seed).summary()
            print(
                f"| {n} | {run} | {time.perf_counter() - start:.1f} | {s['annual_cost_gbp']:,.0f} "
                f"| {s['pupils_served']} | {s['vehicles']} | {s['repeatable']} |",
                flush=True,
            )
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
