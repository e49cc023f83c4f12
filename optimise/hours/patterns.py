"""Opening patterns for like slots: a bound by column generation and a plan built from it.

When every slot with demand has the same weight and the same centres allowed (the
uniform profile on buildings open the same hours every day), the MILP's objective
only depends on *how many* slots open each set of centres (a pattern). Relaxing the
blocks, minimum hours and cover days, the counts ``n_S`` satisfy::

    sum_S n_S <= slots,   sum_S |S| n_S * staff * slot_hours <= budget,
    sum_{S containing c} n_S * slot_hours <= max_hours  for each centre c,

so the LP over counts (the configuration LP) bounds the MILP's optimum from above.
It is solved by column generation: the pricing problem is one slot's coverage MILP
(:func:`optimise.hours.milp.build`) with the duals on the centres, and at any
iteration ``master + slots * max(best reduced cost, 0)`` is a valid bound.

A plan: the same counts, integer and each 0 or at least a block, then cut into
pieces of at least a block laid end to end in the runs of like slots of each day (a
small MILP), so every centre opens in runs of at least a block. The plan is checked
against every rule and valued exactly; when it is within ``mip_gap`` of the bound it
is proven optimal without the full MILP.

Regular timetables (``regular``, issue #18): the bound stays the same (it relaxes
regularity too), and the plan is laid out regular in one of two ways, the better kept:
disjoint patterns each on whole days of their own (one binary per pattern, number of
days and daily block), or every centre on the same days with one sequence of patterns
repeated each day (counts a multiple of the number of days). Each centre then opens
one block a day, the same on each of its days (so any ``max_patterns`` holds). A
layout that fails, or is not within ``mip_gap`` of the bound, leaves the decision to
the full MILP, as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from optimise.hours.milp import build
from optimise.hours.rules import OpeningRules

__all__ = ["PatternResult", "pattern_plan", "plan_value"]

_INT = highspy.HighsVarType.kInteger


@dataclass(frozen=True)
class PatternResult:
    bound: float  # upper bound on the MILP's objective (inf when not computed)
    plan: np.ndarray | None  # centres × 7 × steps, feasible, or None
    value: float  # the plan's exact objective (-inf without a plan)


def plan_value(minutes: np.ndarray, worth: np.ndarray, profile: np.ndarray,
               plan: np.ndarray) -> float:  # fmt: skip
    """The MILP's objective for ``plan``: each zone goes to its nearest open centre."""
    n_c = plan.shape[0]
    flat, prof = plan.reshape(n_c, -1), np.asarray(profile).reshape(-1)
    rows = np.arange(minutes.shape[0])
    total = 0.0
    for t in np.flatnonzero(flat.any(axis=0) & (prof > 0)):
        open_ = np.flatnonzero(flat[:, t])
        best = open_[minutes[:, open_].argmin(axis=1)]
        total += prof[t] * float(worth[rows, best].sum())
    return total


def _highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


def _empty_rows(h: highspy.Highs, upper: list[float], lower: list[float] | None = None) -> None:
    none_i, none_v = np.array([], dtype=np.int32), np.array([])
    for k, up in enumerate(upper):
        h.addRow(-np.inf if lower is None else lower[k], up, 0, none_i, none_v)


