"""The dashboard on a collection, in real Chromium: what one reader adds or reviews, others see.

Each test runs its own server on its own copy of the seeded collection (``app``), opens
two browser contexts (two readers, no shared cookies or storage) and restarts the server
to show that the collection, not the server's memory, holds what was done. No sleeps:
every wait is on something the reader would see.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from dashboard_page import (
    FEATURES_JS,
    MAP_FRAME,
    MAP_TIMEOUT_MS,
    ROOT,
    App,
    features,
    guard,
    map_frame,
    popup,
    wait_for_events,
)
from playwright.sync_api import Browser, BrowserContext, Page, expect

from geo.layers import Layers

pytestmark = pytest.mark.e2e

SCREENSHOT = ROOT / "test-results" / "review-panel.png"
KHERSON = (
    "Drone strike in Kherson\n\nKHERSON, Ukraine, November 5, 2022 (Wire) - A drone struck a "
    "bus station in Kherson on Saturday, killing two people, the regional governor said.\n"
)
GONE_JS = "async (url) => (await fetch(url, {cache: 'no-store'})).status === 404"


def reader(browser: Browser) -> tuple[BrowserContext, Page]:
    """A new reader: a browser context of their own, every request checked to stay local."""
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
    context.traffic = guard(context)  # type: ignore[attr-defined]
    return context, context.new_page()


def stayed_local(*contexts: BrowserContext) -> None:
    for context in contexts:
        traffic = context.traffic  # type: ignore[attr-defined]
        assert traffic.seen and traffic.outside == []


def first_event(seed_layers: Layers) -> str:
    return str(seed_layers.events.sort_values("id")["id"].iloc[0])


def open_event(page: Page, url: str, event_id: str, count: int) -> None:
    """Open the dashboard's link to ``event_id`` and wait for its map and its review."""
    page.goto(f"{url}/?{urlencode({'event': event_id})}")
    wait_for_events(page, count)
    expect(page.locator(".nm-review")).to_be_visible(timeout=MAP_TIMEOUT_MS)


def status(page: Page) -> str:
    return page.locator(".nm-review").get_attribute("data-status") or ""


def sign(page: Page, name: str) -> None:
    """Type the reviewer's name into the sidebar (it is kept when the field is left)."""
    field = page.get_by_role("textbox", name="Your name")
    field.fill(name)
    field.press("Enter")
    expect(field).to_have_value(name)


def test_an_article_added_in_one_browser_is_seen_in_another_and_after_a_restart(
    browser: Browser, app: App, seed_layers: Layers
) -> None:
    seeds = len(seed_layers.events)
    (adding, adder), (watching, colleague) = reader(browser), reader(browser)
    try:
        adder.goto(app.url)
        wait_for_events(adder, seeds)
        adder.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            files=[{"name": "kherson.txt", "mimeType": "text/plain", "buffer": KHERSON.encode()}]
        )
        wait_for_events(adder, seeds + 1)
        added = features(adder, article="kherson")
        assert len(added) == 1
        colleague.goto(app.url)
        wait_for_events(colleague, seeds + 1)
        assert features(colleague, article="kherson") == added
        old_data = [
            url
            for url in watching.traffic.seen  # type: ignore[attr-defined]
            if "/app/static/data/c-" in url
        ]
        old_url, url = app.url, app.restart()
        colleague.goto(url)
        wait_for_events(colleague, seeds + 1)
        assert features(colleague, article="kherson") == added
        # The stopped server's map data folder is swept by its successor.
        for gone in old_data:
            colleague.wait_for_function(GONE_JS, arg=gone.replace(old_url, url))
        adder.goto(url)  # the first reader, back after the restart, still has it too
        wait_for_events(adder, seeds + 1)
        stayed_local(adding, watching)
    finally:
        adding.close()
        watching.close()


def test_a_review_made_in_one_browser_is_seen_in_another_after_a_restart_and_exported(
    browser: Browser, app: App, seed_layers: Layers, tmp_path: Path
) -> None:
    seeds, event_id = len(seed_layers.events), first_event(seed_layers)
    (reviewing, reviewer), (watching, colleague) = reader(browser), reader(browser)
    try:
        open_event(reviewer, app.url, event_id, seeds)
        assert status(reviewer) == "proposed"
        sign(reviewer, "Rana <i>Haddad</i>")
        reviewer.get_by_role("textbox", name="Review note").fill("two wires agree")
        reviewer.get_by_role("button", name="Confirm").click()
        expect(reviewer.locator(".nm-review-done")).to_contain_text("Saved: confirmed")
        expect(reviewer.locator('.nm-review[data-status="confirmed"]')).to_contain_text(
            "by Rana <i>Haddad</i> at 20"  # the name as typed: text, not markup
        )
        reviewer.get_by_text("Correct this event").scroll_into_view_if_needed()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        reviewer.screenshot(path=str(SCREENSHOT), full_page=False)
        open_event(colleague, app.url, event_id, seeds)
        review = colleague.locator(".nm-review")
        expect(review).to_have_attribute("data-status", "confirmed")
        expect(review).to_contain_text("two wires agree")
        expect(review.locator(".nm-history li")).to_have_count(1)
        url = app.restart()
        open_event(colleague, url, event_id, seeds)
        expect(colleague.locator(".nm-review")).to_have_attribute("data-status", "confirmed")
        expect(colleague.locator(".nm-review")).to_contain_text("by Rana <i>Haddad</i>")
        # The event's pop-up on the map says the review too, the name as text.
        expect(popup(colleague)).to_have_attribute("data-id", event_id, timeout=MAP_TIMEOUT_MS)
        review_row = popup(colleague).locator("tr", has_text="Review")
        expect(review_row).to_contain_text("confirmed by Rana <i>Haddad</i> on 20")
        expect(review_row).to_contain_text("two wires agree")
        expect(popup(colleague).locator("i")).to_have_count(0)
        # The download carries the review: status, who, when and the note.
        with colleague.expect_download() as info:
            colleague.get_by_test_id("stDownloadButton").filter(has_text="CSV").click()
        saved = tmp_path / "events.csv"
        info.value.save_as(saved)
        rows = {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(saved.read_text()))}
        row = rows[event_id]
        assert (row["review_status"], row["reviewed_by"]) == ("confirmed", "Rana <i>Haddad</i>")
        assert row["review_note"] == "two wires agree" and row["reviewed_at"].startswith("20")
        assert {r["review_status"] for key, r in rows.items() if key != event_id} == {"proposed"}
        stayed_local(reviewing, watching)
    finally:
        reviewing.close()
        watching.close()


