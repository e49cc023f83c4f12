"""Uploaded input files: type-checked, size-capped, stored under names the server makes.

A file is accepted only when its name ends in a known suffix and its content passes
that suffix's check: a CSV must decode as text and parse as a table with a header
row; a workbook (:mod:`~optimise.app.workbooks`) must be the kind its name says and
have a sheet with a header and rows. Nothing is stored for a refused file. The
client's file name is kept for display only; the file is saved as
``uploads/<random hex><suffix>`` (an ``.xls`` workbook as ``.xlsx``).
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
from optimise.app import workbooks

if TYPE_CHECKING:
    from optimise.app.store import Workspace

__all__ = [
    "KINDS",
    "MAX_UPLOAD_BYTES",
    "PLAN",
    "SITES",
    "SUFFIXES",
    "UPLOAD_KINDS",
    "UploadRefused",
    "header_of",
    "sheets_of",
    "store_upload",
    "too_big",
]

#: The kinds of file the transport page takes.
KINDS = ("pupils", "schools", "stops", "fleet")
#: The optional current plan (``--current-plan``): route, vehicle_type, sequence, id.
PLAN = "current_plan"
#: The estate page's asset register (``optimise estate --sites``).
SITES = "sites"
#: Every kind an upload may be.
UPLOAD_KINDS = (*KINDS, PLAN, SITES)
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


#: The suffixes an upload may have.
SUFFIXES = (".csv", *workbooks.SUFFIXES)


def _suffix(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadRefused(
            f"{name}: expected a file ending {', '.join(SUFFIXES)}, found "
            f"'{suffix or 'no extension'}'; save the table as CSV or .xlsx and upload that"
        )
    return suffix


def _checked_workbook(ws: Workspace, data: bytes, name: str, suffix: str, stored: str) -> Path:
    """The workbook written to a hidden file beside ``stored`` and checked (an ``.xls``
    saved as ``.xlsx``); its path, or UploadRefused with nothing left behind."""
    incoming = ws.uploads / f".{stored}.incoming{suffix}"
    checked = ws.uploads / f".{stored}.checked.xlsx" if suffix == ".xls" else incoming
    try:
        workbooks.check_content(data, name, suffix)
        incoming.write_bytes(data)
        if suffix == ".xls":
            workbooks.save_as_xlsx(incoming, checked, name)
        sheet, problem = workbooks.first_table(checked)
    except ValueError as exc:
        sheet, problem = None, str(exc)
    except Exception as exc:  # calamine's errors on a damaged workbook
        sheet, problem = None, f"{name}: expected a readable workbook, found {type(exc).__name__}"
    finally:
        if checked != incoming:
            incoming.unlink(missing_ok=True)
    if sheet is None:
        checked.unlink(missing_ok=True)
        raise UploadRefused(problem.replace(str(checked), name))
    return checked


def _store_csv(ws: Workspace, data: bytes, name: str, stored: str) -> None:
    _csv_header(data, name)
    target = ws.uploads / stored
    partial = target.with_name(f".{stored}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def store_upload(ws: Workspace, kind: str, filename: str, data: bytes) -> int:
    """Check ``data`` and keep it; the new upload's id, or UploadRefused."""
    name = _display(filename)
    if kind not in UPLOAD_KINDS:
        raise UploadRefused(f"kind: expected one of {', '.join(UPLOAD_KINDS)}, found {kind[:40]!r}")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_big(name))
    if not data:
        raise UploadRefused(f"{name}: expected a CSV table or a workbook, found an empty file")
    suffix = _suffix(name)
    stored = secrets.token_hex(16) + (".xlsx" if suffix == ".xls" else suffix)
    if suffix == ".csv":
        _store_csv(ws, data, name, stored)
    else:
        os.replace(_checked_workbook(ws, data, name, suffix, stored), ws.uploads / stored)
    return ws.add_upload(kind, name, stored, len(data))


def too_big(name: str) -> str:
    cap = MAX_UPLOAD_BYTES // (1024 * 1024)
    return (f"{name}: expected a file of at most {cap} MB, found a larger one; split it or "
            "remove unused columns")  # fmt: skip


def sheets_of(path: Path) -> list[str]:
    """A stored workbook's sheet names (none for a CSV file)."""
    return [] if path.suffix.lower() == ".csv" else workbooks.sheets(path)


def header_of(path: Path, sheet: str | None = None) -> list[str]:
    """The header of a stored upload (of its sheet ``sheet``, for a workbook); a CSV
    file's was checked when it was stored, a sheet's raises ValidationError."""
    if path.suffix.lower() == ".csv":
        return _csv_header(path.read_bytes(), path.name)
    return workbooks.header(path, sheet or workbooks.sheets(path)[0])
