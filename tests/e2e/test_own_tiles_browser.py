"""A reader's own tiles in a real Chromium: drawn when configured, and nothing leaves 127.0.0.1.

The archives are the test's own (``tests/test_tiles.py`` makes them with pyogrio/GDAL and
SQLite). Assertions are on what the page drew: pixels of the own-tiles pane in the
styled colour (vector) or of the archive's PNGs (raster), and the tile requests' answers.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_page import MAP_FRAME, ROOT, Traffic, guard, map_frame, running
from playwright.sync_api import Page, Response, Route

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_layers import sample_corpus, sample_gazetteer  # noqa: E402
from test_tiles import RED, aleppo_streets, write_archives  # noqa: E402

from geo.layers import build_layers  # noqa: E402
from geo.serve import make_server, start_in_thread  # noqa: E402
from geo.tiles import open_archive  # noqa: E402
from geo.webmap import write_map_html  # noqa: E402

pytestmark = pytest.mark.e2e

MAP = "window[document.querySelector('.folium-map').id]"
SCREENSHOT = ROOT / "test-results" / "own-tiles.png"
#: tile_style.toml's water fill, #c9dbe6.
WATER = (201, 219, 230)
ALEPPO = (36.2, 37.16)

#: Pixels of the own-tiles pane's canvases (vector) or images (raster) near a colour.
PIXELS_JS = """([r, g, b]) => {
  const pane = document.querySelector(".leaflet-nmOwnTiles-pane");
  if (!pane) { return 0; }
  let n = 0;
  const near = (d, i) => Math.abs(d[i] - r) < 6 && Math.abs(d[i + 1] - g) < 6 &&
    Math.abs(d[i + 2] - b) < 6 && d[i + 3] > 200;
  pane.querySelectorAll("canvas").forEach((c) => {
    if (!c.width) { return; }
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 64) { if (near(d, i)) { n++; } }
  });
  pane.querySelectorAll("img").forEach((img) => {
    if (!img.complete || !img.naturalWidth) { return; }
    const c = document.createElement("canvas");
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 64) { if (near(d, i)) { n++; } }
  });
  return n;
}"""


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("own-tiles")
    return {**write_archives(folder), "streets": aleppo_streets(folder / "streets.mbtiles")}


def _build(archive: Path, out: Path) -> Path:
    layers = build_layers(sample_corpus(), sample_gazetteer())
    return write_map_html(layers, out, own_tiles=open_archive(archive))


def _tile_answers(page: Page) -> list[tuple[str, int]]:
    answers: list[tuple[str, int]] = []

    def seen(response: Response) -> None:
        if "/tiles/" in response.url:
            answers.append((response.url, response.status))

    page.on("response", seen)
    return answers


#: A link to Aleppo's streets: the page opens there once its data is in (geo.webmap).
ALEPPO_LINK = f"#map=11/{ALEPPO[0]}/{ALEPPO[1]}"


@pytest.mark.parametrize(
    ("name", "colour"),
    [("pmtiles", WATER), ("mbtiles", WATER), ("raster", RED)],
    ids=["vector PMTiles", "vector MBTiles", "raster MBTiles"],
)
def test_served_map_html_draws_the_archive(page, archives, tmp_path, name, colour):
    traffic: Traffic = guard(page.context)
    out = _build(archives[name], tmp_path / "out").parent
    server = make_server(out, archive=open_archive(archives[name]))
    start_in_thread(server)
    try:
        answers = _tile_answers(page)
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/map.html{ALEPPO_LINK}")
        page.wait_for_function(f"() => {MAP}.getZoom() === 11")
        page.wait_for_function(f"(c) => ({PIXELS_JS})(c) > 50", arg=list(colour))
        assert page.evaluate(f"{MAP}._newsmapOwnTiles.tiles") > 0
        # The events still draw over the tiles, and the basemap under and beyond them.
        page.wait_for_selector(".nm-event, .marker-cluster")
        page.wait_for_selector("path.nm-basemap-land")
    finally:
        server.shutdown()
        server.server_close()
    assert any(status == 200 for _, status in answers), answers
    assert all(status in (200, 204) for _, status in answers), answers
    assert traffic.outside == []


#: tile_style.toml's colours of streets and buildings.
STREET, BUILDING = (255, 255, 255), (224, 219, 211)
#: The vector layers the protomaps layer on the map paints.
RULES_JS = f"""() => {{
  const found = [];
  {MAP}.eachLayer((layer) => {{
    (layer.paintRules || []).forEach((rule) => found.push(rule.dataLayer));
  }});
  return found;
}}"""


def test_every_layer_of_a_street_map_is_drawn_in_its_style(page, archives, tmp_path):
    """Streets, buildings, land use and a layer no style names, at street zoom."""
    traffic: Traffic = guard(page.context)
    out = _build(archives["streets"], tmp_path / "out").parent
    server = make_server(out, archive=open_archive(archives["streets"]))
    start_in_thread(server)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/map.html#map=16/36.195/37.16")
        page.wait_for_function(f"() => {MAP}.getZoom() === 16")
        for colour in (STREET, BUILDING):
            page.wait_for_function(f"(c) => ({PIXELS_JS})(c) > 20", arg=list(colour))
        # The layer no style names is painted too, with the fallback (a faint thin line,
        # too blended to find by its colour).
        painted = page.evaluate(RULES_JS)
        assert {"landuse", "water", "transportation", "building", "pipelines"} <= set(painted)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.locator(".folium-map").screenshot(path=str(SCREENSHOT))
    finally:
        server.shutdown()
        server.server_close()
    assert traffic.outside == []


def test_map_html_from_a_file_says_the_tiles_need_geo_serve(page, archives, tmp_path):
    traffic = Traffic()

    def route(route: Route) -> None:  # file:// pages and their scripts are local too
        if route.request.url.startswith("file:///"):
            traffic.seen.append(route.request.url)
            route.continue_()
        else:
            traffic.route(route)

    page.context.route("**/*", route)
    html = _build(archives["pmtiles"], tmp_path / "out")
    page.goto(html.as_uri())
    note = page.wait_for_selector(".nm-own-tiles-note")
    assert "python -m geo serve OUT" in note.inner_text()
    assert "aleppo.pmtiles" in note.inner_text()
    page.wait_for_selector("path.nm-basemap-land")  # the offline basemap still shows
    page.wait_for_selector(".nm-event, .marker-cluster")
    assert [url for url in traffic.seen if "/tiles/" in url] == []
    assert traffic.outside == []


@pytest.fixture(scope="module")
def tiles_app(archives, tmp_path_factory, seeded_collection) -> Iterator[str]:
    """The dashboard with NEWSMAP_TILES set to the vector PMTiles, on 127.0.0.1.

    On its own copy of the seeded collection, as every browser test's dashboard.
    """
    folder = tmp_path_factory.mktemp("streamlit-tiles")
    db = folder / "collection.gpkg"
    db.write_bytes(seeded_collection.read_bytes())
    env = {"NEWSMAP_TILES": str(archives["pmtiles"])}
    with running(db, folder / "server.log", env) as app:
        yield app.url


def test_dashboard_draws_the_configured_archive(page, tiles_app):
    traffic: Traffic = guard(page.context)
    answers = _tile_answers(page)
    page.goto(f"{tiles_app}/?c={ALEPPO[0]},{ALEPPO[1]}&z=11")
    page.get_by_text("Own tiles: aleppo.pmtiles").wait_for()
    map_frame(page).locator(".leaflet-nmOwnTiles-pane canvas").first.wait_for(state="attached")
    inner = next(f for f in page.frames if f.query_selector(".leaflet-nmOwnTiles-pane"))
    inner.wait_for_function(f"(c) => ({PIXELS_JS})(c) > 50", arg=list(WATER))
    page.locator(MAP_FRAME).screenshot(path=str(SCREENSHOT.with_name("own-tiles-dashboard.png")))
    assert any(status == 200 for _, status in answers), answers
    assert all(url.startswith("http://127.0.0.1:") for url, _ in answers)
    assert traffic.outside == []
