"""Problem dataclasses built from tables and hand-made matrices (answers checked by hand)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.matrix import TravelMatrix
from models.estate import EstateProblem
from models.hours import HoursProblem, visits_per_open_hour
from models.transport import TransportPolicy, TransportProblem


def _square(ids, seconds):
    seconds = np.asarray(seconds)
    return TravelMatrix(ids, ids, seconds, seconds * 10, mode="drive")


@pytest.fixture
def tiny_transport():
    schools = pd.DataFrame(
        {"id": ["S1", "S2"], "phase": ["primary", "special"], "bell_time": ["08:50", "09:15"]}
    )
    stops = pd.DataFrame({"id": ["T1"], "unsafe": [True], "max_pupils": [np.nan]})
    pupils = pd.DataFrame(
        {
            "id": ["p1", "p2", "p3", "p4"],
            "school_id": ["S1", "S2", "S2", "S1"],
            "age": [7, 9, 14, 10],
            "max_ride_min": [np.nan, np.nan, np.nan, 30.0],
            "wheelchair": [False, True, False, False],
        }
    )
    locations = [
        "base:0",
        "school:S1",
        "school:S2",
        "stop:T1",
        "pupil:p1",
        "pupil:p2",
        "pupil:p3",
        "pupil:p4",
    ]
    n = len(locations)
    seconds = np.fromfunction(lambda i, j: np.abs(i - j) * 600, (n, n), dtype=int)
    fleet = [(pd.Series({"id": "taxi", "seats": 4, "day_rate": 60.0, "cost_per_mile": 1.5}), 0)]
    return TransportProblem.from_matrix(pupils, schools, stops, fleet, _square(locations, seconds))


def test_transport_ride_limits_follow_policy(tiny_transport):
    p = tiny_transport
    # p1 primary 45 min; p2 special aged 9 -> 45; p3 special aged 14 -> 75; p4 override 30.
    assert list(p.pupil_max_ride_s) == [2700, 2700, 4500, 1800]
    assert list(p.bell_min) == [530, 555]
    assert list(p.pupil_school) == [0, 1, 1, 0]
    assert list(p.stop_unsafe) == [True] and list(p.stop_max_pupils) == [0]
    # home p1 is location 4, its school location 1: |4-1| * 600 s.
    assert list(p.direct_seconds()) == [1800, 1800, 2400, 3600]
    assert p.vehicles[0].daily_cost(1609.344 * 10) == pytest.approx(60 + 15)


def test_transport_arrays_are_read_only(tiny_transport):
    with pytest.raises(ValueError, match="read-only"):
        tiny_transport.pupil_max_ride_s[0] = 1
    with pytest.raises(ValueError, match="read-only"):
        tiny_transport.drive.seconds[0, 0] = 1


def test_transport_replace_validates(tiny_transport):
    other = tiny_transport.replace(policy=TransportPolicy(max_ride_primary_min=40))
    assert (
        other.policy.max_ride_primary_min == 40 and tiny_transport.policy.max_ride_primary_min == 45
    )
    with pytest.raises(ValueError, match="no vehicle types"):
        tiny_transport.replace(vehicles=())


def test_transport_unknown_school_is_named():
    schools = pd.DataFrame({"id": ["S1"], "phase": ["primary"], "bell_time": ["08:50"]})
    pupils = pd.DataFrame({"id": ["p1"], "school_id": ["S9"], "age": [7]})
    drive = _square(["base:0", "school:S1", "pupil:p1"], np.zeros((3, 3)))
    fleet = [(pd.Series({"id": "taxi", "seats": 4, "day_rate": 1.0, "cost_per_mile": 1.0}), 0)]
    with pytest.raises(ValueError, match="unknown school_id 'S9'"):
        TransportProblem.from_matrix(pupils, schools, pd.DataFrame({"id": []}), fleet, drive)


def _estate(**site_changes):
    sites = pd.DataFrame(
        {
            "id": ["A", "B"],
            "type": ["office", "library"],
            "backlog_p1": [100.0, 0.0],
            "backlog_p4": [50.0, 25.0],
            "services": ["customer services; housing", "library"],
            "tenure": ["freehold", "leasehold"],
            **site_changes,
        }
    )
    zones = pd.DataFrame(
        {"id": ["z1", "z2", "z3"], "population": [1000, 500, 0], "over65": [250, 100, 0]}
    )
    travel = TravelMatrix(
        ["z1", "z2", "z3"], ["A", "B"], [[60, 600], [300, 120], [0, 0]], [[1, 2], [3, 4], [0, 0]]
    )
    return EstateProblem.from_matrix(sites, zones, travel)


def test_estate_problem():
    p = _estate()
    assert list(p.backlog_total) == [150.0, 25.0]
    assert list(p.hosts("housing")) == [True, False] and list(p.hosts("library")) == [False, True]
    assert list(p.leasehold) == [False, True]
    assert p.num_sites == 2 and p.travel.shape == (3, 2)


def test_estate_rejects_contradictions():
    with pytest.raises(ValueError, match="both must-keep and must-dispose"):
        _estate(must_keep=[True, False], must_dispose=[True, False])


def test_hours_problem_masks_and_current_pattern():
    centres = pd.DataFrame(
        {
            "id": ["ash", "hex"],
            "current_days": ["Mon-Fri", "Wed, Fri"],
            "current_hours": ["10:30-14:30", "10:00-13:00"],
            **{
                f"{d}_hours": ["09:00-17:00", "09:00-17:00"]
                for d in ("mon", "tue", "wed", "thu", "fri")
            },
            "sat_hours": ["09:00-12:00", ""],
            "visits_per_year": [6593, 1933],
        }
    )
    zones = pd.DataFrame({"id": ["z"], "population": [100], "over65": [25]})
    travel = TravelMatrix(["z"], ["ash", "hex"], [[600, 900]], [[5000, 8000]])
    p = HoursProblem.from_matrix(centres, zones, travel, slot_minutes=30)
    assert p.slots_per_day == 28  # 07:00-21:00
    assert list(p.current_hours_per_week()) == [20.0, 6.0]
    assert p.available[0].sum() * 0.5 == 5 * 8 + 3
    assert not p.available[1, 5].any() and not p.current[1, 0].any() and p.current[1, 2].sum() == 6
    assert round(visits_per_open_hour(6593, 20), 2) == 6.34


def test_hours_problem_rejects_opening_outside_the_building():
    centres = pd.DataFrame(
        {
            "id": ["a"],
            "current_days": ["Mon"],
            "current_hours": ["08:00-10:00"],
            "mon_hours": ["09:00-17:00"],
        }
    )
    zones = pd.DataFrame({"id": ["z"], "population": [1]})
    travel = TravelMatrix(["z"], ["a"], [[1]], [[1]])
    with pytest.raises(ValueError, match="outside its host building"):
        HoursProblem.from_matrix(centres, zones, travel)


def test_matrix_axes_must_match_problem_ids():
    zones = pd.DataFrame({"id": ["z"], "population": [1]})
    sites = pd.DataFrame({"id": ["A"], "type": ["office"]})
    travel = TravelMatrix(["other"], ["A"], [[1]], [[1]])
    with pytest.raises(ValueError, match="do not match"):
        EstateProblem.from_matrix(sites, zones, travel)


def test_flat_public_api():
    import geodata
    import models

    for name in geodata.__all__:
        assert getattr(geodata, name) is not None
    for name in models.__all__:
        assert getattr(models, name) is not None
