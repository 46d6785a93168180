"""Benchmark the dashboard server's memory across uploads in sessions that then close.

A real Streamlit server (``streamlit run dashboard/app.py`` on 127.0.0.1) and Debian's
Chromium driven by Playwright: each of N sessions opens the page, uploads one article of
M MB (made of the 200 GeoWebNews texts, ``../shared/eval/``, evaluation data read here and
never copied into the project), waits until the map holds it, and closes. The server's
resident memory (``VmRSS`` of its process; the worker process that analyses large
uploads is a fresh process each time and is reported apart) is read after each session
closes and compared with the memory bound ``NEWSMAP_UPLOAD_MEMORY_MB`` (what all open
sessions' added articles may hold together) and with the server's memory before the
first upload. Memory held by closed sessions would grow the server by about
``BYTES_PER_CHAR`` × M MB per session.

Run ``python bench/upload_memory.py`` (20 sessions of 5 MB; ``--quick`` for 4 of 1 MB).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from article_panel import article_text
from map_scale import CHROMIUM, CHROMIUM_ARGS
from table import REPO_ROOT, markdown, megabytes
from throughput import DEFAULT_CORPUS, read_texts

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
MAP_TIMEOUT_MS = 900_000


def _rss(pid: int) -> int:
    """Resident bytes of process ``pid`` (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) * 1024 if found else 0


def _children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(child) for child in listed]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def measure(sessions: int, size: int, budget_mb: int) -> list[list[object]]:
    """Run the server and ``sessions`` uploads of ``size`` characters; return table rows."""
    from playwright.sync_api import expect, sync_playwright

    from dashboard.data import BYTES_PER_CHAR

    text = article_text(read_texts(DEFAULT_CORPUS), size)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "NEWSMAP_UPLOAD_MEMORY_MB": str(budget_mb)}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    rows: list[list[object]] = []
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 120
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"streamlit did not start:\n{log.read().decode()}")
                time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                expect(page.get_by_text(re.compile(r"^\d+ of \d+ events shown"))).to_be_visible(
                    timeout=MAP_TIMEOUT_MS
                )
                page.context.close()
                before = _rss(server.pid)
                rows.append(["before any upload", "", megabytes(before), "", ""])
                worker_peak = 0
                for number in range(1, sessions + 1):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(url)
                    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
                        files=[
                            {
                                "name": f"day-{number}.txt",
                                "mimeType": "text/plain",
                                "buffer": text.encode("utf-8"),
                            }
                        ]
                    )
                    # The header counts the seeds and the upload once the map holds it.
                    expect(
                        page.get_by_text(re.compile(r"events shown .* of 6 articles"))
                    ).to_be_visible(timeout=MAP_TIMEOUT_MS)
                    expect(page.get_by_text(re.compile("Mapping the added"))).to_have_count(
                        0, timeout=MAP_TIMEOUT_MS
                    )
                    open_rss = _rss(server.pid)
                    worker_peak = max(
                        [worker_peak, *(_rss(child) for child in _children(server.pid))]
                    )
                    context.close()
                    # The server releases a closed session's articles when its websocket
                    # closes; give it the moment it takes to notice.
                    deadline = time.monotonic() + 10
                    closed_rss = _rss(server.pid)
                    while closed_rss > open_rss - size and time.monotonic() < deadline:
                        time.sleep(0.5)
                        closed_rss = _rss(server.pid)
                    rows.append(
                        [
                            f"session {number} of {sessions}",
                            megabytes(open_rss),
                            megabytes(closed_rss),
                            f"+{megabytes(closed_rss - before)}",
                            megabytes(BYTES_PER_CHAR * len(text) * number),
                        ]
                    )
                browser.close()
            rows.append(["worker process, peak seen", "", megabytes(worker_peak), "", ""])
            rows.append(["bound (NEWSMAP_UPLOAD_MEMORY_MB)", "", f"{budget_mb:,}.00 MB", "", ""])
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return rows


def run(*, quick: bool = False) -> str:
    """Measure the server's memory across uploads and return the markdown table."""
    sessions, size = (4, 1_000_000) if quick else (20, 5_000_000)
    rows = measure(sessions, size, budget_mb=2000)
    header = ["after", "open", "closed", "growth", "if nothing were freed (estimate)"]
    title = f"Server memory, {sessions} sessions each uploading {size / 1e6:.0f} MB, then closing"
    return markdown(title, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 sessions of 1 MB")
    args = parser.parse_args(argv)
    print(run(quick=args.quick))
    return 0


if __name__ == "__main__":
    sys.exit(main())
