"""Conversions of a :class:`TransportResult` to tables and map layers (free functions).

Pupils' homes are personal data (DOMAIN.md): :func:`route_layers` writes no home
point, and draws a home pick-up at the centre of its 1 km grid square, unless asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

    from models.transport import TransportProblem
    from models.transport_result import TransportResult

__all__ = ["clock", "route_layers", "routes_table", "unserved_table"]

#: Side of the grid square a home pick-up is generalised to, metres.
GRID_M = 1000.0


def clock(seconds: int) -> str:
    """Seconds after midnight as ``HH:MM:SS``."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _label(problem: TransportProblem, loc: int, pupils: tuple[int, ...]) -> tuple[str, str]:
    name = problem.locations[loc]
    kind, _, ident = name.partition(":")
    if kind == "pupil":
        return "home", ";".join(problem.pupil_ids[p] for p in pupils)
    return kind, ident


def routes_table(problem: TransportProblem, result: TransportResult) -> pd.DataFrame:
    """One row per stop of every route: base, pick-ups, school(s)."""
    rows = []
    for r in result.routes:
        vt = problem.vehicles[r.vehicle]
        start_kind, start_id = _label(problem, vt.base, ())
        if r.unit != r.id:  # a second trip starts at its first trip's school
            first = next(x for x in result.routes if x.id == r.unit)
            start_kind, start_id = "school", problem.school_ids[first.schools[-1]]
        common = {"route": r.id, "vehicle": r.unit, "vehicle_type": vt.id,
                  "vehicle_name": vt.name}  # fmt: skip
        rows.append({**common, "sequence": 0, "kind": start_kind, "id": start_id,
                     "pupils_boarding": 0, "arrive": "", "depart": clock(r.start_s),
                     "load": 0, "route_daily_cost_gbp": round(r.daily_cost, 2),
                     "route_miles": round(r.metres / 1609.344, 2),
                     "assistant": r.assistant})  # fmt: skip
        for i, v in enumerate(r.visits, start=1):
            kind, ident = _label(problem, v.location, v.pupils)
            rows.append({**common, "sequence": i, "kind": kind, "id": ident,
                         "pupils_boarding": len(v.pupils), "arrive": clock(v.arrive_s),
                         "depart": clock(v.depart_s), "load": v.load,
                         "route_daily_cost_gbp": "", "route_miles": "",
                         "assistant": ""})  # fmt: skip
    return pd.DataFrame(rows)


def unserved_table(problem: TransportProblem, result: TransportResult) -> pd.DataFrame:
    """Pupils no route carries: id, school, reason, best achievable ride, limit."""
    return pd.DataFrame(
        [
            {
                "pupil": problem.pupil_ids[u.pupil],
                "school": problem.school_ids[problem.pupil_school[u.pupil]],
                "reason": u.reason,
                "best_ride_minutes": round(u.best_ride_s / 60, 1) if u.best_ride_s >= 0 else "",
                "limit_minutes": round(u.max_ride_s / 60, 1),
            }
            for u in result.unserved
        ],
        columns=["pupil", "school", "reason", "best_ride_minutes", "limit_minutes"],
    )


def _points(frames: dict[str, Any]) -> dict[str, Any]:
    """Location id (as in TransportProblem.locations) → point, from the input frames."""
    fleet = frames["fleet"]
    bases = fleet[fleet.geometry.notna()].geometry.drop_duplicates()
    out = {f"base:{i}": g for i, g in enumerate(bases)}
    for kind in ("schools", "stops", "pupils"):
        frame = frames[kind]
        prefix = kind[:-1]
        out.update({f"{prefix}:{i}": g for i, g in zip(frame["id"], frame.geometry, strict=True)})
    return out


def route_layers(
    problem: TransportProblem,
    result: TransportResult,
    frames: dict[str, Any],
    include_personal_data: bool = False,
) -> dict[str, gpd.GeoDataFrame]:
    """GeoPackage layers: ``routes`` (lines), ``stops`` and, if asked, ``pickups``."""
    import geopandas as gpd
    from shapely import LineString, Point

    where = _points(frames)

    def xy(loc: int) -> tuple[float, float]:
        g = where[problem.locations[loc]]
        if problem.locations[loc].startswith("pupil:") and not include_personal_data:
            return (
                (np.floor(g.x / GRID_M) + 0.5) * GRID_M,
                (np.floor(g.y / GRID_M) + 0.5) * GRID_M,
            )
        return (g.x, g.y)

    lines, stops, pickups = [], {}, []
    for r in result.routes:
        start = problem.vehicles[r.vehicle].base
        if r.unit != r.id:
            first = next(x for x in result.routes if x.id == r.unit)
            start = int(problem.school_location[first.schools[-1]])
        pts = [xy(start), *(xy(v.location) for v in r.visits)]
        if len(pts) == 1 or len(set(pts)) == 1:
            pts.append(pts[0])
        vt = problem.vehicles[r.vehicle]
        lines.append({"route": r.id, "vehicle": r.unit, "vehicle_type": vt.id,
                      "vehicle_name": vt.name, "pupils": len(r.pupils),
                      "schools": ";".join(problem.school_ids[s] for s in r.schools),
                      "miles": round(r.metres / 1609.344, 2),
                      "daily_cost_gbp": round(r.daily_cost, 2), "assistant": r.assistant,
                      "depart": clock(r.start_s), "geometry": LineString(pts)})  # fmt: skip
        for loc in (start, *(v.location for v in r.visits)):
            name = problem.locations[loc]
            if name.startswith("pupil:"):
                continue
            stops.setdefault(name, {"id": name.partition(":")[2], "kind": name.partition(":")[0],
                                    "routes": 0, "geometry": Point(xy(loc))})  # fmt: skip
            stops[name]["routes"] += 1
        if include_personal_data:
            for v in r.visits:
                for p in v.pupils:
                    pickups.append({"route": r.id, "pupil": problem.pupil_ids[p],
                                    "ride_minutes": round(result.ride_s[p] / 60, 1),
                                    "geometry": Point(xy(v.location))})  # fmt: skip
    layers = {
        "routes": gpd.GeoDataFrame(lines or None, geometry="geometry" if lines else None,
                                   crs=27700) if lines else _empty(["route"], "LineString"),
        "stops": gpd.GeoDataFrame(list(stops.values()), geometry="geometry", crs=27700)
        if stops else _empty(["id"], "Point"),
    }  # fmt: skip
    if include_personal_data:
        layers["pickups"] = (
            gpd.GeoDataFrame(pickups, geometry="geometry", crs=27700)
            if pickups else _empty(["pupil"], "Point")
        )  # fmt: skip
    return layers


def _empty(columns: list[str], geom_type: str) -> gpd.GeoDataFrame:
    import geopandas as gpd

    frame = gpd.GeoDataFrame({c: pd.Series(dtype=str) for c in columns},
                             geometry=gpd.GeoSeries([], crs=27700), crs=27700)  # fmt: skip
    del geom_type
    return frame
