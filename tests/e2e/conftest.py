"""Fixtures for the dashboard's browser tests: one Streamlit server for the session."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from dashboard_page import ROOT, Traffic, free_port, guard, healthy
from playwright.sync_api import BrowserContext, expect

from geo.articles import read_articles
from geo.corpus import analyse
from geo.gazetteer import load_gazetteer
from geo.layers import Layers, build_layers
from geo.world import load_world

START_TIMEOUT_S = 60.0
# Two cores shared with other test runs: give every expect() more than its 5 s default.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run ``streamlit run dashboard/app.py`` on 127.0.0.1 and yield its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ)
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not healthy(url):
                # Waiting on the process doubles as the pause between polls and notices a
                # server that died at start-up.
                try:
                    server.wait(timeout=0.2)
                except subprocess.TimeoutExpired:
                    pass
                else:
                    pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit unhealthy after {START_TIMEOUT_S} s:\n{log.read_text()}"
                    )
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


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
