"""Pick-up point consolidation: the rules (walk limits, unsafe stops, caps, SEND at
home) on tiny hand-checkable problems, the route estimate, and sbr1 parsing."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geodata.matrix import TravelMatrix
from models.transport import TransportPolicy, TransportProblem
from optimise.bench.sbr import parse_sbr
from optimise.transport.stops import HOME, StopParams, choose_fewest, choose_stops, reach
from optimise.transport.stops.estimate import savings_routes
from optimise.transport.stops.plan import walk_report

MILE = 1609.344
METHODS = ["sequential", "joint"]


def tiny(pupils: list[dict], stops: list[dict], walk: list[list[float]], policy=None):
    """One school at x=0 km, the base at x=10; stops and homes at their ``x`` (km) on a
    road (1 km = 60 s, 1,000 m); ``walk[p][s]`` is pupil p's walk to stop s in metres."""
    frame = pd.DataFrame([{"id": p["id"], "school_id": "S1", "age": p.get("age", 12),
                           "sen": p.get("sen", False), "solo": p.get("solo", False)}
                          for p in pupils])  # fmt: skip
    schools = pd.DataFrame({"id": ["S1"], "phase": ["secondary"], "bell_time": ["09:00"]})
    stop_frame = pd.DataFrame([{"id": s["id"], "unsafe": s.get("unsafe", False),
                                "max_pupils": s.get("cap", 0)} for s in stops])  # fmt: skip
    xs = [10.0, 0.0, *(s["x"] for s in stops), *(p["x"] for p in pupils)]
    ids = ["base:0", "school:S1", *(f"stop:{s['id']}" for s in stops),
           *(f"pupil:{p['id']}" for p in pupils)]  # fmt: skip
    km = np.abs(np.subtract.outer(np.asarray(xs), np.asarray(xs)))
    drive = TravelMatrix(ids, ids, np.rint(km * 60), np.rint(km * 1000), mode="drive")
    w = np.asarray(walk, dtype=float)
    walk_m = TravelMatrix([p["id"] for p in pupils], [s["id"] for s in stops],
                          np.rint(w / 1.33), np.rint(w), mode="walk")  # fmt: skip
    fleet = [(pd.Series({"id": "bus", "seats": 16, "day_rate": 100.0, "cost_per_mile": 1.0,
                         "available": 5}), 0)]  # fmt: skip
    return TransportProblem.from_matrix(frame, schools, stop_frame, fleet, drive,
                                        walk=walk_m, policy=policy)  # fmt: skip


def _choose(problem, method):
    assign, _ = choose_stops(problem, StopParams(method=method), time_limit=2, seed=1)
    return assign


@pytest.mark.parametrize("method", METHODS)
def test_walk_limit_is_binding(method):
    # Three secondary pupils (limit 1.5 miles = 2,414 m) around one stop: the third is
    # 2,420 m away, just over, so is collected from home; the others walk.
    pupils = [{"id": "A", "x": 5.0}, {"id": "B", "x": 5.2}, {"id": "C", "x": 5.4}]
    problem = tiny(pupils, [{"id": "T", "x": 5.1}], [[2000], [2410], [2420]])
    assign = _choose(problem, method)
    assert assign.tolist() == [0, 0, HOME]
    report = walk_report(problem, assign)
    assert report["walk_limit_violations"] == 0 and report["max_walk_m"] == 2410
    # a primary-age pupil's limit is 1 mile: at 2,000 m the stop is out of reach too
    young = tiny([{**p, "age": 8} for p in pupils], [{"id": "T", "x": 5.1}],
                 [[1600], [2000], [100]])  # fmt: skip
    assert _choose(young, method).tolist() == [0, HOME, 0]
    # the limit comes from the policy: tighten it to 2,100 m and C (2,410 m) goes home
    walks = [[2000], [2050], [2410]]
    assert _choose(tiny(pupils, [{"id": "T", "x": 5.1}], walks), method).tolist() == [0, 0, 0]
    tight = tiny(pupils, [{"id": "T", "x": 5.1}], walks,
                 policy=TransportPolicy(max_walk_secondary_m=2100))  # fmt: skip
    assert _choose(tight, method).tolist() == [0, 0, HOME]


@pytest.mark.parametrize("method", METHODS)
def test_unsafe_stop_is_never_used(method):
    # U is on every pupil's way and within reach of all; it is unsafe: never used.
    pupils = [{"id": f"P{i}", "x": 5.0 + i / 10} for i in range(4)]
    stops = [{"id": "U", "x": 5.1, "unsafe": True}, {"id": "T", "x": 5.3}]
    problem = tiny(pupils, stops, [[100, 2300]] * 3 + [[100, 3000]])
    assign = _choose(problem, method)
    assert 0 not in assign.tolist()
    assert assign.tolist() == [1, 1, 1, HOME]
    assert 0 not in reach(problem).stop.tolist()


