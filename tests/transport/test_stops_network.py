"""``optimise transport plan --network``: walks to stops along the path network."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

import cli


def test_plan_walks_along_the_network(tmp_path, leeds, capsys):
    with np.load(leeds / "drive.npz", allow_pickle=False) as graph:
        xy = graph["xy"][graph["main"]] if graph["main"].dtype == bool else graph["xy"]
    rng = np.random.default_rng(7)
    centre = xy[len(xy) // 2]
    near = xy[np.hypot(*(xy - centre).T) < 1200]
    pts = near[rng.choice(len(near), 16, replace=False)]
    school, base, stops, homes = pts[0], pts[1], pts[2:6], pts[6:]

    def write(name: str, header: str, rows: list[str]) -> str:
        path = tmp_path / f"{name}.csv"
        path.write_text(header + "\n" + "\n".join(rows) + "\n")
        return str(path)

    files = {
        "--schools": write("schools", "id,phase,bell_time,easting,northing",
                           [f"S1,secondary,09:00,{school[0]:.1f},{school[1]:.1f}"]),
        "--fleet": write("fleet", "id,seats,day_rate,cost_per_mile,available,easting,northing",
                         [f"bus,16,100,1.0,3,{base[0]:.1f},{base[1]:.1f}"]),
        "--stops": write("stops", "id,easting,northing",
                         [f"T{i},{x:.1f},{y:.1f}" for i, (x, y) in enumerate(stops)]),
        "--pupils": write("pupils", "id,school_id,age,easting,northing",
                          [f"P{i},S1,12,{x:.1f},{y:.1f}" for i, (x, y) in enumerate(homes)]),
    }  # fmt: skip
    args = ["transport", "plan", *(a for kv in files.items() for a in kv),
            "--time-limit", "3", "--json"]  # fmt: skip
    assert cli.main([*args, "--network", str(leeds), "--out", str(tmp_path / "net")]) == 0
    on_network = json.loads(capsys.readouterr().out)
    assert cli.main([*args, "--out", str(tmp_path / "line")]) == 0
    straight = json.loads(capsys.readouterr().out)
    assert "network" in on_network["walk_times"] and "straight" in straight["walk_times"]
    assert on_network["walk_limit_violations"] == 0 and on_network["pupils_at_stops"] > 0
    # every walk on the network is at least the straight line between home and stop
    walks = pd.read_csv(tmp_path / "net" / "assignments-personal.csv", dtype={"pickup": str})
    walks = walks[walks.pickup != "home"]
    stop_at = {f"T{i}": s for i, s in enumerate(stops)}
    for _, row in walks.iterrows():
        home = homes[int(row.pupil_id[1:])]
        assert row.walk_m + 1 >= np.hypot(*(home - stop_at[row.pickup]))
