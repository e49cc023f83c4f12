"""The mixed fleet of contracted vehicles, by type and operator base."""

from __future__ import annotations

import geopandas as gpd

__all__ = ["FLEET", "VEHICLES", "build_fleet"]

#: Vehicle types: seats, wheelchair spaces, £ a day, £ a mile. Assumption: plausible
#: 2024 UK home-to-school contract rates (driver included; assistant costed apart).
VEHICLES: dict[str, tuple[int, int, float, float]] = {
    "coach": (57, 0, 380.0, 2.20),
    "minibus": (16, 0, 210.0, 1.15),
    "wheelchair minibus": (12, 2, 265.0, 1.35),
    "taxi": (4, 0, 95.0, 1.90),
}
#: (vehicle type, operator base town, vehicles the operators there can supply).
#: Assumption: operators in the market towns, taxis wherever there is a rank. The counts
#: are three times a first guess of 274 vehicles: with that guess the planner ran out of
#: minibuses and taxis and left 490 of the 3,000 pupils uncarried; with this supply a
#: plan hires about 280 vehicles, so the planner, not the market, decides the fleet.
FLEET: tuple[tuple[str, str, int], ...] = tuple(
    (kind, base, 3 * available) for kind, base, available in (
    ("coach", "Hexham", 6), ("coach", "Morpeth", 8), ("coach", "Alnwick", 5),
    ("coach", "Berwick-upon-Tweed", 3), ("coach", "Blyth", 6),
    ("minibus", "Hexham", 8), ("minibus", "Morpeth", 10), ("minibus", "Alnwick", 6),
    ("minibus", "Blyth", 10), ("minibus", "Haltwhistle", 3), ("minibus", "Berwick-upon-Tweed", 4),
    ("wheelchair minibus", "Morpeth", 6), ("wheelchair minibus", "Blyth", 6),
    ("wheelchair minibus", "Hexham", 4), ("wheelchair minibus", "Alnwick", 3),
    ("taxi", "Blyth", 40), ("taxi", "Ashington", 30), ("taxi", "Cramlington", 25),
    ("taxi", "Morpeth", 20), ("taxi", "Hexham", 20), ("taxi", "Alnwick", 15),
    ("taxi", "Berwick-upon-Tweed", 12), ("taxi", "Amble", 8), ("taxi", "Haltwhistle", 6),
    ("taxi", "Rothbury", 5), ("taxi", "Wooler", 5),
    )
)  # fmt: skip


def build_fleet(towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per vehicle type and base; the point is the operator's base town."""
    where = towns.set_index("name").geometry
    rows = [
        {
            "id": f"V{i + 1:02d}",
            "name": f"{kind} ({base})",
            "seats": VEHICLES[kind][0],
            "wheelchair_spaces": VEHICLES[kind][1],
            "day_rate": VEHICLES[kind][2],
            "cost_per_mile": VEHICLES[kind][3],
            "available": available,
            "base": base,
            "vehicle_type": kind,
        }
        for i, (kind, base, available) in enumerate(FLEET)
    ]
    return gpd.GeoDataFrame(rows, geometry=[where[r["base"]] for r in rows], crs=towns.crs)
