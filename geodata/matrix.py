"""Travel times and distances between two sets of places.

A :class:`TravelMatrix` is what every solver sees instead of geometry (STYLE.md
practice 4): integer seconds and metres in read-only arrays, with the ids of the
origins and destinations on its two axes. Providers (:class:`TravelProvider`) build
one from points: straight line × circuity at a speed per mode, an imported matrix, and
(in its own issue) the road network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

    import geopandas as gpd

__all__ = ["MODES", "UNREACHABLE", "TravelMatrix", "TravelProvider"]

MODES = ("drive", "walk")

#: Value of an unreachable pair in both arrays. Mask it before summing.
UNREACHABLE = np.iinfo(np.int32).max


def _frozen(values: object, name: str, shape: tuple[int, int]) -> np.ndarray:
    arr = np.asarray(values)
    if arr.shape != shape:
        raise ValueError(f"{name} has shape {arr.shape}; expected {shape} (origins × destinations)")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} holds NaN or infinite values; use UNREACHABLE for no path")
        arr = np.rint(arr)
    if arr.size and (arr.min() < 0 or arr.max() > UNREACHABLE):
        raise ValueError(f"{name} must lie between 0 and UNREACHABLE ({UNREACHABLE})")
    out = np.array(arr, dtype=np.int32, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Seconds and metres from each origin to each destination.

    Parameters
    ----------
    origins, destinations
        Ids, in row and column order. Unique.
    seconds, metres
        Arrays of shape ``(len(origins), len(destinations))``; stored as read-only int32.
        :data:`UNREACHABLE` marks a pair with no path.
    mode
        ``"drive"`` or ``"walk"``.
    source
        Where the figures came from (provider and its settings), for reports.
    """

    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    seconds: np.ndarray
    metres: np.ndarray
    mode: str = "drive"
    source: str = ""

    def __post_init__(self) -> None:
        origins = tuple(str(i) for i in self.origins)
        destinations = tuple(str(i) for i in self.destinations)
        for name, ids in (("origins", origins), ("destinations", destinations)):
            if len(set(ids)) != len(ids):
                seen: set[str] = set()
                for dup in ids:  # the first id met a second time
                    if dup in seen:
                        break
                    seen.add(dup)
                raise ValueError(f"{name} ids must be unique; '{dup}' repeats")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}; found '{self.mode}'")
        shape = (len(origins), len(destinations))
        object.__setattr__(self, "origins", origins)
        object.__setattr__(self, "destinations", destinations)
        object.__setattr__(self, "seconds", _frozen(self.seconds, "seconds", shape))
        object.__setattr__(self, "metres", _frozen(self.metres, "metres", shape))

    @property
    def shape(self) -> tuple[int, int]:
        return self.seconds.shape

    def origin_index(self, ids: Sequence[str] | None = None) -> np.ndarray:
        """Row positions of ``ids`` (all rows when None)."""
        return _positions(self.origins, ids, "origin")

    def destination_index(self, ids: Sequence[str] | None = None) -> np.ndarray:
        """Column positions of ``ids`` (all columns when None)."""
        return _positions(self.destinations, ids, "destination")

    def subset(
        self, origins: Sequence[str] | None = None, destinations: Sequence[str] | None = None
    ) -> TravelMatrix:
        """The matrix restricted to (and ordered as) the given ids."""
        rows = self.origin_index(origins)
        cols = self.destination_index(destinations)
        return TravelMatrix(
            tuple(self.origins[i] for i in rows),
            tuple(self.destinations[j] for j in cols),
            self.seconds[np.ix_(rows, cols)],
            self.metres[np.ix_(rows, cols)],
            self.mode,
            self.source,
        )

    def reachable(self) -> np.ndarray:
        """Boolean array: True where a path exists."""
        return self.seconds != UNREACHABLE

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TravelMatrix):
            return NotImplemented
        return (
            self.origins == other.origins
            and self.destinations == other.destinations
            and self.mode == other.mode
            and np.array_equal(self.seconds, other.seconds)
            and np.array_equal(self.metres, other.metres)
        )

    __hash__ = None  # type: ignore[assignment]


def _positions(axis: tuple[str, ...], ids: Sequence[str] | None, what: str) -> np.ndarray:
    if ids is None:
        return np.arange(len(axis))
    lookup = {v: i for i, v in enumerate(axis)}
    out = []
    for i in ids:
        key = str(i)
        if key not in lookup:
            raise KeyError(f"{what} id '{key}' is not in the matrix")
        out.append(lookup[key])
    return np.asarray(out, dtype=np.intp)


@runtime_checkable
class TravelProvider(Protocol):
    """Something that turns two sets of points into a :class:`TravelMatrix`.

    ``origins`` and ``destinations`` are point GeoSeries in EPSG:27700 whose index holds
    the ids. ``key()`` describes the provider's settings, so a cache can tell matrices
    built with different settings apart.
    """

    def matrix(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, mode: str = "drive"
    ) -> TravelMatrix: ...

    def key(self) -> str: ...
