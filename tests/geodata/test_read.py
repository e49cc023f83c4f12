"""Readers on the real council files in tests/data and on small written files."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geoseries_equal

from geodata.errors import InputError, ValidationError
from geodata.read import (
    parse_csv,
    parse_naptan,
    read,
    read_text,
    read_vector,
)
from geodata.schema import Field, Schema
from geodata.validate import validate

if TYPE_CHECKING:
    import geopandas as gpd

ASSETS = {"id": "AssetCode", "name": "PropertyName", "lon": "GeoX", "lat": "GeoY",
          "type": "HoldingType"}  # fmt: skip


# --- real files -------------------------------------------------------------------


def test_trafford_assets_skip_rows_without_coordinates_and_the_swapped_one(test_data):
    path = test_data / "trafford/trafford_land_and_building_assets.csv"
    layer = read(path, "sites", columns=ASSETS, on_bad_row="skip")
    swapped = [p for p in layer.skipped if "look swapped" in p.hint]
    missing = [p for p in layer.skipped if p.found == "no coordinates"]
    assert len(missing) == 235
    assert len(swapped) == 1
    assert swapped[0].row == 387 and swapped[0].field == "GeoX" and "lat/lon" in swapped[0].hint
    assert len(layer.skipped) == 236
    assert len(layer) == 608 - 236
    assert layer.frame.crs.to_epsg() == 27700
    assert layer.frame["id"].is_unique
    assert set(layer.frame["type"]) == {"Land", "Land/Buildings", "Buildings"}
    assert "UPRN" in layer.frame.columns  # extra columns are kept
    assert all(p.file == str(path) for p in layer.skipped)


def test_trafford_assets_error_mode_lists_every_problem(test_data):
    path = test_data / "trafford/trafford_land_and_building_assets.csv"
    with pytest.raises(ValidationError) as info:
        read(path, "sites", columns=ASSETS)
    assert len(info.value.problems) == 236
    assert "and 235 more problems" in str(info.value)
    frame = parse_csv(path.read_text(encoding="utf-8-sig"), columns=ASSETS).frame
    assert frame["id"].nunique() == 608  # 608 asset codes, all distinct


def test_trafford_schools_lonlat_with_missing_capacities(test_data):
    path = test_data / "trafford/trafford_schools_and_colleges.csv"
    with pytest.raises(ValidationError) as info:
        read(path, "schools", columns={"id": "unique_reference_number"})
    assert {p.field for p in info.value.problems} == {"phase", "bell_time"}
    layer = read(path, "sites", columns={"id": "unique_reference_number", "type": "type"})
    assert len(layer) == 103
    assert layer.filled == {"capacity": 4}
    assert (layer.frame["capacity"] == 0).sum() == 4
    assert layer.frame["id"].map(type).eq(str).all()
    wgs = layer.frame.to_crs(4326).geometry
    src = pd.read_csv(path)
    np.testing.assert_allclose(wgs.x, src["lon"], atol=1e-6)
    np.testing.assert_allclose(wgs.y, src["lat"], atol=1e-6)


def test_trafford_bus_stops_use_geometry_not_constant_properties(test_data):
    path = test_data / "trafford/trafford_bus_stops.geojson"
    layer = read(path, "stops", columns={"id": "atco_code", "name": "common_name"})
    assert len(layer) == 1025
    wgs = layer.frame.to_crs(4326).geometry
    assert layer.frame["lon"].nunique() == 1  # the known defect
    assert wgs.x.nunique() > 900
    assert not np.allclose(wgs.x, layer.frame["lon"].astype(float))
    assert wgs.x.between(-2.5, -2.2).all() and wgs.y.between(53.35, 53.5).all()


def test_trafford_lsoa_zones_joined_with_population(test_data):
    polygons = read_vector(
        test_data / "trafford/trafford_lsoa21_generalised.geojson",
        columns={"id": "area_code", "name": "area_name"},
    )
    pop = pd.read_csv(test_data / "trafford/trafford_mid-year_2024_population_lsoa.csv")
    persons = pop[pop["sex"] == "Persons"].rename(
        columns={"area_code": "id", "all_ages": "population", "aged_65_and_over": "over65"}
    )[["id", "population", "over65"]]
    joined = polygons.frame.merge(persons, on="id", how="left")
    layer = validate(joined, "zones", source=polygons.source)
    assert len(layer) == 139
    assert layer.frame["population"].sum() == persons["population"].sum()
    assert layer.frame["population"].dtype == np.int64
    assert set(layer.frame.geom_type) <= {"Polygon", "MultiPolygon"}
    assert (layer.frame["over65"] < layer.frame["population"]).all()


def test_northumberland_schools_easting_northing(test_data):
    path = test_data / "northumberland/north_east_schools_2017.csv"
    cols = {"id": "URN", "name": "Establishment name", "type": "Type of establishment"}
    layer = read(path, "sites", columns=cols)
    assert len(layer) == 382
    src = pd.read_csv(path)
    np.testing.assert_allclose(layer.frame.geometry.x, src["easting"])  # no reprojection
    ours = layer.frame[layer.frame["Local authority (name)"] == "Northumberland"]
    assert len(ours) == 52


def test_northumberland_county_boundary_area(test_data):
    parsed = read_vector(test_data / "northumberland/county_boundary.geojson")
    assert parsed.frame.crs.to_epsg() == 4326
    area_km2 = parsed.frame.to_crs(27700).area.sum() / 1e6
    assert 4900 < area_km2 < 5150  # Northumberland is 5,013 km²
    boundary = Schema("boundary", "area", (Field("id", required=True),))
    layer = validate(parsed.frame.rename(columns={"LAD24CD": "id"}), boundary, source="b")
    assert layer.frame["id"].tolist() == ["E06000057"]


def test_naptan_western_isles(test_data):
    # The real export's first 120 stop points and all 28 of its inactive ones (5 of them
    # among the first 120): 143 of its 1,883, header and BOM kept (tests/data/README.md).
    path = test_data / "naptan/NaPTAN601_western_isles_excerpt.xml"
    layer = read(path, "stops")
    everything = read(path, "stops", include_inactive=True)
    assert len(everything) == 143
    assert len(layer) == 115
    assert set(layer.frame["status"]) == {"active"}
    assert (everything.frame["status"] == "inactive").sum() == 28
    first = layer.frame.iloc[0]
    assert first["id"] == "60101" and first["name"] == "South Side Road (at)"
    assert first["naptan_code"] == "94724382" and first["stop_type"] == "BCT"
    assert first.geometry.equals(shapely.Point(145966, 940195))
    assert layer.frame["id"].is_unique


# --- CRS ----------------------------------------------------------------------------


def test_wgs84_round_trip_within_a_micro_degree():
    lons, lats = [-2.35209, -1.61778, -6.3346], [53.38796, 55.0, 58.2767]
    text = "id,type,longitude,latitude\n" + "".join(
        f"s{i},office,{x},{y}\n" for i, (x, y) in enumerate(zip(lons, lats, strict=True))
    )
    layer = read_text(text, "sites", format="csv")
    back = layer.frame.to_crs(4326).geometry
    np.testing.assert_allclose(back.x, lons, atol=1e-6)
    np.testing.assert_allclose(back.y, lats, atol=1e-6)


@pytest.mark.parametrize(
    ("header", "crs"),
    [("easting,northing", None), ("X,Y", None), ("GeoX,GeoY", None), ("a,b", None),
     ("x,y", "EPSG:27700")],
)  # fmt: skip
def test_bng_csv_kept_exactly(header, crs):
    columns = {"easting": "a", "northing": "b"} if header == "a,b" else None
    text = f"id,type,{header}\n1,depot,424558.9,562113.7\n2,depot,390000,600000\n"
    layer = read_text(text, "sites", format="csv", columns=columns, crs=crs)
    assert layer.frame.geometry.x.tolist() == [424558.9, 390000.0]
    assert layer.frame.geometry.y.tolist() == [562113.7, 600000.0]


def test_ambiguous_xy_in_degrees_read_as_lonlat():
    layer = read_text("id,type,GeoX,GeoY\n1,a,-2.35,53.39\n", "sites", format="csv")
    assert 370_000 < layer.frame.geometry.x[0] < 380_000


def test_csv_crs_must_be_wgs84_or_bng():
    with pytest.raises(InputError, match="EPSG:4326"):
        read_text("id,type,x,y\n1,a,1,2\n", "sites", format="csv", crs="EPSG:3857")


# --- written files ------------------------------------------------------------------


@pytest.fixture
def small() -> gpd.GeoDataFrame:
    layer = read_text(
        "id,name,type,capacity,lon,lat\nA,Town Hall,office,120,-1.69,55.17\n"
        "B,Depot,depot,0,-2.0,54.97\nC,Library,library,10,-1.59,55.41\n",
        "sites",
        format="csv",
    )
    return layer.frame[["id", "name", "type", "capacity", "geometry"]]


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".zip", ".parquet", ".geojson"])
def test_written_files_read_back(tmp_path, small, suffix):
    path = tmp_path / f"sites{suffix}"
    source = small.to_crs(4326) if suffix == ".geojson" else small
    if suffix == ".zip":
        small.to_file(tmp_path / "sites.shp")
        with zipfile.ZipFile(path, "w") as archive:
            for part in tmp_path.glob("sites.*"):
                if part.suffix != ".zip":
                    archive.write(part, part.name)
    elif suffix == ".parquet":
        source.to_parquet(path)
    else:
        source.to_file(path)
    layer = read(path, "sites")
    assert layer.frame["id"].tolist() == ["A", "B", "C"]
    assert layer.frame["capacity"].tolist() == [120.0, 0.0, 10.0]
    assert layer.frame.crs.to_epsg() == 27700
    assert (layer.frame.distance(small) < 0.01).all()  # GeoJSON keeps 7 decimals of degrees


def test_gpkg_with_several_layers_needs_layer(tmp_path, small):
    path = tmp_path / "two.gpkg"
    small.to_file(path, layer="sites")
    small.iloc[:1].to_file(path, layer="other")
    with pytest.raises(ValidationError, match="layer="):
        read(path, "sites")
    assert len(read(path, "sites", layer="other")) == 1
    with pytest.raises(ValidationError, match="a layer 'nope'"):
        read(path, "sites", layer="nope")


def test_shapefile_without_crs_needs_crs(tmp_path, small):
    small.to_file(tmp_path / "nocrs.shp")
    (tmp_path / "nocrs.prj").unlink()
    with pytest.raises(ValidationError) as info:
        read(tmp_path / "nocrs.shp", "sites")
    assert info.value.problems[0].expected.startswith("a coordinate reference system")
    assert "crs=" in info.value.problems[0].hint
    layer = read(tmp_path / "nocrs.shp", "sites", crs="EPSG:27700")
    assert_geoseries_equal(layer.frame.geometry, small.geometry, check_less_precise=True)


def test_plain_parquet_with_lonlat_columns(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame({"id": [1, 2], "type": ["a", "b"], "lon": [-2.0, -1.9], "lat": [55.0, 55.1]}
                 ).to_parquet(path)  # fmt: skip
    layer = read(path, "sites")
    assert layer.frame["id"].tolist() == ["1", "2"]


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".zip", ".parquet", ".geojson", ".csv"])
def test_corrupt_files_raise_validation_error(tmp_path, suffix):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(b"\x00\x01garbage\xff" * 50)
    with pytest.raises(ValidationError) as info:
        read(path, "sites")
    assert info.value.problems[0].file == str(path)


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(ValidationError, match="a readable file"):
        read(tmp_path / "nope.csv", "sites")
    (tmp_path / "a.docx").write_bytes(b"PK")
    with pytest.raises(ValidationError, match=r"'\.docx'"):
        read(tmp_path / "a.docx", "sites")
    (tmp_path / "a.xlsx").write_bytes(b"PK")  # a workbook that does not open: one line
    with pytest.raises(ValidationError, match=r"a \.xlsx workbook, found a file that does not"):
        read(tmp_path / "a.xlsx", "sites")
    with pytest.raises(InputError, match="did you mean 'sites'"):
        read(tmp_path / "a.csv", "site")


# --- NaPTAN -------------------------------------------------------------------------

NAPTAN = """<?xml version="1.0" encoding="UTF-8"?>
<NaPTAN xmlns="http://www.naptan.org.uk/" SchemaVersion="2.4"><StopPoints>
<StopPoint Status="active"><AtcoCode>310A1</AtcoCode><NaptanCode>nthgabc</NaptanCode>
<Descriptor><CommonName>Market Place</CommonName><Indicator>Stand A</Indicator>
<Street>Bondgate</Street></Descriptor><Place><NptgLocalityRef>E0001</NptgLocalityRef>
<Location><Translation><GridType>UKOS</GridType><Easting>418900</Easting>
<Northing>613300</Northing><Longitude>-1.706</Longitude><Latitude>55.413</Latitude>
</Translation></Location></Place><StopClassification><StopType>BCT</StopType>
</StopClassification></StopPoint>
<StopPoint Status="inactive"><AtcoCode>310A2</AtcoCode><Descriptor><CommonName>Old</CommonName>
</Descriptor><Place><Location><Longitude>-1.7</Longitude><Latitude>55.4</Latitude></Location>
</Place></StopPoint>
</StopPoints></NaPTAN>"""


def test_naptan_text_active_and_inactive():
    layer = read_text(NAPTAN, "stops", format="naptan")
    assert layer.frame["name"].tolist() == ["Market Place (Stand A)"]
    assert layer.frame.geometry[0].equals(shapely.Point(418900, 613300))
    both = read_text(NAPTAN, "stops", format="naptan", include_inactive=True)
    lonlat = both.frame.to_crs(4326).geometry[1]
    assert lonlat.x == pytest.approx(-1.7, abs=1e-6) and lonlat.y == pytest.approx(55.4, abs=1e-6)


@pytest.mark.parametrize(
    "doc",
    [
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><NaPTAN>&a;</NaPTAN>',
        '<?xml version="1.0"?><!DOCTYPE NaPTAN SYSTEM "http://example.com/x.dtd"><NaPTAN/>',
    ],
)
def test_naptan_refuses_doctype_and_entities(doc):
    with pytest.raises(ValidationError, match="DOCTYPE or entity"):
        parse_naptan(doc)


@pytest.mark.parametrize(
    ("doc", "found"),
    [("<kml/>", "<kml>"), ("<NaPTAN><StopPoints>", "malformed XML"), ("", "malformed XML")],
)
def test_naptan_not_naptan(doc, found):
    with pytest.raises(ValidationError, match=found):
        parse_naptan(doc)


def test_naptan_only_as_stops(tmp_path):
    path = tmp_path / "stops.xml"
    path.write_text(NAPTAN)
    with pytest.raises(ValidationError, match="kind 'stops'"):
        read(path, "sites")
