"""`optimise hours` end to end: outputs, summary.json, bad input exits 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main
from optimise.hours.sweep import NOT_PROVEN, NOT_RUN

ISSUE_KEYS = {
    "budget_hours", "hours_used", "demand_served", "over65_demand_served",
    "current_demand_served", "current_over65_demand_served", "visits_per_open_hour",
    "current_visits_per_open_hour", "optimal",
}  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("hours")
    code = main(["hours", "--out", str(out), "--budget-hours", "40", "--no-curve", "--quiet",
                 "--seed", "3", "--time-limit", "60"])  # fmt: skip
    assert code == 0
    return out


def test_hours_writes_timetable_grid_figures_and_summary(run_dir):
    names = {p.name for p in run_dir.iterdir()}
    assert {"timetable.csv", "current_timetable.csv", "timetable.md", "centres.csv",
            "summary.json"} <= names  # fmt: skip
    assert not any(n.startswith(".staging") for n in names)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert set(summary) >= ISSUE_KEYS
    assert summary["budget_hours"] == 40 and summary["hours_used"] == 40
    assert summary["current_visits_per_open_hour"]["Ashington"] == 6.34
    assert summary["optimal"] is True
    table = pd.read_csv(run_dir / "timetable.csv")
    assert table["hours"].sum() == 40
    today = pd.read_csv(run_dir / "current_timetable.csv")
    assert today["hours"].sum() == 70
    grid = (run_dir / "timetable.md").read_text()
    assert "## Proposed" in grid and "## Today" in grid and "10:30-14:30" in grid
    centres = pd.read_csv(run_dir / "centres.csv")
    assert {"visits", "visits_per_open_hour", "current_visits", "published_share",
            "modelled_share"} <= set(centres.columns)  # fmt: skip


def test_profile_and_config_options(tmp_path):
    profile = tmp_path / "footfall.csv"
    profile.write_text("day,hours,weight\nMon-Fri,09:00-13:00,2\nMon-Fri,13:00-17:00,1\n")
    config = tmp_path / "run.toml"
    config.write_text("[hours]\nbudget_hours = 45\ncurve_from = 40\ncurve_to = 45\n"
                      "curve_step = 5\n")  # fmt: skip
    out = tmp_path / "out"
    code = main(["hours", "--out", str(out), "--config", str(config), "--profile", str(profile),
                 "--quiet", "--time-limit", "2"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["budget_hours"] == 45
    assert [row["budget_hours"] for row in summary["curve"]] == [40, 45]
    assert summary["curve"][0]["extra_visits_per_extra_hour"] is None
    assert "NaN" not in (out / "summary.json").read_text()
    curve = pd.read_csv(out / "curve.csv")
    # --time-limit bounds the whole command: a budget it leaves out stays in the curve,
    # marked not run (with a note), never dropped.
    ran = curve["status"] != NOT_RUN
    assert (curve.loc[ran, "hours_used"] <= curve.loc[ran, "budget_hours"]).all()
    assert curve.loc[~ran, "demand_served"].isna().all()
    assert set(curve["status"]) <= {"optimal", NOT_PROVEN, NOT_RUN}
    for row in summary["curve"]:
        if row["status"] != "optimal":
            assert any(row["status"] in n and f"{row['budget_hours']:g}" in n
                       for n in summary["notes"])  # fmt: skip


def test_time_limit_bounds_the_whole_run_and_says_what_it_left_out(tmp_path):
    # One second for everything: the plan gets it; the rule prices and the other curve
    # budgets are reported as not run, in curve.csv, summary.json and timetable.md.
    out = tmp_path / "out"
    code = main(["hours", "--out", str(out), "--quiet", "--time-limit", "1"])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    curve = pd.read_csv(out / "curve.csv")
    assert list(curve["budget_hours"]) == [40, 50, 60, 70, 80, 90, 100, 110, 120]
    assert (curve.loc[curve["budget_hours"] != 70, "status"] == NOT_RUN).all()
    assert summary["rule_prices"]["no_floor"]["status"] == NOT_RUN
    assert summary["rule_prices"]["price_of_floor_demand_served"] is None
    assert any(NOT_RUN in n for n in summary["notes"])
    assert NOT_RUN in (out / "timetable.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget-hours", "-5"], "--budget-hours: expected a finite number"),
        (["--budget-hours", "4"], "cannot open one centre"),
        (["--min-block", "1.25"], "whole number"),
        (["--profile", "missing.csv"], "profile file not found"),
        (["--centres", "missing.csv"], "missing.csv"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    code = main(["hours", "--out", str(tmp_path / "x"), "--no-curve", *args])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err  # one line, not a traceback or a list
    assert message in err and err.startswith("error:")
