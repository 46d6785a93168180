"""Draw a reader's own tile archive under the events: vector with protomaps-leaflet, raster
with Leaflet.

``python -m geo.tilelayer`` (``make basemap`` calls it) fetches ``protomaps-leaflet``
5.1.0 once with ``npm pack``, checks the archive against the registry's SHA-512 and keeps
its browser bundle (which carries the ``pmtiles`` reader too) in the cache
(:func:`default_protomaps_dir`); ``copy_assets`` copies it beside the map's scripts. No
map loads it from a CDN.

The browser asks for whole tiles (``tiles/{z}/{x}/{y}``) from ``geo.serve``, which reads
them from the PMTiles or MBTiles file: so one path serves both kinds, raster and vector,
and no Range request is needed. Vector tiles are styled from ``geo/rules/tile_style.toml``.
The layer sits in its own pane above the offline basemap's land and lines and below its
town labels; outside the archive's bounds the offline basemap shows.

A page opened from ``file://`` cannot fetch tiles: it draws no tile layer and says on the
map that the own tiles need ``python -m geo serve OUT``.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo.basemap import BasemapError, fetch_packages
from geo.errors import RulesError
from geo.heatmap import integrity_of
from geo.tiles import TileArchive

#: The npm package, pinned, and the SHA-512 of its archive as the registry gives it.
PACKAGE = "protomaps-leaflet@5.1.0"
INTEGRITY = (
    "sha512-N0YY1Gbw5nZ9n8VUOvwHKm/w3zhTTuaZEeMZl8doHemeM4ujG"
    "Pp2otI6t4Sgqrz8iM4svx2rpG1Q17rHkOWSaA=="
)
#: Where the bundle and newsmap's own tile script go under the map's asset folder.
SCRIPT = "protomaps-leaflet/protomaps-leaflet.js"
LAYER_SCRIPT = "newsmap/owntiles.js"
STYLE_FILE = Path(__file__).resolve().parent / "rules" / "tile_style.toml"
#: The pane's stacking: above the basemap's land (150) and lines (160), below its labels.
PANE_Z = 165
_KINDS = {"polygon", "line", "point", "label"}


class ProtomapsError(BasemapError):
    """protomaps-leaflet cannot be fetched or is not what the registry published."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnTiles:
    """A tile archive and the URL template the browser fetches its tiles from.

    ``url`` holds ``{z}``, ``{x}`` and ``{y}``; ``serve_hint`` is the command that serves
    a standalone map with its tiles (said on the map when it is opened from a file).
    """

    archive: TileArchive
    url: str
    serve_hint: str = "python -m geo serve OUT"


def default_protomaps_dir() -> Path:
    """Return where the fetched bundle is kept: ``$NEWSMAP_PROTOMAPS_DIR`` or the cache."""
    explicit = os.environ.get("NEWSMAP_PROTOMAPS_DIR")
    if explicit:
        return Path(explicit)
    from geo.world import default_cache_dir

    name, version = PACKAGE.rsplit("@", 1)
    return default_cache_dir() / "npm" / f"{name}-{version}"


def is_fetched(folder: Path | None = None) -> bool:
    """Return whether ``folder`` holds the bundle."""
    return ((folder or default_protomaps_dir()) / Path(SCRIPT).name).is_file()


def ensure_protomaps(folder: Path | None = None) -> Path:
    """Fetch the bundle into ``folder`` unless it is there; return the folder."""
    dest = folder or default_protomaps_dir()
    if is_fetched(dest):
        return dest
    with tempfile.TemporaryDirectory(prefix="newsmap-protomaps-") as work:
        unpacked = fetch_packages(Path(work), (PACKAGE,))
        name, version = PACKAGE.rsplit("@", 1)
        found = integrity_of((Path(work) / f"{name}-{version}.tgz").read_bytes())
        if found != INTEGRITY:
            raise ProtomapsError(f"npm pack {PACKAGE}: archive is {found}; expected {INTEGRITY}")
        dest.mkdir(parents=True, exist_ok=True)
        for source in ("dist/protomaps-leaflet.js", "LICENSE"):
            staged = dest / (Path(source).name + ".part")
            shutil.copyfile(unpacked[name] / source, staged)
            os.replace(staged, dest / Path(source).name)
    return dest


