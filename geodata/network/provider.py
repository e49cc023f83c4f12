"""Travel matrices along the road and path network (a :class:`TravelProvider`).

A trip is: the access leg from the point to its snapped node (straight line, at the
mode's access speed), the fastest network path, and the leg from the destination's
node to the destination. Two points snapped to the same node are joined by the
straight line between them at the access speed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.errors import InputError
from geodata.matrix import UNREACHABLE, TravelMatrix
from geodata.network.graph import load_network
from geodata.network.paths import node_matrix
from geodata.network.snap import DEFAULT_MAX_SNAP_M, Snapped, snap
from geodata.providers._points import to_bng

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    import geopandas as gpd

    from geodata.network.graph import Network

__all__ = ["DEFAULT_ACCESS_KMH", "NetworkProvider"]

logger = logging.getLogger(__name__)

#: Speed on the access legs between a point and the network, per mode: a drive or
#: yard at walking-to-crawling pace for vehicles, the walking speed on foot.
DEFAULT_ACCESS_KMH: Mapping[str, float] = MappingProxyType({"drive": 15.0, "walk": 4.8})


@dataclass(frozen=True, eq=False)
class NetworkProvider:
    """Travel times and distances along a network, per mode.

    Parameters
    ----------
    networks
        ``{"drive": Network, "walk": Network}`` (either may be absent).
    max_snap_m
        Points farther than this from the mode's network are too far.
    on_too_far
        ``"error"``: raise :class:`geodata.network.snap.SnapError` listing them;
        ``"unreachable"``: their pairs are :data:`UNREACHABLE`.
    limit_seconds
        Pairs farther apart than this are :data:`UNREACHABLE` (a much faster build
        when a model only needs nearby pairs, e.g. walks to pick-up points).
    access_kmh
        Speed on the access legs, per mode.
    """

    networks: Mapping[str, Network]
    max_snap_m: float = DEFAULT_MAX_SNAP_M
    on_too_far: str = "error"
    limit_seconds: float | None = None
    access_kmh: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ACCESS_KMH))

    def __post_init__(self) -> None:
        if self.on_too_far not in ("error", "unreachable"):
            raise InputError(
                f"on_too_far must be 'error' or 'unreachable'; found {self.on_too_far!r}"
            )
        if self.limit_seconds is not None and not self.limit_seconds > 0:
            raise InputError(f"limit_seconds must be positive; found {self.limit_seconds!r}")
        object.__setattr__(self, "access_kmh", {**DEFAULT_ACCESS_KMH, **dict(self.access_kmh)})

    @classmethod
    def from_dir(cls, directory: str | os.PathLike[str], **options: Any) -> NetworkProvider:
        """Load ``drive.npz`` and ``walk.npz`` written by ``optimise network build``."""
        directory = Path(directory)
        found = {m: directory / f"{m}.npz" for m in ("drive", "walk")}
        networks = {m: load_network(p) for m, p in found.items() if p.is_file()}
        if not networks:
            raise InputError(
                f"{directory}: no drive.npz or walk.npz; build them with "
                f"'optimise network build EXTRACT.osm.pbf --out {directory}'"
            )
        return cls(networks, **options)

    def network(self, mode: str) -> Network:
        if mode not in self.networks:
            raise InputError(f"no {mode} network loaded; have {sorted(self.networks)}")
        return self.networks[mode]

    def snap(self, points: gpd.GeoSeries, *, mode: str = "drive", role: str = "points") -> Snapped:
        """Where each point joins the ``mode`` network, with its snapping distance."""
        ids, xy = to_bng(points, role)
        return self._snap(xy, ids, mode, role)

    def _snap(self, xy: np.ndarray, ids: tuple[str, ...], mode: str, role: str) -> Snapped:
        on_far = "error" if self.on_too_far == "error" else "keep"
        return snap(
            self.network(mode), xy, ids, max_metres=self.max_snap_m, role=role, on_too_far=on_far
        )

    def matrix(
        self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries, *, mode: str = "drive"
    ) -> TravelMatrix:
        """Network travel matrix between two point GeoSeries whose index holds the ids.

        Raises
        ------
        SnapError
            Points too far from the network (with ``on_too_far="error"``).
        """
        network = self.network(mode)
        o_ids, o_xy = to_bng(origins, "origins")
        d_ids, d_xy = to_bng(destinations, "destinations")
        o_snap = self._snap(o_xy, o_ids, mode, "origins")
        d_snap = self._snap(d_xy, d_ids, mode, "destinations")
        seconds = np.full((len(o_ids), len(d_ids)), np.nan)
        metres = np.full_like(seconds, np.nan)
        rows, cols = np.flatnonzero(o_snap.node >= 0), np.flatnonzero(d_snap.node >= 0)
        if len(rows) and len(cols):
            s, m = node_matrix(
                network, o_snap.node[rows], d_snap.node[cols], limit_seconds=self.limit_seconds
            )
            per_metre = 3.6 / self.access_kmh[mode]
            o_leg, d_leg = o_snap.metres[rows], d_snap.metres[cols]
            m += o_leg[:, None] + d_leg[None, :]
            s += (o_leg[:, None] + d_leg[None, :]) * per_metre
            same = o_snap.node[rows][:, None] == d_snap.node[cols][None, :]
            if same.any():
                r, c = np.nonzero(same)
                direct = np.hypot(*(o_xy[rows[r]] - d_xy[cols[c]]).T)
                m[r, c] = direct
                s[r, c] = direct * per_metre
            seconds[np.ix_(rows, cols)] = s
            metres[np.ix_(rows, cols)] = m
        if self.limit_seconds is not None:
            metres[seconds > self.limit_seconds] = np.nan
            seconds[seconds > self.limit_seconds] = np.nan
        return TravelMatrix(o_ids, d_ids, _cells(seconds), _cells(metres), mode, self.key())

    def key(self) -> str:
        nets = ";".join(f"{m}={self.networks[m].key()}" for m in sorted(self.networks))
        access = ",".join(f"{m}={v:g}" for m, v in sorted(self.access_kmh.items()))
        return (
            f"network({nets};max_snap_m={self.max_snap_m:g};on_too_far={self.on_too_far};"
            f"limit_s={self.limit_seconds};access_kmh={access})"
        )


def _cells(values: np.ndarray) -> np.ndarray:
    out = np.full(values.shape, UNREACHABLE, dtype=np.int32)
    ok = np.isfinite(values)
    out[ok] = np.minimum(np.rint(values[ok]), UNREACHABLE - 1)
    return out
