"""The dashboard script under Streamlit's AppTest, and its small pure helpers.

AppTest runs ``dashboard/app.py`` without a browser: widgets can be set and the script
rerun, and st_folium shows up as a component whose JSON arguments hold the map's script.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import multiprocessing
import os
import pickle
import re
import shutil
import stat
import subprocess
import sys
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import pebble
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import data, panel, selection, sidebar, snapshot, view
from geo.articles import parse_article, read_articles
from geo.corpus import analyse
from geo.errors import StoreError
from geo.events import EXTRACTOR_VERSION, Extraction
from geo.gazetteer import load_gazetteer
from geo.layers import Layers, build_layers, filter_layers
from geo.models import EVENT_TYPES
from geo.store.collection import Collection
from geo.webmap import MapFeatures, read_view_bytes
from geo.world import load_world

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
STATIC = Path(__file__).resolve().parents[1] / "dashboard" / "static"
TIMEOUT_S = 120
#: Where the map's script fetches its data: shared files, or a session's secret folder.
DATA_PATH = r"data/(?:c-\d+-[\w-]{32}/)?[0-9a-f]{64}\.json"
HOSTILE = "<img src=x onerror=alert(1)> ${alert(1)} `ls` C:\\archive\\2016 \"q\" 's' &amp;"


@pytest.fixture(autouse=True)
def collection(fresh_collection: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's dashboard opens its own copy of the seeded collection."""
    monkeypatch.setenv("NEWSMAP_DB", str(fresh_collection))
    return fresh_collection


@pytest.fixture(scope="module")
def seed_layers() -> Layers:
    """The layers the dashboard maps at start-up, built here the same way."""
    gazetteer = load_gazetteer()
    corpus = analyse(read_articles(SEEDS), gazetteer, world=load_world())
    return build_layers(corpus, gazetteer)


def run(query: dict[str, Any] | None = None) -> AppTest:
    """Run the dashboard once, as a new session opening a link with ``query``."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    return at


def map_args(at: AppTest) -> dict[str, Any]:
    """Return the arguments the page sends to the st_folium component."""
    (component,) = at.get("component_instance")
    return dict(json.loads(component.proto.json_args))


def map_view(at: AppTest) -> dict[str, Any]:
    """Return the view the page sends its map (``geo.webmap.map_view``)."""
    found = re.search(r"window\.newsmapShow\((\{.*?\})\);", map_args(at)["feature_group"])
    assert found, "the page sends its map no view"
    return dict(json.loads(found[1]))


def map_data(at: AppTest) -> dict[str, Any]:
    """Return what the map fetches for its view: its features and their pop-up strings."""
    features, popups = (STATIC / path for path in data_paths(at))
    return read_view_bytes(features.read_bytes()) | {"popups": json.loads(popups.read_bytes())}


def drawn(at: AppTest, layer: str) -> int:
    """Return how many features of ``layer`` the map draws."""
    return sum(
        feature["properties"]["layer"] == layer
        for name in ("events", "zones", "corridors", "places")
        for feature in map_data(at)[name]["features"]
    )


def shown_count(at: AppTest) -> tuple[int, int]:
    """Return (events shown, events in all) from the line above the map."""
    for markdown in at.markdown:
        found = re.fullmatch(r"\*\*(\d+)\*\* of (\d+) events shown.*", markdown.value)
        if found:
            return int(found[1]), int(found[2])
    raise AssertionError("no 'N of M events shown' line")


def totals_text(at: AppTest) -> str:
    """Return the line of totals above the map, as the reader reads it."""
    for element in at.get("html"):
        found = re.fullmatch(r'<p class="nm-totals"[^>]*>(.*)</p>', str(element.proto.body))
        if found:
            return found[1]
    raise AssertionError("no line of totals")


def panel_html(at: AppTest) -> str:
    """Return the article panel's HTML ('' when nothing is selected)."""
    return "".join(str(element.proto.body) for element in at.get("html"))


# --- the page --------------------------------------------------------------------------


def test_the_sidebar_offers_every_filter_and_a_way_to_add_an_article() -> None:
    at = run()
    labels = {w.label for w in (*at.sidebar.multiselect, *at.sidebar.slider)}
    assert {"Dates", "Event types", "Outlets", "Articles", "Actors", "Claimed by"} <= labels
    assert at.sidebar.number_input(key="w_minfat").value == 0
    assert at.sidebar.selectbox(key="w_basemap").value == "none"
    assert at.sidebar.text_area(key="pasted").label.endswith("paste its text")
    assert {button.proto.label for button in at.get("download_button")} == {
        "GeoJSON",
        "CSV (ACLED columns)",
        "GeoPackage",
        "KML",
    }
    assert any(
        "GeoNames" in caption.value and "CC BY 4.0" in caption.value for caption in at.caption
    )


def test_the_map_holds_every_seed_event_corridor_and_zone_and_no_cdn(seed_layers: Layers) -> None:
    at = run()
    assert shown_count(at) == (len(seed_layers.events), len(seed_layers.events))
    assert drawn(at, "event") == len(seed_layers.events)
    assert drawn(at, "corridor") == len(seed_layers.corridors) > 0
    assert drawn(at, "zone") == len(seed_layers.zones) > 0
    args = map_args(at)
    # A click reruns (a marker picked, or a point to move an event to); panning does not.
    assert args["returned_objects"] == ["last_active_drawing", "last_clicked"]
    assert all(link.startswith("/app/static/vendor/") for link in args["js_links"])
    assert all(link.startswith("/app/static/vendor/") for link in args["css_links"])
    everything = args["script"] + args["header"] + args["html"] + args["feature_group"]
    assert re.findall(r"https?://", everything) == []
    assert len(at.dataframe[0].value) == len(seed_layers.events)


def test_a_rerun_that_shows_the_same_sends_the_same_small_script(seed_layers: Layers) -> None:
    at = run()
    first, first_view = map_args(at), map_view(at)
    at.run()  # what a click on the map or a picked row does
    assert map_args(at)["feature_group"] == first["feature_group"]
    kind = seed_layers.events["event_type"].value_counts().index[0]
    at.sidebar.multiselect(key="w_types").select(kind).run()
    # The same map (st_folium keeps its frame while the script is the same) is sent
    # another view, naming another data file.
    assert map_args(at)["script"] == first["script"]
    assert map_args(at)["feature_group"] != first["feature_group"]
    assert map_view(at)["url"] != first_view["url"]
    # The features live in the data file, not in what every rerun sends.
    for sent in (map_args(at)["script"], map_args(at)["feature_group"]):
        assert '"features"' not in sent
    assert len(map_args(at)["script"]) + len(map_args(at)["feature_group"]) < 40_000


