"""The estate page: ``optimise estate``'s controls on the embedded data or an uploaded
asset register (``--sites``, its columns mapped as on the transport page), run as a job.

The form's values are checked as the command line checks its options (the same
:class:`~optimise.estate.params.EstateParams`, the same limit on Pareto points); a bad
value is one line on the page and nothing is stored. An uploaded file is checked and
stored as the transport page's are (:func:`~optimise.app.uploads.store_upload`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from geodata.errors import InputError
from optimise.app.context import ctx, render
from optimise.app.forms import form as posted_form
from optimise.app.forms import number, one_of, refused, small_form, whole
from optimise.app.security import BodyTooLarge
from optimise.app.transport_form import Chosen, choose_one
from optimise.app.uploads import MAX_UPLOAD_BYTES, SITES, UploadRefused, store_upload, too_big
from optimise.config import SEED_MAX
from optimise.estate.params import EstateParams
from optimise.estate.pareto import MAX_POINTS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.responses import Response

__all__ = ["CONTROLS", "router", "settings_of"]

router = APIRouter()

#: Form name → (label, EstateParams key, unit, low, high): ``optimise estate``'s options.
CONTROLS = (
    ("max_travel", "Travel limit (every zone to each service)", "max_travel_minutes", "min",
     0, 1e4),
    ("receipt_target", "Receipt target (≤ 1: a share of the value, else £)", "receipt_target",
     "", 0, 1e12),
    ("office_reduction", "Office reduction (cut in office desks, below 1)", "office_reduction",
     "", 0, 1e6),
    ("receipt_share", "Share of book value a sale realises (0-1)", "receipt_share", "", 0, 1e6),
    ("disposal_cost", "Relocation cost per disposed site", "disposal_cost_gbp", "£", 0, 1e12),
)  # fmt: skip
MEASURES = (("limit", "travel limit kept"), ("population", "residents beyond the limit"))
#: The page's default time limit, seconds (the command has none).
DEFAULT_TIME_LIMIT = 60.0


def settings_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The job's settings from the form, checked as ``optimise estate`` checks them."""
    time_limit = number(values, "time_limit", "Time limit (seconds)", 1, 86400)
    seed = whole(values, "seed", "Seed", 0, SEED_MAX)
    given: dict[str, Any] = {}
    for name, label, key, _unit, low, high in CONTROLS:
        value = number(values, name, label, low, high)
        if value is not None:
            given[key] = value
    cap = whole(values, "max_disposals", "Most disposals (-1: no cap)", -1, 100000)
    if cap is not None:
        given["max_disposals"] = cap
    pareto = whole(values, "pareto", "Pareto front points", 0, MAX_POINTS) or 0
    given["pareto_measure"] = one_of(values, "pareto_measure", "Pareto access measure", MEASURES)
    EstateParams.from_dict(given, source="Estate settings")  # the command's own checks
    return {"engine": "estate", "params": given, "pareto": pareto,
            "time_limit": time_limit or DEFAULT_TIME_LIMIT,
            "seed": 2026 if seed is None else seed}  # fmt: skip


def _page(request: Request, values: Mapping[str, Any], status: int = 200, message=None,
          mapped: bool = False):  # fmt: skip
    c = ctx(request)
    try:
        sites = choose_one(c.ws, SITES, values, mapped)
    except InputError as exc:
        sites, message, status = Chosen(SITES), str(exc), 400
    runs = [r for r in c.ws.list_runs() if r["kind"] == "estate"][:10]
    uploads = [u for u in c.ws.list_uploads() if u["kind"] == SITES]
    return render(request, "estate.html", status, values=values, controls=CONTROLS,
                  measures=MEASURES, message=message, recent=runs, sites=sites,
                  uploads=uploads, defaults=EstateParams())  # fmt: skip


@router.get("/estate")
def estate_page(request: Request) -> Response:
    return _page(request, request.query_params)


@router.post("/estate/uploads")
async def estate_upload(request: Request) -> Response:
    try:
        form = await posted_form(request)
    except BodyTooLarge:
        return _page(request, {}, 413, message=too_big("the file"))
    if form is None:
        return refused()
    file = form.get("file")
    if file is None or isinstance(file, str) or not file.filename:
        return _page(request, {}, 400, message="choose a sites file (CSV or a workbook) to upload")
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _page(request, {}, 413, message=too_big(file.filename))
    try:
        upload_id = await run_in_threadpool(store_upload, ctx(request).ws, SITES, file.filename,
                                            data)  # fmt: skip
    except UploadRefused as exc:
        return _page(request, {}, 400, message=str(exc))
    return RedirectResponse(f"/estate?{SITES}={upload_id}", status_code=303)


@router.post("/estate/run")
async def estate_run(request: Request) -> Response:
    form = await small_form(request)
    if form is None:
        return refused()
    c = ctx(request)
    try:
        job = settings_of(form)
        sites = choose_one(c.ws, SITES, form, mapped=True)
    except InputError as exc:
        return _page(request, form, 400, message=str(exc), mapped=True)
    if sites.upload is not None:
        upload = sites.upload
        job.update(files={SITES: sites.path(c.ws)}, columns={SITES: sites.columns},
                   uploads={SITES: upload["id"]},
                   names={str(c.ws.upload_path(upload)): upload["original_name"]})  # fmt: skip
    run_id = c.ws.add_run("estate", job)
    c.runner.submit(run_id, job)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)
