"""Parameters of the estate model, loaded from the config file's ``[estate]`` table.

>>> EstateParams.from_file("run.toml", "estate")   # doctest: +SKIP

Money is annualised with the capital recovery factor of the HM Treasury Green Book
discount rate (3.5%) over a 25-year appraisal: a one-off £1 counts as about £0.061 a
year, so a receipt, or a backlog avoided, is comparable with a year's running cost.

A disposal's net receipt is ``receipt_share`` × capital value − the site's own disposal
and lease-break costs − the relocation cost set here (``disposal_cost_gbp``, or
``disposal_cost_by_type`` for its type): the model maximises that, not the book value.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models.params import Params

__all__ = ["EstateParams"]


@dataclass(frozen=True)
class EstateParams(Params):
    """What the plan must respect and how money is compared.

    Attributes
    ----------
    max_travel_minutes
        Every zone must stay within this many minutes (drive) of a kept site hosting
        each service it reaches within the limit today.
    travel_minutes
        Per-service limits overriding ``max_travel_minutes``, e.g. ``{library = 20}``.
    services
        Services whose access is protected; empty means every service.
    strict_coverage
        True: a zone beyond the limit *today* makes the plan infeasible (and is named);
        False: such zones are counted in ``population_beyond_limit`` and left aside.
    office_reduction
        Cut in office desk demand (0.30 = the council's 30% office target).
    office_types
        Site types whose capacity is office desks.
    receipt_target
        Capital receipts the disposals must raise: ≤ 1 is a share of the estate's
        capital value (0.10 = 10%), above 1 is £; 0 for none.
    running_budget_gbp
        Upper bound on the kept sites' annual running cost; 0 for none.
    max_population_beyond
        Epsilon of the access constraint: residents who may lose a service within the
        limit; -1 (the default) means nobody may.
    discount_rate, appraisal_years
        Annualisation of one-off sums (receipts, backlog).
    gap
        Relative MIP gap at which the solver stops (0 = prove optimality).
    ranking_steps
        Number of solves used to order the disposals (0 to skip the ranking).
    pareto_measure
        Access measure of the Pareto front: ``"limit"`` (travel limit kept) or
        ``"population"`` (residents losing a service within the limit).
    receipt_share
        Share (0-1) of a site's capital value a sale realises (fees, quick-sale
        discount); receipts, the receipt target and the ranking use the realised value.
    disposal_cost_gbp
        One-off cost of relocating services and staff out of each disposed site, £,
        netted off its receipt.
    disposal_cost_by_type
        Per-type costs overriding ``disposal_cost_gbp``, e.g. ``{office = 400000}``.
    max_disposals
        At most this many sites disposed of in the plan; -1 (the default) for no cap.
    """

    max_travel_minutes: float = 30.0
    travel_minutes: dict[str, float] = field(default_factory=dict)
    services: tuple[str, ...] = ()
    strict_coverage: bool = False
    office_reduction: float = 0.30
    office_types: tuple[str, ...] = ("office",)
    receipt_target: float = 0.0
    running_budget_gbp: float = 0.0
    max_population_beyond: int = -1
    discount_rate: float = 0.035
    appraisal_years: int = 25
    gap: float = 1e-6
    ranking_steps: int = 6
    pareto_measure: str = "limit"
    receipt_share: float = 1.0
    disposal_cost_gbp: float = 0.0
    disposal_cost_by_type: dict[str, float] = field(default_factory=dict)
    max_disposals: int = -1

    def __post_init__(self) -> None:
        self._positive("max_travel_minutes", "appraisal_years")
        self._non_negative("receipt_target", "running_budget_gbp", "discount_rate", "gap")
        self._non_negative("ranking_steps", "disposal_cost_gbp")
        if not 0 <= self.receipt_share <= 1:
            raise ValueError(f"receipt_share must lie in [0, 1]; found {self.receipt_share!r}")
        cap: object = self.max_disposals  # as given: a TOML float or bool is checked here
        if isinstance(cap, float) and cap.is_integer():
            object.__setattr__(self, "max_disposals", cap := int(cap))
        if isinstance(cap, bool) or not isinstance(cap, int) or cap < -1:
            raise ValueError(
                f"max_disposals must be -1 (no cap) or a whole number of sites ≥ 0; found {cap!r}"
            )
        if not isinstance(self.disposal_cost_by_type, dict):
            raise ValueError("disposal_cost_by_type must be a table of type = £")
        for name, gbp in self.disposal_cost_by_type.items():
            if isinstance(gbp, bool) or not isinstance(gbp, int | float) or gbp < 0:
                raise ValueError(
                    f"disposal_cost_by_type['{name}'] must be a number of £ ≥ 0; found {gbp!r}"
                )
        if not 0 <= self.office_reduction < 1:
            raise ValueError(
                f"office_reduction must lie in [0, 1); found {self.office_reduction!r}"
            )
        if self.pareto_measure not in ("limit", "population"):
            raise ValueError(
                f"pareto_measure must be 'limit' or 'population'; found {self.pareto_measure!r}"
            )
        if self.max_population_beyond < -1:
            raise ValueError("max_population_beyond must be -1 (nobody) or a head count")
        if not isinstance(self.travel_minutes, dict):
            raise ValueError("travel_minutes must be a table of service = minutes")
        for name, minutes in self.travel_minutes.items():
            if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
                raise ValueError(f"travel_minutes['{name}'] must be a positive number")
        for name in ("services", "office_types"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of names")
            object.__setattr__(self, name, tuple(value))

    def limit_minutes(self, service: str) -> float:
        return float(self.travel_minutes.get(service, self.max_travel_minutes))

    def disposal_costs(self, site_types: np.ndarray) -> np.ndarray:
        """Per site: the relocation cost of disposing of it, £ (by type, else flat)."""
        by_type = self.disposal_cost_by_type
        return np.array(
            [float(by_type.get(str(t), self.disposal_cost_gbp)) for t in site_types], dtype=float
        )

    @property
    def cap(self) -> int | None:
        """``max_disposals`` as a cap, None when there is none."""
        return None if self.max_disposals < 0 else self.max_disposals

    @property
    def annuity(self) -> float:
        """Capital recovery factor: £ a year equivalent to a one-off £1."""
        r, n = self.discount_rate, self.appraisal_years
        return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)

    def with_(self, **changes: Any) -> EstateParams:
        return dataclasses.replace(self, **changes)
