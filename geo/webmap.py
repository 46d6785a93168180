"""Build the interactive Leaflet map of the layers with folium, fully offline.

One builder serves both faces: ``write_map_html`` (the standalone ``map.html`` of
``geo build``) and the dashboard (``st_folium(build_map(...))``). Leaflet, MarkerCluster
and jQuery come from the XStatic PyPI packages and are copied beside the page by
``copy_assets``; no map references a CDN. folium's ``[lat, lon]`` order appears only here.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import folium
import xstatic.pkg.jquery
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
import xyzservices.providers
from branca.element import Element, Figure, MacroElement
from folium.map import FeatureGroup, Layer
from folium.plugins import MarkerCluster
from folium.template import Template

from geo import basemap as offline
from geo import heatmap, playback, serve, tilelayer
from geo.errors import ExportError
from geo.export import LAYER_OF, geometry_dict, records
from geo.layers import JOIN, Layers
from geo.tiles import TileArchive
from geo.urls import web_url

MAX_ZOOM = 18
#: Without tiles there is nothing to see closer than a few streets, and MarkerCluster
#: spiderfies events that share a point at the map's maximum zoom: stop there.
MAX_ZOOM_OFFLINE = 15
DEFAULT_ASSET_BASE = "vendor"
#: (XStatic data folder, file inside it, where it goes under the asset folder)
_ASSETS: tuple[tuple[str, str, str], ...] = (
    (xstatic.pkg.leaflet.BASE_DIR, "leaflet.js", "leaflet/leaflet.js"),
    (xstatic.pkg.leaflet.BASE_DIR, "leaflet.css", "leaflet/leaflet.css"),
    (xstatic.pkg.leaflet.BASE_DIR, "images/layers.png", "leaflet/images/layers.png"),
    (xstatic.pkg.leaflet.BASE_DIR, "images/layers-2x.png", "leaflet/images/layers-2x.png"),
    (xstatic.pkg.leaflet.BASE_DIR, "images/marker-icon.png", "leaflet/images/marker-icon.png"),
    (
        xstatic.pkg.leaflet.BASE_DIR,
        "images/marker-icon-2x.png",
        "leaflet/images/marker-icon-2x.png",
    ),
    (
        xstatic.pkg.leaflet.BASE_DIR,
        "images/marker-shadow.png",
        "leaflet/images/marker-shadow.png",
    ),
    (
        xstatic.pkg.leaflet_markercluster.BASE_DIR,
        "leaflet.markercluster.js",
        "markercluster/leaflet.markercluster.js",
    ),
    (
        xstatic.pkg.leaflet_markercluster.BASE_DIR,
        "MarkerCluster.css",
        "markercluster/MarkerCluster.css",
    ),
    (
        xstatic.pkg.leaflet_markercluster.BASE_DIR,
        "MarkerCluster.Default.css",
        "markercluster/MarkerCluster.Default.css",
    ),
    (xstatic.pkg.jquery.BASE_DIR, "jquery.min.js", "jquery/jquery.min.js"),
)
#: Sets the default marker icons' folder from this script's own URL, so icons load from
#: the vendored copy wherever it is served (a file beside map.html, Streamlit's static).
_ICON_PATH_JS = """\
(function () {
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.replace(/newsmap\\/[^\\/]*$/, "") : "vendor/";
  function apply() { if (window.L) { L.Icon.Default.imagePath = base + "leaflet/images/"; } }
  apply();
  window.addEventListener("DOMContentLoaded", apply);
})();
"""
_ICON_SCRIPT = "newsmap/leaflet-icons.js"
#: Every script of ``asset_urls`` in one file, in that order (``build_map(bundle=True)``).
#: streamlit-folium loads a map's scripts one after another, each waiting for the last:
#: eight round trips before the map starts, about 0.4 s of the dashboard's first markers.
#: It sits in ``newsmap/`` so the scripts that find their folder from their own URL
#: (the icon path, the basemap) find the same folder.
BUNDLE_SCRIPT = "newsmap/bundle.js"
#: newsmap's own browser scripts (heatmap, playback), copied into the assets' newsmap/.
_SCRIPTS_DIR = Path(__file__).resolve().parent / "js"
#: Zoom by ``geo_precision``: of an event opened from a link, and the closest a fitted
#: first view takes: a town's streets, a district's surroundings, a region or country.
PRECISION_ZOOM = {1: 13, 2: 11, 3: 6}
#: Event markers put on the map in the first task, and in each one after it: at 100,000
#: events the first clusters show ~0.1 s after the data is there instead of ~2.3 s (every
#: marker made, then clustered), and the page answers between batches.
FIRST_BATCH = 2_000
BATCH = 10_000

#: ACLED event type -> (colour, marker shape); shapes differ so colour is not the only cue.
EVENT_STYLE: dict[str, tuple[str, str]] = {
    "Battles": ("#c0392b", "diamond"),
    "Explosions/Remote violence": ("#e67e22", "triangle"),
    "Violence against civilians": ("#8e44ad", "circle"),
    "Protests": ("#2471a3", "square"),
    "Riots": ("#8d5524", "triangle-down"),
    "Strategic developments": ("#138d75", "hexagon"),
}
_OTHER_STYLE = ("#566573", "circle")
_SHAPES = {
    "circle": '<circle cx="50" cy="50" r="44"',
    "square": '<rect x="8" y="8" width="84" height="84"',
    "diamond": '<polygon points="50,2 98,50 50,98 2,50"',
    "triangle": '<polygon points="50,4 97,92 3,92"',
    "triangle-down": '<polygon points="3,8 97,8 50,96"',
    "hexagon": '<polygon points="27,6 73,6 97,50 73,94 27,94 3,50"',
}
_ZONE_COLOUR = "#b03a2e"
_CORRIDOR_COLOUR = "#1f618d"
_PLACE_COLOUR = "#34495e"
_TIME_PRECISION = {1: "day", 2: "week or range", 3: "month or vaguer"}
_GEO_PRECISION = {1: "the place itself", 2: "near or part of it", 3: "a larger area stands in"}

_CSS = """
<style>
.folium-map.leaflet-container { background: #dfe9f0; }
.nm-town { white-space: nowrap; }
.nm-town span { display: inline-block; transform: translate(-50%, -100%); font: 11px/1.1 sans-serif;
  color: #5b5560; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; padding-bottom: 2px; }
.nm-town.nm-capital span { font-weight: 700; color: #3d3740; }
.nm-frame button { font: 600 11px sans-serif; margin-left: 4px; cursor: pointer; }
.nm-event { background: none; border: none; }
.nm-event svg { display: block; overflow: visible; }
.nm-event.nm-selected svg { filter: drop-shadow(0 0 2px #fff) drop-shadow(0 0 4px #000); }
.nm-event.nm-selected { border-radius: 50%; box-shadow: 0 0 0 3px #fff, 0 0 0 6px #f1c40f; }
.leaflet-tooltip.nm-label { background: rgba(255,255,255,0.85); border: 1px solid #1f618d;
  color: #1f618d; font: 600 11px sans-serif; padding: 1px 4px; box-shadow: none; }
.leaflet-tooltip.nm-label::before { display: none; }
.nm-popup { font: 13px/1.35 sans-serif; max-height: 320px; overflow-y: auto; }
.nm-popup h4 { margin: 0 0 4px; font-size: 14px; }
.nm-popup table { border-collapse: collapse; margin: 4px 0; }
.nm-popup th { text-align: left; padding: 1px 8px 1px 0; color: #555; font-weight: 600;
  vertical-align: top; }
.nm-popup td { padding: 1px 0; }
.nm-popup blockquote { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #aaa;
  background: #f7f7f7; }
.nm-popup mark { background: #ffe066; }
.nm-popup .nm-id { color: #888; font-size: 11px; }
.nm-legend, .nm-note { background: rgba(255,255,255,0.92); padding: 4px 6px;
  font: 11px/1.3 sans-serif; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3);
  max-width: 210px; }
.nm-load-error, .nm-tile-error, .nm-basemap-error { color: #b03a2e; font-weight: 600; }
.nm-legend summary { cursor: pointer; font-weight: 600; }
.leaflet-control-layers { font: 12px/1.4 sans-serif; }
.nm-legend div { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.nm-legend b { display: block; margin-bottom: 2px; }
.nm-legend small { color: #555; display: block; margin-top: 3px; }
.nm-playback { display: flex; align-items: center; gap: 6px; }
.nm-playback button { font: 14px/1 sans-serif; width: 28px; height: 24px; cursor: pointer; }
</style>
"""


def copy_assets(dest: str | Path) -> Path:
    """Copy Leaflet, MarkerCluster, jQuery and the icon-path script into ``dest``.

    The folder gets ``leaflet/``, ``markercluster/``, ``jquery/``, ``newsmap/`` and the
    offline basemap's ``basemap/`` (when ``python -m geo.basemap`` has built it); pass
    its URL as ``asset_base`` to ``build_map``.
    """
    root = Path(dest)
    try:
        for base_dir, name, target in _ASSETS:
            path = root / target
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(base_dir) / name, path)
        script = root / _ICON_SCRIPT
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(_ICON_PATH_JS, encoding="utf-8")
        for source in sorted(_SCRIPTS_DIR.glob("*.js")):
            shutil.copyfile(source, script.parent / source.name)
        # Not fetched yet (``python -m geo.heatmap``): ticking the overlay says so.
        heatmap.copy_heat(root)
        # Not fetched yet (``python -m geo.tilelayer``): a map with own tiles says so.
        tilelayer.copy_protomaps(root)
        (root / offline.BASEMAP_SCRIPT).write_text(offline.basemap_js(), encoding="utf-8")
        # Not built yet (``python -m geo.basemap``): the map says so where it would be.
        offline.copy_basemap(root / offline.ASSET_FOLDER)
        _write_bundle(root)
    except OSError as exc:
        raise ExportError(f"{root}: cannot copy the map's scripts: {exc.strerror}") from exc
    return root


def _write_bundle(root: Path) -> None:
    """Write ``BUNDLE_SCRIPT``: the scripts of ``asset_urls`` copied into ``root``, in order.

    A script not there (the heat plugin before it is fetched) is left out, as a browser
    that failed to load it would go on without it.
    """
    js, _ = asset_urls("")
    parts = []
    for url in js:
        path = root / url.lstrip("/")
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            parts.append(f"/* {url.lstrip('/')} */\n{text}\n;\n")
    (root / BUNDLE_SCRIPT).write_text("".join(parts), encoding="utf-8")


def _bundle_scripts(fmap: folium.Map, scripts: list[str], bundle: str) -> None:
    """Have ``fmap`` load ``scripts`` from the one ``bundle`` file; other scripts stay."""
    bundled = set(scripts)
    for element in _walk(fmap):
        links = getattr(element, "default_js", None)
        if links and any(url in bundled for _, url in links):
            element.default_js = [(name, url) for name, url in links if url not in bundled]
    fmap.default_js = [("newsmap_bundle", bundle), *fmap.default_js]


def asset_urls(asset_base: str = DEFAULT_ASSET_BASE) -> tuple[list[str], list[str]]:
    """Return the (JavaScript, CSS) URLs ``build_map`` loads from ``asset_base``."""
    base = asset_base.rstrip("/")
    js = [
        f"{base}/leaflet/leaflet.js",
        f"{base}/jquery/jquery.min.js",
        f"{base}/{_ICON_SCRIPT}",
        f"{base}/markercluster/leaflet.markercluster.js",
        f"{base}/{offline.BASEMAP_SCRIPT}",
        f"{base}/{heatmap.SCRIPT}",
        f"{base}/{heatmap.LAYER_SCRIPT}",
        f"{base}/{playback.SCRIPT}",
    ]
    css = [
        f"{base}/leaflet/leaflet.css",
        f"{base}/markercluster/MarkerCluster.css",
        f"{base}/markercluster/MarkerCluster.Default.css",
    ]
    return js, css


def build_map(
    layers: Layers,
    *,
    asset_base: str | None = None,
    tiles: str | None = None,
    selected: str | None = None,
    data_url: str | None = None,
    popups_url: str | None = None,
    legend_open: bool = True,
    basemap: bool = True,
    view: tuple[float, float, int] | None = None,
    own_tiles: tilelayer.OwnTiles | None = None,
    bundle: bool = False,
    live: bool = False,
) -> folium.Map:
    """Build the folium map of events, corridors, zones and places, with no CDN reference.

    Parameters
    ----------
    layers : Layers
        What to draw (``build_layers`` or ``filter_layers``).
    asset_base : str, optional
        URL prefix of the folder ``copy_assets`` filled ("vendor" beside map.html,
        "/app/static/vendor" in the dashboard). Default "vendor".
    tiles : str, optional
        An xyzservices provider name ("OpenStreetMap.Mapnik", "CartoDB.Positron",
        "Esri.WorldImagery") for an online basemap; None draws without tiles.
    selected : str, optional
        ``properties.id`` of a feature whose pop-up opens on load (an event first).
    data_url : str, optional
        URL of ``MapFeatures.view_bytes(layers)`` (or of ``map_data_bytes(layers)``)
        served beside the page: the map fetches its features from there, so the page
        itself stays a few kilobytes whatever the number of events. None writes the
        features into the page (a standalone file).
    popups_url : str, optional
        With ``data_url``: URL of ``MapFeatures.popups_bytes()``, when the file at
        ``data_url`` is ``MapFeatures.view_bytes(...)`` and so holds no pop-up strings.
    legend_open : bool, default True
        Whether the legend starts unfolded; a small map (the dashboard's) starts with it
        folded so that it does not cover the pop-ups.
    basemap : bool, default True
        Draw the offline basemap (Natural Earth land, borders, regions and town labels,
        ``geo.basemap``) under the layers, and under any online tiles, so that a map
        whose tiles fail to load still shows where things are.
    view : (lat, lon, zoom), optional
        Open at this centre and zoom (a link's) instead of fitting every event.
    own_tiles : geo.tilelayer.OwnTiles, optional
        The reader's own tile archive and the URL its tiles are served at: drawn over
        the offline basemap's land and under the layers (``geo.tilelayer``).
    bundle : bool, optional
        Load the map's own scripts from the one file ``copy_assets`` writes
        (``BUNDLE_SCRIPT``) instead of one by one: for pages that wait for each in turn.
    live : bool, optional
        Build the map without anything it shows: ``layers``, ``selected``, ``data_url``,
        ``popups_url``, ``view`` and ``legend_open`` are not read, and the page shows
        nothing until ``window.newsmapShow(map_view(...))`` runs in it (``MapView``).
        The same map then serves every filter: the dashboard keeps one map frame and
        sends it only the view, instead of a new page per filter.

    Returns
    -------
    folium.Map
        Every feature keeps ``properties.id`` and ``properties.layer``; each pop-up is a
        ``div.nm-popup`` with ``data-id`` and ``data-layer`` and ends with the feature's id.
    """
    js, css = asset_urls(asset_base or DEFAULT_ASSET_BASE)
    fmap = folium.Map(
        location=[20.0, 0.0],
        zoom_start=2,
        tiles=None,
        control_scale=True,
        maxZoom=MAX_ZOOM if tiles or own_tiles else MAX_ZOOM_OFFLINE,
        minZoom=2,
    )
    # Instance attributes shadow folium's CDN lists (the class keeps its own).
    fmap.default_js = [
        ("leaflet", js[0]),
        ("jquery", js[1]),
        ("newsmap_icons", js[2]),
    ]
    if basemap:
        fmap.default_js.append(("newsmap_basemap", js[4]))
    fmap.default_css = [("leaflet_css", css[0])]
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(_CSS), name="newsmap_css")
    if basemap:
        _Basemap().add_to(fmap)
    if own_tiles is not None:
        tilelayer.OwnTilesLayer(own_tiles, asset_base=asset_base or DEFAULT_ASSET_BASE).add_to(fmap)
    if tiles:
        _add_tiles(fmap, tiles)
    _PopupScript().add_to(fmap)
    others = (
        _GeoJsonLayer(name="Zones", style=_ZONE_STYLE_JS, on_each_feature=_POPUP_JS),
        _GeoJsonLayer(
            name="Corridors and roads", style=_CORRIDOR_STYLE_JS, on_each_feature=_CORRIDOR_JS
        ),
        _GeoJsonLayer(name="Places", point_to_layer=_PLACE_JS, on_each_feature=_POPUP_JS),
    )
    for layer in others:
        layer.add_to(fmap)
    cluster = MarkerCluster(
        name="Events",
        options={
            "maxClusterRadius": 40,
            "showCoverageOnHover": False,
            "spiderfyDistanceMultiplier": 1.6,
        },
    )
    cluster.default_js = [("markerclusterjs", js[3])]
    cluster.default_css = [("markerclustercss", css[1]), ("markerclusterdefaultcss", css[2])]
    cluster.add_to(fmap)
    events = _GeoJsonLayer(
        name="Events (points)",
        control=False,
        point_to_layer=_event_js(),
        on_each_feature=_POPUP_JS,
    )
    events.add_to(cluster)
    shown = None
    if not live:
        shown = map_view(
            layers, selected=selected, data_url=data_url, popups_url=popups_url, view=view
        )
    _MapData(shown, events=events, cluster=cluster, others=others).add_to(fmap)
    _Framing(events=events).add_to(fmap)
    base = asset_base or DEFAULT_ASSET_BASE
    heat = heatmap.HeatLayer(events=events, asset_base=base)
    heat.add_to(fmap)
    playback.Playback(cluster=cluster, events=events, heat=heat, asset_base=base).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    _Legend("" if live else _legend_html(layers, unfolded=legend_open)).add_to(fmap)
    _OpenSelected(cluster=cluster, events=events, others=others).add_to(fmap)
    if bundle:
        _bundle_scripts(fmap, js, f"{base.rstrip('/')}/{BUNDLE_SCRIPT}")
    _fix_names(root)
    return fmap


def map_view(
    layers: Layers,
    *,
    selected: str | None = None,
    data_url: str | None = None,
    popups_url: str | None = None,
    view: tuple[float, float, int] | None = None,
    legend_open: bool | None = None,
    epoch: int = 0,
) -> dict[str, Any]:
    """Return what one view of the map shows, for ``window.newsmapShow`` in the page.

    ``selected``, ``data_url``, ``popups_url`` and ``view`` are as for ``build_map``. The
    view opens at ``view``, else at the selected event (at a zoom its precision warrants),
    else around everything ``layers`` holds. ``legend_open`` set: the legend, with the
    counts of ``layers``, travels with the view (a ``live`` map has none of its own).
    A view that differs only by ``epoch`` is drawn again: the same row picked twice flies
    the map back to its event.
    """
    shown: dict[str, Any] = {"bounds": _all_bounds(layers), "maxZoom": _fit_zoom(layers)}
    if view is None and selected:  # a linked event: at a zoom its precision warrants
        rows = layers.events[layers.events["id"] == selected]
        if len(rows):
            row = rows.iloc[0]
            zoom = PRECISION_ZOOM.get(int(row["geo_precision"]), PRECISION_ZOOM[3])
            view = (float(row["lat"]), float(row["lon"]), zoom)
    if view is not None:
        shown["center"] = [float(view[0]), float(view[1])]
        shown["zoom"] = max(2, int(view[2]))
    shown["selected"] = selected or None
    if data_url is None:
        shown["data"] = map_data(layers)
    else:
        shown["url"] = data_url
        shown["popups"] = popups_url or None
    if legend_open is not None:
        shown["legend"] = _legend_html(layers, unfolded=legend_open)
    if epoch:
        shown["epoch"] = int(epoch)
    return shown


class MapView(FeatureGroup):
    """One view of a ``live`` map, for st_folium's ``feature_group_to_add``.

    st_folium makes a new map frame whenever the map's own script changes, and evaluates
    this group's script in the frame it has whenever the group's script changes: so the
    view (``map_view``) travels here, and a filter costs the frame one fetch and redraw,
    not a new page. The group itself stays empty.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        window.newsmapShow({{ this.view_json }});
        {% endmacro %}
        """
    )

    def __init__(self, view: dict[str, Any]) -> None:
        super().__init__(name="view", control=False)
        self.view_json = script_json(view)


def render_map(fmap: folium.Map) -> str:
    """Return the standalone HTML page of a map built by ``build_map``."""
    return str(fmap.get_root().render()) + "\n"


def write_map_html(
    layers: Layers, out_dir: str | Path, *, own_tiles: TileArchive | None = None
) -> Path:
    """Write ``map.html`` and its ``vendor/`` scripts into ``out_dir``; works with no network.

    The page and its scripts replace the folder's old ones together (``geo.outputs``).
    """
    from geo.outputs import OutputSet

    with OutputSet(out_dir) as staged:
        write_map_files(layers, staged.root, own_tiles=own_tiles)
        staged.commit()
        return staged.out / "map.html"


def write_map_files(
    layers: Layers, out_dir: str | Path, *, own_tiles: TileArchive | None = None
) -> Path:
    """Write ``map.html`` and ``vendor/`` into ``out_dir`` in place (a staging folder).

    With ``own_tiles``, the page asks for them at ``tiles/{z}/{x}/{y}`` beside it and
    ``tiles.json`` records the archive, for ``python -m geo serve OUT`` to serve.
    """
    out = Path(out_dir)
    copy_assets(out / DEFAULT_ASSET_BASE)
    own = None
    if own_tiles is not None:
        own = tilelayer.OwnTiles(archive=own_tiles, url=serve.TILE_PATH)
        serve.write_config(out, own_tiles)
    page = render_map(build_map(layers, asset_base=DEFAULT_ASSET_BASE, own_tiles=own))
    path = out / "map.html"
    try:
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror}") from exc
    return path


@functools.lru_cache(maxsize=65_536)
def escape_text(text: object) -> str:
    """Escape untrusted text for HTML and for a JavaScript template literal.

    Besides ``& < > " '``, the backtick, ``$``, backslash and braces become character
    references, so the text stays inert even where a library pastes it into a
    `` `...${}...` `` string or a Jinja template (folium does both).

    >>> escape_text("<b> ${x} `C:\\\\a` {{ 7*7 }}")
    '&lt;b&gt; &#36;&#123;x&#125; &#96;C:&#92;a&#96; &#123;&#123; 7*7 &#125;&#125;'
    """
    return html.escape(str(text), quote=True).translate(_LITERAL_ESCAPES)


#: Characters that mean something in a JS template literal or in Jinja, which folium runs
#: over every element's output: as character references they read the same in HTML.
_LITERAL_ESCAPES = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)


def marker_size(fatalities: int | None) -> int:
    """Return an event marker's size in pixels: 14 when none are reported, up to 40.

    >>> marker_size(None), marker_size(1), marker_size(26), marker_size(12_800)
    (14, 18, 33, 40)
    """
    if not fatalities or fatalities < 0:
        return 14
    return min(40, round(14 + 4 * math.log2(1 + fatalities)))


# --- feature collections with pop-up HTML -------------------------------------------------


class _PopupTables:
    """Escaped article titles and evidence sentences, stored once and shared by events.

    Many events come from one article and several from one sentence: storing those
    strings once keeps a 100,000-event page several times smaller.
    """

    def __init__(self) -> None:
        self.articles: list[dict[str, str]] = []
        self.sentences: list[str] = []
        self.texts: list[str] = []
        self._text_index: dict[str, int] = {}
        self._article_index: dict[tuple[str, str, str, str], int] = {}
        self._sentence_index: dict[str, int] = {}

    def article(self, row: dict[str, Any]) -> int:
        url = web_url(row.get("source_url"))  # only http(s) ever becomes a link
        key = (str(row["article"]), str(row["title"]), str(row["source"]), url)
        if key not in self._article_index:
            self._article_index[key] = len(self.articles)
            title = row["title"] or row["article"]
            entry = {"title": escape_text(title), "outlet": escape_text(row["source"])}
            if url:
                entry["url"] = escape_text(url)
            self.articles.append(entry)
        return self._article_index[key]

    def sentence(self, html_text: str) -> int:
        if html_text not in self._sentence_index:
            self._sentence_index[html_text] = len(self.sentences)
            self.sentences.append(html_text)
        return self._sentence_index[html_text]

    def text(self, html_text: str) -> int:
        if html_text not in self._text_index:
            self._text_index[html_text] = len(self.texts)
            self.texts.append(html_text)
        return self._text_index[html_text]

    def as_json(self) -> dict[str, list[Any]]:
        return {"articles": self.articles, "sentences": self.sentences, "texts": self.texts}


#: The map's collections in the order its pop-up tables are filled.
_COLLECTIONS = ("events", "zones", "corridors", "places")


def map_data(layers: Layers) -> dict[str, Any]:
    """Return what the map draws: a FeatureCollection per layer and the shared pop-up strings.

    Every string that reaches HTML is already escaped by ``escape_text``.
    """
    tables = _PopupTables()
    data: dict[str, Any] = {name: _collection(layers, name, tables) for name in _COLLECTIONS}
    data["popups"] = tables.as_json()
    return data


def map_data_bytes(layers: Layers) -> bytes:
    """Return ``map_data(layers)`` as the UTF-8 JSON a ``build_map(data_url=...)`` map fetches."""
    return _json_bytes(map_data(layers))


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class MapFeatures:
    """Every feature of some layers, serialised once: a filtered view of them is then a join.

    A dashboard filters the same layers again and again. Building pop-up strings and JSON
    for 100,000 events takes seconds; picking the serialised features of the events a
    filter kept takes a fraction of that. The pop-up strings of all the features are one
    table (``popups_bytes``) that every view shares, served once.
    """

    def __init__(self, layers: Layers) -> None:
        tables = _PopupTables()
        self._serialised: dict[str, dict[str, bytes]] = {}
        for name in _COLLECTIONS:
            collection = _collection(layers, name, tables)
            row = _event_row if name == "events" else (lambda feature: feature)
            self._serialised[name] = {
                feature["properties"]["id"]: _json_bytes(row(feature))
                for feature in collection["features"]
            }
        self._popups = _json_bytes(tables.as_json())
        digest = hashlib.sha256(self._popups)
        for name in _COLLECTIONS:
            for serialised in self._serialised[name].values():
                digest.update(serialised)
        #: Names these features by their content: equal layers, equal digest.
        self.digest = digest.hexdigest()

    def popups_bytes(self) -> bytes:
        """Return the shared pop-up strings as JSON (``build_map``'s ``popups_url``)."""
        return self._popups

    def view_bytes(self, shown: Layers) -> bytes:
        """Return the features of ``shown`` as the file a map's ``data_url`` names.

        JSON lines: the first is an object with the zones, corridors and places as
        FeatureCollections and ``keys``, the names of the values in an event's row; each
        line after it is one event's row, ``[lon, lat, *values]`` (``EVENT_KEYS``). The
        map reads the file as it arrives and draws the events it has meanwhile.
        ``shown`` must come from the layers these features were made from (for example
        through ``filter_layers``); a feature they do not hold raises ``KeyError``.
        """
        parts = [b'"keys":' + _EVENT_KEYS_JSON]
        for name in _COLLECTIONS[1:]:
            serialised = self._serialised[name]
            features = b",".join(serialised[str(i)] for i in getattr(shown, name)["id"])
            parts.append(
                b'"%s":{"type":"FeatureCollection","features":[%s]}' % (name.encode(), features)
            )
        rows = self._serialised["events"]
        head = b"{" + b",".join(parts) + b"}"
        return b"\n".join([head, *(rows[str(i)] for i in shown.events["id"])])


#: An event's properties in the order of its row in a view's file (``view_bytes``): a
#: row is ``[lon, lat, *values]``, and the map makes the GeoJSON feature of it again.
#: At 100,000 events the rows are 16 MB where the features were 43 MB.
EVENT_KEYS = (
    "id", "event_type", "event_date", "article", "fatalities", "precision", "size",
    "a", "s", "head", "when", "where", "region", "who", "actors", "deaths", "notes",
    "review", "id_html",
)  # fmt: skip
_EVENT_KEYS_JSON = _json_bytes(list(EVENT_KEYS))
#: Properties an event's feature has only when they are set (a row holds them as null).
EVENT_OPTIONAL = ("review", "id_html")
#: What an event's properties may hold: its row's keys, and its layer (the same for all).
_EVENT_COLUMNS = frozenset(EVENT_KEYS) | {"layer"}


def read_view_bytes(file: bytes) -> dict[str, Any]:
    """Return a view's file (``MapFeatures.view_bytes``) as map data, as the map reads it.

    The events are GeoJSON features again, each with the properties ``map_data`` gives
    it; with ``popups_bytes`` as ``"popups"`` the result equals ``map_data`` of the view.
    """
    head, *lines = file.split(b"\n")
    data: dict[str, Any] = json.loads(head)
    keys = data.pop("keys")
    features = []
    for row in map(json.loads, lines):
        values = dict(zip(keys, row[2:], strict=True))
        properties = {"layer": "event"} | {
            key: value
            for key, value in values.items()
            if value is not None or key not in EVENT_OPTIONAL
        }
        features.append(
            {
                "type": "Feature",
                "id": f"event:{properties['id']}",
                "geometry": {"type": "Point", "coordinates": row[:2]},
                "properties": properties,
            }
        )
    return {"events": {"type": "FeatureCollection", "features": features}} | data


def _event_row(feature: dict[str, Any]) -> list[Any]:
    """Return an event feature as its row of a view's file: ``[lon, lat, *EVENT_KEYS]``."""
    properties = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"]
    assert properties.keys() <= _EVENT_COLUMNS, "an event property has no column"
    return [lon, lat, *(properties.get(key) for key in EVENT_KEYS)]


def _collection(layers: Layers, name: str, tables: _PopupTables) -> dict[str, Any]:
    frame = getattr(layers, name)
    layer = LAYER_OF[name]
    features = []
    for row, geometry in zip(records(frame), frame.geometry, strict=True):
        properties: dict[str, Any] = {"layer": layer, "id": row["id"]}
        if layer == "event":
            properties.update(_event_properties(row, tables))
        else:
            properties["popup_html"] = _POPUPS[name](row)
        if layer in ("corridor", "place"):
            properties["label_html"] = escape_text(row["label" if layer == "corridor" else "name"])
        features.append(
            {
                "type": "Feature",
                "id": f"{layer}:{row['id']}",
                "geometry": geometry_dict(geometry),
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _event_properties(row: dict[str, Any], tables: _PopupTables) -> dict[str, Any]:
    """Return an event's map properties: escaped pop-up parts plus what styles the marker."""
    fatalities = row["fatalities"]
    place = row.get("place_text") or row["location"]
    geo = _GEO_PRECISION.get(int(row["geo_precision"]), str(row["geo_precision"]))
    actors = " / ".join(a for a in (row["actor1"], row["actor2"]) if a)
    properties = {
        "event_type": row["event_type"],
        "event_date": row["event_date"],
        "article": row["article"],
        "fatalities": fatalities,
        "precision": int(row["geo_precision"]),
        "size": marker_size(fatalities),
        "a": tables.article(row),
        "s": tables.sentence(_marked(str(row["evidence"]), str(place))),
        "head": tables.text(escape_text(f"{row['event_type']} — {row['sub_event_type']}")),
        "when": tables.text(
            escape_text(_dates(row["event_date"], row["end_date"], row["time_precision"]))
        ),
        "where": tables.text(escape_text(f"{row['location']} (precision: {geo})")),
        "region": tables.text(
            escape_text(", ".join(part for part in (row["admin1"], row["country_name"]) if part))
        ),
        "who": tables.text(escape_text(row["claimed_by"] or "not attributed")),
        "actors": tables.text(escape_text(actors)),
        "deaths": "not reported" if fatalities is None else str(fatalities),
        "notes": escape_text(row["notes"]),
    }
    if row.get("review_status"):  # an event of a collection: what its review says
        properties["review"] = tables.text(escape_text(review_line(row)))
    id_html = escape_text(row["id"])
    if id_html != row["id"]:
        properties["id_html"] = id_html
    return properties


#: How an event nobody has reviewed yet reads (the pop-up's line, the dashboard's panel).
PROPOSED = "proposed: the machine's reading, not reviewed yet"


def review_line(row: dict[str, Any]) -> str:
    """Say in a line what an event's review is (the pop-up's "Review" row).

    >>> review_line({"review_status": "confirmed", "reviewed_by": "Rana",
    ...              "reviewed_at": "2026-12-07T10:00:00+00:00", "review_note": "two wires"})
    'confirmed by Rana on 2026-12-07: two wires'
    >>> review_line({"review_status": "proposed"})
    "proposed: the machine's reading, not reviewed yet"
    """
    status = str(row["review_status"])
    if status == "proposed":
        return PROPOSED
    line = f"{status} by {row.get('reviewed_by') or 'an unnamed reviewer'}"
    when = str(row.get("reviewed_at") or "")[:10]
    line += f" on {when}" if when else ""
    fields = str(row.get("corrected_fields") or "").replace(JOIN, ", ")
    line += f" ({fields})" if status == "corrected" and fields else ""
    note = str(row.get("review_note") or "")
    return f"{line}: {note}" if note else line


def _rows(pairs: list[tuple[str, object]]) -> str:
    cells = "".join(
        f"<tr><th>{escape_text(label)}</th><td>{escape_text(value)}</td></tr>"
        for label, value in pairs
        if value not in (None, "")
    )
    return f"<table>{cells}</table>"


@functools.lru_cache(maxsize=16_384)
def _marked(sentence: str, name: str) -> str:
    """Escape a sentence and wrap each occurrence of ``name`` in ``<mark>``."""
    if not name:
        return escape_text(sentence)
    lowered, wanted = sentence.casefold(), name.casefold()
    parts, at = [], 0
    while (found := lowered.find(wanted, at)) >= 0 and len(lowered) == len(sentence):
        parts.append(escape_text(sentence[at:found]))
        parts.append(f"<mark>{escape_text(sentence[found : found + len(name)])}</mark>")
        at = found + len(name)
    parts.append(escape_text(sentence[at:]))
    return "".join(parts)


def _dates(first: object, last: object, precision: object) -> str:
    when = f"{first} – {last}" if last and last != first else str(first)
    return f"{when} (precision: {_TIME_PRECISION.get(int(str(precision)), str(precision))})"


def _place_popup(row: dict[str, Any]) -> str:
    table = _rows(
        [
            ("Kind", row["kind"]),
            ("Country", row["country"]),
            ("Precision", f"± {row['precision_m']:g} m"),
            ("Source", f"{row['source']} ({row['origin']})"),
            ("Mentions", row["mentions"]),
            ("Articles", str(row["articles"]).replace("|", ", ")),
        ]
    )
    return (
        f"<h4>{escape_text(row['name'])}</h4>{table}"
        f'<div class="nm-id">place {escape_text(row["id"])}</div>'
    )


def _corridor_popup(row: dict[str, Any]) -> str:
    events = [e for e in str(row["events"]).split("|") if e]
    table = _rows(
        [
            ("Kind", row["kind"]),
            ("Source", row["source"]),
            ("Articles", str(row["articles"]).replace("|", ", ")),
            ("Events", len(events)),
        ]
    )
    return (
        f"<h4>{escape_text(row['name'])}</h4>{table}"
        f'<div class="nm-id">corridor {escape_text(row["id"])}</div>'
    )


def _zone_popup(row: dict[str, Any]) -> str:
    since = row["start_date"] or "not stated"
    table = _rows(
        [
            ("From", since if not row["end_date"] else f"{since} – {row['end_date']}"),
            ("Outlet", row["source"]),
            ("Claimed by", row["claimed_by"] or "not attributed"),
            ("Article", row["title"] or row["article"]),
            ("Buffered", row["buffered"]),
            ("Method", row["method"]),
        ]
    )
    return (
        f"<h4>{escape_text(row['name'])}</h4>{table}"
        f"<blockquote>{_marked(str(row['evidence']), str(row['place_name']))}</blockquote>"
        f'<div class="nm-id">zone {escape_text(row["id"])}</div>'
    )


_POPUPS = {
    "places": _place_popup,
    "corridors": _corridor_popup,
    "zones": _zone_popup,
}


# --- JavaScript (constant code; data reaches it only as JSON properties) ---------------

# The pop-up is a DOM node filled on first opening, so 100,000 events cost no parsing up
# front, and ``getContent().innerText`` (what st_folium reports) holds the feature's id.
_POPUP_JS = """function (feature, layer) {
  var p = feature.properties;
  var div = document.createElement("div");
  div.className = "nm-popup";
  div.setAttribute("data-id", p.id);
  div.setAttribute("data-layer", p.layer);
  div.textContent = p.layer + " " + p.id;
  layer.bindPopup(div, {maxWidth: 380, minWidth: 240});
  layer.on("popupopen", function (e) {
    // An event's strings may still be on their way (a marker clicked at once): its id
    // shows until the pop-up is opened again.
    if (!div.getAttribute("data-filled") &&
        (p.popup_html || window.newsmapPopups.articles.length)) {
      div.innerHTML = p.popup_html || window.newsmapPopups.eventHtml(p);
      div.setAttribute("data-filled", "1");
      e.popup.update();
    }
  });
}"""

_CORRIDOR_JS = (
    "function (feature, layer) {\n  ("
    + _POPUP_JS
    + """)(feature, layer);
  layer.bindTooltip(feature.properties.label_html,
    {permanent: true, direction: "center", className: "nm-label", opacity: 1});
}"""
)

_ZONE_STYLE_JS = f"""function (feature) {{
  return {{color: "{_ZONE_COLOUR}", weight: 2, dashArray: "6 4", fillColor: "{_ZONE_COLOUR}",
          fillOpacity: 0.08, className: "nm-zone"}};
}}"""

_CORRIDOR_STYLE_JS = f"""function (feature) {{
  return {{color: "{_CORRIDOR_COLOUR}", weight: 5, opacity: 0.85, className: "nm-corridor"}};
}}"""

_PLACE_JS = f"""function (feature, latlng) {{
  var marker = L.circleMarker(latlng, {{radius: 4, color: "#fff", weight: 1,
    fillColor: "{_PLACE_COLOUR}", fillOpacity: 0.9, className: "nm-place"}});
  marker.bindTooltip(feature.properties.label_html, {{direction: "top"}});
  return marker;
}}"""


def _event_js() -> str:
    styles = {
        name: {"colour": colour, "shape": _SHAPES[shape], "class": shape}
        for name, (colour, shape) in EVENT_STYLE.items()
    }
    other = {"colour": _OTHER_STYLE[0], "shape": _SHAPES[_OTHER_STYLE[1]], "class": "other"}
    return f"""function (feature, latlng) {{
  var styles = {json.dumps(styles, sort_keys=True)};
  var p = feature.properties;
  var s = Object.prototype.hasOwnProperty.call(styles, p.event_type)
    ? styles[p.event_type] : {json.dumps(other, sort_keys=True)};
  var size = Math.max(8, Math.min(40, Number(p.size) || 14));
  var dash = p.fatalities === null ? ' stroke-dasharray="12 8"' : "";
  // How precisely it is placed: solid at the place itself, paler near it, hollow in the
  // colour of its type where a region or country stands in for the place.
  var paint = p.precision >= 3
    ? ' fill="#ffffff" fill-opacity="0.55" stroke="' + s.colour + '" stroke-width="16"'
    : ' fill="' + s.colour + '" fill-opacity="' + (p.precision === 2 ? "0.45" : "0.85") +
      '" stroke="#1b1b1b" stroke-width="7"';
  var svg = '<svg width="' + size + '" height="' + size + '" viewBox="0 0 100 100">' + s.shape +
    paint + dash + '/></svg>';
  var icon = L.divIcon({{className: "nm-event nm-" + s.class + " nm-p" + p.precision, html: svg,
    iconSize: [size, size], iconAnchor: [size / 2, size / 2], popupAnchor: [0, -size / 2]}});
  var marker = L.marker(latlng, {{icon: icon, keyboard: true, riseOnHover: true,
    title: String(p.event_type) + " " + String(p.event_date)}});
  marker.on("popupopen", function () {{ window.newsmapPopups.mark(marker); }});
  return marker;
}}"""


# --- map furniture -----------------------------------------------------------------------


def _add_tiles(fmap: folium.Map, name: str) -> None:
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError as exc:
        raise ExportError(
            f"unknown basemap {name!r}; expected an xyzservices name such as "
            "OpenStreetMap.Mapnik, CartoDB.Positron or Esri.WorldImagery"
        ) from exc
    layer = folium.TileLayer(provider, name=name, max_zoom=MAX_ZOOM, overlay=False)
    layer.add_to(fmap)
    _TileNotice(layer, name).add_to(fmap)


def _legend_html(layers: Layers, *, unfolded: bool = True) -> str:
    counts = layers.events["event_type"].astype(str).value_counts().to_dict()
    rows = [f"<details{' open' if unfolded else ''}><summary>Legend</summary>", "<b>Events</b>"]
    for name, (colour, shape) in EVENT_STYLE.items():
        svg = (
            f'<svg width="14" height="14" viewBox="0 0 100 100">{_SHAPES[shape]} '
            f'fill="{colour}" stroke="#1b1b1b" stroke-width="7"/></svg>'
        )
        rows.append(f"<div>{svg}{escape_text(name)} ({counts.get(name, 0)})</div>")
    rows.append("<small>Size: fatalities; dashed outline: not reported.</small>")
    rows.append(
        f"<small>{escape_text(heatmap.NAME)} (layers, off at first): each event counts "
        "1 + ln(1 + deaths). ▶ plays the days, events adding up.</small>"
    )
    rows.append("<b>Placed</b>")
    colour = EVENT_STYLE["Battles"][0]
    for paint, label in (
        (
            f'fill="{colour}" fill-opacity="0.85" stroke="#1b1b1b" stroke-width="7"',
            _GEO_PRECISION[1],
        ),
        (
            f'fill="{colour}" fill-opacity="0.45" stroke="#1b1b1b" stroke-width="7"',
            _GEO_PRECISION[2],
        ),
        (
            f'fill="#ffffff" fill-opacity="0.55" stroke="{colour}" stroke-width="16"',
            _GEO_PRECISION[3],
        ),
    ):
        rows.append(
            f'<div class="nm-precision"><svg width="14" height="14" viewBox="0 0 100 100">'
            f"{_SHAPES['diamond']} {paint}/></svg>{escape_text(label.capitalize())}</div>"
        )
    rows.append(
        f'<div><svg width="22" height="10"><line x1="0" y1="5" x2="22" y2="5" '
        f'stroke="{_CORRIDOR_COLOUR}" stroke-width="4"/></svg>Corridors and roads</div>'
    )
    rows.append(
        f'<div><svg width="22" height="12"><rect x="1" y="1" width="20" height="10" '
        f'fill="{_ZONE_COLOUR}" fill-opacity="0.15" stroke="{_ZONE_COLOUR}" '
        f'stroke-dasharray="4 2"/></svg>Zones (geodesic buffer)</div>'
    )
    rows.append(
        f'<div><svg width="22" height="10"><circle cx="11" cy="5" r="4" '
        f'fill="{_PLACE_COLOUR}"/></svg>Places mentioned</div>'
    )
    rows.append("<small>Places: newsmap gazetteer and GeoNames (CC BY 4.0).</small>")
    rows.append(f"<small>{escape_text(offline.ATTRIBUTION)}</small>")
    rows.append("</details>")
    return "".join(rows)


def script_json(value: Any) -> str:
    """Return JSON that is safe inside a ``<script>`` that folium renders with Jinja twice.

    branca compiles each element's rendered script as a Jinja template once more, so text
    such as ``{{ 7*7 }}`` or ``{% ... %}`` from an article would be evaluated on the
    server. JSON's structure never contains ``{{``, ``{%`` or ``{#``, so those sequences
    lie inside strings, where ``\\u007b`` spells the same ``{``; ``< > & '`` are escaped
    as Jinja's ``tojson`` does, so no string can close the script.

    >>> script_json({"notes": "{{ 7*7 }} </script>"})
    '{"notes":"\\\\u007b{ 7*7 }} \\\\u003c/script\\\\u003e"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _JINJA_OPENERS.sub(r"\\u007b", text)


_JINJA_OPENERS = re.compile(r"\{(?=[{%#])")


class _GeoJsonLayer(Layer):
    """One empty Leaflet GeoJSON layer, filled by ``_MapData`` once the data is there.

    folium.GeoJson writes its data with Jinja's ``tojson``, which leaves ``{{`` inside
    strings for branca's second Jinja pass to evaluate; ``_MapData`` uses ``script_json``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
          onEachFeature: {{ this.on_each_feature }},
          {%- if this.point_to_layer %}
          pointToLayer: {{ this.point_to_layer }},
          {%- endif %}
          {%- if this.style %}
          style: {{ this.style }},
          {%- endif %}
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        name: str,
        on_each_feature: str,
        point_to_layer: str | None = None,
        style: str | None = None,
        control: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=True)
        self._name = "GeoJson"
        self.on_each_feature = on_each_feature
        self.point_to_layer = point_to_layer
        self.style = style


class _PopupScript(MacroElement):
    """Define ``window.newsmapPopups``: the shared strings and the event pop-up builder.

    Every string in it was escaped by ``escape_text`` in Python; the builder only joins
    them with fixed markup.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.newsmapPopups = {articles: [], sentences: [], texts: []};
        window.newsmapPopups.eventHtml = function (p) {
          var t = window.newsmapPopups;
          var a = t.articles[p.a] || {title: "", outlet: ""};
          function row(label, value) {
            return value ? "<tr><th>" + label + "</th><td>" + value + "</td></tr>" : "";
          }
          // a.url is an http(s) address, escaped in Python (geo.urls.web_url, escape_text)
          var link = a.url ? '<a class="nm-source" href="' + a.url +
            '" target="_blank" rel="noopener noreferrer">' + a.url + "</a>" : "";
          var x = t.texts;
          return "<h4>" + a.title + "</h4><div>" + x[p.head] + "</div><table>" +
            row("Date", x[p.when]) + row("Outlet", a.outlet) + row("Source", link) +
            row("Claimed by", x[p.who]) +
            row("Place", x[p.where]) + row("In", x[p.region]) + row("Actors", x[p.actors]) +
            row("Fatalities", p.deaths) + row("Review", x[p.review]) +
            "</table><p>" + p.notes + "</p><blockquote>" + (t.sentences[p.s] || "") +
            '</blockquote><div class="nm-id">event ' + (p.id_html || p.id) + "</div>";
        };
        // One event marker at a time wears "nm-selected": the one picked or opened last.
        // It goes into the icon's options, so the marker keeps it when a cluster redraws it.
        window.newsmapPopups.mark = function (marker) {
          var t = window.newsmapPopups;
          if (t.marked === marker) { return; }
          if (t.marked) { t.marked.setIcon(t.marked.plainIcon); }
          var plain = marker.options.icon;
          marker.plainIcon = plain;
          marker.setIcon(L.divIcon(L.extend({}, plain.options,
            {className: plain.options.className + " nm-selected"})));
          t.marked = marker;
        };
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PopupScript"


class _MapData(MacroElement):
    """Show views of the map (``map_view``): fill the layers and the pop-up tables.

    ``window.newsmapShow(view)`` frames the map and fills every layer from the view's
    data, in the page or fetched; a view with the data already shown only moves the map.
    ``window.newsmapShown(hook)`` calls ``hook(view)`` once each view is drawn (and at
    once for the view drawn last), so the map's controls follow each view.
    ``window.newsmapLoaded`` is the promise of the latest view: it settles once every
    layer holds its features. A failed fetch is said on the map, in words, instead of an
    empty map. A standalone map shows its one view as its script runs.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var events = {{ this.events.get_name() }}, cluster = {{ this.cluster.get_name() }};
          var others = [
            {%- for other, name in this.others %}
            [{{ other.get_name() }}, {{ name|tojson }}],
            {%- endfor %}
          ];
          var hooks = [], shown = null, latest = 0, failed = null;
          function note(className, text) {
            var control = L.control({position: "topright"});
            control.onAdd = function () {
              var div = L.DomUtil.create("div", "nm-note " + className);
              div.textContent = text;
              return div;
            };
            return control.addTo(map);
          }
          function get(url) {
            return fetch(url).then(function (response) {
              if (!response.ok) { throw new Error(url + ": HTTP " + response.status); }
              return response;
            });
          }
          function load(url) {
            return get(url).then(function (response) { return response.json(); });
          }
          function frame(view) {
            if (view.center) {
              map.setView(view.center, view.zoom, {animate: false});
            } else if (view.bounds) {
              // Unanimated: a view set meanwhile (a #map= link, a test's setView) holds.
              map.fitBounds(view.bounds, {padding: [{{ this.padding }}, {{ this.padding }}],
                maxZoom: view.maxZoom, animate: false});
            }
          }
          var optional = {{ this.optional_json }}, keys = null;
          // A view's file holds each event as a row [lon, lat, ...keys' values].
          function feature(row) {
            var p = {layer: "event"};
            for (var k = 0; k < keys.length; k++) {
              if (row[k + 2] !== null || !optional[keys[k]]) { p[keys[k]] = row[k + 2]; }
            }
            return {type: "Feature", id: "event:" + p.id, properties: p,
              geometry: {type: "Point", coordinates: [row[0], row[1]]}};
          }
          // Empty every layer and fill all but the events from ``data`` (a view's whole
          // data, or the first line of its file, which names the rows' keys).
          function begin(data) {
            drop();
            window.newsmapPopups.marked = null;
            if (data.popups) { Object.assign(window.newsmapPopups, data.popups); }
            others.forEach(function (pair) {
              pair[0].clearLayers();
              pair[0].addData(data[pair[1]]);
            });
            keys = data.keys || null;
          }
          // Drop every event marker at once. clearLayers() would unbind them one by one
          // (0.45 s at 100,000, on every filter) though none of them is used again: the
          // cluster's grid is only begun afresh and the event layer emptied. These are the
          // internals clearLayers() itself uses in Leaflet.markercluster 1.4.1 (vendored).
          function drop() {
            if (cluster._map) {
              cluster._noanimationUnspiderfy();
              cluster._featureGroup.clearLayers();
              cluster._nonPointGroup.clearLayers();
              cluster._generateInitialClusters();
            } else {
              cluster.clearLayers();  // off the map (playing back, or not shown): as usual
            }
            events._layers = {};
          }
          // Put some events (features, or rows) on the map.
          function add(items) {
            var part = L.geoJson({type: "FeatureCollection",
              features: keys ? items.map(feature) : items}, events.options);
            var markers = part.getLayers();
            markers.forEach(function (marker) {
              marker.removeEventParent(part);
              events.addLayer(marker);
            });
            cluster.addLayers(markers);
          }
          // The size of the next batch of events: the first small, so that the first
          // markers show at once, the others larger (each batch re-counts the clusters).
          function size(done) { return done ? {{ this.batch }} : {{ this.first }}; }
          // Settles once the page has had a frame to paint (or 0.1 s, in a hidden tab) and
          // then is idle (or 0.25 s on): a batch of markers shows, and the page around the
          // map draws and answers, before the next batch is made.
          function painted() {
            return new Promise(function (resolve) {
              var idle = window.requestIdleCallback || function (next) { setTimeout(next, 0); };
              var go = function () {
                if (resolve) { idle(resolve, {timeout: 250}); resolve = null; }
              };
              requestAnimationFrame(go);
              setTimeout(go, 100);
            });
          }
          // A standalone map's events, in batches, each after a paint: the page answers
          // meanwhile. Stops when view ``number`` is no longer the latest.
          function fill(data, number) {
            begin(data);
            var features = data.events.features, done = 0;
            return new Promise(function (resolve) {
              function batch() {
                if (number !== latest) { resolve(); return; }
                var end = Math.min(features.length, done + size(done));
                add(features.slice(done, end));
                done = end;
                if (done < features.length) { painted().then(batch); } else { resolve(); }
              }
              batch();
            });
          }
          // A view's file read as it arrives: its first line begins the view, each line
          // after it is an event's row, drawn in batches while the rest is on its way.
          function stream(url, number) {
            return get(url).then(function (response) {
              var reader = response.body.getReader(), decoder = new TextDecoder();
              var rest = "", started = false, pending = [], done = 0;
              function flush(last) {
                if (pending.length && (last || pending.length >= size(done))) {
                  add(JSON.parse("[" + pending.join(",") + "]"));
                  done += pending.length;
                  pending = [];
                  return true;
                }
                return false;
              }
              function take(lines) {
                lines.forEach(function (line) {
                  if (!line) { return; }
                  if (!started) {
                    var head = JSON.parse(line);  // a map_data file is all in its first line
                    begin(head);
                    if (head.events) { add(head.events.features); }
                    started = true;
                  }
                  else { pending.push(line); }
                });
              }
              function pump() {
                return reader.read().then(function (chunk) {
                  if (number !== latest) { reader.cancel(); return; }
                  rest += decoder.decode(chunk.value || new Uint8Array(0),
                    {stream: !chunk.done});
                  var lines = rest.split("\\n");
                  rest = chunk.done ? "" : lines.pop();
                  take(lines);
                  var added = flush(chunk.done);
                  if (!chunk.done) { return added ? painted().then(pump) : pump(); }
                  if (!started) { throw new Error(url + ": empty"); }
                });
              }
              return pump();
            });
          }
          window.newsmapShown = function (hook) {
            hooks.push(hook);
            if (shown) { hook(shown); }
          };
          // A view's features and pop-up strings, each fetched unless it is shown already.
          // The markers are drawn as soon as the features are there: a pop-up's strings
          // are only read when it opens.
          window.newsmapShow = function (view) {
            var number = ++latest;
            if (failed) { failed.remove(); failed = null; }
            frame(view);
            var same = shown && view.url && shown.url === view.url;
            var loading = view.url && !same ? note("nm-loading", "Loading the map's data…")
              : null;
            var drawn = !view.url ? fill(view.data, number)
              : same ? Promise.resolve() : stream(view.url, number);
            drawn = drawn.then(function () {
              if (loading) { loading.remove(); loading = null; }
            });
            // The pop-up strings are asked for once the features are there: fetched side by
            // side, the two shared the server and the features came later.
            var tables = view.url && view.popups && !(shown && shown.popups === view.popups)
              ? drawn.then(function () { return load(view.popups); }) : Promise.resolve(null);
            window.newsmapLoaded = Promise.all([drawn, tables]).then(function (parts) {
              if (number !== latest) { return; }  // a later view is on its way
              if (parts[1]) { Object.assign(window.newsmapPopups, parts[1]); }
              shown = view;
              hooks.forEach(function (hook) { hook(view); });
            }).catch(function (error) {
              if (loading) { loading.remove(); }
              failed = note("nm-load-error", "The map's data could not be loaded: " +
                error.message);
              throw error;
            });
            return window.newsmapLoaded;
          };
          {%- if this.view_json %}
          window.newsmapShow({{ this.view_json }});
          {%- endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        view: dict[str, Any] | None,
        *,
        events: _GeoJsonLayer,
        cluster: MarkerCluster,
        others: tuple[_GeoJsonLayer, ...],
        padding: int = 24,
    ) -> None:
        super().__init__()
        self._name = "MapData"
        self.view_json = script_json(view) if view is not None else ""
        self.events = events
        self.cluster = cluster
        self.padding = int(padding)
        self.first, self.batch = FIRST_BATCH, BATCH
        self.optional_json = json.dumps(dict.fromkeys(EVENT_OPTIONAL, True), sort_keys=True)
        self.others = tuple(zip(others, _COLLECTIONS[1:], strict=True))


class _Legend(MacroElement):
    """A Leaflet control in the bottom-right corner holding the legend's HTML.

    A view that brings its own legend (``map_view(legend_open=...)``, with its counts)
    replaces it; one the reader unfolded stays unfolded.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var legend = L.control({position: "bottomright"}), div = null;
          legend.onAdd = function () {
            div = L.DomUtil.create("div", "nm-legend");
            div.innerHTML = {{ this.html_json }};
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
          window.newsmapShown(function (view) {
            if (!view.legend) { return; }
            var before = div.querySelector("details");
            div.innerHTML = view.legend;
            var after = div.querySelector("details");
            if (before && after) { after.open = before.open; }
          });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, legend_html: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html_json = script_json(legend_html)


class _OpenSelected(MacroElement):
    """Open the pop-up of the feature whose ``properties.id`` a view selects, once drawn.

    An event is first uncovered from its cluster; zones, corridors and places are searched
    in that order when no event has the id.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.newsmapShown(function (view) {
          var wanted = view.selected;
          if (!wanted) { return; }
          var found = null;
          {{ this.events.get_name() }}.eachLayer(function (layer) {
            if (layer.feature && layer.feature.properties.id === wanted) { found = layer; }
          });
          if (found) {
            window.newsmapPopups.mark(found);
            {{ this.cluster.get_name() }}.zoomToShowLayer(found, function () {
              found.openPopup();
            });
            return;
          }
          [{% for other in this.others %}{{ other.get_name() }}, {% endfor %}].forEach(
            function (group) {
              group.eachLayer(function (layer) {
                if (!found && layer.feature && layer.feature.properties.id === wanted) {
                  found = layer;
                }
              });
            }
          );
          if (found) { found.openPopup(); }
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        cluster: MarkerCluster,
        events: _GeoJsonLayer,
        others: tuple[_GeoJsonLayer, ...],
    ) -> None:
        super().__init__()
        self._name = "OpenSelected"
        self.others = others
        self.cluster = cluster
        self.events = events


def _all_bounds(layers: Layers) -> list[list[float]] | None:
    """Return [[south, west], [north, east]] around every event, zone and corridor shown."""
    boxes: list[tuple[float, float, float, float]] = []
    events = layers.events
    if len(events):
        lats, lons = events["lat"], events["lon"]
        boxes.append((lons.min(), lats.min(), lons.max(), lats.max()))
    for frame in (layers.zones, layers.corridors):
        for geometry in frame.geometry:
            if geometry is not None and not geometry.is_empty:
                boxes.append(geometry.bounds)
    if not boxes:
        return None
    return [
        [float(min(b[1] for b in boxes)), float(min(b[0] for b in boxes))],
        [float(max(b[3] for b in boxes)), float(max(b[2] for b in boxes))],
    ]


def _fit_zoom(layers: Layers) -> int:
    """Return the closest zoom a fitted view may take: events known only to a country are
    not shown at street level, even when they are all there is."""
    precision = layers.events["geo_precision"].dropna()
    if not len(precision):
        return PRECISION_ZOOM[1]
    return PRECISION_ZOOM.get(int(precision.min()), PRECISION_ZOOM[3])


class _Basemap(Layer):
    """The offline basemap: a layer group that ``newsmap/basemap.js`` draws into.

    Listed in the layer control as "Offline basemap"; a basemap that cannot be loaded
    (not built, or a file missing) is said on the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        (function () {
          var map = {{ this._parent.get_name() }};
          var options = {{ this.options_json }};
          options.onError = function (error) {
            var control = L.control({position: "bottomleft"});
            control.onAdd = function () {
              var div = L.DomUtil.create("div", "nm-note nm-basemap-error");
              div.textContent = "The offline basemap could not be loaded (" + error.message +
                "); run: python -m geo.basemap";
              return div;
            };
            control.addTo(map);
          };
          if (window.newsmapBasemap) {
            // Begun once the page's own script has run: begun inside it, beside 100,000
            // events written into the page, it held that script up by about 0.6 s.
            setTimeout(function () {
              window.newsmapBasemap(map, {{ this.get_name() }}, options);
            }, 0);
          } else {
            options.onError(new Error("newsmap/basemap.js is missing"));
          }
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__(name="Offline basemap", overlay=True, control=True, show=True)
        self._name = "Basemap"
        self.options_json = script_json(offline.basemap_options())


class _TileNotice(MacroElement):
    """Say on the map when an online basemap's tiles cannot be loaded (offline, blocked)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }}, tiles = {{ this.tiles.get_name() }};
          var shown = null;
          tiles.on("tileerror", function () {
            if (shown) { return; }
            shown = L.control({position: "bottomleft"});
            shown.onAdd = function () {
              var div = L.DomUtil.create("div", "nm-note nm-tile-error");
              div.textContent = {{ this.message_json }};
              return div;
            };
            shown.addTo(map);
          });
          tiles.on("tileload", function () {
            if (shown) { shown.remove(); shown = null; }
          });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, tiles: folium.TileLayer, name: str) -> None:
        super().__init__()
        self._name = "TileNotice"
        self.tiles = tiles
        self.message_json = script_json(
            f"The {name} tiles could not be loaded (no internet connection?): "
            "the offline basemap is shown instead."
        )


class _Framing(MacroElement):
    """A "fit all" control that says how many events lie outside the view.

    "Fit all" frames what the view drawn last holds. The map's centre and zoom are
    written into the link as they change: the page's own ``#map=zoom/lat/lon`` for a
    standalone file (which opens there), the dashboard's ``c`` and ``z`` query parameters
    when the map is inside it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }}, events = {{ this.events.get_name() }};
          var view = null, text = null;
          var control = L.control({position: "topright"});
          control.onAdd = function () {
            var div = L.DomUtil.create("div", "nm-note nm-frame");
            text = L.DomUtil.create("span", "nm-outside", div);
            var button = L.DomUtil.create("button", "nm-fit-all", div);
            button.type = "button";
            button.textContent = "Fit all";
            button.title = "Show every event on the map";
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.on(button, "click", function () {
              if (view && view.bounds) {
                map.fitBounds(view.bounds, {padding: [{{ this.padding }}, {{ this.padding }}],
                  maxZoom: view.maxZoom});
              }
            });
            return div;
          };
          function count() {
            var bounds = map.getBounds(), total = 0, outside = 0;
            events.eachLayer(function (layer) {
              total += 1;
              if (!bounds.contains(layer.getLatLng())) { outside += 1; }
            });
            text.textContent = outside
              ? outside + " of " + total + " events outside this view"
              : "All " + total + " events in view";
            text.setAttribute("data-outside", String(outside));
          }
          function remember() {
            var c = map.getCenter(), z = map.getZoom();
            var lat = c.lat.toFixed(5), lon = c.lng.toFixed(5);
            try {
              if (window.parent !== window && window.parent.location.origin === location.origin) {
                var url = new URL(window.parent.location.href);
                url.searchParams.set("c", lat + "," + lon);
                url.searchParams.set("z", String(z));
                window.parent.history.replaceState(window.parent.history.state, "", url.href);
                return;
              }
            } catch (error) { /* a parent of another origin: leave its link alone */ }
            history.replaceState(history.state, "", "#map=" + z + "/" + lat + "/" + lon);
          }
          window.newsmapShown(function (shown) {
            if (view === null) {  // the first view drawn
              var link = /^#map=([0-9]+)[/](-?[0-9.]+)[/](-?[0-9.]+)$/.exec(location.hash);
              if (link && window.parent === window) {
                map.setView([Number(link[2]), Number(link[3])], Number(link[1]),
                  {animate: false});
              }
              control.addTo(map);
              map.on("moveend", function () { count(); remember(); });
            }
            view = shown;
            count();
            remember();
          });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, events: _GeoJsonLayer, padding: int = 24) -> None:
        super().__init__()
        self._name = "Framing"
        self.padding = int(padding)
        self.events = events


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def _fix_names(root: Figure) -> None:
    """Give every element a sequential id, so the same layers render the same bytes."""
    for number, element in enumerate(_walk(root)):
        element._id = f"{number:05d}"
