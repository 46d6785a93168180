"""The dashboard in a real browser, as a reader uses it: Debian's Chromium, no network.

One Streamlit server on a seeded collection serves the session (``app_url``); a test that
adds articles has a server and a collection of its own (``fresh_app_url``). Each test
opens its own page and ends by checking that no request left 127.0.0.1. No sleeps: every
wait is on something the reader would see.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from dashboard_page import (
    FEATURES_JS,
    MAP_FRAME,
    MAP_TIMEOUT_MS,
    ROOT,
    Traffic,
    click_event,
    events,
    features,
    guard,
    map_frame,
    marked,
    popup,
    wait_for_events,
)
from playwright.sync_api import Browser, Page, expect

from dashboard.view import View, choices_of, download_name
from geo.articles import MAX_ARTICLE_BYTES
from geo.export import LAYER_OF
from geo.layers import Layers, filter_layers
from geo.webmap import PRECISION_ZOOM

pytestmark = pytest.mark.e2e

SCREENSHOT = ROOT / "docs" / "screenshot.png"
POPUP_SCREENSHOT = ROOT / "docs" / "screenshot-popup.png"
TEN_SESSIONS_TIMEOUT_MS = 180_000
HOSTILE = """Hostile wire: <img src=x onerror=alert(1)> ${alert(1)} `whoami`

ALEPPO, September 18, 2016 (Hostile Wire) - Syrian government forces shelled the Sheikh \
Maqsood district of Aleppo on Saturday, killing 5 civilians, the monitor said. A file at \
C:\\archive\\2016\\aleppo.txt held "double" and 'single' quotes, `backticks` and \
<script>window.top.__pwned = 1</script> ${window.top.__pwned = 2} \
<img src=x onerror="window.top.__pwned = 3">.

Militants executed 3 residents in Aleppo on Friday, the Russian Ministry of Defence said.
"""
LITERALS = (
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`backticks`",
    "C:\\archive\\2016\\aleppo.txt",
    "\"double\" and 'single'",
    "<script>window.top.__pwned = 1</script>",
)


#: The tables are drawn on canvases: record every string drawn, to read what a cell shows.
RECORD_CANVAS_TEXT_JS = """(() => {
  window.__canvasText = [];
  const draw = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    window.__canvasText.push(String(text));
    return draw.call(this, text, ...rest);
  };
})();"""


def ids(layers: Layers, name: str) -> set[str]:
    """Return a layer's features as the map names them ("event:<id>")."""
    frame = getattr(layers, name)
    return {f"{name[:-1]}:{value}" for value in frame["id"]}


def download_geojson(page: Page, tmp_path: Path) -> dict[str, Any]:
    """Download the GeoJSON the page offers; return it parsed."""
    with page.expect_download() as info:
        page.get_by_test_id("stDownloadButton").filter(has_text="GeoJSON").click()
    path = tmp_path / "download.geojson"
    info.value.save_as(path)
    return dict(json.loads(path.read_text(encoding="utf-8")))


def download(page: Page, label: str, tmp_path: Path) -> tuple[str, Path]:
    """Click the download button ``label``; return the file name offered and the saved file."""
    with page.expect_download() as info:
        page.get_by_test_id("stDownloadButton").filter(has_text=label).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return info.value.suggested_filename, path


KML = "{http://www.opengis.net/kml/2.2}"


def kml_features(path: Path) -> set[str]:
    """Return a KML file's placemarks as the map names them ("event:<id>")."""
    found = set()
    for folder in ET.parse(path).getroot().iter(f"{KML}Folder"):
        layer = LAYER_OF[folder.findtext(f"{KML}name", "")]
        for data in folder.iter(f"{KML}SimpleData"):
            if data.get("name") == "record_id":
                found.add(f"{layer}:{data.text}")
    return found


def named(collection: dict[str, Any]) -> set[str]:
    """Return a FeatureCollection's features as the map names them ("event:<id>")."""
    return {f"{f['properties']['layer']}:{f['properties']['id']}" for f in collection["features"]}


def positions(coordinates: Any) -> list[list[float]]:
    """Return every position of a GeoJSON coordinates array."""
    if coordinates and isinstance(coordinates[0], int | float):
        return [coordinates]
    return [p for part in coordinates for p in positions(part)]


