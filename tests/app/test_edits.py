"""``optimise serve`` (issue #16): the plan editor of a finished transport run. Lock
routes, move a pupil, close a stop: each edit re-checked at once with its cost, stored
only when it can be made; 'Re-plan around my changes' runs as a job whose run keeps the
locked routes and links its parent. One pick-up point plan (``transport plan``: it
always records who rides which route) on the embedded data, with personal data on;
the same workspace opened with personal data off; and the edits table's migration."""

from __future__ import annotations

import csv
import re
import sqlite3
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.edit_plan import NEEDS, load, replay
from optimise.app.pages_edit import NO_NAMES, NO_NAMES_STOP
from optimise.app.store import Workspace
from tests.app.test_api import _csrf, _ended, _message, _start, _wait

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A workspace (personal data on) with a finished plan run (morning, 30 s)."""
    root = tmp_path_factory.mktemp("edits") / "ws"
    with TestClient(create_app(root, None, personal=True)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        run_id = _start(c, c.csrf, command="plan", time_limit="30", run="am")
        assert _wait(c, run_id, _ended, 300)["status"] == "finished"
        yield c, run_id, root


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _plan(root: Path, run_id: int):
    ws = Workspace(root)
    run = ws.run(run_id)
    return load(ws.run_dir(run_id), run["settings"])


def _fresh(c, run_id) -> None:
    """Every edit of the run undone (each test starts from the run's plan)."""
    assert c.post(f"/runs/{run_id}/edit/reset", data={"csrf": c.csrf}).status_code == 200


def _post(c, run_id, what, **fields):
    return c.post(f"/runs/{run_id}/edit/{what}", data={"csrf": c.csrf, **fields},
                  follow_redirects=False)  # fmt: skip


def test_the_editor_shows_routes_cost_and_the_check(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    assert 'id="edit"' in c.get(f"/runs/{run_id}").text  # the results page links it
    page = c.get(f"/runs/{run_id}/edit").text
    plan = _plan(root, run_id).plan
    assert f"{len(plan.routes)} routes" in page
    assert 'id="edit-routes"' in page and 'id="move-form"' in page and 'id="close-form"' in page
    assert plan.routes[0].items[0] in page  # personal data on: pupils are named
    # the planner's own plan breaks no rule; a vehicle it hired on the spot (beyond the
    # fleet file's count) shows as its fleet row over-used
    found = re.findall(r"<li>(.*?)</li>", page[page.find('id="violations"') :].split("</ul>")[0])
    assert all(re.fullmatch(r"vehicle type \S+: \d+ vehicles, \d+ available", v) for v in found)
    assert bool(found) != ('id="no-violations"' in page)


def test_a_good_move_is_stored_and_rechecked(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    loaded = _plan(root, run_id)
    school = dict(zip(loaded.problem.pupil_ids, loaded.problem.pupil_school, strict=True))
    a, b = next((a, b) for a in loaded.plan.routes for b in loaded.plan.routes
                if a.id != b.id and len(a.items) > 1
                and {school[p] for p in a.items} == {school[p] for p in b.items})  # fmt: skip
    response = _post(c, run_id, "move", pupil=a.items[0], route=b.id)
    assert response.status_code == 303, _message(response.text)
    assert Workspace(root).edits(run_id) == [{"action": "move", "target": a.items[0],
                                              "value": b.id}]  # fmt: skip
    page = c.get(f"/runs/{run_id}/edit").text
    assert "<th>Edits</th><td>1" in page
    log = Workspace(root).edit_log(run_id)[0]
    row = f"<td>moved pupil {a.items[0]} to route {b.id}</td><td>£{log['annual_gbp']:,.0f}</td>"
    assert row in page and log["broken"] >= 0


def test_a_move_breaking_a_rule_shows_the_violation(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    loaded = _plan(root, run_id)
    seats = {v.id: v.seats for v in loaded.problem.vehicles}
    wheel = dict(zip(loaded.problem.pupil_ids, loaded.problem.pupil_wheelchair, strict=True))
    full = next(r for r in loaded.plan.routes
                if sum(not wheel[p] for p in r.items) == seats[r.vehicle_type])  # fmt: skip
    pupil = next(p for r in loaded.plan.routes if r.id != full.id for p in r.items
                 if not wheel[p])  # fmt: skip
    response = _post(c, run_id, "move", pupil=pupil, route=full.id)
    assert response.status_code == 303
    page = c.get(f"/runs/{run_id}/edit").text
    n = seats[full.vehicle_type]
    assert f"route {full.id}: {n + 1} seated pupils on {n} seats" in page


def _walker(loaded):
    """A pupil picked up at a stop (not SEND, not solo), a different open, safe stop
    within their walking limit, and the stop farthest from them."""
    from optimise.transport.stops.reach import walk_limits

    problem, limits = loaded.problem, walk_limits(loaded.problem)
    riding = {p for r in loaded.plan.routes for p in r.items}
    for p, pid in enumerate(problem.pupil_ids):
        at = int(problem.pupil_stop[p])
        if at < 0 or pid not in riding or problem.pupil_sen[p] or problem.pupil_solo[p]:
            continue
        metres = problem.walk.metres[p]
        near = [s for s in range(len(problem.stop_ids)) if s != at
                and not problem.stop_unsafe[s] and metres[s] <= limits[p]]  # fmt: skip
        if near:
            far = int(metres.argmax())
            return (pid, problem.stop_ids[near[0]], problem.stop_ids[far], metres[far],
                    limits[p])  # fmt: skip
    raise AssertionError("no pupil with another stop in reach")


def test_a_move_to_another_stop_is_stored_rechecked_and_refused_beyond_the_walk(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    loaded = _plan(root, run_id)
    pupil, stop, far, metres, limit = _walker(loaded)
    response = _post(c, run_id, "stop", pupil=pupil, stop=far)
    assert response.status_code == 400
    assert _message(response.text) == (f"pupil {pupil} would walk {metres:,.0f} m to stop "
                                       f"{far}; their walking limit is {limit:,.0f} m")  # fmt: skip
    send = next(pid for pid, sen in zip(loaded.problem.pupil_ids, loaded.problem.pupil_sen,
                                         strict=True) if sen)  # fmt: skip
    response = _post(c, run_id, "stop", pupil=send, stop=stop)
    assert response.status_code == 400 and "is collected from home" in _message(response.text)
    assert Workspace(root).edits(run_id) == []
    page = c.get(f"/runs/{run_id}/edit").text
    assert 'id="stop-form"' in page and f'<option value="{stop}">' in page
    response = _post(c, run_id, "stop", pupil=pupil, stop=stop)
    assert response.status_code == 303, _message(response.text)
    assert Workspace(root).edits(run_id) == [{"action": "stop", "target": pupil, "value": stop}]
    page = c.get(f"/runs/{run_id}/edit").text
    log = Workspace(root).edit_log(run_id)[0]
    row = (f"<td>moved pupil {pupil} to stop {stop}</td><td>£{log['annual_gbp']:,.0f}</td>"
           f"<td>{log['broken']}</td>")  # fmt: skip
    assert row in page and "<th>Edits</th><td>1" in page
    assert ('id="violations"' in page) == (log["broken"] > 0) != ('id="no-violations"' in page)
    plan = replay(loaded.problem, loaded.plan, Workspace(root).edits(run_id))
    assert dict(plan.pickups)[pupil] == stop
    with TestClient(create_app(root, None)) as off:  # personal data off: no pupil named
        off.csrf = _csrf(off.get("/transport").text)
        page = off.get(f"/runs/{run_id}/edit").text
        assert f"<td>moved a pupil to stop {stop}</td>" in page and 'id="stop-form"' not in page
        response = _post(off, run_id, "stop", pupil=pupil, stop=stop)
        assert response.status_code == 400 and _message(response.text) == NO_NAMES_STOP
    assert len(Workspace(root).edits(run_id)) == 1


def test_refused_edits_store_nothing(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    route = _plan(root, run_id).plan.routes[0]
    no_token = c.post(f"/runs/{run_id}/edit/move", data={"pupil": route.items[0], "route": "x"})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    no_token = c.post(f"/runs/{run_id}/edit/locks", data={"lock": route.id})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    assert c.post(f"/runs/{run_id}/replan", data={"time_limit": "5"}).status_code == 403
    for what, fields, message in (
        ("move", {"pupil": route.items[0], "route": "ZZZ"}, "route 'ZZZ' is not in this plan"),
        ("move", {"pupil": "NOPE", "route": route.id}, "pupil 'NOPE' is not in this plan's data"),
        ("move", {"pupil": "", "route": route.id}, "Move a pupil: pupil: expected an id, found ''"),
        ("close", {"stop": "NO-STOP"}, "stop 'NO-STOP' is not a pick-up point of this plan"),
        ("locks", {"lock": "ZZZ"}, "route 'ZZZ' is not in this plan"),
    ):  # fmt: skip
        response = _post(c, run_id, what, **fields)
        assert response.status_code == 400 and _message(response.text) == message, what
    assert c.post("/runs/999/edit/close", data={"csrf": c.csrf, "stop": "x"}).status_code == 404
    assert Workspace(root).edits(run_id) == []


def test_a_locked_route_refuses_moves_and_a_closed_stop_moves_its_pupils(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    loaded = _plan(root, run_id)
    first, second = loaded.plan.routes[:2]
    assert _post(c, run_id, "locks", lock=first.id).status_code == 303
    assert f'id="lock-{first.id}" checked' in c.get(f"/runs/{run_id}/edit").text
    response = _post(c, run_id, "move", pupil=second.items[0], route=first.id)
    assert _message(response.text) == f"route {first.id} is locked; unlock it to change it"
    problem = loaded.problem
    at = dict(zip(problem.pupil_ids, problem.pupil_stop, strict=True))
    stop = next(problem.stop_ids[at[p]] for r in loaded.plan.routes[1:] for p in r.items
                if at[p] >= 0)  # fmt: skip
    assert _post(c, run_id, "close", stop=stop).status_code == 303
    page = c.get(f"/runs/{run_id}/edit").text
    assert f"closed stops: {stop}" in page
    assert [e["action"] for e in Workspace(root).edits(run_id)] == ["lock", "close"]


def test_replan_keeps_the_locked_route_and_links_its_parent(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    plan = _plan(root, run_id).plan
    keep = plan.routes[len(plan.routes) // 2].id
    assert _post(c, run_id, "locks", lock=keep).status_code == 303
    bad = c.post(f"/runs/{run_id}/replan", data={"csrf": c.csrf, "time_limit": "-1"})
    assert bad.status_code == 400
    assert _message(bad.text) == "Time limit (s): expected a number from 1 to 3600, found '-1'"
    response = c.post(f"/runs/{run_id}/replan", data={"csrf": c.csrf, "time_limit": "30"},
                      follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    new = int(response.headers["location"].rsplit("/", 1)[1])
    assert _wait(c, new, _ended, 300)["status"] == "finished"
    run = Workspace(root).run(new)
    assert run["kind"] == "transport replan" and keep in run["summary"]["locked_routes"]
    cols = ("vehicle_type", "sequence", "kind", "id", "pupils_boarding")

    def route(folder: Path) -> list[tuple[str, ...]]:
        rows = _rows(folder / "routes-personal.csv")
        return [tuple(r[k] for k in cols) for r in rows if r["route"] == keep]

    before, after = route(root / "runs" / str(run_id)), route(root / "runs" / str(new))
    assert before and after == before
    page = c.get(f"/runs/{new}").text
    assert f'href="/compare?a={run_id}&amp;b={new}" id="compare-parent"' in page
    assert c.get(f"/compare?a={run_id}&b={new}").status_code == 200
    assert c.get(f"/runs/{new}/edit").status_code == 200  # a re-planned run is editable too


def test_personal_data_off_names_no_pupil_and_refuses_moves(planned):
    _, run_id, root = planned
    with TestClient(create_app(root, None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        _fresh(c, run_id)
        page = c.get(f"/runs/{run_id}/edit").text
        assert 'id="move-needs-personal"' in page and 'id="move-form"' not in page
        first, other = _plan(root, run_id).plan.routes[:2]
        assert first.items[0] not in page
        # a move stored with personal data on is listed without the pupil's id
        Workspace(root).add_edit(run_id, "move", first.items[0], other.id)
        page = c.get(f"/runs/{run_id}/edit").text
        assert f"<td>moved a pupil to route {other.id}</td>" in page
        assert first.items[0] not in page
        _fresh(c, run_id)
        response = _post(c, run_id, "move", pupil=first.items[0], route=first.id)
        assert response.status_code == 400 and _message(response.text) == NO_NAMES
        assert Workspace(root).edits(run_id) == []
        before = len(Workspace(root).list_runs())  # other tests' runs share the workspace
        routes = _start(c, c.csrf, command="routes", time_limit="5", run="am")
        assert _wait(c, routes, _ended, 300)["status"] == "finished"
        assert NEEDS.split(":")[0] in c.get(f"/runs/{routes}/edit").text
        refused = c.post(f"/runs/{routes}/replan", data={"csrf": c.csrf})
        assert refused.status_code == 400 and _message(refused.text) == NEEDS
        assert len(Workspace(root).list_runs()) == before + 1  # this routes run, no re-plan


def test_a_workspace_made_before_the_editor_keeps_working(tmp_path):
    root = tmp_path / "old"
    root.mkdir()
    db = sqlite3.connect(root / "workspace.sqlite")
    db.executescript(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
        "status TEXT NOT NULL, settings TEXT NOT NULL, created TEXT NOT NULL, finished TEXT, "
        "progress TEXT NOT NULL DEFAULT '', step INTEGER NOT NULL DEFAULT 0, summary TEXT, "
        "error TEXT);"
        "CREATE TABLE uploads (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
        "original_name TEXT NOT NULL, stored_name TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, "
        "uploaded TEXT NOT NULL);"
        "INSERT INTO runs (kind, status, settings, created) VALUES "
        "('transport routes', 'finished', '{}', '2026-01-01T00:00:00+00:00');"
    )  # fmt: skip
    db.commit()
    db.close()
    ws = Workspace(root).open()
    assert [r["kind"] for r in ws.list_runs()] == ["transport routes"]
    ws.add_edit(1, "lock", "R0001")
    assert ws.edits(1) == [{"action": "lock", "target": "R0001", "value": ""}]


def test_a_stored_edit_that_no_longer_applies_is_said_and_can_be_undone(planned):
    c, run_id, root = planned
    _fresh(c, run_id)
    Workspace(root).add_edit(run_id, "close", "GONE")
    page = c.get(f"/runs/{run_id}/edit").text
    assert "a stored edit no longer applies: stop &#39;GONE&#39; is not a pick-up point" in page
    assert 'id="reset-button"' in page
    _fresh(c, run_id)
    assert Workspace(root).edits(run_id) == []


def test_a_routes_run_with_personal_data_is_edited_and_replanned(planned):
    """A routes run (every pupil picked up at home) keeps its record of who rides
    which route in routes-personal.csv with personal data on."""
    c, _, root = planned
    run_id = _start(c, c.csrf, command="routes", time_limit="10", run="am")
    assert _wait(c, run_id, _ended, 300)["status"] == "finished"
    page = c.get(f"/runs/{run_id}/edit").text
    assert 'id="no-stops"' in page and 'id="move-form"' in page
    keep = _plan(root, run_id).plan.routes[0].id
    assert _post(c, run_id, "locks", lock=keep).status_code == 303
    response = c.post(f"/runs/{run_id}/replan", data={"csrf": c.csrf, "time_limit": "15"},
                      follow_redirects=False)  # fmt: skip
    new = int(response.headers["location"].rsplit("/", 1)[1])
    assert _wait(c, new, _ended, 300)["status"] == "finished"
    cols = ("vehicle_type", "sequence", "kind", "id", "pupils_boarding")

    def route(folder: Path) -> list[tuple[str, ...]]:
        rows = _rows(folder / "routes-personal.csv")
        return [tuple(r[k] for k in cols) for r in rows if r["route"] == keep]

    assert route(root / "runs" / str(run_id)) == route(root / "runs" / str(new)) != []
    assert not (root / "runs" / str(new) / "assignments-personal.csv").exists()
