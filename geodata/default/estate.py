"""The council's operational estate: 343 sites with costs, backlog and value.

Counts and totals are DOMAIN.md §2's (343 sites, 44 corporate landlord, £9.6m backlog,
£545m land and buildings); the mix of types and every per-site figure is an assumption.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.default._common import BNG, apportion

__all__ = ["BACKLOG", "CAPITAL_VALUE", "CORPORATE_LANDLORD", "NAMED_SITES", "SITES", "build_sites"]

#: Operational sites (DOMAIN.md §2).
SITES = 343
#: Sites managed centrally (DOMAIN.md §2).
CORPORATE_LANDLORD = 44
#: Backlog maintenance, £ (DOMAIN.md §2, 2018).
BACKLOG = 9_600_000
#: Land and buildings asset value, £ (DOMAIN.md §2).
CAPITAL_VALUE = 545_000_000

#: type: (count, smallest town, m² low, m² high, running £/m², value £/m², capacity per
#: m², services). Assumption: the mix of a large rural county's operational estate.
SITE_TYPES: dict[str, tuple[int, int, float, float, float, float, float, str]] = {
    "office": (24, 5000, 400, 6000, 135, 1500, 1 / 12, "council offices"),
    "library": (32, 0, 150, 1500, 95, 1100, 1 / 8, "library"),
    "depot": (20, 1500, 500, 5000, 50, 600, 1 / 100, "highways;fleet"),
    "community centre": (68, 0, 150, 900, 60, 700, 1 / 3, "community"),
    "leisure centre": (16, 3000, 1500, 8000, 165, 1100, 1 / 10, "leisure"),
    "day centre": (18, 1500, 300, 1500, 110, 1000, 1 / 15, "adult social care"),
    "youth centre": (14, 1500, 150, 700, 70, 700, 1 / 5, "youth services"),
    "children's centre": (22, 1500, 200, 800, 95, 900, 1 / 8, "early years;family support"),
    "fire station": (16, 0, 300, 1500, 85, 800, 1 / 50, "fire and rescue"),
    "museum": (5, 3000, 400, 3000, 90, 900, 1 / 4, "museums"),
    "customer service point": (4, 5000, 100, 400, 120, 1200, 1 / 10, "customer services"),
    "public toilets": (30, 0, 20, 80, 150, 300, 1 / 4, "public toilets"),
    "bereavement": (8, 1500, 50, 300, 60, 400, 1 / 5, "bereavement"),
    "care home": (6, 3000, 1200, 3000, 140, 1200, 1 / 40, "residential care"),
    "industrial unit": (20, 3000, 200, 1500, 25, 500, 1 / 50, "economic development"),
    "outdoor education centre": (3, 0, 500, 2000, 70, 600, 1 / 20, "outdoor education"),
    "recycling centre": (11, 1500, 200, 2000, 40, 300, 1 / 100, "waste"),
    "tourist information centre": (6, 1500, 60, 250, 110, 1200, 1 / 10, "tourism"),
    "registry office": (4, 10000, 200, 600, 120, 1400, 1 / 10, "registration"),
    "town hall": (6, 5000, 800, 3000, 100, 1000, 1 / 5, "civic;events"),
    "sports pavilion": (10, 1500, 100, 500, 45, 400, 1 / 5, "sport"),
}
#: Types placed out of town (up to 3 km beyond the built-up edge). Assumption.
OUT_OF_TOWN = ("depot", "outdoor education centre", "recycling centre", "bereavement")
#: Sites with known names: County Hall and the hosts of DOMAIN.md §3's centres
#: (type, name, town, area m² or 0 for drawn, extra services).
NAMED_SITES: tuple[tuple[str, str, str, float, str], ...] = (
    ("office", "County Hall", "Morpeth", 18_000, "customer services;registration"),
    ("library", "Ashington Library", "Ashington", 0, "customer services"),
    ("library", "Blyth Library", "Blyth", 0, "customer services"),
    ("library", "Cramlington Library", "Cramlington", 0, "customer services"),
    ("library", "Alnwick Library", "Alnwick", 0, "customer services"),
    ("library", "Hexham Library", "Hexham", 0, "customer services"),
    ("library", "Berwick Library", "Berwick-upon-Tweed", 0, "customer services"),
    ("library", "Prudhoe Library", "Prudhoe", 0, ""),
    ("library", "Bedlington Library", "Bedlington", 0, ""),
    ("customer service point", "Blyth Keel Row shopping centre hub", "Blyth", 0, ""),
    ("community centre", "Lynemouth Welfare Pavilion", "Lynemouth", 0, "customer services"),
    ("leisure centre", "Newbiggin Leisure Centre", "Newbiggin-by-the-Sea", 0,
     "customer services;library"),
    ("town hall", "Morpeth Town Hall", "Morpeth", 0, ""),
)  # fmt: skip
CONDITIONS = ("A", "B", "C", "D")
#: Condition mix and backlog per m² weight by condition (assumption).
CONDITION_P, CONDITION_BACKLOG = (0.15, 0.45, 0.30, 0.10), (0.1, 0.6, 2.0, 5.0)
#: Split of a site's backlog over priorities 1-4 by condition (assumption).
PRIORITY_SPLIT = ((0, 1, 3, 6), (1, 4, 7, 8), (3, 6, 6, 5), (6, 6, 5, 3))
#: Value per m² by town relative to the county (assumption: the commuter belt is dearer).
TOWN_VALUE = {"Ponteland": 1.6, "Corbridge": 1.4, "Stocksfield": 1.3, "Hexham": 1.3,
              "Morpeth": 1.3, "Alnwick": 1.2, "Ashington": 0.8, "Lynemouth": 0.7,
              "Newbiggin-by-the-Sea": 0.8, "Blyth": 0.9}  # fmt: skip
#: Share held on leases, and rent £/m² for break costs (assumption).
LEASEHOLD_SHARE, RENT_PER_M2 = 0.10, 80.0


def _allocate(towns: gpd.GeoDataFrame, rng: np.random.Generator) -> list[tuple]:
    """(type, name, town, area, extra services) for every site; named sites first."""
    pop = towns.set_index("name")["population"]
    rows: list[tuple[str, str, str, float, str]] = list(NAMED_SITES)
    named = pd.Series([r[0] for r in NAMED_SITES]).value_counts()
    for kind, (count, smallest, *_rest) in SITE_TYPES.items():
        towns_ok = pop[pop >= smallest]
        weights = towns_ok.to_numpy() ** 0.7  # small places get relatively more
        n = count - int(named.get(kind, 0))
        picks = rng.choice(len(towns_ok), size=n, p=weights / weights.sum())
        rows += [(kind, "", towns_ok.index[i], 0.0, "") for i in np.sort(picks)]
    # Name the unnamed: "Hexham Community Centre 2"; a lone one is unnumbered.
    seen: dict[tuple[str, str], int] = {}
    totals = pd.Series([(r[0], r[2]) for r in rows]).value_counts()
    out = []
    for kind, name, town, area, extra in rows:
        seen[kind, town] = seen.get((kind, town), 0) + 1
        if not name:
            label = f"{town} {kind.title()}".replace("'S", "'s")
            name = label if totals[kind, town] == 1 else f"{label} {seen[kind, town]}"
        out.append((kind, name, town, area, extra))
    return out


def _place(towns, rows, outline, rng) -> np.ndarray:
    where = towns.set_index("name")
    xy = np.empty((len(rows), 2))
    for i, (kind, name, town, *_) in enumerate(rows):
        t = where.loc[town]
        reach = t.radius_m + (3_000.0 if kind in OUT_OF_TOWN else 0.0)
        if name == "County Hall":  # Loansdean, on Morpeth's southern edge
            xy[i] = (t.geometry.x, t.geometry.y - 1_000.0)
            continue
        for shrink in np.linspace(1.0, 0.0, 6):
            r, a = reach * shrink * np.sqrt(rng.uniform()), rng.uniform(0, 2 * np.pi)
            xy[i] = (t.geometry.x + r * np.cos(a), t.geometry.y + r * np.sin(a))
            if shapely.contains_xy(outline, *xy[i]):
                break
    return xy


def build_sites(
    towns: gpd.GeoDataFrame, outline: shapely.Geometry, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """The 343 operational sites, with DOMAIN.md's totals exact."""
    rows = _allocate(towns, rng)
    n = len(rows)
    kind = np.array([r[0] for r in rows], dtype=object)
    spec = [SITE_TYPES[k] for k in kind]
    lo, hi = np.array([s[2] for s in spec]), np.array([s[3] for s in spec])
    area = np.exp(rng.uniform(np.log(lo), np.log(hi))).round(-1)
    given = np.array([r[3] for r in rows])
    area = np.where(given > 0, given, area)
    office = kind == "office"
    occupancy = np.where(office, rng.uniform(0.35, 0.75, n), rng.uniform(0.45, 0.95, n)).round(2)
    cond = rng.choice(4, size=n, p=CONDITION_P)
    running = (area * [s[4] for s in spec] * rng.lognormal(0, 0.15, n)).round(-2)

    # Backlog in £100s, apportioned so the total is exact, then split by priority.
    weight = area * np.take(CONDITION_BACKLOG, cond) * rng.lognormal(0, 0.5, n)
    per_site = apportion(BACKLOG // 100, weight)
    backlog = np.array([apportion(int(b), PRIORITY_SPLIT[c]) for b, c in zip(per_site, cond)]) * 100

    lease = rng.uniform(size=n) < LEASEHOLD_SHARE
    lease[[r[1] == "County Hall" for r in rows]] = False
    town_value = np.array([TOWN_VALUE.get(r[2], 1.0) for r in rows])
    worth = area * [s[5] for s in spec] * town_value * rng.lognormal(0, 0.3, n)
    value = apportion(CAPITAL_VALUE // 1000, worth * np.where(lease, 0.1, 1.0)) * 1000
    disposal = (0.025 * value + 7_500).round(-2)
    months = rng.integers(0, 84, n)
    lease_break = [
        f"{2026 + m // 12}-{m % 12 + 1:02d}-01" if ls else "" for m, ls in zip(months, lease)
    ]
    break_cost = np.where(lease, (area * RENT_PER_M2 * rng.uniform(0.25, 1.0, n)).round(-2), 0.0)

    # Corporate landlord: offices, town halls, customer service points and the named
    # sites (County Hall, the centres' hosts), topped up with the largest libraries.
    names = [r[1] for r in rows]
    central = np.isin(kind, ["office", "town hall", "customer service point"])
    central[: len(NAMED_SITES)] = True
    spare = CORPORATE_LANDLORD - int(central.sum())
    if spare < 0:
        raise RuntimeError(
            f"{int(central.sum())} corporate-landlord sites; expected {CORPORATE_LANDLORD}"
        )
    libraries = np.flatnonzero((kind == "library") & ~central)
    central[libraries[np.argsort(-area[libraries], kind="stable")[:spare]]] = True
    services = [";".join(filter(None, [s[7], r[4]])) for s, r in zip(spec, rows)]
    frame = pd.DataFrame({
        "id": [f"A{i + 1:03d}" for i in range(n)], "name": names, "type": kind.astype(str),
        "floor_area_m2": area, "capacity": (area * [s[6] for s in spec]).round(0),
        "occupancy": occupancy, "running_cost": running,
        **{f"backlog_p{p + 1}": backlog[:, p].astype(float) for p in range(4)},
        "condition": np.take(CONDITIONS, cond), "capital_value": value.astype(float),
        "disposal_cost": disposal, "tenure": np.where(lease, "leasehold", "freehold"),
        "lease_break": lease_break, "lease_break_cost": break_cost,
        "must_keep": [nm == "County Hall" or k in ("fire station", "recycling centre")
                      for nm, k in zip(names, kind)],
        "must_dispose": np.zeros(n, dtype=bool),
        "listed": (rng.uniform(size=n) < np.where(kind == "museum", 0.6, 0.06))
                  | (np.array(names) == "Morpeth Town Hall"),
        "corporate_landlord": central, "services": services,
        "town": [r[2] for r in rows],
    })  # fmt: skip
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(*_place(towns, rows, outline, rng).T), crs=BNG
    )
