"""A reader's own tile archive: metadata read, bad files named, tiles served whole or by range.

Every archive here is made by the test: vector PMTiles and MBTiles by GDAL through
pyogrio (its PMTiles and MBTiles drivers), raster MBTiles as SQLite rows of PNGs.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from PIL import Image

from geo.cli import main
from geo.serve import make_server, start_in_thread
from geo.tilelayer import OwnTiles, OwnTilesLayer, load_style, tile_options
from geo.tiles import TilesError, configured_path, open_archive

#: Around Aleppo (lon 37.16, lat 36.20): the archives cover this box.
BOX = (37.0, 36.1, 37.3, 36.3)
MAXZOOM = 10
#: The colour of the raster test tiles, and of the vector water (tile_style.toml).
RED = (200, 30, 40)


def vector_archive(path: Path, *, driver: str, layer: str = "water") -> Path:
    """Write a vector archive (pyogrio/GDAL ``PMTiles`` or ``MBTiles``) of one layer."""
    frame = gpd.GeoDataFrame(
        {"name": ["Aleppo water", "Castello Road"], "kind": ["lake", "road"]},
        geometry=[
            shapely.box(*BOX),
            shapely.LineString([(37.05, 36.15), (37.25, 36.25)]),
        ],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(
        frame, path, driver=driver, layer=layer, MINZOOM=0, MAXZOOM=MAXZOOM, NAME="aleppo"
    )
    return path


def layered_mbtiles(path: Path, layers: dict[str, gpd.GeoDataFrame], *, maxzoom: int) -> Path:
    """Write a vector MBTiles of several layers: GDAL writes one MBTiles per layer, and a
    vector tile being a list of layers, the tiles of one place join by concatenation."""
    merged: dict[tuple[int, int, int], bytes] = {}
    vector_layers = []
    for name, frame in layers.items():
        part = path.with_name(f"{path.stem}-{name}.mbtiles")
        pyogrio.write_dataframe(
            frame, part, driver="MBTiles", layer=name, MINZOOM=0, MAXZOOM=maxzoom
        )
        db = sqlite3.connect(part)
        for z, x, y, data in db.execute("SELECT * FROM tiles"):
            merged[(z, x, y)] = merged.get((z, x, y), b"") + gzip.decompress(data)
        meta = dict(db.execute("SELECT name, value FROM metadata"))
        vector_layers += json.loads(meta["json"])["vector_layers"]
        db.close()
        part.unlink()
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
        " tile_data BLOB);"
    )
    west, south, east, north = gpd.GeoSeries(
        [shapely.box(*f.total_bounds) for f in layers.values()]
    ).total_bounds
    meta.update(name=path.stem, json=json.dumps({"vector_layers": vector_layers}))
    meta["bounds"] = f"{west},{south},{east},{north}"
    db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    db.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(*key, gzip.compress(data, mtime=0)) for key, data in sorted(merged.items())],
    )
    db.commit()
    db.close()
    return path


def aleppo_streets(path: Path) -> Path:
    """Write a small street map of a made-up quarter by Aleppo's citadel: land use, a
    river, a street grid, blocks of buildings and a layer no style names ("pipelines")."""
    west, south = 37.150, 36.190
    step = 0.002
    streets = [
        shapely.LineString([(west, south + i * step), (west + 10 * step, south + i * step)])
        for i in range(6)
    ] + [
        shapely.LineString([(west + i * step, south), (west + i * step, south + 5 * step)])
        for i in range(11)
    ]
    blocks = [
        shapely.box(
            west + i * step + 0.0003,
            south + j * step + 0.0003,
            west + (i + 1) * step - 0.0003,
            south + (j + 1) * step - 0.0003,
        )
        for i in range(10)
        for j in range(5)
        if (i + j) % 3
    ]

    def frame(geometries: list[shapely.Geometry], **columns: list[str]) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(columns or None, geometry=geometries, crs="EPSG:4326")

    layers = {
        "landuse": frame([shapely.box(west - 0.01, south - 0.01, west + 0.03, south + 0.02)]),
        "water": frame(
            [shapely.LineString([(west - 0.01, south - 0.004), (west + 0.03, south + 0.002)])]
        ),
        "transportation": frame(streets),
        "building": frame(blocks),
        "pipelines": frame(
            [shapely.LineString([(west, south + 5.5 * step), (west + 10 * step, south - 0.002)])]
        ),
    }
    return layered_mbtiles(path, layers, maxzoom=14)


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """Return the XYZ tile (y from the north) holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def raster_archive(path: Path, *, maxzoom: int = MAXZOOM) -> Path:
    """Write a raster MBTiles of solid red PNG tiles over ``BOX``, zoom 0 to ``maxzoom``."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), RED).save(buffer, format="PNG")
    png = buffer.getvalue()
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
        " tile_data BLOB);"
    )
    west, south, east, north = BOX
    meta = {"name": "red", "format": "png", "minzoom": "0", "maxzoom": str(maxzoom)}
    meta["bounds"] = f"{west},{south},{east},{north}"
    meta["attribution"] = "<img src=x onerror=alert(1)>"
    db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
    for z in range(maxzoom + 1):
        x0, y0 = tile_xy(west, north, z)
        x1, y1 = tile_xy(east, south, z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, png))
    db.commit()
    db.close()
    return path


def write_archives(folder: Path) -> dict[str, Path]:
    """Write the small vector PMTiles, vector MBTiles and raster MBTiles the tests draw."""
    return {
        "pmtiles": vector_archive(folder / "aleppo.pmtiles", driver="PMTiles"),
        "mbtiles": vector_archive(folder / "aleppo.mbtiles", driver="MBTiles"),
        "raster": raster_archive(folder / "red.mbtiles"),
    }


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_archives(tmp_path_factory.mktemp("tiles"))


@pytest.mark.parametrize(
    ("name", "kind", "fmt", "layers", "encoding"),
    [
        ("pmtiles", "pmtiles", "pbf", ("water",), "gzip"),
        ("mbtiles", "mbtiles", "pbf", ("water",), "gzip"),
        ("raster", "mbtiles", "png", (), ""),
    ],
    ids=["vector PMTiles by GDAL", "vector MBTiles by GDAL", "raster MBTiles of PNGs"],
)
def test_metadata_is_read(archives, name, kind, fmt, layers, encoding):
    archive = open_archive(archives[name])
    assert (archive.kind, archive.format, archive.layers) == (kind, fmt, layers)
    assert (archive.minzoom, archive.maxzoom, archive.encoding) == (0, MAXZOOM, encoding)
    west, south, east, north = archive.bounds
    assert west == pytest.approx(BOX[0], abs=0.01) and north == pytest.approx(BOX[3], abs=0.01)
    assert south == pytest.approx(BOX[1], abs=0.01) and east == pytest.approx(BOX[2], abs=0.01)
    # Aleppo's tile at the deepest zoom is there; a tile of the Pacific is not.
    assert archive.tile(MAXZOOM, *tile_xy(37.16, 36.2, MAXZOOM))
    assert archive.tile(MAXZOOM, *tile_xy(-150.0, 0.0, MAXZOOM)) is None
    assert archive.tile(MAXZOOM + 1, 0, 0) is None


def test_pmtiles_and_mbtiles_hold_the_same_vector_tile(archives):
    """The two formats GDAL wrote of one layer decode to the same tile (MBTiles flips y)."""
    x, y = tile_xy(37.16, 36.2, 8)
    tiles = [
        gzip.decompress(open_archive(archives[n]).tile(8, x, y)) for n in ("pmtiles", "mbtiles")
    ]
    assert tiles[0] == tiles[1]


def _sqlite_without_tiles(path: Path) -> Path:
    sqlite3.connect(path).execute("CREATE TABLE other (a)").connection.close()
    return path


def _mbtiles_of_format(path: Path, fmt: str) -> Path:
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name, value); CREATE TABLE tiles (zoom_level, tile_column,"
        f" tile_row, tile_data); INSERT INTO metadata VALUES ('format', '{fmt}');"
    )
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.pmtiles", r"missing\.pmtiles: no such file; expected a \.pmtiles"),
        (lambda d: d, r"is a folder; expected a \.pmtiles or \.mbtiles file"),
        (
            lambda d: (d / "notes.pmtiles").write_text("hello", "utf-8") and d / "notes.pmtiles",
            r"notes\.pmtiles: not a tile archive \(starts with b'hello'\); expected a PMTiles",
        ),
        (
            lambda d: _sqlite_without_tiles(d / "other.mbtiles"),
            r"other\.mbtiles: not an MBTiles file .*expected SQLite tables 'metadata' and 'tiles'",
        ),
        (
            lambda d: _mbtiles_of_format(d / "terrain.mbtiles", "tiff"),
            r"terrain\.mbtiles: tile format 'tiff'; expected one of pbf, png, jpg, webp",
        ),
    ],
    ids=["missing file", "a folder", "a text file", "SQLite but no tiles", "unknown format"],
)
def test_bad_archives_get_one_line_naming_the_file(tmp_path, make, message):
    with pytest.raises(TilesError, match=message) as caught:
        open_archive(make(tmp_path))
    assert "\n" not in str(caught.value)


def test_env_names_the_archive_and_an_option_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSMAP_TILES", str(tmp_path / "env.pmtiles"))
    assert configured_path() == tmp_path / "env.pmtiles"
    assert configured_path(tmp_path / "opt.mbtiles") == tmp_path / "opt.mbtiles"
    monkeypatch.delenv("NEWSMAP_TILES")
    assert configured_path() is None


@pytest.fixture(scope="module")
def server(archives, tmp_path_factory) -> Iterator[str]:
    """A tile server for the vector PMTiles, over a folder holding the raw archive too."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "aleppo.pmtiles").write_bytes(archives["pmtiles"].read_bytes())
    running = make_server(folder, archive=open_archive(archives["pmtiles"]))
    start_in_thread(running)
    yield f"http://127.0.0.1:{running.server_address[1]}"
    running.shutdown()
    running.server_close()


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-6", 0, 6), ("bytes=100-", 100, None), ("bytes=-20", -20, None)],
    ids=["first bytes (PMTiles magic)", "from an offset to the end", "the last 20 bytes"],
)
def test_range_requests_get_206_and_those_bytes(server, archives, header, start, end):
    whole = archives["pmtiles"].read_bytes()
    status, headers, body = _get(f"{server}/aleppo.pmtiles", Range=header)
    assert status == 206
    assert body == whole[start : None if end is None else end + 1]
    assert headers["Content-Range"].endswith(f"/{len(whole)}")


