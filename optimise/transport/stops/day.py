"""The afternoon run of ``optimise transport plan`` (``--run pm|both``) on the chosen stops.

The pick-up points are chosen once, for the morning (:mod:`.plan` prices them by
estimated morning routes), and the afternoon reuses them: a pupil who walks to a stop
in the morning is set down at that same stop, so a family has one point to know. The
afternoon is :func:`optimise.transport.routing.afternoon.solve_pm` (the mirrored morning run)
on the problem with the stops assigned (``pupil_stop`` is carried through the mirror
unchanged). With mode choice, the pupils moved to a personal budget or travel training
have no afternoon seat either: the afternoon is solved on the mode choice's reduced
problem and mapped back to the full positions (:func:`.with_modes.full_positions`).

Re-planning: last term's afternoon vehicle (``pm_route``, ``pm_vehicle`` columns of
``assignments-personal.csv``, written when a plan had an afternoon) is compared like
the morning's, and a pupil counts once in ``pupils_changed`` whether their stop, their
morning vehicle or their afternoon vehicle changed (:func:`.changes.changes`). The
choice between re-planning from scratch and repairing last term's routes is made on the
morning run (the stops, shared by both runs, are already fixed); the afternoon is then
planned anew on the same stops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from optimise.transport.routing.afternoon import solve_pm
from optimise.transport.run import RUNS
from optimise.transport.stops.with_modes import full_positions

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from models.transport_result import TransportResult
    from optimise.transport.modes.choose import ModeResult
    from optimise.transport.routing.params import RoutingParams

__all__ = ["check_run", "plan_pm", "pm_columns"]


def check_run(run: str, given: dict[str, Any]) -> None:
    """``run`` is one of :data:`RUNS`; ``pm`` alone takes none of the options (``given``:
    option → value) that compare or choose on the morning run."""
    if run not in RUNS:
        raise InputError(f"--run: expected one of {', '.join(RUNS)}, found '{run}'")
    morning = [name for name, value in given.items() if value]
    if run == "pm" and morning:
        raise InputError(
            f"--run pm: {morning[0]} works on the morning run; expected --run am or both, found pm"
        )


def plan_pm(
    planned: TransportProblem,
    modes: ModeResult | None,
    *,
    routing: RoutingParams,
    time_limit: float,
    seed: int,
) -> TransportResult:
    """The afternoon routes for ``planned`` (stops assigned), in its pupil positions."""
    if modes is None:
        return solve_pm(planned, params=routing, time_limit=time_limit, seed=seed)
    pm = solve_pm(modes.problem, params=routing, time_limit=time_limit, seed=seed)
    return full_positions(pm, modes.kept, planned.num_pupils)


def pm_columns(result: TransportResult | None, problem: TransportProblem) -> dict[int, Any]:
    """Pupil position → afternoon (route, vehicle, vehicle type, visit number)."""
    out: dict[int, Any] = {}
    for r in result.routes if result is not None else ():
        for i, v in enumerate(r.visits, start=1):
            for p in v.pupils:
                out[p] = (r.id, r.unit or r.id, problem.vehicles[r.vehicle].id, i)
    return out
