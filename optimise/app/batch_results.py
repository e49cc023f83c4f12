"""A finished batch's results page: its counts (``summary.json``) and the comparison
table the command writes (``comparison.md``: scenario, the parameters that vary,
status, key figures), with the errors of failed scenarios."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["batch_figures", "comparison"]

_BAR = re.compile(r"(?<!\\)\|")


def batch_figures(summary: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        ("Problem", str(summary.get("problem", "—"))),
        ("Scenarios", str(summary.get("scenarios", "—"))),
        ("Finished (ok)", str(summary.get("ok", 0))),
        ("Infeasible", str(summary.get("infeasible", 0))),
        ("Failed", str(summary.get("failed", 0))),
    ]
    if summary.get("missing"):
        rows.append(("Not run (the batch's time limit ran out)", str(summary["missing"])))
    return rows


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in _BAR.split(inner)]


def comparison(folder: Path) -> tuple[list[str], list[list[str]], list[str]]:
    """The comparison table's header and rows, and the failed scenarios' lines."""
    path = folder / "comparison.md"
    if not path.is_file():
        return [], [], []
    lines = path.read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if line.startswith("|")]
    failed = [line[2:] for line in lines if line.startswith("- ")]
    if len(table) < 2:
        return [], [], failed
    return _cells(table[0]), [_cells(line) for line in table[2:]], failed