def test_a_range_past_the_end_gets_416(server, archives):
    size = archives["pmtiles"].stat().st_size
    status, headers, _ = _get(f"{server}/aleppo.pmtiles", Range=f"bytes={size + 10}-")
    assert status == 416 and headers["Content-Range"] == f"bytes */{size}"


def test_tiles_are_served_whole_gzipped_and_absent_ones_are_empty(server, archives):
    x, y = tile_xy(37.16, 36.2, 8)
    status, headers, body = _get(f"{server}/tiles/8/{x}/{y}")
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Access-Control-Allow-Origin"] == "*"  # the dashboard's map is another port
    assert body == open_archive(archives["pmtiles"]).tile(8, x, y)
    assert _get(f"{server}/tiles/8/0/0")[0] == 204


def test_the_style_names_common_layers_and_has_a_fallback():
    style = load_style()
    names = {name for entry in style["layers"] for name in entry["names"]}
    assert {"water", "roads", "transportation", "buildings", "landuse", "places"} <= names
    assert {"polygon", "line"} <= set(style["fallback"])


def test_archive_strings_are_escaped_on_the_map(archives):
    own = OwnTiles(archive=open_archive(archives["raster"]), url="tiles/{z}/{x}/{y}")
    options = tile_options(own)
    assert options["attribution"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert options["vector"] is False and options["bounds"][0][0] == pytest.approx(36.1, abs=0.01)
    layer = OwnTilesLayer(own, asset_base="vendor")
    assert [url for _, url in layer.default_js] == ["vendor/newsmap/owntiles.js"]


def test_geo_build_with_a_bad_archive_fails_in_one_line(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    code = main(
        ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--tiles", "x.pmtiles"]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "x.pmtiles: no such file; expected a .pmtiles or .mbtiles archive" in err


def test_geo_build_with_tiles_writes_a_map_that_asks_geo_serve_for_them(archives, tmp_path, capsys):
    seeds = tmp_path / "in"
    seeds.mkdir()
    seed = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))[0]
    (seeds / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    code = main(["build", str(seeds), "--out", str(out), "--tiles", str(archives["pmtiles"])])
    said = capsys.readouterr().out
    assert code == 0
    assert f"own tiles: aleppo.pmtiles: vector (water), zoom 0-{MAXZOOM}" in said
    assert f"python -m geo serve {out}" in said
    page = (out / "map.html").read_text(encoding="utf-8")
    assert '"url":"tiles/{z}/{x}/{y}"' in page
    assert "vendor/protomaps-leaflet/protomaps-leaflet.js" in page
    assert (out / "vendor" / "newsmap" / "owntiles.js").is_file()
    assert json.loads((out / "tiles.json").read_text(encoding="utf-8")) == {
        "archive": str(archives["pmtiles"].resolve())
    }
