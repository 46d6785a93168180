"""Add articles to a collection and (re-)analyse them: what ``geo add`` and ``geo reanalyse`` do.

An article is the same article when its decoded text is (SHA-256 of the text): adding it
again changes nothing. An id already used by another text (two folders with a
``report.txt``) takes the first 8 hex digits of its hash (``report-1f2e3d4c``), so event
ids stay unique. Readings are written in batches as they come, each batch in one
transaction: an interrupted run keeps what was written, and the articles it had not
analysed yet are analysed by the next ``geo add`` or ``geo reanalyse``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo import events as events_module
from geo.articles import read_article, read_articles
from geo.corpus import Reading, read_one
from geo.gazetteer import Gazetteer
from geo.models import Article
from geo.store.cluster import Failed, Setup, read_on_dask
from geo.store.collection import Collection, Rebound
from geo.store.records import content_hash
from geo.world import WorldIndex

__all__ = [
    "Analysis",
    "Added",
    "add_articles",
    "add_paths",
    "analyse_stored",
    "nothing_to_add",
    "read_paths",
    "reanalyse",
]

#: Readings written per transaction.
WRITE_BATCH = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """What analysing stored articles gave."""

    articles: int = 0  # analysed
    events: int = 0
    dropped: tuple[str, ...] = ()  # Extraction.dropped lines
    silent: tuple[tuple[str, str], ...] = ()  # (article id, why it gave no event)
    failed: tuple[Failed, ...] = ()
    rebound: dict[str, Rebound] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Added:
    """What ``geo add`` did: the new articles, those already there, and their analysis."""

    added: tuple[str, ...] = ()  # ids of the new articles
    already: tuple[tuple[str, str], ...] = ()  # (path, id it is stored as) of known texts
    renamed: tuple[tuple[str, str], ...] = ()  # (file id, id given) when the id was taken
    analysis: Analysis = field(default_factory=Analysis)


def read_paths(paths: Iterable[str | Path]) -> tuple[Article, ...]:
    """Read the article files and folders in ``paths`` (see ``geo.articles``)."""
    found: list[Article] = []
    for path in map(Path, paths):
        found.extend(read_articles(path) if path.is_dir() else (read_article(path),))
    return tuple(found)


def add_paths(
    collection: Collection,
    paths: Iterable[str | Path],
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    setup: Setup,
    by: str,
    jobs: int = 1,
    scheduler: str | None = None,
) -> Added:
    """Add the articles of ``paths`` whose text is new, then analyse every unanalysed one.

    ``gazetteer`` and ``world`` serve the single-process path (``jobs`` 1, no
    ``scheduler``); ``setup`` tells Dask workers what to load instead.
    """
    return add_articles(
        collection,
        read_paths(paths),
        gazetteer,
        world=world,
        setup=setup,
        by=by,
        jobs=jobs,
        scheduler=scheduler,
    )


def nothing_to_add(collection: Collection, articles: Sequence[Article]) -> Added | None:
    """Return what adding ``articles`` does when it adds and analyses nothing, else None.

    Every text is stored already and no stored article awaits its first analysis:
    ``geo add`` then needs neither the gazetteer nor the world index (seconds to load).
    """
    fresh, already = _fresh(collection, articles)
    if fresh or collection.unanalysed_ids(collection.stale_ids(events_module.EXTRACTOR_VERSION)):
        return None
    return Added(already=tuple(already))


def _fresh(
    collection: Collection, articles: Sequence[Article]
) -> tuple[list[Article], list[tuple[str, str]]]:
    """Split ``articles`` into those whose text is new and (path, stored id) of the rest."""
    hashes = [content_hash(a.text) for a in articles]
    known = collection.known_hashes(hashes)
    stored_as = collection.ids_of_hashes({h for h in hashes if h in known})
    fresh: list[Article] = []
    already: list[tuple[str, str]] = []
    seen: set[str] = set()
    for article, digest in zip(articles, hashes, strict=True):
        if digest in known or digest in seen:
            already.append((article.path, stored_as.get(digest, article.id)))
            continue
        seen.add(digest)
        fresh.append(article)
    return fresh, already


def add_articles(
    collection: Collection,
    articles: Sequence[Article],
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    setup: Setup,
    by: str,
    jobs: int = 1,
    scheduler: str | None = None,
) -> Added:
    """Add those of ``articles`` whose text is new, then analyse every unanalysed one.

    What :func:`add_paths` does once the files are read; the dashboard adds an uploaded
    article through it.
    """
    fresh, already = _fresh(collection, articles)
    fresh, renamed = _unique_ids(collection, fresh)
    collection.add_articles(fresh, by=by)
    version = events_module.EXTRACTOR_VERSION
    analysis = analyse_stored(
        collection,
        collection.stale_ids(version),
        gazetteer,
        world=world,
        setup=setup,
        jobs=jobs,
        scheduler=scheduler,
        only_unanalysed=True,
    )
    return Added(
        added=tuple(a.id for a in fresh),
        already=tuple(already),
        renamed=tuple(renamed),
        analysis=analysis,
    )


def reanalyse(
    collection: Collection,
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    setup: Setup,
    jobs: int = 1,
    scheduler: str | None = None,
) -> Analysis:
    """Re-read every article analysed by an older extractor (or not at all), keeping reviews."""
    return analyse_stored(
        collection,
        collection.stale_ids(events_module.EXTRACTOR_VERSION),
        gazetteer,
        world=world,
        setup=setup,
        jobs=jobs,
        scheduler=scheduler,
    )


def analyse_stored(
    collection: Collection,
    ids: Sequence[str],
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    setup: Setup,
    jobs: int = 1,
    scheduler: str | None = None,
    only_unanalysed: bool = False,
) -> Analysis:
    """Analyse the stored articles ``ids`` and write their readings batch by batch.

    With ``only_unanalysed``, articles analysed before (by an older extractor) are left
    for ``geo reanalyse``: ``geo add`` reads only what is new.
    """
    version = events_module.EXTRACTOR_VERSION
    if only_unanalysed:
        ids = collection.unanalysed_ids(ids)
    articles = collection.articles(ids)
    events = 0
    dropped: list[str] = []
    silent: list[tuple[str, str]] = []
    failed: list[Failed] = []
    rebound: dict[str, Rebound] = {}
    pending: list[tuple[str, Reading]] = []

    def flush() -> None:
        rebound.update(collection.save_readings(pending, version=version))
        pending.clear()

    for result in _readings(articles, gazetteer, world, setup, jobs, scheduler):
        if isinstance(result, Failed):
            failed.append(result)
            continue
        for article_id, reading in result:
            extraction = reading[1]
            events += len(extraction.events)
            dropped.extend(extraction.dropped)
            if extraction.silence:
                silent.append((article_id, extraction.silence))
            pending.append((article_id, reading))
        if len(pending) >= WRITE_BATCH:
            flush()
    if pending:
        flush()
    analysed = len(articles) - sum(len(f.ids) for f in failed)
    return Analysis(
        articles=analysed,
        events=events,
        dropped=tuple(sorted(dropped)),
        silent=tuple(sorted(silent)),
        failed=tuple(failed),
        rebound=rebound,
    )


def _readings(
    articles: Sequence[Article],
    gazetteer: Gazetteer,
    world: WorldIndex | None,
    setup: Setup,
    jobs: int,
    scheduler: str | None,
) -> Iterator[list[tuple[str, Reading]] | Failed]:
    if jobs <= 1 and scheduler is None:
        # Here, not on Dask: a local cluster costs seconds to start (see README).
        for start in range(0, len(articles), WRITE_BATCH):
            part = articles[start : start + WRITE_BATCH]
            yield [(a.id, read_one(a, gazetteer, world)) for a in part]
        return
    yield from read_on_dask(articles, setup, jobs=jobs, scheduler=scheduler)


def _unique_ids(
    collection: Collection, articles: Sequence[Article]
) -> tuple[list[Article], list[tuple[str, str]]]:
    taken = collection.taken_ids(a.id for a in articles)
    out: list[Article] = []
    renamed: list[tuple[str, str]] = []
    for article in articles:
        if article.id in taken:
            new_id = f"{article.id}-{content_hash(article.text)[:8]}"
            renamed.append((article.id, new_id))
            article = dataclasses.replace(article, id=new_id)
        taken.add(article.id)
        out.append(article)
    return out, renamed
