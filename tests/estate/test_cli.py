"""``optimise estate`` end to end: default data, user files, bad input, and Trafford."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main
from optimise.jobs import JobContext
from optimise.settings import EstateSettings

KEYS = ("sites_kept", "sites_disposed", "capital_receipts_gbp", "annual_saving_gbp",
        "backlog_avoided_gbp", "max_travel_minutes", "population_beyond_limit", "optimal",
        "gap")  # fmt: skip


def test_estate_on_the_default_data_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    config = tmp_path / "run.toml"
    config.write_text("[estate]\nranking_steps = 2\n")
    code = main(["estate", "--out", str(out), "--receipt-target", "0.10", "--pareto", "2",
                 "--json", "--seed", "3", "--config", str(config)])  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert all(k in summary for k in KEYS)
    assert summary["optimal"] and summary["sites"] == 343
    assert summary["receipts_share_of_value"] >= 0.10
    assert summary["population_beyond_limit"] == 0
    for name in ("summary.json", "sites.csv", "disposals.csv", "estate.gpkg", "pareto.csv"):
        assert (out / name).is_file()
    sites = pd.read_csv(out / "sites.csv")
    assert (sites["decision"] == "dispose").sum() == summary["sites_disposed"]
    ranks = pd.read_csv(out / "disposals.csv")["rank"].tolist()
    assert ranks == list(range(1, summary["sites_disposed"] + 1))


def test_estate_user_files_and_bad_input(tmp_path, capsys):
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "code,type,lon,lat,running_cost,services\n"
        "S1,library,-1.69,55.17,100,library\n"
        "S2,library,-1.68,55.17,150,library\n"
    )
    zones = tmp_path / "zones.csv"
    zones.write_text("id,population,lon,lat\nZ1,1000,-1.69,55.171\n")
    code = main(["estate", "--sites", str(sites), "--zones", str(zones), "--columns", "id=code",
                 "--out", str(tmp_path / "o"), "--quiet"])  # fmt: skip
    assert code == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["sites_disposed"] == 1 and summary["annual_saving_gbp"] == 150
    capsys.readouterr()
    # Each bad input: exit 2 and one line on stderr that names what is wrong.
    for args, named in (
        (["--sites", str(tmp_path / "missing.csv")], "missing.csv: expected a readable file"),
        (["--office-reduction", "1.5"], "--office-reduction must lie in [0, 1); found 1.5"),
    ):
        assert main(["estate", *args, "--quiet"]) == 2
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], lines


def test_trafford_register_end_to_end(test_data, tmp_path):
    from geodata.councils.trafford import trafford_sites, trafford_zones
    from optimise.estate.params import EstateParams
    from optimise.estate.run import EstateInputs, plan_estate, write_estate

    sites = trafford_sites(test_data / "trafford")
    zones = trafford_zones(test_data / "trafford")
    assert len(zones) == 139
    # Of the register's operational buildings, 29 have no coordinates and one has lat/lon
    # swapped: every skipped row is one of those two, and the rest are kept.
    missing = [p for p in sites.skipped if p.found == "no coordinates"]
    swapped = [p for p in sites.skipped if "look swapped" in p.hint]
    assert len(missing) == 29 and len(swapped) == 1 and len(sites.skipped) == 30
    assert all(p.field == "GeoX" for p in sites.skipped)
    assert len(sites) == 105
    params = EstateParams(max_travel_minutes=15, receipt_target=0.10, ranking_steps=2)
    run = plan_estate(EstateInputs(sites.frame, zones), EstateSettings(params), JobContext(seed=1))
    summary = write_estate(run, tmp_path)
    assert summary == run.summary()
    assert summary["optimal"] and summary["receipts_share_of_value"] >= 0.10
    assert summary["population_beyond_limit"] == 0
    assert (tmp_path / "estate.gpkg").is_file()


@pytest.mark.parametrize("flag", ["--pareto", "--max-travel"])
def test_estate_rejects_negative_numbers(flag, capsys):
    assert main(["estate", flag, "-1", "--quiet"]) == 2


def test_estate_pareto_measure_is_chosen_on_the_command_line(tmp_path, capsys):
    config = tmp_path / "run.toml"
    config.write_text("[estate]\nranking_steps = 0\n")
    out = tmp_path / "run"
    code = main(["estate", "--out", str(out), "--pareto", "2", "--pareto-measure",
                 "population", "--config", str(config), "--quiet"])  # fmt: skip
    assert code == 0
    front = pd.read_csv(out / "pareto.csv")
    # Epsilon is residents beyond the limit (from nobody up), not minutes of a limit.
    assert front["epsilon"].iloc[0] == 0 and front["population_beyond_limit"].iloc[0] == 0
    assert (front["population_beyond_limit"] <= front["epsilon"]).all()
    assert front["epsilon"].iloc[-1] > 1000
    assert main(["estate", "--pareto", "2", "--pareto-measure", "minutes", "--quiet"]) == 2
    assert "--pareto-measure" in capsys.readouterr().err
