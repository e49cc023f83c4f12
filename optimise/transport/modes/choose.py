"""Travel mode choice for SEND pupils, jointly with the routes.

Each SEND pupil (and each pupil flagged for travel training) may travel on a council
vehicle (a seat on a shared route, or a solo vehicle for a pupil flagged solo), take a
personal travel budget (where the family can accept one, :class:`ModeFlags`) or, where
flagged, independent travel training then a bus pass. Prices: :class:`ModeParams`.

Method (price by removal, move, re-plan):

1. plan the routes for everyone (:func:`optimise.transport.solve`);
2. price each candidate's seat: their vehicle's daily cost with and without them ×
   school days (:func:`.plan.marginal_costs`; for a pupil alone in a vehicle, the
   whole vehicle);
3. take the candidates whose cheapest alternative saves most first and move each one
   whose seat, re-priced on the plan left by the moves before it, still costs more than
   the alternative (so every move saves exactly what it is booked at and the moves'
   savings add up to the plan's);
4. re-plan the remaining pupils (a moved pupil frees a seat, so routes may merge) and
   keep the re-plan only when it is cheaper than the plan with the moved pupils taken
   off; repeat from 2 until a round moves nobody, ``max_rounds`` or the time is up.
   The first plan takes ``first_solve_share`` of the time limit (0.9: the routing
   search needs the time more than a re-plan does, :class:`ModeParams`); a re-plan
   runs only when a quarter of the limit is left. Its gain is reported apart
   (``replan_gain_gbp``): on the default data it is mostly the routing search's
   run-to-run spread (£14.0m-£15.4m a year in seven runs at 15-30 s under load), not
   the freed seats, so it is not booked to a savings line.

A pupil no route can carry (``unserved``) takes their cheapest alternative if they have
one; that cost is reported apart (serving them is a duty, not a saving). Why this and
not one model: the alternatives' prices are fixed per pupil, and only the seat's price
depends on the routes; pricing by removal against the real router keeps every
constraint the router knows (ride limits, wheelchair spaces, assistants, multi-trip)
without a second model of them. Deterministic for a seed when the router is
(``RoutingParams.max_iterations``); the moves themselves are ordered by saving, then
pupil position.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from optimise.transport.modes.params import ModeFlags, ModeParams
from optimise.transport.modes.plan import (
    drop_pupils,
    marginal_costs,
    strip,
    unit_cost,
    units_by_pupil,
)
from optimise.transport.routing.solve import raise_limits, solve

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from models.transport_result import TransportResult
    from optimise.transport.routing.params import RoutingParams

__all__ = ["ModeDecision", "ModeFlags", "ModeParams", "ModeResult", "choose_modes"]

#: Seconds a pricing round takes per pupil (measured: 0.8-1.0 s for the 3,000 default
#: pupils at load 4-6 on the 2-core machine), with a margin.
_PRICING_S_PER_PUPIL = 0.0005
#: A re-plan needs at least this share of the time limit (a 2 s re-plan of the default
#: data cost £1.7m a year more than the plan it would have replaced).
_MIN_REPLAN_SHARE = 0.25
#: Business case categories of the alternatives.
LINES = {"budget": "personal_budgets", "training": "independent_travel"}


@dataclass(frozen=True)
class ModeDecision:
    """One candidate's options (annual £; NaN where not available) and the choice."""

    pupil: int  # position in the full problem
    chosen: str  # route, solo, budget, training, unserved
    route_gbp: float  # the seat's marginal cost when last priced (NaN: not carried)
    solo_gbp: float  # a direct solo vehicle from the fleet's cheapest fitting type
    budget_gbp: float
    training_gbp: float
    saving_gbp: float  # booked saving of the move (0 when staying)
    round: int  # the round it moved in (0: stays)


