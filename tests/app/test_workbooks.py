"""``optimise serve`` (issue #16): spreadsheet uploads. A workbook (.xlsx, .ods; .xls
by its signature) is type-checked by content, size-capped and saved under a server-made
name; a workbook of several sheets offers a sheet drop-down, and the column drop-downs
are pre-filled from the chosen sheet's header. A bad workbook stores nothing."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from fastapi.testclient import TestClient

from optimise.app import create_app
from optimise.app.uploads import MAX_UPLOAD_BYTES
from tests.app.test_api import _csrf, _ended, _message, _start, _stored, _wait

SCHOOL_ROWS = [["URN", "School Name", "Phase", "Bell Time", "lon", "lat"],
               ["S1", "First", "primary", "08:45", -1.61, 55.17],
               ["S2", "Second", "secondary", "08:50", -1.60, 55.10]]  # fmt: skip


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ods(rows: list[list]) -> bytes:
    """A one-sheet OpenDocument spreadsheet (what LibreOffice writes, in short)."""

    def cell(v) -> str:
        if isinstance(v, float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"/>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'  # noqa: E501

    body = "".join(f"<table:table-row>{''.join(map(cell, r))}</table:table-row>" for r in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Schools">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)  # fmt: skip
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@pytest.fixture()
def app_dir(tmp_path):
    return tmp_path / "workspace"


@pytest.fixture()
def client(app_dir):
    with TestClient(create_app(app_dir, None)) as c:
        c.csrf = _csrf(c.get("/transport").text)
        yield c


def _post(client, name: str, data: bytes, kind: str = "schools"):
    return client.post("/uploads", data={"csrf": client.csrf, "kind": kind},
                       files={"file": (name, data)})  # fmt: skip


def _selected(page: str, select_id: str) -> str:
    found = re.search(rf'id="{select_id}">.*?<option selected>([^<]*)</option>', page, re.S)
    return found.group(1) if found else ""


def test_a_workbook_is_stored_and_its_sheets_offered(client, app_dir):
    data = _xlsx({"Notes": [["written by the transport team"]],
                  "Schools": [["Schools, autumn term"], *SCHOOL_ROWS],
                  "Old": [["ID", "Title", "Bell"], ["X1", "Gone", "09:00"]]})  # fmt: skip
    response = _post(client, "C:\\Users\\me\\schools book.xlsx", data)
    assert response.status_code == 200, _message(response.text)
    files, rows = _stored(app_dir)
    assert [r["original_name"] for r in rows] == ["schools book.xlsx"]
    assert re.fullmatch(r"[0-9a-f]{32}\.xlsx", files[0].name) and len(files) == 1
    assert files[0].read_bytes() == data
    page = response.text
    # the first sheet with a table is chosen; every sheet is offered
    sheet_select = page.split('id="sheet-schools">')[1].split("</select>")[0]
    assert re.findall(r"<option[^>]*>([^<]*)</option>", sheet_select) == ["Notes", "Schools", "Old"]
    assert _selected(page, "sheet-schools") == "Schools"
    assert "schools: schools book.xlsx, sheet Schools" in page
    assert _selected(page, "col-schools-bell_time") == "Bell Time"
    assert _selected(page, "col-schools-lon") == "lon"
    # another sheet: its header fills the drop-downs
    upload_id = rows[0]["id"]
    other = client.get("/transport", params={"schools": upload_id,
                                             f"sheet.schools.{upload_id}": "Old"}).text  # fmt: skip
    assert _selected(other, "sheet-schools") == "Old"
    assert _selected(other, "col-schools-id") == "ID"
    assert _selected(other, "col-schools-bell_time") == ""
    assert "<option selected>URN</option>" not in other


def test_an_unknown_sheet_or_a_sheet_without_a_table_is_one_line(client, app_dir):
    data = _xlsx({"Schools": SCHOOL_ROWS, "Notes": [["just words"]]})
    assert _post(client, "book.xlsx", data).status_code == 200
    for sheet, expected in (("Nope", "book.xlsx: expected one of its sheets (Schools, Notes)"),
                            ("Notes", "book.xlsx#Notes: expected a header row")):  # fmt: skip
        response = client.get("/transport", params={"schools": "1", "sheet.schools.1": sheet})
        assert response.status_code == 400
        assert _message(response.text).startswith(expected)
        assert "uploads" not in _message(response.text)


def test_an_ods_spreadsheet_is_read(client, app_dir):
    response = _post(client, "schools.ods", _ods(SCHOOL_ROWS))
    assert response.status_code == 200, _message(response.text)
    assert re.fullmatch(r"[0-9a-f]{32}\.ods", _stored(app_dir)[0][0].name)
    assert _selected(response.text, "col-schools-phase") == "Phase"


def test_check_and_run_read_the_chosen_sheet(client, app_dir):
    rows = [*SCHOOL_ROWS, ["S3", "Third", "college", "08:50", -1.6, 55.1]]
    data = _xlsx({"Cover": [["nothing here"]], "Schools": rows})
    assert _post(client, "book.xlsx", data).status_code == 200
    form = {"csrf": client.csrf, "schools": "1", "sheet.schools.1": "Schools",
            "col.schools.id": "URN", "col.schools.name": "School Name",
            "col.schools.phase": "Phase", "col.schools.bell_time": "Bell Time"}  # fmt: skip
    page = client.post("/transport/check", data=form).text
    found = re.findall(r"<tr><td>(book\.xlsx)</td><td>(\d*)</td><td>([\w, ]*)</td>", page)
    assert [(f, r) for f, r, _field in found] == [("book.xlsx", "4")]
    assert found[0][2] == "Phase, column C"  # the sheet's own column, with its letter
    # the run reads the same sheet: its problem names the uploaded book and sheet
    run_id = _start(client, client.csrf, **{k: v for k, v in form.items() if k != "csrf"},
                    time_limit="2", run="am")  # fmt: skip
    status = _wait(client, run_id, _ended)
    assert status["status"] == "failed" and status["error"].startswith("book.xlsx#Schools")


BAD = {
    "csv named xlsx": (
        "s.xlsx",
        b"id,name\nS1,x\n",
        "expected an Excel .xlsx workbook, found a file of another type",
    ),
    "damaged zip": ("s.xlsx", b"PK\x03\x04 garbage", "found a damaged zip archive"),
    "zip not a book": ("s.xlsx", None, "found a zip archive that is not a workbook"),
    "xlsx named ods": ("s.ods", _xlsx({"S": SCHOOL_ROWS}), "not an OpenDocument spreadsheet"),
    "xlsx named xls": ("s.xls", _xlsx({"S": SCHOOL_ROWS}), "expected an Excel 97-2003 .xls"),
    "bad xls": ("s.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "does not open as one"),
    "no table": ("s.xlsx", _xlsx({"A": [["one"]], "B": []}), "expected a header row"),
    "header only": ("s.xlsx", _xlsx({"A": [["id", "name"]]}), "expected rows of data"),
}


def _plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_workbook_gives_a_message_and_stores_nothing(client, app_dir, case):
    name, data, expected = BAD[case]
    response = _post(client, name, data if data is not None else _plain_zip())
    assert response.status_code == 400
    message = _message(response.text)
    assert expected in message and message.startswith(name), message
    assert "\n" not in message and "incoming" not in message and "uploads" not in message
    assert _stored(app_dir) == ([], [])


def test_a_zip_bomb_is_refused_before_it_is_read(client, app_dir, monkeypatch):
    from optimise.app import workbooks

    monkeypatch.setattr(workbooks, "MAX_UNPACKED_BYTES", 10_000)
    data = _xlsx({"Schools": SCHOOL_ROWS * 200})
    response = _post(client, "big.xlsx", data)
    assert response.status_code == 400
    assert "unpacks to at most" in _message(response.text)
    assert _stored(app_dir) == ([], [])


def test_an_oversize_workbook_is_refused(client, app_dir):
    data = b"PK\x03\x04" + b"\0" * (MAX_UPLOAD_BYTES + 1)
    response = _post(client, "big.xlsx", data)
    assert response.status_code == 413 and "at most 20 MB" in _message(response.text)
    assert _stored(app_dir) == ([], [])
