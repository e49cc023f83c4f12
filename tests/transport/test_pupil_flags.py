"""The pupils' optional flags (unable_to_walk, special_school, budget_ok) in the schema:
read, renamed and checked at the boundary; their default rules in transport."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cli import main
from geodata.errors import ValidationError
from geodata.read import read, read_text
from geodata.schema import SCHEMAS
from optimise.transport.pupil_flags import flag

OPTIONAL = ("unable_to_walk", "special_school", "budget_ok")
HEAD = "id,school_id,age,lon,lat"


@pytest.mark.parametrize("name", OPTIONAL)
def test_optional_flags_are_nullable_yes_no_fields_of_the_pupils_schema(name):
    f = SCHEMAS["pupils"].field(name)
    assert f.type == "bool" and f.nullable and not f.required and f.help
    assert not SCHEMAS["pupils"].field("sen").nullable  # an optional field with a default


def test_values_are_converted_and_empty_or_absent_cells_stay_empty():
    text = f"{HEAD},budget_ok,unable_to_walk\nP1,S1,9,-1.6,55.1,yes,N\nP2,S1,9,-1.6,55.1,,1\n"
    frame = read_text(text, "pupils", format="csv").frame
    assert frame["budget_ok"].dtype == "boolean"  # pandas' nullable yes/no
    assert frame["budget_ok"].isna().tolist() == [False, True] and frame["budget_ok"][0]
    assert frame["unable_to_walk"].tolist() == [False, True]
    assert frame["special_school"].isna().all()  # absent from the file


def test_bad_cell_is_a_one_line_error_naming_file_row_field_expected_found():
    text = f"{HEAD},budget_ok\nA,S1,9,-1.6,55.1,perhaps\n"
    with pytest.raises(ValidationError) as err:
        read_text(text, "pupils", format="csv", source="pupils.csv")
    assert str(err.value) == (
        "pupils.csv, row 2, field 'budget_ok': expected yes or no, found 'perhaps' "
        "(write yes/no, true/false, y/n or 1/0)"
    )


@pytest.mark.parametrize("name", OPTIONAL)
def test_bad_cell_is_reported_on_its_spreadsheet_row(tmp_path, name):
    # A blank line and a bad row before the bad cell: the row is the one a spreadsheet
    # shows (5), not the pupil's position in the frame.
    path = tmp_path / "pupils.csv"
    path.write_text(
        f"{HEAD},{name}\n\nP1,S1,9,-1.6,55.1,yes\n"
        "P2,S1,old,-1.6,55.1,no\nP3,S1,9,-1.6,55.1,maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        read(path, "pupils")
    assert [(p.row, p.field) for p in err.value.problems] == [(4, "age"), (5, name)]
    layer = read(path, "pupils", on_bad_row="skip")
    assert list(layer.frame["id"]) == ["P1"] and list(layer.frame[name]) == [True]
    assert {(p.row, p.field, p.found) for p in layer.skipped} == {
        (4, "age", "'old'"),
        (5, name, "'maybe'"),
    }


def test_renamed_column_is_read_and_named_by_its_own_name_in_errors():
    text = f"{HEAD},Can Take Budget\nP1,S1,9,-1.6,55.1,no\nP2,S1,9,-1.6,55.1,y\n"
    frame = read_text(text, "pupils", format="csv", columns={"budget_ok": "Can Take Budget"}).frame
    assert list(frame["budget_ok"]) == [False, True] and "Can Take Budget" not in frame
    with pytest.raises(ValidationError, match=r"row 3, field 'Can Take Budget': expected yes"):
        read_text(text.replace(",y\n", ",often\n"), "pupils", format="csv",
                  columns={"budget_ok": "Can Take Budget"})  # fmt: skip


def test_flag_applies_the_default_rule_where_empty_and_refuses_unread_frames():
    frame = read_text(
        f"{HEAD},budget_ok\nP1,S1,9,-1.6,55.1,no\nP2,S1,9,-1.6,55.1,\nP3,S1,9,-1.6,55.1,yes\n",
        "pupils",
        format="csv",
    ).frame
    default = np.array([True, True, False])
    got = flag(frame, "budget_ok", default, "pupils.csv")
    assert list(got) == [False, True, True] and not got.flags.writeable
    assert list(flag(frame, "special_school", default, "pupils.csv")) == [True, True, False]
    raw = frame.assign(budget_ok=["no", None, "yes"])  # text, as if never validated
    with pytest.raises(ValueError, match=r"pupils.csv: column 'budget_ok' holds 'no'"):
        flag(raw, "budget_ok", default, "pupils.csv")


def test_cli_reads_an_optional_flag_renamed_in_the_config(tmp_path, capsys):
    # A2 lives 0.6 km from H1, not SEND: within walking distance unless flagged unable
    # to walk, here in the council's own column 'CannotWalk' mapped by [columns.pupils].
    schools, pupils = tmp_path / "schools.csv", tmp_path / "pupils.csv"
    schools.write_text(
        "id,name,phase,bell_time,lon,lat\nH1,Ashington High,secondary,08:45,-1.5700,55.1830\n",
        encoding="utf-8",
    )
    pupils.write_text(
        "id,school_id,age,lon,lat,CannotWalk\n"
        "A1,H1,12,-1.5700,55.1890,\nA2,H1,12,-1.5700,55.1890,yes\n",
        encoding="utf-8",
    )
    config = tmp_path / "run.toml"
    config.write_text('[columns.pupils]\nunable_to_walk = "CannotWalk"\n', encoding="utf-8")
    out = tmp_path / "out"
    code = main(["transport", "eligibility", "--pupils", str(pupils), "--schools", str(schools),
                 "--config", str(config), "--out", str(out), "--json"])  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["pupils"] == 2
    assert summary["eligible"] == 1 and summary["eligible_send"] == 1
    # The same cell unreadable: one line naming the file's column, exit 2, no output.
    pupils.write_text(pupils.read_text(encoding="utf-8").replace(",yes\n", ",sometimes\n"))
    out2 = tmp_path / "out2"
    code = main(["transport", "eligibility", "--pupils", str(pupils), "--schools", str(schools),
                 "--config", str(config), "--out", str(out2)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "pupils.csv, row 3, field 'CannotWalk': expected yes or no" in err
    assert len(err.strip().splitlines()) == 1 and not out2.exists()
