"""Run reports (issue #9): report.html of each run, personal data kept out, and the
pages opened in a real browser (headless Debian chromium, networking disabled).

The runs are small (time limits of a few seconds) and made once per session.
"""

from __future__ import annotations

import json
import re
import shutil
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyogrio
import pytest

from cli import main
from geodata.default import load_default
from geodata.privacy import GRID_M
from optimise.report import render_report
from optimise.report.transport import ride_minutes
from optimise.report.transport_map import RUNS

if TYPE_CHECKING:
    from pathlib import Path


def _run(*args: str) -> None:
    code = main([*args, "--quiet"])
    assert code == 0, args


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    """One finished run folder per kind (the demo holds transport, estate and hours)."""
    tmp = tmp_path_factory.mktemp("report-runs")
    plan = tmp / "plan.csv"
    plan.write_text(
        "route,vehicle_type,sequence,id\nOLD1,V16,1,P00001\nOLD1,V16,2,P00002\nOLD2,V01,1,P00003\n",
        encoding="utf-8",
    )
    spec = tmp / "hours.toml"
    spec.write_text(
        'problem = "hours"\nseed = 2026\ntime_limit = 2\n[grid]\nbudget_hours = [50, 70]\n',
        encoding="utf-8",
    )
    _run("demo", "--out", str(tmp / "demo"), "--time-limit", "3")
    _run("transport", "routes", "--time-limit", "3", "--current-plan", str(plan),
         "--include-personal-data", "--out", str(tmp / "personal"))  # fmt: skip
    _run("estate", "--pareto", "2", "--time-limit", "8", "--out", str(tmp / "estate"))
    config = tmp / "curve.toml"  # a short curve (40 and 50 h) and no rule prices: quick
    config.write_text("[hours]\ncurve_from = 40\ncurve_to = 50\ncurve_step = 10\n"
                      "rule_prices = false\n", encoding="utf-8")  # fmt: skip
    _run("hours", "--budget-hours", "40", "--time-limit", "20", "--config", str(config),
         "--out", str(tmp / "hours"))  # fmt: skip
    _run("batch", str(spec), "--out", str(tmp / "batch"), "--serial")
    return {"demo": tmp / "demo", "transport": tmp / "demo" / "transport",
            "personal": tmp / "personal", "estate": tmp / "estate", "hours": tmp / "hours",
            "batch": tmp / "batch"}  # fmt: skip


@pytest.fixture(scope="session")
def homes() -> pd.DataFrame:
    """The default pupils' home points: id, lon, lat (WGS84), x, y (British National Grid)."""
    pupils = load_default(2026).pupils
    wgs = pupils.geometry.to_crs(4326)
    return pd.DataFrame({"id": pupils["id"], "lon": wgs.x, "lat": wgs.y,
                         "x": pupils.geometry.x, "y": pupils.geometry.y})  # fmt: skip


def _pairs(html: str) -> list[tuple[float, float]]:
    """Every pair of numbers written 'a,b' or 'a, b' in the page (GeoJSON, text, CSV)."""
    return [(float(a), float(b)) for a, b in re.findall(r"(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)", html)]


def _homes_found(html: str, homes: pd.DataFrame, decimals: int) -> set[str]:
    """Pupils whose home (lon, lat) or (lat, lon) appears in ``html`` at ``decimals``."""
    pairs = _pairs(html)
    seen = {(round(a, decimals), round(b, decimals)) for a, b in pairs}
    seen |= {(b, a) for a, b in seen}
    return {
        pid for pid, lon, lat in zip(homes["id"], homes["lon"], homes["lat"], strict=True)
        if (round(lon, decimals), round(lat, decimals)) in seen
    }  # fmt: skip


