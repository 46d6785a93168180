"""Benchmark ``geo add`` into a collection on a local Dask cluster of 1 and 2 workers.

Synthetic wire reports (``bench/synthetic.py``, fixed seed) are written as text files,
then added to a fresh SQLite collection with ``geo.store.ingest.add_paths`` (what
``python -m geo add DIR --db FILE`` runs): on a ``distributed.LocalCluster`` with
processes, one thread each, of 1 and of 2 workers, in the same run; the articles are read
on the workers and written to the store in batches by this process. A reference row adds
the same articles in one process without Dask (``--jobs 1``). Each row then adds the same
folder a second time, which must add nothing.

Columns: wall seconds and articles per second of the first add, the events stored, the
peak RSS of this process (sampled every 0.1 s) and of the largest worker (its own
``ru_maxrss``), and the second add's wall time.

Run ``python bench/store.py`` (10,000 and 100,000 articles: about two hours on 2 cores;
``--quick`` for 500 and 2,000) or ``--sizes N ...``; ``--no-reference`` leaves out the
one-process row (100,000 articles on 1 and 2 workers: about an hour).
"""

from __future__ import annotations

import argparse
import functools
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from table import markdown, megabytes, ratio, seconds

WORKERS = (1, 2)


@dataclass
class Row:
    """One way of adding one folder."""

    label: str
    articles: int
    wall_s: float = 0.0
    events: int = 0
    failed: int = 0
    rss: int = 0
    worker_rss: int = 0
    again_s: float = 0.0
    again_added: int = 0
    note: str = ""


class PeakRSS:
    """Sample this process's resident memory in a thread; keep the peak."""

    def __init__(self) -> None:
        import psutil

        self._process = psutil.Process()
        self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def _worker_peak_rss() -> int:
    """Peak RSS of the calling process in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@functools.cache
def _gazetteer() -> Any:
    """The gazetteer, read once for every row and every synthetic folder."""
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()


@functools.cache
def _world() -> Any:
    """The world index, loaded once for the rows that read in this process."""
    from geo.world import load_world

    return load_world()


def _add(folder: Path, db: Path, **how: Any) -> tuple[float, Any]:
    from geo.store.cluster import Setup
    from geo.store.collection import Collection
    from geo.store.ingest import add_paths

    gazetteer = _gazetteer()
    world = _world() if how.get("scheduler") is None else None
    start = time.perf_counter()
    with Collection.open(str(db)) as collection:
        added = add_paths(
            collection, [folder], gazetteer, world=world, setup=Setup(), by="bench", **how
        )
    return time.perf_counter() - start, added


def _measure(
    label: str, folder: Path, db: Path, count: int, how: Callable[[], Any], **options: Any
) -> Row:
    from geo.store.collection import Collection

    row = Row(label=label, articles=count)
    with PeakRSS() as rss:
        row.wall_s, added = _add(folder, db, **options)
    row.rss = rss.peak
    row.failed = sum(len(f.ids) for f in added.analysis.failed)
    with Collection.open(str(db)) as collection:
        row.events = collection.count("events")
    row.worker_rss = how()
    row.again_s, again = _add(folder, db, **options)
    row.again_added = len(again.added)
    if len(added.added) != count:
        row.note = f"added {len(added.added):,} of {count:,}"
    return row


def run(*, quick: bool = False, sizes: Sequence[int] = (), reference: bool = True) -> str:
    """Add each size on 1 and 2 Dask workers (and, with ``reference``, in one process)."""
    from synthetic import write_articles

    from geo.store.cluster import dask_client

    sizes = tuple(sizes) or ((500, 2_000) if quick else (10_000, 100_000))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="newsmap-store-") as tmp:
        root = Path(tmp)
        for count in sizes:
            folder = root / f"articles-{count}"
            write_articles(folder, _gazetteer(), count)
            for workers in WORKERS:
                with dask_client(workers) as client:
                    rows.append(
                        _measure(
                            f"Dask LocalCluster, {workers} worker{'s' if workers > 1 else ''}",
                            folder,
                            root / f"dask-{workers}-{count}.gpkg",
                            count,
                            lambda client=client: max(client.run(_worker_peak_rss).values()),
                            scheduler=client.scheduler.address,
                        )
                    )
            if not reference:
                continue
            rows.append(
                _measure(
                    "one process, no Dask (reference)",
                    folder,
                    root / f"local-{count}.gpkg",
                    count,
                    lambda: 0,
                )
            )
    return _table(rows)


def _table(rows: Sequence[Row]) -> str:
    one = {row.articles: row for row in rows if row.label.startswith("Dask LocalCluster, 1 ")}
    cells = []
    for row in rows:
        peer = one.get(row.articles)
        cells.append(
            [
                row.label,
                f"{row.articles:,}",
                seconds(row.wall_s),
                f"{row.articles / row.wall_s:,.1f}" if row.wall_s else "–",
                ratio(peer.wall_s, row.wall_s) if peer and row is not peer else "",
                f"{row.events:,}",
                f"{row.failed:,}",
                megabytes(row.rss),
                megabytes(row.worker_rss) if row.worker_rss else "–",
                f"{seconds(row.again_s)}, {row.again_added} added",
                row.note,
            ]
        )
    header = [
        "how",
        "articles",
        "geo add (wall)",
        "articles/s",
        "speed-up vs 1 worker",
        "events stored",
        "articles failed",
        "peak RSS, this process",
        "peak RSS, largest worker",
        "second add of the same folder",
        "note",
    ]
    return markdown("geo add into a SQLite collection (synthetic articles)", header, cells)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 and 2,000 articles")
    parser.add_argument("--sizes", type=int, nargs="*", default=(), help="article counts")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the one-process row (it is as slow as 1 worker)",
    )
    args = parser.parse_args(argv)
    print(run(quick=args.quick, sizes=args.sizes, reference=not args.no_reference))
    return 0


if __name__ == "__main__":
    sys.exit(main())
