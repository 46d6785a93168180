"""The collection store on SQLite and on a real PostgreSQL + PostGIS server.

Articles here are written for these tests (wire-style reports about Aleppo); none comes
from an evaluation set.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import sqlalchemy as sa

import geo.corpus
import geo.events
from geo.cli import main
from geo.errors import StaleReviewError, StoreError
from geo.export import REVIEW_COLUMNS, write_all
from geo.gazetteer import Gazetteer
from geo.models import Article
from geo.store import review
from geo.store.cluster import Failed, Setup, read_on_dask
from geo.store.collection import Collection, ReviewedEvent
from geo.store.database import _migrate, connect, resolve_url, schema_revision
from geo.store.export import store_layers
from geo.store.ingest import add_paths, read_paths, reanalyse

ARTICLES = {
    "shelling.txt": (
        "Shelling kills seven in Aleppo's Sheikh Maqsood\n\n"
        "ALEPPO, March 3, 2016 (Levant Wire) - Government forces shelled the Sheikh Maqsood "
        "district of Aleppo on Wednesday, killing seven civilians, a local monitoring group "
        "said.\n\n"
        "Rebel fighters attacked army positions near Castello Road on Tuesday, residents "
        "said.\n\n"
        "An air strike hit a market in Idlib on Wednesday, killing four people, rescue "
        "workers said.\n"
    ),
    "ramouseh.txt": (
        "Army takes Ramouseh district\n\n"
        "MOSCOW, March 4, 2016 (Levant Wire) - Three humanitarian corridors out of eastern "
        "Aleppo opened on Friday, the Russian defence ministry said.\n\n"
        "Government troops captured the Ramouseh district of Aleppo on Thursday after heavy "
        "fighting, the army said.\n"
    ),
}
SETUP = Setup(world=False)
_names = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty collection: a file, or a database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "collection.gpkg")
    from postgres_server import create_database

    server = request.getfixturevalue("postgres_url")
    return create_database(server, f"newsmap_{next(_names)}")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "articles"
    out.mkdir()
    for name, text in ARTICLES.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def collection(db: str, folder: Path, gazetteer: Gazetteer) -> Iterator[Collection]:
    with Collection.open(db) as opened:
        add_paths(opened, [folder], gazetteer, world=None, setup=SETUP, by="seeder")
        yield opened


def _event(collection: Collection, location: str) -> ReviewedEvent:
    (found,) = [e for e in collection.events(merged=True) if e.machine.location == location]
    return found


def test_add_twice_adds_nothing(db: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", str(folder), "--db", db, "--no-world"]) == 0
    first = capsys.readouterr().out
    assert "added 2 articles" in first and "analysed 2 articles: 5 events" in first
    assert "dropped 1 sentence: 1 told again" in first
    with Collection.open(db) as opened:
        before = {name: opened.count(name) for name in ("articles", "mentions", "events")}
    assert main(["add", str(folder), str(folder / "shelling.txt"), "--db", db, "--no-world"]) == 0
    second = capsys.readouterr().out
    assert "added 0 articles; nothing new" in second
    assert f"already in the collection: {folder / 'shelling.txt'} (as shelling)" in second
    with Collection.open(db) as opened:
        assert {name: opened.count(name) for name in before} == before


def test_same_name_other_text_gets_its_own_id(
    collection: Collection, tmp_path: Path, gazetteer: Gazetteer
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "shelling.txt").write_text(ARTICLES["shelling.txt"].replace("seven", "eight"))
    added = add_paths(collection, [other], gazetteer, world=None, setup=SETUP, by="b")
    (new_id,) = added.added
    assert new_id.startswith("shelling-") and added.renamed == (("shelling", new_id),)
    assert len({e.event.id for e in collection.events()}) == 8


def _new_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend a new extractor: version 2, other event ids, the Castello attack a day later."""
    old_extract = geo.corpus.extract

    def extract(article, mentions, gazetteer):  # type: ignore[no-untyped-def]
        found = old_extract(article, mentions, gazetteer)
        events = []
        for event in found.events:
            event = dataclasses.replace(event, id="ev-v2-" + event.id[3:])
            if event.location == "Castello Road":
                event = dataclasses.replace(
                    event, event_date=event.event_date.replace(day=event.event_date.day + 1)
                )
            events.append(event)
        return dataclasses.replace(found, events=tuple(events))

    monkeypatch.setattr(geo.corpus, "extract", extract)
    monkeypatch.setattr(geo.events, "EXTRACTOR_VERSION", geo.events.EXTRACTOR_VERSION + 1)


