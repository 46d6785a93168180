"""The GeoNames world index: places by name, country points, demonyms, the disk cache."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import geo.world as world_module
from geo.world import WorldIndex, _Builder, default_cache_dir, fold, load_world, name_key


@pytest.fixture(scope="session")
def world() -> WorldIndex:
    """The real index, built once (or read from the user's cache) for the whole run."""
    return load_world()


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# Known coordinates (not read from the index) and how far off the first candidate may be.
TOWNS = [
    pytest.param("Mosul", "IQ", 36.34, 43.13, 10, id="Mosul, Iraq"),
    pytest.param("Idlib", "SY", 35.93, 36.63, 10, id="Idlib the city, not the province"),
    pytest.param("Kyiv", "UA", 50.45, 30.52, 10, id="Kyiv"),
    pytest.param("Kiev", "UA", 50.45, 30.52, 10, id="Kiev, the older spelling"),
    pytest.param("Raqqa", "SY", 35.95, 39.01, 10, id="Raqqa"),
    pytest.param("Geneva", "CH", 46.20, 6.15, 10, id="Geneva is Swiss by default"),
    pytest.param("New York", "US", 40.71, -74.01, 10, id="New York the city before the state"),
    pytest.param("Venice", "IT", 45.44, 12.33, 10, id="Venice, not a town once called so"),
]


@pytest.mark.parametrize(("name", "country", "lat", "lon", "tolerance_km"), TOWNS)
def test_lookup_puts_a_town_where_it_is(
    world: WorldIndex, name: str, country: str, lat: float, lon: float, tolerance_km: float
) -> None:
    place = world.lookup(name)[0]
    assert place.country == country
    assert km(place.lat, place.lon, lat, lon) <= tolerance_km, place
    assert place.origin == "geonames"
    assert place.id.startswith("geonames:") and place.id.split(":")[1].isdigit()
    assert place.population > 0


def test_a_country_is_its_own_point_not_its_capital(world: WorldIndex) -> None:
    turkey = world.lookup("Turkey")[0]
    assert turkey.kind == "country" and turkey.country == "TR"
    assert km(turkey.lat, turkey.lon, 39.0, 35.0) < 50
    assert km(turkey.lat, turkey.lon, 39.93, 32.86) > 150, "that is Ankara, the capital"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        pytest.param("US", "US", id="US"),
        pytest.param("U.S.", "US", id="U.S. with dots"),
        pytest.param("United States", "US", id="United States"),
        pytest.param("UK", "GB", id="UK"),
        pytest.param("Britain", "GB", id="Britain"),
        pytest.param("Syria", "SY", id="Syria"),
        pytest.param("Côte d'Ivoire", "CI", id="diacritics and apostrophe"),
    ],
)
def test_countries_by_every_common_name(world: WorldIndex, written: str, code: str) -> None:
    place = world.lookup(written)[0]
    assert (place.kind, place.country) == ("country", code)


@pytest.mark.parametrize(
    ("demonym", "code"),
    [
        ("Syrian", "SY"),
        ("Syrians", "SY"),
        ("Russian", "RU"),
        ("American", "US"),
        ("Americans", "US"),
        ("British", "GB"),
        ("Jordanian", "JO"),
        ("Chinese", "CN"),
    ],
)
def test_demonyms_name_their_country(world: WorldIndex, demonym: str, code: str) -> None:
    place = world.demonym(demonym)
    assert place is not None and place.kind == "country" and place.country == code


def test_first_level_regions_and_continents_are_indexed(world: WorldIndex) -> None:
    california = world.lookup("California")[0]
    assert (california.kind, california.country) == ("region", "US")
    assert km(california.lat, california.lon, 37.2, -119.5) < 250
    aleppo_province = [p for p in world.lookup("Aleppo Governorate") if p.kind == "region"]
    assert aleppo_province and aleppo_province[0].country == "SY"
    assert world.lookup("Europe")[0].kind == "continent"
    assert world.admin1(california) == "US.CA"


