"""The ``optimise hours`` run: inputs → problem → calibration → plan → files.

The command line and the demo call :func:`run_hours` / :func:`demo_step`; a notebook
user can call the steps (:func:`build_problem`, :func:`optimise.hours.calibrate`,
:func:`optimise.hours.solve`) directly.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.errors import InputError
from geodata.write import Staging, write_csv, write_gpkg, write_json, write_text
from models.hours import HoursProblem
from optimise.hours.calibrate import Calibration, calibrate
from optimise.hours.params import HoursParams
from optimise.hours.profile import read_profile, uniform_profile
from optimise.hours.report import centre_table, timetable, weekly_grid
from optimise.hours.solve import solve

if TYPE_CHECKING:
    import geopandas as gpd

    from geodata.matrix import TravelProvider
    from models.hours_result import HoursResult
    from optimise.config import RunConfig

__all__ = ["build_problem", "demo_step", "load_params", "run_hours"]

log = logging.getLogger(__name__)

#: Seconds per solve when the run sets no time limit.
DEFAULT_TIME_LIMIT = 60.0


def load_params(cfg: RunConfig, **options: Any) -> HoursParams:
    """``[hours]`` of the config file, then the options that are not None."""
    params = HoursParams.from_dict(cfg.tables.get("hours", {}), source="[hours]")
    changes = {k: v for k, v in options.items() if v is not None}
    try:
        return dataclasses.replace(params, **changes)
    except ValueError as exc:
        raise InputError(f"hours options: {exc}") from None


def build_problem(
    centres: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, provider: TravelProvider | None = None
) -> HoursProblem:
    """The problem on drive times (straight line unless ``provider``); bad combinations
    are InputErrors."""
    from geodata.providers import StraightLine

    try:
        return HoursProblem.from_geodata(centres, zones, provider or StraightLine())
    except ValueError as exc:
        raise InputError(f"centres: {exc}") from None


def _inputs(cfg: RunConfig, centres: Path | None, zones: Path | None) -> tuple[Any, Any]:
    from geodata.read import read

    frames = {}
    for kind, path in (("centres", centres), ("zones", zones)):
        if path is None:
            from geodata.default import load_default

            frames[kind] = getattr(load_default(cfg.seed), kind)
        else:
            layer = read(path, kind, columns=cfg.columns_for(kind) or None,
                         on_bad_row=cfg.on_bad_row)  # type: ignore[arg-type]  # fmt: skip
            frames[kind] = layer.frame
    return frames["centres"], frames["zones"]


def _curve(
    problem: HoursProblem, calibration: Calibration, params: HoursParams,
    time_limit: float | None, seed: int,
) -> pd.DataFrame:  # fmt: skip
    rows = []
    for budget in params.curve_budgets():
        try:
            r = solve(problem, demand=calibration.model,
                      params=dataclasses.replace(params, budget_hours=budget),
                      time_limit=time_limit, seed=seed)  # fmt: skip
        except ValueError as exc:
            log.warning("curve: budget %g skipped: %s", budget, exc)
            continue
        rows.append({
            "budget_hours": budget, "hours_used": r.hours_used,
            "demand_served": round(r.coverage.served, 1),
            "over65_demand_served": round(r.coverage.over65_served, 1),
            "optimal": r.optimal,
        })  # fmt: skip
    curve = pd.DataFrame(rows)
    if len(curve):
        curve["extra_visits_per_extra_hour"] = (
            curve["demand_served"].diff() / curve["hours_used"].diff()
        ).round(1)
    return curve


def run_hours(
    out_dir: str | Path | None,
    cfg: RunConfig,
    params: HoursParams,
    *,
    centres: Path | None = None,
    zones: Path | None = None,
    profile: Path | None = None,
    frames: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
    curve: bool = True,
    provider: TravelProvider | None = None,
) -> dict[str, Any]:
    """Run the whole opening-hours job and return ``summary.json``'s content.

    ``frames`` (centres, zones) bypasses reading files, as the demo does.
    """
    centre_frame, zone_frame = frames or _inputs(cfg, centres, zones)
    problem = build_problem(centre_frame, zone_frame, provider)
    limit = cfg.time_limit or DEFAULT_TIME_LIMIT
    profile_path = profile or (Path(params.profile) if params.profile else None)
    weights = read_profile(profile_path, problem) if profile_path else uniform_profile(problem)
    try:
        calibration = calibrate(problem, weights, over65_decay=params.over65_decay,
                                propensity=params.propensity,
                                half_distance=params.half_distance_minutes)  # fmt: skip
        result = solve(problem, demand=calibration.model, params=params,
                       time_limit=limit, seed=cfg.seed)  # fmt: skip
    except ValueError as exc:
        raise InputError(f"hours: {exc}") from None
    curve_limit = min(limit, params.curve_time_limit)
    curve_frame = _curve(problem, calibration, params, curve_limit, cfg.seed) if curve else None
    share = centre_frame["share"].to_numpy(dtype=float) if "share" in centre_frame else None
    table = centre_table(problem, result, calibration, share)
    summary = _summary(problem, result, calibration, params, table, cfg.seed)
    if curve_frame is not None:
        records = curve_frame.astype(object).where(curve_frame.notna(), None)
        summary["curve"] = records.to_dict(orient="records")  # NaN is not JSON
    if out_dir is not None:
        files = _write(Path(out_dir), problem, result, table, curve_frame, summary, centre_frame)
        summary["files"] = files
    return summary


def _summary(
    problem: HoursProblem, result: HoursResult, calibration: Calibration,
    params: HoursParams, table: pd.DataFrame, seed: int,
) -> dict[str, Any]:  # fmt: skip
    names = [str(n) for n in problem.centre_name]
    summary = result.summary(names)
    summary["demand_lost"] = round(result.coverage.lost, 1)
    summary["over65_demand_lost"] = round(result.coverage.over65_lost, 1)
    summary["current_demand_lost"] = round(result.current.lost, 1)
    summary["current_over65_demand_lost"] = round(result.current.over65_lost, 1)
    summary["current_hours"] = float(result.current.hours.sum())
    fit = calibration.fit()
    if "modelled_share" in table:
        ok = calibration.observed_index
        diff = (table["modelled_share"] - table["published_share"]).to_numpy()[ok]
        fit["calibrated"]["max_published_share_error_points"] = round(
            float(np.abs(diff).max() * 100), 2
        )
    summary["calibration"] = fit
    summary["solver"] = {"status": result.status, "objective": round(result.objective, 1),
                         "bound": round(result.bound, 1), "gap": result.gap}  # fmt: skip
    summary["params"] = dataclasses.asdict(params)
    summary["seed"] = seed
    return summary


def _write(
    out: Path, problem: HoursProblem, result: HoursResult, table: pd.DataFrame,
    curve: pd.DataFrame | None, summary: dict[str, Any], centres: gpd.GeoDataFrame,
) -> list[str]:  # fmt: skip
    files = ["timetable.csv", "current_timetable.csv", "timetable.md", "centres.csv", "hours.gpkg"]
    # The map layer for GIS and the report: each centre's point with its planned figures.
    layer = (
        centres[["id", "name", "status", "geometry"]]
        .merge(
            table.drop(columns=["centre", "status"]), left_on="id", right_on="centre_id", how="left"
        )
        .drop(columns=["centre_id"])
    )
    if curve is not None:
        files.append("curve.csv")
    files.append("summary.json")
    with Staging(out) as stage:
        write_csv(stage.path / "timetable.csv", timetable(problem, result.plan))
        write_csv(stage.path / "current_timetable.csv", timetable(problem, problem.current))
        write_text(stage.path / "timetable.md", weekly_grid(problem, result))
        write_csv(stage.path / "centres.csv", table)
        write_gpkg(stage.path / "hours.gpkg", {"centres": layer})
        if curve is not None:
            write_csv(stage.path / "curve.csv", curve)
        write_json(stage.path / "summary.json", {**summary, "files": files})
    return files


def demo_step(
    data: Any,
    out_dir: str | Path,
    *,
    seed: int = 2026,
    time_limit: float | None = 60.0,
    curve: bool = False,
) -> dict[str, Any]:
    """The hours step of ``optimise demo``: default parameters on ``data``'s centres
    and zones, outputs in ``out_dir``; returns the summary (also in summary.json).

    Without ``curve`` it takes one solve (about 10 s on the default data); the curve
    adds nine more (about 50 s in all)."""
    from optimise.config import RunConfig

    cfg = RunConfig(seed=seed, time_limit=time_limit)
    return run_hours(out_dir, cfg, HoursParams(), frames=(data.centres, data.zones), curve=curve)
