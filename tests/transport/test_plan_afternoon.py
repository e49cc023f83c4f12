"""``optimise transport plan --run am|pm|both``: the afternoon on the chosen stops.

Three schools of the default data written as a council's files; few iterations and
restarts with a generous time limit, so every search stops on its count and repeats.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main
from tests.transport.council_files import council_files

SCHOOLS = ["S012", "S022", "S034"]
CONFIG = "[transport.stops]\nrestarts = 20\n[transport.routing]\nmax_iterations = 150\n"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plan-day-data")
    out = council_files(tmp, SCHOOLS)
    out["config"] = tmp / "run.toml"
    out["config"].write_text(CONFIG, encoding="utf-8")
    return out


def _args(files, out, *extra):
    return ["transport", "plan", "--pupils", str(files["pupils"]),
            "--schools", str(files["schools"]), "--stops", str(files["stops"]),
            "--fleet", str(files["fleet"]), "--config", str(files["config"]),
            "--time-limit", "200", "--seed", "3", "--out", str(out), "--quiet", *extra]  # fmt: skip


@pytest.fixture(scope="module")
def plans(files, tmp_path_factory):
    """Folders of one plan per --run value (and one without the option)."""
    root = tmp_path_factory.mktemp("plan-day")
    out = {}
    for name, extra in (
        ("default", []),
        ("am", ["--run", "am"]),
        ("both", ["--run", "both", "--include-personal-data"]),
    ):
        out[name] = root / name
        assert main(_args(files, out[name], *extra)) == 0
    return out


def _read(folder, name):
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def _summary(folder):
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_run_am_is_the_plan_of_before(plans):
    """--run am writes exactly what the plan wrote without the option (the default)."""
    for name in ("stops.csv", "assignments-personal.csv", "routes.csv", "unserved.csv"):
        pd.testing.assert_frame_equal(_read(plans["am"], name), _read(plans["default"], name))
    one, two = _summary(plans["am"]), _summary(plans["default"])
    for s in (one, two):  # the clock's readings, not the plan
        s.pop("elapsed_s"), s["stop_choice"].pop("search_s"), s["stop_choice"].pop("choose_s")
        for key in ("greedy_start_s", "generation_s", "selection_s"):  # the county planner's
            s.pop(key, None)
    assert one == two and one["run"] == "am" and "pm" not in one
    assert set(_read(plans["am"], "routes.csv").run) == {"am"}
    assert "pm_route" not in _read(plans["am"], "assignments-personal.csv").columns


def test_both_keeps_the_morning_and_adds_the_afternoon(plans):
    am, both = _read(plans["am"], "routes.csv"), _read(plans["both"], "routes.csv")
    assert set(both.run) == {"am", "pm"}
    morning = both[both.run == "am"].reset_index(drop=True)
    pd.testing.assert_frame_equal(morning, am)  # same stops, same morning routes
    pd.testing.assert_frame_equal(
        _read(plans["both"], "stops.csv").drop(columns="routes"),
        _read(plans["am"], "stops.csv").drop(columns="routes"),
    )
    s = _summary(plans["both"])
    assert s["annual_cost_gbp"] == _summary(plans["am"])["annual_cost_gbp"]
    assert s["pm"]["pupils_served"] == s["pupils_served"] == s["pupils_total"]
    assert s["pm"]["ride_limit_violations"] == 0
    report = (plans["both"] / "report.html").read_text(encoding="utf-8")
    assert "Afternoon ride times" in report and "whole day a year" in report
    assert "Afternoon ride times" not in (plans["am"] / "report.html").read_text(encoding="utf-8")


def test_every_pupil_is_set_down_at_their_morning_stop(plans):
    rows = _read(plans["both"], "routes.csv")
    people = _read(plans["both"], "assignments-personal.csv")
    at_stop = people[people.pickup != "home"]
    assert len(at_stop) > 10  # consolidation did choose stops
    # pupils each afternoon route sets down at each stop, from routes.csv, against the
    # pupils assigned to that stop who ride that afternoon route
    pm = rows[(rows.run == "pm") & (rows.kind == "stop")]
    dropped = pm.groupby(["route", "id"]).pupils_alighting.apply(lambda s: s.astype(int).sum())
    expected = at_stop.groupby(["pm_route", "pickup"]).size()
    expected.index.names = ["route", "id"]
    assert dropped.sort_index().to_dict() == expected.sort_index().to_dict()
    assert (at_stop.pm_route != "").all() and (at_stop.route != "").all()
    # pupils collected from home are set down at home (named in the -personal file only)
    assert (rows.id[rows.kind == "home"] == "").all()
    named = _read(plans["both"], "routes-personal.csv")
    home = named[(named.run == "pm") & (named.kind == "home")]
    set_down = {p for ids in home.id for p in ids.split(";")}
    assert set_down == set(people.pupil_id[people.pickup == "home"])


def test_day_total_is_morning_plus_afternoon(plans):
    s = _summary(plans["both"])
    routes = _read(plans["both"], "routes.csv")
    cost = routes[routes.route_daily_cost_gbp != ""]
    am_day = cost[cost.run == "am"].route_daily_cost_gbp.astype(float).sum()
    pm_day = cost[cost.run == "pm"].route_daily_cost_gbp.astype(float).sum()
    assert am_day == pytest.approx(s["daily_cost_gbp"], abs=0.05)
    assert pm_day == pytest.approx(s["pm"]["daily_cost_gbp"], abs=0.05)
    # one vehicle running both pays one day rate: the day is the two runs less the
    # shared day rates, and needs no fewer vehicles than the busier run
    assert s["total_daily_cost_gbp"] <= am_day + pm_day + 0.05
    assert s["total_daily_cost_gbp"] >= max(am_day, pm_day) - 0.05
    assert max(s["vehicles"], s["pm"]["vehicles"]) <= s["total_vehicles"]
    assert s["total_vehicles"] <= s["vehicles"] + s["pm"]["vehicles"]
    assert s["total_annual_cost_gbp"] == pytest.approx(
        s["total_daily_cost_gbp"] * s["school_days"], abs=1
    )


def test_replan_with_both_runs_counts_each_pupil_once(plans, files, tmp_path):
    out = tmp_path / "term2"
    args = _args(files, out, "--run", "both", "--previous-plan", str(plans["both"]),
                 "--max-changes", "0")  # fmt: skip
    assert main(args) == 0
    s = _summary(out)
    assert s["pupils_changed"] <= s["pupils_continuing"] == s["pupils_total"]
    assert s["stops_opened"] == 0 and s["stops_closed"] == 0
    assert s["max_changes_met"] == (s["pupils_changed"] == 0)
    # the afternoon was re-planned on the same stops: people keep their stop
    old = _read(plans["both"], "assignments-personal.csv").set_index("pupil_id").pickup
    new = _read(out, "assignments-personal.csv").set_index("pupil_id").pickup
    assert new.sort_index().equals(old.sort_index())
    assert "pm" in s and set(_read(out, "routes.csv").run) == {"am", "pm"}


def test_an_afternoon_vehicle_change_counts_once_per_pupil(plans, files, tmp_path):
    """Last term's file edited: one pupil had another afternoon vehicle, another pupil
    another vehicle both morning and afternoon. Same stops and seed, so the new plan
    repeats the rest: 2 pupils changed with --run both; the morning alone sees 1."""
    old = _read(plans["both"], "assignments-personal.csv")
    riders = old.index[old.pm_route != ""]
    one, two = riders[0], riders[-1]
    other_pm = old.pm_route[old.pm_route != old.pm_route[one]].iloc[0]
    other_am = old.route[old.route != old.route[two]].iloc[0]
    old.loc[one, "pm_route"] = other_pm
    old.loc[two, ["route", "pm_route"]] = [other_am, other_pm]
    edited = tmp_path / "old.csv"
    old.to_csv(edited, index=False)
    for run, expected in (("both", 2), ("am", 1)):
        out = tmp_path / run
        assert main(_args(files, out, "--run", run, "--previous-plan", str(edited))) == 0
        assert _summary(out)["pupils_changed"] == expected


def test_mode_choice_with_both_runs(files, tmp_path):
    out = tmp_path / "modes"
    assert main(_args(files, out, "--run", "both", "--mode-choice")) == 0
    s = _summary(out)
    people = _read(out, "assignments-personal.csv")
    moved = people[people["mode"] != "route"]
    assert (moved.route == "").all() and (moved.pm_route == "").all()  # no seat either run
    on = people[people["mode"] == "route"]
    assert (on.pm_route != "").all()
    assert s["pm"]["pupils_served"] == len(on)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--run", "noon"], "--run: expected one of am, pm, both, found 'noon'"),
        (["--run", "pm", "--mode-choice"], "--run pm: --mode-choice works on the morning run"),
    ],
)
def test_bad_run_is_one_line(files, tmp_path, capsys, extra, expected):
    code = main(_args(files, tmp_path / "o", *extra))
    err = capsys.readouterr().err
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_pm_alone_routes_the_afternoon_only(files, tmp_path):
    out = tmp_path / "pm"
    assert main(_args(files, out, "--run", "pm")) == 0
    assert set(_read(out, "routes.csv").run) == {"pm"}
    people = _read(out, "assignments-personal.csv")
    assert (people.route == "").all() and (people.pm_route != "").all()
    assert _summary(out)["run"] == "pm"
