"""The basemaps a reader may pick; the offline one by default.

The offline basemap (Natural Earth land, borders, regions and GeoNames town labels,
``geo.basemap``) is always drawn; online tiles are xyzservices providers
(``geo.webmap.build_map`` looks them up by name) drawn over it, fetched only when a
reader picks one. When they fail, the map says so and the offline basemap shows through.
"""

from __future__ import annotations

from dashboard.view import BASEMAP_NONE

# URL value -> (label in the sidebar, xyzservices provider name or None for no tiles).
BASEMAPS: dict[str, tuple[str, str | None]] = {
    BASEMAP_NONE: ("Offline (Natural Earth)", None),
    "osm": ("OpenStreetMap", "OpenStreetMap.Mapnik"),
    "carto": ("CARTO Positron", "CartoDB.Positron"),
    "esri": ("Esri World Imagery", "Esri.WorldImagery"),
}


def tiles(choice: str) -> str | None:
    """Return the xyzservices name for a basemap choice; unknown choices get no tiles."""
    return BASEMAPS.get(choice, BASEMAPS[BASEMAP_NONE])[1]


def label(choice: str) -> str:
    """Return the sidebar label of a basemap choice."""
    return BASEMAPS[choice][0]