def copy_protomaps(root: Path, *, folder: Path | None = None) -> bool:
    """Copy the bundle to ``root/SCRIPT``; return False when it has not been fetched."""
    source = folder or default_protomaps_dir()
    if not is_fetched(source):
        return False
    target = root / SCRIPT
    target.parent.mkdir(parents=True, exist_ok=True)
    for name in ("protomaps-leaflet.js", "LICENSE"):
        if (source / name).is_file():
            shutil.copyfile(source / name, target.parent / name)
    return True


@functools.lru_cache(maxsize=4)
def load_style(path: Path = STYLE_FILE) -> dict[str, Any]:
    """Return the vector style: ``{"layers": [{names, polygon, line, ...}], "fallback": {}}``.

    Raises
    ------
    RulesError
        ``tile_style.toml: ...`` for a bad entry.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{path.name}: cannot read: {exc}") from exc
    fallback = data.get("fallback", {})
    layers = data.get("layer", [])
    for number, entry in enumerate([fallback, *layers]):
        where = "[fallback]" if number == 0 else f"layer {number}"
        unknown = set(entry) - _KINDS - ({"names"} if number else set())
        if unknown:
            raise RulesError(
                f"{path.name}: {where}: unknown key {sorted(unknown)[0]!r}; "
                f"expected names, {', '.join(sorted(_KINDS))}"
            )
        if number and not (isinstance(entry.get("names"), list) and entry["names"]):
            raise RulesError(f"{path.name}: {where}: expected a non-empty list 'names'")
    return {"layers": layers, "fallback": fallback}


def tile_options(own: OwnTiles) -> dict[str, Any]:
    """Return what ``newsmapOwnTiles(map, options)`` draws, every archive string escaped."""
    from geo.webmap import escape_text

    archive = own.archive
    west, south, east, north = archive.bounds
    return {
        "url": own.url,
        "vector": archive.vector,
        "bounds": [[south, west], [north, east]],
        "minzoom": archive.minzoom,
        "maxzoom": archive.maxzoom,
        "layers": list(archive.layers),
        "style": load_style() if archive.vector else None,
        "pane": "nmOwnTiles",
        "paneZ": PANE_Z,
        # Leaflet writes attributions with innerHTML: the archive's text is escaped.
        "attribution": escape_text(archive.attribution) if archive.attribution else "",
        "fileNote": (
            f"Your own tiles ({archive.path.name}) are drawn only when this map is served: "
            f"run {own.serve_hint}"
        ),
        "missingNote": (
            "Your own tiles need protomaps-leaflet, which is missing; run: python -m geo.tilelayer"
        ),
        "errorNote": f"Your own tiles ({archive.path.name}) could not be loaded from the server.",
    }


class OwnTilesLayer(JSCSSMixin, Layer):
    """The reader's own tiles, listed in the layer control as "Own tiles (NAME)"."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = window.newsmapOwnTiles
          ? window.newsmapOwnTiles({{ this._parent.get_name() }}, {{ this.options_json }})
          : L.layerGroup();
        {% endmacro %}
        """
    )

    def __init__(self, own: OwnTiles, *, asset_base: str) -> None:
        from geo.webmap import escape_text, script_json

        # The layer control writes names with innerHTML.
        super().__init__(name=f"Own tiles ({escape_text(own.archive.name)})", show=True)
        self._name = "OwnTiles"
        self.options_json = script_json(tile_options(own))
        base = asset_base.rstrip("/")
        self.default_js = [("newsmap_owntiles", f"{base}/{LAYER_SCRIPT}")]
        if own.archive.vector:
            self.default_js.insert(0, ("protomaps_leaflet", f"{base}/{SCRIPT}"))


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch protomaps-leaflet (``python -m geo.tilelayer``); a no-op when it is there."""
    parser = argparse.ArgumentParser(prog="python -m geo.tilelayer", description=main.__doc__)
    parser.add_argument("--dest", type=Path, default=None, help="default: the cache folder")
    args = parser.parse_args(argv)
    dest = args.dest or default_protomaps_dir()
    try:
        if is_fetched(dest):
            print(f"own tiles: {dest} is up to date")
            return 0
        ensure_protomaps(dest)
    except (BasemapError, OSError) as exc:
        print(f"own tiles: {exc}", file=sys.stderr)
        return 1
    print(f"own tiles: {PACKAGE} fetched into {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