def test_an_event_type_filter_changes_the_count_the_table_and_the_map(
    seed_layers: Layers,
) -> None:
    at = run()
    kind = seed_layers.events["event_type"].value_counts().index[-1]
    expected = filter_layers(seed_layers, event_types=[kind])
    at.sidebar.multiselect(key="w_types").select(kind).run()
    assert shown_count(at) == (len(expected.events), len(seed_layers.events))
    table = at.dataframe[0].value
    assert set(table["event_type"]) == {kind} and len(table) == len(expected.events)
    assert drawn(at, "event") == len(expected.events)
    assert at.query_params["type"] == kind


@pytest.mark.parametrize(
    "claimants",
    [
        pytest.param(["TASS"], id="a wire agency"),
        pytest.param(["Russian Ministry of Defence (Konashenkov)"], id="a ministry spokesman"),
        pytest.param(["TASS", "pulse.ng"], id="two claimants"),
    ],
)
def test_a_claimed_by_filter_shows_only_what_they_claim_and_goes_in_the_link(
    seed_layers: Layers, claimants: list[str]
) -> None:
    expected = filter_layers(seed_layers, claimed_by=claimants)
    assert 0 < len(expected.events) < len(seed_layers.events)
    at = run()
    at.sidebar.multiselect(key="w_claimed").set_value(claimants).run()
    assert shown_count(at) == (len(expected.events), len(seed_layers.events))
    assert drawn(at, "event") == len(expected.events)
    assert drawn(at, "zone") == len(expected.zones)
    link = at.query_params["claimed"]
    assert ([link] if isinstance(link, str) else list(link)) == claimants
    again = run({"claimed": claimants})  # the link opens on the same events
    assert again.sidebar.multiselect(key="w_claimed").value == claimants
    assert shown_count(again)[0] == len(expected.events)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({}, id="every seed event"),
        pytest.param({"type": ["Battles"]}, id="battles only"),
        pytest.param({"minfat": "1"}, id="only events with a toll"),
        pytest.param({"claimed": ["TASS"]}, id="what TASS claims"),
    ],
)
def test_the_totals_add_up_what_the_filters_show(
    seed_layers: Layers, query: dict[str, Any]
) -> None:
    at = run(query)
    shown = at.dataframe[0].value if at.dataframe else None
    assert shown is not None
    line = totals_text(at)
    assert line.startswith(f"{len(shown)} event")
    tolls = shown["fatalities"]
    if tolls.notna().any():
        assert f"{int(tolls.sum()):,} fatalit" in line
    missing = int(tolls.isna().sum())
    assert (f"{missing} event" in line and "no toll" in line) == (0 < missing < len(shown))
    for kind, count in shown["event_type"].value_counts().items():
        assert f"{kind} {count}" in line
    absent = set(seed_layers.events["event_type"]) - set(shown["event_type"])
    assert not any(f"{kind} " in line for kind in absent)


def test_minimum_fatalities_hides_unreported_and_smaller_tolls(seed_layers: Layers) -> None:
    at = run()
    at.sidebar.number_input(key="w_minfat").set_value(1).run()
    table = at.dataframe[0].value
    assert len(table) == len(filter_layers(seed_layers, min_fatalities=1).events) > 0
    assert table["fatalities"].notna().all() and (table["fatalities"] >= 1).all()
    assert at.query_params["minfat"] == "1"


def test_a_link_restores_the_filters_and_the_selected_event(seed_layers: Layers) -> None:
    event = seed_layers.events.dropna(subset=["fatalities"]).iloc[0]
    query = {"type": [event["event_type"]], "minfat": "1", "event": event["id"]}
    at = run(query)
    assert at.sidebar.multiselect(key="w_types").value == [event["event_type"]]
    assert at.sidebar.number_input(key="w_minfat").value == 1
    expected = filter_layers(seed_layers, event_types=[event["event_type"]], min_fatalities=1)
    assert shown_count(at)[0] == len(expected.events)
    html = panel_html(at)
    assert 'class="nm-article"' in html and '<mark class="nm-place">' in html
    assert "nm-evidence" in html
    assert map_view(at)["selected"] == event["id"]  # its pop-up opens on load
    assert at.query_params["event"] == event["id"]


def map_opens_at(at: AppTest) -> tuple[float, float, int]:
    """Return the (lat, lon, zoom) the map's view opens at."""
    view = map_view(at)
    assert "center" in view and "zoom" in view, "the map's view names no centre and zoom"
    return float(view["center"][0]), float(view["center"][1]), int(view["zoom"])


def marked_rows(at: AppTest) -> set[int]:
    """Return the table rows drawn with the selected event's background."""
    styles = at.dataframe[0].proto.arrow_data.styler.styles
    rows = set()
    for selectors, rule in re.findall(r"([^{}]+)\{([^}]*)\}", styles):
        if selection.MARKED_ROW_CSS in rule:
            rows |= {int(row) for row in re.findall(r"_row(\d+)_col", selectors)}
    return rows


def pick_row(at: AppTest, row: int) -> AppTest:
    """Pick a row of the "Events shown" table, as a click on it does, and rerun."""
    at.session_state["table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("precision", "zoom"),
    [
        pytest.param(1, 13, id="a road or district: its streets"),
        pytest.param(2, 11, id="near the place: its surroundings"),
        pytest.param(3, 6, id="a country standing in for the place: the country"),
    ],
)
def test_a_picked_row_flies_the_map_to_its_event_and_marks_its_row(
    seed_layers: Layers, precision: int, zoom: int
) -> None:
    events = seed_layers.events.reset_index(drop=True)
    row = int(events.index[events["geo_precision"] == precision][0])
    event = events.iloc[row]
    at = run()
    assert marked_rows(at) == set()
    pick_row(at, row)
    assert map_view(at)["selected"] == event["id"]  # its pop-up opens
    lat, lon, opens = map_opens_at(at)
    assert (lat, lon) == pytest.approx((event["lat"], event["lon"]), abs=1e-5)
    assert opens == zoom
    assert marked_rows(at) == {row}
    assert f"The selected event is row {row + 1}, marked below." in [c.value for c in at.caption]
    assert at.query_params["event"] == event["id"]
    assert 'class="nm-article"' in panel_html(at)