@dataclass(frozen=True, eq=False)
class ModeResult:
    """The reduced problem (pupils still carried by vehicles), its routes, the decisions."""

    problem: TransportProblem
    routes: TransportResult
    kept: np.ndarray  # reduced pupil position → full problem position
    baseline: TransportResult  # every candidate on routes or solo vehicles
    decisions: tuple[ModeDecision, ...]
    replan_gain_gbp: float  # what re-planning saved beyond taking moved pupils off
    rounds: int
    runtime_s: float

    @property
    def alternatives_annual_cost(self) -> float:
        """£ a year of the budgets and training (with bus passes) chosen."""
        return float(sum(d.budget_gbp if d.chosen == "budget" else d.training_gbp
                         for d in self.decisions if d.round != 0))  # fmt: skip

    @property
    def savings_by_line_gbp(self) -> dict[str, float]:
        out = dict.fromkeys(LINES.values(), 0.0)
        for d in self.decisions:
            if d.chosen in LINES and d.round > 0:
                out[LINES[d.chosen]] += d.saving_gbp
        return {k: round(v, 2) for k, v in out.items()}

    def summary(self) -> dict[str, object]:
        """Headline figures for ``summary.json`` (counts and £, no pupil ids)."""
        chosen = [d.chosen for d in self.decisions]
        newly = [d for d in self.decisions if d.round < 0]
        alt_cost = sum(d.budget_gbp if d.chosen == "budget" else d.training_gbp for d in newly)
        lines = self.savings_by_line_gbp
        return {
            "candidates": len(self.decisions),
            **{
                f"chosen_{m}": chosen.count(m)
                for m in ("route", "solo", "budget", "training", "unserved")
            },
            "unserved_given_alternative": len(newly),
            "unserved_alternative_cost_gbp": round(alt_cost, 2),
            "baseline_annual_cost_gbp": round(self.baseline.annual_cost, 2),
            "routes_annual_cost_gbp": round(self.routes.annual_cost, 2),
            "alternatives_annual_cost_gbp": round(self.alternatives_annual_cost, 2),
            "savings_by_line_gbp": lines,
            "replan_gain_gbp": round(self.replan_gain_gbp, 2),
            "total_saving_gbp": round(sum(lines.values()) + self.replan_gain_gbp, 2),
            "rounds": self.rounds,
            "first_plan_runtime_s": round(self.baseline.runtime_s, 2),
            "runtime_s": round(self.runtime_s, 2),
        }


def _solo_gbp(problem: TransportProblem, p: int) -> float:
    """A year of the cheapest fleet type that fits, alone: base → home → school."""
    m = problem.drive.metres
    home, school = problem.pupil_location[p], problem.school_location[problem.pupil_school[p]]
    assistant = problem.policy.assistant_day_rate if problem.pupil_assistant[p] else 0.0
    costs = [
        v.daily_cost(int(m[v.base, home]) + int(m[home, school]), assistant_day_rate=assistant)
        for v in problem.vehicles
        if (v.wheelchair_spaces if problem.pupil_wheelchair[p] else v.seats) >= 1
    ]
    return min(costs) * problem.policy.school_days if costs else float("nan")


