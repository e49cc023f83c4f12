"""The master problem (route selection + chaining into vehicles) on instances small
enough to solve by hand, and the generation pool's independence of the worker count."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from optimise.bench.sbrp import read_sbrp, solve_sbrp
from optimise.transport.routing import master
from optimise.transport.routing.master import Candidate, Links, select_and_chain
from optimise.transport.routing.pool import run_bounded


def _links(*triples):
    end, head, cost = zip(*triples, strict=True) if triples else ((), (), ())
    return Links(np.array(end, dtype=int), np.array(head, dtype=int), np.array(cost, dtype=float))


def test_chaining_two_routes_beats_one_long_route():
    # Items 0 (early school) and 1 (late school). Candidates: 0 alone (ends at end 0),
    # 1 alone, and one route carrying both. A vehicle costs 100 a day.
    cands = [
        Candidate((0,), 0, cost=10, start_cost=100, end=0),
        Candidate((1,), 0, cost=10, start_cost=100),
        Candidate((0, 1), 0, cost=50, start_cost=100),
    ]
    # Without a link: two vehicles (220) or the joint route (150): the joint route.
    r = select_and_chain(2, cands, _links(), [math.inf], time_limit=5)
    assert r.status == "optimal" and r.vehicles == ((2,),)
    assert r.objective == pytest.approx(150)
    # A vehicle free at end 0 reaching route 1 for 5 of empty drive: one vehicle runs
    # both short routes, 100 + 10 + 10 + 5 = 125 < 150.
    r = select_and_chain(2, cands, _links((0, 1, 5.0)), [math.inf], time_limit=5)
    assert r.vehicles == ((0, 1),) and r.objective == pytest.approx(125)
    assert r.gap == pytest.approx(0, abs=1e-6)


def test_fleet_count_binds_per_class():
    # Two items, one route each, no links; class 0 has 1 vehicle, class 1 (dearer) many.
    cands = [
        Candidate((0,), 0, cost=0, start_cost=10),
        Candidate((1,), 0, cost=0, start_cost=10),
        Candidate((1,), 1, cost=0, start_cost=30),
    ]
    r = select_and_chain(2, cands, _links(), [1, math.inf], time_limit=5)
    assert sorted(r.vehicles) == [(0,), (2,)] and r.objective == pytest.approx(40)
    # With a link from route 0's end, the one class-0 vehicle can run both.
    cands[0] = Candidate((0,), 0, cost=0, start_cost=10, end=0)
    r = select_and_chain(2, cands, _links((0, 1, 1.0)), [1, math.inf], time_limit=5)
    assert r.vehicles == ((0, 1),) and r.objective == pytest.approx(11)


def test_one_end_feeds_as_many_vehicles_as_arrive():
    # Two routes end at end 0; three later routes could each follow: only two can.
    cands = [Candidate((i,), 0, cost=0, start_cost=1, end=0) for i in range(2)]
    cands += [Candidate((i,), 0, cost=0, start_cost=1) for i in range(2, 5)]
    links = _links(*[(0, b, 0.0) for b in (2, 3, 4)])
    r = select_and_chain(5, cands, links, [math.inf], time_limit=5)
    assert len(r.vehicles) == 3 and r.objective == pytest.approx(3)
    assert sorted(len(v) for v in r.vehicles) == [1, 2, 2]


SCHOOLS = "ID\tX\tY\tAMEARLY\tAMLATE\n" + "".join(
    f"S{i}\t{(i % 3) * 20000}\t{(i // 3) * 20000}\t{700 + 15 * i}\t900\n" for i in range(6)
)


def _instance(tmp_path):
    rng = np.random.default_rng(7)
    rows = ["ID\tX_COORD\tY_COORD\tEP_ID\tSTUDENT_COUNT"]
    for k in range(60):
        s = k % 6
        x, y = (
            (s % 3) * 20000 + rng.integers(-15000, 15000),
            (s // 3) * 20000 + rng.integers(-15000, 15000),
        )
        rows.append(f"p{k}\t{x}\t{y}\tS{s}\t{rng.integers(3, 25)}")
    (tmp_path / "Schools.txt").write_text(SCHOOLS)
    (tmp_path / "Stops.txt").write_text("\n".join(rows) + "\n")
    return read_sbrp(tmp_path)


def test_same_plan_on_one_and_two_workers(tmp_path):
    inst = _instance(tmp_path)
    # a limit far off even on a loaded machine (beside other test processes)
    one = solve_sbrp(inst, 2700, time_limit=600, seed=3, workers=1)
    two = solve_sbrp(inst, 2700, time_limit=600, seed=3, workers=2)
    assert one["searches_stopped_by_time_limit"] == 0  # else the clock decides
    assert one["violations"] == 0 and one["master_status"] == "optimal"
    for key in ("buses", "routes", "routes_generated", "route_stops", "bus_routes"):
        assert one[key] == two[key], key
    # The pool holds more than the true-limit search's routes: the caps add to it.
    assert one["routes_generated"] > one["routes"]


def _stuck(*_args):
    time.sleep(60)  # a solver that ignores its time limit


def test_a_solver_past_its_time_limit_is_stopped_and_the_start_is_kept(monkeypatch):
    # HiGHS did not stop on its own limit on a 10,000-pupil pool; the call must still
    # return at its limit, with the (feasible) start as the plan.
    monkeypatch.setattr(master, "_solve", _stuck)
    cands = [Candidate((0,), 0, cost=10, start_cost=100, end=0),
             Candidate((1,), 0, cost=10, start_cost=100)]  # fmt: skip
    r = select_and_chain(2, cands, _links((0, 1, 5.0)), [math.inf], time_limit=1.5,
                         start=[[0, 1]])  # fmt: skip
    assert r.status == master.KILLED and r.vehicles == ((0, 1),)


def _finds_then_hangs(cost, *_args, on_incumbent, **_kwargs):
    # HiGHS as seen at 5,400 s on the school-bus benchmark: it finds a better plan (here
    # both routes on one vehicle), then sits in its root cuts past its time limit.
    on_incumbent(np.ones(len(cost)), 125.0)
    time.sleep(60)


def test_a_solver_killed_after_a_better_plan_keeps_that_plan(monkeypatch):
    monkeypatch.setattr(master, "solve_mip", _finds_then_hangs)
    cands = [Candidate((0,), 0, cost=10, start_cost=100, end=0),
             Candidate((1,), 0, cost=10, start_cost=100)]  # fmt: skip
    r = select_and_chain(2, cands, _links((0, 1, 5.0)), [math.inf], time_limit=1.5,
                         start=[[0], [1]])  # fmt: skip
    assert r.status == master.KILLED_BEST and r.vehicles == ((0, 1),)
    assert r.objective == 125.0 and math.isnan(r.bound)


def test_bounded_call_returns_the_value_and_reports_a_failure():
    assert run_bounded(divmod, (7, 2), 30) == (True, (3, 1))
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        run_bounded(divmod, (1, 0), 30)
    assert run_bounded(_stuck, (), 0.5) == (False, None)
