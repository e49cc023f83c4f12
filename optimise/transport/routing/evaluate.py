"""Measure any plan, e.g. the council's current one, against the same constraints and costs.

A plan is a list of :class:`PlanRoute`: a route id, a vehicle type (fleet id or name)
and the ordered pupil or stop ids it collects. A stop id collects every pupil assigned
to that stop (``TransportProblem.pupil_stop``) not already named on the route. Each
route is built by :func:`~optimise.transport.routing.schedule.build_route`, exactly as the
solver's routes are, so the two costs compare like with like.

The current-plan CSV (:func:`read_plan`, :func:`parse_plan`) has one row per visit::

    route,vehicle_type,sequence,id,vehicle
    A1,V16,1,P00017,bus7
    A1,V16,2,P00230,bus7
    B4,V16,1,P00412,bus7

The optional ``vehicle`` column names the vehicle running each route: routes sharing
a vehicle are its trips of the morning (tiered bell times), run in order of their
schools' arrival windows, each after the first starting at the previous trip's school
and paying no second day rate (nor a second assistant). A trip that cannot leave that
school in time (after the previous arrival, at the start of its window, and the
drop-off dwell) is a violation. Without the column every route is its own vehicle.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from geodata.errors import InputError
from geodata.read.sheet import OLD_SPREADSHEETS, SPREADSHEETS, read_sheet, split_sheet
from geodata.read.table import decode, read_bytes
from models.transport_result import TransportResult, UnservedPupil
from optimise.transport.output import clock
from optimise.transport.routing.schedule import (
    RouteCheck,
    arrival_window,
    build_route,
    drop_seconds,
    free_at,
    group_pickups,
    rides_array,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from models.transport import TransportProblem

__all__ = ["PLAN_COLUMNS", "PlanRoute", "evaluate", "parse_plan", "plan_from_rows", "read_plan"]


@dataclass(frozen=True)
class PlanRoute:
    """One route of a given plan: its id, vehicle type and ordered pupil/stop ids."""

    id: str
    vehicle_type: str
    items: tuple[str, ...]
    vehicle: str = ""  # the vehicle running it: routes sharing one are its trips of the day


#: The plan's columns; a file's own names map onto them (``[columns.current_plan]``).
PLAN_COLUMNS = ("route", "vehicle_type", "sequence", "id", "vehicle")
_NEEDED = ("route", "vehicle_type", "id")


def parse_plan(
    text: str, source: str = "current plan", columns: Mapping[str, str] | None = None
) -> tuple[PlanRoute, ...]:
    """Parse the plan CSV text (columns ``route``, ``vehicle_type``, ``id``, optional
    ``sequence`` and ``vehicle``, or the file's own names through ``columns``: engine
    name → the file's); rows of a route are ordered by ``sequence``, else as given."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return plan_from_rows(reader.fieldnames or (), enumerate(reader, start=2), source, columns)


def plan_from_rows(
    header: Iterable[str],
    rows: Iterable[tuple[int, Mapping[str, object]]],
    source: str,
    columns: Mapping[str, str] | None = None,
) -> tuple[PlanRoute, ...]:
    """A plan from ``(row number, {file column: value})`` pairs; see :func:`parse_plan`."""
    columns = dict(columns or {})  # names other than PLAN_COLUMNS' are not the plan's
    own = {c: columns.get(c, c) for c in PLAN_COLUMNS}
    missing = [own[c] for c in _NEEDED if own[c] not in set(header)]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(missing)}; expected route, vehicle_type, "
            "sequence (optional), id, vehicle (optional), or map the file's own names in "
            "[columns.current_plan]"
        )
    by_route: dict[str, list[tuple[float, int, str]]] = {}
    kinds: dict[str, str] = {}
    units: dict[str, str] = {}
    for n, raw in rows:
        row = {c: str(raw.get(own[c]) or "").strip() for c in PLAN_COLUMNS}
        route, vt, item, unit = row["route"], row["vehicle_type"], row["id"], row["vehicle"]
        if not any(row.values()):
            continue
        if units.setdefault(route, unit) != unit:
            raise InputError(
                f"{source}, row {n}, column {own['vehicle']}: route {route} has vehicle "
                f"'{unit}' here and '{units[route]}' earlier; a route has one"
            )
        if not route or not vt or not item:
            raise InputError(f"{source}, row {n}: {own['route']}, {own['vehicle_type']} and "
                             f"{own['id']} must not be empty")  # fmt: skip
        if kinds.setdefault(route, vt) != vt:
            raise InputError(
                f"{source}, row {n}: route {route} has vehicle type '{vt}' here and "
                f"'{kinds[route]}' earlier; a route has one vehicle"
            )
        try:
            seq = float(row["sequence"]) if row["sequence"] else float(n)
        except ValueError:
            raise InputError(
                f"{source}, row {n}, column {own['sequence']}: expected a number, found "
                f"'{row['sequence']}'"
            ) from None
        by_route.setdefault(route, []).append((seq, n, item))
    return tuple(
        PlanRoute(route, kinds[route], tuple(item for *_, item in sorted(items)), units[route])
        for route, items in by_route.items()
    )


