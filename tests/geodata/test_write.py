from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geodata.write import Staging, atomic_path, frame_to_csv, write_csv, write_gpkg, write_json


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_staging_publishes_only_on_success(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(RuntimeError), Staging(out) as stage:
        write_json(stage.path / "summary.json", {"a": 1})
        raise RuntimeError("solver failed")
    assert list(out.iterdir()) == []
    with Staging(out) as stage:
        write_json(stage.path / "summary.json", {"a": 1})
        write_json(stage.path / "sub" / "b.json", {"b": 2})
    assert json.loads((out / "summary.json").read_text()) == {"a": 1}
    assert (out / "sub" / "b.json").exists()
    assert sorted(p.name for p in out.iterdir()) == ["sub", "summary.json"]


def test_csv_and_gpkg_writers(tmp_path):
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"]}, geometry=[Point(400000, 560000), Point(401000, 561000)], crs=27700
    )
    table = frame_to_csv(frame, coords="both")
    assert list(table.columns) == ["id", "easting", "northing", "lon", "lat"]
    assert -2.1 < table["lon"][0] < -1.9 and 54 < table["lat"][0] < 56
    write_csv(tmp_path / "f.csv", frame)
    assert (tmp_path / "f.csv").read_text().splitlines()[0] == "id,lon,lat"
    write_gpkg(tmp_path / "f.gpkg", {"points": frame})
    back = gpd.read_file(tmp_path / "f.gpkg", layer="points")
    assert back.crs.to_epsg() == 27700 and list(back["id"]) == ["a", "b"]
