"""Read a user's file into a validated :class:`~geodata.validate.Layer`.

Layered as parse (text → :class:`Parsed` records), read (path → parse), then
:func:`~geodata.validate.validate`. :func:`read` picks the parser from the file's
extension; :func:`read_text` does the same for text (tests, notebooks).

>>> layer = read("assets.csv", "sites", columns={"id": "AssetCode", "lon": "GeoX",
...              "lat": "GeoY", "type": "HoldingType"}, on_bad_row="skip")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from geodata.errors import InputError, Problem, ValidationError
from geodata.read._records import COORDINATE_NAMES, Parsed
from geodata.read.derived import SOURCE_COLUMNS, ReadSettings, derive
from geodata.read.naptan import parse_naptan, read_naptan
from geodata.read.sheet import OLD_SPREADSHEETS, SPREADSHEETS, read_sheet, split_sheet
from geodata.read.table import decode, parse_csv, read_csv
from geodata.read.values import map_values
from geodata.read.vector import dbf_names, parse_geojson, read_vector
from geodata.validate import Layer, OnBadRow, schema_for, validate

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from geodata.schema import Schema

__all__ = [
    "EXTENSIONS",
    "Parsed",
    "check",
    "check_file",
    "parse_csv",
    "parse_geojson",
    "parse_naptan",
    "read",
    "read_csv",
    "read_naptan",
    "read_text",
    "read_vector",
]

#: File extension → reader.
EXTENSIONS = {
    ".csv": "csv",
    ".geojson": "vector",
    ".json": "vector",
    ".gpkg": "vector",
    ".shp": "vector",
    ".zip": "vector",
    ".parquet": "vector",
    ".geoparquet": "vector",
    ".xml": "naptan",
    **dict.fromkeys((*SPREADSHEETS, *OLD_SPREADSHEETS), "sheet"),
}


def read(
    path: str | os.PathLike[str],
    kind: str,
    *,
    columns: Mapping[str, str] | None = None,
    on_bad_row: OnBadRow = "error",
    crs: object = None,
    layer: str | None = None,
    include_inactive: bool = False,
    settings: ReadSettings | None = None,
) -> Layer:
    """Read and validate one input file.

    Parameters
    ----------
    path
        ``.csv``, ``.xlsx``/``.xlsm``/``.ods`` (a sheet as ``book.xlsx#Sheet``, else the
        first), ``.geojson``/``.json``, ``.gpkg``, ``.shp``/``.zip``,
        ``.parquet``/``.geoparquet``, or ``.xml`` (NaPTAN, kind ``"stops"`` only).
    kind
        A key of :data:`geodata.schema.SCHEMAS`.
    columns
        Canonical name → the file's column, e.g. ``{"id": "URN", "lon": "GeoX"}``.
    on_bad_row
        ``"error"`` (raise, listing every problem) or ``"skip"`` (leave bad rows out;
        their problems are in ``Layer.skipped``).
    crs
        For a vector file without a CRS, the CRS to assume; for a CSV, how to read
        ambiguous x/y columns (``"EPSG:4326"`` or ``"EPSG:27700"``).
    layer
        The GeoPackage layer, when the file has several.
    include_inactive
        NaPTAN only: keep stops that are not active.
    settings
        The ``[geocode]`` tables, the school year and the ``[values]`` mappings
        (:class:`~geodata.read.derived.ReadSettings`): a ``postcode`` (or ``uprn``)
        column locates a file without coordinates, a ``date_of_birth`` gives ``age``.

    Raises
    ------
    ValidationError
        Anything wrong with the file, naming it, the row and the column.
    """
    schema = schema_for(kind)
    settings = settings or ReadSettings()
    source = str(path)
    _known_columns(columns, schema)
    suffix = split_sheet(path)[0].suffix.lower()
    reader = EXTENSIONS.get(suffix)
    if reader is None:
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                "a file ending " + ", ".join(EXTENSIONS),
                f"'{suffix or 'no extension'}'",
                "save it as CSV, a workbook (.xlsx, .ods), GeoJSON, GeoPackage, Shapefile, "
                "GeoParquet or NaPTAN XML",
            )
        )
    if reader == "sheet":
        parsed = read_sheet(path, columns=columns, crs=crs)
    elif reader == "csv":
        parsed = read_csv(path, columns=columns, crs=crs)
    elif reader == "vector":
        parsed = read_vector(path, columns=columns, crs=crs, layer=layer)
        if suffix in (".shp", ".zip"):
            parsed = dbf_names(parsed, schema)
    else:
        _naptan_kind(schema.kind, source)
        parsed = read_naptan(path, include_inactive=include_inactive)
    parsed = map_values(parsed, settings.values.get(schema.kind))
    parsed, notes = derive(parsed, settings, ages="age" in schema.names)
    return _noted(_validate(parsed, schema.kind, on_bad_row), notes, schema)


def check(path: str | os.PathLike[str], kind: str, **read_kwargs: object) -> list[Problem]:
    """Every problem with a file, without raising (for ``optimise data check``).

    File-level problems (unreadable file, missing column, missing CRS) stop the check
    early; they are returned like row problems. ``read_kwargs`` go to
    :func:`geodata.read.read` (``columns``, ``crs``, ``layer``, ``settings``).
    """
    return check_file(path, kind, **read_kwargs)[0]


def check_file(
    path: str | os.PathLike[str], kind: str, **read_kwargs: object
) -> tuple[list[Problem], dict[str, object]]:
    """:func:`check`, and what the reader noted (:attr:`Layer.notes`; empty when the
    file did not read)."""
    read_kwargs.pop("on_bad_row", None)
    try:
        layer = read(path, kind, on_bad_row="skip", **read_kwargs)  # type: ignore[arg-type]
    except ValidationError as exc:
        return list(exc.problems), {}
    return list(layer.skipped), dict(layer.notes)


def read_text(
    text: str | bytes,
    kind: str,
    *,
    format: Literal["csv", "geojson", "naptan"],
    columns: Mapping[str, str] | None = None,
    on_bad_row: OnBadRow = "error",
    crs: object = None,
    include_inactive: bool = False,
    source: str = "<text>",
) -> Layer:
    """Parse and validate text in one of the text formats; see :func:`read`."""
    schema = schema_for(kind)
    if format == "csv":
        if isinstance(text, bytes):
            text = decode(text, source)
        parsed = parse_csv(text, columns=columns, crs=crs, source=source)
    elif format == "geojson":
        parsed = parse_geojson(text, columns=columns, crs=crs, source=source)
    elif format == "naptan":
        _naptan_kind(schema.kind, source)
        parsed = parse_naptan(text, include_inactive=include_inactive, source=source)
    else:
        raise InputError(f"format must be 'csv', 'geojson' or 'naptan', not {format!r}")
    return _validate(parsed, schema.kind, on_bad_row)


def _noted(layer: Layer, notes: dict[str, object], schema: Schema) -> Layer:
    """The layer with what the reader derived, and the file's columns no field uses."""
    unused = [str(c) for c in layer.frame.columns
              if c not in schema.names and c != "geometry" and
              re.sub(r"[^a-z0-9]", "", str(c).lower()) not in SOURCE_COLUMNS]  # fmt: skip
    notes = {**notes, "columns_not_used": unused} if unused else dict(notes)
    layer.frame.attrs["read"] = notes
    return replace(layer, notes=notes)


def _known_columns(columns: Mapping[str, str] | None, schema: Schema) -> None:
    """Each name mapped by ``--columns`` is one the engine reads for this kind."""
    derived = ("postcode", "uprn", "date_of_birth")
    known = [*schema.names, "lon", "lat", "easting", "northing", "x", "y", *derived]
    for name in columns or {}:
        if name not in schema.names and name not in COORDINATE_NAMES and name not in derived:
            raise InputError(
                f"--columns: '{name}' is not a field of {schema.kind}; "
                f"the fields are {', '.join(known)}"
            )


def _naptan_kind(kind: str, source: str) -> None:
    if kind != "stops":
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                f"a file of {kind}",
                "NaPTAN XML, which holds stops",
                "read NaPTAN XML as kind 'stops'",
            )
        )


def _validate(parsed: Parsed, kind: str, on_bad_row: OnBadRow) -> Layer:
    return validate(
        parsed.frame,
        kind,
        source=parsed.source,
        on_bad_row=on_bad_row,
        row_problems=parsed.problems,
        names=parsed.names,
        decimal=parsed.decimal,
    )
