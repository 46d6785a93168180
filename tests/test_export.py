"""Tests for geo.export: every format reads back, keeps hostile text inert, is deterministic."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sqlite3
from contextlib import redirect_stdout
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from shapely.geometry import Polygon
from test_layers import HOSTILE, distance_to_line_m, sample_corpus, sample_gazetteer

from geo.cli import main
from geo.errors import ExportError
from geo.export import (
    ACLED_COLUMNS,
    OUTPUT_FILES,
    geojson_bytes,
    gpkg_bytes,
    kml_bytes,
    position,
    to_acled_csv,
    to_geojson,
    write_all,
    write_geojson,
    write_gpkg,
    write_kml,
)
from geo.gazetteer import load_gazetteer
from geo.layers import Layers, build_layers


@pytest.fixture(scope="module")
def layers() -> Layers:
    return build_layers(sample_corpus(hostile=True), sample_gazetteer())


@pytest.fixture(scope="module")
def collection(layers: Layers) -> dict:
    return to_geojson(layers)


def _feature(collection: dict, feature_id: str) -> dict:
    return next(f for f in collection["features"] if f["id"] == feature_id)


def _positions(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
    else:
        for part in coordinates:
            yield from _positions(part)


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def test_position_is_lon_lat():
    assert position(lat=36.20124, lon=37.16117) == [37.16117, 36.20124]
    assert position(lat=1.23456789, lon=-0.0000001) == [0.0, 1.234568]


def test_geojson_puts_aleppo_in_syria_not_the_indian_ocean(collection):
    hader = _feature(collection, "event:000_a-e1")
    lon, lat = hader["geometry"]["coordinates"]
    assert lon == pytest.approx(37.177) and lat == pytest.approx(36.224)


def test_every_feature_has_layer_id_and_a_stable_unique_feature_id(collection):
    features = collection["features"]
    assert {f["properties"]["layer"] for f in features} == {"event", "place", "corridor", "zone"}
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids))
    for feature in features:
        properties = feature["properties"]
        assert feature["id"] == f"{properties['layer']}:{properties['id']}"
    # a road is both a place and a corridor: the feature ids still differ
    assert {"place:castello-road", "corridor:castello-road"} <= set(ids)


def test_geojson_follows_rfc_7946(collection):
    assert "crs" not in collection
    text = json.dumps(collection)
    assert not re.search(r"\d\.\d{7,}", text.split('"properties"')[0])
    for feature in collection["features"]:
        for lon, lat in _positions(feature["geometry"]["coordinates"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert round(lon, 6) == lon and round(lat, 6) == lat
    zone = _feature(collection, "zone:000_a-z1")["geometry"]
    assert zone["type"] == "Polygon"
    exterior = zone["coordinates"][0]
    assert exterior[0] == exterior[-1]
    assert _signed_area(exterior) > 0  # counter-clockwise


def test_clockwise_input_ring_comes_out_counter_clockwise(layers):
    zones = layers.zones.copy()
    zones["geometry"] = [Polygon(list(g.exterior.coords)[::-1]) for g in zones.geometry]
    turned = Layers(
        events=layers.events, places=layers.places, corridors=layers.corridors, zones=zones
    )
    ring = _feature(to_geojson(turned), "zone:000_a-z1")["geometry"]["coordinates"][0]
    assert _signed_area(ring) > 0


def test_geojson_reads_back_with_geopandas_and_pyogrio(layers, tmp_path):
    path = write_geojson(layers, tmp_path / "map.geojson")
    frame = gpd.read_file(path, engine="pyogrio")
    assert len(frame) == sum(len(f) for _, f in layers.items())
    assert frame.crs.to_epsg() == 4326
    hader = frame[frame["id"] == "000_a-e1"].iloc[0]
    assert (hader.geometry.x, hader.geometry.y) == pytest.approx((37.177, 36.224))
    info = pyogrio.read_info(path)
    assert info["features"] == len(frame)


def test_hostile_text_survives_json_exactly(collection):
    protest = _feature(collection, "event:001_b-e2")["properties"]
    assert protest["notes"] == HOSTILE
    assert protest["claimed_by"] == "<script>alert(2)</script>"
    assert protest["source"] == "Interfax `${y}` \\ <i>"


def test_csv_has_acled_columns_and_round_trips_hostile_text(layers):
    rows = list(csv.DictReader(io.StringIO(to_acled_csv(layers), newline="")))
    assert tuple(rows[0]) == ACLED_COLUMNS
    by_id = {row["event_id_cnty"]: row for row in rows}
    hader = by_id["000_a-e1"]
    assert hader["event_date"] == "2016-09-17"
    assert hader["year"] == "2016"
    assert hader["fatalities"] == "26"
    assert hader["country"] == "Syria"
    assert hader["disorder_type"] == "Political violence"
    assert (hader["latitude"], hader["longitude"]) == ("36.224000", "37.177000")
    assert by_id["000_a-e3"]["fatalities"] == ""  # not reported is not 0
    assert by_id["000_a-e2"]["end_date"] == "2016-09-16"
    protest = by_id["001_b-e2"]
    assert protest["notes"] == HOSTILE  # commas, quotes, newline, backslashes intact
    assert protest["source"] == "Interfax `${y}` \\ <i>"


def test_gpkg_has_one_table_per_layer_that_reads_back(layers, tmp_path):
    path = write_gpkg(layers, tmp_path / "map.gpkg")
    assert [name for name, _ in pyogrio.list_layers(path)] == [
        "events",
        "places",
        "corridors",
        "zones",
    ]
    events = gpd.read_file(path, layer="events", engine="pyogrio")
    assert len(events) == len(layers.events)
    assert set(events["notes"]) >= {HOSTILE}
    zones = gpd.read_file(path, layer="zones", engine="pyogrio")
    assert zones.geometry.iloc[0].equals_exact(layers.zones.geometry.iloc[0], 1e-9)
    assert zones.crs.to_epsg() == 4326


def test_gpkg_writes_empty_layers(tmp_path):
    empty = build_layers(sample_corpus(), sample_gazetteer())
    empty = Layers(
        events=empty.events.iloc[:0],
        places=empty.places.iloc[:0],
        corridors=empty.corridors.iloc[:0],
        zones=empty.zones.iloc[:0],
    )
    path = write_gpkg(empty, tmp_path / "empty.gpkg")
    assert len(pyogrio.list_layers(path)) == 4


def test_gpkg_carries_no_time_of_writing(layers, tmp_path):
    path = tmp_path / "map.gpkg"
    path.write_bytes(gpkg_bytes(layers))
    with sqlite3.connect(path) as db:
        stamps = {row[0] for row in db.execute("SELECT last_change FROM gpkg_contents")}
    assert stamps == {"2000-01-01T00:00:00.000Z"}


def test_kml_reads_back_with_pyogrio_one_layer_per_folder(layers, tmp_path):
    path = write_kml(layers, tmp_path / "map.kml")
    names = [name for name, _ in pyogrio.list_layers(path)]
    assert names == ["events", "places", "corridors", "zones"]
    events = pyogrio.read_dataframe(path, layer="events")
    assert len(events) == len(layers.events)
    assert "event.000_a-e1" in set(events["id"])
    row = events[events["record_id"] == "001_b-e2"].iloc[0]
    assert row["notes"] == HOSTILE
    hader = events[events["record_id"] == "000_a-e1"].iloc[0]
    assert (hader.geometry.x, hader.geometry.y) == pytest.approx((37.177, 36.224))


def test_kml_escapes_markup(layers):
    text = kml_bytes(layers).decode("utf-8")
    assert "<script>" not in text and "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_two_builds_give_identical_bytes(tmp_path):
    first = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    second = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    assert geojson_bytes(first) == geojson_bytes(second)
    assert to_acled_csv(first) == to_acled_csv(second)
    assert gpkg_bytes(first) == gpkg_bytes(second)
    assert kml_bytes(first) == kml_bytes(second)
    write_all(first, tmp_path / "a")
    write_all(second, tmp_path / "b")
    for name in OUTPUT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_write_all_writes_exactly_the_five_files_and_vendor(layers, tmp_path):
    write_all(layers, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*OUTPUT_FILES, "vendor"])


def test_unwritable_path_is_one_line_export_error(layers, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match=r"file.*cannot") as caught:
        write_all(layers, blocker / "out")
    assert "\n" not in str(caught.value)
    with pytest.raises(ExportError, match="map.gpkg"):
        write_gpkg(layers, Path(blocker, "map.gpkg"))


# --- end to end through the real modules: `python -m geo build seeds --out OUT` -----------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("build")
    stdout = io.StringIO()
    with redirect_stdout(stdout):
        status = main(["build", str(ROOT / "seeds"), "--out", str(out), "--no-world"])
    assert status == 0
    return out, stdout.getvalue()


def test_build_writes_exactly_the_five_files_and_a_summary(seed_build):
    out, summary = seed_build
    assert sorted(p.name for p in out.iterdir()) == sorted([*OUTPUT_FILES, "vendor"])
    assert re.fullmatch(
        r"5 articles, \d+ events, \d+ places, \d+ corridors?, 1 zone; dropped \d+ sentences?.*\n",
        summary,
    )


def test_build_of_the_seeds_maps_the_sheikh_hader_executions(seed_build):
    out, _ = seed_build
    with (out / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    executions = [r for r in rows if r["fatalities"] == "26"]
    assert executions, "no event with 26 fatalities"
    assert executions[0]["event_date"] == "2016-09-17"
    assert "Sheikh Hader" in executions[0]["evidence"]
    frame = gpd.read_file(out / "map.geojson", engine="pyogrio")
    assert set(frame["layer"]) >= {"event", "place", "corridor", "zone"}
    assert [name for name, _ in pyogrio.list_layers(out / "map.gpkg")] == [
        "events",
        "places",
        "corridors",
        "zones",
    ]
    assert len(pyogrio.list_layers(out / "map.kml")) == 4


def test_build_zone_is_10_km_from_aleppo_extent(seed_build):
    out, _ = seed_build
    collection = json.loads((out / "map.geojson").read_text(encoding="utf-8"))
    zone = next(f for f in collection["features"] if f["properties"]["layer"] == "zone")
    place = load_gazetteer().get(zone["properties"]["place_id"])
    ring = zone["geometry"]["coordinates"][0]
    assert isinstance(place.geometry, Polygon), "the gazetteer gives Aleppo's extent"
    assert zone["properties"]["buffered"] == "polygon of Aleppo's extent"
    distances = distance_to_line_m(np.asarray(ring[::5]), place.geometry.exterior)
    assert np.abs(distances - zone["properties"]["radius_m"]).max() <= 10


def test_build_into_an_unwritable_folder_is_one_line_on_stderr(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    status = main(["build", str(ROOT / "seeds"), "--out", str(blocker / "out"), "--no-world"])
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1 and "cannot" in err and "Traceback" not in err


# --- the article's web address ----------------------------------------------------------

TASS_URL = "https://tass.com/world/901234?from=rss&utm=<b>"


@pytest.fixture(scope="module")
def linked_layers() -> Layers:
    """The sample layers with article 000_a's address known and 001_b's unknown."""
    corpus = sample_corpus()
    events = tuple(
        dataclasses.replace(e, source_url=TASS_URL) if e.article == "000_a" else e
        for e in corpus.events
    )
    return build_layers(dataclasses.replace(corpus, events=events), sample_gazetteer())


def test_every_export_carries_the_source_url_and_reads_back(linked_layers, tmp_path):
    write_all(linked_layers, tmp_path)
    expected = {
        str(row["id"]): (TASS_URL if row["article"] == "000_a" else "")
        for _, row in linked_layers.events.iterrows()
    }
    assert set(expected.values()) == {TASS_URL, ""}
    with (tmp_path / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(ACLED_COLUMNS) and ACLED_COLUMNS[-1] == "source_url"
    assert ACLED_COLUMNS[:18][-3:] == ("source", "notes", "fatalities")  # ACLED's order kept
    assert {row["event_id_cnty"]: row["source_url"] for row in rows} == expected
    collection = json.loads((tmp_path / "map.geojson").read_text(encoding="utf-8"))
    assert {
        f["properties"]["id"]: f["properties"]["source_url"]
        for f in collection["features"]
        if f["properties"]["layer"] == "event"
    } == expected
    for name in ("map.gpkg", "map.kml"):
        events = pyogrio.read_dataframe(tmp_path / name, layer="events")
        key = "id" if name == "map.gpkg" else "record_id"
        read = {
            str(k): ("" if v is None or v != v else str(v))
            for k, v in zip(events[key], events["source_url"], strict=True)
        }
        assert read == expected, name
