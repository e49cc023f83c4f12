"""The headline figures of a finished transport run, from its ``summary.json``."""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["headline", "unserved_reasons"]


#: The savings by line (``transport plan`` against a current plan, mode choice).
LINES = (
    ("route_mapping", "better routes"),
    ("pick_up_points", "pick-up points"),
    ("personal_budgets", "personal budgets"),
    ("independent_travel", "travel training"),
)


def _money(value: Any) -> str:
    return "—" if value is None else f"£{float(value):,.0f}"


def headline(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows for the results page."""
    rows = [
        ("Annual cost", _money(summary.get("annual_cost_gbp"))),
        ("Daily cost", _money(summary.get("daily_cost_gbp"))),
        ("Vehicles", str(summary.get("vehicles", "—"))),
        ("Routes", str(summary.get("routes", "—"))),
        ("Pupils carried", f"{summary.get('pupils_served', 0):,} of "
                           f"{summary.get('pupils_total', 0):,}"),
        ("Pupils not carried", str(summary.get("pupils_unserved", 0))),
        ("Mean ride", f"{summary.get('mean_ride_minutes', 0)} min"),
        ("95th percentile ride", f"{summary.get('p95_ride_minutes', 0)} min"),
    ]  # fmt: skip
    if "stops_used" in summary:  # transport plan: the pick-up points it chose
        rows += [
            ("Pick-up points used", f"{summary['stops_used']} of {summary['stops_candidate']}"),
            ("Pupils walking to a pick-up point", str(summary.get("pupils_at_stops", 0))),
            ("Longest walk", f"{summary.get('max_walk_m', 0):,.0f} m"),
        ]
    if "total_annual_cost_gbp" in summary:
        rows += [
            ("Day (morning and afternoon): annual cost", _money(summary["total_annual_cost_gbp"])),
            ("Day: vehicles", str(summary.get("total_vehicles", "—"))),
        ]
    if "saving_gbp" in summary:
        rows += [("Current plan: annual cost", _money(summary.get("current_annual_cost_gbp"))),
                 ("Saving against the current plan", _money(summary["saving_gbp"]))]  # fmt: skip
    lines = summary.get("savings_by_line_gbp") or {}
    for key, label in LINES:
        if lines.get(key) is not None:
            rows.append((f"Saving by line: {label}", _money(lines[key])))
    return rows


def unserved_reasons(summary: dict[str, Any]) -> list[tuple[str, int]]:
    """Why pupils are not carried: each reason and how many pupils it applies to."""
    counts = Counter(str(u.get("reason", "")) for u in summary.get("unserved", []))
    return counts.most_common()
