"""The county planner against the school-by-school one on the default data (issue #14).

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_county.py --time-limit 300 [--repeat 2] [--workers 2]

Runs ``optimise transport routes --run am`` on the embedded Northumberland data, once
with ``[transport.routing] planner = "greedy"`` (one school at a time in bell order,
the fleet handed out as it goes) and ``--repeat`` times with ``planner = "county"``
(route pools, then one MILP), one after the other in fresh processes. Prints one
markdown row per run: pupils carried, vehicles, £ a year, spot hire, the MILP's status,
gap and columns, wall time and peak memory of the process (GNU time), and whether the
county runs gave the same plan (routes.csv byte for byte).

    python benchmarks/bench_county.py --speedup [--rounds 3] [--searches 40]

times the route generation alone (every school's searches, or about ``--searches`` of
them, every k-th in size order; no deadline: each stops on its iteration count) on 1
and on 2 worker processes, alternately, ``--rounds`` times, and checks that both give
the same pool; prints the medians and their ratio.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(planner: str, time_limit: float, seed: int, workers: int, out: Path,
        which: str = "am") -> dict:  # fmt: skip
    cfg = out.with_suffix(".toml")
    cfg.write_text(f'[transport.routing]\nplanner = "{planner}"\nworkers = {workers}\n',
                   encoding="utf-8")  # fmt: skip
    cmd = ["/usr/bin/time", "-f", "%e %M", sys.executable, str(ROOT / "cli.py"), "transport",
           "routes", "--run", which, "--time-limit", str(time_limit), "--seed", str(seed),
           "--config", str(cfg), "--out", str(out), "--quiet"]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{planner}: exit {done.returncode}: {done.stderr[-2000:]}")
    _, peak_kb = done.stderr.strip().splitlines()[-1].split()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"wall_s": wall, "peak_mb": int(peak_kb) / 1024, **summary}


def speedup(rounds: int, seed: int, searches: int) -> None:
    import statistics

    sys.path.insert(0, str(ROOT))
    from geodata.default import load_default
    from optimise.transport.routing.county import _items, _tasks
    from optimise.transport.routing.pool import run_tasks
    from optimise.transport.routing.solve import _hopeless, raise_limits
    from optimise.transport.run import build_problem

    data = load_default()
    frames = {k: getattr(data, k) for k in ("pupils", "schools", "stops", "fleet")}
    problem, params = build_problem(**frames)
    problem, _ = raise_limits(problem)
    items = _items(problem, {u.pupil for u in _hopeless(problem)}, params)
    never = time.monotonic() + 1e9  # no deadline: every search stops on its iterations
    tasks = _tasks(problem, items, params, seed, 1e6, never)
    if searches and searches < len(tasks):  # every k-th: large and small schools alike
        tasks = tasks[:: -(-len(tasks) // searches)]
    from optimise.transport.routing.county import _generate

    times: dict[int, list[float]] = {1: [], 2: []}
    pools = {}
    for _ in range(rounds):
        for workers in (1, 2):
            began = time.perf_counter()
            pools[workers] = run_tasks(_generate, problem, tasks, workers)
            times[workers].append(time.perf_counter() - began)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"{len(tasks)} searches, {len(items)} pick-up groups; rounds {rounds}")
    print(f"1 worker: {', '.join(f'{t:.1f}' for t in times[1])} s (median {one:.1f})")
    print(f"2 workers: {', '.join(f'{t:.1f}' for t in times[2])} s (median {two:.1f})")
    print(
        f"speed-up (median 1 / median 2): {one / two:.2f}x; same pool: {pools[1] == pools[2]}; "
        f"searches stopped by the clock: {sum(t for _, t in pools[1])}"
    )


def row(name: str, s: dict) -> str:
    hire = ", ".join(f"{k} ×{v}" for k, v in s.get("vehicles_to_procure", {}).items()) or "–"
    gap = s.get("master_gap")
    return (f"| {name} | {s['pupils_served']:,} of {s['pupils_total']:,} | {s['vehicles']} "
            f"| {s['routes']} | {s['annual_cost_gbp']:,.0f} | {hire} "
            f"| {s.get('master_status', '–')} | {'–' if gap is None else f'{gap:.3f}'} "
            f"| {s.get('routes_generated', '–')} | {s.get('repeatable')} "
            f"| {s.get('greedy_start_s', '–')} / {s.get('generation_s', '–')} / "
            f"{s.get('selection_s', '–')} | {s['wall_s']:.1f} | {s['peak_mb']:.0f} |"
            + (f" day (am+pm): {s['total_vehicles']} vehicles, £{s['total_annual_cost_gbp']:,.0f}/yr;"
               f" pm carried {s['pm']['pupils_served']:,}" if "total_vehicles" in s else ""))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--repeat", type=int, default=2, help="county runs (same seed)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--run", choices=("am", "pm", "both"), default="am")
    ap.add_argument("--speedup", action="store_true", help="time the generation alone")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--searches", type=int, default=0, help="--speedup: every k-th search, "
                    "about this many (0: all, some 10 CPU-minutes a round)")  # fmt: skip
    args = ap.parse_args()
    if args.speedup:
        speedup(args.rounds, args.seed, args.searches)
        return
    print(f"--run {args.run}, time limit {args.time_limit:g} s, seed {args.seed}, "
          f"workers {args.workers}\n")  # fmt: skip
    print(
        "| planner | carried | vehicles | routes | £/yr | spot hire | MILP | gap | pool "
        "| repeatable | greedy / pool / MILP s | wall s | peak MB |"
    )
    print("|---|---:|---:|---:|---:|---|---|---:|---:|---|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        greedy = run("greedy", args.time_limit, args.seed, args.workers, base / "greedy", args.run)
        print(row("greedy", greedy), flush=True)
        outs = []
        for k in range(args.repeat):
            out = base / f"county{k}"
            print(row(f"county #{k + 1}", run("county", args.time_limit, args.seed,
                                               args.workers, out, args.run)), flush=True)  # fmt: skip
            outs.append(out)
        same = all(filecmp.cmp(outs[0] / "routes.csv", o / "routes.csv", shallow=False)
                   for o in outs[1:])  # fmt: skip
        print(f"\ncounty runs give the same routes.csv: {same}")


if __name__ == "__main__":
    main()
