"""The plan of a finished transport run, as the editor works on it.

:func:`load` rebuilds the run's problem from its stored settings (its files, columns
and policy, or the embedded data), as the run built it, and reads its morning plan
from the run folder's record of who rides which route: a pick-up point plan's
``assignments-personal.csv`` (always written; then each pupil's pick-up point and the
walk matrix are set too), else ``routes-personal.csv`` (a routes run made with
personal data on). A run with neither cannot be edited (:data:`NEEDS`). The web
process keeps the last few loaded (a rebuild takes seconds). :func:`replay` applies
the stored edits in order (:mod:`optimise.transport.routing.edits`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.errors import InputError
from geodata.providers import StraightLine
from models._arrays import points
from optimise.transport.routing.edits import (
    EditedPlan,
    close_stop,
    from_assignments,
    from_routes_rows,
    lock,
    move,
    move_to_stop,
    unlock,
)
from optimise.transport.run import build_problem, read_frames

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from models.transport import TransportProblem
    from optimise.transport.routing.params import RoutingParams

__all__ = ["ACTIONS", "ASSIGNMENTS", "NEEDS", "Loaded", "load", "replay"]

ASSIGNMENTS = "assignments-personal.csv"
ROUTES = "routes-personal.csv"
#: Why a run cannot be edited: it kept no record of who rides which route.
NEEDS = ("this run kept no record of who rides which route: editing needs a pick-up point "
         "plan, or a routes run made with personal data on (optimise serve "
         "--include-personal-data)")  # fmt: skip
#: The stored edits' actions.
ACTIONS = ("lock", "unlock", "move", "stop", "close")


@dataclass(frozen=True)
class Loaded:
    """A run's rebuilt problem, its input frames and routing settings, and its plan."""

    problem: TransportProblem
    frames: dict[str, Any]
    routing: RoutingParams
    plan: EditedPlan
    stops: bool  # a pick-up point plan (pupils may be picked up at stops)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def plan_file(folder: Path) -> Path | None:
    """The run folder's record of who rides which route, if it kept one."""
    for name in (ASSIGNMENTS, ROUTES):
        if (folder / name).is_file():
            return folder / name
    return None


def load(folder: Path, settings: Mapping[str, Any]) -> Loaded:
    """The run in ``folder`` (made with ``settings``) rebuilt; InputError (:data:`NEEDS`)
    when it kept no record of who rides which route."""
    return _load(str(folder), json.dumps(settings, sort_keys=True))


@lru_cache(maxsize=3)
def _load(folder_text: str, settings_text: str) -> Loaded:
    folder, settings = Path(folder_text), json.loads(settings_text)
    source = plan_file(folder)
    if source is None:
        raise InputError(NEEDS)
    files = {k: (Path(v) if v else None) for k, v in (settings.get("files") or {}).items()}
    columns = settings.get("columns") or {}
    frames = read_frames(files, lambda kind: dict(columns.get(kind) or {}))
    problem, routing = build_problem(**frames, table=settings.get("table") or {})
    rows = _rows(source)
    if source.name == ROUTES:
        return Loaded(problem, frames, routing, from_routes_rows(rows), False)

    if len(problem.stop_ids):
        walk = StraightLine().matrix(points(frames["pupils"], "pupils"),
                                     points(frames["stops"], "stops"), mode="walk")  # fmt: skip
        problem = problem.replace(walk=walk)
    stop_at = {sid: i for i, sid in enumerate(problem.stop_ids)}
    pickup = {r["pupil_id"]: stop_at.get(r.get("pickup") or "home", -1) for r in rows}
    assign = np.array([pickup.get(pid, -1) for pid in problem.pupil_ids], dtype=np.int64)
    assign.setflags(write=False)
    problem = problem.replace(pupil_stop=assign)
    return Loaded(problem, frames, routing, from_assignments(rows), True)


def apply(problem: TransportProblem, plan: EditedPlan, edit: Mapping[str, str]) -> EditedPlan:
    """``plan`` with one edit (action, target, value) made; InputError when it cannot be."""
    action, target, value = edit["action"], edit["target"], edit.get("value", "")
    if action == "lock":
        return lock(plan, target)
    if action == "unlock":
        return unlock(plan, target)
    if action == "move":
        return move(problem, plan, target, value)
    if action == "stop":
        return move_to_stop(problem, plan, target, value)
    if action == "close":
        return close_stop(problem, plan, target)
    raise InputError(f"edit: expected one of {', '.join(ACTIONS)}, found {action[:20]!r}")


def replay(problem: TransportProblem, plan: EditedPlan, edits: Iterable[Mapping[str, str]]):
    """``plan`` with the stored ``edits`` made in order."""
    for edit in edits:
        plan = apply(problem, plan, edit)
    return plan
