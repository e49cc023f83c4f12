"""A run on a real asset register: Trafford's (Local Government Transparency Code).

The register gives each asset's name, place, tenure, holding type, gross internal area
and sometimes its energy rating, but no running cost, backlog, value, capacity or
services. The assumptions below fill them in, so every figure of a Trafford plan is
"what the model would do if these were the costs":

* operational buildings only: holding type ``Buildings`` or ``Land/Buildings``, not
  leased out, not schools, academies, allotments or bare land;
* the type and its services come from the property name (library, leisure, community
  centre, town hall, youth, children's centre, day centre, care home, depot, pavilion,
  toilets; anything else is an ``other building`` hosting no protected service);
* floor area: ``BuildingSize``, else the median of the type; running cost, value and
  capacity per m²: the default estate's rates by type (geodata.default.estate);
  running cost ± 10% per energy-rating grade from D;
* backlog £40/m² at rating D (no rating: D), ×0.25 for A-B, ×0.6 for C, ×2 for E-G,
  split 10/30/30/30% over priorities 1-4;
* occupancy 0.7 (vacant: 0, and no services); the town halls are must-keep;
* 235 assets have no coordinates and one has latitude and longitude swapped: the
  validation layer skips the former (listed) and repairs or reports the latter.

Zones are the 139 LSOAs with their mid-2024 population and residents aged 65+.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.default.estate import SITE_TYPES
from geodata.read import read_text
from geodata.validate import validate

if TYPE_CHECKING:
    from geodata.validate import Layer

__all__ = ["REGISTER", "trafford_sites", "trafford_zones"]

REGISTER = "trafford_land_and_building_assets.csv"
_TYPES = (  # (pattern in the name, type in the default rates, services)
    (r"librar", "library", "library"),
    (r"leisure|sports? cent|pool|baths|fitness", "leisure centre", "leisure"),
    (r"town hall", "town hall", "council offices;civic;customer services"),
    (r"youth", "youth centre", "youth services"),
    (r"children'?s cent|sure start|early years", "children's centre", "early years"),
    (r"day cent|day serv", "day centre", "adult social care"),
    (r"care home|residential", "care home", "residential care"),
    (r"depot|works yard", "depot", "highways"),
    (r"pavilion|changing", "sports pavilion", "sport"),
    (r"toilet", "public toilets", "public toilets"),
    (r"communit|centre|hall|institute", "community centre", "community"),
    (r"office|house", "office", "council offices"),
)
_EXCLUDE = {"School", "Academy", "Managed allotments", "Land"}
_RATING = {"A": -3, "B": -2, "C": -1, "D": 0, "E": 1, "F": 2, "G": 3}
_BACKLOG_M2 = 40.0


def _classify(name: str) -> tuple[str, str]:
    low = name.lower()
    for pattern, kind, services in _TYPES:
        if re.search(pattern, low):
            return kind, services
    return "other building", ""


def register_to_sites(raw: pd.DataFrame) -> pd.DataFrame:
    """The register's rows as the engine's site columns, with the assumptions applied."""
    keep = (raw["HoldingType"] != "Land") & ~raw["OtherDetail"].isin(_EXCLUDE)
    keep &= ~raw["TenureDetail"].str.lower().str.startswith("leasehold out")
    df = raw[keep].copy()
    kinds = [_classify(str(n)) for n in df["PropertyName"]]
    df["type"] = [k for k, _ in kinds]
    vacant = df["TenureDetail"].eq("Vacant").to_numpy()
    df["services"] = np.where(vacant, "", [s for _, s in kinds])
    area = df["BuildingSize"].astype(float)
    area = area.fillna(df.groupby("type")["BuildingSize"].transform("median")).fillna(300.0)
    rates = {k: SITE_TYPES.get(k, (0, 0, 0, 0, 60, 500, 1 / 20, "")) for k in df["type"]}
    run_m2 = np.array([rates[k][4] for k in df["type"]])
    value_m2 = np.array([rates[k][5] for k in df["type"]])
    cap_m2 = np.array([rates[k][6] for k in df["type"]])
    grade = df["EnergyRating"].map(_RATING).fillna(0).to_numpy()
    backlog_w = np.select([grade <= -2, grade == -1, grade >= 1], [0.25, 0.6, 2.0], 1.0)
    backlog = area.to_numpy() * _BACKLOG_M2 * backlog_w
    value = (area.to_numpy() * value_m2).round(-3)
    leasehold = df["TenureType"].eq("Leasehold").to_numpy()
    return pd.DataFrame({
        "AssetCode": df["AssetCode"], "PropertyName": df["PropertyName"],
        "GeoX": df["GeoX"], "GeoY": df["GeoY"], "type": df["type"],
        "floor_area_m2": area.round(1), "capacity": (area.to_numpy() * cap_m2).round(0),
        "occupancy": np.where(vacant, 0.0, 0.7),
        "running_cost": (area.to_numpy() * run_m2 * (1 + 0.1 * grade)).round(-2),
        **{f"backlog_p{p}": (backlog * s).round(-2) for p, s in
           zip(range(1, 5), (0.1, 0.3, 0.3, 0.3))},
        "capital_value": np.where(leasehold, 0.0, value),
        "disposal_cost": (0.025 * value + 7_500).round(-2),
        "tenure": np.where(leasehold, "leasehold", "freehold"),
        "must_keep": df["PropertyName"].str.contains("Town Hall", case=False).to_numpy(),
        "services": df["services"],
    })  # fmt: skip


def trafford_sites(folder: str | Path) -> Layer:
    """The operational buildings of the register, validated (bad rows skipped, listed)."""
    path = Path(folder) / REGISTER
    table = register_to_sites(pd.read_csv(path))
    columns = {"id": "AssetCode", "name": "PropertyName", "lon": "GeoX", "lat": "GeoY"}
    return read_text(table.to_csv(index=False), "sites", format="csv", columns=columns,
                     on_bad_row="skip", source=str(path))  # fmt: skip


def trafford_zones(folder: str | Path) -> gpd.GeoDataFrame:
    """The LSOAs with mid-2024 population and residents aged 65 and over."""
    folder = Path(folder)
    shapes = gpd.read_file(folder / "trafford_lsoa21_generalised.geojson")
    pop = pd.read_csv(folder / "trafford_mid-year_2024_population_lsoa.csv")
    pop = pop[pop["sex"] == "Persons"][["area_code", "all_ages", "aged_65_and_over"]]
    merged = shapes.merge(pop, on="area_code", how="left")
    frame = gpd.GeoDataFrame({
        "id": merged["area_code"], "name": merged["area_name"],
        "population": merged["all_ages"], "over65": merged["aged_65_and_over"],
    }, geometry=merged.geometry, crs=shapes.crs)  # fmt: skip
    return validate(
        frame, "zones", source=str(folder / "trafford_lsoa21_generalised.geojson")
    ).frame
