"""The offline basemap in a real Chromium with no network: what the page draws at each zoom.

map.html is opened from a file:// URL, as ``geo build`` leaves it. Assertions are on the
page's SVG (paths with a drawing in them) and on the labels' elements, never on Python.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_layers import sample_corpus, sample_gazetteer  # noqa: E402

from geo.layers import build_layers  # noqa: E402
from geo.webmap import build_map, copy_assets, render_map, write_map_html  # noqa: E402

pytestmark = pytest.mark.e2e

MAP = "window[document.querySelector('.folium-map').id]"
LOCAL_SCHEMES = {"file", "data", "blob", "about"}
POLL_MS = 50

#: Paths of each basemap layer that hold a drawing, and the pane stacking, as drawn.
DRAWN_JS = """() => {
  const drawn = (name) => [...document.querySelectorAll("path." + name)]
    .filter((path) => (path.getAttribute("d") || "").length > 10).length;
  const z = (pane) => Number(getComputedStyle(document.querySelector(
    ".leaflet-" + pane + "-pane")).zIndex);
  return {
    land: drawn("nm-basemap-land"), border: drawn("nm-basemap-border"),
    coast: drawn("nm-basemap-coast"), region: drawn("nm-basemap-region"),
    towns: [...document.querySelectorAll(".nm-town")].map((el) => el.textContent),
    capitals: [...document.querySelectorAll(".nm-town.nm-capital")].map((el) => el.textContent),
    landPane: z("nmLand"), linesPane: z("nmLines"), labelsPane: z("nmLabels"),
    overlayPane: z("overlay"), markerPane: z("marker"),
  };
}"""


@pytest.fixture(scope="module")
def map_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    return write_map_html(layers, tmp_path_factory.mktemp("out"))


@pytest.fixture
def offline(page: Page) -> tuple[Page, list[str]]:
    """The page, and every URL it asked for; anything off this machine is aborted."""
    asked: list[str] = []

    def route(route):  # type: ignore[no-untyped-def]
        asked.append(route.request.url)
        if urlsplit(route.request.url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            route.abort()

    page.context.route("**/*", route)
    return page, asked


#: Set the view, then settle once the basemap has drawn it (a condition checked in the page,
#: so no round trip per check).
SHOW_JS = f"""([lat, lon, zoom]) => new Promise((done) => {{
  const map = {MAP};
  map.setView([lat, lon], zoom, {{animate: false}});
  const check = () => (map.getZoom() === zoom && map._newsmapBasemap.ready
    ? done(true) : setTimeout(check, 20));
  check();
}})"""


def show(page: Page, lat: float, lon: float, zoom: int) -> dict:
    page.evaluate(SHOW_JS, [lat, lon, zoom])
    return dict(page.evaluate(DRAWN_JS))


@pytest.mark.parametrize(
    ("where", "lat", "lon", "zoom", "tier", "towns", "regions"),
    [
        pytest.param("world", 25.0, 20.0, 2, "110m", set(), False, id="world zoom"),
        pytest.param(
            "country",
            35.0,
            38.5,
            6,
            "50m",
            {"Damascus", "Aleppo"},
            True,
            id="Syria at country zoom",
        ),
        pytest.param("city", 36.2, 37.16, 11, "50m", {"Aleppo"}, True, id="Aleppo at city zoom"),
    ],
)
def test_land_borders_and_labels_are_drawn_under_the_events(
    offline, map_html, where, lat, lon, zoom, tier, towns, regions
):
    page, asked = offline
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    drawn = show(page, lat, lon, zoom)
    assert page.evaluate(f"{MAP}._newsmapBasemap.tier") == tier
    assert drawn["land"] >= 1, where
    assert drawn["coast"] >= 1 or where == "city", where  # Aleppo is 100 km from the sea
    assert drawn["border"] >= 1 or where == "city", where
    assert (drawn["region"] >= 1) == regions, where
    assert towns <= set(drawn["towns"]), drawn["towns"]
    # Under every layer of the map: below the zones and corridors, below the markers.
    assert drawn["landPane"] < drawn["linesPane"] < drawn["labelsPane"] < drawn["overlayPane"]
    assert drawn["overlayPane"] < drawn["markerPane"]
    assert page.locator(".nm-basemap-error").count() == 0
    assert [u for u in asked if urlsplit(u).scheme not in LOCAL_SCHEMES] == []


def test_labels_grow_denser_as_one_zooms_in_and_capitals_come_first(offline, map_html):
    page, _ = offline
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    counts = {}
    for zoom in (4, 7, 10):
        drawn = show(page, 35.0, 37.0, zoom)
        counts[zoom] = len(drawn["towns"])
        if zoom == 4:
            assert {"Ankara", "Beirut", "Baghdad", "Cairo"} <= set(drawn["capitals"])
    assert 0 < counts[4] and counts[7] > 0 and counts[10] > 0
    # Closer in, the towns shown are smaller: at zoom 10 near Aleppo, villages appear.
    far = set(show(page, 36.2, 37.16, 6)["towns"])
    near = set(show(page, 36.2, 37.16, 11)["towns"])
    assert near - far, "no smaller town appeared when zooming in"


#: The widest step between two points of one coast or border line, in pixels, and the
#: width of one world at the map's zoom.
WIDEST_STEP_JS = f"""() => {{
  let widest = 0;
  for (const path of document.querySelectorAll(
      "path.nm-basemap-coast, path.nm-basemap-border")) {{
    for (const sub of (path.getAttribute("d") || "").split(/[Mz]/)) {{
      const xs = [...sub.matchAll(/(-?[0-9.]+) (-?[0-9.]+)/g)].map((m) => Number(m[1]));
      for (let i = 1; i < xs.length; i++) widest = Math.max(widest, Math.abs(xs[i] - xs[i - 1]));
    }}
  }}
  return [widest, 256 * 2 ** {MAP}.getZoom()];
}}"""


@pytest.mark.parametrize(
    ("where", "lat", "lon", "zoom"),
    [
        pytest.param("the whole world", 20.0, 0.0, 2, id="world, Chukotka and Fiji"),
        pytest.param("the Pacific", -17.0, 179.0, 5, id="Fiji across the antimeridian"),
        pytest.param("the south", -60.0, 0.0, 2, id="Antarctica around its pole"),
    ],
)
def test_no_coast_or_border_is_drawn_across_the_whole_map(offline, map_html, where, lat, lon, zoom):
    # Natural Earth is stitched for a globe: a ring that crosses the antimeridian would be a
    # line from one side of the flat map to the other.
    page, _ = offline
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    drawn = show(page, lat, lon, zoom)
    assert drawn["land"] >= 1 and drawn["coast"] >= 1, where
    widest, world = page.evaluate(WIDEST_STEP_JS)
    assert widest < world / 4, f"{where}: a step of {widest:.0f} px on a {world} px world"


def test_a_map_without_the_basemap_files_says_so_on_the_map(offline, tmp_path):
    page, _ = offline
    layers = build_layers(sample_corpus(), sample_gazetteer())
    copy_assets(tmp_path / "vendor")
    (tmp_path / "vendor" / "basemap" / "land-110m.js").unlink()
    path = tmp_path / "broken.html"
    path.write_text(render_map(build_map(layers)), encoding="utf-8")
    page.goto(path.as_uri())
    page.evaluate(f"void {MAP}.setView([20, 0], 2, {{animate: false}})")
    note = page.wait_for_selector(".nm-basemap-error")
    assert "offline basemap could not be loaded" in note.inner_text()
    page.wait_for_selector(".nm-event, .marker-cluster")  # the events are still drawn


def test_online_tiles_that_fail_say_so_and_the_offline_basemap_shows(offline, tmp_path):
    page, asked = offline
    layers = build_layers(sample_corpus(), sample_gazetteer())
    copy_assets(tmp_path / "vendor")
    path = tmp_path / "tiles.html"
    path.write_text(render_map(build_map(layers, tiles="CartoDB.Positron")), encoding="utf-8")
    page.goto(path.as_uri())
    note = page.wait_for_selector(".nm-tile-error")
    assert "CartoDB.Positron tiles could not be loaded" in note.inner_text()
    page.wait_for_function(f"{MAP}._newsmapBasemap.ready", polling=POLL_MS)
    assert page.evaluate(DRAWN_JS)["land"] >= 1
    # The tiles were asked for (and aborted by this test's route): nothing else was.
    outside = {urlsplit(u).hostname for u in asked if urlsplit(u).scheme not in LOCAL_SCHEMES}
    assert outside and all(host and "cartocdn" in host for host in outside)
