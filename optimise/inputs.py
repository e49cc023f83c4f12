"""One way to read a user's layer for every command (issue #17).

:func:`read_layer` reads and checks one file with the run's ``[columns]``,
``on_bad_row`` and reader settings. Skipped rows (``on_bad_row = "skip"``) are reported
one way: one WARNING line naming the file, the count and the first rows, and in the
frame's ``attrs["read"]`` (``rows_skipped``, ``first_rows_skipped``), which the
transport summaries copy into ``inputs``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

from geodata.read import read

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd

    from geodata.read.derived import ReadSettings

__all__ = ["read_layer"]

log = logging.getLogger(__name__)

#: Skipped rows a warning and a summary name (the count is always whole).
FIRST_ROWS = 5


def read_layer(
    path: Path,
    kind: str,
    columns: dict[str, str] | None = None,
    on_bad_row: str = "error",
    reading: ReadSettings | None = None,
) -> gpd.GeoDataFrame:
    """``path`` read and checked as ``kind``; rows skipped are reported (see above)."""
    mode: Literal["error", "skip"] = "skip" if on_bad_row == "skip" else "error"
    layer = read(path, kind, columns=columns or None, on_bad_row=mode, settings=reading)
    if layer.skipped:
        rows = sorted({p.row for p in layer.skipped if p.row is not None})
        count = len(rows) or len(layer.skipped)
        first = ", ".join(str(r) for r in rows[:FIRST_ROWS])
        log.warning("%s: %d bad row(s) skipped (rows %s%s; first: %s)", path, count, first,
                    ", ..." if len(rows) > FIRST_ROWS else "", layer.skipped[0])  # fmt: skip
        notes = dict(layer.frame.attrs.get("read") or {})
        notes.update(rows_skipped=count, first_rows_skipped=rows[:FIRST_ROWS])
        layer.frame.attrs["read"] = notes
    return layer.frame
