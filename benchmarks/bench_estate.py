"""Estate benchmarks: OR-Library p-median and CFLP, and the default estate at ~2,000 zones.

Run on purpose (not by the test command), from the repository root with ../shared
beside it:

    python benchmarks/bench_estate.py [--limit 60] [--peer-limit 60] [--peers pmed1,...]

Prints markdown tables, side by side in one process: our p-median solver (Lagrangian
branch and bound, or the radius model with HiGHS when there are fewer than 20 sites per
median) on pmed1-40, and on the ``--peers`` instances the textbook model (HiGHS) and
spopt's PMedian (CBC, when spopt is installed: ``pip install -e ".[bench]"``); our CFLP
solver (Lagrangian bound, a first MIP for a plan, Lagrangian branch and bound) on
cap41-134 and capa/capb/capc at their four capacities; the default 343-site estate with
its 491 zones and with every zone split into quarters (~2,000 zones). Every row is
checked against the published optimum (pmedopt.txt, capopt.txt).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("OPTIMISE_SHARED", ROOT.parent / "shared")) / "benchmarks"

from optimise.bench.orlib import read_cflp, read_pmedian  # noqa: E402
from optimise.location import solve_cflp, solve_pmedian, solve_pmedian_textbook  # noqa: E402

PEERS = "pmed1,pmed2,pmed5,pmed6,pmed10,pmed11,pmed16,pmed20,pmed38,pmed40"


def optima(path: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    last = ""
    for line in path.read_text().splitlines()[1:]:
        m = re.match(r"\s*(\w+)?\s+([\d.]+)(?:\s*\(capacity (\d+)\))?", line)
        if not m or not m.group(2):
            continue
        last = m.group(1) or last
        key = f"{last}@{m.group(3)}" if m.group(3) else last
        out[key] = float(m.group(2))
    return out


def spopt_pmedian(distance: np.ndarray, p: int, limit: float) -> tuple[float, bool, float]:
    import pulp
    from spopt.locate import PMedian

    start = time.perf_counter()
    n = distance.shape[0]
    model = PMedian.from_cost_matrix(distance, np.ones(n), p_facilities=p)
    try:
        model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit))
    except RuntimeError:  # spopt raises when CBC stops without a solution
        return float("nan"), False, time.perf_counter() - start
    prob = model.problem
    cost = float(pulp.value(prob.objective))
    optimal = prob.status == 1 and prob.sol_status == 1
    return cost, optimal, time.perf_counter() - start


def pmedian_table(limit: float, peer_limit: float, peers: set[str], spopt_max_n: int) -> None:
    best = optima(SHARED / "pmedian" / "pmedopt.txt")
    try:
        import spopt  # noqa: F401

        have_spopt = True
    except ImportError:
        have_spopt = False
    print(
        "| instance | n | p | optimum | ours cost | ours optimal | ours nodes | ours s | "
        "textbook cost | "
        "textbook optimal | textbook s | spopt (CBC) cost | spopt optimal | spopt s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    total, proven = 0.0, 0
    for i in range(1, 41):
        name = f"pmed{i}"
        inst = read_pmedian(SHARED / "pmedian" / f"{name}.txt")
        n = inst.distance.shape[0]
        ours = solve_pmedian(inst.distance, inst.p, time_limit=limit, seed=1)
        total += ours.seconds
        proven += ours.optimal and ours.cost == best[name]
        row = [
            name,
            n,
            inst.p,
            int(best[name]),
            f"{ours.cost:.0f}",
            ours.optimal,
            ours.nodes,
            f"{ours.seconds:.2f}",
        ]
        if name in peers:
            tb = solve_pmedian_textbook(inst.distance, inst.p, time_limit=peer_limit, seed=1)
            row += [f"{tb.cost:.0f}", tb.optimal, f"{tb.seconds:.2f}"]
            if have_spopt and n <= spopt_max_n:
                cost, opt, secs = spopt_pmedian(inst.distance, inst.p, peer_limit)
                row += [f"{cost:.0f}", opt, f"{secs:.2f}"]
            else:
                row += ["-", "-", "-"]
        else:
            row += ["-"] * 6
        print("| " + " | ".join(str(x) for x in row) + " |", flush=True)
    print(
        f"\nours: {proven}/40 proven optimal at the published value, {total:.1f} s in total "
        f"(limit {limit:g} s per instance; peers {peer_limit:g} s)\n"
    )


def cflp_table(limit: float) -> None:
    best = optima(SHARED / "cflp" / "capopt.txt")
    print("| instance | optimum | ours cost | optimal | gap | nodes | s |")
    print("|---|---|---|---|---|---|---|")
    total, proven, count = 0.0, 0, 0
    for key, value in best.items():
        name, _, cap = key.partition("@")
        inst = read_cflp(SHARED / "cflp" / f"{name}.txt", capacity=float(cap) if cap else None)
        r = solve_cflp(inst, time_limit=limit, seed=1)
        total += r.seconds
        count += 1
        ok = r.optimal and abs(r.cost - value) <= 1e-6 * value + 0.01
        proven += ok
        print(
            f"| {key} | {value} | {r.cost:.3f} | {r.optimal} | {r.gap:.2g} | {r.nodes} | "
            f"{r.seconds:.2f} |",
            flush=True,
        )
    print(
        f"\nours: {proven}/{count} proven optimal at the published value, {total:.1f} s in "
        f"total (limit {limit:g} s per instance)\n"
    )


def split_zones(zones):
    """Each zone cut into four by the vertical and horizontal lines through its centroid;
    population and over-65s shared by area (largest remainder)."""
    import geopandas as gpd
    import shapely

    rows = []
    for _, z in zones.iterrows():
        c = z.geometry.centroid
        x0, y0, x1, y1 = z.geometry.bounds
        boxes = [
            shapely.box(x0, y0, c.x, c.y),
            shapely.box(c.x, y0, x1, c.y),
            shapely.box(x0, c.y, c.x, y1),
            shapely.box(c.x, c.y, x1, y1),
        ]
        parts = [z.geometry.intersection(b) for b in boxes]
        parts = [p for p in parts if not p.is_empty and p.area > 0]
        area = np.array([p.area for p in parts])
        for col in ("population", "over65"):
            raw = z[col] * area / area.sum()
            share = np.floor(raw).astype(int)
            share[np.argsort(-(raw - share))[: int(z[col] - share.sum())]] += 1
            z[f"_{col}"] = share
        for k, p in enumerate(parts):
            rows.append(
                {
                    "id": f"{z['id']}-{k + 1}",
                    "name": z["name"],
                    "population": int(z["_population"][k]),
                    "over65": int(min(z["_over65"][k], z["_population"][k])),
                    "geometry": p,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=zones.crs)


def estate_table(repeat: int) -> None:
    from geodata import StraightLine, load_default
    from models.estate import EstateProblem
    from optimise.estate import EstateParams, prepare, solve

    data = load_default()
    print(
        "| estate problem | sites | zones | cover rows | build s | solve s (median of "
        f"{repeat}) | optimal | gap | disposed |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for label, zones in (("default", data.zones), ("zones split in four", split_zones(data.zones))):
        t = time.perf_counter()
        problem = EstateProblem.from_geodata(data.sites, zones, StraightLine())
        prep = prepare(problem, EstateParams())
        build = time.perf_counter() - t
        times, r = [], None
        for _ in range(repeat):
            t = time.perf_counter()
            r = solve(problem, seed=1, prepared=prep)
            times.append(time.perf_counter() - t)
        print(
            f"| {label} | {problem.num_sites} | {len(zones)} | {len(prep.rows)} | "
            f"{build:.2f} | {np.median(times):.2f} ({min(times):.2f}-{max(times):.2f}) | "
            f"{r.optimal} | {r.gap:.1g} | {len(r.disposed)} |",
            flush=True,
        )
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--peer-limit", type=float, default=60.0)
    ap.add_argument("--peers", default=PEERS)
    ap.add_argument("--only", default="estate,pmedian,cflp")
    ap.add_argument("--repeat", type=int, default=3)
    # spopt builds n² PuLP variables: 810,000 at n = 900 take minutes before CBC starts.
    ap.add_argument("--spopt-max-n", type=int, default=400)
    args = ap.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; date {date.today()}; load average "
        f"{os.getloadavg()[0]:.1f}\n"
    )
    only = set(args.only.split(","))
    if "estate" in only:
        estate_table(args.repeat)
    if "pmedian" in only:
        pmedian_table(args.limit, args.peer_limit, set(args.peers.split(",")), args.spopt_max_n)
    if "cflp" in only:
        cflp_table(args.limit)


if __name__ == "__main__":
    main()
