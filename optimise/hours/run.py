"""The ``optimise hours`` run: inputs → problem → calibration → plan → files.

The command line, the demo and the batch workers call :func:`plan_hours` (an
:class:`HoursRun`, whose ``summary()`` is summary.json) and :func:`write_hours`; a
notebook user can call the same two, or the steps (:func:`build_problem`,
:func:`optimise.hours.calibrate`, :func:`optimise.hours.solve`) directly.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.default import DEFAULT_SEED, load_default
from geodata.errors import InputError
from geodata.providers import StraightLine
from geodata.write import Staging, write_csv, write_gpkg, write_json, write_text
from models.hours import HoursProblem
from optimise.hours.calibrate import Calibration, calibrate
from optimise.hours.demand import travel_minutes
from optimise.hours.profile import read_profile, uniform_profile
from optimise.hours.report import centre_table, closures_and_openings, timetable, weekly_grid
from optimise.hours.solve import solve
from optimise.hours.sweep import NOT_PROVEN, Clock, budget_curve, notes, rule_prices
from optimise.inputs import read_layer
from optimise.settings import HoursSettings

if TYPE_CHECKING:
    import geopandas as gpd

    from geodata.matrix import TravelProvider
    from models.hours_result import HoursResult
    from optimise.config import RunConfig
    from optimise.hours.params import HoursParams
    from optimise.jobs import JobContext

__all__ = [
    "HoursInputs",
    "HoursRun",
    "build_problem",
    "load_inputs",
    "load_params",
    "plan_hours",
    "write_hours",
]

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
    return HoursSettings.from_table(cfg.tables.get("hours")).with_options(**options).params


def build_problem(
    centres: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, provider: TravelProvider | None = None
) -> HoursProblem:
    """The problem on drive times (straight line unless ``provider``); bad combinations
    are InputErrors."""
    try:
        return HoursProblem.from_geodata(centres, zones, provider or StraightLine())
    except ValueError as exc:
        raise InputError(f"centres: {exc}") from None


def load_inputs(
    cfg: RunConfig, centres: Path | None, zones: Path | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Centres and zones from the user's files (validated), the default data otherwise
    (always the fixed default county: ``cfg.seed`` seeds the solvers only)."""
    frames = {}
    for kind, path in (("centres", centres), ("zones", zones)):
        if path is None:
            frames[kind] = getattr(load_default(DEFAULT_SEED), kind)
        else:
            frames[kind] = read_layer(path, kind, cfg.columns_for(kind), cfg.on_bad_row,
                                      cfg.reading)  # fmt: skip
    return frames["centres"], frames["zones"]


@dataclass(frozen=True)
class HoursInputs:
    """The centres and zones an hours job plans, and the CSV of when residents want to
    visit (``profile``; None: the ``[hours] profile`` setting, else uniform)."""

    centres: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    profile: Path | None = None


@dataclass(frozen=True)
class HoursRun:
    """One hours job's results; :meth:`summary` is ``summary.json``'s content."""

    inputs: HoursInputs
    params: HoursParams
    problem: HoursProblem
    calibration: Calibration
    result: HoursResult
    table: pd.DataFrame  # per centre, planned beside today
    changes: pd.DataFrame  # per zone, nearest open centre today and in the plan
    prices: dict[str, Any] | None  # the rule variants (``rule_prices``)
    curve: pd.DataFrame | None  # staff hours against demand served
    seed: int
    time_limit: float | None

    def files(self) -> list[str]:
        """The files :func:`write_hours` writes."""
        files = ["timetable.csv", "current_timetable.csv", "timetable.md", "centres.csv",
                 "hours.gpkg", "zone_changes.csv"]  # fmt: skip
        return [*files, *(["curve.csv"] if self.curve is not None else []), "summary.json"]

    def summary(self) -> dict[str, Any]:
        """``summary.json``: the one place its keys are spelled."""
        summary = _summary(self.problem, self.result, self.calibration, self.params, self.table,
                           self.seed)  # fmt: skip
        if self.prices is not None:
            summary["rule_prices"] = _prices(self.result, self.prices)
        reach = self.params.max_travel_min
        summary.update(access_summary(self.problem, self.result.plan, self.changes, reach))
        if self.curve is not None:
            records = self.curve.astype(object).where(self.curve.notna(), None)
            summary["curve"] = records.to_dict(orient="records")  # NaN is not JSON
        summary["notes"] = notes(self.curve, self.prices)
        summary["time_limit_s"] = self.time_limit
        summary["files"] = self.files()
        return summary


