"""Disposals an estates officer can believe: realised receipts, disposal costs, a cap.

Hand-made case: three sites host a library, S1 next to zone 1, S2 next to zone 2, S3
half-way (20 min from both). With a one-year appraisal at r = 0 a one-off £1 counts as
£1 a year, so disposing of S1 and S2 saves 100 + 100 and disposing of S3 saves 150:
without disposal costs S1 and S2 go; at £80 a disposal, 200 - 160 = 40 < 150 - 80 = 70
and S3 goes instead.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from cli import main
from geodata.errors import InputError
from optimise.estate import EstateParams, solve
from tests.estate.test_solve import make as make_estate

if TYPE_CHECKING:
    from models.estate import EstateProblem

ONE_YEAR = {"discount_rate": 0.0, "appraisal_years": 1, "ranking_steps": 0}


def make(**columns) -> EstateProblem:
    """Three sites, two zones (test_estate_solve's), the third a hub: a second type."""
    return make_estate(**{"type": ["library", "library", "hub"], **columns})


def plan(problem, **params):
    result = solve(problem, params=EstateParams(**{**ONE_YEAR, **params}), seed=1)
    assert result.optimal, result.reasons
    return result


def test_disposal_cost_changes_which_sites_are_sold():
    assert set(plan(make()).disposed) == {"S1", "S2"}
    costly = plan(make(), disposal_cost_gbp=80.0)
    assert set(costly.disposed) == {"S3"}
    assert costly.figures["relocation_costs_gbp"] == 80
    assert costly.figures["annualised_benefit_gbp"] == 70  # 150 - 80: weighed, not only shown
    # Per type: libraries cost £80 to vacate, the hub (S3) falls back to the flat £0.
    by_type = plan(make(), disposal_cost_by_type={"library": 80.0})
    assert set(by_type.disposed) == {"S3"} and by_type.figures["relocation_costs_gbp"] == 0
    # A cost on the hub only leaves the libraries' disposal the better one.
    assert set(plan(make(), disposal_cost_by_type={"hub": 80.0}).disposed) == {"S1", "S2"}


def test_receipt_share_half_halves_the_receipts_of_the_same_plan():
    valued = make(capital_value=[40.0, 60.0, 10.0], disposal_cost=[4.0, 6.0, 1.0])
    full, half = plan(valued), plan(valued, receipt_share=0.5)
    assert full.disposed == half.disposed == ("S1", "S2")
    assert full.figures["capital_receipts_gbp"] == 100
    assert half.figures["capital_receipts_gbp"] == 50
    assert half.figures["book_value_disposed_gbp"] == 100
    assert half.figures["net_receipts_gbp"] == 50 - 10  # the sale costs stay whole
    assert half.figures["receipts_share_of_value"] == pytest.approx(50 / 110, abs=1e-4)


def test_receipt_share_moves_the_receipt_target():
    # S3 (value 300, running 250) is the best disposal and alone meets a £180 target at
    # full value; at half value it raises 150 < 180, so S1 and S2 (200 each) go instead.
    valued = make(capital_value=[200.0, 200.0, 300.0], running_cost=[0.0, 0.0, 250.0])
    assert plan(valued, receipt_target=180.0).disposed == ("S3",)
    assert plan(valued, receipt_share=0.5).disposed == ("S3",)
    assert plan(valued, receipt_target=180.0, receipt_share=0.5).disposed == ("S1", "S2")


def test_cap_binds_and_explains_an_unreachable_target():
    capped = plan(make(), max_disposals=1)
    assert capped.disposed == ("S3",)  # the best single disposal (150 > 100)
    assert plan(make(), max_disposals=2).disposed == ("S1", "S2")
    valued = make(capital_value=[100.0, 100.0, 50.0])
    result = solve(valued, params=EstateParams(**ONE_YEAR, max_disposals=1,
                                               receipt_target=150.0), seed=1)  # fmt: skip
    assert result.status == "infeasible"
    (reason,) = result.reasons
    assert reason.subject == "receipt_target"
    assert "max_disposals 1" in reason.message and "£100 net" in reason.message
    forced = solve(make(must_dispose=[True, True, False]),
                   params=EstateParams(**ONE_YEAR, max_disposals=1), seed=1)  # fmt: skip
    assert forced.status == "infeasible"
    assert "below the 2 must-dispose sites" in forced.reasons[0].message


@pytest.mark.parametrize(
    ("key", "value"),
    [("receipt_share", 1.5), ("receipt_share", -0.1), ("disposal_cost_gbp", -1.0),
     ("max_disposals", -2), ("max_disposals", 2.5), ("disposal_cost_by_type", {"office": -5})],
)  # fmt: skip
def test_bad_values_are_named(key, value):
    with pytest.raises(InputError, match=key):
        EstateParams.from_dict({key: value}, source="run.toml")


@pytest.mark.parametrize(
    "flags",
    [["--receipt-share", "2"], ["--disposal-cost", "-1"], ["--max-disposals", "-3"]],
)
def test_bad_options_exit_2_without_output(flags, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["estate", *flags, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and len(err.splitlines()) == 1
    assert not out.exists()


def _run(tmp_path, name, *flags):
    config = tmp_path / "run.toml"
    config.write_text("[estate]\nranking_steps = 0\n")
    out = tmp_path / name
    code = main(["estate", "--out", str(out), "--json", "--config", str(config), *flags])
    return code, json.loads((out / "summary.json").read_text()), out


def test_default_data_defaults_and_cap(tmp_path, capsys):
    _, default, out = _run(tmp_path, "default")
    _, explicit, _ = _run(tmp_path, "explicit", "--receipt-share", "1", "--disposal-cost", "0",
                          "--max-disposals", "-1")  # fmt: skip
    _, loose, _ = _run(tmp_path, "loose", "--max-disposals", "343")
    skip = ("elapsed_s", "solve_seconds", "out", "max_disposals")
    same = [k for k in default if k not in skip]
    assert all(default[k] == explicit[k] == loose[k] for k in same)
    # At the defaults, receipts are the book value, net of the register's own costs.
    sites = pd.read_csv(out / "sites.csv")
    gone = sites[sites["decision"] == "dispose"]
    assert default["capital_receipts_gbp"] == round(gone["capital_value"].sum())
    net = gone["capital_value"] - gone["disposal_cost"] - gone["lease_break_cost"]
    assert default["net_receipts_gbp"] == round(net.sum())
    assert default["sites_disposed"] > 30

    code, capped, out = _run(tmp_path, "capped", "--max-disposals", "30",
                             "--receipt-share", "0.8", "--disposal-cost", "250000")  # fmt: skip
    assert code == 0 and capped["optimal"]
    assert capped["sites_disposed"] == 30  # binds: 30 of the plan's > 30 are worth selling
    assert capped["relocation_costs_gbp"] == 30 * 250_000
    assert capped["capital_receipts_gbp"] == round(0.8 * capped["book_value_disposed_gbp"])
    sites = pd.read_csv(out / "sites.csv")
    assert (sites["relocation_cost_gbp"] == 250_000).all()
    assert (sites["realised_receipt_gbp"] == (0.8 * sites["capital_value"]).round()).all()
