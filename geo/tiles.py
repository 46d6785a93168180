"""A reader's own tile archive: a PMTiles or MBTiles file, read for its metadata and tiles.

``NEWSMAP_TILES`` (or ``geo build --tiles``) names the file. ``open_archive`` reads what
the map needs to draw it (tile format, zooms, bounds, vector layer names) and fails with
one line naming the file and what was expected; ``TileArchive.tile`` returns one tile's
bytes as stored, for ``geo.serve`` to hand to the browser as a whole-tile response.

PMTiles is read with the ``pmtiles`` package's reader over a memory map; MBTiles is a
SQLite file (its rows are in TMS order: the y axis counts from the south).
"""

from __future__ import annotations

import json
import mmap
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pmtiles.reader import Reader
from pmtiles.tile import Compression, MagicNumberNotFound, SpecVersionUnsupported, TileType

from geo.errors import GeoError

#: The environment variable naming the reader's own archive.
ENV = "NEWSMAP_TILES"
Format = Literal["pbf", "png", "jpg", "webp"]
FORMATS: tuple[Format, ...] = ("pbf", "png", "jpg", "webp")
#: MIME type of each tile format, as served.
MEDIA_TYPES: dict[str, str] = {
    "pbf": "application/vnd.mapbox-vector-tile",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}
_PMTILES_FORMATS: dict[TileType, Format] = {
    TileType.MVT: "pbf",
    TileType.PNG: "png",
    TileType.JPEG: "jpg",
    TileType.WEBP: "webp",
}
_MBTILES_FORMATS: dict[str, Format] = {
    "pbf": "pbf",
    "mvt": "pbf",
    "png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
    "webp": "webp",
}
_SQLITE_MAGIC = b"SQLite format 3\x00"
WORLD = (-180.0, -85.0511, 180.0, 85.0511)


