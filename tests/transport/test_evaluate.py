"""Evaluating a given plan (e.g. the council's current one) against hand calculations."""

from __future__ import annotations

import pytest

from geodata.errors import InputError
from optimise.transport.routing.evaluate import PlanRoute, evaluate, parse_plan
from tests.transport.tiny import MILE, line_problem


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
    assert any("2 vehicles, 1 available" in v for v in res.violations)


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


def test_one_vehicle_two_trips_pays_one_day_rate():
    # S1 x=0 bell 08:30 (window 08:05-08:25), S2 x=1 bell 09:00 (08:35-08:55).
    # Vehicle V1: base 10 → A (2) → S1 (0): 10 km; then S1 → B (3) → S2 (1): 3 + 2 = 5 km.
    # One day rate: £100 + 15 km at £1/mile. Rides: A 2 min, B 2 min.
    schools = {"S1": (0.0, "08:30"), "S2": (1.0, "09:00")}
    prob = line_problem(
        [{"id": "A", "x": 2, "school": "S1"}, {"id": "B", "x": 3, "school": "S2"}],
        schools=schools,
    )
    text = "route,vehicle_type,id,vehicle\nT2,bus,B,V1\nT1,bus,A,V1\n"
    res = evaluate(prob, parse_plan(text))
    assert res.feasible, res.violations
    assert res.vehicles == 1 and len(res.routes) == 2
    assert res.daily_cost == pytest.approx(100 + 15_000 / MILE)
    assert list(res.ride_s) == [120, 120]
    # The second trip leaves S1 at 08:55 − 2 min − 40 s dwell − 3 min = 08:49:20, so the
    # first may arrive as late as its window allows (08:25), as a planner may time it.
    second, first = res.routes  # in the plan's order: T2, T1
    assert first.visits[-1].arrive_s == 8 * 3600 + 25 * 60
    assert second.start_s == 8 * 3600 + 49 * 60 + 20
    # Without the vehicle column each route is its own vehicle: two day rates, and the
    # second route's miles from the base (10 → 3 → 1 = 9 km).
    apart = evaluate(prob, parse_plan("route,vehicle_type,id\nT2,bus,B\nT1,bus,A\n"))
    assert apart.vehicles == 2
    assert apart.daily_cost == pytest.approx(200 + 19_000 / MILE)


def test_a_middle_trip_arrives_as_late_as_the_next_trip_allows():
    # Three trips of one vehicle: A (2 km) → S1 (window 08:05-08:25), S1 → B (20 km) →
    # S2 (1 km, 08:35-08:55), S2 → C (3 km) → S3 (2 km, 09:05-09:25). B's trip takes
    # 20 + 19 min + 40 s: arriving at the start of S2's window it would leave S1 at
    # 07:55:20, before A's trip could drop there; arriving at 08:55 it leaves at 08:15:20,
    # so A's trip arrives at 08:14:40 and drops by then (as a planner times the chain).
    schools = {"S1": (0.0, "08:30"), "S2": (1.0, "09:00"), "S3": (2.0, "09:30")}
    prob = line_problem([{"id": "A", "x": 2, "school": "S1"}, {"id": "B", "x": 20, "school": "S2"},
                         {"id": "C", "x": 3, "school": "S3"}], schools=schools)  # fmt: skip
    text = "route,vehicle_type,id,vehicle\nT1,bus,A,V1\nT2,bus,B,V1\nT3,bus,C,V1\n"
    res = evaluate(prob, parse_plan(text))
    assert res.feasible, res.violations
    first, middle, _ = res.routes
    assert middle.start_s == 8 * 3600 + 15 * 60 + 20
    assert first.visits[-1].arrive_s == 8 * 3600 + 14 * 60 + 40
    assert middle.visits[-1].arrive_s == 8 * 3600 + 55 * 60


def test_second_trip_that_cannot_make_it_is_a_violation():
    # S2's window ends 08:35, 5 min after S1's: the vehicle cannot drop at S1 and then
    # collect B 20 km away in time.
    schools = {"S1": (0.0, "08:30"), "S2": (1.0, "08:40")}
    prob = line_problem(
        [{"id": "A", "x": 2, "school": "S1"}, {"id": "B", "x": 21, "school": "S2"}],
        schools=schools,
    )
    res = evaluate(prob, parse_plan("route,vehicle_type,id,vehicle\nT1,bus,A,V1\nT2,bus,B,V1\n"))
    assert any("before route T1 has dropped there" in v for v in res.violations)
    assert res.vehicles == 1
    with pytest.raises(InputError, match="column vehicle"):
        parse_plan("route,vehicle_type,id,vehicle\nT1,bus,A,V1\nT1,bus,B,V2\n")


def test_shared_run_of_schools_that_may_not_share_is_a_violation():
    # A (S1) and B (S2) on one route: fine when both schools allow shared runs.
    pupils = [{"id": "A", "x": 5, "school": "S1"}, {"id": "B", "x": 6, "school": "S2"}]
    plan = parse_plan("route,vehicle_type,id\nR1,bus,B\nR1,bus,A\n")
    both = {"S1": (0.0, "09:00"), "S2": (1.0, "09:00")}
    res = evaluate(line_problem(pupils, schools=both), plan)
    assert res.feasible and res.routes[0].schools == (0, 1)
    # 10 → 6 → 5 → 0 → 1: 11 km; B rides 7 min + A's 40 s dwell.
    assert res.daily_cost == pytest.approx(100 + 11_000 / MILE)
    assert list(res.ride_s) == [300, 460]
    alone = {"S1": (0.0, "09:00"), "S2": (1.0, "09:00", "15:15", False)}
    res = evaluate(line_problem(pupils, schools=alone), plan)
    assert any("schools S1 and S2 may not share a vehicle" in v for v in res.violations)
    apart = line_problem(pupils, schools=both).replace(never_share=((0, 1),))
    assert not evaluate(apart, plan).feasible
