"""Tests for geo.webmap: the offline folium map, its pop-ups and its escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from streamlit_folium import _get_feature_group_string
from test_layers import linked_corpus, sample_corpus, sample_gazetteer

from geo.errors import ExportError
from geo.layers import Layers, build_layers, filter_layers
from geo.webmap import (
    BUNDLE_SCRIPT,
    MAX_ZOOM_OFFLINE,
    MapFeatures,
    MapView,
    asset_urls,
    build_map,
    copy_assets,
    escape_text,
    map_data,
    map_data_bytes,
    map_view,
    marker_size,
    read_view_bytes,
    render_map,
    write_map_html,
)

CDN_MARKERS = (
    "jsdelivr",
    "cdnjs",
    "unpkg",
    "code.jquery.com",
    "bootstrapcdn",
    "bootstrap",
    "awesome-markers",
    "googleapis",
    "http://",
    "https://",
)


@pytest.fixture(scope="module")
def layers() -> Layers:
    return build_layers(sample_corpus(hostile=True), sample_gazetteer())


@pytest.fixture(scope="module")
def html_page(layers: Layers) -> str:
    return render_map(build_map(layers))


def _view(page: str) -> dict:
    """Return the one view (``map_view``) a page's script, or a view's script, shows."""
    found = re.search(r"window\.newsmapShow\((\{.*?\})\);\n", page)
    assert found, "the map's view is missing from the page"
    return json.loads(found.group(1))


def _embedded(page: str) -> dict:
    """Return the map data a standalone page carries in its script (its one view's)."""
    return _view(page)["data"]


def _collections(page: str) -> list[dict]:
    """Return the FeatureCollections the page's script draws."""
    data = _embedded(page)
    return [data[name] for name in ("events", "zones", "corridors", "places")]


def _features(page: str) -> dict[str, dict]:
    return {f["id"]: f for c in _collections(page) for f in c["features"]}


def test_map_html_references_no_cdn(html_page):
    without_meta = html_page.replace('http-equiv="content-type"', "")
    for marker in CDN_MARKERS:
        assert marker not in without_meta.lower(), marker


def test_scripts_load_from_the_asset_base(layers):
    html = render_map(build_map(layers, asset_base="/app/static/vendor"))
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources and all(s.startswith("/app/static/vendor/") for s in sources)
    assert "/app/static/vendor/markercluster/leaflet.markercluster.js" in sources
    # folium's own class lists are left alone: only this map's instance changed
    assert any("cdn" in url for _, url in folium.Map.default_js)


def test_copy_assets_puts_every_referenced_file_in_place(tmp_path):
    copy_assets(tmp_path)
    js, css = asset_urls("")
    for url in js + css:
        assert (tmp_path / url.lstrip("/")).stat().st_size > 0, url
    assert (tmp_path / "leaflet/images/marker-icon.png").exists()
    assert "L.Icon.Default.imagePath" in (tmp_path / "newsmap/leaflet-icons.js").read_text()


def _tables(page: str) -> dict:
    return _embedded(page)["popups"]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_feature_keeps_id_and_layer(layers, html_page):
    features = _features(html_page)
    expected = sum(len(frame) for _, frame in layers.items())
    assert len(features) == expected
    for feature_id, feature in features.items():
        properties = feature["properties"]
        assert feature_id == f"{properties['layer']}:{properties['id']}"
        assert properties.get("popup_html") or properties["layer"] == "event"


def test_event_popup_parts_tell_who_when_where_and_mark_the_place(html_page):
    event = _features(html_page)["event:000_a-e1"]["properties"]
    tables = _tables(html_page)
    article = tables["articles"][event["a"]]
    assert article["title"].startswith("Militants execute 26 civilians in Aleppo")
    assert article["outlet"] == "TASS"
    texts = tables["texts"]
    assert texts[event["when"]] == "2016-09-17 (precision: day)"
    assert texts[event["who"]] == "Russian Ministry of Defence"
    assert event["notes"] == "Militants executed 26 residents of Sheikh Hader."
    assert texts[event["where"]] == "al-Sheikh Khodr (precision: the place itself)"
    assert event["deaths"] == "26"
    assert "<mark>Sheikh Hader</mark>" in tables["sentences"][event["s"]]
    assert "window.newsmapPopups.eventHtml(p)" in html_page


def test_events_share_article_strings(html_page):
    tables = _tables(html_page)
    assert len(tables["articles"]) == 2  # five events, two articles: titles stored once


def test_range_and_unknown_fatalities_read_plainly(html_page):
    event = _features(html_page)["event:000_a-e2"]["properties"]
    when = _tables(html_page)["texts"][event["when"]]
    assert when == "2016-09-15 – 2016-09-16 (precision: week or range)"
    assert event["deaths"] == "not reported"


def test_zone_popup_says_what_was_buffered(html_page):
    popup = _features(html_page)["zone:000_a-z1"]["properties"]["popup_html"]
    assert "polygon of Aleppo&#x27;s extent" in popup
    assert "azimuthal-equidistant" in popup
    assert "<mark>Aleppo</mark>" in popup


def test_corridor_is_labelled(html_page):
    corridor = _features(html_page)["corridor:castello-road"]["properties"]
    assert corridor["label_html"] == "Castello Road"
    assert "permanent: true" in html_page


@pytest.mark.parametrize(
    ("text", "inert"),
    [
        pytest.param(
            "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;", id="tag"
        ),
        pytest.param("${alert(1)}", "&#36;&#123;alert(1)&#125;", id="template substitution"),
        pytest.param("{{ 7*7 }}", "&#123;&#123; 7*7 &#125;&#125;", id="jinja"),
        pytest.param("`rm -rf`", "&#96;rm -rf&#96;", id="backticks"),
        pytest.param("C:\\archive\\2016", "C:&#92;archive&#92;2016", id="backslashes"),
        pytest.param("\"q\" 'q'", "&quot;q&quot; &#x27;q&#x27;", id="quotes"),
    ],
)
def test_escape_text_is_inert_in_html_and_template_literals(text, inert):
    assert escape_text(text) == inert


def test_hostile_article_is_inert_in_every_popup(html_page):
    features = _features(html_page)
    texts = _strings(_tables(html_page))
    for feature in features.values():
        properties = dict(feature["properties"])
        properties.pop("id")  # plain ids; the pop-up uses id_html when escaping changes one
        texts += _strings(properties)
    for text in texts:
        assert "`" not in text and "${" not in text and "\\" not in text, text
        assert "<img" not in text and "<script" not in text and "<b>" not in text, text
    protest = features["event:001_b-e2"]["properties"]
    assert protest["notes"].startswith("&lt;img src=x onerror=alert(1)&gt; &#36;&#123;alert(1)")
    assert "C:&#92;archive&#92;2016" in protest["notes"]
    texts = _tables(html_page)["texts"]
    assert texts[protest["who"]] == "&lt;script&gt;alert(2)&lt;/script&gt;"
    assert texts[protest["actors"]] == "Protesters &#96;&#36;&#123;a&#125;&#96;"


def test_jinja_in_an_article_is_not_evaluated(layers, html_page):
    """branca renders every script through Jinja a second time: {{ 7*7 }} must stay text."""
    protest = _features(html_page)["event:001_b-e2"]["properties"]
    assert "&#123;&#123; 7*7 &#125;&#125; &#123;% raw %&#125; &#123;# near" in protest["notes"]
    assert "49" not in protest["notes"]
    selected = render_map(build_map(layers, selected="{{ 7*7 }}"))
    assert '"selected":"\\u007b{ 7*7 }}"' in selected
    assert _view(selected)["selected"] == "{{ 7*7 }}"


def test_no_article_text_can_close_the_page_script(html_page):
    # The hostile article says "</script>": escaped, then JSON-encoded inside the script
    assert html_page.count("</script>") == html_page.count("<script")
    assert "\\u0026lt;/script\\u0026gt;" in html_page


def test_markers_are_sized_by_fatalities():
    assert marker_size(None) == marker_size(0) == 14
    assert marker_size(1) < marker_size(26) < marker_size(12_800) == 40


def test_legend_lists_event_types_and_layers(html_page):
    assert "nm-legend" in html_page
    for label in ("Battles", "Violence against civilians (1)", "Corridors and roads", "Zones"):
        assert label in html_page


def test_same_layers_render_the_same_page(layers, html_page):
    assert render_map(build_map(layers)) == html_page


def test_offline_map_has_no_tiles_but_a_max_zoom(html_page):
    assert "L.tileLayer" not in html_page
    assert f'"maxZoom": {MAX_ZOOM_OFFLINE}' in html_page


def test_online_basemap_only_when_asked(layers):
    html = render_map(build_map(layers, tiles="OpenStreetMap.Mapnik"))
    assert "tile.openstreetmap.org" in html
    with pytest.raises(ExportError, match="unknown basemap 'Nowhere.Tiles'"):
        build_map(layers, tiles="Nowhere.Tiles")


def test_selected_event_opens_on_load(layers):
    html = render_map(build_map(layers, selected="000_a-e1"))
    shown = _view(html)
    assert shown["selected"] == "000_a-e1"
    # It opens at the event (placed at its town: zoom 13), not around every event.
    event = layers.events.set_index("id").loc["000_a-e1"]
    assert shown["center"] == [event["lat"], event["lon"]] and shown["zoom"] == 13
    assert "zoomToShowLayer" in html


def test_write_map_html_puts_vendor_beside_it(layers, tmp_path):
    path = write_map_html(layers, tmp_path)
    assert path.name == "map.html"
    # the page's own <script src> and <link href> (a pop-up's source link is built in JS)
    page = path.read_text(encoding="utf-8")
    assets = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', page)
    assert len(assets) >= 4
    for src in assets:
        assert (tmp_path / src).exists(), src


def test_a_map_with_a_data_url_fetches_the_same_data_and_carries_none_itself(layers, html_page):
    url = "/app/static/data/0123abcd.json"
    page = render_map(build_map(layers, data_url=url))
    assert _view(page)["url"] == url and "data" not in _view(page)
    assert '"features"' not in page  # no feature and no article text in the page
    assert len(page) < len(html_page)
    # What the page fetches is exactly what a standalone page embeds.
    assert json.loads(map_data_bytes(layers)) == _embedded(html_page)


def test_a_data_url_cannot_break_out_of_the_script(layers):
    page = render_map(build_map(layers, data_url='x.json"); alert(1); ("</script>'))
    # The URL stays one JSON string: its quote is escaped and it cannot close the script.
    assert '"url":"x.json\\"); alert(1); (\\"\\u003c/script\\u003e"' in page
    assert page.count("</script>") == page.count("<script")


def test_a_filtered_view_of_serialised_features_equals_its_own_map_data(layers):
    features = MapFeatures(layers)
    file = features.view_bytes(layers)
    assert len(file.splitlines()) == 1 + len(layers.events)  # a line per event after the first
    full = read_view_bytes(file)
    full["popups"] = json.loads(features.popups_bytes())
    assert full == map_data(layers)
    shown = filter_layers(layers, event_types=[layers.events["event_type"].iloc[0]])
    view = read_view_bytes(features.view_bytes(shown))
    assert [f["properties"]["id"] for f in view["events"]["features"]] == list(shown.events["id"])
    assert view["zones"]["features"] == full["zones"]["features"][: len(shown.zones)]
    popups = json.loads(features.popups_bytes())
    for feature in view["events"]["features"]:  # each pop-up's strings are in the shared table
        assert popups["sentences"][feature["properties"]["s"]]


def test_the_legend_starts_unfolded_unless_asked_to_start_folded(layers, html_page):
    # The legend's HTML sits in the script as JSON: "<" is written \\u003c there.
    assert "\\u003cdetails open\\u003e\\u003csummary\\u003eLegend" in html_page
    folded = render_map(build_map(layers, legend_open=False))
    assert "\\u003cdetails\\u003e\\u003csummary\\u003eLegend" in folded
    assert "Battles" in folded  # folded, still there


def test_an_events_popup_links_its_source_only_when_it_is_a_web_address():
    page = render_map(build_map(build_layers(linked_corpus(), sample_gazetteer())))
    data = _embedded(page)
    articles = data["popups"]["articles"]
    by_event = {
        f["properties"]["id"]: articles[f["properties"]["a"]] for f in data["events"]["features"]
    }
    assert by_event["000_a-e1"]["url"] == (
        "https://tass.com/world/901234?from=rss&amp;q=&lt;b&gt;&quot;x&quot;&lt;/b&gt;"
    )
    assert "url" not in by_event["001_b-e1"]  # javascript: never becomes a link
    assert "javascript:" not in page
    assert 'target="_blank" rel="noopener noreferrer"' in page


def test_the_documented_examples_hold() -> None:
    import doctest

    import geo.webmap

    result = doctest.testmod(geo.webmap)
    assert result.attempted > 0 and result.failed == 0


def test_a_bundled_map_loads_its_scripts_from_one_file_that_holds_each_in_order(layers, tmp_path):
    html = render_map(build_map(layers, asset_base="/app/static/vendor", bundle=True))
    assert re.findall(r'<script src="([^"]+)"', html) == [f"/app/static/vendor/{BUNDLE_SCRIPT}"]
    copy_assets(tmp_path)
    bundle = (tmp_path / BUNDLE_SCRIPT).read_text(encoding="utf-8")
    texts = {
        url: (tmp_path / url.lstrip("/")).read_text(encoding="utf-8") for url in asset_urls("")[0]
    }
    starts = [bundle.index(text) for text in texts.values()]
    assert starts == sorted(starts)  # Leaflet before the plugins that extend it
    # The scripts that find their folder from their own URL find the same one there.
    own = {Path(url.lstrip("/")).parent for url, text in texts.items() if "currentScript" in text}
    assert own == {Path(BUNDLE_SCRIPT).parent}


def _one_type(layers: Layers) -> Layers:
    return filter_layers(layers, event_types=[layers.events["event_type"].iloc[0]])


@pytest.mark.parametrize(
    "what",
    [
        {},
        {"selected": "000_a-e1"},
        {"data_url": "/app/static/data/aa.json", "popups_url": "/app/static/data/bb.json"},
        {"view": (36.2, 37.1, 12), "legend_open": True},
        {"filtered": True, "selected": "{{ 7*7 }}</script>"},
    ],
)
def test_a_live_map_is_the_same_page_whatever_it_shows(layers, what):
    """The dashboard keeps one map frame: st_folium makes a new one when the script changes."""
    what = dict(what)
    shown = _one_type(layers) if what.pop("filtered", False) else layers
    live = render_map(build_map(shown, live=True, **what))
    assert live == render_map(build_map(layers, live=True))
    assert "window.newsmapShow(" not in live  # nothing shown until a view is sent
    assert '"features"' not in live and "000_a-e1" not in live


def _sent(view: dict) -> str:
    """Return the script st_folium evaluates in the map frame for this view."""
    fmap = folium.Map(tiles=None)
    return _get_feature_group_string(MapView(view), map=fmap)


def test_a_view_travels_to_the_live_map_as_one_call_in_its_feature_group(layers):
    url = "/app/static/data/aa.json"
    shown = map_view(layers, data_url=url, legend_open=False)
    script = _sent(shown)
    assert _view(script) == shown
    assert shown["url"] == url and "data" not in shown  # the features stay in their file
    assert "<details>" in shown["legend"] and "Battles" in shown["legend"]  # folded, counted
    # The same view sends the same script (the frame leaves the map as it is: a click on a
    # marker keeps its pop-up); another filter, selection or epoch sends another.
    assert _sent(map_view(layers, data_url=url, legend_open=False)) == script
    others = [
        map_view(_one_type(layers), data_url=url, legend_open=False),
        map_view(layers, data_url=url, legend_open=False, selected="000_a-e1"),
        map_view(layers, data_url=url, legend_open=False, epoch=1),
    ]
    assert len({script, *(_sent(view) for view in others)}) == 4


def test_a_hostile_selection_cannot_leave_the_views_script(layers):
    script = _sent(map_view(layers, data_url="x.json", selected='"); alert(1); ("</script>'))
    # Its quote stays escaped inside one JSON string, and it cannot close the script.
    assert "</script>" not in script and not re.search(r'(?<!\\)"\); alert', script)
    assert _view(script)["selected"] == '"); alert(1); ("</script>'
