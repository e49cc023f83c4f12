"""The demo run: the whole pipeline on the embedded Northumberland default data.

generate → export (GeoPackage + CSV) → read the exported files back through the
validation layer → build the three problems on straight-line travel times → check the
council's figures (DOMAIN.md) → ``summary.json``. Solvers join it as their issues land.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.default import DEFAULT_SEED, export_default, load_default
from geodata.providers import StraightLine
from geodata.read import check
from geodata.write import Staging, write_json
from models.estate import EstateProblem
from models.hours import HoursProblem, current_hours_per_week, visits_per_open_hour
from models.transport import TransportProblem
from optimise.estate.params import EstateParams
from optimise.estate.run import EstateInputs, plan_estate, write_estate
from optimise.hours.run import HoursInputs, plan_hours, write_hours
from optimise.jobs import JobContext
from optimise.settings import EstateSettings, HoursSettings, TransportSettings
from optimise.transport.run import RoutesOptions, TransportInputs, plan_routes, write_routes

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["domain_checks", "run_demo"]

log = logging.getLogger(__name__)

#: DOMAIN.md figures the default data must reproduce: (name, expected, tolerance).
RESIDENTS = 320_000
OVER65_SHARE = 0.255
SITES = 343
CORPORATE_SITES = 44
BACKLOG = 9_600_000
ASSET_VALUE = 545_000_000
CENTRE_HOURS = 70
#: Seconds the demo gives the routing search (``optimise demo --time-limit`` overrides).
DEMO_TIME_LIMIT = 20.0


def _check(name: str, expected: Any, found: Any, ok: bool) -> dict[str, Any]:
    return {"name": name, "expected": expected, "found": found, "ok": bool(ok)}


def domain_checks(data: Any) -> list[dict[str, Any]]:
    """Compare the default data with the council's published figures."""
    zones, sites, centres = data.zones, data.sites, data.centres
    residents = int(zones["population"].sum())
    share = float(zones["over65"].sum() / residents)
    backlog = float(sites[[f"backlog_p{p}" for p in range(1, 5)]].to_numpy().sum())
    value = float(sites["capital_value"].sum())
    open_centres = centres[centres["status"] == "open"]

    weekly = current_hours_per_week(open_centres)
    checks = [
        _check("residents", RESIDENTS, residents, residents == RESIDENTS),
        _check("over-65 share", OVER65_SHARE, round(share, 4), abs(share - OVER65_SHARE) < 0.001),
        _check("operational sites", SITES, len(sites), len(sites) == SITES),
        _check(
            "corporate-landlord sites",
            CORPORATE_SITES,
            int(sites["corporate_landlord"].sum()),
            int(sites["corporate_landlord"].sum()) == CORPORATE_SITES,
        ),
        _check("backlog maintenance £", BACKLOG, round(backlog), abs(backlog - BACKLOG) < 1),
        _check("asset value £", ASSET_VALUE, round(value), abs(value - ASSET_VALUE) < 1),
        _check(
            "centre hours a week", CENTRE_HOURS, float(weekly.sum()), weekly.sum() == CENTRE_HOURS
        ),
    ]
    for (_, row), hours in zip(open_centres.iterrows(), weekly, strict=True):
        vph = round(visits_per_open_hour(float(row["visits_per_year"]), float(hours)), 2)
        expected = row.get("visits_per_open_hour_published")
        if expected is not None and not (isinstance(expected, float) and np.isnan(expected)):
            checks.append(
                _check(
                    f"{row['name']} visits per open hour",
                    float(expected),
                    vph,
                    abs(vph - float(expected)) < 0.005,
                )
            )
    return checks


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = 2026,
    step: Callable[[str], None] | None = None,
    time_limit: float = DEMO_TIME_LIMIT,
    solvers: bool = True,
) -> dict[str, Any]:
    """Run the demo into ``out_dir`` and return its summary (also in summary.json).

    With ``solvers`` the three solvers run on the default data into ``DIR/transport``,
    ``DIR/estate`` and ``DIR/hours``; ``time_limit`` (seconds) is the routing search's.
    The data is always the fixed default county; ``seed`` seeds the solvers only.
    """
    step = step or (lambda _text: None)
    started = time.perf_counter()
    out_dir = Path(out_dir)
    step("generating the Northumberland default data")
    data = load_default(DEFAULT_SEED)
    with Staging(out_dir) as stage:
        step("exporting GeoPackage and CSV")
        files = export_default(data, stage.path / "data")
        step("reading the exported files back through validation")
        problems = {}
        for kind in ("zones", "schools", "pupils", "stops", "fleet", "sites", "centres"):
            path = stage.path / "data" / f"{kind}.csv"
            problems[kind] = [str(p) for p in check(path, kind)]
        step("building the transport, estate and hours problems")
        road = StraightLine()
        built = _build_problems(data, road)
        solved = _solve(data, stage.path, time_limit, step, seed) if solvers else {}
        checks = domain_checks(data)
        checks.append(
            _check(
                "exported files pass validation",
                0,
                sum(map(len, problems.values())),
                not any(problems.values()),
            )
        )
        summary = {
            "command": "demo",
            "seed": seed,
            "out": str(out_dir),
            "data": _figures(data),
            "problems_built": built,
            "solvers": solved,
            "travel_times": road.key(),
            "checks": checks,
            "validation_problems": problems,
            "files": [*sorted(str(Path(f).relative_to(stage.path)) for f in files), "summary.json"],
            "elapsed_s": round(time.perf_counter() - started, 2),
        }
        write_json(stage.path / "summary.json", summary)
    return summary