def ring_area(ring: list[list[float]]) -> float:
    """Return the shoelace area of a [lon, lat] ring; positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def assert_rfc7946(collection: dict[str, Any]) -> None:
    """Check what RFC 7946 asks of a FeatureCollection that a reader loads into QGIS."""
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and "crs" not in feature
        geometry, properties = feature["geometry"], feature["properties"]
        for lon, lat in positions(geometry["coordinates"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            # At most 6 decimals (about 10 cm): no invented precision, smaller files.
            assert round(lon, 6) == lon and round(lat, 6) == lat
        if properties["layer"] == "event":
            lon, lat = geometry["coordinates"]
            assert (lon, lat) == pytest.approx((properties["lon"], properties["lat"]), abs=1e-6)
        if geometry["type"] == "Polygon":
            exterior, *holes = geometry["coordinates"]
            assert ring_area(exterior) > 0, f"{properties['id']}: exterior ring is clockwise"
            assert all(ring_area(hole) < 0 for hole in holes)


def assert_stayed_local(traffic: Traffic) -> None:
    """Nothing the page did may have left 127.0.0.1."""
    assert traffic.seen, "the page made no requests at all"
    assert traffic.outside == []


def test_map_draws_every_seed_event_corridor_and_zone(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    started = time.perf_counter()
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    print(f"\nmarkers drawn {time.perf_counter() - started:.2f} s after opening the page")
    drawn = features(page)
    assert ids(seed_layers, "events") <= drawn
    assert ids(seed_layers, "corridors") <= drawn and len(seed_layers.corridors) > 0
    assert ids(seed_layers, "zones") <= drawn and len(seed_layers.zones) > 0
    # The zone and the corridors are SVG paths; the markers are icons or clusters.
    frame = map_frame(page)
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached()
    expect(frame.locator(".nm-event, .marker-cluster").first).to_be_visible()
    expect(frame.locator(".nm-legend")).to_contain_text("Battles")
    expect(frame.locator(".nm-loading, .nm-load-error")).to_have_count(0)  # fetched, shown
    expect(page.get_by_text("GeoNames", exact=False).first).to_be_attached()
    assert_stayed_local(traffic)


def test_clicking_a_marker_opens_its_popup_and_the_article_beside_the_map(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    # The deadliest event reported at a place itself (not a country standing in for it).
    events = seed_layers.events
    at_the_place = events[events["geo_precision"] == 1]
    event = at_the_place.sort_values("fatalities", ascending=False, na_position="last").iloc[0]
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    click_event(page, event["id"])
    expect(popup(page).locator("h4")).to_have_text(event["title"] or event["article"])
    expect(popup(page)).to_contain_text(str(event["event_date"]))
    panel = page.locator(".nm-article")
    expect(panel).to_be_visible(timeout=MAP_TIMEOUT_MS)
    assert panel.locator("mark").count() >= 1
    expect(panel.locator(".nm-evidence")).to_be_visible()
    expect(page.locator(".nm-fields")).to_contain_text(str(event["event_type"]))
    expect(page).to_have_url(re.compile(rf"[?&]event={re.escape(event['id'])}"))
    # The popup stays open after the rerun the click caused: the README's screenshot.
    expect(popup(page).locator("h4")).to_be_visible()
    page.set_viewport_size({"width": 1440, "height": 1500})  # down to the timeline
    expect(page.get_by_text("Events per day")).to_be_visible()
    expect(popup(page).locator("h4")).to_be_visible()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.get_by_test_id("stMain").evaluate("main => main.scrollTo(0, 0)")
    page.screenshot(path=POPUP_SCREENSHOT, full_page=True)
    # The README's first view: the event's country, over the offline basemap's borders
    # and town labels, its pop-up closed and the page at its top.
    page.evaluate(COUNTRY_VIEW_JS, [float(event["lat"]), float(event["lon"])])
    expect(popup(page)).to_have_count(0)
    page.wait_for_function(BASEMAP_READY_JS, timeout=MAP_TIMEOUT_MS)
    expect(map_frame(page).locator(".nm-town").first).to_be_visible()
    expect(map_frame(page).locator("path.nm-basemap-border").first).to_be_attached()
    expect(page.locator(".nm-article")).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert_stayed_local(traffic)


def test_picking_a_table_row_opens_its_article_beside_the_map(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    page.add_init_script(RECORD_CANVAS_TEXT_JS)
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    grid = page.get_by_test_id("stDataFrame").first  # the events table; the articles follow
    grid.scroll_into_view_if_needed()
    # A toll the report does not give is drawn "not reported", never Python's "None".
    assert seed_layers.events["fatalities"].isna().any()
    page.wait_for_function("() => window.__canvasText.includes('not reported')")
    assert "None" not in page.evaluate("() => window.__canvasText")
    # The grid is a canvas: click the third row's selection cell (rows are 35 px high,
    # under a 35 px header), as a reader would.
    grid.click(position={"x": 20, "y": 35 + 2 * 35 + 17})
    event = seed_layers.events.iloc[2]
    expect(page).to_have_url(re.compile(rf"[?&]event={re.escape(event['id'])}"))
    expect(page.locator(".nm-fields")).to_contain_text(event["id"])
    expect(page.locator(".nm-article")).to_be_visible()
    assert_stayed_local(traffic)


def test_a_picked_row_opens_its_popup_and_a_clicked_marker_moves_the_mark(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    events = seed_layers.events.reset_index(drop=True)
    # An event at a place itself (zoom 13) with no other event near, so no cluster makes
    # the map zoom further to show it.
    far = [
        i
        for i, event in events.iterrows()
        if event["geo_precision"] == 1
        and ((events["lat"] - event["lat"]).abs() + (events["lon"] - event["lon"]).abs())
        .drop(index=i)
        .min()
        > 1
    ]
    row = int(far[1])
    picked = events.iloc[row]
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    grid = page.get_by_test_id("stDataFrame").first  # the events table; the articles follow
    grid.scroll_into_view_if_needed()
    grid.click(position={"x": 20, "y": 35 + row * 35 + 17})  # the row's selection cell
    expect(page).to_have_url(re.compile(rf"[?&]event={re.escape(picked['id'])}"))
    expect(popup(page)).to_have_attribute("data-id", picked["id"], timeout=MAP_TIMEOUT_MS)
    expect(popup(page).locator(".nm-id")).to_have_text(f"event {picked['id']}")
    assert marked(page, picked["id"]) == {"ids": [picked["id"]], "zoom": 13}
    expect(page.get_by_text(f"The selected event is row {row + 1}, marked below.")).to_be_visible()
    # A marker click moves the mark and names its row; the map stays where it is.
    other = events[(events["geo_precision"] == 1) & (events["id"] != picked["id"])].iloc[0]
    other_row = int(events.index[events["id"] == other["id"]][0])
    click_event(page, other["id"])
    expect(popup(page)).to_have_attribute("data-id", other["id"])
    zoom = marked(page, other["id"])["zoom"]
    note = f"The selected event is row {other_row + 1}, marked below."
    expect(page.get_by_text(note)).to_be_visible(timeout=MAP_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(rf"[?&]event={re.escape(other['id'])}"))
    expect(popup(page)).to_have_attribute("data-id", other["id"])  # the rerun left it open
    assert marked(page, other["id"]) == {"ids": [other["id"]], "zoom": zoom}
    assert_stayed_local(traffic)


_MAP_OF_FRAME = f"document.querySelector({json.dumps(MAP_FRAME)}).contentWindow.map"
#: The map at country zoom around an event.
COUNTRY_VIEW_JS = f"""([lat, lon]) => {{
  const map = {_MAP_OF_FRAME};
  map.closePopup();
  map.setView([lat, lon], 7, {{animate: false}});
}}"""
BASEMAP_READY_JS = f"""() => {{
  const map = {_MAP_OF_FRAME};
  return map.getZoom() === 7 && map._newsmapBasemap && map._newsmapBasemap.ready;
}}"""


#: Count the app's script runs that end from now on (each change of stApp's script state
#: away from "running"); return the count so far.
COUNT_RUNS_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!window.__runs) {
    window.__runs = {count: 0};
    new MutationObserver((records) => {
      for (const record of records) if (record.oldValue === "running") window.__runs.count++;
    }).observe(app, {attributes: true, attributeOldValue: true,
                     attributeFilter: ["data-test-script-state"]});
  }
  return window.__runs.count;
}"""
#: A run ended after ``since`` had, and none is running.
RUN_ENDED_JS = """(since) => window.__runs.count > since && document.querySelector(
  '[data-testid="stApp"]').getAttribute("data-test-script-state") === "notRunning"
"""


