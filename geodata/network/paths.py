"""Many-to-many fastest paths between network nodes: repeated Dijkstra on the CSR graph.

One Dijkstra per distinct node on the smaller side (searching the reversed graph when
that side is the destinations), in batches so memory stays ~64 MB whatever the graph
size. Each search gives time and length of the fastest path at once: the weights pack
whole deciseconds and metres × :data:`geodata.network.graph.METRE_WEIGHT` in one float.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse.csgraph import dijkstra

from geodata.network.graph import METRE_WEIGHT

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from geodata.network.graph import Network

__all__ = ["node_matrix"]

logger = logging.getLogger(__name__)

# float64 cells per Dijkstra batch (8 bytes each): 64 MB.
_BATCH_CELLS = 8_000_000


def node_matrix(
    network: Network,
    sources: np.ndarray,
    targets: np.ndarray,
    *,
    limit_seconds: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and metres of the fastest path from each source node to each target node.

    Parameters
    ----------
    network
        The graph.
    sources, targets
        Node positions (repeats allowed).
    limit_seconds
        Stop each search at this time: pairs farther apart are unreachable (NaN). Far
        faster when a model only needs nearby pairs.

    Returns
    -------
    seconds, metres
        Float arrays of shape ``(len(sources), len(targets))``; NaN where no path
        (or none within the limit). Seconds are exact to ~0.1 s per edge.
    """
    sources = np.asarray(sources, dtype=np.int64)
    targets = np.asarray(targets, dtype=np.int64)
    src, src_pos = np.unique(sources, return_inverse=True)
    dst, dst_pos = np.unique(targets, return_inverse=True)
    if len(dst) < len(src):
        # Fewer distinct targets: search backwards from each of them.
        packed = _search(network.reverse, dst, src, limit_seconds).T
    else:
        packed = _search(network.csr("packed"), src, dst, limit_seconds)
    packed = packed[np.ix_(src_pos.ravel(), dst_pos.ravel())]
    deciseconds = np.floor(packed + 1e-6)
    metres = (packed - deciseconds) / METRE_WEIGHT
    return deciseconds / 10.0, metres


def _search(
    graph: csr_matrix, starts: np.ndarray, ends: np.ndarray, limit_seconds: float | None
) -> np.ndarray:
    """Packed weights from each of ``starts`` to each of ``ends`` (NaN: no path)."""
    out = np.full((len(starts), len(ends)), np.nan)
    if len(starts) == 0 or len(ends) == 0:
        return out
    n = graph.shape[0]
    limit = np.inf if limit_seconds is None else limit_seconds * 10.0 + 1.0
    step = max(1, min(len(starts), _BATCH_CELLS // max(n, 1)))
    for first in range(0, len(starts), step):
        batch = starts[first : first + step]
        dist = dijkstra(graph, directed=True, indices=batch, limit=limit)
        block = dist[:, ends]
        block[~np.isfinite(block)] = np.nan
        out[first : first + step] = block
    logger.debug("%d Dijkstra searches on %d nodes", len(starts), n)
    return out
