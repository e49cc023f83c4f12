"""Spreadsheets and postcodes (issue #15): read a 10,000-row pupils workbook with the
chosen reader (python-calamine) and the common one (openpyxl) side by side, then
geocode its postcodes against the embedded Code-Point Open.

Run on purpose (not by the test command), from the repository root:

    python benchmarks/bench_spreadsheet.py [--rows 10000] [--repeat 5]

The workbook has a title line, a header, and per pupil an id, a school id, a real
Northumberland postcode (drawn from Code-Point Open's NE and TD areas), a date of
birth stored as a spreadsheet date and a Yes/No flag. Prints a markdown table: the
median of ``--repeat`` runs of each step, in seconds, and the rows read (each reader
must give the same cells, or the script stops), the postcode lookup (a fresh table each
time: the area files are read from the zip), and the whole reader (``geodata.read.read``:
sheet, postcodes, ages, validation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _postcodes(n: int) -> list[str]:
    import numpy as np
    import pandas as pd

    from geodata.geocode import default_postcodes

    table = default_postcodes()
    with zipfile.ZipFile(table.archive) as z:
        codes = [c for area in ("ne", "td")
                 for c in pd.read_csv(z.open(f"Data/CSV/{area}.csv"), header=None)[0]]  # fmt: skip
    rng = np.random.default_rng(2026)
    return [codes[i] for i in rng.integers(0, len(codes), n)]


def _workbook(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Pupils")
    sheet.append(["Home to school transport: pupils, exported 01/09/2026"])
    sheet.append(["Pupil ID", "School", "Postcode", "DOB", "Wheelchair"])
    for i, code in enumerate(_postcodes(rows)):
        born = dt.date(2010, 9, 1) + dt.timedelta(days=i % 3650)
        sheet.append([f"P{i:05d}", f"S{i % 150:03d}", code, born, "Yes" if i % 50 == 0 else "No"])
    book.save(path)


def _calamine(path: Path) -> list[list[str]]:
    from geodata.read.sheet import read_sheet

    parsed = read_sheet(f"{path}#Pupils")
    return parsed.frame.astype(str).to_numpy().tolist()


def _openpyxl(path: Path) -> list[list[str]]:
    import openpyxl

    from geodata.read.sheet import cell_text

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [[cell_text(v) for v in row] for row in book["Pupils"].iter_rows(values_only=True)]
    book.close()
    return [r for r in rows[2:] if any(r)]


def _geocode(path: Path) -> int:
    from geodata.geocode import PostcodeTable, default_postcodes, normalise
    from geodata.read.sheet import read_sheet

    fresh = PostcodeTable(default_postcodes().source, archive=default_postcodes().archive)
    codes = read_sheet(f"{path}#Pupils").frame["Postcode"]
    return sum(fresh.lookup(normalise(c)) is not None for c in codes)


def _read(path: Path) -> int:
    """The whole reader: sheet, postcodes, ages from dates of birth, validation."""
    from geodata.read import read
    from geodata.read.derived import ReadSettings

    columns = {"id": "Pupil ID", "school_id": "School", "wheelchair": "Wheelchair"}
    layer = read(f"{path}#Pupils", "pupils", columns=columns, on_bad_row="skip",
                 settings=ReadSettings(school_year=2026))  # fmt: skip
    return len(layer)


def _median(fn, path: Path, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pupils.xlsx"
        _workbook(path, args.rows)
        cal_s, cal = _median(_calamine, path, args.repeat)
        opx_s, opx = _median(_openpyxl, path, args.repeat)
        if cal != opx:
            sys.exit("the two readers disagree on the cells")
        geo_s, found = _median(_geocode, path, args.repeat)
        read_s, kept = _median(_read, path, args.repeat)
        print("| rows | python-calamine s | openpyxl s | ratio | geocode s (cold) | found | "
              "read() end to end s | rows kept |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|")
        print(f"| {len(cal):,} | {cal_s:.3f} | {opx_s:.3f} | {opx_s / cal_s:.1f}× | "
              f"{geo_s:.3f} | {found:,} | {read_s:.2f} | {kept:,} |")  # fmt: skip


if __name__ == "__main__":
    main()
