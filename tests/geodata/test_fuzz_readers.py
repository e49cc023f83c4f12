"""Mangled CSV, GeoJSON and NaPTAN text give a Layer or an InputError, nothing else."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.errors import InputError
from geodata.read import read_text
from geodata.validate import Layer

CSV = (
    "id,name,type,population,seats,day_rate,cost_per_mile,occupancy,must_keep,lon,lat\n"
    "A1,Town Hall,office,1200,16,180,0.9,0.5,yes,-1.69,55.17\n"
    '"B,2","Depot ""North""",depot,30,4,0,1.6,85%,no,-2.0,54.97\n'
    "C3,Library,library,NA,8,50,1.1,,,55.41,-1.59\n"
    "C3,,,,,,,,,,\n"
)
GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [
            {"type": "Feature", "properties": {"id": 1, "type": "x", "population": 10},
             "geometry": {"type": "Point", "coordinates": [-1.7, 55.2]}},
            {"type": "Feature", "properties": {"id": "2", "type": "y", "population": 5.0},
             "geometry": {"type": "Polygon", "coordinates": [[[-1.7, 55.2], [-1.6, 55.2],
                                                               [-1.6, 55.3], [-1.7, 55.2]]]}},
            {"type": "Feature", "properties": None, "geometry": None},
        ],
    }
)  # fmt: skip
NAPTAN = """<?xml version="1.0" encoding="UTF-8"?>
<NaPTAN xmlns="http://www.naptan.org.uk/"><StopPoints>
<StopPoint Status="active"><AtcoCode>310A1</AtcoCode><Descriptor><CommonName>Market</CommonName>
<Indicator>A</Indicator></Descriptor><Place><Location><Translation><GridType>UKOS</GridType>
<Easting>418900</Easting><Northing>613300</Northing><Longitude>-1.7</Longitude>
<Latitude>55.4</Latitude></Translation></Location></Place></StopPoint>
<StopPoint Status="inactive"><AtcoCode>310A2</AtcoCode><Place><Location><Longitude>-1.7
</Longitude><Latitude>55.4</Latitude></Location></Place></StopPoint>
<StopPoint><AtcoCode>310A1</AtcoCode><Place><Location><Easting>x</Easting><Northing>1
</Northing></Location></Place></StopPoint>
</StopPoints></NaPTAN>"""

TOKENS = {
    "csv": [",", '"', "\n", "\r\n", ";", "\x00", "\ufeff", "NaN", "1e400", "-", "£", "inf", ""],
    "geojson": ["{", "}", "[", "]", ",", ":", '"', "null", "1e400", "NaN", "-", "0", '"type"',
                '"Point"', '"MultiPoint"', '"coordinates"', '"properties"', '"geometry"'],
    "naptan": ["<", ">", "/", "&amp;", "&x;", "<!DOCTYPE a>", "<![CDATA[", "]]>", "\x00",
               "<Easting>", "</Easting>", "<StopPoint>", "</StopPoint>", "nan", "-1e9"],
}  # fmt: skip


@st.composite
def mangled(draw: st.DrawFn, seed: str, tokens: list[str]) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=200))
    text = seed
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["delete", "insert", "token", "duplicate", "swap"]))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "insert":
            text = text[:at] + draw(st.text(max_size=6)) + text[at:]
        elif op == "token":
            text = text[:at] + draw(st.sampled_from(tokens)) + text[at:]
        elif op == "duplicate":
            text = text[:at] + text[at : at + draw(st.integers(1, 80))] + text[at:]
        else:
            other = draw(st.integers(0, len(text)))
            a, b = sorted((at, other))
            text = text[:a] + text[b:] + text[a:b]
    return text


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_COORDS = st.lists(st.floats(-1e7, 1e7) | st.floats(), min_size=0, max_size=3)
_GEOMETRY = st.one_of(
    st.none(),
    _JSON_VALUES,
    st.fixed_dictionaries({"type": st.just("Point"), "coordinates": _COORDS}),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Polygon", "MultiPoint", "LineString", "MultiPolygon"]),
         "coordinates": st.lists(st.lists(_COORDS, max_size=5), max_size=2)}
    ),
)  # fmt: skip
_FEATURE = st.fixed_dictionaries(
    {
        "type": st.just("Feature"),
        "properties": st.dictionaries(
            st.sampled_from(["id", "type", "population", "over65", "name", "geometry", "lon"]),
            _JSON_VALUES,
        ),
        "geometry": _GEOMETRY,
    }
)
STRUCTURED_GEOJSON = st.lists(_FEATURE, max_size=5).map(
    lambda fs: json.dumps({"type": "FeatureCollection", "features": fs})
)


def _read(text: str, kind: str, fmt: str, skip: bool) -> None:
    try:
        layer = read_text(text, kind, format=fmt, on_bad_row="skip" if skip else "error")
    except InputError as exc:
        assert str(exc)
        return
    assert isinstance(layer, Layer)
    assert layer.frame.crs.to_epsg() == 27700
    assert layer.frame["id"].is_unique


_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@pytest.mark.slow
@settings(max_examples=500, **_SETTINGS)
@given(
    text=mangled(CSV, TOKENS["csv"]),
    kind=st.sampled_from(["sites", "zones", "fleet", "stops"]),
    skip=st.booleans(),
)
def test_mangled_csv(text: str, kind: str, skip: bool) -> None:
    _read(text, kind, "csv", skip)


@pytest.mark.slow
@settings(max_examples=300, **_SETTINGS)
@given(
    text=mangled(GEOJSON, TOKENS["geojson"]) | STRUCTURED_GEOJSON,
    kind=st.sampled_from(["sites", "zones"]),
    skip=st.booleans(),
)
def test_mangled_geojson(text: str, kind: str, skip: bool) -> None:
    _read(text, kind, "geojson", skip)


@pytest.mark.slow
@settings(max_examples=300, **_SETTINGS)
@given(text=mangled(NAPTAN, TOKENS["naptan"]), skip=st.booleans())
def test_mangled_naptan(text: str, skip: bool) -> None:
    _read(text, "stops", "naptan", skip)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_as_naptan_and_geojson(data: bytes) -> None:
    _read(data, "stops", "naptan", True)  # type: ignore[arg-type]
    _read(data, "zones", "geojson", True)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "fmt"), [(CSV, "csv"), (GEOJSON, "geojson"), (NAPTAN, "naptan")])
def test_seeds_read_with_skip(seed: str, fmt: str) -> None:
    kind = {"csv": "sites", "geojson": "zones", "naptan": "stops"}[fmt]
    layer = read_text(seed, kind, format=fmt, on_bad_row="skip")
    assert len(layer) >= 1 and layer.skipped
