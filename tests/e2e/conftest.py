"""Fixtures for the dashboard's browser tests: Streamlit servers on temporary collections.

``app_url`` serves the whole session on a copy of the seeded collection that no test
writes to (its map is the seed articles'); a test that adds articles or reviews events
takes ``app`` (or ``fresh_app_url``): a server of its own on its own copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_page import ROOT, App, Traffic, guard, running
from playwright.sync_api import BrowserContext, expect

from geo.articles import read_articles
from geo.corpus import analyse
from geo.gazetteer import load_gazetteer
from geo.layers import Layers, build_layers
from geo.world import load_world

# Two cores shared with other test runs: give every expect() more than its 5 s default.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory, seeded_collection: Path) -> Iterator[str]:
    """The session's dashboard, on a collection of the seed articles that no test adds to."""
    folder = tmp_path_factory.mktemp("streamlit")
    db = folder / "collection.gpkg"
    db.write_bytes(seeded_collection.read_bytes())
    with running(db, folder / "server.log") as app:
        yield app.url


@pytest.fixture
def app(fresh_collection: Path, tmp_path: Path) -> Iterator[App]:
    """A dashboard of the test's own, on its own copy of the seeded collection.

    For tests that add articles or review events: what they write stays in the collection.
    """
    with running(fresh_collection, tmp_path / "server.log") as started:
        yield started


@pytest.fixture
def fresh_app_url(app: App) -> str:
    """The URL of the test's own dashboard (``app``)."""
    return app.url


@pytest.fixture(scope="session")
def seed_layers() -> Layers:
    """The layers the dashboard maps at start-up, built here the same way."""
    gazetteer = load_gazetteer()
    corpus = analyse(read_articles(ROOT / "seeds"), gazetteer, world=load_world())
    return build_layers(corpus, gazetteer)


@pytest.fixture
def traffic(context: BrowserContext) -> Traffic:
    """Record every request of the test's browser context; nothing may leave 127.0.0.1."""
    return guard(context)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, object]) -> dict[str, object]:
    """Give pages room for the map beside the article panel, and accept downloads."""
    return {
        **browser_context_args,
        "viewport": {"width": 1440, "height": 1100},
        "accept_downloads": True,
    }
