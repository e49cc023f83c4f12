"""Travel-matrix providers (STYLE.md practice 6: one small provider per file).

Each turns two sets of points into a :class:`geodata.matrix.TravelMatrix`:

* :class:`StraightLine` - straight-line distance × circuity at a speed per mode;
* :class:`ImportedMatrix` - a matrix from a CSV or Parquet file, or (with
  :func:`read_routing_json`) an OSRM or Valhalla JSON response;
* :func:`cached` - any provider, with its matrices kept on disk by :class:`MatrixCache`.
"""

from __future__ import annotations

from geodata.providers.cache import CachedProvider, MatrixCache, cached
from geodata.providers.files import matrix_to_frame, read_matrix, write_matrix
from geodata.providers.imported import ImportedMatrix
from geodata.providers.parse import matrix_from_frame, parse_matrix
from geodata.providers.routing_json import (
    parse_osrm_table,
    parse_routing_json,
    parse_valhalla_matrix,
    read_routing_json,
)
from geodata.providers.straight_line import DEFAULT_CIRCUITY, DEFAULT_SPEED_KMH, StraightLine

__all__ = [
    "DEFAULT_CIRCUITY",
    "DEFAULT_SPEED_KMH",
    "CachedProvider",
    "ImportedMatrix",
    "MatrixCache",
    "StraightLine",
    "cached",
    "matrix_from_frame",
    "matrix_to_frame",
    "parse_matrix",
    "parse_osrm_table",
    "parse_routing_json",
    "parse_valhalla_matrix",
    "read_matrix",
    "read_routing_json",
    "write_matrix",
]