# --- what the runs write ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["demo", "personal", "estate", "hours", "batch"])
def test_every_run_writes_a_self_contained_report(runs, kind):
    html = (runs[kind] / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "Leaflet 1.9.4" in html and "window.reportFeatures" in html
    # Offline: nothing is fetched (no script, style, image or stylesheet from the web;
    # Leaflet's attribution keeps a plain link to leafletjs.com, which loads nothing).
    assert not re.search(r"""src\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"""<link[^>]*href\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", html)
    assert "url(images/" not in html and "@import" not in html


def test_demo_report_covers_transport_estate_and_hours(runs):
    html = (runs["demo"] / "report.html").read_text(encoding="utf-8")
    for key in ("transport", "estate", "hours"):
        assert f'id="map-{key}"' in html
    assert 'data-table="routes"' in html and 'data-table="timetable"' in html
    assert 'data-chart="histogram"' in html


def test_each_run_has_a_geopackage_with_a_layer_per_kind(runs):
    demo = runs["demo"]
    files = ("transport/routes.gpkg", "estate/estate.gpkg", "hours/hours.gpkg")
    layers = {p: {n for n, _ in pyogrio.list_layers(demo / p)} for p in files}
    assert layers == {"transport/routes.gpkg": {"routes", "stops"},
                      "estate/estate.gpkg": {"sites", "zones"},
                      "hours/hours.gpkg": {"centres"}}  # fmt: skip
    zones = pd.read_csv(demo / "estate" / "zones.csv")
    assert {"id", "worst_minutes", "lon", "lat"} <= set(zones.columns) and len(zones) == 491


def test_route_table_and_ride_times_match_the_run(runs):
    folder = runs["transport"]
    summary = json.loads((folder / "summary.json").read_text())
    rows = pd.read_csv(folder / "routes.csv")
    rides = ride_minutes(rows)
    # One ride per pupil carried; their mean is the run's own figure.
    assert len(rides) == summary["pupils_served"]
    assert np.mean(rides) == pytest.approx(summary["mean_ride_minutes"], abs=0.1)
    html = render_report(folder)
    table = re.search(r'<table data-table="routes">.*?</table>', html, re.S).group(0)
    assert table.count("<tr>") - 1 == rows["route"].nunique()
    morning = rows[rows["run"] == "am"] if "run" in rows else rows
    assert morning["route"].nunique() == summary["routes"]
    if "pm" in summary:  # the afternoon run, drop-offs from the last school
        pm = ride_minutes(rows, "pm")
        assert len(pm) == summary["pm"]["pupils_served"]
        assert np.mean(pm) == pytest.approx(summary["pm"]["mean_ride_minutes"], abs=0.1)


def test_cost_against_the_current_plan(runs):
    summary = json.loads((runs["personal"] / "summary.json").read_text())
    html = (runs["personal"] / "report.html").read_text()
    assert f"Saving £{summary['saving_gbp']:,.0f} a year" in html
    assert "No current plan" in render_report(runs["transport"])


def test_estate_and_hours_reports_draw_their_charts(runs):
    estate = render_report(runs["estate"])
    pareto = pd.read_csv(runs["estate"] / "pareto.csv")
    chart = re.search(r'data-chart="line".*?</svg>', estate, re.S).group(0)
    assert chart.count('class="point"') == len(pareto)
    assert 'data-table="disposals"' in estate
    hours = render_report(runs["hours"])
    curve = pd.read_csv(runs["hours"] / "curve.csv")
    chart = re.search(r'data-chart="line".*?</svg>', hours, re.S).group(0)
    assert chart.count('class="point"') == 2 * len(curve) + 2  # two series, today, the plan


def test_report_is_the_same_when_rendered_again(runs):
    for kind in ("estate", "hours", "batch"):
        again = render_report(runs[kind])
        assert again == (runs[kind] / "report.html").read_text(encoding="utf-8")


# --- personal data -------------------------------------------------------------------


def test_default_transport_report_holds_no_pupil_home(runs, homes):
    """Neither the demo's report nor the default report of a run that wrote homes (with
    --include-personal-data) carries a home point, at any rounding from ~10 m down."""
    assert main(["report", str(runs["personal"]), "--quiet"]) == 0
    for html in ((runs["demo"] / "report.html").read_text(encoding="utf-8"),
                 (runs["personal"] / "report.html").read_text(encoding="utf-8")):  # fmt: skip
        for decimals in (4, 5, 6, 7):
            assert not _homes_found(html, homes, decimals), decimals
        grid = r"(?<![\d.])(\d{5,6}(?:\.\d+)?)\s*,\s*(\d{5,6}(?:\.\d+)?)(?![\d.])"
        written = {(round(float(a)), round(float(b))) for a, b in re.findall(grid, html)}
        bng = {(round(x), round(y)) for x, y in zip(homes["x"], homes["y"], strict=True)}
        assert not bng & written, "a home's easting,northing is in the default report"
        assert not re.search(r"P\d{5}", html), "a pupil id is in the default report"
        assert "homes (personal data)" not in html and "pickups" not in html


def test_personal_data_report_does_show_homes(runs, homes, capsys):
    """The check above can fail: asked for, the homes of pupils picked up at home are there."""
    assert main(["report", str(runs["personal"]), "--include-personal-data"]) == 0
    assert "report.html" in capsys.readouterr().out
    html = (runs["personal"] / "report.html").read_text(encoding="utf-8")
    rows = pd.read_csv(runs["personal"] / "routes-personal.csv")
    at_home = {p for ids in rows.loc[rows["kind"] == "home", "id"] for p in ids.split(";")}
    found = _homes_found(html, homes, 5)
    assert found == at_home
    assert "homes (personal data)" in html and "CONTAINS PERSONAL DATA" in html
    assert main(["report", str(runs["personal"]), "--quiet"]) == 0  # back to the default


def test_shared_tables_name_no_pupil(runs):
    """Asked for personal data, a run writes the ids in -personal files only: routes.csv
    counts who boards at a home, unserved.csv gives the reason; neither names a pupil."""
    folder = runs["personal"]
    summary = json.loads((folder / "summary.json").read_text())
    assert set(summary["personal_data"]) >= {"routes-personal.csv", "unserved-personal.csv"}
    named = pd.read_csv(folder / "routes-personal.csv", dtype=str, keep_default_na=False)
    shared = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
    home = named["kind"] == "home"
    assert home.sum() > 1000 and named.loc[home, "id"].str.match(r"P\d{5}").all()
    assert (shared.loc[home, "id"] == "").all()
    assert shared.drop(columns="id").equals(named.drop(columns="id"))
    for name in ("routes.csv", "unserved.csv", "summary.json"):
        assert not re.search(rb"P\d{5}", (folder / name).read_bytes()), name
    # The GeoPackage is binary: its coordinates' bytes can spell "P33333" by chance, so
    # its tables' values are searched, not its bytes; and it has no layer of homes.
    import pyogrio

    layers = [str(name) for name, _ in pyogrio.list_layers(folder / "routes.gpkg")]
    assert layers and "pickups" not in layers
    for layer in layers:
        table = pyogrio.read_dataframe(folder / "routes.gpkg", layer=layer, read_geometry=False)
        assert not re.search(r"P\d{5}", table.astype(str).to_csv(index=False)), layer
    lost = pd.read_csv(folder / "unserved-personal.csv")
    assert "pupil" in lost and "pupil" not in pd.read_csv(folder / "unserved.csv")
    assert len(lost) == len(pd.read_csv(folder / "unserved.csv"))


# --- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing", "empty", "not-json", "half-run"])
def test_a_folder_that_is_not_a_run_is_one_line_and_exit_2(tmp_path, capsys, case):
    folder = tmp_path / "x"
    if case != "missing":
        folder.mkdir()
    if case == "not-json":
        (folder / "summary.json").write_text("{oops", encoding="utf-8")
    if case == "half-run":
        (folder / "summary.json").write_text('{"command": "estate"}', encoding="utf-8")
    code = main(["report", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(folder) in err
    assert not (folder / "report.html").exists()


def test_bad_basemap_is_one_line_and_a_good_one_is_used(runs, capsys, tmp_path):
    hours = tmp_path / "hours"
    shutil.copytree(runs["hours"], hours)
    code = main(["report", str(hours), "--basemap", "tiles.example/{z}"])
    err = capsys.readouterr().err
    assert code == 2 and "--basemap" in err and len(err.strip().splitlines()) == 1
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert main(["report", str(hours), "--basemap", url, "--quiet"]) == 0
    assert url in (hours / "report.html").read_text(encoding="utf-8")


# --- in a real browser -----------------------------------------------------------------


def _expected_features(kind: str, folder: Path, homes: pd.DataFrame) -> dict[str, dict[str, int]]:
    """What each map must draw, counted from the run's own tables."""
    if kind == "transport":
        rows = pd.read_csv(folder / "routes.csv")
        stops = pyogrio.read_dataframe(folder / "routes.gpkg", layer="stops")
        runs = rows["run"] if "run" in rows else pd.Series("am", index=rows.index)
        named = folder / "routes-personal.csv"  # ids only there (personal data)
        if named.is_file():
            ids = pd.read_csv(named, dtype=str, keep_default_na=False)
            picked = ids.loc[(ids["kind"] == "home") & (ids["run"] == "am"), "id"]
            at_home = {p for ids in picked for p in ids.split(";")}
        else:  # `transport routes` collects every pupil at home, and this run carried all
            assert json.loads((folder / "summary.json").read_text())["pupils_unserved"] == 0
            at_home = set(homes["id"])
        where = homes.set_index("id").loc[sorted(at_home)]
        squares = {(int(x // GRID_M), int(y // GRID_M)) for x, y in zip(where["x"], where["y"],
                                                                        strict=True)}  # fmt: skip
        count = stops["kind"].value_counts()
        by_run = ({name: rows.loc[runs == run, "route"].nunique() for run, name in RUNS.items()}
                  if "run" in rows else {"Routes": rows["route"].nunique()})  # fmt: skip
        return {"map-transport": {
            **by_run, "Schools": int(count.get("school", 0)),
            "Stops": int(count.get("stop", 0)), "Vehicle bases": int(count.get("base", 0)),
            "Home pick-ups (1 km squares)": len(squares)}}  # fmt: skip
    if kind == "estate":
        sites = pd.read_csv(folder / "sites.csv")
        return {"map-estate": {
            "Sites kept": int((sites["decision"] == "keep").sum()),
            "Sites to dispose of": int((sites["decision"] == "dispose").sum()),
            "Zones: travel time": len(pd.read_csv(folder / "zones.csv"))}}  # fmt: skip
    if kind == "hours":
        return {"map-hours": {"Centres": len(pd.read_csv(folder / "centres.csv"))}}
    if kind == "demo":
        out: dict[str, dict[str, int]] = {}
        for part in ("transport", "estate", "hours"):
            out.update(_expected_features(part, folder / part, homes))
        return out
    return {}  # batch: a table and a chart, no map


@pytest.mark.parametrize("kind", ["transport", "estate", "hours", "batch", "demo"])
def test_report_in_a_real_browser(runs, homes, browser, kind, tmp_path):
    folder = runs["personal"] if kind == "transport" else runs[kind]
    if kind == "transport":  # the default report of a run that wrote homes
        assert main(["report", str(folder), "--quiet"]) == 0
    browser.get_log("browser")  # drop messages from earlier pages
    browser.get((folder / "report.html").resolve().as_uri())
    drawn = browser.execute_script("return window.reportFeatures")
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    assert drawn == _expected_features(kind, folder, homes)
    paths = browser.execute_script(
        "return document.querySelectorAll('.leaflet-overlay-pane path').length"
    )
    assert paths == sum(n for layers in drawn.values() for n in layers.values())
    if kind == "batch":
        results = pd.read_csv(folder / "results.csv")
        bars = browser.execute_script("return document.querySelectorAll('svg rect.bar').length")
        rows = browser.execute_script(
            "return document.querySelectorAll('table[data-table=scenarios] tbody tr').length"
        )
        assert bars == int((results["status"] == "ok").sum()) and rows == len(results)
    shot = tmp_path / f"report-{kind}.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


# --- hand-checkable pieces -------------------------------------------------------------

ROUTES_CSV = """run,route,vehicle,sequence,kind,id,pupils_boarding,pupils_alighting,arrive,depart
am,R1,R1,0,base,1,0,0,,08:00:00
am,R1,R1,1,home,P1,1,0,08:05:00,08:06:00
am,R1,R1,2,stop,X1,2,0,08:10:00,08:11:00
am,R1,R1,3,school,S1,0,3,08:30:00,08:30:00
pm,PMR1,PMR1,0,school,S1,2,0,15:30:00,15:30:00
pm,PMR1,PMR1,1,home,P1,0,1,15:40:00,15:41:00
pm,PMR1,PMR1,2,home,P2,0,1,15:50:00,15:51:00
pm,PMR1,PMR1,3,base,1,0,0,16:00:00,
"""


def test_ride_minutes_by_hand(tmp_path):
    path = tmp_path / "routes.csv"
    path.write_text(ROUTES_CSV, encoding="utf-8")
    rows = pd.read_csv(path)
    assert sorted(ride_minutes(rows, "am")) == [19.0, 19.0, 24.0]  # 08:11 and 08:06 → 08:30
    assert sorted(ride_minutes(rows, "pm")) == [10.0, 20.0]  # 15:30 → 15:40 and 15:50
    assert ride_minutes(rows.drop(columns=["run"]).iloc[:4], "pm") == []


def test_ride_chart_draws_the_runs_own_limits(tmp_path):
    from optimise.report.transport import _charts

    path = tmp_path / "routes.csv"
    path.write_text(ROUTES_CSV, encoding="utf-8")
    rows = pd.read_csv(path)
    own = _charts(rows, {"ride_limits_min": {"primary": 30.0, "secondary": 50.0}})
    assert "primary limit 30<" in own and "secondary limit 50<" in own
    older = _charts(rows, {})  # a run written before summaries carried the limits
    assert "primary limit 45<" in older and "secondary limit 75<" in older


def test_histogram_counts_by_hand():
    from optimise.report.svg import histogram

    svg = histogram("t", [1, 2, 6, 14.9], bin_width=5, limits={"limit": 10}, x_label="x")
    assert re.findall(r"<title>([\d.]+-[\d.]+: \d+)</title>", svg) == [
        "0-5: 2", "5-10: 1", "10-15: 1",
    ]  # fmt: skip
    assert svg.count('class="limit"') == 1
