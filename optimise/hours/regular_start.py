"""A regular starting plan for the MILP: one timetable per centre, by coordinate ascent.

The greedy start (:mod:`optimise.hours.greedy`) opens blocks wherever they add most,
so its plan is rarely regular and HiGHS cannot use it when ``regular`` is on: the
search then starts from a near-empty incumbent and spends most of its time finding a
plan at all. Here each centre in turn takes the regular timetable (from
:func:`optimise.hours.milp.build`'s list) that adds most to the others' plan within
what the budget leaves, until a pass changes nothing. The result is only a start:
the MILP proves or improves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable

    from optimise.hours.rules import OpeningRules

__all__ = ["regular_start"]


def _gain(minutes: np.ndarray, worth: np.ndarray, flat: np.ndarray, c: int) -> np.ndarray:
    """Per slot: what centre ``c`` adds to the other centres open in that slot."""
    others = flat.copy()
    others[c] = False
    out = np.zeros(flat.shape[1])
    rows = np.arange(minutes.shape[0])
    for t in range(flat.shape[1]):
        open_ = np.flatnonzero(others[:, t])
        if not len(open_):
            out[t] = worth[:, c].sum()
            continue
        best = open_[minutes[:, open_].argmin(axis=1)]
        nearer = minutes[:, c] < minutes[rows, best]
        out[t] = float((worth[nearer, c] - worth[rows[nearer], best[nearer]]).sum())
    return out


def _masks(options: list, shape: tuple[int, int]) -> np.ndarray:
    """Options × (days × slots): the slots each timetable opens."""
    out = np.zeros((len(options), shape[0], shape[1]), dtype=bool)
    for i, (a, b, days) in enumerate(options):
        out[i, list(days), a:b] = True
    return out.reshape(len(options), shape[0] * shape[1])


def _move(flat, c: int, masks, sizes, gain, left: float, must: bool) -> bool:
    """Give centre ``c`` its best timetable of at most ``left`` staff-hours (in place):
    ``masks`` and ``sizes`` are its timetables' slots and staff-hours, ``gain`` what it
    adds in each slot."""
    cost = sizes[0] / max(masks[0].sum(), 1)
    value = masks.astype(float) @ gain - 1e-9 * sizes
    value[sizes > left + 1e-9] = -np.inf
    now = float(gain[flat[c]].sum()) - 1e-9 * flat[c].sum() * cost
    pick = int(np.argmax(value))
    if value[pick] > now + 1e-7 * max(1.0, abs(now)) and (value[pick] > 0 or must):
        flat[c] = masks[pick]
        return True
    return False


def regular_start(
    minutes: np.ndarray, worth: np.ndarray, profile: np.ndarray, timetables: list,
    rules: OpeningRules, *, keeps: Callable[[np.ndarray], bool],
    like: np.ndarray | None = None, passes: int = 6,
) -> np.ndarray | None:  # fmt: skip
    """Centres × 7 × steps regular plan that ``keeps`` every rule, or None.

    Each timetable costs ``rules.staff`` per open slot of ``rules.slot_hours``, all of
    them within ``rules.budget``; the centres the access floor keeps (``centre_min``)
    must open. ``like`` (a plan that need not be regular, e.g. the greedy one): start
    with each centre at most the hours it has there."""
    cost, budget = rules.slot_hours * rules.staff, rules.budget
    n_c = len(timetables)
    must = np.zeros(n_c, dtype=bool) if rules.centre_min is None else rules.centre_min > 0
    shape = profile.shape
    masks = [_masks(opts, shape) for opts in timetables]
    sizes = [m.sum(axis=1) * cost for m in masks]
    flat = np.zeros((n_c, shape[0] * shape[1]), dtype=bool)
    prof = np.asarray(profile, dtype=float).reshape(-1)
    for c in np.flatnonzero(must).tolist():  # the floor first: its cheapest timetable each
        if not len(masks[c]):
            return None
        flat[c] = masks[c][int(np.argmin(sizes[c]))]
    if like is not None:  # each centre: the timetable nearest its slots there
        seen = like.reshape(n_c, -1)
        for c in range(n_c):
            if seen[c].any() and len(masks[c]):
                fit = masks[c] @ seen[c].astype(float) - masks[c] @ (~seen[c]).astype(float)
                flat[c] = masks[c][int(np.argmax(fit))]
        if flat.sum() * cost > budget + 1e-9:  # over budget: back to the floor alone
            flat[:] = False
            for c in np.flatnonzero(must).tolist():
                flat[c] = masks[c][int(np.argmin(sizes[c]))]
    for _ in range(passes):
        changed = False
        for c in range(n_c):
            if len(masks[c]):
                left = budget - (flat.sum() - flat[c].sum()) * cost
                gain = _gain(minutes, worth, flat, c) * prof
                changed |= _move(flat, c, masks[c], sizes[c], gain, left, must[c])
        if not changed:
            break
    plan = flat.reshape(n_c, *shape)
    return plan if keeps(plan) else None
