"""The outcome of an estate rationalisation run: which sites stay and what it is worth.

An :class:`EstateResult` is frozen: read-only arrays aligned with the problem's sites
and zones, the figures the estates officer reads, and the solver's own verdict
(``optimal`` and ``gap``). An infeasible run is a result too, with ``reasons`` saying
which zone cannot be covered or which service lacks capacity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["EstateResult", "Infeasibility"]


@dataclass(frozen=True)
class Infeasibility:
    """One reason a plan cannot meet its targets.

    ``kind`` is ``"coverage"`` (a zone has no site within the limit for a service),
    ``"capacity"`` (a service's kept sites cannot hold its demand), ``"receipt"``,
    ``"budget"``, ``"max_disposals"`` (the cap is below the must-dispose sites) or
    ``"combined"`` (each target is reachable alone, not together).
    """

    kind: str
    subject: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "subject": self.subject, "message": self.message}


@dataclass(frozen=True, eq=False)
class EstateResult:
    """Keep/dispose decision per site, with the figures of the plan.

    Attributes
    ----------
    site_ids, zone_ids, services
        Axes of the arrays below (services sorted by name).
    keep
        Boolean per site: True to keep, False to dispose. All True when infeasible.
    nearest
        Zones × services: index of the nearest kept site hosting the service, -1 if
        none is kept.
    minutes
        Zones × services: travel minutes to that site (``inf`` when none).
    status
        ``"optimal"``, ``"feasible"`` (time limit reached with a plan), ``"infeasible"``
        or ``"no solution"``.
    gap
        Relative gap between the plan and the solver's bound (0 when optimal).
    figures
        The plan's figures in £ and people (see :func:`optimise.estate.figures`).
    reasons
        Why the targets cannot be met (empty unless infeasible).
    """

    site_ids: tuple[str, ...]
    zone_ids: tuple[str, ...]
    services: tuple[str, ...]
    keep: np.ndarray
    nearest: np.ndarray
    minutes: np.ndarray
    status: str
    gap: float
    objective: float
    seconds: float
    solver: str
    figures: dict[str, Any] = field(default_factory=dict)
    reasons: tuple[Infeasibility, ...] = ()

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def feasible(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def kept(self) -> tuple[str, ...]:
        return tuple(s for s, k in zip(self.site_ids, self.keep) if k)

    @property
    def disposed(self) -> tuple[str, ...]:
        return tuple(s for s, k in zip(self.site_ids, self.keep) if not k)

    def summary(self) -> dict[str, Any]:
        """The figures of ``summary.json``: counts, £, people, solver verdict."""
        return {
            "status": self.status,
            "sites_kept": int(np.count_nonzero(self.keep)),
            "sites_disposed": int(np.count_nonzero(~self.keep)),
            **self.figures,
            "optimal": self.optimal,
            "gap": float(self.gap),
            "solver": self.solver,
            "solve_seconds": round(float(self.seconds), 3),
            "reasons": [r.as_dict() for r in self.reasons],
        }
