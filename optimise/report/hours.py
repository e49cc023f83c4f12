"""The opening-hours part of a report: centres on a map, the weekly timetable beside
today's, and demand served against the staff budget.

Drawn from ``timetable.csv``, ``current_timetable.csv``, ``centres.csv``,
``curve.csv`` (absent with ``--no-curve`` and in the demo), ``hours.gpkg`` and
``summary.json``.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimise.report.load import read_csv, read_layer
from optimise.report.page import Section, figures, layer, table
from optimise.report.svg import bar_chart, line_chart

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["section", "week_grid"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _cells(frame: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for row in (frame if frame is not None else pd.DataFrame()).itertuples(index=False):
        key = (str(row.centre), str(row.day))
        text = f"{row.opens}-{row.closes}"
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def week_grid(plan: pd.DataFrame, today: pd.DataFrame | None, centres: list[str]) -> str:
    """The weekly grid: a row per centre, a column per day; each cell the planned opening
    (bold) over today's (grey)."""
    planned, current = _cells(plan), _cells(today)
    head = "".join(f"<th>{d}</th>" for d in DAYS)
    rows = []
    for name in centres:
        cells = []
        for day in DAYS:
            p, c = planned.get((name, day), ""), current.get((name, day), "")
            cells.append(
                f'<td class="slot"><b>{escape(p) or "closed"}</b><br>'
                f'<span class="note">today {escape(c) or "closed"}</span></td>'
            )
        rows.append(f"<tr><td>{escape(name)}</td>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table data-table="timetable"><thead><tr><th>centre</th>{head}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def section(folder: Path, summary: dict[str, Any], key: str = "hours") -> Section:
    plan = read_csv(folder / "timetable.csv")
    today = read_csv(folder / "current_timetable.csv", required=False)
    centres = read_csv(folder / "centres.csv")
    s = Section(key, "Face-to-face centres: opening hours")
    s.blocks.append(figures([
        ("staff-hours used", f"{summary.get('hours_used', 0):g} of "
                             f"{summary.get('budget_hours', 0):g}"),
        ("visits a year served", f"{summary.get('demand_served', 0):,.0f}"),
        ("today", f"{summary.get('current_demand_served', 0):,.0f}"),
        ("by over-65s", f"{summary.get('over65_demand_served', 0):,.0f}"),
        ("over-65s today", f"{summary.get('current_over65_demand_served', 0):,.0f}"),
        ("proven optimal", "yes" if summary.get("optimal") else "no"),
    ]))  # fmt: skip
    points = read_layer(folder / "hours.gpkg", "centres")
    if points is not None:
        s.layers.append(layer(
            "Centres", points,
            lambda r: {"radius": 4 + 1.5 * np.sqrt(np.nan_to_num(r["hours"])),
                       "color": "#fff", "weight": 1, "fillOpacity": 0.9,
                       "fillColor": "#6a1b9a" if np.nan_to_num(r["hours"]) > 0 else "#9e9e9e"},
            lambda r: (f"<b>{escape(str(r['name']))}</b> ({escape(str(r['status']))})<br>"
                       f"{np.nan_to_num(r['hours']):g} h a week planned, "
                       f"{np.nan_to_num(r['current_hours']):g} h today"),
            "Centres: purple open in the plan (sized by weekly hours), grey closed.",
        ))  # fmt: skip
    s.blocks.append("<h3>Weekly timetable</h3>")
    s.blocks.append(week_grid(plan, today, [str(c) for c in centres["centre"]]))
    s.blocks.append("<h3>Demand served against the staff budget</h3>")
    s.blocks.append(_budget_chart(folder, summary))
    s.blocks.append("<h3>Centres</h3>")
    s.blocks.append(table(centres, "centres"))
    return s


def _budget_chart(folder: Path, summary: dict[str, Any]) -> str:
    curve = read_csv(folder / "curve.csv", required=False)
    if curve is not None and len(curve):
        return line_chart(
            "Demand served against budget",
            {"visits served": (curve["budget_hours"].tolist(), curve["demand_served"].tolist()),
             "by over-65s": (curve["budget_hours"].tolist(),
                             curve["over65_demand_served"].tolist())},
            points={"today": (float(summary.get("current_hours", 0)),
                              float(summary.get("current_demand_served", 0))),
                    "this plan": (float(summary.get("hours_used", 0)),
                                  float(summary.get("demand_served", 0)))},
            x_label="staff-hours a week", y_label="visits a year",
        )  # fmt: skip
    return (
        bar_chart(
            "Demand served: today and this plan",
            ["today", "this plan"],
            [
                float(summary.get("current_demand_served", 0)),
                float(summary.get("demand_served", 0)),
            ],
            "visits a year",
        )
        + '<p class="note">No budget curve in this run (optimise hours without --no-curve).</p>'
    )
