"""Solve the opening-hours problem: which slots each centre opens, within the budget.

>>> result = solve(problem, demand=calibration.model, params=HoursParams(),
...                time_limit=60, seed=2026)                    # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import highspy
import numpy as np

from models.hours_result import HoursResult
from optimise.hours.bound import class_bound
from optimise.hours.demand import DemandModel, evaluate, travel_minutes
from optimise.hours.greedy import _runs, greedy_plan
from optimise.hours.milp import MilpModel, build
from optimise.hours.patterns import pattern_plan, plan_value

if TYPE_CHECKING:
    from models.hours import HoursProblem
    from optimise.hours.params import HoursParams

__all__ = ["allowed_slots", "keeps_rules", "planning_inputs", "solve"]

log = logging.getLogger(__name__)


def allowed_slots(
    problem: HoursProblem, params: HoursParams, profile: np.ndarray | None = None
) -> np.ndarray:
    """Centres × 7 × slots where a centre may open: host available, on an open day,
    and (given a profile) when someone wants to come."""
    days = np.zeros(7, dtype=bool)
    days[params.open_day_list()] = True
    out = problem.available & days[None, :, None]
    if profile is not None:
        out &= np.asarray(profile)[None, :, :] > 0
    return out


def _step(problem: HoursProblem, params: HoursParams) -> int:
    """Problem slots per planning step (opening and closing times fall on steps)."""
    k = params.step_minutes / problem.slot_minutes
    if abs(k - round(k)) > 1e-9 or k < 1 or problem.slots_per_day % round(k):
        raise ValueError(
            f"step_minutes ({params.step_minutes}) must be a multiple of the problem's "
            f"{problem.slot_minutes}-minute slots that divides its day"
        )
    return round(k)


def _coarse(values: np.ndarray, k: int, how: str) -> np.ndarray:
    shape = (*values.shape[:-1], values.shape[-1] // k, k)
    grouped = values.reshape(shape)
    return grouped.all(axis=-1) if how == "all" else grouped.sum(axis=-1)


def _check(params: HoursParams, allowed: np.ndarray, step_minutes: float) -> int:
    """Steps in the shortest block; ValueError when no plan can satisfy the rules."""
    block = params.min_block_hours * 60 / step_minutes
    if abs(block - round(block)) > 1e-9:
        raise ValueError(
            f"min_block_hours ({params.min_block_hours}) must be a whole number of "
            f"{step_minutes:g}-minute steps"
        )
    block_slots = max(1, round(block))
    slot_hours = step_minutes / 60
    from geodata.timefmt import DAY_NAMES

    for d in params.cover_day_list():
        if not allowed[:, d].any():
            raise ValueError(
                f"no centre can open on {DAY_NAMES[d]}: no host building is available "
                "then, or the profile puts no demand on that day"
            )
    need = len(params.cover_day_list()) * block_slots * slot_hours * params.staff_per_slot
    if need > params.budget_hours + 1e-9:
        raise ValueError(
            f"a budget of {params.budget_hours:g} staff-hours cannot open one centre for "
            f"a {params.min_block_hours:g}-hour block on each of {params.cover_days} "
            f"(needs {need:g})"
        )
    return block_slots


def planning_inputs(
    problem: HoursProblem, demand: DemandModel, params: HoursParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the MILP sees, in planning steps: profile (7 × steps), allowed (centres ×
    7 × steps) and worth (zones × centres, over-65-weighted visits a year)."""
    k = _step(problem, params)
    profile = _coarse(demand.profile, k, "sum")
    allowed = _coarse(allowed_slots(problem, params, demand.profile), k, "all") & (profile > 0)
    young_v, old_v = demand.values(problem)
    young_w, old_w = demand.weights(problem)
    worth = young_w[:, None] * young_v + params.over65_weight * old_w[:, None] * old_v
    return profile, allowed, worth


