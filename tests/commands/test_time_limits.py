"""Issue #19: ``--time-limit`` bounds the whole command, Ctrl-C ends it, big batches ask
first, a batch is quiet.

No test asserts a duration: deadlines are set already passed (or far away) so that the
outcome does not depend on the machine's speed; the Ctrl-C tests only ask that the
command ends within a generous bound.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli import main
from geodata.matrix import TravelMatrix
from models.estate import EstateProblem
from optimise.estate import EstateParams, pareto_front
from optimise.estate.pareto import MAX_POINTS, _spread, solve_limit

ROOT = Path(__file__).resolve().parents[2]
LOOSE = {"discount_rate": 0.0, "appraisal_years": 1_000_000, "ranking_steps": 2}


def _problem() -> EstateProblem:
    sites = pd.DataFrame({
        "id": ["S1", "S2", "S3"], "type": ["library"] * 3, "capacity": [10.0] * 3,
        "occupancy": [0.2] * 3, "running_cost": [100.0, 100.0, 150.0],
        "services": ["library"] * 3, "capital_value": [300.0, 100.0, 0.0],
    })  # fmt: skip
    zones = pd.DataFrame({"id": ["Z1", "Z2"], "population": [1000, 2000], "over65": [300, 500]})
    sec = np.asarray(((5, 40, 20), (40, 5, 20)), dtype=float) * 60
    return EstateProblem.from_matrix(sites, zones, TravelMatrix(("Z1", "Z2"), ("S1", "S2", "S3"),
                                                                sec, sec * 10))  # fmt: skip


# --- estate: the front stops at the deadline and says so -------------------------------


@pytest.mark.parametrize("n", range(12))
def test_spread_visits_every_point_ends_first(n):
    order = _spread(n)
    assert sorted(order) == list(range(n))
    if n >= 2:
        assert order[:2] == [0, n - 1]


def test_solve_limit_shares_the_time_left_and_stops_at_the_deadline():
    assert solve_limit(7.0, None, 3) == 7.0
    assert solve_limit(None, time.monotonic() - 1, 3) == 0.0
    far = time.monotonic() + 1000
    assert solve_limit(None, far, 10) <= 100.0
    assert solve_limit(2.0, far, 10) == 2.0


@pytest.mark.parametrize("measure", ["limit", "population"])
def test_pareto_front_traces_nothing_past_its_deadline(measure):
    problem, params = _problem(), EstateParams(**LOOSE, max_travel_minutes=20)
    stats: dict[str, int] = {}
    late = pareto_front(problem, params, 5, measure=measure, seed=1,
                        deadline=time.monotonic() - 1, stats=stats)  # fmt: skip
    assert late == [] and stats["traced"] == 0
    front = pareto_front(problem, params, 5, measure=measure, seed=1,
                         deadline=time.monotonic() + 600, stats=stats)  # fmt: skip
    assert front and 1 <= stats["traced"] <= 5
    assert front == pareto_front(problem, params, 5, measure=measure, seed=1)


def test_estate_job_past_its_deadline_still_plans_and_notes_the_short_front(tmp_path):
    from geodata.read import read
    from optimise.estate.run import EstateInputs, plan_estate, write_estate
    from optimise.jobs import JobContext
    from optimise.settings import EstateSettings

    (tmp_path / "sites.csv").write_text(
        "id,type,lon,lat,running_cost,services\n"
        "S1,library,-1.69,55.17,100,library\nS2,library,-1.68,55.17,150,library\n"
    )
    (tmp_path / "zones.csv").write_text("id,population,lon,lat\nZ1,1000,-1.69,55.171\n")
    sites = read(tmp_path / "sites.csv", "sites").frame
    zones = read(tmp_path / "zones.csv", "zones").frame
    job = JobContext(seed=1, time_limit=5, deadline=time.monotonic() - 1)
    settings = EstateSettings(EstateParams(ranking_steps=2))
    run = plan_estate(EstateInputs(sites, zones), settings, job, pareto=4)
    summary = write_estate(run, tmp_path / "o")
    assert summary["status"] == "optimal"  # the plan gets its floor of time
    assert summary["pareto_points_requested"] == 4 and summary["pareto_points_traced"] == 0
    assert any("cut short" in n and "0 of 4" in n for n in summary["notes"])
    written = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert written["pareto_points_traced"] == 0


def test_estate_refuses_an_absurd_pareto_count(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["estate", "--pareto", str(MAX_POINTS + 1), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--pareto" in err and str(MAX_POINTS) in err and "\n" not in err
    assert not out.exists()


# --- transport: the deadline and the costs the search can add up ------------------------


def test_transport_solve_takes_the_sooner_of_time_limit_and_deadline():
    from optimise.transport.routing.solve import _seconds_left

    assert _seconds_left(5.0, None) == 5.0
    assert _seconds_left(60.0, time.monotonic() - 1) == 0.0
    assert _seconds_left(3.0, time.monotonic() + 600) == 3.0


def test_route_search_refuses_costs_that_would_overflow():
    from optimise.transport.routing._school import _check_costs

    class Vehicle:
        day_rate = 300.0
        cost_per_mile = 1e300

    class Option:
        vehicle = 0

    class Problem:
        vehicles = (Vehicle(),)

    metres = np.full((2, 2), 10_000.0)
    with pytest.raises(ValueError, match="cost_per_mile"):
        _check_costs(metres, [1e300], [Option()], Problem())
    _check_costs(metres, [2.5], [Option()], Problem())  # a real cost passes


# --- batch: the whole batch's time limit, the size check, quiet Dask ------------------


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_expected_seconds_is_an_upper_bound_by_time_limits():
    from optimise.batch.spec import Scenario, expected_seconds

    def s(limit):
        return Scenario("a", "a", "none", {}, {}, 0, limit, "h")

    assert expected_seconds((s(2.0),) * 4, 2) == pytest.approx(4.0 + 1.0)
    assert expected_seconds((s(2.0),) * 4, 1) == pytest.approx(8.0)
    assert expected_seconds((s(2.0), s(None)), 2) is None


def test_a_big_batch_says_its_size_and_asks_for_yes(tmp_path, capsys):
    sleeps = [i / 1e6 for i in range(201)]
    spec = _spec(tmp_path, f'problem = "none"\ntime_limit = 3\n[grid]\nsleep = {sleeps}\n')
    out = tmp_path / "o"
    assert main(["batch", str(spec), "--out", str(out), "--serial"]) == 2
    err = capsys.readouterr().err.strip()
    assert "201 scenarios" in err and "--yes" in err and "min" in err and "\n" not in err
    assert not out.exists()
    assert main(["batch", str(spec), "--out", str(out), "--serial", "--yes", "-q"]) == 0
    assert json.loads((out / "summary.json").read_text())["ok"] == 201


def test_a_small_batch_needs_no_yes(tmp_path):
    spec = _spec(tmp_path, 'problem = "none"\n[grid]\nsleep = [0, 0.001]\n')
    assert main(["batch", str(spec), "--out", str(tmp_path / "o"), "--serial", "-q"]) == 0


@pytest.mark.parametrize("where", [["--serial"], ["--workers", "1"]])
def test_batch_time_limit_leaves_what_cannot_finish_for_a_rerun(tmp_path, capsys, where):
    # Each scenario may take 100 s: none can finish within the batch's 60 s, none starts.
    spec = _spec(tmp_path, 'problem = "none"\ntime_limit = 100\n[grid]\nsleep = [0, 0.001]\n')
    out = tmp_path / "o"
    args = ["batch", str(spec), "--out", str(out), *where, "--json"]
    assert main([*args, "--time-limit", "60"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["stopped_by_time_limit"] and summary["missing"] == 2 and summary["ran"] == 0
    assert main(args) == 0  # the same command, no batch limit: does the rest
    again = json.loads(capsys.readouterr().out)
    assert again["ok"] == 2 and not again["stopped_by_time_limit"]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_batch_time_limit_must_be_a_finite_positive_number(tmp_path, value, capsys):
    spec = _spec(tmp_path, 'problem = "none"\n')
    assert main(["batch", str(spec), "--out", str(tmp_path / "o"), "--time-limit", value]) == 2
    assert "--time-limit" in capsys.readouterr().err


def _optimise(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", "import sys, cli; sys.exit(cli.main(sys.argv[1:]))", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw,
    )  # fmt: skip


def test_a_dask_batch_prints_no_dask_logs_or_tracebacks(tmp_path):
    spec = _spec(tmp_path, 'problem = "none"\n[grid]\nsleep = [0, 0.01, 0.02]\n')
    run = _optimise("batch", str(spec), "--out", str(tmp_path / "o"), "--workers", "2")
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert "3 ok" in out
    assert "INFO" not in err and "Traceback" not in err and "dashboard" not in err.lower()
    assert "CommClosedError" not in err


# --- Ctrl-C ---------------------------------------------------------------------------


def _interrupt(run: subprocess.Popen, after: float) -> tuple[str, str]:
    time.sleep(after)
    run.send_signal(signal.SIGINT)
    try:
        return run.communicate(timeout=120)  # generous: ends, not how fast
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
        pytest.fail("the command ignored Ctrl-C")


def test_ctrl_c_ends_estate_with_one_line_and_nothing_written(tmp_path):
    out = tmp_path / "o"
    run = _optimise("estate", "--pareto", "50", "--out", str(out))  # minutes of work
    _, err = _interrupt(run, 4.0)
    assert run.returncode == 130
    assert err.strip().splitlines()[-1] == "interrupted; nothing written"
    assert not out.exists()


@pytest.mark.parametrize("command", [("transport", "routes"), ("transport", "plan"), ("hours",)])
def test_ctrl_c_ends_a_solve_with_one_line_and_nothing_written(tmp_path, command):
    """Interrupted inside the solvers (PyVRP, HiGHS), not only between steps."""
    out = tmp_path / "o"
    run = _optimise(*command, "--time-limit", "120", "--out", str(out))
    _, err = _interrupt(run, 8.0)
    assert run.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted; nothing written"
    assert not out.exists()


def test_ctrl_c_ends_a_dask_batch_keeping_finished_scenarios(tmp_path):
    sleeps = [1 + i / 100 for i in range(20)]
    spec = _spec(tmp_path, f'problem = "none"\n[grid]\nsleep = {sleeps}\n')
    out = tmp_path / "o"
    run = _optimise("batch", str(spec), "--out", str(out), "--workers", "2")
    _, err = _interrupt(run, 6.0)
    assert run.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] and summary["ok"] < 20
