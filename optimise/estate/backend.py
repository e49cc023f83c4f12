"""Run a PuLP model on HiGHS (CBC when HiGHS is missing) and read the solver's verdict."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import pulp

from optimise.mip.highs import verdict_of

__all__ = ["Outcome", "run"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """``status`` is ``optimal``, ``feasible`` (stopped with a solution), ``infeasible``
    or ``no solution``; ``gap`` is relative (``nan`` when the solver does not say)."""

    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    solver: str

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")


def run(
    model: pulp.LpProblem,
    *,
    time_limit: float | None,
    seed: int,
    gap_rel: float = 1e-6,
    gap_abs: float | None = None,
) -> Outcome:
    """Solve ``model`` in place; variable values are read with ``v.value()``."""
    start = time.perf_counter()
    if pulp.HiGHS().available():
        return _highs(model, time_limit, seed, gap_rel, gap_abs, start)
    log.warning("HiGHS is not available: solving with CBC")
    return _cbc(model, time_limit, seed, gap_rel, gap_abs, start)


def _highs(model, time_limit, seed, gap_rel, gap_abs, start) -> Outcome:

    solver = pulp.HiGHS(
        msg=False,
        timeLimit=time_limit,
        gapRel=gap_rel,
        gapAbs=gap_abs,
        random_seed=int(seed) % 2_147_483_647,
    )
    model.solve(solver)
    h = model.solverModel
    verdict, has = verdict_of(h)
    info = h.getInfo()
    objective = float(info.objective_function_value) if has else math.nan
    is_mip = any(v.cat == pulp.LpInteger for v in model.variables())
    bound = float(info.mip_dual_bound) if is_mip else objective
    gap = 0.0 if verdict == "optimal" and not is_mip else float(info.mip_gap) if has else math.nan
    if verdict == "optimal" and is_mip:
        gap = _gap(objective, bound)
    return Outcome(verdict, objective, bound, gap, time.perf_counter() - start, "HiGHS")


def _cbc(model, time_limit, seed, gap_rel, gap_abs, start) -> Outcome:
    solver = pulp.PULP_CBC_CMD(
        msg=False, timeLimit=time_limit, gapRel=gap_rel, gapAbs=gap_abs,
        options=[f"randomSeed {int(seed) % 2_147_483_647}"],
    )  # fmt: skip
    code = model.solve(solver)
    sol = model.sol_status
    if code == pulp.LpStatusOptimal and sol == pulp.LpSolutionOptimal:
        verdict = "optimal"
    elif sol == pulp.LpSolutionIntegerFeasible:
        verdict = "feasible"
    elif code == pulp.LpStatusInfeasible:
        verdict = "infeasible"
    else:
        verdict = "no solution"
    objective = float(pulp.value(model.objective) or 0.0) if verdict != "no solution" else math.nan
    gap = 0.0 if verdict == "optimal" else math.nan
    bound = objective if verdict == "optimal" else math.nan
    return Outcome(verdict, objective, bound, gap, time.perf_counter() - start, "CBC")


def _gap(objective: float, bound: float) -> float:
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.nan
    return abs(objective - bound) / max(abs(objective), 1e-9)
