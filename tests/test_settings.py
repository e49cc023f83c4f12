"""One settings object per config table (issue #17): the same rules wherever it is read."""

from __future__ import annotations

import pytest

from geodata.errors import InputError
from optimise.settings import EstateSettings, HoursSettings, TransportSettings


def test_transport_table_builds_every_part():
    s = TransportSettings.from_table(
        {"max_ride_primary_min": 40, "no_share": [["P1", "P2"]], "school_year": 2025,
         "routing": {"max_iterations": 10}, "stops": {"method": "sequential"},
         "modes": {"budget_basis": "fixed"}, "eligibility": {"max_age": 18}},
        "run.toml",
    )  # fmt: skip
    assert s.policy.max_ride_primary_min == 40.0 and s.routing.max_iterations == 10
    assert s.stops.method == "sequential" and s.modes.budget_basis == "fixed"
    assert s.eligibility.max_age == 18 and s.no_share == (("P1", "P2"),)
    assert s.school_year == 2025
    assert TransportSettings.from_table(None) == TransportSettings()
    assert TransportSettings.from_table(s) is s


@pytest.mark.parametrize("sub", ["plan", "stop", "routes"])
def test_unknown_sub_table_is_rejected_by_every_reader(sub):
    from optimise.transport.eligibility.run import read_settings

    table = {sub: {"x": 1}}
    expected = rf"run.toml: \[transport\]: unknown table \[transport.{sub}\]; expected one of"
    with pytest.raises(InputError, match=expected):
        TransportSettings.from_table(table, "run.toml")
    # the library readers (eligibility; routes and plan through build_problem) alike
    with pytest.raises(InputError, match=rf"unknown table \[transport.{sub}\]"):
        read_settings(table)


def test_unknown_sub_table_in_a_config_is_one_line(tmp_path):
    from cli import main

    cfg = tmp_path / "c.toml"
    cfg.write_text("[transport.plan]\nx = 1\n")
    for command in ("eligibility", "routes", "plan"):
        code = main(["transport", command, "--config", str(cfg), "--quiet",
                     "--out", str(tmp_path / command)])  # fmt: skip
        assert code == 2
        assert not (tmp_path / command).exists()


def test_type_errors_name_file_table_key_and_what_to_do():
    with pytest.raises(InputError) as err:
        TransportSettings.from_table({"routing": {"max_iterations": "many"}}, "run.toml")
    assert str(err.value) == (
        "run.toml: [transport.routing] max_iterations: expected a number, found 'many'; "
        "correct it or leave it out for the default"
    )
    with pytest.raises(InputError, match=r"^\[transport\] no_share: expected pairs of ids"):
        TransportSettings.from_table({"no_share": [["P1"]]})


def test_estate_and_hours_tables_and_options():
    s = EstateSettings.from_table({"max_travel_minutes": 25}, "run.toml")
    assert s.params.max_travel_minutes == 25.0
    assert s.with_options(max_travel_minutes=None).params.max_travel_minutes == 25.0
    assert s.with_options(receipt_target=0.2).params.receipt_target == 0.2
    with pytest.raises(InputError, match=r"^options: max_travel_minutes must be"):
        s.with_options(max_travel_minutes=0)
    with pytest.raises(InputError, match=r"run.toml: \[hours\]: unknown key 'bogus'"):
        HoursSettings.from_table({"bogus": 1}, "run.toml")
    with pytest.raises(InputError, match=r"\[hours\]: unknown table \[hours.plan\]; expected"):
        HoursSettings.from_table({"plan": {}}, "run.toml")
    h = HoursSettings.from_table({}).with_options(budget_hours=50)
    assert h.params.budget_hours == 50


def test_batch_dotted_keys_build_the_same_objects():
    from optimise.batch.params import _plain, resolve

    flat = {"max_walk_primary_m": 1000, "routing.max_iterations": 20, "plan": True,
            "stops.restarts": 5, "fleet.minibus.day_rate": 200}  # fmt: skip
    resolved = resolve("transport", flat, "b.toml: [grid]")
    same = TransportSettings.from_table(
        {"max_walk_primary_m": 1000, "routing": {"max_iterations": 20}, "stops": {"restarts": 5}}
    )
    assert resolved["policy"] == _plain(same.policy)
    assert resolved["routing"] == _plain(same.routing)
    assert resolved["stops"] == _plain(same.stops)
    assert resolved["fleet"] == {"minibus.day_rate": 200}
    estate = resolve("estate", {"max_travel": 20}, "b.toml")
    assert estate["params"] == _plain(EstateSettings.from_table({"max_travel_minutes": 20}).params)
    for key in ("no_share", "school_year"):
        with pytest.raises(InputError, match=f"unknown key '{key}' for a transport scenario"):
            resolve("transport", {key: 2026}, "b.toml")
    with pytest.raises(InputError, match=r"b.toml: \[transport.routing\]: unknown key 'bogus'"):
        resolve("transport", {"routing.bogus": 1}, "b.toml")
