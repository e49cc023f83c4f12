"""``optimise serve`` (issue #16): an optional current-plan file (the CLI's
``--current-plan``) on the transport form; the run reports the saving against it and
the results page shows it."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.store import Workspace
from tests.app.test_api import _csrf, _ended, _message, _start, _wait

PLAN = "route,vehicle_type,sequence,id\nOLD1,V16,1,P00001\nOLD1,V16,2,P00002\nOLD2,V01,1,P00003\n"


def _upload_plan(c, name: str = "current routes.csv", body: str = PLAN) -> str:
    response = c.post("/uploads", data={"csrf": c.csrf, "kind": "current_plan"},
                      files={"file": (name, body.encode())})  # fmt: skip
    assert response.status_code == 200, _message(response.text)
    return re.search(r"current_plan=(\d+)", str(response.url)).group(1)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A finished routes run (morning) against an uploaded current plan."""
    root = tmp_path_factory.mktemp("current") / "workspace"
    with TestClient(create_app(root, None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        plan_id = _upload_plan(c)
        run_id = _start(c, c.csrf, current_plan=plan_id, time_limit="3", run="am")
        status = _wait(c, run_id, _ended)
        assert status["status"] == "finished", status
        yield c, run_id, root, plan_id


def test_the_uploaded_plan_is_offered_and_kept_in_the_forms(compared):
    c, _run_id, _root, plan_id = compared
    page = c.get("/transport", params={"current_plan": plan_id}).text
    assert re.search(rf'<option value="{plan_id}" selected>current routes\.csv', page)
    hidden = re.findall(rf'<input type="hidden" name="current_plan" value="{plan_id}">', page)
    assert len(hidden) == 2  # the upload form and the run form carry it


def test_the_run_reports_the_saving_against_the_current_plan(compared):
    c, run_id, root, _plan_id = compared
    run = Workspace(root).run(run_id)
    summary = run["summary"]
    assert run["settings"]["current_plan"].endswith(".csv")
    assert summary["saving_gbp"] == pytest.approx(
        summary["current_annual_cost_gbp"] - summary["annual_cost_gbp"], abs=0.05
    )
    page = html.unescape(c.get(f"/runs/{run_id}").text)
    saving = f"£{summary['saving_gbp']:,.0f}"
    assert f"<th>Saving against the current plan</th><td>{saving}</td>" in page
    current = f"£{summary['current_annual_cost_gbp']:,.0f}"
    assert f"<th>Current plan: annual cost</th><td>{current}</td>" in page


def test_a_current_plan_with_the_afternoon_alone_is_refused(compared):
    c, _run_id, root, plan_id = compared
    before = len(Workspace(root).list_runs())
    response = c.post("/transport/run", data={"csrf": c.csrf, "current_plan": plan_id,
                                              "run": "pm"})  # fmt: skip
    assert response.status_code == 400
    assert _message(response.text).startswith("Current plan: it is compared with the morning")
    assert len(Workspace(root).list_runs()) == before


def test_a_bad_current_plan_is_listed_by_the_check_and_fails_the_run(tmp_path):
    with TestClient(create_app(tmp_path / "ws", None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        plan_id = _upload_plan(c, "old plan.csv", "route,vehicle,when\nA,B,C\n")
        page = c.post("/transport/check", data={"csrf": c.csrf, "current_plan": plan_id}).text
        assert "<td>old plan.csv</td>" in page and "uploads" not in page.split('id="problems"')[1]
        run_id = _start(c, c.csrf, current_plan=plan_id, time_limit="2", run="am")
        status = _wait(c, run_id, _ended)
        assert status["status"] == "failed" and status["error"].startswith("old plan.csv")
        response = c.get("/transport", params={"current_plan": "999"})
        assert response.status_code == 400
        assert _message(response.text).startswith("current plan: expected one of the uploaded")
