"""``solve(problem, *, params, time_limit, seed) -> EstateResult`` (STYLE.md practice 2)."""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

import numpy as np

from models.estate_result import EstateResult
from optimise.estate import backend
from optimise.estate.diagnose import explain, precheck
from optimise.estate.figures import figures, nearest_kept
from optimise.estate.model import build
from optimise.estate.params import EstateParams
from optimise.estate.prepare import Prepared, prepare

if TYPE_CHECKING:
    from models.estate import EstateProblem

__all__ = ["solve"]

log = logging.getLogger(__name__)


def solve(
    problem: EstateProblem,
    *,
    params: EstateParams | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    max_disposals: int | None = None,
    prepared: Prepared | None = None,
) -> EstateResult:
    """The plan with the largest annualised saving that meets every target.

    Parameters
    ----------
    problem
        Sites, zones and travel times.
    params
        Limits and targets; the defaults when None.
    time_limit
        Seconds for the solver; the best plan found so far is returned with its gap.
    seed
        Seed of the solver's random choices: same inputs and seed, same plan.
    max_disposals
        Dispose of at most this many sites (used to rank disposals).
    prepared
        Derived arrays of ``(problem, params)``, to reuse across several solves.

    Returns
    -------
    EstateResult
        ``status == "infeasible"`` with ``reasons`` when the targets cannot be met;
        never raises for that.
    """
    params = params or EstateParams()
    prep = prepared or prepare(problem, params)
    reasons = precheck(problem, prep, params)
    if reasons:
        return _infeasible(problem, prep, params, reasons, 0.0, "precheck")
    built = build(problem, prep, params, max_disposals=max_disposals)
    outcome = backend.run(built.model, time_limit=time_limit, seed=seed, gap_rel=params.gap)
    if outcome.status == "infeasible":
        why = explain(problem, prep, params, time_limit=time_limit, seed=seed)
        return _infeasible(problem, prep, params, why, outcome.seconds, outcome.solver)
    if not outcome.has_solution:
        log.warning("no plan found within the time limit")
        return _infeasible(problem, prep, params, [], outcome.seconds, outcome.solver,
                           status="no solution")  # fmt: skip
    keep = np.array([(x.value() or 0.0) < 0.5 for x in built.dispose], dtype=bool)
    gap = 0.0 if outcome.status == "optimal" and not math.isfinite(outcome.gap) else outcome.gap
    return _result(
        problem, prep, params, keep, status=outcome.status, gap=gap,
        objective=outcome.objective, seconds=outcome.seconds, solver=outcome.solver,
    )  # fmt: skip


def _infeasible(problem, prep, params, reasons, seconds, solver, status="infeasible"):
    keep = np.ones(problem.num_sites, dtype=bool)
    return _result(
        problem, prep, params, keep, status=status, gap=math.nan, objective=math.nan,
        seconds=seconds, solver=solver, reasons=tuple(reasons),
    )  # fmt: skip


def _result(problem, prep, params, keep, **fields) -> EstateResult:
    """The result for a keep-set: nearest kept sites, travel minutes and figures."""
    keep.setflags(write=False)
    nearest, minutes = nearest_kept(problem, prep, keep)
    return EstateResult(
        site_ids=problem.site_ids,
        zone_ids=problem.zone_ids,
        services=prep.services,
        keep=keep,
        nearest=nearest,
        minutes=minutes,
        figures=figures(problem, prep, params, keep, minutes),
        **fields,
    )
