"""The county planner (route pools, then one MILP) on instances checkable by hand, and
its independence of the number of worker processes."""

from __future__ import annotations

import numpy as np
import pytest

from optimise.transport import RoutingParams, solve
from optimise.transport.routing.county import _items, _tasks, settings
from tests.transport.tiny import MILE, line_problem

COUNTY = RoutingParams(max_iterations=300, planner="county")
GREEDY = RoutingParams(max_iterations=300, planner="greedy")


def _chair_pupils_one_wav():
    # One school at 0 (bell 09:00, arrival window 08:35-08:55), the base at 10, two
    # wheelchair users at 2 and 3, and one wheelchair vehicle (one space) in the file.
    fleet = [
        {"id": "taxi", "seats": 4, "wheelchair_spaces": 0, "day_rate": 50.0,
         "cost_per_mile": 1.0, "available": 2},
        {"id": "wav", "seats": 8, "wheelchair_spaces": 1, "day_rate": 150.0,
         "cost_per_mile": 1.0, "available": 1},
    ]  # fmt: skip
    pupils = [{"id": "A", "x": 2, "wheelchair": True}, {"id": "B", "x": 3, "wheelchair": True}]
    return line_problem(pupils, fleet=fleet)


def test_the_milp_chains_two_runs_that_the_greedy_order_hires_for():
    prob = _chair_pupils_one_wav()
    # School by school, one search per school gives each pupil a vehicle of its own: the
    # file's one wheelchair vehicle and a hired one (1.5 x £150).
    greedy = solve(prob, params=GREEDY, time_limit=10, seed=1)
    assert greedy.details["vehicles_to_procure"] == {"wav": 1} and not greedy.unserved
    # The county MILP chains the two runs in the one vehicle: 10 -> 3 -> 0 arriving at
    # 08:35, free at 08:35:40 (30 s + 10 s a pupil), then 0 -> 2 -> 0 arriving by
    # 08:40:20, inside the window. £150 + 10 km + 4 km, nothing hired.
    county = solve(prob, params=COUNTY, time_limit=10, seed=1)
    assert not county.unserved and county.details["vehicles_to_procure"] == {}
    assert county.vehicles == 1 and len(county.routes) == 2
    assert county.daily_cost == pytest.approx(150 + 14_000 / MILE)
    assert county.daily_cost < greedy.daily_cost
    assert county.details["master_status"] == "optimal"
    assert county.details["master_gap"] == pytest.approx(0, abs=1e-6)
    assert county.details["chained_pairs"] == 1
    summary = county.summary()
    for key in ("routes_generated", "master_gap", "generation_s", "selection_s"):
        assert key in summary, key
    assert summary["repeatable"] is True


def test_a_pupil_no_vehicle_type_can_carry_is_the_only_unserved():
    fleet = [{"id": "taxi", "seats": 4, "wheelchair_spaces": 0, "day_rate": 50.0,
              "cost_per_mile": 1.0, "available": 1}]  # fmt: skip
    pupils = [{"id": "A", "x": 2, "wheelchair": True}] + [
        {"id": f"P{i}", "x": 3 + i} for i in range(9)
    ]
    prob = line_problem(pupils, fleet=fleet)
    res = solve(prob, params=COUNTY, time_limit=10, seed=1)
    assert [prob.pupil_ids[u.pupil] for u in res.unserved] == ["A"]
    assert "no wheelchair-accessible vehicle" in res.unserved[0].reason
    # Nine pupils, one taxi of four seats in the file: the rest is hired, nobody left.
    assert sum(len(r.pupils) for r in res.routes) == 9
    assert sum(res.details["vehicles_to_procure"].values()) >= 1


def _county_of_schools():
    schools = {f"S{i}": (10.0 * i, f"08:{30 + 10 * (i % 3):02d}") for i in range(4)}
    pupils = [
        {"id": f"P{k}", "x": 10.0 * (k % 4) + (k % 7) - 3, "school": f"S{k % 4}"} for k in range(28)
    ]
    fleet = [{"id": "bus", "seats": 8, "wheelchair_spaces": 0, "day_rate": 100.0,
              "cost_per_mile": 1.0, "available": 6}]  # fmt: skip
    return line_problem(pupils, schools=schools, fleet=fleet)


