"""Pick-up point consolidation and term re-planning benchmarks (issue #4).

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_stops.py [--time-limit 60] [--sbr-time 30] [--seed 1]
                                     [--seeds 1,2,3] [--penalty 500] [--cap 150] [--skip-sbr] [--skip-default]
                                     [--skip-replan]

Prints markdown tables ready for BENCHMARKS.md:

1. sbr1 (``../shared/benchmarks/sbrp/stop-selection/sbr1.txt``): sequential (fewest
   stops, then route) against joint (the same start, then the joint search), each
   given ``--sbr-time`` seconds (a third to the MILP, a third to the search, a third
   to PyVRP); cost = total Euclidean tour length.
2. Default data: ``optimise transport plan`` with ``[transport.stops] method`` set to
   each method, same time limit and seed: annual cost, routes, stops, walking, time.
3. Re-planning a term with 10% churn: a first term planned, then this term's pupils
   (a third of the churn leaves, a third moves 1-2 km, a third joins as new pupils
   near existing ones) planned against it from scratch (no penalty), with
   ``--change-penalty`` and with ``--max-changes`` (the repair candidate competes):
   cost and changes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.default import load_default  # noqa: E402
from optimise.bench.sbr import solve_sbr  # noqa: E402
from optimise.transport.stops.run import run_plan  # noqa: E402

SHARED = Path(os.environ.get("OPTIMISE_SHARED", ROOT.parent / "shared"))
SBR1 = SHARED / "benchmarks" / "sbrp" / "stop-selection" / "sbr1.txt"


def churn(pupils: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """This term's pupils: ``share`` of them churned, a third each leaving, moving, joining."""
    from shapely.geometry import Point

    rng = np.random.default_rng(seed)
    k = round(len(pupils) * share / 3)
    order = rng.permutation(len(pupils))
    leave, move, join = order[:k], order[k : 2 * k], order[2 * k : 3 * k]
    out = pupils.copy()
    dist, angle = rng.uniform(1000, 2000, k), rng.uniform(0, 2 * np.pi, k)
    out.loc[out.index[move], "geometry"] = [
        Point(g.x + d * np.cos(a), g.y + d * np.sin(a))
        for g, d, a in zip(out.geometry.iloc[move], dist, angle, strict=True)
    ]
    new = pupils.iloc[join].copy()
    new["id"] = [f"J{i:05d}" for i in range(k)]
    new["geometry"] = [Point(g.x + 800, g.y - 600) for g in new.geometry]
    return pd.concat([out.drop(index=out.index[leave]), new], ignore_index=True)


def write_pupils(frame, path: Path) -> Path:
    ll = frame.geometry.to_crs(4326)
    pd.DataFrame(frame.drop(columns="geometry")).assign(lon=ll.x, lat=ll.y).to_csv(
        path, index=False
    )
    return path


def sbr_table(seconds: float, seed: int) -> str:
    lines = ["| method | cost | routes | stops | mean walk | max walk | choose s | total s |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for method in ("sequential", "joint"):
        r = solve_sbr(SBR1, method=method, time_limit=seconds, seed=seed)
        lines.append(f"| {method} | {r['cost']:.1f} | {r['routes']} | {r['stops']} | "
                     f"{r['mean_walk']} | {r['max_walk']} | {r['choose_s']} | {r['total_s']} |")  # fmt: skip
    return "\n".join(lines)


def _row(name: str, s: dict) -> str:
    return (f"| {name} | {s['seed']} | £{s['annual_cost_gbp']:,.0f} | {s['routes']} | {s['vehicles']} | "
            f"{s['stops_used']} | {s['pupils_at_stops']} | {s['mean_walk_m']:.0f} | "
            f"{s['max_walk_m']:.0f} | {s['walk_limit_violations']} | {s['pupils_unserved']} | "
            f"{s['stop_choice'].get('choose_s', '')} | {s['elapsed_s']:.0f} |")  # fmt: skip


HEAD = ("| method | seed | annual cost | routes | vehicles | stops used | pupils at stops | "
        "mean walk m | max walk m | walk violations | unserved | choose s | total s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|")  # fmt: skip


def default_table(tmp: Path, seconds: float, seeds: list[int]) -> str:
    rows, costs = [HEAD], {}
    for seed in seeds:
        for method in ("sequential", "joint"):
            s = run_plan(tmp / f"{method}-{seed}", table={"stops": {"method": method}},
                         time_limit=seconds, seed=seed)  # fmt: skip
            rows.append(_row(method, s))
            costs.setdefault(method, []).append(s["annual_cost_gbp"])
            print(rows[-1], flush=True)
    for method, c in costs.items():
        rows.append(f"| {method} mean | | £{np.mean(c):,.0f} | | | | | | | | | | |")
    return "\n".join(rows)


def replan_table(tmp: Path, seconds: float, seed: int, penalty: float, cap: int) -> str:
    data = load_default(2026)
    first = tmp / "term1"
    run_plan(first, time_limit=seconds, seed=seed)
    pupils = write_pupils(churn(data.pupils, 0.10, seed), tmp / "pupils-term2.csv")
    rows = ["| re-plan | annual cost | routes | pupils changed | of continuing | routes kept "
            "unchanged | stops opened | stops closed | chosen | total s |",
            "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    runs = (("no penalty", {}), (f"penalty £{penalty:g}", {"change_penalty": penalty}),
            (f"cap {cap} changes", {"max_changes": cap}))  # fmt: skip
    for name, extra in runs:
        s = run_plan(tmp / name.replace(" ", "-"), files={"pupils": pupils}, previous_plan=first,
                     time_limit=seconds, seed=seed, **extra)  # fmt: skip
        rows.append(f"| {name} | £{s['annual_cost_gbp']:,.0f} | {s['routes']} | "
                    f"{s['pupils_changed']} | {s['pupils_continuing']} | "
                    f"{s['routes_kept_unchanged']} | {s['stops_opened']} | {s['stops_closed']} | "
                    f"{s['replanning']['chosen']} | {s['elapsed_s']:.0f} |")  # fmt: skip
        for cand in ("from_scratch", "repair"):
            c = s["replanning"].get(cand)
            if c and name != "no penalty":
                rows.append(f"| … candidate {cand} | £{c['annual_cost_gbp']:,.0f} | | "
                            f"{c['pupils_changed']} | | {c['routes_kept_unchanged']} | | | | |")  # fmt: skip
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--sbr-time", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", default="", help="seeds of the default-data table, e.g. 1,2,3")
    ap.add_argument("--penalty", type=float, default=500.0)
    ap.add_argument("--cap", type=int, default=150, help="--max-changes of the third re-plan")
    ap.add_argument("--skip-sbr", action="store_true")
    ap.add_argument("--skip-default", action="store_true")
    ap.add_argument("--skip-replan", action="store_true")
    args = ap.parse_args()
    print(f"load before: {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M')}")
    if not args.skip_sbr:
        print(f"\n### sbr1, {args.sbr_time:g} s per method, seed {args.seed}\n")
        print(sbr_table(args.sbr_time, args.seed), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_default:
            print(f"\n### default data, --time-limit {args.time_limit:g}\n")
            seeds = [int(x) for x in args.seeds.split(",") if x] or [args.seed]
            print(default_table(Path(tmp), args.time_limit, seeds), flush=True)
        if not args.skip_replan:
            print(f"\n### re-planning, 10% churn, --time-limit {args.time_limit:g}\n")
            table = replan_table(Path(tmp), args.time_limit, args.seed, args.penalty, args.cap)
            print(table, flush=True)
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
