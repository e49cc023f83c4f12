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
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from geodata.default import DEFAULT_SEED, load_default
from geodata.errors import InputError, ValidationError
from geodata.providers import StraightLine
from geodata.references import check_references
from geodata.write import Staging, write_csv, write_json
from models.transport import NO_BASE, TransportProblem
from optimise.inputs import read_layer
from optimise.jobs import JobContext
from optimise.settings import TransportSettings
from optimise.transport.modes.output import decisions_table, run_mode_choice
from optimise.transport.output import (
    PERSONAL_FILES,
    TRANSPORT_OUTPUTS,
    without_pupil_ids,
    write_day,
)
from optimise.transport.routing.afternoon import solve_pm
from optimise.transport.routing.evaluate import PlanRoute, evaluate, read_plan
from optimise.transport.routing.params import TIME_LIMIT
from optimise.transport.routing.solve import solve
from optimise.transport.stops.replan import read_previous

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from geodata.matrix import TravelProvider
    from geodata.read.derived import ReadSettings
    from models.transport_result import TransportResult
    from optimise.transport.routing.params import RoutingParams

__all__ = [
    "RUNS",
    "RoutesOptions",
    "RoutesRun",
    "TransportInputs",
    "beyond_limit",
    "build_problem",
    "costing",
    "day_totals",
    "input_notes",
    "load_inputs",
    "plan_routes",
    "policy_summary",
    "read_frames",
    "run_routes",
    "solve_seconds",
    "write_routes",
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
    on_bad_row: str = "error",
) -> dict[str, Any]:
    """The input frames by kind: each given file read and checked
    (:func:`optimise.inputs.read_layer`: bad rows skipped with ``on_bad_row="skip"``),
    the default data for the rest (shared by the transport commands). What the reader
    noted of a file (:attr:`geodata.validate.Layer.notes`, rows skipped) is in its
    frame's ``attrs["read"]``."""
    data = load_default(DEFAULT_SEED) if not all(files.values()) else None
    out = {}
    for kind, path in files.items():
        if path is not None:
            out[kind] = read_layer(path, kind, columns(kind), on_bad_row, reading)
        else:
            out[kind] = getattr(data, kind)
    if "pupils" in out and "schools" in out:  # across files: each pupil's school exists
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
            for f in result.beyond_limit()]  # fmt: skip


def input_notes(frames: dict[str, Any]) -> dict[str, Any]:
    """What the readers noted per input kind (locations from postcodes, ages from dates
    of birth, columns no field uses); kinds with nothing to say are left out."""
    return {k: dict(f.attrs["read"]) for k, f in frames.items() if f.attrs.get("read")}


def solve_seconds(time_limit: float, started: float) -> float:
    """What is left of ``time_limit`` (counted from ``started``, a
    :func:`time.perf_counter` value) for solving, after the write reserve."""
    left = time_limit - (time.perf_counter() - started) - WRITE_RESERVE_S
    return max(MIN_SOLVE_S, left)


@dataclass(frozen=True)
class TransportInputs:
    """What a transport job reads: the frames by kind (validated; the default data's
    for a kind given no file), the user's file per kind (None: the default data; named
    in messages), the current plan's routes to compare with (None: no comparison) and
    last term's plan to re-plan from (None: none)."""

    frames: dict[str, Any]
    files: dict[str, Path | None] = field(default_factory=dict)
    current_plan: tuple[PlanRoute, ...] | None = None
    previous: Any = None  # last term's assignments (``transport plan --previous-plan``)

    def source(self, kind: str) -> str:
        return str(self.files.get(kind) or kind)


def load_inputs(
    files: dict[str, Path | None] | None,
    columns: Callable[[str], dict[str, str]] | None = None,
    reading: ReadSettings | None = None,
    current_plan: str | Path | None = None,
    previous_plan: str | Path | None = None,
    frames: dict[str, Any] | None = None,
    on_bad_row: str = "error",
) -> TransportInputs:
    """Pupils, schools, stops and fleet (:func:`read_frames`; ``frames`` already read
    bypass the files, as a batch's workers do), the current plan and last term's."""
    files = {k: (files or {}).get(k) for k in ("pupils", "schools", "stops", "fleet")}
    columns = columns or (lambda _k: {})
    if frames is None:
        frames = read_frames(files, columns, reading, on_bad_row)
    plan = None if current_plan is None else read_plan(current_plan, columns("current_plan"))
    previous = None
    if previous_plan is not None:
        previous = read_previous(previous_plan)
    return TransportInputs(frames, files, plan, previous)


