"""Load and query the curated gazetteer: the places newsmap knows by name.

The gazetteer is a UTF-8 CSV (``gazetteer.csv`` at the repository root), one place a row::

    id,name,kind,lat,lon,country,aliases,geometry,precision_m,source,note

Every row is validated when it is read; one bad row makes the whole load fail with a
:class:`~geo.errors.GazetteerError` that names the file and line
(``gazetteer.csv:17: latitude 123.4 outside [-90, 90]``). A gazetteer is never half built.

Names are compared through :func:`normalize_name`; see its docstring for the exact rules.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import cast

import shapely
import shapely.wkt
from geopy.distance import geodesic
from shapely.errors import GEOSException
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from geo.errors import GazetteerError
from geo.models import PLACE_KINDS, Place, PlaceKind

__all__ = [
    "COLUMNS",
    "DEFAULT_GAZETTEER",
    "KIND_RANK",
    "MAX_GEOMETRY_DISTANCE_KM",
    "Gazetteer",
    "load_gazetteer",
    "normalize_name",
    "parse_gazetteer",
]

DEFAULT_GAZETTEER: Path = Path(__file__).resolve().parent.parent / "gazetteer.csv"

COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "lat",
    "lon",
    "country",
    "aliases",
    "geometry",
    "precision_m",
    "source",
    "note",
)

# Kinds that compete for the same name.  Two places whose kinds share a rank may not
# share a name or alias unless one of them holds it as its own ``name`` (the rule that
# chooses); places of different ranks may ("Aleppo" the city and the governorate).
KIND_RANK: Mapping[str, int] = MappingProxyType(
    {
        "continent": 0,
        "country": 1,
        "region": 2,
        "city": 3,
        "district": 4,
        "neighbourhood": 4,
        "road": 5,
        "corridor": 5,
        "crossing": 6,
        "airbase": 6,
        "venue": 6,
    }
)

# Roads and corridors are lines; every other kind is an area (or a point).
_LINE_KINDS = frozenset({"road", "corridor"})
_LINE_TYPES = ("LineString", "MultiLineString")
_AREA_TYPES = ("Polygon", "MultiPolygon", "Point")

# Builds the GazetteerError for the row being parsed.
_Fail = Callable[[str], GazetteerError]

# A geometry must lie within this distance of its row's lat/lon point.
MAX_GEOMETRY_DISTANCE_KM = 50.0

_ALIAS_SEPARATOR = "|"
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, the usual apostrophe
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",  # prime
        "\u02bc": "'",  # modifier letter apostrophe
        "\u02bb": "'",  # modifier letter turned comma ('okina)
        "\u02be": "'",  # modifier letter right half ring (hamza in transliteration)
        "\u02bf": "'",  # modifier letter left half ring (ayn in transliteration)
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
# Hyphen-minus, hyphen, non-breaking hyphen, figure dash, en/em dash, minus, underscore.
_DASHES = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_]+")
_SPACES = re.compile(r"\s+")
# Arabic definite article as transliterated: "al-", "el-", "Al " ... (assimilated forms
# like "ar-", "as-" are left alone: they are too often the start of ordinary names).
_ARTICLE = re.compile(r"^(?:al|el) (?=\S)")


def normalize_name(name: str) -> str:
    """Return the form of a place name that lookups compare.

    Rules, applied in order: Unicode NFKC; casefold; curly quotes, primes and the
    transliteration marks for ayn and hamza become ``'``; diacritics are dropped
    (``Maqsūd`` -> ``maqsud``); hyphens, dashes and underscores become one space; runs of
    whitespace collapse to one space; leading and trailing space is stripped.  The Arabic
    article ("al-") is *kept*: :meth:`Gazetteer.lookup` tries the name without it only when
    the full name finds nothing.  Dots are kept ("U.S." is its own alias).  The result is
    not length-preserving, so never use it to compute offsets into a text.

    Parameters
    ----------
    name
        A name as written in an article or the gazetteer.

    Returns
    -------
    str
        The normalized name.

    Examples
    --------
    >>> normalize_name("Sheikh  Maqsood’s")
    "sheikh maqsood's"
    >>> normalize_name("al-Sheikh Khodr")
    'al sheikh khodr'
    >>> normalize_name("Ḩumaymīm")
    'humaymim'
    """
    text = unicodedata.normalize("NFKC", name).casefold().translate(_QUOTES)
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    text = _DASHES.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _without_article(key: str) -> str:
    """Return a normalized name without a leading Arabic article, or ``""`` if it has none."""
    stripped = _ARTICLE.sub("", key, count=1)
    return stripped if stripped != key else ""


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """The curated places, looked up by id or by any of their names.

    Build one with :func:`parse_gazetteer` or :func:`load_gazetteer`; it is immutable and
    safe to share between threads.
    """

    source: str
    places: tuple[Place, ...]
    _by_id: Mapping[str, Place] = field(init=False, repr=False, compare=False)
    _by_name: Mapping[str, tuple[Place, ...]] = field(init=False, repr=False, compare=False)
    _by_bare_name: Mapping[str, tuple[Place, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {place.id: place for place in self.places}
        by_name: dict[str, list[Place]] = {}
        by_bare: dict[str, list[Place]] = {}
        for place in self.places:
            # The place's own name first, so lookups list name matches before alias matches.
            for written in (place.name, *place.aliases):
                key = normalize_name(written)
                _append_once(by_name.setdefault(key, []), place)
                bare = _without_article(key)
                if bare:
                    _append_once(by_bare.setdefault(bare, []), place)
        for key, found in by_name.items():
            # Own-name matches first; sort is stable, so CSV order breaks ties.
            found.sort(key=functools.partial(_holds_as_alias, key))
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(
            self, "_by_name", MappingProxyType({k: tuple(v) for k, v in by_name.items()})
        )
        object.__setattr__(
            self, "_by_bare_name", MappingProxyType({k: tuple(v) for k, v in by_bare.items()})
        )

    def __repr__(self) -> str:
        return f"Gazetteer(source={self.source!r}, places=<{len(self.places)} places>)"

    def __len__(self) -> int:
        return len(self.places)

    def __iter__(self) -> Iterator[Place]:
        return iter(self.places)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._by_id

    def get(self, place_id: str) -> Place:
        """Return the place with this id; raise ``KeyError`` if there is none.

        Examples
        --------
        >>> load_gazetteer().get("aleppo").country
        'SY'
        """
        try:
            return self._by_id[place_id]
        except KeyError:
            raise KeyError(f"no place with id {place_id!r} in {self.source}") from None

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Return every place called ``name`` (its name or an alias), best match first.

        Names are compared by :func:`normalize_name`.  Places whose own name matches come
        before places that hold it as an alias; otherwise the gazetteer's row order is
        kept.  When nothing matches, the name is tried without (and with) a leading
        Arabic article, so "Sheikh Khodr" finds "al-Sheikh Khodr" and the reverse.

        Examples
        --------
        >>> [p.id for p in load_gazetteer().lookup("Khmeimim")]
        ['hmeimim-air-base']
        """
        key = normalize_name(name)
        if not key:
            return ()
        found = self._by_name.get(key)
        if found:
            return found
        bare = _without_article(key)
        if bare:
            return self._by_name.get(bare, ()) or self._by_bare_name.get(bare, ())
        return self._by_bare_name.get(key, ())

    def names(self) -> Iterator[tuple[str, Place]]:
        """Yield every name and alias as written, with its place, in gazetteer order."""
        for place in self.places:
            yield place.name, place
            for alias in place.aliases:
                yield alias, place


