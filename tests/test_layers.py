"""Tests for geo.layers: events, places, corridors and geodesic zones as GeoDataFrames.

The corpus here is built by hand from real seed sentences, so these tests do not depend
on the parser; ``sample_corpus`` and ``sample_gazetteer`` are shared with the export and
web-map tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from geo.gazetteer import Gazetteer, parse_gazetteer
from geo.layers import QUAD_SEGS, build_layers, filter_layers, geodesic_buffer
from geo.models import Article, Corpus, Event, Mention, Place, Zone

GAZETTEER_CSV = """\
id,name,kind,lat,lon,country,aliases,geometry,precision_m,source,note
aleppo,Aleppo,city,36.20124,37.16117,SY,Halab,"POLYGON ((37.07 36.17, 37.12 36.135, \
37.18 36.14, 37.23 36.17, 37.245 36.21, 37.22 36.245, 37.17 36.262, 37.12 36.255, \
37.075 36.225, 37.07 36.17))",5000,test map,
sheikh-hader,al-Sheikh Khodr,district,36.224,37.177,SY,Sheikh Hader,,1500,test map,
sheikh-maqsood,Sheikh Maqsood,district,36.228,37.157,SY,Sheikh Maqsoud,,1000,test map,
castello-road,Castello Road,road,36.256,37.153,SY,Castello,"LINESTRING (37.1735 36.2335, \
37.165 36.246, 37.153 36.256, 37.14 36.267)",3000,test map,
geneva,Geneva,city,46.20222,6.14569,CH,,,5000,GeoNames 2660646,
"""

HADER = (
    "Civilians who left Aleppo's Sheikh Hader district via the 1st and 6th humanitarian "
    "corridors at ten in the morning on Sunday told about execution of 26 local residents, "
    "including nine teenagers, on Saturday."
)
CASTELLO = '"Syrian troops withdrew from Castello Road twice on September 15 and 16," he said.'
AID = (
    "In Aleppo Sheikh Maqsood the Russian Center for reconciliation gave local residents "
    "10 tons of humanitarian cargo."
)
NO_FLY = (
    "Aircraft of Russian air force and Syrian air force has observed a moratorium on flights "
    "closer than 10 kilometers to the city of Aleppo."
)
GENEVA = "Lavrov and Kerry met in Geneva on September 9."
HOSTILE = (
    "<img src=x onerror=alert(1)> ${alert(1)} `rm -rf` \"quoted\", 'single' "
    "C:\\archive\\2016 </script> {{ 7*7 }} {% raw %} {# near Geneva,\nsecond line."
)


def sample_gazetteer() -> Gazetteer:
    """Return a five-place gazetteer with Aleppo's extent and Castello Road's line."""
    return parse_gazetteer(GAZETTEER_CSV.splitlines(), source="test-gazetteer.csv")


def _mention(text: str, name: str, place: Place, *, after: int = 0) -> Mention:
    start = text.index(name, after)
    return Mention(text=name, start=start, end=start + len(name), place=place)


def _span(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


def sample_corpus(*, hostile: bool = False, zone_place: str = "aleppo") -> Corpus:
    """Return two articles, five events (one shares Aleppo's point) and a 10 km zone."""
    gaz = sample_gazetteer()
    aleppo, hader, maqsood = gaz.get("aleppo"), gaz.get("sheikh-hader"), gaz.get("sheikh-maqsood")
    castello, geneva = gaz.get("castello-road"), gaz.get("geneva")
    title_a = "Militants execute 26 civilians in Aleppo" + (" <b>`${x}`</b>" if hostile else "")
    text_a = "\n".join([title_a, HADER, CASTELLO, AID, NO_FLY])
    text_b = "\n".join(["Talks in Geneva", GENEVA] + ([HOSTILE] if hostile else []))
    sentences_a = tuple(_span(text_a, s) for s in (HADER, CASTELLO, AID, NO_FLY))
    sentences_b = tuple(_span(text_b, s) for s in [GENEVA] + ([HOSTILE] if hostile else []))
    article_a = Article(
        id="000_a",
        path="000_a.txt",
        text=text_a,
        body=((len(title_a) + 1, len(text_a)),),
        title=title_a,
        outlet="TASS",
        published=dt.date(2016, 9, 18),
        sentences=sentences_a,
    )
    article_b = Article(
        id="001_b",
        path="001_b.txt",
        text=text_b,
        body=((0, len(text_b)),),
        title="Talks in Geneva",
        outlet="Interfax" + (" `${y}` \\ <i>" if hostile else ""),
        published=dt.date(2016, 9, 10),
        sentences=sentences_b,
    )
    mentions_a = (
        _mention(text_a, "Aleppo", aleppo, after=sentences_a[0][0]),
        _mention(text_a, "Sheikh Hader", hader),
        _mention(text_a, "Castello Road", castello),
        _mention(text_a, "Aleppo", aleppo, after=sentences_a[2][0]),
        _mention(text_a, "Sheikh Maqsood", maqsood),
        _mention(text_a, "Aleppo", aleppo, after=sentences_a[3][0]),
    )
    mentions_b = (_mention(text_b, "Geneva", geneva, after=sentences_b[0][0]),)
    if hostile:
        mentions_b += (_mention(text_b, "Geneva", geneva, after=sentences_b[1][0]),)

    def event(article: Article, sentence: tuple[int, int], **fields: object) -> Event:
        defaults: dict[str, object] = {
            "source": article.outlet,
            "article": article.id,
            "title": article.title,
            "evidence": article.text[sentence[0] : sentence[1]],
            "evidence_start": sentence[0],
            "evidence_end": sentence[1],
            "claimed_by": "Russian Ministry of Defence",
        }
        return Event(**{**defaults, **fields})  # type: ignore[arg-type]

    events = [
        event(
            article_a,
            sentences_a[0],
            id="000_a-e1",
            event_date=dt.date(2016, 9, 17),
            event_type="Violence against civilians",
            sub_event_type="Attack",
            actor1="Militants",
            actor2="Civilians",
            location="al-Sheikh Khodr",
            place_id="sheikh-hader",
            lat=hader.lat,
            lon=hader.lon,
            fatalities=26,
            notes="Militants executed 26 residents of Sheikh Hader.",
        ),
        event(
            article_a,
            sentences_a[1],
            id="000_a-e2",
            event_date=dt.date(2016, 9, 15),
            end_date=dt.date(2016, 9, 16),
            time_precision=2,
            event_type="Strategic developments",
            sub_event_type="Non-violent transfer of territory",
            actor1="Military Forces of Syria",
            location="Castello Road",
            place_id="castello-road",
            lat=castello.lat,
            lon=castello.lon,
            geo_precision=2,
            notes="Syrian troops withdrew from Castello Road.",
        ),
        event(
            article_a,
            sentences_a[2],
            id="000_a-e3",
            event_date=dt.date(2016, 9, 17),
            event_type="Strategic developments",
            sub_event_type="Other",
            actor1="Russian Center for reconciliation",
            location="Sheikh Maqsood",
            place_id="sheikh-maqsood",
            lat=maqsood.lat,
            lon=maqsood.lon,
            notes="10 tons of aid delivered.",
        ),
        event(
            article_a,
            sentences_a[3],
            id="000_a-e4",
            event_date=dt.date(2016, 9, 11),
            time_precision=2,
            event_type="Strategic developments",
            sub_event_type="Agreement",
            actor1="Military Forces of Russia",
            location="Aleppo",
            place_id="aleppo",
            lat=aleppo.lat,
            lon=aleppo.lon,
            geo_precision=3,
            notes="A moratorium on flights near Aleppo.",
        ),
        event(
            article_b,
            sentences_b[0],
            id="001_b-e1",
            event_date=dt.date(2016, 9, 9),
            event_type="Strategic developments",
            sub_event_type="Agreement",
            actor1="Government of Russia",
            actor2="Government of the United States",
            location="Geneva",
            place_id="geneva",
            lat=geneva.lat,
            lon=geneva.lon,
            claimed_by="",
            notes="Talks in Geneva.",
            related=("000_a-e4",),
        ),
    ]
    if hostile:
        events.append(
            event(
                article_b,
                sentences_b[1],
                id="001_b-e2",
                event_date=dt.date(2016, 9, 10),
                event_type="Protests",
                sub_event_type="Peaceful protest",
                actor1="Protesters `${a}`",
                location="Geneva",
                place_id="geneva",
                lat=geneva.lat,
                lon=geneva.lon,
                claimed_by="<script>alert(2)</script>",
                notes=HOSTILE,
            )
        )
    zone = Zone(
        id="000_a-z1",
        name="no-fly zone: 10 km around Aleppo",
        kind="no-fly zone",
        place_id=zone_place,
        radius_m=10_000,
        start_date=dt.date(2016, 10, 18),
        source="TASS",
        article="000_a",
        title=title_a,
        claimed_by="Russian Ministry of Defence",
        evidence=NO_FLY,
        evidence_start=sentences_a[3][0],
        evidence_end=sentences_a[3][1],
    )
    return Corpus(
        articles=(article_a, article_b),
        mentions=(mentions_a, mentions_b),
        events=tuple(events),
        zones=(zone,),
    )


@pytest.fixture(scope="module")
def layers():
    return build_layers(sample_corpus(), sample_gazetteer())


GEOD = pyproj.Geod(ellps="WGS84")


def _boundary_points(polygon: Polygon) -> np.ndarray:
    return np.asarray(polygon.exterior.coords)


def distance_to_line_m(points: np.ndarray, boundary: LineString) -> np.ndarray:
    """Geodesic distance from each point to a densified lon/lat line (about 5 m steps)."""
    dense = np.asarray(shapely.segmentize(boundary, 0.00005).coords)
    distances = []
    for lon, lat in points:
        size = len(dense)
        _, _, metres = GEOD.inv(np.full(size, lon), np.full(size, lat), dense[:, 0], dense[:, 1])
        distances.append(metres.min())
    return np.asarray(distances)


def test_every_event_field_is_a_column_with_iso_dates(layers):
    events = layers.events.set_index("id")
    assert list(events.index) == ["000_a-e1", "000_a-e2", "000_a-e3", "000_a-e4", "001_b-e1"]
    hader = events.loc["000_a-e1"]
    assert hader["event_date"] == "2016-09-17"
    assert hader["fatalities"] == 26
    assert hader["claimed_by"] == "Russian Ministry of Defence"
    assert hader["place_text"] == "Sheikh Hader"
    assert events.loc["000_a-e2", "end_date"] == "2016-09-16"
    assert events.loc["001_b-e1", "related"] == "000_a-e4"
    assert events.loc["000_a-e3", "fatalities"] is pd.NA  # not reported is not 0


def test_layers_are_lon_lat_wgs84(layers):
    for frame in (layers.events, layers.places, layers.corridors, layers.zones):
        assert frame.crs.to_epsg() == 4326
    hader = layers.events.set_index("id").loc["000_a-e1", "geometry"]
    assert (hader.x, hader.y) == pytest.approx((37.177, 36.224))  # Aleppo, not the ocean


def test_places_count_mentions_and_articles(layers):
    places = layers.places.set_index("id")
    assert set(places.index) == {
        "aleppo",
        "sheikh-hader",
        "sheikh-maqsood",
        "castello-road",
        "geneva",
    }
    assert places.loc["aleppo", "mentions"] == 3
    assert places.loc["aleppo", "articles"] == "000_a"
    assert places.loc["geneva", "country"] == "CH"


def test_corridor_is_the_gazetteer_line_linked_to_its_events(layers):
    corridors = layers.corridors.set_index("id")
    assert list(corridors.index) == ["castello-road"]
    road = corridors.loc["castello-road"]
    assert road["label"] == "Castello Road"
    assert road["articles"] == "000_a"
    assert road["events"] == "000_a-e2"
    assert isinstance(road["geometry"], LineString)
    assert road["geometry"].coords[0] == pytest.approx((37.1735, 36.2335))


CORRIDORS_CSV = """\
ramouseh-corridor,Ramouseh corridor,corridor,36.155,37.135,SY,,"LINESTRING (37.15 36.17, \
37.135 36.155, 37.12 36.135)",5000,test map,
idlib-corridor,Idlib corridor,corridor,35.93,36.63,SY,,"LINESTRING (36.64 35.93, 36.62 35.94)",\
5000,test map,
"""


def test_unnamed_corridors_link_the_city_corridors_to_their_events(layers):
    # "via the 1st and 6th humanitarian corridors" in Aleppo: no corridor is named, so
    # every corridor within 15 km of Aleppo joins the layer, linked to that event.
    gazetteer = parse_gazetteer(
        (GAZETTEER_CSV + CORRIDORS_CSV).splitlines(), source="test-gazetteer.csv"
    )
    with_corridors = build_layers(sample_corpus(), gazetteer)
    corridors = with_corridors.corridors.set_index("id")
    assert list(corridors.index) == ["castello-road", "ramouseh-corridor"]  # not Idlib's
    ramouseh = corridors.loc["ramouseh-corridor"]
    assert (ramouseh["articles"], ramouseh["events"]) == ("000_a", "000_a-e1")
    assert isinstance(ramouseh["geometry"], LineString)
    pd.testing.assert_frame_equal(with_corridors.events, layers.events)
    pd.testing.assert_frame_equal(with_corridors.places, layers.places)


def test_zone_buffers_the_city_polygon_by_10_km_within_10_m(layers):
    zone = layers.zones.iloc[0]
    assert zone["buffered"] == "polygon of Aleppo's extent"
    assert "azimuthal-equidistant" in zone["method"]
    assert zone["start_date"] == "2016-10-18"
    extent = sample_gazetteer().get("aleppo").geometry
    points = _boundary_points(zone["geometry"])
    assert len(points) > 200
    distances = distance_to_line_m(points[::3], extent.exterior)
    assert distances == pytest.approx(np.full(len(distances), 10_000.0), abs=10.0)


def test_zone_around_a_point_is_a_geodesic_circle_of_10_km():
    layers = build_layers(sample_corpus(zone_place="sheikh-hader"), sample_gazetteer())
    zone = layers.zones.iloc[0]
    assert zone["buffered"] == "centre point of al-Sheikh Khodr"
    points = _boundary_points(zone["geometry"])
    assert len(points) >= 4 * QUAD_SEGS
    _, _, metres = GEOD.inv(
        np.full(len(points), 37.177), np.full(len(points), 36.224), points[:, 0], points[:, 1]
    )
    assert metres.min() > 9_990 and metres.max() < 10_010
    # the chords between vertices stay within 10 m as well
    middles = (points[:-1] + points[1:]) / 2
    _, _, chords = GEOD.inv(
        np.full(len(middles), 37.177), np.full(len(middles), 36.224), middles[:, 0], middles[:, 1]
    )
    assert chords.min() > 9_990


def test_degree_buffer_would_be_wrong_and_ours_is_not():
    """A 0.09-degree 'circle' is 8 km east-west at 36 N: the reason to buffer in metres."""
    ours = geodesic_buffer(Point(37.16, 36.2), 10_000, lat=36.2, lon=37.16)
    east = max(x for x, _ in ours.exterior.coords)
    _, _, metres = GEOD.inv(37.16, 36.2, east, 36.2)
    assert metres == pytest.approx(10_000, abs=10)
    _, _, naive = GEOD.inv(37.16, 36.2, 37.16 + 0.09, 36.2)
    assert abs(naive - 10_000) > 1_000


def test_empty_corpus_gives_empty_layers():
    empty = build_layers(Corpus(articles=(), mentions=(), events=()), sample_gazetteer())
    assert [len(f) for _, f in empty.items()] == [0, 0, 0, 0]
    assert empty.events.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param({}, 5, id="no filter shows all"),
        pytest.param({"start": dt.date(2016, 9, 16)}, 3, id="range ending on start day kept"),
        pytest.param({"start": dt.datetime(2016, 9, 17, 12)}, 2, id="a datetime means its day"),
        pytest.param({"end": dt.date(2016, 9, 10)}, 1, id="only the Geneva talks before 10th"),
        pytest.param({"event_types": ["Violence against civilians"]}, 1, id="type"),
        pytest.param({"articles": ["001_b"]}, 1, id="one article"),
        pytest.param({"actors": ["Civilians"]}, 1, id="actor2 counts"),
        pytest.param(
            {"claimed_by": ["Russian Ministry of Defence"]}, 4, id="claimed by the ministry"
        ),
        pytest.param({"claimed_by": ["TASS"]}, 0, id="an outlet is not a claimant"),
        pytest.param({"claimed_by": [""]}, 1, id="the unclaimed Geneva talks"),
        pytest.param({"min_fatalities": 1}, 1, id="unknown deaths are not 1 or more"),
        pytest.param({"min_fatalities": 0}, 5, id="minimum 0 keeps unknown"),
    ],
)
def test_filter_layers_events(layers, options, expected):
    assert len(filter_layers(layers, **options).events) == expected


