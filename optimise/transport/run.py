"""``optimise transport routes``: read → build → solve → (evaluate current plan) → write.

Outputs, published together (:class:`geodata.write.Staging`):

* ``summary.json``: headline figures (:meth:`TransportResult.summary`), the saving
  against a current plan when one is given, unserved pupils with reasons;
* ``routes.csv``: one row per stop of every route (base, pick-ups, school); a home
  pick-up row counts the pupils boarding, it does not name them;
* ``unserved.csv``: pupils no vehicle can carry (school, reason, best achievable ride;
  no pupil id);
* ``routes.gpkg``: layers ``routes`` (lines) and ``stops`` (bases, shared stops,
  schools). Pupils' homes are personal data: a route line passes through the centre
  of the 1 km grid square of a home, never the home, and no home point is written;
* with ``include_personal_data``, ``routes-personal.csv``, ``unserved-personal.csv``
  and ``routes-personal.gpkg`` (exact lines, a ``pickups`` layer of homes): the same
  with pupil ids and homes, for the transport team only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError, ValidationError
from geodata.write import Staging, write_csv, write_json
from models.transport import TransportProblem
from optimise.settings import TransportSettings
from optimise.transport.afternoon import solve_pm
from optimise.transport.evaluate import evaluate, read_plan
from optimise.transport.output import (
    PERSONAL_FILES,
    TRANSPORT_OUTPUTS,
    without_pupil_ids,
    write_day,
)
from optimise.transport.solve import solve

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from geodata.matrix import TravelProvider
    from geodata.read.derived import ReadSettings
    from models.transport_result import TransportResult
    from optimise.transport.params import RoutingParams

__all__ = [
    "RUNS",
    "beyond_limit",
    "build_problem",
    "costing",
    "day_totals",
    "demo_step",
    "input_notes",
    "policy_summary",
    "read_frames",
    "run_routes",
    "solve_seconds",
]  # fmt: skip

#: Values of ``--run``.
RUNS = ("am", "pm", "both")

log = logging.getLogger(__name__)


def build_problem(
    pupils: Any,
    schools: Any,
    stops: Any,
    fleet: Any,
    *,
    table: TransportSettings | dict[str, Any] | None = None,
    provider: TravelProvider | None = None,
) -> tuple[TransportProblem, RoutingParams]:
    """The problem (straight-line drive times) and solver settings from frames + settings.

    ``table`` is the config file's ``[transport]`` table or its
    :class:`~optimise.settings.TransportSettings`: the policy, the ``no_share`` (pupils)
    and ``never_share`` (schools that may never share a vehicle) id pairs and
    ``[transport.routing]``.
    """
    from geodata.providers import StraightLine

    settings = TransportSettings.from_table(table)
    road = provider or StraightLine()
    problem = TransportProblem.from_geodata(
        pupils, schools, stops, fleet, road, policy=settings.policy
    )
    if settings.no_share:
        at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
        try:
            idx = tuple((at[a], at[b]) for a, b in settings.no_share)
        except KeyError:
            raise InputError(
                "[transport] no_share: expected pairs of known pupil ids, e.g. "
                '[["P00001", "P00002"]]'
            ) from None
        problem = problem.replace(no_share=idx)
    if settings.never_share:
        at = {sid: i for i, sid in enumerate(problem.school_ids)}
        try:
            pairs_idx = tuple((at[a], at[b]) for a, b in settings.never_share)
        except KeyError:
            apart = [list(p) for p in settings.never_share]
            raise InputError(
                "[transport] never_share: expected pairs of known school ids, e.g. "
                f'[["S01", "S07"]], found {apart!r}'[:200]
            ) from None
        problem = problem.replace(never_share=pairs_idx)
    return problem, settings.routing


def day_totals(problem: TransportProblem, am: TransportResult, pm: TransportResult) -> dict:
    """The day's cost and vehicles when one vehicle may run both the morning and the
    afternoon: per fleet row, an afternoon vehicle pays no day rate up to the number
    of that row's vehicles the morning used (assistants are paid again: a cautious
    assumption, as their hours may not span the day)."""
    units: dict[tuple[bool, int], set[str]] = {}
    for res in (am, pm):
        for r in res.routes:
            units.setdefault((res is pm, r.vehicle), set()).add(r.unit)
    shared, vehicles = 0.0, 0
    for v, vt in enumerate(problem.vehicles):
        a, b = len(units.get((False, v), ())), len(units.get((True, v), ()))
        shared += min(a, b) * vt.day_rate
        vehicles += max(a, b)
    daily = am.daily_cost + pm.daily_cost - shared
    return {
        "total_daily_cost_gbp": round(daily, 2),
        "total_annual_cost_gbp": round(daily * am.school_days, 2),
        "total_vehicles": vehicles,
    }


def policy_summary(problem: TransportProblem) -> dict[str, Any]:
    """The policy figures a run's report draws against (its own, not the defaults)."""
    policy = problem.policy
    return {
        "ride_limits_min": {
            "primary": policy.max_ride_primary_min,
            "secondary": policy.max_ride_secondary_min,
        },
        "school_days": policy.school_days,
        "costing": costing(problem),
    }


