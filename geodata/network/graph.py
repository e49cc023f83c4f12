"""A road or path network as a scipy sparse graph, stored as ``.npz`` (never pickled).

Nodes carry British National Grid coordinates (EPSG:27700); each directed edge carries
its travel time in seconds and its length in metres, in two arrays that share one CSR
structure. ``main`` marks the largest strongly connected component: points snap to it,
so a point never lands on a fragment cut off at the edge of the extract.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geodata.errors import InputError
from geodata.matrix import MODES
from geodata.write import atomic_path

if TYPE_CHECKING:
    import os

__all__ = ["Network", "load_network", "save_network"]

logger = logging.getLogger(__name__)

_FORMAT = 1
_ARRAYS = ("xy", "osm_ids", "indptr", "indices", "seconds", "metres", "main")

#: Edge weights pack time and length in one float: whole deciseconds + metres × this.
#: One Dijkstra then gives both along the fastest path (ties go to the shorter one),
#: exact to ~0.01 m while a path is under 10,000 km and under ~12 days.
METRE_WEIGHT = 1e-7


@dataclass(frozen=True, eq=False)
class Network:
    """A directed graph for one mode.

    Parameters
    ----------
    mode
        ``"drive"`` or ``"walk"``.
    xy
        ``(n, 2)`` eastings and northings of the nodes, metres (EPSG:27700).
    indptr, indices
        CSR structure: node ``u``'s out-edges go to ``indices[indptr[u]:indptr[u+1]]``.
    seconds, metres
        Travel time and length of each edge, aligned with ``indices``.
    osm_ids
        OSM node id of each node (-1 for a hand-built graph).
    main
        Boolean per node: in the largest strongly connected component. Computed when
        None.
    settings
        How it was built (source file, speeds), for reports and cache keys.
    """

    mode: str
    xy: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    seconds: np.ndarray
    metres: np.ndarray
    osm_ids: np.ndarray | None = None
    main: np.ndarray | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}; found '{self.mode}'")
        n = len(self.xy)
        if self.xy.shape != (n, 2) or len(self.indptr) != n + 1:
            raise ValueError("xy must be (n, 2) and indptr n + 1 long")
        m = len(self.indices)
        if len(self.seconds) != m or len(self.metres) != m or self.indptr[-1] != m:
            raise ValueError("indices, seconds and metres must have one value per edge")
        if m and (self.indices.min() < 0 or self.indices.max() >= n):
            raise ValueError("edge heads must be node positions 0 .. n - 1")
        if m and (np.min(self.seconds) < 0 or np.min(self.metres) < 0):
            raise ValueError("edge seconds and metres must be 0 or more")
        if self.osm_ids is None:
            object.__setattr__(self, "osm_ids", np.full(n, -1, dtype=np.int64))
        if self.main is None:
            object.__setattr__(self, "main", _largest_component(self.csr("seconds")))
        for name in _ARRAYS:
            getattr(self, name).setflags(write=False)

    @classmethod
    def from_edges(
        cls,
        mode: str,
        xy: np.ndarray,
        tail: np.ndarray,
        head: np.ndarray,
        seconds: np.ndarray,
        metres: np.ndarray,
        **kwargs: Any,
    ) -> Network:
        """A network from edge lists; of parallel edges the fastest is kept, loops dropped."""
        tail, head = np.asarray(tail, np.int64), np.asarray(head, np.int64)
        seconds, metres = np.asarray(seconds, float), np.asarray(metres, float)
        keep = tail != head
        tail, head, seconds, metres = tail[keep], head[keep], seconds[keep], metres[keep]
        order = np.lexsort((metres, seconds, head, tail))
        tail, head, seconds, metres = tail[order], head[order], seconds[order], metres[order]
        first = np.ones(len(tail), dtype=bool)
        first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
        tail, head, seconds, metres = tail[first], head[first], seconds[first], metres[first]
        n = len(xy)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
        return cls(
            mode, np.asarray(xy, float), indptr, head.astype(np.int32), seconds, metres, **kwargs
        )

    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        return len(self.indices)

    def csr(self, weight: str = "packed") -> sp.csr_matrix:
        """The graph as a CSR matrix of ``"seconds"``, ``"metres"`` or ``"packed"`` weights."""
        if weight == "packed":
            return self._packed
        data = {"seconds": self.seconds, "metres": self.metres}[weight]
        n = self.n_nodes
        return sp.csr_matrix((data, self.indices, self.indptr), shape=(n, n))

    @cached_property
    def _packed(self) -> sp.csr_matrix:
        packed = np.rint(self.seconds * 10.0) + self.metres * METRE_WEIGHT
        # scipy drops zero-weight edges; two nodes at one spot are still joined.
        packed = np.maximum(packed, 1e-9)
        n = self.n_nodes
        return sp.csr_matrix((packed, self.indices, self.indptr), shape=(n, n))

    @cached_property
    def main_tree(self) -> cKDTree:
        """KD-tree of the main component's nodes (positions among ``flatnonzero(main)``)."""
        return cKDTree(self.xy[self.main])

    @cached_property
    def reverse(self) -> sp.csr_matrix:
        """The packed graph with every edge turned round (to search towards a node)."""
        return self._packed.T.tocsr()

    def summary(self) -> dict[str, Any]:
        """Counts and totals for summary.json."""
        km = float(self.metres.sum()) / 1000.0
        assert self.main is not None  # set when the network is made
        return {
            "mode": self.mode,
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "nodes_in_main_component": int(np.count_nonzero(self.main)),
            "edge_km": round(km, 3),
            "settings": self.settings,
        }

    def key(self) -> str:
        """Identifies the graph's contents (a hash of its arrays) for matrix caches."""
        return f"{self.mode}:{self.n_nodes}n:{self.n_edges}e:sha256:{self._digest[:20]}"

    @cached_property
    def _digest(self) -> str:
        h = hashlib.sha256()
        for name in _ARRAYS:
            h.update(np.ascontiguousarray(getattr(self, name)).tobytes())
        return h.hexdigest()


def _largest_component(graph: sp.csr_matrix) -> np.ndarray:
    if graph.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    _, labels = connected_components(graph, directed=True, connection="strong")
    return labels == np.argmax(np.bincount(labels))


def save_network(path: str | os.PathLike[str], network: Network) -> Path:
    """Write ``network`` to ``path`` (``.npz``, atomically)."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        # A file object, not a name: np.savez would append ".npz" to the temporary name.
        np.savez(
            fh,
            format=np.int64(_FORMAT),
            mode=np.array(network.mode),
            settings=np.array(json.dumps(network.settings, sort_keys=True)),
            **{name: getattr(network, name) for name in _ARRAYS},
        )
    return path


def load_network(path: str | os.PathLike[str]) -> Network:
    """Read a network written by :func:`save_network`.

    Raises
    ------
    InputError
        The file is missing or is not a network file of this version.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no network file; build one with 'optimise network build'")
    try:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != _FORMAT:
                raise ValueError(f"format {int(data['format'])}, expected {_FORMAT}")
            arrays = {name: data[name] for name in _ARRAYS}
            mode = str(data["mode"])
            settings = json.loads(str(data["settings"]))
        network = Network(mode, settings=settings, **arrays)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
        raise InputError(
            f"{path}: not a network file this version can read ({err}); rebuild it with "
            "'optimise network build'"
        ) from err
    return network
