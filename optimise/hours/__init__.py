"""Face-to-face centre opening hours as maximal covering over time (issue #6).

>>> from optimise.hours import HoursParams, calibrate, solve, uniform_profile
>>> cal = calibrate(problem, uniform_profile(problem))          # doctest: +SKIP
>>> result = solve(problem, demand=cal.model, params=HoursParams(), seed=1)  # doctest: +SKIP
"""

from optimise.hours.calibrate import Calibration, calibrate
from optimise.hours.demand import DemandModel, evaluate
from optimise.hours.params import HoursParams
from optimise.hours.profile import parse_profile, read_profile, uniform_profile
from optimise.hours.solve import allowed_slots, solve

__all__ = [
    "Calibration",
    "DemandModel",
    "HoursParams",
    "allowed_slots",
    "calibrate",
    "evaluate",
    "parse_profile",
    "read_profile",
    "solve",
    "uniform_profile",
]
