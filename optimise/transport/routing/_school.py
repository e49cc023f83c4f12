"""One school's morning routes as a PyVRP problem (heterogeneous, multi-depot, windows).

Each pick-up group is a PyVRP client; each available vehicle (a fleet row with its
base, or a vehicle free again after an earlier school) is a vehicle type that starts at
its base and ends at the school. Load dimensions: seats, wheelchair spaces, pupils
needing an assistant (only the assistant variant of a type, which costs the
assistant's day rate more, may carry them) and one dimension of capacity 1 per
no-share pair, and one per fleet row a pupil may not use (capacity 0 in that row's
vehicles). The hard ride limit is a time window: with the route arriving at the
school by ``A`` (the end of its window), a group whose tightest limit is ``R`` must
be left no earlier than ``A − R``, so its service starts no earlier than
``A − R − dwell``; the latest schedule of :mod:`.schedule` then meets every limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyvrp
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

from models.transport import METRES_PER_MILE, TransportProblem
from optimise.transport.routing.schedule import dwell_seconds

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Option", "Search", "solve_school"]

#: Integer cost units per pound (PyVRP costs are integers). Kept small on purpose:
#: PyVRP's penalties for lateness and overload are bounded, and a cost scale far above
#: seconds makes breaking a window cheaper than a vehicle (measured: 2,400 of 3,000
#: pupils left out at 1e6 per pound).
SCALE = 1_000


@dataclass(frozen=True)
class Option:
    """Vehicles of one fleet row available to this school, from one place and time."""

    vehicle: int  # fleet row
    start_location: int
    earliest_s: int
    count: int
    day_rate_due: bool  # False for a vehicle whose day rate an earlier trip paid
    assistant_paid: bool = False
    key: object = None  # the caller's handle (fleet row, or an earlier route's unit)


@dataclass(frozen=True)
class Search:
    """How to search one school's routes.

    Attributes
    ----------
    time_limit
        Seconds the search may take (a rare second attempt gets a third of them more).
    max_iterations
        PyVRP iterations after which the search stops (0: no cap, the time limit only).
    seed
        PyVRP's random seed.
    prize_gbp
        Pounds a pupil picked up is worth: a group left out costs this per pupil.
    arrive_by
        Seconds after midnight by which every route reaches the school.
    vehicle_premium_gbp
        Added to the search's price of a fresh vehicle (not to the reported cost): the
        fleet is shared with later schools.
    """

    time_limit: float
    max_iterations: int
    seed: int
    prize_gbp: float
    arrive_by: int
    vehicle_premium_gbp: float = 0.0


@dataclass(frozen=True)
class _Loads:
    """Load dimensions beyond seats and wheelchair spaces: pupils needing an assistant
    (any here), one per no-share pair, one per fleet row some pupil may not use."""

    need_assistant: bool
    pairs: list[tuple[int, int]]
    banned: list[int]


def solve_school(
    problem: TransportProblem,
    school: int,
    groups: Sequence[tuple[int, tuple[int, ...]]],
    options: Sequence[Option],
    search: Search,
    *,
    stats: dict[str, int] | None = None,
) -> tuple[list[tuple[int, bool, list[int]]], list[int]]:
    """Route ``groups`` to ``school``, arriving by ``search.arrive_by``.

    Returns (option, assistant, group order) per route, and the groups left out (no
    vehicle could carry them). ``stats["time_limited"]`` (when given) counts searches
    that the time limit stopped before ``max_iterations``: their result depends on the
    machine's speed.
    """
    late, max_iterations = search.arrive_by, search.max_iterations
    school_loc = int(problem.school_location[school])
    pairs = _pairs(problem, groups)
    # One load dimension per fleet row some pupil here may not use: that row's
    # vehicles have capacity 0 in it, every other vehicle room for everyone.
    banned = sorted({
        o.vehicle for o in options for _, ps in groups
        if any(problem.excluded(p, o.vehicle) for p in ps)
    })  # fmt: skip
    need_assistant = any(problem.pupil_assistant[list(ps)].any() for _, ps in groups)
    loads = _Loads(need_assistant, pairs, banned)
    starts = sorted({o.start_location for o in options})
    locs = [*starts, school_loc, *(loc for loc, _ in groups)]
    n_dep = len(starts) + 1
    depots = [pyvrp.Depot(i) for i in range(n_dep)]
    clients = []
    for gi, (_, ps) in enumerate(groups):
        ps_arr = list(ps)
        chairs = int(problem.pupil_wheelchair[ps_arr].sum())
        load = [len(ps) - chairs, chairs, int(problem.pupil_assistant[ps_arr].sum())]
        load += [int(any(p in pair for p in ps)) for pair in pairs]
        load += [sum(problem.excluded(p, v) for p in ps) for v in banned]
        service = dwell_seconds(problem, len(ps))
        limit = int(problem.pupil_max_ride_s[ps_arr].min())
        clients.append(
            pyvrp.Client(
                n_dep + gi,
                pickup=load,
                service_duration=service,
                tw_early=max(0, late - limit - service),
                tw_late=late,
                prize=int(search.prize_gbp * SCALE * len(ps)),
                required=False,
            )
        )
    idx = np.asarray(locs)
    metres = problem.drive.metres[np.ix_(idx, idx)].astype(np.float64)
    dur = np.ascontiguousarray(problem.drive.seconds[np.ix_(idx, idx)], dtype=np.int64)
    # One profile per cost-per-mile: its "distance" is the cost of driving the arc,
    # so that a pence-level cost needs no fractional unit cost.
    rates = sorted({problem.vehicles[o.vehicle].cost_per_mile for o in options})
    _check_costs(metres, rates, options, problem)
    dists = [
        np.ascontiguousarray(np.rint(metres * r / METRES_PER_MILE * SCALE), dtype=np.int64)
        for r in rates
    ]
    locations = [pyvrp.Location(0, 0) for _ in locs]

    def stop(share: float):
        crit = MaxRuntime(max(search.time_limit * share, 0.01))
        if max_iterations:
            return MultipleCriteria([crit, MaxIterations(max_iterations)])
        return crit

    # A fleet row's plain and assistant variants share its count: if the search uses
    # more than the row has, solve once more with the count split as it was used.
    caps = {(oi, a): o.count for oi, o in enumerate(options) for a in (False, True)}
    for attempt in range(2):
        types, meta = _types(problem, options, caps, starts, rates, search, loads)
        # pyvrp's stubs type the matrices as np.ndarray[int], which no array matches
        data = pyvrp.ProblemData(locations, clients, depots, types, dists, [dur] * len(rates))  # type: ignore[arg-type,list-item]
        # The rare second attempt gets a third of the first's time, from the reserve
        # solve() keeps.
        found = pyvrp.solve(
            data,
            stop=stop(1.0 if attempt == 0 else 0.3),
            seed=search.seed,
            params=_solve_params(),
        )
        if stats is not None and (not max_iterations or found.num_iterations < max_iterations):
            stats["time_limited"] = stats.get("time_limited", 0) + 1
        best = found.best
        routes, served = [], set()
        used = dict.fromkeys(caps, 0)
        for r in best.routes():
            if not r.is_feasible():
                continue
            order = [a.idx for a in r if a.is_client()]
            oi, assistant = meta[r.vehicle_type()]
            used[oi, assistant] += 1
            routes.append((oi, assistant, order))
            served.update(order)
        over = [oi for oi, o in enumerate(options) if used[oi, False] + used[oi, True] > o.count]
        if not over:
            break
        for oi in over:
            caps[oi, True] = min(used[oi, True], options[oi].count)
            caps[oi, False] = options[oi].count - caps[oi, True]
    else:
        # Still over (rare): drop the surplus routes; their pupils go back as unserved.
        routes, served, used = _trim(routes, options)
    return routes, [g for g in range(len(groups)) if g not in served]


#: The largest cost of one arc or vehicle, in PyVRP's integer units: far above any real
#: cost, far below int64 overflow (a cost cast from inf or 1e300 wraps round to a
#: negative number, and the search then improves forever, deaf to its time limit).
_MAX_COST_UNITS = 2**50


def _check_costs(metres, rates, options, problem) -> None:
    worst = float(np.max(metres, initial=0.0)) * max(rates, default=0.0) / METRES_PER_MILE
    fixed = [problem.vehicles[o.vehicle].day_rate for o in options]
    for what, value in (("cost_per_mile", worst), ("day_rate", max(fixed, default=0.0))):
        if not np.isfinite(value) or value * SCALE > _MAX_COST_UNITS:
            raise ValueError(f"fleet {what} too large for the route search ({value:g})")


def _pairs(problem, groups) -> list[tuple[int, int]]:
    here = {p for _, ps in groups for p in ps}
    return [(a, b) for a, b in problem.no_share if a in here and b in here]


#: PyVRP caps its penalty per unit of overload or lateness (default 1e5). In our units
#: (SCALE per pound) a vehicle costs ~1e5-4e5, so at the default cap overloading one
#: is cheaper than hiring another; 1e9 restores the order without int64 overflow
#: (penalty × excess stays below ~1e14).
def _solve_params():
    return pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=1e9))


def _types(problem, options, caps, starts, rates, search: Search, loads: _Loads):
    """PyVRP vehicle types: each option's plain variant and, where pupils need one and
    the option has none paid, its assistant variant; with (option, assistant) each."""
    premium, late = search.vehicle_premium_gbp, search.arrive_by
    need_assistant, n_pairs, banned = loads.need_assistant, len(loads.pairs), loads.banned
    types, meta = [], []
    for oi, o in enumerate(options):
        vt = problem.vehicles[o.vehicle]
        fixed = round((vt.day_rate + premium) * SCALE) if o.day_rate_due else 0
        variants = [o.assistant_paid]
        if need_assistant and not o.assistant_paid:
            variants.append(True)
        for assistant in variants:
            count = caps[oi, assistant]
            if count <= 0:
                continue
            extra = problem.policy.assistant_day_rate if assistant and not o.assistant_paid else 0
            room = vt.seats + vt.wheelchair_spaces if assistant else 0
            types.append(
                pyvrp.VehicleType(
                    num_available=count,
                    capacity=[vt.seats, vt.wheelchair_spaces, room]
                    + [1] * n_pairs
                    + [0 if v == o.vehicle else vt.seats + vt.wheelchair_spaces for v in banned],
                    start_depot=starts.index(o.start_location),
                    end_depot=len(starts),
                    fixed_cost=fixed + round(extra * SCALE),
                    tw_early=o.earliest_s,
                    tw_late=late,
                    unit_distance_cost=1,
                    profile=rates.index(vt.cost_per_mile),
                )
            )
            meta.append((oi, assistant))
    return types, meta


def _trim(routes, options):
    kept, served = [], set()
    used: dict[int, int] = {}
    for oi, assistant, order in routes:
        if used.get(oi, 0) < options[oi].count:
            used[oi] = used.get(oi, 0) + 1
            kept.append((oi, assistant, order))
            served.update(order)
    return kept, served, used
