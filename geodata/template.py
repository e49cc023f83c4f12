"""An empty workbook for a kind of input, for teams starting from scratch
(``optimise data template``).

Sheet one, named after the kind, has the header the engine reads (its own names, so
no mapping is needed) and one example row taken from the embedded default data; sheet
``About`` lists each column: required or not, type, default, allowed range and meaning,
and how to give a location (lon/lat, easting/northing or a postcode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import openpyxl
import pandas as pd
from openpyxl.styles import Font

from geodata.default import load_default
from geodata.schema import SCHEMAS

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["write_template"]

_TYPES = {"str": "text", "int": "whole number", "float": "number", "bool": "Yes or No",
          "time": "clock time HH:MM", "hours": "opening hours HH:MM-HH:MM, comma separated",
          "days": "weekdays, e.g. Mon-Fri or Mon, Wed", "enum": "one of"}  # fmt: skip

_LOCATION = {
    "point": "required: lon and lat (WGS84), or easting and northing (British National "
    "Grid), or postcode",
    "optional-point": "optional: lon and lat, easting and northing, or postcode",
    "point-or-area": "lon and lat, easting and northing, or postcode (or a polygon in a "
    "GeoPackage)",
    "area": "a polygon: use a GeoPackage, GeoJSON or Shapefile rather than a workbook",
    "none": "none",
}


def _example(kind: str) -> dict[str, object]:
    frame = getattr(load_default(), kind).to_crs(4326)
    row = frame.iloc[0]
    out = {f.name: row[f.name] for f in SCHEMAS[kind].fields if f.name in frame}
    if frame.geometry.iloc[0] is not None and frame.geometry.iloc[0].geom_type == "Point":
        out["lon"], out["lat"] = round(row.geometry.x, 6), round(row.geometry.y, 6)
    return out


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    if low is not None:
        return f"at least {low:g}"
    return f"at most {high:g}" if high is not None else ""


def _cell(value: object) -> object:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value if isinstance(value, int | float | str) else str(value)


def write_template(kind: str, path: Path) -> list[str]:
    """Write the template workbook for ``kind`` to ``path``; return its columns."""
    schema = SCHEMAS[kind]
    example = _example(kind)
    columns = [f.name for f in schema.fields]
    if schema.geometry not in ("area", "none"):
        columns += ["lon", "lat"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append(columns)
    sheet.append([_cell(example.get(c)) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    about = book.create_sheet("About")
    about.append(["column", "required", "type", "default", "allowed", "meaning"])
    for f in schema.fields:
        allowed = ", ".join(f.choices) if f.choices else _range(f.min, f.max)
        about.append([f.name, "yes" if f.required else "no", _TYPES[f.type],
                      "" if f.required else _cell(f.default), allowed, f.help])  # fmt: skip
    about.append(["(location)", "", "", "", "", _LOCATION[schema.geometry]])
    about.append([])
    about.append([f"{kind}: {schema.help}. Row 2 of the '{kind}' sheet is an example from "
                  "the embedded default data: replace it with your own rows."])  # fmt: skip
    for cell in about[1]:
        cell.font = Font(bold=True)
    book.save(path)
    return columns
