"""The transport map: routes coloured by vehicle, stops and schools sized by pupils, and
home pick-ups generalised to 1 km grid squares.

Pupils' homes are personal data. Unless ``personal``, every route vertex that is not a
stop, school or base (the points of the ``stops`` layer) is moved to the centre of its
1 km grid square - the rule ``routes.gpkg`` itself follows (the exact lines and homes
are in ``routes-personal.gpkg``, read only when ``personal``) - and home pick-ups
are drawn as one point per square sized by the number of pupils, never as homes. Route
vertex *i* is row ``sequence == i`` of the route in ``routes.csv``.
"""

from __future__ import annotations

from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import LineString, Point

from geodata.privacy import grid_centre
from optimise.report.load import read_layer
from optimise.report.page import MapLayer, layer

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["RUNS", "generalise", "map_layers"]

PALETTE = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
           "#9a6324", "#469990", "#800000", "#808000", "#000075")  # fmt: skip
#: Layer name per value of the ``run`` column (runs before the afternoon had none).
RUNS = {"am": "Morning routes", "pm": "Afternoon routes"}


def generalise(routes: Any, stops: Any, rows: pd.DataFrame, personal: bool) -> tuple[Any, Any]:
    """Route lines with home vertices moved to grid centres (unless ``personal``), and
    the morning's home pick-ups as pupils per 1 km square."""
    known = {(round(p.x, 1), round(p.y, 1)) for p in stops.geometry} if stops is not None else set()
    cols = rows[["route", "sequence", "kind", "pupils_boarding"]]
    boarding = {(r, int(s)): (k, int(b or 0)) for r, s, k, b in cols.itertuples(index=False)}
    runs = routes["run"] if "run" in routes else pd.Series("am", index=routes.index)
    squares: dict[tuple[float, float], int] = {}
    lines = []
    for route, run, geom in zip(routes["route"], runs, routes.geometry, strict=True):
        coords = []
        for i, (x, y) in enumerate(geom.coords):
            if (round(x, 1), round(y, 1)) in known:
                coords.append((x, y))
                continue
            cell = grid_centre(x, y)
            coords.append((x, y) if personal else cell)
            kind, pupils = boarding.get((route, i), ("home", 1))
            if kind == "home" and run == "am":
                squares[cell] = squares.get(cell, 0) + max(pupils, 1)
        lines.append(LineString(coords))
    out = routes.copy()
    out["geometry"] = lines
    grid = gpd.GeoDataFrame({"pupils": list(squares.values())},
                            geometry=[Point(c) for c in squares], crs=routes.crs)  # fmt: skip
    return out, grid


def _route_layers(lines: Any) -> list[MapLayer]:
    vehicles = {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(sorted(set(lines["vehicle"])))}
    parts = ({name: lines[lines["run"] == run] for run, name in RUNS.items()}
             if "run" in lines else {"Routes": lines})  # fmt: skip
    return [
        layer(
            name, part,
            lambda r: {"color": vehicles[r["vehicle"]], "weight": 2, "opacity": 0.8},
            lambda r: (f"<b>{escape(str(r['route']))}</b> {escape(str(r['vehicle_name']))}<br>"
                       f"{r['pupils']} pupils, {r['miles']} miles, "
                       f"£{r['daily_cost_gbp']:,.2f} a day"),
            f"{name}: one colour per vehicle (its other trips share the colour).",
        )
        for name, part in parts.items()
    ]  # fmt: skip


def _point_layers(stops: Any, rows: pd.DataFrame, lines: Any) -> list[MapLayer]:
    on_stop = rows[rows["kind"] == "stop"].groupby(rows["id"].astype(str))["pupils_boarding"].sum()
    morning = lines[lines["run"] == "am"] if "run" in lines else lines
    at_school: dict[str, int] = {}
    for sch, n in zip(morning["schools"], morning["pupils"], strict=True):
        for one in str(sch).split(";"):
            at_school[one] = at_school.get(one, 0) + int(n)
    out = []
    for kind, name, colour, count, legend in (
        ("school", "Schools", "#000000", at_school, "Schools (black): sized by pupils."),
        ("stop", "Stops", "#1565c0", on_stop.to_dict(), "Stops (blue): sized by pupils boarding."),
        ("base", "Vehicle bases", "#777777", {}, "Vehicle bases (grey)."),
    ):
        out.append(layer(name, stops[stops["kind"] == kind], partial(_point_style, colour, count),
                         partial(_point_popup, kind, count), legend))  # fmt: skip
    return out


def _point_style(colour: str, count: dict[str, Any], r: Any) -> dict[str, Any]:
    return {"radius": 3 + 0.6 * np.sqrt(count.get(str(r["id"]), 0)),
            "color": colour, "weight": 1, "fillOpacity": 0.7}  # fmt: skip


def _point_popup(kind: str, count: dict[str, Any], r: Any) -> str:
    return (f"{kind} <b>{escape(str(r['id']))}</b><br>"
            f"{int(count.get(str(r['id']), 0))} pupils, {r['routes']} route visits")  # fmt: skip


def map_layers(folder: Path, rows: pd.DataFrame, personal: bool) -> tuple[list[MapLayer], Any]:
    """The map's layers, bottom to top, and the (generalised) route lines."""
    exact = folder / "routes-personal.gpkg"  # homes and ids: only when asked for
    gpkg = exact if personal and exact.is_file() else folder / "routes.gpkg"
    routes = read_layer(gpkg, "routes")
    stops = read_layer(gpkg, "stops")
    lines, grid = generalise(routes, stops, rows, personal)
    pickups = read_layer(gpkg, "pickups") if personal else None
    if pickups is not None:
        homes = layer(
            "Pupils' homes (personal data)",
            pickups,
            lambda r: {"radius": 3, "color": "#d32f2f", "weight": 1, "fillOpacity": 0.8},
            lambda r: f"pupil {escape(str(r['pupil']))}, ride {r['ride_minutes']} min",
            "Pupils' homes (red): shown because the report was asked for personal data.",
        )
    else:
        homes = layer(
            "Home pick-ups (1 km squares)", grid,
            lambda r: {"radius": 1.5 + 0.8 * np.sqrt(r["pupils"]), "color": "#ef6c00",
                       "weight": 0, "fillOpacity": 0.45},
            lambda r: f"{int(r['pupils'])} pupil(s) picked up at home in this 1 km square",
            "Home pick-ups (orange): one point per 1 km grid square, sized by pupils; homes "
            "are not shown (personal data).",
        )  # fmt: skip
    points = _point_layers(stops, rows, lines) if stops is not None else []
    return [homes, *_route_layers(lines), *points], lines
