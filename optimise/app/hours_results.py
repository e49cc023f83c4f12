"""A finished hours run's results: the weekly grid beside today's (``timetable.csv``,
``current_timetable.csv``), demand served against the staff budget (``summary.json``,
``curve.csv``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Grid", "hours_results", "read_grid"]

WEEK = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Grid:
    """A weekly timetable: per centre (in file order) and day, its openings."""

    days: list[str] = field(default_factory=list)
    centres: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    hours: dict[str, float] = field(default_factory=dict)

    def cell(self, centre: str, day: str) -> str:
        return ", ".join(self.centres.get(centre, {}).get(day, [])) or "–"


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_grid(path: Path, centres: list[str], days: list[str]) -> Grid:
    """The grid of one timetable file over ``centres`` and ``days``."""
    grid = Grid(days, {c: {} for c in centres}, dict.fromkeys(centres, 0.0))
    for row in _rows(path):
        name = row.get("centre", "")
        grid.centres.setdefault(name, {}).setdefault(row.get("day", ""), []).append(
            f"{row.get('opens', '')}-{row.get('closes', '')}"
        )
        grid.hours[name] = grid.hours.get(name, 0.0) + float(row.get("hours") or 0)
    return grid


def _number(value: Any) -> str:
    return "—" if value in (None, "") else f"{float(value):,.0f}"


def hours_results(summary: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The values the hours results template shows."""
    centres = [r["centre"] for r in _rows(folder / "centres.csv")]
    files = [folder / "timetable.csv", folder / "current_timetable.csv"]
    seen = {r.get("day", "") for f in files for r in _rows(f)}
    days = [d for d in WEEK if d in seen] + sorted(seen - set(WEEK))
    for f in files:  # a centre only in a timetable still gets its row
        centres += [c for c in dict.fromkeys(r["centre"] for r in _rows(f)) if c not in centres]
    figures = [
        ("Staff-hours used", f"{summary.get('hours_used', 0):g} of a budget of "
                             f"{summary.get('budget_hours', 0):g} a week (today "
                             f"{summary.get('current_hours', 0):g})"),
        ("Demand served (visits a year)", f"{_number(summary.get('demand_served'))} (today "
                                          f"{_number(summary.get('current_demand_served'))})"),
        ("Over-65 demand served", f"{_number(summary.get('over65_demand_served'))} (today "
                                  f"{_number(summary.get('current_over65_demand_served'))})"),
        ("Centres open", f"{summary.get('centres_open', '—')} (today "
                         f"{summary.get('centres_open_today', '—')})"),
        ("Closes", ", ".join(summary.get("closures") or []) or "none"),
        ("Opens", ", ".join(summary.get("openings") or []) or "none"),
        ("Plan", "optimal" if summary.get("optimal") else "not proven optimal in its time limit"),
    ]  # fmt: skip
    curve = [r for r in _rows(folder / "curve.csv") if r.get("demand_served")]
    return {"figures": figures, "centres": centres,
            "plan": read_grid(files[0], centres, days), "today": read_grid(files[1], centres, days),
            "curve": curve, "budget": summary.get("budget_hours")}  # fmt: skip
