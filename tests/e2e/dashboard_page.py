"""Drive the dashboard in a browser: find its map, count what it draws, click a marker.

Every request a test's pages make goes through a route that lets 127.0.0.1 (and data:,
blob:, about:) through and records and aborts everything else, so no test touches the
internet and each test can assert that nothing tried to.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, FrameLocator, Locator, Page, Route, expect

ROOT = Path(__file__).resolve().parents[2]
MAP_TIMEOUT_MS = 60_000
LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about"}
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

# The component iframe is served from 127.0.0.1 like the page, so the page's own script
# can reach its map; asking through the page survives the iframe being re-created when a
# filter changes the map.
_MAP = f"""(() => {{
  const frame = document.querySelector('{MAP_FRAME}');
  const w = frame && frame.contentWindow;
  return w && w.map && w.document.querySelector(".leaflet-pane") ? w : null;
}})()"""

#: Every feature drawn on the map as [layer, id, article] (markers inside clusters
#: included), or null while there is no map.
FEATURES_JS = f"""() => {{
  const w = {_MAP};
  if (!w) return null;
  const out = [], seen = new Set();
  const walk = (layer) => {{
    const p = layer.feature && layer.feature.properties;
    if (p && p.layer && !seen.has(layer._leaflet_id)) {{
      seen.add(layer._leaflet_id);
      out.push([p.layer, String(p.id), p.article || ""]);
    }}
    if (layer.getLayers) layer.getLayers().forEach(walk);
  }};
  w.map.eachLayer(walk);
  return out;
}}"""

#: Zoom until the event marker with this id is out of its cluster, and tag its element.
REVEAL_JS = f"""(id) => new Promise((done, fail) => {{
  const w = {_MAP};
  let cluster = null, found = null;
  w.map.eachLayer((layer) => {{ if (layer.zoomToShowLayer) cluster = layer; }});
  cluster.getLayers().forEach((m) => {{ if (m.feature.properties.id === id) found = m; }});
  if (!found) {{ fail(new Error("no marker " + id)); return; }}
  cluster.zoomToShowLayer(found, () => {{
    found.getElement().setAttribute("data-test-id", id);
    done(id);
  }});
}})"""

#: The ids of the event markers on the map that wear the highlight, and the map's zoom.
MARKED_JS = f"""() => {{
  const w = {_MAP};
  if (!w) return null;
  const ids = [];
  w.map.eachLayer((layer) => {{
    const el = layer.feature && layer.getElement && layer.getElement();
    if (el && el.classList.contains("nm-selected")) ids.push(layer.feature.properties.id);
  }});
  return {{ids: ids, zoom: w.map.getZoom()}};
}}"""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    """Return whether Streamlit's health endpoint answers."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def is_local(url: str) -> bool:
    """Return whether a request stays on this machine (127.0.0.1, data:, blob:, about:)."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@dataclass
class Traffic:
    """The URLs a browser context asked for, and those that would have left 127.0.0.1."""

    seen: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        """Let local requests through; record and abort the rest."""
        url = route.request.url
        self.seen.append(url)
        if is_local(url):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


def guard(context: BrowserContext) -> Traffic:
    """Route every request of ``context`` through a new Traffic recorder."""
    traffic = Traffic()
    context.route("**/*", traffic.route)
    return traffic


def map_frame(page: Page) -> FrameLocator:
    """Return the st_folium iframe (located afresh on every use)."""
    return page.frame_locator(MAP_FRAME)


def features(page: Page, *, article: str | None = None) -> set[str]:
    """Return the features the map draws as "layer:id" ("event:3f2a..."), or of one article."""
    page.wait_for_function(f"() => ({FEATURES_JS})() !== null", timeout=MAP_TIMEOUT_MS)
    drawn = page.evaluate(FEATURES_JS)
    return {f"{layer}:{id_}" for layer, id_, of in drawn if article is None or of == article}


def events(page: Page) -> set[str]:
    """Return the event features the map draws."""
    return {feature for feature in features(page) if feature.startswith("event:")}


def wait_for_events(page: Page, count: int, *, timeout: float = MAP_TIMEOUT_MS) -> None:
    """Wait until the page says ``count`` events are shown and the map draws that many."""
    expect(page.get_by_text(re.compile(rf"^{count} of \d+ events shown"))).to_be_visible(
        timeout=timeout
    )
    drawn = f"({FEATURES_JS})()"
    page.wait_for_function(
        f"() => {drawn} && {drawn}.filter((f) => f[0] === 'event').length === {count}",
        timeout=timeout,
    )


def click_event(page: Page, event_id: str) -> None:
    """Click an event's marker the way a reader would, once it is out of its cluster."""
    page.evaluate(REVEAL_JS, event_id)
    map_frame(page).locator(f'[data-test-id="{event_id}"]').click()
    expect(popup(page).locator("h4")).to_be_visible()


def marked(page: Page, event_id: str) -> dict[str, object]:
    """Wait until the marker of ``event_id`` wears the highlight; return what is marked."""
    page.wait_for_function(
        f"(id) => {{ const m = ({MARKED_JS})(); return m && m.ids.includes(id); }}",
        arg=event_id,
        timeout=MAP_TIMEOUT_MS,
    )
    return dict(page.evaluate(MARKED_JS))


#: The open pop-up: Leaflet leaves a closed one in the page for its 0.2 s fade, at
#: opacity 0, so for a moment after a click there are two.
OPEN_POPUP = '.leaflet-popup:not([style*="opacity: 0"]) .leaflet-popup-content .nm-popup'


def popup(page: Page) -> Locator:
    """Return the map's open pop-up (not one still fading out after it closed)."""
    return map_frame(page).locator(OPEN_POPUP)


#: Seconds a dashboard may take to answer its health check after it is started.
START_TIMEOUT_S = 60.0


class App:
    """A ``streamlit run dashboard/app.py`` on 127.0.0.1, on the collection ``db``.

    ``env`` adds settings (``NEWSMAP_TILES``, ...) to the server's environment.
    """

    def __init__(self, db: Path, log: Path, env: dict[str, str] | None = None) -> None:
        self.db, self.log = db, log
        self.env = dict(env or {})
        self.url = ""
        self._server: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start the server (on a new port) and wait until it is healthy; return its URL."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard/app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ]
        env = {**os.environ, **self.env, "NEWSMAP_DB": str(self.db)}
        with self.log.open("ab") as out:
            self._server = subprocess.Popen(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while not healthy(self.url):
            # Waiting on the process doubles as the pause between polls and notices a
            # server that died at start-up.
            try:
                self._server.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
            else:
                pytest.fail(
                    f"streamlit exited with {self._server.returncode}:\n{self.log.read_text()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"streamlit unhealthy after {START_TIMEOUT_S} s:\n{self.log.read_text()}"
                )
        return self.url

    def stop(self) -> None:
        """Stop the server (its collection stays)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    def restart(self) -> str:
        """Stop the server and start another on the same collection; return its URL."""
        self.stop()
        return self.start()


@contextlib.contextmanager
def running(db: Path, log: Path, env: dict[str, str] | None = None) -> Iterator[App]:
    """Run the dashboard on the collection ``db`` (more settings in ``env``) for the block."""
    app = App(db, log, env)
    app.start()
    try:
        yield app
    finally:
        app.stop()
