"""School-bus routing and scheduling (BiRD's definition) on a hand-made instance."""

from __future__ import annotations

import json

import pytest

from cli import main
from optimise.bench.sbrp import SCHOOL_S, TICKS, check, read_sbrp, solve_sbrp, to_problem
from optimise.bench.sbrp import _duration as birds_duration
from optimise.transport.routing.schedule import arrival_window, build_route, drop_seconds

# Feet; 2,933.33 ft takes 100 s at 29.3333 ft/s. School A (bell 8:00) and school B
# (bell 8:30) both at the origin; stop a1 (10 students) east of it, b1 (5) north.
SCHOOLS = "ID\tX\tY\tAMEARLY\tAMLATE\nA\t0\t0\t800\t810\nB\t0\t0\t{bell_b}\t900\n"
STOPS = "ID\tX_COORD\tY_COORD\tEP_ID\tSTUDENT_COUNT\na1\t2933.33\t0\tA\t10\nb1\t0\t2933.33\tB\t5\n"


def _write(tmp_path, bell_b=830):
    (tmp_path / "Schools.txt").write_text(SCHOOLS.format(bell_b=bell_b))
    (tmp_path / "Stops.txt").write_text(STOPS)
    return tmp_path


def test_one_bus_chains_both_schools(tmp_path):
    inst = read_sbrp(_write(tmp_path))
    assert list(inst.bell_s) == [28800, 30600]
    r = solve_sbrp(inst, 2700, time_limit=60)
    # Route B lasts 19 + 2.6 x 5 + 100 = 132 s: 8:00 + 100 + 132 + 154.4 s <= 8:30.
    assert (r["routes"], r["buses"], r["violations"]) == (2, 1, 0)
    # The council engine's MILP chose it, and proved that no plan has fewer buses.
    assert r["master_status"] == "optimal" and r["buses_lower_bound"] == 1


def test_bells_too_close_need_two_buses(tmp_path):
    # 28,800 + 100 + 132 + 154.4 = 29,186.4 s > 8:02 (29,120 s).
    r = solve_sbrp(read_sbrp(_write(tmp_path, bell_b=802)), 2700, time_limit=0.2)
    assert (r["routes"], r["buses"], r["violations"]) == (2, 2, 0)


def test_checker_recomputes_rides_and_chains(tmp_path):
    inst = read_sbrp(_write(tmp_path, bell_b=802))
    # Each pupil rides 100 s: over a 60 s limit; chaining A then B breaks the bells.
    found = check(inst, [[0], [1]], [[0, 1]], max_ride=60)
    assert any("ride of 100.0 s" in v for v in found)
    assert any("cannot follow" in v for v in found)
    assert check(inst, [[0], [1]], [[0], [1]], max_ride=100) == []


def test_bench_sbrp_command(tmp_path, capsys):
    folder = _write(tmp_path)
    assert main(["bench", "sbrp", str(folder), "--max-ride", "2700", "--time-limit", "0.2",
                 "--json"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["buses"] == 1 and out["violations"] == 0
    assert sorted(s for r in out["route_stops"] for s in r) == ["a1", "b1"]
    assert main(["bench", "sbrp", str(tmp_path / "nope")]) == 2
    capsys.readouterr()
    assert main(["bench", "sbrp", str(folder), "--max-ride", "2700", "--time-limit", "30"]) == 0
    line = capsys.readouterr().out
    assert "1 buses, 2 routes, 0 violations" in line and "allow: at least 1 (30 s)" in line


def test_the_engine_sees_birds_times(tmp_path):
    # The instance as the council engine's problem: a route's times there are BiRD's,
    # rounded up to the tenth of a second, never down.
    inst = read_sbrp(_write(tmp_path))
    problem = to_problem(inst, 2700)
    for stop in (0, 1):
        school = int(inst.stop_school[stop])
        route = build_route(problem, "r", 0, [(2 + stop, tuple(
            p for p in range(problem.num_pupils) if problem.pupil_stop[p] == stop))])  # fmt: skip
        assert not route.violations
        first, last = route.route.visits[0], route.route.visits[-1]
        # arrives 154.4 s before the bell (to the tick below), free again at the bell
        bell = inst.bell_s[school] * TICKS
        assert arrival_window(problem, school) == (bell - 1544, bell - 1544)
        assert last.arrive_s == bell - SCHOOL_S * TICKS
        assert last.arrive_s + drop_seconds(problem, len(route.route.pupils)) == bell
        duration = (last.arrive_s - first.arrive_s) / TICKS
        assert duration == pytest.approx(birds_duration(inst, [stop])[0], abs=0.1 + 1e-9)
        assert duration >= birds_duration(inst, [stop])[0] - 1e-9


def test_a_ride_limit_is_kept_in_birds_exact_times(tmp_path):
    # Each stop is 100 s from school and its students ride 100 s: a 100 s limit holds.
    # Under 99.9 s no route can keep it: the engine carries them directly anyway, as it
    # must a council's pupils (flagged), and the checker names the ride.
    inst = read_sbrp(_write(tmp_path))
    assert solve_sbrp(inst, 100.0, time_limit=30)["violations"] == 0
    tight = solve_sbrp(inst, 99.9, time_limit=30)
    assert tight["unserved_students"] == 0 and tight["routes"] == 2
    assert any("a ride of 100.0 s > 99.9" in v for v in tight["first_violations"])
