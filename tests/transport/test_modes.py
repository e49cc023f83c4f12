"""Travel mode choice for SEND pupils on straight-road problems priced by hand.

Roads of ``tests/transport/tiny.py``: 1 km takes 60 s; school S1 at x=0, operator base at x=10;
a bus costs £100 a day + £1 a mile; 190 school days. Default budget: £0.45 a mile ×
home-school miles × 2 × 190; travel training: £2,000 / 2 years + £600 bus pass = £1,600.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli import main
from geodata.errors import InputError
from optimise.transport import RoutingParams
from optimise.transport.modes.choose import choose_modes
from optimise.transport.modes.output import decisions_table
from optimise.transport.modes.params import ModeFlags, ModeParams
from optimise.transport.modes.plan import drop_pupils, marginal_costs, strip
from tests.transport.tiny import MILE, line_problem

FAST = RoutingParams(max_iterations=300)
#: One trip a vehicle: the hand-priced cases below price a seat as its vehicle's day.
ONE_TRIP = RoutingParams(max_iterations=300, multi_trip=False)
DAYS = 190


def _flags(problem, budget=(), training=()):
    ids = list(problem.pupil_ids)
    ok = np.zeros(problem.num_pupils, bool)
    ok[[ids.index(i) for i in budget]] = True
    tr = np.zeros(problem.num_pupils, bool)
    tr[[ids.index(i) for i in training]] = True
    return ModeFlags(ok, tr)


def _choose(problem, flags, params=None, seed=1, routing=FAST):
    return choose_modes(problem, flags=flags, params=params, routing=routing, time_limit=20,
                        seed=seed)  # fmt: skip


def _chosen(res, problem):
    return {problem.pupil_ids[d.pupil]: d.chosen for d in res.decisions}


def test_budget_chosen_when_cheaper_than_the_seat():
    # S lives 3 km beyond the school: the route base(10) → A(4) → S(-3) → school(0) is
    # 16 km; without S 10 km. Seat: 6 km = 3.728 miles × £1 × 190 = £708.36 a year.
    # Budget: 0.45 × 1.864 miles × 2 × 190 = £318.76. Saving £389.60.
    prob = line_problem([{"id": "A", "x": 4}, {"id": "S", "x": -3, "sen": True}])
    res = _choose(prob, _flags(prob, budget=["S"]))
    (d,) = res.decisions
    assert d.chosen == "budget" and d.round == 1
    assert d.route_gbp == pytest.approx(6000 / MILE * DAYS)
    assert d.budget_gbp == pytest.approx(0.45 * 3000 / MILE * 2 * DAYS)
    assert res.savings_by_line_gbp == {
        "personal_budgets": pytest.approx(6000 / MILE * DAYS - 0.45 * 3000 / MILE * 2 * DAYS,
                                          abs=0.01),
        "independent_travel": 0.0,
    }  # fmt: skip
    assert res.problem.pupil_ids == ("A",)
    assert res.routes.annual_cost == pytest.approx((100 + 10_000 / MILE) * DAYS)


def test_route_kept_when_the_seat_is_cheaper():
    # S lives on the way (x=2): their seat costs nothing extra; a budget costs £212.51.
    prob = line_problem([{"id": "A", "x": 4}, {"id": "S", "x": 2, "sen": True}])
    res = _choose(prob, _flags(prob, budget=["S"]))
    (d,) = res.decisions
    assert d.chosen == "route" and d.route_gbp == pytest.approx(0.0)
    assert d.budget_gbp == pytest.approx(0.45 * 2000 / MILE * 2 * DAYS)
    assert res.savings_by_line_gbp == {"personal_budgets": 0.0, "independent_travel": 0.0}
    assert res.problem.pupil_ids == ("A", "S")


def test_no_budget_unless_the_family_can_accept_one():
    prob = line_problem([{"id": "A", "x": 4}, {"id": "S", "x": -3, "sen": True}])
    res = _choose(prob, _flags(prob))
    assert _chosen(res, prob) == {"S": "route"}


def test_travel_training_when_flagged_and_cheaper():
    # S alone, 8 km out past the school: a whole bus (100 + 26 km) is far dearer than
    # training (£1,600 a year); a fixed budget of £3,000 is dearer than training.
    prob = line_problem([{"id": "S", "x": -8, "sen": True}])
    params = ModeParams(budget_basis="fixed", fixed_budget_gbp=3000)
    res = _choose(prob, _flags(prob, budget=["S"], training=["S"]), params)
    (d,) = res.decisions
    assert d.chosen == "training" and d.training_gbp == pytest.approx(1600)
    seat = (100 + 26_000 / MILE) * DAYS
    assert d.route_gbp == pytest.approx(seat)
    assert res.savings_by_line_gbp["independent_travel"] == pytest.approx(seat - 1600, abs=0.01)
    assert not res.routes.routes
    # Not flagged for training: the (dearer) budget is chosen instead.
    res = _choose(prob, _flags(prob, budget=["S"]), params)
    assert _chosen(res, prob) == {"S": "budget"}
    assert res.savings_by_line_gbp["personal_budgets"] == pytest.approx(seat - 3000, abs=0.01)


def test_travel_training_not_chosen_when_the_seat_is_cheaper():
    prob = line_problem([{"id": "A", "x": 4}, {"id": "S", "x": 2, "sen": True}])
    res = _choose(prob, _flags(prob, training=["S"]))
    assert _chosen(res, prob) == {"S": "route"}


def test_moving_a_pupil_frees_a_vehicle():
    # Two-seat buses: A and B share one; S (SEND, beyond the school) needs a second bus.
    # S's seat is that whole bus (£20,888.97 a year); their budget £318.76.
    fleet = [{"id": "bus", "seats": 2, "wheelchair_spaces": 0, "day_rate": 100.0,
              "cost_per_mile": 1.0, "available": 2}]  # fmt: skip
    prob = line_problem(
        [{"id": "A", "x": 4}, {"id": "B", "x": 5}, {"id": "S", "x": -3, "sen": True}],
        fleet=fleet,
    )
    res = _choose(prob, _flags(prob, budget=["S"]), routing=ONE_TRIP)
    assert len(res.baseline.routes) == 2 and len(res.routes.routes) == 1
    (d,) = res.decisions
    assert d.chosen == "budget" and d.route_gbp == pytest.approx((100 + 16_000 / MILE) * DAYS)
    total = res.baseline.annual_cost - res.routes.annual_cost - res.alternatives_annual_cost
    assert res.summary()["total_saving_gbp"] == pytest.approx(total, abs=0.05)


def test_solo_pupil_and_pupils_beyond_the_limit():
    # P must travel alone; Q's and R's direct drive (20 km = 20 min) exceeds a 15 min
    # limit: carried all the same (directly), so Q's budget is priced against that ride.
    prob = line_problem([{"id": "P", "x": 6, "sen": True, "solo": True},
                         {"id": "Q", "x": 20, "sen": True, "max_ride_min": 15},
                         {"id": "R", "x": 20, "sen": True, "max_ride_min": 15}])  # fmt: skip
    res = _choose(prob, _flags(prob, budget=["P", "Q"]), routing=ONE_TRIP)
    assert _chosen(res, prob) == {"P": "budget", "Q": "budget", "R": "route"}
    q = next(d for d in res.decisions if prob.pupil_ids[d.pupil] == "Q")
    # alone, base 10 → Q 20 → school 0: 30 km and the day rate
    assert q.route_gbp == pytest.approx((100 + 30_000 / MILE) * DAYS, abs=0.01)
    assert q.budget_gbp == pytest.approx(0.45 * 20_000 / MILE * 2 * DAYS, abs=0.01)
    assert res.summary()["unserved_given_alternative"] == 0
    # The solo pupil's seat is their whole vehicle: 4 + 6 km and the day rate.
    p_saving = (100 + 10_000 / MILE) * DAYS - 0.45 * 6000 / MILE * 2 * DAYS
    assert res.savings_by_line_gbp["personal_budgets"] == pytest.approx(
        p_saving + q.route_gbp - q.budget_gbp, abs=0.02
    )


def test_same_seed_same_decisions():
    pupils = [{"id": f"P{i}", "x": x, "sen": i % 2 == 0} for i, x in
              enumerate([3, -1, 6, 7, -9, 9, 1, -2])]  # fmt: skip
    prob = line_problem(pupils)
    flags = _flags(prob, budget=[f"P{i}" for i in range(0, 8, 2)])
    a, b = _choose(prob, flags, seed=7), _choose(prob, flags, seed=7)
    pd.testing.assert_frame_equal(decisions_table(prob, a), decisions_table(prob, b))
    assert {d.chosen for d in a.decisions} == {"route", "budget"}
    assert a.routes.annual_cost == b.routes.annual_cost


def test_removing_pupils_keeps_every_per_pupil_field_aligned():
    wav = {"id": "wav", "seats": 4, "wheelchair_spaces": 1, "day_rate": 100.0,
           "cost_per_mile": 1.0, "available": 2}  # fmt: skip
    pupils = [{"id": "A", "x": 4}, {"id": "B", "x": 5, "wheelchair": True}, {"id": "C", "x": 6}]
    prob = line_problem(pupils, fleet=[wav])
    prob = prob.replace(no_share=((0, 2),))
    small, kept = drop_pupils(prob, [1])
    assert small.pupil_ids == ("A", "C") and list(kept) == [0, 2]
    assert not small.pupil_wheelchair.any() and small.no_share == ((0, 1),)
    # A plan rebuilt without nobody costs what the solver said; seats price by removal.
    from optimise.transport import solve

    res = solve(prob, params=FAST, time_limit=5, seed=1)
    same = strip(prob, res, [])[1]
    assert same.annual_cost == pytest.approx(res.annual_cost)
    assert set(marginal_costs(prob, res)) == {0, 1, 2}


def test_bad_settings_and_flags_are_one_line_errors():
    with pytest.raises(InputError, match=r"\[transport.modes\]: budget_basis must be"):
        ModeParams.from_dict({"budget_basis": "weekly"}, source="[transport.modes]")
    with pytest.raises(InputError, match="unknown key 'mileage'"):
        ModeParams.from_dict({"mileage": 0.3}, source="[transport.modes]")
    # A bad budget_ok cell is reported when the pupils are read (the one-line message is
    # checked in test_pupil_flags.py); a frame that was never read is refused.
    prob = line_problem([{"id": "A", "x": 4, "sen": True}])
    frame = pd.DataFrame({"id": ["A"], "budget_ok": ["perhaps"]})
    with pytest.raises(ValueError, match=r"pupils\.csv: column 'budget_ok' holds 'perhaps'"):
        ModeFlags.from_frame(frame, prob, "pupils.csv")
    assert list(ModeFlags.from_frame(frame.assign(budget_ok=[False]), prob).budget_ok) == [False]
    # The default rule: SEND without a wheelchair or a passenger assistant.
    prob = line_problem([{"id": "A", "x": 1, "sen": True}, {"id": "B", "x": 1, "sen": True,
                          "assistant": True}, {"id": "C", "x": 1}])  # fmt: skip
    assert list(ModeFlags.from_frame(pd.DataFrame({"id": ["A", "B", "C"]}), prob).budget_ok) == [
        True, False, False,
    ]  # fmt: skip


def test_decisions_table_holds_ids_and_prices_only():
    prob = line_problem([{"id": "A", "x": 4}, {"id": "S", "x": -3, "sen": True}])
    res = _choose(prob, _flags(prob, budget=["S"]))
    table = decisions_table(prob, res)
    assert list(table.columns) == ["pupil_id", "school_id", "chosen", "round", "route_gbp",
                                   "solo_gbp", "budget_gbp", "training_gbp", "saving_gbp",
                                   "note"]  # fmt: skip
    assert table.loc[0, "note"].startswith("a personal travel budget (£319 a year)")


def test_routes_command_with_mode_choice(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["transport", "routes", "--mode-choice", "--time-limit", "6", "--out", str(out),
                 "--json"])  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    mc = summary["mode_choice"]
    assert set(summary["savings_by_line_gbp"]) == {"personal_budgets", "independent_travel"}
    assert mc["candidates"] == 360  # the default data's SEND pupils
    assert mc["chosen_budget"] + mc["chosen_training"] + summary["pupils_total"] == 3000
    assert summary["ride_limit_violations"] == 0 and summary["violations"] == 0
    table = pd.read_csv(out / "modes-personal.csv")
    assert len(table) == 360 and set(table["chosen"]) <= {
        "route", "solo", "budget", "training", "unserved"}  # fmt: skip
    assert (table.loc[table["round"] > 0, "saving_gbp"] > 0).all()
