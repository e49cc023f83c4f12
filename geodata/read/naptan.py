"""NaPTAN XML (schema 2.x): the national list of bus stops, as candidate pick-up points.

Parsed with defusedxml (a DOCTYPE or entity is refused, so nothing is expanded or
fetched) and ``iterparse``, one ``StopPoint`` at a time, so a national file fits in
memory. Coordinates come from ``Easting``/``Northing`` (grid UKOS, the default) else
``Longitude``/``Latitude``; the geometry is built here in EPSG:27700.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING
from xml.etree.ElementTree import ParseError

import geopandas as gpd
import pandas as pd
import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from pyproj import Transformer

from geodata._geometry import GB_BOUNDS
from geodata.errors import Problem, ValidationError
from geodata.read._records import Parsed
from geodata.read.table import read_bytes

if TYPE_CHECKING:
    import os
    from xml.etree.ElementTree import Element

__all__ = ["NAPTAN_NS", "parse_naptan", "read_naptan"]

log = logging.getLogger(__name__)

NAPTAN_NS = "http://www.naptan.org.uk/"
_COLUMNS = ("id", "name", "naptan_code", "street", "locality", "stop_type", "status")
_WGS84_TO_BNG = Transformer.from_crs(4326, 27700, always_xy=True)


def read_naptan(path: str | os.PathLike[str], *, include_inactive: bool = False) -> Parsed:
    """Parse a NaPTAN XML file; see :func:`parse_naptan`."""
    return parse_naptan(read_bytes(path), include_inactive=include_inactive, source=str(path))


def parse_naptan(
    text: str | bytes, *, include_inactive: bool = False, source: str = "<text>"
) -> Parsed:
    """Stops of a NaPTAN XML document, as records of kind ``"stops"``.

    Parameters
    ----------
    text
        The document (bytes keep the file's declared encoding).
    include_inactive
        Keep stops whose ``Status`` is not ``active`` (inactive, pending, deleted).
    source
        File name for messages.

    Returns
    -------
    Parsed
        A GeoDataFrame in EPSG:27700 with ``id`` (AtcoCode), ``name`` (CommonName and
        Indicator), ``naptan_code``, ``street``, ``locality`` (NPTG code),
        ``stop_type``, ``status``; its index holds each stop's number in the file.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    records: list[dict[str, str]] = []
    shapes: list[object] = []
    rows: list[int] = []
    problems: list[Problem] = []
    count, dropped, root = 0, 0, None
    try:
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if root is None:
                root = elem
                if _local(root.tag) != "NaPTAN":
                    raise ValidationError(_not_naptan(source, f"a <{_local(root.tag)}> document"))
            if event != "end" or _local(elem.tag) != "StopPoint":
                continue
            count += 1
            record, point, bad = _stop(elem, source, count)
            elem.clear()
            if not include_inactive and record["status"] not in ("", "active"):
                dropped += 1
                continue
            records.append(record)
            shapes.append(point)
            rows.append(count)
            problems += bad
    except (DefusedXmlException, ParseError, ValueError, LookupError, UnicodeError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise ValidationError(_unreadable(source, exc)) from exc
    if root is None:
        raise ValidationError(_not_naptan(source, "no XML elements"))
    if dropped:
        log.info("%s: left out %d stops that are not active", source, dropped)
    index = pd.Index(rows, name="row", dtype="int64")
    frame = pd.DataFrame(records, columns=list(_COLUMNS), index=index, dtype=object)
    return Parsed(
        gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, index=index), crs=27700),
        source,
        tuple(problems),
    )


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _children(elem: Element) -> dict[str, Element]:
    return {_local(child.tag): child for child in elem}


def _text(elem: Element | None) -> str:
    return (elem.text or "").strip() if elem is not None else ""


def _stop(elem: Element, source: str, number: int) -> tuple[dict[str, str], object, list[Problem]]:
    top = _children(elem)
    descriptor = _children(top["Descriptor"]) if "Descriptor" in top else {}
    place = _children(top["Place"]) if "Place" in top else {}
    classification = _children(top["StopClassification"]) if "StopClassification" in top else {}
    common, indicator = _text(descriptor.get("CommonName")), _text(descriptor.get("Indicator"))
    record = {
        "id": _text(top.get("AtcoCode")),
        "name": f"{common} ({indicator})" if common and indicator else common or indicator,
        "naptan_code": _text(top.get("NaptanCode")),
        "street": _text(descriptor.get("Street")),
        "locality": _text(place.get("NptgLocalityRef")),
        "stop_type": _text(classification.get("StopType")),
        "status": (elem.get("Status") or "").strip().lower(),
    }
    location = _children(place["Location"]) if "Location" in place else {}
    if "Translation" in location:
        location = _children(location["Translation"])
    point, problems = _point(location, source, number)
    return record, point, problems


def _point(location: dict[str, Element], source: str, number: int) -> tuple[object, list[Problem]]:
    grid = _text(location.get("GridType")) or "UKOS"
    pairs = [("Longitude", "Latitude")]
    if grid == "UKOS":
        pairs.insert(0, ("Easting", "Northing"))
    problems = []
    for xname, yname in pairs:
        xs, ys = _text(location.get(xname)), _text(location.get(yname))
        if not xs and not ys:
            continue
        try:
            x, y = float(xs), float(ys)
        except ValueError:
            problems.append(
                Problem(
                    source,
                    number,
                    xname,
                    f"numbers in {xname} and {yname}",
                    f"'{xs[:20]}', '{ys[:20]}'",
                    "correct the stop's location in NaPTAN",
                )
            )
            continue
        if xname == "Longitude":
            x, y = _WGS84_TO_BNG.transform(x, y)
        point = shapely.Point(x, y)
        if xname == "Easting" and not _plausible(x, y):
            continue  # fall back to Longitude/Latitude
        return point, []
    return None, problems


def _plausible(x: float, y: float) -> bool:
    return GB_BOUNDS[0] < x <= GB_BOUNDS[2] and GB_BOUNDS[1] < y <= GB_BOUNDS[3]


def _not_naptan(source: str, found: str) -> Problem:
    return Problem(
        source,
        None,
        None,
        f"a NaPTAN XML document (<NaPTAN xmlns='{NAPTAN_NS}'>)",
        found,
        "download the stops as NaPTAN XML, or read a CSV of stops instead",
    )


def _unreadable(source: str, exc: Exception) -> Problem:
    if isinstance(exc, DefusedXmlException):
        found = "a DOCTYPE or entity declaration, which is refused for safety"
    else:
        found = f"malformed XML ({str(exc)[:100]})"
    return Problem(
        source,
        None,
        None,
        "a NaPTAN XML document",
        found,
        "download the file again from NaPTAN; do not edit it by hand",
    )
