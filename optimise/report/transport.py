"""The transport part of a report: route map, route table, ride times, cost.

Drawn from ``routes.gpkg``, ``routes.csv`` (times and pupils boarding or alighting per
stop), ``unserved.csv`` and ``summary.json``; the map and the rules that keep pupils'
homes out of it are in :mod:`optimise.report.transport_map`. Ride times come from
``routes.csv``: in the morning from the departure at the pick-up to the arrival at the
next school on the route, in the afternoon from the departure at the last school to the
arrival at the drop-off - what the solver limits. On the default data their count and
mean equal the run's ``pupils_served`` and ``mean_ride_minutes`` (see the tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from models.transport import TransportPolicy
from optimise.report.load import read_csv
from optimise.report.page import Section, figures, table
from optimise.report.svg import bar_chart, histogram
from optimise.report.transport_map import map_layers

if TYPE_CHECKING:
    from pathlib import Path


__all__ = ["ride_minutes", "section"]


def _seconds(clock: Any) -> float:
    if not isinstance(clock, str) or not clock:
        return np.nan
    h, m, s = (int(x) for x in clock.split(":"))
    return h * 3600 + m * 60 + s


def ride_minutes(rows: pd.DataFrame, run: str = "am") -> list[float]:
    """One ride (minutes) per pupil carried on ``run`` (``am`` or ``pm``) in ``routes.csv``."""
    if "run" in rows:
        rows = rows[rows["run"] == run]
    elif run != "am":
        return []
    count = "pupils_boarding" if run == "am" else "pupils_alighting"
    if count not in rows:
        return []
    rides: list[float] = []
    for _, route in rows.sort_values(["route", "sequence"]).groupby("route", sort=False):
        arrive = route["arrive"].map(_seconds).to_numpy()
        depart = route["depart"].map(_seconds).to_numpy()
        kind = route["kind"].to_numpy()
        pupils = route[count].fillna(0).astype(int).to_numpy()
        schools = [i for i, k in enumerate(kind) if k == "school"]
        for i in np.flatnonzero((pupils > 0) & (kind != "school")):
            if run == "am":
                j = next((j for j in schools if j > i), None)
                ride = None if j is None else arrive[j] - depart[i]
            else:
                j = next((j for j in reversed(schools) if j < i), None)
                ride = None if j is None else arrive[i] - depart[j]
            if ride is not None:
                rides += [ride / 60.0] * int(pupils[i])
    return rides


def _minutes(rows: pd.DataFrame) -> pd.Series:
    first = rows.sort_values("sequence").groupby("route")
    start = first["depart"].first().map(_seconds)
    end = first["arrive"].last().map(_seconds)
    return ((end - start) / 60).round(1)


def _figures(summary: dict[str, Any]) -> str:
    items = [
        ("a year", f"£{summary.get('annual_cost_gbp', 0):,.0f}"),
        ("vehicles", summary.get("vehicles")), ("routes", summary.get("routes")),
        ("pupils carried", f"{summary.get('pupils_served')} of {summary.get('pupils_total')}"),
        ("mean ride, min", summary.get("mean_ride_minutes")),
        ("95th percentile ride, min", summary.get("p95_ride_minutes")),
        ("over the ride limit", summary.get("ride_limit_violations")),
    ]  # fmt: skip
    pm_run = summary["pm"] if isinstance(summary.get("pm"), dict) else {}
    for label, run in (("", summary), ("afternoon ", pm_run)):
        if run.get("vehicles_to_procure"):
            what = ", ".join(f"{n} × {kind}" for kind, n in run["vehicles_to_procure"].items())
            items.append((f"{label}vehicles to procure (spot hire)",
                          f"{what}: £{run.get('spot_hire_cost_gbp', 0):,.0f} a year"))  # fmt: skip
    if summary.get("ride_limit_exceeded_unavoidably"):
        items.append(("carried beyond the limit (direct ride longer)",
                      summary["ride_limit_exceeded_unavoidably"]))  # fmt: skip
    pm = summary.get("pm")
    if isinstance(pm, dict):
        items += [("afternoon routes", pm.get("routes")),
                  ("afternoon mean ride, min", pm.get("mean_ride_minutes")),
                  ("whole day a year", f"£{summary.get('total_annual_cost_gbp', 0):,.0f}"),
                  ("whole day vehicles", summary.get("total_vehicles"))]  # fmt: skip
    return figures(items)


def section(
    folder: Path, summary: dict[str, Any], personal: bool, key: str = "transport"
) -> Section:
    rows = read_csv(folder / "routes.csv")
    s = Section(key, "School transport: routes")
    s.blocks.append(_figures(summary))
    if rows is None or not len(rows):
        s.blocks.append('<p class="note">No routes in this run.</p>')
        return s
    s.layers, lines = map_layers(folder, rows, personal)
    s.blocks.append(_charts(rows, summary))
    per = lines.set_index("route")
    per["minutes"] = _minutes(rows)
    per["annual_cost_gbp"] = per["daily_cost_gbp"] * summary.get(
        "school_days", TransportPolicy().school_days
    )
    columns = {"route": "route", "vehicle_name": "vehicle", "pupils": "pupils",
               "miles": "miles", "minutes": "minutes", "daily_cost_gbp": "£ a day",
               "annual_cost_gbp": "£ a year", "schools": "schools"}  # fmt: skip
    if "run" in per:
        columns = {"run": "run", **columns}
    s.blocks.append("<h3>Routes</h3>" + table(
        per.reset_index(), "routes", columns=columns,
        formats={"daily_cost_gbp": ",.2f", "annual_cost_gbp": ",.0f"},
    ))  # fmt: skip
    beyond = summary.get("carried_beyond_limit") or []
    if beyond:
        frame = pd.DataFrame(beyond)
        s.blocks.append(f'<h3>Carried beyond the ride limit ({len(frame)})</h3><p class="note">'
                        "Their direct drive from pick-up to school is longer than their limit: "
                        "each rides no longer than that direct drive.</p>"
                        + table(frame, "beyond", columns={
                            "school": "school", "direct_ride_minutes": "direct ride, min",
                            "limit_minutes": "limit, min"}))  # fmt: skip
    named = personal and (folder / "unserved-personal.csv").is_file()
    unserved = read_csv(folder / ("unserved-personal.csv" if named else "unserved.csv"),
                        required=False)  # fmt: skip
    if unserved is not None and len(unserved):
        cols = {c: c.replace("_", " ") for c in unserved.columns if c != "pupil"}
        if personal and "pupil" in unserved:
            cols = {"pupil": "pupil", **cols}
        s.blocks.append(f"<h3>Pupils not carried ({len(unserved)})</h3>"
                        + table(unserved, "unserved", columns=cols))  # fmt: skip
    return s


def _charts(rows: pd.DataFrame, summary: dict[str, Any]) -> str:
    policy = TransportPolicy()  # runs written before the summary carried the run's limits
    ride = summary.get("ride_limits_min") or {}
    limits = {"primary limit": ride.get("primary", policy.max_ride_primary_min),
              "secondary limit": ride.get("secondary", policy.max_ride_secondary_min)}  # fmt: skip
    out = ["<h3>Ride times</h3>"]
    for run, title in (("am", "Morning ride times"), ("pm", "Afternoon ride times")):
        rides = ride_minutes(rows, run)
        if rides:
            out.append(histogram(f"{title} ({len(rides)} pupils)", rides, bin_width=5,
                                 limits=limits, x_label="ride, minutes"))  # fmt: skip
    out.append('<p class="note">Dashed lines: the run\'s ride limits; a pupil may have '
               "their own lower limit.</p><h3>Cost against the current plan</h3>")  # fmt: skip
    if "current_annual_cost_gbp" in summary:
        out.append(bar_chart("Annual cost", ["current plan", "this plan"],
                             [summary["current_annual_cost_gbp"], summary["annual_cost_gbp"]],
                             "£ a year"))  # fmt: skip
        out.append(f"<p>Saving £{summary.get('saving_gbp', 0):,.0f} a year; the current plan "
                   f"leaves {summary.get('current_pupils_unserved', 0)} pupil(s) without a "
                   f"route and has {summary.get('current_ride_limit_violations', 0)} ride(s) "
                   "over the limit.</p>")  # fmt: skip
    else:
        out.append('<p class="note">No current plan was given to this run '
                   "(optimise transport routes --current-plan CSV).</p>")  # fmt: skip
    return "".join(out)
