"""The web app's batch page (issue #16): a scenario file uploaded (size-capped,
checked as ``optimise batch`` checks it, stored under a server-made name), its
scenarios run one after another in the run process, each counted as it finishes, and
the comparison table; bad files and a missing CSRF token store nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.scenario_files import MAX_SCENARIO_BYTES
from optimise.app.store import Workspace
from tests.app.client import cells, csrf_of, message_of, wait_until_ended

TWO = b"""# two estate travel limits, no ranking: a few seconds each
problem = "estate"
time_limit = 4

[base]
ranking_steps = 0

[grid]
max_travel = [25, 40]
"""


@pytest.fixture()
def client(tmp_path):
    with TestClient(create_app(tmp_path / "workspace", None)) as c:
        c.csrf = csrf_of(c.get("/batch").text)
        c.root = tmp_path / "workspace"
        yield c


def _nothing_stored(root) -> None:
    ws = Workspace(root)
    assert ws.list_runs() == [] and ws.list_uploads() == []
    assert list((root / "uploads").iterdir()) == []


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch") / "workspace"
    with TestClient(create_app(root, None)) as c:
        c.csrf = csrf_of(c.get("/batch").text)
        form = {"csrf": c.csrf, "time_limit": "120"}
        upload = {"file": ("../limits.toml", TWO)}
        response = c.post("/batch/run", data=form, files=upload, follow_redirects=False)
        assert response.status_code == 303, message_of(response.text)
        run_id = int(response.headers["location"].rsplit("/", 1)[1])
        status = wait_until_ended(c, run_id)
        assert status["status"] == "finished", status
        yield c, run_id, root


def test_batch_page_has_the_upload_form(client):
    page = client.get("/batch").text
    assert 'id="batch-file"' in page and 'enctype="multipart/form-data"' in page
    assert 'href="/batch"' in page


def test_scenario_file_is_stored_under_a_server_name(finished):
    _c, run_id, root = finished
    ws = Workspace(root)
    (upload,) = ws.list_uploads()
    assert upload["original_name"] == "limits.toml" and upload["kind"] == "scenarios"
    assert re.fullmatch(r"[0-9a-f]{32}\.toml", upload["stored_name"])
    assert (root / "uploads" / upload["stored_name"]).read_bytes() == TWO
    run = ws.run(run_id)
    assert run["kind"] == "batch" and run["settings"]["scenarios"] == 2
    assert run["step"] == 3  # each scenario as it finished, then the report


def test_batch_results_show_every_scenario_in_the_comparison(finished):
    c, run_id, root = finished
    page = c.get(f"/runs/{run_id}").text
    figures = dict(re.findall(r"<tr><th>(.*?)</th><td>(.*?)</td></tr>", page))
    assert figures["Scenarios"] == "2" and figures["Problem"] == "estate"
    header = re.findall(r"<th>(.*?)</th>", page.split('id="comparison"')[1].split("</tr>")[0])
    assert header[:3] == ["name", "max_travel", "status"]
    rows = cells(page, "comparison")
    assert [r[:2] for r in rows] == [["max_travel=25", "25"], ["max_travel=40", "40"]]
    assert all(r[2] in ("ok", "infeasible") for r in rows)
    assert (root / "runs" / str(run_id) / "results.csv").is_file()
    assert c.get(f"/runs/{run_id}/report").status_code == 200
    assert c.get(f"/runs/{run_id}/status").json()["fraction"] == 1.0


BAD = {
    "not toml": ("s.toml", b"problem = \n", "s.toml: not valid TOML"),
    "wrong suffix": ("s.txt", TWO, "expected a scenario file ending .toml, found '.txt'"),
    "binary": ("s.toml", b"\xff\xfe\x00\x01" * 10, "expected a UTF-8 text file"),
    "unknown problem": ("s.toml", b'problem = "roads"\n', "problem: expected one of"),
    "unknown key": ("s.toml", b'problem = "estate"\n[base]\nmax_travl = 3\n',
                    "unknown key 'max_travl'"),
    "a data file": ("s.toml", b'problem = "estate"\n[data]\nsites = "/etc/passwd"\n',
                    "[data] sites: the app runs scenario files on the embedded data"),
    "a profile file": ("s.toml", b'problem = "hours"\n[base]\nprofile = "/etc/passwd"\n',
                       "profile: the app takes no file names"),
    "the test problem": ("s.toml", b'problem = "none"\n', "found 'none'"),
    "too many": ("s.toml", b'problem = "estate"\n[grid]\nmax_travel = [' +
                 b", ".join(str(i).encode() for i in range(1, 202)) + b"]\n",
                 "expected at most 200 scenarios, found 201"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_file_gives_one_line_and_stores_nothing(client, case):
    name, data, expected = BAD[case]
    response = client.post("/batch/run", data={"csrf": client.csrf},
                           files={"file": (name, data)})  # fmt: skip
    assert response.status_code == 400
    message = message_of(response.text)
    assert expected in message and "\n" not in message, message
    assert "uploads/" not in message  # the name the user gave, never the stored one
    _nothing_stored(client.root)


def test_oversize_scenario_file_or_no_file_or_bad_limit(client):
    big = TWO + b"#" * MAX_SCENARIO_BYTES
    response = client.post("/batch/run", data={"csrf": client.csrf},
                           files={"file": ("big.toml", big)})  # fmt: skip
    assert response.status_code == 413 and "at most 256 KB" in message_of(response.text)
    response = client.post("/batch/run", data={"csrf": client.csrf})
    assert response.status_code == 400 and "choose a scenario file" in message_of(response.text)
    response = client.post("/batch/run", data={"csrf": client.csrf, "time_limit": "-5"},
                           files={"file": ("s.toml", TWO)})  # fmt: skip
    assert response.status_code == 400 and "Time limit for the whole batch" in message_of(
        response.text
    )
    _nothing_stored(client.root)


def test_batch_without_csrf_is_refused(client):
    for data in ({}, {"csrf": "forged"}):
        response = client.post("/batch/run", data=data, files={"file": ("s.toml", TWO)})
        assert response.status_code == 403 and "CSRF" in response.text
    _nothing_stored(client.root)
