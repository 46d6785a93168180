"""The standalone map.html in a real Chromium with no network: layers draw, pop-ups open.

Uses pytest-playwright's ``page`` on Debian's Chromium (``browser_type_launch_args`` in
tests/conftest.py). Waits are on page conditions, never on sleeps.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_layers import LINKED_URL, linked_corpus, sample_corpus, sample_gazetteer  # noqa: E402

from geo.layers import build_layers  # noqa: E402
from geo.webmap import (  # noqa: E402
    MapFeatures,
    build_map,
    copy_assets,
    map_data_bytes,
    render_map,
    write_map_html,
)

pytestmark = pytest.mark.e2e

LOCAL_SCHEMES = {"file", "data", "blob", "about"}
MAP = "window[document.querySelector('.folium-map').id]"


@pytest.fixture
def offline_page(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """Yield the page and every URL it requested; anything off this machine is aborted."""
    requested: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    page.on("request", lambda request: requested.append(request.url))
    page.context.route("**/*", guard)
    page.on("dialog", lambda dialog: pytest.fail(f"a script ran: dialog {dialog.message!r}"))
    yield page, requested


@pytest.fixture(scope="module")
def map_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    return write_map_html(layers, tmp_path_factory.mktemp("out"))


def _show_event(page: Page, selector: str) -> None:
    """Click clusters until the event marker ``selector`` is on screen (zoom or spiderfy)."""
    for _ in range(8):
        try:
            page.wait_for_selector(selector, state="visible", timeout=1500)
            return
        except PlaywrightTimeout:
            page.locator(".marker-cluster").first.click()
    page.wait_for_selector(selector, state="visible")


def test_map_html_draws_all_layers_offline_and_opens_a_popup(offline_page, map_html):
    page, requested = offline_page
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    page.wait_for_selector("path.nm-zone")
    page.wait_for_selector("path.nm-corridor")
    page.wait_for_selector(".leaflet-tooltip.nm-label:has-text('Castello Road')")
    page.wait_for_selector(".nm-legend:has-text('Violence against civilians')")
    # The first view fits every event, Aleppo's and Geneva's, and says so.
    page.wait_for_selector(".nm-outside[data-outside='0']:has-text('All 6 events in view')")

    page.evaluate(f"void {MAP}.setView([36.2, 37.16], 11, {{animate: false}})")  # Aleppo
    _show_event(page, ".nm-event.nm-circle")  # the executions: Violence against civilians
    page.locator(".nm-event.nm-circle").first.click()
    popup = page.wait_for_selector(".leaflet-popup-content .nm-popup h4")
    assert popup is not None
    text = page.inner_text(".leaflet-popup-content")
    assert "Militants execute 26 civilians in Aleppo <b>`${x}`</b>" in text  # shown literally
    assert "2016-09-17 (precision: day)" in text
    assert "Russian Ministry of Defence" in text
    assert "event 000_a-e1" in text
    assert page.inner_text(".leaflet-popup-content mark") == "Sheikh Hader"
    assert page.locator(".leaflet-popup-content b").count() == 0  # no tag from the title

    assert requested, "the page made no requests at all?"
    off_machine = [u for u in requested if urlsplit(u).scheme not in LOCAL_SCHEMES]
    assert off_machine == []


def test_events_sharing_a_point_spiderfy_and_hostile_text_runs_nothing(offline_page, map_html):
    page, _ = offline_page
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    # The two Geneva events share one point: one cluster that spiderfies on click.
    page.evaluate(f"void {MAP}.setView([46.20222, 6.14569], 12, {{animate: false}})")
    pair = page.locator(".marker-cluster:has-text('2')")
    expect(pair).to_have_count(1)  # once the clusters of the zoom before have gone
    pair.click()
    page.wait_for_function("document.querySelectorAll('.nm-event').length >= 2")
    page.wait_for_selector(".leaflet-marker-pane .nm-event.nm-square", state="visible")
    page.locator(".nm-event.nm-square").click()  # the hostile protest
    page.wait_for_selector(".leaflet-popup-content .nm-popup h4")
    text = page.inner_text(".leaflet-popup-content")
    assert "<img src=x onerror=alert(1)>" in text
    assert "${alert(1)}" in text and "`rm -rf`" in text
    assert "C:\\archive\\2016" in text
    assert "{{ 7*7 }} {% raw %} {# near Geneva" in text  # no server-side template ran
    assert "<script>alert(2)</script>" in text
    assert page.locator(".leaflet-popup-content img, .leaflet-popup-content script").count() == 0
    assert page.evaluate("typeof window.alert") == "function"


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        pytest.param("000_a-e1", "event 000_a-e1", id="a clustered event is uncovered"),
        pytest.param("000_a-z1", "zone 000_a-z1", id="the zone"),
    ],
)
def test_selected_feature_opens_its_popup_on_load(offline_page, tmp_path, selected, expected):
    page, _ = offline_page
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    copy_assets(tmp_path / "vendor")
    path = tmp_path / "selected.html"
    path.write_text(render_map(build_map(layers, selected=selected)), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(f".leaflet-popup-content .nm-popup:has-text('{expected}')")
    assert expected in page.inner_text(".leaflet-popup-content")


@pytest.mark.parametrize(
    ("selected", "link"),
    [
        pytest.param("000_a-e1", LINKED_URL, id="a web address: an escaped Source link"),
        pytest.param("001_b-e1", None, id="a javascript: address: no link"),
    ],
)
def test_an_events_popup_links_its_source_in_a_new_tab(offline_page, tmp_path, selected, link):
    page, _ = offline_page
    layers = build_layers(linked_corpus(), sample_gazetteer())
    copy_assets(tmp_path / "vendor")
    path = tmp_path / "selected.html"
    path.write_text(render_map(build_map(layers, selected=selected)), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_selector(f".leaflet-popup-content .nm-popup:has-text('event {selected}')")
    anchors = page.locator(".leaflet-popup-content a")
    if link is None:
        assert anchors.count() == 0
        assert page.locator(".leaflet-popup-content th", has_text="Source").count() == 0
        return
    assert anchors.count() == 1
    source = anchors.first
    assert source.get_attribute("href") == link  # the markup in its query is text
    assert source.get_attribute("target") == "_blank"
    assert source.get_attribute("rel") == "noopener noreferrer"
    assert source.inner_text() == link
    assert page.inner_text(".leaflet-popup-content tr:has(a.nm-source) th") == "Source"
    assert page.locator(".leaflet-popup-content b").count() == 0


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 for the block; yield its base URL."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("view", id="a view's file, read as it arrives, and its pop-up strings"),
        pytest.param("map_data", id="the whole map data in one file"),
    ],
)
def test_a_map_draws_the_data_it_fetches_and_its_popups_read_in_full(offline_page, tmp_path, kind):
    page, _ = offline_page
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    copy_assets(tmp_path / "vendor")
    if kind == "view":
        features = MapFeatures(layers)
        (tmp_path / "view.json").write_bytes(features.view_bytes(layers))
        (tmp_path / "popups.json").write_bytes(features.popups_bytes())
        fmap = build_map(layers, data_url="view.json", popups_url="popups.json")
    else:
        (tmp_path / "all.json").write_bytes(map_data_bytes(layers))
        fmap = build_map(layers, data_url="all.json")
    (tmp_path / "fetched.html").write_text(render_map(fmap), encoding="utf-8")
    with _served(tmp_path) as base:
        page.goto(f"{base}/fetched.html")
        page.wait_for_selector(".nm-outside[data-outside='0']:has-text('All 6 events in view')")
        page.wait_for_selector("path.nm-zone")
        page.wait_for_selector(".leaflet-tooltip.nm-label:has-text('Castello Road')")
        page.evaluate(f"void {MAP}.setView([36.2, 37.16], 11, {{animate: false}})")  # Aleppo
        _show_event(page, ".nm-event.nm-circle")
        page.locator(".nm-event.nm-circle").first.click()
        page.wait_for_selector(".leaflet-popup-content .nm-popup h4")
        text = page.inner_text(".leaflet-popup-content")
    assert "2016-09-17 (precision: day)" in text and "event 000_a-e1" in text
    assert page.inner_text(".leaflet-popup-content mark") == "Sheikh Hader"
    assert page.locator(".nm-loading, .nm-load-error").count() == 0


def test_a_map_whose_data_cannot_be_fetched_says_so_on_the_map(offline_page, tmp_path):
    page, _ = offline_page
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    copy_assets(tmp_path / "vendor")
    path = tmp_path / "fetched.html"
    path.write_text(render_map(build_map(layers, data_url="missing.json")), encoding="utf-8")
    page.goto(path.as_uri())
    note = page.wait_for_selector(".nm-load-error")
    assert note.inner_text().startswith("The map's data could not be loaded:")
    assert page.locator(".nm-event, .marker-cluster").count() == 0
    assert page.locator(".nm-loading").count() == 0  # the loading note made way for it


# Each corridor label's centre and the box of the line it names, as the page drew them.
LABELS_ON_LINES_JS = """() => {
  const lines = [...document.querySelectorAll('path.nm-corridor')]
    .map(e => e.getBoundingClientRect());
  return [...document.querySelectorAll('.leaflet-tooltip.nm-label')].map(label => {
    const r = label.getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + r.height / 2;
    return [label.textContent, lines.some(b =>
      b.left - 2 <= x && x <= b.right + 2 && b.top - 2 <= y && y <= b.bottom + 2)];
  });
}"""


@pytest.mark.parametrize(
    ("centre", "zoom"),
    [
        pytest.param(None, None, id="the first view"),
        pytest.param((36.2, 37.16), 12, id="city zoom"),
        pytest.param("line", 15, id="street zoom"),
    ],
)
def test_corridor_labels_sit_on_their_lines(offline_page, map_html, centre, zoom):
    page, _ = offline_page
    page.goto(map_html.as_uri())
    page.wait_for_selector(".leaflet-tooltip.nm-label:has-text('Castello Road')")
    if centre == "line":  # street zoom on the middle of the line
        page.evaluate(
            f"void (() => {{ const m = {MAP}; const line = Object.values(m._layers).find("
            "l => l.feature && l.feature.properties.layer === 'corridor' && l.getCenter);"
            f" m.setView(line.getCenter(), {zoom}, {{animate: false}}); }})()"
        )
    elif centre is not None:
        lat, lon = centre
        page.evaluate(f"void {MAP}.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_function(f"() => {MAP}.getZoom() === {zoom}" if zoom else "() => true")
    placed = page.evaluate(LABELS_ON_LINES_JS)
    assert placed and all(on_line for _, on_line in placed), placed


# How many of the heat canvas's pixels are painted (alpha above 0), or null with no canvas.
HEAT_PIXELS_JS = """() => {
  const canvas = document.querySelector('canvas.leaflet-heatmap-layer');
  if (!canvas || !canvas.width || !canvas.height) return null;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
  return painted;
}"""
#: The event markers the cluster holds (on the map, or inside a cluster icon).
CLUSTERED_JS = f"""() => {{
  let n = null;
  {MAP}.eachLayer((l) => {{ if (l.zoomToShowLayer) n = l.getLayers().length; }});
  return n;
}}"""


def _tick_overlay(page: Page, name: str) -> None:
    """Open the layer control and tick the overlay called ``name``, as a reader would."""
    page.hover(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label", has_text=name).click()


def test_the_heatmap_is_off_at_first_and_draws_once_ticked(offline_page, map_html):
    page, requested = offline_page
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    overlay = page.locator(".leaflet-control-layers-overlays label", has_text="Heatmap")
    assert overlay.locator("input").is_checked() is False
    assert page.evaluate(HEAT_PIXELS_JS) is None  # no canvas until it is ticked
    assert "Heatmap (weighted by deaths)" in page.inner_text(".nm-legend")

    _tick_overlay(page, "Heatmap")
    page.wait_for_function(f"() => ({HEAT_PIXELS_JS})() > 500")
    assert page.locator(".nm-heat-error").count() == 0
    # Unticked, the canvas leaves the map.
    _tick_overlay(page, "Heatmap")
    page.wait_for_function(f"() => ({HEAT_PIXELS_JS})() === null")
    assert [u for u in requested if urlsplit(u).scheme not in LOCAL_SCHEMES] == []


@pytest.mark.parametrize(
    ("fatalities", "weight"),
    [
        pytest.param("null", 1.0, id="no toll reported counts once"),
        pytest.param("0", 1.0, id="no one killed counts once"),
        pytest.param("26", 4.2958, id="the 26 executed in Sheikh Hader"),
        pytest.param("100", 5.6151, id="a massacre of 100 is not 100 times a skirmish"),
    ],
)
def test_an_event_weighs_one_plus_the_log_of_its_deaths(offline_page, map_html, fatalities, weight):
    page, _ = offline_page
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    assert page.evaluate(f"window.newsmapHeat.weight({fatalities})") == pytest.approx(
        weight, abs=1e-4
    )


def test_playback_steps_day_by_day_and_stopping_restores_every_event(offline_page, map_html):
    page, requested = offline_page
    page.goto(map_html.as_uri())
    page.wait_for_selector(".nm-event, .marker-cluster")
    page.wait_for_function(f"() => ({CLUSTERED_JS})() === 6")
    control = page.locator(".nm-playback")
    assert control.locator(".nm-day").inner_text() == "Play the 9 days"  # 9 to 17 Sep 2016

    control.get_by_role("button", name="Play day by day").click()
    # The first day: the Geneva talks of 9 September alone.
    day = control.locator(".nm-day")
    page.wait_for_selector(".nm-day[data-day]")
    first = day.get_attribute("data-day")
    assert first == "2016-09-09"
    page.wait_for_function(f"() => ({CLUSTERED_JS})() === 1")
    # Days go by, one per tick, and the events add up to all six by 17 September.
    page.wait_for_function(
        "() => document.querySelector('.nm-day').getAttribute('data-day') > '2016-09-10'"
    )
    page.wait_for_selector(".nm-day[data-day='2016-09-17']")
    assert day.inner_text() == "17 Sep 2016 · 6 events"
    assert page.evaluate(CLUSTERED_JS) == 6

    control.get_by_role("button", name="Stop and show every event").click()
    expect_text = "Play the 9 days"
    page.wait_for_function(
        f"() => document.querySelector('.nm-day').textContent === {expect_text!r}"
    )
    assert page.evaluate(CLUSTERED_JS) == 6
    assert [u for u in requested if urlsplit(u).scheme not in LOCAL_SCHEMES] == []


def test_stopping_playback_midway_puts_back_the_events_still_to_come(offline_page, tmp_path):
    page, _ = offline_page
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    copy_assets(tmp_path / "vendor")
    path = tmp_path / "slow.html"
    page_html = render_map(build_map(layers)).replace("tickMs: 250", "tickMs: 60000")
    path.write_text(page_html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function(f"() => ({CLUSTERED_JS})() === 6")
    page.get_by_role("button", name="Play day by day").click()
    page.wait_for_function(f"() => ({CLUSTERED_JS})() === 1")  # 9 September, then waiting
    assert page.inner_text(".nm-day") == "9 Sep 2016 · 1 events"
    page.get_by_role("button", name="Stop and show every event").click()
    page.wait_for_function(f"() => ({CLUSTERED_JS})() === 6")
    assert page.locator(".nm-day[data-day]").count() == 0
