"""OR-Library facility-location files: parse (text → instance) and read (path → parse).

* p-median (Beasley 1985): ``n edges p`` then ``i j cost`` per undirected edge
  (1-based); the distance matrix is all-pairs shortest paths, and where an edge
  repeats the last occurrence counts.
* capacitated warehouse location (Beasley 1988): ``m n``; m lines ``capacity fixed``;
  then per customer ``demand`` and m costs of serving all its demand from each
  warehouse (numbers may wrap over lines). In capa/capb/capc the capacity is the word
  ``capacity``: give it with ``capacity=``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path

from geodata.errors import InputError

__all__ = ["CflpInstance", "PMedianInstance", "parse_cflp", "parse_pmedian", "read_cflp",
           "read_pmedian"]  # fmt: skip


@dataclass(frozen=True, eq=False)
class PMedianInstance:
    """``distance`` is n × n (shortest paths); every vertex is a client and a site."""

    name: str
    p: int
    distance: np.ndarray


@dataclass(frozen=True, eq=False)
class CflpInstance:
    """``cost[i, j]``: serving all of customer i's demand from warehouse j."""

    name: str
    capacity: np.ndarray
    fixed: np.ndarray
    demand: np.ndarray
    cost: np.ndarray


def parse_pmedian(text: str, *, name: str = "<text>") -> PMedianInstance:
    numbers = _numbers(text, name)
    if len(numbers) < 3:
        raise InputError(f"{name}: expected 'n edges p' on the first line")
    n, edges, p = (int(x) for x in numbers[:3])
    body = numbers[3 : 3 + 3 * edges]
    if len(body) < 3 * edges:
        raise InputError(f"{name}: expected {edges} edges, found {len(body) // 3}")
    if not 1 <= p <= n:
        raise InputError(f"{name}: p must lie in 1..{n}, found {p}")
    triples = np.asarray(body, dtype=float).reshape(-1, 3)
    i, j = triples[:, 0].astype(int) - 1, triples[:, 1].astype(int) - 1
    if i.size and (min(i.min(), j.min()) < 0 or max(i.max(), j.max()) >= n):
        raise InputError(f"{name}: an edge names a vertex outside 1..{n}")
    weight = np.full((n, n), np.inf)
    for a, b, w in zip(i.tolist(), j.tolist(), triples[:, 2].tolist()):
        weight[a, b] = weight[b, a] = w  # the last occurrence of a repeated edge wins
    graph = csr_matrix(np.where(np.isfinite(weight), weight, 0))
    dist = shortest_path(graph, method="D", directed=False)
    if not np.isfinite(dist).all():
        raise InputError(f"{name}: the graph is not connected")
    dist.setflags(write=False)
    return PMedianInstance(name, p, dist)


def parse_cflp(text: str, *, capacity: float | None = None, name: str = "<text>") -> CflpInstance:
    tokens = text.split()
    if len(tokens) < 2:
        raise InputError(f"{name}: expected 'm n' on the first line")
    m, n = int(tokens[0]), int(tokens[1])
    pos, cap, fixed = 2, [], []
    for w in range(m):
        raw = tokens[pos : pos + 2]
        if len(raw) < 2:
            raise InputError(f"{name}: warehouse {w + 1}: expected 'capacity fixed_cost'")
        if raw[0].lower() == "capacity":
            if capacity is None:
                raise InputError(f"{name}: capacities are the word 'capacity': give --capacity")
            cap.append(float(capacity))
        else:
            cap.append(float(capacity) if capacity is not None else _num(raw[0], name))
        fixed.append(_num(raw[1], name))
        pos += 2
    rest = np.asarray([_num(t, name) for t in tokens[pos:]], dtype=float)
    if rest.size < n * (m + 1):
        raise InputError(f"{name}: expected {n} customers with {m} costs each")
    rows = rest[: n * (m + 1)].reshape(n, m + 1)
    if sum(cap) < rows[:, 0].sum():  # no plan can serve everyone: say so, not cost nan
        where = "--capacity" if capacity is not None else "capacity"
        raise InputError(
            f"{name}: {where}: expected warehouses able to hold the total demand "
            f"{rows[:, 0].sum():g}, found {sum(cap):g} in all ({m} warehouses): no plan "
            "serves every customer"
        )
    out = [np.asarray(x, dtype=float) for x in (cap, fixed, rows[:, 0], rows[:, 1:])]
    for arr in out:
        arr.setflags(write=False)
    return CflpInstance(name, *out)


def read_pmedian(path: str | Path) -> PMedianInstance:
    return parse_pmedian(_read(path), name=Path(path).stem)


def read_cflp(path: str | Path, *, capacity: float | None = None) -> CflpInstance:
    return parse_cflp(_read(path), capacity=capacity, name=Path(path).stem)


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None


def _numbers(text: str, name: str) -> list[float]:
    return [_num(t, name) for t in text.split()]


def _num(token: str, name: str) -> float:
    try:
        return float(token)
    except ValueError:
        raise InputError(f"{name}: expected a number, found '{token}'") from None
