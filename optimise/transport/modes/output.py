"""Mode choice inside ``optimise transport routes --mode-choice`` (and ``transport plan``).

:func:`run_mode_choice` reads the ``[transport.modes]`` table and the pupils' optional
``budget_ok`` and ``travel_training`` columns, runs :func:`~optimise.transport.modes.choose.
choose_modes`, and :func:`decisions_table` gives the per-pupil decisions for
``modes-personal.csv``: pupil and school ids, each option's annual cost, the choice and
its saving; no home coordinates, but pupil ids, so it is marked personal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimise.settings import TransportSettings
from optimise.transport.modes.choose import ModeResult, choose_modes
from optimise.transport.modes.params import ModeFlags

if TYPE_CHECKING:
    from models.transport import TransportProblem
    from optimise.transport.routing.params import RoutingParams

__all__ = ["decisions_table", "run_mode_choice"]

_WHAT = {"route": "a seat on a shared route", "solo": "a solo vehicle",
         "budget": "a personal travel budget", "training": "independent travel training",
         "unserved": "no option: no vehicle can carry them and no alternative is open"}  # fmt: skip


def run_mode_choice(
    problem: TransportProblem,
    pupils: pd.DataFrame,
    *,
    table: Any,
    routing: RoutingParams,
    time_limit: float,
    seed: int,
    source: str = "pupils",
) -> ModeResult:
    """Mode choice for the problem built from ``pupils`` (same rows, same order)."""
    params = TransportSettings.from_table(table).modes
    flags = ModeFlags.from_frame(pupils, problem, source)
    return choose_modes(problem, flags=flags, params=params, routing=routing,
                        time_limit=time_limit, seed=seed)  # fmt: skip


def _money(x: float) -> str:
    return f"£{x:,.0f}"


def _note(d: Any) -> str:
    if d.round == 0:
        cheaper = [n for n, v in (("budget", d.budget_gbp), ("training", d.training_gbp))
                   if not np.isnan(v)]  # fmt: skip
        if d.chosen == "unserved" or not cheaper:
            return f"{_WHAT[d.chosen]}" + ("" if cheaper else "; no alternative open to them")
        return f"{_WHAT[d.chosen]} ({_money(d.route_gbp)} a year) is cheapest"
    cost = d.budget_gbp if d.chosen == "budget" else d.training_gbp
    if d.round < 0:
        return f"{_WHAT[d.chosen]} ({_money(cost)} a year): no vehicle can carry them"
    return (f"{_WHAT[d.chosen]} ({_money(cost)} a year) instead of their seat "
            f"({_money(d.route_gbp)} a year): saves {_money(d.saving_gbp)}")  # fmt: skip


def decisions_table(problem: TransportProblem, result: ModeResult) -> pd.DataFrame:
    """One row per candidate (``problem`` is the full one ``choose_modes`` was given)."""
    rows = result.decisions
    return pd.DataFrame(
        {
            "pupil_id": [problem.pupil_ids[d.pupil] for d in rows],
            "school_id": [problem.school_ids[problem.pupil_school[d.pupil]] for d in rows],
            "chosen": [d.chosen for d in rows],
            "round": [d.round for d in rows],
            "route_gbp": [round(d.route_gbp, 2) for d in rows],
            "solo_gbp": [round(d.solo_gbp, 2) for d in rows],
            "budget_gbp": [round(d.budget_gbp, 2) for d in rows],
            "training_gbp": [round(d.training_gbp, 2) for d in rows],
            "saving_gbp": [d.saving_gbp for d in rows],
            "note": [_note(d) for d in rows],
        }
    )
