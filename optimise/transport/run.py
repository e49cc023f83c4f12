"""``optimise transport routes``: read → build → solve → (evaluate current plan) → write.

Outputs, published together (:class:`geodata.write.Staging`):

* ``summary.json``: headline figures (:meth:`TransportResult.summary`), the saving
  against a current plan when one is given, unserved pupils with reasons;
* ``routes.csv``: one row per stop of every route (base, pick-ups, school);
* ``unserved.csv``: pupils no vehicle can carry, the reason, best achievable ride;
* ``routes.gpkg``: layers ``routes`` (lines) and ``stops`` (bases, shared stops,
  schools). Pupils' homes are personal data: without ``include_personal_data`` a
  route line passes through the centre of the 1 km grid square of a home, never the
  home, and no home point is written; with it, a ``pickups`` layer holds the homes.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from geodata.write import Staging, write_csv, write_gpkg, write_json
from models.transport import TransportPolicy, TransportProblem
from optimise.transport.evaluate import evaluate, read_plan
from optimise.transport.output import route_layers, routes_table, unserved_table
from optimise.transport.params import RoutingParams
from optimise.transport.solve import solve

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from geodata.matrix import TravelProvider

__all__ = ["build_problem", "demo_step", "run_routes"]

log = logging.getLogger(__name__)


def build_problem(
    pupils: Any,
    schools: Any,
    stops: Any,
    fleet: Any,
    *,
    table: dict[str, Any] | None = None,
    provider: TravelProvider | None = None,
) -> tuple[TransportProblem, RoutingParams]:
    """The problem (straight-line drive times) and solver settings from frames + TOML table.

    ``table`` is the config file's ``[transport]`` table: policy keys, an optional
    ``no_share = [["P1", "P2"], ...]`` list and an optional ``[transport.routing]`` table.
    """
    from geodata.providers import StraightLine

    table = dict(table or {})
    routing = RoutingParams.from_dict(table.pop("routing", {}), source="[transport.routing]")
    pairs = table.pop("no_share", [])
    for key in ("stops", "eligibility", "plan"):  # tables of the other transport commands
        table.pop(key, None)
    policy = TransportPolicy.from_dict(table, source="[transport]")
    road = provider or StraightLine()
    problem = TransportProblem.from_geodata(pupils, schools, stops, fleet, road, policy=policy)
    if pairs:
        at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
        try:
            idx = tuple((at[str(a)], at[str(b)]) for a, b in pairs)
        except (KeyError, ValueError, TypeError):
            raise InputError(
                "[transport] no_share: expected pairs of known pupil ids, e.g. "
                '[["P00001", "P00002"]]'
            ) from None
        problem = problem.replace(no_share=idx)
    return problem, routing


def _frames(files: dict[str, Path | None], columns: Callable[[str], dict[str, str]]):
    from geodata.default import DEFAULT_SEED, load_default
    from geodata.read import read

    data = load_default(DEFAULT_SEED) if not all(files.values()) else None
    out = {}
    for kind, path in files.items():
        if path is not None:
            out[kind] = read(path, kind, columns=columns(kind) or None).frame
        else:
            out[kind] = getattr(data, kind)
    return out


def run_routes(
    out_dir: str | Path,
    *,
    files: dict[str, Path | None] | None = None,
    columns: Callable[[str], dict[str, str]] | None = None,
    table: dict[str, Any] | None = None,
    current_plan: str | Path | None = None,
    time_limit: float = 60.0,
    seed: int = 2026,
    include_personal_data: bool = False,
    step: Callable[[str], None] | None = None,
    provider: TravelProvider | None = None,
) -> dict[str, Any]:
    """Plan routes into ``out_dir``; return the summary (also in ``summary.json``).

    ``files`` maps ``pupils``/``schools``/``stops``/``fleet`` to a user's file; a kind
    left out comes from the embedded default data (its published seed: ``seed`` is the
    search's only, so a new seed never changes the pupils).
    """
    step = step or (lambda _t: None)
    started = time.perf_counter()
    files = {k: (files or {}).get(k) for k in ("pupils", "schools", "stops", "fleet")}
    step("reading pupils, schools, stops and fleet")
    frames = _frames(files, columns or (lambda _k: {}))
    step("building the transport problem")
    problem, routing = build_problem(**frames, table=table, provider=provider)
    plan = read_plan(current_plan) if current_plan is not None else None
    step(f"planning routes ({time_limit:g} s)")
    result = solve(problem, params=routing, time_limit=time_limit, seed=seed)
    summary: dict[str, Any] = {"command": "transport routes", "seed": seed,
                               "time_limit_s": time_limit, **result.summary()}  # fmt: skip
    if plan is not None:
        step("evaluating the current plan")
        current = evaluate(problem, plan)
        summary["current_annual_cost_gbp"] = round(current.annual_cost, 2)
        summary["current_daily_cost_gbp"] = round(current.daily_cost, 2)
        summary["current_vehicles"] = current.vehicles
        summary["current_pupils_unserved"] = len(current.unserved)
        summary["current_ride_limit_violations"] = current.ride_limit_violations
        summary["current_violations"] = list(current.violations[:50])
        summary["saving_gbp"] = round(current.annual_cost - result.annual_cost, 2)
    summary["unserved"] = [
        {"pupil": problem.pupil_ids[u.pupil] if include_personal_data else None,
         "reason": u.reason, "best_ride_minutes": round(u.best_ride_s / 60, 1),
         "limit_minutes": round(u.max_ride_s / 60, 1)}
        for u in result.unserved
    ]  # fmt: skip
    if not include_personal_data:
        for row in summary["unserved"]:
            row.pop("pupil")
    summary["travel_times"] = problem.drive.source
    summary["method"] = result.method
    summary["files"] = ["summary.json", "routes.csv", "unserved.csv", "routes.gpkg"]
    step("writing routes.csv, unserved.csv and routes.gpkg")
    with Staging(out_dir) as stage:
        write_csv(stage.path / "routes.csv", routes_table(problem, result))
        write_csv(stage.path / "unserved.csv", unserved_table(problem, result))
        write_gpkg(stage.path / "routes.gpkg",
                   route_layers(problem, result, frames, include_personal_data))  # fmt: skip
        summary["elapsed_s"] = round(time.perf_counter() - started, 2)
        write_json(stage.path / "summary.json", summary)
    return summary


def demo_step(data: Any, out_dir: str | Path, time_limit: float = 30.0) -> dict[str, Any]:
    """The transport part of ``optimise demo``: route the default data into ``out_dir``.

    ``data`` is :func:`geodata.default.load_default`'s result (its frames are used as
    they are); returns the headline figures.
    """
    frames = {k: getattr(data, k) for k in ("pupils", "schools", "stops", "fleet")}
    problem, routing = build_problem(**frames)
    result = solve(problem, params=routing, time_limit=time_limit, seed=data.seed)
    summary = {"command": "transport routes", **result.summary()}
    with Staging(out_dir) as stage:
        write_csv(stage.path / "routes.csv", routes_table(problem, result))
        write_csv(stage.path / "unserved.csv", unserved_table(problem, result))
        write_gpkg(stage.path / "routes.gpkg", route_layers(problem, result, frames, False))
        write_json(stage.path / "summary.json", summary)
    return summary
