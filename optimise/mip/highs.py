"""Pass a sparse MIP straight to HiGHS (built from numpy arrays, not one row at a time)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
from scipy.sparse import csc_matrix

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MipSolution", "solve_mip"]


@dataclass(frozen=True, eq=False)
class MipSolution:
    status: str  # optimal | feasible | infeasible | no solution
    x: np.ndarray
    objective: float
    bound: float
    gap: float
    seconds: float


def verdict_of(h: highspy.Highs) -> tuple[str, bool]:
    """HiGHS's model status as optimal / infeasible / feasible / no solution, and whether
    a primal solution exists (shared by every HiGHS caller)."""
    has = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    status, m = h.getModelStatus(), highspy.HighsModelStatus
    if status == m.kOptimal:
        return "optimal", has
    if status in (m.kInfeasible, m.kUnboundedOrInfeasible):
        return "infeasible", has
    return ("feasible" if has else "no solution"), has


def solve_mip(
    c: np.ndarray,
    a: csc_matrix,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    integer: np.ndarray,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    gap_rel: float = 1e-9,
    gap_abs: float = 1e-6,
    start: np.ndarray | None = None,
    presolve: bool = True,
    on_incumbent: Callable[[np.ndarray, float], None] | None = None,
) -> MipSolution:
    """Minimise ``c @ x`` s.t. ``row_lo <= a @ x <= row_hi``, bounds, integrality;
    ``start`` is a feasible point to begin from (a MIP start); ``presolve=False`` skips
    HiGHS's presolve; ``on_incumbent(x, objective)`` is called with each better
    solution HiGHS finds (in the model's own columns)."""
    began = time.perf_counter()
    inf = highspy.kHighsInf
    a = csc_matrix(a)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.col_lower_ = np.asarray(col_lo, dtype=float)
    lp.col_upper_ = np.where(np.isinf(col_hi), inf, col_hi).astype(float)
    lp.row_lower_ = np.where(np.isinf(row_lo), -inf, row_lo).astype(float)
    lp.row_upper_ = np.where(np.isinf(row_hi), inf, row_hi).astype(float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    is_mip = bool(np.any(integer))
    if is_mip:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
            for f in integer
        ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", int(seed) % 2_147_483_647)
    h.setOptionValue("mip_rel_gap", gap_rel)
    h.setOptionValue("mip_abs_gap", gap_abs)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if not presolve:
        h.setOptionValue("presolve", "off")
    h.passModel(lp)
    if on_incumbent is not None:
        h.cbMipImprovingSolution.subscribe(
            lambda event: on_incumbent(
                np.asarray(event.data_out.mip_solution, dtype=float),
                float(event.data_out.objective_function_value),
            )
        )
    if start is not None:
        given = highspy.HighsSolution()
        given.col_value = np.asarray(start, dtype=float)
        given.value_valid = True
        h.setSolution(given)
    h.run()
    verdict, has = verdict_of(h)
    info = h.getInfo()
    solution = h.getSolution()
    x = np.asarray(solution.col_value) if has else np.zeros(a.shape[1])
    obj = float(info.objective_function_value) if has else math.nan
    bound = float(info.mip_dual_bound) if is_mip else obj
    gap = float(info.mip_gap) if is_mip and has else (0.0 if verdict == "optimal" else math.nan)
    return MipSolution(verdict, x, obj, bound, gap, time.perf_counter() - began)
