"""Uploaded input files: type-checked, size-capped, stored under names the server makes.

A file is accepted only when its name ends in a known suffix and its content passes
that suffix's check (:data:`CHECKS`: a CSV must decode as text and parse as a table
with a header row). Nothing is stored for a refused file. The client's file name is
kept for display only; the file is saved as ``uploads/<random hex><suffix>``.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from geodata.errors import ValidationError
from geodata.read.table import decode

if TYPE_CHECKING:
    from collections.abc import Callable

    from optimise.app.store import Workspace

__all__ = [
    "CHECKS",
    "KINDS",
    "MAX_UPLOAD_BYTES",
    "UploadRefused",
    "header_of",
    "store_upload",
    "too_big",
]

#: The kinds of file the transport page takes.
KINDS = ("pupils", "schools", "stops", "fleet")
#: The largest upload accepted (bytes), enforced while the request is read.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadRefused(Exception):
    """An upload not stored; the message says why and what to do (one line)."""


def _display(name: str) -> str:
    """The client's file name without any folder part, printable, at most 120 chars."""
    base = PurePath(name.replace("\\", "/")).name or "file"
    return "".join(c if c.isprintable() else "?" for c in base)[:120]


def _csv_header(data: bytes, name: str) -> list[str]:
    """The header of CSV bytes, or UploadRefused: binary data, no header, unreadable."""
    try:
        text = decode(data, name).lstrip("\ufeff")
    except ValidationError as exc:
        raise UploadRefused(str(exc.problems[0])) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise UploadRefused(
            f"{name}: expected a header row of column names, found an empty file "
            "(export the table again with its header row)"
        )
    delimiter = max(",;\t|", key=first.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise UploadRefused(
            f"{name}: expected a CSV table, found unreadable text ({exc}); "
            "export the table again as CSV (UTF-8) from the spreadsheet"
        ) from None
    header = [cell.strip() for cell in next(r for r in rows if any(c.strip() for c in r))]
    if len(header) < 2 or not all(header):
        raise UploadRefused(
            f"{name}: expected a header row of named columns separated by commas, found "
            f"{first[:80]!r}; export the table as CSV with its header row"
        )
    return header


#: Suffix → check of the bytes returning the header (add ``.xlsx`` here when
#: ``geodata.read`` reads spreadsheets).
CHECKS: dict[str, Callable[[bytes, str], list[str]]] = {".csv": _csv_header}


def _suffix(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix not in CHECKS:
        raise UploadRefused(
            f"{name}: expected a file ending {', '.join(CHECKS)}, found "
            f"'{suffix or 'no extension'}'; save the table as CSV and upload that"
        )
    return suffix


def store_upload(ws: Workspace, kind: str, filename: str, data: bytes) -> int:
    """Check ``data`` and keep it; the new upload's id, or UploadRefused."""
    name = _display(filename)
    if kind not in KINDS:
        raise UploadRefused(f"kind: expected one of {', '.join(KINDS)}, found {kind[:40]!r}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_big(name))
    if not data:
        raise UploadRefused(f"{name}: expected a CSV table, found an empty file")
    suffix = _suffix(name)
    CHECKS[suffix](data, name)
    stored = secrets.token_hex(16) + suffix
    target = ws.uploads / stored
    partial = target.with_name(f".{stored}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return ws.add_upload(kind, name, stored, len(data))


def too_big(name: str) -> str:
    cap = MAX_UPLOAD_BYTES // (1024 * 1024)
    return (f"{name}: expected a file of at most {cap} MB, found a larger one; split it or "
            "remove unused columns")  # fmt: skip


def header_of(path: Path) -> list[str]:
    """The header of a stored upload (checked when it was stored)."""
    return CHECKS[path.suffix.lower()](path.read_bytes(), path.name)
