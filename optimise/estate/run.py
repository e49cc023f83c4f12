"""One estate run from files or the default data to an output folder (what the CLI calls).

Outputs (staged, published together): ``summary.json``, ``sites.csv`` (every site with
its decision, what disposing of it would realise, cost and net, and, when disposed, its
rank), ``zones.csv`` (each zone's worst travel
minutes to a kept site, as in the GeoPackage), ``disposals.csv`` (ranked disposal
options), ``pareto.csv`` (with ``--pareto N``) and ``estate.gpkg`` (layers ``sites``
and ``zones``, the latter with each zone's worst travel minutes in the plan).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.default import DEFAULT_SEED, load_default
from geodata.providers import StraightLine
from geodata.write import Staging, write_csv, write_gpkg, write_json
from models.estate import EstateProblem
from optimise.estate.pareto import MIN_SOLVE_S, pareto_front
from optimise.estate.prepare import prepare
from optimise.estate.ranking import rank_disposals
from optimise.estate.solve import solve
from optimise.inputs import read_layer

if TYPE_CHECKING:
    import geopandas as gpd

    from models.estate_result import EstateResult
    from optimise.config import RunConfig
    from optimise.estate.params import EstateParams
    from optimise.estate.prepare import Prepared
    from optimise.jobs import JobContext
    from optimise.settings import EstateSettings

__all__ = ["EstateInputs", "EstateRun", "load_layers", "plan_estate", "write_estate"]

log = logging.getLogger(__name__)


def load_layers(
    cfg: RunConfig, sites: Path | None = None, zones: Path | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, list[str]]:
    """Sites and zones from the user's files (validated), the default data otherwise
    (always the fixed default county: ``cfg.seed`` seeds the solvers only); a note per
    file whose bad rows were skipped (:func:`optimise.inputs.read_layer`)."""
    out, notes = [], []
    for kind, path in (("sites", sites), ("zones", zones)):
        if path is None:
            out.append(getattr(load_default(DEFAULT_SEED), kind))
            continue
        frame = read_layer(path, kind, cfg.columns_for(kind), cfg.on_bad_row, cfg.reading)
        skipped = frame.attrs.get("read", {}).get("rows_skipped")
        if skipped:
            notes.append(f"{path}: {skipped} bad row(s) skipped")
        out.append(frame)
    return out[0], out[1], notes


@dataclass(frozen=True)
class EstateInputs:
    """The sites and zones an estate job plans (validated frames, EPSG:27700)."""

    sites: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame


@dataclass(frozen=True)
class EstateRun:
    """One estate job's results; :meth:`summary` is ``summary.json``'s content."""

    inputs: EstateInputs
    params: EstateParams
    problem: EstateProblem
    prep: Prepared
    plan: EstateResult
    ranked: list[dict[str, Any]]
    front: list[dict[str, Any]]
    pareto: int  # points of the front asked for
    traced: int  # points traced before the deadline
    seed: int
    time_limit: float | None
    elapsed_s: float

    def files(self) -> list[str]:
        """The files :func:`write_estate` writes."""
        files = ["summary.json", "sites.csv", "zones.csv", "disposals.csv", "estate.gpkg"]
        return [*files, "pareto.csv"] if self.front else files

    def summary(self) -> dict[str, Any]:
        """``summary.json``: the one place its keys are spelled."""
        return {
            "command": "estate",
            "seed": self.seed,
            "sites": self.problem.num_sites,
            "zones": len(self.problem.zone_ids),
            **self.plan.summary(),
            "receipt_target": self.params.receipt_target,
            "pareto_points": len(self.front),
            "pareto_points_requested": self.pareto,
            "pareto_points_traced": self.traced,
            "time_limit_s": self.time_limit,
            "notes": _front_notes(self.pareto, self.traced, self.plan.feasible),
            "elapsed_s": self.elapsed_s,
            "files": self.files(),
        }


def plan_estate(
    inputs: EstateInputs, settings: EstateSettings, job: JobContext, pareto: int = 0
) -> EstateRun:
    """Build, solve, rank and trace the front (``pareto`` points) of one estate job.

    ``job.time_limit`` bounds the whole job: travel times, the plan, the ranking and the
    front (``job.deadline`` replaces "now plus the limit", so that reading the inputs
    counts too). The plan gets half the time left (all of it with nothing after it), the
    ranking half of the rest, the front what remains; the front stops at the deadline
    and the summary says how many of its points were traced (``pareto_points_traced``,
    and a note when it was cut short)."""
    start = time.perf_counter()
    params, seed = settings.params, job.seed
    ends = job.ends_at()
    solve_by = None if ends is None else ends - _RESERVE_S
    job.step("building travel times (drive)")
    problem = EstateProblem.from_geodata(inputs.sites, inputs.zones,
                                         job.provider or StraightLine())  # fmt: skip
    prep = prepare(problem, params)
    later = bool(params.ranking_steps) or pareto > 0
    job.step("solving the estate model")
    plan = solve(problem, params=params, time_limit=_share(solve_by, 0.5 if later else 1.0),
                 seed=seed, prepared=prep)  # fmt: skip
    ranked: list[dict[str, Any]] = []
    if params.ranking_steps and plan.feasible:
        job.step("ranking the disposals")
        each = _share(solve_by, 0.5 if pareto else 1.0, max(params.ranking_steps - 1, 1),
                      floor=MIN_SOLVE_S)  # fmt: skip
        ranked = rank_disposals(problem, prep, params, plan, seed=seed, time_limit=each)
    front: list[dict[str, Any]] = []
    traced = {"traced": 0}
    if pareto and plan.feasible:
        job.step(f"tracing the Pareto front ({pareto} points)")
        front = pareto_front(problem, params, pareto, seed=seed, measure=params.pareto_measure,
                             deadline=solve_by, stats=traced)  # fmt: skip
    return EstateRun(inputs, params, problem, prep, plan, ranked, front, pareto,
                     traced["traced"], seed, job.time_limit,
                     round(time.perf_counter() - start, 2))  # fmt: skip


#: Seconds kept back from the time limit for writing the outputs and the report.
_RESERVE_S = 0.5

#: The least the plan's solve is given, even past the deadline (reading the inputs can
#: take the whole limit; a plan needs some search). A ranking step gets at least
#: :data:`~optimise.estate.pareto.MIN_SOLVE_S`.
_FLOOR_S = 0.5

#: Seconds a solve takes beyond its solver time limit (building and passing the model).
_OVERHEAD_S = 0.15


def _share(
    solve_by: float | None, part: float, solves: int = 1, floor: float = _FLOOR_S
) -> float | None:
    """Seconds for each of ``solves`` solves sharing ``part`` of the time left."""
    if solve_by is None:
        return None
    each = (solve_by - time.monotonic()) * part / solves - _OVERHEAD_S
    return max(floor, each)


def _front_notes(asked: int, traced: int, feasible: bool) -> list[str]:
    if not asked or not feasible or traced >= asked:
        return []
    return [
        f"the Pareto front was cut short by the time limit: {traced} of {asked} points "
        "traced (ends first, then midpoints); give more --time-limit for the rest"
    ]


ESTATE_OUTPUTS = ("sites.csv", "zones.csv", "disposals.csv", "pareto.csv", "estate.gpkg")


def write_estate(run: EstateRun, out_dir: str | Path) -> dict[str, Any]:
    """Write ``run``'s files into ``out_dir`` (staged, published together); return the
    summary written."""
    plan, rank = run.plan, {r["site_id"]: r for r in run.ranked}
    money = {"realised_receipt_gbp": run.prep.realised, "relocation_cost_gbp": run.prep.relocation,
             "net_receipt_gbp": run.prep.receipt}  # fmt: skip
    table = run.inputs.sites.assign(**{k: v.round() for k, v in money.items()})
    table["decision"] = np.where(plan.keep, "keep", "dispose")
    table["rank"] = [rank[i]["rank"] if i in rank else pd.NA for i in plan.site_ids]
    table["zones_affected"] = [rank[i]["zones_affected"] if i in rank else 0 for i in plan.site_ids]
    worst = np.where(np.isfinite(plan.minutes), plan.minutes, np.nan)
    zone_layer = run.inputs.zones[["id", "name", "population", "over65", "geometry"]].copy()
    zone_layer["worst_minutes"] = np.nanmax(worst, axis=1, initial=0.0).round(1)
    summary = run.summary()
    with Staging(Path(out_dir), owns=ESTATE_OUTPUTS) as stage:
        write_csv(stage.path / "sites.csv", table)
        write_csv(stage.path / "zones.csv", zone_layer)  # travel to the nearest kept site
        write_csv(stage.path / "disposals.csv", pd.DataFrame(run.ranked, columns=_RANK_COLUMNS))
        if run.front:
            write_csv(stage.path / "pareto.csv", pd.DataFrame(run.front))
        sites_layer = table.drop(columns=["rank"]).assign(
            rank=[rank[i]["rank"] if i in rank else -1 for i in plan.site_ids]
        )
        write_gpkg(stage.path / "estate.gpkg", {"sites": sites_layer, "zones": zone_layer})
        write_json(stage.path / "summary.json", summary)
    return summary


_RANK_COLUMNS = [
    "rank", "step", "site_id", "name", "type", "capital_receipt_gbp", "relocation_cost_gbp",
    "net_receipt_gbp",
    "running_saving_gbp", "backlog_avoided_gbp", "annualised_benefit_gbp", "zones_affected",
    "population_affected", "over65_affected", "max_extra_minutes",
]  # fmt: skip
