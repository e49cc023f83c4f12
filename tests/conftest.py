"""Shared fixtures: the small public files in tests/data, and the Leeds network built once.

The tests need nothing beside the checkout: every real file they read is a copy (or an
excerpt) kept in tests/data/, with its source and licence in tests/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    """tests/data: the council files (trafford/, northumberland/, naptan/, osm/)."""
    return DATA


@pytest.fixture(scope="session")
def benchmarks() -> Path:
    """tests/data/benchmarks: the few small published instances the tests solve."""
    return DATA / "benchmarks"


@pytest.fixture(scope="session")
def leeds(tmp_path_factory, test_data: Path) -> Path:
    """The Leeds OSM extract built once per session with `optimise network build`."""
    import cli

    out = tmp_path_factory.mktemp("net") / "leeds"
    extract = test_data / "osm" / "its-example_leeds.osm.pbf"
    assert cli.main(["network", "build", str(extract), "--out", str(out), "--quiet"]) == 0
    return out
