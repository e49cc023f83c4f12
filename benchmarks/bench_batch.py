"""Batch benchmark: N scenarios on a 2-worker LocalCluster against the same run serially.

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_batch.py [--scenarios 32] [--workers 2] [--time-limit 10]
    python benchmarks/bench_batch.py --problem transport --time-limit 120 [--iterations 100]
    python benchmarks/bench_batch.py --ranking-steps 6       # estate with the CLI's ranking
    python benchmarks/bench_batch.py --problem sleep         # the machinery alone

Both runs go through ``optimise.batch.run_batch`` (records, tables, scenario folders);
the serial one runs every scenario in this process. The scenarios are estate plans on
the default data (travel limit × receipt target × office reduction; no ranking unless --ranking-steps), or
with ``--problem transport`` morning route plans (minibus × taxi day rates, a fixed
number of PyVRP iterations per school, so a scenario's work does not depend on how
it is run; the time limit is only a safety net), or with ``--problem sleep`` scenarios
that sleep 0.5-1.5 s (fixed, seeded): no CPU work, so the speed-up shows what the
machinery (cluster start, scheduling, recording, the tail) costs without the two
workers' solvers slowing each other down. The
per-scenario overhead is measured with ``problem = "none"`` scenarios (they do
nothing) through the same machinery. Prints a markdown table for BENCHMARKS.md, with
the load average before and after.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimise.batch import parse_spec, run_batch  # noqa: E402


def estate_spec(n: int, time_limit: float, ranking_steps: int = 0) -> str:
    travel = [20, 25, 30, 35, 40, 45, 50, 60]
    receipts = [0.0, 0.1, 0.2, 0.3]
    office = [0.2, 0.3]
    combos = list(itertools.product(travel, receipts, office))[:n]
    lines = [
        f'problem = "estate"\ntime_limit = {time_limit}\n[base]\nranking_steps = {ranking_steps}\n'
    ]
    for t, r, o in combos:
        lines.append(
            f'[scenarios."t{t} r{r} o{o}"]\nmax_travel = {t}\nreceipt_target = {r}\n'
            f"office_reduction = {o}\n"
        )
    return "\n".join(lines)


def transport_spec(n: int, time_limit: float, iterations: int) -> str:
    """Fleet prices: minibus × taxi day rates (the morning run, a fixed iteration count
    per school, so each scenario does the same work however it is run)."""
    minibus = [170, 180, 190, 200, 210, 220, 230, 240]
    taxi = [80, 90, 100, 110]
    combos = list(itertools.product(minibus, taxi))[:n]
    lines = [
        f'problem = "transport"\ntime_limit = {time_limit}\n[base]\n'
        f'"routing.max_iterations" = {iterations}\n"routing.multi_school" = false\n'
    ]
    for m, t in combos:
        lines.append(
            f'[scenarios."minibus {m} taxi {t}"]\n"fleet.minibus.day_rate" = {m}\n'
            f'"fleet.taxi.day_rate" = {t}\n'
        )
    return "\n".join(lines)


def sleep_spec(n: int) -> str:
    import random

    rng = random.Random(2026)
    lines = ['problem = "none"']
    for i in range(n):
        # + i µs: no two scenarios alike (the batch refuses duplicates)
        lines.append(f'[scenarios."sleep {i}"]\nsleep = {rng.uniform(0.5, 1.5) + i * 1e-6:.6f}')
    return "\n".join(lines) + "\n"


def none_spec(n: int) -> str:
    return (
        'problem = "none"\n[grid]\nsleep = ['
        + ", ".join(f"{i * 1e-6:.6f}" for i in range(n))
        + "]\n"
    )


def timed(spec, out: Path, **kw) -> tuple[float, dict]:
    start = time.perf_counter()
    summary = run_batch(spec, out, **kw)
    return time.perf_counter() - start, summary


def task_seconds(out: Path):
    """Seconds each scenario took inside its process (the results table's column)."""
    import pandas as pd

    return pd.read_parquet(out / "results.parquet")["seconds"].astype(float)


def cluster_start(workers: int) -> float:
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        client.submit(sum, [1, 2]).result()
        return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--problem", choices=("estate", "transport", "sleep"), default="estate")
    ap.add_argument("--ranking-steps", type=int, default=0, help="estate: disposals ranked")
    ap.add_argument("--iterations", type=int, default=100, help="transport: per school")
    ap.add_argument("--repeat", type=int, default=1, help="serial/Dask pairs, one after the other")
    args = ap.parse_args()
    load0 = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.problem == "estate":
            text = estate_spec(args.scenarios, args.time_limit, args.ranking_steps)
        elif args.problem == "sleep":
            text = sleep_spec(args.scenarios)
        else:
            text = transport_spec(args.scenarios, args.time_limit, args.iterations)
        spec = parse_spec(text, source=f"bench-{args.problem}")
        pairs = []
        for k in range(args.repeat):  # a noisy shared machine: pairs, then the median
            for old in ("serial", "dask"):
                shutil.rmtree(work / old, ignore_errors=True)
            t_serial, s_serial = timed(spec, work / "serial", serial=True)
            t_dask, s_dask = timed(spec, work / "dask", workers=args.workers)
            inside = task_seconds(work / "dask").median() / task_seconds(work / "serial").median()
            pairs.append((t_serial, t_dask, inside))
            print(
                f"pair {k + 1}: serial {t_serial:.1f} s, {args.workers} workers {t_dask:.1f} s, "
                f"speed-up {t_serial / t_dask:.2f}×, a scenario's own time {inside:.2f}× "
                "serial's",
                flush=True,
            )
        empty = parse_spec(none_spec(args.scenarios), source="bench-none")
        e_serial, _ = timed(empty, work / "none-serial", serial=True)
        e_dask, _ = timed(empty, work / "none-dask", workers=args.workers)
        start = cluster_start(args.workers)
        task_serial = task_seconds(work / "serial")
        task_dask = task_seconds(work / "dask")
    load1 = os.getloadavg()
    n = args.scenarios
    rows.append(
        (
            f"{args.problem}, serial (one process)",
            n,
            t_serial,
            s_serial["ok"] + s_serial["infeasible"],
            s_serial["failed"],
        )
    )
    rows.append(
        (
            f"{args.problem}, LocalCluster {args.workers} workers",
            n,
            t_dask,
            s_dask["ok"] + s_dask["infeasible"],
            s_dask["failed"],
        )
    )
    rows.append(("no-op, serial", n, e_serial, n, 0))
    rows.append((f"no-op, LocalCluster {args.workers} workers", n, e_dask, n, 0))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(
        f"date: {datetime.now().isoformat(timespec='minutes')}; load average before "
        f"{load0[0]:.2f}/{load0[1]:.2f}/{load0[2]:.2f}, after {load1[0]:.2f}/{load1[1]:.2f}/{load1[2]:.2f}\n"
    )
    print("| run | scenarios | wall s | s per scenario | finished | failed |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, count, secs, done, failed in rows:
        print(f"| {name} | {count} | {secs:.1f} | {secs / count:.3f} | {done} | {failed} |")
    ups = sorted(a / b for a, b, _ in pairs)
    print(
        f"\nspeed-up, {args.workers} workers vs serial, last pair: {t_serial / t_dask:.2f}×; "
        f"median of {len(ups)} pair(s): {ups[len(ups) // 2]:.2f}× (goal ≥ 1.8×)"
    )
    print(f"LocalCluster start + one task + close: {start:.2f} s")
    print(
        f"time inside the scenarios: median {task_serial.median():.2f} s serially, "
        f"{task_dask.median():.2f} s with {args.workers} workers at once "
        f"({task_dask.median() / task_serial.median():.2f}×); sum {task_serial.sum():.1f} s vs "
        f"{task_dask.sum():.1f} s; the sum over {args.workers} workers bounds the wall time "
        f"at {task_dask.sum() / args.workers:.1f} s"
    )
    print(
        f"per-scenario overhead on Dask (no-op batch minus cluster start, / {n}): "
        f"{max(e_dask - start, 0) / n * 1000:.0f} ms; serial machinery: {e_serial / n * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