@pytest.mark.parametrize(
    ("written", "name", "lat", "lon", "tolerance_km"),
    [
        # Points a reader would accept for the name, from an atlas; each region's is rough.
        pytest.param("Atlantic", "Atlantic Ocean", 5.0, -30.0, 2500, id="Atlantic"),
        pytest.param("Pacific", "Pacific Ocean", 0.0, -150.0, 3000, id="Pacific"),
        pytest.param("Indian Ocean", "Indian Ocean", -15.0, 75.0, 2500, id="Indian Ocean"),
        pytest.param("Middle East", "Middle East", 30.0, 40.0, 1500, id="Middle East"),
        pytest.param("Mediterranean", "Mediterranean Sea", 36.0, 15.0, 1000, id="Mediterranean"),
        pytest.param("Southeast Asia", "Southeast Asia", 5.0, 110.0, 1500, id="Southeast Asia"),
        pytest.param("Latin America", "Latin America", -10.0, -60.0, 2500, id="Latin America"),
    ],
)
def test_oceans_and_world_regions_come_first_for_their_names(
    world: WorldIndex, written: str, name: str, lat: float, lon: float, tolerance_km: float
) -> None:
    place = world.lookup(written)[0]
    assert place.name == name and place.country == ""
    assert km(place.lat, place.lon, lat, lon) < tolerance_km, place
    assert place.id.startswith("world-region:") and "approximate" in place.note


def test_world_region_demonyms_name_the_region(world: WorldIndex) -> None:
    place = world.demonym("Central American")
    assert place is not None and place.name == "Central America"


def test_counties_are_indexed_by_full_and_bare_name(world: WorldIndex) -> None:
    suffolk = world.lookup("Suffolk County")
    assert suffolk and all((p.kind, p.country) == ("region", "US") for p in suffolk)
    new_york = [p for p in suffolk if world.admin1(p) == "US.NY"]
    assert new_york and km(new_york[0].lat, new_york[0].lon, 40.9, -72.8) < 60
    bare = world.counties(name_key("Suffolk"))
    assert {p.country for p in bare} >= {"US", "GB"}, "Suffolk, England is a county too"
    assert world.lookup("Suffolk")[0].kind == "city", "the bare name stays the town"
    assert world.counties(name_key("Qwertyuiop")) == ()


@pytest.mark.parametrize(
    ("written", "name", "code"),
    [
        ("Hodeidah", "Al Ḩudaydah", "YE"),  # from "El-Hodeidah"
        ("Mukalla", "Mukalla", "YE"),
        ("Hillah", "Al Hillah", "IQ"),
    ],
)
def test_arab_towns_are_found_without_their_article(
    world: WorldIndex, written: str, name: str, code: str
) -> None:
    top = world.lookup(written)[0]
    assert (top.name, top.country) == (name, code)


def test_a_spanish_el_is_kept(world: WorldIndex) -> None:
    assert world.lookup("El Paso")[0].country == "US"
    assert world.lookup("Paso") == ()  # "El Paso" is never "Paso"


def test_unknown_names_find_nothing(world: WorldIndex) -> None:
    assert world.lookup("Qwertyuiopville") == ()
    assert world.demonym("Aleppo") is None
    assert world.country("ZZ") is None
    assert world.country("sy") is not None


@given(st.text(max_size=200))
def test_fold_keeps_every_offset(text: str) -> None:
    assert len(fold(text)) == len(text)


@given(st.text(max_size=200))
def test_fold_folds_each_character_on_its_own(text: str) -> None:
    # Stretches of ASCII are folded apart from the rest: a character folds the same
    # whatever surrounds it, so a name matches the same anywhere in an article.
    assert fold(text) == "".join(fold(ch) for ch in text)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Aleppo’s", "aleppo's"),
        ("Sheikh-Maqsūd", "sheikh maqsud"),
        ("  Geneva –  New York ", "geneva new york"),
        ("MOSCOW", "moscow"),
    ],
)
def test_name_key_folds_case_quotes_dashes_and_diacritics(written: str, key: str) -> None:
    assert name_key(written) == key


# --------------------------------------------------------------------------- the cache


def _tiny_world() -> WorldIndex:
    builder = _Builder()
    builder.add(
        gid=250441,
        name="Amman",
        kind="city",
        lat=31.95522,
        lon=35.94503,
        country="JO",
        admin1="JO.16",
        population=1_275_857,
        names=("Aman",),
    )
    return WorldIndex._from_builder(builder, version=world_module._versions())


