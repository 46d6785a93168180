"""Benchmark the dashboard's reruns at 1,000 / 10,000 / 100,000 events, whole script.

Streamlit's ``AppTest`` runs ``dashboard/app.py`` itself, in this process, the way the
server runs it for a browser session: widgets are set and the script reruns. The
synthetic events of ``bench/synthetic.py`` are handed to the dashboard in place of its
analysed articles (analysing 26,000 articles to get 100,000 events takes minutes and is
what ``bench/build.py`` measures). Timed for each size:

- first run: a session opens the page (serialising every feature once, writing the
  data files);
- same view: a rerun that shows the same events, which is what a click on the map or a
  picked table row causes;
- filter: one event type picked, then a minimum toll, then every type again.

"sent" is the size of every element the script produced (protobuf bytes, before
Streamlit's message cache replaces repeated large elements by a reference); the map's
features are not in it: the browser fetches them from ``/app/static/data/`` once per
view. The peer row is the same map with its features written into its script, as
the dashboard sent it before: that page's bytes went to the browser on every rerun.

Run ``python bench/dashboard_rerun.py`` (``--quick`` for 1,000 and 10,000 events).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from table import REPO_ROOT, markdown, megabytes, seconds

APP = REPO_ROOT / "dashboard" / "app.py"
if str(REPO_ROOT) not in sys.path:  # the dashboard package is not installed, only geo
    sys.path.insert(0, str(REPO_ROOT))
TIMEOUT_S = 900


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def _sent(at: Any) -> int:
    """Return the protobuf bytes of every element the last run produced."""
    total = 0
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ByteSize"):
            total += proto.ByteSize()
    return total


def _timed(step: Callable[[], Any]) -> tuple[float, float]:
    """Return the wall and CPU seconds of one step."""
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(count: int) -> list[list[object]]:
    """Run the dashboard over ``count`` synthetic events; return one table row per step."""
    from streamlit.testing.v1 import AppTest
    from synthetic import events_corpus

    import dashboard.data
    from geo.gazetteer import load_gazetteer
    from geo.webmap import build_map, render_map

    gazetteer = load_gazetteer()
    corpus = events_corpus(gazetteer, count)
    wall, cpu = time.perf_counter(), time.process_time()
    mapped = dashboard.data.Mapped.of(corpus, gazetteer)
    prepared = [time.perf_counter() - wall, time.process_time() - cpu]
    original = dashboard.data.mapped
    dashboard.data.mapped = lambda uploads=(): mapped  # type: ignore[assignment]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    kind = str(mapped.layers.events["event_type"].value_counts().index[0])
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("first run (a session opens the page)", at.run),
        ("same view (a click, a picked row)", at.run),
        ("same view again", at.run),
        (f"filter: type {kind}", lambda: at.sidebar.multiselect(key="w_types").select(kind).run()),
        (
            "filter: at least 3 deaths",
            lambda: at.sidebar.number_input(key="w_minfat").set_value(3).run(),
        ),
        (
            "filter: every type again",
            lambda: at.sidebar.multiselect(key="w_types").unselect(kind).run(),
        ),
        ("same view", at.run),
    ]
    rows: list[list[object]] = [
        [
            f"{count:,}",
            "once per corpus: layers and serialised features",
            *map(seconds, prepared),
            "",
        ]
    ]
    try:
        for label, step in steps:
            wall, cpu = _timed(step)
            if at.exception:
                raise RuntimeError(f"the dashboard failed: {at.exception[0].value}")
            rows.append([f"{count:,}", label, seconds(wall), seconds(cpu), megabytes(_sent(at))])
    finally:
        dashboard.data.mapped = original  # type: ignore[assignment]
    inline = render_map(build_map(mapped.layers))
    rows.append(
        [
            f"{count:,}",
            "peer: features in the map's script, every rerun",
            "",
            "",
            megabytes(len(inline.encode())),
        ]
    )
    return rows


def run(*, quick: bool = False, sizes: Sequence[int] = ()) -> str:
    """Measure the dashboard's reruns at each size and return the markdown table."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    sizes = tuple(sizes) or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    rows = [row for count in sizes for row in measure(count)]
    header = ["events", "rerun", "wall", "CPU", "sent by the script"]
    return markdown("Dashboard reruns (AppTest, whole script, synthetic events)", header, rows)


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
