"""Batches on a Dask LocalCluster: results, failures, resuming after an interruption."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from optimise.batch import parse_spec, run_batch

# Small opening-hours scenarios on the default data: about a second each, except
# budget 1, which cannot open a centre and fails inside the worker.
HOURS = """
problem = "hours"
time_limit = 30
[grid]
budget_hours = [1, 30, 40]
over65_weight = [1.0, 2.0]
"""


@pytest.fixture(scope="module")
def cluster():
    """One two-worker cluster for the module (a separate scheduler, as --scheduler uses)."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local.scheduler_address


def test_grid_on_local_cluster_records_failures(tmp_path):
    spec = parse_spec(HOURS, source="hours.toml")
    seen = []
    summary = run_batch(spec, tmp_path, workers=2, progress=lambda *c: seen.append(c))
    assert summary["workers"] == 2
    assert (summary["ok"], summary["failed"], summary["missing"]) == (4, 2, 0)
    assert seen[-1] == (4, 2, 6)
    table = pd.read_parquet(tmp_path / "results.parquet")
    assert list(table["name"]) == [s.name for s in spec.scenarios]
    failed = table[table["status"] == "failed"]
    assert list(failed["budget_hours"]) == [1, 1]
    assert failed["error"].str.contains("cannot open one centre").all()
    ok = table[table["status"] == "ok"]
    assert (ok["hours_used"] <= ok["budget_hours"]).all()
    assert (ok["demand_served"] > 0).all()
    assert len(pd.read_csv(tmp_path / "results.csv")) == 6
    assert "cannot open one centre" in (tmp_path / "comparison.md").read_text()
    for s in spec.scenarios:
        folder = tmp_path / "scenarios" / s.folder
        record = json.loads((folder / "scenario.json").read_text())
        assert record["hash"] == s.hash
        if record["status"] == "ok":
            assert (folder / "timetable.csv").is_file()
    assert not list(tmp_path.rglob(".staging-*"))
    assert (tmp_path / "comparison.png").stat().st_size > 1000  # matplotlib comes with PyVRP
    assert json.loads((tmp_path / "summary.json").read_text())["scenarios"] == 6


