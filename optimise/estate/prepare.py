"""Arrays the estate model is built from: money per site, demand per service, cover sets.

The coverage constraints use an exact *radius* reduction: zone ``i`` keeps service ``s``
within the limit if and only if one of the sites in its cover set
``N(i, s) = {j hosts s : seconds[i, j] <= limit(s)}`` is kept, so only those sites enter
its row and no zone-site assignment variable is needed. Pairs with the same cover set
share one row. This is not an approximation: the constraint is stated on exactly the
sites that can satisfy it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from models.estate import EstateProblem
    from optimise.estate.params import EstateParams

__all__ = ["Prepared", "prepare"]


@dataclass(frozen=True, eq=False)
class Prepared:
    """Derived data of one (problem, params) pair.

    Attributes
    ----------
    services
        Sorted names of every service hosted somewhere.
    hosts
        Sites × services, True where the site hosts the service.
    load
        Sites × services: capacity in use that must stay somewhere (office desks after
        the reduction); a site's load is split evenly over the services it hosts.
    demand
        Per service: the load to be held by kept sites.
    realised
        Per site: what a sale realises, ``receipt_share`` × capital value, £.
    relocation
        Per site: the relocation cost of disposing of it (``disposal_cost_gbp`` or the
        per-type table), £ (one-off).
    receipt
        Per site: realised value − disposal cost − lease-break cost − relocation, £
        (one-off; what the model weighs, so the costs change which sites go).
    saving
        Per site: annual running cost + annualised backlog + annualised receipt, £ a
        year; what disposing of the site is worth.
    rows
        Distinct cover sets: one array of site indices each.
    pair_row
        Zones × services: the row of each protected pair, -1 if not protected.
    beyond_today
        Zones × services: True where no site hosts the service within the limit today.
    """

    services: tuple[str, ...]
    hosts: np.ndarray
    load: np.ndarray
    demand: np.ndarray
    realised: np.ndarray
    relocation: np.ndarray
    receipt: np.ndarray
    saving: np.ndarray
    limit_s: np.ndarray
    rows: tuple[np.ndarray, ...]
    pair_row: np.ndarray
    beyond_today: np.ndarray


def prepare(problem: EstateProblem, params: EstateParams) -> Prepared:
    services = tuple(sorted(set().union(*problem.services))) if problem.services else ()
    n, m = problem.num_sites, len(services)
    hosts = np.zeros((n, m), dtype=bool)
    for j, hosted in enumerate(problem.services):
        for name in hosted:
            hosts[j, services.index(name)] = True

    used = problem.capacity * problem.occupancy
    office = np.isin(problem.site_type.astype(str), params.office_types)
    used = np.where(office, used * (1.0 - params.office_reduction), used)
    share = hosts / np.maximum(hosts.sum(axis=1, keepdims=True), 1)
    load = used[:, None] * share
    realised = params.receipt_share * problem.capital_value
    relocation = params.disposal_costs(problem.site_type)
    # At the defaults (share 1, no relocation cost) this is exactly the book-value receipt.
    receipt = realised - problem.disposal_cost - problem.lease_break_cost - relocation
    annuity = params.annuity
    saving = problem.running_cost + annuity * (problem.backlog_total + receipt)

    limit_s = np.array([params.limit_minutes(s) * 60.0 for s in services])
    protected = [not params.services or s in params.services for s in services]
    seconds = problem.travel.seconds
    zones = len(problem.zone_ids)
    pair_row = np.full((zones, m), -1, dtype=np.int64)
    beyond = np.zeros((zones, m), dtype=bool)
    index: dict[bytes, int] = {}
    rows: list[np.ndarray] = []
    live = problem.population > 0
    for s in range(m):
        within = (seconds[:, hosts[:, s]] <= limit_s[s]) if zones else np.zeros((0, 0), bool)
        host_idx = np.flatnonzero(hosts[:, s])
        beyond[:, s] = ~within.any(axis=1) if host_idx.size else True
        if not protected[s]:
            continue
        for i in np.flatnonzero(live & ~beyond[:, s]):
            cover = host_idx[within[i]]
            key = cover.tobytes()
            if key not in index:
                index[key] = len(rows)
                rows.append(cover)
            pair_row[i, s] = index[key]
    for arr in (hosts, load, realised, relocation, receipt, saving, pair_row, beyond):
        arr.setflags(write=False)
    return Prepared(
        services=services,
        hosts=hosts,
        load=load,
        demand=load.sum(axis=0),
        realised=realised,
        relocation=relocation,
        receipt=receipt,
        saving=saving,
        limit_s=limit_s,
        rows=tuple(rows),
        pair_row=pair_row,
        beyond_today=beyond,
    )