#: The event at ``[lat, lon]`` lies inside the map's view at zoom ``zoom`` or closer. Its
#: pop-up pans the map once open, so the view holds the event but is not centred on it.
IN_VIEW_JS = f"""([lat, lon, zoom]) => {{
  const frame = document.querySelector({json.dumps(MAP_FRAME)});
  const map = frame && frame.contentWindow && frame.contentWindow.map;
  return Boolean(map) && map.getZoom() >= zoom && map.getBounds().contains([lat, lon]);
}}"""


def test_picking_the_same_row_again_flies_back_to_its_event(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    events = seed_layers.events.reset_index(drop=True)
    row = int(events.index[events["geo_precision"] == 1][0])
    picked = events.iloc[row]
    where = [float(picked["lat"]), float(picked["lon"]), PRECISION_ZOOM[1]]
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    cell = {"x": 20, "y": 35 + row * 35 + 17}
    grid.click(position=cell)
    expect(page).to_have_url(re.compile(rf"[?&]event={re.escape(picked['id'])}"))
    # The map opens on the event at street zoom; once its data arrive, the event's pop-up
    # is open beside it and nothing moves the map but the reader.
    expect(popup(page)).to_have_attribute("data-id", picked["id"], timeout=MAP_TIMEOUT_MS)
    page.wait_for_function(IN_VIEW_JS, arg=where, timeout=MAP_TIMEOUT_MS)
    # The reader pans far away, then unticks and ticks the same row again.
    page.evaluate(f"() => {_MAP_OF_FRAME}.setView([-40, 150], 4, {{animate: false}})")
    page.wait_for_function(f"(where) => !({IN_VIEW_JS})(where)", arg=where)
    # Unticking changes nothing on the page: wait for its rerun to end before ticking again,
    # or the two clicks make one rerun that sees the row as it was.
    runs = page.evaluate(COUNT_RUNS_JS)
    grid.click(position=cell)
    page.wait_for_function(RUN_ENDED_JS, arg=runs, timeout=MAP_TIMEOUT_MS)
    expect(page.get_by_text(f"The selected event is row {row + 1}, marked below.")).to_be_visible()
    grid.click(position=cell)
    page.wait_for_function(IN_VIEW_JS, arg=where, timeout=MAP_TIMEOUT_MS)
    assert marked(page, picked["id"])["ids"] == [picked["id"]]
    assert_stayed_local(traffic)


def test_geojson_download_is_rfc7946_and_holds_what_the_map_shows(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic, tmp_path: Path
) -> None:
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    collection = download_geojson(page, tmp_path)
    assert_rfc7946(collection)
    assert named(collection) == features(page)
    assert_stayed_local(traffic)


def test_a_filter_changes_both_the_map_and_the_download(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic, tmp_path: Path
) -> None:
    kind = seed_layers.events["event_type"].value_counts().index[-1]  # the rarest type
    expected = filter_layers(seed_layers, event_types=[kind])
    assert 0 < len(expected.events) < len(seed_layers.events)
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    # The reader unfolds the legend; the map's window is marked to tell it from a new one.
    legend = map_frame(page).locator(".nm-legend details")
    legend.locator("summary").click()
    expect(legend).to_have_attribute("open", "")
    page.evaluate(f"() => {{ document.querySelector('{MAP_FRAME}').contentWindow.__kept = 1; }}")
    page.get_by_test_id("stMultiSelect").filter(has_text="Event types").click()
    started = time.perf_counter()
    page.get_by_role("option", name=kind, exact=True).click()
    wait_for_events(page, len(expected.events))
    print(f"\nmap redrawn {time.perf_counter() - started:.2f} s after picking a filter")
    page.keyboard.press("Escape")
    assert events(page) == ids(expected, "events")
    # Drawn in the same map, not a new page: the legend stays unfolded, with new counts.
    kept = f"() => document.querySelector('{MAP_FRAME}').contentWindow.__kept === 1"
    assert page.evaluate(kept)
    expect(legend).to_have_attribute("open", "")
    expect(legend).to_contain_text(f"{kind} ({len(expected.events)})")
    collection = download_geojson(page, tmp_path)
    shown = {
        f["properties"]["id"] for f in collection["features"] if f["properties"]["layer"] == "event"
    }
    assert shown == set(expected.events["id"])
    expect(page).to_have_url(re.compile(r"[?&]type="))
    assert_stayed_local(traffic)


@pytest.mark.parametrize(
    ("label", "ext"),
    [
        pytest.param("KML", "kml", id="KML for Google Earth"),
        pytest.param("GeoJSON", "geojson", id="GeoJSON for QGIS"),
    ],
)
def test_a_filtered_download_is_named_for_the_filter_and_holds_what_is_shown(
    page: Page,
    app_url: str,
    seed_layers: Layers,
    traffic: Traffic,
    tmp_path: Path,
    label: str,
    ext: str,
) -> None:
    kind = seed_layers.events["event_type"].value_counts().index[-1]  # the rarest type
    expected = filter_layers(seed_layers, event_types=[kind])
    data = choices_of(seed_layers.events, {})
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    page.get_by_test_id("stMultiSelect").filter(has_text="Event types").click()
    page.get_by_role("option", name=kind, exact=True).click()
    wait_for_events(page, len(expected.events))
    page.keyboard.press("Escape")
    name, path = download(page, label, tmp_path)
    assert name == download_name(View(types=(kind,)), ext=ext, first=data.first, last=data.last)
    assert kind.split()[0].lower() in name
    if ext == "kml":
        held = kml_features(path)
    else:
        held = named(json.loads(path.read_text(encoding="utf-8")))
    assert held == features(page)
    assert {f for f in held if f.startswith("event:")} == ids(expected, "events")
    assert_stayed_local(traffic)


def test_a_hostile_article_is_shown_as_literal_text_and_runs_nothing(
    page: Page, fresh_app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    app_url = fresh_app_url
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "hostile.txt", "mimeType": "text/plain", "buffer": HOSTILE.encode()}]
    )
    expect(page.get_by_text("Added in this session: hostile.txt")).to_be_visible(
        timeout=MAP_TIMEOUT_MS
    )
    page.wait_for_function(
        f"() => ({FEATURES_JS})()?.some((f) => f[2] === 'hostile')", timeout=MAP_TIMEOUT_MS
    )
    # The article just added opens with its first event's pop-up (a click on that marker
    # would close it again: a marker's click toggles its pop-up).
    told = sorted(f.split(":", 1)[1] for f in features(page, article="hostile"))
    one_of = "|".join(re.escape(event) for event in told)
    expect(page).to_have_url(re.compile(rf"[?&]event=(?:{one_of})(?:&|$)"))
    event_id = dict(parse_qsl(urlsplit(page.url).query))["event"]
    expect(popup(page)).to_have_attribute("data-id", event_id, timeout=MAP_TIMEOUT_MS)
    title = popup(page).locator("h4")
    expect(title).to_contain_text("<img src=x onerror=alert(1)>")
    expect(title).to_contain_text("${alert(1)}")
    panel = page.locator(".nm-article")
    expect(panel).to_contain_text("Hostile wire", timeout=MAP_TIMEOUT_MS)
    text = panel.inner_text()
    for literal in LITERALS:
        assert literal in text
    assert page.evaluate("() => window.__pwned") is None
    for where in (page, map_frame(page)):
        assert where.locator('img[src="x"]').count() == 0
    assert dialogs == []
    assert_stayed_local(traffic)
    # The article is in the collection: another reader of it gets it, as literal text too.
    assert page.context.browser is not None
    other = page.context.browser.new_context()
    try:
        other_traffic = guard(other)
        colleague = other.new_page()
        colleague.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        colleague.goto(f"{app_url}/?{urlencode({'event': event_id})}")
        colleague.wait_for_function(
            f"() => ({FEATURES_JS})()?.some((f) => f[2] === 'hostile')", timeout=MAP_TIMEOUT_MS
        )
        assert features(colleague, article="hostile") == features(page, article="hostile")
        shown = colleague.locator(".nm-article")
        expect(shown).to_contain_text("Hostile wire", timeout=MAP_TIMEOUT_MS)
        for literal in LITERALS:
            assert literal in shown.inner_text()
        assert colleague.evaluate("() => window.__pwned") is None and dialogs == []
        assert_stayed_local(other_traffic)
    finally:
        other.close()


