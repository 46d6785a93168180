"""The map layers of a collection, with the analyst's review beside every event.

``geo export --db`` writes them with the writers ``geo build`` uses (``geo.export``); the
events layer gains the :data:`REVIEW_COLUMNS`, which the GeoJSON, GeoPackage and KML
carry as properties and the CSV as its last columns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection as Many
from collections.abc import Sequence

import pandas as pd

from geo.events import link_events
from geo.export import REVIEW_COLUMNS
from geo.gazetteer import Gazetteer
from geo.layers import JOIN, Layers, build_layers, filter_layers
from geo.models import Corpus, Place
from geo.store.collection import Collection, ReviewedEvent
from geo.store.schema import REVIEW_STATUSES

__all__ = ["DEFAULT_STATUSES", "collection_map", "store_layers", "unreviewed"]

#: What ``geo export`` writes unless told otherwise: everything but the rejected.
DEFAULT_STATUSES = ("proposed", "confirmed", "corrected")


def store_layers(
    collection: Collection,
    gazetteer: Gazetteer,
    *,
    statuses: Many[str] = DEFAULT_STATUSES,
    start: dt.date | None = None,
    end: dt.date | None = None,
    event_types: Many[str] | None = None,
    articles: Many[str] | None = None,
    min_fatalities: int | None = None,
) -> Layers:
    """Return the layers of the collection's reviewed events that pass the filters.

    The filters are ``geo.layers.filter_layers``'s, plus the review ``statuses`` to keep.
    Events told by several articles are linked again (``related``) after the review, so a
    corrected place or date links as it now is.
    """
    reviewed = collection.events(statuses=statuses, articles=articles)
    corpus = _linked(collection.corpus(reviewed, places=_places(gazetteer), articles=articles))
    layers = filter_layers(
        build_layers(corpus, gazetteer),
        start=start,
        end=end,
        event_types=event_types,
        min_fatalities=min_fatalities,
    )
    return Layers(
        events=_with_review(layers.events, reviewed),
        places=layers.places,
        corridors=layers.corridors,
        zones=layers.zones,
    )


def collection_map(
    collection: Collection, gazetteer: Gazetteer, *, statuses: Many[str] = REVIEW_STATUSES
) -> tuple[Corpus, Layers]:
    """Return every article of the collection and the layers of its reviewed events.

    What the dashboard maps: the corpus holds every stored article (those that gave no
    event too, with why) and the events of ``statuses`` as the analyst left them; the
    events layer carries the :data:`REVIEW_COLUMNS`.
    """
    reviewed = collection.events(statuses=statuses)
    every = collection.article_ids()
    corpus = _linked(collection.corpus(reviewed, places=_places(gazetteer), articles=every))
    layers = build_layers(corpus, gazetteer)
    return corpus, Layers(
        events=_with_review(layers.events, reviewed),
        places=layers.places,
        corridors=layers.corridors,
        zones=layers.zones,
    )


def unreviewed(frame: pd.DataFrame) -> pd.DataFrame:
    """Return an events layer with the review columns of events nobody has reviewed."""
    frame = frame.copy()
    for column in REVIEW_COLUMNS:
        frame[column] = "proposed" if column == "review_status" else ""
    frame["review_version"] = pd.Series(0, index=frame.index, dtype="int64")
    return frame


def _places(gazetteer: Gazetteer) -> dict[str, Place]:
    return {place.id: place for place in gazetteer.places}


def _linked(corpus: Corpus) -> Corpus:
    """Link the events told by several articles again, as the review left them."""
    return dataclasses.replace(corpus, events=link_events(corpus.events))


def _with_review(frame: pd.DataFrame, reviewed: Sequence[ReviewedEvent]) -> pd.DataFrame:
    by_id = {r.event.id: r for r in reviewed}
    rows = [by_id[event_id] for event_id in frame["id"]]
    frame = frame.copy()
    frame["review_status"] = [r.status for r in rows]
    frame["reviewed_by"] = [r.reviewed_by for r in rows]
    frame["reviewed_at"] = [
        r.reviewed_at.isoformat(timespec="seconds") if r.reviewed_at else "" for r in rows
    ]
    frame["review_note"] = [r.note for r in rows]
    frame["corrected_fields"] = [JOIN.join(r.corrected) for r in rows]
    frame["merged_events"] = [JOIN.join(r.merged) for r in rows]
    frame["review_version"] = pd.Series([r.version for r in rows], index=frame.index, dtype="int64")
    assert tuple(c for c in frame.columns if c in REVIEW_COLUMNS) == REVIEW_COLUMNS
    return frame
