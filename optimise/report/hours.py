"""The opening-hours part of a report: centres on a map, the weekly timetable beside
today's, the closures and openings, the zones that lose access, the price of each
rule, and demand served against the staff budget.

Drawn from ``timetable.csv``, ``current_timetable.csv``, ``centres.csv``,
``zone_changes.csv``, ``curve.csv`` (absent with ``--no-curve`` and in the demo),
``hours.gpkg`` and ``summary.json``.
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
    s.blocks.append(_changes(folder, summary, centres))
    s.blocks.append(_price_block(summary))
    s.blocks.append("<h3>Demand served against the staff budget</h3>")
    s.blocks.append(_budget_chart(folder, summary))
    s.blocks.append("<h3>Centres</h3>")
    s.blocks.append(table(centres, "centres"))
    return s


def _budget_chart(folder: Path, summary: dict[str, Any]) -> str:
    curve = read_csv(folder / "curve.csv", required=False)
    left_out = ""
    if curve is not None and "demand_served" in curve:  # budgets the deadline left out
        gone = curve[curve["demand_served"].isna()]
        curve = curve[curve["demand_served"].notna()]
        if len(gone):
            left_out = (
                '<p class="note">Not on the chart (not run in the time limit): '
                f"{escape(', '.join(f'{b:g} h' for b in gone['budget_hours']))}.</p>"
            )
    if curve is not None and len(curve):
        return left_out + line_chart(
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


PRICE_ROWS = (("with_rules", "floor + regular (the plan)"), ("no_floor", "no access floor"),
              ("no_regular", "no regular timetables"), ("no_rules", "neither rule"))  # fmt: skip


def _names(ids: list[str], centres: pd.DataFrame) -> str:
    by_id = dict(zip(centres["centre_id"].astype(str), centres["centre"].astype(str), strict=True))
    return ", ".join(f"{by_id.get(str(i), i)} ({i})" for i in ids) or "none"


def _changes(folder: Path, summary: dict[str, Any], centres: pd.DataFrame) -> str:
    """Closures and openings, and the zones whose nearest open centre gets farther."""
    out = ["<h3>Closures and openings</h3>",
           f"<p>Closes: {escape(_names(summary.get('closures', []), centres))}. "
           f"Opens: {escape(_names(summary.get('openings', []), centres))}.</p>",
           "<h3>Zones that lose access</h3>"]  # fmt: skip
    zones = read_csv(folder / "zone_changes.csv", required=False)
    if zones is None or not len(zones):
        return "".join([*out, '<p class="note">No zone_changes.csv in this run.</p>'])
    beyond = zones["beyond_plan"].astype(bool) & ~zones["beyond_today"].astype(bool)
    lose = zones[(zones["change"] == "farther") | beyond].sort_values("over65", ascending=False)
    reach = summary.get("max_travel_min")
    out.append(
        f"<p>{len(lose)} zones ({int(lose['population'].sum()):,} residents, "
        f"{int(lose['over65'].sum()):,} over-65s) have their nearest open centre farther "
        f"in the plan. Over-65s beyond {reach} min of an open centre: "
        f"{summary.get('over65_beyond_max_travel_today', 0):,} today, "
        f"{summary.get('over65_beyond_max_travel', 0):,} in the plan.</p>"
    )
    if len(lose):
        cols = {"zone_id": "zone", "population": "residents", "over65": "over-65s",
                "today_centre": "today", "today_minutes": "min", "plan_centre": "plan",
                "plan_minutes": "min "}  # fmt: skip
        out.append(table(lose.head(50), "zones_losing", columns=cols))
    return "".join(out)


def _price_block(summary: dict[str, Any]) -> str:
    """The price of each rule: demand served with every rule, without each, both."""
    prices = summary.get("rule_prices")
    if not prices:
        return ""
    rows = []
    for key, label in PRICE_ROWS:
        v = prices.get(key) or {}
        rows.append({"rules": label, "visits": v.get("demand_served"),
                     "over65": v.get("over65_demand_served"),
                     "centres": v.get("centres_open"), "status": v.get("status", "")})  # fmt: skip
    frame = pd.DataFrame(rows)
    cols = {"rules": "rules", "visits": "visits a year", "over65": "by over-65s",
            "centres": "centres open", "status": "status"}  # fmt: skip
    items = []
    for label, name in (("floor", "the access floor"), ("regular", "regular timetables"),
                        ("both", "both rules")):  # fmt: skip
        served = prices.get(f"price_of_{label}_demand_served")
        old = prices.get(f"price_of_{label}_over65_demand_served")
        text = "not known (see status)" if served is None else (
            f"{round(served):,} visits a year ({round(old):,} by over-65s)")  # fmt: skip
        items.append(f"<li>Price of {name}: {escape(text)}</li>")
    notes = "".join(f"<li>{escape(n)}</li>" for n in summary.get("notes", []))
    return (
        "<h3>The price of each rule (same budget)</h3>"
        + table(frame, "rule_prices", columns=cols, formats={"visits": ",.0f", "over65": ",.0f"})
        + f"<ul>{''.join(items)}</ul>"
        + (f'<p class="note">Notes:</p><ul class="note">{notes}</ul>' if notes else "")
    )
