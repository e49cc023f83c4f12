"""Every validation problem, with the file, row and column it names."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geodata.errors import InputError, Problem, ValidationError
from geodata.read import check, parse_csv, read_text
from geodata.schema import Field, Schema
from geodata.validate import Layer, validate

SITES = "id,name,type,occupancy,must_keep,condition,lon,lat\n"
OK_SITE = "S1,Hall,office,0.5,yes,A,-1.69,55.17\n"
SCHOOLS = "id,phase,bell_time,lon,lat\n"
CENTRES = "id,mon_hours,lon,lat\n"
ZONES = "id,population,easting,northing\n"

# (kind, text, row, field, expected starts with, found contains, hint contains)
CASES = {
    "empty required": ("zones", ZONES + "Z1,,400000,600000\n", 2, "population",
                       "a value", "an empty cell", "fill it in"),
    "not a number": ("sites", SITES + "S1,Hall,office,lots,no,A,-1.69,55.17\n", 2,
                     "occupancy", "a number", "'lots'", "digits"),
    "not whole": ("zones", ZONES + "Z1,12.5,400000,600000\n", 2, "population",
                  "a whole number", "'12.5'", "round"),
    "huge whole number": ("zones", ZONES + "Z1,9223372036854775296,400000,600000\n", 2,
                          "population", "a whole number below", "'9223372036854775296'", "check"),
    "bool": ("sites", SITES + OK_SITE + "S2,Hall,office,0.5,maybe,A,-1.69,55.17\n", 3,
             "must_keep", "yes or no", "'maybe'", "yes/no"),
    "enum": ("sites", SITES + "S1,Hall,office,0.5,no,E,-1.69,55.17\n", 2, "condition",
             "one of A, B, C, D", "'E'", "listed"),
    "time": ("schools", SCHOOLS + "K1,primary,25:00,-1.69,55.17\n", 2, "bell_time",
             "a time", "'25:00'", "08:45"),
    "hours": ("centres", CENTRES + "C1,09:00,-1.69,55.17\n", 2, "mon_hours",
              "hours as HH:MM-HH:MM", "'09:00'", "09:00-17:00"),
    "below min": ("sites", SITES + "S1,Hall,office,-0.1,no,A,-1.69,55.17\n", 2, "occupancy",
                  "a value of at least 0", "'-0.1'", "correct"),
    "above max": ("sites", SITES + "S1,Hall,office,1.5,no,A,-1.69,55.17\n", 2, "occupancy",
                  "a value of at most 1", "'1.5'", "0.85"),
    "duplicate id": ("sites", SITES + OK_SITE + OK_SITE.replace("Hall", "Annex"), 3, "id",
                     "a unique id", "also in row 2", "rows 2 and 3"),
    "empty id": ("sites", SITES + ",Hall,office,0.5,no,A,-1.69,55.17\n", 2, "id",
                 "a value", "an empty cell", "fill it in"),
    "no coordinates": ("sites", SITES + "S1,Hall,office,0.5,no,A,,\n", 2, "lon", "a point",
                       "no coordinates", "add the location"),
    "half coordinates": ("sites", SITES + "S1,Hall,office,0.5,no,A,-1.69,\n", 2, "lat",
                         "both lon and lat", "an empty cell", "both coordinates"),
    "bad coordinate": ("sites", SITES + "S1,Hall,office,0.5,no,A,-1.69,55N\n", 2, "lat",
                       "a number (lat)", "'55N'", "degrees"),
    "outside GB": ("sites", SITES + OK_SITE + "S2,Hall,office,0.5,no,A,10.0,10.0\n", 3, "lon",
                   "a location in Great Britain", "lon 10, lat 10", "outside Great Britain"),
    "lat/lon swapped": ("sites", SITES + "S1,Hall,office,0.5,no,A,55.17,-1.69\n", 2, "lon",
                        "a location in Great Britain", "lon 55.17, lat -1.69",
                        "lat/lon look swapped"),
    "easting/northing swapped": ("zones", ZONES + "Z1,10,600000,400000\nZ2,10,1200000,300000\n",
                                 3, "easting", "a location in Great Britain",
                                 "easting 1200000, northing 300000", "northing/easting look"),
    "too many values": ("sites", SITES + "S1,Hall,office,0.5,no,A,-1.69,55.17,extra\n", 2,
                        None, "8 values", "9 values", "double quotes"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_each_row_problem(case):
    kind, text, row, field, expected, found, hint = CASES[case]
    with pytest.raises(ValidationError) as info:
        read_text(text, kind, format="csv", source="in.csv")
    problems = [p for p in info.value.problems if p.row == row and p.field == field]
    assert problems, info.value.problems
    problem = problems[0]
    assert problem.file == "in.csv"
    assert problem.expected.startswith(expected), problem
    assert found in problem.found, problem
    assert hint in problem.hint, problem
    assert str(info.value).startswith("in.csv, row ")
    # the same file with on_bad_row="skip": the bad row is left out and reported
    layer = read_text(text, kind, format="csv", source="in.csv", on_bad_row="skip")
    assert problem in layer.skipped
    assert len(layer) == text.count("\n") - 1 - len({p.row for p in layer.skipped})


def test_missing_required_column_suggests_and_says_how_to_map():
    with pytest.raises(ValidationError) as info:
        read_text("id,typ,lon,lat\n1,a,-2,55\n", "sites", format="csv", source="f.csv")
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.field) == ("f.csv", None, "type")
    assert "did you mean 'typ'?" in problem.hint
    assert "--columns type=YOURCOLUMN" in problem.hint


def test_all_missing_columns_reported_together():
    with pytest.raises(ValidationError) as info:
        read_text("foo,lon,lat\n1,-2,55\n", "schools", format="csv")
    assert [p.field for p in info.value.problems] == ["id", "phase", "bell_time"]
    assert "and 2 more problems" in str(info.value)


def test_mapping_to_a_missing_column():
    with pytest.raises(ValidationError) as info:
        parse_csv("URN,type,lon,lat\n1,a,-2,55\n", columns={"id": "URM"}, source="f.csv")
    (problem,) = info.value.problems
    assert problem.field == "URM" and "did you mean 'URN'?" in problem.hint
    assert "mapped to 'id'" in problem.expected


def test_mapped_names_appear_in_messages():
    text = "Code,Kind,X,Y\nA,office,-2,55\nA,office,-2,\n"
    cols = {"id": "Code", "type": "Kind", "lon": "X", "lat": "Y"}
    with pytest.raises(ValidationError) as info:
        read_text(text, "sites", format="csv", columns=cols)
    assert {(p.row, p.field) for p in info.value.problems} == {(3, "Y"), (3, "Code")}


def test_explicit_coordinate_mapping_wins_over_names():
    text = "id,type,lon,lat,E,N\n1,a,-2.0,55.0,400000,600000\n"
    layer = read_text(text, "sites", format="csv", columns={"easting": "E", "northing": "N"})
    assert layer.frame.geometry[0].coords[0] == (400000.0, 600000.0)
    assert "lon_file" in layer.frame.columns  # the unused pair stays, renamed


def test_no_coordinates_at_all_is_a_file_problem():
    with pytest.raises(ValidationError) as info:
        read_text("id,type\n1,a\n", "sites", format="csv", on_bad_row="skip")
    assert info.value.problems[0].row is None
    assert "--columns lon=" in info.value.problems[0].hint


def test_missing_crs_is_a_file_problem_even_when_skipping():
    frame = gpd.GeoDataFrame({"id": ["a"], "type": ["x"]}, geometry=[shapely.Point(1, 2)])
    with pytest.raises(ValidationError) as info:
        validate(frame, "sites", source="g.gpkg", on_bad_row="skip")
    problem = info.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("g.gpkg", None, "geometry")
    assert "EPSG:27700" in problem.hint


def _features(*geoms: dict) -> str:
    import json

    feats = [{"type": "Feature", "properties": {"id": f"f{i}", "type": "x", "population": 5},
              "geometry": g} for i, g in enumerate(geoms)]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": feats})


POINT = {"type": "Point", "coordinates": [-1.7, 55.2]}
SQUARE = {"type": "Polygon", "coordinates": [[[-1.7, 55.2], [-1.6, 55.2], [-1.6, 55.3],
                                               [-1.7, 55.2]]]}  # fmt: skip
LINE = {"type": "LineString", "coordinates": [[-1.7, 55.2], [-1.6, 55.3]]}


@pytest.mark.parametrize(
    ("kind", "geometry", "ok"),
    [("sites", POINT, True), ("sites", SQUARE, False), ("sites", LINE, False),
     ("zones", POINT, True), ("zones", SQUARE, True), ("zones", LINE, False),
     ("area", POINT, False), ("area", SQUARE, True),
     ("fleet", POINT, True), ("fleet", None, True), ("sites", None, False)],
)  # fmt: skip
def test_geometry_types(kind, geometry, ok):
    schema = Schema("area", "area", (Field("id", required=True),)) if kind == "area" else kind
    text = _features(POINT, geometry) if kind != "area" else _features(geometry)
    if kind == "fleet":
        text = text.replace('"population": 5', '"seats": 8, "day_rate": 1, "cost_per_mile": 1')
    if ok:
        assert len(_validate_geojson(text, schema)) == text.count('"Feature"')
        return
    with pytest.raises(ValidationError) as info:
        _validate_geojson(text, schema)
    (problem,) = info.value.problems
    assert problem.file == "g.geojson"
    assert (problem.row, problem.field) == (text.count('"Feature"'), "geometry")
    assert problem.found in ("a Polygon", "a LineString", "a Point", "no coordinates")


def _validate_geojson(text: str, schema: object) -> Layer:
    from geodata.read import parse_geojson

    parsed = parse_geojson(text, source="g.geojson")
    return validate(parsed.frame, schema, source=parsed.source, row_problems=parsed.problems)


def test_conversions_defaults_and_extra_columns():
    text = (
        "id,name,type,capacity,occupancy,must_keep,condition,tenure,Ward,lon,lat\n"
        '1001,Hall,office,"1,200",85%,Y,c,Leasehold,North,-1.69,55.17\n'
        "\n"
        "1002,,depot,NA,,,,,South,-2.0,54.97\n"
    )
    layer = read_text(text, "sites", format="csv")
    f = layer.frame
    assert f["id"].tolist() == ["1001", "1002"]
    assert f["capacity"].tolist() == [1200.0, 0.0]
    assert f["occupancy"].tolist() == pytest.approx([0.85, 0.0])
    assert f["must_keep"].tolist() == [True, False] and f["must_keep"].dtype == bool
    assert f["condition"].tolist() == ["C", "B"]
    assert f["tenure"].tolist() == ["leasehold", "freehold"]
    assert f["Ward"].tolist() == ["North", "South"]
    assert "lon" not in f.columns and f.crs.to_epsg() == 27700
    assert list(f.columns[:3]) == ["id", "name", "type"] and f.columns[-1] == "geometry"
    assert layer.filled["capacity"] == 1


def test_blank_lines_count_in_row_numbers():
    text = "\nid,type,lon,lat\n1,a,-2,55\n\n2,a,-2,\n"
    with pytest.raises(ValidationError) as info:
        read_text(text, "sites", format="csv")
    assert info.value.problems[0].row == 5  # as a spreadsheet shows the file


def test_nullable_int_and_times_normalised():
    text = (
        "id,phase,bell_time,end_time,lon,lat\n"
        "1,Primary,8:45,1515,-2,55\n2,all through,09.00,,-2,55\n"
    )
    f = read_text(text, "schools", format="csv").frame
    assert f["phase"].tolist() == ["primary", "all-through"]
    assert f["bell_time"].tolist() == ["08:45", "09:00"]
    assert f["end_time"].tolist() == ["15:15", "15:15"]
    stops = read_text("id,max_pupils,lon,lat\n1,,-2,55\n2,4,-2,55\n", "stops", format="csv")
    assert str(stops.frame["max_pupils"].dtype) == "Int64"


def test_hours_normalised():
    text = "id,mon_hours,tue_hours,lon,lat\n1,9:00 - 12:30; 13:30-17:00,closed,-2,55\n"
    f = read_text(text, "centres", format="csv").frame
    assert f["mon_hours"][0] == "09:00-12:30,13:30-17:00" and f["tue_hours"][0] == ""


def test_fleet_without_coordinates():
    text = "id,seats,day_rate,cost_per_mile\nminibus,16,180,0.9\ntaxi,4,0,1.6\n"
    layer = read_text(text, "fleet", format="csv")
    assert layer.frame.geometry.isna().all() and layer.frame["seats"].tolist() == [16, 4]


def test_encodings_bom_and_semicolons(tmp_path):
    from geodata.read import read

    path = tmp_path / "cp.csv"
    path.write_bytes("id;name;type;lon;lat\n1;Café £;office;-2,0;55\n".encode("cp1252"))
    with pytest.raises(ValidationError, match="'-2,0'"):  # a decimal comma is not a number
        read(path, "sites")
    path.write_bytes("id;name;type;lon;lat\n1;Café £;office;-2.0;55\n".encode("cp1252"))
    assert read(path, "sites").frame["name"][0] == "Café £"
    path.write_bytes("\ufeffid,type,lon,lat\n1,a,-2,55\n".encode())
    assert read(path, "sites").frame["id"][0] == "1"
    path.write_bytes("id\ttype\tlon\tlat\n1\ta\t-2\t55\n".encode("utf-16"))
    assert read(path, "sites").frame["type"][0] == "a"


def test_skip_keeps_first_of_duplicates_and_logs(caplog):
    text = SITES + OK_SITE + OK_SITE + "S3,x,office,0.5,no,A,-1.6,55.1\n"
    with caplog.at_level(logging.INFO, logger="geodata.validate"):
        layer = read_text(text, "sites", format="csv", on_bad_row="skip")
    assert layer.frame["id"].tolist() == ["S1", "S3"]
    assert [p.row for p in layer.skipped] == [3]
    assert "skipped 1 bad rows of 3" in caplog.text


def test_validate_plain_frames_and_bad_options():
    frame = pd.DataFrame({"ID": [7.0, 8.0], "Type": ["a", "b"], "easting": [4e5, 4e5],
                          "northing": [6e5, 6.1e5]})  # fmt: skip
    layer = validate(frame, "sites", source="df")
    assert layer.frame["id"].tolist() == ["7", "8"] and layer.kind == "sites"
    with pytest.raises(InputError, match="on_bad_row"):
        validate(frame, "sites", source="df", on_bad_row="ignore")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown kind"):
        validate(frame, "bogus", source="df")


def test_header_only_table_is_refused():
    # issue #19: a file with a header and no rows is bad input, not a run on nothing
    with pytest.raises(InputError, match="no data rows"):
        read_text("id,type,lon,lat\n", "sites", format="csv")


def test_check_lists_problems_without_raising(tmp_path, test_data):
    path = tmp_path / "s.csv"
    path.write_text(SITES + OK_SITE + "S2,x,office,2,no,A,-1.6,55.1\nS3,x,office,0.1,no,Q,,\n")
    problems = check(path, "sites")
    assert [(p.row, p.field) for p in problems] == [(3, "occupancy"), (4, "lon"), (4, "condition")]
    assert all(isinstance(p, Problem) for p in problems)
    assert check(tmp_path / "missing.csv", "sites")[0].expected == "a readable file"
    assets = test_data / "trafford/trafford_land_and_building_assets.csv"
    assert len(check(assets, "sites", columns={"id": "AssetCode", "type": "HoldingType",
                                               "lon": "GeoX", "lat": "GeoY"})) == 236  # fmt: skip


def test_problem_rows_are_numbered_like_a_spreadsheet():
    text = SITES + OK_SITE + OK_SITE.replace("S1", "S2").replace("0.5", "x")
    with pytest.raises(ValidationError) as info:
        read_text(text, "sites", format="csv")
    assert info.value.problems[0].row == 3  # header row 1, first data row 2
    assert np.all([p.row for p in info.value.problems])
