"""Column types that read the same on SQLite and PostgreSQL and keep the file a GeoPackage.

:class:`Point`: PostGIS geometry on PostgreSQL, a GeoPackage geometry on SQLite.

The ``lat``/``lon`` columns are what newsmap reads back; the point is written beside them
so that GIS tools see the events as a layer: QGIS opens the SQLite collection as a
GeoPackage (its ``events`` table is a registered feature table) and a PostGIS connection
shows the ``events`` table with a GIST-indexed ``geometry(Point, 4326)``. GeoAlchemy2's
own SQLite support needs the SpatiaLite extension, which Debian's Python does not load,
so the SQLite side is written here: a GeoPackage geometry blob is an 8-byte header and
the WKB (GeoPackage 1.3, clause 2.1.3).

:class:`Name` and :class:`JSONText` are declared ``TEXT`` on SQLite, the type GDAL (and so
QGIS) reads from a GeoPackage without a warning; PostgreSQL keeps ``VARCHAR(n)``.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import shapely
from geoalchemy2 import Geometry
from sqlalchemy.engine import Dialect
from sqlalchemy.types import LargeBinary, String, Text, TypeDecorator, TypeEngine, UserDefinedType

__all__ = ["SRID", "JSONText", "Name", "Point", "gpkg_point"]

SRID = 4326


def gpkg_point(lat: float, lon: float) -> bytes:
    """Return a GeoPackage geometry blob of the point at ``lat``, ``lon`` (WGS 84).

    >>> gpkg_point(36.2, 37.16)[:8].hex()
    '47500001e6100000'
    """
    # "GP", version 0, flags 1 (little-endian, no envelope), then the SRS id.
    header = b"GP" + bytes((0, 1)) + struct.pack("<i", SRID)
    return header + shapely.to_wkb(shapely.Point(lon, lat), byte_order=1)


class Point(TypeDecorator[tuple[float, float]]):
    """A ``(lat, lon)`` point, written as PostGIS geometry or a GeoPackage blob."""

    impl = LargeBinary
    cache_ok = True
    spatial_index = False  # what GeoAlchemy2's table hooks ask: the migration makes the index

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        # GeoAlchemy2's table hooks ask with no dialect: a plain column to them, so they
        # leave it alone (the migration makes the GIST index itself).
        if dialect is None:
            return LargeBinary()
        if dialect.name == "postgresql":
            return dialect.type_descriptor(
                Geometry("POINT", srid=SRID, spatial_index=False, nullable=False)
            )
        return dialect.type_descriptor(_GeoPackagePoint())

    def process_bind_param(self, value: tuple[float, float] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        lat, lon = value
        if dialect.name == "postgresql":
            return f"SRID={SRID};POINT({lon!r} {lat!r})"  # PostGIS casts EWKT text
        return gpkg_point(lat, lon)

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[float, float] | None:
        return None  # written for GIS tools; newsmap reads lat and lon


class _GeoPackagePoint(UserDefinedType[bytes]):
    """A BLOB column declared ``POINT``, as GeoPackage asks of a feature table."""

    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "POINT"


class Name(TypeDecorator[str]):
    """A short text (an id, a type): ``VARCHAR(length)`` on PostgreSQL, ``TEXT`` on SQLite."""

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(String(self.length))


class JSONText(TypeDecorator[Any]):
    """A JSON value kept as text (lists of spans, corrected fields) on either database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)
