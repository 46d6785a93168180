"""A collection of articles with their analysis and review, in a SQLite file or PostgreSQL.

:class:`Collection` writes what ``geo add`` and ``geo reanalyse`` read and reads back
events with the analyst's review applied (``geo.store.review`` writes the review).

How a review follows its event across runs of the extractor: an event's id hashes its
article, evidence span, type, sub-type and date, so a new extractor that reads another
date or sub-type gives it a new id. A review is tied to the id it was made on and, when
a re-analysis no longer finds that id, to the new event of the same **article, evidence
sentence (start and end) and event type**; when the sentence gives several ("withdrew on
15 and 16 September"), the one most like the old event (day, sub-type, place, dead,
actors), and none on a tie. A review whose event is not found again is kept, marked not
found, and reported; it comes back if a later run finds it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.corpus import Reading
from geo.models import Article, Corpus, Event, Mention, Place, Zone
from geo.store import schema as t
from geo.store.database import connect, describe
from geo.store.records import (
    article_from_row,
    article_row,
    event_from_row,
    event_row,
    mention_from_row,
    mention_row,
    zone_from_row,
    zone_row,
)

__all__ = ["Change", "Collection", "ReviewedEvent", "Rebound", "now"]


def now() -> dt.datetime:
    """Return the time of a change: UTC, to the microsecond."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewedEvent:
    """An event as the analyst last left it, with what the machine read and who said so."""

    event: Event  # with the corrections applied
    machine: Event  # as the extractor read it
    status: str  # one of geo.store.schema.REVIEW_STATUSES
    version: int  # 0 when never reviewed; a review must name the version it was made on
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None
    note: str = ""
    corrected: tuple[str, ...] = ()  # the fields the analyst set
    merged: tuple[str, ...] = ()  # ids of the events merged into this one
    merged_into: str = ""  # the event this one was merged into ("" when none)


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One change of an event's review, as the review log keeps it."""

    action: str  # confirm, reject, correct, merge
    fields: dict[str, Any]  # what a correction set; {"into"/"absorbed": id} for a merge
    version: int  # the review's version after it
    author: str
    at: dt.datetime
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rebound:
    """What re-analysis did with the reviews of an article's events."""

    kept: int = 0  # the same event id was found again
    moved: tuple[tuple[str, str], ...] = ()  # (old id, new id): found again by its key
    lost: tuple[str, ...] = ()  # ids of reviewed events the new run did not find


