"""A run's pages: progress (polled), results, the report, route sheets, tender pack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from optimise.app.batch_results import batch_figures, comparison
from optimise.app.context import TEMPLATES, ctx, render
from optimise.app.duty import beyond_limit, to_procure
from optimise.app.estate_results import disposals, estate_figures
from optimise.app.figures import headline, unserved_reasons
from optimise.app.hours_results import hours_results
from optimise.app.security import BodyTooLarge, csrf_ok, headers
from optimise.app.sheets import read_sheets, tender_pack

if TYPE_CHECKING:
    from optimise.app.sheets import Sheet

__all__ = ["router"]

router = APIRouter()

#: Stages a morning run reports (its steps and the report), for the progress bar; the
#: afternoon and a current plan add one each. A re-plan around edits: rebuilding,
#: re-planning, writing, the report.
STAGES = {"routes": 5, "plan": 6, "replan": 4}
#: Stages an estate run reports (reading, travel times, the model, ranking, writing,
#: the report; a Pareto front one more) and an hours run (the solves, the report).
ENGINE_STAGES = {"estate": 6, "hours": 2}


def _run(request: Request, run_id: int) -> dict[str, Any]:
    run = ctx(request).ws.run(run_id)
    if run is None:
        raise HTTPException(404, f"no run {run_id} in this workspace")
    return run


def _finished(request: Request, run_id: int) -> dict[str, Any]:
    run = _run(request, run_id)
    if run["status"] != "finished":
        raise HTTPException(409, f"run {run_id} is {run['status']}, not finished")
    return run


def _fraction(run: dict[str, Any]) -> float:
    if run["status"] == "finished":
        return 1.0
    settings = run["settings"]
    engine = settings.get("engine", "transport")
    if engine == "batch":  # each scenario as it finishes, then the report
        stages = int(settings.get("scenarios", 1)) + 1
        return round(min(run["step"], stages) / (stages + 1), 3)
    if engine in ENGINE_STAGES:
        stages = ENGINE_STAGES[engine] + bool(settings.get("pareto"))
        return round(min(run["step"], stages) / (stages + 1), 3)
    stages = STAGES.get(settings.get("command", "routes"), 6)
    stages += (settings.get("run", "both") != "am") + bool(settings.get("current_plan"))
    return round(min(run["step"], stages) / (stages + 1), 3)


@router.get("/runs")
def runs(request: Request) -> Response:
    return render(request, "runs.html", runs=ctx(request).ws.list_runs())


@router.get("/runs/{run_id}/status")
def status(request: Request, run_id: int) -> JSONResponse:
    run = _run(request, run_id)
    return JSONResponse({"id": run["id"], "status": run["status"], "progress": run["progress"],
                         "fraction": _fraction(run), "error": run["error"],
                         "finished": run["finished"]})  # fmt: skip


def _transport(request: Request, run: dict[str, Any]) -> dict[str, Any]:
    summary = run["summary"] or {}
    folder, personal = ctx(request).ws.run_dir(run["id"]), ctx(request).personal
    return {"figures": headline(summary), "reasons": unserved_reasons(summary),
            "sheets": read_sheets(folder, personal), "hires": to_procure(summary),
            "flagged": summary.get("ride_limit_exceeded_unavoidably") or 0,
            "beyond": beyond_limit(summary, folder, personal)}  # fmt: skip


def _estate(request: Request, run: dict[str, Any]) -> dict[str, Any]:
    shown, total = disposals(ctx(request).ws.run_dir(run["id"]))
    return {"figures": estate_figures(run["summary"] or {}), "disposals": shown, "total": total}


def _hours(request: Request, run: dict[str, Any]) -> dict[str, Any]:
    return hours_results(run["summary"] or {}, ctx(request).ws.run_dir(run["id"]))


def _batch(request: Request, run: dict[str, Any]) -> dict[str, Any]:
    header, rows, failed = comparison(ctx(request).ws.run_dir(run["id"]))
    return {"figures": batch_figures(run["summary"] or {}), "header": header, "rows": rows,
            "failed": failed}  # fmt: skip


#: Each engine's results: the values its template shows.
RESULTS = {"transport": _transport, "estate": _estate, "hours": _hours, "batch": _batch}


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: int) -> Response:
    run = _run(request, run_id)
    engine = run["settings"].get("engine", "transport")
    extra = {}
    if run["status"] == "finished":
        extra = RESULTS[engine](request, run)
    return render(request, "run.html", run=run, fraction=_fraction(run),
                  results=f"results_{engine}.html", page=engine, **extra)  # fmt: skip


@router.post("/runs/{run_id}/cancel")
async def cancel(request: Request, run_id: int) -> Response:
    try:
        form = await request.form(max_files=0, max_fields=10)
    except BodyTooLarge:
        raise HTTPException(413, "the form is too large") from None
    if not csrf_ok(form, ctx(request).csrf):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page")
    _run(request, run_id)
    ctx(request).runner.cancel(run_id)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.get("/runs/{run_id}/report")
def report(request: Request, run_id: int) -> Response:
    _finished(request, run_id)
    path = ctx(request).ws.run_dir(run_id) / "report.html"
    if not path.is_file():
        raise HTTPException(404, f"run {run_id} has no report")
    response = FileResponse(path, media_type="text/html")
    headers(response, report=True)
    return response


def _sheet_html(request: Request, run: dict[str, Any], sheet: Sheet) -> str:
    page = TEMPLATES.get_template("sheet.html")
    return page.render(request=request, run=run, sheet=sheet, personal=ctx(request).personal)


@router.get("/runs/{run_id}/sheets/{day_run}/{route}")
def sheet(request: Request, run_id: int, day_run: str, route: str) -> Response:
    run = _finished(request, run_id)
    sheets = read_sheets(ctx(request).ws.run_dir(run_id), ctx(request).personal)
    found = next((s for s in sheets if s.run == day_run and s.route == route), None)
    if found is None:
        raise HTTPException(404, f"run {run_id} has no {day_run} route {route[:40]!r}")
    response = Response(_sheet_html(request, run, found), media_type="text/html")
    headers(response)
    return response


@router.get("/runs/{run_id}/tender-pack.zip")
def pack(request: Request, run_id: int) -> Response:
    run = _finished(request, run_id)
    folder = ctx(request).ws.run_dir(run_id)
    data = tender_pack(folder, ctx(request).personal, lambda s: _sheet_html(request, run, s))
    name = f"tender-pack-run-{run_id}.zip"
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip
