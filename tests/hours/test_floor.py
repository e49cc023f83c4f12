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


@pytest.mark.parametrize(
    ("min_days", "reach", "hours", "served"),
    [
        (0, 30, [3, 1], 155),  # no zone floor: B keeps its 1 h, A gets the other 3
        (2, 30, [2, 2], 110),  # zB's only centre within 30 min is B: 2 days, so 2 h
        (2, 2000, [3, 1], 155),  # within 2000 min A serves zB too: A's 2 days will do
    ],
)
def test_zone_floor_min_days_hand_checked(min_days, reach, hours, served):
    # Mon-Tue 09:00-12:00 (6 slots), budget 4 h: a slot at A is worth 100 x 3 / 6 = 50,
    # one at B 10 x 3 / 6 = 5. The access floor keeps B open 1 h; a zone floor of
    # ``min_days`` days within ``reach`` minutes may force more of B.
    problem, demand = case("Mon-Tue")
    rules = {**RULES, "open_days": "Mon-Tue", "cover_days": "Mon"}
    r = solve(problem, demand=demand, params=HoursParams(
        budget_hours=4, min_days=min_days, max_travel_min=reach, **rules))  # fmt: skip
    assert r.optimal
    assert list(r.coverage.hours) == hours
    assert r.coverage.served == pytest.approx(served, abs=0.01)
    if min_days:
        assert all(r.plan[c].any(axis=1).sum() >= 2 for c in range(2) if hours[c] == 2)


def test_timetable_and_report_show_plan_today_closures_losers_and_prices(tmp_path):
    # B may close (allow_close) and does: zB's nearest open centre becomes A, 1000 min
    # away. The timetable and the report show both weeks, the closure, zB losing access
    # and each rule's price; a variant the deadline left out is shown as not run.
    from types import SimpleNamespace

    from optimise.hours.report import timetable, weekly_grid
    from optimise.hours.run import _prices, access_summary, zone_changes
    from optimise.hours.sweep import NOT_RUN, Clock, notes, rule_prices
    from optimise.report import render_report

    problem, demand = case()
    params = HoursParams(budget_hours=3, allow_close=["B"], **RULES)
    r = solve(problem, demand=demand, params=params)
    changes = zone_changes(problem, r.plan, params.max_travel_min)
    cal = SimpleNamespace(model=demand)
    variants = rule_prices(problem, cal, params, r, Clock(None), 2026, 10.0)
    variants["no_floor"] = {**variants["no_floor"], "demand_served": None, "status": NOT_RUN}
    prices = _prices(r, variants)
    said = notes(None, variants)
    md = weekly_grid(problem, r, changes, prices, said)
    assert "## Proposed" in md and "## Today" in md and "| B | 09:00-10:00 | 1 |" in md
    assert "- Closes: B" in md and "| zB | 10 | 0 | B | 0 | A | 1000 |" in md
    assert "| neither rule | 300 | 0 | 1 | optimal |" in md
    assert "| no access floor | - |" in md and NOT_RUN in md
    assert prices["price_of_both_demand_served"] == pytest.approx(0.0)

    import json

    timetable(problem, r.plan).to_csv(tmp_path / "timetable.csv", index=False)
    timetable(problem, problem.current).to_csv(tmp_path / "current_timetable.csv", index=False)
    pd.DataFrame({"centre_id": ["A", "B"], "centre": ["A", "B"], "hours": r.coverage.hours}).to_csv(
        tmp_path / "centres.csv", index=False
    )
    changes.to_csv(tmp_path / "zone_changes.csv", index=False)
    summary = {"command": "hours", "rule_prices": prices, "notes": said,
               **access_summary(problem, r.plan, changes, params.max_travel_min)}  # fmt: skip
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    html = render_report(tmp_path)
    assert "today 09:00-10:00" in html and "09:00-12:00" in html  # plan beside today
    assert "Closes: B (B)" in html and "Opens: none" in html
    assert 'data-table="zones_losing"' in html and "<td>zB</td>" in html
    assert 'data-table="rule_prices"' in html and "no regular timetables" in html
    assert "rule price no_floor: " + NOT_RUN in html
