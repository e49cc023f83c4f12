"""Term re-planning and ``optimise transport plan`` end to end: the stability penalty
on a hand-checkable case, the ``--max-changes`` cap, outputs, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli import main
from optimise.transport.stops import HOME, Stability, StopParams, choose_fewest, reach
from optimise.transport.stops.choose import NEW
from optimise.transport.stops.plan import choose_stops
from tests.transport.council_files import council_files
from tests.transport.test_stops import tiny

# Hand-checkable: A and B can walk to T1 or T2, C only to T2. Last term A and B used
# T1 and C was new. Fewest points: everyone at T2 (1 point, A and B change). Keeping
# A and B at T1 costs 2 points (T1, and C at home or alone at T2: home, as it needs no
# walk). With a penalty p per changed pupil (in points) the choice is 1 + 2p against
# 2: T2 for all below p = 0.5, keep T1 above.
PUPILS = [{"id": "A", "x": 5.0}, {"id": "B", "x": 5.1}, {"id": "C", "x": 6.0}]
STOPS = [{"id": "T1", "x": 5.0}, {"id": "T2", "x": 5.5}]
WALKS = [[100, 600], [100, 500], [9999, 500]]
PREVIOUS = np.array([0, 0, NEW])


KEEP = [0, 0, HOME]


@pytest.mark.parametrize(
    ("penalty", "expected"), [(0.0, [1, 1, 1]), (0.4, [1, 1, 1]), (0.6, KEEP), (5.0, KEEP)]
)
def test_stability_penalty_changes_the_plan(penalty, expected):
    r = reach(tiny(PUPILS, STOPS, WALKS))
    assert choose_fewest(r, stability=Stability(PREVIOUS, penalty)).tolist() == expected


@pytest.mark.parametrize("cap", [0, 1, 2])
def test_max_changes_is_respected(cap):
    r = reach(tiny(PUPILS, STOPS, WALKS))
    stab = Stability(PREVIOUS, 0.0, cap)
    assign = choose_fewest(r, stability=stab)
    assert stab.changed(assign).sum() <= cap
    # below 2 changes the fewest points are 2 either way; the least walking is KEEP
    assert assign.tolist() == ([1, 1, 1] if cap == 2 else KEEP)


@pytest.mark.parametrize("method", ["sequential", "joint"])
def test_max_changes_holds_in_both_methods(method):
    problem = tiny(PUPILS, STOPS, WALKS)
    stab = Stability(PREVIOUS, 0.0, 0)
    assign, _ = choose_stops(problem, StopParams(method=method), time_limit=2, stability=stab)
    assert assign.tolist()[:2] == [0, 0]


def test_same_seed_same_stops():
    rng = np.random.default_rng(5)
    xs = rng.uniform(1, 20, 30)
    pupils = [{"id": f"P{i}", "x": float(x)} for i, x in enumerate(xs)]
    stops = [{"id": f"T{j}", "x": float(j)} for j in range(1, 21)]
    problem = tiny(pupils, stops, (np.abs(np.subtract.outer(xs, np.arange(1, 21))) * 1000).tolist())
    params = StopParams(method="joint", restarts=20)
    one, _ = choose_stops(problem, params, time_limit=20, seed=4)
    two, _ = choose_stops(problem, params, time_limit=20, seed=4)
    assert one.tolist() == two.tolist()


# --- end to end on two schools of the default data, written as a council's files ---


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plan-data")
    return council_files(tmp, ["S012", "S022", "S028"])


def _run(capsys, *args):
    code = main(["transport", "plan", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _args(files, out, *extra):
    return ["--pupils", str(files["pupils"]), "--schools", str(files["schools"]),
            "--stops", str(files["stops"]), "--fleet", str(files["fleet"]),
            "--time-limit", "4", "--seed", "1", "--out", str(out), "--quiet", *extra]  # fmt: skip


@pytest.fixture(scope="module")
def first_term(files, tmp_path_factory):
    out = tmp_path_factory.mktemp("term1") / "plan"
    assert main(["transport", "plan", *_args(files, out)]) == 0
    return out


def test_plan_writes_outputs_without_personal_data(first_term, files):
    summary = json.loads((first_term / "summary.json").read_text())
    for key in ("stops_used", "stops_candidate", "mean_walk_m", "max_walk_m",
                "walk_limit_violations", "savings_by_line_gbp"):  # fmt: skip
        assert key in summary
    assert summary["walk_limit_violations"] == 0 and summary["ride_limit_violations"] == 0
    assert set(summary["savings_by_line_gbp"]) == {
        "pick_up_points", "route_mapping", "personal_budgets", "independent_travel"}  # fmt: skip
    pupils = pd.read_csv(files["pupils"], dtype=str)
    stops = pd.read_csv(first_term / "stops.csv", dtype=str)
    assert stops.pupils.astype(int).sum() == summary["pupils_at_stops"]
    shared = (first_term / "stops.csv").read_text() + (first_term / "summary.json").read_text()
    assert not any(pid in shared for pid in pupils.id)
    personal = pd.read_csv(first_term / "assignments-personal.csv", dtype=str)
    assert len(personal) == len(pupils) and "home_easting" not in personal.columns
    sen = set(pupils.id[pupils.sen == "True"])
    assert set(personal.pupil_id[personal.pickup != "home"]).isdisjoint(sen)


def test_replan_with_no_changes_allowed_changes_nobody(first_term, files, tmp_path, capsys):
    out = tmp_path / "term2"
    code, _, err = _run(capsys, *_args(files, out, "--previous-plan", str(first_term),
                                       "--max-changes", "0"))  # fmt: skip
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pupils_changed"] == 0 and summary["max_changes_met"]
    assert summary["replanning"]["repair"]["pupils_changed"] == 0
    assert summary["stops_opened"] == 0 and summary["stops_closed"] == 0


def test_replan_reports_changes_for_joiners_and_leavers(first_term, files, tmp_path, capsys):
    pupils = pd.read_csv(files["pupils"], dtype=str)
    churned = pd.concat([pupils.iloc[3:], pupils.iloc[:3].assign(id=["N1", "N2", "N3"])])
    path = tmp_path / "pupils.csv"
    churned.to_csv(path, index=False)
    previous = str(first_term / "assignments-personal.csv")
    args = _args({**files, "pupils": path}, tmp_path / "t2", "--previous-plan", previous,
                 "--change-penalty", "1000")  # fmt: skip
    code, _, err = _run(capsys, *args)
    assert code == 0, err
    summary = json.loads((tmp_path / "t2" / "summary.json").read_text())
    assert summary["pupils_left"] == 3 and summary["pupils_joined"] == 3
    assert {"from_scratch", "repair"} <= set(summary["replanning"])
    assert summary["walk_limit_violations"] == 0


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--previous-plan", "no-such-folder"], "previous plan not found"),
        (["--max-changes", "-1"], "--max-changes: expected"),
        (["--change-penalty", "-5"], "--change-penalty: expected"),
    ],
)
def test_bad_options_are_one_line(files, tmp_path, capsys, extra, expected):
    code, _, err = _run(capsys, *_args(files, tmp_path / "out", *extra))
    assert code == 2 and expected in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_bad_previous_plan_and_config_are_one_line(files, tmp_path, capsys):
    bad = tmp_path / "old.csv"
    bad.write_text("pupil_id,route\nP1,R1\n")
    code, _, err = _run(capsys, *_args(files, tmp_path / "o", "--previous-plan", str(bad)))
    assert code == 2 and "missing column 'pickup'" in err and str(bad) in err
    dup = tmp_path / "dup.csv"
    dup.write_text(
        "pupil_id,pickup,route,vehicle,vehicle_type\nP1,home,R1,R1,V1\nP1,home,R1,R1,V1\n"
    )
    code, _, err = _run(capsys, *_args(files, tmp_path / "o", "--previous-plan", str(dup)))
    assert code == 2 and "row 3, column pupil_id" in err
    cfg = tmp_path / "run.toml"
    cfg.write_text('[transport.stops]\nmethod = "magic"\n')
    code, _, err = _run(capsys, *_args(files, tmp_path / "o", "--config", str(cfg)))
    assert code == 2 and "method" in err and "magic" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_max_changes_below_the_forced_changes_is_one_line(first_term, files, tmp_path, capsys):
    personal = pd.read_csv(first_term / "assignments-personal.csv", dtype=str)
    at_stop = personal.index[personal.pickup != "home"][:2]
    personal.loc[at_stop, "pickup"] = "NO-SUCH-STOP"
    old = tmp_path / "old.csv"
    personal.to_csv(old, index=False)
    code, _, err = _run(capsys, *_args(files, tmp_path / "o", "--previous-plan", str(old),
                                       "--max-changes", "1"))  # fmt: skip
    assert code == 2 and "at least 2 continuing pupils must change" in err


def test_savings_by_line_add_up_and_mode_choice_plugs_in(files, tmp_path, capsys):
    pupils = pd.read_csv(files["pupils"], dtype=str)
    plan = tmp_path / "current.csv"
    rows = [f"C{i},V16,1,{pid}" for i, pid in enumerate(pupils.id)]
    plan.write_text("route,vehicle_type,sequence,id\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    code, _, err = _run(capsys, *_args(files, out, "--current-plan", str(plan), "--mode-choice"))
    assert code == 0, err
    s = json.loads((out / "summary.json").read_text())
    lines = s["savings_by_line_gbp"]
    assert all(isinstance(v, float | int) for v in lines.values())
    # route mapping + pick-up points = current − the plan before mode choice moved anyone
    before_modes = s["mode_choice"]["baseline_annual_cost_gbp"]
    assert lines["route_mapping"] + lines["pick_up_points"] == pytest.approx(
        s["current_annual_cost_gbp"] - before_modes, abs=0.05
    )
    assert (out / "modes-personal.csv").is_file()
    modes = pd.read_csv(out / "assignments-personal.csv", dtype=str)["mode"]
    assert set(modes) <= {"route", "solo", "budget", "training", "unserved"}


def test_from_scratch_ignores_last_term_but_reports_changes(first_term, files, tmp_path, capsys):
    out = tmp_path / "t2"
    args = _args(files, out, "--previous-plan", str(first_term), "--change-penalty", "1000",
                 "--max-changes", "0", "--from-scratch")  # fmt: skip
    code, _, err = _run(capsys, *args)
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["replanning"]) == {"chosen", "from_scratch"}
    assert summary["replanning"]["chosen"] == "from scratch"
    assert "pupils_changed" in summary and summary["pupils_continuing"] > 0
