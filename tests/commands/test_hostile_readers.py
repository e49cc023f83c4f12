"""Hostile input at the readers and the CLI (issue #19): decimal commas, Shapefile names,
binary files, usage errors, --help, config tables, option names."""

from __future__ import annotations

import re
import warnings

import pytest

import cli
from geodata.errors import InputError, ValidationError
from geodata.read import read, read_text
from tests.commands.hostile_case import run_case

SITE = "id;type;floor_area_m2;capital_value;lon;lat\nA1;office;{area};{value};{lon};{lat}\n"


def _site(area="900", value="0", lon="-1.6", lat="55.1", sep=";"):
    return SITE.format(area=area, value=value, lon=lon, lat=lat).replace(";", sep)


@pytest.mark.parametrize(
    ("text", "area", "value"),
    [
        (_site("18000,0"), 18000.0, 0.0),
        (_site("1.234,5", "2.000.000"), 1234.5, 2_000_000.0),
        (_site("1.5", "250000.5"), 1.5, 250000.5),  # a semicolon file with decimal dots
        (_site("1.5", "2.500.000"), 1.5, 2_500_000.0),  # two dot groups: only thousands
        (_site('"18,000.5"', '"12,000"', sep=","), 18000.5, 12000.0),  # grouped thousands
    ],
    ids=["decimal comma", "dot thousands", "dot decimals", "dot groups", "comma file"],
)
def test_numbers_are_read_with_the_file_decimal_mark(text, area, value):
    frame = read_text(text, "sites", format="csv").frame
    assert frame.loc[0, "floor_area_m2"] == area
    assert frame.loc[0, "capital_value"] == value
    assert 400_000 < frame.geometry.x[0] < 450_000  # lon -1.6 in British National Grid


@pytest.mark.parametrize(
    "text",
    [
        _site("1.234", "18000,0"),  # 1234 or 1.234 in a file of decimal commas?
        _site("1,234.5", "18000,0"),  # English grouping in a file of decimal commas
        _site("1,234,5"),
        _site("1.500", "250000.5"),  # a semicolon file of decimal dots: 1500 or 1.5?
        _site('"18000,0"', sep=","),  # a decimal comma in a comma file is not a thousands
    ],
    ids=[
        "one dot group",
        "mixed marks",
        "two commas",
        "dot file one group",
        "comma file decimal comma",
    ],
)
def test_an_ambiguous_number_is_refused(text):
    with pytest.raises(ValidationError) as info:
        read_text(text, "sites", format="csv")
    assert "floor_area_m2" in str(info.value)
    assert "\n" not in str(info.value)


def _shapefile(path, **columns):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    frame = pd.DataFrame({"id": ["A1", "A2"], "type": ["office", "library"], **columns})
    points = [Point(-1.6, 55.1), Point(-1.61, 55.12)]
    with warnings.catch_warnings():  # GDAL says it cuts the names: that is the point
        warnings.simplefilter("ignore")
        gpd.GeoDataFrame(frame, geometry=points, crs=4326).to_file(path)
    return path


def test_shapefile_cut_names_take_their_values(tmp_path, caplog):
    caplog.set_level("WARNING")  # an earlier CLI run in the session may have set ERROR
    path = _shapefile(
        tmp_path / "sites.shp",
        running_cost=[12000.0, 5000.0],
        capital_value=[250000.0, 1.0],
        corporate_landlord=[True, False],
    )
    layer = read(path, "sites")
    assert layer.frame["running_cost"].tolist() == [12000.0, 5000.0]
    assert layer.frame["capital_value"].tolist() == [250000.0, 1.0]
    assert layer.frame["corporate_landlord"].tolist() == [True, False]
    assert "running_co as running_cost" in caplog.text  # said, not silent


