"""The estate part of a report: kept and disposed sites, zones shaded by travel time,
the Pareto chart and the ranked disposals.

Drawn from ``estate.gpkg`` (``sites`` with their decision, ``zones`` with
``worst_minutes``: for each zone, the longest of its travel times to the nearest kept
site of each service it reaches today), ``disposals.csv``, ``pareto.csv`` (only with
``--pareto N``) and ``summary.json``.
"""

from __future__ import annotations

from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from optimise.report.load import read_csv, read_layer
from optimise.report.page import Section, figures, layer, table
from optimise.report.svg import line_chart

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd
    import pandas as pd

    from optimise.report.page import MapLayer

__all__ = ["section", "travel_colour"]

#: Travel-time classes (upper bound in minutes) and their shades, light to dark.
CLASSES = ((10, "#edf8e9"), (20, "#bae4b3"), (30, "#74c476"), (45, "#31a354"),
           (float("inf"), "#006d2c"))  # fmt: skip


def travel_colour(minutes: float) -> str:
    """Shade of a zone whose worst travel time to a kept site is ``minutes``."""
    if minutes is None or not np.isfinite(minutes):
        return "#bdbdbd"
    return next(colour for top, colour in CLASSES if minutes <= top)


def _site_style(colour: str, row: Any) -> dict[str, Any]:
    return {"radius": 5, "color": "#fff", "weight": 1, "fillColor": colour, "fillOpacity": 0.9}


def section(folder: Path, summary: dict[str, Any], key: str = "estate") -> Section:
    sites = read_layer(folder / "estate.gpkg", "sites")
    zones = read_layer(folder / "estate.gpkg", "zones")
    s = Section(key, "Estate rationalisation: which sites to keep")
    s.blocks.append(_headline(summary))
    for reason in summary.get("reasons", []) or []:
        s.blocks.append(f"<p><b>Infeasible:</b> {escape(str(reason.get('message', reason)))}</p>")
    if zones is not None:
        s.layers.append(_zones_layer(zones))
    if sites is not None:
        s.layers.extend(_site_layers(sites))
    s.blocks.extend(_pareto_blocks(read_csv(folder / "pareto.csv", required=False)))
    s.blocks.extend(_disposal_blocks(read_csv(folder / "disposals.csv", required=False), sites))
    return s


def _headline(summary: dict[str, Any]) -> str:
    """The plan's figures: sites kept and disposed of, receipts, savings, access."""
    return figures([
        ("status", summary.get("status")),
        ("sites kept", summary.get("sites_kept")),
        ("sites to dispose of", summary.get("sites_disposed")),
        ("capital receipts", f"£{summary.get('capital_receipts_gbp', 0):,.0f}"
         + (f" ({share:.0%} of book value)" if (share := summary.get("receipt_share", 1)) < 1
            else "")),
        ("relocation costs", f"£{summary.get('relocation_costs_gbp', 0):,.0f}"),
        ("net receipts", f"£{summary.get('net_receipts_gbp', 0):,.0f}"),
        ("running saving a year", f"£{summary.get('annual_saving_gbp', 0):,.0f}"),
        ("backlog avoided", f"£{summary.get('backlog_avoided_gbp', 0):,.0f}"),
        ("residents beyond the limit", summary.get("population_beyond_limit")),
    ])  # fmt: skip


def _zones_layer(zones: gpd.GeoDataFrame) -> MapLayer:
    """The zones shaded by their worst travel time to a kept site."""
    bands = ", ".join(f'<span style="background:{c}">&nbsp;≤ {t:g}&nbsp;</span>'
                      for t, c in CLASSES[:-1])  # fmt: skip
    return layer(
        "Zones: travel time", zones,
        lambda r: {"color": "#999", "weight": 0.5, "fillOpacity": 0.6,
                   "fillColor": travel_colour(float(r["worst_minutes"]))},
        lambda r: (f"{escape(str(r['name']))}: {r['population']:,} residents; "
                   f"{r['worst_minutes']} min to the nearest kept site (worst service)"),
        f"Zones shaded by minutes to the nearest kept site of each service (worst): "
        f"{bands}, longer darkest.",
    )  # fmt: skip


def _site_layers(sites: gpd.GeoDataFrame) -> list[MapLayer]:
    """The sites kept and the sites to dispose of, one layer each."""
    layers = []
    for decision, name, colour in (("keep", "Sites kept", "#1b5e20"),
                                   ("dispose", "Sites to dispose of", "#c62828")):  # fmt: skip
        part = sites[sites["decision"] == decision]
        layers.append(layer(
            name, part,
            partial(_site_style, colour),
            lambda r: (f"<b>{escape(str(r['name']))}</b> ({escape(str(r['type']))})<br>"
                       f"{r['decision']}; running cost £{r['running_cost']:,.0f} a year"
                       + (f"; rank {int(r['rank'])}" if r["rank"] > 0 else "")),
            f'<span style="color:{colour}">●</span> {name}',
        ))  # fmt: skip
    return layers


def _pareto_blocks(pareto: pd.DataFrame | None) -> list[str]:
    """The Pareto front's chart and table (or that the run traced none)."""
    blocks = ["<h3>Saving against access (Pareto front)</h3>"]
    if pareto is not None and len(pareto):
        blocks.append(line_chart(
            "Pareto front", {"annualised benefit": (pareto["epsilon"].tolist(),
                                                    pareto["annualised_benefit_gbp"].tolist())},
            x_label="access limit (travel minutes, or residents beyond it)",
            y_label="£ a year",
        ))  # fmt: skip
        blocks.append(table(pareto, "pareto", formats={"gap": ".4f"}))
    else:
        blocks.append('<p class="note">No Pareto front in this run (optimise estate '
                      "--pareto N).</p>")  # fmt: skip
    return blocks


def _disposal_blocks(disposals: pd.DataFrame | None, sites: gpd.GeoDataFrame | None) -> list[str]:
    """The ranked disposals (or, without a ranking, the sites the plan disposes of)."""
    blocks = ["<h3>Disposals, ranked</h3>"]
    if disposals is not None and len(disposals):
        blocks.append(table(disposals, "disposals", formats={
            c: ",.0f" for c in disposals.columns if c.endswith("_gbp")}))  # fmt: skip
        return blocks
    blocks.append('<p class="note">No ranking in this run; the sites the plan '
                  "disposes of are listed below.</p>")  # fmt: skip
    if sites is not None:
        gone = sites[sites["decision"] == "dispose"].sort_values("running_cost",
                                                                 ascending=False)  # fmt: skip
        blocks.append(table(
            gone, "disposed",
            columns={"id": "site", "name": "name", "type": "type", "town": "town",
                     "running_cost": "running cost £", "capital_value": "value £"},
            formats={"running_cost": ",.0f", "capital_value": ",.0f"},
        ))  # fmt: skip
    return blocks