def test_a_selected_event_marks_its_row_and_a_rerun_leaves_the_map_as_it_is(
    seed_layers: Layers,
) -> None:
    events = seed_layers.events.reset_index(drop=True)
    linked, picked = events.iloc[5], events.iloc[1]
    at = run({"event": linked["id"]})  # what a marker click also selects
    assert marked_rows(at) == {5}
    assert "The selected event is row 6, marked below." in [c.value for c in at.caption]
    pick_row(at, 1)
    view = map_args(at)["feature_group"]
    assert map_view(at)["selected"] == picked["id"] and json.dumps(linked["id"]) not in view
    at.run()  # a rerun with the table unchanged, as a marker click makes: map stays
    assert map_args(at)["feature_group"] == view
    assert marked_rows(at) == {1}


@pytest.mark.parametrize(
    ("listed", "shown", "selected", "note"),
    [
        pytest.param(
            ["ev-a", "ev-b"],
            ["ev-a", "ev-b"],
            "ev-b",
            "The selected event is row 2, marked below.",
            id="a listed event",
        ),
        pytest.param(
            [f"ev-{n}" for n in range(1_000)],
            [f"ev-{n}" for n in range(1_500)],
            "ev-1200",
            "The selected event is on the map but not among the 1,000 listed here.",
            id="past the table's first 1,000 rows",
        ),
        pytest.param(["ev-a"], ["ev-a"], "zone-3", "", id="a zone has no row"),
        pytest.param(["ev-a"], ["ev-a"], None, "", id="nothing selected"),
    ],
)
def test_the_table_says_where_the_selected_event_is(
    listed: list[str], shown: list[str], selected: str | None, note: str
) -> None:
    assert selection.table_note(listed, shown, selected) == note
    marked = [i for i, css in enumerate(selection.row_css(listed, selected)) if css]
    assert marked == ([listed.index(selected)] if selected in listed else [])


def test_a_link_with_values_the_data_lacks_still_opens(seed_layers: Layers) -> None:
    at = run({"type": ["Nonsense", "Battles"], "minfat": "many", "from": "not a date"})
    assert at.sidebar.multiselect(key="w_types").value == ["Battles"]
    assert at.sidebar.number_input(key="w_minfat").value == 0
    assert shown_count(at)[0] == len(filter_layers(seed_layers, event_types=["Battles"]).events)


def test_filters_that_match_nothing_say_so(seed_layers: Layers) -> None:
    events = seed_layers.events
    article = events["article"].iloc[0]
    missing = sorted(
        set(events["event_type"]) - set(events[events["article"] == article].event_type)
    )
    at = run({"article": [article], "type": [missing[0]]})
    assert shown_count(at)[0] == 0
    assert "No events match these filters" in at.info[0].value
    assert drawn(at, "event") == 0
    # no events table; the articles table still lists every article, none shown
    assert [frame for frame in at.dataframe if "event_date" in frame.value.columns] == []
    assert {row["shown"] for row in articles_rows(at)} == {0}


def test_an_online_basemap_is_used_only_when_picked() -> None:
    at = run()
    assert "tile.openstreetmap.org" not in map_args(at)["script"]
    at.sidebar.selectbox(key="w_basemap").select("osm").run()
    assert "tile.openstreetmap.org" in map_args(at)["script"]
    assert at.query_params["basemap"] == "osm"


def test_pasted_text_is_mapped_at_once_beside_the_seeds(seed_layers: Layers) -> None:
    at = run()
    text = (SEEDS / "004_3e970b6954da8ebe.txt").read_text(encoding="utf-8")
    at.sidebar.text_area(key="pasted").input(text.replace("Aleppo", "Aleppo city", 1))
    at.sidebar.button[0].click().run()
    assert not at.error
    shown, total = shown_count(at)
    assert shown == total > len(seed_layers.events)
    assert any("6 articles" in markdown.value for markdown in at.markdown)


def test_a_text_the_collection_holds_is_not_added_twice(seed_layers: Layers) -> None:
    at = run()
    text = (SEEDS / "004_3e970b6954da8ebe.txt").read_text(encoding="utf-8")
    paste(at, text)
    assert not at.error
    assert "already in the collection (as 004_3e970b6954da8ebe)" in panel_html(at)
    assert shown_count(at) == (len(seed_layers.events), len(seed_layers.events))


REPORT = (
    "Shelling in Kharkiv\n\nKHARKIV, Ukraine, March 3, 2024 (Wire) - Artillery shelled a "
    "market in Kharkiv on Sunday, killing four civilians, regional officials said.\n"
)


def paste(at: AppTest, text: str) -> AppTest:
    """Paste ``text`` into the sidebar and map it."""
    at.sidebar.text_area(key="pasted").input(text)
    at.sidebar.button[0].click().run()
    assert not at.exception, at.exception
    return at


def data_paths(at: AppTest) -> list[str]:
    """The data files the page's map fetches, relative to dashboard/static/."""
    view = map_view(at)
    paths = [url.removeprefix("/app/static/") for url in (view["url"], view["popups"])]
    assert all(re.fullmatch(DATA_PATH, path) for path in paths), paths
    return paths


def test_a_restarted_server_shows_its_snapshot_until_the_collection_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "snapshots"
    monkeypatch.setenv("NEWSMAP_SNAPSHOTS", str(folder))
    shown, total = shown_count(run())
    (kept,) = folder.glob("*.pickle")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # Leave a mark in the snapshot, to see which map a restarted server shows: three events.
    corpus, layers, _ = pickle.loads(kept.read_bytes())
    fewer = replace(layers, events=layers.events.iloc[:3])
    kept.write_bytes(pickle.dumps((corpus, fewer, MapFeatures(fewer))))
    st.cache_resource.clear()  # the server restarts: its memory is gone, its snapshot is not
    at = run()
    assert shown_count(at) == (3, 3)
    paste(at, REPORT)  # the collection changes: it is mapped afresh
    assert shown_count(at)[1] > total == shown
    (newer,) = folder.glob("*.pickle")
    assert newer != kept


