"""A throwaway PostgreSQL + PostGIS server for the store's tests, from Debian's packages.

``initdb`` into a temporary folder, ``pg_ctl start`` on 127.0.0.1 at a free port (a
socket in the same folder), ``CREATE EXTENSION postgis`` in a template database that
every test database copies, and ``pg_ctl stop`` plus removal at the end. PostgreSQL
refuses to run as root: as root, the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMPLATE = "newsmap_template"


def find_bin() -> Path | None:
    """Return the newest /usr/lib/postgresql/*/bin holding initdb, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server, yield the URL of its PostGIS template's owner, stop it at the end.

    Raises
    ------
    RuntimeError
        When the binaries or the PostGIS extension are missing, saying what to install.
    """
    bin_dir = find_bin()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL is missing (no /usr/lib/postgresql/*/bin/initdb); `make test` installs "
            "Debian's postgresql and postgresql-15-postgis-3"
        )
    root = Path(tempfile.mkdtemp(prefix="newsmap-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, text=True)

    try:
        run(
            str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        )
        try:
            url = f"postgresql://postgres@127.0.0.1:{port}"
            _sql(url + "/postgres", f"CREATE DATABASE {TEMPLATE}")
            _sql(f"{url}/{TEMPLATE}", "CREATE EXTENSION postgis")
            yield url
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"{' '.join(exc.cmd)} failed: {exc.stderr or exc.stdout}") from exc
    finally:
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` (with PostGIS) on the server; return its URL."""
    _sql(server_url + "/postgres", f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return f"{server_url}/{name}"


def _sql(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]
