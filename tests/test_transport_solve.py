"""Route mapping on tiny straight-road instances whose optimal plans are known by hand."""

from __future__ import annotations

import pytest
from transport_tiny import MILE, line_problem

from optimise.transport import RoutingParams, solve

FAST = RoutingParams(max_iterations=300)


def _solve(problem, params=FAST, seed=1):
    return solve(problem, params=params, time_limit=10.0, seed=seed)


def _ids(problem, result):
    return sorted(tuple(problem.pupil_ids[p] for p in r.pupils) for r in result.routes)


def test_one_route_collects_on_the_way_in():
    # base x=10 → C (6) → B (4) → A (2) → school (0): 10 km, one £100 bus at £1/mile.
    prob = line_problem([{"id": "A", "x": 2}, {"id": "B", "x": 4}, {"id": "C", "x": 6}])
    res = _solve(prob)
    assert _ids(prob, res) == [("C", "B", "A")]
    assert res.routes[0].metres == 10_000
    assert res.daily_cost == pytest.approx(100 + 10_000 / MILE)
    assert res.annual_cost == pytest.approx(res.daily_cost * 190)
    # Rides: 2 min; 2 + 2 min + 40 s dwell; 6 min + two dwells.
    assert list(res.ride_s) == [120, 280, 440]
    assert res.feasible and not res.unserved and res.ride_limit_violations == 0


@pytest.mark.parametrize(("limit", "routes"), [(16, 1), (15, 2)])
def test_ride_limit_binds(limit, routes):
    # Pupils 5 km either side of the school (base at the school). One vehicle: the first
    # collected rides 10 min + 40 s dwell + 5 min = 15.67 min. A 15 min limit needs two.
    pupils = [
        {"id": "A", "x": 5, "max_ride_min": limit},
        {"id": "B", "x": -5, "max_ride_min": limit},
    ]
    prob = line_problem(pupils, base_x=0)
    res = _solve(prob)
    assert len(res.routes) == routes
    assert res.ride_s.max() <= limit * 60
    assert not res.unserved


def _chair_fleet(chair_buses=2):
    return [
        {"id": "taxi", "seats": 4, "wheelchair_spaces": 0, "day_rate": 50.0,
         "cost_per_mile": 1.0, "available": 2},
        {"id": "wav", "seats": 8, "wheelchair_spaces": 1, "day_rate": 150.0,
         "cost_per_mile": 1.0, "available": chair_buses},
    ]  # fmt: skip


def test_wheelchair_user_needs_a_wheelchair_space():
    plain = line_problem([{"id": "A", "x": 2}, {"id": "B", "x": 3}], fleet=_chair_fleet())
    res = _solve(plain)
    assert [plain.vehicles[r.vehicle].id for r in res.routes] == ["taxi"]
    chair = line_problem(
        [{"id": "A", "x": 2, "wheelchair": True}, {"id": "B", "x": 3}], fleet=_chair_fleet()
    )
    res = _solve(chair)
    # One wheelchair vehicle carries both (£150 + miles) rather than it plus a taxi.
    assert [chair.vehicles[r.vehicle].id for r in res.routes] == ["wav"]
    both = line_problem(
        [{"id": "A", "x": 2, "wheelchair": True}, {"id": "B", "x": 3, "wheelchair": True}],
        fleet=_chair_fleet(),
    )
    res = _solve(both)  # one space per vehicle: two wheelchair vehicles
    assert sorted(both.vehicles[r.vehicle].id for r in res.routes) == ["wav", "wav"]
    short = line_problem(
        [{"id": "A", "x": 2, "wheelchair": True}, {"id": "B", "x": 3, "wheelchair": True}],
        fleet=_chair_fleet(chair_buses=1),
    )
    res = _solve(short)
    assert len(res.unserved) == 1 and "wheelchair" in res.unserved[0].reason


def test_solo_pupil_travels_alone():
    pupils = [{"id": "A", "x": 3}, {"id": "B", "x": 3.5}]
    assert len(_solve(line_problem(pupils)).routes) == 1
    pupils[0]["solo"] = True
    prob = line_problem(pupils)
    res = _solve(prob)
    assert _ids(prob, res) == [("A",), ("B",)]


def test_no_share_pair_is_kept_apart():
    prob = line_problem([{"id": "A", "x": 3}, {"id": "B", "x": 3.5}, {"id": "C", "x": 4}])
    assert len(_solve(prob).routes) == 1
    apart = prob.replace(no_share=((0, 1),))
    res = _solve(apart)
    assert len(res.routes) == 2
    assert all({0, 1} - set(r.pupils) for r in res.routes)


def test_pupil_beyond_the_limit_is_reported_not_routed():
    prob = line_problem([{"id": "A", "x": 2}, {"id": "far", "x": 50, "max_ride_min": 45}])
    res = _solve(prob)
    assert _ids(prob, res) == [("A",)]
    (u,) = res.unserved
    assert prob.pupil_ids[u.pupil] == "far"
    assert "exceeds the ride limit" in u.reason
    assert u.best_ride_s == 3000 and u.max_ride_s == 2700
    assert res.ride_s[u.pupil] == -1


def test_second_trip_to_a_later_bell_reuses_the_vehicle():
    schools = {"S1": (0.0, "08:30"), "S2": (1.0, "09:00")}
    pupils = [{"id": "A", "x": 2, "school": "S1"}, {"id": "B", "x": 3, "school": "S2"}]
    fleet = [{"id": "bus", "seats": 16, "wheelchair_spaces": 0, "day_rate": 100.0,
              "cost_per_mile": 1.0, "available": 1}]  # fmt: skip
    prob = line_problem(pupils, schools=schools, fleet=fleet)
    res = _solve(prob)
    assert len(res.routes) == 2 and res.vehicles == 1 and not res.unserved
    # base 10 → A 2 → S1 0 (10 km), then S1 0 → B 3 → S2 1 (5 km); day rate paid once.
    assert res.daily_cost == pytest.approx(100 + 15_000 / MILE)
    single = _solve(prob, RoutingParams(max_iterations=300, multi_trip=False))
    assert len(single.routes) == 1 and len(single.unserved) == 1


def test_assistant_day_rate_is_paid_once_per_route():
    prob = line_problem([{"id": "A", "x": 2, "assistant": True}, {"id": "B", "x": 4}])
    res = _solve(prob)
    assert len(res.routes) == 1 and res.routes[0].assistant
    assert res.daily_cost == pytest.approx(100 + 10_000 / MILE + 85.0)


def test_same_seed_same_plan():
    import numpy as np

    rng = np.random.default_rng(7)
    pupils = [
        {"id": f"p{i}", "x": float(x), "school": "S1" if i % 2 else "S2"}
        for i, x in enumerate(rng.uniform(-20, 20, 30))
    ]
    schools = {"S1": (0.0, "08:40"), "S2": (4.0, "09:00")}
    fleet = [{"id": "bus", "seats": 6, "wheelchair_spaces": 0, "day_rate": 100.0,
              "cost_per_mile": 1.0, "available": 12}]  # fmt: skip
    prob = line_problem(pupils, schools=schools, fleet=fleet)
    a, b = _solve(prob, seed=3), _solve(prob, seed=3)
    assert [r.pupils for r in a.routes] == [r.pupils for r in b.routes]
    assert a.daily_cost == b.daily_cost
    assert not a.unserved and a.ride_limit_violations == 0
