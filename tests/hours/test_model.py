"""Opening hours: demand model, calibration against DOMAIN.md, profiles, parameters."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.errors import InputError
from geodata.providers import StraightLine
from models import HoursProblem
from optimise.hours import (
    DemandModel,
    HoursParams,
    calibrate,
    evaluate,
    parse_profile,
    uniform_profile,
)

#: DOMAIN.md §3, in table order: hours a week, share, visits per open hour.
DOMAIN = {
    "Ashington": (20, 0.281, 6.34),
    "Blyth": (20, 0.277, 6.25),
    "Cramlington": (9, 0.132, 6.62),
    "Alnwick": (9, 0.114, 5.62),
    "Hexham": (6, 0.083, 6.2),
    "Berwick": (6, 0.047, 3.5),
}


@pytest.fixture(scope="session")
def default_problem() -> HoursProblem:
    from geodata.default import load_default

    data = load_default()
    return HoursProblem.from_geodata(data.centres, data.zones, StraightLine())


@pytest.fixture(scope="session")
def calibration(default_problem):
    return calibrate(default_problem, uniform_profile(default_problem))


def _today(problem, calibration):
    cov = evaluate(problem, calibration.model, problem.current)
    names = list(problem.centre_name)
    return cov, [names.index(n) for n in DOMAIN]


def test_todays_pattern_reproduces_visits_per_open_hour(default_problem, calibration):
    cov, idx = _today(default_problem, calibration)
    vph = cov.visits_per_open_hour()
    for (name, (hours, _, published)), c in zip(DOMAIN.items(), idx, strict=True):
        assert cov.hours[c] == hours, name
        assert round(vph[c], 2) == pytest.approx(published, abs=1e-9), name
    assert cov.hours.sum() == 70


def test_todays_pattern_reproduces_share_within_one_point(default_problem, calibration):
    # DOMAIN's shares are of ~23,400 visits in all (6,593 / 28.1%), not of the six
    # centres' 21,844: the modelled share is of the total the shares imply.
    cov, idx = _today(default_problem, calibration)
    shares = np.array([s for _, s, _ in DOMAIN.values()])
    total = calibration.observed.sum() / shares.sum()
    assert 23_300 < total < 23_500
    modelled = cov.visits[idx] / total
    assert np.abs(modelled - shares).max() < 0.01


def test_decay_alone_is_fitted_and_reported(calibration):
    fit = calibration.fit()
    decay = fit["decay_only"]
    assert decay["beta_per_minute"] > 0 and decay["rate_visits_per_resident_year"] > 0
    assert 0 < decay["r2"] < 1  # the decay alone does not reproduce the six centres
    assert fit["calibrated"]["max_abs_relative_error"] < 1e-6
    assert calibration.model.over65_beta > calibration.model.beta


def test_served_never_exceeds_demand_and_over65_is_part_of_it(default_problem, calibration):
    everything = np.broadcast_to(default_problem.available, default_problem.available.shape)
    for mask in (default_problem.current, everything):
        cov = evaluate(default_problem, calibration.model, mask)
        assert 0 < cov.served <= cov.demand
        assert 0 < cov.over65_served <= cov.over65_demand
        assert cov.over65_served < cov.served
        assert cov.lost == pytest.approx(cov.demand - cov.served)


def test_closer_centre_serves_more(default_problem, calibration):
    more = np.array(default_problem.current)
    more[9] = default_problem.available[9]  # also open Morpeth whenever it can
    before = evaluate(default_problem, calibration.model, default_problem.current)
    after = evaluate(default_problem, calibration.model, more)
    assert after.served > before.served


def test_uniform_profile_sums_to_one_on_weekday_office_hours(default_problem):
    prof = uniform_profile(default_problem)
    assert prof.sum() == pytest.approx(1)
    assert prof[5:].sum() == 0  # weekend
    assert (prof[:5] > 0).sum() == 5 * 16  # 09:00-17:00 in half hours


def test_profile_from_csv_weights_per_hour(default_problem):
    text = "day,hours,weight\nMon,09:00-10:00,3\nTue-Wed,09:00-11:00,1\n"
    prof = parse_profile(text, default_problem)
    assert prof.sum() == pytest.approx(1)
    assert prof[0].sum() == pytest.approx(3 / 7)  # 3 of 3 + 2 + 2 weight-hours


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,weight\nMon,1\n", "missing 'hours'"),
        ("day,hours,weight\nMonday-ish,09:00-10:00,1\n", "row 2"),
        ("day,hours,weight\nMon,09:00-10:00,-1\n", "field 'weight'"),
        ("day,hours,weight\nMon,23:00-23:30,1\n", "field 'hours'"),
        ("day,hours,weight\nMon,09:00-10:00,0\n", "no weight"),
    ],
)
def test_bad_profile_says_where(default_problem, text, message):
    with pytest.raises(InputError, match=message):
        parse_profile(text, default_problem)


@pytest.mark.parametrize(
    "changes",
    [
        {"budget_hours": 0},
        {"min_block_hours": -1},
        {"min_centre_hours": 30, "max_centre_hours": 20},
        {"cover_days": "Sat", "open_days": "Mon-Fri"},
        {"open_days": "Funday"},
    ],
)
def test_bad_params_raise(changes):
    with pytest.raises(ValueError):
        HoursParams(**changes)


def test_params_from_toml_table(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("[hours]\nbudget_hours = 80\nover65_weight = 2\n", encoding="utf-8")
    params = HoursParams.from_file(path, "hours")
    assert params.budget_hours == 80.0 and params.over65_weight == 2.0
    path.write_text("[hours]\nbudget = 80\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown key 'budget'"):
        HoursParams.from_file(path, "hours")


def test_demand_model_checks_profile():
    with pytest.raises(ValueError, match="sum to 1"):
        DemandModel(1.0, 0.1, 0.2, np.ones(2), np.full((7, 2), 0.5))
