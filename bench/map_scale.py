"""Benchmark the map at 1,000 / 10,000 / 100,000 events: build, bytes, st_folium, draw.

Synthetic events sit near the gazetteer's places (fixed seed). Two newsmap maps are
measured: ``map.html`` as ``geo build`` writes it, with the features in the page, and the
dashboard's map, whose page fetches the features from two data files
(``geo.webmap.MapFeatures``: the view's features and the pop-up strings they share).
For each size:

- ``build_layers``: the corpus to GeoDataFrames (once per corpus); for the dashboard's
  map, making its data files (once per corpus and view, not on every rerun);
- ``build_map + render``: ``geo.webmap.build_map`` and ``m.get_root().render()``;
- page bytes: the rendered page (without the data files it fetches);
- st_folium: one ``streamlit_folium.st_folium`` call on a freshly built map in bare mode
  (no server), which is the Python side of each dashboard rerun, and the bytes of the
  arguments it hands to the browser (script, html, header, links) on every rerun;
- draw: headless Chromium (Debian's ``/usr/bin/chromium`` via Playwright) opens the page
  from a static HTTP server on 127.0.0.1, with the assets (``geo.webmap.copy_assets``)
  and data files beside it, and waits until Leaflet has drawn markers, clusters or
  paths.

The peer is the naive map: one ``folium.Marker`` with a pop-up per event, at 1,000 and
(full run) 10,000 events, with the same local assets. A reference row shows folium's
``FastMarkerCluster`` of the bare points (no pop-ups): the floor for a folium map.

Run ``python bench/map_scale.py`` (``--quick`` for 1,000 and 10,000 events; the naive
peer at 1,000 only).
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from table import clock, markdown, megabytes, ratio, seconds

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DRAW_TIMEOUT_MS = 180_000
# A script error means the map will never draw: record it so the wait ends at once.
ON_ERROR = "window.addEventListener('error', e => { window.__error = String(e.message); });"

# Drawn when Leaflet has put markers, clusters or vector paths on the map and the count of
# them has not changed for STABLE_MS (MarkerCluster adds markers in chunks). The draw time
# is the page's own clock (ms since navigation start) at the last change.
STABLE_MS = 500
DRAWN = f"""() => {{
  const n = document.querySelectorAll(
    '.leaflet-marker-icon, .marker-cluster, path.leaflet-interactive, .leaflet-marker-pane > *'
  ).length;
  const now = performance.now();
  if (window.__error) return true;
  if (n === 0 || n !== window.__drawn) {{
    window.__drawn = n;
    window.__since = now;
    return false;
  }}
  return now - window.__since >= {STABLE_MS};
}}"""


@dataclass
class Measure:
    """One row of the table: one map at one size."""

    label: str
    events: int
    layers_s: float = 0.0
    render_s: float = 0.0
    html_bytes: int = 0
    st_folium_s: float = 0.0
    st_folium_bytes: int = 0
    draw_s: float = 0.0
    drawn: int = 0
    note: str = ""


def _st_folium() -> Callable[[Any], tuple[float, int]] | None:
    """Return a function timing one bare-mode st_folium call and its payload bytes."""
    try:
        import logging

        import streamlit_folium
    except ImportError:
        return None
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    captured: dict[str, Any] = {}

    def capture(**kwargs: Any) -> dict[str, Any]:
        captured.clear()
        captured.update(kwargs)
        return dict(kwargs.get("default") or {})

    def call(folium_map: Any) -> tuple[float, int]:
        original = streamlit_folium._component_func
        streamlit_folium._component_func = capture
        try:
            start = clock()
            streamlit_folium.st_folium(folium_map, key="bench", returned_objects=[])
            elapsed = clock() - start
        finally:
            streamlit_folium._component_func = original
        sent = {k: v for k, v in captured.items() if k not in ("on_change", "default")}
        return elapsed, len(json.dumps(sent, default=str).encode())

    return call


class Browser:
    """Headless Chromium that opens a page and times how long Leaflet takes to draw."""

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )

    def draw(self, page_url: str) -> tuple[float, int, str]:
        """Open ``page_url``; return seconds until drawn, elements drawn and problems."""
        page = self._browser.new_page(viewport={"width": 1280, "height": 800})
        page.add_init_script(ON_ERROR)
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
        page.on(
            "requestfailed",
            lambda request: problems.append(f"failed: {request.url.rsplit('/', 1)[-1]}"),
        )

        def outside(request: Any) -> None:
            if not request.url.startswith(("http://127.0.0.1:", "data:", "about:", "blob:")):
                problems.append(f"network: {request.url}")

        page.on("request", outside)
        try:
            page.goto(page_url, wait_until="load", timeout=DRAW_TIMEOUT_MS)
            page.wait_for_function(DRAWN, timeout=DRAW_TIMEOUT_MS, polling=50)
            error = page.evaluate("window.__error || ''")
            if error:
                return 0.0, 0, f"not drawn: JS error: {error}"
            elapsed = float(page.evaluate("window.__since")) / 1000
            drawn = int(page.evaluate("window.__drawn"))
        except PlaywrightError as exc:  # a benchmark reports a map that does not draw
            return 0.0, 0, "; ".join([f"not drawn: {str(exc).splitlines()[0]}", *problems[:2]])
        finally:
            page.close()
        return elapsed, drawn, "; ".join(dict.fromkeys(problems[:3]))

    def close(self) -> None:
        """Close the browser and Playwright."""
        self._browser.close()
        self._playwright.stop()


def _escape(text: str) -> str:
    """Escape for HTML and for the JavaScript template literal folium puts pop-ups in.

    ``html.escape`` alone is not enough: folium writes the pop-up HTML into a backtick
    string, so ``${...}`` in article text would run as JavaScript.
    """
    escaped = html.escape(text)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _naive_map(corpus: Any, like: Any) -> Any:
    """Return a folium map with one Marker and pop-up per event (the peer)."""
    import folium

    naive = folium.Map(location=[35.0, 38.0], zoom_start=6, tiles=None, maxZoom=18)
    naive.default_js = list(like.default_js)
    naive.default_css = list(like.default_css)
    for event in corpus.events:
        popup = f"<b>{_escape(event.title)}</b><br>{_escape(event.evidence)}"
        folium.Marker([event.lat, event.lon], popup=folium.Popup(popup)).add_to(naive)
    return naive


def _fast_cluster_map(corpus: Any, like: Any) -> Any:
    """Return a folium map of the events' points as one FastMarkerCluster (a reference)."""
    import folium
    from folium.plugins import FastMarkerCluster

    from geo.webmap import asset_urls

    fast = folium.Map(location=[35.0, 38.0], zoom_start=6, tiles=None, maxZoom=18)
    fast.default_js = list(like.default_js)
    fast.default_css = list(like.default_css)
    js, css = asset_urls()
    cluster = FastMarkerCluster(
        [[event.lat, event.lon] for event in corpus.events],
        # folium's default callback needs Leaflet.awesome-markers, which is not bundled
        callback="function (row) { return L.marker(new L.LatLng(row[0], row[1])); }",
    )
    cluster.default_js = [("markerclusterjs", js[3])]
    cluster.default_css = [("markerclustercss", css[1]), ("markerclusterdefaultcss", css[2])]
    cluster.add_to(fast)
    return fast


