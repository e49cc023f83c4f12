"""Column mapping: which of a file's columns holds each engine field.

The transport page shows one drop-down per field of the file's kind
(:data:`geodata.schema.SCHEMAS`) and per coordinate column, pre-filled with the file's
column of the same name (case, spaces, dashes and underscores ignored). The form's
choice is checked against the file's own header: a column the file does not have is
refused, never passed on.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from geodata.errors import InputError
from geodata.schema import SCHEMAS

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["COORDINATES", "fields_of", "from_form", "guess"]

#: Coordinate columns a file may map (lon/lat in WGS84 or British National Grid).
COORDINATES = ("lon", "lat", "easting", "northing")


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


def fields_of(kind: str) -> list[tuple[str, bool, str]]:
    """(name, required, help) of each field a file of ``kind`` may map."""
    out = [(f.name, f.required, f.help) for f in SCHEMAS[kind].fields]
    if SCHEMAS[kind].geometry != "none":
        out += [(c, False, "coordinate column") for c in COORDINATES]
    return out


def guess(kind: str, header: list[str]) -> dict[str, str]:
    """Field → the header's column of the same name (or nothing)."""
    by_key = {_key(col): col for col in reversed(header)}
    return {name: by_key[_key(name)] for name, _r, _h in fields_of(kind) if _key(name) in by_key}


def from_form(kind: str, header: list[str], form: Mapping[str, str], source: str) -> dict[str, str]:
    """The mapping chosen on the form (fields ``col.<kind>.<field>``), each a column of
    ``header``; an unknown column is one line naming the file and the field."""
    out = {}
    for name, _required, _help in fields_of(kind):
        column = str(form.get(f"col.{kind}.{name}", "")).strip()
        if not column:
            continue
        if column not in header:
            raise InputError(
                f"{source}: field '{name}': expected a column of the file "
                f"({', '.join(header)[:200]}), found {column[:60]!r}; pick one from the list"
            )
        out[name] = column
    return out
