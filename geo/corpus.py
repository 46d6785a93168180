"""Read a set of articles into one Corpus: their places, events, zones and what was left out."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from geo.articles import read_articles
from geo.events import extract, extract_zones, link_events
from geo.gazetteer import Gazetteer
from geo.geoparse import find_mentions
from geo.models import Article, Corpus, Event, Mention, Zone
from geo.world import WorldIndex

__all__ = ["PROGRESS_MIN_ARTICLES", "analyse", "analyse_dir"]

PROGRESS_MIN_ARTICLES = 20  # fewer articles than this finish before a bar is worth drawing


def analyse(
    articles: Sequence[Article],
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    progress: bool = False,
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
    show = progress and len(articles) >= PROGRESS_MIN_ARTICLES
    for article in tqdm(
        articles, desc="articles", unit="article", disable=not show, file=sys.stderr
    ):
        mentions = find_mentions(article.text, gazetteer, world=world, spans=article.body)
        all_mentions.append(mentions)
        extraction = extract(article, mentions, gazetteer)
        events.extend(extraction.events)
        dropped.extend(extraction.dropped)
        zones.extend(extract_zones(article, mentions, gazetteer))
    return Corpus(
        articles=tuple(articles),
        mentions=tuple(all_mentions),
        events=link_events(events),
        zones=tuple(zones),
        dropped=tuple(dropped),
    )


def analyse_dir(
    directory: str | Path,
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    progress: bool = False,
) -> Corpus:
    """Read every article in ``directory`` (see ``geo.articles.read_articles``) and analyse it."""
    return analyse(read_articles(directory), gazetteer, world=world, progress=progress)