def test_a_stale_concurrent_review_says_so_and_overwrites_nothing(
    browser: Browser, app: App, seed_layers: Layers
) -> None:
    seeds, event_id = len(seed_layers.events), first_event(seed_layers)
    (one, first), (two, second) = reader(browser), reader(browser)
    try:
        open_event(first, app.url, event_id, seeds)
        open_event(second, app.url, event_id, seeds)  # both read the event at version 0
        sign(first, "Ana")
        first.get_by_role("button", name="Confirm").click()
        expect(first.locator(".nm-review")).to_have_attribute("data-status", "confirmed")
        # The second reader's page still shows version 0: their rejection is refused.
        second.get_by_role("button", name="Reject").click()
        refused = second.locator(".nm-review-error")
        expect(refused).to_contain_text("was changed by Ana since you read version 0")
        expect(refused).to_contain_text("nothing was saved")
        expect(second.locator(".nm-review")).to_have_attribute("data-status", "confirmed")
        # Nothing of theirs was written: a third look finds Ana's confirmation alone.
        first.reload()
        wait_for_events(first, seeds)
        expect(first.locator(".nm-review")).to_have_attribute("data-status", "confirmed")
        expect(first.locator(".nm-history li")).to_have_count(1)
        assert first.evaluate(f"() => ({FEATURES_JS})().length") > 0
        stayed_local(one, two)
    finally:
        one.close()
        two.close()


#: Where the map draws an event (its marker's lat, lon), clustered or not; null if nowhere.
EVENT_AT_JS = f"""(id) => {{
  const frame = document.querySelector('{MAP_FRAME}');
  const w = frame && frame.contentWindow;
  if (!w || !w.map) return null;
  let at = null;
  const walk = (layer) => {{
    const p = layer.feature && layer.feature.properties;
    if (p && p.layer === "event" && String(p.id) === id && layer.getLatLng) {{
      const ll = layer.getLatLng();
      at = [ll.lat, ll.lng];
    }}
    if (layer.getLayers) layer.getLayers().forEach(walk);
  }};
  w.map.eachLayer(walk);
  return at;
}}"""


def test_a_click_on_the_map_moves_the_event_there_for_every_reader(
    browser: Browser, app: App, seed_layers: Layers
) -> None:
    seeds, event_id = len(seed_layers.events), first_event(seed_layers)
    (reviewing, reviewer), (watching, colleague) = reader(browser), reader(browser)
    try:
        open_event(reviewer, app.url, event_id, seeds)
        sign(reviewer, "Ana")
        reviewer.get_by_text("Correct this event").click()
        expect(reviewer.get_by_text("Click the map where it happened")).to_be_visible()
        # A click on the map, away from the event and its pop-up: the review offers it.
        box = map_frame(reviewer).locator(".leaflet-container").bounding_box()
        assert box is not None
        reviewer.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
        move = reviewer.get_by_role("button", name=re.compile("^Move it to the point clicked"))
        expect(move).to_be_visible(timeout=MAP_TIMEOUT_MS)
        offered = re.search(r"(-?\d+\.\d{5}), (-?\d+\.\d{5})", move.inner_text())
        assert offered is not None
        lat, lon = float(offered[1]), float(offered[2])
        before = seed_layers.events.set_index("id").loc[event_id]
        assert (lat, lon) != (round(before["lat"], 5), round(before["lon"], 5))
        move.click()
        expect(reviewer.locator(".nm-review-done")).to_contain_text(
            f"Saved: corrected: moved to {lat:.5f}, {lon:.5f}"
        )
        expect(reviewer.locator(".nm-review")).to_have_attribute("data-status", "corrected")
        # Another reader's map draws the event at the clicked point.
        open_event(colleague, app.url, event_id, seeds)
        colleague.wait_for_function(
            f"([id, lat, lon]) => {{ const at = ({EVENT_AT_JS})(id);"
            " return at && Math.abs(at[0] - lat) < 1e-4 && Math.abs(at[1] - lon) < 1e-4; }",
            arg=[event_id, lat, lon],
            timeout=MAP_TIMEOUT_MS,
        )
        expect(colleague.locator(".nm-review")).to_contain_text("by Ana")
        stayed_local(reviewing, watching)
    finally:
        reviewing.close()
        watching.close()
