"""Snap points to the nearest node of a network.

Points snap to the nearest *node* of the network's main (largest strongly connected)
component, not to the nearest point of an edge: OSM ways carry a node every few metres
in towns, so the difference is small there, and nodes keep the matrix one Dijkstra per
distinct node. The straight line from the point to its node (the snapping distance) is
reported per point and added to every trip as an access leg.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geodata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from geodata.network.graph import Network

__all__ = ["DEFAULT_MAX_SNAP_M", "SnapError", "Snapped", "snap"]

#: Farthest a point may lie from the network and still be snapped, in metres.
DEFAULT_MAX_SNAP_M = 1000.0


class SnapError(InputError):
    """Points too far from the network; ``snapped`` holds the full report."""

    def __init__(self, message: str, snapped: Snapped):
        super().__init__(message)
        self.snapped = snapped


@dataclass(frozen=True, eq=False)
class Snapped:
    """Where each point joined the network.

    Parameters
    ----------
    ids
        The points' ids.
    node
        Network node of each point (-1 when too far).
    metres
        Straight-line distance from each point to its node (to the nearest node even
        when that is too far).
    max_metres
        The limit used.
    """

    ids: tuple[str, ...]
    node: np.ndarray
    metres: np.ndarray
    max_metres: float

    @property
    def too_far(self) -> np.ndarray:
        """Boolean per point: farther than ``max_metres`` from the network."""
        return self.node < 0

    def report(self) -> pd.DataFrame:
        """One row per point: id, node, snap_m, too_far."""
        return pd.DataFrame(
            {
                "id": list(self.ids),
                "node": self.node,
                "snap_m": np.round(self.metres, 1),
                "too_far": self.too_far,
            }
        )


def snap(
    network: Network,
    xy: np.ndarray,
    ids: Sequence[str] | None = None,
    *,
    max_metres: float = DEFAULT_MAX_SNAP_M,
    role: str = "points",
    on_too_far: str = "error",
) -> Snapped:
    """Snap ``(n, 2)`` EPSG:27700 coordinates to the nearest main-component node.

    Parameters
    ----------
    network
        The network to snap to.
    xy
        Eastings and northings of the points.
    ids
        Their ids, for the report (positions when None).
    max_metres
        Points farther than this from every node are too far.
    role
        What the points are, for the error message.
    on_too_far
        ``"error"`` raises :class:`SnapError` naming every point too far;
        ``"keep"`` returns them with node -1 (the provider makes their pairs
        unreachable).

    Raises
    ------
    SnapError
        Some points are too far and ``on_too_far="error"``.
    """
    if on_too_far not in ("error", "keep"):
        raise InputError(f"on_too_far must be 'error' or 'keep'; found '{on_too_far}'")
    if not max_metres > 0:
        raise InputError(f"max snapping distance must be positive; found {max_metres!r}")
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    ids = tuple(str(i) for i in (range(len(xy)) if ids is None else ids))
    main = network.main
    assert main is not None  # set when the network is made
    if not main.any():
        raise InputError(f"the {network.mode} network has no nodes to snap to")
    metres, pos = network.main_tree.query(xy)
    node = np.flatnonzero(main)[pos].astype(np.int64)
    node[metres > max_metres] = -1
    snapped = Snapped(ids, node, metres, float(max_metres))
    if on_too_far == "error" and snapped.too_far.any():
        far = np.flatnonzero(snapped.too_far)
        shown = ", ".join(f"'{ids[i]}' ({metres[i]:.0f} m)" for i in far[:10])
        more = f" (+{len(far) - 10} more)" if len(far) > 10 else ""
        raise SnapError(
            f"{len(far)} of {len(ids)} {role} lie more than {max_metres:g} m from the "
            f"{network.mode} network: {shown}{more}. Check their coordinates, use a larger "
            "extract, raise the maximum snapping distance, or keep them as unreachable",
            snapped,
        )
    return snapped
