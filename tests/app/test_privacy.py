"""``optimise serve`` (issue #16): with personal data off, no page, JSON or download
the app serves for a run names a pupil or gives a home's coordinates. Every results
route of a finished ``routes`` run, a finished ``plan`` run (whose folder holds
assignments-personal.csv) and its re-plan around a locked route is fetched and scanned,
with its comparison (a plan run's is counted from that file), what-if copy and plan
editor."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy.spatial import cKDTree

from geodata.default import load_default
from optimise.app import create_app
from tests.app.test_api import _csrf, _ended, _start, _wait

NUMBER = re.compile(r"-?\d+\.\d+|\d{5,7}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A workspace (personal data off) with a finished routes run and plan run."""
    root = tmp_path_factory.mktemp("privacy") / "ws"
    with TestClient(create_app(root, None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        # 30 s for the plan: 3 s could end with no stop choice on a loaded machine
        runs = [_start(c, c.csrf, command=command, time_limit=limit, run="am")
                for command, limit in (("routes", "3"), ("plan", "30"))]  # fmt: skip
        for run_id in runs:
            status = _wait(c, run_id, _ended, 300)
            assert status["status"] == "finished", status
        # the plan run's editor: one route locked, re-planned around it (a third run)
        editor = c.get(f"/runs/{runs[1]}/edit").text
        route = re.search(r'name="lock" value="([^"]+)"', editor).group(1)
        locked = c.post(f"/runs/{runs[1]}/edit/locks", data={"csrf": c.csrf, "lock": route})
        assert locked.status_code == 200 and f'id="lock-{route}" checked' in locked.text
        again = c.post(f"/runs/{runs[1]}/replan", data={"csrf": c.csrf, "time_limit": "20"},
                       follow_redirects=False)  # fmt: skip
        runs.append(int(again.headers["location"].rsplit("/", 1)[1]))
        assert _wait(c, runs[2], _ended, 300)["status"] == "finished"
        yield c, runs, root


@pytest.fixture(scope="module")
def pupils():
    """The embedded pupils' ids and homes (British National Grid and lon/lat)."""
    frame = load_default(2026).pupils
    grid = np.column_stack([frame.geometry.x, frame.geometry.y])
    ll = frame.geometry.to_crs(4326)
    degrees = np.column_stack([ll.x, ll.y])
    return set(frame["id"].astype(str)), cKDTree(grid), cKDTree(degrees)


def _texts(c: TestClient, run_id: int, root) -> dict[str, str]:
    """Every response the app serves for the run, by address (zip members too)."""
    out = {}
    for path in ("/transport", "/runs", f"/runs/{run_id}", f"/runs/{run_id}/status",
                 f"/runs/{run_id}/report", "/estate", "/hours", "/batch", "/compare",
                 f"/compare?a={run_id}&b={run_id}", f"/transport?copy={run_id}",
                 f"/runs/{run_id}/edit"):  # fmt: skip
        response = c.get(path)
        assert response.status_code == 200, path
        out[path] = response.text
    sheets = re.findall(rf'href="(/runs/{run_id}/sheets/[^"]+)"', out[f"/runs/{run_id}"])
    assert sheets
    for path in sheets:
        out[path] = c.get(path.replace("&amp;", "&")).text
    pack = c.get(f"/runs/{run_id}/tender-pack.zip")
    with zipfile.ZipFile(io.BytesIO(pack.content)) as z:
        for name in z.namelist():
            out[f"tender-pack.zip/{name}"] = z.read(name).decode("utf-8")
    assert (root / "runs" / str(run_id) / "routes.csv").is_file()
    return out


def _home_hits(text: str, grid: cKDTree, degrees: cKDTree) -> list[tuple[float, float]]:
    """Pairs of neighbouring numbers in ``text`` within a metre of a pupil's home
    (easting, northing; lon, lat; or lat, lon)."""
    values = [float(v) for v in NUMBER.findall(text)]
    if len(values) < 2:
        return []
    pairs = np.column_stack([values[:-1], values[1:]])
    hits = []
    for tree, pts, tolerance in ((grid, pairs, 1.0), (degrees, pairs, 1e-5),
                                 (degrees, pairs[:, ::-1], 1e-5)):  # fmt: skip
        distance, _ = tree.query(pts, distance_upper_bound=tolerance)
        hits += [tuple(p) for p in pts[np.isfinite(distance)]]
    return hits


@pytest.mark.parametrize("which", ["routes", "plan", "replan"])
def test_no_pupil_id_or_home_in_anything_served(served, pupils, which):
    c, runs, root = served
    run_id = runs[("routes", "plan", "replan").index(which)]
    ids, grid, degrees = pupils
    assert (root / "runs" / str(runs[1]) / "assignments-personal.csv").is_file()
    texts = _texts(c, run_id, root)
    for where, text in texts.items():
        named = set(re.findall(r"[A-Za-z]\d{4,6}", text)) & ids
        assert not named, (where, sorted(named)[:5])
        assert not _home_hits(text, grid, degrees), where
    # the scan finds them where they are: the personal file the app does not serve
    personal = (root / "runs" / str(runs[1]) / "assignments-personal.csv").read_text()
    assert set(re.findall(r"P\d{5}", personal)) & ids


def test_the_scan_sees_a_home_when_one_is_there(pupils):
    _ids, grid, degrees = pupils
    x, y = grid.data[7]
    lon, lat = degrees.data[7]
    assert _home_hits(f"[{lat:.6f}, {lon:.6f}]", grid, degrees)
    assert _home_hits(f"{x:.1f},{y:.1f}", grid, degrees)
    assert not _home_hits("[55.1, -1.6] 430000.0 580000.0", grid, degrees)