def plan_hours(
    inputs: HoursInputs, settings: HoursSettings, job: JobContext, curve: bool = True
) -> HoursRun:
    """Calibrate demand, choose the opening hours, price the rules and (with ``curve``)
    trace staff hours against demand served.

    ``job.time_limit`` bounds the whole job (see :mod:`optimise.hours.sweep`); without
    one each solve has its own cap (60 s, the curve's ``curve_time_limit``)."""
    params, seed = settings.params, job.seed
    ends = job.ends_at()  # the deadline (reading the inputs may have used some of it)
    clock = Clock(None if ends is None else ends - time.monotonic())
    job.step("calibrating demand and choosing opening hours")
    problem = build_problem(inputs.centres, inputs.zones, job.provider)
    profile_path = inputs.profile or (Path(params.profile) if params.profile else None)
    weights = read_profile(profile_path, problem) if profile_path else uniform_profile(problem)
    try:
        calibration = calibrate(problem, weights, over65_decay=params.over65_decay,
                                propensity=params.propensity,
                                half_distance=params.half_distance_minutes)  # fmt: skip
        result = solve(problem, demand=calibration.model, params=params,
                       time_limit=clock.limit(DEFAULT_TIME_LIMIT), seed=seed)  # fmt: skip
    except ValueError as exc:
        raise InputError(f"hours: {exc}") from None
    prices = None
    if params.rule_prices:
        prices = rule_prices(problem, calibration, params, result, clock, seed,
                             DEFAULT_TIME_LIMIT)  # fmt: skip
    curve_frame = budget_curve(problem, calibration, params, result, clock, seed,
                               prices) if curve else None  # fmt: skip
    centres = inputs.centres
    share = centres["share"].to_numpy(dtype=float) if "share" in centres else None
    table = centre_table(problem, result, calibration, share)
    changes = zone_changes(problem, result.plan, params.max_travel_min)
    return HoursRun(inputs, params, problem, calibration, result, table, changes, prices,
                    curve_frame, seed, job.time_limit)  # fmt: skip


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
    minutes = travel_minutes(problem)
    open_ = np.any(mask, axis=(1, 2))
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


def write_hours(run: HoursRun, out_dir: str | Path) -> dict[str, Any]:
    """Write ``run``'s files into ``out_dir`` (staged, published together); return the
    summary written."""
    problem, result, changes = run.problem, run.result, run.changes
    # The map layer for GIS and the report: each centre's point with its planned figures.
    layer = (
        run.inputs.centres[["id", "name", "status", "geometry"]]
        .merge(
            run.table.drop(columns=["centre", "status"]),
            left_on="id", right_on="centre_id", how="left",
        )
        .drop(columns=["centre_id"])
    )  # fmt: skip
    summary = run.summary()
    with Staging(Path(out_dir), owns=HOURS_OUTPUTS) as stage:
        write_csv(stage.path / "timetable.csv", timetable(problem, result.plan))
        write_csv(stage.path / "current_timetable.csv", timetable(problem, problem.current))
        grid = weekly_grid(problem, result, changes, summary.get("rule_prices"),
                           summary.get("notes"))  # fmt: skip
        write_text(stage.path / "timetable.md", grid)
        write_csv(stage.path / "centres.csv", run.table)
        write_csv(stage.path / "zone_changes.csv", changes)
        write_gpkg(stage.path / "hours.gpkg", {"centres": layer})
        if run.curve is not None:
            write_csv(stage.path / "curve.csv", run.curve)
        write_json(stage.path / "summary.json", summary)
    return summary
