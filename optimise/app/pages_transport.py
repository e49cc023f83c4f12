"""The transport page: pick or upload files, map columns, check, set the policy, run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from geodata.errors import InputError, Problem, ValidationError
from geodata.read import check
from optimise.app.context import ctx, render
from optimise.app.forms import form as _form
from optimise.app.forms import refused as _refused
from optimise.app.forms import small_form as _small_form
from optimise.app.security import BodyTooLarge
from optimise.app.transport_form import COMMANDS, POLICY, RUNS, choose, current_plan, policy_of
from optimise.app.uploads import KINDS, MAX_UPLOAD_BYTES, PLAN, UploadRefused, store_upload, too_big
from optimise.app.whatif import copy_values, original
from optimise.transport.routing.evaluate import read_plan

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.responses import Response

    from optimise.app.transport_form import Chosen

__all__ = ["router"]

router = APIRouter()


def _page(request: Request, values: Mapping[str, Any], status: int = 200, **extra: Any):
    """The transport page for ``values`` (selection, mapping, policy); a bad selection
    is shown as the page's message with the embedded data selected."""
    c = ctx(request)
    message = extra.pop("message", None)
    try:
        chosen = choose(c.ws, values, mapped=bool(extra.pop("mapped", False)))
        plan = current_plan(c.ws, values)
        copy_of = original(c.ws, values.get("copy_of"))
    except InputError as exc:
        chosen, plan, message, status = choose(c.ws, {}, mapped=False), None, str(exc), 400
        copy_of = None
    uploads = c.ws.list_uploads()
    return render(request, "transport.html", status, chosen=chosen, plan=plan, values=values,
                  uploads=uploads, kinds=KINDS, plan_kind=PLAN, policy=POLICY, runs=RUNS,
                  commands=COMMANDS, message=message, recent=c.ws.list_runs()[:10],
                  copy_of=copy_of, **extra)  # fmt: skip


@router.get("/")
def home() -> Response:
    return RedirectResponse("/transport", status_code=303)


@router.get("/transport")
def transport_page(request: Request) -> Response:
    copy = request.query_params.get("copy")
    if copy is None:
        return _page(request, request.query_params)
    ws = ctx(request).ws
    try:  # a copy of a run as a what-if: the page as that run was started
        run = original(ws, copy)
    except InputError as exc:
        return _page(request, {}, 400, message=str(exc))
    if run is None:  # ?copy= with no run number: the page as a new run's
        return _page(request, request.query_params)
    return _page(request, copy_values(ws, run), mapped=True)


def _kept(form: Any) -> dict[str, str]:
    """The page's selection in a posted form: each kind's file and workbook sheet."""
    keep = {k: str(form.get(k, "")) for k in (*KINDS, PLAN, "copy_of")}
    keep.update({k: str(v) for k, v in form.items() if k.startswith("sheet.")})
    return keep


@router.post("/uploads")
async def upload(request: Request) -> Response:
    try:
        form = await _form(request)
    except BodyTooLarge:
        return _page(request, {}, 413, message=too_big("the file"))
    if form is None:
        return _refused()
    kind, file = str(form.get("kind", "")), form.get("file")
    keep = _kept(form)
    if file is None or isinstance(file, str) or not file.filename:
        return _page(request, keep, 400, message="choose a CSV file or a workbook to upload")
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _page(request, keep, 413, message=too_big(file.filename))
    try:
        upload_id = await run_in_threadpool(
            store_upload, ctx(request).ws, kind, file.filename, data
        )
    except UploadRefused as exc:
        return _page(request, keep, 400, message=str(exc))
    keep[kind] = str(upload_id)
    return RedirectResponse("/transport?" + urlencode(keep), status_code=303)


def _found(item: Chosen, ws: Any) -> list[Problem]:
    """The problems the engine's reader finds in one uploaded file."""
    assert item.upload is not None  # an uploaded file
    name = item.upload["original_name"]
    try:
        if item.kind == PLAN:
            read_plan(item.path(ws))
            return []
        return check(item.path(ws), item.kind, columns=item.columns or None)
    except ValidationError as exc:
        return list(exc.problems)
    except InputError as exc:
        return [Problem(name, None, None, "a file the engine can read", str(exc))]


def _problems(chosen: list[Chosen], ws: Any) -> list[Problem]:
    """Every problem of each uploaded file, named by the name the user uploaded."""
    out: list[Problem] = []
    for item in chosen:
        if item.upload is None:
            continue
        path, name = ws.upload_path(item.upload), item.upload["original_name"]
        found = _found(item, ws)
        for p in found:
            text = str(path)
            expected, got = p.expected.replace(text, name), p.found.replace(text, name)
            out.append(Problem(name, p.row, p.field, expected, got, p.hint.replace(text, name)))
    return out


@router.post("/transport/check")
async def transport_check(request: Request) -> Response:
    form = await _small_form(request)
    if form is None:
        return _refused()
    c = ctx(request)
    try:
        chosen = choose(c.ws, form, mapped=True)
        plan = current_plan(c.ws, form)
    except InputError as exc:
        return _page(request, form, 400, message=str(exc), mapped=True)
    chosen = [*chosen, plan] if plan is not None else chosen
    problems = await run_in_threadpool(_problems, chosen, c.ws)
    checked = sum(1 for item in chosen if item.upload is not None)
    return _page(request, form, mapped=True, problems=problems, checked=checked)


@router.post("/transport/run")
async def transport_run(request: Request) -> Response:
    form = await _small_form(request)
    if form is None:
        return _refused()
    c = ctx(request)
    try:
        chosen = choose(c.ws, form, mapped=True)
        settings = policy_of(form)
        plan = current_plan(c.ws, form)
        copy_of = original(c.ws, form.get("copy_of"))
        if plan is not None and settings["run"] == "pm":
            raise InputError("Current plan: it is compared with the morning run; choose "
                             "morning, or morning and afternoon")  # fmt: skip
    except InputError as exc:
        return _page(request, form, 400, message=str(exc), mapped=True)
    names = [*chosen, plan] if plan is not None else chosen
    job = {
        **settings,
        "current_plan": plan.path(c.ws) if plan is not None else None,
        "files": {i.kind: i.path(c.ws) if i.upload else None for i in chosen},
        "names": {
            str(c.ws.upload_path(i.upload)): i.upload["original_name"] for i in names if i.upload
        },
        "columns": {i.kind: i.columns for i in chosen if i.upload},
        "uploads": {i.kind: i.upload["id"] for i in chosen if i.upload},
        "personal": c.personal,
        **({"copy_of": copy_of["id"]} if copy_of else {}),
    }
    run_id = c.ws.add_run(f"transport {settings['command']}", job)
    c.runner.submit(run_id, job)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)
