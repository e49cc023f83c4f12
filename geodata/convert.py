"""Turn a council's own file into the engine's format, listing what was left out.

``optimise data import`` calls :func:`convert`: read and validate once, then write the
layer with the canonical column names (GeoPackage + CSV), the skipped rows with their
reasons (``skipped.csv``) and a summary, all published together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from geodata.read import read
from geodata.write import Staging, write_csv, write_gpkg, write_json

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from geodata.read.derived import ReadSettings
    from geodata.validate import OnBadRow

__all__ = ["convert"]


def convert(
    path: str | os.PathLike[str],
    kind: str,
    out_dir: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    on_bad_row: OnBadRow = "error",
    crs: str | None = None,
    layer: str | None = None,
    settings: ReadSettings | None = None,
) -> dict[str, Any]:
    """Validate ``path`` as ``kind`` and write it to ``out_dir``; returns the summary.

    Raises :class:`geodata.errors.ValidationError` (nothing written) when the file has
    a file-level problem, or row problems and ``on_bad_row="error"``.
    """
    loaded = read(path, kind, columns=columns, on_bad_row=on_bad_row, crs=crs, layer=layer,
                  settings=settings)  # fmt: skip
    frame = loaded.frame
    files = [f"{kind}.csv", "summary.json"]
    with Staging(out_dir) as stage:
        write_csv(stage.path / f"{kind}.csv", frame)
        if frame.geometry.notna().any():
            write_gpkg(stage.path / f"{kind}.gpkg", {kind: frame})
            files.append(f"{kind}.gpkg")
        if loaded.skipped:
            skipped = pd.DataFrame([p.as_dict() for p in loaded.skipped])
            write_csv(stage.path / "skipped.csv", skipped)
            files.append("skipped.csv")
        summary = {
            "command": "data import",
            "file": str(path),
            "kind": kind,
            "on_bad_row": on_bad_row,
            "rows_kept": len(frame),
            "rows_skipped": len({p.row for p in loaded.skipped}),
            "defaults_filled": dict(loaded.filled),
            "skipped": [p.as_dict() for p in loaded.skipped],
            "read": dict(loaded.notes),
            "files": sorted(files),
        }
        write_json(stage.path / "summary.json", summary)
    return summary
