"""The maximal-covering-over-time model as a mixed-integer programme for HiGHS.

Columns: ``x[c, d, s]`` (binary) opens centre ``c`` in slot ``s`` of day ``d``, only
where its host building is available on an open day; ``start`` marks the first slot of
a block; ``used[c]`` (binary) says centre ``c`` opens at all; ``v`` (continuous) says
a *set* of centres has one open in a slot.

Coverage is exact and compact. Sort each zone's centres by travel time,
``c1, c2, ...``; its value in a slot is ``w(c_k)`` for the first open ``c_k``, which
telescopes to ``sum_k (w(c_k) - w(c_{k+1})) * [one of c1..ck is open]``. Zones share
these nested sets, so one ``v`` per distinct set and slot carries the summed
coefficient, with ``v(S) <= v(S - c) + x(c)`` (three non-zeros) and, where a
coefficient is negative (a worth not falling with travel time), ``v(S) >= v(S - c)`` and
``v(S) >= x(c)`` as well, so that ``v`` is exactly "one of S is open".

Regular timetables with one daily block (``regular``, ``max_patterns`` 1, the default)
are one binary ``z`` per centre and timetable (a block on a set of days, within the
hours rules): ``x = sum z`` and at most one ``z`` a centre (exactly one for a centre
the floor keeps open). Its LP is the convex hull of each centre's timetables, far
tighter than templates times days (``q``, ``y`` below, used for ``max_patterns`` > 1
or above :data:`MAX_TIMETABLES` timetables): at 70 h on the default data the variant
without the floor was proven in 40-50 s instead of not in 60 s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimise.hours.rules import OpeningRules

__all__ = ["MilpModel", "build"]


@dataclass
class _Rows:
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def add(self, cols: list[int], vals: list[float], lo: float, hi: float) -> None:
        self.index.extend(cols)
        self.value.extend(vals)
        self.starts.append(len(self.index))
        self.lower.append(lo)
        self.upper.append(hi)


@dataclass(frozen=True, eq=False)
class MilpModel:
    """Arrays of the MILP (row-wise), and where the opening columns sit."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray
    x_cols: np.ndarray  # centres × 7 × slots, column of x or -1
    budget_row: int
    #: Per centre, its regular timetables ``(a, b, days)`` when the model uses them.
    timetables: list | None = None


def _node_sets(order: np.ndarray, gain: np.ndarray) -> dict[int, list]:
    """Distinct prefix sets (bitmask) → [parent mask, added centre, summed coefficient]."""
    nodes: dict[int, list] = {}
    for z in range(order.shape[0]):
        mask = 0
        for k in range(order.shape[1]):
            c = int(order[z, k])
            parent, mask = mask, mask | (1 << c)
            node = nodes.get(mask)
            if node is None:
                nodes[mask] = [parent, c, float(gain[z, k])]
            else:
                node[2] += float(gain[z, k])
    return nodes


def _regular(rows: _Rows, new_col, x_cols: np.ndarray, allowed: np.ndarray, n_pat: int) -> None:
    """Rows and columns of regular timetables (see :func:`build`)."""
    n_c, n_d, n_s = allowed.shape
    for c in range(n_c):
        days = [d for d in range(n_d) if allowed[c, d].any()]
        slots = [s for s in range(n_s) if allowed[c, :, s].any()]
        if not days:
            continue
        q = [{s: new_col(is_int=True) for s in slots} for _ in range(n_pat)]
        y = [{d: new_col(is_int=True) for d in days} for _ in range(n_pat)]
        for k in range(n_pat):  # a template is one run of slots: at most one start
            starts = []
            for s in slots:
                st = new_col()
                prev = [q[k][s - 1]] if s - 1 in q[k] else []
                rows.add([q[k][s], *prev, st], [1.0] + [-1.0] * len(prev) + [-1.0], -np.inf, 0)
                starts.append(st)
            rows.add(starts, [1.0] * len(starts), -np.inf, 1)
        for d in days:
            rows.add([y[k][d] for k in range(n_pat)], [1.0] * n_pat, -np.inf, 1)
            for s in slots:
                x = int(x_cols[c, d, s])
                if n_pat == 1:
                    qs, yd = q[0][s], y[0][d]
                    if x < 0:
                        rows.add([qs, yd], [1.0, 1.0], -np.inf, 1)
                    else:
                        rows.add([x, qs], [1.0, -1.0], -np.inf, 0)
                        rows.add([x, yd], [1.0, -1.0], -np.inf, 0)
                        rows.add([x, qs, yd], [1.0, -1.0, -1.0], -1, np.inf)
                    continue
                zs = []
                for k in range(n_pat):
                    qs, yd = q[k][s], y[k][d]
                    if x < 0:
                        rows.add([qs, yd], [1.0, 1.0], -np.inf, 1)
                        continue
                    z = new_col()
                    rows.add([z, qs], [1.0, -1.0], -np.inf, 0)
                    rows.add([z, yd], [1.0, -1.0], -np.inf, 0)
                    rows.add([z, qs, yd], [1.0, -1.0, -1.0], -1, np.inf)
                    zs.append(z)
                if x >= 0:
                    rows.add([x, *zs], [1.0] + [-1.0] * len(zs), 0, 0)


