"""A finished estate run's figures and ranked disposals (``summary.json``,
``disposals.csv``) for its results page."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["disposals", "estate_figures"]

#: The most disposals listed on the page (disposals.csv has them all).
SHOWN = 50


def _money(value: Any) -> str:
    return "—" if value is None else f"£{float(value):,.0f}"


def estate_figures(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows: the plan's status, sites kept and disposed, money, access."""
    share = summary.get("receipts_share_of_value")
    rows = [
        ("Plan", str(summary.get("status", "—"))),
        ("Sites kept", f"{summary.get('sites_kept', '—')} of {summary.get('sites', '—')}"),
        ("Sites to dispose of", str(summary.get("sites_disposed", "—"))),
        ("Capital receipts", _money(summary.get("capital_receipts_gbp"))
         + ("" if share is None else f" ({share:.1%} of the estate's value)")),
        ("Net receipts (after relocation)", _money(summary.get("net_receipts_gbp"))),
        ("Running saving a year", _money(summary.get("annual_saving_gbp"))),
        ("Maintenance backlog avoided", _money(summary.get("backlog_avoided_gbp"))),
        ("Travel limit", f"{summary.get('travel_limit_minutes', '—')} min"),
        ("Mean travel to a service", f"{summary.get('mean_travel_minutes', '—')} min"),
        ("Residents beyond the limit", f"{summary.get('population_beyond_limit', 0):,}"),
        ("Office desks cut", "—" if summary.get("office_area_cut_share") is None
         else f"{summary['office_area_cut_share']:.1%}"),
    ]  # fmt: skip
    if summary.get("pareto_points_requested"):
        rows.append(("Pareto front", f"{summary.get('pareto_points', 0)} points "
                     f"({summary.get('pareto_points_traced', 0)} traced)"))  # fmt: skip
    if summary.get("optimal") is False and summary.get("gap") is not None:
        rows.append(("Solver gap", f"{summary['gap']:.2%}"))
    return rows


def disposals(folder: Path) -> tuple[list[dict[str, str]], int]:
    """The ranked disposals (at most :data:`SHOWN`) and how many there are."""
    path = folder / "disposals.csv"
    if not path.is_file():
        return [], 0
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows[:SHOWN], len(rows)
