"""Scale test (issue #3): a synthetic county of 10,000 pupils, 150 schools, 2,500 stops.

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_scale.py --time-limit 600 [--run am|pm|both]

The county is the default Northumberland generator (``geodata/default``) with larger
counts: 135 primary schools (150 with the 12 secondary and 3 special), 10,000
entitled pupils (170 travelling alone, 200 on low-income extended rights), stops
spaced more densely along the roads and in the towns and then drawn down to 2,500,
and the fleet's numbers available ×4. Mainstream pupils are collected at their
nearest stop within the policy's walking limit (1 mile primary, 1.5 miles
secondary; nearest by straight line × 1.2), SEND pupils and those with no stop in
reach at home: a stand-in for pick-up point consolidation (issue #4), which
this test does not measure. Travel times are the straight-line provider's.

Prints one markdown table row per run planned: pupils, schools, stops, matrix size,
time to generate, to build the problem (matrix included), to plan (every run), the
run's figures, and the peak resident memory of the process (``resource.getrusage``,
kilobytes on Linux); with ``--run both`` the day's vehicles and cost too.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PUPILS, PRIMARY, STOPS = 10_000, 135, 2_500


def county(seed: int = 2026):
    """Schools, pupils (with ``stop_id``), stops and fleet of the larger county."""
    import geodata.default as d
    from geodata.default import fleet as fleet_mod
    from geodata.default import pupils as pupils_mod
    from geodata.default import schools as schools_mod
    from geodata.default import stops as stops_mod

    outline, land = d.county_outline(), d.placement_area()
    towns = d._towns()  # noqa: SLF001 - the generator's own parts, as load_default uses them
    rng_of = d._rng  # noqa: SLF001
    zones = d.build_zones(towns, outline, land, rng_of(seed, "zones"))
    with (
        mock.patch.object(schools_mod, "PRIMARY_SCHOOLS", PRIMARY),
        mock.patch.object(pupils_mod, "PUPILS", PUPILS),
        mock.patch.object(pupils_mod, "SOLO", 170),
        mock.patch.object(pupils_mod, "LOW_INCOME_EXTENDED", 200),
        mock.patch.object(stops_mod, "SPACING_M", (300.0, 500.0)),
        mock.patch.object(stops_mod, "LANE_SPACING_M", (1_500.0, 2_500.0)),
        mock.patch.object(stops_mod, "RESIDENTS_PER_STOP", 250),
        mock.patch.object(stops_mod, "MIN_GAP_M", 150.0),
    ):
        schools = d.build_schools(towns, land, rng_of(seed, "schools"))
        pupils = d.build_pupils(zones, schools, land, rng_of(seed, "pupils"))
        roads = d.build_roads(towns, zones, land, rng_of(seed, "roads"))
        stops = d.build_stops(towns, roads, land, rng_of(seed, "stops"))
    rng = np.random.default_rng(seed)
    if len(stops) > STOPS:
        stops = stops.iloc[np.sort(rng.choice(len(stops), STOPS, replace=False))]
    stops = stops.reset_index(drop=True)
    fleet = fleet_mod.build_fleet(towns)
    fleet["available"] = fleet["available"] * 4
    pupils = pupils.copy()
    pupils["stop_id"] = _nearest_stops(pupils, stops)
    return schools, pupils, stops, fleet


def _nearest_stops(pupils, stops) -> list[object]:
    from models.transport import TransportPolicy

    pol = TransportPolicy()
    ok = ~stops["unsafe"].to_numpy(bool)
    sxy = np.column_stack([stops.geometry.x, stops.geometry.y])[ok]
    ids = stops["id"].to_numpy()[ok]
    out: list[object] = []
    for p in pupils.itertuples():
        if p.sen:
            out.append(None)
            continue
        d = np.hypot(sxy[:, 0] - p.geometry.x, sxy[:, 1] - p.geometry.y) * 1.2
        j = int(d.argmin())
        limit = pol.max_walk_secondary_m if p.age >= 11 else pol.max_walk_primary_m
        out.append(ids[j] if d[j] <= limit else None)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--run", choices=("am", "pm", "both"), default="am")
    ap.add_argument("--planner", choices=("county", "greedy"), default="county")
    ap.add_argument("--workers", type=int, default=0, help="county generation; 0: every core")
    args = ap.parse_args(argv)
    from dataclasses import replace

    from optimise.transport import solve
    from optimise.transport.routing.afternoon import solve_pm
    from optimise.transport.run import build_problem, day_totals

    began = time.perf_counter()
    schools, pupils, stops, fleet = county(args.seed)
    generated = time.perf_counter()
    problem, params = build_problem(pupils, schools, stops, fleet)
    params = replace(params, planner=args.planner, workers=args.workers)
    at = {s: i for i, s in enumerate(problem.stop_ids)}
    assigned = np.array([at.get(s, -1) if s else -1 for s in pupils["stop_id"]], dtype=np.int64)
    problem = problem.replace(pupil_stop=assigned)
    built = time.perf_counter()
    share = 0.5 if args.run == "both" else 1.0
    am = pm = None
    if args.run != "pm":
        am = solve(problem, params=params, time_limit=args.time_limit * share, seed=args.seed)
    if args.run != "am":
        pm = solve_pm(problem, params=params, time_limit=args.time_limit * share, seed=args.seed)
    planned = time.perf_counter()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    # The generation's forked workers: the largest one (their pages are shared with
    # this process until written, so the two do not simply add up).
    child_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2
    at_stop = int((assigned >= 0).sum())
    print("| pupils | schools | stops | pupils at a stop | locations | run | generate s | "
          "build s | plan s | total s | served | unserved | routes | vehicles | £/day | "
          "multi-school | ride viol. | peak RSS GB | worker peak GB | MILP | gap | load |")  # fmt: skip
    print("|" + "---|" * 22)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    for name, res in (("am", am), ("pm", pm)):
        if res is None:
            continue
        s = res.summary()
        print(
            f"| {problem.num_pupils:,} | {len(problem.school_ids)} | "
            f"{len(problem.stop_ids):,} | {at_stop:,} | {len(problem.locations):,} | {name} | "
            f"{generated - began:.0f} | {built - generated:.0f} | {planned - built:.0f} | "
            f"{planned - began:.0f} | {s['pupils_served']:,} | {s['pupils_unserved']} | "
            f"{s['routes']} | {s['vehicles']} | {s['daily_cost_gbp']:,.0f} | "
            f"{s['multi_school_routes']} | {s['ride_limit_violations']} | {peak_gb:.2f} | "
            f"{child_gb:.2f} | {s.get('master_status', '–')} | {s.get('master_gap', '–')} | "
            f"{load} |"
        )
    if am is not None and pm is not None:
        t = day_totals(problem, am, pm)
        print(f"\nThe day: {t['total_vehicles']} vehicles, £{t['total_daily_cost_gbp']:,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
