"""Driving and walking networks from an OpenStreetMap extract, cached on disk.

>>> nets = build_networks("leeds.osm.pbf")                       # doctest: +SKIP
>>> nets = load_or_build("leeds.osm.pbf", cache_dir=".cache/network")  # doctest: +SKIP

Edge lengths are great-circle distances between the nodes' WGS84 coordinates (right
anywhere, including test extracts outside Great Britain); node coordinates are
projected to EPSG:27700 for snapping.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pyproj import Transformer

from geodata.errors import InputError
from geodata.network.graph import Network, load_network, save_network
from geodata.network.osm import Ways, read_ways
from geodata.network.rules import (
    DRIVE_SPEED_KMH,
    MAXSPEED_FACTOR,
    WALK_SPEED_KMH,
    direction,
    drive_speed,
    walkable,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

__all__ = ["build_network", "build_networks", "load_or_build"]

logger = logging.getLogger(__name__)

_EARTH_RADIUS_M = 6_371_008.8


def build_networks(
    path: str | os.PathLike[str],
    *,
    drive_speeds: Mapping[str, float] | None = None,
    maxspeed_factor: float = MAXSPEED_FACTOR,
    walk_speed_kmh: float = WALK_SPEED_KMH,
) -> dict[str, Network]:
    """The ``"drive"`` and ``"walk"`` networks of an ``.osm.pbf`` extract.

    Parameters
    ----------
    path
        The extract.
    drive_speeds
        km/h per ``highway`` class; only these classes are driven (default
        :data:`geodata.network.rules.DRIVE_SPEED_KMH`).
    maxspeed_factor
        Share of a tagged ``maxspeed`` used as the speed.
    walk_speed_kmh
        Walking speed on every walkable way.

    Raises
    ------
    InputError
        The file cannot be read, or holds no way for a mode.
    """
    ways = read_ways(path)
    source = Path(path).name
    return {
        "drive": build_network(
            ways, "drive", drive_speeds=drive_speeds, maxspeed_factor=maxspeed_factor, source=source
        ),
        "walk": build_network(ways, "walk", walk_speed_kmh=walk_speed_kmh, source=source),
    }


def build_network(
    ways: Ways,
    mode: str,
    *,
    drive_speeds: Mapping[str, float] | None = None,
    maxspeed_factor: float = MAXSPEED_FACTOR,
    walk_speed_kmh: float = WALK_SPEED_KMH,
    source: str = "",
) -> Network:
    """One mode's network from the ways of an extract (see :mod:`geodata.network.rules`)."""
    speeds = dict(DRIVE_SPEED_KMH if drive_speeds is None else drive_speeds)
    checks = (("maxspeed_factor", maxspeed_factor), ("walk_speed_kmh", walk_speed_kmh))
    for name, value in (*speeds.items(), *checks):
        if not value > 0:
            raise InputError(f"speed '{name}' must be a positive number; found {value!r}")
    if mode == "drive":
        per_way = [drive_speed(t, speeds, maxspeed_factor) for t in ways.tags]
        kmh = np.array([np.nan if s is None else s for s in per_way], dtype=float)
        dirs = np.array([direction(t) for t in ways.tags], dtype=np.int8)
        settings = {"speeds_kmh": speeds, "maxspeed_factor": maxspeed_factor}
    elif mode == "walk":
        kmh = np.array([walk_speed_kmh if walkable(t) else np.nan for t in ways.tags])
        dirs = np.zeros(len(ways), dtype=np.int8)
        settings = {"walk_speed_kmh": walk_speed_kmh}
    else:
        raise InputError(f"mode must be 'drive' or 'walk'; found '{mode}'")
    tail, head, way = _segments(ways)
    keep = ~np.isnan(kmh[way])
    tail, head, way = tail[keep], head[keep], way[keep]
    if len(tail) == 0:
        raise InputError(f"{source or 'the extract'}: no way usable for {mode}")
    metres = _haversine(ways.lonlat[tail], ways.lonlat[head])
    seconds = metres * 3.6 / kmh[way]
    forward, backward = dirs[way] >= 0, dirs[way] <= 0
    # Renumber to the nodes this mode uses.
    used = np.unique(np.concatenate([tail, head]))
    tail, head = np.searchsorted(used, tail), np.searchsorted(used, head)
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    x, y = to_bng.transform(ways.lonlat[used, 0], ways.lonlat[used, 1])
    network = Network.from_edges(
        mode,
        np.column_stack([x, y]),
        np.concatenate([tail[forward], head[backward]]),
        np.concatenate([head[forward], tail[backward]]),
        np.concatenate([seconds[forward], seconds[backward]]),
        np.concatenate([metres[forward], metres[backward]]),
        osm_ids=ways.osm_ids[used],
        settings={"source": source, **settings},
    )
    logger.info("%s network: %d nodes, %d edges", mode, network.n_nodes, network.n_edges)
    return network


def _segments(ways: Ways) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Consecutive node pairs of every way, and the way each pair belongs to."""
    lengths = np.diff(ways.starts)
    way_of_node = np.repeat(np.arange(len(ways)), lengths)
    pos = np.arange(len(ways.nodes) - 1)
    same = way_of_node[:-1] == way_of_node[1:] if len(pos) else np.zeros(0, bool)
    pos = pos[same]
    return ways.nodes[pos], ways.nodes[pos + 1], way_of_node[pos]


def _haversine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    h = np.sin((lat2 - lat1) / 2) ** 2
    h += np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def load_or_build(
    path: str | os.PathLike[str],
    cache_dir: str | os.PathLike[str],
    **settings: Any,
) -> dict[str, Network]:
    """:func:`build_networks`, kept in ``cache_dir`` under the extract's hash and settings.

    A changed extract or changed settings builds anew; an unreadable cache file is
    logged and rebuilt.
    """
    if not Path(path).is_file():
        raise InputError(f"{path}: no such OpenStreetMap extract")
    h = hashlib.sha256(Path(path).read_bytes())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    digest = h.hexdigest()[:20]
    files = {mode: Path(cache_dir) / f"{mode}-{digest}.npz" for mode in ("drive", "walk")}
    if all(f.is_file() for f in files.values()):
        try:
            return {mode: load_network(f) for mode, f in files.items()}
        except InputError as err:
            logger.warning("rebuilding the network cache: %s", err)
    networks = build_networks(path, **settings)
    for mode, f in files.items():
        save_network(f, networks[mode])
    return networks
