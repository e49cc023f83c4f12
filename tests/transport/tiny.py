"""Tiny transport problems on a straight road, checkable by hand.

Places sit on a line at ``x`` km; driving 1 km takes 60 s (1 km/min) and is 1,000 m.
Dwell: 30 s a stop + 10 s a boarding pupil (the policy defaults).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geodata.matrix import TravelMatrix
from models.transport import TransportProblem

MILE = 1609.344


def line_problem(
    pupils: list[dict],
    *,
    schools: dict[str, tuple[float, str]] | None = None,
    base_x: float = 10.0,
    fleet: list[dict] | None = None,
) -> TransportProblem:
    """``pupils``: dicts with ``id``, ``x``, optional ``school`` (default S1), flags and
    ``excluded_vehicles`` (fleet ids, ';'-separated).

    ``schools``: id → (x, bell time[, end time[, multi_school]]); default one school S1
    at x=0, bell 09:00, end 15:15.
    ``fleet``: dicts with id, seats, wheelchair_spaces, day_rate, cost_per_mile, available.
    """
    schools = schools or {"S1": (0.0, "09:00")}
    fleet = fleet or [
        {"id": "bus", "seats": 16, "wheelchair_spaces": 0, "day_rate": 100.0,
         "cost_per_mile": 1.0, "available": 3},
    ]  # fmt: skip
    frame = pd.DataFrame(
        [
            {
                "id": p["id"],
                "school_id": p.get("school", "S1"),
                "age": p.get("age", 12),
                "wheelchair": p.get("wheelchair", False),
                "solo": p.get("solo", False),
                "assistant": p.get("assistant", False),
                "sen": p.get("sen", False),
                "max_ride_min": p.get("max_ride_min", np.nan),
                "excluded_vehicles": p.get("excluded_vehicles", ""),
            }
            for p in pupils
        ]
    )
    school_frame = pd.DataFrame(
        {
            "id": list(schools),
            "phase": ["secondary"] * len(schools),
            "bell_time": [v[1] for v in schools.values()],
            "end_time": [v[2] if len(v) > 2 else "15:15" for v in schools.values()],
            "multi_school": [v[3] if len(v) > 3 else True for v in schools.values()],
        }
    )
    stops = pd.DataFrame({"id": pd.Series([], dtype=str)})
    xs = [base_x, *(v[0] for v in schools.values()), *(p["x"] for p in pupils)]
    ids = ["base:0", *(f"school:{s}" for s in schools), *(f"pupil:{p['id']}" for p in pupils)]
    km = np.abs(np.subtract.outer(np.asarray(xs, float), np.asarray(xs, float)))
    drive = TravelMatrix(ids, ids, np.rint(km * 60), np.rint(km * 1000), mode="drive")
    rows = [(pd.Series(v), 0) for v in fleet]
    return TransportProblem.from_matrix(frame, school_frame, stops, rows, drive)
