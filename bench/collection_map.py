"""Benchmark the dashboard on a stored collection: first markers in Chromium, filter reruns.

A SQLite collection of 1,000 / 10,000 / 100,000 synthetic events (``bench/synthetic.py``,
fixed seed, four events an article) is written with the store's own calls, its readings
given rather than analysed (``bench/store.py`` measures the analysis). Then ``streamlit
run dashboard/app.py`` is started on it (``NEWSMAP_DB``), as ``make run`` does, and
Debian's Chromium (Playwright) opens the page:

- first reader: the first page after the server started, which reads the collection
  from the store and maps it (cached for the server until the collection changes);
- second reader: another browser page on the same server, a moment later;
- a filter: in the second page, one event type picked in the sidebar: until the count
  above the map says the new number (the script's rerun) and until the map (the same
  frame, sent the new view) has drawn the filter's markers;
- after a restart: the server is stopped and started again on the same collection, and
  a page opened: it loads the snapshot the first server kept (``dashboard.snapshot``).

"first markers" is from the page's navigation to the first marker or cluster on the map;
"all shown" is until the page says "N of N events shown"; "map drawn" until every layer
holds its features and the clusters have stopped changing (the filter is picked only
then: a page still adding markers answers a click late). The target: first markers under
3 s, filter reruns under 1 s.

Run ``python bench/collection_map.py`` (``--quick`` for 1,000 and 10,000 events).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from map_scale import CHROMIUM, CHROMIUM_ARGS
from table import REPO_ROOT, markdown, seconds

#: Events told by one synthetic article.
EVENTS_PER_ARTICLE = 4
TIMEOUT_MS = 600_000
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# The map's window once it holds an event's marker or a cluster of them (a page just
# opened); the offline basemap's town labels are markers too, and are not counted.
FIRST_MARKER = f"""() => {{
  const frame = document.querySelector('{MAP_FRAME}');
  const w = frame && frame.contentWindow;
  if (!w || !w.document) return false;
  return w.document.querySelectorAll('.marker-cluster, .nm-event').length > 0;
}}"""
# Drawn: every layer holds its features (``newsmapLoaded``) and the markers and the counts
# on their clusters have not changed for STABLE_MS; returns the page's clock (ms since
# navigation) at the last change.
STABLE_MS = 1000
DRAWN = f"""() => {{
  const frame = document.querySelector('{MAP_FRAME}');
  const w = frame && frame.contentWindow;
  if (!w || !w.newsmapLoaded) return false;
  if (!w.__waiting) {{
    w.__waiting = true;
    w.newsmapLoaded.then(() => {{ w.__loaded = true; }});
  }}
  const d = w.document;
  const n = d.querySelectorAll('.marker-cluster, .nm-event').length + ":" +
    [...d.querySelectorAll('.marker-cluster')].map((c) => c.textContent).join(",");
  const now = performance.now();
  if (!w.__loaded || n !== w.__drawn) {{
    w.__drawn = n;
    w.__since = now;
    return false;
  }}
  return now - w.__since >= {STABLE_MS} ? w.__since : false;
}}"""
# The map frame stays for the session and draws each new view in place: the filter's
# markers are there once a view other than the one before has been drawn (its
# ``newsmapLoaded`` settled) and the map holds a marker or cluster.
MARK_VIEW = f"""() => {{
  const frame = document.querySelector('{MAP_FRAME}');
  const w = frame && frame.contentWindow;
  if (w) w.__before = w.newsmapLoaded;
}}"""
NEW_VIEW_DRAWN = f"""() => {{
  const frame = document.querySelector('{MAP_FRAME}');
  const w = frame && frame.contentWindow;
  if (!w || !w.newsmapLoaded || w.newsmapLoaded === w.__before) return false;
  const shown = w.newsmapLoaded;
  if (w.__watching !== shown) {{
    w.__watching = shown;
    w.__settled = false;
    shown.then(() => {{ if (w.__watching === shown) w.__settled = true; }});
  }}
  return w.__settled &&
    w.document.querySelectorAll('.marker-cluster, .nm-event').length > 0;
}}"""


def store_collection(db: Path, count: int) -> float:
    """Write a collection of ``count`` synthetic events to ``db``; return the seconds taken."""
    from synthetic import events_corpus

    from geo.events import EXTRACTOR_VERSION, Extraction
    from geo.gazetteer import load_gazetteer
    from geo.store.collection import Collection

    started = time.perf_counter()
    corpus = events_corpus(load_gazetteer(), count, articles=max(1, count // EVENTS_PER_ARTICLE))
    told: dict[str, list[Any]] = collections.defaultdict(list)
    for event in corpus.events:
        told[event.article].append(event)
    readings = [(a.id, ((), Extraction(events=tuple(told[a.id])), ())) for a in corpus.articles]
    with Collection.open(str(db)) as collection:
        collection.add_articles(corpus.articles, by="bench")
        for i in range(0, len(readings), 2_000):
            collection.save_readings(readings[i : i + 2_000], version=EXTRACTOR_VERSION)
    return time.perf_counter() - started


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def dashboard(db: Path, log: Path) -> Iterator[tuple[str, float]]:
    """Run the dashboard on ``db``; yield its URL and the seconds it took to answer."""
    port = _port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "NEWSMAP_DB": str(db), "NEWSMAP_SNAPSHOTS": str(db.parent / "snapshots")}
    started = time.perf_counter()
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        while not _healthy(url):
            if server.poll() is not None:
                raise RuntimeError(f"the dashboard exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield url, time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _open(page: Any, url: str, count: int) -> tuple[float, float, float]:
    """Open the page; return the seconds to its first marker, "N of N shown" and drawn."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_function(FIRST_MARKER, timeout=TIMEOUT_MS, polling=50)
    first = time.perf_counter() - started
    shown = re.compile(rf"^{count} of {count} events shown")
    page.get_by_text(shown).wait_for(timeout=TIMEOUT_MS)
    said = time.perf_counter() - started
    drawn = page.wait_for_function(DRAWN, timeout=TIMEOUT_MS, polling=50).json_value()
    return first, said, float(drawn) / 1000