class Collection:
    """An open collection; use as a context manager or call :meth:`close`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, db: str | None = None) -> Collection:
        """Open (creating and migrating as needed) the collection ``db`` (see ``connect``)."""
        return cls(connect(db))

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the collection's connections."""
        self.engine.dispose()

    @property
    def name(self) -> str:
        """The collection's path or URL (without a password), for messages."""
        return describe(self.engine.url)

    # ------------------------------------------------------------------------ articles

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """Return which of ``hashes`` (content hashes) the collection holds already."""
        wanted = list(set(hashes))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for chunk in _chunks(wanted, 500):
                query = sa.select(t.articles.c.content_hash).where(
                    t.articles.c.content_hash.in_(chunk)
                )
                found.update(connection.scalars(query))
        return found

    def ids_of_hashes(self, hashes: Iterable[str]) -> dict[str, str]:
        """Return ``{content hash: article id}`` of the stored articles among ``hashes``."""
        found: dict[str, str] = {}
        columns = sa.select(t.articles.c.content_hash, t.articles.c.id)
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(set(hashes)), 500):
                query = columns.where(t.articles.c.content_hash.in_(chunk))
                found.update((h, i) for h, i in connection.execute(query))
        return found

    def unanalysed_ids(self, ids: Iterable[str]) -> tuple[str, ...]:
        """Return which of ``ids`` have never been analysed, sorted."""
        found: list[str] = []
        query = sa.select(t.articles.c.id).where(t.articles.c.extractor_version.is_(None))
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(set(ids)), 500):
                found.extend(connection.scalars(query.where(t.articles.c.id.in_(chunk))))
        return tuple(sorted(found))

    def taken_ids(self, ids: Iterable[str]) -> set[str]:
        """Return which of the article ``ids`` are in use."""
        wanted = list(set(ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for chunk in _chunks(wanted, 500):
                query = sa.select(t.articles.c.id).where(t.articles.c.id.in_(chunk))
                found.update(connection.scalars(query))
        return found

    def add_articles(self, articles: Sequence[Article], *, by: str) -> None:
        """Store ``articles`` (their ids and texts new here), not yet analysed."""
        at = now()
        rows = [article_row(a, added_by=by, added_at=at) for a in articles]
        with self.engine.begin() as connection:
            for chunk in _chunks(rows, 500):
                connection.execute(sa.insert(t.articles), chunk)

    def articles(self, ids: Iterable[str] | None = None) -> tuple[Article, ...]:
        """Return the stored articles (those of ``ids``, or all), in order of their ids."""
        query = sa.select(t.articles).order_by(t.articles.c.id)
        with self.engine.connect() as connection:
            if ids is None:
                return tuple(article_from_row(r._mapping) for r in connection.execute(query))
            found: list[Article] = []
            for chunk in _chunks(sorted(set(ids)), 500):
                rows = connection.execute(query.where(t.articles.c.id.in_(chunk)))
                found.extend(article_from_row(r._mapping) for r in rows)
        return tuple(sorted(found, key=lambda a: a.id))

    def article_ids(self) -> tuple[str, ...]:
        """Return the ids of every stored article, sorted."""
        with self.engine.connect() as connection:
            return tuple(connection.scalars(sa.select(t.articles.c.id).order_by(t.articles.c.id)))

    def history(self, event_id: str) -> tuple[Change, ...]:
        """Return every review change of the event ``event_id``, oldest first."""
        log = t.review_log
        query = sa.select(log).where(log.c.event_id == event_id).order_by(log.c.version)
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return tuple(
            Change(
                action=row["action"],
                fields=dict(row["fields"] or {}),
                version=int(row["version"]),
                author=row["author"],
                at=_utc(row["at"]) or row["at"],
                note=row["note"],
            )
            for row in rows
        )

    def stale_ids(self, version: int) -> tuple[str, ...]:
        """Return the ids of articles not analysed yet or analysed by an older version."""
        column = t.articles.c.extractor_version
        query = (
            sa.select(t.articles.c.id)
            .where(sa.or_(column.is_(None), column < version))
            .order_by(t.articles.c.id)
        )
        with self.engine.connect() as connection:
            return tuple(connection.scalars(query))

    def stamp(self) -> tuple[int, ...]:
        """Return what changes whenever an article is added or analysed or an event reviewed.

        Cheap (a few index reads), so a reader can ask on every page run whether what it
        holds is still the collection's: a cache keyed on it is read again after any change.
        """
        articles, reviews = t.articles, t.review_log
        query = sa.select(
            sa.select(sa.func.count()).select_from(articles).scalar_subquery(),
            sa.select(sa.func.count())
            .select_from(articles)
            .where(articles.c.extractor_version.is_not(None))
            .scalar_subquery(),
            sa.select(sa.func.max(articles.c.analysed_at)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(reviews).scalar_subquery(),
            sa.select(sa.func.max(reviews.c.pk)).scalar_subquery(),
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).one()
        count, analysed, at, logged, last = row
        at = _utc(at)
        moment = int(at.timestamp() * 1_000_000) if at is not None else 0
        return (int(count), int(analysed), moment, int(logged), int(last or 0))

    def count(self, table: str) -> int:
        """Return the number of rows of ``table`` (articles, events, reviews, ...)."""
        with self.engine.connect() as connection:
            return int(
                connection.scalar(sa.select(sa.func.count()).select_from(t.metadata.tables[table]))
                or 0
            )

    # ------------------------------------------------------------------------ analysis

    def save_readings(
        self, readings: Sequence[tuple[str, Reading]], *, version: int
    ) -> dict[str, Rebound]:
        """Replace the analysis of each ``(article id, reading)`` in one transaction.

        The reviews of the articles' events are tied to the new events (see the module
        notes); returns, per article that had reviews, what became of them.
        """
        at = now()
        rebound: dict[str, Rebound] = {}
        with self.engine.begin() as connection:
            ids = [article_id for article_id, _ in readings]
            query = sa.select(t.articles.c.id, t.articles.c.pk).where(t.articles.c.id.in_(ids))
            pks = {article_id: pk for article_id, pk in connection.execute(query)}
            article_pks = [pks[i] for i in ids]
            previous = {
                row.id: event_from_row(row._mapping)
                for row in connection.execute(
                    sa.select(t.events).where(t.events.c.article_pk.in_(article_pks))
                )
            }
            for table in (t.mentions, t.events, t.zones):
                connection.execute(sa.delete(table).where(table.c.article_pk.in_(article_pks)))
            mention_rows: list[dict[str, Any]] = []
            event_rows: list[dict[str, Any]] = []
            zone_rows: list[dict[str, Any]] = []
            for article_id, (mentions, extraction, found_zones) in readings:
                pk = pks[article_id]
                mention_rows += [mention_row(m, article_pk=pk) for m in mentions]
                event_rows += [
                    event_row(e, article_pk=pk, version=version) for e in extraction.events
                ]
                zone_rows += [zone_row(z, article_pk=pk, version=version) for z in found_zones]
                connection.execute(
                    sa.update(t.articles)
                    .where(t.articles.c.pk == pk)
                    .values(
                        extractor_version=version,
                        analysed_at=at,
                        dropped=list(extraction.dropped),
                        silence=extraction.silence,
                    )
                )
            for table, rows in (
                (t.mentions, mention_rows),
                (t.events, event_rows),
                (t.zones, zone_rows),
            ):
                for chunk in _chunks(rows, 500):
                    connection.execute(sa.insert(table), chunk)
            for article_id, (_, extraction, _) in readings:
                result = _rebind_reviews(connection, article_id, extraction.events, previous)
                if result is not None:
                    rebound[article_id] = result
        return rebound

    def dropped(self, ids: Iterable[str]) -> dict[str, tuple[tuple[str, ...], str]]:
        """Return ``{article id: (dropped lines, why it gave no event)}`` of stored analyses."""
        query = sa.select(t.articles.c.id, t.articles.c.dropped, t.articles.c.silence)
        out: dict[str, tuple[tuple[str, ...], str]] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(set(ids)), 500):
                for article_id, dropped, silence in connection.execute(
                    query.where(t.articles.c.id.in_(chunk))
                ):
                    out[article_id] = (tuple(dropped or ()), silence or "")
        return out

    # ------------------------------------------------------------------------ reading

    def events(
        self,
        *,
        statuses: Iterable[str] | None = None,
        articles: Iterable[str] | None = None,
        merged: bool = False,
    ) -> tuple[ReviewedEvent, ...]:
        """Return the events with their review applied, ordered by id.

        ``statuses`` keeps those with one of these review statuses, ``articles`` those of
        these article ids; an event merged into another is left out unless ``merged``.
        """
        # An event's web address is its article's (not stored twice).
        query = (
            sa.select(t.events, t.articles.c.url.label("a_url"), *_REVIEW_COLUMNS)
            .join(t.articles, t.articles.c.pk == t.events.c.article_pk)
            .outerjoin(t.reviews, t.reviews.c.event_id == t.events.c.id)
        )
        if articles is not None:
            query = query.where(t.events.c.article.in_(sorted(set(articles))))
        with self.engine.connect() as connection:
            rows = [r._mapping for r in connection.execute(query.order_by(t.events.c.id))]
        absorbed: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            if row["r_merged_into"]:
                absorbed[row["r_merged_into"]].append(row["id"])
        wanted = None if statuses is None else set(statuses)
        out = []
        for row in rows:
            reviewed = _reviewed(row, merged=tuple(sorted(absorbed.get(row["id"], ()))))
            if reviewed.merged_into and not merged:
                continue
            if wanted is not None and reviewed.status not in wanted:
                continue
            out.append(reviewed)
        return tuple(out)

    def corpus(
        self,
        events: Sequence[ReviewedEvent],
        *,
        places: Mapping[str, Place],
        articles: Iterable[str] | None = None,
    ) -> Corpus:
        """Return the Corpus of ``events`` (reviewed) with their articles' mentions and zones.

        ``articles`` adds articles that gave none of ``events`` (their places and zones
        still belong on the map); ``places`` are the gazetteer's, by id, so that a curated
        place keeps its line or polygon.
        """
        ids = {e.event.article for e in events} | set(articles or ())
        stored = self.articles(ids)
        pk_of: dict[str, int] = {}
        by_pk: dict[int, list[Mention]] = defaultdict(list)
        zones: list[Zone] = []
        dropped: list[str] = []
        silent: list[tuple[str, str]] = []
        with self.engine.connect() as connection:
            for chunk in _chunks(sorted(ids), 500):
                for article_id, pk, lines, silence in connection.execute(
                    sa.select(
                        t.articles.c.id, t.articles.c.pk, t.articles.c.dropped, t.articles.c.silence
                    ).where(t.articles.c.id.in_(chunk))
                ):
                    pk_of[article_id] = pk
                    dropped.extend(lines or ())
                    if silence:
                        silent.append((article_id, silence))
            for chunk in _chunks(sorted(pk_of.values()), 500):
                for row in connection.execute(
                    sa.select(t.mentions)
                    .where(t.mentions.c.article_pk.in_(chunk))
                    .order_by(t.mentions.c.article_pk, t.mentions.c.start, t.mentions.c.pk)
                ):
                    by_pk[row.article_pk].append(mention_from_row(row._mapping, places=places))
                for row in connection.execute(
                    sa.select(t.zones).where(t.zones.c.article_pk.in_(chunk)).order_by(t.zones.c.id)
                ):
                    zones.append(zone_from_row(row._mapping))
        return Corpus(
            articles=stored,
            mentions=tuple(tuple(by_pk[pk_of[a.id]]) for a in stored),
            events=tuple(e.event for e in events),
            zones=tuple(zones),
            dropped=tuple(dropped),
            silent=tuple(silent),
        )


_REVIEW_COLUMNS = (
    t.reviews.c.status.label("r_status"),
    t.reviews.c.corrected.label("r_corrected"),
    t.reviews.c.merged_into.label("r_merged_into"),
    t.reviews.c.version.label("r_version"),
    t.reviews.c.updated_by.label("r_by"),
    t.reviews.c.updated_at.label("r_at"),
    t.reviews.c.note.label("r_note"),
)


def _reviewed(row: Mapping[Any, Any], *, merged: tuple[str, ...]) -> ReviewedEvent:
    machine = event_from_row(row, source_url=row["a_url"] or "")
    if row["r_status"] is None:
        return ReviewedEvent(
            event=machine, machine=machine, status="proposed", version=0, merged=merged
        )
    corrected: dict[str, Any] = row["r_corrected"] or {}
    return ReviewedEvent(
        event=apply_corrections(machine, corrected),
        machine=machine,
        status=row["r_status"],
        version=row["r_version"],
        reviewed_by=row["r_by"],
        reviewed_at=_utc(row["r_at"]),
        note=row["r_note"],
        corrected=tuple(sorted(corrected)),
        merged=merged,
        merged_into=row["r_merged_into"] or "",
    )


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back a naive time for what was stored in UTC: say it is UTC."""
    if at is not None and at.tzinfo is None:
        return at.replace(tzinfo=dt.UTC)
    return at


_DATE_FIELDS = frozenset({"event_date", "end_date"})


def apply_corrections(event: Event, corrected: Mapping[str, Any]) -> Event:
    """Return ``event`` with the analyst's corrections (JSON values: dates as ISO text)."""
    values: dict[str, Any] = {
        name: (dt.date.fromisoformat(value) if name in _DATE_FIELDS and value else value)
        for name, value in corrected.items()
    }
    return dataclasses.replace(event, **values)


def _rebind_reviews(
    connection: Connection,
    article_id: str,
    events: Sequence[Event],
    previous: Mapping[str, Event],
) -> Rebound | None:
    reviews = list(
        connection.execute(sa.select(t.reviews).where(t.reviews.c.article == article_id)).mappings()
    )
    if not reviews:
        return None
    new_ids = {e.id for e in events}
    taken = {r["event_id"] for r in reviews if r["event_id"] in new_ids}
    by_key: dict[tuple[int, int, str], list[Event]] = defaultdict(list)
    for event in events:
        by_key[(event.evidence_start, event.evidence_end, event.event_type)].append(event)
    kept, moved, lost = 0, [], []
    for review in reviews:
        if review["event_id"] in new_ids:
            kept += 1
            _set_found(connection, review["pk"], found=True)
            continue
        key = (review["evidence_start"], review["evidence_end"], review["event_type"])
        candidates = [e for e in by_key.get(key, ()) if e.id not in taken]
        new = _likeliest(candidates, previous.get(review["event_id"]), review["event_date"])
        if new is None:
            lost.append(review["event_id"])
            _set_found(connection, review["pk"], found=False)
            continue
        taken.add(new.id)
        moved.append((review["event_id"], new.id))
    for old, new_id in moved:
        connection.execute(
            sa.update(t.reviews)
            .where(t.reviews.c.event_id == old)
            .values(event_id=new_id, found=True)
        )
        connection.execute(
            sa.update(t.reviews).where(t.reviews.c.merged_into == old).values(merged_into=new_id)
        )
        connection.execute(
            sa.update(t.review_log).where(t.review_log.c.event_id == old).values(event_id=new_id)
        )
    return Rebound(kept=kept, moved=tuple(moved), lost=tuple(lost))


def _likeliest(candidates: Sequence[Event], old: Event | None, day: dt.date) -> Event | None:
    """Return the one candidate most like the old event, or None when none or a tie."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None

    def likeness(event: Event) -> int:
        same = [event.event_date == day]
        if old is not None:
            same += [
                event.sub_event_type == old.sub_event_type,
                event.location == old.location,
                event.fatalities == old.fatalities,
                event.actor1 == old.actor1,
                event.actor2 == old.actor2,
            ]
        return sum(same)

    ranked = sorted(candidates, key=likeness, reverse=True)
    return ranked[0] if likeness(ranked[0]) > likeness(ranked[1]) else None


def _set_found(connection: Connection, pk: int, *, found: bool) -> None:
    connection.execute(sa.update(t.reviews).where(t.reviews.c.pk == pk).values(found=found))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
