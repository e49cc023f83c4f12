"""Centre hours a manager can publish (issue #18): access floor, regular timetables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.matrix import TravelMatrix
from models import HoursProblem
from optimise.hours import DemandModel, HoursParams, solve, uniform_profile
from optimise.hours.report import blocks


def case(days: str = "Mon", b_people: int = 10):
    """A next to 100 residents, remote B next to ``b_people``; both open today on Mon
    09:00-10:00; hourly slots 09:00-12:00; 3 visits a year next to an open centre."""
    centres = pd.DataFrame({"id": ["A", "B"], "name": ["A", "B"], "mon_hours": "09:00-12:00",
                            "tue_hours": "09:00-12:00", "current_days": "Mon",
                            "current_hours": "09:00-10:00"})  # fmt: skip
    zones = pd.DataFrame({"id": ["zA", "zB"], "population": [100, b_people], "over65": [0, 0]})
    seconds = np.array([[0, 60_000], [60_000, 0]])
    travel = TravelMatrix(("zA", "zB"), ("A", "B"), seconds, seconds)
    problem = HoursProblem.from_matrix(centres, zones, travel, slot_minutes=60,
                                       day_start=9 * 60, day_end=12 * 60)  # fmt: skip
    return problem, DemandModel(
        3.0, 1.0, 1.0, np.ones(2), uniform_profile(problem, days, "09:00-12:00")
    )


RULES = {"open_days": "Mon", "cover_days": "Mon", "min_block_hours": 1, "min_hours_open": 1}


def test_floor_keeps_the_remote_centre_open():
    # Budget 3 h: without the floor A gets all 3 h (300 visits) and B closes; with it B
    # keeps 1 h: A 2 h (200) + B 1 h (10) = 210.
    problem, demand = case()
    free = solve(problem, demand=demand, params=HoursParams(budget_hours=3, keep_open=False,
                                                            **RULES))  # fmt: skip
    kept = solve(problem, demand=demand, params=HoursParams(budget_hours=3, **RULES))
    assert free.optimal and kept.optimal
    assert list(free.coverage.hours) == [3, 0] and free.coverage.served == pytest.approx(300)
    assert list(kept.coverage.hours) == [2, 1] and kept.coverage.served == pytest.approx(210)
    closable = solve(problem, demand=demand,
                     params=HoursParams(budget_hours=3, allow_close=["B"], **RULES))  # fmt: skip
    assert list(closable.coverage.hours) == [3, 0]


def test_floor_the_budget_cannot_meet_is_infeasible_naming_the_centres():
    problem, demand = case()
    with pytest.raises(ValueError, match=r"infeasible access floor.*A \(A\), B \(B\)"):
        solve(problem, demand=demand, params=HoursParams(budget_hours=1, **RULES))


def test_regular_timetable_hand_checked():
    # Mon-Tue 09:00-12:00, budget 5 h, only A may matter (B's zone empty). Regular: the
    # same block both days, so at most 2 h + 2 h: 100 x 3 x 4/6 = 200 (plus B's 0);
    # irregular: 5 of the 6 slots, 250.
    problem, demand = case("Mon-Tue", b_people=0)
    rules = {**RULES, "open_days": "Mon-Tue", "cover_days": "Mon-Tue", "keep_open": False}
    reg = solve(problem, demand=demand, params=HoursParams(budget_hours=5, **rules))
    irr = solve(problem, demand=demand, params=HoursParams(budget_hours=5, regular=False,
                                                           **rules))  # fmt: skip
    assert reg.optimal and irr.optimal
    assert reg.coverage.served == pytest.approx(200) and irr.coverage.served == pytest.approx(250)
    runs = [(a, b) for c, _, a, b in blocks(problem, reg.plan) if c == 0]
    assert len(runs) == 2 and len(set(runs)) == 1