def _holds_as_alias(key: str, place: Place) -> bool:
    """Return whether the place holds the normalized name only as an alias."""
    return normalize_name(place.name) != key


def _append_once(found: list[Place], place: Place) -> None:
    if all(other.id != place.id for other in found):
        found.append(place)


def parse_gazetteer(lines: Iterable[str], *, source: str = "gazetteer.csv") -> Gazetteer:
    """Parse gazetteer CSV lines into a :class:`Gazetteer`, validating every row.

    Parameters
    ----------
    lines
        The text of the file, line by line (as from ``str.splitlines(keepends=True)`` or
        an open text file).  A leading byte-order mark is ignored.
    source
        The name used in error messages (``gazetteer.csv:LINE: reason``).

    Returns
    -------
    Gazetteer
        Every place, in file order.

    Raises
    ------
    GazetteerError
        At the first invalid row; nothing is returned for a file with any bad row.

    Examples
    --------
    >>> gaz = parse_gazetteer([
    ...     "id,name,kind,lat,lon,country,aliases,geometry,precision_m,source,note",
    ...     "amman,Amman,city,31.95522,35.94503,JO,Амман,,5000,GeoNames 250441,",
    ... ])
    >>> gaz.lookup("AMMAN")[0].lat
    31.95522
    """
    physical = _LineCounter(lines)
    reader = csv.reader(physical, strict=True)
    places: list[Place] = []
    first_line: dict[str, int] = {}
    claims: dict[tuple[str, int], list[tuple[Place, int]]] = {}
    row_start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise GazetteerError(source, 1, f"empty file; expected the header {_header_text()}")
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        if tuple(h.strip() for h in header) != COLUMNS:
            raise GazetteerError(
                source,
                1,
                f"bad header {','.join(header)!r}; expected {_header_text()}",
            )
        row_start = physical.count + 1
        for row in reader:
            line = row_start
            row_start = physical.count + 1
            if not row or all(not cell.strip() for cell in row):
                continue
            place = _parse_row(row, source=source, line=line)
            if place.id in first_line:
                raise GazetteerError(
                    source,
                    line,
                    f"duplicate id {place.id!r} (first on line {first_line[place.id]}); "
                    "ids must be unique",
                )
            first_line[place.id] = line
            _check_claims(place, line, claims, source=source)
            places.append(place)
    except csv.Error as exc:
        raise GazetteerError(source, row_start, f"malformed CSV: {exc}") from exc
    return Gazetteer(source=source, places=tuple(places))


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """Read and validate a gazetteer file (``None``: the repository's ``gazetteer.csv``).

    Raises
    ------
    GazetteerError
        If the file cannot be read, is not UTF-8, or has any invalid row.
    """
    file = Path(path) if path is not None else DEFAULT_GAZETTEER
    source = str(path) if path is not None else file.name
    try:
        data = file.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise GazetteerError(source, None, f"cannot read the gazetteer: {reason}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GazetteerError(
            source,
            line,
            f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the gazetteer as UTF-8",
        ) from exc
    # newline="" as the csv module asks: line breaks inside quoted fields stay intact.
    return parse_gazetteer(io.StringIO(text, newline=""), source=source)


