"""``optimise batch`` from the command line: summary, exit codes, one-line errors."""

from __future__ import annotations

import json

from cli import main


def test_batch_command_serial_json(tmp_path, capsys):
    spec = tmp_path / "noop.toml"
    spec.write_text('problem = "none"\n[grid]\nsleep = [0, 0.01]\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(spec), "--out", str(out), "--serial", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["scenarios"], summary["ok"], summary["failed"]) == (2, 2, 0)
    assert json.loads((out / "summary.json").read_text())["ok"] == 2
    for name in ("results.parquet", "results.csv", "comparison.md"):
        assert (out / name).is_file()
    assert main(["batch", str(spec), "--out", str(out), "--serial", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped_already_done"] == 2


def test_batch_command_failed_scenario_exits_1(tmp_path, capsys):
    spec = tmp_path / "fail.toml"
    spec.write_text('problem = "none"\n[grid]\nfail = [true, false]\n', encoding="utf-8")
    assert main(["batch", str(spec), "--out", str(tmp_path / "o"), "--serial", "-q"]) == 1
    assert capsys.readouterr().out == ""


def test_batch_command_bad_file_one_line(tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    spec.write_text('problem = "estate"\n[grid]\nwalking = [1, 2]\n', encoding="utf-8")
    assert main(["batch", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "walking" in err and str(spec) in err
    assert "\n" not in err
    assert not (tmp_path / "o").exists()


def test_batch_workers_with_scheduler_is_an_error(tmp_path, capsys):
    spec = tmp_path / "noop.toml"
    spec.write_text('problem = "none"\n', encoding="utf-8")
    code = main(
        [
            "batch",
            str(spec),
            "--out",
            str(tmp_path / "o"),
            "--workers",
            "2",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ]
    )
    assert code == 2
    assert "--workers" in capsys.readouterr().err
