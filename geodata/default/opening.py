"""Opening patterns: parse days and hours, count open hours, visits per open hour.

Plain Python with no geographic dependencies, so the centre-hours model can import it.
DOMAIN.md §3 defines visits per open hour = visits/yr ÷ (hours/week × 52).
"""

from __future__ import annotations

__all__ = [
    "DAYS",
    "WEEKS_PER_YEAR",
    "hours_per_week",
    "interval_hours",
    "parse_days",
    "parse_hours",
    "visits_per_open_hour",
]

#: Day abbreviations in week order, as written in DOMAIN.md ("Mon-Fri", "Wed, Fri").
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: Weeks in a year of visits (DOMAIN.md §3: "Annual visits (52 weeks)").
WEEKS_PER_YEAR = 52


def _day_index(token: str) -> int:
    key = token.strip()[:3].title()
    if key not in DAYS:
        raise ValueError(f"unknown day '{token.strip()}'; expected one of {', '.join(DAYS)}")
    return DAYS.index(key)


def parse_days(text: str) -> tuple[str, ...]:
    """Days named by a pattern such as ``"Mon-Fri"``, ``"Mon, Wed, Fri"`` or ``"Sat-Mon"``.

    Returns the days in week order, without repeats; an empty text gives ``()``.
    """
    picked: set[int] = set()
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        if "-" in part:
            first, last = (_day_index(t) for t in part.split("-", 1))
            span = (last - first) % 7
            picked.update((first + k) % 7 for k in range(span + 1))
        else:
            picked.add(_day_index(part))
    return tuple(DAYS[i] for i in sorted(picked))


def _minutes(clock: str) -> int:
    hh, sep, mm = clock.strip().partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit():
        raise ValueError(f"expected a clock time HH:MM, found '{clock.strip()}'")
    h, m = int(hh), int(mm)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ValueError(f"clock time out of range: '{clock.strip()}'")
    return 60 * h + m


def parse_hours(text: str) -> tuple[tuple[int, int], ...]:
    """Intervals in minutes after midnight from ``"10:30-14:30"`` or ``"09:00-12:00, 13:00-16:00"``.

    An interval that ends at or before it starts runs past midnight (``"07:00-02:00"``).
    An empty text (closed) gives ``()``.
    """
    out = []
    for part in text.split(","):
        if not part.strip():
            continue
        start, sep, end = part.partition("-")
        if not sep:
            raise ValueError(f"expected hours HH:MM-HH:MM, found '{part.strip()}'")
        a, b = _minutes(start), _minutes(end)
        out.append((a, b if b > a else b + 24 * 60))
    return tuple(out)


def interval_hours(text: str) -> float:
    """Open hours in one day's pattern, e.g. ``"10:30-14:30"`` → 4.0."""
    return sum(b - a for a, b in parse_hours(text)) / 60.0


def hours_per_week(current_days: str, current_hours: str) -> float:
    """Open hours a week: the number of days times the hours open on each.

    >>> hours_per_week("Mon, Wed, Fri", "09:00-12:00")
    9.0
    """
    return len(parse_days(current_days)) * interval_hours(current_hours)


def visits_per_open_hour(visits_per_year: float, hours_per_week: float) -> float:
    """Visits ÷ (hours a week × 52), DOMAIN.md §3; ``nan`` when never open.

    >>> round(visits_per_open_hour(6593, 20), 2)
    6.34
    """
    if hours_per_week <= 0:
        return float("nan")
    return visits_per_year / (hours_per_week * WEEKS_PER_YEAR)
