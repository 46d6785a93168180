"""Geocode names through the curated gazetteer, the geopy way.

:class:`GazetteerGeocoder` is a :class:`geopy.geocoders.base.Geocoder`: ``geocode`` and
``reverse`` return :class:`geopy.location.Location` objects whose ``raw`` holds the
place's fields, so ``GazetteerGeocoder().geocode("Castello Road")`` works like any geopy
geocoder, offline.

For names the gazetteer lacks, an online fallback (:class:`NominatimFallback`) can be
switched on explicitly.  It is off by default, rate-limited with geopy's
:class:`~geopy.extra.rate_limiter.RateLimiter` and cached on disk as JSON, and it is never
needed to run or test newsmap.  Its results are :class:`~geo.models.Place` records with
``origin="nominatim"``; map data from it is © OpenStreetMap contributors (ODbL).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from geopy.distance import geodesic
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point as GeoPoint
from shapely.geometry import Point
from shapely.ops import nearest_points

from geo import __version__
from geo.errors import GeocoderError
from geo.gazetteer import KIND_RANK, Gazetteer, load_gazetteer, normalize_name
from geo.models import Place, PlaceKind

__all__ = [
    "GazetteerGeocoder",
    "NominatimFallback",
    "distance_km",
    "place_to_location",
    "place_to_raw",
]

USER_AGENT = f"newsmap/{__version__}"


def distance_km(a: Place, b: Place) -> float:
    """Return the geodesic distance in kilometres between two places' points.

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> round(distance_km(gaz.get("aleppo"), gaz.get("damascus")))
    309
    """
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).km)


def place_to_raw(place: Place) -> dict[str, Any]:
    """Return the place's fields as a JSON-ready dict (geometry as WKT, aliases as a list)."""
    return {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "lat": place.lat,
        "lon": place.lon,
        "country": place.country,
        "aliases": list(place.aliases),
        "geometry": place.geometry.wkt if place.geometry is not None else None,
        "precision_m": place.precision_m,
        "source": place.source,
        "note": place.note,
        "population": place.population,
        "origin": place.origin,
    }


def place_to_location(place: Place, *, country_name: str = "") -> Location:
    """Return a geopy Location for the place; ``raw`` is :func:`place_to_raw`."""
    address = f"{place.name}, {country_name}" if country_name else place.name
    return Location(address, (place.lat, place.lon), place_to_raw(place))


class NominatimFallback:
    """Look names up on a Nominatim server: rate-limited, cached on disk, explicit opt-in.

    Parameters
    ----------
    domain, scheme
        Where the server is (``"127.0.0.1:8080"``, ``"http"`` for a local one).
    user_agent
        Sent with every request, as Nominatim's usage policy requires.
    min_delay_seconds
        Least time between two requests (the public server asks for 1 s).
    cache_path
        JSON file of earlier answers keyed by normalized query; ``None`` keeps no cache.
    timeout
        Seconds to wait for one answer.
    """

    def __init__(
        self,
        *,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        user_agent: str = USER_AGENT,
        min_delay_seconds: float = 1.0,
        cache_path: str | Path | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.domain = domain
        self.cache_path = Path(cache_path) if cache_path is not None else None
        self._nominatim = Nominatim(
            domain=domain, scheme=scheme, user_agent=user_agent, timeout=timeout
        )
        # Errors must reach the caller as GeocoderError, not be swallowed or retried slowly.
        self._search: Callable[..., Any] = RateLimiter(
            self._nominatim.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=0,
            swallow_exceptions=False,
        )
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, Any] | None] | None = None

    def geocode(self, query: str) -> Place | None:
        """Return the server's best place for ``query``, or ``None`` if it knows none.

        Raises
        ------
        GeocoderError
            If the server cannot be reached or answers with an error or nonsense, or the
            cache file is unreadable.
        """
        key = normalize_name(query)
        if not key:
            return None
        with self._lock:
            cache = self._load_cache()
            if key in cache:
                found = cache[key]
            else:
                found = self._ask(query)
                cache[key] = found
                self._save_cache(cache)
        return _nominatim_place(query, found, domain=self.domain) if found else None

    def _ask(self, query: str) -> dict[str, Any] | None:
        try:
            location = self._search(query, exactly_one=True, addressdetails=True)
        except GeopyError as exc:
            reason = " ".join(str(exc).split()) or exc.__class__.__name__
            raise GeocoderError(f"Nominatim at {self.domain}: {query!r}: {reason}") from exc
        if location is None:
            return None
        raw = location.raw
        if not isinstance(raw, Mapping):
            raise GeocoderError(f"Nominatim at {self.domain}: {query!r}: answer is not an object")
        return dict(raw)

    def _load_cache(self) -> dict[str, dict[str, Any] | None]:
        if self._cache is not None:
            return self._cache
        cache: dict[str, dict[str, Any] | None] = {}
        if self.cache_path is not None and self.cache_path.exists():
            try:
                loaded = json.loads(self.cache_path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError) as exc:
                raise GeocoderError(
                    f"{self.cache_path}: unreadable geocoder cache ({exc.__class__.__name__});"
                    " delete it to start afresh"
                ) from exc
            if not isinstance(loaded, dict):
                raise GeocoderError(
                    f"{self.cache_path}: geocoder cache is not a JSON object; delete it"
                )
            cache = loaded
        self._cache = cache
        return cache

    def _save_cache(self, cache: dict[str, dict[str, Any] | None]) -> None:
        if self.cache_path is None:
            return
        tmp: str | None = None
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            # Write beside it, then rename: a crash never leaves a half-written cache.
            fd, tmp = tempfile.mkstemp(
                dir=self.cache_path.parent, prefix=self.cache_path.name, suffix=".tmp"
            )
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(cache, handle, ensure_ascii=False, indent=1, sort_keys=True)
            os.replace(tmp, self.cache_path)
        except OSError as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            raise GeocoderError(
                f"{self.cache_path}: cannot write the geocoder cache: {exc.strerror}"
            ) from exc


