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
