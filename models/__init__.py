"""Frozen problem data for the three problems, and parameters loaded from TOML."""

from models.estate import EstateProblem
from models.hours import HoursProblem, visits_per_open_hour
from models.params import Params
from models.transport import SCHOOL_DAYS, TransportPolicy, TransportProblem, VehicleType

__all__ = [
    "SCHOOL_DAYS",
    "EstateProblem",
    "HoursProblem",
    "Params",
    "TransportPolicy",
    "TransportProblem",
    "VehicleType",
    "visits_per_open_hour",
]