def test_estate_reads_a_shapefile_costs(tmp_path, capsys):
    import json

    path = _shapefile(
        tmp_path / "sites.shp", running_cost=[12000.0, 5000.0], capital_value=[250000.0, 1.0]
    )
    code = cli.main(["estate", "--sites", str(path), "--out", str(tmp_path / "out"), "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert summary["sites_disposed"] == 2  # no zone needs them: both go, with their money
    assert summary["capital_receipts_gbp"] == 250001
    assert summary["annual_saving_gbp"] == 17000


def test_shapefile_ambiguous_cut_name_is_one_line(tmp_path, capsys):
    path = _shapefile(
        tmp_path / "sites.shp", lease_break=["2027-01-01", ""], lease_break_cost=[1.0, 2.0]
    )
    with pytest.raises(InputError, match=r"lease_brea.*lease_break or lease_break_cost"):
        read(path, "sites")
    mapping = "lease_break=lease_brea,lease_break_cost=lease_br_1"
    layer = read(path, "sites", columns=dict(p.split("=") for p in mapping.split(",")))
    assert layer.frame["lease_break_cost"].tolist() == [1.0, 2.0]
    code = cli.main(["data", "check", str(path), "--kind", "sites"])
    err = capsys.readouterr().err
    assert code == 2
    assert len([line for line in err.splitlines() if "lease_brea" in line]) == 1


USAGE = [
    (["estate", "--pareto", "x"], ["optimise estate: --pareto:", "'x'", "whole number"]),
    (["hours", "--budget-hours=x"], ["--budget-hours", "'x'"]),
    (["estate", "--bogus"], ["--bogus", "optimise estate --help"]),
    (["estate", "--pareto"], ["--pareto", "optimise estate --help"]),
    (["report"], ["Missing argument", "optimise report --help"]),
    (["estate", "extra"], ["extra", "optimise estate --help"]),
    (["nosuch"], ["nosuch", "optimise --help"]),
]


@pytest.mark.parametrize(("argv", "needles"), USAGE, ids=[" ".join(a) for a, _ in USAGE])
def test_usage_error_is_one_line(capsys, argv, needles):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    lines = [line for line in (err + out).splitlines() if line.strip()]
    assert code == 2
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0]


def _commands():
    import typer

    def walk(command, path):
        yield path, command
        for name, sub in (getattr(command, "commands", None) or {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(cli.app), []))


COMMANDS = _commands()


@pytest.mark.parametrize(("path", "command"), COMMANDS,
                         ids=[" ".join(p) or "optimise" for p, _ in COMMANDS])  # fmt: skip
def test_help_shows_square_brackets(capsys, monkeypatch, path, command):
    monkeypatch.setenv("COLUMNS", "250")
    texts = [command.help or "", *(getattr(p, "help", None) or "" for p in command.params)]
    words = {m for text in texts for m in re.findall(r"\[([a-z][a-z_.]*)\]", text)}
    cli.main([*path, "--help"])
    out = capsys.readouterr().out
    for word in words:
        assert f"[{word}]" in out, word


def test_estate_help_names_the_columns_table(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    cli.main(["estate", "--help"])
    assert "[columns] table" in capsys.readouterr().out


BINARY = bytes(range(256)) * 8

# (name, files {name: text or bytes}, argv with {tmp}, text the one error line must contain)
CASES = [
    ("estate table text number", {"c.toml": '[estate]\nmax_travel_minutes = "far"\n'},
     ["estate", "--config", "{tmp}/c.toml"], "[estate] max_travel_minutes: expected a number"),
    ("estate table unknown key", {"c.toml": "[estate]\nmax_travel_min = 5\n"},
     ["estate", "--config", "{tmp}/c.toml"], "unknown key 'max_travel_min'"),
    ("estate table nan", {"c.toml": "[estate]\nmax_travel_minutes = nan\n"},
     ["estate", "--config", "{tmp}/c.toml"], "[estate] max_travel_minutes: expected a finite"),
    ("estate table list", {"c.toml": '[estate]\nservices = "library"\n'},
     ["estate", "--config", "{tmp}/c.toml"], "[estate] services: expected a list"),
    ("estate table range", {"c.toml": "[estate]\nmax_travel_minutes = 0\n"},
     ["estate", "--config", "{tmp}/c.toml"], "c.toml: [estate]: max_travel_minutes must be"),
    ("stops table choice", {"c.toml": '[transport.stops]\nmethod = "zz"\n'},
     ["transport", "eligibility", "--config", "{tmp}/c.toml"], "[transport.stops]: method"),
    ("hours table flag text", {"c.toml": '[hours]\nkeep_open = "yes"\n'},
     ["hours", "--config", "{tmp}/c.toml"], "[hours] keep_open: expected true or false"),
    ("hours table unknown key", {"c.toml": "[hours]\nbogus = 1\n"},
     ["hours", "--config", "{tmp}/c.toml"], "[hours]: unknown key 'bogus'"),
    ("transport table text", {"c.toml": '[transport]\nmax_walk_primary_m = "x"\n'},
     ["transport", "eligibility", "--config", "{tmp}/c.toml"], "[transport] max_walk_primary_m"),
    ("transport routing unknown", {"c.toml": "[transport.routing]\nbogus = 1\n"},
     ["transport", "eligibility", "--config", "{tmp}/c.toml"], "[transport.routing]: unknown"),
    ("transport eligibility whole", {"c.toml": "[transport.eligibility]\nmax_age = 16.5\n"},
     ["transport", "eligibility", "--config", "{tmp}/c.toml"], "max_age: expected a whole"),
    ("binary csv", {"s.csv": BINARY}, ["estate", "--sites", "{tmp}/s.csv"], "a text CSV file"),
    ("xlsx saved as csv", {"s.csv": b"PK\x03\x04" + BINARY},
     ["data", "check", "{tmp}/s.csv", "--kind", "sites"], "Excel workbook"),
    ("semicolon ambiguous", {"s.csv": _site("1.234", "18000,0")},
     ["data", "check", "{tmp}/s.csv", "--kind", "sites"], "floor_area_m2"),
    ("max-travel zero", {}, ["estate", "--max-travel", "0"], "--max-travel"),
    ("pareto-measure", {}, ["estate", "--pareto-measure", "zz"], "--pareto-measure"),
    ("office-reduction", {}, ["estate", "--office-reduction", "1.5"], "--office-reduction"),
    ("budget-hours zero", {}, ["hours", "--budget-hours", "0"], "--budget-hours"),
    ("on-bad-row", {}, ["estate", "--on-bad-row", "bogus"], "--on-bad-row"),
    ("option over config", {"c.toml": "[estate]\nreceipt_share = 0.5\n"},
     ["estate", "--config", "{tmp}/c.toml", "--max-travel=0"], "--max-travel must be"),
]  # fmt: skip

_INTERNAL = ("max_travel_minutes", "pareto_measure", "office_reduction", "budget_hours",
             "on_bad_row")  # fmt: skip


@pytest.mark.parametrize(("files", "argv", "needle"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_hostile_input_is_one_line_exit_2(capsys, tmp_path, monkeypatch, files, argv, needle):
    problems = run_case(capsys, tmp_path, monkeypatch, files, argv, needle)
    if needle.startswith("--"):  # an option's error names the option, not the parameter
        assert not any(key in problems[0] for key in _INTERNAL), problems[0]


def test_control_characters_never_reach_the_terminal(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_bytes(b"id\x01,type,lon,lat\nA,office,-1.6,55.1\n")
    code = cli.main(["estate", "--sites", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "\x01" not in err and "id\\x01" in err
