"""Council files as they come (issue #15): workbooks, postcodes, dates of birth.

The tests write their own workbooks with openpyxl; the reader under test is
python-calamine (geodata/read/sheet.py).
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from geodata.errors import ValidationError
from geodata.geocode import load_postcodes, normalise
from geodata.read._records import Parsed
from geodata.read.derived import ReadSettings, derive, school_year_now
from geodata.read.sheet import column_letter, read_sheet, split_sheet


def _book(path, sheets):
    """A workbook: ``{sheet: [row, ...]}``; a row is a list of cells (None for blank)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


PUPILS = [
    ["Pupils for transport, exported 01/09/2026"],
    [],
    ["Pupil ID", "School", "Postcode", "DOB", "Wheelchair"],
    ["P1", "S1", "ne61 1aa", dt.date(2015, 3, 4), "No"],
    ["P2", "S1", "NE61  1AA", "01/09/2014", "Yes"],
    [1234, "S1", "NE46 1AB", dt.datetime(2014, 8, 31), "No"],
]


def test_a_sheet_reads_under_its_title_lines_with_spreadsheet_rows(tmp_path):
    path = _book(tmp_path / "export.xlsx", {"Notes": [["read me"]], "Pupils": PUPILS})
    parsed = read_sheet(f"{path}#Pupils")
    assert parsed.source == f"{path}#Pupils"
    assert list(parsed.frame.index) == [4, 5, 6]  # the spreadsheet's own row numbers
    assert list(parsed.frame.columns) == ["Pupil ID", "School", "Postcode", "DOB", "Wheelchair"]
    assert list(parsed.frame["DOB"]) == ["2015-03-04", "01/09/2014", "2014-08-31"]
    assert parsed.frame["Pupil ID"].iloc[2] == "1234"  # a number-typed id has no ".0"
    assert parsed.names["Postcode"] == "Postcode, column C"
    # without a name, the first sheet: Notes, one cell a row, so no header
    with pytest.raises(ValidationError, match=r"#Notes: expected a header row"):
        read_sheet(path)


def test_times_and_numbers_come_as_the_validators_read_them(tmp_path):
    rows = [["id", "bell_time", "end_time", "seats", "rate"],
            ["S1", dt.time(8, 45), dt.time(15, 15, 30), 16.0, 1.25]]  # fmt: skip
    parsed = read_sheet(_book(tmp_path / "s.xlsx", {"Schools": rows}))
    assert parsed.frame.iloc[0].tolist() == ["S1", "08:45", "15:15:30", "16", "1.25"]


def test_a_formula_reads_as_its_value(tmp_path):
    """Excel stores a formula's last value beside it; openpyxl writes none, so the test
    puts it there as Excel would (``<f>8*2</f><v>16</v>``)."""
    import zipfile

    plain = _book(tmp_path / "plain.xlsx", {"Fleet": [["id", "seats"], ["V1", "=8*2"]]})
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(saved, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>8*2</f><v />" in data
                data = data.replace(b"<f>8*2</f><v />", b"<f>8*2</f><v>16</v>")
            dst.writestr(item, data)
    assert read_sheet(saved).frame["seats"].tolist() == ["16"]


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "does not open"),
        ("missing.xlsx", None, "no such file"),
    ],
)
def test_bad_workbooks_are_one_line(tmp_path, name, content, needle):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ValidationError, match=needle) as err:
        read_sheet(path)
    assert "\n" not in str(err.value)


