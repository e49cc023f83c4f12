"""Scenario files: expansion, hashes, folder names and one-line errors (no Dask)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata.errors import InputError
from optimise.batch import folder_names, load_spec, parse_spec, safe_name

ROOT = Path(__file__).resolve().parents[2]

GRID = """
problem = "estate"
time_limit = 5
[base]
ranking_steps = 0
[scenarios.today]
office_reduction = 0.0
[scenarios.target]
office_reduction = 0.3
[grid]
max_travel = [20, 30]
"estate.receipt_target" = [0.0, 0.1]
"""


def test_named_scenarios_cross_the_grid():
    spec = parse_spec(GRID, source="grid.toml")
    assert spec.kind == "estate"
    assert len(spec.scenarios) == 8
    first = spec.scenarios[0]
    assert first.name == "today max_travel=20 estate.receipt_target=0"
    assert first.resolved["params"]["max_travel_minutes"] == 20.0
    assert first.resolved["params"]["office_reduction"] == 0.0
    assert len({s.hash for s in spec.scenarios}) == 8
    assert len({s.folder for s in spec.scenarios}) == 8


def test_hash_is_stable_and_follows_the_inputs():
    a = parse_spec(GRID).scenarios
    b = parse_spec(GRID.replace("time_limit = 5", "time_limit = 5.0")).scenarios
    assert [s.hash for s in a] == [s.hash for s in b]  # same inputs, same hash
    c = parse_spec(GRID.replace("time_limit = 5", "time_limit = 6")).scenarios
    assert not {s.hash for s in a} & {s.hash for s in c}
    d = parse_spec(GRID + "seed = 1\n".replace("seed", "[data]\ndefault_seed")).scenarios
    assert not {s.hash for s in a} & {s.hash for s in d}


def test_seed_and_time_limit_may_vary_per_scenario():
    spec = parse_spec('problem = "hours"\n[grid]\nseed = [1, 2]\nbudget = [40]\n')
    assert [s.seed for s in spec.scenarios] == [1, 2]
    assert spec.scenarios[0].resolved["params"]["budget_hours"] == 40.0


def test_transport_keys_dotted():
    spec = parse_spec(
        'problem = "transport"\n[grid]\n"fleet.minibus.day_rate" = [180, 220]\n'
        '"routing.chain_gap_min" = [30]\nmax_ride_primary_min = [45]\n'
    )
    s = spec.scenarios[1]
    assert s.resolved["fleet"] == {"minibus.day_rate": 220}
    assert s.resolved["routing"]["chain_gap_min"] == 30.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('problem = "parking"', "problem: expected one of"),
        ('problem = "estate"\n[grid]\nmax_walk = [1]', "unknown key 'max_walk'"),
        ('problem = "estate"\n[grid]\nmax_travel = 30', "expected a non-empty list"),
        ('problem = "estate"\n[grid]\nmax_travel = [-5]', "max_travel_minutes must be positive"),
        ('problem = "estate"\nsurprise = 1', "unknown key 'surprise'"),
        ('problem = "estate"\n[data]\npupils = "x.csv"', "[data] unknown key 'pupils'"),
        ('problem = "estate"\n[data]\nsites = "missing.csv"', "file not found"),
        ('problem = "hours"\ntime_limit = 0', "time_limit: expected seconds > 0"),
        ('problem = "hours"\n[grid]\nbudget = [40, 40.0]', "have the same inputs"),
        ('problem = "transport"\n[grid]\n"fleet.minibus.colour" = [1]', "fleet.TYPE_OR_ID.COLUMN"),
        ("problem = ", "not valid TOML"),
    ],
)
def test_bad_scenario_files_are_one_line_input_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_spec(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file():
    with pytest.raises(InputError, match="scenario file not found"):
        load_spec("no-such-file.toml")


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("/absolute/path", "absolute_path"),
        ("..", "scenario"),
        ("", "scenario"),
        ("C:\\Windows\\x", "C_Windows_x"),
        ("café au lait", "cafe_au_lait"),
        (".hidden", "hidden"),
        ("a\x00b\nc", "a_b_c"),
        ("CON", "_CON"),
        ("budget=40 weight=1.5", "budget=40_weight=1.5"),
    ],
)
def test_safe_name(name, folder):
    assert safe_name(name) == folder


def test_folder_names_unique_and_inside(tmp_path):
    names = ["a/b", "a b", "A_B", "../a_b", "x" * 500]
    folders = folder_names(names)
    assert folders[:4] == ["a_b", "a_b-2", "A_B-3", "a_b-4"]
    assert len(folders[4]) <= 80
    for f in folders:
        assert (tmp_path / f).resolve().parent == tmp_path.resolve()


def test_examples_parse():
    estate = load_spec(ROOT / "examples" / "estate-travel-limits.toml")
    hours = load_spec(ROOT / "examples" / "hours-budgets.toml")
    walking = load_spec(ROOT / "examples" / "walking-limits.toml")
    assert (len(estate.scenarios), len(hours.scenarios), len(walking.scenarios)) == (9, 10, 6)
    assert all(s.resolved["plan"] for s in walking.scenarios)


def test_transport_plan_scenarios_carry_stop_settings():
    spec = parse_spec(
        'problem = "transport"\n[base]\nplan = true\n"stops.method" = "sequential"\n'
        "[grid]\nmax_walk_primary_m = [805, 1609]\n",
        source="walk.toml",
    )
    first, second = spec.scenarios
    assert first.resolved["plan"] is True and first.resolved["stops"]["method"] == "sequential"
    assert first.resolved["policy"]["max_walk_primary_m"] == 805.0 and first.hash != second.hash
    # a routes-only scenario keeps no plan keys (so batches run before keep their hashes)
    routes = parse_spec('problem = "transport"\n[grid]\nmax_walk_primary_m = [805]\n')
    assert "plan" not in routes.scenarios[0].resolved


@pytest.mark.parametrize(
    ("base", "expected"),
    [('plan = "yes"', "expected true or false"), ('"stops.method" = "joint"', "need plan = true")],
)
def test_transport_plan_keys_are_checked(base, expected):
    with pytest.raises(InputError, match=expected):
        parse_spec(f'problem = "transport"\n[base]\n{base}\n', source="walk.toml")