def test_the_index_is_built_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []

    def build() -> WorldIndex:
        builds.append(1)
        return _tiny_world()

    monkeypatch.setattr(world_module, "build_world", build)
    monkeypatch.setattr(world_module, "_LOADED", {})
    first = load_world(cache_dir=tmp_path)
    assert builds == [1]
    cached = list(tmp_path.glob("world-*.signed-pickle"))
    assert len(cached) == 1 and world_module._versions() in cached[0].name

    monkeypatch.setattr(world_module, "_LOADED", {})  # a new process: only the disk cache
    second = load_world(cache_dir=tmp_path)
    assert builds == [1], "a warm cache must not rebuild"
    assert second.lookup("Aman")[0].id == first.lookup("Amman")[0].id == "geonames:250441"


def test_a_new_package_version_rebuilds_and_replaces_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(world_module, "build_world", _tiny_world)
    monkeypatch.setattr(world_module, "_LOADED", {})
    load_world(cache_dir=tmp_path)
    old = next(tmp_path.glob("world-*.signed-pickle"))

    monkeypatch.setattr(world_module, "_versions", lambda: "format0-geonamescache99")
    monkeypatch.setattr(world_module, "_LOADED", {})
    rebuilt = load_world(cache_dir=tmp_path)
    assert rebuilt.version == "format0-geonamescache99"
    assert not old.exists(), "the stale cache file is removed"
    assert [p.name for p in tmp_path.glob("world-*.signed-pickle")] == [
        "world-format0-geonamescache99.signed-pickle"
    ]


def test_a_corrupt_cache_file_is_rebuilt_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(world_module, "build_world", _tiny_world)
    monkeypatch.setattr(world_module, "_LOADED", {})
    (tmp_path / f"world-{world_module._versions()}.signed-pickle").write_bytes(b"not a pickle")
    assert load_world(cache_dir=tmp_path).lookup("Amman")


class _Planted:
    """A pickle that, when loaded, writes a file: what a planted cache would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.write_text, (self.marker, "code ran"))


@pytest.mark.parametrize(
    "signed",
    [
        pytest.param(lambda data: data, id="a bare pickle"),
        pytest.param(
            lambda data: world_module._CACHE_MAGIC + bytes(32) + data,
            id="a pickle with a forged tag",
        ),
    ],
)
def test_a_pickle_planted_in_the_cache_folder_never_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signed: object
) -> None:
    import pickle

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(world_module, "build_world", _tiny_world)
    monkeypatch.setattr(world_module, "_LOADED", {})
    marker = tmp_path / "ran.txt"
    cache = tmp_path / "cache"
    cache.mkdir()
    planted = cache / f"world-{world_module._versions()}.signed-pickle"
    planted.write_bytes(signed(pickle.dumps(_Planted(marker))))  # type: ignore[operator]
    assert load_world(cache_dir=cache).lookup("Amman"), "the index is rebuilt over it"
    assert not marker.exists(), "the planted pickle ran"
    key = tmp_path / "config/newsmap/cache-key"
    assert key.stat().st_mode & 0o777 == 0o600


def test_a_cache_signed_with_another_key_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []

    def build() -> WorldIndex:
        builds.append(1)
        return _tiny_world()

    monkeypatch.setattr(world_module, "build_world", build)
    for user in ("alice", "mallory", "alice"):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / user))
        monkeypatch.setattr(world_module, "_LOADED", {})
        assert load_world(cache_dir=tmp_path / "shared-cache").lookup("Amman")
    assert builds == [1, 1, 1], "each key's cache is rebuilt when another key signed it"


def test_cache_dir_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMAP_CACHE_DIR", "/somewhere/else")
    assert default_cache_dir() == Path("/somewhere/else")
    monkeypatch.delenv("NEWSMAP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert default_cache_dir() == Path("/xdg/newsmap")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("New\nYork", id="line break, ASCII text"),
        pytest.param("New\nYork – Genève", id="line break, text with accents"),
        pytest.param("New\tYork\r\nx", id="tab and carriage return"),
    ],
)
def test_fold_is_the_same_whether_or_not_the_text_is_ascii(text: str) -> None:
    # A curly quote elsewhere in an article must not change how its names match.
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == fold(text + "’")[: len(text)]
    assert "\n" in folded and "\t" not in folded and "\r" not in folded
