"""Immutable typed records shared by every stage of newsmap.

Coordinates are always named ``lat`` and ``lon``; GeoJSON's ``[lon, lat]`` order is
produced in exactly one place (``geo.export.position``) and folium's ``[lat, lon]`` only
in the map builder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from shapely.geometry.base import BaseGeometry

PlaceKind = Literal[
    "continent",
    "country",
    "region",
    "city",
    "district",
    "neighbourhood",
    "road",
    "corridor",
    "airbase",
    "crossing",
    "venue",
]
PLACE_KINDS: tuple[str, ...] = PlaceKind.__args__  # type: ignore[attr-defined]

PlaceOrigin = Literal["curated", "geonames", "nominatim"]

EventType = Literal[
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]

Layer = Literal["event", "place", "corridor", "zone"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """A place on the earth that a name in an article can refer to."""

    id: str
    name: str
    kind: PlaceKind
    lat: float
    lon: float
    country: str = ""  # ISO 3166-1 alpha-2 code ("SY"), empty when none applies
    aliases: tuple[str, ...] = ()
    geometry: BaseGeometry | None = None  # lon/lat shapely geometry (line, polygon)
    precision_m: float = 0.0
    source: str = ""
    note: str = ""
    population: int = 0
    origin: PlaceOrigin = "curated"


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A span of an article's original text that names a place."""

    text: str
    start: int  # Python str index into the article's original text
    end: int  # exclusive: ``article_text[start:end] == text``
    place: Place
    confidence: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One news report: its original text, the parts that are the report, metadata."""

    id: str  # stable: derived from the file name, not from run order
    path: str
    text: str  # the decoded original text; every offset points into it
    body: tuple[tuple[int, int], ...]  # spans of ``text`` that are the report itself
    title: str = ""
    outlet: str = ""
    url: str = ""  # the report's own web address (http or https only), if known
    dateline: str = ""  # the dateline place as written ("MOSCOW"), if any
    published: dt.date | None = None
    date_basis: str = ""  # how ``published`` was read ("dateline 'September 18, 2016'")
    sentences: tuple[tuple[int, int], ...] = ()  # sentence spans within ``body``


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A dated, located, attributed thing an article reports (ACLED's record)."""

    id: str
    event_date: dt.date
    end_date: dt.date | None = None  # last day when the sentence gives a range
    time_precision: Literal[1, 2, 3] = 1
    event_type: EventType
    sub_event_type: str
    actor1: str = ""
    actor2: str = ""
    location: str
    place_id: str
    lat: float
    lon: float
    geo_precision: Literal[1, 2, 3] = 1
    fatalities: int | None = None
    source: str = ""  # the outlet
    source_url: str = ""  # the article's web address (http or https only), if known
    article: str = ""  # the article id
    title: str = ""
    notes: str = ""
    claimed_by: str = ""
    evidence: str = ""
    evidence_start: int = 0
    evidence_end: int = 0
    related: tuple[str, ...] = field(default=())  # ids of the same event in other articles


@dataclass(frozen=True, slots=True, kw_only=True)
class Zone:
    """An area an article declares: a no-fly zone of ``radius_m`` around a place."""

    id: str
    name: str  # "no-fly zone: 10 km around Aleppo"
    kind: str  # "no-fly zone"
    place_id: str  # the place buffered (its polygon if the gazetteer has one, else its point)
    radius_m: float
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    source: str = ""
    article: str = ""
    title: str = ""
    claimed_by: str = ""
    evidence: str = ""
    evidence_start: int = 0
    evidence_end: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Corpus:
    """Everything read from a set of articles, before it becomes map layers."""

    articles: tuple[Article, ...]
    mentions: tuple[tuple[Mention, ...], ...]  # parallel to ``articles``
    events: tuple[Event, ...]
    zones: tuple[Zone, ...] = ()
    dropped: tuple[str, ...] = ()  # one human-readable line per thing left out, and why
    silent: tuple[tuple[str, str], ...] = ()  # (article id, why it gave no event)
