"""The web app's plan comparison (issue #16): two finished transport runs picked by
their ids, side by side (cost, vehicles, pupils carried) with the number of pupils
whose morning route changes, counted from the runs' personal files; no pupil id
reaches the page. The runs here are written into the workspace as a run process
writes them (their figures and files chosen so the answer is known)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.compare import changes, riders
from optimise.app.store import Workspace
from tests.app.client import cells, csrf_of, message_of

ROUTES = (
    "run,route,vehicle,vehicle_type,vehicle_name,sequence,kind,id,pupils_boarding,"
    "pupils_alighting,arrive,depart,load,route_daily_cost_gbp,route_miles,assistant\n"
)
UNSERVED = "run,pupil,school,reason,best_ride_minutes,limit_minutes\n"


def _routes(rides: dict[str, list[str]], pm: dict[str, list[str]] | None = None) -> str:
    """routes-personal.csv: each route's home pick-ups (one pupil or two a stop)."""
    out = [ROUTES]
    for run, table in (("am", rides), ("pm", pm or {})):
        for route, pupils in table.items():
            out.append(f"{run},{route},{route},V1,minibus,0,base,4,0,0,,07:50:00,0,300.0,5.0,\n")
            for i, stop in enumerate(pupils, 1):
                n = len(stop.split(";"))
                out.append(f"{run},{route},{route},V1,minibus,{i},home,{stop},{n},0,"
                           f"08:0{i}:00,08:0{i}:30,{i},,,\n")  # fmt: skip
    return "".join(out)


def _finished_run(ws: Workspace, summary: dict, files: dict[str, str], **settings):
    settings = {"command": "routes", "time_limit": 3, "run": "am", **settings}
    run_id = ws.add_run("transport routes", settings)
    folder = ws.run_dir(run_id)
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert ws.start(run_id) and ws.finish(run_id, summary)
    return run_id


A_SUMMARY = {"annual_cost_gbp": 190000, "daily_cost_gbp": 1000, "vehicles": 3, "routes": 3,
             "pupils_served": 6, "pupils_unserved": 1, "pupils_total": 7}  # fmt: skip
B_SUMMARY = {"annual_cost_gbp": 152000, "daily_cost_gbp": 800, "vehicles": 2, "routes": 2,
             "pupils_served": 7, "pupils_unserved": 0, "pupils_total": 7}  # fmt: skip


@pytest.fixture()
def client(tmp_path):
    root = tmp_path / "workspace"
    with TestClient(create_app(root, None)) as c:
        c.ws = Workspace(root)
        yield c


@pytest.fixture()
def two_runs(client):
    """Run A: R1 carries P00001, P00002 (same stop) and P00003; R2 P00004 and P00005;
    R3 P00006; P00007 not carried. Run B renames R1 to X9 and keeps its pupils but for
    P00003, who moves to X8 with P00004, P00005 and P00006 (X8 is R2's match: two
    shared), and carries P00007 on X8: 3 of 7 pupils change (P00003, P00006 and
    P00007)."""
    a = _finished_run(client.ws, A_SUMMARY, {
        "routes-personal.csv": _routes({"R1": ["P00001;P00002", "P00003"],
                                        "R2": ["P00004", "P00005"], "R3": ["P00006"]},
                                       pm={"R1": ["P00004"]}),
        "unserved-personal.csv": UNSERVED + "am,P00007,S1,no vehicle,50,45\n",
        "routes.csv": ROUTES})  # fmt: skip
    b = _finished_run(client.ws, B_SUMMARY, {
        "routes-personal.csv": _routes({"X9": ["P00001;P00002"],
                                        "X8": ["P00003", "P00004", "P00005", "P00006",
                                               "P00007"]}),
        "unserved-personal.csv": UNSERVED, "routes.csv": ROUTES})  # fmt: skip
    return a, b


