"""The travel provider a solver command uses, from its ``--network DIR`` option.

>>> provider = provider_from_options(None)                       # straight line
>>> provider = provider_from_options(Path("network"))            # doctest: +SKIP
>>> provider = provider_from_options(Path("network"), method="fitted")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from geodata.errors import InputError
from geodata.network.provider import NetworkProvider
from geodata.network.snap import DEFAULT_MAX_SNAP_M
from geodata.providers.cache import cached
from geodata.providers.straight_line import StraightLine

if TYPE_CHECKING:
    from collections.abc import Mapping

    from geodata.matrix import TravelProvider

__all__ = ["METHODS", "provider_from_options"]

METHODS = ("network", "fitted")


def provider_from_options(
    network_dir: Path | None,
    *,
    circuity: Mapping[str, float] | None = None,
    speed_kmh: Mapping[str, float] | None = None,
    method: str = "network",
    cache_dir: Path | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    on_too_far: str = "error",
    limit_seconds: float | None = None,
) -> TravelProvider:
    """A :class:`TravelProvider` for a command's options.

    Parameters
    ----------
    network_dir
        A folder written by ``optimise network build``, or None for the straight line.
    circuity, speed_kmh
        Straight-line figures per mode (the config's, or the defaults when None). Used
        when ``network_dir`` is None.
    method
        With a network: ``"network"`` routes along it (matrices cached); ``"fitted"``
        uses the straight line whose circuity and speed were fitted to it at build time
        (summary.json), for areas larger than the extract.
    cache_dir
        Where network matrices are cached (default ``network_dir / "matrix-cache"``).
    max_snap_m, on_too_far, limit_seconds
        As for :class:`geodata.network.NetworkProvider`.

    Raises
    ------
    InputError
        The folder holds no network, or ``method`` is unknown.
    """
    if network_dir is None:
        return StraightLine(circuity=circuity or {}, speed_kmh=speed_kmh or {})
    network_dir = Path(network_dir)
    if method == "fitted":
        return _fitted(network_dir)
    if method != "network":
        raise InputError(f"method must be one of {METHODS}; found '{method}'")

    provider = NetworkProvider.from_dir(
        network_dir, max_snap_m=max_snap_m, on_too_far=on_too_far, limit_seconds=limit_seconds
    )
    return cached(provider, cache_dir or network_dir / "matrix-cache")


def _fitted(network_dir: Path) -> StraightLine:
    path = network_dir / "summary.json"
    try:
        fit = json.loads(path.read_text(encoding="utf-8"))["fit"]
        return StraightLine(
            circuity={m: r["circuity"] for m, r in fit.items()},
            speed_kmh={m: r["speed_kmh"] for m, r in fit.items()},
        )
    except (OSError, KeyError, TypeError, ValueError) as err:
        raise InputError(
            f"{path}: no fitted straight line ({err}); rebuild with 'optimise network build'"
        ) from err
