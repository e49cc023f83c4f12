"""Travel matrices from routing engines' JSON: OSRM ``/table`` and Valhalla
``sources_to_targets`` responses (parse: text → matrix; read: path → parse).

Neither response carries the places' ids, only their order: pass ``origins`` and
``destinations`` in the order the request listed them (positions ``"0"``, ``"1"``...
when None). ``null`` cells mean no route (:data:`UNREACHABLE`). Without distances
(OSRM's default ``annotations=duration``), metres are estimated from the time at the
mode's default straight-line speed, and the matrix's ``source`` says so.

* OSRM: ``{"code": "Ok", "durations": [[s, ...]], "distances": [[m, ...]]}``;
* Valhalla: ``{"sources_to_targets": [[{"time": s, "distance": km}, ...]], "units":
  "kilometers"}``, or the concise form (``verbose: false``) ``{"sources_to_targets":
  {"durations": [[...]], "distances": [[...]]}}``; distances in ``units``
  (kilometres or miles).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.errors import InputError, Problem, ValidationError
from geodata.matrix import MODES, UNREACHABLE, TravelMatrix
from geodata.providers.straight_line import DEFAULT_SPEED_KMH

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

__all__ = ["parse_osrm_table", "parse_routing_json", "parse_valhalla_matrix", "read_routing_json"]

_UNITS_M = {"kilometers": 1000.0, "kilometres": 1000.0, "km": 1000.0, "miles": 1609.344}


def parse_routing_json(
    text: str,
    *,
    origins: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
    mode: str = "drive",
    file: str = "<text>",
) -> TravelMatrix:
    """An OSRM or Valhalla matrix response (told apart by its keys)."""
    data = _load(text, file)
    valhalla = "sources_to_targets" in data or "error_code" in data
    parse = _valhalla if valhalla else _osrm
    return parse(data, origins, destinations, mode, file)


def parse_osrm_table(
    text: str,
    *,
    origins: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
    mode: str = "drive",
    file: str = "<text>",
) -> TravelMatrix:
    """An OSRM ``/table`` response as a :class:`TravelMatrix`.

    Raises
    ------
    ValidationError
        ``code`` is not ``"Ok"``, ``durations`` is missing or ragged, a cell is not a
        number of seconds, or the ids do not match the rows and columns.
    """
    return _osrm(_load(text, file), origins, destinations, mode, file)


def parse_valhalla_matrix(
    text: str,
    *,
    origins: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
    mode: str = "drive",
    file: str = "<text>",
) -> TravelMatrix:
    """A Valhalla ``sources_to_targets`` response as a :class:`TravelMatrix`."""
    return _valhalla(_load(text, file), origins, destinations, mode, file)


def read_routing_json(
    path: str | os.PathLike[str],
    *,
    origins: Sequence[str] | None = None,
    destinations: Sequence[str] | None = None,
    mode: str = "drive",
) -> TravelMatrix:
    """Read an OSRM or Valhalla response saved as a ``.json`` file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8-sig")
    return parse_routing_json(
        text, origins=origins, destinations=destinations, mode=mode, file=str(path)
    )


