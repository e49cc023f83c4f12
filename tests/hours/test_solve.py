"""Opening hours: the solver keeps every rule and finds hand-checked optima."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.matrix import TravelMatrix
from geodata.providers import StraightLine
from models import HoursProblem
from optimise.hours import DemandModel, HoursParams, calibrate, solve, uniform_profile
from optimise.hours.report import blocks, timetable


def two_centres(
    *, a_hours: str = "09:00-12:00", b_hours: str = "09:00-12:00", b_people: int = 80,
    b_over65: int = 0,
) -> tuple[HoursProblem, DemandModel]:  # fmt: skip
    """Centres A and B, each next to its own zone and 1,000 minutes from the other;
    Monday 09:00-12:00 in hourly slots; every resident visits 3 times a year next to a
    centre that is always open."""
    centres = pd.DataFrame({"id": ["A", "B"], "name": ["A", "B"], "mon_hours": [a_hours, b_hours]})
    zones = pd.DataFrame(
        {"id": ["zA", "zB"], "population": [100, b_people], "over65": [0, b_over65]}
    )
    seconds = np.array([[0, 60_000], [60_000, 0]])
    travel = TravelMatrix(("zA", "zB"), ("A", "B"), seconds, seconds)
    problem = HoursProblem.from_matrix(
        centres, zones, travel, slot_minutes=60, day_start=9 * 60, day_end=12 * 60
    )
    profile = uniform_profile(problem, "Mon", "09:00-12:00")
    return problem, DemandModel(3.0, 1.0, 1.0, np.ones(2), profile)


SMALL = {"open_days": "Mon", "cover_days": "Mon", "step_minutes": 60}


def test_two_centres_known_optimum():
    # Budget 4 h, blocks of 2 h: A 3 h serves 100 x 3 = 300 visits; A 2 h + B 2 h
    # serves (100 + 80) x 3 x 2/3 = 360; B cannot open a block beside A's 3 h.
    problem, demand = two_centres()
    params = HoursParams(budget_hours=4, min_block_hours=2, **SMALL)
    result = solve(problem, demand=demand, params=params, seed=1)
    assert result.optimal
    assert result.coverage.served == pytest.approx(360)
    assert result.objective == pytest.approx(360)
    assert list(result.coverage.hours) == [2, 2]
    assert result.hours_used == 4


def test_two_centres_over65_weight_moves_the_hours():
    # B's 80 residents are all over 65. Budget 3 h, blocks of 1 h: with weight 1, A
    # (100 people) gets 3 h (300 visits); with weight 2, B's 80 count as 160 each
    # hour-share, so B gets the 3 h.
    problem, demand = two_centres(b_over65=80)
    base = {"budget_hours": 3, "min_block_hours": 1, "max_centre_hours": 3, **SMALL}
    one = solve(problem, demand=demand, params=HoursParams(over65_weight=1, **base))
    two = solve(problem, demand=demand, params=HoursParams(over65_weight=2, **base))
    assert list(one.coverage.hours) == [3, 0]
    assert list(two.coverage.hours) == [0, 3]
    assert two.coverage.over65_served == pytest.approx(240)


def test_availability_window_respected():
    problem, demand = two_centres(a_hours="10:00-12:00")
    params = HoursParams(budget_hours=5, min_block_hours=1, **SMALL)
    result = solve(problem, demand=demand, params=params)
    assert not (result.plan & ~problem.available).any()
    assert not result.plan[0, 0, 0]  # A's building opens at 10:00
    assert list(result.coverage.hours) == [2, 3]


def test_budget_too_small_for_a_block_each_cover_day_is_refused():
    problem, demand = two_centres()
    with pytest.raises(ValueError, match="cannot open one centre"):
        solve(problem, demand=demand, params=HoursParams(budget_hours=1, min_block_hours=2,
                                                          **SMALL))  # fmt: skip


@pytest.fixture(scope="session")
def default_case():
    from geodata.default import load_default

    data = load_default()
    problem = HoursProblem.from_geodata(data.centres, data.zones, StraightLine())
    return problem, calibrate(problem, uniform_profile(problem)).model


@pytest.fixture(scope="session")
def solved_40(default_case):
    problem, demand = default_case
    params = HoursParams(budget_hours=40)
    return solve(problem, demand=demand, params=params, time_limit=60, seed=7)


def test_budget_is_binding(default_case, solved_40):
    assert solved_40.optimal
    assert solved_40.hours_used == 40
    assert solved_40.staff_hours_used <= 40
    assert solved_40.coverage.served > 0


def test_minimum_block_respected(default_case, solved_40):
    problem, _ = default_case
    runs = blocks(problem, solved_40.plan)
    assert runs
    assert all(end - start >= 180 for _, _, start, end in runs)
    table = timetable(problem, solved_40.plan)
    assert table["hours"].sum() == 40 and (table["hours"] >= 3).all()


def test_plan_keeps_every_rule(default_case, solved_40):
    problem, _ = default_case
    plan = solved_40.plan
    assert not (plan & ~problem.available).any()
    assert not plan[:, 5:].any()  # open days Mon-Fri
    assert plan[:, :5].any(axis=(0, 2)).all()  # a centre open every weekday
    assert (plan.sum(axis=(1, 2)) / 2 <= 20).all()  # max hours per centre


def test_same_seed_same_plan(default_case, solved_40):
    problem, demand = default_case
    again = solve(problem, demand=demand, params=HoursParams(budget_hours=40), time_limit=60,
                  seed=7)  # fmt: skip
    assert np.array_equal(again.plan, solved_40.plan)
    assert again.coverage.served == solved_40.coverage.served


def test_staff_per_slot_counts_against_the_budget(default_case):
    problem, demand = default_case
    params = HoursParams(budget_hours=60, staff_per_slot=2)
    result = solve(problem, demand=demand, params=params, time_limit=60, seed=1)
    assert result.hours_used == 30 and result.staff_hours_used == 60


def test_summary_has_the_issue_keys(default_case, solved_40):
    problem, _ = default_case
    summary = solved_40.summary(list(problem.centre_name))
    assert list(summary) == [
        "budget_hours", "hours_used", "demand_served", "over65_demand_served",
        "current_demand_served", "current_over65_demand_served", "visits_per_open_hour",
        "current_visits_per_open_hour", "optimal",
    ]  # fmt: skip
    assert summary["current_visits_per_open_hour"]["Berwick"] == 3.5
    assert summary["visits_per_open_hour"].keys() == set(problem.centre_name)


def test_class_bound_on_two_centres():
    # One class of three like slots: the LP opens A in every slot and B in a third of
    # them (4 h of budget), 300 + 240 / 3 = 380, above the MILP's 360 (blocks of 2 h).
    from optimise.hours.bound import class_bound
    from optimise.hours.demand import travel_minutes

    problem, demand = two_centres()
    young_v, _ = demand.values(problem)
    young_w, _ = demand.weights(problem)
    allowed = problem.available.copy()
    bound = class_bound(
        travel_minutes(problem), young_w[:, None] * young_v, demand.profile, allowed,
        slot_hours=1.0, staff=1.0, budget=4.0, max_hours=20.0,
    )  # fmt: skip
    assert bound == pytest.approx(380, rel=1e-6)


def test_time_limited_solve_reports_a_valid_bound(default_case, solved_40):
    # The bound a solve reports is at least its plan's objective and at most the class
    # LP's; the gap is measured against it and "optimal" means within mip_gap.
    from optimise.hours.bound import class_bound
    from optimise.hours.demand import travel_minutes
    from optimise.hours.solve import planning_inputs

    problem, demand = default_case
    minutes = travel_minutes(problem)
    for budget, result in ((40.0, solved_40), (70.0, None)):
        params = HoursParams(budget_hours=budget)
        if result is None:
            result = solve(problem, demand=demand, params=params, time_limit=0.5, seed=3)
        profile, allowed, worth = planning_inputs(problem, demand, params)
        bound = class_bound(minutes, worth, profile, allowed, slot_hours=1.0, staff=1.0,
                            budget=budget, max_hours=20.0)  # fmt: skip
        assert result.objective <= result.bound + 1e-6 <= bound + 1e-3
        assert result.gap >= 0 and result.optimal == (result.gap <= params.mip_gap)


def like_slots(n_centres: int = 5, n_zones: int = 12, seed: int = 4):
    """Centres open Mon-Tue 09:00-15:00 in hourly slots, demand uniform: all slots alike."""
    rng = np.random.default_rng(seed)
    ids = [f"C{i}" for i in range(n_centres)]
    centres = pd.DataFrame({"id": ids, "name": ids, "mon_hours": "09:00-15:00",
                            "tue_hours": "09:00-15:00"})  # fmt: skip
    zones = pd.DataFrame({"id": [f"z{i}" for i in range(n_zones)],
                          "population": rng.integers(50, 500, n_zones),
                          "over65": rng.integers(0, 50, n_zones)})  # fmt: skip
    seconds = rng.integers(60, 3600, (n_zones, n_centres))
    travel = TravelMatrix(tuple(zones["id"]), tuple(ids), seconds, seconds)
    problem = HoursProblem.from_matrix(
        centres, zones, travel, slot_minutes=60, day_start=9 * 60, day_end=15 * 60
    )
    profile = uniform_profile(problem, "Mon-Tue", "09:00-15:00")
    return problem, DemandModel(2.0, 0.05, 0.08, np.ones(n_zones), profile)


@pytest.mark.parametrize(("budget", "block", "max_hours"), [(12, 2, 4), (9, 3, 6), (20, 2, 5)])
def test_patterns_reach_the_milp_optimum(budget, block, max_hours):
    # Same objective and rules: the pattern path (bound by column generation, plan laid
    # out in blocks) and the full MILP prove the same optimum, to a 1e-6 gap.
    problem, demand = like_slots()
    params = HoursParams(budget_hours=budget, min_block_hours=block, max_centre_hours=max_hours,
                         open_days="Mon-Tue", cover_days="Mon-Tue", mip_gap=1e-6,
                         regular=False)  # fmt: skip  # the pattern layout is not regular
    fast = solve(problem, demand=demand, params=params, seed=1)
    full = solve(problem, demand=demand, params=params, seed=1, patterns=False)
    assert full.optimal and fast.optimal
    assert fast.objective == pytest.approx(full.objective, rel=2e-6)
    assert fast.bound >= full.objective * (1 - 1e-9)
    assert fast.status == "Optimal (pattern bound)"  # proven without the full MILP
    assert fast.hours_used <= budget and (fast.coverage.hours <= max_hours).all()
    assert all(end - start >= block * 60 for _, _, start, end in blocks(problem, fast.plan))


def test_pattern_bound_stopped_early_is_still_an_upper_bound():
    from optimise.hours.demand import travel_minutes
    from optimise.hours.patterns import pattern_plan
    from optimise.hours.rules import OpeningRules
    from optimise.hours.solve import planning_inputs

    problem, demand = like_slots()
    params = HoursParams(budget_hours=20, min_block_hours=2, max_centre_hours=5,
                         open_days="Mon-Tue", cover_days="Mon-Tue", mip_gap=1e-6,
                         regular=False)  # fmt: skip
    full = solve(problem, demand=demand, params=params, seed=1, patterns=False)
    profile, allowed, worth = planning_inputs(problem, demand, params)
    rules = OpeningRules(slot_hours=1.0, block_slots=2, staff=1.0, budget=20.0,
                         min_hours=0.0, max_hours=5.0, cover_days=(0, 1))  # fmt: skip
    early = pattern_plan(travel_minutes(problem), worth, profile, allowed, rules, deadline=0.0)
    done = pattern_plan(travel_minutes(problem), worth, profile, allowed, rules)
    assert early.bound >= done.bound >= full.objective * (1 - 1e-9)
    assert done.value == pytest.approx(full.objective, rel=2e-6)


@pytest.mark.parametrize(
    ("budget", "block", "max_hours", "by_patterns"),
    [(12, 2, 4, True), (9, 3, 6, True), (20, 2, 5, False)],
)
def test_regular_patterns_reach_the_regular_milp_optimum(
    budget, block, max_hours, by_patterns, monkeypatch
):
    # With regular timetables the pattern path lays out regular plans (each centre one
    # block, the same on each of its days) and proves the first two within 1e-6 of the
    # (non-regular) pattern bound; the third falls back to the MILP. Either way solve()
    # ends at the regular MILP's optimum and the plan is regular.
    from optimise.hours.greedy import _runs
    from optimise.hours.solve import is_regular

    problem, demand = like_slots()
    params = HoursParams(budget_hours=budget, min_block_hours=block, max_centre_hours=max_hours,
                         open_days="Mon-Tue", cover_days="Mon-Tue", mip_gap=1e-6)  # fmt: skip
    fast = solve(problem, demand=demand, params=params, seed=1)
    full = solve(problem, demand=demand, params=params, seed=1, patterns=False)
    assert full.optimal and fast.optimal
    assert fast.objective == pytest.approx(full.objective, rel=2e-6)
    assert is_regular(_runs(fast.plan)) and is_regular(_runs(full.plan))
    assert (fast.status == "Optimal (pattern bound)") == by_patterns
    # The MILP's two forms of regular timetables (one column per centre's timetable, or
    # templates times days when there would be too many) prove the same optimum.
    import optimise.hours.milp as milp

    monkeypatch.setattr(milp, "MAX_TIMETABLES", 0)
    templates = solve(problem, demand=demand, params=params, seed=1, patterns=False)
    assert templates.optimal and templates.objective == pytest.approx(full.objective, rel=2e-6)
