"""A bar chart of each scenario's headline figure (matplotlib, when installed)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from geodata.write import atomic_path

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

__all__ = ["HEADLINE", "plot_comparison", "warm"]

log = logging.getLogger(__name__)

#: The figure each kind's chart compares.
HEADLINE = {
    "estate": "annual_saving_gbp",
    "hours": "demand_served",
    "transport": "annual_cost_gbp",
}


def warm() -> None:
    """Import matplotlib ahead of :func:`plot_comparison` (about a second): a batch on
    Dask calls this while its last scenarios run and a core is idle."""
    try:
        # lazy: matplotlib is optional (not a dependency) and must get the Agg backend first
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot
    except ImportError:
        pass


def plot_comparison(table: pd.DataFrame, kind: str, path: Path) -> Path | None:
    """Write ``path`` (PNG): one bar per finished scenario; None when there is nothing
    to draw or matplotlib is missing."""
    column = HEADLINE.get(kind)
    if column is None or column not in table:
        return None
    rows = table[table["status"] == "ok"].dropna(subset=[column])
    if rows.empty:
        return None
    try:
        # lazy: matplotlib is optional (not a dependency) and must get the Agg backend first
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.info("matplotlib not installed: no chart")
        return None
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.2))
    ax.barh(rows["name"].astype(str), rows[column].astype(float))
    ax.invert_yaxis()
    ax.set_xlabel(column.replace("_", " "))
    ax.set_title(f"{kind}: {column.replace('_', ' ')} by scenario")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
    return path
