"""Scenario keys to each solver's validated parameters.

A key names a field of the solver's parameters (``max_travel_minutes``), an alias
(``max_travel``), or a dotted path (``estate.receipt_target``,
``transport.routing.chain_gap_min``, ``fleet.minibus.day_rate``; for transport,
``plan = true`` runs ``transport plan``, whose ``stops.*`` keys then apply). ``seed`` and
``time_limit`` are run settings of any kind. Validation happens here, in the process
that reads the scenario file, so a bad value is an InputError before anything runs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from geodata.errors import InputError
from optimise.settings import TransportSettings, settings_for
from optimise.transport.run import RUNS

__all__ = ["KINDS", "RUN_KEYS", "resolve"]

#: Problem kinds of a scenario file; ``none`` runs nothing (it measures the machinery).
KINDS = ("estate", "hours", "transport", "none")
#: Keys every kind accepts: the solver's seed and its time limit in seconds.
RUN_KEYS = ("seed", "time_limit")

_ALIASES = {
    "estate": {"max_travel": "max_travel_minutes"},
    "hours": {"budget": "budget_hours", "min_block": "min_block_hours"},
    "transport": {},
    "none": {},
}
_FLEET_COLUMNS = ("seats", "wheelchair_spaces", "day_rate", "cost_per_mile", "available")
# ``none`` scenarios: wait, fail, or kill their worker once (``crash_once`` names a
# marker file): how the tests and the benchmark exercise the machinery.
_NONE_KEYS = {"sleep": 0.0, "fail": False, "crash_once": ""}


def resolve(kind: str, values: dict[str, Any], source: str) -> dict[str, Any]:
    """Validated, complete parameters of one scenario as plain data (no objects).

    Parameters
    ----------
    kind
        One of :data:`KINDS`.
    values
        The scenario's keys (base, then named scenario, then grid point), run keys
        removed.
    source
        Where the values come from, for error messages (``FILE: [grid]``).

    Returns
    -------
    dict
        ``{"params": ...}`` for estate and hours; ``{"policy", "routing", "fleet"}``
        for transport; ``{"sleep", "fail", "crash_once"}`` for none.
    """
    flat = {}
    for key, value in values.items():
        name = key.removeprefix(f"{kind}.")
        flat[_ALIASES[kind].get(name, name)] = value
    if kind in ("estate", "hours"):  # the same settings object as the command's table
        return {"params": _plain(settings_for(kind, flat, source).params)}
    if kind == "transport":
        return _transport(flat, source)
    unknown = sorted(set(flat) - set(_NONE_KEYS) - set(RUN_KEYS))
    if unknown:
        raise InputError(
            f"{source}: unknown key '{unknown[0]}' for problem 'none'; "
            f"expected one of: {', '.join(_NONE_KEYS)}"
        )
    return {**_NONE_KEYS, **flat}


def _transport(flat: dict[str, Any], source: str) -> dict[str, Any]:
    """The dotted keys as a ``[transport]`` table, read by the commands' own settings
    object (:class:`optimise.settings.TransportSettings`); ``fleet.*`` apart."""
    plan = flat.get("plan", False)
    if not isinstance(plan, bool):
        raise InputError(f"{source}: key 'plan': expected true or false, found {plan!r}")
    run = flat.get("run")
    if run is not None and run not in RUNS:
        raise InputError(f"{source}: key 'run': expected one of {', '.join(RUNS)}, found {run!r}")
    table: dict[str, Any] = {}
    fleet = {}
    for key, value in flat.items():
        if key in ("plan", "run"):
            continue
        if key.startswith("fleet."):
            fleet[_fleet_key(key, value, source)] = value
        elif key.startswith(("stops.", "routing.")):
            sub, name = key.split(".", 1)
            table.setdefault(sub, {})[name] = value
        else:
            table[key] = value
    if "stops" in table and not plan:
        raise InputError(f"{source}: keys 'stops.*' need plan = true (choose pick-up points)")
    config_only = sorted({"no_share", "never_share", "school_year"} & set(table))
    if config_only:  # id pairs and the school year are the data's, not a scenario's
        raise InputError(
            f"{source}: unknown key '{config_only[0]}' for a transport scenario; expected "
            "policy keys, routing.*, stops.* or fleet.*"
        )
    settings = TransportSettings.from_table(table, source)
    resolved: dict[str, Any] = {
        "policy": _plain(settings.policy),
        "routing": _plain(settings.routing),
        "fleet": fleet,
    }
    if run is not None:  # am | pm | both; absent (the morning), so old hashes stand
        resolved["run"] = run
    if plan:  # `transport plan` (pick-up points + routes); absent, so old hashes stand
        resolved["plan"] = True
        resolved["stops"] = _plain(settings.stops)
    return resolved


def _fleet_key(key: str, value: Any, source: str) -> str:
    """``fleet.TYPE_OR_ID.COLUMN`` → ``TYPE_OR_ID.COLUMN``, its value a number ≥ 0."""
    parts = key.split(".")
    if len(parts) != 3 or parts[2] not in _FLEET_COLUMNS:
        raise InputError(
            f"{source}: key '{key}': expected fleet.TYPE_OR_ID.COLUMN with COLUMN one "
            f"of {', '.join(_FLEET_COLUMNS)}"
        )
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"{source}: key '{key}' expected a number ≥ 0, found {value!r}")
    return f"{parts[1]}.{parts[2]}"


def _plain(params: Any) -> dict[str, Any]:
    # Tuples become lists so that the hash of a scenario does not depend on container types.
    return {
        k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(params).items()
    }
