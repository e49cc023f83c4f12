"""The headline figures of a finished transport run, from its ``summary.json``."""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["headline", "unserved_reasons"]


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
    if "total_annual_cost_gbp" in summary:
        rows += [
            ("Day (morning and afternoon): annual cost", _money(summary["total_annual_cost_gbp"])),
            ("Day: vehicles", str(summary.get("total_vehicles", "—"))),
        ]
    if "saving_gbp" in summary:
        rows.append(("Saving against the current plan", _money(summary["saving_gbp"])))
    return rows


def unserved_reasons(summary: dict[str, Any]) -> list[tuple[str, int]]:
    """Why pupils are not carried: each reason and how many pupils it applies to."""
    counts = Counter(str(u.get("reason", "")) for u in summary.get("unserved", []))
    return counts.most_common()
