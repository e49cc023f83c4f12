"""``--out`` (issue #19): checked up front, write errors in one line, a run owns its folder."""

from __future__ import annotations

import errno
import os

import pytest

from cli import main
from geodata.write import OutputError, Staging, check_out, remove_stale_staging, write_text


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err, err
    assert "Traceback" not in err and "internal error" not in err
    return err


@pytest.mark.parametrize(
    "command",
    [
        ["estate"], ["hours"], ["demo"], ["transport", "routes"], ["transport", "plan"],
        ["transport", "eligibility"], ["data", "export"],
    ],
)  # fmt: skip
def test_out_that_is_a_file_is_refused_up_front(tmp_path, capsys, command):
    target = tmp_path / "afile"
    target.write_text("mine\n", encoding="utf-8")
    assert main([*command, "--out", str(target), "--quiet"]) == 2
    assert "is a file, not a folder" in _one_line(capsys)
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_out_under_a_file_is_refused_up_front(tmp_path, capsys):
    (tmp_path / "afile").write_text("", encoding="utf-8")
    spec = tmp_path / "noop.toml"
    spec.write_text('problem = "none"\n', encoding="utf-8")
    assert main(["batch", str(spec), "--out", str(tmp_path / "afile" / "sub"), "--serial"]) == 2
    assert "lies under the file" in _one_line(capsys)
    args = ["data", "import", str(spec), "--kind", "sites", "--out", str(tmp_path / "afile" / "x")]
    assert main(args) == 2
    assert "lies under the file" in _one_line(capsys)


def test_read_only_out_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes (ENOSPC case covers it)")
        with pytest.raises(OutputError, match="not writable"):
            check_out(locked / "run")
    finally:
        locked.chmod(0o700)


def test_full_disk_while_writing_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    import optimise.estate.run as estate_run

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "run" / "x"))

    monkeypatch.setattr(estate_run, "write_gpkg", full)
    out = tmp_path / "run"
    assert main(["estate", "--out", str(out), "--quiet"]) == 2
    assert "no space left on the device" in _one_line(capsys)
    assert sorted(p.name for p in out.iterdir()) == []  # no staging folder, no partial file


def test_oserror_in_staging_becomes_output_error_and_old_run_stays(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    write_text(out / "summary.json", "{}\n")
    with pytest.raises(OutputError, match="no space left"), Staging(out) as stage:
        write_text(stage.path / "summary.json", "new\n")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    assert (out / "summary.json").read_text() == "{}\n"


def test_a_run_owns_its_folder(tmp_path):
    out = tmp_path / "run"
    owns = ("routes.csv", "modes-personal.csv", "routes.gpkg")
    with Staging(out, owns=owns) as stage:
        for name in ("routes.csv", "modes-personal.csv", "summary.json", "report.html"):
            write_text(stage.path / name, "first\n")
    (out / "my-notes.txt").write_text("keep\n", encoding="utf-8")
    with Staging(out, owns=owns) as stage:
        for name in ("routes.csv", "summary.json"):
            write_text(stage.path / name, "second\n")
    assert sorted(p.name for p in out.iterdir()) == ["my-notes.txt", "routes.csv", "summary.json"]
    assert (out / "routes.csv").read_text() == "second\n"


def test_transport_and_estate_writers_declare_their_outputs():
    from optimise.estate.run import ESTATE_OUTPUTS
    from optimise.transport.output import TRANSPORT_OUTPUTS

    assert {"modes-personal.csv", "assignments-personal.csv", "stops.csv"} <= set(TRANSPORT_OUTPUTS)
    assert "pareto.csv" in ESTATE_OUTPUTS


def test_batch_removes_a_killed_runs_staging(tmp_path, capsys):
    out = tmp_path / "out"
    stale = out / "scenarios" / "a" / ".staging-abc123"
    stale.mkdir(parents=True)
    (stale / ".routes.x.part.gpkg").write_bytes(b"half")
    assert remove_stale_staging(out) == 1
    assert not stale.exists()
    spec = tmp_path / "noop.toml"
    spec.write_text('problem = "none"\n', encoding="utf-8")
    stale.mkdir(parents=True)
    assert main(["batch", str(spec), "--out", str(out), "--serial", "-q"]) == 0
    assert not list(out.rglob(".staging-*"))


def test_batch_with_a_bad_file_leaves_no_empty_tables(tmp_path, capsys):
    bad = tmp_path / "sites.csv"
    bad.write_text("nothing,useful\n1,2\n", encoding="utf-8")
    spec = tmp_path / "bad.toml"
    spec.write_text('problem = "estate"\n[data]\nsites = "sites.csv"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["batch", str(spec), "--out", str(out), "--serial", "-q"]) == 2
    _one_line(capsys)
    assert not out.exists()
