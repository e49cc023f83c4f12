"""Clock times, opening hours and weekday lists as councils write them.

``"08:45"`` → minutes after midnight; ``"09:00-12:00, 13:00-17:00"`` → intervals;
``"Mon-Fri"`` or ``"Mon, Wed, Fri"`` → weekday numbers (Monday = 0). Each parser
raises ``ValueError`` with a message that says what was expected; the validation
layer turns that into a :class:`geodata.errors.Problem` naming file, row and field.
"""

from __future__ import annotations

import itertools
import re

__all__ = ["DAY_NAMES", "format_time", "hours_per_week", "parse_days", "parse_hours", "parse_time"]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_LOOKUP = (
    {name.lower(): i for i, name in enumerate(DAY_NAMES)}
    | {
        full: i
        for i, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    }
    | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
)
_TIME = re.compile(r"^\s*(\d{1,2})[:.]?(\d{2})(?::00)?\s*$")  # Excel: 08:45:00


def parse_time(text: str) -> int:
    """Minutes after midnight of ``"HH:MM"`` (also ``"H:MM"``, ``"HH.MM"``, ``"HHMM"``, and
    Excel's ``"HH:MM:00"``)."""
    match = _TIME.match(str(text))
    if not match:
        raise ValueError(f"a time HH:MM, found '{text}'")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(f"a time between 00:00 and 24:00, found '{text}'")
    return hours * 60 + minutes


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(text: str | None) -> list[tuple[int, int]]:
    """Intervals ``[(start, end), ...]`` in minutes; empty text means closed."""
    if text is None or not str(text).strip() or str(text).strip().lower() in ("closed", "-", "nan"):
        return []
    out = []
    for part in re.split(r"[,;]", str(text)):
        if not part.strip():
            continue
        pieces = re.split(r"\s*(?:-|–|to)\s*", part.strip())
        if len(pieces) != 2:
            raise ValueError(f"hours as HH:MM-HH:MM, found '{part.strip()}'")
        start, end = parse_time(pieces[0]), parse_time(pieces[1])
        if end <= start:
            raise ValueError(f"hours that end after they start, found '{part.strip()}'")
        out.append((start, end))
    out.sort()
    for (_, end), (start, _) in itertools.pairwise(out):
        if start < end:
            raise ValueError(f"hours that do not overlap, found '{text}'")
    return out


def parse_days(text: str | None) -> list[int]:
    """Weekday numbers (Monday = 0) of ``"Mon-Fri"``, ``"Mon, Wed, Fri"``, ``"Sat-Mon"``."""
    if text is None or not str(text).strip():
        return []
    days: set[int] = set()
    for part in re.split(r"\s*(?:,|;|&|\band\b)\s*", str(text).strip().lower()):
        if not part:
            continue
        ends = re.split(r"\s*(?:-|–|to)\s*", part)
        try:
            idx = [_DAY_LOOKUP[e.strip()] for e in ends]
        except KeyError:
            raise ValueError(f"weekdays such as Mon-Fri or Mon, Wed, Fri, found '{text}'") from None
        if len(idx) == 1:
            days.add(idx[0])
        elif len(idx) == 2:  # a range, wrapping past Sunday as in "Sat-Mon"
            days.update((idx[0] + k) % 7 for k in range((idx[1] - idx[0]) % 7 + 1))
        else:
            raise ValueError(f"a weekday range such as Mon-Fri, found '{part}'")
    return sorted(days)


def hours_per_week(days: str, hours: str) -> float:
    """Opening hours a week of a pattern such as ``("Mon-Fri", "10:30-14:30")`` → 20."""
    minutes = sum(end - start for start, end in parse_hours(hours))
    return len(parse_days(days)) * minutes / 60
