"""Which OpenStreetMap ways each mode may use, in which direction, and how fast.

Driving
    Ways whose ``highway`` class is a key of the speed table (:data:`DRIVE_SPEED_KMH`
    by default; pass your own table to add ``track`` or drop ``service``). The speed is
    ``maxspeed`` × ``maxspeed_factor`` when the way is tagged with one (``"30 mph"``,
    ``"50"``, ``"GB:nsl_single"``...), else the class default. One-way streets
    (``oneway=yes|-1``, roundabouts, motorways) are one-way. ``access``/
    ``motor_vehicle`` ``no|private`` excludes a way.
Walking
    Every way of :data:`WALK_HIGHWAYS` (roads and footpaths, not motorways), both
    ways, at one walking speed; ``foot=no`` (or ``access=no|private`` without a
    ``foot`` permission) excludes a way. Footpaths (``footway``, ``path``, ``steps``,
    ``bridleway``, ``cycleway``, ``pedestrian``, ``track``...) are for walking only.

The class defaults are average free-flow speeds below the legal limit (junctions,
bends, villages): assumptions to override with local knowledge, e.g.
``{**DRIVE_SPEED_KMH, "unclassified": 35}``.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DRIVE_SPEED_KMH",
    "MAXSPEED_FACTOR",
    "WALK_HIGHWAYS",
    "WALK_SPEED_KMH",
    "direction",
    "drive_speed",
    "parse_maxspeed",
    "walkable",
]

#: Default driving speed (km/h) per ``highway`` class; a class not listed is not driven.
DRIVE_SPEED_KMH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 100.0,
        "motorway_link": 60.0,
        "trunk": 80.0,
        "trunk_link": 50.0,
        "primary": 65.0,
        "primary_link": 45.0,
        "secondary": 55.0,
        "secondary_link": 40.0,
        "tertiary": 45.0,
        "tertiary_link": 35.0,
        "unclassified": 40.0,
        "road": 30.0,
        "residential": 30.0,
        "living_street": 15.0,
        "service": 15.0,
    }
)

#: Share of a tagged ``maxspeed`` that traffic averages (bends, junctions, traffic).
MAXSPEED_FACTOR = 0.9

#: Planning walking speed (3 mph), the same on every walkable way.
WALK_SPEED_KMH = 4.8

#: ``highway`` classes a pedestrian may use.
WALK_HIGHWAYS = frozenset(
    {
        *(k for k in DRIVE_SPEED_KMH if not k.startswith("motorway")),
        "footway",
        "path",
        "pedestrian",
        "steps",
        "track",
        "bridleway",
        "cycleway",
        "corridor",
        "crossing",
        "trail",
        "platform",
        "elevator",
    }
)

_MPH = 1.609344
# UK national speed limits (mph) and the usual implicit tags elsewhere.
_NAMED = {
    "gb:nsl_single": 60 * _MPH,
    "gb:nsl_dual": 70 * _MPH,
    "gb:motorway": 70 * _MPH,
    "gb:nsl_restricted": 30 * _MPH,
    "uk:nsl_single": 60 * _MPH,
    "uk:nsl_dual": 70 * _MPH,
    "uk:motorway": 70 * _MPH,
    "national": 60 * _MPH,
    "walk": 6.0,
    "living_street": 20.0,
}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")
_NO = frozenset({"no", "private"})
_YES = frozenset({"yes", "designated", "permissive", "destination", "official"})


def parse_maxspeed(value: str | None) -> float | None:
    """A ``maxspeed`` tag in km/h, or None when absent or not understood.

    >>> parse_maxspeed("30 mph"), parse_maxspeed("50"), parse_maxspeed("signals")
    (48.28032, 50.0, None)
    """
    if not value:
        return None
    text = value.split(";")[0].strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    if ":" in text and text.split(":", 1)[1] in ("urban", "rural", "motorway"):
        return None  # country-specific implicit limits other than GB: use the class default
    match = _NUMBER.match(text)
    if not match:
        return None
    speed = float(match.group(1))
    if match.group(2) == "mph":
        speed *= _MPH
    return speed if speed > 0 else None


def drive_speed(
    tags: Mapping[str, str],
    speeds: Mapping[str, float] = DRIVE_SPEED_KMH,
    maxspeed_factor: float = MAXSPEED_FACTOR,
) -> float | None:
    """Driving speed in km/h on a way with these tags, or None if it is not driven."""
    highway = tags.get("highway", "")
    if highway not in speeds or tags.get("area") == "yes":
        return None
    vehicle = tags.get("motor_vehicle", tags.get("motorcar", tags.get("vehicle")))
    if vehicle in _NO or (tags.get("access") in _NO and vehicle not in _YES):
        return None
    limit = parse_maxspeed(tags.get("maxspeed"))
    if limit is None:
        return float(speeds[highway])
    return limit * maxspeed_factor


def direction(tags: Mapping[str, str]) -> int:
    """Driving direction along the way's nodes: 1 forward only, -1 backward only, 0 both."""
    oneway = tags.get("oneway", "").lower()
    if oneway in ("yes", "true", "1"):
        return 1
    if oneway in ("-1", "reverse"):
        return -1
    if oneway in ("no", "false", "0", "reversible", "alternating"):
        return 0
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return 1
    return 0


def walkable(tags: Mapping[str, str]) -> bool:
    """Whether a pedestrian may use a way with these tags."""
    if tags.get("highway", "") not in WALK_HIGHWAYS:
        return False
    foot = tags.get("foot")
    if foot in _NO or foot == "use_sidepath":
        return False
    return not (tags.get("access") in _NO and foot not in _YES)
