"""Run reports: one self-contained HTML page per finished run folder.

``write_report(DIR)`` reads what a run wrote (``summary.json``, its CSV tables and
GeoPackage; see :mod:`optimise.report.load`) and writes ``DIR/report.html``: maps
(Leaflet, inlined, no network), charts (inline SVG) and tables per problem - transport,
estate, hours, batch, and all three for the demo folder. Every run command calls it
at the end and ``optimise report DIR`` calls it again on a finished run. Pupils' home
points and ids appear only with ``include_personal_data``.
"""

from __future__ import annotations

from pathlib import Path

from geodata.write import write_text
from optimise.report import batch, estate, hours, transport
from optimise.report.load import read_summary, run_kind
from optimise.report.page import Section, check_basemap, page

__all__ = ["render_report", "write_report"]

_TITLES = {"transport": "School transport routes", "estate": "Estate rationalisation",
           "hours": "Centre opening hours", "batch": "Batch of scenarios",
           "demo": "Demo on the Northumberland default data"}  # fmt: skip


def _sections(folder: Path, kind: str, personal: bool) -> list[Section]:
    summary = read_summary(folder)
    if kind == "transport":
        return [transport.section(folder, summary, personal)]
    if kind == "estate":
        return [estate.section(folder, summary)]
    if kind == "hours":
        return [hours.section(folder, summary)]
    if kind == "batch":
        return [batch.section(folder, summary)]
    out = []
    for part in ("transport", "estate", "hours"):  # the demo's sub-folders
        sub = folder / part
        if (sub / "summary.json").is_file():
            out.extend(_sections(sub, run_kind(sub, read_summary(sub)), personal))
    return out


def render_report(
    folder: str | Path, *, basemap: str | None = None, include_personal_data: bool = False
) -> str:
    """The report of the finished run in ``folder`` as HTML text."""
    folder = Path(folder)
    basemap = check_basemap(basemap)
    summary = read_summary(folder)
    kind = run_kind(folder, summary)
    sections = _sections(folder, kind, include_personal_data)
    seed = summary.get("seed")
    subtitle = f"Run folder {folder.name}" + (f", seed {seed}" if seed is not None else "")
    if include_personal_data:
        subtitle += ". CONTAINS PERSONAL DATA (pupils' homes): do not share."
    return page(f"optimise: {_TITLES[kind]}", subtitle, sections, basemap)


def write_report(
    folder: str | Path, *, basemap: str | None = None, include_personal_data: bool = False
) -> Path:
    """Write ``folder/report.html`` (atomically) and return its path."""
    html = render_report(folder, basemap=basemap, include_personal_data=include_personal_data)
    return write_text(Path(folder) / "report.html", html)
