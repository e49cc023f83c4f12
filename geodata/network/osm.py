"""Read the highway ways of an OpenStreetMap extract (``.osm.pbf``) with pyosmium."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import osmium

from geodata.errors import InputError

if TYPE_CHECKING:
    import os

__all__ = ["Ways", "read_ways"]

logger = logging.getLogger(__name__)

# The tags the rules in geodata.network.rules look at; the rest are dropped on reading.
_KEEP = (
    "highway",
    "maxspeed",
    "oneway",
    "junction",
    "access",
    "motor_vehicle",
    "motorcar",
    "vehicle",
    "foot",
    "area",
)


@dataclass(frozen=True, eq=False)
class Ways:
    """The highway ways of an extract, as arrays.

    Parameters
    ----------
    osm_ids
        OSM id of each node used by a way.
    lonlat
        ``(n, 2)`` WGS84 longitude and latitude of each node.
    starts
        Way ``i`` is the node positions ``nodes[starts[i]:starts[i + 1]]``.
    nodes
        Positions into ``osm_ids``, way after way.
    tags
        The routing tags of each way.
    """

    osm_ids: np.ndarray
    lonlat: np.ndarray
    starts: np.ndarray
    nodes: np.ndarray
    tags: tuple[dict[str, str], ...]

    def __len__(self) -> int:
        return len(self.tags)


def read_ways(path: str | os.PathLike[str]) -> Ways:
    """Every way tagged ``highway`` in ``path``, with its nodes' locations.

    A node missing from the extract (a way cut at its edge) splits its way: the way's
    parts either side are kept, the missing node is not.

    Raises
    ------
    InputError
        The file is missing or is not an OSM file pyosmium can read.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such OpenStreetMap extract")
    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    starts: list[int] = [0]
    tags: list[dict[str, str]] = []
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        for way in processor:
            if not isinstance(way, osmium.osm.Way):  # the filters pass ways only
                continue
            kept = {k: way.tags[k] for k in _KEEP if k in way.tags}
            part = 0
            for node in way.nodes:
                loc = node.location
                if not loc.valid():
                    part = _close(starts, tags, kept, len(refs), part)
                    continue
                refs.append(node.ref)
                lons.append(loc.lon)
                lats.append(loc.lat)
                part += 1
            _close(starts, tags, kept, len(refs), part)
    except RuntimeError as err:  # pyosmium reports unreadable input as RuntimeError
        raise InputError(f"{path}: not a readable OpenStreetMap file ({err})") from err
    all_refs = np.asarray(refs, dtype=np.int64)
    osm_ids, first, nodes = np.unique(all_refs, return_index=True, return_inverse=True)
    lonlat = np.column_stack([np.asarray(lons), np.asarray(lats)])[first]
    logger.info("%s: %d highway ways, %d nodes", path, len(tags), len(osm_ids))
    return Ways(osm_ids, lonlat, np.asarray(starts, dtype=np.int64), nodes.ravel(), tuple(tags))


def _close(
    starts: list[int], tags: list[dict[str, str]], kept: dict[str, str], end: int, part: int
) -> int:
    """End the current way part at ``end``: keep it if it has an edge, else drop it."""
    if part >= 2:
        starts.append(end)
        tags.append(kept)
    elif part == 1:
        starts.append(end)  # a lone node: kept as an empty way so positions stay aligned
        tags.append({})
    return 0