def test_a_torn_snapshot_is_mapped_afresh_and_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "snapshots"
    monkeypatch.setenv("NEWSMAP_SNAPSHOTS", str(folder))
    expected = shown_count(run())
    (kept,) = folder.glob("*.pickle")
    kept.write_bytes(kept.read_bytes()[:1000])  # a disk filled up while it was written
    st.cache_resource.clear()
    assert shown_count(run()) == expected
    assert len(kept.read_bytes()) > 1000  # written again, whole


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        pytest.param(
            "postgresql://ana:first@db.local/war",
            "postgresql://ana:second@db.local/war",
            True,
            id="a new password, the same collection",
        ),
        pytest.param(
            "postgresql://ana@db.local/war", "postgresql://ana@db.local/peace", False, id="another"
        ),
        pytest.param("data/c.gpkg", "data/../data/c.gpkg", True, id="one file, two spellings"),
    ],
)
def test_a_snapshot_is_named_by_its_collection(one: str, other: str, same: bool) -> None:
    stamp = (5, 5, 1, 0, 0)
    assert (snapshot.snapshot_path(one, stamp) == snapshot.snapshot_path(other, stamp)) is same
    assert snapshot.snapshot_path(one, stamp) != snapshot.snapshot_path(one, (6, 6, 2, 0, 0))
    assert "first" not in str(snapshot.snapshot_path(one, stamp))


@pytest.mark.parametrize(
    ("context", "runs_main"),
    [
        pytest.param(data.WORKER_CONTEXT, False, id="the worker's: the script does not run"),
        pytest.param(
            multiprocessing.get_context("spawn"), True, id="plain spawn: the script runs again"
        ),
    ],
)
def test_the_worker_process_does_not_run_the_servers_script_first(
    context: Any, runs_main: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a Streamlit server the main module is the app script; a child that ran it again
    # would load and map the whole collection before adding one article.
    ran = tmp_path / "ran"
    script = tmp_path / "app.py"
    script.write_text(f"import pathlib\npathlib.Path({str(ran)!r}).write_text('ran')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    pool = pebble.ProcessPool(max_workers=1, max_tasks=1, context=context)
    try:
        assert pool.schedule(os.getpid).result(timeout=60) != os.getpid()
    finally:
        pool.close()
        pool.join()
    assert ran.exists() is runs_main


def test_a_large_collection_lists_its_first_thousand_articles(collection: Path) -> None:
    # 1,200 short wire items that gave no event beside the seeds: the table sent on every
    # run holds the first 1,000 (those without events first) and says how many there are.
    items = [
        parse_article(
            f"Talks resume\n\nGENEVA, March {1 + i % 28}, 2024 (Wire) - Delegations met "
            f"again on item {i} of the agenda, a spokesperson said.\n",
            path=f"wire/{i:04d}.txt",
        )
        for i in range(1_200)
    ]
    with Collection.open(str(collection)) as store:
        store.add_articles(items, by="desk")
        silent = Extraction(events=(), silence="no sentence reports an event")
        store.save_readings([(a.id, ((), silent, ())) for a in items], version=EXTRACTOR_VERSION)
    at = run()
    listed = at.dataframe[-1].value
    assert len(listed) == 1_000
    assert set(listed["events"]) == {0}
    assert any(
        "The first 1,000 of 1,205 articles are listed" in caption.value for caption in at.caption
    )


def test_an_article_past_the_servers_memory_budget_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = paste(run(), REPORT)
    before = shown_count(at)
    room = data.ledger().held() + data.BYTES_PER_CHAR * len(REPORT) // 2
    monkeypatch.setattr(data.ledger(), "budget", room)
    paste(at, REPORT.replace("four civilians", "five civilians"))
    assert len(at.error) == 1 and "not added" in at.error[0].value
    assert "\n" not in at.error[0].value
    assert shown_count(at) == before  # what was added before is still mapped


def test_a_large_addition_is_mapped_in_the_worker_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data, "WORKER_CHARS", 100)
    at = paste(run(), REPORT)
    assert not at.error
    shown, total = shown_count(at)
    assert shown == total and any("6 articles" in markdown.value for markdown in at.markdown)
    assert any("Kharkiv" in (STATIC / path).read_text(encoding="utf-8") for path in data_paths(at))


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        pytest.param("   \n  ", "pasted text: empty", id="blank"),
        pytest.param("\x00\x01\x02" * 50, "pasted text: not text", id="binary"),
    ],
)
def test_bad_pasted_text_says_why_and_changes_nothing_else(
    pasted: str, message: str, seed_layers: Layers
) -> None:
    at = run()
    before = shown_count(at)
    at.sidebar.text_area(key="pasted").input(pasted)
    at.sidebar.button[0].click().run()
    assert len(at.error) == 1 and at.error[0].value.startswith(message)
    assert "\n" not in at.error[0].value
    assert shown_count(at) == before
    assert drawn(at, "event") == len(seed_layers.events)


# --- the article panel -----------------------------------------------------------------


def test_the_article_panel_marks_places_on_the_original_text_and_escapes_the_rest() -> None:
    text = f"Shelling in Aleppo. {HOSTILE} Then Homs."
    places = [(text.index("Aleppo"), text.index("Aleppo") + 6), (text.index("Homs"), len(text) - 1)]
    html = panel.article_html(text, places, evidence=(0, text.index(".") + 1))
    assert '<mark class="nm-place">Aleppo</mark>' in html
    assert '<mark class="nm-place">Homs</mark>' in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&amp;amp;" in html  # an entity in the article is shown as written
    assert '<span class="nm-evidence">Shelling in <mark class="nm-place">Aleppo</mark>.' in html


def test_the_article_panel_greys_out_what_is_not_the_report() -> None:
    text = "ADVERTISEMENT\nAleppo was shelled.\nShare this news"
    html = panel.article_html(text, [(14, 20)], body=[(14, 33)])
    assert html.startswith('<div class="nm-article"><span class="nm-aside">ADVERTISEMENT\n</span>')
    assert html.endswith('<span class="nm-aside">\nShare this news</span></div>')


def test_place_marks_that_cross_the_evidence_sentence_are_dropped_not_broken() -> None:
    html = panel.article_html("Al Bab. Aleppo", [(3, 10)], evidence=(0, 7))
    assert "<mark" not in html and html.count("<span") == html.count("</span>") == 1


def test_fields_are_escaped_and_empty_ones_left_out() -> None:
    html = panel.fields_html({"Claimed by": HOSTILE, "Fatalities": None, "Related": ("a", "b")})
    assert "<img" not in html and "Fatalities" not in html and "<dd>a, b</dd>" in html


