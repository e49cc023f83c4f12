"""'Re-plan around my changes': a run process's job on an edited plan.

:func:`run_replan` rebuilds the parent run (:func:`optimise.app.edit_plan.load`),
makes the edits the job carries (a snapshot taken when the button was pressed), keeps
the locked routes exactly and plans the rest
(:func:`optimise.transport.routing.edits.replan_around`, the morning run), then writes a run
folder with the writers of a transport run (``routes.csv``, ``unserved.csv``,
``routes.gpkg``, ``summary.json``; the personal files with personal data on; a pick-up
point plan's ``assignments-personal.csv`` always, as ``transport plan`` writes it).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from geodata.write import Staging, write_csv, write_json
from optimise.app.edit_plan import ASSIGNMENTS, load, replay
from optimise.transport.output import TRANSPORT_OUTPUTS, without_pupil_ids, write_day
from optimise.transport.routing.edits import problem_for, replan_around
from optimise.transport.run import beyond_limit, policy_summary, solve_seconds
from optimise.transport.stops.tables import assignments_table

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["run_replan"]


def run_replan(
    out_dir: Path,
    parent_dir: Path,
    job: dict[str, Any],
    step: Callable[[str], None],
) -> dict[str, Any]:
    """Re-plan the parent run's edited plan into ``out_dir``; the summary."""
    started = time.perf_counter()
    step("rebuilding the plan and its edits")
    loaded = load(parent_dir, job["parent_settings"])
    plan = replay(loaded.problem, loaded.plan, job["edits"])
    locked = sorted(plan.locked)
    limit = solve_seconds(float(job["time_limit"]), started)
    step(f"re-planning around {len(locked)} locked route(s) ({limit:g} s)")
    result = replan_around(loaded.problem, plan, locked, params=loaded.routing,
                           time_limit=limit, seed=int(job["seed"]))  # fmt: skip
    problem = problem_for(loaded.problem, plan)
    personal = bool(job.get("personal"))
    files = ["routes.csv", "unserved.csv", "routes.gpkg"]
    files += ["routes-personal.csv", "unserved-personal.csv", "routes-personal.gpkg"] * personal
    files += [ASSIGNMENTS] * loaded.stops
    summary: dict[str, Any] = {
        "command": "transport replan", "run": "am", "seed": int(job["seed"]),
        "time_limit_s": float(job["time_limit"]), **result.summary(),
        **policy_summary(problem), "parent_run": job["parent"], "locked_routes": locked,
        "edits": len(job["edits"]), "closed_stops": sorted(plan.closed),
        "violations_found": without_pupil_ids(list(result.violations[:50]), problem),
        "unserved": [{"reason": u.reason, "best_ride_minutes": round(u.best_ride_s / 60, 1),
                      "limit_minutes": round(u.max_ride_s / 60, 1)} for u in result.unserved],
        "travel_times": problem.drive.source, "method": result.method,
        "carried_beyond_limit": beyond_limit(problem, result),
        "files": ["summary.json", *files], "personal_data": [f for f in files if "-personal" in f],
    }  # fmt: skip
    step(f"writing {', '.join(files)}")
    with Staging(out_dir, owns=TRANSPORT_OUTPUTS) as stage:
        write_day(stage.path, problem, loaded.frames, result, None, personal)
        if loaded.stops and problem.pupil_stop is not None:
            table = assignments_table(problem, problem.pupil_stop, result, loaded.frames,
                                      include_homes=personal)  # fmt: skip
            write_csv(stage.path / ASSIGNMENTS, table)
        summary["elapsed_s"] = round(time.perf_counter() - started, 2)
        write_json(stage.path / "summary.json", summary)
    return summary