def _blocks(rows: _Rows, new_col, x_cols: np.ndarray, block_slots: int) -> None:
    """Blocks of at least block_slots: a start where x switches on; x stays on after it."""
    n_c, n_d, n_s = x_cols.shape
    for c in range(n_c):
        for d in range(n_d):
            cols = x_cols[c, d]
            starts: dict[int, int] = {}
            for s in np.flatnonzero(cols >= 0).tolist():
                fits = s + block_slots <= n_s and bool((cols[s : s + block_slots] >= 0).all())
                starts[s] = new_col(hi=1.0 if fits else 0.0)
                prev = [int(cols[s - 1])] if s > 0 and cols[s - 1] >= 0 else []  # x[s-1]
                rows.add([int(cols[s]), *prev, starts[s]], [1.0, *[-1.0] * len(prev), -1.0],
                         -np.inf, 0)  # fmt: skip
            for s in starts:
                window = [starts[k] for k in range(s - block_slots + 1, s + 1) if k in starts]
                rows.add([*window, int(cols[s])], [1.0] * len(window) + [-1.0], -np.inf, 0)


def _hours(rows: _Rows, new_col, x_cols: np.ndarray, rules: OpeningRules) -> None:
    """Hours per centre: within ``rules``' min and max hours if it opens at all, at least
    its ``centre_min``."""
    slot_hours, centre_min = rules.slot_hours, rules.centre_min
    for c in range(x_cols.shape[0]):
        cols = x_cols[c][x_cols[c] >= 0].tolist()
        if not cols:
            continue
        used = new_col(is_int=True)
        rows.add([*cols, used], [slot_hours] * len(cols) + [-rules.max_hours], -np.inf, 0)
        if rules.min_hours > 0:
            rows.add([*cols, used], [slot_hours] * len(cols) + [-rules.min_hours], 0, np.inf)
        if centre_min is not None and centre_min[c] > 0:
            rows.add(cols, [slot_hours] * len(cols), float(centre_min[c]), np.inf)


#: Above this many regular timetables in all, :func:`_timetables` is not used.
MAX_TIMETABLES = 30_000


def _timetables(
    x_cols: np.ndarray, rules: OpeningRules
) -> list[list[tuple[int, int, tuple[int, ...]]]] | None:
    """Per centre, every regular timetable with one daily block: ``(a, b, days)``, one
    block of slots ``[a, b)`` of at least ``block_slots`` on days where it fits, with
    weekly hours within ``rules``' min and max hours and at least its ``centre_min``.
    None when there are more than :data:`MAX_TIMETABLES` in all."""
    block_slots, slot_hours, centre_min = rules.block_slots, rules.slot_hours, rules.centre_min
    n_c, n_d, n_s = x_cols.shape
    out, total = [], 0
    for c in range(n_c):
        least = max(rules.min_hours, 0.0 if centre_min is None else float(centre_min[c]))
        options = []
        for a in range(n_s):
            for b in range(a + block_slots, n_s + 1):
                fits = [d for d in range(n_d) if (x_cols[c, d, a:b] >= 0).all()]
                for k in range(1, len(fits) + 1):
                    h = (b - a) * k * slot_hours
                    if least - 1e-9 <= h <= rules.max_hours + 1e-9:
                        options += [(a, b, days) for days in combinations(fits, k)]
        total += len(options)
        if total > MAX_TIMETABLES:
            return None
        out.append(options)
    return out


def _regular_options(
    rows: _Rows, new_col, x_cols: np.ndarray, options: list, centre_min: np.ndarray | None
) -> None:
    """Regular timetables with one daily block (``max_patterns`` 1) as a choice of one
    timetable per centre: ``x[c, d, s] = sum of z[c, o]`` over the timetables ``o``
    that open it, ``sum_o z[c, o] <= 1``. Its LP relaxation is the convex hull of each
    centre's timetables, much tighter than templates times days."""
    for c, opts in enumerate(options):
        own = x_cols[c][x_cols[c] >= 0]
        if not len(own):
            continue
        cover: dict[int, list[int]] = {int(j): [] for j in own}
        zs = []
        for a, b, days in opts:
            z = new_col(is_int=True)
            zs.append(z)
            for d in days:
                for j in x_cols[c, d, a:b]:
                    cover[int(j)].append(z)
        for j, opening in cover.items():
            rows.add([j, *opening], [1.0] + [-1.0] * len(opening), 0, 0)
        must = centre_min is not None and centre_min[c] > 0  # the access floor
        rows.add(zs, [1.0] * len(zs), 1.0 if must else -np.inf, 1)


