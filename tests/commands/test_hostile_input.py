"""Hostile input, every command (issue #19): one line, exit 2, nothing written."""

from __future__ import annotations

import pytest

import cli
from tests.commands.hostile_case import run_case

SCHOOLS = (
    "id,name,phase,bell_time,arrive_min_before,arrive_max_before,end_time,lon,lat\n"
    "S1,A,primary,08:50,5,25,15:15,-1.6,55.1\n"
)
FLEET = "id,seats,wheelchair_spaces,day_rate,cost_per_mile,available\nV1,16,2,200,1.5,3\n"
PUPILS = "id,school_id,age,lon,lat\nP1,S1,9,-1.61,55.11\n"

# (name, files {name: text}, argv with {tmp} for the folder, text the error must contain)
CASES = [
    ("time-limit nan", {}, ["estate", "--time-limit", "nan"], "--time-limit"),
    ("time-limit inf", {}, ["hours", "--time-limit", "inf"], "--time-limit"),
    ("max-travel nan", {}, ["estate", "--max-travel", "nan"], "--max-travel"),
    ("budget negative", {}, ["hours", "--budget-hours", "-3"], "--budget-hours"),
    ("change-penalty nan", {}, ["transport", "plan", "--change-penalty", "nan"],
     "--change-penalty"),
    ("seed -1", {}, ["estate", "--seed", "-1"], "--seed"),
    ("seed 2**32", {}, ["estate", "--seed", str(2**32)], "--seed"),
    ("config time_limit text", {"c.toml": 'time_limit = "ten"\n'},
     ["hours", "--config", "{tmp}/c.toml"], "time_limit"),
    ("config out number", {"c.toml": "out = 5\n"}, ["hours", "--config", "{tmp}/c.toml"], "out"),
    ("unknown school", {"p.csv": PUPILS.replace("P1,S1", "P1,S999"), "s.csv": SCHOOLS},
     ["transport", "routes", "--pupils", "{tmp}/p.csv", "--schools", "{tmp}/s.csv"],
     "school_id"),
    ("unknown school eligibility", {"p.csv": PUPILS.replace("P1,S1", "P1,S999"), "s.csv": SCHOOLS},
     ["transport", "eligibility", "--pupils", "{tmp}/p.csv", "--schools", "{tmp}/s.csv"],
     "school_id"),
    ("day_rate huge", {"f.csv": FLEET.replace(",200,", ",1e300,")},
     ["data", "check", "{tmp}/f.csv", "--kind", "fleet"], "day_rate"),
    ("available huge", {"f.csv": FLEET.replace(",1.5,3", ",1.5,1000000000")},
     ["data", "check", "{tmp}/f.csv", "--kind", "fleet"], "available"),
    ("cost_per_mile huge", {"f.csv": FLEET.replace(",1.5,", ",1e300,")},
     ["data", "check", "{tmp}/f.csv", "--kind", "fleet"], "cost_per_mile"),
    ("wheelchair > seats", {"f.csv": FLEET.replace(",16,2,", ",16,20,")},
     ["data", "check", "{tmp}/f.csv", "--kind", "fleet"], "wheelchair_spaces"),
    ("margins crossed", {"s.csv": SCHOOLS.replace(",5,25,", ",30,25,")},
     ["data", "check", "{tmp}/s.csv", "--kind", "schools"], "arrive_min_before"),
    ("end before bell", {"s.csv": SCHOOLS.replace("15:15", "08:00")},
     ["data", "check", "{tmp}/s.csv", "--kind", "schools"], "bell_time"),
    ("header only", {"s.csv": SCHOOLS.splitlines()[0] + "\n"},
     ["data", "check", "{tmp}/s.csv", "--kind", "schools"], "no data rows"),
    ("unknown column mapping", {"s.csv": SCHOOLS},
     ["data", "check", "{tmp}/s.csv", "--kind", "schools", "--columns", "colour=name"], "colour"),
    ("two lon columns", {"s.csv": SCHOOLS.replace(",lon,lat\n", ",lon,lat,lon\n")},
     ["data", "check", "{tmp}/s.csv", "--kind", "schools"], "'lon'"),
    ("bad weekdays", {"c.csv": "id,current_days,lon,lat\nC1,Mon-Funday,-1.6,55.1\n"},
     ["data", "check", "{tmp}/c.csv", "--kind", "centres"], "current_days"),
    # data check runs what the transport commands check across their files
    ("check across files: school", {"p.csv": PUPILS.replace("P1,S1", "P1,S999"), "s.csv": SCHOOLS},
     ["data", "check", "--pupils", "{tmp}/p.csv", "--schools", "{tmp}/s.csv"], "school_id"),
    ("check across files: vehicle",
     {"p.csv": "id,school_id,age,excluded_vehicles,lon,lat\nP1,S1,9,V9,-1.61,55.11\n",
      "s.csv": SCHOOLS, "f.csv": FLEET.replace(",available\n", ",available,lon,lat\n")
                                      .replace(",3\n", ",3,-1.6,55.0\n")},
     ["data", "check", "--pupils", "{tmp}/p.csv", "--schools", "{tmp}/s.csv", "--fleet",
      "{tmp}/f.csv"], "excluded_vehicles"),
    ("check needs a file", {}, ["data", "check"], "give one FILE"),
    ("batch across files", {"p.csv": PUPILS.replace("P1,S1", "P1,S999"), "s.csv": SCHOOLS,
                            "b.toml": 'problem = "transport"\ntime_limit = 2\n[data]\n'
                                      'pupils = "p.csv"\nschools = "s.csv"\n'},
     ["batch", "{tmp}/b.toml"], "school_id"),
]  # fmt: skip