def test_a_password_protected_workbook_is_one_line(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _book(tmp_path / "plain.xlsx", {"Pupils": PUPILS})
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as out:
        OOXMLFile(source).encrypt("secret", out)
    with pytest.raises(ValidationError, match="password-protected") as err:
        read_sheet(locked)
    assert "\n" not in str(err.value)


def test_a_missing_sheet_names_the_sheets_there(tmp_path):
    path = _book(tmp_path / "b.xlsx", {"Pupils": PUPILS, "Schools": [["id", "x"], [1, 2]]})
    with pytest.raises(ValidationError, match="'Pupils', 'Schools'"):
        read_sheet(f"{path}#Fleet")


def test_values_outside_the_header_are_refused_with_their_column_letter(tmp_path):
    rows = [["id", "name"], ["A", "x", "stray"]]
    parsed = read_sheet(_book(tmp_path / "c.xlsx", {"S": rows}))
    assert [(p.row, p.field) for p in parsed.problems] == [(2, "C")]


def test_sheet_names_and_column_letters():
    assert split_sheet("a/b.xlsx#Pupils 2026") == (split_sheet("a/b.xlsx")[0], "Pupils 2026")
    assert split_sheet("notes#1.csv")[1] is None  # a # in a CSV name is part of the name
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


# --- postcodes ------------------------------------------------------------------------


def test_postcodes_are_normalised_or_refused():
    assert normalise(" ne61 1aa ") == "NE61 1AA"
    assert normalise("SW1A1AA") == "SW1A 1AA"
    assert normalise("EC1A 1BB") == "EC1A 1BB"
    assert normalise("NE61") is None and normalise("12345") is None


def _parsed(frame):
    frame.index = pd.Index(range(2, 2 + len(frame)), name="row")
    return Parsed(frame, "pupils.csv")


def test_embedded_code_point_open_locates_a_postcode_only_file():
    codes = ["ne61 1aa", "NE61 1AA", "ZZ9 9ZZ", "bad"]
    parsed = _parsed(pd.DataFrame({"id": ["a", "b", "c", "d"], "postcode": codes}))
    out, note = derive(parsed, ReadSettings(school_year=2026))
    # NE61 1AA is in Morpeth: about (419,700, 586,000) on the National Grid
    assert float(out.frame.loc[2, "easting"]) == pytest.approx(419_722, abs=500)
    assert float(out.frame.loc[2, "northing"]) == pytest.approx(585_993, abs=500)
    assert note["locations_from_postcodes"] == 2
    assert "Code-Point Open" in note["postcodes"] and "2025" in note["postcodes"]
    found = {p.row: p.found for p in out.problems}
    assert set(found) == {4, 5}
    assert "not in Code-Point Open" in found[4] and "malformed" in found[5]


def test_a_user_onspd_file_refuses_terminated_postcodes(tmp_path):
    onspd = tmp_path / "ONSPD.csv"
    onspd.write_text("pcds,dointr,doterm,oseast1m,osnrth1m\n"
                     "NE61 1AA,198001,,419722,585993\nNE61 9ZZ,198001,200312,419000,585000\n",
                     encoding="utf-8")  # fmt: skip
    table = load_postcodes(onspd)
    parsed = _parsed(pd.DataFrame({"id": ["a", "b"], "postcode": ["NE61 1AA", "NE61 9ZZ"]}))
    out, _ = derive(parsed, ReadSettings(postcodes=table, school_year=2026))
    assert out.frame.loc[2, "easting"] == "419722.0"
    assert [p.row for p in out.problems] == [3] and "terminated" in out.problems[0].found


def test_a_coordinate_file_is_not_geocoded():
    parsed = _parsed(pd.DataFrame({"id": ["a"], "postcode": ["bad"], "lon": ["-1.6"],
                                   "lat": ["55.1"]}))  # fmt: skip
    out, note = derive(parsed, ReadSettings(school_year=2026))
    assert note == {} and out is parsed


# --- dates of birth -------------------------------------------------------------------


def test_age_on_31_august_of_the_school_year():
    parsed = _parsed(pd.DataFrame({"id": list("abcdef"), "date_of_birth": [
        "01/09/2014",  # a day after 31 August: 11 in 2026/27
        "31/08/2014",  # 12 on the day
        "2015-03-04", "4 Mar 2015", "31/02/2015", "03/04/15"]}))  # fmt: skip
    out, note = derive(parsed, ReadSettings(school_year=2026))
    assert list(out.frame["age"]) == ["11", "12", "11", "11", "", ""]
    assert note["age_from_date_of_birth"] == "age on 31 August 2026"
    assert [p.row for p in out.problems] == [6, 7]


def test_the_school_year_turns_in_september():
    assert school_year_now(dt.date(2026, 8, 31)) == 2025
    assert school_year_now(dt.date(2026, 9, 1)) == 2026


def test_uprns_locate_from_a_user_os_open_uprn_file(tmp_path):
    uprns = tmp_path / "osopenuprn.csv"
    uprns.write_text("UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE\n"
                     "100110000001,419700.0,586000.0,55.17,-1.69\n"
                     "100110000002,420000.0,587000.0,55.18,-1.68\n", encoding="utf-8")  # fmt: skip
    parsed = _parsed(pd.DataFrame({"id": ["a", "b"], "UPRN": ["100110000002", "999"]}))
    out, note = derive(parsed, ReadSettings(uprns=str(uprns)))
    assert out.frame.loc[2, ["easting", "northing"]].tolist() == ["420000.0", "587000.0"]
    assert note["locations_from_uprns"] == 1 and [p.row for p in out.problems] == [3]


# --- the team's own words -------------------------------------------------------------


def test_value_mappings_read_an_inverted_flag_and_refuse_other_words():
    from geodata.read.values import check_value_tables, map_values

    tables = check_value_tables({"stops": {"unsafe": {"Unsafe": True, "Safe": False}}}, "c.toml")
    parsed = _parsed(
        pd.DataFrame({"id": list("abcd"), "unsafe": ["Safe", " unsafe ", "", "Maybe"]})
    )
    out = map_values(parsed, tables["stops"])
    assert list(out.frame["unsafe"]) == ["false", "true", "", ""]
    assert [(p.row, p.found) for p in out.problems] == [(5, "'Maybe'")]


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ({"stopz": {}}, "a kind"),
        ({"stops": {"colour": {"a": 1}}}, "a field of stops"),
        ({"stops": {"unsafe": {}}}, "WORD = VALUE"),
        ({"stops": {"unsafe": {"Y": [1]}}}, "a value for 'Y'"),
    ],
)
def test_bad_value_tables_name_the_table(table, needle):
    from geodata.errors import InputError
    from geodata.read.values import check_value_tables

    with pytest.raises(InputError, match=needle):
        check_value_tables(table, "c.toml")


