"""Which candidate pick-up points each pupil may walk to.

A pupil may use a stop when the walk from home is within their limit (by age: the
policy's primary and secondary limits, the same secondary rule as the ride limits in
:meth:`TransportProblem.from_matrix`), the stop is not marked unsafe, and the pupil is
not SEND or solo (picked up at home, always), and the drive from the stop straight to
school fits the pupil's ride limit. The walk is read from the problem's
``walk`` matrix (pupils × stops): along the path network with ``--network``, else the
straight-line walk provider (straight line × 1.2 circuity). Pupils with no stop in
reach are picked up at home; nothing here is infeasible.

The pairs are kept sparse (a pupil reaches a handful of the ~600 stops).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optimise.transport.routing.schedule import dwell_seconds

if TYPE_CHECKING:
    from models.transport import TransportProblem

__all__ = ["Reach", "from_arrays", "reach", "walk_limits", "within_ride"]


@dataclass(frozen=True, eq=False)
class Reach:
    """Allowed (pupil, stop) pairs with their walk in metres, sorted by pupil then walk.

    ``group`` is each pupil's routing group (their school): a stop serves each group
    it is opened for, and a route serves one group. ``cap`` is each stop's cap on
    pupils over all groups (0: none); ``home_ok`` says a pupil may be collected from
    home instead (always true for the council's pupils; false in benchmark instances
    where every student must walk to a stop).
    """

    pupil: np.ndarray
    stop: np.ndarray
    metres: np.ndarray
    group: np.ndarray
    cap: np.ndarray
    home_ok: np.ndarray
    limit_m: np.ndarray

    @property
    def num_pupils(self) -> int:
        return len(self.group)

    @property
    def num_stops(self) -> int:
        return len(self.cap)

    def options(self, p: int) -> tuple[np.ndarray, np.ndarray]:
        """Stops pupil ``p`` may use and their walks, nearest first."""
        lo, hi = np.searchsorted(self.pupil, [p, p + 1])
        return self.stop[lo:hi], self.metres[lo:hi]


def walk_limits(problem: TransportProblem) -> np.ndarray:
    """Each pupil's maximum walk to a pick-up point, metres (policy by age and phase)."""
    policy = problem.policy
    phase = problem.school_phase[problem.pupil_school]
    older = problem.pupil_age >= policy.secondary_from_age
    secondary = np.where(
        phase == "special", older, np.isin(phase, ("secondary", "all-through")) & older
    )
    return np.where(secondary, policy.max_walk_secondary_m, policy.max_walk_primary_m)


def from_arrays(
    walk_m: np.ndarray,
    limit_m: np.ndarray,
    group: np.ndarray,
    *,
    usable: np.ndarray | None = None,
    cap: np.ndarray | None = None,
    home_only: np.ndarray | None = None,
    home_ok: bool = True,
    allowed: np.ndarray | None = None,
) -> Reach:
    """Pairs from a dense pupils × stops walk matrix (metres) and per-pupil limits;
    ``allowed`` (pupils × stops, optional) rules out more pairs."""
    n, m = walk_m.shape
    ok = walk_m <= np.asarray(limit_m, dtype=float)[:, None]
    if allowed is not None:
        ok &= np.asarray(allowed, dtype=bool)
    if usable is not None:
        ok &= np.asarray(usable, dtype=bool)[None, :]
    if home_only is not None:
        ok &= ~np.asarray(home_only, dtype=bool)[:, None]
    p, s = np.nonzero(ok)
    metres = walk_m[p, s].astype(np.int64)
    order = np.lexsort((s, metres, p))
    return Reach(
        pupil=p[order].astype(np.int64),
        stop=s[order].astype(np.int64),
        metres=metres[order],
        group=np.asarray(group, dtype=np.int64),
        cap=np.zeros(m, np.int64) if cap is None else np.asarray(cap, dtype=np.int64),
        home_ok=np.full(n, home_ok),
        limit_m=np.asarray(limit_m, dtype=float),
    )


def reach(problem: TransportProblem) -> Reach:
    """The allowed pairs of a transport problem (its ``walk`` matrix must be set)."""
    if problem.walk is None:
        raise ValueError("the problem has no walk matrix (pupils × stops)")
    return from_arrays(
        np.asarray(problem.walk.metres, dtype=np.int64),
        walk_limits(problem),
        problem.pupil_school,
        usable=~problem.stop_unsafe,
        cap=problem.stop_max_pupils,
        home_only=problem.pupil_sen | problem.pupil_solo,
        allowed=within_ride(problem),
    )


def within_ride(problem: TransportProblem) -> np.ndarray:
    """Pupils × stops: the drive straight from the stop to the pupil's school (plus one
    stop's dwell) is within the pupil's ride limit. A stop failing this could only
    leave the pupil unserved, however the routes are built."""
    direct = problem.drive.seconds[np.ix_(problem.stop_location, problem.school_location)]
    ride = direct[:, problem.pupil_school].T.astype(np.int64) + dwell_seconds(problem, 1)
    return ride <= problem.pupil_max_ride_s[:, None]
