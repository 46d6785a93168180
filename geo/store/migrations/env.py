"""Alembic's entry point: migrate the connection ``geo.store`` hands over (never a URL here)."""

from __future__ import annotations

from alembic import context

from geo.store.schema import metadata

connection = context.config.attributes["connection"]
if connection.dialect.name == "sqlite":
    # Alembic's own table, declared TEXT (not VARCHAR) so GDAL reads the GeoPackage quietly.
    connection.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS alembic_version (version_num TEXT NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying a table
)
with context.begin_transaction():
    context.run_migrations()