@dataclass(frozen=True)
class RoutesOptions:
    """``--run`` (``am``, ``pm`` or ``both``: the time limit shared equally),
    ``--mode-choice`` and ``--include-personal-data``."""

    run: str = "both"
    mode_choice: bool = False
    include_personal_data: bool = False

    def __post_init__(self) -> None:
        if self.run not in RUNS:
            raise InputError(f"--run: expected one of {', '.join(RUNS)}, found '{self.run}'")


@dataclass(frozen=True)
class RoutesRun:
    """One routes job's results; :meth:`summary` is ``summary.json``'s content.

    ``problem`` is the one routed (with mode choice, the pupils left on vehicles),
    ``full`` the one built from the inputs; ``am``/``pm`` the runs planned, ``modes``
    the mode choice and ``current`` the current plan's evaluation, when asked."""

    inputs: TransportInputs
    options: RoutesOptions
    full: TransportProblem
    problem: TransportProblem
    am: TransportResult | None
    pm: TransportResult | None
    modes: Any  # ModeResult | None
    current: Any  # the current plan's evaluation | None
    seed: int
    time_limit: float
    elapsed_s: float

    @property
    def result(self) -> TransportResult:
        """The headline run: the morning's, the afternoon's with ``--run pm``."""
        result = self.am or self.pm
        assert result is not None  # one of the two is always planned
        return result

    def files(self) -> list[str]:
        """The files :func:`write_routes` writes besides summary.json."""
        files = ["routes.csv", "unserved.csv", "routes.gpkg"]
        files += [*PERSONAL_FILES] if self.options.include_personal_data else []
        return files + (["modes-personal.csv"] if self.modes is not None else [])

    def summary(self) -> dict[str, Any]:
        """``summary.json``: the one place its keys are spelled."""
        problem, result = self.problem, self.result
        summary: dict[str, Any] = {"command": "transport routes", "run": self.options.run,
                                   "seed": self.seed, "time_limit_s": self.time_limit,
                                   **result.summary(), **policy_summary(problem)}  # fmt: skip
        if self.am is not None and self.pm is not None:
            summary["pm"] = self.pm.summary()
            summary.update(day_totals(problem, self.am, self.pm))
        if self.current is not None:
            summary.update(self._against_current())
        summary["unserved"] = [  # no pupil id: those are in unserved-personal.csv, if asked
            {"reason": u.reason, "best_ride_minutes": round(u.best_ride_s / 60, 1),
             "limit_minutes": round(u.max_ride_s / 60, 1)}
            for u in result.unserved
        ]  # fmt: skip
        summary["travel_times"] = problem.drive.source
        summary["method"] = result.method
        summary["inputs"] = input_notes(self.inputs.frames)
        summary["carried_beyond_limit"] = beyond_limit(problem, result)
        if self.modes is not None:
            summary["mode_choice"] = self.modes.summary()
            summary["savings_by_line_gbp"] = self.modes.savings_by_line_gbp
        summary["files"] = ["summary.json", *self.files()]
        summary["personal_data"] = [f for f in self.files() if "-personal" in f]
        summary["elapsed_s"] = self.elapsed_s
        return summary

    def _against_current(self) -> dict[str, Any]:
        current, other = self.current, 0.0
        if self.modes is not None:
            other = self.modes.alternatives_annual_cost
        return {
            "current_annual_cost_gbp": round(current.annual_cost, 2),
            "current_daily_cost_gbp": round(current.daily_cost, 2),
            "current_vehicles": current.vehicles,
            "current_pupils_unserved": len(current.unserved),
            "current_ride_limit_violations": current.ride_limit_violations,
            "current_violations": without_pupil_ids(list(current.violations[:50]), self.problem),
            "saving_gbp": round(current.annual_cost - self.result.annual_cost - other, 2),
        }


