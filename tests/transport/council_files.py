"""The default data written as a council's CSV files (pupils of a few schools only),
for end-to-end tests of the transport commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from geodata.default import load_default

if TYPE_CHECKING:
    from pathlib import Path


def council_files(folder: Path, schools: list[str]) -> dict[str, Path]:
    """``pupils.csv`` (the pupils of ``schools``), ``schools.csv``, ``stops.csv`` and
    ``fleet.csv`` in ``folder``, with lon/lat columns; kind → path."""
    data = load_default(2026)
    out = {}
    for kind in ("pupils", "schools", "stops", "fleet"):
        frame = getattr(data, kind)
        if kind == "pupils":
            frame = frame[frame.school_id.isin(schools)]
        ll = frame.geometry.to_crs(4326)
        table = pd.DataFrame(frame.drop(columns="geometry")).assign(lon=ll.x, lat=ll.y)
        out[kind] = folder / f"{kind}.csv"
        table.to_csv(out[kind], index=False)
    return out
