"""Writers that never leave a partial file behind.

Every file is written to a temporary name in the same folder and renamed into place
only once complete (``os.replace`` is atomic on one file system). A run that writes
several files stages them in a hidden folder inside the output folder and moves them
in only when the whole run succeeded (:class:`Staging`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterator


__all__ = [
    "OutputError",
    "Staging",
    "atomic_path",
    "check_out",
    "frame_to_csv",
    "output_error",
    "remove_stale_staging",
    "strict_json",
    "write_csv",
    "write_gpkg",
    "write_json",
    "write_text",
]


class OutputError(InputError):
    """An output folder that cannot be written: the CLI prints one line, exit code 2."""


def check_out(path: str | os.PathLike[str] | None) -> Path | None:
    """Fail early, in one line, when ``path`` cannot become a run's output folder.

    It must be a folder or not exist yet, must not lie under a file, and the nearest
    existing folder must be writable.
    """
    if path is None:
        return None
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder: choose a folder path for --out")
    here = out.absolute()
    while not here.exists() and here != here.parent:
        here = here.parent
    if not here.is_dir():
        raise OutputError(
            f"--out {out} lies under the file {here}, so no folder can be made there: "
            "choose another --out"
        )
    if not os.access(here, os.W_OK | os.X_OK):
        raise OutputError(
            f"--out {out}: the folder {here} is not writable: choose a folder you can write to"
        )
    return out


def output_error(exc: OSError, out: str | os.PathLike[str]) -> OutputError:
    """One line for an OSError met while writing a run's outputs into ``out``."""
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
        hint = "free some space or choose another --out"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "permission denied" if exc.errno != errno.EROFS else "read-only file system"
        hint = "choose a folder you can write to"
    else:
        reason = exc.strerror or str(exc)
        hint = "check the path or choose another --out"
    where = f" ({exc.filename})" if exc.filename else ""
    return OutputError(
        f"cannot write the outputs to {out}: {reason}{where}; {hint} (nothing was written)"
    )


_WRITE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG}


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 1 << 20
    except OSError:
        return False


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
    """Strict JSON (RFC 8259): NaN and infinity are written as null."""
    text = json.dumps(
        strict_json(data), indent=2, sort_keys=False, default=_json_default, allow_nan=False
    )
    return write_text(path, text + "\n")


def strict_json(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, ±inf, numpy's too) replaced by None,
    so that it can be written as strict JSON; dicts, lists and tuples are copied."""
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return [strict_json(v) for v in value.tolist()]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def _json_default(value: Any) -> Any:
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
        try:
            for name, layer in layers.items():
                layer.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
        except OSError:
            raise
        except Exception as exc:  # GDAL reports a full disk as a damaged GeoPackage
            if _disk_full(tmp.parent):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from exc
            raise
    return Path(path)


class Staging:
    """Stage a run's outputs and publish them together.

    >>> with Staging(out_dir, owns=OUTPUTS) as stage:          # doctest: +SKIP
    ...     write_json(stage.path / "summary.json", {...})

    Files written under ``stage.path`` are moved into ``out_dir`` only when the block
    ends without an exception; otherwise the staging folder is removed and ``out_dir``
    keeps what it had before. A run owns its folder: ``owns`` names every file any run
    of the command can write, and those an earlier run left that this run did not write
    are removed when the new ones are published (``report.html`` and ``summary.json``
    always count as owned). An OSError (unwritable folder, full disk) becomes one
    :class:`OutputError` line.
    """

    ALWAYS_OWNED = ("summary.json", "report.html")

    def __init__(self, out_dir: str | os.PathLike[str], *, owns: tuple[str, ...] = ()):
        self.out_dir = Path(out_dir)
        self.owns = tuple(owns)
        self.path = Path()

    def __enter__(self) -> Self:
        check_out(self.out_dir)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.out_dir))
        except OSError as exc:
            raise output_error(exc, self.out_dir) from exc
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                try:
                    self._publish()
                except OSError as err:
                    raise output_error(err, self.out_dir) from err
            elif isinstance(exc, OSError) and self._writing(exc):
                raise output_error(exc, self.out_dir) from exc
        finally:
            shutil.rmtree(self.path, ignore_errors=True)

    def _writing(self, exc: OSError) -> bool:
        """Whether ``exc`` came from writing the outputs (not from reading an input)."""
        if exc.errno in _WRITE_ERRNOS:
            return True
        if not exc.filename:
            return False
        try:
            return Path(exc.filename).resolve().is_relative_to(self.out_dir.resolve())
        except (OSError, ValueError, TypeError):
            return False

    def _publish(self) -> None:
        files = [src for src in sorted(self.path.rglob("*")) if not src.is_dir()]
        written = {src.relative_to(self.path).as_posix() for src in files}
        if self.owns:
            for name in (*self.owns, *self.ALWAYS_OWNED):
                old = self.out_dir / name
                if name not in written and old.is_file():
                    old.unlink()
        for src in files:
            dst = self.out_dir / src.relative_to(self.path)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)


def remove_stale_staging(out_dir: str | os.PathLike[str]) -> int:
    """Remove ``.staging-*`` folders a killed run left under ``out_dir``; how many."""
    root = Path(out_dir)
    if not root.is_dir():
        return 0
    stale = [p for p in root.rglob(".staging-*") if p.is_dir()]
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    return len(stale)
