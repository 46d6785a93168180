"""Shared test fixtures: the browser every end-to-end test drives, and the curated
gazetteer and world index the extractor's tests of whole reports read.

Browser tests use Debian's Chromium (``/usr/bin/chromium``), never a browser downloaded
by ``playwright install``; ``make test`` installs the Debian package when it is missing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.gazetteer import Gazetteer, load_gazetteer
from geo.world import WorldIndex, load_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the dashboards' snapshots of mapped collections in the session's own folder."""
    folder = tmp_path_factory.mktemp("snapshots")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSMAP_SNAPSHOTS", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def main_module_kept() -> Iterator[None]:
    """Put back the ``__main__`` module a test's Streamlit ``AppTest`` run replaced.

    Streamlit installs the app script as ``__main__`` and leaves it there; a process
    spawned later in this test process (a Dask worker) would then run the app script.
    """
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium with flags that keep it quiet and off the network."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs Debian's chromium package")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The project's gazetteer.csv."""
    return load_gazetteer(Path(__file__).resolve().parents[1] / "gazetteer.csv")


@pytest.fixture(scope="session")
def world() -> WorldIndex:
    """The GeoNames world index (built once, then read from its cache)."""
    return load_world()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL + PostGIS server on 127.0.0.1 (``tests/postgres_server.py``).

    Fails, never skips, when PostgreSQL is missing: the store must be tested on both.
    """
    from postgres_server import postgres_server

    try:
        server = postgres_server()
        url = server.__enter__()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def seeded_collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection file holding the seed articles, analysed: copy it, never write to it.

    What the dashboard makes of a new collection on first open (``geo add seeds``), made
    once per test session; a test that adds or reviews copies it (``fresh_collection``).
    """
    from geo.store.cluster import Setup
    from geo.store.collection import Collection
    from geo.store.ingest import add_paths

    root = Path(__file__).resolve().parents[1]
    path = tmp_path_factory.mktemp("seeded") / "collection.gpkg"
    with Collection.open(path) as collection:
        add_paths(
            collection,
            [root / "seeds"],
            load_gazetteer(root / "gazetteer.csv"),
            world=load_world(),
            setup=Setup(),
            by="newsmap (seeds)",
        )
    path.chmod(0o444)
    return path


@pytest.fixture
def fresh_collection(seeded_collection: Path, tmp_path: Path) -> Path:
    """A writable copy of the seeded collection, the test's own."""
    copy = tmp_path / "collection.gpkg"
    copy.write_bytes(seeded_collection.read_bytes())
    return copy