def test_riders_and_changes_match_routes_by_shared_pupils(client, two_runs):
    a, b = (riders(client.ws.run_dir(r)) for r in two_runs)
    assert a["P00002"] == ("home", "R1") and a["P00007"] == ("home", None)
    assert "P00004" in a and a["P00004"] == ("home", "R2")  # the afternoon is not read
    found = changes(a, b)
    assert (found.changed, found.both, found.only_a, found.only_b) == (3, 7, 0, 0)


def test_changes_count_pick_up_points_and_pupils_in_one_plan_only():
    a = {"P1": ("S1", "R1"), "P2": ("S1", "R1"), "P3": ("home", "R2"), "P4": ("S2", None)}
    b = {"P1": ("S1", "Z"), "P2": ("S2", "Z"), "P3": ("home", "Z"), "P5": ("S1", "Z")}
    found = changes(a, b)  # Z is R1's match: P2 changed stop, P3 vehicle; P4 only in A
    assert (found.changed, found.both, found.only_a, found.only_b) == (2, 3, 1, 1)
    assert changes(a, a).changed == 0


def test_compare_page_shows_figures_and_pupils_whose_route_changes(client, two_runs):
    a, b = two_runs
    page = client.get("/compare", params={"a": a, "b": b})
    assert page.status_code == 200
    rows = {r[0]: r[1:] for r in _figure_rows(page.text)}
    assert rows["Annual cost (morning)"] == ["£190,000", "£152,000", "−£38,000"]
    assert rows["Vehicles (morning)"] == ["3", "2", "−1"]
    assert rows["Pupils carried"] == ["6", "7", "+1"]
    changed = re.search(r'id="changed"><strong>(\d+)</strong> of the (\d+) pupils', page.text)
    assert changed.groups() == ("3", "7")
    assert not re.search(r"P\d{5}", page.text)  # counts only, never a pupil