def pattern_plan(
    minutes: np.ndarray,
    worth: np.ndarray,
    profile: np.ndarray,
    allowed: np.ndarray,
    rules: OpeningRules,
    *,
    max_rounds: int = 500,
    deadline: float | None = None,
) -> PatternResult | None:
    """Bound and plan by opening patterns; None unless all slots with demand are alike.

    ``deadline`` (a ``time.perf_counter()`` value): stop generating patterns then; the
    bound so far is still valid, only weaker. The rules' ``centre_min`` (hours a week
    each centre must open, the access floor) binds the plan; the bound relaxes it, so it
    stays an upper bound. ``regular``: the plan is laid out as regular timetables (see
    :func:`_regular_layout`); the bound relaxes regularity too, so a regular plan
    within ``mip_gap`` of it is proven optimal. The zone floor and ``max_patterns`` are
    not laid out here: the caller checks the plan against every rule.
    """
    weights = np.asarray(profile, dtype=float)
    live = (weights > 0) & allowed.any(axis=0)
    if not live.any():
        return None
    cells = list(zip(*np.nonzero(live), strict=True))
    w0, a0 = weights[cells[0]], allowed[:, cells[0][0], cells[0][1]]
    if any(weights[d, s] != w0 or (allowed[:, d, s] != a0).any() for d, s in cells):
        return None
    centres = np.flatnonzero(a0)
    n_slots, cap = len(cells), rules.max_hours / rules.slot_hours
    hour_cost = rules.staff * rules.slot_hours

    # Pricing: one slot's coverage MILP with the open columns charged the duals.
    one = np.zeros((1, 1))
    one[0, 0] = w0
    one_slot = OpeningRules(slot_hours=1.0, block_slots=1, staff=1.0, budget=float(len(centres)),
                            min_hours=0.0, max_hours=1.0, cover_days=())  # fmt: skip
    model = build(minutes, worth, one, a0[:, None, None], one_slot)
    xcol = model.x_cols[centres, 0, 0].astype(np.int32)
    price = _highs()
    price.setOptionValue("mip_rel_gap", 0.0)
    n = len(model.cost)
    price.addVars(n, model.col_lower, model.col_upper)
    price.changeColsCost(n, np.arange(n, dtype=np.int32), model.cost)
    ints = np.flatnonzero(model.integer).astype(np.int32)
    price.changeColsIntegrality(len(ints), ints, np.full(len(ints), _INT))
    price.changeObjectiveSense(highspy.ObjSense.kMaximize)
    price.addRows(len(model.row_lower), model.row_lower, model.row_upper, len(model.index),
                  model.starts[:-1], model.index, model.value)  # fmt: skip

    def value(S: list[int]) -> float:
        return w0 * float(worth[:, S].max(axis=1).sum()) if S else 0.0

    master = _highs()
    master.changeObjectiveSense(highspy.ObjSense.kMaximize)
    _empty_rows(master, [float(n_slots), rules.budget] + [cap] * len(centres))
    pats: list[list[int]] = []

    def add(S: list[int]) -> None:
        rows = np.array([0, 1] + [2 + int(np.searchsorted(centres, c)) for c in S], np.int32)
        vals = np.array([1.0, len(S) * hour_cost] + [1.0] * len(S))
        master.addCol(value(S), 0.0, np.inf, len(rows), rows, vals)
        pats.append(S)

    for c in centres:
        add([int(c)])
    bound = np.inf
    for _ in range(max_rounds):
        master.run()
        if master.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        lp = float(master.getInfo().objective_function_value)
        dual = np.abs(np.asarray(master.getSolution().row_dual))
        per_slot, per_hour, per_centre = dual[0], dual[1], dual[2:]
        charge = per_hour * hour_cost + per_centre  # on top of a centre's own coverage
        price.changeColsCost(len(xcol), xcol, model.cost[xcol] - charge)
        price.run()
        if price.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        info = price.getInfo()
        # The pricing MILP is solved to a zero gap; use its dual bound to be safe.
        reduced = max(float(info.mip_dual_bound), float(info.objective_function_value))
        reduced -= per_slot
        bound = min(bound, lp + n_slots * max(reduced, 0.0))
        if reduced <= 1e-9 * max(1.0, abs(lp)):
            break
        sol = np.asarray(price.getSolution().col_value)
        S = [int(c) for c, j in zip(centres, xcol, strict=True) if sol[j] > 0.5]
        if S in pats or (deadline is not None and time.perf_counter() > deadline):
            break
        add(S)
    bound += 1e-7 * max(1.0, abs(bound))  # the LP's own tolerance
    plan = _integer_plan(pats, master, allowed, live, centres, rules, deadline=deadline)
    if plan is None:
        return PatternResult(bound, None, -np.inf)
    return PatternResult(bound, plan, plan_value(minutes, worth, profile, plan))


def _seconds_left(deadline: float | None, cap: float = 10.0) -> float:
    if deadline is None:
        return cap
    return min(cap, max(deadline - time.perf_counter(), 0.1))


