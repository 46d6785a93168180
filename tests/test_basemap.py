"""The offline basemap's outlines name the country and region an event's point lies in."""

from __future__ import annotations

import csv
import io
import json

import pytest
from test_layers import sample_corpus, sample_gazetteer

from geo import basemap
from geo.export import geojson_bytes, to_acled_csv
from geo.layers import build_layers

# The basemap is built by `make test` (python -m geo.basemap) before these run.


@pytest.mark.parametrize(
    ("lat", "lon", "country", "admin1"),
    [
        pytest.param(36.2021, 37.1343, "Syria", "Aleppo", id="Aleppo city"),
        pytest.param(35.52, 35.70, "Syria", "Lattakia", id="a point just off Latakia's coast"),
        pytest.param(46.2022, 6.1457, "Switzerland", "Genève", id="Geneva"),
        pytest.param(50.45, 30.52, "Ukraine", "Kiev City", id="Kyiv"),
        pytest.param(31.52, 34.45, "Palestine", "Gaza Strip", id="Gaza"),
        pytest.param(40.71, -74.0, "United States of America", "New York", id="a US state"),
        pytest.param(-33.87, 151.21, "Australia", "New South Wales", id="Sydney"),
        pytest.param(0.0, -30.0, "", "", id="mid-Atlantic is no country"),
    ],
)
def test_a_point_is_named_by_the_outlines_it_lies_in(lat, lon, country, admin1):
    assert basemap.locate([lat], [lon]) == ([country], [admin1])


def test_no_basemap_names_nothing(tmp_path):
    assert basemap.locate([36.2], [37.16], folder=tmp_path) == ([""], [""])


def test_csv_and_geojson_carry_the_country_and_region():
    layers = build_layers(sample_corpus(), sample_gazetteer())
    rows = list(csv.DictReader(io.StringIO(to_acled_csv(layers))))
    where = {row["event_id_cnty"]: (row["country"], row["admin1"]) for row in rows}
    assert where["000_a-e1"] == ("Syria", "Aleppo")
    assert where["001_b-e1"] == ("Switzerland", "Genève")
    collection = json.loads(geojson_bytes(layers))
    event = next(f for f in collection["features"] if f["properties"]["id"] == "000_a-e1")
    assert (event["properties"]["country_name"], event["properties"]["admin1"]) == (
        "Syria",
        "Aleppo",
    )


def test_the_browser_files_are_small():
    sizes = {
        str(path): (basemap.default_basemap_dir() / path).stat().st_size
        for path in basemap.browser_files()
    }
    # What a world view loads first: 110 m outlines, the client and the big towns.
    first = sum(
        sizes[name]
        for name in (
            "land-110m.js",
            "countries-110m.js",
            "topojson-client.min.js",
            "labels-major.js",
        )
    )
    assert first < 600_000
    assert sizes["admin1.js"] < 1_500_000
    assert max(size for name, size in sizes.items() if name.startswith("labels/")) < 500_000
