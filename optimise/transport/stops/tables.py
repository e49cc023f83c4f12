"""The plan's tables: chosen stops (shared) and per-pupil assignments (personal).

``stops.csv`` holds public points only (a stop's id, name, grid reference) with counts
of pupils; no pupil is named and no home appears. ``assignments-personal.csv`` names
each pupil, their pick-up point, walk, route, vehicle and home grid reference: it is
personal data, marked so in its name, and is also what term re-planning reads back.
Homes' grid references are added only with ``--include-personal-data`` (re-planning
then tells movers; without them a mover's kept route is still rebuilt from the new
home and checked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimise.transport.stops.day import pm_columns

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from models.transport_result import TransportResult

__all__ = ["assignments_table", "stops_table"]


def _on_route(result: TransportResult | None) -> dict[int, tuple[str, str, int]]:
    """Pupil position → (route, vehicle, visit number); none without a morning run."""
    out = {}
    for r in result.routes if result is not None else ():
        for i, v in enumerate(r.visits, start=1):
            for p in v.pupils:
                out[p] = (r.id, r.unit or r.id, i)
    return out


def stops_table(
    problem: TransportProblem,
    assign: np.ndarray,
    result: TransportResult | None,
    frames: dict[str, Any],
    pm: TransportResult | None = None,
) -> pd.DataFrame:
    """One row per chosen stop: pupils there, schools, routes calling (both runs' with
    ``pm``, the afternoon run setting pupils down at the same stops)."""
    stops = frames["stops"].set_index(frames["stops"]["id"].astype(str))
    on, off = _on_route(result), _on_route(pm)
    rows = []
    for s in np.unique(assign[assign >= 0]).tolist():
        pupils = np.flatnonzero(assign == s)
        sid = problem.stop_ids[s]
        geom = stops.geometry.get(sid) if "geometry" in stops else None
        rows.append({
            "stop_id": sid,
            "name": str(stops["name"].get(sid, "")) if "name" in stops else "",
            "easting": round(float(geom.x)) if geom is not None else "",
            "northing": round(float(geom.y)) if geom is not None else "",
            "pupils": int(pupils.size),
            "cap": int(problem.stop_max_pupils[s]),
            "schools": ";".join(sorted({problem.school_ids[problem.pupil_school[p]]
                                        for p in pupils.tolist()})),
            "routes": ";".join(sorted({at[p][0] for at in (on, off)
                                       for p in pupils.tolist() if p in at})),
        })  # fmt: skip
    cols = ["stop_id", "name", "easting", "northing", "pupils", "cap", "schools", "routes"]
    return pd.DataFrame(rows, columns=cols)


def assignments_table(
    problem: TransportProblem,
    assign: np.ndarray,
    result: TransportResult | None,
    frames: dict[str, Any],
    include_homes: bool = False,
    mode_of: dict[int, str] | None = None,
    pm: TransportResult | None = None,
) -> pd.DataFrame:
    """One row per pupil (personal data): pick-up point, walk, route, travel mode
    (``mode_of``: mode choice's decision, else ``route``); the home grid reference only
    with ``include_homes`` (``--include-personal-data``). ``route`` to ``sequence`` are
    the morning run's (empty without one); with ``pm`` the afternoon's follow as
    ``pm_route``, ``pm_vehicle``, ``pm_vehicle_type``, ``pm_sequence``."""
    mode_of = mode_of or {}
    on = _on_route(result)
    after = pm_columns(pm, problem) if pm is not None else None
    routes = result.routes if result is not None else ()
    vtype = {r.id: problem.vehicles[r.vehicle].id for r in routes}
    homes = frames["pupils"].set_index(frames["pupils"]["id"].astype(str)).geometry
    rows = []
    for p, pid in enumerate(problem.pupil_ids):
        s = int(assign[p])
        route, unit, seq = on.get(p, ("", "", 0))
        home = homes.get(pid)
        rows.append({
            "pupil_id": pid,
            "school_id": problem.school_ids[problem.pupil_school[p]],
            "pickup": problem.stop_ids[s] if s >= 0 else "home",
            "walk_m": int(problem.walk.metres[p, s]) if s >= 0 and problem.walk is not None else 0,
            "route": route,
            "vehicle": unit,
            "vehicle_type": vtype.get(route, ""),
            "sequence": seq,
            "mode": mode_of.get(p, "route"),
        })  # fmt: skip
        if after is not None:
            keys = ("pm_route", "pm_vehicle", "pm_vehicle_type", "pm_sequence")
            rows[-1].update(zip(keys, after.get(p, ("", "", "", 0)), strict=True))
        if include_homes and home is not None:
            rows[-1].update(home_easting=round(float(home.x), 1),
                            home_northing=round(float(home.y), 1))  # fmt: skip
    return pd.DataFrame(rows)