# --- a council workbook, end to end ---------------------------------------------------

BOOK = {
    "Pupils": [
        ["Home to school transport 2026/27"], ["Exported from the MIS, 01/09/2026"], [],
        ["Pupil No", "School", "Post Code", "Date of Birth", "Wheelchair user"],
        *[[f"P{i}", "S1" if i < 6 else "S2", code, born, "Yes" if i == 3 else "No"]
          for i, (code, born) in enumerate([
              ("NE61 6EW", dt.date(2016, 5, 1)), ("NE61 3NF", "12/10/2015"),
              ("NE61 6GR", dt.date(2017, 1, 9)), ("NE61 5EZ", "03/03/2016"),
              ("ne61 3lj", dt.date(2015, 9, 30)), ("NE61 4LG", dt.date(2012, 2, 2)),
              ("NE61 4NN", "29/02/2012"), ("NE61 5JL", dt.date(2011, 12, 24)),
              ("NE61 5PG", dt.date(2012, 8, 31))])],
    ],
    "Schools": [
        ["id", "name", "phase", "bell_time", "arrive_min_before", "arrive_max_before",
         "end_time", "postcode"],
        ["S1", "Morpeth First", "primary", dt.time(8, 50), 5, 25, dt.time(15, 15), "NE61 1LT"],
        ["S2", "Morpeth High", "secondary", dt.time(8, 40), 5, 25, dt.time(15, 5), "NE61 2FR"],
    ],
    "Stops": [
        ["id", "name", "Safety", "postcode"],
        ["T1", "Market Place", "Safe", "NE61 1YJ"], ["T2", "Bypass lay-by", "Unsafe", "NE61 1UR"],
        ["T3", "Station", "Safe", "NE61 1JP"],
    ],
    "Fleet": [  # contracts, no depots: priced from the first pick-up
        ["id", "seats", "wheelchair_spaces", "day_rate", "cost_per_mile", "available"],
        ["MB", 16, 1, 180, 1.2, 3], ["TX", 4, 0, 90, 1.0, 6],
    ],
    "Routes": [
        ["Contract", "Vehicle", "Order", "Pupil"],
        ["C1", "MB", 1, "P0"], ["C1", "MB", 2, "P1"], ["C2", "TX", 1, "P5"],
    ],
}  # fmt: skip

MAPPING = """
[transport]
school_year = 2026
[columns.pupils]
id = "Pupil No"
school_id = "School"
wheelchair = "Wheelchair user"
[columns.stops]
unsafe = "Safety"
[values.stops.unsafe]
Unsafe = true
Safe = false
[columns.current_plan]
route = "Contract"
vehicle_type = "Vehicle"
sequence = "Order"
id = "Pupil"
"""


@pytest.fixture(scope="module")
def council_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    book = _book(folder / "transport.xlsx", BOOK)
    config = folder / "mapping.toml"
    config.write_text(MAPPING, encoding="utf-8")
    files = [f"--{k}" if i % 2 == 0 else f"{book}#{k.title()}"
             for k in ("pupils", "schools", "stops", "fleet") for i in (0, 1)]  # fmt: skip
    return book, config, files


