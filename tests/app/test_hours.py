"""The web app's hours page (issue #16): ``optimise hours``'s staff budget and rules
checked as the command checks them, a run on the embedded data in its own process, the
weekly grid beside today's and demand served against the budget; bad values and a
missing CSRF token store nothing."""

from __future__ import annotations

import csv
import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.store import Workspace
from tests.app.client import cells, csrf_of, message_of, start, wait_until_ended


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(tmp_path / "workspace", None)) as c:
        c.csrf = csrf_of(c.get("/hours").text)
        c.root = tmp_path / "workspace"
        yield c


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A workspace with one finished hours run (60 staff-hours, 4 s, no curve)."""
    root = tmp_path_factory.mktemp("hours") / "workspace"
    with TestClient(create_app(root, None)) as c:
        c.csrf = csrf_of(c.get("/hours").text)
        fields = {"csrf": c.csrf, "budget_hours": "60", "over65_weight": "2",
                  "regular": "no", "curve": "no", "time_limit": "4"}  # fmt: skip
        run_id = start(c, "/hours/run", fields)
        status = wait_until_ended(c, run_id)
        assert status["status"] == "finished", status
        yield c, run_id, root


def test_hours_page_has_the_budget_and_rules(client):
    page = client.get("/hours")
    assert page.status_code == 200
    names = ("budget_hours", "over65_weight", "min_block_hours", "min_hours_open",
             "max_centre_hours", "keep_open", "regular", "curve", "time_limit", "seed")  # fmt: skip
    for name in names:
        assert f'id="{name}"' in page.text, name
    assert 'href="/hours"' in page.text


def test_hours_run_passes_the_budget_and_rules_to_the_engine(finished):
    _c, run_id, root = finished
    run = Workspace(root).run(run_id)
    assert run["kind"] == "hours" and run["settings"]["curve"] is False
    summary = json.loads((root / "runs" / str(run_id) / "summary.json").read_text())
    assert summary["budget_hours"] == 60.0 and summary["hours_used"] <= 60.0
    assert summary["params"]["over65_weight"] == 2.0
    assert summary["params"]["regular"] is False and summary["params"]["keep_open"] is True
    assert not (root / "runs" / str(run_id) / "curve.csv").exists()


def _grid(folder, name: str) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    with (folder / name).open(newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault((row["centre"], row["day"]), []).append(
                f"{row['opens']}-{row['closes']}"
            )
    return out


def test_hours_results_show_the_week_beside_today_and_demand_against_budget(finished):
    c, run_id, root = finished
    folder = root / "runs" / str(run_id)
    summary = json.loads((folder / "summary.json").read_text())
    page = c.get(f"/runs/{run_id}").text
    found = re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", _table(page, "hours-figures"))
    figures = {html.unescape(a): html.unescape(b) for a, b in found}
    assert figures["Staff-hours used"].startswith(
        f"{summary['hours_used']:g} of a budget of 60 a week"
    )
    assert figures["Demand served (visits a year)"].startswith(
        f"{summary['demand_served']:,.0f} (today {summary['current_demand_served']:,.0f})"
    )
    days = re.findall(r"<th>(.*?)</th>", _table(page, "week"))[2:-1]
    assert days and set(days) <= {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
    rows = cells(page, "week")
    plan, today = _grid(folder, "timetable.csv"), _grid(folder, "current_timetable.csv")
    assert len(rows) == 2 * len({c for c, _d in [*plan, *today]} | _centres(folder))
    for planned, now in zip(rows[::2], rows[1::2], strict=True):
        centre = planned[0]
        assert planned[1] == "planned" and now[0] == "today"
        for day, a, b in zip(days, planned[2:-1], now[1:-1], strict=True):
            assert a == (", ".join(plan.get((centre, day), [])) or "–"), (centre, day)
            assert b == (", ".join(today.get((centre, day), [])) or "–"), (centre, day)
    assert 'id="report" src="/runs/%d/report"' % run_id in page
    assert c.get(f"/runs/{run_id}/report").status_code == 200
    assert 'id="curve"' not in page  # no curve asked for


def _centres(folder) -> set[str]:
    with (folder / "centres.csv").open(newline="") as f:
        return {row["centre"] for row in csv.DictReader(f)}


def _table(page: str, table_id: str) -> str:
    return re.search(rf'id="{table_id}">(.*?)</table>', page, re.S).group(1)


BAD = {
    "budget not a number": ({"budget_hours": "lots"}, "Staff budget: expected a number"),
    "zero budget": ({"budget_hours": "0"}, "budget_hours must be positive"),
    "zero block": ({"min_block_hours": "0"}, "min_block_hours must be positive"),
    "rule neither yes nor no": ({"regular": "maybe"}, "expected one of yes, no"),
    "curve neither yes nor no": ({"curve": "1"}, "expected one of yes, no"),
    "seed not whole": ({"seed": "1.5"}, "Seed: expected a whole number"),
    "time limit too long": ({"time_limit": "1e9"}, "Time limit (seconds): expected a number"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_hours_values_give_one_line_and_store_nothing(client, case):
    fields, expected = BAD[case]
    response = client.post("/hours/run", data={"csrf": client.csrf, **fields})
    assert response.status_code == 400
    message = message_of(response.text)
    assert expected in message and "\n" not in message
    assert Workspace(client.root).list_runs() == []
    assert not any((client.root / "runs").iterdir())


def test_hours_run_without_csrf_is_refused(client):
    for data in ({}, {"csrf": "forged"}):
        response = client.post("/hours/run", data={**data, "budget_hours": "50"})
        assert response.status_code == 403 and "CSRF" in response.text
    assert Workspace(client.root).list_runs() == []