def test_filter_by_article_restricts_places_corridors_and_zones(layers):
    shown = filter_layers(layers, articles=["001_b"])
    assert list(shown.places["id"]) == ["geneva"]
    assert len(shown.corridors) == 0
    assert len(shown.zones) == 0
    assert len(filter_layers(layers, articles=["000_a"]).zones) == 1


@pytest.mark.parametrize(
    ("claimants", "zones"),
    [
        pytest.param(["Russian Ministry of Defence"], 1, id="the ministry's no-fly zone"),
        pytest.param(["Russian Ministry of Defence", "TASS"], 1, id="one of two claimants"),
        pytest.param(["Department of State"], 0, id="a zone nobody else claimed"),
    ],
)
def test_filter_by_claimant_keeps_the_zones_they_claim(layers, claimants, zones):
    assert len(filter_layers(layers, claimed_by=claimants).zones) == zones


def test_filter_by_date_hides_a_zone_not_yet_in_force(layers):
    assert len(filter_layers(layers, end=dt.date(2016, 9, 30)).zones) == 0
    assert len(filter_layers(layers, end=dt.date(2016, 10, 30)).zones) == 1


def test_filter_is_pure(layers):
    before = len(layers.events)
    filter_layers(layers, event_types=[])
    assert len(layers.events) == before


#: A real-looking address with markup in its query (escaped where shown), and a hostile one.
LINKED_URL = 'https://tass.com/world/901234?from=rss&q=<b>"x"</b>'
HOSTILE_URL = "javascript:alert(document.domain)"


def linked_corpus() -> Corpus:
    """The hostile sample corpus with 000_a's address known and 001_b's a javascript: URL."""
    corpus = sample_corpus(hostile=True)
    urls = {"000_a": LINKED_URL, "001_b": HOSTILE_URL}
    events = tuple(dataclasses.replace(e, source_url=urls[e.article]) for e in corpus.events)
    return dataclasses.replace(corpus, events=events)
