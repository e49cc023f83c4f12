"""The transport page's form: which files, how their columns map, the policy.

Every value comes from the form as text and is checked here: a file is an upload id
looked up in the workspace (never a path), a column one of the file's own, a number a
finite number in range. A bad value is one line (InputError) shown on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError, ValidationError
from models.transport import TransportPolicy
from optimise.app.forms import number as _number
from optimise.app.forms import one_of as _one_of
from optimise.app.mapping import fields_of, from_form, guess
from optimise.app.uploads import KINDS, PLAN, header_of, sheets_of
from optimise.app.workbooks import first_table
from optimise.config import SEED_MAX

if TYPE_CHECKING:
    from collections.abc import Mapping

    from optimise.app.store import Workspace

__all__ = ["COMMANDS", "POLICY", "RUNS", "Chosen", "choose", "choose_one", "current_plan",
           "policy_of"]  # fmt: skip

#: Policy inputs on the page: form name → (label, TransportPolicy key, unit).
POLICY = (
    ("max_ride_primary_min", "Ride limit, primary pupils", "min"),
    ("max_ride_secondary_min", "Ride limit, secondary pupils", "min"),
    ("max_walk_primary_m", "Walk to a stop, primary pupils", "m"),
    ("max_walk_secondary_m", "Walk to a stop, secondary pupils", "m"),
    ("pm_delay_min", "Afternoon: board after the school's end time", "min"),
)
#: What a run does: the CLI's ``optimise transport <command>``.
COMMANDS = (("routes", "routes from the pick-up points in the stops file"),
            ("plan", "choose pick-up points, then routes"))  # fmt: skip
RUNS = (("both", "morning and afternoon"), ("am", "morning"), ("pm", "afternoon"))
DEFAULT_TIME_LIMIT = 60.0


@dataclass
class Chosen:
    """One kind's file: the embedded data (``upload`` None) or an upload, its sheet
    (a workbook's) and its mapping."""

    kind: str
    upload: dict[str, Any] | None = None
    header: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None

    @property
    def fields(self) -> list[tuple[str, bool, str]]:
        return fields_of(self.kind)

    @property
    def sheet_field(self) -> str:
        """The form field of the sheet (named by the upload: a choice made for another
        file is not this one's)."""
        return f"sheet.{self.kind}.{self.upload['id'] if self.upload else ''}"

    @property
    def name(self) -> str:
        """The uploaded file's name (and sheet), for messages."""
        name = self.upload["original_name"] if self.upload else self.kind
        return f"{name}#{self.sheet}" if self.sheet else name

    def path(self, ws: Workspace) -> str:
        """The stored file for the engine's readers (``PATH#SHEET`` for a workbook)."""
        assert self.upload is not None
        path = str(ws.upload_path(self.upload))
        return f"{path}#{self.sheet}" if self.sheet else path


def _upload(ws: Workspace, kind: str, value: str) -> dict[str, Any] | None:
    if not value.strip():
        return None
    upload = ws.upload(int(value)) if value.strip().isdigit() else None
    if upload is None or upload["kind"] != kind:
        label = kind.replace("_", " ")
        raise InputError(
            f"{label}: expected one of the uploaded {label} files, found {value[:40]!r}"
        )
    return upload


def choose_one(ws: Workspace, kind: str, values: Mapping[str, Any], mapped: bool) -> Chosen:
    """One kind's file from ``values`` (``<kind>`` = upload id, empty: the embedded
    data); with ``mapped`` the columns chosen on the form, else those guessed."""
    upload = _upload(ws, kind, str(values.get(kind, "")))
    chosen = Chosen(kind, upload)
    if upload is not None:
        _sheet(ws, chosen, str(values.get(chosen.sheet_field, "")))
        chosen.columns = (from_form(kind, chosen.header, values, chosen.name) if mapped
                          else guess(kind, chosen.header))  # fmt: skip
    return chosen


def choose(ws: Workspace, values: Mapping[str, Any], mapped: bool) -> list[Chosen]:
    """Each kind's file from ``values`` (query or form: ``<kind>`` = upload id); with
    ``mapped`` the columns chosen on the form, else the ones guessed from the header."""
    return [choose_one(ws, kind, values, mapped) for kind in KINDS]


def current_plan(ws: Workspace, values: Mapping[str, Any]) -> Chosen | None:
    """The current plan chosen on the form (field ``current_plan``), or None."""
    upload = _upload(ws, PLAN, str(values.get(PLAN, "")))
    if upload is None:
        return None
    chosen = Chosen(PLAN, upload)
    _sheet(ws, chosen, str(values.get(chosen.sheet_field, "")))
    return chosen


def _sheet(ws: Workspace, chosen: Chosen, value: str) -> None:
    """The chosen sheet of a workbook (when none is, its first with a table) and its
    header."""
    upload = chosen.upload
    assert upload is not None  # only an upload has sheets
    path = ws.upload_path(upload)
    chosen.sheets = sheets_of(path)
    if chosen.sheets:
        if value and value not in chosen.sheets:
            listed = ", ".join(chosen.sheets)[:200]
            raise InputError(
                f"{chosen.name}: expected one of its sheets ({listed}), found {value[:40]!r}"
            )
        chosen.sheet = value or first_table(path)[0] or chosen.sheets[0]
    try:
        chosen.header = header_of(path, chosen.sheet)
    except ValidationError as exc:
        text = str(exc.problems[0]).replace(str(path), upload["original_name"])
        raise InputError(text) from None


def policy_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The run settings from the form: time limit, seed, run and the [transport] table
    (checked by TransportPolicy, as the config file's table is)."""
    time_limit = _number(values, "time_limit", "Time limit (seconds)", 1, 86400)
    seed = _number(values, "seed", "Seed", 0, SEED_MAX)
    if seed is not None and seed != int(seed):
        raise InputError(f"Seed: expected a whole number, found {values.get('seed')!r}")
    run = _one_of(values, "run", "Run", RUNS)
    command = _one_of(values, "command", "Plan", COMMANDS)
    table = {}
    for name, label, _unit in POLICY:
        value = _number(values, name, label, 0, 100000)
        if value is not None:
            table[name] = value
    TransportPolicy.from_dict(table, source="[transport]")
    seed = 2026 if seed is None else int(seed)
    return {"command": command, "time_limit": time_limit or DEFAULT_TIME_LIMIT, "seed": seed,
            "run": run, "table": table}  # fmt: skip