def costing(problem: TransportProblem) -> str:
    """How routes are priced: from operator bases (deadhead counted), or for contracts
    with no base in the fleet file, day rate + loaded miles from the first pick-up."""
    from models.transport import NO_BASE

    loose = sorted({v.id for v in problem.vehicles if problem.locations[v.base] == NO_BASE})
    if not loose:
        return "day rate + miles from and to the operator's base"
    if len(loose) == len({v.id for v in problem.vehicles}):
        return "day rate + loaded miles (no operator bases in the fleet file)"
    return (f"day rate + miles from the operator's base; {', '.join(loose)}: no base, so day "
            "rate + loaded miles")  # fmt: skip


def read_frames(
    files: dict[str, Path | None],
    columns: Callable[[str], dict[str, str]],
    reading: ReadSettings | None = None,
):
    """The input frames by kind: each given file read and checked, the default data for
    the rest (shared by the transport commands). What the reader noted of a file
    (:attr:`geodata.validate.Layer.notes`) is in its frame's ``attrs["read"]``."""
    from geodata.default import DEFAULT_SEED, load_default
    from geodata.read import read

    data = load_default(DEFAULT_SEED) if not all(files.values()) else None
    out = {}
    for kind, path in files.items():
        if path is not None:
            out[kind] = read(path, kind, columns=columns(kind) or None, settings=reading).frame
        else:
            out[kind] = getattr(data, kind)
    if "pupils" in out and "schools" in out:  # across files: each pupil's school exists
        from geodata.references import check_references

        check_references(out["pupils"], "school_id", (str(i) for i in out["schools"]["id"]),
                         source=str(files.get("pupils") or "pupils (default data)"),
                         expected="the id of a school in the schools file",
                         hint="check the schools file or the pupil's school_id")  # fmt: skip
    return out


#: Seconds of a command's --time-limit kept for writing its outputs and report.
WRITE_RESERVE_S = 1.5
#: The least a solve is given, however little of the limit is left.
MIN_SOLVE_S = 0.5


def beyond_limit(problem: TransportProblem, result: TransportResult) -> list[dict[str, Any]]:
    """The pupils carried although their direct ride is over their limit: school, the
    direct ride and the limit (no pupil id: the summary is shared)."""
    return [{"school": problem.school_ids[problem.pupil_school[f["pupil"]]],
             "direct_ride_minutes": round(f["direct_ride_s"] / 60, 1),
             "limit_minutes": round(f["limit_s"] / 60, 1)}
            for f in result.details.get("ride_limit_exceeded_unavoidably", ())]  # fmt: skip


def input_notes(frames: dict[str, Any]) -> dict[str, Any]:
    """What the readers noted per input kind (locations from postcodes, ages from dates
    of birth, columns no field uses); kinds with nothing to say are left out."""
    return {k: dict(f.attrs["read"]) for k, f in frames.items() if f.attrs.get("read")}


