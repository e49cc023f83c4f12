"""The web app's estate page (issue #16): ``optimise estate``'s controls checked as
the command checks them, a run on the embedded data in its own process, its figures,
ranked disposals (who loses access) and report; bad values and a missing CSRF token
store nothing."""

from __future__ import annotations

import csv
import html
import json
import re

import pytest
from app_client import cells, csrf_of, message_of, start, wait_until_ended
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.store import Workspace


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(tmp_path / "workspace", None)) as c:
        c.csrf = csrf_of(c.get("/estate").text)
        c.root = tmp_path / "workspace"
        yield c


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A workspace with one finished estate run (5 s, a 20% office cut, 25 minutes)."""
    root = tmp_path_factory.mktemp("estate") / "workspace"
    with TestClient(create_app(root, None)) as c:
        c.csrf = csrf_of(c.get("/estate").text)
        fields = {"csrf": c.csrf, "max_travel": "25", "office_reduction": "0.2",
                  "receipt_target": "0.05", "time_limit": "5", "seed": "7"}  # fmt: skip
        run_id = start(c, "/estate/run", fields)
        status = wait_until_ended(c, run_id)
        assert status["status"] == "finished", status
        yield c, run_id, root


def test_estate_page_has_the_commands_controls_and_the_navigation(client):
    page = client.get("/estate")
    assert page.status_code == 200
    for name in ("max_travel", "receipt_target", "office_reduction", "receipt_share",
                 "disposal_cost", "max_disposals", "pareto", "pareto_measure",
                 "time_limit", "seed"):  # fmt: skip
        assert f'id="{name}"' in page.text, name
    for link in ("/transport", "/estate", "/hours", "/compare", "/runs"):
        assert f'href="{link}"' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_estate_run_passes_the_controls_to_the_engine(finished):
    _c, run_id, root = finished
    run = Workspace(root).run(run_id)
    assert run["kind"] == "estate"
    assert run["settings"]["params"] == {
        "max_travel_minutes": 25.0,
        "office_reduction": 0.2,
        "receipt_target": 0.05,
        "pareto_measure": "limit",
    }
    summary = json.loads((root / "runs" / str(run_id) / "summary.json").read_text())
    assert summary["travel_limit_minutes"] == 25.0 and summary["office_reduction"] == 0.2
    assert summary["seed"] == 7 and summary["receipt_target"] == 0.05


def test_estate_results_show_figures_disposals_and_the_report(finished):
    c, run_id, root = finished
    folder = root / "runs" / str(run_id)
    summary = json.loads((folder / "summary.json").read_text())
    page = c.get(f"/runs/{run_id}").text
    figures = dict(_figures(page))
    assert figures["Sites kept"] == f"{summary['sites_kept']} of {summary['sites']}"
    assert figures["Sites to dispose of"] == str(summary["sites_disposed"])
    assert figures["Capital receipts"].startswith(f"£{summary['capital_receipts_gbp']:,}")
    assert figures["Running saving a year"] == f"£{summary['annual_saving_gbp']:,}"
    with (folder / "disposals.csv").open(newline="") as f:
        ranked = list(csv.DictReader(f))
    assert ranked, "the run ranked no disposal"
    rows = cells(page, "disposals")
    assert len(rows) == min(len(ranked), 50)
    first = ranked[0]
    assert rows[0][0] == first["rank"] and first["site_id"] in rows[0][1]
    people = [f"{int(first[k]):,}" for k in ("population_affected", "over65_affected")]
    assert rows[0][5:9] == [first["zones_affected"], *people, first["max_extra_minutes"]]
    assert 'id="report" src="/runs/%d/report"' % run_id in page
    report = c.get(f"/runs/{run_id}/report")
    assert report.status_code == 200 and "leaflet" in report.text
    assert c.get(f"/runs/{run_id}/status").json()["fraction"] == 1.0
    assert 'href="/estate">Back to the estate page' in page


def _figures(page: str) -> list[tuple[str, str]]:
    body = re.search(r'id="estate-figures">(.*?)</table>', page, re.S).group(1)
    return [(html.unescape(a), html.unescape(b))
            for a, b in re.findall(r"<th>(.*?)</th><td>(.*?)</td>", body)]  # fmt: skip


def test_estate_runs_are_listed_on_the_estate_and_runs_pages(finished):
    c, run_id, _root = finished
    for path in ("/estate", "/runs"):
        assert f'<a href="/runs/{run_id}">{run_id}</a></td><td>estate</td>' in c.get(path).text


BAD = {
    "office reduction of 1 or more": ({"office_reduction": "1.5"},
                                      "office_reduction must lie in [0, 1); found 1.5"),
    "travel limit not a number": ({"max_travel": "thirty"},
                                  "Travel limit (every zone to each service): expected a number"),
    "zero travel limit": ({"max_travel": "0"}, "max_travel_minutes must be positive"),
    "receipt share above 1": ({"receipt_share": "2"}, "receipt_share must lie in [0, 1]"),
    "too many Pareto points": ({"pareto": "5000"}, "Pareto front points: expected a number"),
    "fractional cap": ({"max_disposals": "2.5"}, "expected a whole number"),
    "unknown measure": ({"pareto_measure": "votes"}, "expected one of limit, population"),
    "negative cost": ({"disposal_cost": "-1"}, "Relocation cost per disposed site"),
    "infinite time": ({"time_limit": "inf"}, "Time limit (seconds): expected a number"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_estate_values_give_one_line_and_store_nothing(client, case):
    fields, expected = BAD[case]
    response = client.post("/estate/run", data={"csrf": client.csrf, **fields})
    assert response.status_code == 400
    message = message_of(response.text)
    assert expected in message and "\n" not in message
    for name, value in fields.items():  # the page keeps what was typed
        assert f'value="{value}"' in response.text or name == "pareto_measure"
    assert Workspace(client.root).list_runs() == []
    assert not any((client.root / "runs").iterdir())


def test_estate_run_without_csrf_is_refused(client):
    for data in ({}, {"csrf": "forged"}):
        response = client.post("/estate/run", data={**data, "max_travel": "20"})
        assert response.status_code == 403 and "CSRF" in response.text
    assert Workspace(client.root).list_runs() == []
