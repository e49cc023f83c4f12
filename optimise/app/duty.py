"""What carrying every pupil took, for the results page: the vehicles to procure (spot
hire, by type) and the pupils carried beyond their ride limit because even their direct
drive is longer (``ride_limit_exceeded_unavoidably``).

Both come from the run's ``summary.json``. Its ``carried_beyond_limit`` rows give each
flagged pupil's school, direct ride and limit but no route: the route is the one in
``routes.csv`` whose ride from a pick-up to that school takes that direct ride (the
flagged pupil rides exactly their direct drive; pupils of one school with the same
direct ride share out as many such rides, else each lists every candidate route). With
personal data on, the pupils at
that pick-up are named from ``routes-personal.csv``; otherwise no pupil id is read.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Flagged", "Hire", "beyond_limit", "to_procure"]

#: How far (minutes) a ride may be from the summary's direct ride (rounded to 0.1).
TOLERANCE_MIN = 0.06


@dataclass
class Hire:
    """One run's vehicles to procure: type → how many, and the spot hire a year."""

    label: str
    vehicles: dict[str, int]
    cost_gbp: float


@dataclass
class Flagged:
    """One pupil carried beyond the limit: route(s), school, direct ride, limit."""

    routes: list[str]
    school: str
    direct_minutes: float
    limit_minutes: float
    pupils: str = ""


def to_procure(summary: dict[str, Any]) -> list[Hire]:
    """The morning's (or the run's) and the afternoon's vehicles to procure."""
    pm = summary["pm"] if isinstance(summary.get("pm"), dict) else {}
    label = "afternoon" if summary.get("run") == "pm" else "morning"
    out = []
    for name, run in ((label, summary), ("afternoon", pm)):
        if run.get("vehicles_to_procure"):
            vehicles = {str(k): int(n) for k, n in run["vehicles_to_procure"].items()}
            out.append(Hire(name, vehicles, float(run.get("spot_hire_cost_gbp") or 0)))
    return out


def _seconds(text: str) -> int | None:
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])


def _rides(rows: list[dict[str, str]], pm: bool) -> list[tuple[str, str, str, float]]:
    """(route, sequence, school, minutes) of every pick-up → school ride of one route
    (in the afternoon, school → drop-off)."""
    out = []
    for i, stop in enumerate(rows):
        moving = stop.get("pupils_alighting" if pm else "pupils_boarding") or "0"
        if stop.get("kind") not in ("home", "stop") or moving in ("0", ""):
            continue
        schools = rows[:i] if pm else rows[i + 1 :]
        for school in (s for s in schools if s.get("kind") == "school"):
            start, end = (school["depart"], stop["arrive"])
            if not pm:
                start, end = stop["depart"], school["arrive"]
            a, b = _seconds(start), _seconds(end)
            if a is not None and b is not None:
                out.append((stop["route"], stop["sequence"], school["id"], (b - a) / 60))
    return out


def _read(path: Path, run: str) -> dict[str, list[dict[str, str]]]:
    """The rows of ``run`` in a routes CSV, by route."""
    routes: dict[str, list[dict[str, str]]] = {}
    if not path.is_file():
        return routes
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if (row.get("run") or "am") == run:
                routes.setdefault(row["route"], []).append(row)
    return routes


def beyond_limit(summary: dict[str, Any], folder: Path, personal: bool) -> list[Flagged]:
    """The pupils carried beyond the ride limit, each with the route carrying them."""
    beyond = summary.get("carried_beyond_limit") or []
    if not beyond:
        return []
    run = "pm" if summary.get("run") == "pm" else "am"
    rides = [r for rows in _read(folder / "routes.csv", run).values()
             for r in _rides(rows, run == "pm")]  # fmt: skip
    names = {}
    if personal:
        for route, rows in _read(folder / "routes-personal.csv", run).items():
            names.update({(route, r["sequence"]): r.get("id", "") for r in rows})
    keys = [(str(item.get("school", "")), float(item.get("direct_ride_minutes", 0)))
            for item in beyond]  # fmt: skip
    seen: dict[tuple[str, float], int] = {}
    out = []
    for item, key in zip(beyond, keys, strict=True):
        hits = sorted((route, seq) for route, seq, school, minutes in rides
                      if school == key[0] and abs(minutes - key[1]) <= TOLERANCE_MIN)  # fmt: skip
        if len(hits) == keys.count(key) > 1:  # as many rides as such pupils: one each
            hits = [hits[seen.get(key, 0)]]
            seen[key] = seen.get(key, 0) + 1
        flagged = Flagged(sorted({route for route, _s in hits}), key[0], key[1],
                          float(item.get("limit_minutes", 0)))  # fmt: skip
        if personal:
            flagged.pupils = ", ".join(sorted({names.get(h, "") for h in hits} - {""}))
        out.append(flagged)
    return out
