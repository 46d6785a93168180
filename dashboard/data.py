"""Load and analyse the articles the dashboard maps.

The gazetteer, the GeoNames world index and the analysed seed articles are cached once
per server with ``st.cache_resource`` (immutable records, safe to share between
sessions), so a filter change only filters and draws.

Articles a reader adds belong to that reader's session and nobody else's:

- their analysis is cached per session (``scope="session"``), never shared with another
  session that adds the same text (which could tell, from how fast its map came, that the
  document had been added before), and released with the session: its memory is freed
  and the session's map data files (``mapdata``) are deleted;
- all sessions' added articles together may hold at most ``MEMORY_BUDGET`` bytes of
  server memory (estimated as ``BYTES_PER_CHAR`` per character, as ``bench/upload_memory.py``
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
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pebble
import streamlit as st

from dashboard.mapdata import DATA_DIR
from geo.articles import decode_article, parse_article, read_articles
from geo.corpus import analyse
from geo.errors import ArticleError
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.layers import Layers, build_layers
from geo.models import Article, Corpus
from geo.outputs import process_alive
from geo.urls import web_url
from geo.webmap import MapFeatures
from geo.world import WorldIndex, load_world

# The articles mapped at start-up; NEWSMAP_ARTICLES names another folder.
SEEDS_DIR = Path(os.environ.get("NEWSMAP_ARTICLES", Path(__file__).resolve().parents[1] / "seeds"))


PASTED = "pasted text"

#: Server memory all sessions' added articles may hold together (NEWSMAP_UPLOAD_MEMORY_MB).
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
    """A corpus, its map layers and their features serialised for the map.

    ``folder`` is where the map data of its views is written: the shared ``DATA_DIR``
    for the seed articles alone, a session's own secret folder once it has added some.
    """

    corpus: Corpus
    layers: Layers
    features: MapFeatures
    folder: Path = DATA_DIR

    @classmethod
    def of(cls, corpus: Corpus, gazetteer: Gazetteer) -> Mapped:
        """Build the layers of ``corpus`` and serialise their features."""
        layers = build_layers(corpus, gazetteer)
        return cls(corpus=corpus, layers=layers, features=MapFeatures(layers))


@st.cache_resource(show_spinner="Loading the gazetteer…")
def gazetteer() -> Gazetteer:
    """Load the curated gazetteer."""
    return load_gazetteer()


@st.cache_resource(show_spinner="Loading the GeoNames index…")
def world() -> WorldIndex:
    """Load the GeoNames world index (built once and cached on disk)."""
    return load_world()


@st.cache_resource(show_spinner="Reading the articles…")
def seed_articles() -> tuple[Article, ...]:
    """Read the articles mapped at start-up."""
    return read_articles(SEEDS_DIR)


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

    def _others(self, *tokens: str) -> int:
        """Bytes held by all but ``tokens`` (the caller holds the lock)."""
        return sum(size for key, size in self._held.items() if key not in tokens)

    def release(self, token: str) -> None:
        """Give back what ``token`` holds."""
        with self._lock:
            self._held.pop(token, None)


@st.cache_resource(show_spinner=False)
def ledger() -> Ledger:
    """The server's one ledger of memory held by added articles."""
    return Ledger(MEMORY_BUDGET)


def cost(uploads: Sequence[Upload]) -> int:
    """Server memory, in bytes, that mapping ``uploads`` is estimated to hold."""
    return BYTES_PER_CHAR * _chars(uploads)


def _chars(uploads: Sequence[Upload]) -> int:
    return sum(len(upload.text) for upload in uploads)


@dataclass(slots=True)
class Session:
    """One session's added articles, mapped, and what they hold on the server."""

    uploads: tuple[Upload, ...]
    mapped: Mapped | None = None
    #: Names the session's map data folder and its share of the ledger: a secret, so that
    #: only this session's pages know the URLs of its data.
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @property
    def data_dir(self) -> Path:
        """The folder of this session's map data files (deleted when it ends)."""
        return DATA_DIR / f"s-{os.getpid()}-{self.token}"


_TOKEN = "_session_token"


def mapped(uploads: tuple[Upload, ...] = ()) -> Mapped:
    """Analyse the seed articles together with ``uploads`` and build their layers."""
    if not uploads:
        return _seeds_mapped()
    held = session_of(uploads).mapped
    assert held is not None  # session_of maps them
    return held


