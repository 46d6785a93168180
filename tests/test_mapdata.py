"""Tests for dashboard.mapdata: the map's features as content-named static files."""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from test_layers import sample_corpus, sample_gazetteer

from dashboard.mapdata import DATA_BASE, DATA_DIR, prune, publish, urls
from geo.layers import build_layers
from geo.webmap import MapFeatures, map_data_bytes


def test_publish_names_the_file_by_its_content_and_writes_it_once(tmp_path: Path) -> None:
    data = map_data_bytes(build_layers(sample_corpus(hostile=True), sample_gazetteer()))
    path = publish(data, folder=tmp_path)
    assert path.name == f"{hashlib.sha256(data).hexdigest()}.json"
    assert json.loads(path.read_bytes())["events"]["features"]  # what the map fetches
    os.utime(path, (1, 1))
    assert publish(data, folder=tmp_path) == path
    assert path.stat().st_mtime > 1  # used again: the last to be pruned
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no partial file left


def test_sessions_publishing_at_once_each_get_a_whole_file(tmp_path: Path) -> None:
    payloads = [json.dumps({"n": n % 3, "pad": "x" * 200_000}).encode() for n in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        paths = list(pool.map(lambda data: publish(data, folder=tmp_path), payloads))
    for data, path in zip(payloads, paths, strict=True):
        assert path.read_bytes() == data
    assert len(set(paths)) == 3
    assert not list(tmp_path.glob("*.part"))


def test_prune_keeps_the_most_recently_used_and_the_one_being_served(tmp_path: Path) -> None:
    files = []
    for n in range(6):
        path = tmp_path / f"{n:064x}.json"
        path.write_text("{}")
        os.utime(path, (1000 + n, 1000 + n))
        files.append(path)
    prune(tmp_path, keep=2, spare=files[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (files[0], files[4], files[5])
    )


def test_a_file_just_handed_to_a_page_is_never_pruned(tmp_path: Path) -> None:
    """Other sessions publishing many views must not remove what a page is about to fetch."""
    now = time.time()
    ancient = tmp_path / f"{0:064x}.json"
    handed_out = tmp_path / f"{1:064x}.json"
    newer = [tmp_path / f"{n:064x}.json" for n in range(2, 5)]
    for path in (ancient, handed_out, *newer):
        path.write_text("{}")
    os.utime(ancient, (now - 7200, now - 7200))
    os.utime(handed_out, (now - 5, now - 5))  # its page got the URL 5 s ago
    for path in newer:  # three sessions published since
        os.utime(path, (now, now))
    prune(tmp_path, keep=1)
    assert handed_out.exists(), "removed before the page could fetch it"
    assert not ancient.exists(), "a file nobody was handed for two hours is removed"


def test_urls_name_two_files_that_are_written_again_when_pruned() -> None:
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    features = MapFeatures(layers)
    view_url, popups_url = urls(features, layers, view=("test", "everything"))
    files = [DATA_DIR / url.removeprefix(f"{DATA_BASE}/") for url in (view_url, popups_url)]
    assert json.loads(files[0].read_bytes().splitlines()[1])  # an event's row
    assert json.loads(files[1].read_bytes())["sentences"]
    for path in files:  # another session's prune, or a cleaned folder
        path.unlink()
    assert urls(features, layers, view=("test", "everything")) == (view_url, popups_url)
    assert all(path.exists() for path in files)
