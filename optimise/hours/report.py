"""Tables of an opening-hours result: timetable, weekly grid, per-centre figures.

Free functions (STYLE.md practice 9): they read a problem and a result and return
pandas frames or text; :mod:`optimise.hours.run` writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geodata.timefmt import DAY_NAMES, format_time

if TYPE_CHECKING:
    from models.hours import HoursProblem
    from models.hours_result import HoursResult
    from optimise.hours.calibrate import Calibration

__all__ = ["blocks", "centre_table", "lost_access", "price_table", "timetable", "weekly_grid"]


def blocks(problem: HoursProblem, mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """``(centre, day, opens, closes)`` of each open block, minutes after midnight."""
    out = []
    for c, d in zip(*np.nonzero(mask.any(axis=2)), strict=True):
        row = np.concatenate([[False], mask[c, d], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(row))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            opens = problem.day_start + int(start) * problem.slot_minutes
            out.append((int(c), int(d), opens, problem.day_start + int(end) * problem.slot_minutes))
    return sorted(out)


def timetable(problem: HoursProblem, mask: np.ndarray) -> pd.DataFrame:
    """One row per open block: centre, day, opening and closing time, hours."""
    rows = [
        {
            "centre_id": problem.centre_ids[c],
            "centre": problem.centre_name[c],
            "day": DAY_NAMES[d],
            "opens": format_time(a),
            "closes": format_time(b),
            "hours": (b - a) / 60,
        }
        for c, d, a, b in blocks(problem, mask)
    ]
    return pd.DataFrame(rows, columns=["centre_id", "centre", "day", "opens", "closes", "hours"])


def _cells(problem: HoursProblem, mask: np.ndarray) -> list[list[str]]:
    cells = [["" for _ in range(7)] for _ in problem.centre_ids]
    for c, d, a, b in blocks(problem, mask):
        text = f"{format_time(a)}-{format_time(b)}"
        cells[c][d] = f"{cells[c][d]}, {text}" if cells[c][d] else text
    return cells


def closures_and_openings(problem: HoursProblem, plan: np.ndarray) -> tuple[list[int], list[int]]:
    """Centres (indices) open today that the plan closes, and those it opens."""
    today, new = problem.current.any(axis=(1, 2)), plan.any(axis=(1, 2))
    return np.flatnonzero(today & ~new).tolist(), np.flatnonzero(~today & new).tolist()


def weekly_grid(
    problem: HoursProblem, result: HoursResult, changes: pd.DataFrame | None = None,
    prices: dict | None = None, notes: list[str] | None = None,
) -> str:  # fmt: skip
    """Markdown: the plan's week per centre, today's week beside it, the closures and
    openings, the zones that lose access (``changes``: :func:`zone_changes`'s frame)
    and the price of each rule (``prices``: the summary's ``rule_prices``)."""
    days = [d for d in range(7) if result.plan[:, d].any() or problem.current[:, d].any()]
    head = "| centre | " + " | ".join(DAY_NAMES[d] for d in days) + " | h/week |"
    rule = "|---|" + "---|" * len(days) + "---:|"
    parts = []
    for title, mask in (("Proposed", result.plan), ("Today", problem.current)):
        cells = _cells(problem, mask)
        hours = mask.sum(axis=(1, 2)) * problem.slot_minutes / 60
        lines = [f"## {title}", "", head, rule]
        for c, name in enumerate(problem.centre_name):
            row = [cells[c][d] or "-" for d in days]
            lines.append(f"| {name} | " + " | ".join(row) + f" | {hours[c]:g} |")
        parts.append("\n".join(lines))
    shut, new = closures_and_openings(problem, result.plan)
    closed = [str(problem.centre_name[c]) for c in shut]
    opened = [str(problem.centre_name[c]) for c in new]
    parts.append("## Closures and openings\n\n"
                 f"- Closes: {', '.join(closed) or 'none'}\n"
                 f"- Opens: {', '.join(opened) or 'none'}")  # fmt: skip
    if changes is not None:
        parts.append(lost_access(changes))
    if prices:
        parts.append(price_table(prices))
    if notes:
        parts.append("## Notes\n\n" + "\n".join(f"- {n}" for n in notes))
    return "# Face-to-face centre opening hours\n\n" + "\n\n".join(parts) + "\n"


def losing(changes: pd.DataFrame) -> pd.DataFrame:
    """Zones whose nearest open centre is farther in the plan, or beyond the reach."""
    beyond = changes["beyond_plan"].astype(bool) & ~changes["beyond_today"].astype(bool)
    return changes[(changes["change"] == "farther") | beyond]


def lost_access(changes: pd.DataFrame, most: int = 20) -> str:
    """Markdown: the zones that lose access (the ``most`` with most over-65s)."""
    lose = losing(changes).sort_values("over65", ascending=False)
    if not len(lose):
        return "## Zones that lose access\n\nNone: no zone's nearest open centre is farther."
    lines = ["## Zones that lose access", "",
             f"{len(lose)} zones ({int(lose['population'].sum()):,} residents, "
             f"{int(lose['over65'].sum()):,} over-65s): nearest open centre farther in the plan.",
             "", "| zone | residents | over-65s | today | minutes | plan | minutes |",
             "|---|---:|---:|---|---:|---|---:|"]  # fmt: skip
    for r in lose.head(most).itertuples(index=False):
        lines.append(
            f"| {r.zone_id} | {int(r.population):,} | {int(r.over65):,} | {r.today_centre} | "
            f"{r.today_minutes:g} | {r.plan_centre or 'none'} | {r.plan_minutes:g} |"
        )
    return "\n".join(lines)


PRICE_ROWS = (("with_rules", "floor + regular (the plan)"), ("no_floor", "no access floor"),
              ("no_regular", "no regular timetables"), ("no_rules", "neither rule"))  # fmt: skip


def _fmt(value: float | None, spec: str = ",.0f") -> str:
    if value is None:
        return "-"
    return format(round(value) if spec.endswith((".0f", "d")) else value, spec)  # no "-0"


def price_table(prices: dict) -> str:
    """Markdown: demand served with every rule and without each (the summary's
    ``rule_prices``); ``price`` is what the plan gives up for the rule."""
    lines = ["## The price of each rule (same budget)", "",
             "| rules | visits a year | by over-65s | centres open | status |",
             "|---|---:|---:|---:|---|"]  # fmt: skip
    for key, label in PRICE_ROWS:
        v = prices.get(key) or {}
        lines.append(f"| {label} | {_fmt(v.get('demand_served'))} | "
                     f"{_fmt(v.get('over65_demand_served'))} | {_fmt(v.get('centres_open'), 'd')} "
                     f"| {v.get('status', '-')} |")  # fmt: skip
    lines.append("")
    for label in ("floor", "regular", "both"):
        served = prices.get(f"price_of_{label}_demand_served")
        old = prices.get(f"price_of_{label}_over65_demand_served")
        lines.append(f"- Price of {label if label != 'both' else 'both rules'}: "
                     f"{_fmt(served)} visits a year ({_fmt(old)} by over-65s)")  # fmt: skip
    lines.append("- Each figure is proven within the solver's gap (mip_gap), so prices that "
                 "differ by less than that gap are equal within the proof.")  # fmt: skip
    return "\n".join(lines)


def centre_table(
    problem: HoursProblem,
    result: HoursResult,
    calibration: Calibration,
    published_share: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per centre: the plan's and today's hours, visits and visits per open hour.

    ``modelled_share`` divides today's modelled visits by the total the published
    shares imply (observed visits ÷ published shares, summed over the observed
    centres), so it compares with ``published_share`` directly.
    """
    observed = np.full(len(problem.centre_ids), np.nan)
    observed[calibration.observed_index] = calibration.observed
    cur, new = result.current, result.coverage
    table = pd.DataFrame(
        {
            "centre_id": problem.centre_ids,
            "centre": problem.centre_name,
            "status": problem.status,
            "hours": new.hours,
            "visits": new.visits.round(1),
            "visits_per_open_hour": new.visits_per_open_hour().round(2),
            "current_hours": cur.hours,
            "current_visits": cur.visits.round(1),
            "current_visits_per_open_hour": cur.visits_per_open_hour().round(2),
            "observed_visits": observed,
            "observed_visits_per_open_hour": np.round(
                np.where(cur.hours > 0, observed / (cur.hours * 52), np.nan), 2
            ),
        }
    )
    if published_share is not None:
        ok = calibration.observed_index
        shares = np.asarray(published_share, dtype=float)
        total = calibration.observed.sum() / np.nansum(shares[ok])
        table["published_share"] = shares
        table["modelled_share"] = np.where(cur.hours > 0, cur.visits / total, np.nan).round(4)
    return table
