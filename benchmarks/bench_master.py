"""The county MILP with and without HiGHS's presolve, on the same pools (issue #14).

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_master.py --time-limit 120 [--pools default,RSRB08@2700]
        [--rounds 1] [--pool-time-limit 300]

Builds each pool once: ``default`` is the embedded data's morning run (the planner of
``transport routes``, :func:`optimise.transport.routing.solve.solve`, with
``--pool-time-limit``, the MILP call recorded instead of run); ``NAME@RIDE`` is a school-bus benchmark instance
from ``../shared/benchmarks/sbrp`` stated by :func:`optimise.bench.sbrp.to_problem`
(120 s, as ``bench sbrp`` runs it). Then solves the MILP of each pool with presolve on
and off, alternately, ``--rounds`` times, each in its own child process killed at
``--time-limit`` (as the planner runs it), with the planner's own gaps, and prints one
markdown row per solve: status, vehicles, cost and bound (the MILP's terms), the gap,
HiGHS's seconds and the wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.default import load_default  # noqa: E402
from optimise.bench import sbrp  # noqa: E402
from optimise.transport.routing import county  # noqa: E402
from optimise.transport.routing.master import select_and_chain  # noqa: E402
from optimise.transport.routing.solve import solve  # noqa: E402
from optimise.transport.run import build_problem  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks" / "sbrp"


class _Recorded(Exception):
    """Raised by the recorder once the planner has built its MILP's input."""


def pool(name: str, pool_time_limit: float, seed: int) -> tuple[tuple, dict]:
    """The MILP's arguments as the county planner builds them for ``name``."""
    if name == "default":
        data = load_default()
        problem, params = build_problem(data.pupils, data.schools, data.stops, data.fleet)
        limit = pool_time_limit
    else:
        inst, ride = name.split("@")
        problem = sbrp.to_problem(sbrp.read_sbrp(SHARED / inst), float(ride))
        params, limit = sbrp.routing_params(2), 120.0
    seen: dict = {}

    def record(*args, **kwargs):
        seen["call"] = (args, kwargs)
        raise _Recorded

    real = county.select_and_chain
    county.select_and_chain = record
    try:
        solve(problem, params=params, time_limit=limit, seed=seed, workers=2)
    except _Recorded:
        pass
    finally:
        county.select_and_chain = real
    return seen["call"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--pools", default="default,RSRB08@2700")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--pool-time-limit", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; date {date.today().isoformat()}; MILP time limit "
          f"{args.time_limit:g} s\n")  # fmt: skip
    print("| pool | columns | presolve | status | vehicles | cost | bound | gap | HiGHS s "
          "| wall s |\n|---|---:|---|---|---:|---:|---:|---:|---:|---:|")  # fmt: skip
    for name in args.pools.split(","):
        began = time.perf_counter()
        call_args, kwargs = pool(name, args.pool_time_limit, args.seed)
        print(f"<!-- {name}: pool built in {time.perf_counter() - began:.0f} s -->", flush=True)
        kwargs = {**kwargs, "time_limit": args.time_limit}
        for _ in range(args.rounds):
            for presolve in (True, False):
                began = time.perf_counter()
                r = select_and_chain(*call_args, **kwargs, presolve=presolve)
                print(f"| {name} | {r.columns} | {'on' if presolve else 'off'} | {r.status} "
                      f"| {len(r.vehicles)} | {r.objective:,.1f} | {r.bound:,.1f} "
                      f"| {r.gap:.4f} | {r.seconds} | {time.perf_counter() - began:.1f} |",
                      flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
