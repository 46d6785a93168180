"""Turn newsmap's records into table rows and back: Article, Mention, Event, Zone.

Pure functions, no database: what a row holds is decided here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from geo.models import Article, Event, Mention, Place, Zone

__all__ = [
    "article_from_row",
    "article_row",
    "content_hash",
    "event_from_row",
    "event_row",
    "mention_from_row",
    "mention_row",
    "zone_from_row",
    "zone_row",
]

# ``source_url`` is the article's (``articles.url``), not stored again with each event.
_EVENT_FIELDS = tuple(
    f.name for f in dataclasses.fields(Event) if f.name not in ("related", "source_url")
)
_ZONE_FIELDS = tuple(f.name for f in dataclasses.fields(Zone))


def content_hash(text: str) -> str:
    """Return the SHA-256 of an article's decoded text: what makes it the same article.

    >>> content_hash("Aleppo")[:12]
    '4a753c010979'
    """
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def article_row(article: Article, *, added_by: str, added_at: dt.datetime) -> dict[str, Any]:
    """Return the ``articles`` row of an article (not yet analysed)."""
    return {
        "id": article.id,
        "content_hash": content_hash(article.text),
        "path": article.path,
        "text": article.text,
        "body": [list(span) for span in article.body],
        "sentences": [list(span) for span in article.sentences],
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url or None,
        "dateline": article.dateline,
        "published": article.published,
        "date_basis": article.date_basis,
        "added_by": added_by,
        "added_at": added_at,
    }


def article_from_row(row: Mapping[Any, Any]) -> Article:
    """Return the Article an ``articles`` row holds."""
    return Article(
        id=row["id"],
        path=row["path"],
        text=row["text"],
        body=tuple((int(a), int(b)) for a, b in row["body"]),
        sentences=tuple((int(a), int(b)) for a, b in row["sentences"]),
        title=row["title"],
        outlet=row["outlet"],
        url=row["url"] or "",
        dateline=row["dateline"],
        published=row["published"],
        date_basis=row["date_basis"],
    )


def mention_row(mention: Mention, *, article_pk: int) -> dict[str, Any]:
    """Return the ``mentions`` row of a mention (its place is copied: GeoNames has no id here)."""
    place = mention.place
    return {
        "article_pk": article_pk,
        "start": mention.start,
        "end": mention.end,
        "text": mention.text,
        "confidence": mention.confidence,
        "place_id": place.id,
        "place_name": place.name,
        "place_kind": place.kind,
        "place_country": place.country,
        "place_lat": place.lat,
        "place_lon": place.lon,
        "place_origin": place.origin,
        "place_precision_m": place.precision_m,
        "place_source": place.source,
        "place_population": place.population,
    }


def mention_from_row(row: Mapping[Any, Any], *, places: Mapping[str, Place]) -> Mention:
    """Return the Mention a row holds; a curated place is the gazetteer's own (its geometry)."""
    place = places.get(row["place_id"]) or Place(
        id=row["place_id"],
        name=row["place_name"],
        kind=row["place_kind"],
        lat=row["place_lat"],
        lon=row["place_lon"],
        country=row["place_country"],
        precision_m=row["place_precision_m"],
        source=row["place_source"],
        population=row["place_population"],
        origin=row["place_origin"],
    )
    return Mention(
        text=row["text"],
        start=row["start"],
        end=row["end"],
        place=place,
        confidence=row["confidence"],
    )


def event_row(event: Event, *, article_pk: int, version: int) -> dict[str, Any]:
    """Return the ``events`` row of an event found by extractor ``version``."""
    row = {name: getattr(event, name) for name in _EVENT_FIELDS}
    row.update(article_pk=article_pk, extractor_version=version, geom=(event.lat, event.lon))
    return row


def event_from_row(row: Mapping[Any, Any], **more: Any) -> Event:
    """Return the Event (as the machine read it) an ``events`` row holds, with ``more`` fields.

    ``more`` names fields the row does not hold (``source_url``, its article's).
    """
    return Event(**{name: row[name] for name in _EVENT_FIELDS}, **more)


def zone_row(zone: Zone, *, article_pk: int, version: int) -> dict[str, Any]:
    """Return the ``zones`` row of a zone found by extractor ``version``."""
    row = {name: getattr(zone, name) for name in _ZONE_FIELDS}
    row.update(article_pk=article_pk, extractor_version=version)
    return row


def zone_from_row(row: Mapping[Any, Any]) -> Zone:
    """Return the Zone a ``zones`` row holds."""
    return Zone(**{name: row[name] for name in _ZONE_FIELDS})
