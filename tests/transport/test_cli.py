"""``optimise transport routes`` and ``optimise bench cvrp|vrptw`` end to end."""

from __future__ import annotations

import json

import geopandas as gpd
import pyogrio
import pytest

from cli import main
from geodata.default import load_default
from optimise.bench.vrp import parse_solomon, solve_pyvrp
from optimise.transport import RoutingParams, solve
from optimise.transport.output import route_layers, routes_table
from tests.transport.tiny import line_problem

SUMMARY_KEYS = {
    "annual_cost_gbp", "daily_cost_gbp", "vehicles", "pupils_total", "pupils_served",
    "pupils_unserved", "ride_limit_violations", "mean_ride_minutes", "p95_ride_minutes",
    "current_annual_cost_gbp", "saving_gbp",
}  # fmt: skip


@pytest.fixture(scope="module")
def routes_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("routes")
    plan = tmp / "plan.csv"
    plan.write_text(
        "route,vehicle_type,sequence,id\nOLD1,V16,1,P00001\nOLD1,V16,2,P00002\nOLD2,V01,1,P00003\n",
        encoding="utf-8",
    )
    out = tmp / "out"
    code = main(["transport", "routes", "--time-limit", "3", "--current-plan", str(plan),
                 "--out", str(out), "--quiet"])  # fmt: skip
    return code, out


def test_routes_run_writes_the_outputs(routes_run):
    code, out = routes_run
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["pupils_total"] == 3000
    assert summary["ride_limit_violations"] == 0 and summary["violations"] == 0
    assert summary["pupils_served"] + summary["pupils_unserved"] == 3000
    assert summary["annual_cost_gbp"] == pytest.approx(summary["daily_cost_gbp"] * 190, abs=1)
    assert summary["saving_gbp"] == pytest.approx(
        summary["current_annual_cost_gbp"] - summary["annual_cost_gbp"], abs=0.05
    )
    # The default data holds 18 pupils whose direct drive already exceeds their limit:
    # carried all the same, and flagged with that ride (no pupil id in the summary).
    assert summary["pupils_served"] == 3000 and summary["pupils_unserved"] == 0
    assert summary["ride_limit_exceeded_unavoidably"] == 18
    flagged = summary["carried_beyond_limit"]
    assert len(flagged) == 18 and all(f["direct_ride_minutes"] > f["limit_minutes"]
                                      for f in flagged)  # fmt: skip
    assert all("pupil" not in f for f in flagged)


def test_routes_outputs_hold_no_home_points(routes_run):
    _, out = routes_run
    layers = {name for name, _ in pyogrio.list_layers(out / "routes.gpkg")}
    assert layers == {"routes", "stops"}
    stops = gpd.read_file(out / "routes.gpkg", layer="stops")
    assert set(stops["kind"]) <= {"base", "school", "stop"}
    homes = {(round(p.x, 3), round(p.y, 3)) for p in load_default().pupils.geometry}
    lines = gpd.read_file(out / "routes.gpkg", layer="routes")
    vertices = {(round(x, 3), round(y, 3)) for g in lines.geometry for x, y in g.coords}
    assert not vertices & homes
    table = (out / "routes.csv").read_text().splitlines()[0]
    assert table.startswith("run,route,vehicle,vehicle_type,vehicle_name,sequence,kind,id")


def test_personal_data_only_when_asked():
    prob = line_problem([{"id": "A", "x": 2.3}, {"id": "B", "x": 4.6}])
    res = solve(prob, params=RoutingParams(max_iterations=100), time_limit=5, seed=1)
    from shapely import Point

    frames = {
        "fleet": gpd.GeoDataFrame({"id": ["bus"]}, geometry=[Point(10_000, 0)], crs=27700),
        "schools": gpd.GeoDataFrame({"id": ["S1"]}, geometry=[Point(0, 0)], crs=27700),
        "stops": gpd.GeoDataFrame({"id": []}, geometry=[], crs=27700),
        "pupils": gpd.GeoDataFrame(
            {"id": ["A", "B"]}, geometry=[Point(2_300, 0), Point(4_600, 0)], crs=27700
        ),
    }
    private = route_layers(prob, res, frames)
    assert set(private) == {"routes", "stops"}
    xs = [x for x, _ in private["routes"].geometry[0].coords]
    assert xs == [10_000, 4_500, 2_500, 0]  # homes drawn at their 1 km square's centre
    shared = route_layers(prob, res, frames, include_personal_data=True)
    assert sorted(shared["pickups"]["pupil"]) == ["A", "B"]
    assert [x for x, _ in shared["routes"].geometry[0].coords] == [10_000, 4_600, 2_300, 0]
    rows = routes_table(prob, res)
    assert list(rows["kind"]) == ["base", "home", "home", "school"]