# --- the view in the URL and what st_folium returns ------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(view.View(), id="nothing chosen"),
        pytest.param(view.View(types=("Battles", "Protests"), actors=("Militants",)), id="lists"),
        pytest.param(view.View(claimed=("TASS", "Ukrainian General Staff")), id="claimants"),
        pytest.param(view.View(min_fatalities=26, selected="ev-1", basemap="osm"), id="scalars"),
        pytest.param(view.View(statuses=("confirmed", "rejected")), id="review statuses"),
    ],
)
def test_a_view_survives_the_trip_through_the_url(link: view.View) -> None:
    assert view.from_query(view.to_query(link)) == link


SEED_FIRST, SEED_LAST = dt.date(2016, 2, 27), dt.date(2016, 10, 26)


@pytest.mark.parametrize(
    ("shown", "ext", "name"),
    [
        pytest.param(
            view.View(types=("Battles",)),
            "geojson",
            "newsmap-2016-02-27_2016-10-26-battles.geojson",
            id="battles over the whole range",
        ),
        pytest.param(view.View(), "csv", "newsmap-2016-02-27_2016-10-26.csv", id="everything"),
        pytest.param(
            view.View(start=dt.date(2016, 9, 17), end=dt.date(2016, 9, 17)),
            "kml",
            "newsmap-2016-09-17.kml",
            id="one day in Aleppo",
        ),
        pytest.param(
            view.View(start=dt.date(2016, 9, 1), types=("Explosions/Remote violence", "Riots")),
            "gpkg",
            "newsmap-2016-09-01_2016-10-26-explosions-remote-violence_riots.gpkg",
            id="a slash in a type is no folder",
        ),
        pytest.param(
            view.View(types=("Protests",), claimed=("Ukrainian General Staff",)),
            "geojson",
            "newsmap-2016-02-27_2016-10-26-protests-filtered.geojson",
            id="a claimant marks the name filtered",
        ),
        pytest.param(
            view.View(outlets=("Hürriyet",), min_fatalities=3),
            "csv",
            "newsmap-2016-02-27_2016-10-26-filtered.csv",
            id="an outlet and a toll, not their names",
        ),
        pytest.param(
            view.View(types=tuple(t for t in EVENT_TYPES if t != "Battles")),
            "geojson",
            "newsmap-2016-02-27_2016-10-26-5-types.geojson",
            id="many types are counted",
        ),
        pytest.param(
            view.View(types=("Battles",)),
            "../../etc/passwd",
            "newsmap-2016-02-27_2016-10-26-battles.etcpasswd",
            id="an extension cannot climb folders",
        ),
    ],
)
def test_a_download_is_named_for_what_it_holds(shown: view.View, ext: str, name: str) -> None:
    got = view.download_name(shown, ext=ext, first=SEED_FIRST, last=SEED_LAST)
    assert got == name
    assert re.fullmatch(r"[A-Za-z0-9._-]+", got) and len(got) <= view.MAX_FILE_NAME


def test_a_download_name_stays_short_whatever_is_picked() -> None:
    every = view.View(
        start=dt.date(2022, 2, 24),
        types=EVENT_TYPES,
        actors=("Military Forces of Ukraine (2019-)",) * 40,
        claimed=("Міністерство оборони України",),
    )
    got = view.download_name(every, ext="geojson", last=dt.date(2022, 12, 31))
    assert got == "newsmap-2022-02-24_2022-12-31-6-types-filtered.geojson"
    assert len(got) <= view.MAX_FILE_NAME


def test_a_typed_link_with_commas_reads_as_a_list() -> None:
    assert view.from_query({"type": "Battles, Protests"}).types == ("Battles", "Protests")


def test_a_click_is_read_from_the_clicked_feature() -> None:
    clicked = {"last_active_drawing": {"type": "Feature", "properties": {"id": "ev-9"}}}
    assert selection.clicked_id(clicked) == "ev-9"
    assert selection.clicked_id({"last_active_drawing": None}) is None
    assert selection.clicked_id(None) is None


def test_the_header_counts_the_articles_of_the_events_the_filters_keep(seed_layers: Layers) -> None:
    at = run()
    outlets = at.sidebar.multiselect(key="w_outlets")
    outlet = outlets.options[0]
    outlets.set_value([outlet]).run()
    shown, _ = shown_count(at)
    line = next(m.value for m in at.markdown if "events shown" in m.value)
    kept = re.search(r"from \*\*(\d+)\*\* of (\d+) articles", line)
    assert kept is not None, line
    assert 0 < int(kept[1]) < int(kept[2]) == 5
    assert shown < len(seed_layers.events)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"c": "36.20000,37.16000", "z": "11"}, (36.2, 37.16, 11), id="a shared link"),
        pytest.param({"c": "36.2,37.16"}, None, id="a centre without a zoom"),
        pytest.param({"c": "95,37", "z": "5"}, None, id="a latitude off the earth"),
        pytest.param({"c": "Aleppo", "z": "5"}, None, id="a name is no centre"),
        pytest.param({"c": "36.2,37.16", "z": "-3"}, None, id="a negative zoom"),
    ],
)
def test_a_link_keeps_the_maps_centre_and_zoom(query, expected) -> None:
    read = view.from_query(query)
    assert view.map_view(read) == expected
    if expected is not None:
        assert view.to_query(read) == {"c": "36.20000,37.16000", "z": "11"}


