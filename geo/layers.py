"""Turn a corpus into the four map layers: events, places, corridors and zones.

Every layer is a GeoDataFrame in EPSG:4326 (lon/lat) whose rows carry a stable ``id``.
Zones are buffered in metres in a local azimuthal-equidistant projection, never in
degrees.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pyproj
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.basemap import locate
from geo.gazetteer import Gazetteer
from geo.geoparse import find_feature_mentions
from geo.models import Corpus, Event, Mention, Place, Zone

CRS = "EPSG:4326"
#: Segments per quarter circle of a zone's buffer: 64 keeps the chord within 1 m of the
#: true circle at 10 km (shapely's default 16 is off by up to 12 m).
QUAD_SEGS = 64
#: Separator of multi-valued text columns (article ids, event ids, related events).
JOIN = "|"

#: Every Event field, then the place's country code and the place's name as the evidence
#: sentence writes it (what a pop-up highlights), then the country and first-level region
#: the event's point lies in (Natural Earth outlines, ``geo.basemap.locate``).
EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Event))
EVENT_COLUMNS: tuple[str, ...] = EVENT_FIELDS + ("country", "place_text", "country_name", "admin1")
PLACE_COLUMNS = (
    "id",
    "name",
    "kind",
    "country",
    "lat",
    "lon",
    "precision_m",
    "source",
    "origin",
    "mentions",
    "articles",
)
CORRIDOR_COLUMNS = ("id", "name", "kind", "label", "country", "source", "articles", "events")
ZONE_COLUMNS = (
    "id",
    "name",
    "kind",
    "place_id",
    "place_name",
    "radius_m",
    "buffered",
    "method",
    "start_date",
    "end_date",
    "source",
    "article",
    "title",
    "claimed_by",
    "evidence",
    "evidence_start",
    "evidence_end",
)
_LINE_KINDS = frozenset({"road", "corridor"})


@dataclass(frozen=True)
class Layers:
    """The four map layers, each a GeoDataFrame in EPSG:4326 with an ``id`` column."""

    events: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame

    def items(self) -> tuple[tuple[str, gpd.GeoDataFrame], ...]:
        """Return ``(layer name, frame)`` pairs in the fixed export order."""
        return (
            ("events", self.events),
            ("places", self.places),
            ("corridors", self.corridors),
            ("zones", self.zones),
        )


def build_layers(corpus: Corpus, gazetteer: Gazetteer) -> Layers:
    """Build the events, places, corridors and zones layers of a corpus.

    Parameters
    ----------
    corpus : Corpus
        Articles, their mentions, events and zones (``geo.corpus.analyse``).
    gazetteer : Gazetteer
        Where corridor lines and city polygons come from.

    Returns
    -------
    Layers
        Four GeoDataFrames in EPSG:4326, rows sorted by ``id``.
    """
    places = _known_places(corpus, gazetteer)
    return Layers(
        events=_events_frame(corpus, places),
        places=_places_frame(corpus),
        corridors=_corridors_frame(corpus, gazetteer),
        zones=_zones_frame(corpus.zones, gazetteer, places),
    )


def filter_layers(
    layers: Layers,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    event_types: Collection[str] | None = None,
    articles: Collection[str] | None = None,
    actors: Collection[str] | None = None,
    claimed_by: Collection[str] | None = None,
    min_fatalities: int | None = None,
) -> Layers:
    """Return the layers restricted to what a reader asked to see.

    Events are kept when their date (or range) overlaps ``[start, end]``, their type is
    in ``event_types``, their article in ``articles``, ``actor1`` or ``actor2`` in
    ``actors``, the one who says so (``claimed_by``) in ``claimed_by`` and they report
    at least ``min_fatalities`` deaths (unknown counts are left out once a positive
    minimum is asked for). Places, corridors and zones are kept when one of the shown
    articles mentions them; zones also need to be in force within the date range and,
    with ``claimed_by``, be claimed by one of them. ``None`` means no restriction.
    """
    events = layers.events
    keep = pd.Series(True, index=events.index)
    first = events["event_date"].astype(str)
    last = events["end_date"].where(events["end_date"].notna(), events["event_date"]).astype(str)
    if start is not None:
        keep &= last >= _day(start)
    if end is not None:
        keep &= first <= _day(end)
    if event_types is not None:
        keep &= events["event_type"].isin(list(event_types))
    if articles is not None:
        keep &= events["article"].isin(list(articles))
    if actors is not None:
        wanted = list(actors)
        keep &= events["actor1"].isin(wanted) | events["actor2"].isin(wanted)
    if claimed_by is not None:
        keep &= events["claimed_by"].isin(list(claimed_by))
    if min_fatalities is not None and min_fatalities > 0:
        keep &= events["fatalities"].fillna(-1).astype("int64") >= min_fatalities
    shown_events = events[keep]
    zones = layers.zones
    if claimed_by is not None:
        zones = zones[zones["claimed_by"].isin(list(claimed_by))]
    if articles is None:
        return Layers(
            events=shown_events,
            places=layers.places,
            corridors=layers.corridors,
            zones=_zones_in_force(zones, start, end),
        )
    shown = set(articles)
    zones = zones[zones["article"].isin(list(shown))]
    return Layers(
        events=shown_events,
        places=layers.places[_mentioned_in(layers.places["articles"], shown)],
        corridors=layers.corridors[_mentioned_in(layers.corridors["articles"], shown)],
        zones=_zones_in_force(zones, start, end),
    )


def geodesic_buffer(geometry: BaseGeometry, radius_m: float, *, lat: float, lon: float) -> Polygon:
    """Buffer a lon/lat geometry by ``radius_m`` metres in a projection centred on lat/lon.

    The buffer is built in an azimuthal-equidistant projection centred on the place,
    where distances from the centre are true geodesic distances, and projected back.

    >>> ring = geodesic_buffer(Point(37.16, 36.2), 10_000, lat=36.2, lon=37.16)
    >>> round(pyproj.Geod(ellps="WGS84").inv(37.16, 36.2, *ring.exterior.coords[0])[2])
    10000
    """
    local = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )
    to_local = pyproj.Transformer.from_crs(CRS, local, always_xy=True).transform
    to_lonlat = pyproj.Transformer.from_crs(local, CRS, always_xy=True).transform
    # Straight edges in lon/lat are not straight in metres: add vertices every ~50 m first.
    dense = shapely.segmentize(geometry, 0.0005)
    buffered = shapely.transform(dense, to_local, interleaved=False).buffer(
        radius_m, quad_segs=QUAD_SEGS
    )
    result = shapely.transform(buffered, to_lonlat, interleaved=False)
    if isinstance(result, MultiPolygon):  # a buffer of one place is one polygon
        result = max(result.geoms, key=lambda part: part.area)
    assert isinstance(result, Polygon)
    return result


def _known_places(corpus: Corpus, gazetteer: Gazetteer) -> dict[str, Place]:
    """Index every place the corpus mentions, then the gazetteer, by id."""
    found: dict[str, Place] = {place.id: place for place in gazetteer.places}
    for mentions in corpus.mentions:
        for mention in mentions:
            found.setdefault(mention.place.id, mention.place)
    return found


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _events_frame(corpus: Corpus, places: dict[str, Place]) -> gpd.GeoDataFrame:
    mentions_of = {
        article.id: mentions
        for article, mentions in zip(corpus.articles, corpus.mentions, strict=True)
    }
    rows = []
    for event in sorted(corpus.events, key=lambda e: e.id):
        row = {name: getattr(event, name) for name in EVENT_FIELDS}
        row["event_date"] = event.event_date.isoformat()
        row["end_date"] = _iso(event.end_date)
        row["related"] = JOIN.join(event.related)
        place = places.get(event.place_id)
        row["country"] = place.country if place is not None else ""
        row["place_text"] = _place_text(event, mentions_of.get(event.article, ()))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame["fatalities"] = frame["fatalities"].astype("Int64")
    for name in ("time_precision", "geo_precision", "evidence_start", "evidence_end"):
        frame[name] = frame[name].astype("int64")
    for name in ("lat", "lon"):
        frame[name] = frame[name].astype("float64")
    frame["country_name"], frame["admin1"] = locate(
        frame["lat"].to_numpy(), frame["lon"].to_numpy()
    )
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def _place_text(event: Event, mentions: Sequence[Mention]) -> str:
    """Return the event's place as its evidence sentence writes it, or "" if it does not."""
    for mention in mentions:
        inside = event.evidence_start <= mention.start < event.evidence_end
        if inside and mention.place.id == event.place_id:
            return mention.text
    return ""


