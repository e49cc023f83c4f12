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
