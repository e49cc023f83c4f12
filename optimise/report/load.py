"""Recognise a finished run folder and read its files for the report.

A report is drawn only from what a run wrote (``summary.json``, its CSV tables and its
GeoPackage), never from the inputs, so ``optimise report DIR`` gives the same page as
the run did and cannot pick up the pupils' homes from the input data.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal, overload

import geopandas as gpd
import pandas as pd
import pyogrio

from geodata.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["KINDS", "read_csv", "read_layer", "read_summary", "run_kind"]

#: Kind of run → the files (besides summary.json) that show a folder is one.
KINDS = {
    "transport": ("routes.csv", "routes.gpkg"),
    "estate": ("sites.csv", "estate.gpkg"),
    "hours": ("timetable.csv", "centres.csv"),
    "batch": ("results.csv",),
}
_COMMANDS = {"transport routes": "transport", "transport plan": "transport",
             "transport replan": "transport", "estate": "estate",
             "hours": "hours", "batch": "batch", "demo": "demo"}  # fmt: skip


def read_summary(folder: Path) -> dict[str, Any]:
    """``folder/summary.json``, or a one-line InputError saying why it is not a run."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder; expected the --out folder of a finished run")
    path = folder / "summary.json"
    if not path.is_file():
        raise InputError(
            f"{folder}: not a run folder: expected summary.json written by an optimise run "
            f"(demo, transport routes, estate, hours or batch), found none"
        )
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: expected JSON written by an optimise run, found {exc}") from None
    if not isinstance(summary, dict):
        raise InputError(f"{path}: expected a JSON object, found {type(summary).__name__}")
    return summary


def run_kind(folder: Path, summary: dict[str, Any]) -> str:
    """``demo``, ``transport``, ``estate``, ``hours`` or ``batch``."""
    kind = _COMMANDS.get(str(summary.get("command", "")))
    if kind is None:
        kind = next((k for k, need in KINDS.items() if all((folder / f).is_file() for f in need)),
                    None)  # fmt: skip
    if kind is None:
        named = summary.get("command")
        what = f"a '{named}' run has no report" if named else "summary.json names no run"
        raise InputError(
            f"{folder}: not a run with a report: {what}; expected a folder of demo, transport "
            "routes, transport plan, estate, hours or batch (routes.csv, sites.csv, "
            "timetable.csv or results.csv)"
        )
    missing = [f for f in KINDS.get(kind, ()) if not (folder / f).is_file()]
    if missing:
        raise InputError(f"{folder}: {kind} run is incomplete: expected {missing[0]}, not found")
    return kind


@overload
def read_csv(path: Path, *, required: Literal[True] = True) -> pd.DataFrame: ...
@overload
def read_csv(path: Path, *, required: bool) -> pd.DataFrame | None: ...
def read_csv(path: Path, *, required: bool = True) -> pd.DataFrame | None:
    """A run's CSV table (None when optional and absent)."""
    if not path.is_file():
        if required:
            raise InputError(f"{path}: expected this table of the run, not found")
        return None
    try:
        return pd.read_csv(path, keep_default_na=True)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: expected a CSV table written by the run, found {exc}") from None


def read_layer(path: Path, name: str) -> Any:
    """One layer of a run's GeoPackage (None when the file or layer is absent)."""
    if not path.is_file():
        return None
    try:
        names = {n for n, _ in pyogrio.list_layers(path)}
        return gpd.read_file(path, layer=name) if name in names else None
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(f"{path}: expected a GeoPackage written by the run, found {exc}") from None
