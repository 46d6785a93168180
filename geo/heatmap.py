"""The heatmap overlay: Leaflet.heat, fetched once from the npm registry, drawn offline.

``python -m geo.heatmap`` (``make basemap`` calls it) fetches ``leaflet.heat`` 0.2.0
with ``npm pack``, checks the archive against the registry's pinned SHA-512 and keeps
its one script in the cache (:func:`default_heat_dir`); ``copy_assets`` copies it beside
the map's other scripts. No map loads it from a CDN.

Each event weighs ``1 + ln(1 + fatalities)`` (``newsmap/heat.js``): an event with no
reported toll counts once, a massacre of 100 counts about 5.6 times. The log keeps one
large toll from hiding every other event, and the 1 keeps events without deaths on the
heatmap (shelling that killed no one, a protest) where they would otherwise vanish.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo.basemap import BasemapError, fetch_packages

#: The npm package, pinned, and the SHA-512 of its archive as the registry gives it.
PACKAGE = "leaflet.heat@0.2.0"
INTEGRITY = (
    "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/"
    "MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ=="
)
#: Where the plugin and newsmap's own heat script go under the map's asset folder.
SCRIPT = "leaflet-heat/leaflet-heat.js"
LAYER_SCRIPT = "newsmap/heat.js"
#: The layer control's name for the overlay.
NAME = "Heatmap (weighted by deaths)"
#: Options for ``L.heatLayer`` (``newsmap/heat.js`` sets ``max`` from the events shown).
OPTIONS = {"radius": 22, "blur": 18, "minOpacity": 0.35}


class HeatError(BasemapError):
    """The heatmap's script cannot be fetched or is not what the registry published."""


def default_heat_dir() -> Path:
    """Return where the fetched plugin is kept: ``$NEWSMAP_HEAT_DIR`` or the cache.

    The default is ``npm/leaflet.heat-0.2.0`` in the world index's cache folder
    (``geo.world.default_cache_dir``).
    """
    explicit = os.environ.get("NEWSMAP_HEAT_DIR")
    if explicit:
        return Path(explicit)
    from geo.world import default_cache_dir

    name, version = PACKAGE.rsplit("@", 1)
    return default_cache_dir() / "npm" / f"{name}-{version}"


def is_fetched(folder: Path | None = None) -> bool:
    """Return whether ``folder`` holds the plugin's script."""
    return ((folder or default_heat_dir()) / Path(SCRIPT).name).is_file()


def integrity_of(archive: bytes) -> str:
    """Return an archive's Subresource Integrity string, as npm's ``dist.integrity``.

    >>> integrity_of(b"")[:20]
    'sha512-z4PhNX7vuL3xV'
    """
    return "sha512-" + base64.b64encode(hashlib.sha512(archive).digest()).decode()


def ensure_heat(folder: Path | None = None) -> Path:
    """Fetch the plugin into ``folder`` unless it is there; return the folder."""
    dest = folder or default_heat_dir()
    if is_fetched(dest):
        return dest
    with tempfile.TemporaryDirectory(prefix="newsmap-heat-") as work:
        unpacked = fetch_packages(Path(work), (PACKAGE,))
        name, version = PACKAGE.rsplit("@", 1)
        found = integrity_of((Path(work) / f"{name}-{version}.tgz").read_bytes())
        if found != INTEGRITY:
            raise HeatError(f"npm pack {PACKAGE}: archive is {found}; expected {INTEGRITY}")
        dest.mkdir(parents=True, exist_ok=True)
        for source in ("dist/leaflet-heat.js", "LICENSE"):
            staged = dest / (Path(source).name + ".part")
            shutil.copyfile(unpacked[name] / source, staged)
            os.replace(staged, dest / Path(source).name)
    return dest


def copy_heat(root: Path, *, folder: Path | None = None) -> bool:
    """Copy the plugin to ``root/SCRIPT``; return False when it has not been fetched."""
    source = folder or default_heat_dir()
    if not is_fetched(source):
        return False
    target = root / SCRIPT
    target.parent.mkdir(parents=True, exist_ok=True)
    for name in ("leaflet-heat.js", "LICENSE"):
        if (source / name).is_file():
            shutil.copyfile(source / name, target.parent / name)
    return True


class HeatLayer(JSCSSMixin, Layer):
    """The heatmap overlay, off until the reader ticks it in the layer control.

    Filled from the event layer once each view is drawn (``window.newsmapShown``);
    a map whose plugin is missing says so when the overlay is ticked.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = window.newsmapHeat
          ? window.newsmapHeat.layer({{ this.options_json }})
          : L.layerGroup();
        {{ this._parent.get_name() }}.on("overlayadd", function (e) {
          if (e.layer === {{ this.get_name() }} && !(window.newsmapHeat && L.heatLayer)) {
            var note = L.control({position: "bottomleft"});
            note.onAdd = function () {
              var div = L.DomUtil.create("div", "nm-note nm-heat-error");
              div.textContent = "The heatmap's script is missing; run: python -m geo.heatmap";
              return div;
            };
            note.addTo({{ this._parent.get_name() }});
          }
        });
        window.newsmapShown(function () {
          if (window.newsmapHeat) {
            var events = {{ this.events.get_name() }};
            window.newsmapHeat.fill({{ this.get_name() }}, events.getLayers());
          }
        });
        {% endmacro %}
        """
    )

    def __init__(self, *, events: Layer, asset_base: str) -> None:
        super().__init__(name=NAME, overlay=True, control=True, show=False)
        self._name = "Heat"
        self.events = events
        self.options_json = json.dumps(OPTIONS, sort_keys=True)
        base = asset_base.rstrip("/")
        self.default_js = [
            ("leaflet_heat", f"{base}/{SCRIPT}"),
            ("newsmap_heat", f"{base}/{LAYER_SCRIPT}"),
        ]


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch the heatmap's script (``python -m geo.heatmap``); a no-op when it is there."""
    parser = argparse.ArgumentParser(prog="python -m geo.heatmap", description=main.__doc__)
    parser.add_argument("--dest", type=Path, default=None, help="default: the cache folder")
    args = parser.parse_args(argv)
    dest = args.dest or default_heat_dir()
    try:
        if is_fetched(dest):
            print(f"heatmap: {dest} is up to date")
            return 0
        ensure_heat(dest)
    except (BasemapError, OSError) as exc:
        print(f"heatmap: {exc}", file=sys.stderr)
        return 1
    print(f"heatmap: {PACKAGE} fetched into {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
