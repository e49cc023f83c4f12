"""Straight-line distance × circuity, at a speed per mode.

The defaults are assumptions until the road-network issue fits them to real routes:

* ``speed_kmh["drive"] = 48`` (≈30 mph): an average for rural Northumberland
  including junctions, villages and single-track roads, not a cruising speed;
* ``speed_kmh["walk"] = 4.8`` (3 mph): the usual planning walking speed;
* ``circuity["drive"] = 1.3``, ``circuity["walk"] = 1.2``: road distance over
  straight-line distance in the UK is usually 1.2-1.4; walkers cut corners on
  footpaths, so theirs is lower.

Override any of them, e.g. ``StraightLine(circuity={"drive": 1.4})``; modes not given
keep the defaults.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from geodata.errors import InputError
from geodata.matrix import MODES, TravelMatrix
from geodata.providers._points import to_bng

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd

__all__ = ["DEFAULT_CIRCUITY", "DEFAULT_SPEED_KMH", "StraightLine"]

DEFAULT_CIRCUITY: Mapping[str, float] = MappingProxyType({"drive": 1.3, "walk": 1.2})
DEFAULT_SPEED_KMH: Mapping[str, float] = MappingProxyType({"drive": 48.0, "walk": 4.8})

# Rows per block, so a 10,000 × 1,000 matrix never holds more than ~2M floats at once.
_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class StraightLine:
    """Euclidean distance in EPSG:27700 × circuity; seconds = metres / speed.

    Parameters
    ----------
    circuity
        Road (or path) distance over straight-line distance, per mode.
    speed_kmh
        Average door-to-door speed, per mode, in km/h.
    """

    circuity: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CIRCUITY))
    speed_kmh: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SPEED_KMH))

    def __post_init__(self) -> None:
        for name, given, default in (
            ("circuity", self.circuity, DEFAULT_CIRCUITY),
            ("speed_kmh", self.speed_kmh, DEFAULT_SPEED_KMH),
        ):
            merged = {**default, **dict(given)}
            for mode, value in merged.items():
                if mode not in MODES:
                    raise ValueError(f"{name} has unknown mode '{mode}'; expected one of {MODES}")
                if not _positive(value):
                    raise ValueError(f"{name}['{mode}'] must be a positive number; found {value!r}")
            object.__setattr__(self, name, MappingProxyType({m: float(merged[m]) for m in MODES}))

    def matrix(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, mode: str = "drive"
    ) -> TravelMatrix:
        """Travel matrix between two point GeoSeries whose index holds the ids."""
        if mode not in MODES:
            raise InputError(f"mode must be one of {MODES}; found '{mode}'")
        o_ids, o_xy = to_bng(origins, "origins")
        d_ids, d_xy = to_bng(destinations, "destinations")
        metres, seconds = self._arrays(o_xy, d_xy, mode)
        return TravelMatrix(o_ids, d_ids, seconds, metres, mode, self.key())

    def _arrays(self, o_xy: np.ndarray, d_xy: np.ndarray, mode: str) -> tuple[np.ndarray, ...]:
        n, m = len(o_xy), len(d_xy)
        metres = np.empty((n, m), dtype=np.int32)
        seconds = np.empty((n, m), dtype=np.int32)
        circuity = self.circuity[mode]
        per_metre = 3.6 / self.speed_kmh[mode]  # seconds per metre
        step = max(1, _BLOCK_CELLS // max(m, 1))
        for start in range(0, n, step):
            block = o_xy[start : start + step]
            road = np.hypot(
                block[:, None, 0] - d_xy[None, :, 0], block[:, None, 1] - d_xy[None, :, 1]
            )
            road *= circuity
            metres[start : start + step] = np.rint(road)
            seconds[start : start + step] = np.rint(road * per_metre)
        return metres, seconds

    def key(self) -> str:
        circ = ",".join(f"{m}={self.circuity[m]:g}" for m in MODES)
        speed = ",".join(f"{m}={self.speed_kmh[m]:g}" for m in MODES)
        return f"straight-line(circuity:{circ};speed_kmh:{speed})"

    def __hash__(self) -> int:
        return hash(self.key())


def _positive(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and float(value) > 0
    )
