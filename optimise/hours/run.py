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
from optimise.hours.report import centre_table, closures_and_openings, timetable, weekly_grid
from optimise.hours.solve import solve
from optimise.hours.sweep import NOT_PROVEN, Clock, budget_curve, notes, rule_prices

if TYPE_CHECKING:
    import geopandas as gpd

    from geodata.matrix import TravelProvider
    from models.hours_result import HoursResult
    from optimise.config import RunConfig

__all__ = ["build_problem", "demo_step", "load_params", "run_hours"]

log = logging.getLogger(__name__)

# Every file an hours run can write: a new run removes those an earlier one left behind.
HOURS_OUTPUTS = (
    "timetable.csv",
    "current_timetable.csv",
    "timetable.md",
    "centres.csv",
    "zone_changes.csv",
    "hours.gpkg",
    "curve.csv",
)

#: Seconds per solve when the run sets no time limit.
DEFAULT_TIME_LIMIT = 60.0


def load_params(cfg: RunConfig, **options: Any) -> HoursParams:
    """``[hours]`` of the config file, then the options that are not None."""
    from optimise.settings import HoursSettings

    return HoursSettings.from_table(cfg.tables.get("hours")).with_options(**options).params


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
                         on_bad_row=cfg.on_bad_row, settings=cfg.reading)  # type: ignore[arg-type]  # fmt: skip
            frames[kind] = layer.frame
    return frames["centres"], frames["zones"]


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

    ``frames`` (centres, zones) bypasses reading files, as the demo does. The config's
    time limit bounds the whole run (see :mod:`optimise.hours.sweep`); without one
    each solve has its own cap (60 s, the curve's ``curve_time_limit``).
    """
    clock = Clock(cfg.time_limit)  # --time-limit bounds the whole command
    centre_frame, zone_frame = frames or _inputs(cfg, centres, zones)
    problem = build_problem(centre_frame, zone_frame, provider)
    profile_path = profile or (Path(params.profile) if params.profile else None)
    weights = read_profile(profile_path, problem) if profile_path else uniform_profile(problem)
    try:
        calibration = calibrate(problem, weights, over65_decay=params.over65_decay,
                                propensity=params.propensity,
                                half_distance=params.half_distance_minutes)  # fmt: skip
        result = solve(problem, demand=calibration.model, params=params,
                       time_limit=clock.limit(DEFAULT_TIME_LIMIT), seed=cfg.seed)  # fmt: skip
    except ValueError as exc:
        raise InputError(f"hours: {exc}") from None
    prices = None
    if params.rule_prices:
        prices = rule_prices(problem, calibration, params, result, clock, cfg.seed,
                             DEFAULT_TIME_LIMIT)  # fmt: skip
    curve_frame = budget_curve(problem, calibration, params, result, clock, cfg.seed,
                               prices) if curve else None  # fmt: skip
    share = centre_frame["share"].to_numpy(dtype=float) if "share" in centre_frame else None
    table = centre_table(problem, result, calibration, share)
    summary = _summary(problem, result, calibration, params, table, cfg.seed)
    if prices is not None:
        summary["rule_prices"] = _prices(result, prices)
    changes = zone_changes(problem, result.plan, params.max_travel_min)
    summary.update(access_summary(problem, result.plan, changes, params.max_travel_min))
    if curve_frame is not None:
        records = curve_frame.astype(object).where(curve_frame.notna(), None)
        summary["curve"] = records.to_dict(orient="records")  # NaN is not JSON
    summary["notes"] = notes(curve_frame, prices)
    summary["time_limit_s"] = cfg.time_limit
    if out_dir is not None:
        files = _write(Path(out_dir), problem, result, table, curve_frame, summary, centre_frame,
                       changes)  # fmt: skip
        summary["files"] = files
    return summary


def _prices(result: HoursResult, variants: dict[str, Any]) -> dict[str, Any]:
    """The plan with every rule beside each variant; ``price_*`` is what the rule costs
    (the variant's demand served minus the plan's, visits a year)."""
    out: dict[str, Any] = {"with_rules": {
        "demand_served": round(result.coverage.served, 1),
        "over65_demand_served": round(result.coverage.over65_served, 1),
        "objective": round(result.objective, 1), "optimal": result.optimal,
        "centres_open": int((result.coverage.hours > 0).sum()),
        "status": "optimal" if result.optimal else NOT_PROVEN,
        "seconds": round(result.runtime_s, 1)}}  # fmt: skip
    out.update(variants)
    for name, label in (("no_floor", "floor"), ("no_regular", "regular"), ("no_rules", "both")):
        v = variants.get(name) or {}
        for key, attr in (("demand_served", "served"), ("over65_demand_served", "over65_served")):
            out[f"price_of_{label}_{key}"] = (
                None if v.get(key) is None else round(v[key] - getattr(result.coverage, attr), 1)
            )
    return out


def _nearest(problem: HoursProblem, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per zone: the nearest centre open at some time of the week (-1: none) and minutes."""
    from optimise.hours.demand import travel_minutes

    minutes = travel_minutes(problem)
    open_ = mask.any(axis=(1, 2))
    if not open_.any():
        return np.full(len(minutes), -1), np.full(len(minutes), np.inf)
    m = np.where(open_[None, :], minutes, np.inf)
    best = m.argmin(axis=1)
    return best, m[np.arange(len(m)), best]


def zone_changes(problem: HoursProblem, plan: np.ndarray, reach: float) -> pd.DataFrame:
    """Who gains and loses: per zone, the nearest open centre today and in the plan."""
    names = np.asarray(problem.centre_name, dtype=object)
    c0, m0 = _nearest(problem, problem.current)
    c1, m1 = _nearest(problem, plan)
    change = np.where(m1 < m0 - 1e-9, "nearer", np.where(m1 > m0 + 1e-9, "farther", "same"))
    return pd.DataFrame({
        "zone_id": problem.zone_ids, "population": problem.population,
        "over65": problem.over65,
        "today_centre": [names[c] if c >= 0 else "" for c in c0],
        "today_minutes": np.round(m0, 1),
        "plan_centre": [names[c] if c >= 0 else "" for c in c1],
        "plan_minutes": np.round(m1, 1), "change": change,
        "beyond_today": m0 > reach, "beyond_plan": m1 > reach,
    })  # fmt: skip


def access_summary(
    problem: HoursProblem, plan: np.ndarray, z: pd.DataFrame, reach: float
) -> dict[str, Any]:  # fmt: skip
    ids = list(problem.centre_ids)
    shut, new = closures_and_openings(problem, plan)
    return {
        "centres_open_today": int(problem.current.any(axis=(1, 2)).sum()),
        "centres_open": int(plan.any(axis=(1, 2)).sum()),
        "closures": [ids[c] for c in shut],
        "openings": [ids[c] for c in new],
        "over65_nearer": int(z.loc[z["change"] == "nearer", "over65"].sum()),
        "over65_farther": int(z.loc[z["change"] == "farther", "over65"].sum()),
        "zones_nearer": int((z["change"] == "nearer").sum()),
        "zones_farther": int((z["change"] == "farther").sum()),
        "max_travel_min": reach,
        "residents_beyond_max_travel_today": int(z.loc[z["beyond_today"], "population"].sum()),
        "residents_beyond_max_travel": int(z.loc[z["beyond_plan"], "population"].sum()),
        "over65_beyond_max_travel_today": int(z.loc[z["beyond_today"], "over65"].sum()),
        "over65_beyond_max_travel": int(z.loc[z["beyond_plan"], "over65"].sum()),
    }


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
    changes: pd.DataFrame | None = None,
) -> list[str]:  # fmt: skip
    files = ["timetable.csv", "current_timetable.csv", "timetable.md", "centres.csv", "hours.gpkg"]
    if changes is not None:
        files.append("zone_changes.csv")
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
    with Staging(out, owns=HOURS_OUTPUTS) as stage:
        write_csv(stage.path / "timetable.csv", timetable(problem, result.plan))
        write_csv(stage.path / "current_timetable.csv", timetable(problem, problem.current))
        grid = weekly_grid(problem, result, changes, summary.get("rule_prices"),
                           summary.get("notes"))  # fmt: skip
        write_text(stage.path / "timetable.md", grid)
        write_csv(stage.path / "centres.csv", table)
        if changes is not None:
            write_csv(stage.path / "zone_changes.csv", changes)
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

    ``time_limit`` bounds the whole step (the plan, the three rule variants and, with
    ``curve``, the curve's budgets); what it leaves out is marked not run."""
    from optimise.config import RunConfig

    cfg = RunConfig(seed=seed, time_limit=time_limit)
    return run_hours(out_dir, cfg, HoursParams(), frames=(data.centres, data.zones), curve=curve)
