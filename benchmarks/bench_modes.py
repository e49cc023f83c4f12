"""Eligibility and SEND travel mode choice (issue #4) on the default Northumberland data.

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_modes.py --time-limit 60 [--seed 2026]

Prints two markdown tables for BENCHMARKS.md:

* eligibility counts at the engine's walking circuity (straight line × 1.2) and at the
  default data generator's (× 1.25), with the run time;
* mode choice at the time limit: the first plan (every SEND pupil on a route or solo
  vehicle), the choices, savings by business-case line, the re-plan gain, the final
  route cost and the run time; and, side by side in the same process, plain routing
  for the same total time limit (so that the saving is not simply more search time).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.default import load_default  # noqa: E402
from geodata.providers import StraightLine  # noqa: E402
from optimise.transport import solve  # noqa: E402
from optimise.transport.eligibility.assess import assess  # noqa: E402
from optimise.transport.eligibility.run import build_eligibility  # noqa: E402
from optimise.transport.modes.choose import choose_modes  # noqa: E402
from optimise.transport.modes.params import ModeFlags, ModeParams  # noqa: E402
from optimise.transport.run import build_problem  # noqa: E402


def _eligibility(data) -> None:
    print("| walking distances | pupils | eligible | distance | low income | SEND | "
          "not eligible | seconds |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for name, circuity in (("straight line x 1.2 (engine)", 1.2),
                           ("straight line x 1.25 (generator)", 1.25)):  # fmt: skip
        started = time.perf_counter()
        problem = build_eligibility(data.pupils, data.schools,
                                    StraightLine(circuity={"walk": circuity}))  # fmt: skip
        s = assess(problem).summary()
        took = time.perf_counter() - started
        print(f"| {name} | {s['pupils']} | {s['eligible']} | {s['eligible_distance']} | "
              f"{s['eligible_low_income']} | {s['eligible_send']} | {s['not_eligible']} | "
              f"{took:.2f} |")  # fmt: skip


def _modes(data, time_limit: float, seed: int, share: float | None) -> None:
    problem, routing = build_problem(data.pupils, data.schools, data.stops, data.fleet)
    flags = ModeFlags.from_frame(data.pupils, problem)
    params = ModeParams() if share is None else ModeParams(first_solve_share=share)
    started = time.perf_counter()
    res = choose_modes(problem, flags=flags, params=params, routing=routing,
                       time_limit=time_limit, seed=seed)  # fmt: skip
    took = time.perf_counter() - started
    s = res.summary()
    plain = solve(problem, params=routing, time_limit=time_limit, seed=seed)
    versus = s["routes_annual_cost_gbp"] + s["alternatives_annual_cost_gbp"] - plain.annual_cost
    print(f"\nbudget_ok {int(flags.budget_ok.sum())}, travel_training "
          f"{int(flags.training.sum())}, SEND {int(problem.pupil_sen.sum())}\n")  # fmt: skip
    print("| figure | value |")
    print("|---|---|")
    rows = [
        ("first plan, SEND all on vehicles (£/yr)", f"{s['baseline_annual_cost_gbp']:,.0f}"),
        (f"plain routing at {time_limit:g} s, same process (£/yr)",
         f"{plain.annual_cost:,.0f}"),
        ("chosen: route / solo / budget / training / unserved",
         " / ".join(str(s[f"chosen_{m}"]) for m in
                    ("route", "solo", "budget", "training", "unserved"))),
        ("of which unserved by any route, given an alternative",
         f"{s['unserved_given_alternative']} (£{s['unserved_alternative_cost_gbp']:,.0f}/yr)"),
        ("savings_by_line_gbp.personal_budgets",
         f"{s['savings_by_line_gbp']['personal_budgets']:,.0f}"),
        ("savings_by_line_gbp.independent_travel",
         f"{s['savings_by_line_gbp']['independent_travel']:,.0f}"),
        ("re-plan gain beyond taking pupils off (£/yr)", f"{s['replan_gain_gbp']:,.0f}"),
        ("routes after mode choice (£/yr)", f"{s['routes_annual_cost_gbp']:,.0f}"),
        ("budgets + training chosen (£/yr)", f"{s['alternatives_annual_cost_gbp']:,.0f}"),
        ("routes + alternatives − plain routing (£/yr)", f"{versus:,.0f}"),
        ("first_solve_share", f"{params.first_solve_share:g}"),
        ("rounds", str(s["rounds"])),
        ("mode choice run time (s)", f"{took:.1f}"),
    ]  # fmt: skip
    for name, value in rows:
        print(f"| {name} | {value} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--first-share",
        type=float,
        default=None,
        help="ModeParams.first_solve_share (default: the engine's)",
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) at start\n")
    data = load_default()
    _eligibility(data)
    _modes(data, args.time_limit, args.seed, args.first_share)
    print(f"\nload average {os.getloadavg()[0]:.1f} (1 min) at end")


if __name__ == "__main__":
    main()