class Server:
    """A static HTTP server on 127.0.0.1 for the pages and their data, in a thread."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(root))
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _measure(
    label: str,
    count: int,
    make_map: Callable[[], Any],
    folder: Path,
    browser: Browser | None,
    st_call: Callable[[Any], tuple[float, int]] | None,
    server: Server | None = None,
    files: Callable[[], dict[str, bytes]] | None = None,
) -> Measure:
    """Time building, rendering, st_folium and drawing of one map.

    ``files`` makes the data files the map fetches (timed as its preparation), written
    beside the page under the names its URLs give.
    """
    from geo.webmap import DEFAULT_ASSET_BASE, copy_assets

    row = Measure(label=label, events=count)
    data: dict[str, bytes] = {}
    if files is not None:
        start = clock()
        data = files()
        row.layers_s = clock() - start
    start = clock()
    folium_map = make_map()
    page = folium_map.get_root().render()
    row.render_s = clock() - start
    row.html_bytes = len(page.encode())
    if st_call is not None:
        start = clock()
        fresh = make_map()
        build_s = clock() - start
        call_s, row.st_folium_bytes = st_call(fresh)
        row.st_folium_s = build_s + call_s
    if browser is not None and server is not None:
        folder.mkdir(parents=True, exist_ok=True)
        copy_assets(folder / DEFAULT_ASSET_BASE)
        for name, content in data.items():
            (folder / name).write_bytes(content)
        (folder / "map.html").write_text(page, encoding="utf-8")
        url = f"{server.base}/{folder.name}/map.html"
        row.draw_s, row.drawn, row.note = browser.draw(url)
        shutil.rmtree(folder, ignore_errors=True)
    return row


def run(*, quick: bool = False, sizes: Sequence[int] = (), draw: bool = True) -> str:
    """Measure the map at each size and return the markdown table."""
    from synthetic import events_corpus

    from geo.gazetteer import load_gazetteer

    try:
        from geo.layers import build_layers
        from geo.webmap import build_map
    except ImportError as exc:
        return f"**Map at scale**: geo.webmap/geo.layers not importable yet ({exc})\n"
    sizes = tuple(sizes) or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    naive_sizes = (1_000,) if quick else (1_000, 10_000)
    gazetteer = load_gazetteer()
    st_call = _st_folium()
    notes: list[str] = []
    if st_call is None:
        notes.append("streamlit-folium is not installed: st_folium columns left empty.")
    browser: Browser | None = None
    if draw:
        try:
            browser = Browser()
        except (ImportError, OSError, PlaywrightError) as exc:  # still print the rest
            notes.append(f"no headless Chromium ({str(exc).splitlines()[0]}): draw left empty.")
    rows: list[Measure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsmap-map-") as tmp:
            server = Server(Path(tmp))
            for count in sizes:
                corpus = events_corpus(gazetteer, count)
                start = clock()
                layers = build_layers(corpus, gazetteer)
                layers_s = clock() - start
                row = _measure(
                    "newsmap map.html (features in the page)",
                    count,
                    lambda layers=layers: build_map(layers),
                    Path(tmp) / f"newsmap-{count}",
                    browser,
                    st_call,
                    server,
                )
                row.layers_s = layers_s
                rows.append(row)
                rows.append(
                    _measure(
                        "newsmap dashboard (features fetched)",
                        count,
                        lambda layers=layers: build_map(
                            layers, data_url="view.json", popups_url="popups.json"
                        ),
                        Path(tmp) / f"fetched-{count}",
                        browser,
                        st_call,
                        server,
                        files=lambda layers=layers: _fetched_files(layers),
                    )
                )
                like = build_map(layers)
                rows.append(
                    _measure(
                        "reference: FastMarkerCluster, points only",
                        count,
                        lambda corpus=corpus, like=like: _fast_cluster_map(corpus, like),
                        Path(tmp) / f"fast-{count}",
                        browser,
                        st_call,
                        server,
                    )
                )
                if count in naive_sizes:
                    rows.append(
                        _measure(
                            "naive folium.Marker each",
                            count,
                            lambda corpus=corpus, like=like: _naive_map(corpus, like),
                            Path(tmp) / f"naive-{count}",
                            browser,
                            st_call,
                            server,
                        )
                    )
            server.close()
    finally:
        if browser is not None:
            browser.close()
    return _table(rows) + "".join(f"\n{note}\n" for note in notes)


def _fetched_files(layers: Any) -> dict[str, bytes]:
    """Serialise every feature once and return the two files the dashboard's map fetches."""
    from geo.webmap import MapFeatures

    features = MapFeatures(layers)
    return {"view.json": features.view_bytes(layers), "popups.json": features.popups_bytes()}


