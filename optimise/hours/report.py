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

__all__ = ["blocks", "centre_table", "timetable", "weekly_grid"]


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


def weekly_grid(problem: HoursProblem, result: HoursResult) -> str:
    """Markdown: the plan's week per centre, today's week beside it."""
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
    return "# Face-to-face centre opening hours\n\n" + "\n\n".join(parts) + "\n"


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
