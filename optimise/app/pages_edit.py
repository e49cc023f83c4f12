"""The plan editor of a finished transport run: lock routes, move a pupil to another
route or stop, close a stop, each re-checked against every rule at once with its cost;
'Re-plan around my changes' starts a run that keeps the locked routes (see
:mod:`optimise.app.edit_plan`, :mod:`optimise.app.replan`).

Every edit is a POST with the CSRF token; it is made on the plan first and stored
(``edits`` table) only when it can be made: an unknown route, pupil or stop, or a
change to a locked route, is one line on the page and nothing is stored. A pupil is
named only with personal data on: without it, moving a pupil is refused (lock routes
and close stops name no pupil) and the rules' messages say "a pupil".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from geodata.errors import InputError
from optimise.app.context import ctx, render
from optimise.app.edit_plan import apply, load, replay
from optimise.app.forms import number, refused, small_form
from optimise.app.security import BodyTooLarge, csrf_ok
from optimise.transport.output import without_pupil_ids
from optimise.transport.routing.edits import check, problem_for

if TYPE_CHECKING:
    from starlette.responses import Response

    from optimise.app.edit_plan import Loaded
    from optimise.transport.routing.edits import EditedPlan

__all__ = ["router"]

router = APIRouter()

#: Fields the lock form may post (one per ticked route).
LOCK_FIELDS = 5000
#: Moving a pupil names them: refused with personal data off.
NO_NAMES = ("Move a pupil: pupils are named only with personal data on (optimise serve "
            "--include-personal-data); lock routes or close stops instead")  # fmt: skip
NO_NAMES_STOP = NO_NAMES.replace("Move a pupil:", "Move a pupil to a stop:")


def _run(request: Request, run_id: int) -> dict[str, Any]:
    run = ctx(request).ws.run(run_id)
    if run is None:
        raise HTTPException(404, f"no run {run_id} in this workspace")
    if run["status"] != "finished" or not run["kind"].startswith("transport"):
        raise HTTPException(409, f"run {run_id} is not a finished transport run")
    return run


def _loaded(request: Request, run: dict[str, Any]) -> Loaded:
    return load(ctx(request).ws.run_dir(run["id"]), run["settings"])


def _routes(loaded: Loaded, plan: EditedPlan, personal: bool) -> list[dict[str, Any]]:
    """Each route: id, vehicle type, pupils, its pick-ups in order (stop ids, "home"),
    locked; the pupils' ids with personal data on."""
    problem = problem_for(loaded.problem, plan)
    at = {pid: i for i, pid in enumerate(problem.pupil_ids)}
    where = problem.pickup_location()
    out = []
    for r in plan.routes:
        stops: list[list[Any]] = []
        for pid in r.items:
            kind, _, ident = problem.locations[int(where[at[pid]])].partition(":")
            name = ident if kind == "stop" else "home"
            if stops and stops[-1][0] == name and name != "home":
                stops[-1][1] += 1
            else:
                stops.append([name, 1])
        out.append({"id": r.id, "vehicle_type": r.vehicle_type, "pupils": len(r.items),
                    "stops": " → ".join(f"{n} ({k})" if k > 1 else n for n, k in stops),
                    "ids": ", ".join(r.items) if personal else "",
                    "locked": r.id in plan.locked})  # fmt: skip
    return out


def _view(request: Request, run: dict[str, Any]) -> dict[str, Any]:
    """The editor's values (computed in a worker thread: a rebuild takes seconds)."""
    c = ctx(request)
    try:
        loaded = _loaded(request, run)
    except InputError as exc:
        return {"needs": str(exc)}
    edits = c.ws.edit_log(run["id"])
    try:
        plan = replay(loaded.problem, loaded.plan, edits)
    except InputError as exc:  # the run's inputs changed under a stored edit
        return {"needs": f"a stored edit no longer applies: {exc}", "stuck": True}
    violations, daily, annual = check(loaded.problem, plan)
    _, _, before = check(loaded.problem, loaded.plan)
    if not c.personal:
        violations = tuple(without_pupil_ids(list(violations), loaded.problem))
    used: list[str] = []
    open_stops: list[str] = []
    if loaded.stops:
        problem = loaded.problem
        open_stops = [sid for sid, unsafe in zip(problem.stop_ids, problem.stop_unsafe, strict=True)
                      if not unsafe and sid not in plan.closed]  # fmt: skip
        problem = problem_for(loaded.problem, plan)
        assert problem.pupil_stop is not None  # a plan with stops
        riding = {p for r in plan.routes for p in r.items}
        used = sorted({problem.stop_ids[int(s)]
                       for pid, s in zip(problem.pupil_ids, problem.pupil_stop, strict=True)
                       if s >= 0 and pid in riding})  # fmt: skip
    return {"routes": _routes(loaded, plan, c.personal), "violations": violations,
            "daily": daily, "annual": annual, "before": before,
            "edits": [{**e, "said": _said(e, c.personal)} for e in edits],
            "stops": used, "open_stops": open_stops, "closed": sorted(plan.closed),
            "locked": sorted(plan.locked),
            "time_limit": run["settings"].get("time_limit", 60)}  # fmt: skip


def _said(edit: dict[str, Any], personal: bool) -> str:
    """An edit in words (the pupil named only with personal data on)."""
    action, target, value = edit["action"], edit["target"], edit["value"]
    if action == "move":
        return f"moved {'pupil ' + target if personal else 'a pupil'} to route {value}"
    if action == "stop":
        return f"moved {'pupil ' + target if personal else 'a pupil'} to stop {value}"
    return {"lock": "locked route", "unlock": "unlocked route",
            "close": "closed stop"}.get(action, action) + f" {target}"  # fmt: skip


