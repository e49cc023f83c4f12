"""A cheap, valid upper bound on the opening-hours MILP: one LP per class of like slots.

Slots with the same demand weight and the same centres allowed to open have the same
coverage function ``F`` (the value of a set of open centres). Its LP relaxation
``F_LP`` (the nested-set rows of :mod:`optimise.hours.milp` with ``x`` fractional) is
concave in ``x`` and equals ``F`` at 0/1 points. Given any feasible plan, put in each
class the average of its slots' ``x``: the budget and the hours per centre still hold
(they are linear), and by concavity the class earns at least the plan's total. So the
LP below, which keeps only the budget and the maximum hours per centre (no blocks, no
minimum hours, no cover days) and has one copy of ``F_LP`` per class, bounds the
MILP's optimum from above. With a uniform profile the 50-centre instance has a single
class: an LP of ~4,000 columns instead of the MILP's root LP of ~250,000.

It does not replace the MILP: it gives a time-limited solve an honest gap when HiGHS's
own bound is weaker, and proves the plan optimal when the gap to it is within
``mip_gap``.
"""

from __future__ import annotations

import highspy
import numpy as np

from optimise.hours.milp import build
from optimise.hours.rules import OpeningRules

__all__ = ["class_bound"]


def class_bound(
    minutes: np.ndarray,
    worth: np.ndarray,
    profile: np.ndarray,
    allowed: np.ndarray,
    *,
    slot_hours: float,
    staff: float,
    budget: float,
    max_hours: float,
) -> float:
    """Upper bound on the MILP's objective (see the module docstring)."""
    n_c = allowed.shape[0]
    flat = allowed.reshape(n_c, -1)
    weights = np.asarray(profile, dtype=float).reshape(-1)
    classes: dict[tuple, int] = {}
    for t in np.flatnonzero((weights > 0) & flat.any(axis=0)):
        key = (float(weights[t]), flat[:, t].tobytes())
        classes[key] = classes.get(key, 0) + 1
    if not classes:
        return 0.0
    keys = list(classes)
    count = np.array([classes[k] for k in keys], dtype=float)
    g_allowed = np.stack([flat[:, t] for t in [_first(flat, weights, k) for k in keys]], axis=1)
    g_profile = np.array([k[0] for k in keys]) * count
    # No binding rule here: the budget and the hours per centre, by class size, below.
    relaxed = OpeningRules(slot_hours=slot_hours, block_slots=1, staff=staff, budget=np.inf,
                           min_hours=0.0, max_hours=slot_hours * len(keys),
                           cover_days=())  # fmt: skip
    model = build(minutes, worth, g_profile[None, :], g_allowed[:, None, :], relaxed)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    n = len(model.cost)
    h.addVars(n, model.col_lower, model.col_upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), model.cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRows(
        len(model.row_lower), model.row_lower, model.row_upper, len(model.index),
        model.starts[:-1], model.index, model.value,
    )  # fmt: skip
    # x[c, g] is the share of class g's slots that centre c opens: budget and hours.
    x = model.x_cols[:, 0, :]
    cols = x[x >= 0]
    per = count[np.nonzero(x >= 0)[1]] * slot_hours
    h.addRow(-np.inf, budget, len(cols), cols.astype(np.int32), per * staff)
    for c in range(n_c):
        own = x[c] >= 0
        if own.any():
            h.addRow(-np.inf, max_hours, int(own.sum()), x[c][own].astype(np.int32),
                     count[own] * slot_hours)  # fmt: skip
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return np.inf
    # A dual-feasible bound is safer than the primal value if the LP stopped early;
    # at optimality they agree to the solver's tolerance, so add a little slack.
    value = float(h.getInfo().objective_function_value)
    return value + 1e-7 * max(1.0, abs(value))


def _first(flat: np.ndarray, weights: np.ndarray, key: tuple) -> int:
    for t in np.flatnonzero(weights == key[0]):
        if flat[:, t].tobytes() == key[1]:
            return int(t)
    raise AssertionError("class without a slot")