def solve_seconds(time_limit: float, started: float) -> float:
    """What is left of ``time_limit`` (counted from ``started``, a
    :func:`time.perf_counter` value) for solving, after the write reserve."""
    left = time_limit - (time.perf_counter() - started) - WRITE_RESERVE_S
    return max(MIN_SOLVE_S, left)


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
    mode_choice: bool = False,
    run: str = "both",
    reading: ReadSettings | None = None,
) -> dict[str, Any]:
    """Plan routes into ``out_dir``; return the summary (also in ``summary.json``).

    ``run`` is ``am`` (the morning run), ``pm`` (the afternoon run) or ``both`` (the
    time limit shared equally). With both, the summary's headline figures are the
    morning's, as before; ``pm`` holds the afternoon's and ``total_*`` the day's
    (:func:`day_totals`). A current plan is compared with the headline run.

    ``mode_choice``: choose SEND pupils' travel modes jointly with the routes
    (:mod:`optimise.transport.modes`); adds ``modes-personal.csv`` and the savings by line.

    ``files`` maps ``pupils``/``schools``/``stops``/``fleet`` to a user's file (read with
    ``columns`` and ``reading``: the config's ``[geocode]``, ``[values]`` and school year);
    a kind left out comes from the embedded default data (its published seed: ``seed`` is the
    search's only, so a new seed never changes the pupils).
    """
    if run not in RUNS:
        raise InputError(f"--run: expected one of {', '.join(RUNS)}, found '{run}'")
    step = step or (lambda _t: None)
    started = time.perf_counter()
    files = {k: (files or {}).get(k) for k in ("pupils", "schools", "stops", "fleet")}
    columns = columns or (lambda _k: {})
    step("reading pupils, schools, stops and fleet")
    frames = read_frames(files, columns, reading)
    step("building the transport problem")
    try:
        problem, routing = build_problem(**frames, table=table, provider=provider)
    except ValidationError as exc:  # name the user's file, not the kind
        named = {k: str(v) for k, v in files.items() if v is not None}
        raise ValidationError(
            [replace(p, file=named.get(p.file, p.file)) for p in exc.problems]
        ) from None
    plan = None if current_plan is None else read_plan(current_plan, columns("current_plan"))
    # --time-limit bounds the command: reading and building came out of it, and the
    # writing and the report keep WRITE_RESERVE_S of it
    share = 0.5 if run == "both" else 1.0
    am_limit, time_limit = time_limit, solve_seconds(time_limit, started) * share
    step(f"planning routes ({time_limit:g} s)")
    full, modes = problem, None
    if run == "pm":
        result = None
    elif mode_choice:
        from optimise.transport.modes_output import run_mode_choice

        modes = run_mode_choice(problem, frames["pupils"], table=table, routing=routing,
                                time_limit=time_limit, seed=seed,
                                source=str(files["pupils"] or "pupils"))  # fmt: skip
        problem, result = modes.problem, modes.routes
    else:
        result = solve(problem, params=routing, time_limit=time_limit, seed=seed)
    am, pm = result, None
    if run in ("pm", "both"):
        step(f"planning the afternoon routes ({time_limit:g} s)")
        pm = solve_pm(problem, params=routing, time_limit=solve_seconds(am_limit, started),
                      seed=seed)  # fmt: skip
    result = am or pm
    summary: dict[str, Any] = {"command": "transport routes", "run": run, "seed": seed,
                               "time_limit_s": am_limit, **result.summary(),
                               **policy_summary(problem)}  # fmt: skip
    if am is not None and pm is not None:
        summary["pm"] = pm.summary()
        summary.update(day_totals(problem, am, pm))
    if plan is not None:
        step("evaluating the current plan")
        current = evaluate(full, plan)
        summary["current_annual_cost_gbp"] = round(current.annual_cost, 2)
        summary["current_daily_cost_gbp"] = round(current.daily_cost, 2)
        summary["current_vehicles"] = current.vehicles
        summary["current_pupils_unserved"] = len(current.unserved)
        summary["current_ride_limit_violations"] = current.ride_limit_violations
        summary["current_violations"] = without_pupil_ids(list(current.violations[:50]), problem)
        other = modes.alternatives_annual_cost if modes is not None else 0.0
        summary["saving_gbp"] = round(current.annual_cost - result.annual_cost - other, 2)
    summary["unserved"] = [  # no pupil id: those are in unserved-personal.csv, if asked
        {"reason": u.reason, "best_ride_minutes": round(u.best_ride_s / 60, 1),
         "limit_minutes": round(u.max_ride_s / 60, 1)}
        for u in result.unserved
    ]  # fmt: skip
    summary["travel_times"] = problem.drive.source
    summary["method"] = result.method
    summary["inputs"] = input_notes(frames)
    summary["carried_beyond_limit"] = beyond_limit(problem, result)
    if modes is not None:
        summary["mode_choice"] = modes.summary()
        summary["savings_by_line_gbp"] = modes.savings_by_line_gbp
    files = ["routes.csv", "unserved.csv", "routes.gpkg"]
    files += [*PERSONAL_FILES] if include_personal_data else []
    files += ["modes-personal.csv"] if modes is not None else []
    summary["files"] = ["summary.json", *files]
    summary["personal_data"] = [f for f in files if "-personal" in f]
    step(f"writing {', '.join(files)}")
    with Staging(out_dir, owns=TRANSPORT_OUTPUTS) as stage:
        write_day(stage.path, problem, frames, am, pm, include_personal_data)
        if modes is not None:
            from optimise.transport.modes_output import decisions_table

            write_csv(stage.path / "modes-personal.csv", decisions_table(full, modes))
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
    summary = {"command": "transport routes", **result.summary(), **policy_summary(problem)}
    with Staging(out_dir, owns=TRANSPORT_OUTPUTS) as stage:
        write_day(stage.path, problem, frames, result, None)
        write_json(stage.path / "summary.json", summary)
    return summary