def test_session_data_left_by_a_server_that_is_gone_is_deleted_at_start(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    gone = data.DATA_DIR / f"s-{ended.stdout.strip()}-{'x' * 32}"
    live = data.DATA_DIR / f"s-{os.getpid()}-{'y' * 32}"
    for folder in (gone, live):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{'0' * 64}.json").write_text("{}", encoding="utf-8")
    try:
        data._sweep()
        assert not gone.exists()  # a stopped server's readers' text is not left on disk
        assert (live / f"{'0' * 64}.json").is_file()  # a running server's is kept
    finally:
        for folder in (gone, live):
            shutil.rmtree(folder, ignore_errors=True)


# --- why an article is or is not on the map ---------------------------------------------

UNDATED = (
    "Gunmen attack village in Zamfara\n\nGunmen attacked a village in Zamfara state on "
    "Tuesday, killing six farmers, police said. Residents fled to the nearby town of Gusau.\n"
)


def articles_rows(at: AppTest) -> list[dict[str, Any]]:
    """The rows of the page's articles table."""
    (table,) = [frame for frame in at.dataframe if "left out" in frame.value.columns]
    return list(table.value.to_dict("records"))


def test_the_articles_table_gives_every_article_its_events_and_why_not_more(
    seed_layers: Layers,
) -> None:
    rows = articles_rows(run())
    assert len(rows) == 5
    counts = seed_layers.events["article"].value_counts()
    assert sorted(row["events"] for row in rows) == sorted(counts.tolist())
    assert all(row["shown"] == row["events"] for row in rows)
    # a seed with sentences left out says which reasons, counted
    assert any(row["left out"] > 0 and "told again" in row["why"] for row in rows)


@pytest.mark.parametrize(
    ("day", "outlet", "expected_events", "why"),
    [
        pytest.param(None, "", 0, "no date", id="no date given: it says why"),
        pytest.param(dt.date(2024, 3, 14), "Kaduna Herald", 1, "", id="a date given: mapped"),
    ],
)
def test_an_undated_article_can_be_given_a_date_and_outlet_in_the_upload_form(
    day: dt.date | None, outlet: str, expected_events: int, why: str
) -> None:
    at = run()
    if day is not None:
        at.sidebar.date_input(key="w_upload_date").set_value(day)
    at.sidebar.text_input(key="w_upload_outlet").input(outlet)
    paste(at, UNDATED)
    (row,) = [r for r in articles_rows(at) if r["article"] == "Gunmen attack village in Zamfara"]
    assert row["events"] == expected_events and why in row["why"]
    assert row["date"] == (day.isoformat() if day else "no date")
    assert row["outlet"] == outlet


# --- the article's web address ----------------------------------------------------------

ZAMFARA_URL = "https://kaduna-herald.example/news/2024/03/14/gunmen-zamfara?ref=<rss>"


def sidebar_errors(at: AppTest) -> list[str]:
    """The one-line error boxes of the sidebar, as HTML."""
    return [
        str(element.proto.body)
        for element in at.sidebar.get("html")
        if "nm-upload-error" in str(element.proto.body)
    ]


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("javascript:alert(document.domain)", id="javascript:"),
        pytest.param("data:text/html,<b>x</b>", id="data: with markup, shown as text"),
        pytest.param("kaduna-herald.example/news/1", id="no scheme"),
    ],
)
def test_a_bad_address_in_the_upload_form_says_so_and_adds_nothing(typed: str) -> None:
    at = run()
    before = shown_count(at)
    at.sidebar.date_input(key="w_upload_date").set_value(dt.date(2024, 3, 14))
    at.sidebar.text_input(key="w_upload_url").input(typed)
    paste(at, UNDATED)
    (message,) = sidebar_errors(at)
    said = f"URL: {typed!r} is not a web address; expected one starting with http://"
    assert html.escape(said) in message
    assert shown_count(at) == before  # the pasted article was not added
    assert all(r["article"] != "Gunmen attack village in Zamfara" for r in articles_rows(at))
    assert "javascript:" not in json.dumps(map_args(at))


def test_an_address_given_in_the_upload_form_is_the_articles_source_link() -> None:
    at = run()
    at.sidebar.date_input(key="w_upload_date").set_value(dt.date(2024, 3, 14))
    at.sidebar.text_input(key="w_upload_url").input(f"  {ZAMFARA_URL} ")
    paste(at, UNDATED)
    assert sidebar_errors(at) == []
    (row,) = [r for r in articles_rows(at) if r["article"] == "Gunmen attack village in Zamfara"]
    assert row["url"] == ZAMFARA_URL and row["events"] == 1
    events = at.dataframe[0]
    zamfara = events.value[events.value["title"] == "Gunmen attack village in Zamfara"]
    assert zamfara["source_url"].tolist() == [ZAMFARA_URL]
    seeds = events.value[events.value["title"] != "Gunmen attack village in Zamfara"]
    assert (seeds["source_url"] == "").all()  # the seeds are text files: no address
    config = json.loads(events.proto.columns)
    assert config["source_url"]["type_config"]["type"] == "link"
    data = map_data(at)
    (feature,) = [
        f for f in data["events"]["features"] if f["properties"]["article"].startswith("pasted-")
    ]
    popup = data["popups"]["articles"][feature["properties"]["a"]]
    assert popup["url"] == html.escape(ZAMFARA_URL)  # the pop-up's Source link, escaped
    # The article panel of that event links it too, escaped, in a new tab.
    at.session_state["selected"] = feature["properties"]["id"]
    at.run()
    link = f'href="{html.escape(ZAMFARA_URL)}" target="_blank" rel="noopener noreferrer"'
    assert link in panel_html(at)


def test_an_unknown_toll_reads_not_reported_and_the_column_stays_numeric(
    seed_layers: Layers,
) -> None:
    table = run().dataframe[0]
    tolls = table.value["fatalities"]
    assert tolls.isna().any() and tolls.notna().any()  # the seeds have both
    assert str(tolls.dtype) == "Int64"  # sorted as numbers, not as text
    assert table.proto.placeholder == "not reported"  # what a missing cell is drawn as
    config = json.loads(table.proto.columns)
    assert config["fatalities"]["type_config"]["type"] == "number"


# --- the timeline under the map --------------------------------------------------------


def timeline_caption(at: AppTest) -> str:
    """Return the line above the timeline that says what it charts."""
    for caption in at.caption:
        if "Drag across the bars" in caption.value or "No events to chart" in caption.value:
            return str(caption.value)
    raise AssertionError("no timeline caption")


def test_the_timeline_is_a_brushable_chart_of_every_date(seed_layers: Layers) -> None:
    at = run()
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["params"][0]["select"] == {"type": "interval", "encodings": ["x"]}
    total = len(seed_layers.events)
    days = seed_layers.events["event_date"].astype(str).nunique()
    assert timeline_caption(at).startswith(f"{total} events on {days} days, 27 Feb 2016 to ")
    assert not any(button.label == "All dates" for button in at.button)  # nothing to clear


