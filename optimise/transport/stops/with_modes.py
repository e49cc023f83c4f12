"""Mode choice inside ``optimise transport plan``: the part-1 engine, on chosen stops.

:func:`optimise.transport.modes.output.run_mode_choice` plans the routes itself and
returns them on the problem without the pupils moved to a personal budget or travel
training. Here they are mapped back to the full problem's positions, so that the
plan's tables, its change report and re-planning read one set of positions; a moved
pupil has no route (ride -1) and is not listed as unserved.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from optimise.transport.modes.output import run_mode_choice

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from models.transport_result import TransportResult
    from optimise.transport.modes.choose import ModeResult

__all__ = ["full_positions", "plan_with_modes"]


def full_positions(result: TransportResult, kept: np.ndarray, n: int) -> TransportResult:
    """``result`` of a problem holding the pupils ``kept`` (full positions) of ``n``."""
    routes = tuple(
        dataclasses.replace(r, visits=tuple(
            dataclasses.replace(v, pupils=tuple(int(kept[p]) for p in v.pupils))
            for v in r.visits))
        for r in result.routes
    )  # fmt: skip
    ride = np.full(n, -1, dtype=np.int64)
    ride[kept] = result.ride_s
    ride.setflags(write=False)
    unserved = tuple(dataclasses.replace(u, pupil=int(kept[u.pupil])) for u in result.unserved)
    return dataclasses.replace(result, routes=routes, ride_s=ride, unserved=unserved)


def plan_with_modes(
    problem: TransportProblem, pupils: Any, *, table, routing, time_limit: float, seed: int,
    source: str,
) -> tuple[TransportResult, ModeResult]:  # fmt: skip
    """Routes and modes for ``problem`` (stops assigned), routes in full positions."""
    modes = run_mode_choice(problem, pupils, table=table, routing=routing,
                            time_limit=time_limit, seed=seed, source=source)  # fmt: skip
    return full_positions(modes.routes, modes.kept, problem.num_pupils), modes