def _load(text: str, file: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValidationError(
            Problem(file, err.lineno, None, "JSON", f"invalid JSON ({err.msg})")
        ) from err
    if not isinstance(data, dict):
        raise ValidationError(Problem(file, None, None, "a JSON object", type(data).__name__))
    return data


def _osrm(
    data: dict[str, Any], origins: Any, destinations: Any, mode: str, file: str
) -> TravelMatrix:
    if data.get("code", "Ok") != "Ok":
        found = f"code '{data.get('code')}': {data.get('message', '')}".strip()
        raise ValidationError(Problem(file, None, "code", "an OSRM response with code 'Ok'", found))
    if "durations" not in data:
        raise ValidationError(
            Problem(
                file,
                None,
                "durations",
                "an OSRM table with durations",
                "none",
                hint="request the table with annotations=duration,distance",
            )
        )
    secs = _grid(data["durations"], "durations", 1.0, file)
    dist = None
    if data.get("distances") is not None:
        dist = _grid(data["distances"], "distances", 1.0, file, secs.shape)
    return _matrix(secs, dist, origins, destinations, mode, f"OSRM table {file}", file)


def _valhalla(
    data: dict[str, Any], origins: Any, destinations: Any, mode: str, file: str
) -> TravelMatrix:
    if "error" in data or "error_code" in data:
        found = f"error {data.get('error_code', '')}: {data.get('error', '')}"
        raise ValidationError(Problem(file, None, "error", "a Valhalla matrix", found))
    unit = str(data.get("units", "kilometers")).lower()
    if unit not in _UNITS_M:
        raise ValidationError(
            Problem(file, None, "units", f"one of {sorted(_UNITS_M)}", f"'{unit}'")
        )
    body = data["sources_to_targets"]
    if isinstance(body, dict):  # concise form
        secs = _grid(body.get("durations"), "durations", 1.0, file)
        raw = body.get("distances")
    else:
        if not isinstance(body, list) or not all(isinstance(r, list) for r in body):
            raise ValidationError(
                Problem(file, None, "sources_to_targets", "a list of rows", type(body).__name__)
            )
        cells = [[c if isinstance(c, dict) else {} for c in row] for row in body]
        secs = _grid([[c.get("time") for c in r] for r in cells], "time", 1.0, file)
        raw = [[c.get("distance") for c in r] for r in cells]
    dist = None if raw is None else _grid(raw, "distance", _UNITS_M[unit], file, secs.shape)
    return _matrix(secs, dist, origins, destinations, mode, f"Valhalla matrix {file}", file)


def _grid(
    rows: Any, field: str, factor: float, file: str, shape: tuple[int, ...] | None = None
) -> np.ndarray:
    """A float array of the rows (NaN for null), with one Problem per bad cell."""
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ValidationError(Problem(file, None, field, "a list of rows", type(rows).__name__))
    width = len(rows[0]) if rows else 0
    problems = [
        Problem(file, i + 1, field, f"{width} values per row", f"{len(r)}")
        for i, r in enumerate(rows)
        if len(r) != width
    ]
    if shape is not None and (len(rows), width) != shape:
        problems.append(Problem(file, None, field, f"shape {shape}", f"({len(rows)}, {width})"))
    if problems:
        raise ValidationError(problems)
    out = np.full((len(rows), width), np.nan)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            if not isinstance(value, int | float) or isinstance(value, bool) or not value >= 0:
                expected = "a number, 0 or more, or null"
                problems.append(Problem(file, i + 1, f"{field}[{j}]", expected, repr(value)))
                continue
            out[i, j] = value * factor
    if problems:
        raise ValidationError(problems)
    return out


def _matrix(
    secs: np.ndarray,
    dist: np.ndarray | None,
    origins: Any,
    destinations: Any,
    mode: str,
    source: str,
    file: str,
) -> TravelMatrix:
    if mode not in MODES:
        raise InputError(f"mode must be one of {MODES}; found '{mode}'")
    o_ids = _ids(origins, secs.shape[0], "origins", file)
    d_ids = _ids(destinations, secs.shape[1], "destinations", file)
    no_path = np.isnan(secs) | (secs >= UNREACHABLE)
    if dist is None or np.isnan(dist[~no_path]).any():
        speed = DEFAULT_SPEED_KMH[mode]
        estimate = secs * speed / 3.6
        dist = estimate if dist is None else np.where(np.isnan(dist), estimate, dist)
        source += f"; metres estimated at {speed:g} km/h"
    seconds = np.where(no_path, UNREACHABLE, np.rint(np.nan_to_num(secs)))
    metres = np.where(no_path, UNREACHABLE, np.minimum(np.rint(np.nan_to_num(dist)), UNREACHABLE))
    return TravelMatrix(o_ids, d_ids, seconds, metres, mode, source)


def _ids(given: Any, n: int, role: str, file: str) -> tuple[str, ...]:
    if given is None:
        return tuple(str(i) for i in range(n))
    ids = tuple(str(i) for i in given)
    if len(ids) != n:
        raise ValidationError(
            Problem(file, None, role, f"{len(ids)} {role} as given", f"{n} in the response")
        )
    return ids