def test_a_links_dates_grey_the_rest_of_the_timeline_and_all_dates_clears_them(
    seed_layers: Layers,
) -> None:
    at = run({"from": "2016-09-01", "to": "2016-09-30"})
    shown, total = shown_count(at)
    september = filter_layers(seed_layers, start=dt.date(2016, 9, 1), end=dt.date(2016, 9, 30))
    assert shown == len(september.events) < total
    # The chart keeps every date, so a reader sees what lies outside September.
    assert timeline_caption(at).startswith(f"{total} events on ")
    assert f"; {shown} within the dates chosen." in timeline_caption(at)

    at.button(key="timeline_all").click().run()
    assert shown_count(at) == (total, total)
    assert "from" not in at.query_params and "to" not in at.query_params
    assert at.sidebar.slider(key="w_dates").value == (dt.date(2016, 2, 27), dt.date(2016, 10, 26))


def test_filters_that_leave_no_event_say_so_instead_of_an_empty_chart(
    seed_layers: Layers,
) -> None:
    protests = seed_layers.events[seed_layers.events["event_type"] == "Protests"]
    assert len(protests) and protests["fatalities"].isna().all()  # no toll: minfat 1 hides all
    at = run({"type": "Protests", "minfat": "1"})
    assert shown_count(at)[0] == 0
    assert (
        timeline_caption(at)
        == "No events to chart: no event matches the filters other than the dates."
    )
    assert at.get("vega_lite_chart") == []


# --- the collection: shared by sessions, reviewed in the panel ---------------------------


def button(at: AppTest, label: str) -> Any:
    """Return the one button labelled ``label``."""
    (found,) = [b for b in at.button if b.label == label]
    return found


def review_box(at: AppTest) -> str:
    """Return the panel's review (status, who, when, history) as HTML."""
    return "".join(
        str(element.proto.body)
        for element in at.get("html")
        if 'class="nm-review' in str(element.proto.body)
    )


def first_event(seed_layers: Layers) -> str:
    return str(seed_layers.events.sort_values("id")["id"].iloc[0])


def test_an_article_added_in_one_session_is_mapped_in_every_other(seed_layers: Layers) -> None:
    paste(run(), REPORT)
    other = run()  # another reader, later: the article is in the collection
    shown, total = shown_count(other)
    assert shown == total == len(seed_layers.events) + 1
    (row,) = [r for r in articles_rows(other) if r["article"] == "Shelling in Kharkiv"]
    assert row["events"] == 1
    # Only the session that added it lists it under "Added in this session".
    assert "Added in this session" not in "".join(str(e.proto.body) for e in other.get("html"))


def test_a_review_is_kept_with_who_and_when_and_seen_by_another_session(
    seed_layers: Layers,
) -> None:
    event_id = first_event(seed_layers)
    at = run({"event": event_id})
    assert 'data-status="proposed"' in review_box(at)
    at.sidebar.text_input(key="w_reviewer").input("Rana <b>")
    at.text_input(key=f"rv_note-{event_id}-0").input("two wires agree")
    button(at, "Confirm").click().run()
    assert not at.exception, at.exception
    assert "Saved: confirmed" in review_box(at)
    other = run({"event": event_id})
    box = review_box(other)
    assert 'data-status="confirmed"' in box and "by Rana &lt;b&gt; at 20" in box
    assert "two wires agree" in box and "<b>" not in box
    table = other.dataframe[0].value
    assert table.loc[table["title"].notna()].shape[0] == len(seed_layers.events)
    assert "confirmed" in set(table["review_status"])


def test_a_review_made_on_an_old_version_is_refused_and_changes_nothing(
    seed_layers: Layers,
) -> None:
    event_id = first_event(seed_layers)
    mine, theirs = run({"event": event_id}), run({"event": event_id})  # both read version 0
    button(theirs, "Confirm").click().run()
    button(mine, "Reject").click().run()  # my page still shows version 0
    assert not mine.exception, mine.exception
    box = review_box(mine)
    assert "was changed by analyst since you read version 0" in box
    assert "nothing was saved" in box and 'role="alert"' in box
    assert 'data-status="confirmed"' in box  # theirs stands, and my page now shows it
    assert 'data-status="confirmed"' in review_box(run({"event": event_id}))


def test_a_rejected_event_leaves_the_map_unless_the_status_filter_asks_for_it(
    seed_layers: Layers,
) -> None:
    event_id = first_event(seed_layers)
    at = run({"event": event_id})
    button(at, "Reject").click().run()
    total = len(seed_layers.events)
    assert shown_count(at) == (total - 1, total - 1)
    assert 'data-status="rejected"' in review_box(at)  # the panel still holds it
    rejected = run({"status": "rejected"})
    assert shown_count(rejected) == (1, 1)
    assert view.from_query(rejected.query_params).statuses == ("rejected",)
    assert shown_count(run({"status": ["proposed", "rejected"]})) == (total, total)


def test_a_correction_sets_the_toll_and_the_place_and_says_which_fields(
    seed_layers: Layers,
) -> None:
    event_id = first_event(seed_layers)
    at = run({"event": event_id})
    suffix = f"{event_id}-0"
    at.checkbox(key=f"rv_unknown-{suffix}").uncheck()
    at.number_input(key=f"rv_dead-{suffix}").set_value(12)
    at.selectbox(key=f"rv_place-{suffix}").set_value("point")
    at.number_input(key=f"rv_lat-{suffix}").set_value(36.2)
    at.number_input(key=f"rv_lon-{suffix}").set_value(37.16)
    button(at, "Save the correction").click().run()
    assert not at.exception, at.exception
    box = review_box(at)
    assert 'data-status="corrected"' in box
    assert "Corrected: fatalities, geo_precision, lat, location, lon, place_id" in box
    table = at.dataframe[0].value
    (row,) = table[table["review_status"] == "corrected"].to_dict("records")
    assert row["fatalities"] == 12 and row["location"] == "36.20000, 37.16000"


def test_by_status_keeps_all_but_the_rejected_unless_told(seed_layers: Layers) -> None:
    from geo.store import review as store_review
    from geo.store.collection import Collection
    from geo.store.export import collection_map

    with Collection.open(os.environ["NEWSMAP_DB"]) as store:
        event_id = first_event(seed_layers)
        store_review.reject(store, event_id, by="ana", version=0)
        _, layers = collection_map(store, load_gazetteer())
    kept = data.by_status(layers, ())
    assert event_id not in set(kept.events["id"])
    assert len(kept.events) == len(seed_layers.events) - 1
    assert set(data.by_status(layers, ("rejected",)).events["id"]) == {event_id}


