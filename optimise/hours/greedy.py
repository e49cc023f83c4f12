"""A greedy opening plan: the MIP's starting solution.

Adds whole blocks (and then single slots that extend a block) in order of the
demand they add, keeping every rule: budget, shortest block, hours per centre and an
open centre on each cover day. HiGHS starts from it, so that its first incumbent is
already close to the LP bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimise.hours.rules import OpeningRules

__all__ = ["greedy_plan"]


def _gains(worth: np.ndarray, best: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Centres × slots: demand added by opening each centre in each slot."""
    # best: slots × zones, worth: zones × centres
    out = np.empty((worth.shape[1], best.shape[0]))
    for c in range(worth.shape[1]):
        out[c] = np.maximum(worth[:, c][None, :] - best, 0).sum(axis=1)
    return out * profile[None, :]


def _value(worth: np.ndarray, plan: np.ndarray, profile: np.ndarray) -> float:
    n_c = plan.shape[0]
    flat, prof = plan.reshape(n_c, -1), profile.reshape(-1)
    total = 0.0
    for t in np.flatnonzero(flat.any(axis=0)):
        total += prof[t] * float(worth[:, flat[:, t]].max(axis=1).sum())
    return total


def _runs(plan: np.ndarray) -> list[tuple[int, int, int, int]]:
    out = []
    for c, d in zip(*np.nonzero(plan.any(axis=2)), strict=True):
        row = np.concatenate([[0], plan[c, d].astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(row))
        out += [(int(c), int(d), int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]
    return out


def greedy_plan(
    worth: np.ndarray,
    profile: np.ndarray,
    allowed: np.ndarray,
    rules: OpeningRules,
    *,
    rounds: int = 3,
) -> np.ndarray:
    """Centres × 7 × slots plan (bool): greedy, then ``rounds`` of remove-and-refill.

    It keeps the budget, the shortest block, the maximum hours per centre and the cover
    days of ``rules`` (not the minimum hours, the floors or regular timetables).
    ``worth`` (zones × centres) must fall with travel time for each zone.
    """
    plan = _fill(worth, profile, allowed, np.zeros(allowed.shape, dtype=bool), rules)
    value = _value(worth, plan, profile)
    for _ in range(rounds):
        improved = False
        for c, d, a, b in _runs(plan):
            trial = plan.copy()
            trial[c, d, a:b] = False
            trial = _fill(worth, profile, allowed, trial, rules)
            v = _value(worth, trial, profile)
            if v > value * (1 + 1e-9):
                plan, value, improved = trial, v, True
        if not improved:
            break
    return plan


def _fill(
    worth: np.ndarray,
    profile: np.ndarray,
    allowed: np.ndarray,
    plan: np.ndarray,
    rules: OpeningRules,
) -> np.ndarray:
    """Add blocks, then single slots extending blocks, to ``plan`` (a copy)."""
    block_slots, slot_hours = rules.block_slots, rules.slot_hours
    n_c, n_d, n_s = allowed.shape
    plan = plan.copy()
    flat_profile = profile.reshape(-1)
    best = np.zeros((n_d * n_s, worth.shape[0]))
    for c, d, s in zip(*np.nonzero(plan), strict=True):
        t = d * n_s + s
        best[t] = np.maximum(best[t], worth[:, c])
    cost = slot_hours * rules.staff
    left = rules.budget - plan.sum() * cost

    def centre_room(c: int) -> float:
        return rules.max_hours - plan[c].sum() * slot_hours

    def open_slots(c: int, d: int, slots: list[int]) -> None:
        nonlocal left
        for s in slots:
            if not plan[c, d, s]:
                plan[c, d, s] = True
                left -= cost
                t = d * n_s + s
                best[t] = np.maximum(best[t], worth[:, c])

    def best_block(days: list[int]) -> tuple[float, int, int, int] | None:
        gains = _gains(worth, best, flat_profile).reshape(n_c, n_d, n_s)
        found = None
        for c in range(n_c):
            for d in days:
                free = allowed[c, d] & ~plan[c, d]
                for s in range(n_s - block_slots + 1):
                    window = slice(s, s + block_slots)
                    if not free[window].all():
                        continue
                    g = float(gains[c, d, window].sum())
                    if found is None or g > found[0]:
                        found = (g, c, d, s)
        return found

    block_cost = block_slots * cost
    for d in rules.cover_days:
        if plan[:, d].any():
            continue
        pick = best_block([d])
        if pick is not None and left >= block_cost - 1e-9:
            _, c, d_, s = pick
            open_slots(c, d_, list(range(s, s + block_slots)))
    while left >= block_cost - 1e-9:
        pick = best_block(list(range(n_d)))
        if pick is None:
            break
        _, c, d, s = pick
        if centre_room(c) < block_slots * slot_hours - 1e-9:
            allowed = allowed.copy()
            allowed[c] = False  # this centre is full
            continue
        open_slots(c, d, list(range(s, s + block_slots)))
    while left >= cost - 1e-9:  # extend blocks by one slot while the budget lasts
        gains = _gains(worth, best, flat_profile).reshape(n_c, n_d, n_s)
        edge = np.zeros_like(plan)
        edge[:, :, 1:] |= plan[:, :, :-1]
        edge[:, :, :-1] |= plan[:, :, 1:]
        room = np.array([centre_room(c) >= slot_hours - 1e-9 for c in range(n_c)])
        ok = edge & allowed & ~plan & room[:, None, None]
        if not ok.any():
            break
        c, d, s = np.unravel_index(np.argmax(np.where(ok, gains, -1.0)), ok.shape)
        open_slots(int(c), int(d), [int(s)])
    return plan
