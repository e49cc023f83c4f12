"""``optimise transport plan``: choose pick-up points, route, re-plan a term, write.

Steps: read the four layers (default data for any not given) → build the problem
(drive times from ``provider``, walks pupils × stops along the same network, or the
straight-line walk) → choose stops (:mod:`.plan`) → route (:func:`solve`, or with
``mode_choice`` the part-1 mode choice, :mod:`.with_modes`) → with a previous plan, the
repair candidate and the change report (:mod:`.replan`) → with ``run`` ``pm`` or
``both``, the afternoon on the same stops (:mod:`.day`) → with a current plan, the
savings by line → write, all files published together.

Savings by line, against the current plan (``--current-plan``), each route plan built
with the same solver and time: ``route_mapping`` = current plan − re-routing everyone
from home (better routes alone); ``pick_up_points`` = re-routing from home − routing
at the chosen pick-up points, everyone still on vehicles (the further saving of
consolidation); with ``mode_choice``, ``personal_budgets`` and ``independent_travel``
are the mode choice's own lines on top. The home re-routing is a third solve, so with
a current plan the routing time is split three ways (two without; four with a
previous plan and a change penalty or cap, for the repair candidate; one more with
``run="both"``, for the afternoon; with ``pm`` or ``both`` the routing also gets the part
of the stop choice's share it left unused, about 97% of it on the default data - the
morning alone keeps its old split, so its measured figures stand). The savings by line
compare morning runs.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.errors import InputError
from geodata.providers import StraightLine
from geodata.write import Staging, write_csv, write_json
from models._arrays import points
from optimise.jobs import JobContext
from optimise.settings import TransportSettings
from optimise.transport.modes.output import decisions_table
from optimise.transport.output import (
    PERSONAL_FILES,
    TRANSPORT_OUTPUTS,
    without_pupil_ids,
    write_day,
)
from optimise.transport.routing.evaluate import evaluate
from optimise.transport.routing.params import TIME_LIMIT
from optimise.transport.routing.solve import solve
from optimise.transport.run import (
    MIN_SOLVE_S,
    WRITE_RESERVE_S,
    TransportInputs,
    build_problem,
    day_totals,
    input_notes,
    load_inputs,
    policy_summary,
)
from optimise.transport.stops.changes import better_plan, change_line, changes
from optimise.transport.stops.choose import NEW, Stability
from optimise.transport.stops.day import check_run, plan_pm
from optimise.transport.stops.plan import choose_stops, walk_report
from optimise.transport.stops.reach import reach
from optimise.transport.stops.replan import previous_points, repair
from optimise.transport.stops.tables import assignments_table, stops_table
from optimise.transport.stops.with_modes import plan_with_modes

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from geodata.matrix import TravelProvider
    from models.transport import TransportProblem
    from models.transport_result import TransportResult
    from optimise.transport.routing.evaluate import PlanRoute
    from optimise.transport.routing.params import RoutingParams
    from optimise.transport.stops.params import StopParams

__all__ = ["PlanOptions", "PlanRun", "plan_stops", "run_plan", "write_plan"]

FILES = ["summary.json", "stops.csv", "assignments-personal.csv", "routes.csv",
         "unserved.csv", "routes.gpkg"]  # fmt: skip


def _stability(problem, prev, frames, params, max_changes, from_scratch):
    homes = np.column_stack([frames["pupils"].geometry.x, frames["pupils"].geometry.y])
    previous, moved = previous_points(problem, prev, homes)
    if from_scratch or (params.change_penalty_gbp <= 0 and max_changes is None):
        return previous, moved, None
    if max_changes is not None:
        allowed = reach(problem)
        keepable = np.isin(np.arange(problem.num_pupils)[previous >= 0],
                           allowed.pupil[allowed.stop == previous[allowed.pupil]])  # fmt: skip
        forced = int((~keepable).sum()) + int((previous < -2).sum())
        if max_changes < forced:
            raise InputError(
                f"--max-changes {max_changes}: at least {forced} continuing pupils must change "
                "pick-up point (their old stop is gone, unsafe, over its cap or out of reach); "
                f"expected a cap of {forced} or more"
            )
    return previous, moved, Stability(previous, params.change_penalty_gbp, max_changes)


@dataclass(frozen=True)
class PlanOptions:
    """``--run`` (``am``, the default, ``pm`` or ``both``), ``--mode-choice``,
    ``--include-personal-data``, ``--max-changes`` (None: no cap) and ``--from-scratch``
    (last term's plan compared with, never kept)."""

    run: str = "am"
    mode_choice: bool = False
    include_personal_data: bool = False
    max_changes: int | None = None
    from_scratch: bool = False

    def __post_init__(self) -> None:
        if self.max_changes is not None and self.max_changes < 0:
            raise InputError(f"--max-changes: expected 0 or more, found {self.max_changes}")


@dataclass(frozen=True)
class Replan:
    """Last term's plan against this term's: the changes (``found``), the candidates'
    report, the positions last term and the stability rule (None: not enforced)."""

    prev: Any  # last term's assignments (a frame)
    previous: np.ndarray
    moved: Any
    found: dict[str, Any]
    report: dict[str, Any]
    stability: Stability | None


@dataclass(frozen=True)
class PlanRun:
    """One ``transport plan`` job's results; :meth:`summary` is ``summary.json``'s
    content. ``problem`` is the one built (with walks), ``planned`` the same with the
    chosen stops; ``lines`` the savings by line and ``current`` the current plan's
    evaluation, when one was given."""

    inputs: TransportInputs
    options: PlanOptions
    params: StopParams
    problem: TransportProblem
    planned: TransportProblem
    assign: np.ndarray
    details: dict[str, Any]
    am: TransportResult | None
    pm: TransportResult | None
    modes: Any  # ModeResult | None
    replan: Replan | None
    lines: dict[str, Any]
    current: Any  # (evaluation, home re-routing) | None
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
        """The files :func:`write_plan` writes (summary.json first)."""
        files = FILES + (["modes-personal.csv"] if self.modes is not None else [])
        return files + (list(PERSONAL_FILES) if self.options.include_personal_data else [])

    def summary(self) -> dict[str, Any]:
        """``summary.json``: the one place its keys are spelled."""
        problem, result, options = self.problem, self.result, self.options
        summary: dict[str, Any] = {"command": "transport plan", "run": options.run,
                                   "seed": self.seed, "time_limit_s": self.time_limit,
                                   **result.summary(), **walk_report(problem, self.assign),
                                   "stop_choice": self.details,
                                   **policy_summary(problem)}  # fmt: skip
        if self.replan is not None:
            summary.update(self.replan.found)
            summary["change_penalty_gbp"] = self.params.change_penalty_gbp
            summary["max_changes"] = options.max_changes
            summary["replanning"] = self.replan.report
            summary["pupils_new_this_term"] = int((self.replan.previous == NEW).sum())
        if self.am is not None and self.pm is not None:
            summary["pm"] = self.pm.summary()
            summary.update(day_totals(problem, self.am, self.pm))
            if self.replan is not None:  # each pupil once: stop, either vehicle changed
                summary.update(changes(problem, self.replan.prev, self.assign, self.am, self.pm))
        if self.replan is not None:
            # The cap binds the stop choice exactly; a vehicle change on top (a kept route
            # that no longer fits) can still exceed it: said here, never hidden.
            cap = options.max_changes
            summary["max_changes_met"] = cap is None or summary["pupils_changed"] <= cap
        if self.modes is not None:
            summary["mode_choice"] = self.modes.summary()
            summary["pupils_on_alternatives"] = sum(d.round != 0 for d in self.modes.decisions)
        if self.current is not None:
            summary.update(self._against_current())
        return {**summary, **self._tail()}

    def _against_current(self) -> dict[str, Any]:
        current, home = self.current
        other = self.modes.alternatives_annual_cost if self.modes is not None else 0.0
        return {
            "current_annual_cost_gbp": round(current.annual_cost, 2),
            "current_violations": without_pupil_ids(list(current.violations[:50]), self.problem),
            "home_pickup_annual_cost_gbp": round(home.annual_cost, 2),
            "saving_gbp": round(current.annual_cost - self.result.annual_cost - other, 2),
        }

    def _tail(self) -> dict[str, Any]:
        problem, result = self.problem, self.result
        unserved = [{"reason": u.reason, "best_ride_minutes": round(u.best_ride_s / 60, 1),
                     "limit_minutes": round(u.max_ride_s / 60, 1)}
                    for u in result.unserved]  # fmt: skip
        return {
            "savings_by_line_gbp": self.lines,
            "unserved": unserved,
            "travel_times": problem.drive.source,
            "walk_times": problem.walk.source if problem.walk is not None else "",
            "inputs": input_notes(self.inputs.frames),
            "method": result.method,
            "files": self.files(),
            "personal_data": [f for f in self.files() if "-personal" in f],
            "elapsed_s": self.elapsed_s,
        }


def plan_stops(
    inputs: TransportInputs,
    settings: TransportSettings,
    job: JobContext,
    options: PlanOptions | None = None,
) -> PlanRun:
    """Choose pick-up points and route; with a previous plan (``inputs.previous``), the
    repair candidate and the change report; with a current plan, the savings by line.

    ``job.time_limit`` (default :data:`~optimise.transport.routing.params.TIME_LIMIT`) bounds the
    whole command from ``job.deadline`` back (see the module docstring for its split)."""
    options = options or PlanOptions()
    check_run(options.run, {"--current-plan": inputs.current_plan is not None,
                            "--previous-plan": inputs.previous is not None,
                            "--mode-choice": options.mode_choice})  # fmt: skip
    limit = job.time_limit or TIME_LIMIT
    ends = job.deadline if job.deadline is not None else time.monotonic() + limit
    job.step("building the transport problem and the walks to stops")
    problem, routing = _walk_problem(inputs, settings, job.provider)
    replan = None
    if inputs.previous is not None:
        replan = _replan(problem, inputs, settings.stops, options)
    stability = replan.stability if replan is not None else None
    runs = 1 + (stability is not None) + (inputs.current_plan is not None)
    runs += options.run == "both"
    budget = _left(ends)  # reading and building came out of it
    assign, details, t_route = _choose(problem, settings.stops, job, stability,
                                       (budget, runs, options))  # fmt: skip
    planned = problem.replace(pupil_stop=assign)
    solving = _Solving(routing, t_route, job.seed)
    job.step(f"planning routes ({t_route:g} s)")
    result, modes = _route(planned, inputs, settings, solving, options)
    if replan is not None:
        result, modes, replan = _compare(problem, assign, replan, (result, modes), solving)
    am, pm = (None, result) if options.run == "pm" else (result, None)
    if options.run == "both":
        job.step(f"planning the afternoon routes on the same stops ({t_route:g} s)")
        pm = plan_pm(planned, modes, routing=routing, time_limit=t_route, seed=job.seed)
    lines: dict[str, Any] = {"pick_up_points": None, "route_mapping": None,
                             "personal_budgets": None, "independent_travel": None}  # fmt: skip
    if modes is not None:
        lines.update(modes.savings_by_line_gbp)
    current = None
    if inputs.current_plan is not None:
        job.step("evaluating the current plan and re-routing from home")
        current = _current(problem, inputs.current_plan, (result, modes), solving, lines)
    elapsed = round(time.monotonic() - (ends - limit), 2)
    return PlanRun(inputs, options, settings.stops, problem, planned, assign, details, am, pm,
                   modes, replan, lines, current, job.seed, limit, elapsed)  # fmt: skip


@dataclass(frozen=True)
class _Solving:
    """What every routing solve of a plan job takes."""

    routing: RoutingParams
    seconds: float
    seed: int


def _walk_problem(
    inputs: TransportInputs, settings: TransportSettings, provider: TravelProvider | None
) -> tuple[TransportProblem, RoutingParams]:
    """The problem with its walks pupils × stops (along ``provider``, else straight)."""
    frames = inputs.frames
    problem, routing = build_problem(**frames, table=settings, provider=provider)
    if len(problem.stop_ids):
        walk = (provider or StraightLine()).matrix(
            points(frames["pupils"], "pupils"), points(frames["stops"], "stops"), mode="walk"
        )
        problem = problem.replace(walk=walk)
    return problem, routing


def _replan(
    problem: TransportProblem, inputs: TransportInputs, params: StopParams, options: PlanOptions
) -> Replan:
    """Last term's positions and the stability rule (the report comes with the routes)."""
    previous, moved, stability = _stability(problem, inputs.previous, inputs.frames, params,
                                            options.max_changes, options.from_scratch)  # fmt: skip
    return Replan(inputs.previous, previous, moved, {}, {}, stability)


def _choose(
    problem: TransportProblem,
    params: StopParams,
    job: JobContext,
    stability: Stability | None,
    budget_runs: tuple[float, int, PlanOptions],
) -> tuple[np.ndarray, dict[str, Any], float]:
    """The pick-up points (``assign``, the stop choice's ``details``) and each routing
    solve's seconds: the stop choice's share of the budget, the rest split by runs
    (with ``pm`` or ``both``, plus what the stop choice left unused)."""
    budget, runs, options = budget_runs
    t_choose = budget * params.choose_share
    t_route = (budget - t_choose) / runs
    job.step(f"choosing pick-up points ({params.method}, {t_choose:g} s)")
    choosing = time.perf_counter()
    if problem.walk is not None:
        try:
            assign, details = choose_stops(problem, params, time_limit=t_choose, seed=job.seed,
                                           stability=stability)  # fmt: skip
        except ValueError as exc:  # a --max-changes cap, or no solution found in time
            why = (f"--max-changes {options.max_changes}: {exc}; allow more changes"
                   if options.max_changes is not None else
                   f"choosing pick-up points ({t_choose:g} s): {exc}; allow more time "
                   "(--time-limit)")  # fmt: skip
            raise InputError(why) from None
    else:
        assign, details = np.full(problem.num_pupils, -1, dtype=np.int64), {"method": "none"}
    if options.run != "am":  # the time the stop choice left (the morning alone keeps its split)
        t_route = (budget - min(t_choose, time.perf_counter() - choosing)) / runs
    return assign, details, t_route


def _route(
    planned: TransportProblem,
    inputs: TransportInputs,
    settings: TransportSettings,
    solving: _Solving,
    options: PlanOptions,
) -> tuple[TransportResult, Any]:
    """The headline routes on the chosen stops (and the mode choice, when asked)."""
    kw: dict[str, Any] = {"routing": solving.routing, "time_limit": solving.seconds,
                          "seed": solving.seed}  # fmt: skip
    if options.run == "pm":
        return plan_pm(planned, None, **kw), None
    if options.mode_choice:
        return plan_with_modes(planned, inputs.frames["pupils"], table=settings,
                               source=inputs.source("pupils"), **kw)  # fmt: skip
    return solve(planned, params=solving.routing, time_limit=solving.seconds,
                 seed=solving.seed), None  # fmt: skip


def _compare(
    problem: TransportProblem,
    assign: np.ndarray,
    replan: Replan,
    routed: tuple[TransportResult, Any],
    solving: _Solving,
) -> tuple[TransportResult, Any, Replan]:
    """Last term's changes; with a stability rule, the repair candidate (last term's
    routes kept where they fit) chosen when it is the better plan."""
    result, modes = routed
    other = modes.alternatives_annual_cost if modes is not None else 0.0
    found = changes(problem, replan.prev, assign, result)
    report = {"chosen": "from scratch", "from_scratch": change_line(result, found)}
    if replan.stability is not None:
        planned = problem.replace(pupil_stop=assign)
        fixed = repair(planned, replan.prev, replan.previous, replan.moved,
                       routing=solving.routing, time_limit=solving.seconds,
                       seed=solving.seed)  # fmt: skip
        fixed_changes = changes(problem, replan.prev, assign, fixed)
        report["repair"] = change_line(fixed, fixed_changes)
        if better_plan((fixed, 0.0, fixed_changes), (result, other, found), replan.stability):
            result, found, report["chosen"] = fixed, fixed_changes, "repair"
            modes = None  # last term's routes carry everyone
    return result, modes, dataclasses.replace(replan, found=found, report=report)


def _current(
    problem: TransportProblem,
    plan: tuple[PlanRoute, ...],
    routed: tuple[TransportResult, Any],
    solving: _Solving,
    lines: dict[str, Any],
) -> tuple[Any, TransportResult]:
    """The current plan's evaluation and everyone re-routed from home; fills the
    savings by line of route mapping and pick-up points into ``lines``."""
    result, modes = routed
    current = evaluate(problem, plan)
    home = solve(problem, params=solving.routing, time_limit=solving.seconds,
                 seed=solving.seed)  # fmt: skip
    lines["route_mapping"] = round(current.annual_cost - home.annual_cost, 2)
    routed_cost = (modes.baseline if modes is not None else result).annual_cost
    lines["pick_up_points"] = round(home.annual_cost - routed_cost, 2)
    return current, home


def _left(ends: float) -> float:
    """Seconds to the deadline ``ends`` (a :func:`time.monotonic` value) for solving,
    after the write reserve; at least :data:`MIN_SOLVE_S`."""
    return max(MIN_SOLVE_S, ends - time.monotonic() - WRITE_RESERVE_S)


def write_plan(run: PlanRun, out_dir: str | Path) -> dict[str, Any]:
    """Write ``run``'s files into ``out_dir`` (staged, published together); return the
    summary written."""
    summary = run.summary()
    planned, assign, frames, am, pm = run.planned, run.assign, run.inputs.frames, run.am, run.pm
    personal = run.options.include_personal_data
    with Staging(out_dir, owns=TRANSPORT_OUTPUTS) as stage:
        write_csv(stage.path / "stops.csv", stops_table(planned, assign, am, frames, pm))
        mode_of = {d.pupil: d.chosen for d in run.modes.decisions} if run.modes else {}
        table = assignments_table(planned, assign, am, frames, personal, mode_of, pm)
        write_csv(stage.path / "assignments-personal.csv", table)
        if run.modes is not None:
            write_csv(stage.path / "modes-personal.csv", decisions_table(planned, run.modes))
        write_day(stage.path, planned, frames, am, pm, personal)
        write_json(stage.path / "summary.json", summary)
    return summary


def run_plan(
    out_dir: str | Path,
    *,
    files: dict[str, Path | None] | None = None,
    columns: Callable[[str], dict[str, str]] | None = None,
    table: TransportSettings | dict[str, Any] | None = None,
    frames: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Read, :func:`plan_stops` and :func:`write_plan` in one call (the web app's worker,
    the batch workers and the benchmarks use it); return the summary.

    ``frames`` (pupils, schools, stops, fleet, already read) bypasses ``files``, as a
    batch's workers do. ``options``: ``reading``, ``current_plan`` and ``previous_plan``
    (files), ``change_penalty`` (over ``[transport.stops]``), ``time_limit``, ``seed``,
    ``step``, ``provider`` (the :class:`~optimise.jobs.JobContext`) and ``run``,
    ``mode_choice``, ``include_personal_data``, ``max_changes``, ``from_scratch`` (the
    :class:`PlanOptions`)."""
    started = time.monotonic()
    step = options.pop("step", None) or JobContext().step
    limit = options.pop("time_limit", None) or 120.0
    job = JobContext(seed=options.pop("seed", 2026), time_limit=limit, deadline=started + limit,
                     provider=options.pop("provider", None), step=step)  # fmt: skip
    settings = with_change_penalty(table, options.pop("change_penalty", None))
    reading = options.pop("reading", None)
    plan_file, previous = options.pop("current_plan", None), options.pop("previous_plan", None)
    opts = PlanOptions(**options)
    check_run(opts.run, {"--current-plan": plan_file, "--previous-plan": previous,
                         "--mode-choice": opts.mode_choice})  # fmt: skip
    step("reading pupils, schools, stops and fleet")
    inputs = load_inputs(files, columns, reading, plan_file, previous, frames)
    run = plan_stops(inputs, settings, job, opts)
    step("writing stops.csv, assignments-personal.csv, routes.csv and routes.gpkg")
    return write_plan(run, out_dir)


def with_change_penalty(table: Any, penalty: float | None) -> TransportSettings:
    """The table's settings, with ``--change-penalty`` (when given) over its
    ``[transport.stops] change_penalty_gbp``."""
    settings = TransportSettings.from_table(table)
    if penalty is None:
        return settings
    if penalty < 0:
        raise InputError(f"--change-penalty: expected £0 or more, found {penalty}")
    stops = dataclasses.replace(settings.stops, change_penalty_gbp=penalty)
    return dataclasses.replace(settings, stops=stops)
