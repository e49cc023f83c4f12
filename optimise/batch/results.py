"""The results of a batch: one record per scenario, the table, the comparison.

Each finished scenario leaves ``OUT/scenarios/FOLDER/scenario.json`` (written
atomically, last): the record of truth, found again by its hash when a batch is
re-run. ``results.parquet``, ``results.csv`` and ``comparison.md`` are rebuilt from
the records and replaced atomically, so each scenario appears exactly once.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pandas as pd

from geodata.write import atomic_path, write_json, write_text
from optimise.batch.tasks import FIGURES

if TYPE_CHECKING:
    from pathlib import Path

    from optimise.batch.spec import BatchSpec, Scenario

__all__ = ["RECORD", "done_records", "make_record", "write_tables"]

log = logging.getLogger(__name__)

#: File name of a scenario's record inside its folder.
RECORD = "scenario.json"
_FIRST = ("name", "hash", "status", "error", "seconds", "seed", "time_limit")


def make_record(scenario: Scenario, row: dict[str, Any], out: Path) -> dict[str, Any]:
    """The scenario's row (identity, parameters, figures), written to its folder."""
    record = {
        "name": scenario.name,
        "hash": scenario.hash,
        "folder": scenario.folder,
        "kind": scenario.kind,
        "seed": scenario.seed,
        "time_limit": scenario.time_limit,
        "values": scenario.values,
        **row,
    }
    write_json(out / "scenarios" / scenario.folder / RECORD, record)
    return record


def done_records(out: Path, *, include_failed: bool = False) -> dict[str, dict[str, Any]]:
    """Records already in ``out`` by hash (failed ones only with ``include_failed``)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((out / "scenarios").glob(f"*/{RECORD}")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("%s: unreadable record, the scenario runs again", path)
            continue
        if record.get("status") == "failed" and not include_failed:
            continue
        found[record["hash"]] = record
    return found


def write_tables(spec: BatchSpec, records: dict[str, dict[str, Any]], out: Path) -> pd.DataFrame:
    """Rewrite ``results.parquet``, ``results.csv`` and ``comparison.md`` atomically.

    Rows follow the scenario file's order; scenarios not run yet are left out.
    """
    # a grid over seed or time_limit: those are columns of every table already
    varied = [k for k in _varied(spec) if k not in _FIRST]
    rows = []
    for s in spec.scenarios:
        record = records.get(s.hash)
        if record is None:
            continue
        row = {k: record.get(k) for k in _FIRST}
        row.update({k: record.get("values", {}).get(k) for k in varied})
        row.update({k: record.get(k) for k in FIGURES[spec.kind]})
        row["folder"] = f"scenarios/{s.folder}"
        rows.append(row)
    columns = [*_FIRST, *varied, *FIGURES[spec.kind], "folder"]
    table = pd.DataFrame(rows, columns=columns)
    with atomic_path(out / "results.parquet") as tmp:
        _arrow_safe(table).to_parquet(tmp, index=False)
    with atomic_path(out / "results.csv") as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    write_text(out / "comparison.md", comparison_markdown(table, varied, spec.kind))
    return table


def _varied(spec: BatchSpec) -> list[str]:
    """Parameter keys whose value differs between scenarios (all keys if none does)."""
    keys: dict[str, None] = {}
    for s in spec.scenarios:
        keys.update(dict.fromkeys(s.values))
    values = {
        k: {json.dumps(s.values.get(k), sort_keys=True) for s in spec.scenarios} for k in keys
    }
    return [k for k in keys if len(values[k]) > 1] or list(keys)


def _arrow_safe(table: pd.DataFrame) -> pd.DataFrame:
    # A column mixing numbers and text (a grid of 30 and "30") is written as text.
    table = table.copy()
    for col in table.columns:
        kinds = {type(v) for v in table[col] if v is not None and v == v}
        if (kinds - {int, float} and len(kinds) > 1) or kinds & {list, dict}:
            table[col] = table[col].map(
                lambda v: (
                    None if v is None else json.dumps(v) if isinstance(v, list | dict) else str(v)
                )
            )
    return table


def comparison_markdown(table: pd.DataFrame, varied: list[str], kind: str) -> str:
    """A markdown table: scenario, its parameters, status and key figures."""
    columns = ["name", *varied, "status", *FIGURES[kind], "seconds"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in table.iterrows():
        cells = [_cell(row.get(c)) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    failed = table[table["status"] == "failed"]
    for _, row in failed.iterrows():
        lines.append(f"\n- {row['name']}: {row['error']}")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
        return f"{value:,}"
    return str(value).replace("|", "\\|")
