"""What changed between last term's plan and this one.

A pupil *changed* when their pick-up point or their vehicle changed. New routes are
matched one-to-one to old ones greedily by the continuing pupils they share (most
first), so a re-planned route that carries mostly the same pupils counts as the same
vehicle; a route *kept unchanged* carries exactly the same pupils as its match. With
both runs planned, the afternoon vehicle is compared the same way and a pupil counts
once (:mod:`.day`). :func:`better_plan` picks between the from-scratch and the repair
candidates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import numpy as np

    from models.transport import TransportProblem
    from models.transport_result import TransportResult
    from optimise.transport.stops.choose import Stability

__all__ = ["better_plan", "change_line", "changes"]


def _vehicle_moves(
    problem: TransportProblem, old_route: dict[str, str], result: TransportResult, cont: list[int]
) -> tuple[list[bool], dict[str, str], dict[str, str]]:
    """Per continuing pupil, did their vehicle change; the new → old route match; and
    each pupil's new route."""
    new_route = {problem.pupil_ids[p]: r.id for r in result.routes for p in r.pupils}
    pairs = pd.Series([(old_route[problem.pupil_ids[p]], new_route.get(problem.pupil_ids[p]))
                       for p in cont], dtype=object).value_counts()  # fmt: skip
    match, taken_old, taken_new = {}, set(), set()
    for (o, n), _ in pairs.items():
        if o and n and o not in taken_old and n not in taken_new:
            match[n] = o
            taken_old.add(o)
            taken_new.add(n)
    moved = []
    for p in cont:
        pid = problem.pupil_ids[p]
        now = new_route.get(pid)  # None: not carried (this term or, below, last term)
        moved.append((match.get(now) if now else None) != (old_route[pid] or None))
    return moved, match, new_route


def changes(
    problem: TransportProblem,
    prev: pd.DataFrame,
    assign: np.ndarray,
    result: TransportResult,
    pm: TransportResult | None = None,
) -> dict[str, int]:
    """Pupils whose pick-up point or vehicle changed, routes altered, stops opened/closed.

    With ``pm`` (this term's afternoon) and last term's afternoon (``pm_route``), a
    pupil whose afternoon vehicle changed counts too, once per pupil however many of
    stop, morning and afternoon vehicle changed; the route counts are the morning's."""
    old_route = dict(zip(prev.pupil_id, prev.route, strict=True))
    old_point = dict(zip(prev.pupil_id, prev.pickup, strict=True))
    point = ["home" if s < 0 else problem.stop_ids[s] for s in assign.tolist()]
    cont = [p for p, pid in enumerate(problem.pupil_ids) if pid in old_route]
    moved, match, _ = _vehicle_moves(problem, old_route, result, cont)
    if pm is not None and "pm_route" in prev.columns:
        old_pm = dict(zip(prev.pupil_id, prev.pm_route, strict=True))
        moved_pm, _, _ = _vehicle_moves(problem, old_pm, pm, cont)
        moved = [a or b for a, b in zip(moved, moved_pm, strict=True)]
    changed = sum(int(point[p] != old_point[problem.pupil_ids[p]] or m)
                  for p, m in zip(cont, moved, strict=True))  # fmt: skip
    old_sets = prev.groupby("route").pupil_id.apply(frozenset).to_dict()
    new_sets = {r.id: frozenset(problem.pupil_ids[p] for p in r.pupils) for r in result.routes}
    same = sum(1 for n, o in match.items() if new_sets.get(n) == old_sets.get(o))
    old_stops = set(prev.pickup) - {"home"}
    new_stops = set(point) - {"home"}
    return {
        "pupils_changed": changed,
        "pupils_continuing": len(cont),
        "pupils_joined": problem.num_pupils - len(cont),
        "pupils_left": int(len(prev) - len(cont)),
        "routes_kept_unchanged": same,
        "routes_altered": len([o for o in old_sets if o]) - same,
        "routes_new": len(new_sets) - len(match),
        "stops_opened": len(new_stops - old_stops),
        "stops_closed": len(old_stops - new_stops),
    }


def change_line(result: Any, found: dict[str, int]) -> dict[str, Any]:
    """One candidate plan's line of the re-planning report."""
    return {"annual_cost_gbp": round(result.annual_cost, 2),
            "pupils_unserved": len(result.unserved), **found}  # fmt: skip


def better_plan(a, b, stability: Stability) -> bool:
    """Is plan ``a`` = (result, £ of alternatives, changes) better than ``b``: fewer
    pupils left out, within the cap, then the annual cost + penalty × changed pupils."""
    cap = stability.max_changes

    def key(res, other, ch):
        over = 0 if cap is None else max(0, ch["pupils_changed"] - cap)
        cost = res.annual_cost + other + stability.penalty * ch["pupils_changed"]
        return (len(res.unserved), over, cost)

    return key(*a) < key(*b)
