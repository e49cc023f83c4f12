"""The command line: help with examples, exit codes, one-line errors, atomic outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cli


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Commands with a default output folder write it in the working directory."""
    monkeypatch.chdir(tmp_path)


def run(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


COMMANDS = [(), ("demo",), ("data",), ("data", "export"), ("data", "check"), ("data", "import"),
            ("transport",), ("bench",), ("network",), ("network", "build"), ("hours",),
            ("estate",), ("transport", "routes"), ("bench", "cvrp"), ("bench", "vrptw"),
            ("bench", "sbrp"), ("bench", "pmedian"), ("bench", "cflp"), ("batch",), ("report",),
            ("transport", "plan"), ("transport", "eligibility"), ("bench", "sbr")]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_shows_an_example(capsys, command):
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert "Example" in out and "optimise" in out


def test_bad_option_exits_2(capsys):
    code, _, err = run(capsys, "demo", "--seed", "many")
    assert code == 2 and "seed" in err


def test_unknown_kind_is_one_line(capsys, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("id\n1\n")
    code, _, err = run(capsys, "data", "check", str(f), "--kind", "planets")
    assert code == 2 and err.startswith("error: --kind") and len(err.strip().splitlines()) == 1


def test_bad_config_is_one_line(capsys, tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text("seed = [")
    code, _, err = run(capsys, "demo", "--config", str(cfg), "--out", str(tmp_path / "out"))
    assert code == 2 and "not valid TOML" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_debug_shows_the_traceback(tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text("seed = [")
    with pytest.raises(Exception, match="not valid TOML"):
        cli.main(["demo", "--config", str(cfg), "--debug"])


def test_data_check_lists_every_problem_and_exits_2(capsys, tmp_path):
    f = tmp_path / "schools.csv"
    f.write_text(
        "id,name,phase,bell_time,lon,lat\n"
        "S1,A,primary,08:50,-1.6,55.1\n"
        "S1,B,primary,08:50,-1.7,55.2\n"
        "S3,C,nursery,8 o'clock,-1.8,55.3\n"
    )
    code, out, _ = run(
        capsys, "data", "check", str(f), "--kind", "schools", "--json", "--out", str(tmp_path / "o")
    )
    assert code == 2
    summary = json.loads(out)
    fields = {p["field"] for p in summary["problems"]}
    assert {"id", "phase", "bell_time"} <= fields
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["ok"] is False


def test_data_check_clean_file(capsys, tmp_path):
    f = tmp_path / "stops.csv"
    f.write_text("atco,easting,northing\nA1,420000,580000\nA2,421000,581000\n")
    code, out, _ = run(capsys, "data", "check", str(f), "--kind", "stops", "--columns", "id=atco")
    assert code == 0 and "no problems" in out


def test_failed_run_leaves_no_partial_files(capsys, tmp_path, monkeypatch):
    import geodata.default as default

    real = default.export_default

    def half_then_fail(data, out_dir):
        real(data, out_dir)
        raise RuntimeError("disk full")

    monkeypatch.setattr(default, "export_default", half_then_fail)
    out = tmp_path / "export"
    code, _, err = run(capsys, "data", "export", "--out", str(out))
    assert code == 1 and "internal error" in err and "disk full" in err
    assert list(out.iterdir()) == []


def test_demo_writes_summary_and_passes_domain_checks(capsys, tmp_path):
    out = tmp_path / "demo"
    code, stdout, _ = run(capsys, "demo", "--out", str(out), "--json", "--time-limit", "5")
    assert code == 0
    summary = json.loads(stdout)
    assert summary == json.loads((out / "summary.json").read_text())
    failed = [c for c in summary["checks"] if not c["ok"]]
    assert failed == []
    names = {c["name"] for c in summary["checks"]}
    assert {"residents", "operational sites", "backlog maintenance £", "asset value £"} <= names
    assert sum("visits per open hour" in n for n in names) == 6
    routes, estate, hours = (summary["solvers"][k] for k in ("transport", "estate", "hours"))
    assert routes["ride_limit_violations"] == 0 and routes["pupils_total"] == 3000
    assert estate["sites_kept"] + estate["sites_disposed"] == 343
    assert hours["hours_used"] <= hours["budget_hours"] == 70
    for part in ("transport", "estate", "hours"):
        assert (out / part / "summary.json").is_file()
    for f in summary["files"]:
        assert (out / f).is_file()
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_console_script_runs(tmp_path):
    script = Path(sys.executable).parent / "optimise"
    assert script.exists(), "the console script 'optimise' is not installed next to python"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("optimise ")


TRAFFORD_COLUMNS = "id=AssetCode,name=PropertyName,lon=GeoX,lat=GeoY,type=HoldingType"


def test_data_import_skips_and_lists_bad_rows(capsys, tmp_path, test_data):
    assets = test_data / "trafford" / "trafford_land_and_building_assets.csv"
    out = tmp_path / "sites"
    args = ["data", "import", str(assets), "--kind", "sites", "--columns", TRAFFORD_COLUMNS]
    code, _, err = run(capsys, *args, "--out", str(out))
    assert code == 2 and "row 5" in err and err.rstrip().endswith("and 235 more problems")
    assert not out.exists() or not any(out.iterdir())
    code, stdout, _ = run(capsys, *args, "--out", str(out), "--on-bad-row", "skip", "--json")
    assert code == 0
    summary = json.loads(stdout)
    assert summary["rows_kept"] == 372 and summary["rows_skipped"] == 236
    assert sorted(summary["files"]) == ["sites.csv", "sites.gpkg", "skipped.csv", "summary.json"]
    skipped = (out / "skipped.csv").read_text()
    assert "lat/lon look swapped" in skipped and ",387," in skipped
    import geopandas as gpd

    back = gpd.read_file(out / "sites.gpkg")
    assert len(back) == 372 and back.crs.to_epsg() == 27700
    assert {"id", "name", "type", "running_cost", "must_keep"} <= set(back.columns)
    code, _, _ = run(capsys, "data", "check", str(out / "sites.csv"), "--kind", "sites")
    assert code == 0  # the converted file is clean


def test_data_import_takes_columns_and_policy_from_config(capsys, tmp_path, test_data):
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        'on_bad_row = "skip"\n[columns.sites]\n'
        + "\n".join(f'{k} = "{v}"' for k, v in (p.split("=") for p in TRAFFORD_COLUMNS.split(",")))
    )
    assets = test_data / "trafford" / "trafford_land_and_building_assets.csv"
    out = tmp_path / "o"
    code, _, _ = run(capsys, "data", "import", str(assets), "--kind", "sites", "--config", str(cfg),
                     "--out", str(out), "--quiet")  # fmt: skip
    assert code == 0 and json.loads((out / "summary.json").read_text())["rows_kept"] == 372
