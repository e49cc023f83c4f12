"""Route sheets for the operators, from a finished run's ``routes.csv``.

One sheet per route of each run of the day (``am``/``pm``): the vehicle, the passenger
assistant, and the stops in order with their times and pupils boarding and alighting.
``routes.csv`` names no pupil (a home row has an empty id); with personal data on for
the workspace, ``routes-personal.csv`` is read instead and the sheet names the pupils.
The tender pack is a zip of every sheet and the CSV.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["Sheet", "read_sheets", "tender_pack"]


@dataclass
class Sheet:
    """One route of one run: its vehicle and its stops (rows of routes.csv)."""

    run: str
    route: str
    stops: list[dict[str, str]] = field(default_factory=list)

    @property
    def first(self) -> dict[str, str]:
        return self.stops[0]

    @property
    def slug(self) -> str:
        """A file name for the sheet made of the run and route (letters, digits, -)."""
        return re.sub(r"[^A-Za-z0-9_-]+", "_", f"{self.run}-{self.route}")

    @property
    def assistant(self) -> bool:
        return self.first.get("assistant", "").strip().lower() in ("true", "1", "yes")

    @property
    def pupils(self) -> int:
        return sum(int(float(s.get("pupils_boarding") or 0)) for s in self.stops)


def _csv_name(personal: bool) -> str:
    return "routes-personal.csv" if personal else "routes.csv"


def read_sheets(folder: Path, personal: bool) -> list[Sheet]:
    """Every route's sheet, in the file's order (personal ids only when ``personal``)."""
    path = folder / _csv_name(personal)
    if personal and not path.is_file():
        path = folder / "routes.csv"  # a run made before personal data was switched on
    sheets: dict[tuple[str, str], Sheet] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            run = row.get("run") or "am"
            key = (run, row["route"])
            sheets.setdefault(key, Sheet(run, row["route"])).stops.append(row)
    return list(sheets.values())


def tender_pack(folder: Path, personal: bool, render: Callable[[Sheet], str]) -> bytes:
    """A zip: ``sheets/<run>-<route>.html`` for every route and the routes CSV."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        for sheet in read_sheets(folder, personal):
            pack.writestr(f"sheets/{sheet.slug}.html", render(sheet))
        pack.write(folder / "routes.csv", "routes.csv")
        if personal and (folder / "routes-personal.csv").is_file():
            pack.write(folder / "routes-personal.csv", "routes-personal.csv")
    return buffer.getvalue()