@pytest.mark.parametrize("method", METHODS)
def test_stop_too_far_to_ride_to_school_in_time_is_never_offered(method):
    # Homes 70 km out (70 min to school, limit 75 min for secondary): fine from home.
    # Stop F is a short walk away but 80 km out, so no route from it reaches school
    # within the limit; stop N (70.5 km) does.
    pupils = [{"id": "A", "x": 70.0}, {"id": "B", "x": 70.2}]
    stops = [{"id": "F", "x": 80.0}, {"id": "N", "x": 70.5}]
    problem = tiny(pupils, stops, [[300, 900], [300, 700]])
    assert 0 not in reach(problem).stop.tolist()
    assert _choose(problem, method).tolist() == [1, 1]


@pytest.mark.parametrize("method", METHODS)
def test_cap_on_pupils_per_stop(method):
    pupils = [{"id": f"P{i}", "x": 5.0} for i in range(5)]
    stops = [{"id": "T", "x": 5.0, "cap": 3}, {"id": "V", "x": 6.0}]
    problem = tiny(pupils, stops, [[100, 2000]] * 5)
    assign = _choose(problem, method)
    assert (assign == 0).sum() <= 3
    assert walk_report(problem, assign)["walk_limit_violations"] == 0
    # without the cap one stop serves all five
    uncapped = tiny(pupils, [{**stops[0], "cap": 0}, stops[1]], [[100, 2000]] * 5)
    assert _choose(uncapped, method).tolist() == [0] * 5


@pytest.mark.parametrize("method", METHODS)
def test_send_and_solo_pupils_are_collected_from_home(method):
    pupils = [{"id": "A", "x": 5.0}, {"id": "B", "x": 5.0, "sen": True},
              {"id": "C", "x": 5.0, "solo": True}, {"id": "D", "x": 5.0}]  # fmt: skip
    problem = tiny(pupils, [{"id": "T", "x": 5.0}], [[50]] * 4)
    assert _choose(problem, method).tolist() == [0, HOME, HOME, 0]


def test_fewest_pick_up_points():
    # A and B can share T2; each could also use a stop of its own: one point is best.
    pupils = [{"id": "A", "x": 4.0}, {"id": "B", "x": 6.0}]
    stops = [{"id": "T1", "x": 4.0}, {"id": "T2", "x": 5.0}, {"id": "T3", "x": 6.0}]
    problem = tiny(pupils, stops, [[10, 1000, 9999], [9999, 1000, 10]])
    assert choose_fewest(reach(problem)).tolist() == [1, 1]


def test_joint_search_only_accepts_improvements():
    rng = np.random.default_rng(3)
    xs = rng.uniform(1, 20, 30)
    pupils = [{"id": f"P{i}", "x": float(x)} for i, x in enumerate(xs)]
    stops = [{"id": f"T{j}", "x": float(j)} for j in range(1, 21)]
    walk = np.abs(np.subtract.outer(xs, np.arange(1, 21))) * 1000
    problem = tiny(pupils, stops, walk.tolist())
    _, figures = choose_stops(problem, StopParams(method="joint"), time_limit=2, seed=2)
    assert figures["estimate_end"] <= figures["estimate_start"]


def test_savings_estimate_by_hand():
    # depot 0, points at 1 and 2 on a line: one tour 0-1-2-0 = 4; capacity 1: 2 + 4.
    d = np.abs(np.subtract.outer([0.0, 1.0, 2.0], [0.0, 1.0, 2.0]))
    assert savings_routes(d, np.array([1, 1]), 2) == (1, 4.0)
    assert savings_routes(d, np.array([1, 1]), 1) == (2, 6.0)
    # a load above capacity: full out-and-back trips for the surplus
    assert savings_routes(d, np.array([3, 0]), 2) == (2, 4.0)


def test_parse_sbr_ignores_stray_rows():
    text = ("3 stops, 2 students, 5.000 maximum walk, 25 capacity\n\n0 0 0\n1 3 0\n2 0 9\n\n"
            "1 3 4\n2 0 8\n3 313 1\n")  # fmt: skip
    inst = parse_sbr(text)
    assert len(inst.students) == 2
    # student 1 reaches stop 1 (4 away) only; student 2 reaches stop 2 (1 away) only
    assert inst.reach.stop.tolist() == [0, 1]
    with pytest.raises(ValueError, match="maximum walk"):
        parse_sbr("81 stops and more\n")


def test_bench_sbr_command(tmp_path, capsys):
    from cli import main

    f = tmp_path / "tiny.txt"
    f.write_text("3 stops, 4 students, 5.000 maximum walk, 2 capacity\n\n0 0 0\n1 3 0\n2 0 9\n\n"
                 "1 3 4\n2 3 1\n3 0 8\n4 1 9\n")  # fmt: skip
    assert main(["bench", "sbr", str(f), "--time-limit", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # students 1-2 only reach stop 1 (3 away), 3-4 only stop 2 (9 away): two full buses
    # out and back, 2 × 3 + 2 × 9 = 24
    assert out["cost"] == 24.0 and out["routes"] == 2 and out["walk_violations"] == 0
    bad = tmp_path / "bad.txt"
    bad.write_text("not an instance\n")
    assert main(["bench", "sbr", str(bad)]) == 2
    assert "not a stop-selection instance" in capsys.readouterr().err
