"""Opening-hours benchmarks: calibration fit and solve times (issue #6).

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_hours.py [--time-limit 120] [--skip-large]

Prints markdown tables ready for BENCHMARKS.md: the calibration fit on the default
data, then solve times (HiGHS, one thread) at the default size and at 50 centres ×
6 days × 20 half-hour slots, with the proven gap of each solve (against HiGHS's
bound, the pattern bound of ``optimise/hours/patterns.py`` when every slot is alike,
or the class bound of ``optimise/hours/bound.py`` when HiGHS stops early).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.default import load_default  # noqa: E402
from geodata.providers import StraightLine  # noqa: E402
from models import HoursProblem  # noqa: E402
from models._arrays import points  # noqa: E402
from optimise.hours import HoursParams, calibrate, solve, uniform_profile  # noqa: E402


def calibration_table(problem: HoursProblem, cal, shares: np.ndarray) -> str:
    idx = cal.observed_index
    total = cal.observed.sum() / shares[idx].sum()
    hours = problem.current_hours_per_week()[idx]
    lines = [
        "| centre | observed visits | decay only | calibrated | published share | modelled share | published visits/open h | modelled visits/open h |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for k, c in enumerate(idx):
        lines.append(
            f"| {problem.centre_name[c]} | {cal.observed[k]:,.0f} | {cal.decay_only[k]:,.0f} | "
            f"{cal.fitted[k]:,.0f} | {shares[c] * 100:.1f}% | {cal.fitted[k] / total * 100:.2f}% | "
            f"{cal.observed[k] / (hours[k] * 52):.2f} | {cal.fitted[k] / (hours[k] * 52):.2f} |"
        )
    fit = cal.fit()
    d, c = fit["decay_only"], fit["calibrated"]
    lines.append("")
    lines.append(
        f"Decay only: half-distance {d['half_distance_minutes']} min, rate "
        f"{d['rate_visits_per_resident_year']}/resident/yr, worst centre {d['max_abs_relative_error']:.1%} off, "
        f"worst share {d['max_share_error_points']} points (share of the six), R² {d['r2']}. "
        f"Calibrated: half-distance {c['half_distance_minutes']} min (set), local factors "
        f"{c['propensity_factors']}, worst centre {c['max_abs_relative_error']:.1%} off."
    )
    return "\n".join(lines)


def large_instance(seed: int) -> tuple[HoursProblem, object]:
    """50 candidate centres at estate sites, Mon-Sat 08:00-18:00 in half-hour slots."""
    data = load_default(seed)
    rng = np.random.default_rng(seed)
    sites = data.sites.iloc[np.sort(rng.choice(len(data.sites), 50, replace=False))]
    frame = pd.DataFrame({"id": [f"S{i:02d}" for i in range(50)], "name": list(sites["name"]),
                          "status": "closed"})  # fmt: skip
    for day in ("mon", "tue", "wed", "thu", "fri", "sat"):
        frame[f"{day}_hours"] = "08:00-18:00"
    frame["sun_hours"] = ""
    travel = StraightLine().matrix(
        points(data.zones, "zones"),
        points(sites.assign(id=frame["id"].to_numpy()), "sites"),
        mode="drive",
    )
    return HoursProblem.from_matrix(
        frame, data.zones, travel, day_start=8 * 60, day_end=18 * 60
    ), data


def timed_solve(problem, demand, params, time_limit, seed):
    start = time.perf_counter()
    r = solve(problem, demand=demand, params=params, time_limit=time_limit, seed=seed)
    return time.perf_counter() - start, r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    data = load_default(args.seed)
    problem = HoursProblem.from_geodata(data.centres, data.zones, StraightLine())
    t0 = time.perf_counter()
    cal = calibrate(problem, uniform_profile(problem))
    cal_s = time.perf_counter() - t0
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()} "
          f"{platform.release()}; date {date.today()}; time limit {args.time_limit:g} s per solve\n")  # fmt: skip
    print(f"## Calibration (default data, uniform profile Mon-Fri 09:00-17:00): {cal_s:.2f} s\n")
    print(calibration_table(problem, cal, data.centres["share"].to_numpy(dtype=float)))
    print()
    rows = ["| instance | centres × days × slots | step | budget h | MILP s | status | proven gap | hours used | demand served |",
            "|---|---|---|---:|---:|---|---:|---:|---:|"]  # fmt: skip
    for budget in (40, 70, 120):
        params = HoursParams(budget_hours=budget)
        s, r = timed_solve(problem, cal.model, params, args.time_limit, args.seed)
        rows.append(
            f"| default | 12 × 7 × 28 | 60 min | {budget} | {s:.2f} | {r.status} | {r.gap:.2e} | {r.hours_used:g} | {r.coverage.served:,.0f} |"
        )
        print(rows[-1], flush=True)
    if not args.skip_large:
        big, _ = large_instance(args.seed)
        prof = uniform_profile(big, "Mon-Sat", "08:00-18:00")
        demand = cal.model.replace_profile(prof)
        for step in (60, 30):
            for regular in (True, False):  # issue #18: regular timetables are the default
                params = HoursParams(budget_hours=300, open_days="Mon-Sat", step_minutes=step,
                                     regular=regular)  # fmt: skip
                s, r = timed_solve(big, demand, params, args.time_limit, args.seed)
                name = "50 sites" + (", regular" if regular else "")
                rows.append(
                    f"| {name} | 50 × 6 × 20 | {step} min | 300 | {s:.2f} | {r.status} | {r.gap:.2e} | {r.hours_used:g} | {r.coverage.served:,.0f} |"
                )
                print(rows[-1], flush=True)
    print()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