def read_plan(path: str | Path, columns: Mapping[str, str] | None = None) -> tuple[PlanRoute, ...]:
    """Read a current-plan CSV file or sheet (``book.xlsx#Routes``; see the module
    docstring)."""
    file, _ = split_sheet(path)
    if file.suffix.lower() in (*SPREADSHEETS, *OLD_SPREADSHEETS):
        parsed = read_sheet(path)
        frame = parsed.frame
        records = zip(frame.index, frame.to_dict("records"), strict=True)
        return plan_from_rows([str(c) for c in frame.columns], records, parsed.source, columns)
    return parse_plan(decode(read_bytes(path), str(path)), str(path), columns)


def evaluate(problem: TransportProblem, plan: tuple[PlanRoute, ...]) -> TransportResult:
    """Cost, ride times and every broken constraint of ``plan``.

    Pupils the plan does not carry are listed as unserved (not as violations); a pupil
    carried twice, an unknown id or vehicle type, and a fleet row used more often than
    it is available are violations.
    """
    pupil_at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
    stop_at = {sid: i for i, sid in enumerate(problem.stop_ids)}
    own = [(i, v) for i, v in enumerate(problem.vehicles) if not v.hired]  # the file's fleet
    vehicle_at = {v.id: i for i, v in own}
    vehicle_at.update({v.name: i for i, v in own})
    violations: list[str] = []
    seen: set[int] = set()
    trips: dict[str, list[tuple[int, str, int, list[int]]]] = {}  # unit → its routes
    for n, route in enumerate(plan):
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
        if pupils:
            trips.setdefault(route.vehicle or f"\0{route.id}", []).append((n, route.id, v, pupils))
    checks, used = [], np.zeros(len(problem.vehicles), dtype=np.int64)
    for unit, runs in trips.items():
        used[runs[0][2]] += 1
        checks += _trips(problem, unit.lstrip("\0"), runs, violations)
    order = {route.id: n for n, route in enumerate(plan)}
    checks.sort(key=lambda c: order[c.route.id])
    for v, n in enumerate(used.tolist()):
        if n > problem.vehicles[v].available:
            vt = problem.vehicles[v]
            violations.append(f"vehicle type {vt.id}: {n} vehicles, {vt.available} available")
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


def _trips(problem, unit, runs, violations) -> list:
    """Build one vehicle's routes in order of their last school's arrival window: each
    after the first leaves the previous trip's school, with the day rate paid once.
    Each trip but the last arrives as late as its window and the next trip allow
    (:func:`_arrivals`), so a chain a planner timed within the windows passes."""

    def window(pupils):
        return max(arrival_window(problem, int(problem.pupil_school[p]))[1] for p in pupils)

    runs = sorted(runs, key=lambda r: (window(r[3]), r[0]))
    arrive_by = _arrivals(problem, runs)
    out: list[RouteCheck] = []
    for k, (_, rid, v, pupils) in enumerate(runs):
        if v != runs[0][2]:
            violations.append(
                f"vehicle {unit}: route {rid} is a {problem.vehicles[v].id}, route "
                f"{runs[0][1]} a {problem.vehicles[runs[0][2]].id}; a vehicle has one type"
            )
        stops = group_pickups(problem, pupils)
        if not out:
            check = build_route(problem, rid, v, stops, unit=unit if len(runs) > 1 else "",
                                arrive_by=arrive_by[k])  # fmt: skip
        else:
            prev = out[-1].route
            school = prev.schools[-1]
            check = build_route(
                problem, rid, v, stops, start_location=int(problem.school_location[school]),
                day_rate_due=False, assistant_paid=any(c.route.assistant for c in out),
                unit=unit, arrive_by=arrive_by[k],
            )  # fmt: skip
            free = free_at(problem, prev)
            if check.route.start_s < free:
                violations.append(
                    f"vehicle {unit}: route {rid} must leave school "
                    f"{problem.school_ids[school]} at {clock(check.route.start_s)}, before "
                    f"route {prev.id} has dropped there ({clock(free)})"
                )
        violations += check.violations
        out.append(check)
    return out


def _arrivals(problem, runs) -> list[int | None]:
    """Each trip's arrival at its last school, last trip first: the last at the end of
    its window (None); an earlier one as late as lets the next trip leave its school
    after the drop-off, within its own window (at its start when even that is late:
    then the next trip's start is a violation)."""
    out: list[int | None] = [None] * len(runs)
    for k in range(len(runs) - 2, -1, -1):
        pupils, (_, rid, v, following) = runs[k][3], runs[k + 1]
        school = _last_school(problem, pupils)
        nxt = build_route(problem, rid, v, group_pickups(problem, following),
                          start_location=int(problem.school_location[school]),
                          arrive_by=out[k + 1])  # fmt: skip
        early, late = arrival_window(problem, school)
        out[k] = max(early, min(late, nxt.route.start_s - drop_seconds(problem, len(pupils))))
    return out


def _last_school(problem, pupils) -> int:
    return max(
        {int(problem.pupil_school[p]) for p in pupils},
        key=lambda s: (arrival_window(problem, s)[1], s),
    )
