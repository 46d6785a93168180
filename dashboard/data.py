"""Open the collection the dashboard maps, and add the articles readers upload to it.

The dashboard maps a collection (``geo.store``): the one ``NEWSMAP_DB`` names (a file path
or a ``postgresql://`` URL), else ``data/collection.gpkg`` in the repository (git-ignored),
created and seeded with ``seeds/`` (or ``NEWSMAP_ARTICLES``) when it holds no article.
Its layers are read from the store, not analysed again at start-up, and cached once per
server for each state of the collection (``Collection.stamp``): an article added or an
event reviewed in one session changes the stamp, and every session's next run reads the
collection again.

An article a reader adds goes into the collection, for every user of it, with who added
it and when; it survives a reload and a restart. The collection's map data files are
written to a folder named by a secret of this server's (``mapdata``), so an article is
served only to the pages of its collection, and no URL of it can be guessed.

- the collection's articles may hold at most ``MEMORY_BUDGET`` bytes of server memory
  (estimated as ``BYTES_PER_CHAR`` per character, as ``bench/upload_memory.py``
  measures); an article past the budget is refused with one line, and nothing already
  added is lost;
- a large addition (over ``WORKER_CHARS`` characters) is analysed in a worker process,
  so that one reader's 20 MB upload does not hold the server's interpreter and stall
  every other reader's page, and the work is stopped when its session ends.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import multiprocessing
import os
import secrets
import shutil
import sys
import threading
import time
import types
from collections.abc import Collection as Many
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pebble
import streamlit as st

from dashboard import snapshot
from dashboard.mapdata import DATA_DIR
from geo.articles import decode_article, parse_article
from geo.errors import ArticleError
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.layers import Layers, build_layers
from geo.models import Article, Corpus
from geo.outputs import process_alive
from geo.store.cluster import Setup
from geo.store.collection import Collection
from geo.store.database import ENV_VAR
from geo.store.export import DEFAULT_STATUSES, collection_map, unreviewed
from geo.store.ingest import Added, add_articles, add_paths
from geo.urls import web_url
from geo.webmap import MapFeatures
from geo.world import WorldIndex, load_world

ROOT = Path(__file__).resolve().parents[1]
# The articles a new collection is seeded with; NEWSMAP_ARTICLES names another folder.
SEEDS_DIR = Path(os.environ.get("NEWSMAP_ARTICLES", ROOT / "seeds"))
#: The collection when NEWSMAP_DB names none: git-ignored, beside the checkout's files.
DEFAULT_DB = ROOT / "data" / "collection.gpkg"
#: Who the seed articles are added by.
SEEDED_BY = "newsmap (seeds)"
#: The reviewer's name until they type theirs: NEWSMAP_USER, else this.
DEFAULT_REVIEWER = "analyst"

PASTED = "pasted text"

#: Server memory the collection's articles may hold (NEWSMAP_UPLOAD_MEMORY_MB).
MEMORY_BUDGET = int(os.environ.get("NEWSMAP_UPLOAD_MEMORY_MB", "2000")) * 1_000_000
#: Server memory an added article holds per character of its text: its analysis, layers
#: and map features (``bench/upload_memory.py`` measures it).
BYTES_PER_CHAR = 12
#: Added text longer than this is analysed in the worker process, not the server's thread.
WORKER_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class Upload:
    """An article a reader added: its file name ("" when pasted) and its decoded text.

    ``published``, ``outlet`` and ``url``, when the reader gave them in the upload form,
    stand in for what the text itself does not say (its own date line, outlet or canonical
    address wins). ``url`` is an http(s) address checked by ``geo.urls.check_web_url``.
    """

    name: str
    text: str
    published: dt.date | None = None
    outlet: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Mapped:
    """A collection's corpus, its map layers (every review status) and their features.

    ``folder`` is where the map data of its views is written: the collection's own folder
    under ``DATA_DIR``, named by a secret. ``stamp`` is the collection's state they show.
    """

    corpus: Corpus
    layers: Layers
    features: MapFeatures
    folder: Path = DATA_DIR
    stamp: tuple[int, ...] = ()

    @classmethod
    def of(cls, corpus: Corpus, gazetteer: Gazetteer) -> Mapped:
        """Map an analysed ``corpus`` that is in no collection (benchmarks): none reviewed."""
        layers = build_layers(corpus, gazetteer)
        events = unreviewed(layers.events)
        layers = replace(layers, events=events)
        return cls(corpus=corpus, layers=layers, features=MapFeatures(layers))


def default_reviewer() -> str:
    """Return the name reviews and added articles carry until the reader types theirs."""
    return os.environ.get("NEWSMAP_USER", "").strip() or DEFAULT_REVIEWER


def collection_db() -> str:
    """Return the collection this server maps: ``NEWSMAP_DB``, else ``DEFAULT_DB``."""
    named = os.environ.get(ENV_VAR, "").strip()
    if named:
        return named
    DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
    return str(DEFAULT_DB)


@st.cache_resource(show_spinner="Loading the gazetteer…")
def gazetteer() -> Gazetteer:
    """Load the curated gazetteer."""
    return load_gazetteer()


@st.cache_resource(show_spinner="Loading the GeoNames index…")
def world() -> WorldIndex:
    """Load the GeoNames world index (built once and cached on disk)."""
    return load_world()


def collection() -> Collection:
    """The collection this server maps, opened once (StoreError, one line, if it cannot)."""
    return _opened(collection_db())


@st.cache_resource(show_spinner="Opening the collection…")
def _opened(db: str) -> Collection:
    store = Collection.open(db)
    if not store.count("articles"):  # a new collection: seed it
        with st.spinner(f"Adding the articles of {SEEDS_DIR.name}/ to the new collection…"):
            add_paths(store, [SEEDS_DIR], gazetteer(), world=world(), setup=Setup(), by=SEEDED_BY)
    return store


@st.cache_resource(show_spinner=False)
def _folder(db: str) -> Path:
    """The folder of a collection's map data: named by this server and a secret."""
    _sweep()
    return DATA_DIR / f"c-{os.getpid()}-{secrets.token_urlsafe(24)}"


