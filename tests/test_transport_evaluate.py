"""Evaluating a given plan (e.g. the council's current one) against hand calculations."""

from __future__ import annotations

import pytest
from transport_tiny import MILE, line_problem

from geodata.errors import InputError
from optimise.transport.evaluate import PlanRoute, evaluate, parse_plan


@pytest.fixture
def prob():
    # base x=10, school S1 x=0 (bell 09:00, window 08:35-08:55); A at 2, B at 4, C at 6.
    return line_problem(
        [{"id": "A", "x": 2, "max_ride_min": 10}, {"id": "B", "x": 4}, {"id": "C", "x": 6}]
    )


def test_good_order_matches_hand_calculation(prob):
    plan = parse_plan("route,vehicle_type,sequence,id\nR1,bus,1,C\nR1,bus,2,B\nR1,bus,3,A\n")
    res = evaluate(prob, plan)
    assert res.daily_cost == pytest.approx(100 + 10_000 / MILE)  # 10 km at £1/mile + £100
    assert list(res.ride_s) == [120, 280, 440]
    assert res.feasible and res.ride_limit_violations == 0
    school = res.routes[0].visits[-1]
    assert school.arrive_s == 8 * 3600 + 55 * 60  # at the end of the window
    assert [v.load for v in res.routes[0].visits] == [1, 2, 3, 0]


def test_bad_order_costs_more_and_breaks_the_limit(prob):
    # A (2) → B (4) → C (6) → school: 8 + 2 + 2 + 6 = 18 km. C rides 6 min; B 2 + 6 min
    # + 40 s; A 2 + 2 + 6 min + 80 s = 680 s, over A's 10 min limit.
    plan = parse_plan("route,vehicle_type,id\nR1,bus,A\nR1,bus,B\nR1,bus,C\n")
    res = evaluate(prob, plan)
    assert res.daily_cost == pytest.approx(100 + 18_000 / MILE)
    assert list(res.ride_s) == [680, 520, 360]
    assert res.ride_limit_violations == 1
    assert any("pupil A rides 11.3 min, limit 10" in v for v in res.violations)


def test_capacity_availability_and_missing_pupils(prob):
    plan = (
        PlanRoute("R1", "bus", ("A",)),
        PlanRoute("R2", "bus", ("B",)),
        PlanRoute("R3", "bus", ("A",)),
        PlanRoute("R4", "bus", ()),
    )
    res = evaluate(prob, plan)
    assert any("A is on another route too" in v for v in res.violations)
    assert [prob.pupil_ids[u.pupil] for u in res.unserved] == ["C"]
    tight = prob.replace(
        vehicles=tuple(type(v)(**{**v.__dict__, "available": 1}) for v in prob.vehicles)
    )
    res = evaluate(tight, plan[:2])
    assert any("2 routes, 1 available" in v for v in res.violations)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("route,id\nR1,A\n", "missing column"),
        ("route,vehicle_type,id\nR1,bus,\n", "must not be empty"),
        ("route,vehicle_type,id\nR1,bus,A\nR1,taxi,B\n", "one vehicle"),
        ("route,vehicle_type,sequence,id\nR1,bus,x,A\n", "expected a number"),
    ],
)
def test_bad_plan_files_say_what_is_wrong(text, match):
    with pytest.raises(InputError, match=match):
        parse_plan(text)


def test_unknown_ids_are_input_errors(prob):
    with pytest.raises(InputError, match="unknown vehicle type 'van'"):
        evaluate(prob, (PlanRoute("R1", "van", ("A",)),))
    with pytest.raises(InputError, match="unknown pupil or stop 'Z'"):
        evaluate(prob, (PlanRoute("R1", "bus", ("Z",)),))
