"""Two finished transport runs side by side: their headline figures and the pupils
whose morning route changes between them.

A pupil's route *changes* as ``transport plan --previous-plan`` counts it
(:mod:`optimise.transport.stops.changes`): their pick-up point or their vehicle
changed, the second run's routes matched one-to-one to the first's greedily by the
pupils they share (most first), so a route carrying mostly the same pupils under
another name is the same vehicle; a pupil carried in one run and not the other
changes too. Who rides where is read from the run's personal files (a plan's
``assignments-personal.csv``, else ``routes-personal.csv`` and
``unserved-personal.csv``); a routes run made with personal data off has none, and
the count is then not known. Only counts leave this module: no pupil id reaches a page.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["FIGURES", "Changes", "changes", "figures", "riders"]

#: Summary keys compared, with their labels and whether they are £.
FIGURES = (
    ("annual_cost_gbp", "Annual cost (morning)", True),
    ("daily_cost_gbp", "Daily cost (morning)", True),
    ("vehicles", "Vehicles (morning)", False),
    ("routes", "Routes (morning)", False),
    ("pupils_served", "Pupils carried", False),
    ("pupils_unserved", "Pupils not carried", False),
    ("total_annual_cost_gbp", "Day (morning and afternoon): annual cost", True),
    ("total_vehicles", "Day: vehicles", False),
    ("stops_used", "Pick-up points used", False),
)

#: A pupil's morning: (pick-up point, route); route None when not carried.
Ride = tuple[str, str | None]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def riders(folder: Path) -> dict[str, Ride] | None:
    """Each pupil's morning in the run folder ``folder``; None without personal files."""
    plan = folder / "assignments-personal.csv"
    if plan.is_file():
        rows = _rows(plan)
        if rows and "pupil_id" in rows[0]:
            return {r["pupil_id"]: (r.get("pickup") or "home", r.get("route") or None)
                    for r in rows}  # fmt: skip
    routes = folder / "routes-personal.csv"
    if not routes.is_file():
        return None
    out: dict[str, Ride] = {}
    for r in _rows(routes):
        if r.get("run", "am") == "am" and r.get("kind") == "home":
            for pid in filter(None, (r.get("id") or "").split(";")):
                out[pid] = ("home", r["route"])
    unserved = folder / "unserved-personal.csv"
    if unserved.is_file():
        for r in _rows(unserved):
            if r.get("run", "am") == "am" and r.get("pupil"):
                out.setdefault(r["pupil"], ("home", None))
    return out


@dataclass
class Changes:
    """Pupils in both runs whose morning changed; pupils in one run only."""

    changed: int
    both: int
    only_a: int
    only_b: int


def changes(a: dict[str, Ride], b: dict[str, Ride]) -> Changes:
    """How many pupils' mornings differ between ``a`` and ``b`` (see the module)."""
    common = [p for p in a if p in b]
    pairs = Counter((ra, rb) for p in common if (ra := a[p][1]) and (rb := b[p][1]))
    match: dict[str, str] = {}  # b's route → a's
    taken: set[str] = set()
    for (ra, rb), _n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
        if ra not in taken and rb not in match:
            match[rb] = ra
            taken.add(ra)
    changed = 0
    for p in common:
        (point_a, route_a), (point_b, route_b) = a[p], b[p]
        same_vehicle = (match.get(route_b) if route_b else None) == route_a
        changed += point_a != point_b or not same_vehicle
    return Changes(changed, len(common), len(a) - len(common), len(b) - len(common))


def _shown(value: Any, money: bool) -> str:
    if value is None:
        return "—"
    return f"£{float(value):,.0f}" if money else f"{value:,}"


def _difference(x: Any, y: Any, money: bool) -> str:
    if not isinstance(x, int | float) or not isinstance(y, int | float):
        return ""
    d = y - x
    return ("+" if d > 0 else "−" if d < 0 else "±") + _shown(abs(d), money)


def figures(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(label, run a, run b, b − a) for each figure either summary has."""
    rows = []
    for key, label, money in FIGURES:
        if key in a or key in b:
            x, y = a.get(key), b.get(key)
            rows.append((label, _shown(x, money), _shown(y, money), _difference(x, y, money)))
    return rows
