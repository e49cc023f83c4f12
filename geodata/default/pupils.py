"""Pupils entitled to home-to-school transport (synthetic: no real child is described).

Homes are drawn inside zones, weighted toward rural zones; each child attends the
nearest school of its phase and is kept when entitled: beyond the statutory walking
distance (DOMAIN.md §1), on low-income extended rights, or with SEND.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.default._common import BNG, points_in_polygon

if TYPE_CHECKING:
    import shapely

__all__ = ["MILE", "PUPILS", "SEND_SHARE", "SOLO", "TRAVEL_TRAINING", "build_pupils"]

#: Metres in a statute mile.
MILE = 1609.344
#: Entitled pupils. Assumption (a county of this size transports a few thousand).
PUPILS = 3000
#: Share with special educational needs and disabilities. Assumption.
SEND_SHARE = 0.12
#: SEND pupils in single-occupancy vehicles (DOMAIN.md §1: "51 families").
SOLO = 51
#: Candidates for independent travel training (DOMAIN.md §1: "21 young people a year").
TRAVEL_TRAINING = 21
#: Nullable pupil flags of the schema (``geodata/schema.py``) the default data leaves empty.
_EMPTY_FLAGS = ("unable_to_walk", "special_school", "budget_ok")
#: Pupils entitled only through low-income extended rights. Assumption.
LOW_INCOME_EXTENDED = 60
#: Walking route ÷ straight line (assumption: rural lanes wind).
WALK_CIRCUITY = 1.25
#: Statutory walking distance, metres: under 8 and from 8 (DOMAIN.md §1).
WALK_UNDER_8, WALK_FROM_8 = 2 * MILE, 3 * MILE
#: Weight of a rural zone's residents when drawing homes (assumption: that is where
#: entitled pupils live).
RURAL_WEIGHT = 4.0
#: Assumptions on the SEND cohort: attending a special school, wheelchair users,
#: needing a passenger assistant; and the share of low-income (free-school-meal) pupils.
SPECIAL_SCHOOL_SHARE, WHEELCHAIR_SHARE, ASSISTANT_SHARE, LOW_INCOME_SHARE = 0.55, 0.15, 0.25, 0.18
#: Per-pupil ride limits (minutes) overriding policy for a few SEND pupils. Assumption.
RIDE_OVERRIDES = (30.0, 30.0, 40.0, 40.0, 45.0, 60.0)


def _homes(zones, land, weights: np.ndarray, n: int, rng: np.random.Generator):
    zone = rng.choice(len(zones), size=n, p=weights / weights.sum())
    xy = np.empty((n, 2))
    for z in np.unique(zone):
        idx = np.flatnonzero(zone == z)
        area = zones.geometry.iloc[z].intersection(land)
        area = area if area.area > 0 else zones.geometry.iloc[z]
        xy[idx] = points_in_polygon(area, len(idx), rng)
    return zone, xy


def _nearest(xy: np.ndarray, schools: gpd.GeoDataFrame, mask: np.ndarray):
    sxy = np.column_stack([schools.geometry.x, schools.geometry.y])[mask]
    d = np.hypot(xy[:, None, 0] - sxy[None, :, 0], xy[:, None, 1] - sxy[None, :, 1])
    j = d.argmin(axis=1)
    return np.flatnonzero(mask)[j], d[np.arange(len(xy)), j] * WALK_CIRCUITY


def _mainstream(xy, age, schools):
    phase = schools["phase"].to_numpy()
    school = np.empty(len(xy), dtype=np.int64)
    walk = np.empty(len(xy))
    for name, rows in (("primary", age <= 10), ("secondary", age >= 11)):
        school[rows], walk[rows] = _nearest(xy[rows], schools, phase == name)
    return school, walk


def build_pupils(
    zones: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    land: shapely.Geometry,
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """About 3,000 entitled pupils; ~12% SEND, of whom exactly 51 travel alone.

    Homes lie inside their zone and inside ``land``.
    """
    n_send = round(PUPILS * SEND_SHARE)
    n_distance = PUPILS - n_send - LOW_INCOME_EXTENDED
    rural = (zones["settlement"] == "rural").to_numpy()
    weights = zones["population"].to_numpy() * np.where(rural, RURAL_WEIGHT, 1.0)

    # Mainstream: draw children until enough live beyond the walking distance.
    zone, xy = _homes(zones, land, weights, 8 * n_distance, rng)
    age = rng.integers(4, 17, size=len(xy))
    school, walk = _mainstream(xy, age, schools)
    low_income = rng.uniform(size=len(xy)) < LOW_INCOME_SHARE
    far = walk > np.where(age < 8, WALK_UNDER_8, WALK_FROM_8)
    # Extended rights (simplified): low income, 8 or over, beyond 2 miles (up to 6 for 11+).
    extended = (
        low_income & ~far & (age >= 8) & (walk > 2 * MILE) & ((age <= 10) | (walk <= 6 * MILE))
    )
    picked_far = np.flatnonzero(far)[:n_distance]
    picked_ext = np.flatnonzero(extended)[:LOW_INCOME_EXTENDED]
    if len(picked_far) < n_distance or len(picked_ext) < LOW_INCOME_EXTENDED:
        raise RuntimeError("too few entitled children drawn; raise the number of draws")
    main = np.concatenate([picked_far, picked_ext])

    # SEND: entitled whatever the distance; homes follow the population.
    s_zone, s_xy = _homes(zones, land, zones["population"].to_numpy().astype(float), n_send, rng)
    s_age = rng.integers(4, 17, size=n_send)
    s_school, s_walk = _mainstream(s_xy, s_age, schools)
    special = rng.uniform(size=n_send) < SPECIAL_SCHOOL_SHARE
    sp_school, sp_walk = _nearest(
        s_xy[special], schools, (schools["phase"] == "special").to_numpy()
    )
    s_school[special], s_walk[special] = sp_school, sp_walk

    wheelchair = np.zeros(n_send, dtype=bool)
    wheelchair[rng.choice(n_send, round(WHEELCHAIR_SHARE * n_send), replace=False)] = True
    solo = np.zeros(n_send, dtype=bool)
    # The single-occupancy pupils are the costly ones: far from school, more often.
    solo[rng.choice(n_send, SOLO, replace=False, p=s_walk / s_walk.sum())] = True
    assistant = wheelchair | (solo & (rng.uniform(size=n_send) < 0.5))
    assistant |= rng.uniform(size=n_send) < ASSISTANT_SHARE
    ride = np.full(n_send, np.nan)
    ride[rng.choice(np.flatnonzero(~solo), len(RIDE_OVERRIDES), replace=False)] = RIDE_OVERRIDES
    training = np.zeros(n_send, dtype=bool)
    able = np.flatnonzero((s_age >= 11) & ~wheelchair & ~solo)
    training[rng.choice(able, TRAVEL_TRAINING, replace=False)] = True

    n_main = len(main)
    cat = np.concatenate
    columns = {
        "school": cat([school[main], s_school]),
        "age": cat([age[main], s_age]),
        "sen": cat([np.zeros(n_main, bool), np.ones(n_send, bool)]),
        "wheelchair": cat([np.zeros(n_main, bool), wheelchair]),
        "solo": cat([np.zeros(n_main, bool), solo]),
        "assistant": cat([np.zeros(n_main, bool), assistant]),
        "max_ride_min": cat([np.full(n_main, np.nan), ride]),
        "low_income": cat([low_income[main], rng.uniform(size=n_send) < LOW_INCOME_SHARE]),
        "travel_training": cat([np.zeros(n_main, bool), training]),
        "zone": cat([zone[main], s_zone]),
        "reason": np.array(["distance"] * n_distance + ["low income"] * LOW_INCOME_EXTENDED
                           + ["send"] * n_send),
        "walk": cat([walk[main], s_walk]),
        "xy": np.vstack([xy[main], s_xy]),
    }  # fmt: skip
    order = rng.permutation(len(columns["age"]))
    c = {k: v[order] for k, v in columns.items()}
    return gpd.GeoDataFrame(
        {
            "id": [f"P{i + 1:05d}" for i in range(len(order))],
            "school_id": schools["id"].to_numpy()[c["school"]],
            "age": c["age"].astype(np.int64),
            "sen": c["sen"],
            "wheelchair": c["wheelchair"],
            "solo": c["solo"],
            "assistant": c["assistant"],
            "max_ride_min": c["max_ride_min"],
            "low_income": c["low_income"],
            "travel_training": c["travel_training"],
            "excluded_vehicles": np.full(len(order), "", dtype=object),  # none by default
            # The optional flags left empty: eligibility and mode choice apply their rules.
            **{f: pd.array([pd.NA] * len(order), dtype="boolean") for f in _EMPTY_FLAGS},
            "zone_id": zones["id"].to_numpy()[c["zone"]],
            "phase": schools["phase"].to_numpy()[c["school"]],
            "reason": c["reason"],
            "walk_distance_m": np.round(c["walk"]).astype(np.int64),
        },
        geometry=gpd.points_from_xy(c["xy"][:, 0], c["xy"][:, 1]),
        crs=BNG,
    )
