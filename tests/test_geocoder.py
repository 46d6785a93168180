"""Tests for geo.geocoder: geopy over the gazetteer, distances, the opt-in Nominatim fallback."""

from __future__ import annotations

import doctest
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.distance import geodesic
from geopy.extra import rate_limiter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from shapely import wkt

import geo.geocoder
from geo.errors import GeocoderError
from geo.gazetteer import Gazetteer, load_gazetteer, parse_gazetteer
from geo.geocoder import GazetteerGeocoder, NominatimFallback, distance_km

# Where the Castello Road really runs: an arc round the north of Aleppo from the Jandoul
# roundabout past the Castello resort, below the Mallah farms, to the Layramoun roundabout.
CASTELLO_RESORT = (36.256, 37.150)
JANDOUL_ROUNDABOUT = (36.236, 37.174)
SHEIKH_MAQSOOD = (36.2361, 37.1517)  # Wikipedia

MOSUL = {
    "place_id": 297441,
    "osm_type": "relation",
    "osm_id": 1234567,
    "lat": "36.3400",
    "lon": "43.1300",
    "class": "place",
    "type": "city",
    "addresstype": "city",
    "name": "Mosul",
    "display_name": "Mosul, Nineveh Governorate, Iraq",
    "address": {"city": "Mosul", "state": "Nineveh Governorate", "country_code": "iq"},
    "boundingbox": ["36.2700", "36.4100", "43.0500", "43.2100"],
}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def geocoder(gazetteer: Gazetteer) -> GazetteerGeocoder:
    return GazetteerGeocoder(gazetteer)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(geodesic(a, b).km)


def test_it_is_a_geopy_geocoder(geocoder: GazetteerGeocoder) -> None:
    assert isinstance(geocoder, Geocoder)


def test_geocode_castello_road_lands_on_its_course(geocoder: GazetteerGeocoder) -> None:
    location = geocoder.geocode("Castello Road")
    assert isinstance(location, Location)
    assert location.address == "Castello Road, Syria"
    assert location.raw["id"] == "castello-road"
    assert location.raw["kind"] == "road"
    point = (location.latitude, location.longitude)
    assert km(point, CASTELLO_RESORT) < 2
    assert location.latitude > SHEIKH_MAQSOOD[0], "north of Sheikh Maqsood, not swapped"
    line = wkt.loads(location.raw["geometry"])
    assert line.geom_type == "LineString"
    start_lon, start_lat = line.coords[0]
    assert km((start_lat, start_lon), JANDOUL_ROUNDABOUT) < 2


@pytest.mark.parametrize(
    ("query", "place_id"),
    [
        pytest.param("Castillo Road", "castello-road", id="Spanish spelling"),
        pytest.param("Aleppo’s", "aleppo", id="possessive with curly apostrophe"),
        pytest.param("Sheikh Maqsood's", "sheikh-maqsood", id="possessive, straight"),
        pytest.param("Khmeimim", "hmeimim-air-base", id="Russian transliteration"),
        pytest.param("U.S.", "united-states", id="dotted abbreviation"),
        pytest.param("GENEVA", "geneva", id="dateline capitals"),
    ],
)
def test_geocode_by_alias(geocoder: GazetteerGeocoder, query: str, place_id: str) -> None:
    location = geocoder.geocode(query)
    assert isinstance(location, Location)
    assert location.raw["id"] == place_id
    assert location.raw["origin"] == "curated"


def test_geocode_unknown_name_is_none_offline(geocoder: GazetteerGeocoder) -> None:
    assert geocoder.geocode("Mosul") is None
    assert geocoder.geocode("") is None


def test_geocode_all_matches() -> None:
    rows = [
        "id,name,kind,lat,lon,country,aliases,geometry,precision_m,source,note",
        "aleppo,Aleppo,city,36.20124,37.16117,SY,,,5000,GeoNames 170063,",
        "aleppo-governorate,Aleppo Governorate,region,36.25,37.5,SY,Aleppo,,50000,x,",
    ]
    found = GazetteerGeocoder(parse_gazetteer(rows)).geocode("Aleppo", exactly_one=False)
    assert isinstance(found, list)
    assert [loc.raw["id"] for loc in found] == ["aleppo", "aleppo-governorate"]


