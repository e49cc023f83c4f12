from __future__ import annotations

from dataclasses import dataclass

import pytest

from geodata.errors import InputError
from models.params import Params
from models.transport import TransportPolicy
from optimise.config import RunConfig, parse_columns


def test_parse_columns():
    assert parse_columns("id=URN, name=SCHOOL NAME") == {"id": "URN", "name": "SCHOOL NAME"}
    assert parse_columns(None) == {}


@pytest.mark.parametrize("text", ["id", "=URN", "id="])
def test_parse_columns_rejects(text):
    with pytest.raises(InputError, match="--columns"):
        parse_columns(text)


def test_config_file_and_options(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text(
        'seed = 7\non_bad_row = "skip"\n[columns]\nid = "URN"\n[columns.sites]\nid = "AssetCode"\n'
        "[transport]\nmax_ride_primary_min = 40\n"
    )
    cfg = RunConfig.load(path, seed=None, out="x")
    assert cfg.seed == 7 and cfg.on_bad_row == "skip" and str(cfg.out) == "x"
    assert cfg.columns_for("sites") == {"id": "AssetCode"}
    assert cfg.columns_for("schools") == {"id": "URN"}
    assert RunConfig.load(path, seed=3).seed == 3  # the option wins
    policy = TransportPolicy.from_dict(cfg.tables["transport"])
    assert policy.max_ride_primary_min == 40.0 and policy.max_ride_secondary_min == 75.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("seed = 'a'", "seed"),
        ("colour = 1", "unknown key 'colour'"),
        ("[columns.nonsense]\nid='x'", "unknown kind"),
        ("on_bad_row = 'maybe'", "on_bad_row"),
        ("seed = [", "not valid TOML"),
        ("time_limit = -1", "time_limit: expected a number of seconds above 0"),
    ],
)
def test_config_errors_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        RunConfig.load(path)


def test_missing_config_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        RunConfig.load(tmp_path / "nope.toml")


def test_params_validate_and_load(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert TransportPolicy.from_file(empty, "transport") == TransportPolicy()
    with pytest.raises(InputError, match="positive"):
        TransportPolicy.from_dict({"max_ride_primary_min": 0})
    with pytest.raises(InputError, match="unknown key 'max_ride'"):
        TransportPolicy.from_dict({"max_ride": 10})
    with pytest.raises(InputError, match="expected a number"):
        TransportPolicy.from_dict({"school_days": "190"})

    @dataclass(frozen=True)
    class Flags(Params):
        strict: bool = False

    with pytest.raises(InputError, match="true or false"):
        Flags.from_dict({"strict": 1})