def mapped() -> Mapped:
    """Return the collection's corpus and layers as they are now (read once per change)."""
    store = collection()
    return _mapped(collection_db(), store.stamp())


@st.cache_resource(show_spinner="Mapping the collection…", max_entries=2)
def _mapped(db: str, stamp: tuple[int, ...]) -> Mapped:
    # What a server mapped is kept on disk too (``dashboard.snapshot``): a restarted server
    # loads the collection as it was instead of mapping it again.
    kept = snapshot.load(db, stamp)
    if kept is not None:
        corpus, layers, features = kept
    else:
        corpus, layers = collection_map(_opened(db), gazetteer())
        features = MapFeatures(layers)
        snapshot.save(db, stamp, (corpus, layers, features))
    ledger().note(db, cost_of(corpus.articles))
    return Mapped(corpus=corpus, layers=layers, features=features, folder=_folder(db), stamp=stamp)


def by_status(layers: Layers, statuses: Many[str]) -> Layers:
    """Return ``layers`` with only the events whose review status is one of ``statuses``.

    No status given means what ``geo export`` writes: every event but the rejected.
    """
    wanted = set(statuses or DEFAULT_STATUSES)
    events = layers.events
    kept = events[events["review_status"].isin(wanted)] if len(events) else events
    return replace(layers, events=kept)


def first_event(events: pd.DataFrame, articles: Sequence[str]) -> str | None:
    """Return the id of the first event (in reading order) of the first of ``articles``.

    >>> frame = pd.DataFrame({"id": ["e1", "e2", "e3"], "article": ["a", "b", "b"],
    ...                       "evidence_start": [5, 90, 10]})
    >>> first_event(frame, ["b", "a"]), first_event(frame, ["c"])
    ('e3', None)
    """
    for article in articles:
        told = events[events["article"] == article]
        if len(told):
            return str(told.sort_values("evidence_start")["id"].iloc[0])
    return None


def _sweep() -> None:
    """Delete the map data folders of servers that are no longer running."""
    for folder in [*DATA_DIR.glob("s-*-*"), *DATA_DIR.glob("c-*-*")]:
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


