"""``optimise serve`` (issue #16): every route of the web app through FastAPI's
TestClient: uploads (good and bad), column mapping, the check table, tokens, CSRF,
runs in their own processes (finished, failed, cancelled, interrupted by a restart),
results, the report, route sheets and the tender pack."""

from __future__ import annotations

import html
import io
import re
import time
import zipfile
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

import optimise.commands.serve  # noqa: F401  (registers the command; cli.py will import it)
from optimise.app import create_app
from optimise.app.store import Workspace
from optimise.app.uploads import MAX_UPLOAD_BYTES

if TYPE_CHECKING:
    from pathlib import Path

SCHOOLS = "id,name,phase,bell_time,lon,lat\nS1,First,primary,08:45,-1.61,55.17\n"
#: A pupil id as the engine writes them (never in a page without personal data).
PUPIL_ID = re.compile(r"\bP\d{5}\b")


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _message(page: str) -> str:
    found = re.search(r'id="message">(.*?)</p>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def _wait(client: TestClient, run_id: int, until, seconds: float = 120) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status = client.get(f"/runs/{run_id}/status").json()
        if until(status):
            return status
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} still {status} after {seconds} s")


def _ended(status: dict) -> bool:
    return status["status"] not in ("queued", "running")


def _start(client: TestClient, csrf: str, **fields: str) -> int:
    response = client.post("/transport/run", data={"csrf": csrf, **fields},
                           follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


@pytest.fixture()
def app_dir(tmp_path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture()
def client(app_dir):
    with TestClient(create_app(app_dir, None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        yield c


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A workspace with one finished run on the embedded data (3 s, morning only)."""
    root = tmp_path_factory.mktemp("served") / "workspace"
    with TestClient(create_app(root, None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        run_id = _start(c, c.csrf, time_limit="3", run="am")
        status = _wait(c, run_id, _ended)
        assert status["status"] == "finished", status
        yield c, run_id, root


def _stored(root: Path) -> tuple[list[Path], list[dict]]:
    return sorted((root / "uploads").iterdir()), Workspace(root).list_uploads()


# --- pages and assets ------------------------------------------------------------------


def test_home_and_transport_page(client):
    assert client.get("/", follow_redirects=False).headers["location"] == "/transport"
    page = client.get("/transport")
    assert page.status_code == 200
    for kind in ("pupils", "schools", "stops", "fleet"):
        assert f'id="pick-{kind}"' in page.text
    assert "embedded Northumberland data" in page.text
    assert page.headers["x-frame-options"] == "SAMEORIGIN"


def test_assets_are_the_apps_own(client):
    for path in ("/static/app.js", "/static/app.css"):
        assert client.get(path).status_code == 200
    page = client.get("/transport").text
    assert not re.search(r'(src|href)="(https?:)?//', page)  # nothing from the internet


def test_runs_page_empty_and_unknown_run(client):
    assert "No runs yet" in client.get("/runs").text
    assert client.get("/runs/999").status_code == 404
    assert client.get("/runs/999/status").status_code == 404
    assert client.get("/runs/abc").status_code == 422


# --- uploads ---------------------------------------------------------------------------


def test_upload_is_stored_under_a_server_name_and_mapped_by_name(client, app_dir):
    body = "ID,Name,Phase,Bell Time,lon,lat\nS1,First,primary,08:45,-1.61,55.17\n"
    response = client.post("/uploads", data={"csrf": client.csrf, "kind": "schools"},
                           files={"file": ("../../etc/schools.csv", body.encode())})  # fmt: skip
    assert response.status_code == 200 and "schools=1" in str(response.url)
    files, rows = _stored(app_dir)
    assert [r["original_name"] for r in rows] == ["schools.csv"]
    assert [f.name for f in files] == [rows[0]["stored_name"]]
    assert re.fullmatch(r"[0-9a-f]{32}\.csv", files[0].name)
    assert files[0].read_text(encoding="utf-8") == body
    page = response.text
    assert re.search(
        r'id="col-schools-bell_time">.*?<option selected>Bell Time</option>', page, re.S
    )
    assert re.search(r'id="col-schools-id">.*?<option selected>ID</option>', page, re.S)
    # chosen again through the GET form
    again = client.get("/transport", params={"schools": "1"}).text
    assert "schools: schools.csv" in again


BAD = {
    "wrong type": ("schools.pdf", b"%PDF-1.4 not a table", "expected a file ending .csv, .xlsx"),
    "binary": ("schools.csv", b"PK\x03\x04\x00\x00\x01\x02" * 50, "expected a text CSV file"),
    "no header": ("schools.csv", b"\n\n", "expected a header row"),
    "empty": ("schools.csv", b"", "found an empty file"),
    "malformed": ("schools.csv", b'id,name\nS1,"unterminated\n', "expected a CSV table"),
    "one column": ("schools.csv", b"just some words\nmore words\n", "header row of named"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_upload_gives_a_message_and_stores_nothing(client, app_dir, case):
    name, data, expected = BAD[case]
    response = client.post("/uploads", data={"csrf": client.csrf, "kind": "schools"},
                           files={"file": (name, data)})  # fmt: skip
    assert response.status_code == 400
    assert expected in _message(response.text) and name in _message(response.text)
    assert _stored(app_dir) == ([], [])


@pytest.mark.parametrize("over", [1, 200_000])  # just over; over the form's room too
def test_oversize_upload_is_refused_while_read(client, app_dir, over):
    data = b"id,name\n" + b"S1,x\n" * ((MAX_UPLOAD_BYTES + over) // 5)
    response = client.post("/uploads", data={"csrf": client.csrf, "kind": "schools"},
                           files={"file": ("big.csv", data)})  # fmt: skip
    assert response.status_code == 413
    assert "at most 20 MB" in _message(response.text)
    assert _stored(app_dir) == ([], [])


def test_upload_of_an_unknown_kind_or_no_file(client, app_dir):
    response = client.post("/uploads", data={"csrf": client.csrf, "kind": "../x"},
                           files={"file": ("s.csv", SCHOOLS.encode())})  # fmt: skip
    assert response.status_code == 400 and "kind: expected one of" in _message(response.text)
    response = client.post("/uploads", data={"csrf": client.csrf, "kind": "schools"})
    assert response.status_code == 400 and "choose a CSV file" in _message(response.text)
    assert _stored(app_dir) == ([], [])


# --- check -----------------------------------------------------------------------------


def _upload(client, kind: str, name: str, body: str) -> str:
    response = client.post("/uploads", data={"csrf": client.csrf, "kind": kind},
                           files={"file": (name, body.encode())})  # fmt: skip
    assert response.status_code == 200, _message(response.text)
    return re.search(rf"{kind}=(\d+)", str(response.url)).group(1)


def test_check_lists_every_problem_by_the_uploaded_name(client):
    body = SCHOOLS + "S2,Second,primary,8.45am,-1.6,55.1\nS3,Third,college,08:50,-1.6,55.1\n"
    upload_id = _upload(client, "schools", "council schools.csv", body)
    form = {"csrf": client.csrf, "schools": upload_id, "col.schools.id": "id",
            "col.schools.phase": "phase", "col.schools.bell_time": "bell_time"}  # fmt: skip
    page = client.post("/transport/check", data=form).text
    rows = re.findall(r"<tr><td>(council schools\.csv)</td><td>(\d*)</td><td>(\w*)</td>", page)
    assert sorted(rows) == [("council schools.csv", "3", "bell_time"),
                            ("council schools.csv", "4", "phase")]  # fmt: skip
    assert "uploads" not in page.split('id="problems"')[1].split("</section>")[0]


def test_check_of_a_clean_file_and_of_a_column_the_file_lacks(client):
    upload_id = _upload(client, "schools", "schools.csv", SCHOOLS)
    form = {"csrf": client.csrf, "schools": upload_id, "col.schools.id": "id"}
    assert 'id="no-problems">No problems found in 1 file.' in client.post(
        "/transport/check", data=form).text  # fmt: skip
    form["col.schools.id"] = "URN"
    response = client.post("/transport/check", data=form)
    assert response.status_code == 400
    assert "schools.csv: field 'id': expected a column of the file" in _message(response.text)


def test_a_file_id_that_is_not_an_upload_of_that_kind(client):
    upload_id = _upload(client, "schools", "schools.csv", SCHOOLS)
    for value in ("999", "../../x", upload_id):
        response = client.get("/transport", params={"pupils": value})
        assert response.status_code == 400
        assert "pupils: expected one of the uploaded pupils files" in _message(response.text)


# --- CSRF and tokens --------------------------------------------------------------------


@pytest.mark.parametrize("csrf", [None, "wrong"])
def test_posts_without_the_csrf_token_are_refused(client, app_dir, csrf):
    form = {} if csrf is None else {"csrf": csrf}
    upload = client.post("/uploads", data={**form, "kind": "schools"},
                         files={"file": ("s.csv", SCHOOLS.encode())})  # fmt: skip
    assert upload.status_code == 403
    assert client.post("/transport/check", data=form).status_code == 403
    assert client.post("/transport/run", data={**form, "time_limit": "2"}).status_code == 403
    assert client.post("/runs/1/cancel", data=form).status_code == 403
    assert _stored(app_dir) == ([], []) and Workspace(app_dir).list_runs() == []


def test_token_on_every_request(tmp_path):
    token = "a-long-enough-secret-token"
    with TestClient(create_app(tmp_path / "ws", token)) as c:
        assert c.get("/transport").status_code == 401
        assert c.get("/static/app.js").status_code == 401
        assert c.get("/runs/1/status").status_code == 401
        assert c.get("/transport", params={"token": "wrong"}).status_code == 403
        assert c.get("/transport", headers={"X-Optimise-Token": "wrong"}).status_code == 403
        first = c.get("/transport", params={"token": token})
        assert first.status_code == 200 and "optimise_token" in first.headers["set-cookie"]
        assert c.get("/runs").status_code == 200  # the cookie now
        c.cookies.clear()
        assert c.get("/runs").status_code == 401
        assert c.get("/runs", headers={"X-Optimise-Token": token}).status_code == 200


# --- runs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("time_limit", "abc", "Time limit (seconds): expected a number"),
     ("time_limit", "0", "Time limit (seconds): expected a number from 1"),
     ("seed", "1.5", "Seed: expected a whole number"),
     ("run", "evening", "Run: expected one of both, am, pm"),
     ("max_ride_primary_min", "nan", "Ride limit, primary pupils: expected a number")],
)  # fmt: skip
def test_bad_policy_is_one_line_and_no_run(client, app_dir, field, value, expected):
    response = client.post("/transport/run", data={"csrf": client.csrf, field: value})
    assert response.status_code == 400
    assert _message(response.text).startswith(expected)
    assert Workspace(app_dir).list_runs() == []


def test_finished_run_shows_its_figures_and_report(finished):
    c, run_id, root = finished
    status = c.get(f"/runs/{run_id}/status").json()
    assert status["status"] == "finished" and status["fraction"] == 1.0
    summary = Workspace(root).run(run_id)["summary"]
    assert summary["pupils_total"] == 3000 and summary["run"] == "am"
    page = c.get(f"/runs/{run_id}").text
    assert f"{summary['pupils_served']:,} of 3,000" in page
    assert f"<th>Vehicles</th><td>{summary['vehicles']}</td>" in page
    assert f'<iframe id="report" src="/runs/{run_id}/report"' in page
    report = c.get(f"/runs/{run_id}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "leaflet" in report.text.lower()
    for text in (page, report.text):
        assert not PUPIL_ID.search(text)  # personal data is off
    assert (root / "runs" / str(run_id) / "routes.csv").is_file()  # the CLI's run folder
    assert f'<a href="/runs/{run_id}">{run_id}</a>' in c.get("/runs").text


def test_route_sheets_and_tender_pack(finished):
    c, run_id, root = finished
    routes = (root / "runs" / str(run_id) / "routes.csv").read_text(encoding="utf-8")
    names = sorted({line.split(",")[1] for line in routes.splitlines()[1:]})
    page = c.get(f"/runs/{run_id}").text
    assert len(re.findall(rf'href="/runs/{run_id}/sheets/am/R\d+"', page)) == len(names)
    sheet = c.get(f"/runs/{run_id}/sheets/am/{names[0]}")
    assert sheet.status_code == 200 and f"Route {names[0]}: morning" in sheet.text
    assert "home pick-up" in sheet.text and not PUPIL_ID.search(sheet.text)
    assert c.get(f"/runs/{run_id}/sheets/am/R9999999").status_code == 404
    assert c.get(f"/runs/{run_id}/sheets/pm/{names[0]}").status_code == 404
    pack = c.get(f"/runs/{run_id}/tender-pack.zip")
    assert pack.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(pack.content)) as z:
        listed = z.namelist()
        assert z.read("routes.csv").decode("utf-8") == routes
    assert sorted(listed) == sorted(["routes.csv", *(f"sheets/am-{n}.html" for n in names)])


def test_a_run_that_is_not_finished_has_no_results(client, app_dir):
    run_id = Workspace(app_dir).add_run("transport routes", {"run": "am"})
    for path in ("report", "tender-pack.zip", "sheets/am/R0001"):
        assert client.get(f"/runs/{run_id}/{path}").status_code == 409
    assert 'id="bar"' in client.get(f"/runs/{run_id}").text


def test_run_on_a_bad_file_fails_with_one_line_naming_it(client, app_dir):
    body = "id,school_id,age,lon,lat\nP1,NO-SUCH-SCHOOL,9,-1.6,55.1\n"
    upload_id = _upload(client, "pupils", "term pupils.csv", body)
    run_id = _start(client, client.csrf, pupils=upload_id, time_limit="2", run="am",
                    **{"col.pupils.id": "id", "col.pupils.school_id": "school_id",
                       "col.pupils.age": "age"})  # fmt: skip
    status = _wait(client, run_id, _ended)
    assert status["status"] == "failed"
    assert status["error"].startswith("term pupils.csv") and "NO-SUCH-SCHOOL" in status["error"]
    assert "\n" not in status["error"] and "internal error" not in status["error"]
    assert status["error"] in html.unescape(client.get(f"/runs/{run_id}").text)


def test_cancelled_run_ends_cancelled_with_no_outputs(client, app_dir):
    run_id = _start(client, client.csrf, time_limit="120", run="am")
    _wait(client, run_id, lambda s: s["progress"].startswith("planning routes") or _ended(s))
    response = client.post(f"/runs/{run_id}/cancel", data={"csrf": client.csrf})
    assert response.status_code == 200 and 'id="ended"' in response.text
    assert client.get(f"/runs/{run_id}/status").json()["status"] == "cancelled"
    assert not (app_dir / "runs" / str(run_id)).exists()
    time.sleep(1)  # the queue thread has seen the process end: the status stays
    assert client.get(f"/runs/{run_id}/status").json()["status"] == "cancelled"
    assert client.post(f"/runs/{run_id}/cancel", data={"csrf": client.csrf}).status_code == 200


def test_restart_marks_unfinished_runs_interrupted_and_keeps_the_rest(finished, tmp_path):
    _c, run_id, root = finished
    ws = Workspace(root)
    running = ws.add_run("transport routes", {"run": "am"})
    assert ws.start(running)
    queued = ws.add_run("transport routes", {"run": "am"})
    with TestClient(create_app(root, None)) as again:
        states = {i: again.get(f"/runs/{i}/status").json()["status"] for i in (running, queued)}
        assert states == {running: "interrupted", queued: "interrupted"}
        assert again.get(f"/runs/{run_id}/status").json()["status"] == "finished"
        assert "the app stopped before the run ended" in again.get(f"/runs/{running}").text


def test_serve_command_is_registered_and_refuses_a_short_token():
    from cli import main

    assert main(["serve", "--token", "short", "--port", "8765"]) == 2
