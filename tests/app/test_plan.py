"""``optimise serve`` (issue #16): the transport page runs ``transport plan`` (pick-up
points, then routes) as its background job, with the progress, cancel and headline
figures of a routes run."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.store import Workspace
from tests.app.test_api import _csrf, _ended, _message, _start, _wait


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A workspace with one finished ``plan`` run on the embedded data (morning): 30 s,
    as 3 s could end with no stop choice on a loaded machine."""
    root = tmp_path_factory.mktemp("plan") / "workspace"
    with TestClient(create_app(root, None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        run_id = _start(c, c.csrf, command="plan", time_limit="30", run="am")
        status = _wait(c, run_id, _ended)
        assert status["status"] == "finished", status
        yield c, run_id, root


def test_the_page_offers_routes_or_plan(tmp_path):
    with TestClient(create_app(tmp_path / "ws", None)) as c:
        page = c.get("/transport").text
    assert 'name="command"' in page
    assert '<option value="routes" selected>' in page and '<option value="plan" >' in page


def test_plan_run_shows_the_headline_figures_and_its_stops(planned):
    c, run_id, root = planned
    run = Workspace(root).run(run_id)
    summary = run["summary"]
    assert run["kind"] == "transport plan" and summary["command"] == "transport plan"
    assert (root / "runs" / str(run_id) / "stops.csv").is_file()
    page = c.get(f"/runs/{run_id}").text
    assert f"Run {run_id}: transport plan" in page
    assert f"<th>Vehicles</th><td>{summary['vehicles']}</td>" in page
    assert f"{summary['pupils_served']:,} of 3,000" in page
    used = f"{summary['stops_used']} of {summary['stops_candidate']}"
    assert f"<th>Pick-up points used</th><td>{used}</td>" in page
    assert c.get(f"/runs/{run_id}/report").status_code == 200
    assert c.get(f"/runs/{run_id}/tender-pack.zip").status_code == 200


def test_plan_run_can_be_cancelled(tmp_path):
    root = tmp_path / "ws"
    with TestClient(create_app(root, None)) as c:
        csrf = _csrf(c.get("/transport").text)
        run_id = _start(c, csrf, command="plan", time_limit="120", run="am")
        _wait(c, run_id, lambda s: s["progress"].startswith("choosing") or _ended(s))
        assert c.get(f"/runs/{run_id}/status").json()["fraction"] > 0
        response = c.post(f"/runs/{run_id}/cancel", data={"csrf": csrf})
        assert response.status_code == 200 and 'id="ended"' in response.text
        assert c.get(f"/runs/{run_id}/status").json()["status"] == "cancelled"
        assert not (root / "runs" / str(run_id)).exists()


def test_an_unknown_command_is_one_line_and_no_run(tmp_path):
    root = tmp_path / "ws"
    with TestClient(create_app(root, None)) as c:
        csrf = _csrf(c.get("/transport").text)
        response = c.post("/transport/run", data={"csrf": csrf, "command": "eligibility"})
    assert response.status_code == 400
    assert _message(response.text) == "Plan: expected one of routes, plan, found 'eligibility'"
    assert Workspace(root).list_runs() == []