def test_a_council_workbook_checks_clean_with_one_mapping_file(council_book, capsys):
    from cli import main

    _, config, files = council_book
    assert main(["data", "check", *files, "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "pupils: 9 location(s) from postcodes (Code-Point Open" in out
    assert "pupils: ages from date_of_birth: the age on 31 August 2026" in out
    assert "no problems found" in out


def test_the_flag_words_are_read_as_mapped(council_book):
    from geodata.read import read
    from optimise.config import RunConfig

    book, config, _ = council_book
    cfg = RunConfig.load(config)
    stops = read(f"{book}#Stops", "stops", columns=cfg.columns_for("stops"), settings=cfg.reading)
    assert stops.frame["unsafe"].tolist() == [False, True, False]
    pupils = read(f"{book}#Pupils", "pupils", columns=cfg.columns_for("pupils"),
                  settings=cfg.reading).frame  # fmt: skip
    # 1 Sep 2015 → 31 Aug 2026: 10 (born 30/09/2015); 29/02/2012 → 14
    assert pupils.set_index("id")["age"].to_dict() == {
        "P0": 10,
        "P1": 10,
        "P2": 9,
        "P3": 10,
        "P4": 10,
        "P5": 14,
        "P6": 14,
        "P7": 14,
        "P8": 14,
    }
    assert pupils.set_index("id")["wheelchair"].to_dict()["P3"]


def test_a_column_no_field_uses_is_named(council_book, capsys):
    """Without the mapping the stops' Safety column would be dropped: it is said."""
    from cli import main

    book, _, _ = council_book
    assert main(["data", "check", str(book), "--sheet", "Stops", "--kind", "stops"]) == 0
    assert "stops: not used: Safety" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["routes", "plan"])
def test_a_council_workbook_plans_against_its_current_routes(council_book, tmp_path, command):
    import json

    from cli import main

    book, config, files = council_book
    out = tmp_path / command
    args = ["transport", command, *files, "--config", str(config), "--current-plan",
            f"{book}#Routes", "--time-limit", "4", "--run", "am", "--out", str(out),
            "--quiet"]  # fmt: skip
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pupils_total"] == 9 and summary["pupils_unserved"] == 0
    assert summary["current_annual_cost_gbp"] > 0  # the Routes sheet was read and costed
    assert summary["inputs"]["pupils"]["locations_from_postcodes"] == 9
    assert summary["inputs"]["stops"]["locations_from_postcodes"] == 3
    assert "no operator bases" in summary["costing"]


@pytest.mark.parametrize("kind", ["pupils", "schools", "stops", "fleet", "sites", "centres"])
def test_a_template_reads_back_clean(tmp_path, kind, capsys):
    """The template's header is the engine's own, and its example row is valid."""
    from cli import main

    book = tmp_path / f"{kind}.xlsx"
    assert main(["data", "template", "--kind", kind, "--out", str(book), "--quiet"]) == 0
    about = openpyxl.load_workbook(book)["About"]
    described = {row[0].value for row in about.iter_rows(min_row=2) if row[0].value}
    from geodata.schema import SCHEMAS

    assert set(SCHEMAS[kind].names) <= described
    assert main(["data", "check", str(book), "--kind", kind]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_a_template_is_not_written_over_a_folder(tmp_path):
    from cli import main

    assert main(["data", "template", "--kind", "pupils", "--out", str(tmp_path)]) == 2
    assert main(["data", "template", "--kind", "pupils", "--out", str(tmp_path / "p.csv")]) == 2
    assert list(tmp_path.iterdir()) == []


def test_geocode_tables_come_from_the_config(tmp_path):
    from optimise.config import RunConfig

    onspd = tmp_path / "ONSPD.csv"
    onspd.write_text("pcds,doterm,oseast1m,osnrth1m\nNE61 1AA,,419722,585993\n", encoding="utf-8")
    config = tmp_path / "c.toml"
    config.write_text(f'[geocode]\npostcodes = "{onspd}"\n[transport]\nschool_year = 2025\n',
                      encoding="utf-8")  # fmt: skip
    cfg = RunConfig.load(config)
    assert "ONS Postcode Directory" in cfg.reading.postcodes.source
    assert cfg.reading.school_year == 2025


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ('[geocode]\npostcodes = "nowhere.csv"\n', "no such file"),
        ("[geocode]\npostcodes = 5\n", "a path in quotes"),
        ('[geocode]\nplaces = "x"\n', "unknown key 'places'"),
        ("[transport]\nschool_year = 26\n", "school_year"),
        ('[columns.current_plan]\nroute_no = "Route"\n', "not a plan column"),
    ],
)
def test_bad_reading_settings_are_one_line(tmp_path, toml, needle, capsys):
    from cli import main

    config = tmp_path / "c.toml"
    config.write_text(toml, encoding="utf-8")
    assert main(["transport", "routes", "--config", str(config), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0" * 8, "save it as .xlsx"),
        ("book.xlsx#Nope", None, "a sheet named 'Nope'"),
    ],
)
def test_workbook_errors_at_the_command_line(tmp_path, name, content, needle, capsys):
    from cli import main

    if content is None:
        _book(tmp_path / "book.xlsx", {"Pupils": PUPILS})
    else:
        (tmp_path / name).write_bytes(content)
    assert main(["transport", "routes", "--pupils", str(tmp_path / name), "--out",
                 str(tmp_path / "o")]) == 2  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and not (tmp_path / "o").exists()


def test_data_import_takes_a_sheet(council_book, tmp_path, capsys):
    import json

    from cli import main

    book, config, _ = council_book
    out = tmp_path / "stops"
    assert main(["data", "import", str(book), "--sheet", "Stops", "--kind", "stops", "--config",
                 str(config), "--out", str(out), "--json"]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows_kept"] == 3 and summary["read"]["locations_from_postcodes"] == 3
    assert (out / "stops.gpkg").is_file()
