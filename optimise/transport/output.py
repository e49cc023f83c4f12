"""Conversions of a :class:`TransportResult` to tables and map layers (free functions).

Pupils' homes are personal data (DOMAIN.md): :func:`route_layers` writes no home
point, and draws a home pick-up at the centre of its 1 km grid square, unless asked.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from shapely import LineString, Point

from geodata.privacy import grid_centre
from geodata.write import write_csv, write_gpkg
from models.transport import NO_BASE

if TYPE_CHECKING:
    from pathlib import Path

    from models.transport import TransportProblem
    from models.transport_result import RouteResult, TransportResult

__all__ = [
    "PERSONAL_FILES", "clock", "day_tables", "route_layers", "routes_table", "unserved_table",
    "without_pupil_ids", "write_day",
]  # fmt: skip


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


def _depot(problem: TransportProblem, r: RouteResult) -> int:
    """Where the route starts (am) or ends (pm): its base or another trip's school."""
    return problem.vehicles[r.vehicle].base if r.depot < 0 else r.depot


#: Columns of ``routes.csv``.
ROUTE_COLUMNS = (
    "run", "route", "vehicle", "vehicle_type", "vehicle_name", "sequence", "kind", "id",
    "pupils_boarding", "pupils_alighting", "arrive", "depart", "load",
    "route_daily_cost_gbp", "route_miles", "assistant",
)  # fmt: skip


def routes_table(problem: TransportProblem, result: TransportResult) -> pd.DataFrame:
    """One row per stop of every route: base, pick-ups, school(s) in the morning;
    school(s), drop-offs, base (or the next trip's school) in the afternoon. The
    route's cost, miles and assistant are on its first row."""
    rows = []
    for r in result.routes:
        vt = problem.vehicles[r.vehicle]
        pm = r.run == "pm"
        end_kind, end_id = _label(problem, _depot(problem, r), ())
        money = {
            "route_daily_cost_gbp": round(r.daily_cost, 2),
            "route_miles": round(r.metres / 1609.344, 2),
            "assistant": r.assistant,
        }
        stops = []
        for v in r.visits:
            kind, ident = _label(problem, v.location, v.pupils)
            on = sum(int(problem.pupil_school[p]) == v.school for p in r.pupils)
            stops.append({"kind": kind, "id": ident, "arrive": clock(v.arrive_s),
                          "depart": clock(v.depart_s), "load": v.load,
                          "pupils_boarding": on if pm and v.school >= 0 else
                          (0 if pm else len(v.pupils)),
                          "pupils_alighting": len(v.pupils) if pm else
                          (on if v.school >= 0 else 0)})  # fmt: skip
        depot = {"kind": end_kind, "id": end_id, "pupils_boarding": 0, "pupils_alighting": 0,
                 "load": 0}  # fmt: skip
        if pm:
            stops.append({**depot, "arrive": clock(r.start_s), "depart": ""})
        else:
            stops.insert(0, {**depot, "arrive": "", "depart": clock(r.start_s)})
        for i, row in enumerate(stops):
            rows.append({"run": r.run, "route": r.id, "vehicle": r.unit, "vehicle_type": vt.id,
                         "vehicle_name": vt.name, "sequence": i, **row,
                         **(money if i == 0 else dict.fromkeys(money, ""))})  # fmt: skip
    return pd.DataFrame(rows, columns=list(ROUTE_COLUMNS))


