"""Measure any plan, e.g. the council's current one, against the same constraints and costs.

A plan is a list of :class:`PlanRoute`: a route id, a vehicle type (fleet id or name)
and the ordered pupil or stop ids it collects. A stop id collects every pupil assigned
to that stop (``TransportProblem.pupil_stop``) not already named on the route. Each
route is built by :func:`~optimise.transport.schedule.build_route`, exactly as the
solver's routes are, so the two costs compare like with like.

The current-plan CSV (:func:`read_plan`, :func:`parse_plan`) has one row per visit::

    route,vehicle_type,sequence,id
    A1,V16,1,P00017
    A1,V16,2,P00230
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geodata.errors import InputError
from models.transport_result import TransportResult, UnservedPupil
from optimise.transport.schedule import build_route, group_pickups, rides_array

if TYPE_CHECKING:
    from models.transport import TransportProblem

__all__ = ["PlanRoute", "evaluate", "parse_plan", "read_plan"]


@dataclass(frozen=True)
class PlanRoute:
    """One route of a given plan: its id, vehicle type and ordered pupil/stop ids."""

    id: str
    vehicle_type: str
    items: tuple[str, ...]


def parse_plan(text: str, source: str = "current plan") -> tuple[PlanRoute, ...]:
    """Parse the plan CSV text (columns ``route``, ``vehicle_type``, ``id``, optional
    ``sequence``); rows of a route are ordered by ``sequence``, else as given."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    need = {"route", "vehicle_type", "id"}
    missing = need - set(reader.fieldnames or ())
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(sorted(missing))}; expected "
            "route, vehicle_type, sequence (optional), id"
        )
    rows: dict[str, list[tuple[float, int, str]]] = {}
    kinds: dict[str, str] = {}
    for n, row in enumerate(reader, start=2):
        route, vt, item = (str(row[k] or "").strip() for k in ("route", "vehicle_type", "id"))
        if not route or not vt or not item:
            raise InputError(f"{source}, row {n}: route, vehicle_type and id must not be empty")
        if kinds.setdefault(route, vt) != vt:
            raise InputError(
                f"{source}, row {n}: route {route} has vehicle type '{vt}' here and "
                f"'{kinds[route]}' earlier; a route has one vehicle"
            )
        seq_text = str(row.get("sequence") or "").strip()
        try:
            seq = float(seq_text) if seq_text else float(n)
        except ValueError:
            raise InputError(
                f"{source}, row {n}, column sequence: expected a number, found '{seq_text}'"
            ) from None
        rows.setdefault(route, []).append((seq, n, item))
    return tuple(
        PlanRoute(route, kinds[route], tuple(item for *_, item in sorted(items)))
        for route, items in rows.items()
    )


def read_plan(path: str | Path) -> tuple[PlanRoute, ...]:
    """Read a current-plan CSV file (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    return parse_plan(text, str(path))


def evaluate(problem: TransportProblem, plan: tuple[PlanRoute, ...]) -> TransportResult:
    """Cost, ride times and every broken constraint of ``plan``.

    Pupils the plan does not carry are listed as unserved (not as violations); a pupil
    carried twice, an unknown id or vehicle type, and a fleet row used more often than
    it is available are violations.
    """
    pupil_at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
    stop_at = {sid: i for i, sid in enumerate(problem.stop_ids)}
    vehicle_at = {v.id: i for i, v in enumerate(problem.vehicles)}
    vehicle_at.update({v.name: i for i, v in enumerate(problem.vehicles)})
    violations: list[str] = []
    checks = []
    seen: set[int] = set()
    used = np.zeros(len(problem.vehicles), dtype=np.int64)
    for route in plan:
        v = vehicle_at.get(route.vehicle_type)
        if v is None:
            raise InputError(
                f"current plan: route {route.id}: unknown vehicle type '{route.vehicle_type}' "
                f"(fleet ids: {', '.join(x.id for x in problem.vehicles[:5])}, ...)"
            )
        pupils: list[int] = []
        for item in route.items:
            if item in pupil_at:
                pupils.append(pupil_at[item])
            elif item in stop_at and problem.pupil_stop is not None:
                s = stop_at[item]
                pupils += [
                    int(p) for p in np.flatnonzero(problem.pupil_stop == s) if p not in pupils
                ]
            else:
                raise InputError(f"current plan: route {route.id}: unknown pupil or stop '{item}'")
        twice = [problem.pupil_ids[p] for p in pupils if p in seen]
        if twice:
            violations.append(f"route {route.id}: pupil {twice[0]} is on another route too")
        seen.update(pupils)
        if not pupils:
            continue
        used[v] += 1
        check = build_route(problem, route.id, v, group_pickups(problem, pupils))
        checks.append(check)
        violations += check.violations
    for v, n in enumerate(used):
        if n > problem.vehicles[v].available:
            vt = problem.vehicles[v]
            violations.append(f"vehicle type {vt.id}: {n} routes, {vt.available} available")
    unserved = tuple(
        UnservedPupil(p, "not on any route of the plan", -1, int(problem.pupil_max_ride_s[p]))
        for p in range(problem.num_pupils)
        if p not in seen
    )
    return TransportResult(
        routes=tuple(c.route for c in checks),
        unserved=unserved,
        ride_s=rides_array(problem, checks),
        violations=tuple(violations),
        ride_limit_violations=sum(len(c.over_limit) for c in checks),
        school_days=problem.policy.school_days,
        method="evaluation of a given plan",
    )