def solve(
    problem: HoursProblem,
    *,
    demand: DemandModel,
    params: HoursParams,
    time_limit: float | None = None,
    seed: int = 2026,
    patterns: bool = True,
) -> HoursResult:
    """Choose the open slots that maximise over-65-weighted expected visits.

    Parameters
    ----------
    problem
        Centres, their availability, today's pattern, zones and travel times.
    demand
        The calibrated demand model (see :func:`optimise.hours.calibrate`).
    params
        Budget, blocks, hours per centre, days, over-65 weight.
    time_limit
        Seconds the whole solve may use (HiGHS gets what building the model and the
        greedy start leave, at least half a second); None for no limit. On timeout
        the best plan found is returned with ``optimal=False``.
    seed
        HiGHS's random seed; the same inputs and seed give the same plan.
    patterns
        First try opening patterns (:mod:`optimise.hours.patterns`): when every slot
        with demand is alike, a plan proven within ``mip_gap`` without the full MILP.
        False: always the full MILP (the tests compare the two).

    Returns
    -------
    HoursResult

    Raises
    ------
    ValueError
        When the rules admit no plan (budget too small, a day with no host open).
    """
    started = time.perf_counter()
    k = _step(problem, params)
    profile, allowed, worth = planning_inputs(problem, demand, params)
    block_slots = _check(params, allowed, params.step_minutes)
    slot_hours = params.step_minutes / 60
    minutes = travel_minutes(problem)
    rules = {"slot_hours": slot_hours, "block_slots": block_slots,
             "staff": params.staff_per_slot, "budget": params.budget_hours,
             "min_hours": params.min_centre_hours, "max_hours": params.max_centre_hours,
             "cover_days": params.cover_day_list()}  # fmt: skip
    deadline = None if time_limit is None else started + 0.5 * float(time_limit)
    found = None
    if patterns:  # at most half the time limit, leaving the rest to the MILP fallback
        found = pattern_plan(minutes, worth, profile, allowed, deadline=deadline, **rules)
    pattern_bound = np.inf if found is None else found.bound
    if found is not None and found.plan is not None and keeps_rules(found.plan, allowed, **rules):
        gap = max(found.bound - found.value, 0.0) / max(abs(found.value), 1e-9)
        if gap <= params.mip_gap:  # proven without the full MILP
            return _result(problem, demand, params, found.plan, k, started, found.value,
                           found.bound, gap, True, "Optimal (pattern bound)")  # fmt: skip
    model = build(minutes, worth, profile, allowed, **rules)
    log.debug("hours MILP: %d columns, %d rows", len(model.cost), len(model.row_lower))
    h = highspy.Highs()
    for key, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", int(seed) % 2_147_483_647),
        ("mip_rel_gap", params.mip_gap),
    ):
        h.setOptionValue(key, value)
    _pass(h, model)
    start = greedy_plan(
        worth, profile, allowed, block_slots=block_slots, slot_hours=slot_hours,
        staff=params.staff_per_slot, budget=params.budget_hours,
        max_hours=params.max_centre_hours, cover_days=params.cover_day_list(),
    )  # fmt: skip
    usable = found is not None and found.plan is not None
    if (
        usable
        and keeps_rules(found.plan, allowed, **rules)
        and found.value > plan_value(minutes, worth, profile, start)
    ):
        start = found.plan
    cols = model.x_cols[allowed].astype(np.int32)
    h.setSolution(len(cols), cols, start[allowed].astype(float))
    if time_limit is not None:  # the limit covers building the model and the start too
        left = float(time_limit) - (time.perf_counter() - started)
        h.setOptionValue("time_limit", max(left, 0.5))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # 2: feasible
        raise ValueError(f"no opening plan satisfies the rules ({h.modelStatusToString(status)})")
    objective = float(info.objective_function_value)
    bound, gap = float(info.mip_dual_bound), float(info.mip_gap)
    optimal = status == highspy.HighsModelStatus.kOptimal
    status_text = h.modelStatusToString(status)
    if not optimal:  # HiGHS stopped early: its bound may be far weaker than the class LP's
        bound = min(bound, pattern_bound, class_bound(
            minutes, worth, profile, allowed, slot_hours=slot_hours,
            staff=params.staff_per_slot, budget=params.budget_hours,
            max_hours=params.max_centre_hours,
        ))  # fmt: skip
        gap = min(gap, max(bound - objective, 0.0) / max(abs(objective), 1e-9))
        if gap <= params.mip_gap:
            optimal, status_text = True, f"{status_text}; optimal by the class bound"
    values = np.asarray(h.getSolution().col_value)
    steps = np.zeros(allowed.shape, dtype=bool)
    steps[allowed] = values[model.x_cols[allowed]] > 0.5
    return _result(problem, demand, params, steps, k, started, objective, bound, gap, optimal,
                   status_text)  # fmt: skip


def keeps_rules(
    plan: np.ndarray, allowed: np.ndarray, *, slot_hours: float, block_slots: int,
    staff: float, budget: float, min_hours: float, max_hours: float, cover_days: list[int],
) -> bool:  # fmt: skip
    """Whether a plan (centres × 7 × steps) keeps every rule of the MILP."""
    eps = 1e-9
    if (plan & ~allowed).any() or plan.sum() * slot_hours * staff > budget + eps:
        return False
    hours = plan.sum(axis=(1, 2)) * slot_hours
    if (hours > max_hours + eps).any() or ((hours > 0) & (hours < min_hours - eps)).any():
        return False
    if not all(plan[:, d].any() for d in cover_days):
        return False
    return all(b - a >= block_slots for _, _, a, b in _runs(plan))


def _result(problem, demand, params, steps, k, started, objective, bound, gap, optimal, status):
    plan = np.repeat(steps, k, axis=2)
    plan.setflags(write=False)
    hours_used = float(plan.sum() * problem.slot_minutes / 60)
    return HoursResult(
        plan=plan,
        coverage=evaluate(problem, demand, plan),
        current=evaluate(problem, demand, problem.current),
        budget_hours=params.budget_hours,
        hours_used=hours_used,
        staff_hours_used=hours_used * params.staff_per_slot,
        objective=objective,
        bound=bound,
        gap=gap,
        optimal=optimal,
        status=status,
        runtime_s=time.perf_counter() - started,
    )


def _pass(h: highspy.Highs, m: MilpModel) -> None:
    n = len(m.cost)
    h.addVars(n, m.col_lower, m.col_upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), m.cost)
    ints = np.flatnonzero(m.integer).astype(np.int32)
    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), highspy.HighsVarType.kInteger))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRows(
        len(m.row_lower), m.row_lower, m.row_upper, len(m.index), m.starts[:-1], m.index, m.value
    )
