"""Hand-built networks with known shortest paths; snapping; the provider; the fit."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from geodata.errors import InputError
from geodata.matrix import UNREACHABLE, TravelProvider
from geodata.network import (
    Network,
    NetworkProvider,
    SnapError,
    fit_straight_line,
    load_network,
    node_matrix,
    provider_from_options,
    save_network,
    snap,
)
from geodata.providers import CachedProvider, StraightLine

# 0 --100 m, 10 s-- 1 --100 m, 10 s-- 2        fastest 0 -> 2: via 3 (10 s, 282.8 m);
#  \                                  /         3 -> 0 is one-way the other way, so
#   \--- one-way 0 -> 3, 5 s ---- 3 -/          2 -> 0 goes 2 -> 1 -> 0 (20 s, 200 m).
XY = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [100.0, 100.0]])
DIAG = float(np.hypot(100, 100))
EDGES = [  # tail, head, seconds, metres
    (0, 1, 10, 100),
    (1, 0, 10, 100),
    (1, 2, 10, 100),
    (2, 1, 10, 100),
    (0, 3, 5, DIAG),
    (3, 2, 5, DIAG),
    (2, 3, 5, DIAG),
    (3, 2, 50, DIAG),  # a slower parallel edge: the fastest is kept
]


@pytest.fixture
def tiny() -> Network:
    t, h, s, m = (np.array(c) for c in zip(*EDGES, strict=True))
    return Network.from_edges("drive", XY, t, h, s, m)


def _points(xy: list[tuple[float, float]], ids: list[str]) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(*np.array(xy).T), index=ids, crs=27700)


def test_known_shortest_paths(tiny: Network) -> None:
    seconds, metres = node_matrix(tiny, np.arange(4), np.arange(4))
    expected_s = [[0, 10, 10, 5], [10, 0, 10, 15], [20, 10, 0, 5], [25, 15, 5, 0]]
    np.testing.assert_allclose(seconds, expected_s, atol=0.05)
    assert metres[0, 2] == pytest.approx(2 * DIAG, abs=0.01)  # the fastest, not the shortest
    assert metres[2, 0] == pytest.approx(200, abs=0.01)
    assert metres[3, 0] == pytest.approx(DIAG + 200, abs=0.01)
    assert tiny.n_edges == 7


def test_search_direction_does_not_change_the_answer(tiny: Network) -> None:
    many, few = np.array([0, 1, 2, 3, 0]), np.array([2])
    forward = node_matrix(tiny, many, few)  # fewer targets: searches backwards
    backward = node_matrix(tiny, few, many)
    np.testing.assert_allclose(forward[0][:, 0], [10, 10, 0, 5, 10], atol=0.05)
    np.testing.assert_allclose(backward[0][0], [20, 10, 0, 5, 20], atol=0.05)


def test_limit_makes_far_pairs_unreachable(tiny: Network) -> None:
    seconds, _ = node_matrix(tiny, np.array([3]), np.arange(4), limit_seconds=16)
    assert np.isnan(seconds[0, 0])
    np.testing.assert_allclose(seconds[0, 1:], [15, 5, 0], atol=0.05)


def test_unreachable_node_is_nan() -> None:
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [9.0, 9.0]])
    net = Network.from_edges("walk", xy, [0], [1], [1], [1])
    seconds, metres = node_matrix(net, np.array([0, 2]), np.array([1]))
    assert seconds[0, 0] == pytest.approx(1) and np.isnan(seconds[1, 0]) and np.isnan(metres[1, 0])


def test_save_load_round_trip(tiny: Network, tmp_path) -> None:
    path = save_network(tmp_path / "drive.npz", tiny)
    back = load_network(path)
    for name in ("xy", "indptr", "indices", "seconds", "metres", "main"):
        np.testing.assert_array_equal(getattr(back, name), getattr(tiny, name))
    assert back.key() == tiny.key()
    with np.load(path, allow_pickle=False) as data:  # numpy arrays only, never pickled
        assert "xy" in data.files


def test_unreadable_network_file_says_rebuild(tmp_path) -> None:
    bad = tmp_path / "drive.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="rebuild"):
        load_network(bad)


def test_snapping_distance_reported(tiny: Network) -> None:
    snapped = snap(tiny, np.array([[0, 30], [210, 0]]), ["a", "b"])
    np.testing.assert_array_equal(snapped.node, [0, 2])
    np.testing.assert_allclose(snapped.metres, [30, 10])
    report = snapped.report()
    assert list(report.columns) == ["id", "node", "snap_m", "too_far"]
    assert report["snap_m"].tolist() == [30.0, 10.0]


def test_points_too_far_are_named(tiny: Network) -> None:
    xy = np.array([[0, 30], [5000, 0]])
    with pytest.raises(SnapError, match=r"1 of 2 stops .* 'far' \(4800 m\)") as err:
        snap(tiny, xy, ["near", "far"], max_metres=500, role="stops")
    assert err.value.snapped.too_far.tolist() == [False, True]
    kept = snap(tiny, xy, ["near", "far"], max_metres=500, on_too_far="keep")
    assert kept.node.tolist() == [0, -1]


def test_provider_adds_access_legs(tiny: Network) -> None:
    provider = NetworkProvider({"drive": tiny}, access_kmh={"drive": 3.6})  # 1 m/s
    assert isinstance(provider, TravelProvider)
    origins = _points([(0, 10), (200, 20), (0, -3)], ["o1", "o2", "o3"])
    dests = _points([(200, 0), (0, 0)], ["d1", "d2"])
    m = provider.matrix(origins, dests, mode="drive")
    assert m.origins == ("o1", "o2", "o3") and m.destinations == ("d1", "d2")
    assert m.seconds[0].tolist() == [10 + 10, 10]  # 10 s network + 10 m at 1 m/s
    assert m.metres[0, 0] == round(2 * DIAG + 10)
    assert m.seconds[1].tolist() == [20, 20 + 20]
    assert m.seconds[2, 1] == 3  # same node: the straight line between the points
    assert provider.key() != NetworkProvider({"drive": tiny}).key()


def test_provider_too_far_unreachable_or_error(tiny: Network) -> None:
    origins = _points([(0, 0), (0, 9000)], ["near", "far"])
    dests = _points([(200, 0)], ["d"])
    with pytest.raises(SnapError, match="'far'"):
        NetworkProvider({"drive": tiny}).matrix(origins, dests)
    m = NetworkProvider({"drive": tiny}, on_too_far="unreachable").matrix(origins, dests)
    assert m.seconds[1, 0] == UNREACHABLE and m.metres[1, 0] == UNREACHABLE
    assert m.seconds[0, 0] == 10
    with pytest.raises(InputError, match="no walk network"):
        NetworkProvider({"drive": tiny}).matrix(origins, dests, mode="walk")


def _grid(side: int, spacing: float = 100.0) -> Network:
    i = np.arange(side * side).reshape(side, side)
    xy = np.column_stack([(i % side).ravel(), (i // side).ravel()]) * spacing
    a = np.concatenate([i[:, :-1].ravel(), i[:-1, :].ravel()])
    b = np.concatenate([i[:, 1:].ravel(), i[1:, :].ravel()])
    m = np.full(2 * len(a), spacing)
    return Network.from_edges("drive", xy.astype(float), np.r_[a, b], np.r_[b, a], m / 10, m)


def test_fit_on_a_grid_finds_manhattan_circuity_and_speed() -> None:
    line, reports = fit_straight_line({"drive": _grid(30)}, samples=30, seed=1)
    report = reports["drive"]
    assert 1.1 < report.circuity < 1.4  # 4/pi ~ 1.27 for random directions
    assert report.speed_kmh == pytest.approx(36.0, rel=1e-3)  # 10 m/s on every edge
    assert report.median_abs_pct_error_seconds < 15
    assert line.circuity["drive"] == report.circuity
    assert line.circuity["walk"] == StraightLine().circuity["walk"]  # not fitted: default
    again, _ = fit_straight_line({"drive": _grid(30)}, samples=30, seed=1)
    assert again == line


def test_provider_from_options(tiny: Network, tmp_path) -> None:
    plain = provider_from_options(None, circuity={"drive": 1.5})
    assert isinstance(plain, StraightLine) and plain.circuity["drive"] == 1.5
    save_network(tmp_path / "drive.npz", tiny)
    provider = provider_from_options(tmp_path)
    assert isinstance(provider, CachedProvider)
    origins, dests = _points([(0, 0)], ["o"]), _points([(200, 0)], ["d"])
    first = provider.matrix(origins, dests)
    assert len(list((tmp_path / "matrix-cache").glob("*.npz"))) == 1
    assert provider.matrix(origins, dests) == first
    with pytest.raises(InputError, match="no fitted straight line"):
        provider_from_options(tmp_path, method="fitted")
    with pytest.raises(InputError, match="network build"):
        provider_from_options(tmp_path / "empty")
