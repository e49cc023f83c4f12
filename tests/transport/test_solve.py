"""Route mapping on tiny straight-road instances whose optimal plans are known by hand."""

from __future__ import annotations

import pytest

from optimise.transport import RoutingParams, solve
from tests.transport.tiny import MILE, line_problem

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
        [{"id": "A", "x": 12, "wheelchair": True}, {"id": "B", "x": 13, "wheelchair": True}],
        fleet=_chair_fleet(chair_buses=1),
    )
    # One wheelchair vehicle in the file, and the two runs (26 min there and back) do not
    # fit one 20-minute arrival window: the second vehicle is hired.
    res = _solve(short)
    assert res.unserved == () and res.details["vehicles_to_procure"] == {"wav": 1}


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


def test_pupil_beyond_the_limit_is_carried_directly_and_flagged():
    """The duty to carry: a pupil whose direct drive is over the limit rides, alone on
    the way (no detour for anyone else), and is flagged with the direct ride."""
    prob = line_problem([{"id": "A", "x": 2}, {"id": "far", "x": 50, "max_ride_min": 45}])
    res = _solve(prob)
    assert res.unserved == ()
    far = prob.pupil_ids.index("far")
    assert res.ride_s[far] == 3000  # the direct drive: 50 km at 1 km a minute
    (flag,) = res.details["ride_limit_exceeded_unavoidably"]
    assert flag == {"pupil": far, "direct_ride_s": 3000, "limit_s": 2700}
    assert res.summary()["ride_limit_exceeded_unavoidably"] == 1
    assert res.ride_limit_violations == 0


def test_no_beyond_limit_carry_for_a_pupil_no_vehicle_fits():
    prob = line_problem([{"id": "far", "x": 50, "max_ride_min": 45, "wheelchair": True}])
    res = _solve(prob)
    (u,) = res.unserved
    assert "no wheelchair-accessible vehicle" in u.reason
    assert res.details["ride_limit_exceeded_unavoidably"] == []


SIX = [{"id": f"P{i}", "x": 3 + i / 10} for i in range(6)]
SMALL = [{"id": "bus", "seats": 4, "wheelchair_spaces": 0, "day_rate": 100.0,
          "cost_per_mile": 1.0, "available": 1}]  # fmt: skip


def test_a_fleet_shortfall_is_hired_not_left_at_home():
    """One vehicle of 4 seats for 6 pupils: the rest ride a spot-hired one, listed as
    vehicles to procure at the premium day rate."""
    prob = line_problem(SIX, fleet=SMALL)
    res = _solve(prob)
    assert res.unserved == () and (res.ride_s >= 0).all()
    hired = [r for r in res.routes if prob.vehicles[r.vehicle].hired]
    assert len(hired) == 1 and res.details["vehicles_to_procure"] == {"bus": 1}
    premium = prob.policy.spot_hire_premium
    assert prob.vehicles[hired[0].vehicle].day_rate == pytest.approx(
        premium * prob.vehicles[0].day_rate
    )
    assert res.summary()["spot_hire_cost_gbp"] == pytest.approx(
        hired[0].daily_cost * prob.policy.school_days, abs=1
    )


def test_no_hire_when_the_premium_is_zero():
    from models.transport import TransportPolicy, spot_hire

    policy = TransportPolicy(spot_hire_premium=0)
    prob = line_problem(SIX, fleet=SMALL)
    assert spot_hire(prob.vehicles, policy.spot_hire_premium, 6) == ()
    own = prob.replace(vehicles=tuple(v for v in prob.vehicles if not v.hired), policy=policy)
    res = _solve(own)
    assert len(res.unserved) == 2 and "no vehicle" in res.unserved[0].reason


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
    # without a second trip the one vehicle cannot take B after A: B goes on a hired
    # bus, and the two schools' routes are then joined into the fleet's one (no hire)
    assert len(single.routes) == 1 and not single.unserved
    assert set(single.routes[0].schools) == {0, 1}
    assert single.details["vehicles_to_procure"] == {}


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
    # Both stopped on the iteration count, so the summary says the plan repeats.
    assert a.summary()["repeatable"] is True


def test_a_plan_stopped_by_the_clock_says_it_may_not_repeat():
    prob = line_problem([{"id": "a", "x": 3.0}, {"id": "b", "x": 5.0}])
    result = solve(prob, params=RoutingParams(max_iterations=0), time_limit=1.0, seed=1)
    assert result.summary()["repeatable"] is False
    assert result.details["searches_stopped_by_time_limit"] >= 1


