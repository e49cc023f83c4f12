"""What a run process does: the library's run, then its report.

:func:`execute` runs in its own process (spawned by :mod:`optimise.app.jobs`). It calls
the function ``optimise transport routes``, ``optimise transport plan`` (the job's
``command``; ``replan``: a run's edited plan re-planned, :mod:`optimise.app.replan`),
``optimise estate``, ``optimise hours`` or ``optimise batch`` calls (the job's
``engine``, transport when missing), writes each stage the run reports to the
workspace database, and ends the run ``finished`` (with its summary) or ``failed``
(with one line saying why). Stored upload names in messages are replaced by the names
the user uploaded.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from geodata.errors import InputError
from optimise.app.replan import run_replan
from optimise.app.store import Workspace
from optimise.batch.runner import run_batch
from optimise.batch.spec import parse_spec
from optimise.config import RunConfig
from optimise.estate.params import EstateParams
from optimise.estate.run import EstateInputs, load_layers, plan_estate, write_estate
from optimise.hours.run import HoursInputs, load_inputs, load_params, plan_hours, write_hours
from optimise.jobs import JobContext
from optimise.report import write_report
from optimise.settings import EstateSettings, HoursSettings
from optimise.transport.run import run_routes
from optimise.transport.stops.run import run_plan

__all__ = ["execute"]


def _named(text: str, names: dict[str, str]) -> str:
    for stored, original in names.items():
        text = text.replace(stored, original)
    return text


def _transport(ws: Workspace, run_id: int, job: dict[str, Any]) -> dict[str, Any]:
    out_dir = ws.run_dir(run_id)
    if job.get("command") == "replan":
        return _replan(ws, run_id, job)
    files = {k: (Path(v) if v else None) for k, v in job["files"].items()}
    columns = job["columns"]
    personal = bool(job.get("personal"))
    extra: dict[str, Any] = {"include_personal_data": True} if personal else {}
    plan = Path(job["current_plan"]) if job.get("current_plan") else None
    run = run_plan if job.get("command") == "plan" else run_routes
    summary = run(
        out_dir,
        files=files,
        columns=lambda kind: dict(columns.get(kind) or {}),
        table=job["table"],
        time_limit=float(job["time_limit"]),
        seed=int(job["seed"]),
        run=job["run"],
        current_plan=plan,
        step=lambda text: ws.progress(run_id, _named(text, job["names"])),
        **extra,
    )
    ws.progress(run_id, "writing the report")
    write_report(out_dir, **extra)
    return summary


def _replan(ws: Workspace, run_id: int, job: dict[str, Any]) -> dict[str, Any]:
    """'Re-plan around my changes' on a run's edited plan (:mod:`optimise.app.replan`)."""
    out_dir = ws.run_dir(run_id)
    step = lambda text: ws.progress(run_id, _named(text, job.get("names") or {}))  # noqa: E731
    summary = run_replan(out_dir, ws.run_dir(int(job["parent"])), job, step)
    ws.progress(run_id, "writing the report")
    write_report(out_dir, include_personal_data=bool(job.get("personal")))
    return summary


def _estate(ws: Workspace, run_id: int, job: dict[str, Any]) -> dict[str, Any]:
    """``optimise estate`` on the embedded data or an uploaded sites file (``--sites``,
    ``--columns``): the time limit counts from here."""
    started = time.monotonic()
    limit = float(job["time_limit"])
    sites_file = (job.get("files") or {}).get("sites")
    columns = (job.get("columns") or {}).get("sites") or None
    cfg = RunConfig.load(None, seed=int(job["seed"]), time_limit=limit, columns=columns,
                         kind="sites")  # fmt: skip
    params = EstateParams.from_dict(job["params"], source="Estate settings")
    step = lambda text: ws.progress(run_id, _named(text, job.get("names") or {}))  # noqa: E731
    step("reading sites and zones")
    sites, zones, _notes = load_layers(cfg, Path(sites_file) if sites_file else None, None)
    context = JobContext(seed=cfg.seed, time_limit=limit, deadline=started + limit, step=step)
    run = plan_estate(EstateInputs(sites, zones), EstateSettings(params), context,
                      int(job["pareto"]))  # fmt: skip
    summary = write_estate(run, ws.run_dir(run_id))
    step("writing the report")
    write_report(ws.run_dir(run_id))
    return summary


def _hours(ws: Workspace, run_id: int, job: dict[str, Any]) -> dict[str, Any]:
    """``optimise hours`` on the embedded data, the time limit counted from here."""
    started = time.monotonic()
    limit = float(job["time_limit"])
    cfg = RunConfig.load(None, seed=int(job["seed"]), time_limit=limit)
    params = load_params(cfg, **job["params"])
    ws.progress(run_id, "calibrating demand and choosing opening hours")
    centres, zones = load_inputs(cfg, None, None)
    context = JobContext(seed=cfg.seed, time_limit=limit, deadline=started + limit)
    run = plan_hours(HoursInputs(centres, zones, None), HoursSettings(params), context,
                     curve=bool(job["curve"]))  # fmt: skip
    summary = write_hours(run, ws.run_dir(run_id))
    ws.progress(run_id, "writing the report")
    write_report(ws.run_dir(run_id))
    return summary


def _batch(ws: Workspace, run_id: int, job: dict[str, Any]) -> dict[str, Any]:
    """``optimise batch --serial`` on an uploaded scenario file (embedded data only),
    its time limit counted from here; each finished scenario is a stage."""
    deadline = time.monotonic() + float(job["time_limit"])
    text = Path(job["path"]).read_text(encoding="utf-8-sig")
    spec = parse_spec(text, source=job["name"], base_dir=None)

    def progress(done: int, failed: int, total: int) -> None:
        more = f" ({failed} failed)" if failed else ""
        ws.progress(run_id, f"{done + failed} of {total} scenarios finished{more}")

    summary = run_batch(spec, ws.run_dir(run_id), serial=True, progress=progress,
                        deadline=deadline)  # fmt: skip
    ws.progress(run_id, "writing the report")
    write_report(ws.run_dir(run_id))
    return summary


#: What each job's ``engine`` runs.
ENGINES = {"transport": _transport, "estate": _estate, "hours": _hours, "batch": _batch}


def execute(root: str, run_id: int, job: dict[str, Any]) -> None:
    """Run ``job`` as run ``run_id`` of the workspace at ``root`` (a run process)."""
    logging.basicConfig(level=logging.ERROR)
    ws = Workspace(root)
    if not ws.start(run_id):
        return  # cancelled before it started
    try:
        summary = ENGINES[job.get("engine", "transport")](ws, run_id, job)
    except InputError as exc:
        ws.end(run_id, "failed", _named(str(exc), job.get("names") or {}))
    except Exception as exc:
        ws.end(run_id, "failed", f"internal error: {type(exc).__name__}: {exc}")
    else:
        ws.finish(run_id, summary)
