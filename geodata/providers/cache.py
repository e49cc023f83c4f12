"""Keep built travel matrices on disk, so a re-run does not rebuild them.

A file is named by the sha256 of the provider's ``key()``, the mode, the ids and the
coordinates rounded to the metre: change any of them and the matrix is rebuilt. Files
are ``.npz`` (numpy arrays only: ids as fixed-width text, never pickled objects),
written atomically; one that cannot be read is logged and rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geodata.matrix import TravelMatrix, TravelProvider
from geodata.providers._points import to_bng
from geodata.write import atomic_path

if TYPE_CHECKING:
    import os

    import geopandas as gpd

__all__ = ["CachedProvider", "MatrixCache", "cached"]

logger = logging.getLogger(__name__)

_FORMAT = 1
_FIELDS = ("format", "origins", "destinations", "seconds", "metres", "mode", "source")


class MatrixCache:
    """A folder of cached travel matrices.

    Parameters
    ----------
    directory
        Created when first written to.
    """

    def __init__(self, directory: str | os.PathLike[str]):
        self.directory = Path(directory)

    def __repr__(self) -> str:
        return f"MatrixCache({str(self.directory)!r})"

    def key(
        self,
        provider: TravelProvider,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        mode: str = "drive",
    ) -> str:
        """The hex digest naming the cache file for this request."""
        return self._request(provider, origins, destinations, mode)[0]

    def _request(
        self,
        provider: TravelProvider,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        mode: str,
    ) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        o_ids, o_xy = to_bng(origins, "origins")
        d_ids, d_xy = to_bng(destinations, "destinations")
        return _digest(provider.key(), mode, o_ids, o_xy, d_ids, d_xy), o_ids, d_ids

    def path(self, digest: str) -> Path:
        return self.directory / f"{digest}.npz"

    def get_or_build(
        self,
        provider: TravelProvider,
        origins: gpd.GeoSeries,
        destinations: gpd.GeoSeries,
        mode: str = "drive",
    ) -> TravelMatrix:
        """The cached matrix for this request, or build it with ``provider`` and store it."""
        digest, o_ids, d_ids = self._request(provider, origins, destinations, mode)
        path = self.path(digest)
        if path.exists():
            found = _load(path, o_ids, d_ids, mode)
            if found is not None:
                logger.debug("travel matrix from cache %s", path)
                return found
        matrix = provider.matrix(origins, destinations, mode=mode)
        _save(path, matrix)
        logger.debug("travel matrix cached in %s", path)
        return matrix


def _digest(
    key: str,
    mode: str,
    o_ids: tuple[str, ...],
    o_xy: np.ndarray,
    d_ids: tuple[str, ...],
    d_xy: np.ndarray,
) -> str:
    h = hashlib.sha256()
    # Length-prefixed parts, so no two different requests hash the same bytes.
    for part in (
        key.encode(),
        mode.encode(),
        "\x1f".join(o_ids).encode(),
        np.rint(o_xy).astype("<i8").tobytes(),
        "\x1f".join(d_ids).encode(),
        np.rint(d_xy).astype("<i8").tobytes(),
    ):
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _save(path: Path, matrix: TravelMatrix) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        # A file object, not a name: np.savez would append ".npz" to the temporary name.
        np.savez(
            fh,
            format=np.int64(_FORMAT),
            origins=np.array(matrix.origins, dtype=str),
            destinations=np.array(matrix.destinations, dtype=str),
            seconds=matrix.seconds,
            metres=matrix.metres,
            mode=np.array(matrix.mode, dtype=str),
            source=np.array(matrix.source, dtype=str),
        )


def _load(
    path: Path, o_ids: tuple[str, ...], d_ids: tuple[str, ...], mode: str
) -> TravelMatrix | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            if sorted(data.files) != sorted(_FIELDS) or int(data["format"]) != _FORMAT:
                raise ValueError(f"unexpected contents {sorted(data.files)}")
            matrix = TravelMatrix(
                tuple(data["origins"].tolist()),
                tuple(data["destinations"].tolist()),
                data["seconds"],
                data["metres"],
                str(data["mode"]),
                str(data["source"]),
            )
        if (matrix.origins, matrix.destinations, matrix.mode) != (o_ids, d_ids, mode):
            raise ValueError("ids or mode differ from the request")
    except Exception as err:  # any unreadable file is rebuilt, whatever broke it
        logger.warning("ignoring unreadable travel-matrix cache %s (%s); rebuilding it", path, err)
        return None
    return matrix


@dataclass(frozen=True)
class CachedProvider:
    """A :class:`TravelProvider` that looks in ``cache`` before asking ``provider``."""

    provider: TravelProvider
    cache: MatrixCache

    def matrix(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, mode: str = "drive"
    ) -> TravelMatrix:
        return self.cache.get_or_build(self.provider, origins, destinations, mode)

    def key(self) -> str:
        # Same matrices as the wrapped provider, so the same key.
        return self.provider.key()


def cached(provider: TravelProvider, cache: MatrixCache | str | os.PathLike[str]) -> CachedProvider:
    """Wrap ``provider`` so its matrices are kept in ``cache`` (a cache or a folder)."""
    if not isinstance(cache, MatrixCache):
        cache = MatrixCache(cache)
    return CachedProvider(provider, cache)
