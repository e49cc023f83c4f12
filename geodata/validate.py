"""Check a table against its schema once, at the boundary, and say what to do.

:func:`validate` turns a frame read from a user's file into a :class:`Layer`: canonical
columns, converted values, ``id`` as text, defaults filled, geometry in British
National Grid (EPSG:27700). Every problem names the file, the 1-based data row (or
feature), the column, what was expected and what was found (:class:`Problem`).
Coordinates arrive either as a geometry column (GeoDataFrame with a CRS) or as columns
``lon``/``lat`` (WGS84) or ``easting``/``northing`` (British National Grid).
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata import _geometry
from geodata._coerce import BadValue, coerce, describe, is_empty
from geodata.errors import InputError, Problem, ValidationError
from geodata.schema import SCHEMAS, Schema

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Mapping

    from geodata.schema import Field

__all__ = ["Layer", "check", "check_file", "validate"]

log = logging.getLogger(__name__)

OnBadRow = Literal["error", "skip"]


@dataclass(frozen=True, eq=False)
class Layer:
    """A validated input: what every later step reads.

    Parameters
    ----------
    frame
        GeoDataFrame in EPSG:27700: the schema's columns (converted, defaults filled),
        then the file's other columns, then ``geometry``. Index 0..n-1.
    kind
        The schema's kind, e.g. ``"sites"``.
    source
        The file (or ``"<text>"``) it came from.
    skipped
        Problems of the rows left out with ``on_bad_row="skip"``.
    filled
        For each column present in the file, how many empty cells took the default.
    notes
        What the reader derived or assumed, for a run's summary: locations from
        postcodes (and the table's vintage), ages from dates of birth, the file's columns
        no field uses (``columns_not_used``). Also in ``frame.attrs["read"]``.
    """

    frame: gpd.GeoDataFrame
    kind: str
    source: str
    skipped: tuple[Problem, ...] = ()
    filled: Mapping[str, int] = field(default_factory=dict)
    notes: Mapping[str, object] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)


def validate(
    frame: pd.DataFrame,
    kind_or_schema: str | Schema,
    *,
    source: str,
    on_bad_row: OnBadRow = "error",
    row_problems: Iterable[Problem] = (),
    names: Mapping[str, str] | None = None,
    decimal: str = ".",
) -> Layer:
    """Check and convert ``frame`` against a schema.

    Parameters
    ----------
    frame
        Canonical column names (map them first). An index named ``"row"`` holds the
        file's 1-based row numbers; otherwise rows are numbered from 1 in order.
    kind_or_schema
        A key of :data:`geodata.schema.SCHEMAS` or a :class:`Schema`.
    source
        The file name used in messages.
    on_bad_row
        ``"error"`` raises :class:`ValidationError` listing every problem; ``"skip"``
        leaves the bad rows out and lists their problems in ``Layer.skipped``.
    row_problems
        Row problems already found while parsing (their rows count as bad).
    names
        Canonical name → the file's own column name, so messages use the file's names.
    decimal
        The decimal mark of text numbers: ``"."``, ``","`` (a semicolon CSV written
        with decimal commas: ``18000,5``, ``1.234,5``) or ``"?"`` (a semicolon CSV
        without them); see :func:`geodata._coerce.coerce`.

    Raises
    ------
    ValidationError
        File-level problems (missing column, missing CRS, no coordinates) always; row
        problems when ``on_bad_row="error"``.
    InputError
        Unknown kind or ``on_bad_row`` value.
    """
    schema = schema_for(kind_or_schema)
    if on_bad_row not in ("error", "skip"):
        raise InputError(f"on_bad_row must be 'error' or 'skip', not {on_bad_row!r}")
    labels = dict(names or {})
    frame = _canonical_names(frame, schema)
    _require_columns(frame, schema, source, labels)
    rows = _row_numbers(frame)
    if not rows and not row_problems:
        raise ValidationError(
            Problem(
                source,
                None,
                None,
                f"at least one row of {schema.kind} under the header",
                "no data rows",
                "add the rows, or export the table again",
            )
        )
    problems = list(row_problems)
    geoms, used, geo_problems = _geometry.build(frame, schema.geometry, source, rows, labels)
    problems += geo_problems
    values, filled, value_problems = _convert(frame, schema, (source, decimal), rows, labels)
    problems += value_problems
    problems += _duplicates(values[schema.id_field], rows, source, labels.get("id", "id"))
    problems += _cross_field(schema.kind, values, rows, source, labels)
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    if problems and on_bad_row == "error":
        raise ValidationError(problems)
    bad = {p.row for p in problems}
    keep = np.array([r not in bad for r in rows], dtype=bool)
    out = _assemble(frame, schema, values, used, geoms, keep)
    # Each kept row's number as the user sees it, for checks made later on the frame
    # (a pupil's school in another file: geodata.references).
    out.attrs["rows"] = [r for r, k in zip(rows, keep, strict=True) if k]
    out.attrs["labels"] = labels  # canonical name → the file's name, for those checks
    if problems:
        log.info("%s: skipped %d bad rows of %d", source, len(rows) - int(keep.sum()), len(rows))
    for name, count in filled.items():
        log.info("%s: %d empty '%s' cells took the default", source, count, name)
    return Layer(out, schema.kind, source, tuple(problems), filled)


def check(path: str | os.PathLike[str], kind: str, **read_kwargs: Any) -> list[Problem]:
    """Every problem with a file, without raising (for ``optimise data check``).

    File-level problems (unreadable file, missing column, missing CRS) stop the check
    early; they are returned like row problems. ``read_kwargs`` go to
    :func:`geodata.read.read` (``columns``, ``crs``, ``layer``, ``settings``).
    """
    return check_file(path, kind, **read_kwargs)[0]


def check_file(
    path: str | os.PathLike[str], kind: str, **read_kwargs: Any
) -> tuple[list[Problem], dict[str, object]]:
    """:func:`check`, and what the reader noted (:attr:`Layer.notes`; empty when the
    file did not read)."""
    from geodata.read import read  # read imports this module

    read_kwargs.pop("on_bad_row", None)
    try:
        layer = read(path, kind, on_bad_row="skip", **read_kwargs)
    except ValidationError as exc:
        return list(exc.problems), {}
    return list(layer.skipped), dict(layer.notes)


def schema_for(kind_or_schema: str | Schema) -> Schema:
    """The schema for a kind name (or the schema itself)."""
    if isinstance(kind_or_schema, Schema):
        return kind_or_schema
    if kind_or_schema not in SCHEMAS:
        close = difflib.get_close_matches(str(kind_or_schema), SCHEMAS, n=1)
        guess = f"; did you mean '{close[0]}'?" if close else ""
        raise InputError(f"unknown kind {kind_or_schema!r}{guess} Use one of: {', '.join(SCHEMAS)}")
    return SCHEMAS[kind_or_schema]


def _canonical_names(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Rename columns that differ from a schema name only by case, or are aliases."""
    present = {str(c) for c in frame.columns}
    renames: dict[str, str] = {}
    for f in schema.fields:
        if f.name in present:
            continue
        candidates = (f.name, *schema.aliases.get(f.name, ()))
        for column in frame.columns:
            if str(column).strip().lower() in candidates and column not in renames:
                renames[column] = f.name
                break
    if renames:
        log.info("using columns %s", ", ".join(f"{a!r} as {b!r}" for a, b in renames.items()))
        frame = frame.rename(columns=renames)
    return frame


def _require_columns(
    frame: pd.DataFrame, schema: Schema, source: str, labels: Mapping[str, str]
) -> None:
    geometry = _geometry.geometry_name(frame)
    columns = [str(c) for c in frame.columns if c != geometry]
    problems = []
    for name in schema.required:
        if name in columns:
            continue
        close = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
        guess = f"did you mean {describe(close[0])}? " if close else ""
        more = ", ..." if len(columns) > 12 else ""
        shown = ", ".join(describe(c) for c in columns[:12]) + more
        problems.append(
            Problem(
                source,
                None,
                labels.get(name, name),
                f"a column '{name}' ({schema.field(name).help or schema.kind})",
                f"no such column; the columns are {shown or 'none'}",
                f"{guess}map it with --columns {name}=YOURCOLUMN",
            )
        )
    if geometry is None and schema.geometry in ("point", "point-or-area"):
        located = {"lon", "lat"} <= set(columns) or {"easting", "northing"} <= set(columns)
        if not located:
            wanted = "location columns: lon and lat, easting and northing, a postcode or a UPRN"
            hint = "add them, or map yours with --columns lon=COLUMN,lat=COLUMN"
            problems.append(Problem(source, None, None, wanted, "none of them", hint))
    if problems:
        raise ValidationError(problems)


def _row_numbers(frame: pd.DataFrame) -> list[int]:
    if frame.index.name == "row":
        return [int(r) for r in frame.index]
    return list(range(1, len(frame) + 1))


def _convert(
    frame: pd.DataFrame,
    schema: Schema,
    where: tuple[str, str],
    rows: list[int],
    labels: Mapping[str, str],
) -> tuple[dict[str, pd.Series], dict[str, int], list[Problem]]:
    """Each schema field converted; ``where`` is (source, decimal mark)."""
    source, decimal = where
    values: dict[str, pd.Series] = {}
    filled: dict[str, int] = {}
    problems: list[Problem] = []
    for f in schema.fields:
        label = labels.get(f.name, f.name)
        if f.name not in frame.columns:
            values[f.name] = _column([f.default] * len(frame), f)
            continue
        out: list[object] = []
        empties = 0
        for row, cell in zip(rows, frame[f.name].tolist(), strict=True):
            try:
                value = coerce(cell, f, decimal=decimal)
            except BadValue as bad:
                problems.append(Problem(source, row, label, bad.expected, describe(cell), bad.hint))
                value = None
            else:
                if value is None or (f.name == schema.id_field and value == ""):
                    if f.required:
                        problems.append(_empty_required(source, row, label, f))
                    else:
                        empties += 1
                    value = f.default
            out.append(value)
        if empties and f.default not in (None, ""):
            filled[f.name] = empties
        values[f.name] = _column(out, f)
    return values, filled, problems


def _empty_required(source: str, row: int, label: str, f: Field) -> Problem:
    return Problem(
        source,
        row,
        label,
        f"a value ({f.help or f.type})",
        "an empty cell",
        "fill it in, or leave the row out with --on-bad-row skip",
    )


def _column(values: list[object], f: Field) -> pd.Series:
    if f.type == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if f.type == "int":
        dtype = "Int64" if any(v is None for v in values) else "int64"
        return pd.Series(values, dtype=dtype)
    if f.type == "bool":  # pandas' nullable "boolean" (like Int64) when a cell is empty
        return pd.Series(values, dtype="boolean" if any(v is None for v in values) else "bool")
    return pd.Series(values, dtype="object")


def _duplicates(ids: pd.Series, rows: list[int], source: str, label: str) -> list[Problem]:
    first: dict[object, int] = {}
    problems = []
    for row, value in zip(rows, ids.tolist(), strict=True):
        if is_empty(value, loose=False):
            continue
        if value in first:
            problems.append(
                Problem(
                    source,
                    row,
                    label,
                    "a unique id",
                    f"{describe(value)}, also in row {first[value]}",
                    f"give rows {first[value]} and {row} different ids, or remove one",
                )
            )
        else:
            first[value] = row
    return problems


#: Rules between two fields of a row: kind → (field a, field b, a ≤ b or a < b, what to do).
_PAIRS = {
    "schools": (
        ("arrive_min_before", "arrive_max_before", "<=", "the earliest-arrival margin must "
         "not exceed the latest"),
        ("bell_time", "end_time", "<", "the school day must end after it starts"),
    ),
    "fleet": (("wheelchair_spaces", "seats", "<=", "a vehicle has at most as many wheelchair "
               "spaces as seats"),),
}  # fmt: skip


def _cross_field(
    kind: str,
    values: dict[str, pd.Series],
    rows: list[int],
    source: str,
    labels: Mapping[str, str],
) -> list[Problem]:
    """Rules between fields of one row (:data:`_PAIRS`): one problem per row broken."""
    problems = []
    for a, b, op, hint in _PAIRS.get(kind, ()):
        if a not in values or b not in values:
            continue
        for row, x, y in zip(rows, values[a].tolist(), values[b].tolist(), strict=True):
            if is_empty(x) or is_empty(y) or x is pd.NA or y is pd.NA:
                continue
            if (x <= y) if op == "<=" else (x < y):
                continue
            word = "at most" if op == "<=" else "before"
            problems.append(
                Problem(
                    source,
                    row,
                    labels.get(a, a),
                    f"{word} {labels.get(b, b)} ({describe(y)})",
                    describe(x),
                    hint,
                )
            )
    return problems


def _assemble(
    frame: pd.DataFrame,
    schema: Schema,
    values: dict[str, pd.Series],
    used: tuple[str, ...],
    geoms: gpd.GeoSeries,
    keep: np.ndarray,
) -> gpd.GeoDataFrame:
    drop = {*schema.names, *used, _geometry.geometry_name(frame), "geometry"}
    table = pd.DataFrame(values)
    for column in frame.columns:
        if column not in drop and isinstance(column, str):
            table[column] = frame[column].to_numpy()
    out = gpd.GeoDataFrame(table, geometry=geoms.reset_index(drop=True), crs=27700)
    return out.loc[keep].reset_index(drop=True)
