"""Shared fixtures: the small public files in tests/data, and the Leeds network built once.

The tests need nothing beside the checkout: every real file they read is a copy (or an
excerpt) kept in tests/data/, with its source and licence in tests/data/README.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
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


CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def browser():
    """Headless chromium with networking disabled but for 127.0.0.1 (the app's tests
    serve there); skipped locally when it is missing, a failure under CI (``.ci/run``
    installs it). Shared by the report and web-app browser tests."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    if webdriver is None or not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        message = "chromium, chromium-driver or selenium missing (.ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    profile = tempfile.mkdtemp(prefix="optimise-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                 "--proxy-server=127.0.0.1:9",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 "--window-size=1200,1600"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