def session_of(uploads: tuple[Upload, ...]) -> Session:
    """This session's mapping of ``uploads`` (made once, and released with the session)."""
    session = _session(uploads)
    if session.mapped is None:
        _fill(session)
    st.session_state[_TOKEN] = session.token
    return session


@st.cache_resource(show_spinner="Mapping the articles…")
def _seeds_mapped() -> Mapped:
    _sweep()
    return _map(())


def _sweep() -> None:
    """Delete the session data folders of servers that are no longer running."""
    for folder in DATA_DIR.glob("s-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _release(session: Session) -> None:
    """Free what an ended session (or its replaced set of articles) held on the server."""
    ledger().release(session.token)
    shutil.rmtree(session.data_dir, ignore_errors=True)
    _trim()


@st.cache_resource(show_spinner=False, scope="session", max_entries=1, on_release=_release)
def _session(uploads: tuple[Upload, ...]) -> Session:
    # Only the holder is cached: the mapping is made by ``session_of`` outside the cached
    # function, so that its progress lines are not replayed on every rerun.
    return Session(uploads=uploads)


def _fill(session: Session) -> None:
    """Map the session's articles, holding their share of the ledger while they live."""
    previous = st.session_state.get(_TOKEN, "")
    ledger().hold(session.token, cost(session.uploads), replacing=previous)
    try:
        if _chars(session.uploads) > WORKER_CHARS:
            made = _in_worker(session.uploads)
        else:
            with st.spinner("Mapping the articles…"):
                made = _map(session.uploads)
        session.mapped = replace(made, folder=session.data_dir)
    except BaseException:
        ledger().release(session.token)
        raise


def _map(uploads: tuple[Upload, ...]) -> Mapped:
    seeds = seed_articles()
    dated = [article.published for article in seeds if article.published is not None]
    articles = list(seeds)
    for upload in uploads:
        article = article_of(upload, reference_dates=dated)
        taken = {known.id for known in articles}
        if article.id in taken:  # "report.txt" uploaded twice with different text
            article = replace(article, id=_free_id(article.id, taken))
        articles.append(article)
    return Mapped.of(analyse(articles, gazetteer(), world=world()), gazetteer())


# --- the worker process ----------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def worker() -> pebble.ProcessPool:
    """The server's worker process for large additions (a fresh process for each one)."""
    # spawn: the server is multithreaded, and a forked copy of its threads is unsafe.
    context = multiprocessing.get_context("spawn")
    return pebble.ProcessPool(max_workers=1, max_tasks=1, context=context)


def _in_worker(uploads: tuple[Upload, ...]) -> Mapped:
    """Map ``uploads`` in the worker; wait while telling the reader, stop if they leave.

    Each wait step writes to the page, which is where Streamlit stops the script of a
    session that has ended: the task is then cancelled, which ends the worker process.
    """
    future = worker().schedule(_map_in_worker, args=(uploads,))
    box = st.empty()
    began = time.monotonic()
    try:
        while not future.done():
            waited = time.monotonic() - began
            what = "Mapping the added articles" if future.running() else "Waiting for the worker"
            box.caption(f"{what}… {waited:.0f} s")
            time.sleep(0.25)
        return future.result()
    finally:
        future.cancel()
        box.empty()


def _map_in_worker(uploads: tuple[Upload, ...]) -> Mapped:
    return _map(uploads)


def _trim() -> None:
    """Hand freed memory back to the system (glibc keeps it otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def admit(uploads: tuple[Upload, ...], upload: Upload) -> tuple[Upload, ...]:
    """Return ``uploads`` with ``upload`` added, or raise ArticleError past the budget."""
    wanted = added(uploads, upload)
    held = st.session_state.get(_TOKEN, "")
    if wanted != uploads and not ledger().room(held, cost(wanted)):
        name = upload.name or PASTED
        budget = ledger().budget // 1_000_000
        raise ArticleError(
            f"{name}: not added: the articles readers have added fill the server's "
            f"{budget:,} MB for them; try again later, or ask for NEWSMAP_UPLOAD_MEMORY_MB"
        )
    return wanted


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


def _free_id(wanted: str, taken: set[str]) -> str:
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"


def added(uploads: Sequence[Upload], upload: Upload) -> tuple[Upload, ...]:
    """Return ``uploads`` with ``upload`` added once; the same text twice is one article."""
    if any(known.text == upload.text for known in uploads):
        return tuple(uploads)
    return (*uploads, upload)