def _integer_plan(
    pats: list[list[int]],
    master: highspy.Highs,
    allowed: np.ndarray,
    live: np.ndarray,
    centres: np.ndarray,
    rules: OpeningRules,
    *,
    deadline: float | None = None,
) -> np.ndarray | None:
    """Integer counts (0 or at least a block) of the patterns found, then laid out.

    ``live`` marks the like slots (with demand, some centre allowed), ``centres`` the
    centres allowed in them. Each of the two integer steps stops at 10 s or at
    ``deadline``, whichever is first."""
    block_slots, slot_hours = rules.block_slots, rules.slot_hours
    n_slots, cap = int(np.count_nonzero(live)), rules.max_hours / slot_hours
    min_slots = rules.min_hours / slot_hours
    floor = None if rules.centre_min is None else np.asarray(rules.centre_min) / slot_hours
    n_p = len(pats)
    ints = np.arange(n_p, dtype=np.int32)
    master.changeColsIntegrality(n_p, ints, np.full(n_p, _INT))
    for i in range(n_p):  # count 0, or between a block and all the slots
        master.addVar(0.0, 1.0)
        z = master.getNumCol() - 1
        master.changeColIntegrality(z, _INT)
        master.addRow(-np.inf, 0.0, 2, np.array([i, z], np.int32), np.array([1.0, -n_slots]))
        master.addRow(0.0, np.inf, 2, np.array([i, z], np.int32), np.array([1.0, -block_slots]))
    if min_slots > 0:  # a centre that opens opens at least min_hours
        for c in centres:
            own = [i for i, S in enumerate(pats) if c in S]
            master.addVar(0.0, 1.0)
            u = master.getNumCol() - 1
            master.changeColIntegrality(u, _INT)
            idx = np.array([*own, u], np.int32)
            master.addRow(0.0, np.inf, len(idx), idx, np.array([1.0] * len(own) + [-min_slots]))
            master.addRow(-np.inf, 0.0, len(idx), idx, np.array([1.0] * len(own) + [-cap]))
    if floor is not None:  # the access floor: slots a week each kept centre opens
        for c in centres:
            if floor[c] > 0:
                cols = np.array([i for i, S in enumerate(pats) if c in S], np.int32)
                master.addRow(float(floor[c]) - 1e-9, np.inf, len(cols), cols, np.ones(len(cols)))
    master.setOptionValue("mip_rel_gap", 1e-6)
    master.setOptionValue("time_limit", _seconds_left(deadline))
    master.run()
    if master.getInfo().primal_solution_status != 2:
        return None
    if rules.regular:
        return _regular_layout(master, pats, live, allowed.shape, rules, n_p=n_p,
                               deadline=deadline)  # fmt: skip
    counts = np.rint(np.asarray(master.getSolution().col_value)[:n_p]).astype(int)
    used = [i for i in range(n_p) if counts[i] > 0]

    # Runs of like slots on each day; cut each pattern's count into pieces of at least
    # a block, laid end to end in the runs (a pattern may fill several runs).
    segs = []
    for d in range(live.shape[0]):
        row = np.concatenate([[0], live[d].astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(row))
        segs += [(d, int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    h = _highs()
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    y: dict[tuple[int, int], tuple[int, int]] = {}
    for i in used:
        for g, (_, a, b) in enumerate(segs):
            h.addVar(0.0, float(b - a))
            h.addVar(0.0, 1.0)
            yy, on = h.getNumCol() - 2, h.getNumCol() - 1
            h.changeColIntegrality(yy, _INT)
            h.changeColIntegrality(on, _INT)
            h.addRow(-np.inf, 0.0, 2, np.array([yy, on], np.int32), np.array([1.0, -(b - a)]))
            h.addRow(0.0, np.inf, 2, np.array([yy, on], np.int32), np.array([1.0, -block_slots]))
            y[i, g] = (yy, on)
    for i in used:
        idx = np.array([y[i, g][0] for g in range(len(segs))], np.int32)
        h.addRow(counts[i], counts[i], len(idx), idx, np.ones(len(idx)))
    for g, (_, a, b) in enumerate(segs):
        idx = np.array([y[i, g][0] for i in used], np.int32)
        h.addRow(-np.inf, float(b - a), len(idx), idx, np.ones(len(idx)))
    for d in rules.cover_days:
        on_d = [g for g, seg in enumerate(segs) if seg[0] == d]
        idx = np.array([y[i, g][0] for i in used for g in on_d if pats[i]], np.int32)
        if len(idx) == 0:
            return None
        h.addRow(1.0, np.inf, len(idx), idx, np.ones(len(idx)))
    h.setOptionValue("time_limit", _seconds_left(deadline))
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    sol = np.rint(np.asarray(h.getSolution().col_value)).astype(int)
    plan = np.zeros(allowed.shape, dtype=bool)
    for g, (d, a, _) in enumerate(segs):
        at = a
        for i in used:
            k = sol[y[i, g][0]]
            if k > 0:
                plan[pats[i], d, at : at + k] = True
                at += k
    return plan


def _longest_run(row: np.ndarray) -> tuple[int, int]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(np.int8), [0]])))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    return max(runs, key=lambda r: r[1] - r[0]) if runs else (0, 0)