def _solve(
    data: Any, out: Path, time_limit: float, step: Callable[[str], None], seed: int
) -> dict[str, Any]:
    """Each solver's headline figures on the default data (their searches seeded by
    ``seed``); outputs in its own folder."""

    step(f"planning school routes ({time_limit:g} s)")
    routes = _routes(data, out / "transport", time_limit, seed)
    keys = (
        "annual_cost_gbp", "daily_cost_gbp", "vehicles", "pupils_total", "pupils_served",
        "pupils_unserved", "ride_limit_violations", "mean_ride_minutes", "p95_ride_minutes",
    )  # fmt: skip
    step("choosing which sites to keep")
    sites = _estate(data, out / "estate", seed)
    step("choosing centre opening hours")
    opening = _hours(data, out / "hours", seed)
    hour_keys = ("budget_hours", "hours_used", "demand_served", "over65_demand_served",
                 "current_demand_served", "current_over65_demand_served", "optimal")  # fmt: skip
    return {
        "transport": {k: routes[k] for k in keys if k in routes},
        "estate": sites,
        "hours": {k: opening[k] for k in hour_keys if k in opening},
    }


def _routes(data: Any, out: Path, time_limit: float, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The default data's morning routes, as ``transport routes --run am`` plans and
    writes them (``time_limit`` bounds the step: building, solving, writing)."""
    frames = {k: getattr(data, k) for k in ("pupils", "schools", "stops", "fleet")}
    job = JobContext(seed=seed, time_limit=time_limit)
    run = plan_routes(TransportInputs(frames), TransportSettings(), job, RoutesOptions(run="am"))
    return write_routes(run, out)


#: The estate figures the demo's summary repeats.
ESTATE_KEYS = (
    "status", "sites_kept", "sites_disposed", "capital_receipts_gbp", "annual_saving_gbp",
    "backlog_avoided_gbp", "max_travel_minutes", "population_beyond_limit", "optimal", "gap",
)  # fmt: skip


def _estate(data: Any, out: Path, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The default estate (no ranking: the demo shows the plan), written to ``out``."""
    settings = EstateSettings(EstateParams(ranking_steps=0))
    run = plan_estate(EstateInputs(data.sites, data.zones), settings, JobContext(seed=seed))
    summary = write_estate(run, out)
    return {k: summary[k] for k in ESTATE_KEYS}


#: Seconds the demo's opening hours may take (its plan and the three rule variants).
HOURS_TIME_LIMIT = 60.0


def _hours(data: Any, out: Path, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Default parameters on the default centres and zones, no curve, written to ``out``."""
    job = JobContext(seed=seed, time_limit=HOURS_TIME_LIMIT)
    run = plan_hours(HoursInputs(data.centres, data.zones), HoursSettings(), job, curve=False)
    return write_hours(run, out)


def _build_problems(data: Any, road: StraightLine) -> dict[str, Any]:
    transport = TransportProblem.from_geodata(
        data.pupils, data.schools, data.stops, data.fleet, road, walk_provider=road
    )
    estate = EstateProblem.from_geodata(data.sites, data.zones, road)
    hours = HoursProblem.from_geodata(data.centres, data.zones, road)
    direct = transport.direct_seconds()
    over = int((direct > transport.pupil_max_ride_s).sum())
    return {
        "transport": {
            "locations": len(transport.locations),
            "pupils": transport.num_pupils,
            "schools": len(transport.school_ids),
            "stops": len(transport.stop_ids),
            "vehicle_types": len(transport.vehicles),
            "pupils_whose_direct_ride_exceeds_limit": over,
            "median_direct_ride_min": round(float(np.median(direct)) / 60, 1),
        },
        "estate": {
            "sites": estate.num_sites,
            "zones": len(estate.zone_ids),
            "matrix": list(estate.travel.shape),
        },
        "hours": {
            "centres": len(hours.centre_ids),
            "slots_per_week": int(7 * hours.slots_per_day),
            "current_hours_per_week": float(hours.current_hours_per_week().sum()),
        },
    }


def _figures(data: Any) -> dict[str, Any]:
    pupils, sites = data.pupils, data.sites
    return {
        "zones": len(data.zones),
        "residents": int(data.zones["population"].sum()),
        "over65_share": round(
            float(data.zones["over65"].sum() / data.zones["population"].sum()), 4
        ),
        "schools": len(data.schools),
        "bell_times": sorted(set(data.schools["bell_time"])),
        "pupils": len(pupils),
        "sen_share": round(float(pupils["sen"].mean()), 3),
        "wheelchair": int(pupils["wheelchair"].sum()),
        "solo": int(pupils["solo"].sum()),
        "assistant": int(pupils["assistant"].sum()),
        "stops": len(data.stops),
        "vehicle_types": len(data.fleet),
        "sites": len(sites),
        "site_types": {
            str(k): int(v) for k, v in sites["type"].value_counts().sort_index().items()
        },
        "centres": {
            str(k): int(v) for k, v in data.centres["status"].value_counts().sort_index().items()
        },
    }
