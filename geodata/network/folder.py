"""A network folder: ``drive.npz``, ``walk.npz`` and ``summary.json``, written together.

This is what ``optimise network build EXTRACT --out DIR`` writes and what
:meth:`geodata.network.NetworkProvider.from_dir` and
:func:`geodata.network.provider_from_options` read.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geodata.errors import InputError
from geodata.network.build import build_networks
from geodata.network.fit import fit_straight_line
from geodata.network.graph import save_network
from geodata.write import Staging, write_json

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

__all__ = ["build_folder"]

logger = logging.getLogger(__name__)


def build_folder(
    extract: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    drive_speeds: Mapping[str, float] | None = None,
    maxspeed_factor: float | None = None,
    walk_speed_kmh: float | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Build both networks from ``extract``, fit the straight line, write ``out``.

    A mode whose network is too small to fit keeps the default straight-line figures;
    summary.json says so under ``fit_skipped``.

    Returns
    -------
    dict
        The summary written to ``out/summary.json``.
    """
    started = time.perf_counter()
    options: dict[str, Any] = {"drive_speeds": drive_speeds}
    if maxspeed_factor is not None:
        options["maxspeed_factor"] = maxspeed_factor
    if walk_speed_kmh is not None:
        options["walk_speed_kmh"] = walk_speed_kmh
    networks = build_networks(extract, **options)
    fit, skipped = {}, {}
    for mode, network in networks.items():
        try:
            _, reports = fit_straight_line({mode: network}, seed=seed)
            fit[mode] = reports[mode].as_dict()
        except InputError as err:
            logger.warning("straight line not fitted for %s: %s", mode, err)
            skipped[mode] = str(err)
    summary: dict[str, Any] = {
        "command": "network build",
        "extract": str(extract),
        "networks": {mode: n.summary() for mode, n in networks.items()},
        "fit": fit,
        "fit_skipped": skipped,
        "files": ["drive.npz", "walk.npz", "summary.json"],
    }
    with Staging(out) as stage:
        for mode, network in networks.items():
            save_network(stage.path / f"{mode}.npz", network)
        summary["elapsed_s"] = round(time.perf_counter() - started, 3)
        write_json(Path(stage.path) / "summary.json", summary)
    return summary
