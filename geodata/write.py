"""Writers that never leave a partial file behind.

Every file is written to a temporary name in the same folder and renamed into place
only once complete (``os.replace`` is atomic on one file system). A run that writes
several files stages them in a hidden folder inside the output folder and moves them
in only when the whole run succeeded (:class:`Staging`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from collections.abc import Iterator

    import geopandas as gpd
    import pandas as pd

__all__ = [
    "Staging",
    "atomic_path",
    "frame_to_csv",
    "write_csv",
    "write_gpkg",
    "write_json",
    "write_text",
]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    return write_text(
        path, json.dumps(data, indent=2, sort_keys=False, default=_json_default) + "\n"
    )


def _json_default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def frame_to_csv(frame: pd.DataFrame | gpd.GeoDataFrame, *, coords: str = "lonlat") -> pd.DataFrame:
    """A plain table for spreadsheets: point geometry as columns, no WKT.

    ``coords`` is ``"lonlat"`` (WGS84 ``lon``/``lat``), ``"bng"`` (``easting``/
    ``northing``), ``"both"`` or ``"none"``. Non-point geometries are dropped (a
    GeoPackage carries them).
    """
    import geopandas as gpd
    import pandas as pd

    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        return pd.DataFrame(frame)
    geom = frame.geometry
    table = pd.DataFrame(frame.drop(columns=[geom.name]))
    if coords == "none" or geom.isna().all():
        return table
    points = geom.representative_point() if not (geom.geom_type == "Point").all() else geom
    if coords in ("bng", "both"):
        bng = points.to_crs(27700)
        table["easting"] = bng.x.round(1)
        table["northing"] = bng.y.round(1)
    if coords in ("lonlat", "both"):
        wgs = points.to_crs(4326)
        table["lon"] = wgs.x.round(6)
        table["lat"] = wgs.y.round(6)
    return table


def write_csv(
    path: str | os.PathLike[str], frame: pd.DataFrame | gpd.GeoDataFrame, *, coords: str = "lonlat"
) -> Path:
    table = frame_to_csv(frame, coords=coords)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    return Path(path)


def write_gpkg(path: str | os.PathLike[str], layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """Write several layers into one GeoPackage, atomically."""
    with atomic_path(path) as tmp:
        for name, layer in layers.items():
            layer.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
    return Path(path)


class Staging:
    """Stage a run's outputs and publish them together.

    >>> with Staging(out_dir) as stage:          # doctest: +SKIP
    ...     write_json(stage.path / "summary.json", {...})

    Files written under ``stage.path`` are moved into ``out_dir`` only when the block
    ends without an exception; otherwise the staging folder is removed and ``out_dir``
    keeps what it had before.
    """

    def __init__(self, out_dir: str | os.PathLike[str]):
        self.out_dir = Path(out_dir)
        self.path = Path()

    def __enter__(self) -> Self:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.out_dir))
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                for src in sorted(self.path.rglob("*")):
                    if src.is_dir():
                        continue
                    dst = self.out_dir / src.relative_to(self.path)
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(src, dst)
        finally:
            shutil.rmtree(self.path, ignore_errors=True)
