"""The dashboard's time tools in a real browser: the heatmap, the brushed timeline, playback.

Debian's Chromium, no network (``traffic``); every wait is on something the reader sees.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from dashboard_page import (
    FEATURES_JS,
    MAP_FRAME,
    MAP_TIMEOUT_MS,
    ROOT,
    Traffic,
    map_frame,
    wait_for_events,
)
from playwright.sync_api import Page, expect

from geo.layers import Layers, filter_layers

pytestmark = pytest.mark.e2e

#: For a person to look at (git-ignored): the heatmap on, the timeline under the map.
SCREENSHOT = ROOT / "test-results" / "heatmap-and-timeline.png"

_MAP = f"document.querySelector('{MAP_FRAME}').contentWindow"
#: Painted pixels of the heat canvas in the map's frame, or null when it has none.
HEAT_PIXELS_JS = f"""() => {{
  const w = {_MAP};
  const canvas = w && w.document.querySelector('canvas.leaflet-heatmap-layer');
  if (!canvas || !canvas.width || !canvas.height) return null;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
  return painted;
}}"""
#: How many event markers the map holds (on the map or inside a cluster).
MARKERS_JS = f"() => (({FEATURES_JS})() || []).filter((f) => f[0] === 'event').length"


def assert_stayed_local(traffic: Traffic) -> None:
    assert traffic.seen, "the page made no requests at all"
    assert traffic.outside == []


def tick_heatmap(page: Page) -> None:
    frame = map_frame(page)
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text="Heatmap").click()


def brush(page: Page, start: float, end: float) -> None:
    """Drag across the timeline from ``start`` to ``end`` (fractions of its plot's width)."""
    plot = page.locator('[data-testid="stVegaLiteChart"]').first
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    assert box
    y = box["y"] + 50  # inside the bars' area, above the axis and the legend
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (start + end) / 2, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * end, y, steps=4)
    page.mouse.up()


def test_the_heatmap_draws_in_the_dashboard_once_ticked(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    page.goto(app_url)
    wait_for_events(page, len(seed_layers.events))
    assert page.evaluate(HEAT_PIXELS_JS) is None
    tick_heatmap(page)
    page.wait_for_function(f"() => ({HEAT_PIXELS_JS})() > 500", timeout=MAP_TIMEOUT_MS)
    expect(map_frame(page).locator(".nm-heat-error")).to_have_count(0)
    expect(page.get_by_text("Events per day")).to_be_visible()
    page.locator('[data-testid="stVegaLiteChart"]').first.scroll_into_view_if_needed()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert_stayed_local(traffic)


def test_brushing_the_timeline_sets_the_dates_and_all_dates_clears_them(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    total = len(seed_layers.events)
    page.goto(app_url)
    wait_for_events(page, total)
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_be_visible()
    brush(page, 0.55, 0.9)
    expect(page).to_have_url(re.compile(r"[?&]from=2016-"), timeout=MAP_TIMEOUT_MS)
    query = parse_qs(urlsplit(page.url).query)
    start = dt.date.fromisoformat(query["from"][0])
    end = dt.date.fromisoformat(query["to"][0]) if "to" in query else None
    expected = filter_layers(seed_layers, start=start, end=end)
    assert 0 < len(expected.events) < total
    wait_for_events(page, len(expected.events))
    # The sidebar's date range says the brushed days.
    slider = page.get_by_test_id("stSlider").filter(has_text="Dates")
    expect(slider).to_contain_text(f"{start:%-d %b %Y}")
    expect(page.get_by_text(re.compile(r"within the dates chosen"))).to_be_visible()

    page.get_by_role("button", name="All dates").click()
    wait_for_events(page, total)
    expect(page).not_to_have_url(re.compile(r"[?&]from="))
    expect(page.get_by_role("button", name="All dates")).to_have_count(0)
    assert_stayed_local(traffic)


def test_playback_in_the_dashboard_steps_days_and_stopping_restores_every_event(
    page: Page, app_url: str, seed_layers: Layers, traffic: Traffic
) -> None:
    total = len(seed_layers.events)
    page.goto(app_url)
    wait_for_events(page, total)
    frame = map_frame(page)
    first = min(seed_layers.events["event_date"].astype(str))
    frame.get_by_role("button", name="Play day by day").click()
    expect(frame.locator(f".nm-day[data-day='{first}']")).to_be_attached()
    page.wait_for_function(f"() => ({MARKERS_JS})() < {total}")
    shown_first = page.evaluate(MARKERS_JS)
    # A later day, and more of the events with it.
    page.wait_for_function(
        f"() => {{ const d = {_MAP}.document.querySelector('.nm-day');"
        f" return d && d.getAttribute('data-day') > '{first}'; }}"
    )
    page.wait_for_function(f"() => ({MARKERS_JS})() > {shown_first}", timeout=MAP_TIMEOUT_MS)
    frame.get_by_role("button", name="Stop and show every event").click()
    page.wait_for_function(f"() => ({MARKERS_JS})() === {total}")
    expect(frame.locator(".nm-day[data-day]")).to_have_count(0)
    assert_stayed_local(traffic)
