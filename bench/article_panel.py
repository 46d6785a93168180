"""Benchmark the article panel and a click's rerun at 0.1 / 1 / 10 MB of article text.

One article of each size is made of the 200 GeoWebNews texts (``../shared/eval/``,
evaluation data: read here, never copied into the project) run together under one title
and date line, and analysed as the dashboard analyses an upload. Timed for each size
(CPU seconds of this process), and per MB of article text:

- panel: ``dashboard.panel.article_html`` as the dashboard calls it for an event in the
  middle of the article: sorted once, swept, one window around the evidence rendered;
- whole text: the same sweep over the whole article (what "Show more" grows towards);
- peer: the panel before this change, which checked every span against every span kept
  before it (quadratic); run at 0.1 and 1 MB only (10 MB would take hours);
- click: the whole dashboard script rerun under Streamlit's AppTest after a marker of
  that article is clicked (the selected event changes), the article being in the map.

Linear cost shows as a flat "per MB" column. Run ``python bench/article_panel.py``
(``--quick`` for 0.1 and 1 MB).
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from table import REPO_ROOT, markdown, seconds
from throughput import DEFAULT_CORPUS, read_texts

if str(REPO_ROOT) not in sys.path:  # the dashboard package is not installed, only geo
    sys.path.insert(0, str(REPO_ROOT))
APP = REPO_ROOT / "dashboard" / "app.py"
TIMEOUT_S = 1800


def article_text(texts: Sequence[str], size: int) -> str:
    """Return an article of about ``size`` characters made of ``texts`` in turn."""
    parts, length, i = ["Reports of the day\n\nApril 5, 2018\n"], 0, 0
    while length < size:
        text = texts[i % len(texts)]
        parts.append(text)
        length += len(text) + 2
        i += 1
    return "\n\n".join(parts)[: size + 40]


def pairwise_panel(text: str, places: Sequence[tuple[int, int]], evidence: tuple[int, int]) -> str:
    """The panel as it was: every span checked against every span kept before it."""
    wraps = [(evidence[0], evidence[1], 1, "nm-evidence")]
    wraps += [(start, end, 2, "nm-place") for start, end in sorted(places)]
    kept: list[tuple[int, int, int, str]] = []
    for start, end, depth, name in wraps:
        inside = 0 <= start < end <= len(text)
        if inside and all(_nested(start, end, depth, other) for other in kept):
            kept.append((start, end, depth, name))
    tags = []
    for start, end, depth, name in kept:
        element = "mark" if name == "nm-place" else "span"
        tags.append((start, 1, depth, f'<{element} class="{name}">'))
        tags.append((end, 0, -depth, f"</{element}>"))
    pieces, position = ['<div class="nm-article">'], 0
    for cut, _, _, tag in sorted(tags):
        pieces += [html.escape(text[position:cut]), tag]
        position = cut
    return "".join([*pieces, html.escape(text[position:]), "</div>"])


def _nested(start: int, end: int, depth: int, other: tuple[int, int, int, str]) -> bool:
    other_start, other_end, other_depth, _ = other
    if end <= other_start or other_end <= start:
        return True
    if depth == other_depth:
        return False
    return (other_start <= start and end <= other_end) or (
        start <= other_start and other_end <= end
    )


def _cpu(step: Callable[[], Any]) -> float:
    began = time.process_time()
    step()
    return time.process_time() - began


def measure(size: int, texts: Sequence[str], *, peer: bool) -> list[list[object]]:
    """Analyse one article of ``size`` characters; return its table rows."""
    from streamlit.testing.v1 import AppTest

    import dashboard.data
    from dashboard import panel
    from geo.articles import parse_article

    text = article_text(texts, size)
    upload = dashboard.data.Upload(name="day.txt", text=text)
    article = parse_article(text, path="day.txt")
    # The map data of this article is written to a folder of its own, removed at the end
    # (the evaluation texts are not left in the dashboard's shared data folder).
    folder = dashboard.data.DATA_DIR / f"bench-{os.getpid()}"
    from geo.articles import read_articles
    from geo.corpus import analyse

    seeds = read_articles(dashboard.data.SEEDS_DIR)
    corpus = analyse(
        [*seeds, dashboard.data.article_of(upload)],
        dashboard.data.gazetteer(),
        world=dashboard.data.world(),
    )
    mapped = dataclasses.replace(
        dashboard.data.Mapped.of(corpus, dashboard.data.gazetteer()), folder=folder
    )
    corpus, layers = mapped.corpus, mapped.layers
    index = next(i for i, known in enumerate(corpus.articles) if known.text == article.text)
    places = [(mention.start, mention.end) for mention in corpus.mentions[index]]
    own = layers.events[layers.events["article"] == corpus.articles[index].id]
    middle = own.iloc[(own["evidence_start"] - len(text) // 2).abs().argsort().iloc[0]]
    evidence = (int(middle["evidence_start"]), int(middle["evidence_end"]))
    megabytes = len(text) / 1e6
    window = panel.window_of(len(text), evidence, panel.WINDOW)
    body = corpus.articles[index].body
    timed = {
        "panel (window around the evidence)": lambda: panel.article_html(
            text, places, evidence=evidence, body=body, window=window
        ),
        "whole text, same sweep": lambda: panel.article_html(
            text, places, evidence=evidence, body=body
        ),
    }
    if peer:
        timed["peer: pairwise panel (before)"] = lambda: pairwise_panel(text, places, evidence)
    rows: list[list[object]] = []
    for label, step in timed.items():
        cpu = _cpu(step)
        rows.append([f"{megabytes:.1f}", f"{len(places):,}", label, seconds(cpu)])
        rows[-1].append(seconds(cpu / megabytes))
    original = dashboard.data.mapped
    dashboard.data.mapped = lambda uploads=(): mapped  # type: ignore[assignment]
    try:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
        at.run()
        at.session_state["selected"] = str(middle["id"])
        cpu = _cpu(at.run)
        if at.exception:
            raise RuntimeError(f"the dashboard failed: {at.exception[0].value}")
        shown = "".join(node.proto.body for node in at.get("html") if hasattr(node, "proto"))
        if "nm-evidence" not in shown:
            raise RuntimeError("the click did not open the article in the panel")
    finally:
        dashboard.data.mapped = original  # type: ignore[assignment]
        shutil.rmtree(folder, ignore_errors=True)
    rows.append([f"{megabytes:.1f}", f"{len(places):,}", "click: the script's rerun", seconds(cpu)])
    rows[-1].append(seconds(cpu / megabytes))
    return rows


def run(*, quick: bool = False) -> str:
    """Measure the panel and a click's rerun at each size and return the markdown table."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    texts = read_texts(DEFAULT_CORPUS)
    sizes = (100_000, 1_000_000) if quick else (100_000, 1_000_000, 10_000_000)
    rows = [row for size in sizes for row in measure(size, texts, peer=size <= 1_000_000)]
    header = ["article MB", "place marks", "step", "CPU", "CPU per MB"]
    return markdown("Article panel and a click's rerun (one article, CPU)", header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.1 and 1 MB only")
    args = parser.parse_args(argv)
    print(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
