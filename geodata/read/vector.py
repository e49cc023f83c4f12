"""Vector files: GeoJSON, GeoPackage, Shapefile (.shp or .zip) and GeoParquet.

GeoJSON is parsed here from text (``json`` + shapely), so a bad feature is a row
problem rather than a failed file; the binary formats go through pyogrio (GDAL) and
pyarrow, and any error they raise becomes a :class:`ValidationError` naming the file.
A file without a CRS is accepted only when the caller passes ``crs=``.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely.geometry

from geodata.errors import InputError, Problem, ValidationError
from geodata.read._records import Parsed, apply_columns, find_coordinates, parse_crs
from geodata.read.table import decode, read_bytes

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from geodata.schema import Schema

__all__ = ["dbf_names", "parse_geojson", "read_vector"]

log = logging.getLogger(__name__)

_SHAPE_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    shapely.errors.ShapelyError,
)


def parse_geojson(
    text: str | bytes,
    *,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
    source: str = "<text>",
) -> Parsed:
    """Parse GeoJSON text (a FeatureCollection, a Feature or a list of Features).

    The CRS is the legacy ``crs`` member when present, else WGS84 (RFC 7946). Features
    are numbered from 1 in file order.
    """
    if isinstance(text, bytes):
        text = decode(text, source)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValidationError(
            _unreadable(source, "a GeoJSON file", f"invalid JSON ({exc})")
        ) from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    else:
        features = data
    if not isinstance(features, list):
        raise ValidationError(
            _unreadable(
                source, "a GeoJSON FeatureCollection", f"JSON of type {type(data).__name__}"
            )
        )
    records, shapes, problems = [], [], []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        record = {str(k): v for k, v in props.items()} if isinstance(props, dict) else {}
        record.pop("geometry", None)
        shape = None
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry is not None:
            try:
                shape = shapely.geometry.shape(geometry)
            except (*_SHAPE_ERRORS, RecursionError) as exc:
                problems.append(
                    Problem(
                        source,
                        number,
                        "geometry",
                        "a valid GeoJSON geometry",
                        f"{type(exc).__name__}: {str(exc)[:60]}",
                        "fix or remove this feature's geometry",
                    )
                )
        records.append(record)
        shapes.append(shape)
    file_crs = _legacy_crs(data, source) if isinstance(data, dict) else None
    frame = gpd.GeoDataFrame(
        pd.DataFrame.from_records(records, index=pd.RangeIndex(1, len(records) + 1, name="row"))
        if records
        else pd.DataFrame(index=pd.RangeIndex(1, 1, name="row")),
        geometry=gpd.GeoSeries(shapes, index=pd.RangeIndex(1, len(shapes) + 1, name="row")),
        crs=file_crs or "EPSG:4326",
    )
    return _finish(frame, columns, crs, source, problems)


def read_vector(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    crs: object = None,
    layer: str | None = None,
) -> Parsed:
    """Read a GeoJSON, GeoPackage, Shapefile (.shp, .zip) or GeoParquet file.

    Parameters
    ----------
    layer
        The layer of a GeoPackage (or zip) holding several; required then.
    crs
        The CRS to assume when the file has none (or to override a wrong one).
    """
    source = str(path)
    suffix = Path(path).suffix.lower()
    if suffix in (".geojson", ".json"):
        return parse_geojson(read_bytes(path), columns=columns, crs=crs, source=source)
    if not Path(path).exists():
        read_bytes(path)  # raises the not-found problem
    try:
        if suffix in (".parquet", ".geoparquet"):
            frame = _read_parquet(path)
        else:
            frame = _read_ogr(path, layer, source)
    except ValidationError:
        raise
    except Exception as exc:  # GDAL, pyogrio and pyarrow raise many types for a bad file
        raise ValidationError(
            _unreadable(
                source,
                f"a readable {suffix.lstrip('.') or 'vector'} file",
                f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}",
            )
        ) from exc
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return _finish(frame, columns, crs, source, [])


def _read_ogr(path: str | os.PathLike[str], layer: str | None, source: str) -> pd.DataFrame:
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    if layer is None and len(layers) > 1:
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                "one layer, or layer= naming one",
                f"{len(layers)} layers: {', '.join(layers[:10])}",
                "pass layer='NAME' (--layer NAME)",
            )
        )
    if layer is not None and layer not in layers:
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                f"a layer '{layer}'",
                f"layers {', '.join(layers[:10])}",
                "pass one of the listed layer names",
            )
        )
    return pyogrio.read_dataframe(path, layer=layer)


def _read_parquet(path: str | os.PathLike[str]) -> pd.DataFrame:
    try:
        return gpd.read_parquet(path)
    except ValueError as exc:
        if "geo" not in str(exc).lower():
            raise
    log.info("%s has no GeoParquet metadata; reading it as a plain table", path)
    return pd.read_parquet(path)


def _finish(
    frame: pd.DataFrame,
    columns: Mapping[str, str] | None,
    crs: object,
    source: str,
    problems: list[Problem],
) -> Parsed:
    if crs is not None and isinstance(frame, gpd.GeoDataFrame) and _has_geometry(frame):
        wanted = parse_crs(crs, source)
        if frame.crs is not None and frame.crs != wanted:
            log.warning("%s: declares %s; using %s as asked", source, frame.crs.to_string(), crs)
        frame = frame.set_crs(wanted, allow_override=True)
    frame, names = apply_columns(frame, columns, source)
    frame = find_coordinates(frame, names, crs, source)
    return Parsed(frame, source, tuple(problems), names)


#: A name a DBF writer (GDAL) made unique after cutting it: ``lease_br_1``.
_NUMBERED = re.compile(r"(.+)_\d+")


def dbf_names(parsed: Parsed, schema: Schema) -> Parsed:
    """A Shapefile's column names cut to 10 characters (``running_co``) renamed to the
    schema field they begin, with a warning. A cut name that could be two fields, or
    that the writer numbered after a clash (``lease_brea``, ``lease_br_1``), is a
    one-line error saying how to map it with ``--columns``."""
    columns = [c for c in parsed.frame.columns if isinstance(c, str)]
    present = {c.lower() for c in columns}
    long = [f.name for f in schema.fields if len(f.name) > 10 and f.name not in present]
    stems = [m.group(1) for c in present if len(c) <= 10 and (m := _NUMBERED.fullmatch(c))]
    renames: dict[str, str] = {}
    for column in columns:
        name = column.lower()
        if name in schema.names:
            continue
        fits = [f for f in long if len(name) == 10 and f.startswith(name)]
        clash = any(name.startswith(stem) for stem in stems)
        if not fits and (m := _NUMBERED.fullmatch(name)) and len(name) <= 10:
            fits, clash = [f for f in long if f.startswith(m.group(1))], True
        if len(fits) == 1 and not clash:
            renames[column] = fits[0]
        elif fits:
            raise InputError(
                f"{parsed.source}: column '{column}' (a Shapefile cuts names to 10 "
                f"characters) could be {' or '.join(fits)}; say which with --columns "
                f"{fits[0]}={column} (or save the file as GeoPackage, which keeps names)"
            )
    if not renames:
        return parsed
    log.warning(
        "%s: a Shapefile cuts column names to 10 characters; reading %s",
        parsed.source,
        ", ".join(f"{a} as {b}" for a, b in renames.items()),
    )
    names = {**parsed.names, **{b: a for a, b in renames.items()}}
    frame = parsed.frame.rename(columns=renames)
    return Parsed(frame, parsed.source, parsed.problems, names, parsed.decimal)


def _has_geometry(frame: gpd.GeoDataFrame) -> bool:
    try:
        return frame.geometry.name in frame.columns
    except AttributeError:
        return False


def _legacy_crs(data: dict, source: str) -> object:
    member = data.get("crs")
    if not isinstance(member, dict):
        return None
    props = member.get("properties")
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(name, str):
        return None
    if name.upper().endswith("CRS84"):
        return "EPSG:4326"
    return parse_crs(name, source)


def _unreadable(source: str, expected: str, found: str) -> Problem:
    return Problem(
        source, None, None, expected, found, "check the file opens in QGIS, or export it again"
    )
