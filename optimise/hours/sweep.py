"""The extra solves of an hours run under one deadline: the price of each rule and the
curve of staff hours against demand served.

``--time-limit`` bounds the whole command (:class:`Clock`): the plan is solved first,
then the rule variants, then the curve's budgets in ascending order. A solve that the
deadline stops early is kept but marked not proven; one with no time left is not run
and says so (``status`` in ``curve.csv`` and ``summary.json``, and a line in the
summary's ``notes``), never dropped silently.

Every variant drops rules, so the plan keeps the rules of each and starts each search;
the variant without any rule bounds the other two from above (a relaxation), which
often proves them without a full search.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimise.hours.solve import Hints, solve

if TYPE_CHECKING:
    import numpy as np

    from models.hours import HoursProblem
    from models.hours_result import HoursResult
    from optimise.hours.calibrate import Calibration
    from optimise.hours.params import HoursParams

__all__ = ["NOT_PROVEN", "NOT_RUN", "VARIANTS", "Clock", "budget_curve", "notes", "rule_prices"]

log = logging.getLogger(__name__)

#: The price of each rule (issue #18): the same budget without the floor, without
#: regular timetables, and without both (solved first: it bounds the other two).
VARIANTS: dict[str, dict[str, Any]] = {"no_rules": {"keep_open": False, "regular": False},
            "no_regular": {"regular": False}, "no_floor": {"keep_open": False}}  # fmt: skip

NOT_RUN = "not run: the time limit ran out"
NOT_PROVEN = "not proven optimal in its time limit"

#: Seconds a solve needs at least to be worth starting.
LEAST = 1.0


class Clock:
    """One deadline for a whole command: ``seconds`` from now (None: no deadline)."""

    def __init__(self, seconds: float | None, started: float | None = None) -> None:
        self.started = time.perf_counter() if started is None else started
        self.seconds = seconds

    def left(self) -> float:
        if self.seconds is None:
            return float("inf")
        return self.seconds - (time.perf_counter() - self.started)

    def limit(self, cap: float | None) -> float | None:
        """Seconds for the next solve: ``cap`` within what is left (None: no limit)."""
        left = self.left()
        if cap is None:
            return None if left == float("inf") else max(left, 0.0)
        return max(min(cap, left), 0.0)

    def expired(self) -> bool:
        return self.left() < LEAST


def outcome(r: HoursResult | None, status: str | None = None) -> dict[str, Any]:
    """The figures of one solve as the summary and the curve report them."""
    if r is None:
        return {"demand_served": None, "over65_demand_served": None, "objective": None,
                "optimal": None, "centres_open": None, "status": status or NOT_RUN,
                "seconds": None}  # fmt: skip
    return {"demand_served": round(r.coverage.served, 1),
            "over65_demand_served": round(r.coverage.over65_served, 1),
            "objective": round(r.objective, 1), "optimal": r.optimal,
            "centres_open": int((r.coverage.hours > 0).sum()),
            "status": "optimal" if r.optimal else NOT_PROVEN,
            "seconds": round(r.runtime_s, 1)}  # fmt: skip


def rule_prices(
    problem: HoursProblem, calibration: Calibration, params: HoursParams,
    plan: HoursResult, clock: Clock, seed: int, cap: float | None,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Each variant of the rules at ``params``' budget (:func:`outcome`), each search
    started from ``plan`` (the solve with every rule, which keeps each variant's)."""
    out: dict[str, dict[str, Any]] = {}
    relaxed = None
    for name, change in VARIANTS.items():
        if clock.expired():
            out[name] = outcome(None)
            continue
        hints = [plan.plan] + ([relaxed.plan] if relaxed is not None else [])
        varied = dataclasses.replace(params, **change)
        if varied.regular and relaxed is not None:
            hints += _start_within(problem, calibration, varied, relaxed, clock, seed, cap)
        known = Hints(tuple(hints), bound=None if relaxed is None else relaxed.bound)
        try:
            r = solve(problem, demand=calibration.model, params=varied,
                      time_limit=clock.limit(cap), seed=seed, hints=known)  # fmt: skip
        except ValueError as exc:
            log.warning("rule price %s: %s", name, exc)
            out[name] = outcome(None, f"no plan: {exc}")
            continue
        out[name] = outcome(r)
        if name == "no_rules":
            relaxed = r
    return out


def _start_within(
    problem: HoursProblem, calibration: Calibration, params: HoursParams,
    relaxed: HoursResult, clock: Clock, seed: int, cap: float | None,
) -> list:  # fmt: skip
    """A start for a regular variant: its optimum over the centres the relaxation opens
    (a much smaller search, a quarter of the time), as a list of none or one plan."""
    try:
        r = solve(problem, demand=calibration.model, params=params, seed=seed,
                  time_limit=clock.limit(None if cap is None else cap / 4),
                  hints=Hints((relaxed.plan,), only=relaxed.coverage.hours > 0))  # fmt: skip
    except ValueError:
        return []
    return [r.plan]


def budget_curve(
    problem: HoursProblem, calibration: Calibration, params: HoursParams,
    plan: HoursResult, clock: Clock, seed: int, prices: dict[str, dict] | None,
) -> pd.DataFrame:  # fmt: skip
    """One row per budget of the curve; the run's own budget reuses ``plan`` and carries
    the rule variants' columns. Each search starts from the plans of lower budgets."""
    rows: list[dict[str, Any]] = []
    hints: list[np.ndarray] = []
    for budget in params.curve_budgets():
        r, status = None, NOT_RUN
        if budget == params.budget_hours:
            r = plan
        elif not clock.expired():
            at = dataclasses.replace(params, budget_hours=budget)
            try:
                r = solve(problem, demand=calibration.model, params=at, seed=seed,
                          time_limit=clock.limit(params.curve_time_limit),
                          hints=Hints(tuple(hints[-2:])))  # fmt: skip
            except ValueError as exc:
                log.warning("curve: budget %g: %s", budget, exc)
                status = f"no plan: {exc}"
        got = outcome(r, status)
        row = {"budget_hours": budget, "status": got["status"],
               "hours_used": None if r is None else r.hours_used,
               "demand_served": got["demand_served"],
               "over65_demand_served": got["over65_demand_served"],
               "optimal": got["optimal"], "seconds": got["seconds"]}  # fmt: skip
        if prices and budget == params.budget_hours:
            for name, v in prices.items():
                for key in ("demand_served", "over65_demand_served", "optimal", "status"):
                    row[f"{key}_{name}"] = v[key]
        if r is not None:
            hints.append(r.plan)
        rows.append(row)
    out = pd.DataFrame(rows)
    if len(out):
        served = pd.to_numeric(out["demand_served"], errors="coerce")
        used = pd.to_numeric(out["hours_used"], errors="coerce")
        out["extra_visits_per_extra_hour"] = (served.diff() / used.diff()).round(1)
    return out


def notes(curve_frame: pd.DataFrame | None, prices: dict[str, dict] | None) -> list[str]:
    """One line per solve the deadline stopped early or left out."""
    out = []
    for name, v in (prices or {}).items():
        if v["status"] != "optimal":
            out.append(f"rule price {name}: {v['status']}")
    if curve_frame is not None and len(curve_frame):
        for status in sorted(set(curve_frame["status"]) - {"optimal"}):
            budgets = curve_frame.loc[curve_frame["status"] == status, "budget_hours"]
            out.append(f"curve at {', '.join(f'{b:g}' for b in budgets)} h: {status}")
    return out
