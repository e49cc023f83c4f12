"""A copy of a transport plan as a what-if scenario.

:func:`copy_values` turns a run's stored settings back into the transport page's form
values (its files, sheets, column mapping, current plan, policy and time limit), so
the page opens as that run was started; the form then carries ``copy_of`` and the new
run's results page links the two plans' comparison. Runs are named by their ids only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from optimise.app.uploads import PLAN

if TYPE_CHECKING:
    from optimise.app.store import Workspace

__all__ = ["copy_values", "original"]


def original(ws: Workspace, value: Any) -> dict[str, Any] | None:
    """The transport run a form's ``copy_of`` names (None when empty), or InputError."""
    text = str(value or "").strip()
    if not text:
        return None
    run = ws.run(int(text)) if text.isdigit() and len(text) < 12 else None
    if run is None or not run["kind"].startswith("transport"):
        raise InputError(
            f"What-if: expected the number of a transport run to copy, found {text[:40]!r}"
        )
    return run


def _sheet(path: str | None) -> str | None:
    return path.partition("#")[2] or None if path else None


def copy_values(ws: Workspace, run: dict[str, Any]) -> dict[str, str]:
    """The transport page's form values that start ``run`` again, and ``copy_of``."""
    s = run["settings"]
    values = {"copy_of": str(run["id"]), "command": str(s.get("command", "routes")),
              "time_limit": f"{float(s.get('time_limit', 60)):g}", "seed": str(s.get("seed", "")),
              "run": str(s.get("run", "both"))}  # fmt: skip
    values.update({k: f"{float(v):g}" for k, v in (s.get("table") or {}).items()})
    files = s.get("files") or {}
    for kind, upload_id in (s.get("uploads") or {}).items():
        if ws.upload(int(upload_id)) is None:
            continue  # an upload no longer kept: the embedded data
        values[kind] = str(upload_id)
        sheet = _sheet(files.get(kind))
        if sheet:
            values[f"sheet.{kind}.{upload_id}"] = sheet
        for field, column in ((s.get("columns") or {}).get(kind) or {}).items():
            values[f"col.{kind}.{field}"] = column
    plan = s.get("current_plan")
    if plan:
        stored = Path(plan.partition("#")[0]).name
        found = next((u for u in ws.list_uploads() if u["stored_name"] == stored), None)
        if found is not None:
            values[PLAN] = str(found["id"])
            if sheet := _sheet(plan):
                values[f"sheet.{PLAN}.{found['id']}"] = sheet
    return values