def choose_modes(
    problem: TransportProblem,
    *,
    flags: ModeFlags | None = None,
    params: ModeParams | None = None,
    routing: RoutingParams | None = None,
    time_limit: float = 60.0,
    seed: int = 0,
) -> ModeResult:
    """Choose each candidate's mode jointly with the routes (module docstring)."""
    # as solve() does: a pupil whose direct ride is over the limit is carried directly
    problem, _ = raise_limits(problem)
    started = time.perf_counter()
    deadline = started + time_limit
    params, flags = params or ModeParams(), flags or ModeFlags.default(problem)
    days = problem.policy.school_days
    home, school = problem.pupil_location, problem.school_location[problem.pupil_school]
    budget = np.where(flags.budget_ok, params.budget_gbp(problem.drive.metres[home, school],
                                                         days), np.nan)  # fmt: skip
    training = np.where(flags.training, params.training_gbp(), np.nan)
    alternative = np.fmin(budget, training)
    kind = np.where(np.isnan(training) | (budget <= training), "budget", "training")
    candidates = [int(p) for p in np.flatnonzero(problem.pupil_sen | flags.training)]
    price = dict.fromkeys(candidates, np.nan)

    # The first plan leaves time for the pricing rounds (but takes at least half).
    pricing = _PRICING_S_PER_PUPIL * problem.num_pupils
    share = max(0.5 * time_limit,
                time_limit * params.first_solve_share - pricing * params.max_rounds)  # fmt: skip
    baseline = solve(problem, params=routing, time_limit=share, seed=seed)
    moved: dict[int, tuple[str, float, int]] = {}  # pupil → (mode, booked saving, round)
    for u in baseline.unserved:
        if u.pupil in price and not np.isnan(alternative[u.pupil]):
            moved[u.pupil] = (str(kind[u.pupil]), -float(alternative[u.pupil]), -1)
    cur_problem, cur, kept = strip(problem, baseline, list(moved))
    gain, rounds = 0.0, 0
    # The first round always runs (it leaves at least half the limit); later ones if
    # they fit in the time left.
    while rounds < params.max_rounds and (not rounds or time.perf_counter() + pricing < deadline):
        rounds += 1
        began = time.perf_counter()
        at = {int(full): i for i, full in enumerate(kept)}
        seats = marginal_costs(cur_problem, cur)
        for p in price:
            if p in at and at[p] in seats:
                price[p] = seats[at[p]] * days
        offers = sorted(
            (-(price[p] - alternative[p]), p) for p in price
            if p in at and at[p] in seats and price[p] - alternative[p] > params.min_saving_gbp
        )  # fmt: skip
        # Re-price each seat on the plan left by this round's earlier moves, so every
        # move saves exactly what it books and the bookings add up.
        units = units_by_pupil(cur)
        dropped: set[int] = set()
        for _, p in offers:
            trips = units[at[p]]
            seat = (unit_cost(cur_problem, trips, dropped)
                    - unit_cost(cur_problem, trips, dropped | {at[p]})) * days  # fmt: skip
            if seat - alternative[p] > params.min_saving_gbp:
                moved[p] = (str(kind[p]), float(seat - alternative[p]), rounds)
                price[p] = seat
                dropped.add(at[p])
        if not dropped:
            break
        cur_problem, cur, keep = strip(cur_problem, cur, dropped)
        kept = kept[keep]
        # Re-plan the pupils left with the time left, but for the later rounds' pricing.
        pricing = max(pricing, time.perf_counter() - began)
        spare = deadline - time.perf_counter() - pricing * (params.max_rounds - rounds)
        if spare < max(1.0, _MIN_REPLAN_SHARE * time_limit):  # a short search only loses
            continue
        re_problem, re_kept = drop_pupils(problem, list(moved))  # the same for any history
        replan = solve(re_problem, params=routing, time_limit=spare, seed=seed)
        if replan.annual_cost < cur.annual_cost and len(replan.unserved) <= len(cur.unserved):
            gain += cur.annual_cost - replan.annual_cost
            cur_problem, cur, kept = re_problem, replan, re_kept
    carried = {int(kept[i]) for i in np.flatnonzero(cur.ride_s >= 0)}
    decisions = []
    for p in candidates:
        chosen, saving, rnd = moved.get(p, ("", 0.0, 0))
        if not chosen:
            chosen = ("solo" if problem.pupil_solo[p] else "route") if p in carried else "unserved"
        decisions.append(
            ModeDecision(
                p,
                chosen,
                float(price[p]),
                _solo_gbp(problem, p),
                float(budget[p]),
                float(training[p]),
                round(saving, 2),
                rnd,
            )
        )
    return ModeResult(cur_problem, cur, kept, baseline, tuple(decisions), gain, rounds,
                      time.perf_counter() - started)  # fmt: skip
