"""Settings of pick-up point consolidation (TOML table ``[transport.stops]``)."""

from __future__ import annotations

from dataclasses import dataclass

from models.params import Params

__all__ = ["StopParams"]


@dataclass(frozen=True)
class StopParams(Params):
    """How stops are chosen; the walking limits live in ``TransportPolicy``.

    Attributes
    ----------
    method
        ``"joint"`` (stop choice searched with estimated routes, the default: 10%
        shorter routes on sbr1, 0.2% cheaper on the default data over three seeds,
        see :mod:`.plan` and BENCHMARKS.md) or
        ``"sequential"`` (fewest pick-up points, then route).
    choose_share
        Share of the time limit spent choosing stops (half on the fewest-stops MILP,
        half on the joint search); the rest plans the routes.
    estimate_seats, estimate_day_rate, estimate_per_mile
        The vehicle the joint search's route estimate assumes; 0: the cheapest fleet
        type by day rate with at least 10 seats (a minibus in the default fleet).
    restarts
        Perturbations of the joint search after its first descent; it stops at this
        many or at its share of the time limit. Runs that must repeat exactly on any
        machine need a count reached before the time (small problems do; the default
        data, 3,000 pupils, does about 45 in 30 s on this machine).
    change_penalty_gbp
        Term re-planning: £ added per continuing pupil whose pick-up point or vehicle
        changes, weighed against the annual cost (``--change-penalty``).
    """

    method: str = "joint"
    choose_share: float = 0.25
    estimate_seats: int = 0
    estimate_day_rate: float = 0.0
    estimate_per_mile: float = 0.0
    restarts: int = 200
    change_penalty_gbp: float = 0.0

    def __post_init__(self) -> None:
        if self.method not in ("joint", "sequential"):
            raise ValueError(f"method: expected 'joint' or 'sequential', found '{self.method}'")
        if not 0.0 < self.choose_share < 1.0:
            raise ValueError(
                f"choose_share: expected a share between 0 and 1, found {self.choose_share}"
            )
        self._non_negative(
            "estimate_seats",
            "estimate_day_rate",
            "estimate_per_mile",
            "restarts",
            "change_penalty_gbp",
        )