def _figure_rows(page: str) -> list[list[str]]:
    body = re.search(r'id="compare-figures">(.*?)</table>', page, re.S).group(1)
    return [[re.sub(r"<.*?>", "", c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", body)][1:]  # fmt: skip


def test_compare_without_personal_files_says_it_needs_personal_data(client, two_runs):
    a, _b = two_runs
    c = _finished_run(client.ws, B_SUMMARY, {"routes.csv": ROUTES})
    page = client.get("/compare", params={"a": a, "b": c}).text
    assert 'id="changed-unknown"' in page and f"run {c} kept no record" in page
    assert "needs personal data" in page
    assert cells(page, "compare-figures")


def test_compare_form_lists_finished_transport_runs_only(client, two_runs):
    a, b = two_runs
    estate = client.ws.add_run("estate", {"engine": "estate", "time_limit": 5})
    page = client.get("/compare").text
    options = re.findall(
        r'<option value="(\d+)"', page.split('id="pick-a"')[1].split("</select>")[0]
    )
    assert options == [str(b), str(a)]
    assert 'id="comparison"' not in page and f'value="{estate}"' not in page


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("../../etc/passwd", "1", "Plan A: expected the number of a run in this workspace"),
    ("1", "999", "Plan B: expected the number of a run in this workspace, found '999'"),
    ("1", "", "Plan B: expected the number of a run"),
    ("1", "3", "Plan B: expected a finished transport run, found run 3 (estate, queued)"),
])  # fmt: skip
def test_compare_of_bad_or_unknown_runs_is_one_line(client, two_runs, a, b, expected):
    client.ws.add_run("estate", {"engine": "estate", "time_limit": 5})  # run 3, queued
    page = client.get("/compare", params={"a": a, "b": b})
    assert page.status_code == 400
    assert expected in message_of(page.text) and 'id="comparison"' not in page.text


def test_compare_with_no_finished_run(client):
    page = client.get("/compare")
    assert page.status_code == 200 and 'id="no-runs"' in page.text
    assert csrf_of(client.get("/transport").text)  # the app is otherwise as usual


# --- a copy of a plan as a what-if ------------------------------------------------------

SCHOOLS = "ID,Name,Phase,Bell Time,lon,lat\nS1,First,primary,08:45,-1.61,55.17\n"


def _uploaded_schools(client) -> int:
    csrf = csrf_of(client.get("/transport").text)
    response = client.post("/uploads", data={"csrf": csrf, "kind": "schools"},
                           files={"file": ("council schools.csv", SCHOOLS.encode())})  # fmt: skip
    assert response.status_code == 200, message_of(response.text)
    return int(re.search(r"schools=(\d+)", str(response.url)).group(1))


def test_copy_opens_the_transport_page_as_the_run_was_started(client):
    upload = _uploaded_schools(client)
    path = str(client.ws.upload_path(client.ws.upload(upload)))
    settings = {"command": "plan", "time_limit": 7.0, "seed": 11, "run": "am",
                "table": {"max_ride_primary_min": 50.0}, "current_plan": None,
                "files": {"pupils": None, "schools": path, "stops": None, "fleet": None},
                "uploads": {"schools": upload},
                "columns": {"schools": {"id": "ID", "name": "Name", "phase": "Phase",
                                        "bell_time": "Bell Time"}}}  # fmt: skip
    run_id = client.ws.add_run("transport plan", settings)
    page = client.get("/transport", params={"copy": run_id})
    assert page.status_code == 200, message_of(page.text)
    text = page.text
    assert re.search(rf'id="pick-schools">.*?<option value="{upload}" selected>', text, re.S)
    assert re.search(r'id="col-schools-name">.*?<option selected>Name</option>', text, re.S)
    assert re.search(r'id="command">.*?<option value="plan" selected>', text, re.S)
    for name, value in (("time_limit", "7"), ("seed", "11"), ("max_ride_primary_min", "50")):
        assert f'name="{name}" id="{name}" value="{value}"' in text, name
    assert text.count(f'name="copy_of" value="{run_id}"') == 3  # files, upload and run forms
    assert 'id="whatif"' in text and f'a copy of <a href="/runs/{run_id}">' in text


@pytest.mark.parametrize("value", ["999", "../1", "estate"])
def test_copy_of_an_unknown_or_other_run_is_one_line(client, two_runs, value):
    estate = client.ws.add_run("estate", {"engine": "estate", "time_limit": 5})
    value = str(estate) if value == "estate" else value
    page = client.get("/transport", params={"copy": value})
    assert page.status_code == 400
    assert "What-if: expected the number of a transport run to copy" in message_of(page.text)
    csrf = csrf_of(page.text)
    before = client.ws.list_runs()
    response = client.post("/transport/run", data={"csrf": csrf, "copy_of": value})
    assert response.status_code == 400 and "What-if" in message_of(response.text)
    assert client.ws.list_runs() == before


def test_an_empty_copy_opens_the_page_as_new(client):
    # ?copy= with no run number (original() returns None) once raised a TypeError: a 500
    page = client.get("/transport", params={"copy": " "})
    assert page.status_code == 200 and 'id="whatif"' not in page.text


def test_a_run_started_from_a_copy_records_it_and_links_the_comparison(client, two_runs):
    a, _b = two_runs
    csrf = csrf_of(client.get("/transport", params={"copy": a}).text)
    response = client.post("/transport/run", data={"csrf": csrf, "copy_of": str(a),
                                                   "time_limit": "3", "run": "am"},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, message_of(response.text)
    started = int(response.headers["location"].rsplit("/", 1)[1])
    assert client.post(f"/runs/{started}/cancel", data={"csrf": csrf}).status_code == 200
    assert client.ws.run(started)["settings"]["copy_of"] == a
    # a finished copy (written as a run process writes one) links the comparison
    copy = _finished_run(client.ws, B_SUMMARY, {"routes.csv": ROUTES}, copy_of=a)
    page = client.get(f"/runs/{copy}").text
    assert f'href="/compare?a={a}&amp;b={copy}" id="compare-original"' in page
    assert f'href="/transport?copy={copy}" id="copy"' in page
