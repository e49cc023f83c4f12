"""The HTML page: one file with Leaflet, its CSS, the map data and the charts inlined.

Councils' machines may have no internet, so nothing is fetched: Leaflet 1.9.4 (BSD-2,
``static/LICENSE-leaflet.txt``) is read from the package and written into the page,
the images its CSS names become ``data:`` URIs, and each map's layers are GeoJSON in a
``<script type="application/json">`` block that ``static/report.js`` draws with the
SVG renderer (so every feature is an element a browser test can count). Tiles are
drawn only when the user names a ``--basemap`` URL template.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import pandas as pd
from shapely.geometry import mapping

from geodata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import geopandas as gpd

__all__ = ["MapLayer", "Section", "check_basemap", "layer", "page", "table"]

#: Decimal places of longitude/latitude in the page: 5 is about a metre.
DECIMALS = 5


@dataclass(frozen=True)
class MapLayer:
    """One overlay: a name, a GeoJSON FeatureCollection (WGS84) and a legend line."""

    name: str
    geojson: dict[str, Any]
    legend: str = ""


@dataclass
class Section:
    """A titled part of the report: HTML blocks and the layers of its map (if any)."""

    key: str
    title: str
    blocks: list[str] = field(default_factory=list)
    layers: list[MapLayer] = field(default_factory=list)


def _round(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], float | int):
            return [round(float(c), DECIMALS) for c in coords]
        return [_round(c) for c in coords]
    return coords


def layer(
    name: str,
    frame: gpd.GeoDataFrame,
    style: Callable[[Any], dict[str, Any]],
    popup: Callable[[Any], str],
    legend: str = "",
) -> MapLayer:
    """A map layer from a GeoDataFrame (any CRS): ``style(row)`` gives Leaflet path
    options, ``popup(row)`` the popup's HTML (escape user text with :func:`html.escape`)."""
    wgs = frame.to_crs(4326) if len(frame) else frame
    features = []
    for _, row in wgs.iterrows():
        geom = mapping(row.geometry)
        features.append({
            "type": "Feature",
            "geometry": {"type": geom["type"], "coordinates": _round(geom["coordinates"])},
            "properties": {"_style": style(row), "_popup": popup(row)},
        })  # fmt: skip
    return MapLayer(name, {"type": "FeatureCollection", "features": features}, legend)


def table(
    frame: pd.DataFrame, name: str, *, columns: dict[str, str] | None = None,
    formats: dict[str, str] | None = None, caption: str = "",
) -> str:  # fmt: skip
    """An HTML table (``data-table=name``); ``columns`` maps column → heading."""
    columns = columns or {c: c for c in frame.columns}
    formats = formats or {}
    head = "".join(f"<th>{escape(h)}</th>" for h in columns.values())
    rows = []
    for rec in frame[list(columns)].itertuples(index=False):
        cells = []
        for col, value in zip(columns, rec, strict=True):
            cells.append(f"<td>{escape(_cell(value, formats.get(col)))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="scroll"><table data-table="{escape(name)}">{cap}<thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _cell(value: Any, fmt: str | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if fmt and isinstance(value, int | float):
        return format(value, fmt)
    return str(value)


def check_basemap(url: str | None) -> str | None:
    """A tile URL template must name {z}, {x} and {y}."""
    if url is None:
        return None
    if not all(k in url for k in ("{z}", "{x}", "{y}")) or not re.match(r"https?://", url):
        raise InputError(
            f"--basemap: expected a tile URL template such as "
            f"https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png, found {url!r}"
        )
    return url


def _static(name: str) -> str:
    return (files("optimise.report") / "static" / name).read_text(encoding="utf-8")


def _css() -> str:
    css = _static("leaflet.css")
    for image in ("layers-2x.png", "layers.png", "marker-icon.png"):
        data = (files("optimise.report") / "static" / image).read_bytes()
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url({uri})")
    return css


def _json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":")).replace("</", "<\\/")


STYLE = """
body{font-family:system-ui,Arial,sans-serif;margin:0 auto;max-width:1100px;padding:1em;color:#222}
h1{font-size:1.5em}h2{border-bottom:2px solid #ddd;padding-top:.6em}
.map{height:520px;border:1px solid #bbb;margin:.5em 0}
.scroll{max-height:420px;overflow:auto;margin:.5em 0}
table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ccc;padding:2px 6px}
th{background:#f2f2f2;position:sticky;top:0}td{text-align:right}td:first-child{text-align:left}
.figures{display:flex;flex-wrap:wrap;gap:.5em}.figures div{background:#f5f7fa;padding:.4em .8em}
.legend{font-size:.85em;color:#444}.note{color:#555;font-size:.9em}
.chart{max-width:100%;height:auto}
"""


def figures(items: Iterable[tuple[str, Any]]) -> str:
    """Headline figures as a row of boxes."""
    boxes = "".join(
        f"<div><b>{escape(str(v))}</b><br>{escape(k)}</div>" for k, v in items if v is not None
    )
    return f'<div class="figures">{boxes}</div>'


def page(title: str, subtitle: str, sections: list[Section], basemap: str | None) -> str:
    """The whole self-contained HTML document."""
    body, data = [], []
    for s in sections:
        body.append(f'<section id="{s.key}"><h2>{escape(s.title)}</h2>')
        if s.layers:
            map_id = f"map-{s.key}"
            layers = [{"name": escape(ly.name), "data": ly.geojson} for ly in s.layers]
            spec = {"basemap": basemap, "layers": layers}
            data.append(
                f'<script type="application/json" id="{map_id}-data">{_json(spec)}</script>'
            )
            legend = "".join(f"<li>{ly.legend}</li>" for ly in s.layers if ly.legend)
            body.append(f'<div class="map" id="{map_id}" data-map="{map_id}"></div>')
            body.append(f'<ul class="legend">{legend}</ul>')
        body.extend(s.blocks)
        body.append("</section>")
    licence = escape(_static("LICENSE-leaflet.txt"))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_css()}</style><style>{STYLE}</style>"
        f'</head><body><h1>{escape(title)}</h1><p class="note">{escape(subtitle)}</p>'
        f"{''.join(body)}{''.join(data)}"
        f'<details class="note"><summary>Map library licence (Leaflet 1.9.4)</summary>'
        f"<pre>{licence}</pre></details>"
        f"<script>{_static('leaflet.js')}</script><script>{_static('report.js')}</script>"
        "</body></html>\n"
    )