def _filter(page: Any, kind: str, expected: int) -> tuple[float, float]:
    """Pick one event type; return the seconds to the new count and to the new markers."""
    page.evaluate(MARK_VIEW)
    page.get_by_test_id("stMultiSelect").filter(has_text="Event types").click()
    option = page.get_by_role("option", name=kind, exact=True)
    option.wait_for(timeout=TIMEOUT_MS)
    # Until the list has opened and stopped moving, a click waits: not the rerun's time.
    option.click(trial=True, timeout=TIMEOUT_MS)
    started = time.perf_counter()
    option.click()
    page.get_by_text(re.compile(rf"^{expected} of \d+ events shown")).wait_for(timeout=TIMEOUT_MS)
    counted = time.perf_counter() - started
    page.wait_for_function(NEW_VIEW_DRAWN, timeout=TIMEOUT_MS, polling=50)
    return counted, time.perf_counter() - started


def measure(count: int, root: Path) -> list[list[object]]:
    """Store ``count`` events, serve them, open two readers and filter; return table rows."""
    from playwright.sync_api import sync_playwright

    from geo.store.collection import Collection

    db = root / f"collection-{count}.gpkg"
    stored = store_collection(db, count)
    with Collection.open(str(db)) as collection:
        kinds = collections.Counter(e.event.event_type for e in collection.events())
    kind, expected = kinds.most_common()[-1]
    rows: list[list[object]] = [[f"{count:,}", "store the events (no analysis)", seconds(stored)]]
    log = root / f"server-{count}.log"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with dashboard(db, log) as (url, up):
                rows.append(
                    [f"{count:,}", "server started (answers its health check)", seconds(up)]
                )
                readers = ("first reader (maps the collection, keeps a snapshot)", "second reader")
                for reader in readers:
                    # One reader at a time: two pages drawing at once share this machine's
                    # two cores with the server, which readers on their own machines do not.
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    first, shown, drawn = _open(page, url, count)
                    rows.append([f"{count:,}", f"{reader}: first markers", seconds(first)])
                    rows.append([f"{count:,}", f"{reader}: all {count:,} shown", seconds(shown)])
                    rows.append([f"{count:,}", f"{reader}: map drawn", seconds(drawn)])
                    if reader != readers[-1]:
                        page.close()
                counted, drawn = _filter(page, kind, expected)
                page.close()
                what = f"filter: {kind} ({expected:,} events)"
                rows.append([f"{count:,}", f"{what}: the new count", seconds(counted)])
                rows.append([f"{count:,}", f"{what}: new markers", seconds(drawn)])
            with dashboard(db, log) as (url, _):
                reader = "after a restart, first reader (loads the snapshot)"
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                first, shown, drawn = _open(page, url, count)
                rows.append([f"{count:,}", f"{reader}: first markers", seconds(first)])
                rows.append([f"{count:,}", f"{reader}: all {count:,} shown", seconds(shown)])
                rows.append([f"{count:,}", f"{reader}: map drawn", seconds(drawn)])
        finally:
            browser.close()
    return rows


def run(*, quick: bool = False, sizes: Sequence[int] = ()) -> str:
    """Measure each size and return the markdown table."""
    sizes = tuple(sizes) or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    with tempfile.TemporaryDirectory(prefix="newsmap-collection-map-") as tmp:
        rows = [row for count in sizes for row in measure(count, Path(tmp))]
    header = ["events", "step", "wall"]
    return markdown("Dashboard on a stored collection (Chromium, synthetic events)", header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 events")
    parser.add_argument("--sizes", type=int, nargs="*", default=(), help="event counts")
    args = parser.parse_args(argv)
    print(run(quick=args.quick, sizes=args.sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