class _LineCounter:
    """Iterate over lines, counting physical lines so rows can be located."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        # An item holding several lines still counts them all; a last line may lack "\n".
        self.count += line.count("\n") + (0 if line.endswith("\n") else 1)
        return line


def _header_text() -> str:
    return ",".join(COLUMNS)


def _parse_row(row: list[str], *, source: str, line: int) -> Place:
    """Turn one CSV row into a Place, or raise GazetteerError naming the line."""

    def fail(reason: str) -> GazetteerError:
        return GazetteerError(source, line, reason)

    if len(row) != len(COLUMNS):
        raise fail(f"{len(row)} columns; expected {len(COLUMNS)} ({_header_text()})")
    cells = dict(zip(COLUMNS, (cell.strip() for cell in row), strict=True))
    place_id, name, kind = cells["id"], cells["name"], cells["kind"]
    if not place_id:
        raise fail("empty id; every place needs a unique slug like 'sheikh-maqsood'")
    if any(ch.isspace() for ch in place_id):
        raise fail(f"id {place_id!r} contains whitespace; use a slug like 'sheikh-maqsood'")
    if not name:
        raise fail(f"empty name for id {place_id!r}")
    if kind not in PLACE_KINDS:
        raise fail(f"unknown kind {kind!r}; expected one of {', '.join(PLACE_KINDS)}")
    lat = _number(cells["lat"], "latitude", fail)
    lon = _number(cells["lon"], "longitude", fail)
    if not -90.0 <= lat <= 90.0:
        raise fail(f"latitude {cells['lat']} outside [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise fail(f"longitude {cells['lon']} outside [-180, 180]")
    country = cells["country"]
    if country and not _COUNTRY_CODE.fullmatch(country):
        raise fail(f"country {country!r} is not an ISO 3166-1 alpha-2 code like 'SY'")
    aliases = _aliases(cells["aliases"], name, fail)
    geometry = _geometry(cells["geometry"], kind, lat, lon, fail) if cells["geometry"] else None
    if not cells["precision_m"]:
        raise fail("empty precision_m; say how many metres the point may be off")
    precision_m = _number(cells["precision_m"], "precision_m", fail)
    if precision_m < 0:
        raise fail(f"precision_m {cells['precision_m']} is negative; expected metres >= 0")
    return Place(
        id=place_id,
        name=name,
        kind=cast(PlaceKind, kind),
        lat=lat,
        lon=lon,
        country=country,
        aliases=aliases,
        geometry=geometry,
        precision_m=precision_m,
        source=cells["source"],
        note=cells["note"],
        origin="curated",
    )


def _number(text: str, what: str, fail: _Fail) -> float:
    try:
        value = float(text)
    except ValueError:
        raise fail(f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise fail(f"{what} {text!r} is not a finite number")
    return value


def _aliases(text: str, name: str, fail: _Fail) -> tuple[str, ...]:
    aliases: list[str] = []
    seen = {normalize_name(name)}
    for raw in text.split(_ALIAS_SEPARATOR) if text else ():
        alias = raw.strip()
        if not alias:
            raise fail(f"empty alias in {text!r}; separate aliases with a single '|'")
        key = normalize_name(alias)
        if key in seen:
            continue  # a spelling that normalizes like another adds nothing
        seen.add(key)
        aliases.append(alias)
    return tuple(aliases)


def _geometry(text: str, kind: str, lat: float, lon: float, fail: _Fail) -> BaseGeometry:
    try:
        geometry = shapely.wkt.loads(text)
    except (GEOSException, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise fail(f"bad WKT geometry {_short(text)!r}: {first}") from None
    if geometry.is_empty:
        raise fail("empty WKT geometry; leave the column blank instead")
    expected = _LINE_TYPES if kind in _LINE_KINDS else _AREA_TYPES
    if geometry.geom_type not in expected:
        raise fail(f"{geometry.geom_type} geometry for a {kind}; expected {' or '.join(expected)}")
    if not geometry.is_valid:
        raise fail(f"invalid geometry: {shapely.is_valid_reason(geometry)}")
    minx, miny, maxx, maxy = geometry.bounds
    swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
    if not (-180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90):
        raise fail("geometry outside lon [-180, 180] / lat [-90, 90]; WKT is 'lon lat'")
    distance = _distance_km(geometry, lat, lon)
    if distance > MAX_GEOMETRY_DISTANCE_KM:
        if _distance_km(swapped, lat, lon) <= MAX_GEOMETRY_DISTANCE_KM:
            raise fail(
                "geometry and the lat/lon point disagree on axis order; WKT must be "
                f"'lon lat' (x is the longitude: near POINT ({lon} {lat}))"
            )
        raise fail(
            f"geometry is {distance:.0f} km from the point ({lat}, {lon}); "
            f"expected within {MAX_GEOMETRY_DISTANCE_KM:.0f} km"
        )
    return geometry


def _distance_km(geometry: BaseGeometry, lat: float, lon: float) -> float:
    """Return the geodesic distance from the point to the nearest part of the geometry."""
    point = Point(lon, lat)
    nearest = nearest_points(geometry, point)[0]
    if not (-90 <= nearest.y <= 90):
        return math.inf
    return float(geodesic((lat, lon), (nearest.y, nearest.x)).km)


def _check_claims(
    place: Place,
    line: int,
    claims: dict[tuple[str, int], list[tuple[Place, int]]],
    *,
    source: str,
) -> None:
    """Refuse a name two places of the same kind-rank hold, unless one holds it as its name."""
    rank = KIND_RANK[place.kind]
    for written in (place.name, *place.aliases):
        key = normalize_name(written)
        holders = claims.setdefault((key, rank), [])
        for other, other_line in holders:
            own = normalize_name(place.name) == key
            other_own = normalize_name(other.name) == key
            if own != other_own:
                continue  # the place whose own name it is wins the lookup
            if own:
                reason = (
                    f"{place.id!r} and {other.id!r} (line {other_line}) are both called "
                    f"{written!r} at the same rank ({place.kind}/{other.kind}), so a lookup "
                    "could not choose; give one a distinguishing name "
                    "(e.g. 'Geneva, New York') and keep the plain name as its alias"
                )
            else:
                reason = (
                    f"alias {written!r} of {place.id!r} is also an alias of {other.id!r} "
                    f"(line {other_line}), a {other.kind} of the same rank, so a lookup "
                    "could not choose; keep it on one place, or make it one place's own name"
                )
            raise GazetteerError(source, line, reason)
        holders.append((place, line))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
