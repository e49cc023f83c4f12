"""Facility location, solved exactly: the p-median and capacitated facility location
(CFLP) models with their Lagrangian bounds and branch and bound.

Benchmarked on the OR-Library instances (their readers are :mod:`optimise.bench.orlib`).
"""

from optimise.location.cflp import solve_cflp
from optimise.location.pmedian import (
    FacilityResult,
    solve_pmedian,
    solve_pmedian_radius,
    solve_pmedian_textbook,
)

__all__ = [
    "FacilityResult",
    "solve_cflp",
    "solve_pmedian",
    "solve_pmedian_radius",
    "solve_pmedian_textbook",
]
