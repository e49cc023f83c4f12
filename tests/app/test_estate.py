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
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.store import Workspace
from tests.app.client import cells, csrf_of, message_of, start, wait_until_ended


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


# --- an uploaded asset register ---------------------------------------------------------


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """The first 40 sites of the embedded register as a council's CSV: British National
    Grid columns, the id and type under the council's own names."""
    from geodata.default import load_default

    sites = load_default(2026).sites.head(40)
    table = sites.drop(columns="geometry").assign(easting=sites.geometry.x.round(1),
                                                  northing=sites.geometry.y.round(1))  # fmt: skip
    table = table.rename(columns={"id": "AssetCode", "type": "HoldingType"})
    return table.to_csv(index=False).encode()


def _upload_sites(client, data: bytes, name: str = "estate sites.csv"):
    return client.post("/estate/uploads", data={"csrf": client.csrf},
                       files={"file": (name, data)})  # fmt: skip


def _mapping(page: str) -> dict[str, str]:
    """The mapping form as posted: each field's selected column."""
    found = re.findall(r'name="(col\.sites\.\w+)"[^>]*>(.*?)</select>', page, re.S)
    out = {}
    for field, options in found:
        chosen = re.search(r"<option selected>(.*?)</option>", options)
        out[field] = html.unescape(chosen.group(1)) if chosen else ""
    return out


def test_uploaded_sites_file_is_mapped_and_run(client, register):
    response = _upload_sites(client, register)
    assert response.status_code == 200 and str(response.url).endswith("/estate?sites=1")
    page = response.text
    mapping = _mapping(page)
    assert mapping["col.sites.name"] == "name" and mapping["col.sites.easting"] == "easting"
    assert mapping["col.sites.id"] == "" and mapping["col.sites.type"] == ""  # not by name
    (upload,) = Workspace(client.root).list_uploads()
    assert upload["kind"] == "sites" and re.fullmatch(r"[0-9a-f]{32}\.csv", upload["stored_name"])
    fields = {**mapping, "col.sites.id": "AssetCode", "col.sites.type": "HoldingType"}
    run_id = start(client, "/estate/run", {"csrf": client.csrf, "sites": "1", "time_limit": "5",
                                           **fields})  # fmt: skip
    status = wait_until_ended(client, run_id)
    assert status["status"] == "finished", status
    summary = json.loads((client.root / "runs" / str(run_id) / "summary.json").read_text())
    assert summary["sites"] == 40
    settings = Workspace(client.root).run(run_id)["settings"]
    assert settings["columns"]["sites"]["id"] == "AssetCode"
    assert settings["uploads"] == {"sites": 1}


def test_uploaded_sites_file_that_fails_names_the_uploaded_file(client, register):
    _upload_sites(client, register)
    run_id = start(client, "/estate/run", {"csrf": client.csrf, "sites": "1", "time_limit": "5",
                                           "col.sites.name": "name"})  # fmt: skip
    status = wait_until_ended(client, run_id)
    assert status["status"] == "failed"
    assert "estate sites.csv" in status["error"] and "uploads" not in status["error"]


def test_bad_sites_upload_or_mapping_gives_one_line(client, register):
    response = _upload_sites(client, b"%PDF-1.4", "register.pdf")
    assert response.status_code == 400 and "register.pdf" in message_of(response.text)
    assert Workspace(client.root).list_uploads() == []
    _upload_sites(client, register)
    bad = (({"col.sites.id": "Nope"}, "field 'id': expected a column"),
           ({"sites": "7"}, "sites: expected one of the uploaded sites"),
           ({"sites": "../x"}, "sites: expected one of the uploaded"))  # fmt: skip
    for fields, expected in bad:
        response = client.post("/estate/run", data={"csrf": client.csrf, "sites": "1", **fields})
        assert response.status_code == 400
        assert expected in message_of(response.text), message_of(response.text)
    assert Workspace(client.root).list_runs() == []
    for data in ({}, {"csrf": "forged"}):
        response = client.post("/estate/uploads", data=data, files={"file": ("s.csv", register)})
        assert response.status_code == 403
    assert len(Workspace(client.root).list_uploads()) == 1
