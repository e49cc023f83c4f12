"""Jobs (issue #17): a notebook user calling a job and its writer gets exactly what the
command writes, and the run object's summary() is that file."""

from __future__ import annotations

import json

import pytest

from cli import main
from geodata.errors import InputError
from optimise.jobs import JobContext
from optimise.settings import EstateSettings, TransportSettings


def _written(folder):
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def test_estate_job_is_what_the_command_writes(tmp_path):
    from geodata.read import read
    from optimise.estate.run import EstateInputs, plan_estate, write_estate

    (tmp_path / "sites.csv").write_text(
        "id,type,lon,lat,running_cost,services\n"
        "S1,library,-1.69,55.17,100,library\nS2,library,-1.68,55.17,150,library\n"
    )
    (tmp_path / "zones.csv").write_text("id,population,lon,lat\nZ1,1000,-1.69,55.171\n")
    inputs = EstateInputs(read(tmp_path / "sites.csv", "sites").frame,
                          read(tmp_path / "zones.csv", "zones").frame)  # fmt: skip
    run = plan_estate(inputs, EstateSettings(), JobContext(seed=4))
    summary = write_estate(run, tmp_path / "lib")
    assert summary == run.summary() == _written(tmp_path / "lib")
    code = main(["estate", "--sites", str(tmp_path / "sites.csv"), "--seed", "4",
                 "--zones", str(tmp_path / "zones.csv"), "--out", str(tmp_path / "cli"),
                 "--quiet"])  # fmt: skip
    assert code == 0
    cli = _written(tmp_path / "cli")
    for key in ("elapsed_s", "solve_seconds"):
        cli.pop(key), summary.pop(key)
    assert cli == summary
    for name in ("sites.csv", "zones.csv", "disposals.csv"):
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "lib" / name).read_bytes()


def test_eligibility_job_is_what_the_command_writes(tmp_path):
    from geodata.default import load_default
    from optimise.transport.eligibility.run import assess_eligibility, write_eligibility
    from optimise.transport.run import TransportInputs

    data = load_default()
    inputs = TransportInputs({"pupils": data.pupils, "schools": data.schools})
    run = assess_eligibility(inputs, TransportSettings(), JobContext())
    summary = write_eligibility(run, tmp_path / "lib")
    assert summary == run.summary() == _written(tmp_path / "lib")
    assert main(["transport", "eligibility", "--out", str(tmp_path / "cli"), "--quiet"]) == 0
    cli = _written(tmp_path / "cli")
    assert {**cli, "elapsed_s": 0} == {**summary, "elapsed_s": 0}
    name = "eligibility-personal.csv"
    assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "lib" / name).read_bytes()


def test_routes_options_check_the_run():
    from optimise.transport.run import RoutesOptions

    assert RoutesOptions().run == "both"
    with pytest.raises(InputError, match="--run: expected one of am, pm, both, found 'noon'"):
        RoutesOptions(run="noon")


def test_skipped_rows_are_reported_one_way(tmp_path, capsys):
    # estate (--on-bad-row) and transport (the config's on_bad_row, once ignored) alike:
    # one WARNING line with the count and the first rows; transport's summary has them.
    import pandas as pd

    from geodata.default import export_default, load_default

    (tmp_path / "sites.csv").write_text(
        "id,type,lon,lat,running_cost,services\n"
        "S1,library,-1.69,55.17,100,library\nS2,library,x,55.17,150,library\n"
        "S3,library,-1.68,55.17,150,library\n"
    )
    (tmp_path / "zones.csv").write_text("id,population,lon,lat\nZ1,1000,-1.69,55.171\n")
    code = main(["estate", "--sites", str(tmp_path / "sites.csv"), "--zones",
                 str(tmp_path / "zones.csv"), "--on-bad-row", "skip",
                 "--out", str(tmp_path / "estate")])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "warning: " in err and "sites.csv: 1 bad row(s) skipped (rows 3; first:" in err
    export_default(load_default(), tmp_path / "data")
    pupils = pd.read_csv(tmp_path / "data" / "pupils.csv", dtype=str)
    pupils.loc[[4, 9], "age"] = "old"
    pupils.to_csv(tmp_path / "pupils.csv", index=False)
    args = ["transport", "eligibility", "--pupils", str(tmp_path / "pupils.csv"),
            "--schools", str(tmp_path / "data" / "schools.csv")]  # fmt: skip
    assert main([*args, "--out", str(tmp_path / "strict")]) == 2  # on_bad_row = "error"
    (tmp_path / "run.toml").write_text('on_bad_row = "skip"\n')
    capsys.readouterr()
    code = main([*args, "--config", str(tmp_path / "run.toml"), "--out", str(tmp_path / "e")])
    assert code == 0
    assert "pupils.csv: 2 bad row(s) skipped (rows 6, 11; first:" in capsys.readouterr().err
    summary = _written(tmp_path / "e")
    assert summary["inputs"]["pupils"]["rows_skipped"] == 2
    assert summary["inputs"]["pupils"]["first_rows_skipped"] == [6, 11]
    assert summary["pupils"] == len(pupils) - 2