class TilesError(GeoError):
    """A tile archive cannot be read: missing, not an archive, or of an unknown format."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TileArchive:
    """What the map needs to know of an archive, and a way to read its tiles.

    ``bounds`` is (west, south, east, north) in degrees; ``layers`` names the vector
    layers (empty for raster); ``encoding`` is "gzip" when tiles are stored gzipped.
    """

    path: Path
    kind: Literal["pmtiles", "mbtiles"]
    format: Format
    name: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float]
    layers: tuple[str, ...] = ()
    encoding: Literal["gzip", ""] = ""
    attribution: str = ""
    _read: Any = field(default=None, repr=False, compare=False)

    @property
    def vector(self) -> bool:
        """Whether the tiles are vector tiles (Mapbox Vector Tile, "pbf")."""
        return self.format == "pbf"

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """Return tile z/x/y (XYZ order, y from the north) as stored, or None if absent."""
        if not (self.minzoom <= z <= self.maxzoom and 0 <= x < 2**z and 0 <= y < 2**z):
            return None
        data = self._read(z, x, y)
        return bytes(data) if data else None

    def summary(self) -> str:
        """Return one line saying what the archive is, for the command line."""
        kind = f"vector ({', '.join(self.layers) or 'no layers listed'})"
        what = kind if self.vector else f"raster {self.format}"
        return f"{self.path.name}: {what}, zoom {self.minzoom}-{self.maxzoom}"


def configured_path(explicit: str | Path | None = None) -> Path | None:
    """Return the archive to draw: ``explicit``, else ``$NEWSMAP_TILES``, else None."""
    value = explicit if explicit not in (None, "") else os.environ.get(ENV, "")
    return Path(value).expanduser() if value else None


def open_archive(path: str | Path) -> TileArchive:
    """Open a ``.pmtiles`` or ``.mbtiles`` file and read its metadata.

    The kind is read from the file's first bytes, not its name.

    Raises
    ------
    TilesError
        One line naming the file: missing, not a PMTiles or MBTiles archive, or tiles of
        a format the map cannot draw.
    """
    archive = Path(path)
    try:
        with archive.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError as exc:
        raise TilesError(
            f"{archive}: no such file; expected a .pmtiles or .mbtiles archive"
        ) from exc
    except IsADirectoryError as exc:
        raise TilesError(f"{archive}: is a folder; expected a .pmtiles or .mbtiles file") from exc
    except OSError as exc:
        raise TilesError(f"{archive}: cannot read: {exc.strerror}") from exc
    if head.startswith(b"PMTiles"):
        return _open_pmtiles(archive)
    if head.startswith(_SQLITE_MAGIC):
        return _open_mbtiles(archive)
    raise TilesError(
        f"{archive}: not a tile archive (starts with {head[:8]!r}); "
        "expected a PMTiles file or an MBTiles (SQLite) file"
    )


def _open_pmtiles(path: Path) -> TileArchive:
    handle = path.open("rb")
    try:
        mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    finally:
        handle.close()  # the map keeps its own reference to the file

    def get_bytes(offset: int, length: int) -> bytes:
        return mapping[offset : offset + length]

    reader = Reader(get_bytes)
    try:
        header = reader.header()
        metadata = reader.metadata()
    except SpecVersionUnsupported as exc:
        raise TilesError(f"{path}: PMTiles of an old version; expected version 3") from exc
    except (MagicNumberNotFound, ValueError, OSError, EOFError) as exc:
        raise TilesError(f"{path}: a damaged PMTiles file ({exc or 'bad header'})") from exc
    kind = header["tile_type"]
    if kind not in _PMTILES_FORMATS:
        raise TilesError(
            f"{path}: tiles of type {kind.name}; expected vector (MVT), PNG, JPEG or WebP"
        )
    compression = header["tile_compression"]
    if compression not in (Compression.NONE, Compression.GZIP, Compression.UNKNOWN):
        raise TilesError(f"{path}: tiles compressed with {compression.name}; expected gzip or none")
    bounds = (
        header["min_lon_e7"] / 1e7,
        header["min_lat_e7"] / 1e7,
        header["max_lon_e7"] / 1e7,
        header["max_lat_e7"] / 1e7,
    )
    meta = metadata if isinstance(metadata, dict) else {}
    return TileArchive(
        path=path,
        kind="pmtiles",
        format=_PMTILES_FORMATS[kind],
        name=str(meta.get("name") or path.stem),
        minzoom=int(header["min_zoom"]),
        maxzoom=int(header["max_zoom"]),
        bounds=_checked_bounds(path, bounds),
        layers=_layer_names(meta.get("vector_layers")),
        encoding="gzip" if compression == Compression.GZIP else "",
        attribution=str(meta.get("attribution") or ""),
        _read=reader.get,
    )


def _open_mbtiles(path: Path) -> TileArchive:
    try:
        db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        rows = dict(db.execute("SELECT name, value FROM metadata").fetchall())
        zooms = db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        first = db.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
    except sqlite3.Error as exc:
        raise TilesError(
            f"{path}: not an MBTiles file ({exc}); expected SQLite tables 'metadata' and 'tiles'"
        ) from exc
    fmt = str(rows.get("format") or "").lower()
    if fmt not in _MBTILES_FORMATS:
        raise TilesError(
            f"{path}: tile format {fmt or '(none given)'!r}; expected one of "
            "pbf, png, jpg, webp (the metadata table's 'format')"
        )
    try:
        minzoom = int(rows.get("minzoom", zooms[0]))
        maxzoom = int(rows.get("maxzoom", zooms[1]))
    except (TypeError, ValueError) as exc:
        raise TilesError(f"{path}: minzoom/maxzoom are not whole numbers, or no tile") from exc
    try:
        parts = [float(part) for part in str(rows.get("bounds") or "").split(",")]
        bounds = (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 else WORLD
    except ValueError:
        bounds = WORLD
    layers: tuple[str, ...] = ()
    if rows.get("json"):
        try:
            layers = _layer_names(json.loads(rows["json"]).get("vector_layers"))
        except (ValueError, AttributeError) as exc:
            raise TilesError(f"{path}: the metadata's 'json' is not JSON: {exc}") from exc
    encoding: Literal["gzip", ""] = (
        "gzip" if first is not None and bytes(first[0][:2]) == b"\x1f\x8b" else ""
    )
    lock = threading.Lock()

    def read(z: int, x: int, y: int) -> bytes | None:
        with lock:
            row = db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        return bytes(row[0]) if row else None

    return TileArchive(
        path=path,
        kind="mbtiles",
        format=_MBTILES_FORMATS[fmt],
        name=str(rows.get("name") or path.stem),
        minzoom=minzoom,
        maxzoom=maxzoom,
        bounds=_checked_bounds(path, bounds),
        layers=layers,
        encoding=encoding,
        attribution=str(rows.get("attribution") or ""),
        _read=read,
    )


def _layer_names(vector_layers: object) -> tuple[str, ...]:
    if not isinstance(vector_layers, list):
        return ()
    return tuple(
        str(layer["id"]) for layer in vector_layers if isinstance(layer, dict) and "id" in layer
    )


def _checked_bounds(
    path: Path, bounds: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    if not any(bounds):  # not given
        return WORLD
    west, south, east, north = bounds
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise TilesError(
            f"{path}: bounds {west}, {south}, {east}, {north} are not west, south, east, "
            "north in degrees"
        )
    return bounds
