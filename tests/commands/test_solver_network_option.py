"""Every solver command takes --network: travel times then come from the road network."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cli


def _nodes(leeds, n, seed):
    with np.load(leeds / "drive.npz", allow_pickle=False) as graph:
        xy = graph["xy"][graph["main"]] if graph["main"].dtype == bool else graph["xy"]
    return xy[np.random.default_rng(seed).choice(len(xy), n, replace=False)]


def test_estate_runs_on_the_network(tmp_path, leeds, capsys):
    sites, zones = tmp_path / "sites.csv", tmp_path / "zones.csv"
    rows = [
        f"S{i},library,library,10000,{x:.1f},{y:.1f}"
        for i, (x, y) in enumerate(_nodes(leeds, 4, 1))
    ]
    sites.write_text("id,type,services,running_cost,easting,northing\n" + "\n".join(rows) + "\n")
    rows = [f"Z{i},500,{x:.1f},{y:.1f}" for i, (x, y) in enumerate(_nodes(leeds, 6, 2))]
    zones.write_text("id,population,easting,northing\n" + "\n".join(rows) + "\n")
    args = ["estate", "--sites", str(sites), "--zones", str(zones), "--json"]
    code = cli.main([*args, "--network", str(leeds), "--out", str(tmp_path / "o")])
    summary = json.loads(capsys.readouterr().out)
    # One library within the limit serves every zone: the other three go.
    assert code == 0 and summary["sites_kept"] == 1 and summary["sites_disposed"] == 3
    assert summary["annual_saving_gbp"] == 30_000 and 0 < summary["max_travel_minutes"] < 30


@pytest.mark.parametrize("command", [["estate"], ["hours", "--no-curve"], ["transport", "routes"]])
def test_points_beyond_the_network_are_named_and_exit_2(tmp_path, leeds, capsys, command):
    # The default data is in Northumberland; the Leeds network is ~150 km away.
    code = cli.main([*command, "--network", str(leeds), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "from the drive network" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_batch_runs_on_the_network_with_renamed_columns(tmp_path, leeds):
    import pandas as pd

    from optimise.batch import load_spec, run_batch

    sites, zones = tmp_path / "sites.csv", tmp_path / "zones.csv"
    rows = [
        f"S{i},library,library,10000,{x:.1f},{y:.1f}"
        for i, (x, y) in enumerate(_nodes(leeds, 4, 1))
    ]
    sites.write_text("UPRN,type,services,running_cost,easting,northing\n" + "\n".join(rows) + "\n")
    rows = [f"Z{i},500,{x:.1f},{y:.1f}" for i, (x, y) in enumerate(_nodes(leeds, 6, 2))]
    zones.write_text("id,population,easting,northing\n" + "\n".join(rows) + "\n")
    spec_file = tmp_path / "batch.toml"
    spec_file.write_text(
        'problem = "estate"\ntime_limit = 10\n[data]\nsites = "sites.csv"\nzones = "zones.csv"\n'
        '[columns.sites]\nid = "UPRN"\n[base]\nranking_steps = 0\n[grid]\nmax_travel = [30, 60]\n'
    )
    spec = load_spec(spec_file, network=leeds)
    assert spec.network == str(leeds.resolve())
    straight = load_spec(spec_file)
    assert {s.hash for s in spec.scenarios}.isdisjoint(s.hash for s in straight.scenarios)
    summary = run_batch(spec, tmp_path / "out", serial=True)
    table = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert summary["ok"] == 2 and list(table["sites_disposed"]) == [3, 3]
    # Travel times came from the network: the same scenario on straight lines differs.
    on_road = json.loads(
        next((tmp_path / "out" / "scenarios").glob("*30*/summary.json")).read_text()
    )
    run_batch(straight, tmp_path / "line", serial=True)
    direct = json.loads(
        next((tmp_path / "line" / "scenarios").glob("*30*/summary.json")).read_text()
    )
    assert on_road["max_travel_minutes"] != direct["max_travel_minutes"]


def test_batch_network_that_is_not_a_network_folder_is_one_line(tmp_path, capsys):
    spec_file = tmp_path / "batch.toml"
    spec_file.write_text(
        'problem = "estate"\n[data]\nnetwork = "nowhere"\n[grid]\nmax_travel = [30]\n'
    )
    code = cli.main(["batch", str(spec_file), "--out", str(tmp_path / "o"), "--serial"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "[data] network" in err and "optimise network build" in err and "nowhere" in err