def test_two_reports_of_one_event_are_merged_into_one(seed_layers: Layers) -> None:
    from dashboard import review as panel_review

    events = seed_layers.events.assign(review_status="proposed", review_version=0)
    keep = next(
        row
        for row in events.drop(columns="geometry").to_dict("records")
        if panel_review.merge_candidates(row, events)
    )
    at = run({"event": keep["id"]})
    absorb = at.selectbox(key=f"rv_merge-{keep['id']}-0").value  # the nearest report
    assert absorb in {row["id"] for row in panel_review.merge_candidates(keep, events)}
    button(at, "Merge into this event").click().run()
    assert not at.exception, at.exception
    assert f"Merged here: {absorb}" in review_box(at)
    total = len(seed_layers.events)
    assert shown_count(at) == (total - 1, total - 1)  # the absorbed report is not shown
    assert shown_count(run()) == (total - 1, total - 1)  # nor to anyone else


CORRECTED_EVENT = {
    "event_date": "2016-09-17",
    "event_type": "Battles",
    "fatalities": 5,
    "lat": 36.2,
    "lon": 37.16,
    "actor1": "Militants",
    "actor2": "",
}
AS_SHOWN = {
    "date": dt.date(2016, 9, 17),
    "type": "Battles",
    "dead": 5,
    "unknown": False,
    "place": "keep",
    "lat": 36.2,
    "lon": 37.16,
    "actor1": "Militants",
    "actor2": "",
}


@pytest.mark.parametrize(
    ("changed", "fields"),
    [
        pytest.param({"dead": 7}, {"fatalities": 7}, id="a new toll"),
        pytest.param({"unknown": True}, {"fatalities": None}, id="the report gives no toll"),
        pytest.param(
            {"type": "Protests", "actor2": " Civilians "},
            {"event_type": "Protests", "actor2": "Civilians"},
            id="type and actor, trimmed",
        ),
        pytest.param(
            {"place": "point", "lat": 36.25, "lon": 37.1},
            {
                "place_id": "point:36.25000,37.10000",
                "location": "36.25000, 37.10000",
                "lat": 36.25,
                "lon": 37.1,
                "geo_precision": 1,
            },
            id="a point of the reader's",
        ),
        pytest.param(
            {"place": "aleppo"},
            {"place_id": "aleppo", "location": "Aleppo", "geo_precision": 1},
            id="another gazetteer place",
        ),
    ],
)
def test_a_correction_holds_only_what_the_reader_changed(
    changed: dict[str, Any], fields: dict[str, Any]
) -> None:
    from dashboard.review import correction_of

    aleppo = load_gazetteer().get("aleppo")
    made = correction_of(CORRECTED_EVENT, AS_SHOWN | changed, {"aleppo": aleppo}).fields()
    assert {name: made[name] for name in fields} == fields
    assert set(made) <= set(fields) | {"lat", "lon"}


def test_a_form_left_as_it_was_is_no_correction() -> None:
    from dashboard.review import correction_of

    with pytest.raises(StoreError, match="must change at least one field"):
        correction_of(CORRECTED_EVENT, AS_SHOWN, {}).fields()


def test_an_added_article_opens_beside_the_map_and_the_link_names_it() -> None:
    at = paste(run(), REPORT)
    event = at.query_params["event"]
    assert "Shelling in Kharkiv" in panel_html(at)
    again = run({"event": event})  # the link opens it for anyone
    assert "Shelling in Kharkiv" in panel_html(again)


@pytest.mark.parametrize("name", ["data", "panel", "review"])
def test_the_examples_in_the_docstrings_hold(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(f"dashboard.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


TITLES = {
    "kh": "Shelling hits a Kharkiv market",
    "ju": "Ceasefire talks in Juba stall again",
    "mo": "Drone strike near Mosul airport",
    "bk": "Frappe aérienne près de Bouaké",
    "mg": "Mogadishu hotel siege ends",
}


@pytest.mark.parametrize(
    ("query", "chosen", "limit", "offered", "matched"),
    [
        pytest.param("", (), 2, ("kh", "ju"), 5, id="no words: the first, up to the limit"),
        pytest.param("kharkiv", (), 2, ("kh",), 1, id="a word of one title"),
        pytest.param("MARKET kharkiv", (), 9, ("kh",), 1, id="every word, any case or order"),
        pytest.param("market juba", (), 9, (), 0, id="words of two titles: none"),
        pytest.param("bouake", (), 9, ("bk",), 1, id="accents aside"),
        pytest.param("près de", (), 9, ("bk",), 1, id="accented query"),
        pytest.param("juba", ("mg",), 9, ("mg", "ju"), 1, id="the chosen first, then the found"),
        pytest.param("", ("mg", "mo"), 1, ("mo", "mg", "kh"), 5, id="the limit is past the chosen"),
        pytest.param("bk", (), 9, ("bk",), 1, id="an article id"),
    ],
)
def test_the_articles_filter_offers_what_the_search_finds(
    query: str, chosen: tuple[str, ...], limit: int, offered: tuple[str, ...], matched: int
) -> None:
    articles = tuple(TITLES)
    found = sidebar.article_options(articles, TITLES, query, chosen=chosen, limit=limit)
    assert found == (offered, matched)


def test_a_collection_too_large_to_list_is_searched_for_articles(
    seed_layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every option is sent to the browser on every run; past the limit (2 here, 200 in
    # use) the reader finds articles by the words of their titles instead.
    monkeypatch.setattr(sidebar, "ARTICLE_CHOICES", 2)
    seeds = read_articles(SEEDS)
    mapped = sorted(set(seed_layers.events["article"]))
    assert len(mapped) > 2
    at = run()
    assert len(at.sidebar.multiselect(key="w_articles").options) == 2
    assert any(f"{len(mapped)} articles are in this collection" in c.value for c in at.caption)
    wanted = next(a for a in seeds if a.id == mapped[-1])
    word = max(wanted.title.split(), key=len)
    at.sidebar.text_input(key="w_find_articles").input(word).run()
    options = at.sidebar.multiselect(key="w_articles").options
    assert wanted.title in options and len(options) <= 2
    at.sidebar.multiselect(key="w_articles").select(wanted.id).run()
    expected = seed_layers.events[seed_layers.events["article"] == wanted.id]
    assert shown_count(at) == (len(expected), len(seed_layers.events))
    assert at.query_params["article"] == wanted.id
