"""The transport page's form: which files, how their columns map, the policy.

Every value comes from the form as text and is checked here: a file is an upload id
looked up in the workspace (never a path), a column one of the file's own, a number a
finite number in range. A bad value is one line (InputError) shown on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from models.transport import TransportPolicy
from optimise.app.mapping import fields_of, from_form, guess
from optimise.app.uploads import KINDS, header_of
from optimise.config import SEED_MAX

if TYPE_CHECKING:
    from collections.abc import Mapping

    from optimise.app.store import Workspace

__all__ = ["POLICY", "RUNS", "Chosen", "choose", "policy_of"]

#: Policy inputs on the page: form name → (label, TransportPolicy key, unit).
POLICY = (
    ("max_ride_primary_min", "Ride limit, primary pupils", "min"),
    ("max_ride_secondary_min", "Ride limit, secondary pupils", "min"),
    ("max_walk_primary_m", "Walk to a stop, primary pupils", "m"),
    ("max_walk_secondary_m", "Walk to a stop, secondary pupils", "m"),
    ("pm_delay_min", "Afternoon: board after the school's end time", "min"),
)
RUNS = (("both", "morning and afternoon"), ("am", "morning"), ("pm", "afternoon"))
DEFAULT_TIME_LIMIT = 60.0


@dataclass
class Chosen:
    """One kind's file: the embedded data (``upload`` None) or an upload and its mapping."""

    kind: str
    upload: dict[str, Any] | None = None
    header: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def fields(self) -> list[tuple[str, bool, str]]:
        return fields_of(self.kind)


def _upload(ws: Workspace, kind: str, value: str) -> dict[str, Any] | None:
    if not value.strip():
        return None
    upload = ws.upload(int(value)) if value.strip().isdigit() else None
    if upload is None or upload["kind"] != kind:
        raise InputError(f"{kind}: expected one of the uploaded {kind} files, found {value[:40]!r}")
    return upload


def choose(ws: Workspace, values: Mapping[str, Any], mapped: bool) -> list[Chosen]:
    """Each kind's file from ``values`` (query or form: ``<kind>`` = upload id); with
    ``mapped`` the columns chosen on the form, else the ones guessed from the header."""
    out = []
    for kind in KINDS:
        upload = _upload(ws, kind, str(values.get(kind, "")))
        chosen = Chosen(kind, upload)
        if upload is not None:
            chosen.header = header_of(ws.upload_path(upload))
            name = upload["original_name"]
            chosen.columns = (from_form(kind, chosen.header, values, name) if mapped
                              else guess(kind, chosen.header))  # fmt: skip
        out.append(chosen)
    return out


def _number(values: Mapping[str, Any], name: str, label: str, low: float, high: float):
    text = str(values.get(name, "")).strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(
            f"{label}: expected a number from {low:g} to {high:g}, found {text[:40]!r}"
        )
    return value


def policy_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The run settings from the form: time limit, seed, run and the [transport] table
    (checked by TransportPolicy, as the config file's table is)."""
    time_limit = _number(values, "time_limit", "Time limit (seconds)", 1, 86400)
    seed = _number(values, "seed", "Seed", 0, SEED_MAX)
    if seed is not None and seed != int(seed):
        raise InputError(f"Seed: expected a whole number, found {values.get('seed')!r}")
    run = str(values.get("run", "both"))
    if run not in dict(RUNS):
        raise InputError(f"Run: expected one of {', '.join(dict(RUNS))}, found {run[:20]!r}")
    table = {}
    for name, label, _unit in POLICY:
        value = _number(values, name, label, 0, 100000)
        if value is not None:
            table[name] = value
    TransportPolicy.from_dict(table, source="[transport]")
    seed = 2026 if seed is None else int(seed)
    return {"time_limit": time_limit or DEFAULT_TIME_LIMIT, "seed": seed, "run": run,
            "table": table}  # fmt: skip