def _places_frame(corpus: Corpus) -> gpd.GeoDataFrame:
    counts: dict[str, int] = defaultdict(int)
    in_articles: dict[str, set[str]] = defaultdict(set)
    by_id: dict[str, Place] = {}
    for article, mentions in zip(corpus.articles, corpus.mentions, strict=True):
        for mention in mentions:
            by_id.setdefault(mention.place.id, mention.place)
            counts[mention.place.id] += 1
            in_articles[mention.place.id].add(article.id)
    rows = [
        {
            "id": place.id,
            "name": place.name,
            "kind": place.kind,
            "country": place.country,
            "lat": place.lat,
            "lon": place.lon,
            "precision_m": float(place.precision_m),
            "source": place.source,
            "origin": place.origin,
            "mentions": counts[place_id],
            "articles": JOIN.join(sorted(in_articles[place_id])),
        }
        for place_id, place in sorted(by_id.items())
    ]
    frame = pd.DataFrame(rows, columns=list(PLACE_COLUMNS))
    frame = frame.astype({"lat": "float64", "lon": "float64", "precision_m": "float64"})
    frame["mentions"] = frame["mentions"].astype("int64")
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=CRS)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)


def _corridors_frame(corpus: Corpus, gazetteer: Gazetteer) -> gpd.GeoDataFrame:
    lines: dict[str, Place] = {}
    in_articles: dict[str, set[str]] = defaultdict(set)
    in_events: dict[str, set[str]] = defaultdict(set)
    events_by_article: dict[str, list[Event]] = defaultdict(list)
    for event in corpus.events:
        events_by_article[event.article].append(event)
        if event.place_id in gazetteer:
            in_events[event.place_id].add(event.id)
    for article, named in zip(corpus.articles, corpus.mentions, strict=True):
        # "humanitarian corridors" stands for the corridors around the article's city.
        generic = find_feature_mentions(article.text, gazetteer, named, spans=article.body)
        for mention in (*named, *generic):
            place = _line_place(mention, gazetteer)
            if place is None:
                continue
            lines[place.id] = place
            in_articles[place.id].add(article.id)
            for event in events_by_article[article.id]:
                if event.evidence_start <= mention.start < event.evidence_end:
                    in_events[place.id].add(event.id)
    rows = []
    geometries = []
    for place_id, place in sorted(lines.items()):
        rows.append(
            {
                "id": place.id,
                "name": place.name,
                "kind": place.kind,
                "label": place.name,
                "country": place.country,
                "source": place.source,
                "articles": JOIN.join(sorted(in_articles[place_id])),
                "events": JOIN.join(sorted(in_events[place_id])),
            }
        )
        geometries.append(place.geometry)
    frame = pd.DataFrame(rows, columns=list(CORRIDOR_COLUMNS))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=CRS), crs=CRS)