class GazetteerGeocoder(Geocoder):
    """A geopy geocoder over the curated gazetteer, with an optional online fallback.

    Parameters
    ----------
    gazetteer
        The places to answer from; ``None`` loads the repository's ``gazetteer.csv``.
    fallback
        Asked for names the gazetteer lacks; ``None`` (the default) keeps it offline.

    Examples
    --------
    >>> location = GazetteerGeocoder().geocode("Castillo Road")
    >>> location.raw["id"], location.latitude > 36.2
    ('castello-road', True)
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        fallback: NominatimFallback | None = None,
    ) -> None:
        super().__init__(user_agent=USER_AGENT)
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.fallback = fallback
        self._countries = {
            place.country: place.name for place in self.gazetteer if place.kind == "country"
        }

    def geocode(
        self, query: str, *, exactly_one: bool = True, timeout: object = DEFAULT_SENTINEL
    ) -> Location | list[Location] | None:
        """Return the place(s) called ``query``: gazetteer first, then the fallback if on.

        ``exactly_one=False`` returns every gazetteer match, best first.  A trailing
        possessive ("Aleppo’s") is ignored when the full name finds nothing.

        Raises
        ------
        GeocoderError
            If the online fallback is on and fails.
        """
        if not isinstance(query, str):
            raise GeocoderError(f"geocode: expected a place name, got {type(query).__name__}")
        places = self.lookup(query)
        if not places:
            return None
        locations = [self._location(place) for place in places]
        return locations[0] if exactly_one else locations

    def lookup(self, query: str) -> tuple[Place, ...]:
        """Return the places called ``query`` as :class:`Place` records, best first."""
        found = self.gazetteer.lookup(query)
        if not found:
            bare = _without_possessive(query)
            found = self.gazetteer.lookup(bare) if bare else ()
        if not found and self.fallback is not None:
            online = self.fallback.geocode(query)
            found = (online,) if online is not None else ()
        return found

    def reverse(
        self,
        query: object,
        *,
        exactly_one: bool = True,
        timeout: object = DEFAULT_SENTINEL,
        max_distance_km: float = 25.0,
    ) -> Location | list[Location] | None:
        """Return the gazetteer place(s) at or nearest to a point, most specific first.

        ``query`` is anything geopy reads as a point: ``"36.2, 37.16"``, ``(36.2, 37.16)``
        or a :class:`geopy.point.Point` — latitude first, as everywhere in geopy.  Places
        the point is at (inside the area, or within the place's ``precision_m``) come
        first: nearest by half kilometres, then the most specific kind, then the smallest
        area.  Then the others within ``max_distance_km``, nearest first.  Countries,
        which have no outline in the gazetteer, are never answers.
        """
        try:
            point = GeoPoint(query)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise GeocoderError(f"reverse: {query!r} is not a point: {exc}") from exc
        lat, lon = float(point.latitude), float(point.longitude)
        ranked: list[tuple[int, int, int, float, float, Place]] = []
        for place in self.gazetteer:
            if place.kind in ("country", "continent"):
                continue
            distance = _distance_to_place_km(place, lat, lon)
            if distance <= place.precision_m / 1000:
                # At the place: nearest by half kilometres, then the most specific kind.
                area = place.geometry.area if place.geometry is not None else 0.0
                rank = -KIND_RANK[place.kind]
                ranked.append((0, math.floor(distance * 2), rank, area, distance, place))
            elif distance <= max_distance_km:
                ranked.append((1, 0, 0, 0.0, distance, place))
        ranked.sort(key=lambda item: item[:5])
        locations = [self._location(place) for *_, place in ranked]
        if not locations:
            return None
        return locations[0] if exactly_one else locations

    def _location(self, place: Place) -> Location:
        name = self._countries.get(place.country, "") if place.kind != "country" else ""
        return place_to_location(place, country_name=name)


def _without_possessive(query: str) -> str:
    """Return ``query`` without a trailing ``'s`` (any apostrophe), or ``""`` if it has none."""
    text = query.rstrip()
    for apostrophe in ("'", "\u2019", "\u02bc"):
        for suffix in (apostrophe + "s", apostrophe + "S"):
            if text.endswith(suffix):
                return text[: -len(suffix)]
        if text.endswith(("s" + apostrophe, "S" + apostrophe)):  # "the Emirates'"
            return text[:-1]
    return ""


def _distance_to_place_km(place: Place, lat: float, lon: float) -> float:
    """Return the geodesic distance from the point to the place (0 inside its area)."""
    geometry = place.geometry
    if geometry is None:
        return float(geodesic((lat, lon), (place.lat, place.lon)).km)
    point = Point(lon, lat)
    if geometry.covers(point):
        return 0.0
    nearest = nearest_points(geometry, point)[0]
    return float(geodesic((lat, lon), (nearest.y, nearest.x)).km)


# Nominatim's class/type pairs, as far as newsmap's kinds can say them.
_NOMINATIM_KINDS: Mapping[str, PlaceKind] = {
    "country": "country",
    "state": "region",
    "province": "region",
    "region": "region",
    "county": "region",
    "city": "city",
    "town": "city",
    "village": "city",
    "hamlet": "city",
    "municipality": "city",
    "suburb": "district",
    "borough": "district",
    "city_district": "district",
    "district": "district",
    "quarter": "neighbourhood",
    "neighbourhood": "neighbourhood",
    "aerodrome": "airbase",
    "airfield": "airbase",
    "border_control": "crossing",
}
_ROAD_CLASSES = frozenset({"highway"})


def _nominatim_place(query: str, raw: Mapping[str, Any], *, domain: str) -> Place:
    """Turn one Nominatim search result into a Place, or raise GeocoderError."""
    try:
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError) as exc:
        raise GeocoderError(
            f"Nominatim at {domain}: {query!r}: answer has no usable lat/lon"
        ) from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or math.isnan(lat + lon):
        raise GeocoderError(f"Nominatim at {domain}: {query!r}: lat/lon {lat}, {lon} out of range")
    osm_class = str(raw.get("class") or raw.get("category") or "")
    osm_type = str(raw.get("type") or "")
    address = raw.get("address")
    addresstype = str(raw.get("addresstype") or "")
    kind: PlaceKind = (
        "road"
        if osm_class in _ROAD_CLASSES
        else _NOMINATIM_KINDS.get(addresstype) or _NOMINATIM_KINDS.get(osm_type, "venue")
    )
    country = ""
    if isinstance(address, Mapping):
        code = str(address.get("country_code") or "")
        country = code.upper() if len(code) == 2 and code.isalpha() else ""
    display = str(raw.get("display_name") or query)
    name = str(raw.get("name") or display.split(",")[0]).strip() or query
    osm = f"{raw.get('osm_type', '')}/{raw.get('osm_id', '')}".strip("/")
    place_id = f"nominatim:{osm}" if osm else f"nominatim:{normalize_name(query)}"
    return Place(
        id=place_id,
        name=name,
        kind=kind,
        lat=lat,
        lon=lon,
        country=country,
        aliases=(query,) if normalize_name(query) != normalize_name(name) else (),
        precision_m=_bbox_precision_m(raw.get("boundingbox"), lat, lon),
        source=f"Nominatim {domain} {osm}".strip() + " (© OpenStreetMap contributors, ODbL)",
        note=display,
        origin="nominatim",
    )


def _bbox_precision_m(bbox: object, lat: float, lon: float) -> float:
    """Return the distance from the point to the farthest corner of Nominatim's box."""
    try:
        south, north, west, east = (float(v) for v in cast(list[Any], bbox))
    except (TypeError, ValueError):
        return 1000.0
    corners = ((south, west), (south, east), (north, west), (north, east))
    if not all(-90 <= c[0] <= 90 and -180 <= c[1] <= 180 for c in corners):
        return 1000.0
    farthest = max(float(geodesic((lat, lon), corner).m) for corner in corners)
    return round(max(farthest, 100.0))
