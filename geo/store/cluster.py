"""Read many articles on Dask (``dask.distributed``): a local cluster or an existing one.

The client sends batches of articles; each worker loads the gazetteer and the world index
once (from the paths it is given: a worker on another machine needs newsmap and the same
files) and returns the readings, which the caller writes to the collection batch by batch.
A worker that dies is replaced and its batch run again by Dask (up to the scheduler's
``allowed-failures``); a batch that still fails is reported with its articles' ids, which
stay in the collection unanalysed for the next ``geo add`` or ``geo reanalyse``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from geo.corpus import Reading, read_one
from geo.errors import StoreError
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.models import Article
from geo.world import WorldIndex, load_world

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["Failed", "Setup", "read_on_dask"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Setup:
    """What a worker loads before it reads: the gazetteer file and the world index."""

    gazetteer: str | None = None  # None: gazetteer.csv at the repository root
    world: bool = True
    cache_dir: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Failed:
    """Articles whose batch failed on every try, and why."""

    ids: tuple[str, ...]
    reason: str


#: Batches given to each worker at a time: enough that none waits for the next.
IN_FLIGHT_PER_WORKER = 4

_LOADED: dict[Setup, tuple[Gazetteer, WorldIndex | None]] = {}


def _loaded(setup: Setup) -> tuple[Gazetteer, WorldIndex | None]:
    if setup not in _LOADED:  # once per worker process
        gazetteer = load_gazetteer(Path(setup.gazetteer) if setup.gazetteer else None)
        cache = Path(setup.cache_dir) if setup.cache_dir else None
        world = load_world(cache_dir=cache) if setup.world else None
        _LOADED[setup] = (gazetteer, world)
    return _LOADED[setup]


def read_batch(articles: Sequence[Article], setup: Setup) -> list[tuple[str, Reading]]:
    """Return the readings of ``articles`` (run on a worker)."""
    gazetteer, world = _loaded(setup)
    return [(article.id, read_one(article, gazetteer, world)) for article in articles]


@contextmanager
def dask_client(jobs: int, scheduler: str | None = None) -> Iterator[Client]:
    """Connect to the Dask scheduler at ``scheduler``, or start a local cluster of ``jobs``."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise StoreError(
                f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc}); "
                "expected tcp://HOST:PORT of a running `dask scheduler`"
            ) from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=jobs,
        threads_per_worker=1,  # the extractor holds the GIL: one process per core
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def read_on_dask(
    articles: Sequence[Article],
    setup: Setup,
    *,
    jobs: int,
    scheduler: str | None = None,
    batch: int = 16,
) -> Iterator[list[tuple[str, Reading]] | Failed]:
    """Yield the readings of ``articles`` batch by batch as workers finish them.

    Parameters
    ----------
    articles : sequence of Article
        What to read.
    setup : Setup
        What each worker loads first.
    jobs : int
        Worker processes of the local cluster (ignored with ``scheduler``).
    scheduler : str or None
        ``tcp://HOST:PORT`` of an existing Dask scheduler, or None for a local cluster.
    batch : int
        Articles per task: fewer, larger tasks cost the scheduler less.

    Yields
    ------
    list of (article id, Reading), or Failed
        A batch's readings (in completion order), or the ids of a batch that failed.
    """
    from distributed import as_completed

    batches = [list(articles[i : i + batch]) for i in range(0, len(articles), batch)]
    if not batches:
        return
    with dask_client(jobs, scheduler) as client:
        # A few batches per worker are out at a time, each sent as it is given out: the
        # articles are never one task graph the size of the corpus (Dask warns past 10 MB,
        # and the scheduler would hold every text at once).
        workers = len(client.scheduler_info().get("workers", {})) or jobs
        waiting = iter(batches)
        ids_of: dict[object, list[str]] = {}
        running = as_completed()

        def give_out() -> None:
            part = next(waiting, None)
            if part is not None:
                future = client.submit(read_batch, part, setup, pure=False, retries=2)
                ids_of[future.key] = [a.id for a in part]
                running.add(future)

        for _ in range(IN_FLIGHT_PER_WORKER * max(1, workers)):
            give_out()
        for future in running:
            try:
                yield future.result()
            except Exception as exc:  # whatever the task raised, or KilledWorker: reported
                yield Failed(ids=tuple(ids_of[future.key]), reason=f"{type(exc).__name__}: {exc}")
            finally:
                future.release()
            give_out()
