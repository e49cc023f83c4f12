"""``optimise transport eligibility``: read → walk matrix → rules → write.

Outputs, published together (:class:`geodata.write.Staging`):

* ``eligibility-personal.csv``: one row per pupil (id, school, age, status, the rule
  that settled it, walking distance to the nearest suitable school in miles and metres,
  that school, distance to the school attended, the limit, and the reason to read to a
  parent). Pupil ids make it personal data: keep it inside the transport team. It never
  holds a home's coordinates;
* ``summary.json``: counts (eligible by rule, not eligible by reason), no pupil ids.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.providers import StraightLine
from geodata.references import check_references
from geodata.write import Staging, write_csv, write_json
from models._arrays import column, frozen, index_of, points
from models.transport import METRES_PER_MILE, TransportPolicy
from optimise.jobs import JobContext
from optimise.settings import TransportSettings
from optimise.transport.eligibility.assess import (
    EligibilityParams,
    EligibilityProblem,
    EligibilityResult,
    assess,
)
from optimise.transport.pupil_flags import flag
from optimise.transport.run import TransportInputs, input_notes, read_frames

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from geodata.matrix import TravelProvider
    from geodata.read.derived import ReadSettings

__all__ = [
    "EligibilityRun",
    "assess_eligibility",
    "build_eligibility",
    "eligibility_table",
    "read_settings",
    "run_eligibility",
    "write_eligibility",
]


def read_settings(
    table: TransportSettings | dict[str, Any] | None,
) -> tuple[TransportPolicy, EligibilityParams]:
    """The policy (``[transport]``) and the rules' settings (``[transport.eligibility]``)."""
    settings = TransportSettings.from_table(table)
    return settings.policy, settings.eligibility


def build_eligibility(
    pupils: Any,
    schools: Any,
    provider: TravelProvider | None = None,
    *,
    source: str = "pupils",
) -> EligibilityProblem:
    """The problem from validated pupils and schools (EPSG:27700) and a walk provider.

    ``source`` names the pupils file in errors (a school id no school has; bad cells in
    the optional columns are reported when the file is read).
    """
    school_ids = tuple(str(i) for i in schools["id"])
    check_references(pupils, "school_id", school_ids, source=source,
                     expected="the id of a school in the schools file",
                     hint="check the schools file or the pupil's school_id")  # fmt: skip
    walk = (provider or StraightLine()).matrix(
        points(pupils, "pupils"), points(schools, "schools"), mode="walk"
    )
    attended = index_of(school_ids, pupils["school_id"], "school_id")
    phase = column(schools, "phase", "primary", object)
    sen = column(pupils, "sen", False, bool)
    names = column(schools, "name", "", object)
    return EligibilityProblem(
        pupil_ids=tuple(str(i) for i in pupils["id"]),
        pupil_age=column(pupils, "age", 10, np.int64),
        pupil_school=attended,
        pupil_low_income=column(pupils, "low_income", False, bool),
        pupil_unable_to_walk=flag(pupils, "unable_to_walk", sen, source),
        pupil_special=flag(pupils, "special_school", phase[attended] == "special", source),
        school_ids=school_ids,
        school_names=tuple(str(n) or i for n, i in zip(names, school_ids, strict=True)),
        school_phase=frozen(phase, object),
        walk=walk,
    )


def eligibility_table(problem: EligibilityProblem, result: EligibilityResult) -> pd.DataFrame:
    """One row per pupil: status, rule, distances, nearest suitable school, reason."""
    known = result.nearest_m >= 0
    return pd.DataFrame(
        {
            "pupil_id": problem.pupil_ids,
            "school_id": [problem.school_ids[s] for s in problem.pupil_school],
            "age": problem.pupil_age,
            "status": np.where(result.eligible, "eligible", "not eligible"),
            "rule": result.rule,
            "distance_miles": np.where(
                known, np.round(result.nearest_m / METRES_PER_MILE, 2), np.nan
            ),
            "distance_m": np.where(known, result.nearest_m, np.nan),
            "nearest_school_id": [problem.school_ids[s] for s in result.nearest],
            "attends_nearest": result.nearest == problem.pupil_school,
            "school_distance_m": np.where(result.school_m >= 0, result.school_m, np.nan),
            "limit_miles": np.round(result.limit_m / METRES_PER_MILE, 2),
            "reason": result.reason,
        }
    )


@dataclass(frozen=True)
class EligibilityRun:
    """One eligibility job's results; :meth:`summary` is ``summary.json``'s content."""

    inputs: TransportInputs
    problem: EligibilityProblem
    result: EligibilityResult
    elapsed_s: float

    def summary(self) -> dict[str, Any]:
        """``summary.json``: the one place its keys are spelled."""
        return {
            "command": "transport eligibility",
            **self.result.summary(),
            "walking_distances": self.problem.walk.source,
            "inputs": input_notes(self.inputs.frames),
            "files": ["summary.json", "eligibility-personal.csv"],
            "personal_data": ["eligibility-personal.csv"],
            "elapsed_s": self.elapsed_s,
        }


def assess_eligibility(
    inputs: TransportInputs, settings: TransportSettings, job: JobContext
) -> EligibilityRun:
    """Every pupil's eligibility by the policy and ``[transport.eligibility]``; walking
    distances from ``job.provider`` (a network from ``--network``), straight line × 1.2
    when None."""
    started = time.monotonic() if job.started is None else job.started
    job.step("measuring walking distances to schools")
    source = str(inputs.files.get("pupils") or "pupils (default data)")
    frames = inputs.frames
    problem = build_eligibility(frames["pupils"], frames["schools"], job.provider, source=source)
    job.step("applying the eligibility rules")
    result = assess(problem, params=settings.eligibility, policy=settings.policy)
    return EligibilityRun(inputs, problem, result, round(time.monotonic() - started, 2))


def write_eligibility(run: EligibilityRun, out_dir: str | Path) -> dict[str, Any]:
    """Write ``run``'s files into ``out_dir`` (staged, published together); return the
    summary written."""
    summary = run.summary()
    with Staging(out_dir, owns=("eligibility-personal.csv",)) as stage:
        table = eligibility_table(run.problem, run.result)
        write_csv(stage.path / "eligibility-personal.csv", table)
        write_json(stage.path / "summary.json", summary)
    return summary


def run_eligibility(
    out_dir: str | Path,
    *,
    files: dict[str, Path | None] | None = None,
    columns: Callable[[str], dict[str, str]] | None = None,
    table: TransportSettings | dict[str, Any] | None = None,
    provider: TravelProvider | None = None,
    step: Callable[[str], None] | None = None,
    reading: ReadSettings | None = None,
) -> dict[str, Any]:
    """Read, :func:`assess_eligibility` and :func:`write_eligibility` in one call; return
    the summary. A kind ``files`` leaves out comes from the embedded default data."""
    settings = TransportSettings.from_table(table)
    job = JobContext(provider=provider, step=step or JobContext().step, started=time.monotonic())
    job.step("reading pupils and schools")
    files = {k: (files or {}).get(k) for k in ("pupils", "schools")}
    frames = read_frames(files, columns or (lambda _k: {}), reading)
    run = assess_eligibility(TransportInputs(frames, files), settings, job)
    job.step("writing eligibility-personal.csv")
    return write_eligibility(run, out_dir)
