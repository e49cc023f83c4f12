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
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.errors import InputError
from geodata.write import Staging, write_csv, write_json
from models._arrays import points
from optimise.transport.evaluate import evaluate, read_plan
from optimise.transport.output import (
    PERSONAL_FILES,
    TRANSPORT_OUTPUTS,
    without_pupil_ids,
    write_day,
)
from optimise.transport.run import (
    build_problem,
    day_totals,
    input_notes,
    policy_summary,
    read_frames,
    solve_seconds,
)
from optimise.transport.solve import solve
from optimise.transport.stops.changes import better_plan, change_line, changes
from optimise.transport.stops.choose import NEW, Stability
from optimise.transport.stops.day import check_run, plan_pm
from optimise.transport.stops.params import StopParams
from optimise.transport.stops.plan import choose_stops, walk_report
from optimise.transport.stops.reach import reach
from optimise.transport.stops.replan import previous_points, read_previous, repair
from optimise.transport.stops.tables import assignments_table, stops_table
from optimise.transport.stops.with_modes import plan_with_modes

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from geodata.matrix import TravelProvider
    from geodata.read.derived import ReadSettings

__all__ = ["run_plan"]

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


def run_plan(
    out_dir: str | Path,
    *,
    files: dict[str, Path | None] | None = None,
    columns: Callable[[str], dict[str, str]] | None = None,
    table: dict[str, Any] | None = None,
    provider: TravelProvider | None = None,
    current_plan: str | Path | None = None,
    previous_plan: str | Path | None = None,
    max_changes: int | None = None,
    change_penalty: float | None = None,
    from_scratch: bool = False,
    time_limit: float = 120.0,
    seed: int = 2026,
    include_personal_data: bool = False,
    mode_choice: bool = False,
    step: Callable[[str], None] | None = None,
    frames: dict[str, Any] | None = None,
    run: str = "am",
    reading: ReadSettings | None = None,
) -> dict[str, Any]:
    """Plan pick-up points and routes into ``out_dir``; return the summary.

    ``frames`` (pupils, schools, stops, fleet, already read) bypasses ``files``, as a
    batch's workers do. ``run``: ``am`` (the morning, as before), ``pm`` or ``both``
    (:mod:`.day`: the afternoon sets pupils down at their morning stop; with both the
    headline stays the morning's, ``pm`` and ``total_*`` as ``transport routes``)."""
    from geodata.providers import StraightLine

    step = step or (lambda _t: None)
    started = time.perf_counter()
    check_run(run, {"--current-plan": current_plan, "--previous-plan": previous_plan,
                    "--mode-choice": mode_choice})  # fmt: skip
    if max_changes is not None and max_changes < 0:
        raise InputError(f"--max-changes: expected 0 or more, found {max_changes}")
    table = dict(table or {})
    params = StopParams.from_dict(dict(table.get("stops", {})), source="[transport.stops]")
    if change_penalty is not None:
        if change_penalty < 0:
            raise InputError(f"--change-penalty: expected £0 or more, found {change_penalty}")
        params = dataclasses.replace(params, change_penalty_gbp=change_penalty)
    files = {k: (files or {}).get(k) for k in ("pupils", "schools", "stops", "fleet")}
    columns = columns or (lambda _k: {})
    step("reading pupils, schools, stops and fleet")
    if frames is None:
        frames = read_frames(files, columns, reading)
    plan_now = None if current_plan is None else read_plan(current_plan, columns("current_plan"))
    prev = read_previous(previous_plan) if previous_plan is not None else None
    step("building the transport problem and the walks to stops")
    problem, routing = build_problem(**frames, table=table, provider=provider)
    walker = provider or StraightLine()
    if len(problem.stop_ids):
        walk = walker.matrix(points(frames["pupils"], "pupils"), points(frames["stops"], "stops"),
                             mode="walk")  # fmt: skip
        problem = problem.replace(walk=walk)
    stability = previous = moved = None
    if prev is not None:
        previous, moved, stability = _stability(
            problem, prev, frames, params, max_changes, from_scratch
        )
    runs = 1 + (stability is not None) + (plan_now is not None) + (run == "both")
    budget = solve_seconds(time_limit, started)  # reading and building came out of it
    t_choose = budget * params.choose_share
    t_route = (budget - t_choose) / runs
    step(f"choosing pick-up points ({params.method}, {t_choose:g} s)")
    choosing = time.perf_counter()
    if problem.walk is not None:
        try:
            assign, details = choose_stops(problem, params, time_limit=t_choose, seed=seed,
                                           stability=stability)  # fmt: skip
        except ValueError as exc:  # a --max-changes cap, or no solution found in time
            why = (f"--max-changes {max_changes}: {exc}; allow more changes"
                   if max_changes is not None else
                   f"choosing pick-up points ({t_choose:g} s): {exc}; allow more time "
                   "(--time-limit)")  # fmt: skip
            raise InputError(why) from None
    else:
        assign, details = np.full(problem.num_pupils, -1, dtype=np.int64), {"method": "none"}
    planned = problem.replace(pupil_stop=assign)
    if run != "am":  # the time the stop choice left (the morning alone keeps its split)
        t_route = (budget - min(t_choose, time.perf_counter() - choosing)) / runs
    step(f"planning routes ({t_route:g} s)")
    modes = None
    if run == "pm":
        result = plan_pm(planned, None, routing=routing, time_limit=t_route, seed=seed)
    elif mode_choice:
        result, modes = plan_with_modes(planned, frames["pupils"], table=table, routing=routing,
                                        time_limit=t_route, seed=seed,
                                        source=str(files["pupils"] or "pupils"))  # fmt: skip
    else:
        result = solve(planned, params=routing, time_limit=t_route, seed=seed)
    other = modes.alternatives_annual_cost if modes is not None else 0.0
    summary: dict[str, Any] = {"command": "transport plan", "run": run, "seed": seed,
                               "time_limit_s": time_limit, **result.summary(),
                               **walk_report(problem, assign), "stop_choice": details,
                               **policy_summary(problem)}  # fmt: skip
    if prev is not None:
        step("comparing with last term's plan")
        found = changes(problem, prev, assign, result)
        report = {"chosen": "from scratch", "from_scratch": change_line(result, found)}
        if stability is not None:
            fixed = repair(planned, prev, previous, moved, routing=routing,
                           time_limit=t_route, seed=seed)  # fmt: skip
            fixed_changes = changes(problem, prev, assign, fixed)
            report["repair"] = change_line(fixed, fixed_changes)
            if better_plan((fixed, 0.0, fixed_changes), (result, other, found), stability):
                result, found, report["chosen"] = fixed, fixed_changes, "repair"
                summary.update(result.summary())
                modes, other = None, 0.0  # last term's routes carry everyone
        summary.update(found)
        summary["change_penalty_gbp"] = params.change_penalty_gbp
        summary["max_changes"] = max_changes
        summary["replanning"] = report
        summary["pupils_new_this_term"] = int((previous == NEW).sum())
    am, pm = (None, result) if run == "pm" else (result, None)
    if run == "both":
        step(f"planning the afternoon routes on the same stops ({t_route:g} s)")
        pm = plan_pm(planned, modes, routing=routing, time_limit=t_route, seed=seed)
        summary["pm"] = pm.summary()
        summary.update(day_totals(problem, am, pm))
        if prev is not None:  # each pupil once: stop, morning or afternoon vehicle changed
            summary.update(changes(problem, prev, assign, am, pm))
    if prev is not None:
        # The cap binds the stop choice exactly; a vehicle change on top (a kept route
        # that no longer fits) can still exceed it: said here, never hidden.
        changed = summary["pupils_changed"]
        summary["max_changes_met"] = max_changes is None or changed <= max_changes
    lines: dict[str, Any] = {"pick_up_points": None, "route_mapping": None,
                             "personal_budgets": None, "independent_travel": None}  # fmt: skip
    if modes is not None:
        lines.update(modes.savings_by_line_gbp)
        summary["mode_choice"] = modes.summary()
        summary["pupils_on_alternatives"] = sum(d.round != 0 for d in modes.decisions)
    if plan_now is not None:
        step("evaluating the current plan and re-routing from home")
        current = evaluate(problem, plan_now)
        home = solve(problem, params=routing, time_limit=t_route, seed=seed)
        lines["route_mapping"] = round(current.annual_cost - home.annual_cost, 2)
        routed = modes.baseline if modes is not None else result  # before any mode moves
        lines["pick_up_points"] = round(home.annual_cost - routed.annual_cost, 2)
        summary["current_annual_cost_gbp"] = round(current.annual_cost, 2)
        summary["current_violations"] = without_pupil_ids(list(current.violations[:50]), problem)
        summary["home_pickup_annual_cost_gbp"] = round(home.annual_cost, 2)
        summary["saving_gbp"] = round(current.annual_cost - result.annual_cost - other, 2)
    summary["savings_by_line_gbp"] = lines
    summary["unserved"] = [{"reason": u.reason, "best_ride_minutes": round(u.best_ride_s / 60, 1),
                            "limit_minutes": round(u.max_ride_s / 60, 1)}
                           for u in result.unserved]  # fmt: skip
    summary["travel_times"] = problem.drive.source
    summary["walk_times"] = problem.walk.source if problem.walk is not None else ""
    summary["inputs"] = input_notes(frames)
    summary["method"] = result.method
    summary["files"] = FILES + (["modes-personal.csv"] if modes is not None else [])
    if include_personal_data:
        summary["files"] += list(PERSONAL_FILES)
    summary["personal_data"] = [f for f in summary["files"] if "-personal" in f]
    step("writing stops.csv, assignments-personal.csv, routes.csv and routes.gpkg")
    with Staging(out_dir, owns=TRANSPORT_OUTPUTS) as stage:
        write_csv(stage.path / "stops.csv", stops_table(planned, assign, am, frames, pm))
        mode_of = {d.pupil: d.chosen for d in modes.decisions} if modes is not None else {}
        personal = assignments_table(planned, assign, am, frames, include_personal_data,
                                     mode_of, pm)  # fmt: skip
        write_csv(stage.path / "assignments-personal.csv", personal)
        if modes is not None:
            from optimise.transport.modes_output import decisions_table

            write_csv(stage.path / "modes-personal.csv", decisions_table(planned, modes))
        write_day(stage.path, planned, frames, am, pm, include_personal_data)
        summary["elapsed_s"] = round(time.perf_counter() - started, 2)
        write_json(stage.path / "summary.json", summary)
    return summary
