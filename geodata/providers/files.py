"""Read and write travel-matrix files: CSV or Parquet (read: path → parse)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geodata.errors import InputError
from geodata.matrix import UNREACHABLE, TravelMatrix
from geodata.providers.parse import matrix_from_frame, read_csv_frame
from geodata.write import atomic_path

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

__all__ = ["matrix_to_frame", "read_matrix", "write_matrix"]

_CSV = (".csv", ".txt")
_PARQUET = (".parquet", ".pq")


def read_matrix(
    path: str | os.PathLike[str],
    *,
    layout: str = "auto",
    unit: str = "seconds",
    mode: str = "drive",
    columns: Mapping[str, str] | None = None,
    metres_path: str | os.PathLike[str] | None = None,
) -> TravelMatrix:
    """Read a travel matrix from a CSV or Parquet file.

    Parameters are as for :func:`geodata.providers.parse_matrix`; ``metres_path`` is
    the optional wide grid of distances in metres.

    Raises
    ------
    InputError
        The file is missing or not CSV/Parquet.
    ValidationError
        Its contents are wrong; the problems name the file, row and column.
    """
    path = Path(path)
    frame = _read_frame(path, layout=layout, unit=unit, columns=columns)
    metres = None
    if metres_path is not None:
        metres = _read_frame(Path(metres_path), layout="wide", unit="seconds", columns=None)
    return matrix_from_frame(
        frame, layout=layout, unit=unit, mode=mode, columns=columns, metres=metres, file=str(path)
    )


def _read_frame(
    path: Path, *, layout: str, unit: str, columns: Mapping[str, str] | None
) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in _CSV:
        return read_csv_frame(path, str(path), layout=layout, unit=unit, columns=columns)
    if suffix in _PARQUET:
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
            raise InputError(f"{path}: not a readable Parquet file ({err})") from err
    raise InputError(f"{path}: a travel matrix must be .csv or .parquet; found '{suffix}'")


def matrix_to_frame(matrix: TravelMatrix) -> pd.DataFrame:
    """The long table ``origin, destination, seconds, metres``; empty where unreachable."""
    n, m = matrix.shape
    seconds = pd.array(matrix.seconds.ravel(), dtype="Int32")
    metres = pd.array(matrix.metres.ravel(), dtype="Int32")
    seconds[matrix.seconds.ravel() == UNREACHABLE] = pd.NA
    metres[matrix.metres.ravel() == UNREACHABLE] = pd.NA
    # Categoricals: 10M rows of ids written (and dictionary-encoded in Parquet) quickly.
    origin = pd.Categorical.from_codes(np.repeat(np.arange(n), m), categories=matrix.origins)
    dest = pd.Categorical.from_codes(np.tile(np.arange(m), n), categories=matrix.destinations)
    return pd.DataFrame(
        {"origin": origin, "destination": dest, "seconds": seconds, "metres": metres}
    )


def write_matrix(matrix: TravelMatrix, path: str | os.PathLike[str]) -> Path:
    """Write ``matrix`` as a long CSV or Parquet table, atomically.

    Every pair gets a row, so ids keep their order; unreachable pairs have empty
    ``seconds`` and ``metres``. :func:`read_matrix` reads it back unchanged (give it
    the same ``mode``).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _CSV + _PARQUET:
        raise InputError(f"{path}: write a travel matrix as .csv or .parquet; found '{suffix}'")
    frame = matrix_to_frame(matrix)
    with atomic_path(path) as tmp:
        if suffix in _CSV:
            frame.to_csv(tmp, index=False, lineterminator="\n")
        else:
            frame.to_parquet(tmp, index=False)
    return path
