"""Face-to-face customer-service centres: DOMAIN.md's six, the hubs and the closed ones.

``centres.csv`` transcribes DOMAIN.md §3's table exactly (shares as fractions); the
frame keeps its published visits per open hour as ``visits_per_open_hour_published``,
for checking :func:`models.hours.visits_per_open_hour` against. The table's
``share`` column is kept as given, but it is *not* each centre's share of the six
centres' visits: 6,593 visits at 28.1% implies about 23,460 visits in all, while the
six sum to 21,844 (the published share presumably includes the hubs or another year).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.default._common import BNG
from geodata.schema import SCHEMAS, WEEKDAYS

__all__ = [
    "CENTRE_TOWNS",
    "HOST_HOURS",
    "OPEN_HOSTS",
    "OTHER_CENTRES",
    "build_centres",
    "centre_table",
    "host_site_names",
]

#: Town of ``towns.csv`` for each centre name of DOMAIN.md where the two differ.
CENTRE_TOWNS = {"Berwick": "Berwick-upon-Tweed"}

#: Community hubs and centres closed after the pandemic (DOMAIN.md §3): name, status,
#: town, host building.
OTHER_CENTRES: tuple[tuple[str, str, str, str], ...] = (
    ("Blyth shopping centre hub", "hub", "Blyth", "Blyth Keel Row shopping centre hub"),
    ("Lynemouth hub", "hub", "Lynemouth", "Lynemouth Welfare Pavilion"),
    ("Newbiggin hub", "hub", "Newbiggin-by-the-Sea", "Newbiggin Leisure Centre"),
    ("Morpeth", "closed", "Morpeth", "Morpeth Town Hall"),
    ("Prudhoe", "closed", "Prudhoe", "Prudhoe Library"),
    ("Bedlington", "closed", "Bedlington", "Bedlington Library"),
)

#: Building hosting each open centre (assumption: the library where each town's
#: customer services sit).
OPEN_HOSTS = {
    "Ashington": "Ashington Library", "Blyth": "Blyth Library",
    "Cramlington": "Cramlington Library", "Alnwick": "Alnwick Library",
    "Hexham": "Hexham Library", "Berwick": "Berwick Library",
}  # fmt: skip

_WEEK = "09:00-17:00"
#: When each centre's host building is staffed, Monday to Sunday. Assumption,
#: modelled on the county libraries' published staffed hours; each contains the
#: centre's current opening pattern.
HOST_HOURS: dict[str, tuple[str, ...]] = {
    "Ashington": ("09:00-18:00",) * 6 + ("",),
    "Blyth": ("09:00-19:00", "09:00-19:00", _WEEK, "09:00-19:00", _WEEK, "09:30-12:30", ""),
    "Cramlington": ("09:00-18:00",) * 5 + ("09:30-13:00", ""),
    "Alnwick": ("09:00-18:00",) * 6 + ("",),
    "Hexham": ("09:00-18:00", _WEEK, _WEEK, _WEEK, "09:00-18:00", "09:30-17:00", ""),
    "Berwick": (_WEEK,) * 5 + ("10:00-17:00", ""),
    "Blyth shopping centre hub": ("09:00-17:30",) * 6 + ("10:00-16:00",),
    "Lynemouth hub": ("09:00-16:00",) * 5 + ("", ""),
    "Newbiggin hub": ("08:00-22:00",) * 5 + ("08:00-18:00", "08:00-22:00"),
    "Morpeth": (_WEEK,) * 5 + ("", ""),
    "Prudhoe": (_WEEK,) * 3 + ("09:00-18:00", _WEEK, "09:30-13:00", ""),
    "Bedlington": (_WEEK,) * 5 + ("10:00-13:00", ""),
}  # fmt: skip


@cache
def _read_table() -> pd.DataFrame:
    with resources.files("geodata.default").joinpath("centres.csv").open(encoding="utf-8") as f:
        table = pd.read_csv(f, dtype={"hours_per_week": float})
    table["town"] = [CENTRE_TOWNS.get(c, c) for c in table["centre"]]
    return table


def centre_table() -> pd.DataFrame:
    """DOMAIN.md §3's table as embedded in ``centres.csv`` (a copy), plus ``town``."""
    return _read_table().copy()


def host_site_names() -> dict[str, str]:
    """Name of the estate site hosting each centre, by centre name."""
    out = dict(OPEN_HOSTS)
    for name, _, _, host in OTHER_CENTRES:
        out[name] = host
    return out


def build_centres(
    towns: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, sites: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The 12 centres, at their host sites, with the building's weekly availability."""
    table = centre_table()
    hosts = host_site_names()
    site_by_name = sites.set_index("name")
    town_pop = towns.set_index("name")["population"]
    in_town = zones[zones["settlement"] == "town"]
    by_town = in_town.groupby("town")[["population", "over65"]].sum()
    rows = []
    for r in table.itertuples():
        rows.append({
            "name": r.centre, "status": "open", "visits_per_year": r.visits_per_year,
            "current_days": r.days, "current_hours": r.hours, "population": r.population,
            "over65_share": r.over65, "town": r.town, "hours_per_week": r.hours_per_week,
            "share": r.share, "visits_per_open_hour_published": r.visits_per_open_hour,
            "transport": r.transport, "revs_bens": r.revs_bens, "housing": r.housing,
        })  # fmt: skip
    for name, status, town, _ in OTHER_CENTRES:
        share = by_town.loc[town, "over65"] / by_town.loc[town, "population"]
        rows.append({
            "name": name, "status": status, "visits_per_year": pd.NA, "current_days": "",
            "current_hours": "", "population": int(town_pop[town]),
            "over65_share": round(float(share), 3), "town": town,
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    for i, day in enumerate(WEEKDAYS):
        frame[f"{day}_hours"] = [HOST_HOURS[n][i] for n in frame["name"]]
    frame["site_id"] = [site_by_name.loc[hosts[n], "id"] for n in frame["name"]]
    frame["host"] = [hosts[n] for n in frame["name"]]
    frame.insert(0, "id", [f"C{i + 1:02d}" for i in range(len(frame))])
    frame["visits_per_year"] = frame["visits_per_year"].astype("Int64")
    frame["population"] = frame["population"].astype("Int64")
    for col in (
        "hours_per_week",
        "share",
        "visits_per_open_hour_published",
        "transport",
        "revs_bens",
        "housing",
        "over65_share",
    ):
        frame[col] = frame[col].astype(float)
    canonical = list(SCHEMAS["centres"].names)
    frame = frame[canonical + [c for c in frame.columns if c not in canonical]]
    points = site_by_name.loc[[hosts[n] for n in frame["name"]], "geometry"].to_numpy()
    return gpd.GeoDataFrame(frame, geometry=np.asarray(points), crs=BNG)
