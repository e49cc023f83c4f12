"""The batch part of a report: the scenario comparison table and a chart of each
finished scenario's headline figure (the one ``comparison.png`` shows, see
:data:`optimise.batch.chart.HEADLINE`), drawn as inline SVG so the page needs no
matplotlib and no image file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optimise.batch.chart import HEADLINE
from optimise.report.load import read_csv
from optimise.report.page import Section, figures, table
from optimise.report.svg import bar_chart

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["section"]


def section(folder: Path, summary: dict[str, Any], key: str = "batch") -> Section:
    results = read_csv(folder / "results.csv")
    problem = str(summary.get("problem", ""))
    s = Section(key, f"Batch: {summary.get('name', folder.name)} ({problem} scenarios)")
    s.blocks.append(figures([
        ("scenarios", summary.get("scenarios")), ("ok", summary.get("ok")),
        ("infeasible", summary.get("infeasible")), ("failed", summary.get("failed")),
        ("workers", summary.get("workers")), ("seconds", summary.get("elapsed_s")),
    ]))  # fmt: skip
    column = HEADLINE.get(problem)
    done = results[results["status"] == "ok"] if "status" in results else results.iloc[:0]
    if column and column in done and len(done):
        s.blocks.append(bar_chart(f"{column} by scenario", done["name"].astype(str).tolist(),
                                  done[column].astype(float).tolist(), column))  # fmt: skip
    else:
        s.blocks.append('<p class="note">No finished scenario to chart.</p>')
    hidden = {"hash", "folder"} | ({"error"} if results.get("error") is None
                                   or results["error"].isna().all() else set())  # fmt: skip
    shown = results[[c for c in results.columns if c not in hidden]]
    s.blocks.append("<h3>Scenarios</h3>" + table(shown, "scenarios"))
    return s
