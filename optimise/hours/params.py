"""Parameters of the opening-hours model, from the ``[hours]`` table of a config file.

>>> HoursParams.from_file("run.toml", "hours")   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

from geodata.timefmt import parse_days
from models.params import Params

__all__ = ["HoursParams"]


@dataclass(frozen=True)
class HoursParams(Params):
    """Budget, opening rules and demand settings.

    Attributes
    ----------
    budget_hours
        Weekly staff-hours budget (today: 70 open hours with one member of staff).
    over65_weight
        Weight of an over-65 visit in the objective (1 = same as anyone else's).
    over65_decay
        How much faster an over-65's visit probability falls with travel time: their
        decay rate is this multiple of everyone else's.
    min_block_hours
        Shortest opening: a centre opens in blocks of at least this many hours.
    staff_per_slot
        Staff on duty while a centre is open.
    step_minutes
        Opening and closing times fall on multiples of this many minutes (a coarser
        step than the problem's slots makes the search much faster).
    min_centre_hours, max_centre_hours
        Weekly open hours of a centre that opens at all (0 = no minimum).
    open_days
        Days the service may open (the host building's hours restrict further).
    cover_days
        Days on which at least one centre must be open.
    propensity
        Calibrate a visit-rate factor per catchment of an observed centre so that
        today's pattern reproduces its visits exactly (True), or keep the
        two-parameter distance decay alone (False).
    half_distance_minutes
        Travel minutes at which an under-65's visit probability halves, used with
        ``propensity`` (without it the decay is fitted).
    mip_gap
        Relative gap at which the solver stops and reports the plan as optimal.
    curve_from, curve_to, curve_step
        Budgets (staff-hours a week) of the curve of hours against demand served.
    curve_time_limit
        Seconds per solve of the curve (at most the run's time limit).
    profile
        CSV of when residents want to visit (``day,hours,weight``); empty: uniform
        over Monday to Friday, 09:00 to 17:00.
    keep_open
        Access floor (issue #18): every centre open today stays open at least
        ``min_hours_open`` hours a week, and no other centre opens, unless named in
        ``allow_close`` / ``candidates``. False: any centre may close or open. A problem
        with no centre open today has nothing to keep: every centre is a candidate.
    min_hours_open
        Weekly hours a centre kept open by the floor opens at least (at least a block).
    allow_close, candidates
        Centre ids the floor lets close, and centres not open today that may open.
    regular
        Regular timetables: a centre opens in one block a day, the same block on
        each of its open days (at most ``max_patterns`` distinct blocks per centre).
    max_patterns
        Distinct daily blocks a centre may use when ``regular``.
    min_days, max_travel_min
        Zone floor (with ``keep_open``; off when ``min_days`` is 0): every zone with a
        centre open today within ``max_travel_min`` minutes keeps one open on at
        least ``min_days`` days a week. ``max_travel_min`` also sets the reach of the
        summary's residents-beyond counts.
    rule_prices
        Also solve without the floor, without regular timetables and without both at
        the same budget (that row of the curve too), to report the price of each rule.
    """

    budget_hours: float = 70.0
    over65_weight: float = 1.5
    over65_decay: float = 1.5
    min_block_hours: float = 3.0
    staff_per_slot: float = 1.0
    step_minutes: int = 60
    min_centre_hours: float = 0.0
    max_centre_hours: float = 20.0
    open_days: str = "Mon-Fri"
    cover_days: str = "Mon-Fri"
    propensity: bool = True
    half_distance_minutes: float = 20.0
    mip_gap: float = 1e-3
    curve_from: float = 40.0
    curve_to: float = 120.0
    curve_step: float = 10.0
    curve_time_limit: float = 15.0
    profile: str = ""
    keep_open: bool = True
    min_hours_open: float = 3.0
    allow_close: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    regular: bool = True
    max_patterns: int = 1
    min_days: int = 0
    max_travel_min: float = 30.0
    rule_prices: bool = True

    def __post_init__(self) -> None:
        for name in ("allow_close", "candidates"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of centre ids; found {value!r}")
            object.__setattr__(self, name, tuple(value))
        if isinstance(self.max_patterns, bool) or self.max_patterns < 1:
            raise ValueError(f"max_patterns must be at least 1; found {self.max_patterns!r}")
        if not 0 <= self.min_days <= 7:
            raise ValueError(f"min_days must be between 0 and 7; found {self.min_days!r}")
        self._non_negative("min_hours_open")
        self._positive("max_travel_min")
        self._positive("budget_hours", "min_block_hours", "staff_per_slot", "max_centre_hours")
        self._positive("over65_weight", "over65_decay", "curve_step", "curve_time_limit")
        self._positive("half_distance_minutes", "step_minutes")
        self._non_negative("min_centre_hours", "mip_gap", "curve_from")
        if self.min_centre_hours > self.max_centre_hours:
            raise ValueError(
                f"min_centre_hours ({self.min_centre_hours}) exceeds "
                f"max_centre_hours ({self.max_centre_hours})"
            )
        if self.curve_to < self.curve_from:
            raise ValueError(f"curve_to ({self.curve_to}) is below curve_from ({self.curve_from})")
        for name in ("open_days", "cover_days"):
            parse_days(getattr(self, name))  # ValueError says what was expected
        missing = set(parse_days(self.cover_days)) - set(parse_days(self.open_days))
        if missing:
            raise ValueError("cover_days must be among open_days")

    def open_day_list(self) -> list[int]:
        return parse_days(self.open_days)

    def cover_day_list(self) -> list[int]:
        return parse_days(self.cover_days)

    def curve_budgets(self) -> list[float]:
        n = round((self.curve_to - self.curve_from) / self.curve_step)
        return [self.curve_from + i * self.curve_step for i in range(n + 1)]
