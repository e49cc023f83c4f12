"""Imported OSRM and Valhalla matrix responses (JSON) parsed into a TravelMatrix."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from geodata.errors import InputError, ValidationError
from geodata.matrix import UNREACHABLE
from geodata.providers import (
    ImportedMatrix,
    parse_osrm_table,
    parse_routing_json,
    parse_valhalla_matrix,
    read_routing_json,
)

if TYPE_CHECKING:
    from pathlib import Path

OSRM = """{
  "code": "Ok",
  "durations": [[0, 612.4, null], [598.1, 0, 1200.5]],
  "distances": [[0, 8123.7, null], [8050.2, 0, 16001]],
  "sources": [{"hint": "x", "distance": 4.1, "name": "A1", "location": [-1.61, 55.17]},
              {"hint": "y", "distance": 0.3, "name": "", "location": [-1.69, 55.41]}],
  "destinations": [{"location": [-1.61, 55.17]}, {"location": [-1.69, 55.41]},
                   {"location": [-2.0, 55.0]}]
}"""

VALHALLA = """{
  "sources_to_targets": [
    [{"distance": 0.0, "time": 0, "from_index": 0, "to_index": 0},
     {"distance": 8.1, "time": 610, "from_index": 0, "to_index": 1}],
    [{"distance": 8.2, "time": 605, "from_index": 1, "to_index": 0},
     {"distance": null, "time": null, "from_index": 1, "to_index": 1}]
  ],
  "sources": [[{"lon": -1.61, "lat": 55.17}], [{"lon": -1.69, "lat": 55.41}]],
  "targets": [[{"lon": -1.61, "lat": 55.17}], [{"lon": -1.69, "lat": 55.41}]],
  "units": "kilometers"
}"""


def test_osrm_table_parsed() -> None:
    m = parse_osrm_table(OSRM, origins=["s1", "s2"], destinations=["a", "b", "c"])
    assert m.origins == ("s1", "s2") and m.destinations == ("a", "b", "c")
    assert m.seconds.tolist() == [[0, 612, UNREACHABLE], [598, 0, 1200]]
    assert m.metres.tolist() == [[0, 8124, UNREACHABLE], [8050, 0, 16001]]
    assert m.mode == "drive" and "OSRM" in m.source and "estimated" not in m.source


def test_osrm_without_distances_estimates_metres() -> None:
    m = parse_osrm_table('{"code": "Ok", "durations": [[0, 36]]}', mode="walk")
    assert m.origins == ("0",) and m.destinations == ("0", "1")
    assert m.metres.tolist() == [[0, 48]]  # 36 s at 4.8 km/h
    assert "metres estimated at 4.8 km/h" in m.source


def test_valhalla_verbose_and_concise_agree() -> None:
    verbose = parse_valhalla_matrix(VALHALLA, origins=["s1", "s2"], destinations=["a", "b"])
    assert verbose.seconds.tolist() == [[0, 610], [605, UNREACHABLE]]
    assert verbose.metres.tolist() == [[0, 8100], [8200, UNREACHABLE]]
    concise = json.dumps(
        {
            "sources_to_targets": {
                "durations": [[0, 610], [605, None]],
                "distances": [[0, 8.1], [8.2, None]],
            },
            "units": "kilometers",
        }
    )
    assert parse_routing_json(concise, origins=["s1", "s2"], destinations=["a", "b"]) == verbose


def test_valhalla_miles() -> None:
    text = '{"sources_to_targets": [[{"time": 60, "distance": 1.0}]], "units": "miles"}'
    assert parse_valhalla_matrix(text).metres.tolist() == [[1609]]


def test_auto_detection_and_reading_a_file(tmp_path: Path) -> None:
    path = tmp_path / "table.json"
    path.write_text(OSRM, encoding="utf-8")
    m = read_routing_json(path, origins=["s1", "s2"], destinations=["a", "b", "c"])
    assert m == parse_osrm_table(OSRM, origins=["s1", "s2"], destinations=["a", "b", "c"])
    provider = ImportedMatrix.from_routing_json(
        path, origins=["s1", "s2"], destinations=["a", "b", "c"]
    )
    assert provider.matrix(["s2"], ["c", "a"]).seconds.tolist() == [[1200, 598]]
    assert provider.key() == ImportedMatrix(m, str(path)).key()
    with pytest.raises(InputError, match="no such file"):
        read_routing_json(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"code": "NoTable", "message": "bad coords"}', "code 'NoTable': bad coords"),
        ('{"code": "Ok"}', "an OSRM table with durations"),
        ('{"code": "Ok", "durations": [[0, 1], [2]]}', "2 values per row, found 1"),
        ('{"code": "Ok", "durations": [[0, -5]]}', r"durations\[1\].*found -5"),
        ('{"code": "Ok", "durations": [[0, "x"]]}', "a number, 0 or more, or null"),
        ('{"code": "Ok", "durations": [[0]], "distances": [[0, 1]]}', r"shape \(1, 1\)"),
        ('{"error_code": 171, "error": "No suitable edges"}', "error 171: No suitable edges"),
        ('{"sources_to_targets": [[{"time": 1}]], "units": "furlongs"}', "units"),
        ("[1, 2]", "a JSON object"),
        ("{not json", "invalid JSON"),
    ],
)
def test_bad_responses_say_what_is_wrong(text: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        parse_routing_json(text, file="resp.json")


def test_ids_must_match_the_response() -> None:
    with pytest.raises(ValidationError, match="3 origins as given, found 2 in the response"):
        parse_osrm_table(OSRM, origins=["a", "b", "c"])
