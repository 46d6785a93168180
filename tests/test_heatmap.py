"""Tests for geo.heatmap: the pinned plugin, fetched once, copied beside the map, offline."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest
from test_layers import sample_corpus, sample_gazetteer

from geo import heatmap
from geo.heatmap import HeatError, copy_heat, ensure_heat, integrity_of, is_fetched
from geo.layers import build_layers
from geo.webmap import build_map, copy_assets, render_map


@pytest.fixture(scope="module")
def page() -> str:
    layers = build_layers(sample_corpus(hostile=True), sample_gazetteer())
    return render_map(build_map(layers, asset_base="/app/static/vendor"))


def _fake_pack(tmp: Path, script: str) -> bytes:
    """Write a leaflet.heat-0.2.0.tgz holding ``script`` as its dist file; return its bytes."""
    src = tmp / "src" / "package"
    (src / "dist").mkdir(parents=True)
    (src / "dist" / "leaflet-heat.js").write_text(script, encoding="utf-8")
    (src / "LICENSE").write_text("BSD-2-Clause", encoding="utf-8")
    archive = tmp / "leaflet.heat-0.2.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(src, arcname="package")
    return archive.read_bytes()


def test_the_overlay_is_in_the_layer_control_and_off_at_first(page):
    overlays = re.search(r"overlays :\s*\{(.*?)\}", page, re.S)
    assert overlays and '"Heatmap (weighted by deaths)"' in overlays.group(1)
    heat = re.search(r'"Heatmap \(weighted by deaths\)" : (\w+),', page)
    assert heat
    assert f"{heat.group(1)}.addTo(" not in page  # the reader ticks it
    assert "Heatmap (weighted by deaths)" in page.split("nm-legend")[-1]  # named in the legend


def test_the_plugin_loads_from_the_asset_base_never_a_cdn(page):
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert "/app/static/vendor/leaflet-heat/leaflet-heat.js" in sources
    assert "/app/static/vendor/newsmap/heat.js" in sources
    assert sources.index("/app/static/vendor/leaflet/leaflet.js") < sources.index(
        "/app/static/vendor/leaflet-heat/leaflet-heat.js"
    )
    assert not any(s.startswith(("http:", "https:", "//")) for s in sources)


def test_copy_assets_puts_the_fetched_plugin_and_its_licence_beside_the_map(tmp_path):
    if not is_fetched():
        pytest.fail("run `python -m geo.heatmap` (make basemap does) before the tests")
    copy_assets(tmp_path)
    script = (tmp_path / "leaflet-heat/leaflet-heat.js").read_text(encoding="utf-8")
    assert "L.heatLayer" in script and "simpleheat" in script
    assert (tmp_path / "leaflet-heat/LICENSE").exists()
    assert "newsmapHeat" in (tmp_path / "newsmap/heat.js").read_text(encoding="utf-8")


def test_a_plugin_not_fetched_is_not_copied_and_nothing_breaks(tmp_path):
    assert copy_heat(tmp_path / "vendor", folder=tmp_path / "nowhere") is False
    assert not (tmp_path / "vendor").exists()


def test_the_registry_archive_is_checked_against_the_pinned_sha512(tmp_path, monkeypatch):
    def fake_fetch(work: Path, packages: tuple[str, ...]) -> dict[str, Path]:
        assert packages == (heatmap.PACKAGE,)
        (work / "leaflet.heat-0.2.0.tgz").write_bytes(_fake_pack(tmp_path, "tampered"))
        with tarfile.open(work / "leaflet.heat-0.2.0.tgz") as tar:
            tar.extractall(work / "leaflet.heat", filter="data")
        return {"leaflet.heat": work / "leaflet.heat" / "package"}

    monkeypatch.setattr(heatmap, "fetch_packages", fake_fetch)
    with pytest.raises(HeatError, match=r"leaflet.heat@0.2.0: archive is sha512-.*; expected"):
        ensure_heat(tmp_path / "cache")
    assert not is_fetched(tmp_path / "cache")  # nothing half-written is taken as fetched


def test_an_archive_with_the_pinned_digest_is_kept(tmp_path, monkeypatch):
    archive = _fake_pack(tmp_path, "L.heatLayer = function () {};")
    monkeypatch.setattr(heatmap, "INTEGRITY", integrity_of(archive))

    def fake_fetch(work: Path, packages: tuple[str, ...]) -> dict[str, Path]:
        (work / "leaflet.heat-0.2.0.tgz").write_bytes(archive)
        with tarfile.open(work / "leaflet.heat-0.2.0.tgz") as tar:
            tar.extractall(work / "leaflet.heat", filter="data")
        return {"leaflet.heat": work / "leaflet.heat" / "package"}

    monkeypatch.setattr(heatmap, "fetch_packages", fake_fetch)
    folder = ensure_heat(tmp_path / "cache")
    assert (folder / "leaflet-heat.js").read_text() == "L.heatLayer = function () {};"
    assert heatmap.main(["--dest", str(folder)]) == 0  # fetched once: then a no-op
