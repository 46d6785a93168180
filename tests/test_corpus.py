"""A folder of articles becomes one Corpus: mentions, events linked across articles, zones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.articles import read_articles
from geo.corpus import PROGRESS_MIN_ARTICLES, analyse, analyse_dir
from geo.gazetteer import Gazetteer, load_gazetteer
from geo.models import Corpus

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def corpus(gazetteer: Gazetteer) -> Corpus:
    return analyse_dir(SEEDS, gazetteer, world=None)


def test_every_seed_is_read_with_its_mentions(corpus: Corpus) -> None:
    assert [a.id[:3] for a in corpus.articles] == ["000", "001", "002", "003", "004"]
    assert len(corpus.mentions) == len(corpus.articles)
    for article, mentions in zip(corpus.articles, corpus.mentions, strict=True):
        assert mentions, article.id
        assert all(article.text[m.start : m.end] == m.text for m in mentions)


def test_events_come_from_every_article_in_order(corpus: Corpus) -> None:
    articles = [e.article for e in corpus.events]
    assert set(articles) == {a.id for a in corpus.articles}
    assert articles == sorted(articles)
    assert len({e.id for e in corpus.events}) == len(corpus.events)


def test_the_executions_land_on_17_september_in_sheikh_hader(corpus: Corpus) -> None:
    (execution,) = [e for e in corpus.events if e.notes.startswith("Execution")]
    assert (execution.place_id, execution.event_date.isoformat()) == ("sheikh-hader", "2016-09-17")
    assert execution.fatalities == 26


def test_events_told_by_two_articles_are_linked(corpus: Corpus) -> None:
    by_id = {e.id: e for e in corpus.events}
    linked = [e for e in corpus.events if e.related]
    assert linked
    for event in linked:
        for other in event.related:
            assert by_id[other].article != event.article
            assert event.id in by_id[other].related


def test_the_no_fly_zone_is_in_the_corpus(corpus: Corpus) -> None:
    (zone,) = corpus.zones
    assert (zone.place_id, zone.radius_m) == ("aleppo", 10000)


def test_dropped_lines_say_where_and_why(corpus: Corpus) -> None:
    assert corpus.dropped
    ids = {a.id for a in corpus.articles}
    for line in corpus.dropped:
        where, _, why = line.partition(": ")
        article_id, _, offset = where.partition(":")
        assert article_id in ids and offset.isdigit(), line
        assert any(
            word in why
            for word in (
                "no place",
                "no date",
                "told again",
                "not reported as happened",
                "background",
                "not happened yet",
                "a toll over",
            )
        ), line


def test_a_half_years_toll_is_no_event_and_says_why(corpus: Corpus) -> None:
    # The Russian MoD's sum of the dead from February to September is many events' toll:
    # ACLED codes none of it as one event, and the totals of the view must not count it.
    tolls = [line for line in corpus.dropped if "is a toll over" in line]
    assert any("2016-02-27 to 2016-09-01" in line for line in tolls), corpus.dropped
    assert max(e.fatalities or 0 for e in corpus.events) < 1_000


def test_analysis_is_deterministic(gazetteer: Gazetteer, corpus: Corpus) -> None:
    again = analyse(read_articles(SEEDS), gazetteer, world=None)
    assert again.events == corpus.events
    assert again.zones == corpus.zones
    assert again.dropped == corpus.dropped


def test_no_progress_bar_for_a_few_articles(
    gazetteer: Gazetteer, capsys: pytest.CaptureFixture[str]
) -> None:
    analyse_dir(SEEDS, gazetteer, world=None, progress=True)
    assert capsys.readouterr().err == ""


def test_progress_bar_on_stderr_for_many_articles(
    gazetteer: Gazetteer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = SEEDS / "004_3e970b6954da8ebe.txt"
    for i in range(PROGRESS_MIN_ARTICLES):
        shutil.copy(source, tmp_path / f"{i:03d}.txt")
    result = analyse_dir(tmp_path, gazetteer, world=None, progress=True)
    captured = capsys.readouterr()
    assert f"{PROGRESS_MIN_ARTICLES}/{PROGRESS_MIN_ARTICLES}" in captured.err
    assert captured.out == ""
    assert len(result.articles) == PROGRESS_MIN_ARTICLES
    # copies of one report are the same event told by every copy
    first = [e for e in result.events if e.article == "000"]
    assert first and all(len(e.related) >= PROGRESS_MIN_ARTICLES - 1 for e in first)
