"""Benchmark the offline basemap: first markers and basemap drawn, against no basemap.

At 1,000 / 10,000 / 100,000 synthetic events (``bench/synthetic.py``, fixed seed) the same
map is opened twice in headless Chromium (Debian's ``/usr/bin/chromium`` via Playwright,
from a static HTTP server on 127.0.0.1): once as the dashboard and ``geo build`` draw it,
over the offline Natural Earth basemap, and once with ``build_map(..., basemap=False)``,
in the same run, without and with in turn. Both the dashboard's map (features fetched
from its two data files) and ``map.html`` (features in the page) are measured.

The time is the page's own clock (ms since navigation start) when the markers have drawn
(the data are in and neither the markers nor the counts on their clusters have changed
for 1.5 s; the time is that of the last change) and, with the basemap on, its land has
drawn too (``_newsmapBasemap.ready`` and a land path on the page). Each draw is repeated
and the median kept. The target: the basemap adds less than 0.5 s.

Run ``python bench/basemap.py`` (``--quick`` for 1,000 and 10,000 events). ``python -m
geo.basemap`` must have built the basemap first (``make basemap``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import map_scale
from map_scale import DRAW_TIMEOUT_MS, ON_ERROR, Server
from map_scale import _fetched_files as fetched_files
from playwright.sync_api import Error as PlaywrightError
from table import markdown, ratio, seconds

TARGET_S = 0.5
#: Markers unchanged this long count as drawn (the clusters fill in chunks; a long basemap
#: task between two chunks must not pass for the end).
STABLE_MS = 1500

# Drawn: every layer holds its features (``window.newsmapLoaded``), the markers have been
# stable for STABLE_MS and, when the map has one, the basemap's land is drawn. The time is
# the page's clock when the last of the two happened.
DRAWN = f"""() => {{
  // What the markers show: how many there are and the counts on the clusters, which
  // grow chunk by chunk while the number of clusters in view may not.
  const shown = document.querySelectorAll(
    '.leaflet-marker-icon, .marker-cluster, .leaflet-marker-pane > *');
  const n = shown.length + ":" + [...document.querySelectorAll('.marker-cluster')]
    .map((c) => c.textContent).join(",");
  const now = performance.now();
  if (window.__error) return true;
  if (window.newsmapLoaded && !window.__waiting) {{
    window.__waiting = true;
    window.newsmapLoaded.then(() => {{ window.__loaded = true; }});
  }}
  if (!window.__loaded || shown.length === 0 || n !== window.__drawn) {{
    window.__drawn = n;
    window.__since = now;
    return false;
  }}
  const el = document.querySelector('.folium-map');
  const map = el && window[el.id];
  const basemap = map && map._newsmapBasemap;
  if (basemap !== undefined && window.__land === undefined) {{
    const land = [...document.querySelectorAll('path.nm-basemap-land')]
      .some((p) => (p.getAttribute('d') || '').length > 10);
    if (basemap && basemap.ready && land) window.__land = now;
    else return false;
  }}
  return now - window.__since >= {STABLE_MS};
}}"""


@dataclass
class Row:
    """One map at one size, with and without the basemap."""

    label: str
    events: int
    without: list[float] = field(default_factory=list)
    with_basemap: list[float] = field(default_factory=list)
    basemap_bytes: int = 0
    note: str = ""


class Browser(map_scale.Browser):
    """Headless Chromium timing the first markers, and the basemap when there is one."""

    def draw(self, url: str) -> tuple[float, int, str]:
        """Open ``url`` in a fresh context; return seconds until drawn, bytes fetched, note."""
        context = self._browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.add_init_script(ON_ERROR)
        fetched = [0]
        problems: list[str] = []

        def finished(request: Any) -> None:
            sizes = request.sizes()
            fetched[0] += int(sizes.get("responseBodySize", 0))

        def outside(request: Any) -> None:
            if not request.url.startswith(("http://127.0.0.1:", "data:", "about:", "blob:")):
                problems.append(f"network: {request.url}")

        page.on("requestfinished", finished)
        page.on("request", outside)
        page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
        try:
            page.goto(url, wait_until="load", timeout=DRAW_TIMEOUT_MS)
            page.wait_for_function(DRAWN, timeout=DRAW_TIMEOUT_MS, polling=50)
            if page.evaluate("window.__error || ''"):
                return 0.0, 0, f"JS error: {page.evaluate('window.__error')}"
            marks = float(page.evaluate("window.__since"))
            land = page.evaluate("window.__land === undefined ? 0 : window.__land")
            if page.locator(".nm-basemap-error").count():
                problems.append("basemap could not load")
        except PlaywrightError as exc:
            return 0.0, 0, f"not drawn: {str(exc).splitlines()[0]}"
        finally:
            context.close()
        return max(marks, float(land)) / 1000, fetched[0], "; ".join(problems[:2])


def _write(folder: Path, folium_map: Any, files: dict[str, bytes]) -> None:
    from geo.webmap import DEFAULT_ASSET_BASE, copy_assets

    folder.mkdir(parents=True, exist_ok=True)
    copy_assets(folder / DEFAULT_ASSET_BASE)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    (folder / "map.html").write_text(folium_map.get_root().render(), encoding="utf-8")


def run(*, quick: bool = False, sizes: Sequence[int] = (), repeats: int = 3) -> str:
    """Draw each map with and without the basemap; return the markdown table."""
    from synthetic import events_corpus

    from geo import basemap
    from geo.gazetteer import load_gazetteer
    from geo.layers import build_layers
    from geo.webmap import build_map

    if not basemap.is_built():
        return "**Basemap**: not built; run `make basemap` first.\n"
    sizes = tuple(sizes) or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    gazetteer = load_gazetteer()
    try:
        browser = Browser()
    except (ImportError, OSError, PlaywrightError) as exc:
        return f"**Basemap**: no headless Chromium ({str(exc).splitlines()[0]})\n"
    rows: list[Row] = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsmap-basemap-") as tmp:
            server = Server(Path(tmp))
            for count in sizes:
                layers = build_layers(events_corpus(gazetteer, count), gazetteer)
                files = fetched_files(layers)
                kinds = {
                    "dashboard map (features fetched)": (
                        {"data_url": "view.json", "popups_url": "popups.json"},
                        files,
                    ),
                    "map.html (features in the page)": ({}, {}),
                }
                for label, (options, data) in kinds.items():
                    row = Row(label=label, events=count)
                    names = {}
                    for on in (False, True):
                        names[on] = f"{count}-{'on' if on else 'off'}-{len(rows)}"
                        folium_map = build_map(layers, basemap=on, **options)
                        _write(Path(tmp) / names[on], folium_map, data)
                    # Without and with in turn, so a slow spell of the machine hits both.
                    for _ in range(repeats):
                        for on in (False, True):
                            url = f"{server.base}/{names[on]}/map.html"
                            took, fetched, note = browser.draw(url)
                            (row.with_basemap if on else row.without).append(took)
                            if on:
                                row.basemap_bytes = fetched
                            row.note = row.note or note
                    rows.append(row)
            server.close()
    finally:
        browser.close()
    return _table(rows, repeats)


def _table(rows: Sequence[Row], repeats: int) -> str:
    cells = []
    for row in rows:
        off = statistics.median(row.without) if row.without else 0.0
        on = statistics.median(row.with_basemap) if row.with_basemap else 0.0
        added = on - off
        verdict = "yes" if off and on and added < TARGET_S else "no"
        cells.append(
            [
                row.label,
                f"{row.events:,}",
                seconds(off) if off else "–",
                seconds(on) if on else "–",
                f"{added * 1000:+.0f} ms" if off and on else "–",
                ratio(on, off) if off and on else "",
                f"{row.basemap_bytes / 1e6:.2f} MB",
                verdict,
                row.note,
            ]
        )
    header = [
        "map",
        "events",
        "first markers, no basemap",
        "first markers + basemap",
        "basemap adds",
        "with vs without",
        "fetched with basemap",
        f"adds < {TARGET_S} s",
        "note",
    ]
    title = f"Offline basemap: first markers drawn in Chromium (median of {repeats})"
    return markdown(title, header, cells)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 events")
    parser.add_argument("--sizes", type=int, nargs="*", default=(), help="event counts")
    parser.add_argument("--repeats", type=int, default=3, help="draws per map (median kept)")
    args = parser.parse_args(argv)
    print(run(quick=args.quick, sizes=args.sizes, repeats=args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