@pytest.mark.parametrize(
    ("point", "place_id"),
    [
        pytest.param("36.2361, 37.1517", "sheikh-maqsood", id="a district beats its city"),
        pytest.param((36.228, 37.171), "sheikh-hader", id="tuple, lat first"),
        pytest.param("36.19, 37.20", "eastern-aleppo", id="inside the eastern polygon"),
        pytest.param("36.26, 37.15", "castello-road", id="on the road north of the city"),
        pytest.param("35.40, 35.95", "hmeimim-air-base", id="the air base"),
    ],
)
def test_reverse(geocoder: GazetteerGeocoder, point: object, place_id: str) -> None:
    location = geocoder.reverse(point)
    assert isinstance(location, Location)
    assert location.raw["id"] == place_id


def test_reverse_far_from_everything_is_none(geocoder: GazetteerGeocoder) -> None:
    assert geocoder.reverse("0, 0") is None  # countries are never an answer


def test_reverse_rejects_a_non_point(geocoder: GazetteerGeocoder) -> None:
    with pytest.raises(GeocoderError, match="reverse: 'Aleppo' is not a point"):
        geocoder.reverse("Aleppo")


@pytest.mark.parametrize(
    ("a", "b", "expected_km", "tolerance_km"),
    [
        pytest.param("aleppo", "damascus", 310, 10, id="Aleppo-Damascus"),
        pytest.param("aleppo", "hmeimim-air-base", 141, 5, id="Aleppo-Hmeimim"),
        pytest.param("amman", "damascus", 176, 5, id="Amman-Damascus"),
        pytest.param("moscow", "geneva", 2424, 15, id="Moscow-Geneva"),
        pytest.param("sheikh-maqsood", "sheikh-hader", 1.9, 1, id="neighbouring districts"),
    ],
)
def test_distance_km(
    gazetteer: Gazetteer, a: str, b: str, expected_km: float, tolerance_km: float
) -> None:
    assert distance_km(gazetteer.get(a), gazetteer.get(b)) == pytest.approx(
        expected_km, abs=tolerance_km
    )


# --- the opt-in Nominatim fallback, against a local server that answers like Nominatim ---


