"""Read a set of articles into one Corpus: their places, events, zones and what was left out."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from geo.articles import read_articles
from geo.events import Extraction, extract, extract_zones, link_events
from geo.gazetteer import Gazetteer
from geo.geoparse import find_mentions
from geo.models import Article, Corpus, Event, Mention, Zone
from geo.world import WorldIndex

__all__ = ["PROGRESS_MIN_ARTICLES", "Reading", "analyse", "analyse_dir", "read_one"]

PROGRESS_MIN_ARTICLES = 20  # fewer articles than this finish before a bar is worth drawing


def analyse(
    articles: Sequence[Article],
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    progress: bool = False,
    jobs: int = 1,
) -> Corpus:
    """Find the places, events and zones of ``articles`` and link events across them.

    Parameters
    ----------
    articles : sequence of Article
        Parsed articles (``geo.articles``); their order is kept.
    gazetteer : Gazetteer
        The curated places.
    world : WorldIndex or None
        The GeoNames fallback, or None for the gazetteer alone.
    progress : bool
        Draw a progress bar on stderr when there are many articles.
    jobs : int
        Worker processes that read the articles (forked, so they share the loaded
        gazetteer and index); 1 reads them here. The result is the same either way.

    Returns
    -------
    Corpus
        Events ordered by article, then position; ``dropped`` says, one line each, which
        event words were left out and why ("no place", "no date", "told again").
    """
    all_mentions: list[tuple[Mention, ...]] = []
    events: list[Event] = []
    zones: list[Zone] = []
    dropped: list[str] = []
    silent: list[tuple[str, str]] = []
    show = progress and len(articles) >= PROGRESS_MIN_ARTICLES
    with _readings(articles, gazetteer, world, jobs) as readings:
        for article, (mentions, extraction, found_zones) in zip(
            articles,
            tqdm(
                readings,
                total=len(articles),
                desc="articles",
                unit="article",
                disable=not show,
                file=sys.stderr,
            ),
            strict=True,
        ):
            all_mentions.append(mentions)
            events.extend(extraction.events)
            dropped.extend(extraction.dropped)
            if extraction.silence:
                silent.append((article.id, extraction.silence))
            zones.extend(found_zones)
    return Corpus(
        articles=tuple(articles),
        mentions=tuple(all_mentions),
        events=link_events(events),
        zones=tuple(zones),
        dropped=tuple(dropped),
        silent=tuple(silent),
    )


#: What reading one article gives: its places, its events (and what was left out), its zones.
Reading = tuple[tuple[Mention, ...], Extraction, tuple[Zone, ...]]


def read_one(article: Article, gazetteer: Gazetteer, world: WorldIndex | None) -> Reading:
    """Return one article's places, events (with what was left out) and zones."""
    mentions = find_mentions(article.text, gazetteer, world=world, spans=article.body)
    return (
        mentions,
        extract(article, mentions, gazetteer),
        extract_zones(article, mentions, gazetteer),
    )


@contextmanager
def _readings(
    articles: Sequence[Article], gazetteer: Gazetteer, world: WorldIndex | None, jobs: int
) -> Iterator[Iterator[Reading]]:
    """Yield the readings of ``articles`` in order, from ``jobs`` worker processes or here."""
    if jobs <= 1 or len(articles) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield (read_one(article, gazetteer, world) for article in articles)
        return
    # Forked workers inherit the gazetteer and index (copy on write): nothing big is sent.
    # A worker that dies (out of memory) raises BrokenProcessPool here rather than hanging.
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(gazetteer, world),
    )
    try:
        chunk = max(1, min(64, len(articles) // (jobs * 8)))
        yield pool.map(_read_in_worker, articles, chunksize=chunk)
    finally:
        pool.shutdown(cancel_futures=True)  # an error or ^C: no article more is read


_WORKER: tuple[Gazetteer, WorldIndex | None] | None = None


def _start_worker(gazetteer: Gazetteer, world: WorldIndex | None) -> None:
    global _WORKER
    _WORKER = (gazetteer, world)


def _read_in_worker(article: Article) -> Reading:
    assert _WORKER is not None, "a worker reads only after _start_worker"
    return read_one(article, *_WORKER)


def analyse_dir(
    directory: str | Path,
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    progress: bool = False,
    jobs: int = 1,
) -> Corpus:
    """Read every article in ``directory`` (see ``geo.articles.read_articles``) and analyse it."""
    articles = read_articles(directory)
    return analyse(articles, gazetteer, world=world, progress=progress, jobs=jobs)
