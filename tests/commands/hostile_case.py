"""Run one hostile-input case through the CLI (shared by the hostile-input tests)."""

from __future__ import annotations

import re

import cli


def run_case(capsys, tmp_path, monkeypatch, files, argv, needle) -> list[str]:
    """Write ``files`` ({name: text or bytes}) into ``tmp_path``, run ``argv`` ({tmp} for
    the folder; ``--out`` added but for ``data``) and check the one-line, exit-2 rule:
    no traceback, exactly one line naming ``needle``, no summary, no control
    characters. Returns the lines naming ``needle``."""
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        if isinstance(content, bytes):
            (tmp_path / name).write_bytes(content)
        else:
            (tmp_path / name).write_text(content)
    out_dir = tmp_path / "out"
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if args[0] != "data":
        args += ["--out", str(out_dir)]
    code = cli.main(args)
    out, err = capsys.readouterr()
    lines = [line for line in (err + out).splitlines() if line.strip()]
    problems = [line for line in lines if needle in line]
    assert code == 2, (out, err)
    assert "Traceback" not in err and "internal error" not in err
    assert len(problems) == 1, lines
    assert not (out_dir / "summary.json").exists()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", out + err)  # no binary
    return problems
