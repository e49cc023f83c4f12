"""Multi-school runs: join or chain two schools' routes where that saves money.

Why a step after the per-school solve
-------------------------------------
On a route serving one school the ride limit is an exact pick-up window, which is
why :mod:`.solve` plans each school as its own PyVRP problem. A route serving two
schools breaks that equivalence (the arrival that matters differs per pupil), so
instead of a second, weaker model for the whole county this step takes the per-school
plan and tries, for pairs of routes of two different schools:

* a **join**: one route, route A's pick-ups and route B's (either before the other, or
  B's inserted where they add fewest miles, and the reverse), then both schools in
  the order of their arrival windows; only where both schools allow it
  (``schools.multi_school``), they are not a ``never_share`` pair and neither route
  carries a solo pupil;
* a **chain**: route A arriving at the *start* of its school's window (every ride as
  long as before), then the same vehicle leaving that school for route B's pick-ups
  and school B: "A's pupils → school A → B's pick-ups → school B", one day rate. No
  pupils of the two schools ride together, so, like a second trip, it needs no
  multi-school consent. The solver's own second trips only reach schools whose bell
  is ``chain_gap_min`` later; a chain reaches the closer ones.

Every candidate is rebuilt and checked by :func:`.schedule.build_route` (every
pupil's ride limit, both arrival windows, seats, wheelchair spaces, no-share pairs,
excluded vehicle types, schools that may not share; for a chain, that the vehicle
can leave school A after dropping there), and kept only when it costs less than the
two routes it replaces. Offers are taken greedily, best saving first; each route
joins or chains at most once. Only routes that are their vehicle's single trip and
start at the operator base are candidates, and only pairs of schools whose arrival
windows end at most ``max_gap_min`` apart and that lie within ``max_drive_min`` of
each other. The new route(s) run in the vehicle type of one of the two routes, so no
fleet row is used more than before.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from optimise.transport.routing.schedule import arrival_window, build_route, free_at

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from optimise.transport.routing.schedule import RouteCheck

__all__ = ["merge_schools"]


def merge_schools(
    problem: TransportProblem,
    checks: list[RouteCheck],
    *,
    max_gap_min: float = 30.0,
    max_drive_min: float = 20.0,
    deadline: float | None = None,
) -> tuple[list[RouteCheck], dict[str, int]]:
    """Join or chain pairs of one-school routes where that saves money.

    Returns the new list of routes (a joined route keeps the id of the first of its
    two; chained routes keep theirs, the second running in the first's vehicle) and
    the number of ``joins`` and ``chains`` made. Stops early, with what it found so
    far, when ``time.perf_counter()`` passes ``deadline``.
    """
    trips: dict[str, int] = {}
    for c in checks:
        trips[c.route.unit] = trips.get(c.route.unit, 0) + 1
    able = [
        i
        for i, c in enumerate(checks)
        if len(c.route.schools) == 1 and trips[c.route.unit] == 1 and c.route.unit == c.route.id
    ]
    secs = problem.drive.seconds
    window = {s: arrival_window(problem, s)[1] for s in range(len(problem.school_ids))}
    offers: list[tuple[float, int, int, list[RouteCheck]]] = []
    for x, i in enumerate(able):
        a = checks[i].route.schools[0]
        for j in able[x + 1 :]:
            if deadline is not None and time.perf_counter() > deadline:
                break
            b = checks[j].route.schools[0]
            if a == b or abs(window[a] - window[b]) > max_gap_min * 60:
                continue
            la, lb = int(problem.school_location[a]), int(problem.school_location[b])
            if min(secs[la, lb], secs[lb, la]) > max_drive_min * 60:
                continue
            first, second = (i, j) if (window[a], a) < (window[b], b) else (j, i)
            options = [_chain(problem, checks[first], checks[second])]
            if problem.may_share(a, b) and not _solo(problem, checks[i], checks[j]):
                join = _best_join(problem, checks[i], checks[j])
                options.append(None if join is None else [join])
            was = checks[i].route.daily_cost + checks[j].route.daily_cost
            for new in options:
                if new is None:
                    continue
                saving = was - sum(c.route.daily_cost for c in new)
                if saving > 1e-6:
                    offers.append((-saving, i, j, new))
    offers.sort(key=lambda o: (o[0], o[1], o[2], len(o[3])))
    taken: set[int] = set()
    made: dict[int, list[RouteCheck]] = {}
    for _, i, j, new in offers:
        if i in taken or j in taken:
            continue
        taken.update((i, j))
        made[i] = new
    out: list[RouteCheck] = []
    for i, c in enumerate(checks):
        if i in made:
            out += made[i]
        elif i not in taken:
            out.append(c)
    stats = {
        "joins": sum(len(n) == 1 for n in made.values()),
        "chains": sum(len(n) == 2 for n in made.values()),
    }
    return out, stats


def _solo(problem: TransportProblem, *routes: RouteCheck) -> bool:
    return any(problem.pupil_solo[list(r.route.pupils)].any() for r in routes)


def _chain(
    problem: TransportProblem, first: RouteCheck, second: RouteCheck
) -> list[RouteCheck] | None:
    """``first`` arriving at the start of its school's window (rides unchanged), then
    ``second`` from that school in the same vehicle: one day rate, no pupil of the two
    schools aboard together. The cheaper vehicle type of the two that carries both (None
    when neither can)."""
    school = first.route.schools[0]
    early = arrival_window(problem, school)[0]
    best: list[RouteCheck] | None = None
    for vehicle in dict.fromkeys((first.route.vehicle, second.route.vehicle)):
        rid = first.route.id
        one = build_route(problem, rid, vehicle, _stops(first), arrive_by=early, unit=rid)
        if one.violations:
            continue
        two = build_route(
            problem, second.route.id, vehicle, _stops(second),
            start_location=int(problem.school_location[school]), day_rate_due=False,
            assistant_paid=one.route.assistant, unit=rid,
        )  # fmt: skip
        free = free_at(problem, one.route)
        if two.violations or two.route.start_s < free:
            continue
        cost = one.route.daily_cost + two.route.daily_cost
        if best is None or cost < sum(c.route.daily_cost for c in best):
            best = [one, two]
    return best


def _stops(check: RouteCheck) -> list[tuple[int, tuple[int, ...]]]:
    return [(v.location, v.pupils) for v in check.route.visits if v.school < 0]


def _insert(problem: TransportProblem, into: list, extra: list) -> list:
    """``extra``'s stops put one by one where each adds the fewest metres to ``into``
    (ending at its school)."""
    metres = problem.drive.metres
    seq = list(into)
    end = int(problem.school_location[int(problem.pupil_school[into[0][1][0]])])
    for stop in extra:
        locs = [loc for loc, _ in seq] + [end]
        best, at = None, 0
        for k in range(len(seq) + 1):
            before = int(metres[locs[k - 1], stop[0]]) if k else 0
            after = int(metres[stop[0], locs[k]])
            gone = int(metres[locs[k - 1], locs[k]]) if k else 0
            add = before + after - gone
            if best is None or add < best:
                best, at = add, k
        seq.insert(at, stop)
    return seq


def _best_join(problem: TransportProblem, one: RouteCheck, two: RouteCheck) -> RouteCheck | None:
    """The cheapest valid joined route: each route's pick-ups before the other's, or
    inserted into the other's; either vehicle type."""
    vt = problem.vehicles
    pupils = [*one.route.pupils, *two.route.pupils]
    chairs = int(problem.pupil_wheelchair[pupils].sum())
    fleet = [
        v for v in dict.fromkeys((one.route.vehicle, two.route.vehicle))
        if vt[v].seats >= len(pupils) - chairs and vt[v].wheelchair_spaces >= chairs
    ]  # fmt: skip
    if not fleet:
        return None
    best = None
    rid = one.route.id
    a, b = _stops(one), _stops(two)
    orders = [a + b, b + a, _insert(problem, a, b), _insert(problem, b, a)]
    for stops in orders:
        for vehicle in fleet:
            check = build_route(problem, rid, vehicle, stops, unit=rid)
            if check.violations:
                continue
            if best is None or check.route.daily_cost < best.route.daily_cost:
                best = check
    return best