def test_rerun_after_interruption_runs_only_the_missing(tmp_path, cluster):
    spec = parse_spec('problem = "none"\n[grid]\nsleep = [0.0, 0.01, 0.02, 0.03, 0.04]\n')

    def stop_after_two(done, failed, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(spec, tmp_path, serial=True, progress=stop_after_two)
    table = pd.read_parquet(tmp_path / "results.parquet")
    assert len(table) == 2
    assert json.loads((tmp_path / "summary.json").read_text())["interrupted"] is True
    summary = run_batch(spec, tmp_path, scheduler=cluster)
    assert (summary["skipped_already_done"], summary["ran"], summary["ok"]) == (2, 3, 5)
    table = pd.read_parquet(tmp_path / "results.parquet")
    assert sorted(table["hash"]) == sorted(s.hash for s in spec.scenarios)
    assert table["hash"].is_unique
    again = run_batch(spec, tmp_path, scheduler=cluster)
    assert (again["ran"], again["ok"]) == (0, 5)
    assert len(pd.read_parquet(tmp_path / "results.parquet")) == 5


def test_failed_scenarios_run_again_on_rerun(tmp_path, cluster):
    text = 'problem = "none"\n[scenarios.bad]\nfail = true\n[scenarios.good]\nfail = false\n'
    spec = parse_spec(text)
    first = run_batch(spec, tmp_path, scheduler=cluster)
    assert (first["ok"], first["failed"]) == (1, 1)
    second = run_batch(spec, tmp_path, scheduler=cluster)
    assert (second["ran"], second["skipped_already_done"], second["failed"]) == (1, 1, 1)
    table = pd.read_parquet(tmp_path / "results.parquet")
    assert list(table["name"]) == ["bad", "good"]
    assert table.loc[0, "error"] == "RuntimeError: scenario asked to fail (fail = true)"


def test_same_results_serial_and_on_dask(tmp_path, cluster):
    # A limit that does not bind: with a binding one the answer depends on the load.
    spec = parse_spec('problem = "hours"\ntime_limit = 30\n[grid]\nbudget = [30, 40]\n')
    run_batch(spec, tmp_path / "serial", serial=True)
    run_batch(spec, tmp_path / "dask", scheduler=cluster)
    cols = ["name", "hash", "status", "solver_status", "hours_used", "demand_served"]
    serial = pd.read_parquet(tmp_path / "serial" / "results.parquet")[cols]
    dask = pd.read_parquet(tmp_path / "dask" / "results.parquet")[cols]
    pd.testing.assert_frame_equal(serial, dask)


def test_a_killed_worker_task_is_retried(tmp_path, cluster):
    marker = tmp_path / "crashed-once"
    text = f'problem = "none"\n[scenarios.crash]\ncrash_once = "{marker}"\n[scenarios.calm]\n'
    summary = run_batch(parse_spec(text), tmp_path / "out", scheduler=cluster)
    assert marker.exists()  # the first attempt killed its worker
    assert (summary["ok"], summary["failed"]) == (2, 0)


def test_transport_plan_scenarios_choose_pick_up_points(tmp_path):
    # Two walking policies through `transport plan`, serially on the default data: the
    # tighter one walks fewer pupils to stops, both within their limits.
    spec = parse_spec(
        'problem = "transport"\ntime_limit = 30\n[base]\nplan = true\n'
        '"routing.max_iterations" = 20\n"stops.method" = "sequential"\n'
        "[grid]\nmax_walk_secondary_m = [805, 2414]\n",
        source="walk.toml",
    )
    summary = run_batch(spec, tmp_path, serial=True)
    assert summary["ok"] == 2
    table = pd.read_parquet(tmp_path / "results.parquet").set_index("max_walk_secondary_m")
    assert table.loc[805, "pupils_at_stops"] < table.loc[2414, "pupils_at_stops"]
    for folder in (tmp_path / "scenarios").iterdir():
        run = json.loads((folder / "summary.json").read_text())
        assert run["command"] == "transport plan" and run["walk_limit_violations"] == 0


def test_transport_scenarios_plan_the_run_they_name(tmp_path):
    # run = "both" adds the afternoon and the day's totals; a scenario without the key
    # keeps the morning (and its old hash).
    spec = parse_spec(
        'problem = "transport"\ntime_limit = 30\n[base]\n"routing.max_iterations" = 10\n'
        '"routing.multi_school" = false\n[scenarios.morning]\n[scenarios.day]\nrun = "both"\n',
        source="day.toml",
    )
    assert "run" not in spec.scenarios[0].resolved
    summary = run_batch(spec, tmp_path, serial=True)
    assert summary["ok"] == 2
    table = pd.read_parquet(tmp_path / "results.parquet").set_index("name")
    assert table.loc["morning", "annual_cost_gbp"] == table.loc["day", "annual_cost_gbp"]
    assert pd.isna(table.loc["morning", "total_annual_cost_gbp"])
    day = json.loads((tmp_path / "scenarios" / "day" / "summary.json").read_text())
    assert day["total_annual_cost_gbp"] == table.loc["day", "total_annual_cost_gbp"]
    assert day["total_annual_cost_gbp"] > day["annual_cost_gbp"] and "pm" in day
    routes = pd.read_csv(tmp_path / "scenarios" / "day" / "routes.csv")
    assert set(routes["run"]) == {"am", "pm"}


def test_bad_run_is_one_line_error():
    from geodata.errors import InputError

    with pytest.raises(InputError, match=r"key 'run': expected one of am, pm, both, found 'noon'"):
        parse_spec('problem = "transport"\n[base]\nrun = "noon"\n', source="x.toml")


def test_local_cluster_is_quiet_and_warm(monkeypatch):
    """The batch's own cluster: workers without the 10 ms profiler, the kind's modules
    imported as they start (not in their first scenario), glibc's own heap trimming."""
    import sys

    import dask

    from optimise.batch.cluster import close_all, connect

    def worker_state():
        import os

        return (
            dask.config.get("distributed.worker.profile.enabled"),
            "optimise.estate.run" in sys.modules,
            os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        )

    # as an earlier default LocalCluster in this process leaves it (Dask's nanny)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    client, cluster = connect(None, 2, "estate")
    try:
        states = client.run(worker_state)
    finally:
        close_all(client, cluster)
    assert list(states.values()) == [(False, True, None), (False, True, None)]
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536"  # this process's own, restored
