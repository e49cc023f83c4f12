"""The exact facility-location solvers against brute force on small random instances."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from optimise.bench.orlib import CflpInstance
from optimise.location import solve_cflp, solve_pmedian
from optimise.location.branch import branch_and_bound
from optimise.location.cflp import transport_cost
from optimise.location.cflp_bound import lagrangian


def _points(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 2))


def _pmedian(seed: int, n: int, integer: bool) -> np.ndarray:
    pts = _points(seed, n)
    d = np.linalg.norm(pts[:, None] - pts[None], axis=2) * 100
    return np.round(d) if integer else d


def _brute_pmedian(d: np.ndarray, p: int) -> float:
    return min(float(d[:, list(s)].min(axis=1).sum()) for s in
               itertools.combinations(range(d.shape[1]), p))  # fmt: skip


@pytest.mark.parametrize(("seed", "n", "p", "integer"),
                         [(1, 40, 2, True), (2, 60, 3, True), (3, 60, 3, False),
                          (4, 45, 2, False)])  # fmt: skip
def test_pmedian_branch_and_bound_finds_the_brute_force_optimum(seed, n, p, integer):
    d = _pmedian(seed, n, integer)
    best = _brute_pmedian(d, p)
    result = solve_pmedian(d, p)  # n ≥ 20 p: the branch and bound
    assert result.optimal and result.gap == 0
    assert result.cost == pytest.approx(best, rel=1e-9)
    # From a poor first plan (the first p sites) the search itself must find it.
    poor = np.zeros(n, bool)
    poor[:p] = True
    opened, cost, lower, _ = branch_and_bound(d, p, poor)
    assert np.count_nonzero(opened) == p
    assert cost == pytest.approx(best, rel=1e-9)
    assert cost == pytest.approx(float(d[:, opened].min(axis=1).sum()))
    assert lower <= cost + 1e-9


def test_pmedian_is_deterministic():
    d = _pmedian(7, 80, True)
    a, b = solve_pmedian(d, 4), solve_pmedian(d, 4)
    assert a.cost == b.cost and np.array_equal(a.open, b.open)


def _cflp(seed: int, m: int, n: int, equal: bool) -> CflpInstance:
    rng = np.random.default_rng(seed)
    w, c = rng.random((m, 2)), rng.random((n, 2))
    demand = rng.integers(1, 10, n).astype(float)
    cost = np.round(np.linalg.norm(c[:, None] - w[None], axis=2) * demand[:, None] * 10, 3)
    capacity = np.full(m, 30.0) if equal else rng.integers(15, 40, m).astype(float)
    return CflpInstance("random", capacity, rng.integers(20, 80, m).astype(float), demand, cost)


def _brute_cflp(inst: CflpInstance) -> tuple[float, np.ndarray]:
    m = inst.cost.shape[1]
    best, plan = math.inf, None
    for k in range(1, m + 1):
        for s in itertools.combinations(range(m), k):
            mask = np.zeros(m, bool)
            mask[list(s)] = True
            cost = transport_cost(inst, mask)
            if cost < best:
                best, plan = cost, mask
    return best, plan


@pytest.mark.parametrize(("seed", "equal"), [(11, True), (12, False), (13, True), (17, False)])
@pytest.mark.parametrize("spare", [3, -100])  # -100: no first MIP, the search does it all
def test_cflp_finds_the_brute_force_optimum(seed, equal, spare):
    inst = _cflp(seed, 9, 30, equal)
    best, plan = _brute_cflp(inst)
    assert math.isfinite(best)
    result = solve_cflp(inst, spare=spare)
    assert result.optimal and result.gap == 0
    assert result.cost == pytest.approx(best, rel=1e-9)
    assert transport_cost(inst, result.open) == pytest.approx(result.cost)
    # The bound is below the optimum, and so are its forced-open / forced-shut bounds
    # for the side the optimal plan is on.
    bound = lagrangian(inst, best)
    assert bound.value <= best + 1e-6
    for j in range(inst.cost.shape[1]):
        assert bound.forced(j, 1 if plan[j] else -1) <= best + 1e-6


def test_cflp_without_enough_capacity_has_no_plan():
    inst = _cflp(11, 4, 30, True)
    inst = CflpInstance("short", inst.capacity / 10, inst.fixed, inst.demand, inst.cost)
    result = solve_cflp(inst)
    assert not result.optimal and math.isnan(result.cost)
