"""Open a collection: a SQLite file (the default) or a PostgreSQL + PostGIS database.

``--db`` and ``NEWSMAP_DB`` take either a file path (any name; created when missing) or a
``postgresql://user:password@host:port/database`` URL. Opening migrates the schema to the
newest revision (Alembic, scripts in ``geo/store/migrations/``), so a file written by an
older newsmap is upgraded in place; a database written by a newer one is refused.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from geo.errors import StoreError

__all__ = ["DEFAULT_DB", "ENV_VAR", "connect", "describe", "resolve_url", "schema_revision"]

ENV_VAR = "NEWSMAP_DB"
#: The collection used when neither ``--db`` nor ``NEWSMAP_DB`` names one.
DEFAULT_DB = "collection.gpkg"
MIGRATIONS = Path(__file__).with_name("migrations")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMES = ("postgresql://", "postgresql+psycopg://", "sqlite:///")


def resolve_url(db: str | os.PathLike[str] | None = None) -> URL:
    """Return the SQLAlchemy URL of ``db``, of ``$NEWSMAP_DB`` or of :data:`DEFAULT_DB`.

    >>> resolve_url("postgresql://analyst@db.example.org/conflicts").drivername
    'postgresql+psycopg'
    >>> resolve_url("team.gpkg").database.endswith("team.gpkg")
    True

    Raises
    ------
    StoreError
        One line when ``db`` is neither a usable file path nor a PostgreSQL URL.
    """
    if db is None:
        db = os.environ.get(ENV_VAR) or DEFAULT_DB
    text = os.fspath(db)
    if "://" in text:
        if not text.startswith(_SCHEMES):
            scheme = text.split("://", 1)[0]
            raise StoreError(
                f"--db {scheme}://...: unsupported kind of database; expected a file path "
                "or a postgresql://user@host:port/database URL"
            )
        try:
            url = make_url(text)
        except ArgumentError as exc:
            raise StoreError(f"--db: not a database URL ({exc})") from exc
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3, the installed driver
        if url.drivername == "sqlite":
            return _file_url(Path(url.database or ""))
        return url
    if not text.strip():
        raise StoreError("--db: empty; expected a file path or a postgresql:// URL")
    return _file_url(Path(text))


def _file_url(path: Path) -> URL:
    path = path.expanduser()
    if path.is_dir():
        raise StoreError(f"--db {path}: is a folder; expected a collection file (say {DEFAULT_DB})")
    if not path.parent.is_dir():
        raise StoreError(
            f"--db {path}: folder {path.parent} does not exist; create it or choose another path"
        )
    if path.exists():
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
        if head and head != _SQLITE_MAGIC:
            raise StoreError(
                f"--db {path}: not a newsmap collection (not a SQLite/GeoPackage file); "
                "expected a collection file or a new path"
            )
    return URL.create("sqlite+pysqlite", database=str(path.resolve()))


def describe(url: URL) -> str:
    """Return ``url`` for a message: a file's path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ""
    return url.render_as_string(hide_password=True)


def connect(db: str | os.PathLike[str] | URL | None = None) -> Engine:
    """Return an engine on the collection ``db``, created and migrated to the newest schema.

    Raises
    ------
    StoreError
        One line when ``db`` is not usable, the server cannot be reached, or the
        collection was written by a newer newsmap.
    """
    url = db if isinstance(db, URL) else resolve_url(db)
    kwargs: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": 10}
        kwargs["pool_pre_ping"] = True
    engine = sa.create_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _migrate(engine)
    except DBAPIError as exc:
        engine.dispose()
        reason = " ".join(str(exc.orig).split()) if exc.orig is not None else str(exc)
        raise StoreError(f"--db {describe(url)}: cannot open the collection: {reason}") from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"--db {describe(url)}: cannot open the collection: {exc}") from exc
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")  # another writer: wait, do not fail
    cursor.close()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def schema_revision(engine: Engine) -> str | None:
    """Return the collection's schema revision (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; nothing is done when it is there already."""
    config = _alembic_config()
    script = ScriptDirectory.from_config(config)
    current = schema_revision(engine)
    target = script.get_current_head() if revision == "head" else revision
    if current == target:
        return
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"--db {describe(engine.url)}: written by a newer newsmap (schema {current}); "
            f"this one knows up to {script.get_current_head()}: upgrade newsmap"
        )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
