"""The tables of a collection: articles, what the extractor found in them, the review.

Three groups, each with its own life:

- ``articles``: what was added (text, content hash, metadata, who added it and when);
  never changed by analysis.
- ``mentions``, ``events``, ``zones``: the extractor's reading of an article, replaced
  whole when the article is re-analysed; ``articles.extractor_version`` says which
  version of ``geo.events`` wrote them.
- ``reviews`` (the current state of each reviewed event, with a ``version`` counter for
  optimistic concurrency) and ``review_log`` (every change, never rewritten): the
  analyst's word, which survives re-analysis. A review is tied to an event by its id and,
  when a new extractor gives the event a new id, found again by its key (see
  ``geo.store.review.review_key``).

Multi-valued fields (body and sentence spans, corrected fields) are JSON text, so the
same schema serves SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

from geo.store.columns import JSONText, Name, Point

__all__ = [
    "REVIEW_STATUSES",
    "articles",
    "events",
    "mentions",
    "metadata",
    "review_log",
    "reviews",
    "zones",
]

#: What the analyst can say of an event; "proposed" is the machine's word alone.
REVIEW_STATUSES = ("proposed", "confirmed", "corrected", "rejected")

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", Name(255), nullable=False, unique=True),  # Article.id, unique here
    Column("content_hash", Name(64), nullable=False, unique=True),  # SHA-256 of the text
    Column("path", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("body", JSONText(), nullable=False),  # [[start, end], ...]
    Column("sentences", JSONText(), nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("outlet", Text, nullable=False, default=""),
    Column("url", Text, nullable=True),
    Column("dateline", Text, nullable=False, default=""),
    Column("published", Date, nullable=True),
    Column("date_basis", Text, nullable=False, default=""),
    Column("added_by", Name(255), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    # The analysis: which extractor read it (null: not yet), when, and what it left out.
    Column("extractor_version", Integer, nullable=True),
    Column("analysed_at", DateTime(timezone=True), nullable=True),
    Column("dropped", JSONText(), nullable=True),  # lines of Extraction.dropped
    Column("silence", Text, nullable=True),  # why it gave no event ("" when it gave some)
)

mentions = Table(
    "mentions",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("article_pk", ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("place_id", Name(255), nullable=False),
    Column("place_name", Text, nullable=False),
    Column("place_kind", Name(32), nullable=False),
    Column("place_country", Name(8), nullable=False),
    Column("place_lat", Float, nullable=False),
    Column("place_lon", Float, nullable=False),
    Column("place_origin", Name(16), nullable=False),
    Column("place_precision_m", Float, nullable=False),
    Column("place_source", Text, nullable=False),
    Column("place_population", Integer, nullable=False),
    Index("mentions_article", "article_pk"),
)

events = Table(
    "events",
    metadata,
    Column("pk", Integer, primary_key=True),  # a GeoPackage feature table's key
    Column("geom", Point(), nullable=False),
    Column("id", Name(64), nullable=False, unique=True),
    Column("article_pk", ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("extractor_version", Integer, nullable=False),
    Column("event_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("time_precision", Integer, nullable=False),
    Column("event_type", Name(64), nullable=False),
    Column("sub_event_type", Name(128), nullable=False),
    Column("actor1", Text, nullable=False),
    Column("actor2", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("place_id", Name(255), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("geo_precision", Integer, nullable=False),
    Column("fatalities", Integer, nullable=True),  # null: not reported (never 0)
    Column("source", Text, nullable=False),
    Column("article", Name(255), nullable=False),
    Column("title", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("claimed_by", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Index("events_article", "article_pk"),
    Index("events_date", "event_date"),
    Index("events_key", "article", "evidence_start", "evidence_end", "event_type"),
)

zones = Table(
    "zones",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", Name(64), nullable=False, unique=True),
    Column("article_pk", ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("extractor_version", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", Name(64), nullable=False),
    Column("place_id", Name(255), nullable=False),
    Column("radius_m", Float, nullable=False),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("source", Text, nullable=False),
    Column("article", Name(255), nullable=False),
    Column("title", Text, nullable=False),
    Column("claimed_by", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Index("zones_article", "article_pk"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("event_id", Name(64), nullable=False, unique=True),  # the event it was made on
    # The event's key, to find it again when a new extractor gives it another id.
    Column("article", Name(255), nullable=False),
    Column("evidence_start", Integer, nullable=False),
    Column("evidence_end", Integer, nullable=False),
    Column("event_type", Name(64), nullable=False),
    Column("event_date", Date, nullable=False),
    Column("status", Name(16), nullable=False),
    Column("corrected", JSONText(), nullable=False),  # {field: value} the analyst set
    Column("merged_into", Name(64), nullable=True),  # the event this one was merged into
    Column("found", Boolean, nullable=False, default=True),  # the last analysis found it
    Column("version", Integer, nullable=False),
    Column("updated_by", Name(255), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False),
    Index("reviews_key", "article", "evidence_start", "evidence_end", "event_type"),
)

review_log = Table(
    "review_log",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("event_id", Name(64), nullable=False),
    Column("action", Name(16), nullable=False),  # confirm, reject, correct, merge
    Column("fields", JSONText(), nullable=False),
    Column("version", Integer, nullable=False),  # the review's version after this change
    Column("author", Name(255), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False),
    UniqueConstraint("event_id", "version"),
)