def build(
    minutes: np.ndarray,
    worth: np.ndarray,
    profile: np.ndarray,
    allowed: np.ndarray,
    rules: OpeningRules,
) -> MilpModel:
    """Build the MILP.

    Parameters
    ----------
    minutes
        Zones × centres travel minutes (the choice: the nearest open centre).
    worth
        Zones × centres objective value a year of a zone served by a centre.
    profile
        ``7 × slots`` share of demand per slot.
    allowed
        Centres × 7 × slots, True where the centre may open.
    rules
        The rules every plan keeps: blocks, budget, hours per centre, cover days, the
        access and zone floors and, with ``regular``, one block a day per centre, one
        of at most ``max_patterns`` daily blocks (templates ``q``) on each open day
        (``y``): ``x = sum_k q_k * y_k``.
    """
    n_d, n_s = allowed.shape[1:]
    x_cols = np.full(allowed.shape, -1, dtype=np.int64)
    x_cols[allowed] = np.arange(int(allowed.sum()))
    n_x = int(allowed.sum())
    cost = [0.0] * n_x
    lower, upper, integer = [0.0] * n_x, [1.0] * n_x, [True] * n_x
    rows = _Rows()

    def new_col(c: float = 0.0, lo: float = 0.0, hi: float = 1.0, is_int: bool = False) -> int:
        cost.append(c)
        lower.append(lo)
        upper.append(hi)
        integer.append(is_int)
        return len(cost) - 1

    options = None
    if rules.regular and rules.max_patterns == 1:
        options = _timetables(x_cols, rules)
    if options is not None:  # each timetable keeps the blocks and hours rules itself
        _regular_options(rows, new_col, x_cols, options, rules.centre_min)
    else:
        _blocks(rows, new_col, x_cols, rules.block_slots)
        _hours(rows, new_col, x_cols, rules)
        if rules.regular:
            _regular(rows, new_col, x_cols, allowed, rules.max_patterns)
    for members in rules.zone_sets:
        days = []
        for d in range(n_d):
            cols = [int(j) for c in members for j in x_cols[c, d] if j >= 0]
            if cols:
                w = new_col(is_int=True)
                rows.add([w, *cols], [1.0] + [-1.0] * len(cols), -np.inf, 0)
                days.append(w)
        rows.add(days, [1.0] * len(days), float(rules.min_days), np.inf)
    budget_row = len(rows.lower)
    rows.add(list(range(n_x)), [rules.staff * rules.slot_hours] * n_x, -np.inf, rules.budget)
    for d in rules.cover_days:
        cols = x_cols[:, d][x_cols[:, d] >= 0].tolist()
        rows.add(cols, [1.0] * len(cols), 1, np.inf)

    # Coverage: one column per distinct set of nearest centres and slot.
    order = np.argsort(minutes, axis=1, kind="stable")
    ranked = np.take_along_axis(worth, order, axis=1)
    gain = ranked - np.concatenate([ranked[:, 1:], np.zeros((len(ranked), 1))], axis=1)
    nodes = sorted(_node_sets(order, gain).items(), key=lambda kv: kv[0].bit_count())
    exact = any(coef < 0 for _, (_, _, coef) in nodes)
    for d in range(n_d):
        for s in range(n_s):
            weight = float(profile[d, s])
            avail = sum(1 << int(c) for c in np.flatnonzero(allowed[:, d, s]))
            if weight <= 0 or not avail:
                continue
            slot_cols: dict[int, int] = {}
            for mask, (parent, c, coef) in nodes:
                reduced = mask & avail
                if not reduced:
                    continue
                col = slot_cols.get(reduced)
                if col is None:
                    if reduced.bit_count() == 1:  # a single centre: its own x column
                        col = int(x_cols[reduced.bit_length() - 1, d, s])
                    else:
                        col = new_col()
                        up, xc = slot_cols[parent & avail], int(x_cols[c, d, s])
                        rows.add([col, up, xc], [1.0, -1.0, -1.0], -np.inf, 0)
                        if exact:
                            rows.add([col, up], [1.0, -1.0], 0, np.inf)
                            rows.add([col, xc], [1.0, -1.0], 0, np.inf)
                    slot_cols[reduced] = col
                cost[col] += weight * coef
    return MilpModel(
        cost=np.array(cost),
        col_lower=np.array(lower),
        col_upper=np.array(upper),
        integer=np.array(integer),
        row_lower=np.array(rows.lower, dtype=float),
        row_upper=np.array(rows.upper, dtype=float),
        starts=np.array(rows.starts, dtype=np.int32),
        index=np.array(rows.index, dtype=np.int32),
        value=np.array(rows.value),
        x_cols=x_cols,
        budget_row=budget_row,
        timetables=options,
    )