def _plan(result):
    return sorted((r.unit, r.vehicle, tuple(v.location for v in r.visits)) for r in result.routes)


def test_same_plan_on_one_and_two_workers():
    prob = _county_of_schools()
    one = solve(prob, params=COUNTY, time_limit=30, seed=5, workers=1)
    two = solve(prob, params=COUNTY, time_limit=30, seed=5, workers=2)
    assert one.details["searches_stopped_by_time_limit"] == 0  # else the clock decides
    assert one.details["master_status"] == "optimal"
    assert _plan(one) == _plan(two) and one.daily_cost == two.daily_cost
    assert one.details["workers"] == 1 and two.details["workers"] == 2
    assert not one.unserved and one.ride_limit_violations == 0


def test_the_county_plan_is_never_dearer_than_the_greedy_start():
    prob = _county_of_schools()
    greedy = solve(prob, params=GREEDY, time_limit=30, seed=5)
    county = solve(prob, params=COUNTY, time_limit=30, seed=5)
    assert county.daily_cost <= greedy.daily_cost + 1e-6
    assert len({p for r in county.routes for p in r.pupils}) == prob.num_pupils


def test_an_unknown_planner_is_refused():
    with pytest.raises(ValueError, match="planner: expected county or greedy"):
        RoutingParams(planner="fast")


def test_the_greedy_plan_is_the_plan_when_it_takes_most_of_the_time():
    # Searches stopped by the clock only (max_iterations 0): the school-by-school plan
    # and the pool take their whole share of the limit, too little is left for the
    # MILP, and the summary says so rather than returning a rushed county plan.
    prob = _county_of_schools()
    res = solve(prob, params=RoutingParams(max_iterations=0), time_limit=2, seed=5)
    assert res.details["county_step"].startswith(
        "not run: the school-by-school plan and the route pool took"
    )
    assert "county_step" in res.summary() and "master_status" not in res.details
    assert len({p for r in res.routes for p in r.pupils}) == prob.num_pupils


def test_a_master_gap_of_one_or_more_is_refused():
    with pytest.raises(ValueError, match="master_gap: expected a fraction below 1"):
        RoutingParams(master_gap=1.0)
    with pytest.raises(ValueError, match="master_gap"):
        RoutingParams(master_gap=-0.1)


def test_ride_caps_and_free_bucket_are_checked():
    assert RoutingParams(ride_caps=[1, 0.5]).ride_caps == (1.0, 0.5)  # a TOML list
    for bad in ((), (1.0, 0.0), (1.2,), ("x",), 0.7):
        with pytest.raises(ValueError, match="ride_caps: expected a list of fractions"):
            RoutingParams(ride_caps=bad)
    with pytest.raises(ValueError, match="free_bucket_s must be positive"):
        RoutingParams(free_bucket_s=0)
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match="generation_share: expected a fraction"):
            RoutingParams(generation_share=bad)


def test_the_searches_per_school_follow_ride_caps():
    # The first cap arrives late and early; each further cap late only; the index
    # seeds the search, so the default two caps give the searches they always gave.
    assert settings(RoutingParams()) == [(0, False, 1.0), (1, True, 1.0), (2, False, 0.7)]
    three = settings(RoutingParams(ride_caps=(0.9, 0.6, 0.3)))
    assert three == [(0, False, 0.9), (1, True, 0.9), (2, False, 0.6), (3, False, 0.3)]


def test_a_school_without_a_window_gets_no_early_search():
    # Arriving at the start of the window is the same as at its end when the window is
    # an instant (the school-bus benchmark's): that search is not run twice.
    prob = line_problem([{"id": f"p{i}", "x": 2.0 + i} for i in range(3)])
    params = RoutingParams()
    items = _items(prob, set(), params)
    early = [t[3] for t in _tasks(prob, items, params, 0, 10.0, 1e12)]
    assert len(early) == 3 and len(set(early)) == 2  # late ×2 caps, early once
    point = np.full(len(prob.school_ids), 5)
    instant = prob.replace(arrive_min_before=point, arrive_max_before=point)
    tasks = _tasks(instant, _items(instant, set(), params), params, 0, 10.0, 1e12)
    assert [(t[3], t[4]) for t in tasks] == [(9 * 3600 - 300, 1.0), (9 * 3600 - 300, 0.7)]
