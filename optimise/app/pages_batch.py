"""The batch page: upload a scenario file (checked, size-capped, stored under a name
the server makes; see :mod:`optimise.app.scenario_files`) and run its scenarios one
after another in the run process; the run page counts them as they finish and shows
the comparison table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from geodata.errors import InputError
from optimise.app.context import ctx, render
from optimise.app.forms import form, number, refused
from optimise.app.scenario_files import MAX_SCENARIO_BYTES, store_scenarios
from optimise.app.security import BodyTooLarge
from optimise.app.uploads import UploadRefused

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from starlette.responses import Response

__all__ = ["router"]

router = APIRouter()

#: The whole batch's default time limit, seconds (scenarios not run by then are said).
DEFAULT_TIME_LIMIT = 1800.0


def _page(request: Request, values: Mapping[str, Any], status: int = 200, message=None):
    runs = [r for r in ctx(request).ws.list_runs() if r["kind"] == "batch"][:10]
    return render(request, "batch.html", status, values=values, message=message, recent=runs,
                  cap_kb=MAX_SCENARIO_BYTES // 1024)  # fmt: skip


@router.get("/batch")
def batch_page(request: Request) -> Response:
    return _page(request, {})


@router.post("/batch/run")
async def batch_run(request: Request) -> Response:
    try:
        posted = await form(request)
    except BodyTooLarge:
        return _page(request, {}, 413, message=f"the scenario file: expected at most "
                                               f"{MAX_SCENARIO_BYTES // 1024} KB")  # fmt: skip
    if posted is None:
        return refused()
    values = {"time_limit": str(posted.get("time_limit", ""))}
    file = posted.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return _page(request, values, 400, message="choose a scenario file (.toml) to run")
    try:
        limit = number(posted, "time_limit", "Time limit for the whole batch (seconds)", 1,
                       86400) or DEFAULT_TIME_LIMIT  # fmt: skip
    except InputError as exc:
        return _page(request, values, 400, message=str(exc))
    data = await file.read(MAX_SCENARIO_BYTES + 1)
    c = ctx(request)
    try:
        upload_id, spec = await run_in_threadpool(store_scenarios, c.ws, file.filename, data)
    except UploadRefused as exc:
        return _page(request, values, 413 if len(data) > MAX_SCENARIO_BYTES else 400,
                     message=str(exc))  # fmt: skip
    upload = c.ws.upload(upload_id)
    assert upload is not None  # stored just now
    job = {"engine": "batch", "upload": upload_id, "name": upload["original_name"],
           "path": str(c.ws.upload_path(upload)), "problem": spec.kind,
           "scenarios": len(spec.scenarios), "time_limit": limit}  # fmt: skip
    run_id = c.ws.add_run("batch", job)
    c.runner.submit(run_id, job)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)
