"""Road and path networks from OpenStreetMap: build, store, snap, route.

* :func:`build_networks` / :func:`load_or_build` - driving and walking graphs from an
  ``.osm.pbf`` extract (rules in :mod:`geodata.network.rules`), as :class:`Network`;
* :func:`save_network` / :func:`load_network` - ``.npz`` files, never pickled;
* :func:`snap` - nearest network node per point, with the snapping distance;
* :class:`NetworkProvider` - a :class:`geodata.matrix.TravelProvider` along the network;
* :func:`fit_straight_line` - a :class:`geodata.providers.StraightLine` calibrated on it;
* :func:`provider_from_options` - the provider a solver command should use.
"""

from __future__ import annotations

from geodata.network.build import build_network, build_networks, load_or_build
from geodata.network.fit import FitReport, fit_straight_line
from geodata.network.folder import build_folder
from geodata.network.graph import Network, load_network, save_network
from geodata.network.options import provider_from_options
from geodata.network.paths import node_matrix
from geodata.network.provider import DEFAULT_ACCESS_KMH, NetworkProvider
from geodata.network.rules import DRIVE_SPEED_KMH, MAXSPEED_FACTOR, WALK_SPEED_KMH
from geodata.network.snap import DEFAULT_MAX_SNAP_M, SnapError, Snapped, snap

__all__ = [
    "DEFAULT_ACCESS_KMH",
    "DEFAULT_MAX_SNAP_M",
    "DRIVE_SPEED_KMH",
    "MAXSPEED_FACTOR",
    "WALK_SPEED_KMH",
    "FitReport",
    "Network",
    "NetworkProvider",
    "SnapError",
    "Snapped",
    "build_folder",
    "build_network",
    "build_networks",
    "fit_straight_line",
    "load_network",
    "load_or_build",
    "node_matrix",
    "provider_from_options",
    "save_network",
    "snap",
]