class Ledger:
    """What the sessions' added articles hold of ``MEMORY_BUDGET``; safe across threads."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def held(self) -> int:
        """Bytes held by all sessions together."""
        with self._lock:
            return sum(self._held.values())

    def room(self, token: str, wanted: int) -> bool:
        """Whether ``token`` may hold ``wanted`` bytes (what it holds now is given back)."""
        with self._lock:
            return self._others(token) + wanted <= self.budget

    def hold(self, token: str, wanted: int, *, replacing: str = "") -> None:
        """Hold ``wanted`` bytes for ``token``; raise MemoryError past the budget.

        What ``replacing`` holds (the set of articles this one replaces, released soon)
        does not count against it.
        """
        with self._lock:
            others = self._others(token, replacing)
            if others + wanted > self.budget:
                raise MemoryError(f"{others + wanted:,} bytes asked of {self.budget:,}")
            self._held[token] = wanted

    def note(self, token: str, size: int) -> None:
        """Record that ``token`` holds ``size`` bytes already (what is stored is mapped)."""
        with self._lock:
            self._held[token] = size

    def _others(self, *tokens: str) -> int:
        """Bytes held by all but ``tokens`` (the caller holds the lock)."""
        return sum(size for key, size in self._held.items() if key not in tokens)

    def release(self, token: str) -> None:
        """Give back what ``token`` holds."""
        with self._lock:
            self._held.pop(token, None)


@st.cache_resource(show_spinner=False)
def ledger() -> Ledger:
    """The server's one ledger of memory held by its collections' articles."""
    return Ledger(MEMORY_BUDGET)


def cost(uploads: Sequence[Upload]) -> int:
    """Server memory, in bytes, that mapping ``uploads`` is estimated to hold."""
    return BYTES_PER_CHAR * sum(len(upload.text) for upload in uploads)


def cost_of(articles: Sequence[Article]) -> int:
    """Server memory, in bytes, that mapping ``articles`` is estimated to hold."""
    return BYTES_PER_CHAR * sum(len(article.text) for article in articles)


def add(upload: Upload, *, by: str) -> Added:
    """Add ``upload`` to the collection (for every user of it) and analyse it.

    The same text added before is not added again (``Added.already`` says as what).

    Raises
    ------
    ArticleError
        One line when the collection's articles would not fit the server's memory.
    StoreError
        One line when the collection cannot be written.
    """
    db = collection_db()
    now = mapped()
    if not ledger().room(db, cost_of(now.corpus.articles) + cost((upload,))):
        name = upload.name or PASTED
        budget = ledger().budget // 1_000_000
        raise ArticleError(
            f"{name}: not added: the collection's articles fill the server's "
            f"{budget:,} MB for them; try again later, or ask for NEWSMAP_UPLOAD_MEMORY_MB"
        )
    dated = [a.published for a in now.corpus.articles if a.published is not None]
    article = article_of(upload, reference_dates=dated)
    if len(upload.text) > WORKER_CHARS:
        return _in_worker(db, article, by)
    with st.spinner("Mapping the article…"):
        return add_articles(
            collection(), [article], gazetteer(), world=world(), setup=Setup(), by=by
        )


# --- the worker process ----------------------------------------------------------------


class _Spawned(multiprocessing.context.SpawnProcess):
    """A spawned process that does not run the server's ``__main__`` before its work.

    A spawned child first runs the parent's main module again (as ``__mp_main__``); in a
    Streamlit server that is the app script, which would load and map the collection
    in the child before it adds one article. The child is started with an empty main
    module (for the moment ``start`` takes), so it only imports what its work needs.
    """

    def start(self) -> None:
        main = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            super().start()
        finally:
            sys.modules["__main__"] = main


class _SpawnContext(multiprocessing.context.SpawnContext):
    Process = _Spawned


#: How the worker process is started: spawn (the server is multithreaded, and a forked
#: copy of its threads is unsafe), without the app script.
WORKER_CONTEXT = _SpawnContext()


@st.cache_resource(show_spinner=False)
def worker() -> pebble.ProcessPool:
    """The server's worker process for large additions (a fresh process for each one)."""
    return pebble.ProcessPool(max_workers=1, max_tasks=1, context=WORKER_CONTEXT)


def _in_worker(db: str, article: Article, by: str) -> Added:
    """Add ``article`` in the worker; wait while telling the reader, stop if they leave.

    Each wait step writes to the page, which is where Streamlit stops the script of a
    session that has ended: the task is then cancelled, which ends the worker process
    (what it wrote is kept: the article is analysed by the next addition).
    """
    future = worker().schedule(_add_in_worker, args=(db, article, by))
    box = st.empty()
    began = time.monotonic()
    try:
        while not future.done():
            waited = time.monotonic() - began
            what = "Mapping the added article" if future.running() else "Waiting for the worker"
            box.caption(f"{what}… {waited:.0f} s")
            time.sleep(0.25)
        result: Added = future.result()
        return result
    finally:
        future.cancel()
        box.empty()
        _trim()


def _add_in_worker(db: str, article: Article, by: str) -> Added:
    with Collection.open(db) as store:
        return add_articles(
            store, [article], load_gazetteer(), world=load_world(), setup=Setup(), by=by
        )


def _trim() -> None:
    """Hand freed memory back to the system (glibc keeps it otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def read_upload(
    data: bytes,
    *,
    name: str,
    published: dt.date | None = None,
    outlet: str = "",
    url: str = "",
) -> Upload:
    """Decode an uploaded file and check it parses; raise ArticleError if it cannot."""
    text = decode_article(data, name=name)
    upload = Upload(
        name=name, text=text, published=published, outlet=outlet.strip(), url=web_url(url)
    )
    article_of(upload)
    return upload


def read_pasted(
    text: str, *, published: dt.date | None = None, outlet: str = "", url: str = ""
) -> Upload:
    """Check pasted text the way an uploaded file is checked; raise ArticleError if bad."""
    decoded = decode_article(text.encode("utf-8", "surrogatepass"), name=PASTED)
    upload = Upload(
        name="", text=decoded, published=published, outlet=outlet.strip(), url=web_url(url)
    )
    article_of(upload)
    return upload


def article_of(upload: Upload, *, reference_dates: Sequence[dt.date] = ()) -> Article:
    """Parse an upload as an article (HTML when its name says so or it starts like a page).

    The date, outlet and address given in the upload form fill in what the text does not
    say.
    """
    article = parse_article(upload.text, path=upload.name, reference_dates=reference_dates)
    if article.published is None and upload.published is not None:
        article = replace(
            article, published=upload.published, date_basis="given in the upload form"
        )
    if not article.outlet and upload.outlet:
        article = replace(article, outlet=upload.outlet)
    if not article.url and web_url(upload.url):
        article = replace(article, url=web_url(upload.url))
    return article