def test_excluded_vehicle_type_is_never_used_for_that_pupil():
    from optimise.transport.routing.evaluate import PlanRoute, evaluate

    pupils = [{"id": "A", "x": 2}, {"id": "B", "x": 3}]
    assert [v for v in _vehicle_ids(line_problem(pupils, fleet=_chair_fleet()))] == ["taxi"]
    pupils[0]["excluded_vehicles"] = "taxi"
    prob = line_problem(pupils, fleet=_chair_fleet())
    assert _vehicle_ids(prob) == ["wav"]  # £150 + miles: dearer, but A may not use a taxi
    res = evaluate(prob, (PlanRoute("R1", "taxi", ("A", "B")),))
    assert any("pupil A may not travel in a taxi" in v for v in res.violations)
    # A pupil who excludes every type is reported, not routed.
    pupils[0]["excluded_vehicles"] = "taxi;wav"
    prob = line_problem(pupils, fleet=_chair_fleet())
    res = _solve(prob)
    assert _ids(prob, res) == [("B",)]
    assert "no vehicle they may use" in res.unserved[0].reason


def test_unknown_excluded_vehicle_type_names_row_and_field():
    from geodata.errors import ValidationError

    with pytest.raises(ValidationError, match=r"pupils, row 3, field 'excluded_vehicles'.*'van'"):
        line_problem([{"id": "A", "x": 2}, {"id": "B", "x": 3, "excluded_vehicles": "bus;van"}])


def _vehicle_ids(prob):
    return [prob.vehicles[r.vehicle].id for r in _solve(prob).routes]


def _two_schools(**kw):
    # S1 at x=0, S2 at x=1, both bell 09:00 (S1 is dropped first); A (S1) at 5, B (S2)
    # at 6; base at 10. Apart: 10 → 5 → 0 (10 km) and 10 → 6 → 1 (9 km): £200 + 19 km.
    # Joined: 10 → 6 → 5 → 0 → 1 = 11 km, £100 + 11 km; B rides 7 min + 40 s dwell.
    # Any joined route takes B 6 → 0 → 1, 7 min at least; alone B rides 5 min.
    schools = {"S1": (0.0, "09:00"), "S2": (1.0, "09:00", "15:15", kw.pop("multi", True))}
    pupils = [{"id": "A", "x": 5, "school": "S1"}, {"id": "B", "x": 6, "school": "S2", **kw}]
    return line_problem(pupils, schools=schools)


def test_routes_of_two_schools_are_joined_when_it_saves():
    prob = _two_schools()
    res = _solve(prob)
    assert len(res.routes) == 1 and res.routes[0].schools == (0, 1)
    assert res.daily_cost == pytest.approx(100 + 11_000 / MILE)
    assert list(res.ride_s) == [300, 460]
    assert res.summary()["multi_school_routes"] == 1 and res.ride_limit_violations == 0
    # Without shared runs one vehicle runs both schools' routes, B's first (S2 at 1 is
    # reached via 6 from the base at 10, then A at 5 and S1 at 0): £100 + 9 + 9 km.
    apart = _solve(prob, RoutingParams(max_iterations=300, multi_school=False))
    assert len(apart.routes) == 2 and apart.vehicles == 1
    assert apart.daily_cost == pytest.approx(100 + 18_000 / MILE)
    # Nor second trips: two vehicles, £200 + 19 km.
    apart = _solve(prob, RoutingParams(max_iterations=300, multi_school=False, multi_trip=False))
    assert len(apart.routes) == 2
    assert apart.daily_cost == pytest.approx(200 + 19_000 / MILE)


@pytest.mark.parametrize(
    "blocked",
    ["never_share", "school_policy", "ride_limit"],
)
def test_schools_that_may_not_share_are_kept_apart(blocked):
    if blocked == "never_share":
        prob = _two_schools().replace(never_share=((1, 0),))
    elif blocked == "school_policy":
        prob = _two_schools(multi=False)
    else:  # any joined route gives B at least 7 min, over a 6.5 min limit
        prob = _two_schools(max_ride_min=6.5)
    res = _solve(prob)
    assert sorted(r.schools for r in res.routes) == [(0,), (1,)]
    assert not res.unserved


def _pm(prob, **kw):
    from optimise.transport.routing.afternoon import solve_pm

    return solve_pm(prob, params=FAST, time_limit=10.0, seed=1, **kw)