def test_a_bad_upload_says_why_and_changes_nothing_else(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "photo.txt", "mimeType": "text/plain", "buffer": bytes(range(256)) * 8}]
    )
    expect(page.get_by_role("alert")).to_contain_text("photo.txt")
    wait_for_events(page, len(seed_layers.events))
    expect(page.get_by_text("Added in this session")).to_have_count(0)
    assert_stayed_local(traffic)


KHERSON = (
    "Drone strike in Kherson\n\nKHERSON, Ukraine, November 5, 2022 (Wire) - A drone struck a "
    "bus station in Kherson on Saturday, killing two people, the regional governor said.\n"
)
MOSUL = (
    "Car bomb in Mosul\n\nMOSUL, Iraq, March 14, 2017 (Wire) - A car bomb exploded at a "
    "checkpoint in Mosul on Tuesday, killing seven soldiers, security officials said.\n"
)
SARAJEVO = (
    "Shelling in Sarajevo\n\nSARAJEVO, Bosnia and Herzegovina, May 25, 1995 (Wire) - Artillery "
    "shelled the old town of Sarajevo on Thursday, killing three civilians, United Nations "
    "officials said.\n"
)


@pytest.mark.parametrize(
    ("files", "good", "bad"),
    [
        pytest.param(
            {
                "kherson.txt": KHERSON.encode(),
                "photo.txt": bytes(range(256)) * 8,
                "mosul.txt": MOSUL.encode(),
            },
            ["kherson.txt", "mosul.txt"],
            {"photo.txt": "not text"},
            id="two reports and a photo",
        ),
        pytest.param(
            {
                "sarajevo.md": SARAJEVO.encode(),
                "blank.txt": b"  \n ",
                "scan.html": bytes(range(256)) * 4,
            },
            ["sarajevo.md"],
            {"blank.txt": "empty", "scan.html": "not text"},
            id="one report and two bad files",
        ),
    ],
)
def test_several_files_are_added_at_once_and_each_bad_one_says_why(
    page: Page,
    fresh_app_url: str,
    seed_layers: Layers,
    traffic: Traffic,
    files: dict[str, bytes],
    good: list[str],
    bad: dict[str, str],
) -> None:
    page.goto(fresh_app_url)
    wait_for_events(page, len(seed_layers.events))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": n, "mimeType": "text/plain", "buffer": b} for n, b in files.items()]
    )
    wait_for_events(page, len(seed_layers.events) + len(good), timeout=MAP_TIMEOUT_MS)
    note = page.get_by_text("Added in this session:")
    for name in good:
        expect(note).to_contain_text(name)
    for name in bad:
        expect(note).not_to_contain_text(name)
    alerts = page.get_by_role("alert")
    expect(alerts).to_have_count(len(bad))
    for name, why in bad.items():
        alert = alerts.filter(has_text=name)
        expect(alert).to_have_count(1)  # one line for each bad file, naming it
        expect(alert).to_contain_text(why)
    for name in good:
        expect(alerts.filter(has_text=name)).to_have_count(0)
    assert_stayed_local(traffic)


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        pytest.param(
            "rapport.txt",
            "Manifestation à Dakar\n\nDAKAR, 4 mars 2024 - Des milliers de manifestants ont "
            "défilé dans le centre de la capitale pour protester contre le report de "
            "l'élection, selon des témoins sur place.\n",
            "unsupported language",
            id="a report in French",
        ),
        pytest.param(
            "undated.txt",
            "Clashes in the east\n\nSoldiers and rebels clashed near Aleppo, residents "
            "said. Several houses were burned in the fighting.\n",
            "no date",
            id="an undated report",
        ),
        pytest.param(
            "markets.txt",
            "Shares rise\n\nFRANKFURT, May 6, 2024 (Wire) - German shares rose on Monday "
            "as carmakers gained, traders said. The euro edged higher.\n",
            "no event words",
            id="a report with no event",
        ),
    ],
)
def test_an_added_article_with_no_event_says_why(
    page: Page,
    fresh_app_url: str,
    seed_layers: Layers,
    traffic: Traffic,
    name: str,
    text: str,
    why: str,
) -> None:
    page.goto(fresh_app_url)
    wait_for_events(page, len(seed_layers.events))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}]
    )
    note = page.locator(".nm-silent")
    expect(note).to_have_count(1, timeout=MAP_TIMEOUT_MS)
    expect(note).to_contain_text(why)
    wait_for_events(page, len(seed_layers.events))
    assert_stayed_local(traffic)