def _line_place(mention: Mention, gazetteer: Gazetteer) -> Place | None:
    """Return the gazetteer's version of a mentioned road or corridor if it has a line."""
    place = mention.place
    if place.kind not in _LINE_KINDS:
        return None
    if place.id in gazetteer:
        place = gazetteer.get(place.id)
    if isinstance(place.geometry, LineString | MultiLineString):
        return place
    return None


def _zones_frame(
    zones: Iterable[Zone], gazetteer: Gazetteer, places: dict[str, Place]
) -> gpd.GeoDataFrame:
    rows = []
    geometries = []
    for zone in sorted(zones, key=lambda z: z.id):
        place = places.get(zone.place_id)
        if place is None:
            continue
        if isinstance(place.geometry, Polygon | MultiPolygon):
            buffered, what = place.geometry, f"polygon of {place.name}'s extent"
        else:
            buffered, what = Point(place.lon, place.lat), f"centre point of {place.name}"
        radius_km = f"{zone.radius_m / 1000:g} km"
        rows.append(
            {
                "id": zone.id,
                "name": zone.name,
                "kind": zone.kind,
                "place_id": zone.place_id,
                "place_name": place.name,
                "radius_m": float(zone.radius_m),
                "buffered": what,
                "method": (
                    f"geodesic buffer of {radius_km} around the {what}, built in metres in an "
                    f"azimuthal-equidistant projection centred on {place.lat:.4f} N "
                    f"{place.lon:.4f} E with {QUAD_SEGS} segments per quarter circle"
                ),
                "start_date": _iso(zone.start_date),
                "end_date": _iso(zone.end_date),
                "source": zone.source,
                "article": zone.article,
                "title": zone.title,
                "claimed_by": zone.claimed_by,
                "evidence": zone.evidence,
                "evidence_start": zone.evidence_start,
                "evidence_end": zone.evidence_end,
            }
        )
        geometries.append(geodesic_buffer(buffered, zone.radius_m, lat=place.lat, lon=place.lon))
    frame = pd.DataFrame(rows, columns=list(ZONE_COLUMNS))
    frame = frame.astype(
        {"radius_m": "float64", "evidence_start": "int64", "evidence_end": "int64"}
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=CRS), crs=CRS)


def _day(day: dt.date) -> str:
    """Return a date (or datetime, or pandas Timestamp) as an ISO day "YYYY-MM-DD"."""
    return day.isoformat()[:10]


def _mentioned_in(joined: pd.Series, shown: set[str]) -> pd.Series:
    return joined.map(lambda text: bool(shown.intersection(str(text).split(JOIN))))


def _zones_in_force(
    zones: gpd.GeoDataFrame, start: dt.date | None, end: dt.date | None
) -> gpd.GeoDataFrame:
    keep = pd.Series(True, index=zones.index)
    if end is not None:
        keep &= zones["start_date"].isna() | (zones["start_date"].astype(str) <= _day(end))
    if start is not None:
        keep &= zones["end_date"].isna() | (zones["end_date"].astype(str) >= _day(start))
    return zones[keep]
