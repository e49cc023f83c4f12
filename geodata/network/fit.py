"""A straight-line provider calibrated against a network, with a report of the fit.

Pairs of nodes of the network's main component are sampled; for each mode the
circuity is the median of network metres over straight-line metres, and the speed is
the one that makes the median straight-line time equal the network time. The report
gives the error of the fitted estimate against network times, and of the defaults
for comparison, so a user can see what a large area without an extract will get.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from geodata.errors import InputError
from geodata.network.paths import node_matrix
from geodata.providers.straight_line import StraightLine

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geodata.network.graph import Network

__all__ = ["FitReport", "fit_straight_line"]


@dataclass(frozen=True)
class FitReport:
    """How well straight line × circuity at a speed matches the network, for one mode.

    Errors are absolute percentage errors of the estimated time (or distance) against
    the network's, over the sampled pairs.
    """

    mode: str
    pairs: int
    circuity: float
    speed_kmh: float
    median_abs_pct_error_seconds: float
    p90_abs_pct_error_seconds: float
    median_abs_pct_error_metres: float
    default_median_abs_pct_error_seconds: float

    def as_dict(self) -> dict[str, float | int | str]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def fit_straight_line(
    networks: Mapping[str, Network],
    *,
    samples: int = 40,
    min_metres: float = 500.0,
    seed: int = 0,
    base: StraightLine | None = None,
) -> tuple[StraightLine, dict[str, FitReport]]:
    """Fit circuity and speed per mode on ``samples`` × ``samples`` node pairs.

    Parameters
    ----------
    networks
        ``{"drive": Network, "walk": Network}``; a mode without a network keeps the
        ``base`` figures.
    samples
        Nodes sampled on each side (one Dijkstra each).
    min_metres
        Pairs closer than this in a straight line are left out: at a few hundred
        metres the access legs, not the circuity, dominate.
    seed
        Seed of the sample: same seed, same fit.
    base
        Figures for modes not fitted (the defaults when None).

    Raises
    ------
    InputError
        A network has too few pairs that far apart to fit.
    """
    base = base or StraightLine()
    circuity, speed = dict(base.circuity), dict(base.speed_kmh)
    reports = {}
    rng = np.random.default_rng(seed)
    for mode, network in sorted(networks.items()):
        assert network.main is not None  # set when the network is made
        main = np.flatnonzero(network.main)
        a = rng.choice(main, size=min(samples, len(main)), replace=False)
        b = rng.choice(main, size=min(samples, len(main)), replace=False)
        net_s, net_m = node_matrix(network, a, b)
        line = np.hypot(*(network.xy[a][:, None, :] - network.xy[b][None, :, :]).transpose(2, 0, 1))
        ok = np.isfinite(net_s) & (line >= min_metres) & (net_s > 0)
        if np.count_nonzero(ok) < 10:
            raise InputError(
                f"the {mode} network has {np.count_nonzero(ok)} sampled pairs at least "
                f"{min_metres:g} m apart; too few to fit (use a larger extract)"
            )
        line, net_s, net_m = line[ok], net_s[ok], net_m[ok]
        circ = float(np.median(net_m / line))
        per_metre = float(np.median(net_s / (line * circ)))  # seconds per network metre
        fitted_s = line * circ * per_metre
        default_s = line * base.circuity[mode] * 3.6 / base.speed_kmh[mode]
        circuity[mode], speed[mode] = circ, 3.6 / per_metre
        reports[mode] = FitReport(
            mode=mode,
            pairs=len(line),
            circuity=circ,
            speed_kmh=3.6 / per_metre,
            median_abs_pct_error_seconds=_pct(fitted_s, net_s, 50),
            p90_abs_pct_error_seconds=_pct(fitted_s, net_s, 90),
            median_abs_pct_error_metres=_pct(line * circ, net_m, 50),
            default_median_abs_pct_error_seconds=_pct(default_s, net_s, 50),
        )
    return StraightLine(circuity=circuity, speed_kmh=speed), reports


def _pct(estimate: np.ndarray, truth: np.ndarray, q: float) -> float:
    return float(np.percentile(np.abs(estimate - truth) / truth * 100.0, q))
