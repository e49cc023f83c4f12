"""Solve the opening-hours problem: which slots each centre opens, within the budget.

>>> result = solve(problem, demand=calibration.model, params=HoursParams(),
...                time_limit=60, seed=2026)                    # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import highspy
import numpy as np

from geodata.timefmt import DAY_NAMES
from models.hours_result import HoursResult
from optimise.hours.bound import class_bound
from optimise.hours.demand import DemandModel, evaluate, travel_minutes
from optimise.hours.greedy import _runs, greedy_plan
from optimise.hours.milp import MilpModel, build
from optimise.hours.patterns import pattern_plan, plan_value
from optimise.hours.regular_start import regular_start
from optimise.hours.rules import OpeningRules

if TYPE_CHECKING:
    from models.hours import HoursProblem
    from optimise.hours.params import HoursParams

__all__ = [
    "Hints",
    "allowed_slots",
    "centre_floor",
    "keeps_rules",
    "opening_rules",
    "planning_inputs",
    "solve",
    "zone_floor",
]

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
    return np.all(grouped, axis=-1) if how == "all" else grouped.sum(axis=-1)


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


def centre_floor(
    problem: HoursProblem, params: HoursParams, allowed: np.ndarray, block_hours: float
) -> tuple[np.ndarray, np.ndarray]:
    """The access floor: (allowed without the centres that may not open, hours a week each
    centre must open). ValueError naming the centres when the budget cannot meet it."""
    n_c = len(problem.centre_ids)
    need = np.zeros(n_c)
    if not params.keep_open:
        return allowed, need
    ids = list(problem.centre_ids)
    for key in ("allow_close", "candidates"):
        unknown = [c for c in getattr(params, key) if c not in ids]
        if unknown:
            raise ValueError(f"{key}: no centre with id '{unknown[0]}' (centres: {', '.join(ids)})")
    today = problem.current.any(axis=(1, 2))
    if not today.any():  # nothing open today: a new network, every centre a candidate
        return allowed, need
    named = np.array([c in params.candidates for c in ids])
    closable = np.array([c in params.allow_close for c in ids])
    allowed = allowed & (today | named)[:, None, None]
    must = today & ~closable
    floor = max(params.min_hours_open, block_hours) if params.min_hours_open > 0 else 0.0
    need[must] = floor
    label = [f"{problem.centre_name[c] or ids[c]} ({ids[c]})" for c in range(n_c)]
    blocked = [label[c] for c in np.flatnonzero(must) if not allowed[c].any()]
    if blocked and floor > 0:
        raise ValueError(
            f"infeasible access floor: {', '.join(blocked)} must stay open but cannot open "
            "in any slot with demand on the open days; name them in allow_close"
        )
    if floor > params.max_centre_hours:
        raise ValueError(
            f"infeasible access floor: min_hours_open ({floor:g} h with blocks of "
            f"{block_hours:g} h) exceeds max_centre_hours ({params.max_centre_hours:g})"
        )
    total = float(need.sum()) * params.staff_per_slot
    if total > params.budget_hours + 1e-9:
        names = ", ".join(label[c] for c in np.flatnonzero(must))
        raise ValueError(
            f"infeasible access floor: keeping {int(must.sum())} centres open {floor:g} h a "
            f"week each needs {total:g} staff-hours, above the budget of "
            f"{params.budget_hours:g} ({names}); raise the budget, lower min_hours_open or "
            "name centres in allow_close"
        )
    return allowed, need


def zone_floor(problem: HoursProblem, params: HoursParams, allowed: np.ndarray) -> list[list[int]]:
    """Distinct sets of centres within ``max_travel_min`` of a zone with one open today
    (the zone floor; empty when ``min_days`` is 0 or ``keep_open`` is off)."""
    if not params.keep_open or params.min_days <= 0:
        return []
    near = travel_minutes(problem) <= params.max_travel_min
    today = np.any(problem.current, axis=(1, 2))
    sets: dict[tuple[int, ...], list[int]] = {}
    for z in np.flatnonzero((near & today[None, :]).any(axis=1)):
        members = tuple(int(c) for c in np.flatnonzero(near[z] & allowed.any(axis=(1, 2))))
        sets.setdefault(members, []).append(int(z))
    bad = []
    for members, zones in sets.items():
        days = allowed[list(members)].any(axis=(0, 2)).sum() if members else 0
        if days < params.min_days:
            bad.append(problem.zone_ids[zones[0]] + (f" and {len(zones) - 1} more"
                                                    if len(zones) > 1 else ""))  # fmt: skip
    if bad:
        raise ValueError(
            f"infeasible zone floor: zones {'; '.join(bad[:5])} cannot have a centre within "
            f"{params.max_travel_min:g} min open on {params.min_days} days a week"
        )
    return [list(m) for m in sets]


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


@dataclass(frozen=True, eq=False)
class Hints:
    """What earlier solves (another budget's, or the same budget without a rule) give
    this one.

    Attributes
    ----------
    plans
        Plans (centres × 7 × slots) that HiGHS may start from if one keeps every rule
        here and is the best start found; with ``regular`` they also seed the regular
        start.
    bound
        An upper bound on the objective known from a relaxation of these rules (the
        same budget without a rule): a start within ``mip_gap`` of it is proven
        optimal without HiGHS, and a time-limited solve reports its gap against the
        tighter of it and HiGHS's bound. None: no such bound.
    only
        Centres (a bool mask) the search may open; the others stay closed. A smaller
        search for a start (see :mod:`optimise.hours.sweep`): its proof holds over
        those centres only. None: every centre.
    """

    plans: tuple[np.ndarray, ...] = ()
    bound: float | None = None
    only: np.ndarray | None = None


class _Proof(NamedTuple):
    """What a solve found for its plan: objective, upper bound, relative gap, whether
    proven within ``mip_gap``, and the status text."""

    objective: float
    bound: float
    gap: float
    optimal: bool
    status: str


def opening_rules(
    problem: HoursProblem, params: HoursParams, allowed: np.ndarray, only: np.ndarray | None
) -> tuple[OpeningRules, np.ndarray]:
    """The rules of ``params`` in planning steps, and ``allowed`` without the centres the
    access floor closes and those not in ``only`` (a bool mask; None: every centre).
    ValueError when no plan can satisfy the rules."""
    block_slots = _check(params, allowed, params.step_minutes)
    slot_hours = params.step_minutes / 60
    allowed, centre_min = centre_floor(problem, params, allowed, block_slots * slot_hours)
    if only is not None:
        allowed = allowed & np.asarray(only, dtype=bool)[:, None, None]
    zone_sets = zone_floor(problem, params, allowed)
    rules = OpeningRules(
        slot_hours=slot_hours,
        block_slots=block_slots,
        staff=params.staff_per_slot,
        budget=params.budget_hours,
        min_hours=params.min_centre_hours,
        max_hours=params.max_centre_hours,
        cover_days=tuple(params.cover_day_list()),
        centre_min=centre_min,
        regular=params.regular,
        max_patterns=params.max_patterns,
        zone_sets=tuple(tuple(m) for m in zone_sets),
        min_days=params.min_days,
    )
    return rules, allowed


def solve(
    problem: HoursProblem,
    *,
    demand: DemandModel,
    params: HoursParams,
    time_limit: float | None = None,
    seed: int = 2026,
    patterns: bool = True,
    hints: Hints | None = None,
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
    hints
        Start plans, a bound and the centres to search, from earlier solves
        (:class:`Hints`); None: none.

    Returns
    -------
    HoursResult

    Raises
    ------
    ValueError
        When the rules admit no plan (budget too small, a day with no host open).
    """
    started = time.perf_counter()
    hints = Hints() if hints is None else hints
    k = _step(problem, params)
    profile, allowed, worth = planning_inputs(problem, demand, params)
    rules, allowed = opening_rules(problem, params, allowed, hints.only)
    minutes = travel_minutes(problem)
    deadline = None if time_limit is None else started + 0.5 * float(time_limit)
    found = None
    if patterns:  # at most half the time limit, leaving the rest to the MILP fallback
        found = pattern_plan(minutes, worth, profile, allowed, rules, deadline=deadline)
    pattern_bound = np.inf if found is None else found.bound
    if found is not None and found.plan is not None and keeps_rules(found.plan, allowed, rules):
        gap = max(found.bound - found.value, 0.0) / max(abs(found.value), 1e-9)
        if gap <= params.mip_gap:  # proven without the full MILP
            proof = _Proof(found.value, found.bound, gap, True, "Optimal (pattern bound)")
            return _result(problem, demand, params, found.plan, started, proof)
    model = build(minutes, worth, profile, allowed, rules)
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
    starts: list[np.ndarray | None] = [greedy_plan(worth, profile, allowed, rules)]
    if found is not None and found.plan is not None:
        starts.append(found.plan)
    for given in hints.plans:
        starts.append(given.reshape(*given.shape[:2], -1, k).all(axis=3) & allowed)

    def keeps(p: np.ndarray) -> bool:
        return keeps_rules(p, allowed, rules)

    if model.timetables is not None:
        starts += [regular_start(minutes, worth, profile, model.timetables, rules,
                                 like=like, keeps=keeps) for like in starts]  # fmt: skip
    start = _best_start(starts, minutes, worth, profile, keeps)
    relaxed = hints.bound
    if relaxed is not None and keeps(start):  # proven by a relaxation's bound?
        value = float(plan_value(minutes, worth, profile, start))
        gap = max(relaxed - value, 0.0) / max(abs(value), 1e-9)
        if gap <= params.mip_gap:
            proof = _Proof(value, relaxed, gap, True, "Optimal (bound of a relaxation)")
            return _result(problem, demand, params, start, started, proof)
    cols = model.x_cols[allowed].astype(np.int32)
    h.setSolution(len(cols), cols, start[allowed].astype(float))
    if time_limit is not None:  # the limit covers building the model and the start too
        left = float(time_limit) - (time.perf_counter() - started)
        h.setOptionValue("time_limit", max(left, 0.5))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # 2: feasible
        what = "proven infeasible" if status == highspy.HighsModelStatus.kInfeasible else (
            "none found in the time limit")  # fmt: skip
        raise ValueError(
            f"no opening plan satisfies the rules ({what}: {h.modelStatusToString(status)}); "
            "the budget cannot meet the floor, regular timetables and cover days together"
        )
    objective = float(info.objective_function_value)
    bound, gap = float(info.mip_dual_bound), float(info.mip_gap)
    # Stopped before it had a bound (or a gap), HiGHS reports NaN: no bound, and
    # min() below would keep a NaN first argument.
    bound, gap = (np.inf if np.isnan(x) else x for x in (bound, gap))
    optimal = status == highspy.HighsModelStatus.kOptimal
    status_text = h.modelStatusToString(status)
    if not optimal:  # HiGHS stopped early: its bound may be far weaker than the class LP's
        bound = min(bound, pattern_bound, np.inf if relaxed is None else relaxed, class_bound(
            minutes, worth, profile, allowed, slot_hours=rules.slot_hours, staff=rules.staff,
            budget=rules.budget, max_hours=rules.max_hours,
        ))  # fmt: skip
        gap = min(gap, max(bound - objective, 0.0) / max(abs(objective), 1e-9))
        if gap <= params.mip_gap:
            optimal, status_text = True, f"{status_text}; optimal by the class bound"
    values = np.asarray(h.getSolution().col_value)
    steps = np.zeros(allowed.shape, dtype=bool)
    steps[allowed] = values[model.x_cols[allowed]] > 0.5
    proof = _Proof(objective, bound, gap, optimal, status_text)
    return _result(problem, demand, params, steps, started, proof)


def _best_start(starts: list, minutes, worth, profile, keeps) -> np.ndarray:
    """The most valuable start that keeps every rule (the first one when none does)."""
    good = [s for s in starts if s is not None and keeps(s)]
    if not good:
        return starts[0]
    return max(good, key=lambda s: plan_value(minutes, worth, profile, s))


def keeps_rules(plan: np.ndarray, allowed: np.ndarray, rules: OpeningRules) -> bool:
    """Whether a plan (centres × 7 × steps) keeps every rule of the MILP."""
    eps, r = 1e-9, rules
    if (plan & ~allowed).any() or plan.sum() * r.slot_hours * r.staff > r.budget + eps:
        return False
    hours = plan.sum(axis=(1, 2)) * r.slot_hours
    if (hours > r.max_hours + eps).any() or ((hours > 0) & (hours < r.min_hours - eps)).any():
        return False
    if r.centre_min is not None and (hours < np.asarray(r.centre_min) - eps).any():
        return False
    if not all(plan[:, d].any() for d in r.cover_days):
        return False
    for members in r.zone_sets:
        if plan[list(members)].any(axis=(0, 2)).sum() < r.min_days:
            return False
    runs = _runs(plan)
    if r.regular and not is_regular(runs, r.max_patterns):
        return False
    return all(b - a >= r.block_slots for _, _, a, b in runs)


def is_regular(runs: list[tuple[int, int, int, int]], max_patterns: int = 1) -> bool:
    """One block a day per centre, at most ``max_patterns`` distinct blocks a centre."""
    per_day: dict[tuple[int, int], int] = {}
    shapes: dict[int, set[tuple[int, int]]] = {}
    for c, d, a, b in runs:
        per_day[c, d] = per_day.get((c, d), 0) + 1
        shapes.setdefault(c, set()).add((a, b))
    return all(n == 1 for n in per_day.values()) and all(
        len(v) <= max_patterns for v in shapes.values()
    )


def _result(problem, demand, params, steps, started, proof: _Proof) -> HoursResult:
    """The result of a plan in planning steps, in the problem's slots."""
    plan = np.repeat(steps, _step(problem, params), axis=2)
    plan.setflags(write=False)
    hours_used = float(plan.sum() * problem.slot_minutes / 60)
    return HoursResult(
        plan=plan,
        coverage=evaluate(problem, demand, plan),
        current=evaluate(problem, demand, problem.current),
        budget_hours=params.budget_hours,
        hours_used=hours_used,
        staff_hours_used=hours_used * params.staff_per_slot,
        objective=proof.objective,
        bound=proof.bound,
        gap=proof.gap,
        optimal=proof.optimal,
        status=proof.status,
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
