"""Shared fixtures: where ../shared is, and the default data built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OPTIMISE_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.fail(f"../shared not found at {SHARED}; set OPTIMISE_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def shared_data(shared: Path) -> Path:
    return shared / "data"


@pytest.fixture(scope="session")
def leeds(tmp_path_factory, shared_data: Path) -> Path:
    """The Leeds OSM extract built once per session with `optimise network build`."""
    import cli

    out = tmp_path_factory.mktemp("net") / "leeds"
    extract = shared_data / "osm" / "its-example_leeds.osm.pbf"
    assert cli.main(["network", "build", str(extract), "--out", str(out), "--quiet"]) == 0
    return out
