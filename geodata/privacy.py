"""The 1 km rule for pupils' homes (personal data): a home is shown, drawn or written only
as the centre of its 1 km grid square (British National Grid metres), never as itself.

Used by the route layers (``routes.gpkg``) and the transport map of the report.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GRID_M", "grid_centre"]

#: Side of the grid square a home is generalised to, metres.
GRID_M = 1000.0


def grid_centre(x: float, y: float) -> tuple[float, float]:
    """The centre of the ``GRID_M`` grid square holding the point ``(x, y)``."""
    return ((np.floor(x / GRID_M) + 0.5) * GRID_M, (np.floor(y / GRID_M) + 0.5) * GRID_M)