def _table(rows: Sequence[Measure]) -> str:
    """Format the measures, each naive row with its ratio to newsmap at the same size."""
    ours = {row.events: row for row in rows if row.label.startswith("newsmap map.html")}
    cells = []
    for row in rows:
        peer = ours[row.events]
        cells.append(
            [
                row.label,
                f"{row.events:,}",
                seconds(row.layers_s) if row.layers_s else "",
                seconds(row.render_s),
                megabytes(row.html_bytes),
                seconds(row.st_folium_s) if row.st_folium_s else "–",
                megabytes(row.st_folium_bytes) if row.st_folium_bytes else "–",
                seconds(row.draw_s) if row.draw_s else "–",
                f"{row.drawn:,}" if row.drawn else "–",
                ratio(row.render_s, peer.render_s) if row is not peer else "",
                ratio(row.st_folium_s, peer.st_folium_s) if row is not peer else "",
                ratio(row.draw_s, peer.draw_s) if row is not peer and row.draw_s else "",
                row.note,
            ]
        )
    header = [
        "map",
        "events",
        "build_layers / data files",
        "build_map + render",
        "page",
        "rerun: build_map + st_folium",
        "sent per rerun",
        "draw in Chromium",
        "elements drawn",
        "render vs newsmap",
        "rerun vs newsmap",
        "draw vs newsmap",
        "note",
    ]
    return markdown("Map at scale (synthetic events)", header, cells)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 events")
    parser.add_argument("--sizes", type=int, nargs="*", default=(), help="event counts")
    parser.add_argument("--no-draw", action="store_true", help="skip headless Chromium")
    args = parser.parse_args(argv)
    print(run(quick=args.quick, sizes=args.sizes, draw=not args.no_draw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
