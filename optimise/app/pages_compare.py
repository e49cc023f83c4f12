"""The comparison page: two finished transport runs of the workspace, picked by their
ids (never a path), side by side (see :mod:`optimise.app.compare`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from geodata.errors import InputError
from optimise.app.compare import changes, figures, riders
from optimise.app.context import ctx, render

if TYPE_CHECKING:
    from starlette.responses import Response

    from optimise.app.store import Workspace

__all__ = ["router"]

router = APIRouter()


def _finished_transport(ws: Workspace) -> list[dict[str, Any]]:
    return [r for r in ws.list_runs()
            if r["status"] == "finished" and r["kind"].startswith("transport")]  # fmt: skip


def _pick(ws: Workspace, value: str, which: str) -> dict[str, Any]:
    """The finished transport run ``value`` names, or a one-line InputError."""
    text = value.strip()
    run = ws.run(int(text)) if text.isdigit() and len(text) < 12 else None
    if run is None:
        raise InputError(f"Plan {which}: expected the number of a run in this workspace, "
                         f"found {text[:40]!r}")  # fmt: skip
    if run["status"] != "finished" or not run["kind"].startswith("transport"):
        raise InputError(f"Plan {which}: expected a finished transport run, found run "
                         f"{run['id']} ({run['kind']}, {run['status']})")  # fmt: skip
    return run


def _compare(ws: Workspace, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    ra, rb = riders(ws.run_dir(a["id"])), riders(ws.run_dir(b["id"]))
    return {"figures": figures(a["summary"] or {}, b["summary"] or {}),
            "changes": None if ra is None or rb is None else changes(ra, rb),
            "missing": [r["id"] for r, who in ((a, ra), (b, rb)) if who is None]}  # fmt: skip


@router.get("/compare")
async def compare(request: Request) -> Response:
    ws = ctx(request).ws
    query = request.query_params
    values = {"a": query.get("a", ""), "b": query.get("b", "")}
    page: dict[str, Any] = {"runs": _finished_transport(ws), "values": values}
    if not (values["a"] or values["b"]):
        return render(request, "compare.html", **page)
    try:
        a, b = _pick(ws, values["a"], "A"), _pick(ws, values["b"], "B")
    except InputError as exc:
        return render(request, "compare.html", 400, message=str(exc), **page)
    found = await run_in_threadpool(_compare, ws, a, b)
    return render(request, "compare.html", a=a, b=b, **found, **page)