@pytest.mark.parametrize(("files", "argv", "needle"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_hostile_input_is_one_line_exit_2(capsys, tmp_path, monkeypatch, files, argv, needle):
    run_case(capsys, tmp_path, monkeypatch, files, argv, needle)


def test_excel_time_is_a_bell_time():
    from geodata.timefmt import parse_time

    assert parse_time("08:45:00") == parse_time("08:45")
    with pytest.raises(ValueError):
        parse_time("08:45:30")


def test_json_writer_writes_null_for_non_finite(tmp_path):
    import json

    from geodata.write import write_json

    path = write_json(tmp_path / "s.json", {"gap": float("nan"), "x": [float("inf"), 1.0]})
    assert json.loads(path.read_text(), parse_constant=lambda c: 1 / 0) == {
        "gap": None, "x": [None, 1.0]}  # fmt: skip


def test_a_fleet_without_bases_is_priced_from_the_first_pick_up(tmp_path):
    """Councils hold contracts, not depots: no base columns, a plan all the same."""
    import json

    import pandas as pd

    (tmp_path / "p.csv").write_text(PUPILS + "P2,S1,10,-1.65,55.14\n")
    (tmp_path / "s.csv").write_text(SCHOOLS)
    (tmp_path / "f.csv").write_text(FLEET)
    out = tmp_path / "out"
    code = cli.main(["transport", "routes", "--pupils", str(tmp_path / "p.csv"), "--schools",
                     str(tmp_path / "s.csv"), "--fleet", str(tmp_path / "f.csv"),
                     "--time-limit", "3", "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pupils_served"] == 2 and "no operator bases" in summary["costing"]
    rows = pd.read_csv(out / "routes.csv", dtype=str, keep_default_na=False)
    am = rows[rows.run == "am"].sort_values("sequence", key=lambda c: c.astype(int))
    # the route leaves its (no) base when it reaches the first pick-up: no deadhead
    assert am.kind.iloc[0] == "base" and am.depart.iloc[0] == am.arrive.iloc[1]
    miles = float(am.route_miles.iloc[0])
    direct = summary["daily_cost_gbp"] - 200  # day rate 200, £1.50 a mile
    assert miles * 1.5 == pytest.approx(direct, abs=0.05)
