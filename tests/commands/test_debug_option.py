"""``--debug``: its callback, not a look at argv, says a command shows tracebacks (#17)."""

from __future__ import annotations

import pytest

import cli
from geodata.errors import InputError


@pytest.fixture(autouse=True)
def _no_debug_env(monkeypatch):
    monkeypatch.delenv("OPTIMISE_DEBUG", raising=False)


def _export(tmp_path, *extra: str) -> int:
    return cli.main(["data", "export", "--out", str(tmp_path / "o"), "--seed", "99999999999",
                     *extra])  # fmt: skip


def test_debug_after_a_bad_option_shows_the_traceback(tmp_path):
    # --debug is eager: set before --seed's check fails, wherever it is typed
    with pytest.raises(InputError, match="--seed"):
        _export(tmp_path, "--debug")


def test_debug_lasts_one_command(tmp_path, capsys):
    with pytest.raises(InputError):
        _export(tmp_path, "--debug")
    capsys.readouterr()
    assert _export(tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --seed") and len(err.strip().splitlines()) == 1


def test_the_environment_variable_still_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMISE_DEBUG", "1")
    with pytest.raises(InputError, match="--seed"):
        _export(tmp_path)
