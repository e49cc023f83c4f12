"""The hours page: ``optimise hours``'s staff budget and opening rules on the embedded
data, run as a job.

The values are checked as the command checks them (the same
:func:`~optimise.hours.run.load_params`, so the same
:class:`~optimise.hours.params.HoursParams` rules); a bad value is one line on the
page and nothing is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from geodata.errors import InputError
from optimise.app.context import ctx, render
from optimise.app.forms import number, one_of, refused, small_form, whole
from optimise.config import SEED_MAX, RunConfig
from optimise.hours.params import HoursParams
from optimise.hours.run import load_params

if TYPE_CHECKING:
    from collections.abc import Mapping

    from starlette.responses import Response

__all__ = ["BUDGET", "RULES", "router", "settings_of"]

router = APIRouter()

#: Form name (the HoursParams key) → (label, unit): the budget and number rules.
BUDGET = (
    ("budget_hours", "Staff budget", "staff-hours a week"),
    ("over65_weight", "Weight of an over-65 visit", "× anyone else's"),
    ("min_block_hours", "Shortest opening", "hours"),
    ("min_hours_open", "Each centre open today keeps at least", "hours a week"),
    ("max_centre_hours", "Most hours a centre opens", "hours a week"),
)
#: Yes/no rules: form name (the HoursParams key) → label.
RULES = (
    ("keep_open", "Keep every centre open today open (access floor)"),
    ("regular", "Regular timetables (one block a day, the same each open day)"),
)
YES_NO = (("yes", "yes"), ("no", "no"))
DEFAULT_TIME_LIMIT = 60.0


def settings_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The job's settings from the form, checked as ``optimise hours`` checks them."""
    time_limit = number(values, "time_limit", "Time limit (seconds)", 1, 86400)
    seed = whole(values, "seed", "Seed", 0, SEED_MAX)
    given: dict[str, Any] = {}
    for name, label, _unit in BUDGET:
        value = number(values, name, label, 0, 10000)
        if value is not None:
            given[name] = value
    defaults = HoursParams()
    for name, label in RULES:
        default = "yes" if getattr(defaults, name) else "no"
        given[name] = one_of({name: values.get(name, default)}, name, label, YES_NO) == "yes"
    curve = one_of(values, "curve", "Curve of staff hours against demand", YES_NO) == "yes"
    time_limit = time_limit or DEFAULT_TIME_LIMIT
    seed = 2026 if seed is None else seed
    load_params(RunConfig.load(None, seed=seed, time_limit=time_limit), **given)
    return {"engine": "hours", "params": given, "curve": curve, "time_limit": time_limit,
            "seed": seed}  # fmt: skip


def _page(request: Request, values: Mapping[str, Any], status: int = 200, message=None):
    runs = [r for r in ctx(request).ws.list_runs() if r["kind"] == "hours"][:10]
    return render(request, "hours.html", status, values=values, budget=BUDGET, rules=RULES,
                  message=message, recent=runs, defaults=HoursParams())  # fmt: skip


@router.get("/hours")
def hours_page(request: Request) -> Response:
    return _page(request, request.query_params)


@router.post("/hours/run")
async def hours_run(request: Request) -> Response:
    form = await small_form(request)
    if form is None:
        return refused()
    try:
        job = settings_of(form)
    except InputError as exc:
        return _page(request, form, 400, message=str(exc))
    c = ctx(request)
    run_id = c.ws.add_run("hours", job)
    c.runner.submit(run_id, job)
    return RedirectResponse(f"/runs/{run_id}", status_code=303)