async def _page(request: Request, run: dict[str, Any], status: int = 200, **extra: Any):
    values = await run_in_threadpool(_view, request, run)
    return render(request, "edit.html", status, run=run, page="transport", **values, **extra)


@router.get("/runs/{run_id}/edit")
async def editor(request: Request, run_id: int) -> Response:
    return await _page(request, _run(request, run_id))


def _made(request: Request, run: dict[str, Any], edits: list[dict[str, str]]) -> None:
    """Make ``edits`` on the run's edited plan, then store them (all or none)."""
    ws = ctx(request).ws
    loaded = _loaded(request, run)
    plan = replay(loaded.problem, loaded.plan, ws.edits(run["id"]))
    for edit in edits:
        plan = apply(loaded.problem, plan, edit)
    violations, _, annual = check(loaded.problem, plan) if edits else ((), 0.0, 0.0)
    ws.add_edits(run["id"], edits, annual_gbp=round(annual, 2), broken=len(violations))


async def _edit(request: Request, run_id: int, make) -> Response:
    run = _run(request, run_id)
    form = await small_form(request)
    if form is None:
        return refused()
    try:
        await run_in_threadpool(lambda: _made(request, run, make(form)))
    except InputError as exc:
        return await _page(request, run, 400, message=str(exc))
    return RedirectResponse(f"/runs/{run_id}/edit", status_code=303)


def _text(form: Any, name: str, label: str) -> str:
    value = str(form.get(name) or "").strip()
    if not value or len(value) > 100:
        raise InputError(f"{label}: expected an id, found {value[:40]!r}")
    return value


@router.post("/runs/{run_id}/edit/locks")
async def locks(request: Request, run_id: int) -> Response:
    """The routes ticked are locked, every other route unlocked (a form field per
    ticked route: a county plan's routes are more than other forms' fields)."""
    run = _run(request, run_id)
    try:
        form = await request.form(max_files=0, max_fields=LOCK_FIELDS)
    except BodyTooLarge:
        raise HTTPException(413, "the form is too large") from None
    if not csrf_ok(form, ctx(request).csrf):
        return refused()

    def make(_form: Any) -> list[dict[str, str]]:
        wanted = {str(v) for v in form.getlist("lock")}
        loaded = _loaded(request, run)
        plan = replay(loaded.problem, loaded.plan, ctx(request).ws.edits(run_id))
        for route in sorted(wanted):
            plan.route(route)  # an unknown route: one line
        return [{"action": "lock" if r.id in wanted else "unlock", "target": r.id}
                for r in plan.routes if (r.id in wanted) != (r.id in plan.locked)]  # fmt: skip

    try:
        await run_in_threadpool(lambda: _made(request, run, make(form)))
    except InputError as exc:
        return await _page(request, run, 400, message=str(exc))
    return RedirectResponse(f"/runs/{run_id}/edit", status_code=303)


@router.post("/runs/{run_id}/edit/move")
async def move_pupil(request: Request, run_id: int) -> Response:
    def make(form: Any) -> list[dict[str, str]]:
        if not ctx(request).personal:
            raise InputError(NO_NAMES)
        pupil = _text(form, "pupil", "Move a pupil: pupil")
        return [{"action": "move", "target": pupil, "value": _text(form, "route", "To route")}]

    return await _edit(request, run_id, make)


@router.post("/runs/{run_id}/edit/stop")
async def move_to_stop(request: Request, run_id: int) -> Response:
    def make(form: Any) -> list[dict[str, str]]:
        if not ctx(request).personal:
            raise InputError(NO_NAMES_STOP)
        pupil = _text(form, "pupil", "Move a pupil to a stop: pupil")
        return [{"action": "stop", "target": pupil, "value": _text(form, "stop", "To stop")}]

    return await _edit(request, run_id, make)


@router.post("/runs/{run_id}/edit/close")
async def close(request: Request, run_id: int) -> Response:
    def make(form: Any) -> list[dict[str, str]]:
        return [{"action": "close", "target": _text(form, "stop", "Close a stop: stop")}]

    return await _edit(request, run_id, make)


@router.post("/runs/{run_id}/edit/reset")
async def reset(request: Request, run_id: int) -> Response:
    _run(request, run_id)
    form = await small_form(request)
    if form is None:
        return refused()
    ctx(request).ws.clear_edits(run_id)
    return RedirectResponse(f"/runs/{run_id}/edit", status_code=303)


#: The settings of the parent run a re-plan keeps (its inputs, shown on its page).
_KEPT = ("files", "columns", "table", "names", "uploads", "seed", "personal")


@router.post("/runs/{run_id}/replan")
async def replan(request: Request, run_id: int) -> Response:
    run = _run(request, run_id)
    form = await small_form(request)
    if form is None:
        return refused()
    c = ctx(request)
    try:
        limit = number(form, "time_limit", "Time limit (s)", 1, 3600)
        edits = c.ws.edits(run_id)
        await run_in_threadpool(_loaded, request, run)  # a run that cannot be edited: 400
    except InputError as exc:
        return await _page(request, run, 400, message=str(exc))
    settings = run["settings"]
    job = {**{k: settings[k] for k in _KEPT if k in settings}, "command": "replan",
           "run": "am", "parent": run_id, "parent_settings": settings, "edits": edits,
           "time_limit": limit or float(settings.get("time_limit", 60)),
           "personal": c.personal}  # fmt: skip
    new_id = c.ws.add_run("transport replan", job)
    c.runner.submit(new_id, job)
    return RedirectResponse(f"/runs/{new_id}", status_code=303)