def test_afternoon_run_drops_in_reverse_and_keeps_the_ride_limit():
    # School at 0 ends 15:15; pupils leave at 15:25 (10 min delay). Drop A (2), B (4),
    # C (6), then back to the base at 10: 10 km. Rides: A 2 min; B 4 min + A's 40 s
    # dwell; C 6 min + two dwells (mirror of the morning test).
    prob = line_problem([{"id": "A", "x": 2}, {"id": "B", "x": 4}, {"id": "C", "x": 6}])
    res = _pm(prob)
    (r,) = res.routes
    assert r.run == "pm" and r.id.startswith("PM")
    assert [prob.pupil_ids[p] for p in r.pupils] == ["A", "B", "C"]
    assert r.visits[0].school == 0 and r.visits[0].depart_s == 15 * 3600 + 25 * 60
    assert [v.load for v in r.visits] == [3, 2, 1, 0]
    assert r.visits[1].arrive_s == 15 * 3600 + 27 * 60  # 2 km after leaving
    assert list(res.ride_s) == [120, 280, 440]
    assert res.daily_cost == pytest.approx(100 + 10_000 / MILE)


@pytest.mark.parametrize(("limit", "routes"), [(16, 1), (15, 2)])
def test_afternoon_ride_limit_binds(limit, routes):
    # Mirror of test_ride_limit_binds: pupils 5 km either side of the school; one
    # vehicle drops the second 5 + 40 s dwell + 10 min after leaving = 15.67 min.
    pupils = [
        {"id": "A", "x": 5, "max_ride_min": limit},
        {"id": "B", "x": -5, "max_ride_min": limit},
    ]
    res = _pm(line_problem(pupils, base_x=0))
    assert len(res.routes) == routes
    assert res.ride_s.max() <= limit * 60 and not res.unserved


def test_close_bells_are_chained_in_one_vehicle():
    # S1 at 0, bell 08:50 (window 08:25-08:45); S2 at 1, bell 09:00 (08:35-08:55), no
    # shared runs (multi_school False). A (S1) at 2, B (S2) at -12; base at 10.
    # Apart: 10 → 2 → 0 (10 km) and 10 → -12 → 1 (35 km): £200 + 45 km. The solver's
    # own second trip fails: leaving S1 at 08:45:40, B is reached at 08:57:40. Chained,
    # the first trip arrives at 08:25, the vehicle leaves S1 at 08:25:40 at the
    # earliest and needs 08:38:00 to reach S2 via B (12 min + 40 s + 13 min ≤ 08:55).
    # One day rate: £100 + 10 km + 25 km.
    schools = {"S1": (0.0, "08:50"), "S2": (1.0, "09:00", "15:15", False)}
    pupils = [{"id": "A", "x": 2, "school": "S1"}, {"id": "B", "x": -12, "school": "S2"}]
    prob = line_problem(pupils, schools=schools)
    res = _solve(prob)
    assert res.details["chained_pairs"] == 1 and res.vehicles == 1
    first, second = sorted(res.routes, key=lambda r: r.start_s)
    assert first.schools == (0,) and second.schools == (1,) and second.unit == first.id
    assert first.visits[-1].arrive_s == 8 * 3600 + 25 * 60
    assert second.start_s >= first.visits[-1].arrive_s + 40
    assert res.daily_cost == pytest.approx(100 + 35_000 / MILE)
    assert list(res.ride_s) == [120, 780] and res.ride_limit_violations == 0
    # Neither shared runs nor second trips: two vehicles.
    apart = _solve(prob, RoutingParams(max_iterations=300, multi_school=False, multi_trip=False))
    assert apart.vehicles == 2
    assert apart.daily_cost == pytest.approx(200 + 45_000 / MILE)


def test_unknown_excluded_vehicle_is_named_on_its_spreadsheet_row(tmp_path):
    # A blank line before the rows: the error names the row a spreadsheet shows (4).
    from geodata.errors import ValidationError
    from geodata.read import read
    from models.transport import _excluded

    vehicles = line_problem([{"id": "A", "x": 2}]).vehicles
    path = tmp_path / "pupils.csv"
    path.write_text(
        "id,school_id,age,lon,lat,excluded_vehicles\n\n"
        f"P1,S1,9,-1.6,55.1,{vehicles[0].id}\nP2,S1,9,-1.6,55.1,van\n",
        encoding="utf-8",
    )
    frame = read(path, "pupils").frame
    with pytest.raises(ValidationError) as err:
        _excluded(frame, tuple(frame["id"]), vehicles)
    assert [(p.row, p.field) for p in err.value.problems] == [(4, "excluded_vehicles")]
