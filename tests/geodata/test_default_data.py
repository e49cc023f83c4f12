"""The embedded Northumberland default dataset: DOMAIN.md's figures, schema, determinism."""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from geodata.default import (
    KIND_FILES,
    DefaultData,
    export_default,
    load_default,
)
from geodata.default._common import apportion
from geodata.default.outline import county_outline
from geodata.schema import SCHEMAS, WEEKDAYS
from geodata.timefmt import hours_per_week, parse_days, parse_hours
from models.hours import visits_per_open_hour

if TYPE_CHECKING:
    from pathlib import Path

    import shapely

# Great Britain in British National Grid metres (EPSG:27700 area of use, rounded out).
GB_BOUNDS = (0.0, 0.0, 700_000.0, 1_300_000.0)
CENTRE_TOWNS = {"Berwick": "Berwick-upon-Tweed"}


@pytest.fixture(scope="session")
def data() -> DefaultData:
    return load_default()


@pytest.fixture(scope="session")
def county(test_data: Path) -> shapely.Geometry:
    path = test_data / "northumberland" / "county_boundary.geojson"
    return gpd.read_file(path).to_crs(27700).make_valid().union_all()


def _number(text: str) -> float:
    text = text.strip().replace(",", "")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


@pytest.fixture(scope="session")
def domain_centres(test_data: Path) -> pd.DataFrame:
    """DOMAIN.md §3's markdown table (excerpt in tests/data/DOMAIN_centres.md), parsed."""
    lines = (test_data / "DOMAIN_centres.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| centre |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    table = pd.DataFrame(rows, columns=header)
    for col in header[1:]:
        if col not in ("days", "hours"):
            table[col] = table[col].map(_number)
    return table.set_index("centre")


# --- DOMAIN.md's counts and totals -------------------------------------------------


def test_estate_totals(data: DefaultData) -> None:
    sites = data.sites
    assert len(sites) == 343
    assert sites["corporate_landlord"].sum() == 44
    backlog = sites[["backlog_p1", "backlog_p2", "backlog_p3", "backlog_p4"]].to_numpy().sum()
    assert backlog == 9_600_000
    assert sites["capital_value"].sum() == 545_000_000
    assert sites.loc[sites["name"] == "County Hall", "must_keep"].item()
    lease = sites["tenure"] == "leasehold"
    assert 0 < lease.sum() < len(sites) / 4
    assert (sites.loc[lease, "lease_break"] != "").all()
    assert (sites.loc[~lease, "lease_break"] == "").all()
    assert set(data.centres["site_id"]) <= set(sites["id"])
    assert sites["type"].nunique() >= 10


def test_population_totals(data: DefaultData) -> None:
    zones = data.zones
    assert 450 <= len(zones) <= 550
    assert zones["population"].sum() == 320_000
    assert zones["over65"].sum() / zones["population"].sum() == pytest.approx(0.255, abs=0.001)
    assert (zones["over65"] <= zones["population"]).all()
    towns = zones[zones["settlement"] == "town"]
    assert towns["population"].between(150, 2_000).all()
    assert towns["population"].median() == pytest.approx(850, rel=0.25)


def test_centre_towns_have_domain_population_and_over65(
    data: DefaultData, domain_centres: pd.DataFrame
) -> None:
    towns = data.zones[data.zones["settlement"] == "town"].groupby("town")[["population", "over65"]]
    sums = towns.sum()
    for centre, row in domain_centres.iterrows():
        town = sums.loc[CENTRE_TOWNS.get(centre, centre)]
        assert town["population"] == row["population"]
        assert round(town["over65"] / town["population"], 3) == pytest.approx(row["over 65"])


def test_schools(data: DefaultData) -> None:
    schools = data.schools
    assert 55 <= len(schools) <= 65
    assert schools["bell_time"].nunique() >= 3
    counts = schools["phase"].value_counts()
    assert 10 <= counts["secondary"] <= 14
    assert 2 <= counts["special"] <= 3
    assert schools["name"].is_unique


def test_pupils(data: DefaultData) -> None:
    pupils = data.pupils
    assert 2_800 <= len(pupils) <= 3_200
    assert pupils["sen"].mean() == pytest.approx(0.12, abs=0.01)
    assert pupils["solo"].sum() == 51
    assert pupils["travel_training"].sum() == 21
    for flag in ("solo", "wheelchair", "travel_training"):
        assert pupils.loc[pupils[flag], "sen"].all(), flag
    assert pupils["wheelchair"].sum() > 0 and pupils["assistant"].sum() > 0
    assert pupils["age"].between(4, 16).all()
    assert 0 < pupils["max_ride_min"].notna().sum() <= 10
    assert set(pupils["school_id"]) <= set(data.schools["id"])
    # Mainstream pupils on distance live beyond the statutory walking distance.
    mile = 1609.344
    far = pupils[pupils["reason"] == "distance"]
    limit = np.where(far["age"] < 8, 2 * mile, 3 * mile)
    assert (far["walk_distance_m"] >= limit - 1).all()
    assert (far.loc[far["age"] <= 10, "phase"] == "primary").all()
    # Homes weighted toward rural zones.
    rural = set(data.zones.loc[data.zones["settlement"] == "rural", "id"])
    assert pupils["zone_id"].isin(rural).mean() > 0.5


def test_stops_and_fleet(data: DefaultData) -> None:
    stops = data.stops
    assert 500 <= len(stops) <= 700
    assert stops["unsafe"].mean() == pytest.approx(0.03, abs=0.01)
    assert stops["max_pupils"].notna().any() and stops["max_pupils"].isna().any()
    assert stops["name"].is_unique
    fleet = data.fleet
    assert {57, 16, 4} <= set(fleet["seats"])
    assert (fleet.loc[fleet["wheelchair_spaces"] > 0, "seats"] < 16).all()
    assert set(fleet["base"]) <= set(data.towns["name"])


# --- schema ------------------------------------------------------------------------

_DTYPE_CHECK = {
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_float_dtype,
    "bool": pd.api.types.is_bool_dtype,
}


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_frame_follows_schema(data: DefaultData, kind: str) -> None:
    frame = data.kinds()[kind]
    schema = SCHEMAS[kind]
    assert list(frame.columns[: len(schema.names)]) == list(schema.names)
    assert frame.crs.to_epsg() == 27700
    assert frame["id"].is_unique
    for field in schema.fields:
        check = _DTYPE_CHECK.get(field.type, pd.api.types.is_string_dtype)
        assert check(frame[field.name].dtype), (field.name, frame[field.name].dtype)
        if field.type == "enum":
            assert set(frame[field.name]) <= set(field.choices), field.name
        values = frame[field.name].dropna()
        if field.min is not None:
            assert (values >= field.min).all(), field.name
        if field.max is not None:
            assert (values <= field.max).all(), field.name
    kinds = set(frame.geom_type)
    assert kinds == ({"Polygon"} if schema.geometry == "point-or-area" else {"Point"})
    x0, y0, x1, y1 = frame.total_bounds
    assert GB_BOUNDS[0] <= x0 and GB_BOUNDS[1] <= y0 and x1 <= GB_BOUNDS[2] and y1 <= GB_BOUNDS[3]


# --- centres -----------------------------------------------------------------------


def test_centres_equal_domain_table(data: DefaultData, domain_centres: pd.DataFrame) -> None:
    centres = data.centres.set_index("name")
    open_ = centres[centres["status"] == "open"]
    assert list(open_.index) == list(domain_centres.index)
    for name, row in domain_centres.iterrows():
        c = open_.loc[name]
        assert c["visits_per_year"] == row["visits/yr"]
        assert c["current_days"] == row["days"]
        assert c["current_hours"] == row["hours"]
        assert c["hours_per_week"] == row["h/week"]
        assert c["population"] == row["population"]
        assert c["over65_share"] == pytest.approx(row["over 65"])
        assert c["share"] == pytest.approx(row["share"])
        assert hours_per_week(c["current_days"], c["current_hours"]) == row["h/week"]
        vph = visits_per_open_hour(c["visits_per_year"], row["h/week"])
        assert round(vph, 2) == pytest.approx(row["visits/open h"])
        assert c["visits_per_open_hour_published"] == pytest.approx(row["visits/open h"])
    assert sorted(centres.loc[centres["status"] == "hub"].index) == [
        "Blyth shopping centre hub",
        "Lynemouth hub",
        "Newbiggin hub",
    ]
    assert sorted(centres.loc[centres["status"] == "closed"].index) == [
        "Bedlington",
        "Morpeth",
        "Prudhoe",
    ]


def test_host_building_hours_contain_current_pattern(data: DefaultData) -> None:
    for c in data.centres[data.centres["status"] == "open"].itertuples():
        ((start, end),) = parse_hours(c.current_hours)
        for day in parse_days(c.current_days):
            spans = parse_hours(getattr(c, f"{WEEKDAYS[day]}_hours"))
            assert any(a <= start and end <= b for a, b in spans), (c.name, day)


def test_visits_per_open_hour_never_open_is_nan() -> None:
    assert np.isnan(visits_per_open_hour(100, 0))


def test_apportion_is_exact() -> None:
    parts = apportion(10, [1, 1, 1])
    assert parts.tolist() == [4, 3, 3]
    assert apportion(545_000, np.arange(1, 344)).sum() == 545_000


# --- geography, export, determinism -------------------------------------------------


def test_zones_and_towns_inside_real_boundary(data: DefaultData, county: shapely.Geometry) -> None:
    assert data.zones.centroid.within(county).mean() >= 0.95
    assert data.towns.within(county).all()
    outline = county_outline()
    assert data.towns.within(outline).all()
    assert outline.intersection(county).area / county.area > 0.9


def test_export_writes_gpkg_and_csvs(data: DefaultData, tmp_path: Path) -> None:
    paths = export_default(data, tmp_path)
    assert [p.name for p in paths] == ["northumberland.gpkg", *KIND_FILES.values()]
    assert all(p.is_file() for p in paths)
    layers = {name for name, _ in pyogrio.list_layers(paths[0])}
    assert {*KIND_FILES, "boundary"} <= layers
    zones = pd.read_csv(tmp_path / "zones.csv")
    assert zones["population"].sum() == 320_000
    assert {"lon", "lat"} <= set(zones.columns)
    sites = gpd.read_file(paths[0], layer="sites")
    assert len(sites) == 343 and sites.crs.to_epsg() == 27700
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_same_seed_same_bytes_different_seed_different_pupils(tmp_path: Path) -> None:
    first = load_default.__wrapped__(2026)  # bypass the cache: generate afresh
    second = load_default.__wrapped__(2026)
    export_default(first, tmp_path / "a")
    export_default(second, tmp_path / "b")
    for name in KIND_FILES.values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    other = load_default.__wrapped__(7)
    assert not first.pupils.geometry.geom_equals(other.pupils.geometry).all()
    assert other.zones["population"].sum() == 320_000 and other.pupils["solo"].sum() == 51


def test_load_default_is_cached_per_seed() -> None:
    assert load_default(2026) is load_default(2026)
    assert load_default(2026) is not load_default(11)
