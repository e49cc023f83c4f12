"""The afternoon run: school(s) → drop-offs → base, solved as a mirrored morning run.

Why a mirror
------------
Read backwards in time, an afternoon route is a morning route: leaving the school at
``end_time + delay`` and dropping pupils on the way out becomes, with time running
backwards (``t → 24 h − t``) and every trip reversed (the drive matrix transposed),
collecting them on the way in and arriving at the school at exactly that moment. A
pupil's ride (from leaving school to being set down, with the dwell of the stops
before theirs) is then exactly their morning-style ride (from being collected to
arriving, with the dwell of the stops after theirs), so the same limits, windows,
loads, multi-trip chaining (a vehicle dropping for an early-finishing school then
driving to a later one) and multi-school joins apply unchanged: :func:`solve_pm`
builds the mirrored :class:`TransportProblem`, calls :func:`.solve` on it and turns
the routes back into afternoon time. Each school's departure window is
``[end + delay, end + delay + wait]``: pupils board at the end of the day plus the
delay, and a vehicle may be up to ``wait`` minutes later (pupils wait at school,
not on board, so the ride limit is unaffected).

A route's miles run from the school to the last drop-off and on to its base (or to
the next trip's school), the mirror of the morning's base → first pick-up: the
deadhead before the afternoon run is not counted, as the morning's return is not.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from geodata.matrix import TravelMatrix
from models._arrays import frozen
from models.transport_result import RouteResult, TransportResult, Visit
from optimise.transport.routing.solve import solve

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from optimise.transport.routing.params import RoutingParams

__all__ = ["mirror", "solve_pm"]

DAY_S = 24 * 3600


def mirror(
    problem: TransportProblem, delay_min: float | None = None, wait_min: float | None = None
) -> TransportProblem:
    """The morning-shaped problem whose solution, reversed, is the afternoon run.

    ``delay_min`` and ``wait_min`` default to the policy's ``pm_delay_min`` and
    ``pm_wait_min``."""
    delay_min = problem.policy.pm_delay_min if delay_min is None else delay_min
    wait_min = problem.policy.pm_wait_min if wait_min is None else wait_min
    d = problem.drive
    drive = TravelMatrix(d.origins, d.destinations, d.seconds.T, d.metres.T, mode=d.mode,
                         source=d.source)  # fmt: skip
    leave = problem.end_min + round(delay_min)
    return problem.replace(
        drive=drive,
        bell_min=frozen(24 * 60 - leave, np.int64),
        arrive_min_before=frozen(np.zeros(len(leave)), np.int64),
        arrive_max_before=frozen(np.full(len(leave), round(wait_min)), np.int64),
    )


def solve_pm(
    problem: TransportProblem,
    *,
    params: RoutingParams | None = None,
    time_limit: float = 60.0,
    seed: int = 0,
    delay_min: float | None = None,
    wait_min: float | None = None,
) -> TransportResult:
    """Plan the afternoon routes (see the module docstring); route ids start ``PM``."""
    result = solve(mirror(problem, delay_min, wait_min), params=params,
                   time_limit=time_limit, seed=seed)  # fmt: skip
    return replace(
        result,
        routes=tuple(_back(problem, r) for r in result.routes),
        method=result.method + ", afternoon (mirrored)",
    )


def _back(problem: TransportProblem, r: RouteResult) -> RouteResult:
    """A mirrored route in afternoon time and order: schools, then drop-offs."""
    visits, load = [], 0
    for v in reversed(r.visits):
        if v.school >= 0:
            load += sum(int(problem.pupil_school[p]) == v.school for p in r.pupils)
        else:
            load -= len(v.pupils)
        visits.append(Visit(v.location, v.pupils, DAY_S - v.depart_s, DAY_S - v.arrive_s,
                            load, v.school))  # fmt: skip
    return replace(r, id=f"PM{r.id}", unit=f"PM{r.unit}", visits=tuple(visits),
                   start_s=DAY_S - r.start_s, run="pm")  # fmt: skip