def plan_routes(
    inputs: TransportInputs,
    settings: TransportSettings,
    job: JobContext,
    options: RoutesOptions | None = None,
) -> RoutesRun:
    """Plan the morning and/or afternoon routes (``options.run``); with
    ``options.mode_choice``, choose SEND pupils' travel modes jointly with the morning's
    (:mod:`optimise.transport.modes.choose`).

    ``job.time_limit`` (default :data:`~optimise.transport.routing.params.TIME_LIMIT`) bounds the
    whole command, from ``job.deadline`` back (reading and building count; writing and
    the report keep :data:`WRITE_RESERVE_S`); with ``both`` the runs share it equally.
    With both, the summary's headline figures are the morning's; ``pm`` holds the
    afternoon's and ``total_*`` the day's (:func:`day_totals`). A current plan is
    compared with the headline run."""
    options = options or RoutesOptions()
    limit = job.time_limit or TIME_LIMIT
    ends = job.deadline if job.deadline is not None else time.monotonic() + limit
    job.step("building the transport problem")
    full, routing = _build(inputs, settings, job.provider)
    share = 0.5 if options.run == "both" else 1.0
    seconds = _left(ends) * share
    job.step(f"planning routes ({seconds:g} s)")
    problem, am, modes = full, None, None
    if options.run != "pm" and options.mode_choice:
        modes = run_mode_choice(full, inputs.frames["pupils"], table=settings, routing=routing,
                                time_limit=seconds, seed=job.seed,
                                source=inputs.source("pupils"))  # fmt: skip
        problem, am = modes.problem, modes.routes
    elif options.run != "pm":
        am = solve(full, params=routing, time_limit=seconds, seed=job.seed)
    pm = None
    if options.run in ("pm", "both"):
        job.step(f"planning the afternoon routes ({seconds:g} s)")
        pm = solve_pm(problem, params=routing, time_limit=_left(ends), seed=job.seed)
    current = None
    if inputs.current_plan is not None:
        job.step("evaluating the current plan")
        current = evaluate(full, inputs.current_plan)
    elapsed = round(time.monotonic() - (ends - limit), 2)
    return RoutesRun(inputs, options, full, problem, am, pm, modes, current, job.seed, limit,
                     elapsed)  # fmt: skip


def _left(ends: float) -> float:
    """Seconds to the deadline ``ends`` (a :func:`time.monotonic` value) for solving,
    after the write reserve; at least :data:`MIN_SOLVE_S`."""
    return max(MIN_SOLVE_S, ends - time.monotonic() - WRITE_RESERVE_S)


def _build(
    inputs: TransportInputs, settings: TransportSettings, provider: TravelProvider | None
) -> tuple[TransportProblem, RoutingParams]:
    """:func:`build_problem`, its errors naming the user's files rather than the kinds."""
    try:
        return build_problem(**inputs.frames, table=settings, provider=provider)
    except ValidationError as exc:
        named = {k: str(v) for k, v in inputs.files.items() if v is not None}
        raise ValidationError(
            [replace(p, file=named.get(p.file, p.file)) for p in exc.problems]
        ) from None


def write_routes(run: RoutesRun, out_dir: str | Path) -> dict[str, Any]:
    """Write ``run``'s files into ``out_dir`` (staged, published together); return the
    summary written."""
    summary = run.summary()
    personal = run.options.include_personal_data
    with Staging(out_dir, owns=TRANSPORT_OUTPUTS) as stage:
        write_day(stage.path, run.problem, run.inputs.frames, run.am, run.pm, personal)
        if run.modes is not None:
            write_csv(stage.path / "modes-personal.csv", decisions_table(run.full, run.modes))
        write_json(stage.path / "summary.json", summary)
    return summary


def run_routes(
    out_dir: str | Path,
    *,
    files: dict[str, Path | None] | None = None,
    columns: Callable[[str], dict[str, str]] | None = None,
    table: TransportSettings | dict[str, Any] | None = None,
    reading: ReadSettings | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Read, :func:`plan_routes` and :func:`write_routes` in one call (the web app's
    worker and the benchmarks use it); return the summary.

    ``options``: ``current_plan`` (a file), ``time_limit``, ``seed``, ``step``,
    ``provider`` (the :class:`~optimise.jobs.JobContext`) and ``run``, ``mode_choice``,
    ``include_personal_data`` (the :class:`RoutesOptions`). A kind ``files`` leaves out
    comes from the embedded default data (its published seed: ``seed`` is the search's
    only, so a new seed never changes the pupils)."""
    started = time.monotonic()
    step = options.pop("step", None) or JobContext().step
    plan_file = options.pop("current_plan", None)
    limit = options.pop("time_limit", None) or 60.0
    job = JobContext(seed=options.pop("seed", 2026), time_limit=limit, deadline=started + limit,
                     provider=options.pop("provider", None), step=step)  # fmt: skip
    opts = RoutesOptions(**options)
    step("reading pupils, schools, stops and fleet")
    inputs = load_inputs(files, columns, reading, plan_file)
    run = plan_routes(inputs, TransportSettings.from_table(table), job, opts)
    step(f"writing {', '.join(run.files())}")
    return write_routes(run, out_dir)
