"""What a worker runs: one scenario, built and solved in the worker, plain data back.

Solver objects (HiGHS, OR-Tools, PyVRP) never cross a process boundary: the worker
receives the scenario (plain data) and the shared input frames, builds the problem,
solves it, writes the scenario's own folder (staged, published together) and returns
a row of plain figures. An exception becomes a ``failed`` row with the error, so one
bad scenario never stops the batch.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path
from typing import Any

from geodata.network import provider_from_options
from optimise.estate.params import EstateParams
from optimise.estate.run import EstateInputs, plan_estate, write_estate
from optimise.hours.params import HoursParams
from optimise.hours.run import HoursInputs, plan_hours, write_hours
from optimise.jobs import JobContext
from optimise.settings import EstateSettings, HoursSettings, TransportSettings
from optimise.transport.routing.params import TIME_LIMIT
from optimise.transport.run import RoutesOptions, TransportInputs, plan_routes, write_routes
from optimise.transport.stops.run import run_plan

__all__ = ["FIGURES", "run_scenario"]

#: Key figures of each kind: the columns of the results table after the parameters.
FIGURES = {
    "estate": (
        "solver_status",
        "sites_disposed",
        "capital_receipts_gbp",
        "annual_saving_gbp",
        "backlog_avoided_gbp",
        "population_beyond_limit",
        "optimal",
        "gap",
    ),
    "hours": (
        "solver_status",
        "hours_used",
        "demand_served",
        "over65_demand_served",
        "current_demand_served",
        "optimal",
    ),
    "transport": (
        "pupils_served",
        "pupils_unserved",
        "routes",
        "vehicles",
        "daily_cost_gbp",
        "annual_cost_gbp",
        "mean_ride_minutes",
        "p95_ride_minutes",
        "stops_used",  # the next three with plan = true only
        "pupils_at_stops",
        "mean_walk_m",
        "total_annual_cost_gbp",  # the next two with run = "both": the whole day
        "total_vehicles",
    ),
    "none": (),
}


def run_scenario(task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Run one scenario; never raises for a scenario's own error.

    Parameters
    ----------
    task
        ``{"kind", "resolved", "seed", "time_limit", "out", "hash", "network"}`` (plain
        data; ``network`` is a road-network folder or None for straight-line times).
    data
        Input frames by layer name (``sites``, ``zones``, ...), shared by every task.

    Returns
    -------
    dict
        ``status`` (``ok``, ``infeasible`` or ``failed``), ``error``, ``seconds`` and
        the kind's :data:`FIGURES`.
    """
    start = time.perf_counter()
    try:
        summary = _RUNNERS[task["kind"]](task, data)
        status = "infeasible" if summary.get("status") in ("infeasible", "no solution") else "ok"
        row: dict[str, Any] = {"status": status, "error": ""}
        if status == "ok":  # an infeasible plan has no figures worth a column
            row.update({k: _scalar(summary.get(k)) for k in FIGURES[task["kind"]]})
        solver = summary.get("solver")
        row["solver_status"] = summary.get("status") or (
            solver.get("status") if isinstance(solver, dict) else None
        )
    except Exception as exc:  # a scenario's failure is a result, not a crash of the batch
        row = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    row["seconds"] = round(time.perf_counter() - start, 3)
    return row


def _provider(task: dict[str, Any]) -> Any:
    """Road-network travel times when the batch names a network (matrices cached on disk,
    so the workers share them), else None: straight line."""
    if not task.get("network"):
        return None
    built = os.stat(Path(task["network"]) / "summary.json").st_mtime_ns  # a rebuild: reload
    return _network(task["network"], built)


@functools.lru_cache(maxsize=2)
def _network(folder: str, built: int) -> Any:
    # Loaded once per process, not once per scenario: a worker runs many scenarios.

    return provider_from_options(Path(folder))


def _scalar(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _estate(task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    settings = EstateSettings(EstateParams(**task["resolved"]["params"]))
    job = JobContext(seed=task["seed"], time_limit=task["time_limit"], provider=_provider(task))
    run = plan_estate(EstateInputs(data["sites"], data["zones"]), settings, job)
    return write_estate(run, task["out"])


def _hours(task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    settings = HoursSettings(HoursParams(**task["resolved"]["params"]))
    job = JobContext(seed=task["seed"], time_limit=task["time_limit"], provider=_provider(task))
    # A batch is itself a sweep: the per-run curve of budgets is left out.
    run = plan_hours(HoursInputs(data["centres"], data["zones"]), settings, job, curve=False)
    return write_hours(run, task["out"])


def _transport(task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    frames = {k: data[k] for k in ("pupils", "schools", "stops", "fleet")}
    frames["fleet"] = _fleet(frames["fleet"], task["resolved"]["fleet"])
    table = {**task["resolved"]["policy"], "routing": task["resolved"]["routing"]}
    run = task["resolved"].get("run", "am")  # the morning unless the scenario says
    if task["resolved"].get("plan"):  # pick-up points and routes, as `transport plan`
        table["stops"] = task["resolved"]["stops"]
        return run_plan(
            task["out"], frames=frames, table=table, provider=_provider(task),
            time_limit=task["time_limit"] or TIME_LIMIT, seed=task["seed"], run=run,
        )  # fmt: skip
    job = JobContext(seed=task["seed"], time_limit=task["time_limit"] or TIME_LIMIT,
                     provider=_provider(task))  # fmt: skip
    settings = TransportSettings.from_table(table)
    routes = plan_routes(TransportInputs(frames), settings, job, RoutesOptions(run=run))
    return write_routes(routes, task["out"])


def _fleet(fleet: Any, changes: dict[str, float]) -> Any:
    """``{"minibus.day_rate": 220}``: set a column on the rows whose type or id matches."""
    if not changes:
        return fleet
    fleet = fleet.copy()
    for key, value in changes.items():
        which, column = key.split(".")
        rows = (fleet["vehicle_type"].astype(str) == which) | (fleet["id"].astype(str) == which)
        if not rows.any():
            raise ValueError(f"fleet.{key}: no vehicle type or id '{which}' in the fleet")
        fleet.loc[rows, column] = value
    return fleet


def _none(task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    params = task["resolved"]
    if params["sleep"]:
        time.sleep(float(params["sleep"]))
    marker = Path(params["crash_once"]) if params["crash_once"] else None
    if marker is not None and not marker.exists():
        marker.touch()
        os._exit(1)  # the worker process dies: the scheduler must run the task again
    if params["fail"]:
        raise RuntimeError("scenario asked to fail (fail = true)")
    Path(task["out"]).mkdir(parents=True, exist_ok=True)
    return {}


_RUNNERS = {"estate": _estate, "hours": _hours, "transport": _transport, "none": _none}
