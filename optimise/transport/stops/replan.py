"""Term re-planning: keep what works from last term's plan.

Last term's plan is the folder a previous ``optimise transport plan`` wrote (or its
``assignments-personal.csv``): each pupil's pick-up point, route, vehicle and vehicle
type, and home grid reference. This term's pupils are matched by id: *joiners* are
new ids, *leavers* are ids gone, *movers* are pupils whose home moved.

Stability works at two levels. Stop choice: a continuing pupil keeping last term's
pick-up point earns the change penalty (:class:`choose.Stability`), and ``max_changes``
caps the continuing pupils whose point changes. Routes: two candidate plans are built
on the chosen points and the one with the lower annual cost + penalty × changed pupils
(within ``max_changes``) is kept:

* *from scratch*: every route planned anew by the solver;
* *repair*: each of last term's routes keeps, in its old order, its continuing pupils
  whose pick-up point and home did not change, and is rebuilt and checked like any
  route (a vehicle's later trip from its previous kept trip's school, without a second
  day rate, only if the vehicle gets there in time; from the base if none is kept); a
  route that now breaks a rule is dropped and its pupils re-planned. Leavers simply
  leave. Joiners, movers and pupils whose point changed are inserted where cheapest
  into a kept route of their school (every candidate rebuilt and checked); those that
  fit nowhere are planned by the solver with the vehicles the kept routes leave free.

Changes are counted by :func:`changes.changes`.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geodata.errors import InputError
from models.transport_result import TransportResult
from optimise.transport.modes.plan import drop_pupils
from optimise.transport.routing.schedule import build_route, group_pickups, rides_array
from optimise.transport.routing.solve import solve
from optimise.transport.stops.choose import HOME, NEW

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from optimise.transport.routing.schedule import RouteCheck

__all__ = ["ASSIGNMENTS", "previous_points", "read_previous", "repair"]

ASSIGNMENTS = "assignments-personal.csv"
_NEEDED = ("pupil_id", "pickup", "route", "vehicle", "vehicle_type")
#: A previous pick-up point that no longer exists (or a moved pupil's home).
GONE = -3


def read_previous(path: str | Path) -> pd.DataFrame:
    """Last term's assignments (a plan folder or its assignments file)."""
    path = Path(path)
    file = path / ASSIGNMENTS if path.is_dir() else path
    if not file.is_file():
        raise InputError(f"{file}: previous plan not found (expected a folder with {ASSIGNMENTS})")
    frame = pd.read_csv(file, dtype=str, keep_default_na=False)
    missing = [c for c in _NEEDED if c not in frame.columns]
    if missing:
        raise InputError(f"{file}: missing column '{missing[0]}'; expected {', '.join(_NEEDED)}")
    for col in ("pupil_id", "pickup"):
        empty = np.flatnonzero(frame[col].str.strip() == "")
        if empty.size:
            raise InputError(
                f"{file}, row {empty[0] + 2}, column {col}: expected a value, found ''"
            )
    dup = frame["pupil_id"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise InputError(
            f"{file}, row {row + 2}, column pupil_id: duplicate '{frame.pupil_id[row]}'"
        )
    frame["_arrive_by"] = frame["route"].map(_arrivals(file.parent / "routes.csv"))
    return frame


def _arrivals(routes_csv: Path) -> dict[str, int]:
    """Each route's arrival at its last school last term (seconds), from ``routes.csv``:
    kept routes arrive then again, so a vehicle's later trip still has time."""
    if not routes_csv.is_file():
        return {}
    table = pd.read_csv(routes_csv, dtype=str, keep_default_na=False)
    if not {"route", "kind", "arrive"} <= set(table.columns):
        return {}
    out = {}
    for route, arrive in table[table.kind == "school"].groupby("route").arrive.last().items():
        h, m, s = (int(x) for x in [*arrive.split(":"), "0"][:3])
        out[route] = h * 3600 + m * 60 + s
    return out


def previous_points(
    problem: TransportProblem, prev: pd.DataFrame, homes: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Last term's pick-up point per pupil (stop, HOME, NEW or GONE), and who moved.

    ``homes`` is this term's (easting, northing) per pupil; a home more than 1 m from
    last term's (when the file has it) marks a mover.
    """
    stop_at = {s: i for i, s in enumerate(problem.stop_ids)}
    rows = prev.set_index("pupil_id")
    previous = np.full(problem.num_pupils, NEW, dtype=np.int64)
    moved = np.zeros(problem.num_pupils, dtype=bool)
    has_home = homes is not None and {"home_easting", "home_northing"} <= set(prev.columns)
    for p, pid in enumerate(problem.pupil_ids):
        if pid not in rows.index:
            continue
        row = rows.loc[pid]
        previous[p] = HOME if row.pickup == "home" else stop_at.get(row.pickup, GONE)
        if homes is not None and has_home and row.home_easting:
            old = np.array([float(row.home_easting), float(row.home_northing)])
            moved[p] = float(np.hypot(*(old - homes[p]))) > 1.0
    previous[moved & (previous == HOME)] = GONE
    return previous, moved


def repair(problem, prev, previous, moved, *, routing, time_limit, seed) -> TransportResult:
    """Last term's routes minus leavers and changed pupils; the rest inserted or planned
    (all within ``time_limit``: insertion stops at a quarter of it)."""
    began = time.perf_counter()
    kept, used = _kept(problem, prev, previous, moved)
    carried = {p for c, *_ in kept for p in c.route.pupils}
    rest = [p for p in range(problem.num_pupils) if p not in carried]
    kept = _insert(problem, kept, rest, deadline=began + time_limit / 4)
    checks = [c for c, *_ in kept]
    sub, keep = drop_pupils(problem, [p for c in checks for p in c.route.pupils])
    fleet = tuple(dataclasses.replace(vt, available=int(vt.available - n))
                  for vt, n in zip(problem.vehicles, used, strict=True))  # fmt: skip
    left = max(1.0, time_limit - (time.perf_counter() - began))
    new = solve(sub.replace(vehicles=fleet), params=routing, time_limit=left, seed=seed)
    routes = [c.route for c in checks] + [_moved_route(r, keep) for r in new.routes]
    ride = rides_array(problem, checks).copy()
    served = np.flatnonzero(new.ride_s >= 0)
    ride[keep[served]] = new.ride_s[served]
    ride.setflags(write=False)
    unserved = tuple(dataclasses.replace(u, pupil=int(keep[u.pupil])) for u in new.unserved)
    return TransportResult(
        routes=tuple(routes), unserved=unserved, ride_s=ride, violations=new.violations,
        ride_limit_violations=new.ride_limit_violations, school_days=new.school_days,
        seed=seed, method=f"repair of last term's plan ({len(kept)} routes kept); {new.method}",
    )  # fmt: skip


def _kept(problem, prev, previous, moved):
    """Last term's routes with their unchanged continuing pupils, rebuilt and checked.

    A vehicle's later trip starts at its previous trip's school, pays no second day
    rate, and is kept only if the vehicle is there in time.
    """
    at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
    vehicle_at = {v.id: i for i, v in enumerate(problem.vehicles) if not v.hired}
    assign = problem.pupil_stop
    kept, used = [], np.zeros(len(problem.vehicles), dtype=np.int64)
    last: dict[str, RouteCheck] = {}
    seq = pd.to_numeric(prev["sequence"], errors="coerce") if "sequence" in prev else 0
    rows_by_route = prev.assign(_seq=seq).sort_values("_seq", kind="stable").groupby("route")
    for route, rows in sorted(rows_by_route, key=lambda kv: (kv[1].vehicle.iloc[0], kv[0])):
        v, unit = vehicle_at.get(rows.vehicle_type.iloc[0]), rows.vehicle.iloc[0]
        pupils = [at[pid] for pid in rows.pupil_id if pid in at]
        pupils = [p for p in pupils if not moved[p] and assign[p] == previous[p]]
        before = last.get(unit)  # the vehicle's previous kept trip, if any
        if not route or v is None or not pupils:
            continue
        if before is None and used[v] >= problem.vehicles[v].available:
            continue
        how = {"unit": unit}
        if not pd.isna(rows["_arrive_by"].iloc[0]):
            how["arrive_by"] = int(rows["_arrive_by"].iloc[0])
        if before is not None:
            how.update(start_location=int(problem.school_location[before.route.schools[-1]]),
                       day_rate_due=False, assistant_paid=before.route.assistant)  # fmt: skip
        free_s = before.route.visits[-1].depart_s if before is not None else -1
        check = _fit(problem, route, v, pupils, how, free_s)
        if check is None:
            continue
        kept.append((check, how, free_s))
        last[unit] = check
        used[v] += before is None
    return kept, used


def _fit(problem, route, v, pupils, how, free_s):
    """The route rebuilt on ``pupils``; a pupil whose ride is now over their limit (say,
    after a move), else the first one on board, is left off until it fits (at most
    five times), so one pupil's change does not move everyone else."""
    for _ in range(5):
        if not pupils:
            return None
        check = build_route(problem, route, v, group_pickups(problem, pupils), **how)
        if not check.violations and check.route.start_s >= free_s:
            return check
        drop = set(check.over_limit) or {pupils[0]}
        pupils = [p for p in pupils if p not in drop]
    return None


def _insert(problem, kept: list, pupils: list[int], *, deadline: float) -> list:
    """Cheapest feasible insertion of each pupil into a kept route of their school
    (joining a stop the route already calls at, or as a new stop at the best place);
    every candidate is rebuilt and checked by ``build_route``. A trip keeps its arrival
    (``arrive_by``) or is its vehicle's only trip, so no later trip can be delayed; a
    later trip must still start after its vehicle is free."""
    where = problem.pickup_location()
    units = [c.route.unit for c, *_ in kept]
    by_school: dict[int, list[int]] = {}
    for i, (c, how, _) in enumerate(kept):
        if len(c.route.schools) == 1 and ("arrive_by" in how or units.count(c.route.unit) == 1):
            by_school.setdefault(c.route.schools[0], []).append(i)
    for p in pupils:
        if time.perf_counter() > deadline:
            break
        best = None
        for i in by_school.get(int(problem.pupil_school[p]), []):
            c, how, free_s = kept[i]
            stops = [(v.location, v.pupils) for v in c.route.visits if v.school < 0]
            locs = [loc for loc, _ in stops]
            if where[p] in locs:
                k = locs.index(where[p])
                tries = [[*stops[:k], (stops[k][0], (*stops[k][1], p)), *stops[k + 1 :]]]
            else:
                tries = [[*stops[:k], (int(where[p]), (p,)), *stops[k:]]
                         for k in range(len(stops) + 1)]  # fmt: skip
            for t in tries:
                new = build_route(problem, c.route.id, c.route.vehicle, t, **how)
                delta = new.route.daily_cost - c.route.daily_cost
                ok = not new.violations and new.route.start_s >= free_s
                if ok and (best is None or delta < best[0]):
                    best = (delta, i, new)
        if best is not None:
            kept[best[1]] = (best[2], *kept[best[1]][1:])
    return kept


def _moved_route(route, keep: np.ndarray):
    visits = tuple(dataclasses.replace(v, pupils=tuple(int(keep[p]) for p in v.pupils))
                   for v in route.visits)  # fmt: skip
    unit = f"N{route.unit}" if route.unit else ""
    return dataclasses.replace(route, id=f"N{route.id}", unit=unit, visits=visits)
