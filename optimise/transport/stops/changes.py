"""What changed between last term's plan and this one.

A pupil *changed* when their pick-up point or their vehicle changed. New routes are
matched one-to-one to old ones greedily by the continuing pupils they share (most
first), so a re-planned route that carries mostly the same pupils counts as the same
vehicle; a route *kept unchanged* carries exactly the same pupils as its match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import numpy as np

    from models.transport import TransportProblem
    from models.transport_result import TransportResult

__all__ = ["changes"]


def changes(
    problem: TransportProblem, prev: pd.DataFrame, assign: np.ndarray, result: TransportResult
) -> dict[str, int]:
    """Pupils whose pick-up point or vehicle changed, routes altered, stops opened/closed."""
    old_route = dict(zip(prev.pupil_id, prev.route, strict=True))
    old_point = dict(zip(prev.pupil_id, prev.pickup, strict=True))
    new_route = {problem.pupil_ids[p]: r.id for r in result.routes for p in r.pupils}
    point = ["home" if s < 0 else problem.stop_ids[s] for s in assign.tolist()]
    cont = [p for p, pid in enumerate(problem.pupil_ids) if pid in old_route]
    pairs = pd.Series([(old_route[problem.pupil_ids[p]], new_route.get(problem.pupil_ids[p]))
                       for p in cont], dtype=object).value_counts()  # fmt: skip
    match, taken_old, taken_new = {}, set(), set()
    for (o, n), _ in pairs.items():
        if o and n and o not in taken_old and n not in taken_new:
            match[n] = o
            taken_old.add(o)
            taken_new.add(n)
    changed = 0
    for p in cont:
        pid = problem.pupil_ids[p]
        now = new_route.get(pid)  # None: not carried (this term or, below, last term)
        moved_vehicle = (match.get(now) if now else None) != (old_route[pid] or None)
        changed += int(point[p] != old_point[pid] or moved_vehicle)
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
