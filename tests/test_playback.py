"""Tests for geo.playback: the day-by-day control ships with every map, offline."""

from __future__ import annotations

import re

from test_layers import sample_corpus, sample_gazetteer

from geo import playback
from geo.layers import build_layers
from geo.webmap import build_map, copy_assets, render_map


def test_the_control_is_wired_to_the_cluster_the_events_and_the_heatmap():
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    page = render_map(build_map(layers, asset_base="vendor"))
    assert '<script src="vendor/newsmap/playback.js"></script>' in page
    call = re.search(r"window\.newsmapPlayback\(\w+, \{(.*?)\}\);", page, re.S)
    assert call
    wired = dict(re.findall(r"(\w+): ([\w.]+)", call.group(1)))
    assert wired["cluster"].startswith("marker_cluster_")
    assert wired["events"].startswith("geo_json_")
    assert wired["heat"].startswith("heat_")
    assert wired["tickMs"] == str(playback.TICK_MS)


def test_the_script_is_copied_as_a_file_not_written_from_python(tmp_path):
    copy_assets(tmp_path)
    script = (tmp_path / playback.SCRIPT).read_text(encoding="utf-8")
    assert "window.newsmapPlayback = function (map, options)" in script
    assert "Date.UTC" in script  # days are stepped as UTC days: no time zone shifts one