@dataclass
class LocalNominatim:
    """A Nominatim look-alike on 127.0.0.1 that records what it was asked."""

    url: str
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def nominatim() -> Iterator[LocalNominatim]:
    server_state: list[LocalNominatim] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            state = server_state[0]
            state.paths.append(parts.path)
            state.requests.append(query)
            q = query.get("q", [""])[0]
            if q == "boom":
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"internal error")
                return
            body = json.dumps([MOSUL] if q.casefold() == "mosul" else []).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    server_state.append(LocalNominatim(url=f"127.0.0.1:{port}"))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server_state[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fallback_for(server: LocalNominatim, cache: Path) -> NominatimFallback:
    return NominatimFallback(
        domain=server.url, scheme="http", min_delay_seconds=0, cache_path=cache, timeout=5
    )


def test_fallback_is_off_by_default(nominatim: LocalNominatim, gazetteer: Gazetteer) -> None:
    assert GazetteerGeocoder(gazetteer).geocode("Mosul") is None
    assert nominatim.requests == []


def test_fallback_answers_unknown_names(
    nominatim: LocalNominatim, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    geocoder = GazetteerGeocoder(gazetteer, fallback=fallback_for(nominatim, tmp_path / "c.json"))
    location = geocoder.geocode("Mosul")
    assert isinstance(location, Location)
    assert (location.latitude, location.longitude) == (36.34, 43.13)
    assert location.raw["origin"] == "nominatim"
    assert location.raw["id"] == "nominatim:relation/1234567"
    assert location.raw["kind"] == "city"
    assert location.raw["country"] == "IQ"
    assert "OpenStreetMap" in location.raw["source"]
    assert 5000 < location.raw["precision_m"] < 15000  # half the bounding box's diagonal
    assert nominatim.paths == ["/search"]
    assert nominatim.requests[0]["q"] == ["Mosul"]
    assert nominatim.requests[0]["format"] == ["json"]


def test_fallback_caches_on_disk_and_asks_once(
    nominatim: LocalNominatim, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache" / "nominatim.json"
    first = GazetteerGeocoder(gazetteer, fallback=fallback_for(nominatim, cache))
    assert first.geocode("Mosul") is not None
    assert len(nominatim.requests) == 1
    assert json.loads(cache.read_text(encoding="utf-8"))["mosul"]["lat"] == "36.3400"
    # A new geocoder (a new run) reads the cache instead of asking again.
    second = GazetteerGeocoder(gazetteer, fallback=fallback_for(nominatim, cache))
    location = second.geocode("MOSUL")
    assert isinstance(location, Location)
    assert location.raw["id"] == "nominatim:relation/1234567"
    assert len(nominatim.requests) == 1


def test_fallback_caches_not_found_too(
    nominatim: LocalNominatim, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    geocoder = GazetteerGeocoder(gazetteer, fallback=fallback_for(nominatim, tmp_path / "c.json"))
    assert geocoder.geocode("Atlantis") is None
    assert geocoder.geocode("Atlantis") is None
    assert len(nominatim.requests) == 1


def test_curated_names_never_go_online(
    nominatim: LocalNominatim, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    geocoder = GazetteerGeocoder(gazetteer, fallback=fallback_for(nominatim, tmp_path / "c.json"))
    location = geocoder.geocode("Sheikh Maqsoud")
    assert isinstance(location, Location)
    assert location.raw["origin"] == "curated"
    assert nominatim.requests == []


def test_server_error_is_a_one_line_geocoder_error(
    nominatim: LocalNominatim, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    cache = tmp_path / "c.json"
    geocoder = GazetteerGeocoder(gazetteer, fallback=fallback_for(nominatim, cache))
    with pytest.raises(GeocoderError, match=rf"^Nominatim at {nominatim.url}: 'boom': .*500"):
        geocoder.geocode("boom")
    assert len(nominatim.requests) == 1, "no silent retries"
    assert not cache.exists(), "a failure is not cached"


def test_unreachable_server_is_a_geocoder_error(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fallback = NominatimFallback(
        domain=f"127.0.0.1:{port}", scheme="http", min_delay_seconds=0, cache_path=None
    )
    with pytest.raises(GeocoderError, match=rf"^Nominatim at 127\.0\.0\.1:{port}: 'Mosul'") as info:
        fallback.geocode("Mosul")
    assert "\n" not in str(info.value)


def test_corrupt_cache_is_a_geocoder_error(nominatim: LocalNominatim, tmp_path: Path) -> None:
    cache = tmp_path / "c.json"
    cache.write_text("{not json", encoding="utf-8")
    with pytest.raises(GeocoderError, match=r"c\.json: unreadable geocoder cache"):
        fallback_for(nominatim, cache).geocode("Mosul")
    assert nominatim.requests == []


def test_docstring_examples_run() -> None:
    result = doctest.testmod(geo.geocoder)
    assert result.attempted >= 2
    assert result.failed == 0


def test_fallback_keeps_its_distance_between_requests(
    nominatim: LocalNominatim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1000.0]
    waits: list[float] = []

    def fake_sleep(self: RateLimiter, seconds: float) -> None:
        """Record the rate limiter's wait and let the fake clock pass it, without sleeping."""
        waits.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(rate_limiter, "default_timer", lambda: clock[0])
    monkeypatch.setattr(RateLimiter, "_sleep", fake_sleep)
    fallback = NominatimFallback(
        domain=nominatim.url, scheme="http", min_delay_seconds=1.0, cache_path=tmp_path / "c.json"
    )
    fallback.geocode("Mosul")
    fallback.geocode("Atlantis")
    fallback.geocode("Mosul")  # cached: no request, no wait
    assert len(nominatim.requests) == 2
    assert waits == [pytest.approx(1.0)]


def test_geocode_rejects_a_structured_query(geocoder: GazetteerGeocoder) -> None:
    with pytest.raises(GeocoderError, match="expected a place name, got dict"):
        geocoder.geocode({"city": "Aleppo"})  # type: ignore[arg-type]
