"""A coarse, hand-drawn outline of Northumberland.

The vertices below were written by hand from named landmarks on the coast and the
county's borders (Scotland, Cumbria, Durham, Tyneside), not traced from a licensed
boundary file. The outline is accurate to a few kilometres: good enough to place
synthetic zones, stops and sites, not for mapping. The real boundary (ONS; CC BY 4.0,
see tests/data/README.md) is copied into
``tests/data/northumberland/county_boundary.geojson`` and the tests compare the two.
"""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Polygon

from geodata.default._common import BNG, lonlat_to_bng

__all__ = ["INSET_M", "OUTLINE_LONLAT", "boundary_frame", "county_outline", "placement_area"]

#: (lon, lat, landmark), clockwise from the Scottish border on the coast. Assumption:
#: hand-written from landmark positions; each within a few km of the real border.
OUTLINE_LONLAT: tuple[tuple[float, float, str], ...] = (
    (-2.035, 55.811, "Marshall Meadows (border on the coast)"),
    (-1.990, 55.765, "Berwick, Tweed mouth"),
    (-1.930, 55.725, "Cocklawburn"),
    (-1.880, 55.690, "Goswick"),
    (-1.830, 55.650, "Fenham Flats"),
    (-1.760, 55.620, "Budle Bay"),
    (-1.710, 55.610, "Bamburgh"),
    (-1.635, 55.590, "Seahouses"),
    (-1.615, 55.550, "Beadnell"),
    (-1.585, 55.470, "Craster"),
    (-1.575, 55.420, "Boulmer"),
    (-1.598, 55.385, "Alnmouth"),
    (-1.562, 55.335, "Amble"),
    (-1.560, 55.280, "Druridge Bay"),
    (-1.530, 55.232, "Cresswell"),
    (-1.518, 55.205, "Lynemouth"),
    (-1.493, 55.185, "Newbiggin-by-the-Sea"),
    (-1.525, 55.165, "Sandy Bay"),
    (-1.518, 55.145, "Cambois"),
    (-1.497, 55.125, "Blyth harbour"),
    (-1.493, 55.108, "Blyth South Beach"),
    (-1.472, 55.085, "Seaton Sluice"),
    (-1.505, 55.052, "Holywell (North Tyneside border)"),
    (-1.575, 55.060, "Annitsford"),
    (-1.665, 55.070, "Dinnington (Newcastle border)"),
    (-1.715, 55.055, "Ponteland, east"),
    (-1.720, 55.030, "Newcastle Airport, west"),
    (-1.760, 55.005, "Darras Hall, south"),
    (-1.800, 54.990, "Heddon-on-the-Wall"),
    (-1.825, 54.972, "Wylam, Tyne"),
    (-1.830, 54.945, "Hamsterley Mill (Gateshead/Durham border)"),
    (-1.845, 54.895, "Ebchester, Derwent"),
    (-1.960, 54.845, "Derwent Reservoir"),
    (-2.100, 54.835, "Blanchland"),
    (-2.220, 54.790, "Allenheads"),
    (-2.330, 54.800, "Coalcleugh"),
    (-2.400, 54.855, "Whitfield Law (Cumbria border)"),
    (-2.590, 54.815, "Knarsdale Common"),
    (-2.600, 54.885, "Lambley Common"),
    (-2.550, 54.930, "Glendue Fell"),
    (-2.580, 54.990, "Gilsland"),
    (-2.490, 55.040, "Spadeadam"),
    (-2.620, 55.100, "Kershope Forest"),
    (-2.690, 55.190, "Kershope Head (Scottish border)"),
    (-2.610, 55.285, "Peel Fell"),
    (-2.480, 55.355, "Carter Bar"),
    (-2.335, 55.380, "Chew Green"),
    (-2.265, 55.425, "Windy Gyle"),
    (-2.165, 55.470, "Cairn Hill"),
    (-2.175, 55.495, "Auchope Cairn"),
    (-2.250, 55.550, "Yetholm border"),
    (-2.320, 55.635, "Carham, Tweed"),
    (-2.250, 55.648, "Coldstream bridge"),
    (-2.170, 55.733, "Norham, Tweed"),
    (-2.110, 55.748, "Horncliffe"),
    (-2.070, 55.790, "Paxton toll"),
)


def county_outline() -> Polygon:
    """The outline as a polygon in British National Grid (EPSG:27700) metres."""
    lon = [v[0] for v in OUTLINE_LONLAT]
    lat = [v[1] for v in OUTLINE_LONLAT]
    x, y = lonlat_to_bng(lon, lat)
    return Polygon(zip(x, y, strict=True))


#: Points are placed at least this far inside the outline, so that its few hundred
#: metres of error along the coast put no stop or site in the sea (assumption).
INSET_M = 300.0


def placement_area() -> Polygon:
    """The outline shrunk by :data:`INSET_M`: where generated points may go."""
    return county_outline().buffer(-INSET_M)


def boundary_frame() -> gpd.GeoDataFrame:
    """One-row frame holding the outline, for maps and the GeoPackage."""
    return gpd.GeoDataFrame(
        {"id": ["northumberland"], "name": ["Northumberland (coarse outline)"]},
        geometry=[county_outline()],
        crs=BNG,
    )
