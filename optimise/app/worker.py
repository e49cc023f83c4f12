"""What a run process does: the library's transport run, then its report.

:func:`execute` runs in its own process (spawned by :mod:`optimise.app.jobs`). It calls
the function ``optimise transport routes`` or ``optimise transport plan`` calls (the
job's ``command``), writes each stage the run reports to
the workspace database, and ends the run ``finished`` (with its summary) or ``failed``
(with one line saying why). Stored upload names in messages are replaced by the names
the user uploaded.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from geodata.errors import InputError
from optimise.app.store import Workspace

__all__ = ["execute"]


def _named(text: str, names: dict[str, str]) -> str:
    for stored, original in names.items():
        text = text.replace(stored, original)
    return text


def _transport(ws: Workspace, run_id: int, job: dict[str, Any]) -> dict[str, Any]:
    from optimise.report import write_report
    from optimise.transport.run import run_routes
    from optimise.transport.stops.run import run_plan

    out_dir = ws.run_dir(run_id)
    files = {k: (Path(v) if v else None) for k, v in job["files"].items()}
    columns = job["columns"]
    personal = bool(job.get("personal"))
    extra = {"include_personal_data": True} if personal else {}
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


def execute(root: str, run_id: int, job: dict[str, Any]) -> None:
    """Run ``job`` as run ``run_id`` of the workspace at ``root`` (a run process)."""
    logging.basicConfig(level=logging.ERROR)
    ws = Workspace(root)
    if not ws.start(run_id):
        return  # cancelled before it started
    try:
        summary = _transport(ws, run_id, job)
    except InputError as exc:
        ws.end(run_id, "failed", _named(str(exc), job["names"]))
    except Exception as exc:
        ws.end(run_id, "failed", f"internal error: {type(exc).__name__}: {exc}")
    else:
        ws.finish(run_id, summary)
