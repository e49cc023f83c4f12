"""Travel matrices: the frozen data, the providers, matrix files and the disk cache."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geodata.errors import InputError, ValidationError
from geodata.matrix import UNREACHABLE, TravelMatrix, TravelProvider
from geodata.providers import (
    ImportedMatrix,
    MatrixCache,
    StraightLine,
    cached,
    parse_matrix,
    read_matrix,
    write_matrix,
)

U = UNREACHABLE


def points(coords: dict[str, tuple[float, float]], crs: int | None = 27700) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(xy) for xy in coords.values()], index=list(coords), crs=crs)


# A 3-4-5 triangle: A to B is 5,000 m in a straight line.
ORIGINS = points({"A": (400_000, 580_000)})
DESTS = points({"B": (403_000, 584_000), "C": (400_000, 580_000)})


def small() -> TravelMatrix:
    return TravelMatrix(
        ("a", "b"), ("x", "y", "z"), [[1, 2, 3], [4, 5, U]], [[10, 20, 30], [40, 50, U]]
    )


# --- TravelMatrix ---------------------------------------------------------------------


def test_matrix_arrays_are_read_only_int32() -> None:
    m = small()
    assert m.seconds.dtype == np.int32 and m.metres.dtype == np.int32
    with pytest.raises(ValueError, match="read-only"):
        m.seconds[0, 0] = 9
    with pytest.raises(AttributeError):
        m.mode = "walk"  # type: ignore[misc]


def test_matrix_ids_on_both_axes_and_subset() -> None:
    m = small()
    assert m.shape == (2, 3)
    assert m.origins == ("a", "b") and m.destinations == ("x", "y", "z")
    sub = m.subset(["b"], ["z", "x"])
    assert sub.origins == ("b",) and sub.destinations == ("z", "x")
    assert sub.seconds.tolist() == [[U, 4]]
    assert m.reachable().tolist() == [[True, True, True], [True, True, False]]
    with pytest.raises(KeyError, match="'q'"):
        m.subset(["q"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"origins": ("a", "a")}, "'a' repeats"),
        ({"seconds": [[1, np.nan, 3], [4, 5, 6]]}, "NaN"),
        ({"seconds": [[1, -2, 3], [4, 5, 6]]}, "between 0"),
        ({"seconds": [[1, 2], [4, 5]]}, "shape"),
        ({"mode": "cycle"}, "mode"),
    ],
)
def test_matrix_rejects_bad_data(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "origins": ("a", "b"),
        "destinations": ("x", "y", "z"),
        "seconds": [[1, 2, 3], [4, 5, 6]],
        "metres": [[1, 2, 3], [4, 5, 6]],
    }
    with pytest.raises(ValueError, match=message):
        TravelMatrix(**{**args, **kwargs})  # type: ignore[arg-type]


def test_matrix_equality() -> None:
    assert small() == small()
    other = TravelMatrix(("a", "b"), ("x", "y", "z"), [[1, 2, 3], [4, 5, 6]], [[0] * 3] * 2)
    assert small() != other
    assert small() != TravelMatrix(**{**small().__dict__, "mode": "walk"})


# --- StraightLine ---------------------------------------------------------------------


def test_straight_line_is_a_provider() -> None:
    assert isinstance(StraightLine(), TravelProvider)
    assert isinstance(ImportedMatrix(small()), TravelProvider)
    assert isinstance(cached(StraightLine(), "unused"), TravelProvider)
    assert not isinstance(object(), TravelProvider)


@pytest.mark.parametrize(
    ("mode", "metres", "seconds"),
    [
        ("drive", 6500, 488),  # 5,000 m × 1.3 at 48 km/h = 487.5 s
        ("walk", 6000, 4500),  # 5,000 m × 1.2 at 4.8 km/h = 4,500 s
    ],
)
def test_straight_line_three_four_five(mode: str, metres: int, seconds: int) -> None:
    m = StraightLine().matrix(ORIGINS, DESTS, mode=mode)
    assert m.mode == mode
    assert m.origins == ("A",) and m.destinations == ("B", "C")
    assert m.metres.tolist() == [[metres, 0]]
    assert m.seconds.tolist() == [[seconds, 0]]


def test_straight_line_overrides_one_mode_and_keeps_the_other() -> None:
    line = StraightLine(circuity={"drive": 1.0}, speed_kmh={"drive": 36.0})  # 10 m/s
    assert line.matrix(ORIGINS, DESTS).seconds.tolist() == [[500, 0]]
    assert line.circuity["walk"] == 1.2
    assert line.key() != StraightLine().key()
    assert StraightLine().key() == StraightLine().key()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"circuity": {"drive": 0}},
        {"speed_kmh": {"walk": -4.8}},
        {"speed_kmh": {"drive": float("nan")}},
        {"circuity": {"cycle": 1.1}},
    ],
)
def test_straight_line_rejects_bad_settings(kwargs: dict[str, dict[str, float]]) -> None:
    with pytest.raises(ValueError):
        StraightLine(**kwargs)  # type: ignore[arg-type]


def test_straight_line_reprojects_wgs84() -> None:
    wgs = ORIGINS.to_crs(4326)
    # walk: 4,500 s is not on a rounding boundary, so the round trip's mm do not show
    assert StraightLine().matrix(wgs, DESTS, mode="walk") == StraightLine().matrix(
        ORIGINS, DESTS, mode="walk"
    )


def test_straight_line_uses_a_point_inside_areas() -> None:
    square = gpd.GeoSeries([box(402_000, 583_000, 404_000, 585_000)], index=["B"], crs=27700)
    assert StraightLine().matrix(ORIGINS, square).metres.tolist() == [[6500]]


def test_straight_line_needs_a_crs() -> None:
    with pytest.raises(InputError, match="set a CRS"):
        StraightLine().matrix(points({"A": (0, 0)}, crs=None), DESTS)


def test_straight_line_rejects_empty_geometry_and_duplicate_ids() -> None:
    empty = gpd.GeoSeries([Point(0, 0), None], index=["p", "q"], crs=27700)
    with pytest.raises(InputError, match="'q'"):
        StraightLine().matrix(empty, DESTS)
    twice = gpd.GeoSeries([Point(0, 0), Point(1, 1)], index=["p", "p"], crs=27700)
    with pytest.raises(InputError, match="unique"):
        StraightLine().matrix(twice, DESTS)


def test_straight_line_large_matrix_in_blocks() -> None:
    rng = np.random.default_rng(0)
    o = gpd.GeoSeries(gpd.points_from_xy(*rng.uniform(0, 1e5, (2, 3000))), crs=27700)
    d = gpd.GeoSeries(gpd.points_from_xy(*rng.uniform(0, 1e5, (2, 1000))), crs=27700)
    m = StraightLine(circuity={"drive": 1.0}).matrix(o, d)
    assert m.shape == (3000, 1000)
    i, j = 2999, 17
    assert m.metres[i, j] == round(o.iloc[i].distance(d.iloc[j]))


# --- imported matrices ----------------------------------------------------------------

LONG = """origin,destination,seconds,metres
a,x,60,1000
a,y,120,2000
b,x,180,3000
"""

WIDE = """origin,x,y
a,60,120
b,180,
"""

WIDE_METRES = """origin,y,x
b,,3000
a,2000,1000
"""


def test_parse_long() -> None:
    m = parse_matrix(LONG)
    assert m.origins == ("a", "b") and m.destinations == ("x", "y")
    assert m.seconds.tolist() == [[60, 120], [180, U]]  # missing pair: no path
    assert m.metres.tolist() == [[1000, 2000], [3000, U]]


def test_parse_wide_with_metres_grid_in_another_order() -> None:
    m = parse_matrix(WIDE, metres_text=WIDE_METRES)
    assert m == parse_matrix(LONG)


def test_parse_minutes_and_mapped_columns_estimates_metres() -> None:
    text = "FROM,TO,MINS\n007,x,1.5\n"
    m = parse_matrix(
        text,
        unit="minutes",
        mode="walk",
        columns={"origin": "FROM", "destination": "TO", "seconds": "MINS"},
    )
    assert m.origins == ("007",)  # ids stay text
    assert m.seconds.tolist() == [[90]]
    assert m.metres.tolist() == [[120]]  # 90 s at 4.8 km/h
    assert "estimated" in m.source


def test_parse_minutes_column_found_by_unit() -> None:
    assert parse_matrix("origin,destination,minutes\na,x,2\n", unit="minutes").seconds[0, 0] == 120


@pytest.mark.parametrize(
    ("text", "row", "field", "found"),
    [
        ("origin,destination,seconds\na,x,60\nb,x,ten\n", 2, "seconds", "'ten'"),
        ("origin,destination,seconds\na,x,60\nb,x,-5\n", 2, "seconds", "-5"),
        ("origin,destination,seconds,metres\na,x,60,1e99\n", 1, "metres", "1e+99"),
        ("origin,destination,seconds\na,x,60\n,x,5\n", 2, "origin", "an empty cell"),
        ("origin,destination,seconds\na,x,60\na,x,5\n", 2, "destination", "'a' → 'x' again"),
        ("origin,x,y\na,1,2\nb,3,oops\n", 2, "y", "'oops'"),
    ],
)
def test_parse_bad_value_names_row_and_column(text: str, row: int, field: str, found: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_matrix(text, file="times.csv")
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("times.csv", row, field)
    assert found in problem.found
    assert f"times.csv, row {row}, field '{field}'" in str(err.value)


def test_parse_long_without_time_column_says_how_to_map_it() -> None:
    with pytest.raises(ValidationError, match="columns=") as err:
        parse_matrix("origin,destination,time\na,x,1\n", layout="long")
    assert err.value.problems[0].field == "seconds"


def test_parse_rejects_unknown_options() -> None:
    with pytest.raises(InputError, match="unit"):
        parse_matrix(LONG, unit="hours")
    with pytest.raises(InputError, match="layout"):
        parse_matrix(LONG, layout="square")


def test_imported_provider_subsets_in_request_order() -> None:
    provider = ImportedMatrix(parse_matrix(LONG), "times.csv")
    m = provider.matrix(points({"b": (0, 0), "a": (1, 1)}), ["y", "x"])
    assert m.origins == ("b", "a") and m.destinations == ("y", "x")
    assert m.seconds.tolist() == [[U, 180], [120, 60]]


def test_imported_provider_missing_ids_name_the_file_and_ids() -> None:
    provider = ImportedMatrix(parse_matrix(LONG), "times.csv")
    with pytest.raises(ValidationError) as err:
        provider.matrix(["a", "q", "r"], ["x", "z"])
    origin, dest = err.value.problems
    assert (origin.file, origin.row, origin.field) == ("times.csv", None, "origin")
    assert "'q', 'r'" in origin.found and origin.hint
    assert dest.field == "destination" and "'z'" in dest.found
    with pytest.raises(InputError, match="holds drive"):
        provider.matrix(["a"], ["x"], mode="walk")


def test_imported_key_follows_contents() -> None:
    a, b = ImportedMatrix(parse_matrix(LONG)), ImportedMatrix(parse_matrix(LONG))
    assert a.key() == b.key()
    assert a.key() != ImportedMatrix(parse_matrix(LONG.replace("180", "181"))).key()


def test_read_parquet_long_and_wide(tmp_path) -> None:
    long = tmp_path / "long.parquet"
    pd.DataFrame(
        {"origin": [1, 1, 2], "destination": ["x", "y", "x"], "minutes": [1.0, 2.0, 3.0]}
    ).to_parquet(long)
    m = read_matrix(long, unit="minutes")
    assert m.origins == ("1", "2")
    assert m.seconds.tolist() == [[60, 120], [180, U]]
    wide = tmp_path / "wide.parquet"
    pd.DataFrame({"origin": ["a", "b"], "x": [60, 180], "y": [120, None]}).to_parquet(wide)
    provider = ImportedMatrix.from_file(wide)
    assert provider.matrix(["a", "b"], ["x", "y"]).seconds.tolist() == [[60, 120], [180, U]]
    assert provider.file == str(wide)


def test_read_csv_file_errors_name_the_file(tmp_path) -> None:
    path = tmp_path / "times.csv"
    path.write_text("origin,destination,seconds\na,x,soon\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"times\.csv, row 1, field 'seconds'"):
        read_matrix(path)
    with pytest.raises(InputError, match="no such file"):
        read_matrix(tmp_path / "nope.csv")
    (tmp_path / "times.xlsx").write_bytes(b"")
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        read_matrix(tmp_path / "times.xlsx")


@pytest.mark.parametrize("name", ["out.csv", "out.parquet"])
def test_write_read_round_trip(tmp_path, name: str) -> None:
    m = TravelMatrix(
        ("007", "b"), ("z", "x", "y"), [[1, 2, U], [U, U, U]], [[10, 20, U], [U, U, U]], "walk"
    )
    path = write_matrix(m, tmp_path / name)
    assert read_matrix(path, mode="walk") == m
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


# --- cache ----------------------------------------------------------------------------


@dataclass
class Counting:
    """A provider that counts how often it is asked."""

    inner: StraightLine = field(default_factory=StraightLine)
    calls: int = 0

    def matrix(self, origins, destinations, *, mode: str = "drive") -> TravelMatrix:  # type: ignore[no-untyped-def]
        self.calls += 1
        return self.inner.matrix(origins, destinations, mode=mode)

    def key(self) -> str:
        return self.inner.key()


def test_cache_hit_does_not_call_the_provider(tmp_path) -> None:
    provider, cache = Counting(), MatrixCache(tmp_path)
    first = cache.get_or_build(provider, ORIGINS, DESTS, "drive")
    second = cache.get_or_build(provider, ORIGINS, DESTS, "drive")
    assert provider.calls == 1
    assert first == second and second.source == first.source
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    with np.load(files[0], allow_pickle=False) as data:
        assert data["origins"].dtype.kind == "U"  # text, not pickled objects
    cache.get_or_build(provider, ORIGINS, DESTS, "walk")
    assert provider.calls == 2


def test_cache_key_changes_with_coordinates_ids_and_provider(tmp_path) -> None:
    cache = MatrixCache(tmp_path)
    line = StraightLine()
    base = cache.key(line, ORIGINS, DESTS)
    assert cache.key(line, ORIGINS.translate(0.2, 0), DESTS) == base  # same metre
    assert cache.key(line, ORIGINS.translate(5, 0), DESTS) != base
    assert cache.key(line, ORIGINS.set_axis(["Z"]), DESTS) != base
    assert cache.key(StraightLine(circuity={"drive": 1.4}), ORIGINS, DESTS) != base
    assert cache.key(line, ORIGINS, DESTS, "walk") != base


def test_corrupt_cache_file_is_rebuilt(tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    provider, cache = Counting(), MatrixCache(tmp_path)
    expected = cache.get_or_build(provider, ORIGINS, DESTS)
    (path,) = tmp_path.glob("*.npz")
    path.write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING, logger="geodata.providers.cache"):
        assert cache.get_or_build(provider, ORIGINS, DESTS) == expected
    assert provider.calls == 2
    assert "rebuilding" in caplog.text
    assert cache.get_or_build(provider, ORIGINS, DESTS) == expected
    assert provider.calls == 2  # the rebuilt file is good


def test_cached_wrapper(tmp_path) -> None:
    counting = Counting()
    provider = cached(counting, tmp_path / "cache")
    assert provider.key() == counting.key()
    assert provider.matrix(ORIGINS, DESTS) == provider.matrix(ORIGINS, DESTS)
    assert counting.calls == 1


def test_parse_wide_repeated_ids_and_text_ids() -> None:
    with pytest.raises(ValidationError) as err:
        parse_matrix("origin,x,y\na,1,2\n a ,3,4\n")
    assert (err.value.problems[0].row, err.value.problems[0].found) == (2, "'a' again")
    with pytest.raises(ValidationError, match="'x' repeated"):
        parse_matrix("origin,x,x\na,1,2\n")
    assert parse_matrix("\ufeff,x,y\n007,1,2\n").origins == ("007",)  # BOM, blank header