def test_reanalyse_keeps_every_review(
    collection: Collection, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    aleppo = next(p for p in gazetteer.places if p.name == "Aleppo")
    sheikh = _event(collection, "Sheikh Maqsood")
    castello = _event(collection, "Castello Road")
    idlib_strike = next(e for e in collection.events() if e.machine.fatalities == 4)
    ramouseh = [e for e in collection.events() if e.machine.article == "ramouseh"]
    assert len(ramouseh) == 2  # "captured" and "heavy fighting": one event told twice
    review.correct(
        collection,
        idlib_strike.event.id,
        review.Correction(lat=35.93, lon=36.63, location="Idlib"),
        by="analyst",
        version=0,
        note="the strike was in Idlib, not Aleppo",
    )
    review.reject(collection, castello.event.id, by="analyst", version=0, note="no attack")
    review.confirm(collection, sheikh.event.id, by="analyst", version=0)
    review.merge(
        collection, ramouseh[0].event.id, ramouseh[1].event.id, by="analyst", versions=(0, 0)
    )

    _new_extractor(monkeypatch)
    analysis = reanalyse(collection, gazetteer, world=None, setup=SETUP)

    assert analysis.articles == 2
    after = {
        e.machine.location + str(e.machine.fatalities): e for e in collection.events(merged=True)
    }
    strike = after["Aleppo4"]
    assert strike.event.id.startswith("ev-v2-") and strike.status == "corrected"
    assert (strike.event.location, strike.event.lat, strike.event.lon) == ("Idlib", 35.93, 36.63)
    assert strike.note == "the strike was in Idlib, not Aleppo"
    assert after["Castello RoadNone"].status == "rejected"  # found again a day later
    assert after["Sheikh Maqsood7"].status == "confirmed"
    kept = [e for e in collection.events() if e.event.article == "ramouseh"]
    assert len(kept) == 1 and kept[0].merged and kept[0].merged[0].startswith("ev-v2-")
    assert aleppo.name == "Aleppo"
    moved = [pair for rebound in analysis.rebound.values() for pair in rebound.moved]
    assert len(moved) == 5 and not any(r.lost for r in analysis.rebound.values())


def test_reanalyse_with_nothing_older_does_nothing(
    collection: Collection, gazetteer: Gazetteer
) -> None:
    assert reanalyse(collection, gazetteer, world=None, setup=SETUP).articles == 0


def test_stale_review_is_refused_and_nothing_changes(collection: Collection) -> None:
    event = _event(collection, "Sheikh Maqsood")
    review.confirm(collection, event.event.id, by="alice", version=event.version)
    with pytest.raises(
        StaleReviewError, match=r"changed by alice since you read version 0.*nothing was saved"
    ):
        review.reject(collection, event.event.id, by="bob", version=event.version)
    now = _event(collection, "Sheikh Maqsood")
    assert (now.status, now.version, now.reviewed_by) == ("confirmed", 1, "alice")
    assert collection.count("review_log") == 1


@pytest.mark.parametrize(
    ("correction", "message"),
    [
        (review.Correction(event_type="Battle"), "event_type 'Battle': expected one of Battles"),
        (review.Correction(fatalities=-3), "fatalities -3: expected 0 or more"),
        (review.Correction(lat=123.4, lon=37.1), "expected lat in \\[-90, 90\\]"),
        (review.Correction(), "must change at least one field"),
    ],
    ids=["type not in ACLED's taxonomy", "negative dead", "latitude off the earth", "empty"],
)
def test_bad_correction_says_why(
    collection: Collection, correction: review.Correction, message: str
) -> None:
    event = _event(collection, "Sheikh Maqsood")
    with pytest.raises(StoreError, match=message):
        review.correct(collection, event.event.id, correction, by="a", version=0)
    assert collection.count("reviews") == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mysql://analyst@db/conflicts", "unsupported kind of database"),
        ("no/such/folder/c.gpkg", "folder no/such/folder does not exist"),
        ("postgresql://nobody@127.0.0.1:1/conflicts", "cannot open the collection"),
    ],
    ids=["not a path or a postgresql URL", "missing folder", "unreachable server"],
)
def test_bad_db_is_one_line(value: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", value, "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_file_that_is_no_collection_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list")
    with pytest.raises(StoreError, match="not a newsmap collection"):
        resolve_url(notes)


def test_an_older_file_is_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    engine = sa.create_engine(f"sqlite:///{path}")
    _migrate(engine, "0001")  # a collection from before reviews were kept
    assert schema_revision(engine) == "0001"
    engine.dispose()
    upgraded = connect(path)
    assert schema_revision(upgraded) == "0002"
    assert "reviews" in sa.inspect(upgraded).get_table_names()
    upgraded.dispose()


def test_collection_file_is_a_geopackage_qgis_opens(
    tmp_path: Path, folder: Path, gazetteer: Gazetteer
) -> None:
    path = tmp_path / "team.gpkg"
    with Collection.open(str(path)) as opened:
        add_paths(opened, [folder], gazetteer, world=None, setup=SETUP, by="a")
    frame = pyogrio.read_dataframe(path, layer="events")
    point = frame[frame["location"] == "Sheikh Maqsood"].geometry.iloc[0]
    assert (round(point.x, 1), round(point.y, 1)) == (37.2, 36.2)  # lon, lat: not the sea


def test_postgis_holds_the_points(postgres_url: str, folder: Path, gazetteer: Gazetteer) -> None:
    from postgres_server import create_database

    with Collection.open(create_database(postgres_url, "newsmap_points")) as opened:
        add_paths(opened, [folder], gazetteer, world=None, setup=SETUP, by="a")
        with opened.engine.connect() as connection:
            query = "SELECT ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM events WHERE location = %s"
            x, y, srid = connection.exec_driver_sql(query, ("Sheikh Maqsood",)).one()
    assert (round(x, 1), round(y, 1), srid) == (37.2, 36.2, 4326)


def test_export_carries_the_review(
    collection: Collection, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    castello = _event(collection, "Castello Road")
    sheikh = _event(collection, "Sheikh Maqsood")
    review.reject(collection, castello.event.id, by="analyst", version=0)
    review.correct(
        collection,
        sheikh.event.id,
        review.Correction(fatalities=9),
        by="analyst",
        version=0,
        note='=HYPERLINK("x") the hospital\'s count',
    )
    write_all(store_layers(collection, gazetteer), tmp_path / "out")

    gpkg = pyogrio.read_dataframe(tmp_path / "out" / "map.gpkg", layer="events")
    assert set(REVIEW_COLUMNS) <= set(gpkg.columns)
    assert castello.event.id not in set(gpkg["id"])  # rejected events are left out
    row = gpkg[gpkg["id"] == sheikh.event.id].iloc[0]
    assert (row["review_status"], row["fatalities"], row["corrected_fields"]) == (
        "corrected",
        9,
        "fatalities",
    )

    features = json.loads((tmp_path / "out" / "map.geojson").read_text())["features"]
    statuses = {
        f["id"]: f["properties"]["review_status"]
        for f in features
        if f["properties"]["layer"] == "event"
    }
    assert statuses[f"event:{sheikh.event.id}"] == "corrected"
    assert set(statuses.values()) == {"corrected", "proposed"}

    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "events.csv").read_text())))
    by_id = {r["event_id_cnty"]: r for r in rows}
    assert by_id[sheikh.event.id]["reviewed_by"] == "analyst"
    assert by_id[sheikh.event.id]["review_note"].startswith("'=HYPERLINK")  # no formula runs
    assert by_id[sheikh.event.id]["fatalities"] == "9"