def unserved_table(
    problem: TransportProblem, result: TransportResult, run: str = "am"
) -> pd.DataFrame:
    """Pupils no route carries: run, id, school, reason, best achievable ride, limit."""
    return pd.DataFrame(
        [
            {
                "run": run,
                "pupil": problem.pupil_ids[u.pupil],
                "school": problem.school_ids[problem.pupil_school[u.pupil]],
                "reason": u.reason,
                "best_ride_minutes": round(u.best_ride_s / 60, 1) if u.best_ride_s >= 0 else "",
                "limit_minutes": round(u.max_ride_s / 60, 1),
            }
            for u in result.unserved
        ],
        columns=["run", "pupil", "school", "reason", "best_ride_minutes", "limit_minutes"],
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
    pm: TransportResult | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """GeoPackage layers: ``routes`` (lines), ``stops`` and, if asked, ``pickups``;
    with ``pm``, the afternoon routes too (column ``run``)."""
    where = _points(frames)

    def xy(loc: int) -> tuple[float, float]:
        g = where[problem.locations[loc]]
        if problem.locations[loc].startswith("pupil:") and not include_personal_data:
            return grid_centre(g.x, g.y)
        return (g.x, g.y)

    lines, pickups = [], []
    stops: dict[str, dict[str, Any]] = {}
    pairs = [(res, r) for res in (result, pm) if res is not None for r in res.routes]
    for res, r in pairs:
        start = _depot(problem, r)
        visits = [xy(v.location) for v in r.visits]
        # a contract without a base starts where it first stops (am) or ends where it
        # last stops (pm): drawn there, so vertex i stays row i of routes.csv
        edge = visits[-1 if r.run == "pm" else 0] if visits else (0.0, 0.0)
        pts = [edge if problem.locations[start] == NO_BASE else xy(start), *visits]
        if r.run == "pm":
            pts = [*pts[1:], pts[0]]
        if len(pts) == 1 or len(set(pts)) == 1:
            pts.append(pts[0])
        lines.append(_line(problem, r, pts))
        for loc in (start, *(v.location for v in r.visits)):
            name = problem.locations[loc]
            if name.startswith("pupil:") or name == NO_BASE:
                continue
            stops.setdefault(name, {"id": name.partition(":")[2], "kind": name.partition(":")[0],
                                    "routes": 0, "geometry": Point(xy(loc))})  # fmt: skip
            stops[name]["routes"] += 1
        if include_personal_data:
            for v in r.visits:
                for p in v.pupils:
                    pickups.append({"run": r.run, "route": r.id,
                                    "pupil": problem.pupil_ids[p],
                                    "ride_minutes": round(res.ride_s[p] / 60, 1),
                                    "geometry": Point(xy(v.location))})  # fmt: skip
    return _frames(lines, list(stops.values()), pickups if include_personal_data else None)


def _line(problem: TransportProblem, r: RouteResult, pts: list) -> dict[str, Any]:
    """One route's row of the ``routes`` layer, drawn through ``pts``."""
    vt = problem.vehicles[r.vehicle]
    return {"run": r.run, "route": r.id, "vehicle": r.unit, "vehicle_type": vt.id,
            "vehicle_name": vt.name, "pupils": len(r.pupils),
            "schools": ";".join(problem.school_ids[s] for s in r.schools),
            "miles": round(r.metres / 1609.344, 2),
            "daily_cost_gbp": round(r.daily_cost, 2), "assistant": r.assistant,
            "depart": clock(r.start_s), "geometry": LineString(pts)}  # fmt: skip


def _frames(lines: list, stops: list, pickups: list | None) -> dict[str, gpd.GeoDataFrame]:
    """The layers as GeoDataFrames (an empty layer keeps its geometry type); ``pickups``
    only when asked for (None: not)."""
    layers = {
        "routes": gpd.GeoDataFrame(lines, geometry="geometry", crs=27700)
        if lines else _empty(["route"], "LineString"),
        "stops": gpd.GeoDataFrame(stops, geometry="geometry", crs=27700)
        if stops else _empty(["id"], "Point"),
    }  # fmt: skip
    if pickups is not None:
        layers["pickups"] = (
            gpd.GeoDataFrame(pickups, geometry="geometry", crs=27700)
            if pickups else _empty(["pupil"], "Point")
        )  # fmt: skip
    return layers


def _empty(columns: list[str], geom_type: str) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({c: pd.Series(dtype=str) for c in columns},
                             geometry=gpd.GeoSeries([], crs=27700), crs=27700)  # fmt: skip
    del geom_type
    return frame


def without_pupil_ids(messages: list[str], problem: TransportProblem) -> list[str]:
    """``messages`` with each ``pupil <id>`` of ``problem`` written ``a pupil``: a
    summary is shared, so the current plan's violations name no pupil there."""
    ids = set(problem.pupil_ids)
    return [re.sub(r"pupil (\S+)", lambda m: "a pupil" if m[1] in ids else m[0], text)
            for text in messages]  # fmt: skip


def day_tables(
    problem: TransportProblem, am: TransportResult | None, pm: TransportResult | None
) -> tuple[TransportResult, pd.DataFrame]:
    """The result whose routes are both runs' (for ``routes.csv``, column ``run``) and
    the unserved pupils of each run (``unserved.csv``, column ``run``); either run may
    be None (a single-run plan)."""
    runs = [(name, r) for name, r in (("am", am), ("pm", pm)) if r is not None]
    both = runs[0][1] if am is None or pm is None else replace(am, routes=am.routes + pm.routes)
    lost = pd.concat([unserved_table(problem, r, name) for name, r in runs], ignore_index=True)
    return both, lost


def write_day(
    folder: Path,
    problem: TransportProblem,
    frames: dict[str, Any] | None,
    am: TransportResult | None,
    pm: TransportResult | None,
    personal: bool = False,
) -> list[str]:
    """Write a day's routes into ``folder``; return the names written.

    ``routes.csv`` and ``unserved.csv`` carry no pupil id (a home pick-up row counts
    the pupils boarding there; an unserved row gives school, reason and ride), and
    ``routes.gpkg`` (when ``frames`` are given) no home point (:func:`route_layers`).
    With ``personal``, :data:`PERSONAL_FILES` hold the same with ids and homes: the
    transport team's, and named so.
    """
    both, lost = day_tables(problem, am, pm)
    routes = routes_table(problem, both)
    write_csv(
        folder / "routes.csv", routes.assign(id=routes["id"].where(routes["kind"] != "home", ""))
    )
    write_csv(folder / "unserved.csv", lost.drop(columns="pupil"))
    names = ["routes.csv", "unserved.csv"]
    first, second = (am, pm) if am is not None else (pm, None)
    assert first is not None  # day_tables has taken a run
    if frames is not None:
        write_gpkg(folder / "routes.gpkg", route_layers(problem, first, frames, pm=second))
        names.append("routes.gpkg")
    if personal:
        write_csv(folder / "routes-personal.csv", routes)
        write_csv(folder / "unserved-personal.csv", lost)
        names += ["routes-personal.csv", "unserved-personal.csv"]
        if frames is not None:
            layers = route_layers(problem, first, frames, include_personal_data=True, pm=second)
            write_gpkg(folder / "routes-personal.gpkg", layers)
            names.append("routes-personal.gpkg")
    return names


#: The files :func:`write_day` adds with ``personal``: pupil ids, and homes in the gpkg.
PERSONAL_FILES = ("routes-personal.csv", "unserved-personal.csv", "routes-personal.gpkg")


# Every file a transport run (routes, plan, evaluate) can write into its folder: a new
# run removes those an earlier run left that it does not write itself.
TRANSPORT_OUTPUTS = (
    "routes.csv", "unserved.csv", "routes.gpkg", "stops.csv", "assignments-personal.csv",
    "modes-personal.csv", *PERSONAL_FILES,
)  # fmt: skip
