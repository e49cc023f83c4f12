"""Facility-location benchmarks (OR-Library p-median and capacitated warehouse location)."""

from optimise.facility.cflp import solve_cflp
from optimise.facility.orlib import (
    CflpInstance,
    PMedianInstance,
    parse_cflp,
    parse_pmedian,
    read_cflp,
    read_pmedian,
)
from optimise.facility.pmedian import (
    FacilityResult,
    solve_pmedian,
    solve_pmedian_radius,
    solve_pmedian_textbook,
)

__all__ = [
    "CflpInstance",
    "FacilityResult",
    "PMedianInstance",
    "parse_cflp",
    "parse_pmedian",
    "read_cflp",
    "read_pmedian",
    "solve_cflp",
    "solve_pmedian",
    "solve_pmedian_radius",
    "solve_pmedian_textbook",
]