def test_solomon_distances_are_truncated_to_one_decimal():
    text = "2 10\n0 0 0 0 0 1000 0\n1 3 4 1 0 1000 0\n2 1 1 1 0 1000 0\n"
    inst = parse_solomon(text)
    assert inst.distance[0, 2] == 14 and inst.distance[1, 2] == 36  # 1.414, 3.606
    # 0 → 2 → 1 → 0 = 1.4 + 3.6 + 5.0 (two routes would be 12.8).
    result = solve_pyvrp(inst, time_limit=0.2)
    assert result["cost"] == 10.0 and result["feasible"]
    assert result["routes"] in ([[2, 1]], [[1, 2]])


def test_bench_commands_print_json(capsys, benchmarks, tmp_path):
    cvrp = benchmarks / "cvrp/X-n101-k25.vrp"
    assert main(["bench", "cvrp", str(cvrp), "--time-limit", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["feasible"] and out["cost"] >= 27591
    assert sorted(c for r in out["routes"] for c in r) == list(range(1, 101))
    vrptw = benchmarks / "vrptw/C103.txt"
    assert main(["bench", "vrptw", str(vrptw), "--time-limit", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["feasible"] and out["cost"] >= 826.3
    assert main(["bench", "vrptw", str(tmp_path / "missing.txt")]) == 2


def test_demo_routes_the_default_data_with_the_commands_job(tmp_path):
    from optimise.demo import _routes

    summary = _routes(load_default(), tmp_path / "transport", time_limit=3.5)
    assert summary["ride_limit_violations"] == 0 and summary["pupils_total"] == 3000
    assert (tmp_path / "transport" / "routes.csv").is_file()


def test_routes_run_plans_the_afternoon_too(routes_run):
    import pandas as pd

    _, out = routes_run
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"] == "both"
    pm = summary["pm"]
    assert pm["ride_limit_violations"] == 0 and pm["pupils_total"] == 3000
    # Vehicles running both runs pay one day rate: the day costs less than the two runs.
    assert summary["total_daily_cost_gbp"] < summary["daily_cost_gbp"] + pm["daily_cost_gbp"]
    assert summary["total_vehicles"] >= max(summary["vehicles"], pm["vehicles"])
    rows = pd.read_csv(out / "routes.csv")
    assert set(rows["run"]) == {"am", "pm"}
    firsts = rows[rows["sequence"] == 0].groupby("run")["kind"].agg(set)
    assert firsts["am"] <= {"base", "school"} and firsts["pm"] == {"school"}
    # everyone is carried, morning and afternoon: the file has its header and no rows
    lost = pd.read_csv(out / "unserved.csv")
    assert lost.empty and "run" in lost and summary["pupils_unserved"] == pm["pupils_unserved"] == 0


def test_routes_bad_run_value_exits_2(tmp_path, capsys):
    code = main(["transport", "routes", "--run", "noon", "--out", str(tmp_path / "x"), "--quiet"])
    assert code == 2
    assert "--run: expected one of am, pm, both, found 'noon'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_never_share_pairs_from_the_config_table():
    from geodata.errors import InputError
    from optimise.transport.run import build_problem

    d = load_default()
    frames = {k: getattr(d, k) for k in ("pupils", "schools", "stops", "fleet")}
    problem, _ = build_problem(**frames, table={"never_share": [["S001", "S007"]]})
    assert problem.never_share == ((0, 6),)
    assert not problem.may_share(6, 0) and problem.may_share(0, 1)
    with pytest.raises(InputError, match=r"never_share: expected pairs of known school ids"):
        build_problem(**frames, table={"never_share": [["S001", "S999"]]})
