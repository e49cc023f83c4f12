"""Uploaded spreadsheets (``.xlsx``, ``.ods``, ``.xls``): checked by content, their
sheets, and each sheet's header as the engine's reader sees it.

A workbook is accepted only when its bytes are what its name says: a zip archive
holding ``[Content_Types].xml`` (``.xlsx``) or an OpenDocument ``mimetype`` (``.ods``)
that unpacks to at most :data:`MAX_UNPACKED_BYTES`, or an OLE compound file (``.xls``).
The engine reads ``.xlsx`` and ``.ods`` (:mod:`geodata.read.sheet`), not ``.xls``: an
``.xls`` upload is saved as ``.xlsx`` (every sheet, cell values as stored). A refused
file raises ValueError with one line saying why and what to do.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING

import python_calamine as pc
from openpyxl import Workbook

from geodata.errors import ValidationError
from geodata.read.sheet import read_sheet

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MAX_UNPACKED_BYTES", "SUFFIXES", "check_content", "first_table", "header",
           "save_as_xlsx", "sheets"]  # fmt: skip

#: The workbook suffixes an upload may have.
SUFFIXES = (".xlsx", ".ods", ".xls")
#: The most a workbook's zip may unpack to (a zip bomb is refused before it is read).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_WHAT = {".xlsx": "an Excel .xlsx workbook", ".ods": "an OpenDocument .ods spreadsheet",
         ".xls": "an Excel 97-2003 .xls workbook"}  # fmt: skip


def _not_one(name: str, suffix: str, found: str) -> ValueError:
    return ValueError(
        f"{name}: expected {_WHAT[suffix]}, found {found}; open it in the spreadsheet and "
        "save it again, or save the table as CSV"
    )


def _check_zip(data: bytes, name: str, suffix: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            members = book.infolist()
            listed = {m.filename for m in members}
            mimetype = book.read("mimetype").strip() if "mimetype" in listed else b""
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise _not_one(name, suffix, "a damaged zip archive") from None
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        cap = MAX_UNPACKED_BYTES // (1024 * 1024)
        raise ValueError(f"{name}: expected a workbook that unpacks to at most {cap} MB, "
                         "found a larger one; remove unused sheets or save it as CSV")  # fmt: skip
    if suffix == ".xlsx" and "[Content_Types].xml" not in listed:
        raise _not_one(name, suffix, "a zip archive that is not a workbook")
    if suffix == ".ods" and mimetype != ODS_MIMETYPE:
        raise _not_one(name, suffix, "a zip archive that is not an OpenDocument spreadsheet")


def check_content(data: bytes, name: str, suffix: str) -> None:
    """The bytes are the workbook ``suffix`` says, or ValueError (one line)."""
    signature = OLE_SIGNATURE if suffix == ".xls" else ZIP_SIGNATURE
    if not data.startswith(signature):
        raise _not_one(name, suffix, "a file of another type")
    if suffix != ".xls":
        _check_zip(data, name, suffix)


def save_as_xlsx(source: Path, target: Path, name: str) -> None:
    """An ``.xls`` workbook's sheets written to ``target`` as ``.xlsx``, or ValueError."""
    try:
        book = pc.CalamineWorkbook.from_path(str(source))
        tables = [(s, book.get_sheet_by_name(s).to_python()) for s in book.sheet_names]
    except Exception as exc:  # calamine's errors: OLE, BIFF records, password
        raise _not_one(name, ".xls", f"a file that does not open as one "
                                     f"({type(exc).__name__})") from None  # fmt: skip
    out = Workbook(write_only=True)
    for title, rows in tables:
        sheet = out.create_sheet(title[:31])
        for row in rows:
            sheet.append([None if v == "" else v for v in row])
    out.save(target)


def sheets(path: Path) -> list[str]:
    """The workbook's sheet names, in order."""
    return list(pc.CalamineWorkbook.from_path(str(path)).sheet_names)


def header(path: Path, sheet: str) -> list[str]:
    """The sheet's column names as the engine reads them (title lines above the header
    skipped), or ValidationError naming the sheet."""
    parsed = read_sheet(path, sheet=sheet)
    # names: column → "<the sheet's own name>, column <letter>", in the sheet's order
    return [re.sub(r", column [A-Z]+$", "", parsed.names.get(c, c)) for c in parsed.frame.columns]


def first_table(path: Path) -> tuple[str | None, str]:
    """The first sheet with a header and rows under it, and (when none has) the first
    sheet's problem (one line, naming ``path``)."""
    problem = f"{path}: expected a sheet with a header row and rows of data, found no sheets"
    for i, name in enumerate(sheets(path)):
        try:
            header(path, name)
        except ValidationError as exc:
            problem = str(exc.problems[0]) if i == 0 else problem
            continue
        return name, ""
    return None, problem
