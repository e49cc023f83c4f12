from __future__ import annotations

import pytest

from geodata.timefmt import format_time, hours_per_week, parse_days, parse_hours, parse_time


@pytest.mark.parametrize(
    ("text", "minutes"), [("08:45", 525), ("9:00", 540), ("0930", 570), ("24:00", 1440)]
)
def test_parse_time(text, minutes):
    assert parse_time(text) == minutes
    assert parse_time(format_time(minutes)) == minutes


@pytest.mark.parametrize("text", ["", "8", "25:00", "12:60", "noon", "24:30"])
def test_parse_time_rejects(text):
    with pytest.raises(ValueError, match="time"):
        parse_time(text)


def test_parse_hours():
    assert parse_hours("09:00-12:00, 13:00-17:00") == [(540, 720), (780, 1020)]
    assert parse_hours("10:30 – 14:30") == [(630, 870)]
    assert parse_hours("") == [] and parse_hours(None) == [] and parse_hours("closed") == []


@pytest.mark.parametrize("text", ["12:00-09:00", "09:00-12:00,11:00-13:00", "9am"])
def test_parse_hours_rejects(text):
    with pytest.raises(ValueError):
        parse_hours(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", [0, 1, 2, 3, 4]),
        ("Mon, Wed, Fri", [0, 2, 4]),
        ("Wed, Fri", [2, 4]),
        ("Tue & Fri", [1, 4]),
        ("saturday", [5]),
        ("Sat-Mon", [0, 5, 6]),
        ("", []),
    ],
)
def test_parse_days(text, days):
    assert parse_days(text) == days


def test_parse_days_rejects():
    with pytest.raises(ValueError, match="weekdays"):
        parse_days("Mon-Funday")


# DOMAIN.md's table: days × hours gives the h/week column.
@pytest.mark.parametrize(
    ("days", "hours", "weekly"),
    [
        ("Mon-Fri", "10:30-14:30", 20),
        ("Mon, Wed, Fri", "09:00-12:00", 9),
        ("Mon, Wed, Fri", "10:00-13:00", 9),
        ("Wed, Fri", "10:00-13:00", 6),
        ("Tue, Fri", "10:00-13:00", 6),
        ("Tue,Fri", "09:00-12:00, 13:00-16:30", 13),
        ("", "", 0),
    ],
)
def test_hours_per_week_matches_domain(days, hours, weekly):
    assert hours_per_week(days, hours) == weekly
