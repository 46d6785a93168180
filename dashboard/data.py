"""Load and analyse the articles the dashboard maps, once per server.

The gazetteer, the GeoNames world index and the analysed seed articles are cached with
``st.cache_resource`` (immutable records, safe to share between sessions), so a filter
change only filters and draws. Articles a reader adds stay in that reader's session;
the corpus with them is cached by their text.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

from geo.articles import decode_article, parse_article, read_articles
from geo.corpus import analyse
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.layers import Layers, build_layers
from geo.models import Article, Corpus
from geo.webmap import MapFeatures
from geo.world import WorldIndex, load_world

# The articles mapped at start-up; NEWSMAP_ARTICLES names another folder.
SEEDS_DIR = Path(os.environ.get("NEWSMAP_ARTICLES", Path(__file__).resolve().parents[1] / "seeds"))


PASTED = "pasted text"


@dataclass(frozen=True, slots=True)
class Upload:
    """An article a reader added: its file name ("" when pasted) and its decoded text."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Mapped:
    """A corpus, its map layers and their features serialised for the map."""

    corpus: Corpus
    layers: Layers
    features: MapFeatures

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


@st.cache_resource(show_spinner="Mapping the articles…", max_entries=64)
def mapped(uploads: tuple[Upload, ...] = ()) -> Mapped:
    """Analyse the seed articles together with ``uploads`` and build their layers."""
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


def read_upload(data: bytes, *, name: str) -> Upload:
    """Decode an uploaded file and check it parses; raise ArticleError if it cannot."""
    upload = Upload(name=name, text=decode_article(data, name=name))
    article_of(upload)
    return upload


def read_pasted(text: str) -> Upload:
    """Check pasted text the way an uploaded file is checked; raise ArticleError if bad."""
    decoded = decode_article(text.encode("utf-8", "surrogatepass"), name=PASTED)
    upload = Upload(name="", text=decoded)
    article_of(upload)
    return upload


def article_of(upload: Upload, *, reference_dates: Sequence[dt.date] = ()) -> Article:
    """Parse an upload as an article (HTML when its name says so or it starts like a page)."""
    return parse_article(upload.text, path=upload.name, reference_dates=reference_dates)


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