@pytest.mark.parametrize(
    ("name", "size"),
    [
        pytest.param("![x](http://203.0.113.9/pixel.png) _photo_.txt", 2048, id="Markdown name"),
        pytest.param(":red[alarm] **big**.txt", 20_500_000, id="just over the limit"),
    ],
)
def test_an_upload_error_shows_the_file_name_as_plain_text(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic, name: str, size: int
) -> None:
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": "text/plain", "buffer": data}]
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(name)  # the name as typed, not turned into Markdown
    if size > MAX_ARTICLE_BYTES:  # the command line's limit and message, word for word
        expect(alert).to_contain_text(
            f"too large ({size:,} bytes; at most 20,000,000 bytes (20 MB))"
        )
    expect(alert.locator("img, a, strong, em, span[style]")).to_have_count(0)
    expect(page.get_by_text("Added in this session")).to_have_count(0)
    assert_stayed_local(traffic)


def test_ten_sessions_at_once_each_get_their_map_and_their_own_filters(
    browser: Browser, app_url: str, seed_layers: Layers
) -> None:
    seed_events = seed_layers.events
    kinds = list(seed_events["event_type"].value_counts().index)
    deaths = sorted({int(n) for n in seed_events["fatalities"].dropna() if n > 0})
    middle = dt.date.fromisoformat(sorted(seed_events["event_date"])[len(seed_events) // 2])
    views: list[tuple[dict[str, str], Layers]] = [
        ({}, seed_layers),
        ({"from": middle.isoformat()}, filter_layers(seed_layers, start=middle)),
        ({"to": middle.isoformat()}, filter_layers(seed_layers, end=middle)),
    ]
    views += [({"type": k}, filter_layers(seed_layers, event_types=[k])) for k in kinds]
    views += [({"minfat": str(n)}, filter_layers(seed_layers, min_fatalities=n)) for n in deaths]
    views = (views * 10)[:10]
    contexts, pages, traffics = [], [], []
    for _ in views:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        traffics.append(guard(context))
        pages.append(context.new_page())
    try:
        for page, (query, _) in zip(pages, views, strict=True):
            page.goto(f"{app_url}/?{urlencode(query)}", wait_until="commit")
        for page, (query, expected) in zip(pages, views, strict=True):
            # Ten first runs on two cores take a while: allow for it.
            wait_for_events(page, len(expected.events), timeout=TEN_SESSIONS_TIMEOUT_MS)
            assert events(page) == ids(expected, "events"), query
            # The link still says what this session asked for: nothing leaked into it.
            # (besides the centre and zoom the map writes as it moves).
            link = dict(parse_qsl(urlsplit(page.url).query))
            assert {k: v for k, v in link.items() if k not in ("c", "z")} == query
        for traffic in traffics:
            assert_stayed_local(traffic)
    finally:
        for context in contexts:
            context.close()


#: What the dashboard's map drew of the offline basemap: paths with a drawing in them.
BASEMAP_DRAWN_JS = """() => {
  const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const doc = frame && frame.contentDocument;
  if (!doc || !frame.contentWindow.map || !frame.contentWindow.map._newsmapBasemap) return null;
  const drawn = (name) => [...doc.querySelectorAll("path." + name)]
    .filter((path) => (path.getAttribute("d") || "").length > 10).length;
  return {ready: Boolean(frame.contentWindow.map._newsmapBasemap.ready),
    land: drawn("nm-basemap-land"), border: drawn("nm-basemap-border"),
    towns: doc.querySelectorAll(".nm-town").length,
    zoom: frame.contentWindow.map.getZoom(),
    outside: (doc.querySelector(".nm-outside") || {}).textContent || ""};
}"""


def test_the_map_draws_the_offline_basemap_and_a_link_keeps_centre_and_zoom(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    page.wait_for_function(
        f"() => {{ const d = ({BASEMAP_DRAWN_JS})(); return d && d.ready && d.land > 0; }}",
        timeout=MAP_TIMEOUT_MS,
        polling=100,
    )
    drawn = page.evaluate(BASEMAP_DRAWN_JS)
    assert drawn["land"] > 0 and drawn["border"] > 0 and drawn["towns"] > 0
    assert drawn["outside"] == f"All {len(seed_layers.events)} events in view"
    # The map writes its centre and zoom into the link; opening that link opens there.
    expect(page).to_have_url(re.compile(r"[?&]z=\d+"))
    query = dict(parse_qsl(urlsplit(page.url).query))
    other = page.context.new_page()
    other.goto(f"{app_url}/?{urlencode({'c': '36.20000,37.16000', 'z': '11'})}")
    wait_for_events(other, len(seed_layers.events))
    other.wait_for_function(
        f"() => {{ const d = ({BASEMAP_DRAWN_JS})(); return d && d.ready && d.zoom === 11; }}",
        timeout=MAP_TIMEOUT_MS,
        polling=100,
    )
    assert "outside this view" in other.evaluate(BASEMAP_DRAWN_JS)["outside"]
    assert query["z"].isdigit()
    assert_stayed_local(traffic)


COLLECTION_DATA = re.compile(r"/app/static/data/(c-\d+-[\w-]{32})/[0-9a-f]{64}\.json$")


def data_folders(traffic: Traffic) -> set[str]:
    """Return the map data folders the pages of ``traffic`` fetched from (each a secret)."""
    fetched = [url for url in traffic.seen if "/app/static/data/" in url]
    assert fetched and all(COLLECTION_DATA.search(url) for url in fetched), fetched
    return {COLLECTION_DATA.search(url)[1] for url in fetched}  # type: ignore[index]


def test_an_added_articles_map_data_is_its_collections_alone(
    browser: Browser, fresh_app_url: str, app_url: str, seed_layers: Layers
) -> None:
    report = (
        "Shelling in Kharkiv\n\nKHARKIV, Ukraine, March 3, 2024 (Wire) - Artillery shelled a "
        "market in Kharkiv on Sunday, killing four civilians, regional officials said.\n"
    )
    # Two readers of the test's collection, and one of another (the session's server).
    contexts = [browser.new_context() for _ in range(3)]
    try:
        traffics = [guard(context) for context in contexts]
        adder, colleague, stranger = (context.new_page() for context in contexts)
        adder.goto(fresh_app_url)
        wait_for_events(adder, len(seed_layers.events))
        adder.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "kharkiv.txt", "mimeType": "text/plain", "buffer": report.encode()}]
        )
        wait_for_events(adder, len(seed_layers.events) + 1)
        colleague.goto(fresh_app_url)
        wait_for_events(colleague, len(seed_layers.events) + 1)
        assert features(colleague, article="kharkiv") == features(adder, article="kharkiv") != set()
        stranger.goto(app_url)
        wait_for_events(stranger, len(seed_layers.events))
        assert features(stranger, article="kharkiv") == set()
        # Each collection's map data sits in a folder named by its server's secret.
        mine, theirs, other = (data_folders(traffic) for traffic in traffics)
        assert len(mine) == 1 and mine == theirs and not other & mine
        for traffic in traffics:
            assert_stayed_local(traffic)
    finally:
        for context in contexts:
            context.close()