def _regular_layout(
    master: highspy.Highs, pats: list[list[int]], live: np.ndarray, shape: tuple,
    rules: OpeningRules, *, n_p: int, deadline: float | None,
) -> np.ndarray | None:  # fmt: skip
    """A regular plan from the integer master (counts of the first ``n_p`` columns).

    Every centre opens on the same ``m`` days (the cover days first), and each of
    those days repeats one sequence of patterns: pattern ``i`` for ``l_i`` slots, so
    its count is ``m * l_i`` (rows added to the master, one solve per ``m``). The
    patterns go in order of size; the layout is kept only when each centre's
    patterns are consecutive in that order (one block a day, the same every day) and
    its block is at least ``block_slots``. None when no ``m`` gives one."""
    block_slots, cover_days = rules.block_slots, rules.cover_days
    days = [d for d in range(live.shape[0]) if live[d].any()]
    if any(d not in days for d in cover_days):
        return None
    days = [d for d in cover_days if d in days] + [d for d in days if d not in cover_days]
    runs = {d: _longest_run(live[d]) for d in days}
    best = _partition(master, pats, runs, days, shape, rules, n_p=n_p, deadline=deadline)
    base, first = master.getNumCol(), master.getNumRow()
    for i in range(n_p):
        master.addVar(0.0, float(live.shape[1]))
        master.changeColIntegrality(base + i, _INT)
        master.addRow(0.0, 0.0, 2, np.array([i, base + i], np.int32), np.array([1.0, -1.0]))
    for m in range(max(len(cover_days), 1), len(days) + 1):
        for i in range(n_p):
            master.changeCoeff(first + i, base + i, -float(m))
        master.setOptionValue("time_limit", _seconds_left(deadline))
        master.run()
        if master.getInfo().primal_solution_status != 2:
            continue
        value = float(master.getInfo().objective_function_value)
        if best is not None and value <= best[0]:
            continue
        per_day = np.rint(np.asarray(master.getSolution().col_value)[base : base + n_p])
        plan = _lay_out(pats, per_day.astype(int), days[:m], runs, shape, block_slots)
        if plan is not None:
            best = (value, plan)
    return None if best is None else best[1]


def _partition(
    master: highspy.Highs, pats: list[list[int]], runs: dict, days: list[int], shape: tuple,
    rules: OpeningRules, *, n_p: int, deadline: float | None,
) -> tuple[float, np.ndarray] | None:  # fmt: skip
    """A regular plan of disjoint patterns, each on its own days (a copy of the master).

    Pattern ``i`` takes ``m`` whole days of its own for a daily block of ``l`` slots
    (one binary per ``(i, m, l)``, its count ``m * l``); no centre is in two patterns
    used and the patterns' days add up to at most the days there are, the cover days
    first. Each centre then opens one block on each of its pattern's days."""
    h = _highs()
    h.passModel(master.getModel())
    longest = min(b - a for a, b in runs.values())
    block = rules.block_slots
    pairs = [(m, ln) for m in range(1, len(days) + 1) for ln in range(block, longest + 1)]
    if not pairs:
        return None
    u: dict[int, list[int]] = {}
    for i in range(n_p):
        if not pats[i]:
            continue
        u[i] = []
        for _ in pairs:
            h.addVar(0.0, 1.0)
            u[i].append(h.getNumCol() - 1)
            h.changeColIntegrality(u[i][-1], _INT)
        idx = np.array([i, *u[i]], np.int32)
        h.addRow(0.0, 0.0, len(idx), idx, np.array([1.0] + [-float(m * ln) for m, ln in pairs]))
    every = [(j, float(m)) for i in u for j, (m, _) in zip(u[i], pairs, strict=True)]
    h.addRow(-np.inf, float(len(days)), len(every), np.array([j for j, _ in every], np.int32),
             np.array([v for _, v in every]))  # fmt: skip
    cover = float(len(rules.cover_days))
    h.addRow(cover, np.inf, len(every), np.array([j for j, _ in every], np.int32),
             np.array([v for _, v in every]))  # fmt: skip
    for c in {c for S in pats for c in S}:
        own = np.array([j for i in u if c in pats[i] for j in u[i]], np.int32)
        h.addRow(-np.inf, 1.0, len(own), own, np.ones(len(own)))
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.setOptionValue("time_limit", _seconds_left(deadline))
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    sol = np.asarray(h.getSolution().col_value)
    plan, at = np.zeros(shape, dtype=bool), 0
    for i in u:
        for j, (m, ln) in zip(u[i], pairs, strict=True):
            if sol[j] > 0.5:
                for d in days[at : at + m]:
                    plan[pats[i], d, runs[d][0] : runs[d][0] + ln] = True
                at += m
    return float(h.getInfo().objective_function_value), plan


def _lay_out(pats, per_day, days, runs, shape, block_slots) -> np.ndarray | None:
    """The same sequence of patterns on each of ``days``, or None (see above)."""
    order = sorted((i for i in range(len(per_day)) if per_day[i] > 0), key=lambda i: -len(pats[i]))
    length = int(sum(per_day[i] for i in order))
    if any(runs[d][1] - runs[d][0] < length for d in days):
        return None
    for c in {c for i in order for c in pats[i]}:
        at = [k for k, i in enumerate(order) if c in pats[i]]
        if at[-1] - at[0] + 1 != len(at) or sum(per_day[order[k]] for k in at) < block_slots:
            return None
    plan = np.zeros(shape, dtype=bool)
    for d in days:
        s = runs[d][0]
        for i in order:
            plan[pats[i], d, s : s + per_day[i]] = True
            s += per_day[i]
    return plan
