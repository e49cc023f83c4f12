"""Pick-up point consolidation and term re-planning (issue #4).

>>> assign, figures = choose_stops(problem, StopParams(), time_limit=30)  # doctest: +SKIP
>>> result = solve(problem.replace(pupil_stop=assign), time_limit=90)     # doctest: +SKIP

Modules: :mod:`.reach` (who may walk to which stop), :mod:`.choose` (fewest stops,
the sequential baseline), :mod:`.estimate` and :mod:`.joint` (the joint search),
:mod:`.plan` (both for a transport problem), :mod:`.replan` (term re-planning),
:mod:`.run` (the ``optimise transport plan`` command); the sbr1 benchmark is
:mod:`optimise.bench.sbr`.
"""

from optimise.transport.stops.choose import HOME, Stability, choose_fewest
from optimise.transport.stops.params import StopParams
from optimise.transport.stops.plan import choose_stops, walk_report
from optimise.transport.stops.reach import Reach, reach, walk_limits

__all__ = [
    "HOME",
    "Reach",
    "Stability",
    "StopParams",
    "choose_fewest",
    "choose_stops",
    "reach",
    "walk_limits",
    "walk_report",
]
