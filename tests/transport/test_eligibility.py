"""Statutory eligibility on hand-made walking distances, the default data and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli import main
from geodata.errors import InputError
from geodata.matrix import UNREACHABLE, TravelMatrix
from geodata.providers import StraightLine
from optimise.transport.eligibility.assess import EligibilityParams, EligibilityProblem, assess
from optimise.transport.eligibility.run import build_eligibility, read_settings

MILE = 1609.344
SCHOOLS = {"P1": "primary", "P2": "primary", "H1": "secondary", "H2": "secondary",
           "H3": "secondary", "H4": "secondary", "SP": "special"}  # fmt: skip


def _problem(pupils: list[dict]) -> EligibilityProblem:
    """``pupils``: dicts with age, school, miles (school id → walking miles), flags.

    A school missing from ``miles`` is 50 miles away.
    """
    ids = list(SCHOOLS)
    metres = [[p["miles"].get(s, 50.0) * MILE for s in ids] for p in pupils]
    metres = [[UNREACHABLE if np.isinf(m) else m for m in row] for row in metres]
    names = [f"Pupil{i}" for i in range(len(pupils))]
    walk = TravelMatrix(names, ids, metres, metres, mode="walk")
    phase = np.array([SCHOOLS[s] for s in ids], dtype=object)
    school = np.array([ids.index(p["school"]) for p in pupils])
    return EligibilityProblem(
        pupil_ids=tuple(names),
        pupil_age=np.array([p["age"] for p in pupils]),
        pupil_school=school,
        pupil_low_income=np.array([p.get("low_income", False) for p in pupils]),
        pupil_unable_to_walk=np.array([p.get("unable", False) for p in pupils]),
        pupil_special=np.array(
            [p.get("special", phase[s] == "special") for p, s in zip(pupils, school, strict=True)]
        ),
        school_ids=tuple(ids),
        school_names=tuple(f"{s} School" for s in ids),
        school_phase=phase,
        walk=walk,
    )


def _one(pupil: dict):
    res = assess(_problem([pupil]))
    return bool(res.eligible[0]), res.rule[0], res.reason[0]


@pytest.mark.parametrize(
    ("age", "school", "miles", "eligible"),
    [(7, "P1", 1.9, False), (7, "P1", 2.1, True), (8, "P1", 2.9, False), (8, "P1", 3.1, True),
     (7, "P1", 2.9, True), (12, "H1", 2.9, False), (12, "H1", 3.1, True)],
)  # fmt: skip
def test_statutory_walking_distance_by_age(age, school, miles, eligible):
    ok, rule, reason = _one({"age": age, "school": school, "miles": {school: miles}})
    assert ok is eligible
    assert rule == ("distance" if eligible else "within walking distance")
    limit = 2 if age < 8 else 3
    assert f"limit {limit} miles" in reason or f"within the {limit}-mile walking distance" in reason


def test_reason_reads_as_a_sentence_for_a_parent():
    _, _, reason = _one({"age": 13, "school": "H1", "miles": {"H1": 3.4}})
    assert reason == (
        "eligible: 3.4 miles to nearest suitable school (H1 School), limit 3 miles from age 8"
    )
    _, _, reason = _one({"age": 7, "school": "P1", "miles": {"P1": 1.9}})
    assert reason == (
        "not eligible: 1.9 miles to nearest suitable school (P1 School), within the 2-mile "
        "walking distance under age 8"
    )


def test_attending_a_school_that_is_not_the_nearest_suitable_one():
    ok, rule, reason = _one({"age": 12, "school": "H2", "miles": {"H1": 4.0, "H2": 5.0}})
    assert not ok and rule == "not nearest school"
    assert "attends H2 School, not the nearest suitable school (H1 School, 4.0 miles" in reason
    # A nearer primary school does not suit a 12-year-old: H1 is their nearest suitable.
    ok, rule, _ = _one({"age": 12, "school": "H1", "miles": {"P1": 0.5, "H1": 3.5}})
    assert ok and rule == "distance"


@pytest.mark.parametrize(
    ("pupil", "eligible"),
    [
        # Ages 8-10: over 2 miles to the nearest suitable school.
        ({"age": 9, "school": "P1", "miles": {"P1": 2.5}, "low_income": True}, True),
        ({"age": 9, "school": "P1", "miles": {"P1": 2.5}}, False),
        ({"age": 9, "school": "P1", "miles": {"P1": 1.9}, "low_income": True}, False),
        # Under 8: no extended right (2.5 miles is beyond the 2-mile limit anyway).
        ({"age": 7, "school": "P1", "miles": {"P1": 1.9}, "low_income": True}, False),
        # Ages 11-16: 2-6 miles to one of the three nearest suitable schools.
        ({"age": 12, "school": "H3", "miles": {"H1": 1.0, "H2": 1.5, "H3": 2.5, "H4": 2.8},
          "low_income": True}, True),
        ({"age": 12, "school": "H4", "miles": {"H1": 1.0, "H2": 1.5, "H3": 2.5, "H4": 2.8},
          "low_income": True}, False),
        ({"age": 12, "school": "H1", "miles": {"H1": 6.5}, "low_income": True}, True),
        ({"age": 12, "school": "H2", "miles": {"H1": 5.5, "H2": 6.5}, "low_income": True}, False),
        ({"age": 12, "school": "H1", "miles": {"H1": 1.9}, "low_income": True}, False),
    ],
)  # fmt: skip
def test_low_income_extended_rights(pupil, eligible):
    ok, rule, _ = _one(pupil)
    assert ok is eligible
    if eligible and pupil["miles"][pupil["school"]] < 3:
        assert rule == "low income"


def test_send_pupil_unable_to_walk_is_eligible_whatever_the_distance():
    ok, rule, reason = _one({"age": 10, "school": "P1", "miles": {"P1": 0.3}, "unable": True})
    assert ok and rule == "send" and reason.startswith("eligible (SEND)")


def test_special_school_pupils_are_measured_to_special_schools():
    pupil = {"age": 10, "school": "SP", "miles": {"P1": 0.5, "SP": 3.5}}
    ok, rule, reason = _one(pupil)
    assert ok and rule == "distance" and "(SP School)" in reason
    ok, *_ = _one({**pupil, "miles": {"P1": 0.5, "SP": 2.5}})
    assert not ok


def test_over_compulsory_school_age_and_no_walking_route():
    ok, rule, _ = _one({"age": 17, "school": "H1", "miles": {"H1": 9.0}})
    assert not ok and rule == "over age"
    nowhere = dict.fromkeys(("H1", "H2", "H3", "H4"), np.inf)
    ok, rule, reason = _one({"age": 12, "school": "H1", "miles": nowhere})
    assert ok and rule == "no walking route" and "check the route" in reason


def test_settings_come_from_the_config_tables():
    policy, params = read_settings(
        {
            "statutory_walk_from8_m": 2 * MILE,
            "eligibility": {"max_age": 18},
            "routing": {},
            "never_share": [["H1", "H2"]],
            "modes": {"budget_basis": "fixed"},
        }
    )
    assert policy.statutory_walk_from8_m == pytest.approx(2 * MILE) and params.max_age == 18
    res = assess(_problem([{"age": 12, "school": "H1", "miles": {"H1": 2.5}}]), policy=policy)
    assert res.eligible[0]
    with pytest.raises(InputError, match=r"\[transport.eligibility\]: unknown key 'maxage'"):
        read_settings({"eligibility": {"maxage": 18}})
    with pytest.raises(ValueError, match="must exceed"):
        EligibilityParams(low_income_secondary_max_miles=1.0)


def test_default_data_reproduces_the_generators_entitlement():
    # The default pupils were kept as entitled on straight-line walks x 1.25: with that
    # circuity every pupil is eligible, by the same rule the generator recorded.
    from geodata.default import load_default

    data = load_default()
    problem = build_eligibility(data.pupils, data.schools, StraightLine(circuity={"walk": 1.25}))
    res = assess(problem)
    assert res.eligible.all()
    assert list(res.rule) == list(data.pupils["reason"])
    # At the engine's default walking circuity (1.2) some pupils fall inside the limit.
    res12 = assess(build_eligibility(data.pupils, data.schools))
    assert 0 < (~res12.eligible).sum() < 100
    assert set(np.array(res12.rule)[~res12.eligible]) == {"within walking distance"}


def _files(tmp_path, pupil_rows: str, extra_cols: str = ""):
    schools = tmp_path / "schools.csv"
    schools.write_text(
        "id,name,phase,bell_time,lon,lat\n"
        "H1,Ashington High,secondary,08:45,-1.5700,55.1830\n"
        "P1,Ashington Primary,primary,08:50,-1.5650,55.1800\n",
        encoding="utf-8",
    )
    pupils = tmp_path / "pupils.csv"
    pupils.write_text(f"id,school_id,age,sen,lon,lat{extra_cols}\n{pupil_rows}", encoding="utf-8")
    return pupils, schools


def test_cli_writes_personal_file_without_coordinates(tmp_path, capsys):
    pupils, schools = _files(
        tmp_path,
        "A1,H1,12,no,-1.5700,55.2400\nA2,P1,6,no,-1.5650,55.1850\nA3,H1,12,yes,-1.5700,55.1900\n",
    )
    out = tmp_path / "out"
    code = main(["transport", "eligibility", "--pupils", str(pupils), "--schools", str(schools),
                 "--out", str(out), "--json"])  # fmt: skip
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["pupils"] == 3 and summary["eligible"] == 2
    assert summary["eligible_send"] == 1 and summary["not_eligible_within_walking_distance"] == 1
    table = pd.read_csv(out / "eligibility-personal.csv")
    assert list(table["status"]) == ["eligible", "not eligible", "eligible"]
    assert not {"lon", "lat", "x", "y", "geometry", "easting", "northing"} & set(table.columns)
    # A1 lives ~6.3 km north of H1 as the crow flies: x 1.2 walking, 4.7 miles.
    assert table.loc[0, "distance_miles"] == pytest.approx(4.7, abs=0.05)
    assert table.loc[0, "nearest_school_id"] == "H1"
    assert "Ashington High" in table.loc[0, "reason"]
    assert "summary.json" in {p.name for p in out.iterdir()}


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        ("A1,H9,12,no,-1.57,55.24\n", "", "pupils.csv, row 2, field 'school_id': expected the id"),
        ("A1,H1,12,no,-1.57,55.24,maybe\n", ",unable_to_walk",
         "pupils.csv, row 2, field 'unable_to_walk': expected yes or no, found 'maybe'"),
        ("A1,H1,twelve,no,-1.57,55.24\n", "", "pupils.csv, row 2, field 'age'"),
    ],
)  # fmt: skip
def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, rows, extra, message):
    pupils, schools = _files(tmp_path, rows, extra)
    out = tmp_path / "out"
    code = main(["transport", "eligibility", "--pupils", str(pupils), "--schools", str(schools),
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists() or not any(out.iterdir())


def test_cli_measures_along_the_walking_network(tmp_path, leeds, capsys):
    net = leeds
    with np.load(net / "walk.npz", allow_pickle=False) as graph:
        xy = graph["xy"][np.random.default_rng(3).choice(len(graph["xy"]), 4, replace=False)]
    schools, pupils = tmp_path / "schools.csv", tmp_path / "pupils.csv"
    schools.write_text(
        f"id,phase,bell_time,easting,northing\nH1,secondary,08:45,{xy[0, 0]:.1f},{xy[0, 1]:.1f}\n",
        encoding="utf-8",
    )
    pupils.write_text(
        "id,school_id,age,easting,northing\n"
        + "".join(f"A{i},H1,12,{x:.1f},{y:.1f}\n" for i, (x, y) in enumerate(xy[1:])),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = main(["transport", "eligibility", "--pupils", str(pupils), "--schools", str(schools),
                 "--network", str(net), "--out", str(out), "--json"])  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and "network" in summary["walking_distances"]
    table = pd.read_csv(out / "eligibility-personal.csv")
    straight = np.hypot(xy[1:, 0] - xy[0, 0], xy[1:, 1] - xy[0, 1])
    # Along paths, never shorter than the crow flies (nodes sit on the network: no access leg).
    assert (table["distance_m"].to_numpy() >= np.floor(straight)).all()
    assert (table["distance_m"].to_numpy() != np.rint(straight * 1.2)).any()
    assert list(table["status"]) == [
        "eligible" if m > 3 * MILE else "not eligible" for m in table["distance_m"]
    ]
