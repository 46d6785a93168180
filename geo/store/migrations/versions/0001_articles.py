"""Articles and the extractor's reading of them (mentions, events, zones).

On SQLite the file is also made a GeoPackage (1.3) whose ``events`` table is a feature
table, so QGIS opens the collection directly; on PostgreSQL the event points get a GIST
index.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import geo.store.columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# GeoPackage 1.3 (OGC 12-128r18), clauses 1.1.2-1.1.3: the three reference systems every
# GeoPackage lists, and the table of contents naming the feature table.
_GPKG_TABLES = (
    """CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
    organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
    definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,
    data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
    srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
    geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
    m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
)
_WGS84 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # A team's server: the database owner may create it (PostGIS 3 is trusted).
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "articles",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("id", geo.store.columns.Name(255), nullable=False),
        sa.Column("content_hash", geo.store.columns.Name(64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("body", geo.store.columns.JSONText(), nullable=False),
        sa.Column("sentences", geo.store.columns.JSONText(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("outlet", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("dateline", sa.Text(), nullable=False),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("date_basis", sa.Text(), nullable=False),
        sa.Column("added_by", geo.store.columns.Name(255), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extractor_version", sa.Integer(), nullable=True),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dropped", geo.store.columns.JSONText(), nullable=True),
        sa.Column("silence", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("content_hash"),
        sa.UniqueConstraint("id"),
    )
    op.create_table(
        "mentions",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("article_pk", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("place_id", geo.store.columns.Name(255), nullable=False),
        sa.Column("place_name", sa.Text(), nullable=False),
        sa.Column("place_kind", geo.store.columns.Name(32), nullable=False),
        sa.Column("place_country", geo.store.columns.Name(8), nullable=False),
        sa.Column("place_lat", sa.Float(), nullable=False),
        sa.Column("place_lon", sa.Float(), nullable=False),
        sa.Column("place_origin", geo.store.columns.Name(16), nullable=False),
        sa.Column("place_precision_m", sa.Float(), nullable=False),
        sa.Column("place_source", sa.Text(), nullable=False),
        sa.Column("place_population", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_pk"], ["articles.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("mentions_article", "mentions", ["article_pk"], unique=False)
    op.create_table(
        "events",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("geom", geo.store.columns.Point(), nullable=False),
        sa.Column("id", geo.store.columns.Name(64), nullable=False),
        sa.Column("article_pk", sa.Integer(), nullable=False),
        sa.Column("extractor_version", sa.Integer(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("time_precision", sa.Integer(), nullable=False),
        sa.Column("event_type", geo.store.columns.Name(64), nullable=False),
        sa.Column("sub_event_type", geo.store.columns.Name(128), nullable=False),
        sa.Column("actor1", sa.Text(), nullable=False),
        sa.Column("actor2", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("place_id", geo.store.columns.Name(255), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("geo_precision", sa.Integer(), nullable=False),
        sa.Column("fatalities", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("article", geo.store.columns.Name(255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_pk"], ["articles.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id"),
    )
    op.create_index("events_article", "events", ["article_pk"], unique=False)
    op.create_index("events_date", "events", ["event_date"], unique=False)
    op.create_index(
        "events_key",
        "events",
        ["article", "evidence_start", "evidence_end", "event_type"],
        unique=False,
    )
    op.create_table(
        "zones",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("id", geo.store.columns.Name(64), nullable=False),
        sa.Column("article_pk", sa.Integer(), nullable=False),
        sa.Column("extractor_version", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", geo.store.columns.Name(64), nullable=False),
        sa.Column("place_id", geo.store.columns.Name(255), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("article", geo.store.columns.Name(255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("claimed_by", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_pk"], ["articles.pk"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id"),
    )
    op.create_index("zones_article", "zones", ["article_pk"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.create_index("events_geom", "events", ["geom"], postgresql_using="gist")
    elif bind.dialect.name == "sqlite":
        _make_geopackage()


def _make_geopackage() -> None:
    op.execute("PRAGMA application_id = 1196444487")  # "GPKG"
    op.execute("PRAGMA user_version = 10300")
    for statement in _GPKG_TABLES:
        op.execute(statement)
    systems = sa.table(
        "gpkg_spatial_ref_sys",
        *(
            sa.column(n)
            for n in (
                "srs_name",
                "srs_id",
                "organization",
                "organization_coordsys_id",
                "definition",
                "description",
            )
        ),
    )
    op.bulk_insert(
        systems,
        [
            dict(
                srs_name="WGS 84 geodetic",
                srs_id=4326,
                organization="EPSG",
                organization_coordsys_id=4326,
                definition=_WGS84,
                description="longitude/latitude coordinates in decimal degrees on WGS 84",
            ),
            dict(
                srs_name="Undefined cartesian SRS",
                srs_id=-1,
                organization="NONE",
                organization_coordsys_id=-1,
                definition="undefined",
                description="undefined cartesian coordinate reference system",
            ),
            dict(
                srs_name="Undefined geographic SRS",
                srs_id=0,
                organization="NONE",
                organization_coordsys_id=0,
                definition="undefined",
                description="undefined geographic coordinate reference system",
            ),
        ],
    )
    op.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES ('events', 'features', 'events', 'newsmap events (machine reading)', 4326)"
    )
    op.execute("INSERT INTO gpkg_geometry_columns VALUES ('events', 'geom', 'POINT', 4326, 0, 0)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ("gpkg_geometry_columns", "gpkg_contents", "gpkg_spatial_ref_sys"):
            op.drop_table(table)
    for table in ("zones", "events", "mentions", "articles"):
        op.drop_table(table)
