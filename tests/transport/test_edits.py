"""Working on a plan (issue #16): edits re-checked against every rule, a closed stop's
pupils re-assigned, and re-planning that keeps the locked routes exactly; on tiny
problems on a straight road (tests/transport/tiny.py: 1 km = 60 s)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from geodata.errors import InputError
from geodata.matrix import TravelMatrix
from models.transport import TransportProblem
from optimise.transport.output import routes_table
from optimise.transport.routing.edits import (
    EditedPlan,
    check,
    close_stop,
    from_result,
    lock,
    move,
    move_to_stop,
    problem_for,
    replan_around,
)
from optimise.transport.routing.evaluate import PlanRoute, evaluate
from optimise.transport.routing.params import RoutingParams
from optimise.transport.routing.solve import solve
from tests.transport.tiny import line_problem

FAST = RoutingParams(max_iterations=300)


def _two_routes(seats: int = 16, p2_limit: float = 60.0) -> tuple[TransportProblem, EditedPlan]:
    """P1 at 5 km on route A; P2 (at 20 km, limit ``p2_limit`` min) and P3 (19 km) on B."""
    fleet = [{"id": "bus", "seats": seats, "wheelchair_spaces": 0, "day_rate": 100.0,
              "cost_per_mile": 1.0, "available": 3}]  # fmt: skip
    problem = line_problem(
        [{"id": "P1", "x": 5.0}, {"id": "P2", "x": 20.0, "max_ride_min": p2_limit},
         {"id": "P3", "x": 19.0}], fleet=fleet)  # fmt: skip
    plan = EditedPlan((PlanRoute("A", "bus", ("P1",)), PlanRoute("B", "bus", ("P2", "P3"))))
    return problem, plan


def test_a_good_move_is_checked_and_costed():
    problem, plan = _two_routes()
    before, daily, _ = check(problem, plan)
    moved = move(problem, plan, "P1", "B")
    assert [r.id for r in moved.routes] == ["B"]  # route A emptied: gone
    assert moved.route("B").items == ("P2", "P3", "P1")  # on the way to school
    violations, daily2, annual2 = check(problem, moved)
    assert before == violations == ()
    assert daily2 < daily and annual2 == pytest.approx(daily2 * problem.policy.school_days)


def test_a_move_over_a_ride_limit_names_the_pupil_and_route():
    problem, plan = _two_routes(p2_limit=20.9)  # P2 rides 20.3 min alone (P3's stop)
    assert check(problem, plan)[0] == ()
    violations, *_ = check(problem, move(problem, plan, "P1", "B"))
    assert any(v.startswith("route B: pupil P2 rides") for v in violations), violations


def test_a_move_over_the_seats_names_the_route():
    problem, plan = _two_routes(seats=2)
    violations, *_ = check(problem, move(problem, plan, "P1", "B"))
    assert "route B: 3 seated pupils on 2 seats (bus)" in violations


def test_a_pupil_beyond_the_limit_even_direct_is_held_to_the_direct_drive():
    problem, plan = _two_routes(p2_limit=15.0)  # P2's direct drive is 20 min
    assert check(problem, EditedPlan((PlanRoute("B", "bus", ("P2",)),)))[0] == ()
    violations, *_ = check(problem, plan)  # P3's stop makes P2's ride longer than direct
    assert any(v.startswith("route B: pupil P2 rides 20.7 min, limit 20") for v in violations)


def test_unknown_pupil_or_route_and_locked_routes_are_one_line():
    problem, plan = _two_routes()
    with pytest.raises(InputError, match=r"^pupil 'P9' is not in this plan's data$"):
        move(problem, plan, "P9", "B")
    with pytest.raises(InputError, match=r"^route 'Z' is not in this plan$"):
        move(problem, plan, "P1", "Z")
    with pytest.raises(InputError, match=r"^route B is locked; unlock it to change it$"):
        move(problem, lock(plan, "B"), "P1", "B")
    with pytest.raises(InputError, match=r"^route A is locked"):
        move(problem, lock(plan, "A"), "P1", "B")


def _with_stops() -> TransportProblem:
    """Stops X (5 km) and Y (6 km); P1 and P2 near both, P3 only near X; all at X."""
    pupils = [{"id": "P1", "x": 5.2}, {"id": "P2", "x": 5.4}, {"id": "P3", "x": 4.5}]
    stops = [("X", 5.0), ("Y", 6.0)]
    frame = pd.DataFrame([{"id": p["id"], "school_id": "S1", "age": 12} for p in pupils])
    schools = pd.DataFrame({"id": ["S1"], "phase": ["secondary"], "bell_time": ["09:00"]})
    xs = [10.0, 0.0, *(x for _, x in stops), *(p["x"] for p in pupils)]
    ids = ["base:0", "school:S1", *(f"stop:{s}" for s, _ in stops),
           *(f"pupil:{p['id']}" for p in pupils)]  # fmt: skip
    km = np.abs(np.subtract.outer(np.asarray(xs), np.asarray(xs)))
    drive = TravelMatrix(ids, ids, np.rint(km * 60), np.rint(km * 1000), mode="drive")
    walk = np.array([[200.0, 800.0], [400.0, 600.0], [500.0, 5000.0]])  # P3: Y too far
    walk_m = TravelMatrix([p["id"] for p in pupils], [s for s, _ in stops],
                          np.rint(walk / 1.33), walk, mode="walk")  # fmt: skip
    fleet = [(pd.Series({"id": "bus", "seats": 16, "day_rate": 100.0, "cost_per_mile": 1.0,
                         "available": 3}), 0)]  # fmt: skip
    problem = TransportProblem.from_matrix(frame, schools, pd.DataFrame({"id": ["X", "Y"]}),
                                           fleet, drive, walk=walk_m)  # fmt: skip
    return problem.replace(pupil_stop=np.array([0, 0, 0]))


def test_a_closed_stops_pupils_go_to_the_nearest_open_stop_or_home():
    problem = _with_stops()
    plan = EditedPlan((PlanRoute("A", "bus", ("P1", "P2", "P3")),))
    closed = close_stop(problem, plan, "X")
    assert dict(closed.pickups) == {"P1": "Y", "P2": "Y", "P3": ""}
    edited = problem_for(problem, closed)
    assert list(edited.pupil_stop) == [1, 1, -1]
    assert sorted(closed.route("A").items) == ["P1", "P2", "P3"]
    result = evaluate(edited, closed.routes)
    kinds = [(problem.locations[v.location], len(v.pupils)) for v in result.routes[0].visits]
    assert ("stop:Y", 2) in kinds and ("pupil:P3", 1) in kinds
    assert check(problem, closed)[0] == ()
    with pytest.raises(InputError, match=r"^no pupil of this plan is picked up at stop X$"):
        close_stop(problem, closed, "X")
    with pytest.raises(InputError, match=r"^stop 'Q' is not a pick-up point of this plan$"):
        close_stop(problem, plan, "Q")
    with pytest.raises(InputError, match=r"^stop X is on locked route A; unlock it first$"):
        close_stop(problem, lock(plan, "A"), "X")


def test_a_pupil_moved_to_a_stop_joins_a_route_serving_it():
    problem = _with_stops().replace(pupil_stop=np.array([0, 1, 0]))  # P2 boards at Y
    plan = EditedPlan((PlanRoute("A", "bus", ("P1",)), PlanRoute("B", "bus", ("P2", "P3"))))
    moved = move_to_stop(problem, plan, "P1", "Y")
    assert dict(moved.pickups) == {"P1": "Y"}
    assert [r.id for r in moved.routes] == ["B"]  # route A emptied: gone
    assert moved.route("B").items in {("P1", "P2", "P3"), ("P2", "P1", "P3")}  # beside P2
    edited = problem_for(problem, moved)
    assert list(edited.pupil_stop) == [1, 1, 0]
    stops = [problem.locations[v.location] for v in evaluate(edited, moved.routes).routes[0].visits]
    assert stops == ["stop:Y", "stop:X", "school:S1"]  # P1 boards with P2: no new stop
    violations, daily, _ = check(problem, moved)
    assert violations == () and daily < check(problem, plan)[1]


def test_a_pupil_moved_to_a_stop_no_route_serves_stays_on_their_route():
    problem = _with_stops()
    plan = EditedPlan((PlanRoute("A", "bus", ("P1",)), PlanRoute("B", "bus", ("P2", "P3"))))
    moved = move_to_stop(problem, plan, "P2", "Y")
    assert moved.routes == plan.routes and dict(moved.pickups) == {"P2": "Y"}
    assert list(problem_for(problem, moved).pupil_stop) == [0, 1, 0]
    assert check(problem, moved)[0] == ()


def test_a_move_to_a_stop_is_refused_with_one_line():
    from optimise.transport.stops.reach import walk_limits

    problem = _with_stops()
    plan = EditedPlan((PlanRoute("A", "bus", ("P1",)), PlanRoute("B", "bus", ("P2", "P3"))))
    limit = f"{walk_limits(problem)[2]:,.0f}"
    for pupil, stop, message in (
        ("P3", "Y", f"pupil P3 would walk 5,000 m to stop Y; their walking limit is {limit} m"),
        ("P1", "Q", "stop 'Q' is not a pick-up point of this plan"),
        ("P9", "Y", "pupil 'P9' is not in this plan's data"),
        ("P1", "X", "pupil P1 is picked up at stop X already"),
    ):  # fmt: skip
        with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
            move_to_stop(problem, plan, pupil, stop)
    unsafe = problem.replace(stop_unsafe=np.array([False, True]))
    with pytest.raises(InputError, match=r"^stop Y is marked unsafe: no pupil is picked up there$"):
        move_to_stop(unsafe, plan, "P1", "Y")
    send = problem.replace(pupil_sen=np.array([True, False, False]))
    with pytest.raises(InputError, match=r"^pupil P1 \(SEND\) is collected from home, not at a "
                       r"stop; move them to another route instead$"):  # fmt: skip
        move_to_stop(send, plan, "P1", "Y")
    with pytest.raises(InputError, match=r"^route A is locked; unlock it to change it$"):
        move_to_stop(problem, lock(plan, "A"), "P1", "Y")
    closed = close_stop(problem, EditedPlan((PlanRoute("A", "bus", ("P1", "P2", "P3")),)), "X")
    with pytest.raises(InputError, match=r"^stop X is closed in this plan$"):
        move_to_stop(problem, closed, "P1", "X")


def _county() -> TransportProblem:
    """Eight pupils either side of the base, two buses of 4 seats and one of 16."""
    fleet = [{"id": "small", "seats": 4, "wheelchair_spaces": 0, "day_rate": 80.0,
              "cost_per_mile": 1.0, "available": 2},
             {"id": "bus", "seats": 16, "wheelchair_spaces": 0, "day_rate": 150.0,
              "cost_per_mile": 1.5, "available": 1}]  # fmt: skip
    xs = [3.0, 4.0, 6.0, 7.0, 12.0, 13.0, 15.0, 16.0]
    return line_problem([{"id": f"P{i + 1}", "x": x} for i, x in enumerate(xs)], fleet=fleet)


def test_a_locked_route_survives_replanning_unchanged():
    problem = _county()
    first = solve(problem, params=FAST, time_limit=10, seed=1)
    plan = from_result(problem, first)
    assert check(problem, plan)[0] == ()
    locked = plan.routes[0]
    before = evaluate(problem, (locked,)).routes[0]
    rows = routes_table(problem, evaluate(problem, (locked,)))
    again = replan_around(problem, lock(plan, locked.id), [locked.id], params=FAST,
                          time_limit=10, seed=7)  # fmt: skip
    assert again.routes[0] == before  # times, loads, miles and cost too
    table = routes_table(problem, again)
    kept = table[table["route"] == locked.id].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, rows)
    assert again.details["locked_routes"] == [locked.id]
    others = again.routes[1:]
    assert locked.id not in {r.id for r in others}
    assert sorted(p for r in again.routes for p in r.pupils) == list(range(8))
    assert not again.violations and again.unserved == ()
    used = {}  # the locked route's vehicle is taken from its fleet row's count
    for r in again.routes:
        vt = problem.vehicles[r.vehicle]
        if not vt.hired:
            used[vt.id] = used.get(vt.id, 0) + 1
    assert all(n <= problem.vehicles[[v.id for v in problem.vehicles].index(k)].available
               for k, n in used.items())  # fmt: skip


def test_replanning_with_every_route_locked_plans_nothing_new():
    problem = _county()
    plan = from_result(problem, solve(problem, params=FAST, time_limit=10, seed=1))
    ids = [r.id for r in plan.routes]
    again = replan_around(problem, plan, ids, params=FAST, time_limit=5, seed=1)
    assert [r.id for r in again.routes] == ids
    assert again.annual_cost == pytest.approx(check(problem, plan)[2])


def test_a_locked_second_trip_keeps_its_vehicles_first_trip():
    schools = {"S1": (0.0, "08:30"), "S2": (1.0, "09:00")}
    problem = line_problem([{"id": "A", "x": 2, "school": "S1"},
                            {"id": "B", "x": 3, "school": "S2"},
                            {"id": "C", "x": 8, "school": "S2"}], schools=schools)  # fmt: skip
    plan = EditedPlan((PlanRoute("T1", "bus", ("A",), "V1"), PlanRoute("T2", "bus", ("B",), "V1"),
                       PlanRoute("T3", "bus", ("C",))))  # fmt: skip
    again = replan_around(problem, plan, ["T2"], params=FAST, time_limit=5, seed=1)
    assert again.details["locked_routes"] == ["T1", "T2"]
    assert again.routes[:2] == evaluate(problem, plan.routes[:2]).routes
    assert again.routes[1].depot == problem.school_location[0]  # leaves S1 after T1
    assert sorted(p for r in again.routes for p in r.pupils) == [0, 1, 2]
