"""The opening rules a plan must keep, in planning steps: one value for every search.

:func:`optimise.hours.solve.solve` builds them once from the problem and
:class:`~optimise.hours.params.HoursParams`; the MILP (:mod:`.milp`), the pattern path
(:mod:`.patterns`), the starts (:mod:`.greedy`, :mod:`.regular_start`) and the final
check (:func:`optimise.hours.solve.keeps_rules`) each read the rules they use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["OpeningRules"]


@dataclass(frozen=True, eq=False)
class OpeningRules:
    """What an opening plan (centres × 7 × steps) must keep.

    Attributes
    ----------
    slot_hours
        Hours in one planning step (a slot of the plan).
    block_slots
        Shortest opening, in steps: a centre opens in runs of at least this many.
    staff
        Staff on duty while a centre is open (an open step costs
        ``staff * slot_hours`` staff-hours).
    budget
        Staff-hours a week all the open steps may cost.
    min_hours, max_hours
        Weekly open hours of a centre that opens at all (``min_hours`` 0: no minimum).
    cover_days
        Days (0 = Monday) on which at least one centre must be open.
    centre_min
        Hours a week each centre must open (the access floor; 0 = may close), or None
        for no floor.
    regular
        Regular timetables: each centre opens one block a day, the same block on each
        of its open days (one of at most ``max_patterns`` distinct blocks).
    max_patterns
        Distinct daily blocks a centre may use when ``regular``.
    zone_sets, min_days
        The zone floor: for each set of centres, one of them open on at least
        ``min_days`` days a week (no sets: no zone floor).
    """

    slot_hours: float
    block_slots: int
    staff: float
    budget: float
    min_hours: float
    max_hours: float
    cover_days: tuple[int, ...]
    centre_min: np.ndarray | None = None
    regular: bool = False
    max_patterns: int = 1
    zone_sets: tuple[tuple[int, ...], ...] = ()
    min_days: int = 0