def test_export_all_statuses(collection: Collection, gazetteer: Gazetteer) -> None:
    castello = _event(collection, "Castello Road")
    review.reject(collection, castello.event.id, by="analyst", version=0)
    layers = store_layers(collection, gazetteer, statuses=("rejected",))
    assert list(layers.events["id"]) == [castello.event.id]
    assert list(layers.events["review_status"]) == ["rejected"]


def test_dask_cluster_gives_the_same_events(
    tmp_path: Path, folder: Path, gazetteer: Gazetteer
) -> None:
    def events(jobs: int) -> list[object]:
        with Collection.open(str(tmp_path / f"jobs{jobs}.gpkg")) as opened:
            added = add_paths(
                opened, [folder], gazetteer, world=None, setup=SETUP, by="a", jobs=jobs
            )
            assert not added.analysis.failed
            return [e.event for e in opened.events()]

    single = events(1)
    assert len(single) == 5 and events(2) == single  # LocalCluster(processes=True), 2 workers


def copies(folder: Path, count: int) -> list[Article]:
    """The folder's articles, each ``count`` times under ids of their own."""
    return [
        dataclasses.replace(article, id=f"{article.id}-{copy}")
        for article in read_paths([folder])
        for copy in range(count)
    ]


def local_cluster(workers: int) -> Any:
    """A real Dask LocalCluster of ``workers`` processes, one thread each, run here."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )


def test_a_worker_killed_mid_run_loses_no_article(folder: Path) -> None:
    # A real LocalCluster of two worker processes; one is killed (SIGKILL) while it holds
    # an article. Its Nanny starts a new one, the scheduler gives the work out again, and
    # every article is read once, none reported failed. (No second Client in this process:
    # the scheduler runs here, so its own state says which worker holds work.)
    # Enough articles that work is still out when the first comes back.
    articles = copies(folder, 4)
    with local_cluster(2) as cluster:
        nannies = cluster.workers.values()
        pids = {nanny.worker_address: nanny.process.process.pid for nanny in nannies}
        read: list[str] = []
        killed = None
        for part in read_on_dask(
            articles, SETUP, jobs=2, scheduler=cluster.scheduler_address, batch=1
        ):
            assert not isinstance(part, Failed), part.reason
            read.extend(article_id for article_id, _ in part)
            busy = [a for a, w in list(cluster.scheduler.workers.items()) if w.processing]
            if killed is None and busy:
                killed = busy[0]
                os.kill(pids[killed], signal.SIGKILL)
        assert killed is not None, "no worker held an article after the first came back"
        assert killed not in cluster.scheduler.workers  # it did die
        assert sorted(read) == sorted(article.id for article in articles)


def test_the_scheduler_holds_a_few_batches_at_a_time_not_the_corpus(folder: Path) -> None:
    # 40 articles in batches of one, on one worker: the articles are given out a few at a
    # time as batches come back, so the scheduler never holds the whole corpus (a graph of
    # every text is what Dask warns about: "Sending large graph").
    from geo.store.cluster import IN_FLIGHT_PER_WORKER

    articles = copies(folder, 20)
    with local_cluster(1) as cluster:
        read: list[str] = []
        held = []
        for part in read_on_dask(
            articles, SETUP, jobs=1, scheduler=cluster.scheduler_address, batch=1
        ):
            assert not isinstance(part, Failed), part.reason
            read.extend(article_id for article_id, _ in part)
            held.append(len(cluster.scheduler.tasks))
    assert sorted(read) == sorted(article.id for article in articles)
    assert max(held) <= IN_FLIGHT_PER_WORKER < len(articles)


def test_the_stamp_changes_with_every_article_and_review(
    collection: Collection, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    first = collection.stamp()
    assert collection.stamp() == first  # nothing changed: the same stamp
    event = collection.events()[0]
    review.confirm(collection, event.event.id, by="ana", version=0)
    reviewed = collection.stamp()
    assert reviewed != first
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "idlib.txt").write_text(
        ARTICLES["shelling.txt"].replace("seven", "eight"), encoding="utf-8"
    )
    add_paths(collection, [tmp_path / "more"], gazetteer, world=None, setup=SETUP, by="ana")
    assert collection.stamp() not in (first, reviewed)


def test_history_lists_every_change_with_who_and_when(collection: Collection) -> None:
    event = collection.events()[0].event
    version = review.confirm(collection, event.id, by="ana", version=0, note="seen it")
    review.correct(collection, event.id, review.Correction(fatalities=9), by="bo", version=version)
    changes = collection.history(event.id)
    assert [(c.action, c.author, c.version) for c in changes] == [
        ("confirm", "ana", 1),
        ("correct", "bo", 2),
    ]
    assert changes[0].note == "seen it" and changes[1].fields == {"fatalities": 9}
    assert changes[0].at.tzinfo is not None and changes[0].at <= changes[1].at


def test_adding_what_is_there_needs_no_analysis(collection: Collection, folder: Path) -> None:
    from geo.store.ingest import nothing_to_add, read_paths

    done = nothing_to_add(collection, read_paths([folder]))
    assert done is not None and not done.added
    assert sorted(stored for _, stored in done.already) == ["ramouseh", "shelling"]
    fresh = dataclasses.replace(read_paths([folder])[0], text="Another text entirely.")
    assert nothing_to_add(collection, [fresh]) is None


def test_geo_add_of_known_texts_loads_no_world_index(
    collection: Collection, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geo.world

    def refuse(**_: object) -> None:
        raise AssertionError("the world index was loaded for nothing")

    monkeypatch.setattr(geo.world, "load_world", refuse)
    assert main(["add", str(folder), "--db", collection.name]) == 0


def test_the_collections_map_is_what_build_makes_of_its_articles(
    collection: Collection, folder: Path, gazetteer: Gazetteer
) -> None:
    from geo.articles import read_articles
    from geo.layers import build_layers
    from geo.store.export import collection_map

    corpus, layers = collection_map(collection, gazetteer)
    built = build_layers(
        geo.corpus.analyse(read_articles(folder), gazetteer, world=None), gazetteer
    )
    assert [a.id for a in corpus.articles] == ["ramouseh", "shelling"]
    for name in ("events", "places", "corridors", "zones"):
        mine = getattr(layers, name).drop(columns=list(REVIEW_COLUMNS), errors="ignore")
        theirs = getattr(built, name)
        assert list(mine.columns) == list(theirs.columns), name
        key = ["id"]
        mine = mine.sort_values(key).reset_index(drop=True).drop(columns="geometry")
        theirs = theirs.sort_values(key).reset_index(drop=True).drop(columns="geometry")
        assert mine.astype(str).equals(theirs.astype(str)), name
    assert set(layers.events["review_status"]) == {"proposed"}


def test_an_events_web_address_is_its_articles(
    db: str, tmp_path: Path, gazetteer: Gazetteer
) -> None:
    from geo.articles import parse_article
    from geo.store.ingest import add_articles

    article = dataclasses.replace(
        parse_article(ARTICLES["shelling.txt"], path="shelling.txt"),
        url="https://levant-wire.example/2016/03/03/shelling",
    )
    with Collection.open(db) as collection:
        add_articles(collection, [article], gazetteer, world=None, setup=SETUP, by="ana")
        urls = {e.event.source_url for e in collection.events()}
    assert urls == {"https://levant-wire.example/2016/03/03/shelling"}
