"""The collection's subcommands: ``geo add``, ``geo reanalyse`` and ``geo export``.

Declared here and listed in ``geo.cli.SUBCOMMANDS``; the heavy imports (SQLAlchemy, Dask)
happen only when one of them runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer
    from geo.store.cluster import Setup
    from geo.world import WorldIndex

__all__ = ["SUBCOMMANDS", "analysis_summary"]

_EPILOG = (
    "The collection is --db, else $NEWSMAP_DB, else collection.gpkg here: a file path (a "
    "SQLite GeoPackage, created when missing) or a postgresql://user@host:port/db URL."
)


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Return ``handler`` with a database failure (lost server, full disk) as one line."""

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        from geo.errors import StoreError

        try:
            return handler(args)
        except DBAPIError as exc:
            reason = " ".join(str(exc.orig).split())
            raise StoreError(f"the collection failed: {reason}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"the collection failed: {exc}") from exc

    return run


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        default=None,
        help="the collection: a file (created when missing) or a postgresql:// URL "
        "(default: $NEWSMAP_DB, else collection.gpkg)",
    )


def _analysis_options(parser: argparse.ArgumentParser) -> None:
    from geo.cli import _gazetteer_option, _positive_int, _world_options

    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=1,
        metavar="N",
        help="analyse on a local Dask cluster of N worker processes (default 1: here, "
        "without Dask, which is faster below a few hundred articles)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        default=None,
        help="analyse on this running Dask cluster instead (its workers need newsmap "
        "and the same gazetteer and cache paths)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every dropped sentence and why"
    )
    _gazetteer_option(parser)
    _world_options(parser)


def _reviewer() -> str:
    return os.environ.get("NEWSMAP_USER") or getpass.getuser()


def _loaded(args: argparse.Namespace) -> tuple[Gazetteer, WorldIndex | None, Setup]:
    from geo.gazetteer import load_gazetteer
    from geo.store.cluster import Setup
    from geo.world import load_world

    gazetteer = load_gazetteer(args.gazetteer)
    local = args.jobs <= 1 and args.scheduler is None
    world = None if args.no_world or not local else load_world(cache_dir=args.cache_dir)
    setup = Setup(
        gazetteer=str(Path(args.gazetteer).resolve()) if args.gazetteer else None,
        world=not args.no_world,
        cache_dir=str(Path(args.cache_dir).resolve()) if args.cache_dir else None,
    )
    return gazetteer, world, setup


def analysis_summary(analysis: object, *, verbose: bool = False) -> list[str]:
    """Return the lines that say what an analysis found, dropped and could not do."""
    from geo.events import dropped_reasons
    from geo.store.ingest import Analysis

    assert isinstance(analysis, Analysis)
    lines = [f"analysed {_count(analysis.articles, 'article')}: {_count(analysis.events, 'event')}"]
    if analysis.dropped:
        reasons = dropped_reasons(analysis.dropped).most_common()
        said = ", ".join(f"{n} {why}" for why, n in reasons)
        lines.append(f"dropped {_count(len(analysis.dropped), 'sentence')}: {said}")
    lines += [f"no event from {article_id}: {why}" for article_id, why in analysis.silent]
    for failed in analysis.failed:
        lines.append(
            f"not analysed (kept for the next run): {', '.join(failed.ids)}: {failed.reason}"
        )
    for article_id, rebound in sorted(analysis.rebound.items()):
        for old, new in rebound.moved:
            lines.append(f"review of {old} kept on {new} (same sentence and type in {article_id})")
        for old in rebound.lost:
            lines.append(f"review of {old} kept, but the new run does not find its event")
    if verbose:
        lines += [f"dropped {' '.join(line.split())}" for line in analysis.dropped]
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun if n == 1 else noun + 's'}"


def _print(lines: list[str]) -> None:
    from geo.cli import terminal_safe

    sys.stdout.write("".join(terminal_safe(line) + "\n" for line in lines))


def _add(args: argparse.Namespace) -> int:
    from geo.store.collection import Collection
    from geo.store.ingest import add_articles, nothing_to_add, read_paths

    articles = read_paths(args.paths)  # a bad path fails here, before anything is opened
    with Collection.open(args.db) as collection:
        # Nothing new: no need to load the gazetteer and the world index (seconds).
        added = nothing_to_add(collection, articles)
        if added is None:
            gazetteer, world, setup = _loaded(args)
            added = add_articles(
                collection,
                articles,
                gazetteer,
                world=world,
                setup=setup,
                by=_reviewer(),
                jobs=args.jobs,
                scheduler=args.scheduler,
            )
        lines = [f"{collection.name}: added {_count(len(added.added), 'article')}"]
    if not added.added:
        lines[0] += "; nothing new"
    lines += [f"added {article_id}" for article_id in added.added]
    lines += [
        f"renamed {old} to {new}: its id was taken by another text" for old, new in added.renamed
    ]
    lines += [f"already in the collection: {path} (as {stored})" for path, stored in added.already]
    if added.analysis.articles or added.analysis.failed:
        lines += analysis_summary(added.analysis, verbose=args.verbose)
    _print(lines)
    return 1 if added.analysis.failed else 0


def _add_add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "add",
        help="add article files or folders to the collection and analyse what is new",
        description=(
            "Add each article (a file, or every article of a folder) whose text the "
            "collection does not hold yet, analyse the new ones and say what was added, "
            "what was already there, and which sentences were dropped and why."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", type=Path, help="files or folders")
    _db_option(parser)
    _analysis_options(parser)
    parser.set_defaults(handler=_guarded(_add))


def _reanalyse(args: argparse.Namespace) -> int:
    from geo.events import EXTRACTOR_VERSION
    from geo.store.collection import Collection
    from geo.store.ingest import reanalyse

    gazetteer, world, setup = _loaded(args)
    with Collection.open(args.db) as collection:
        analysis = reanalyse(
            collection,
            gazetteer,
            world=world,
            setup=setup,
            jobs=args.jobs,
            scheduler=args.scheduler,
        )
        name = collection.name
    lines = [f"{name}: extractor version {EXTRACTOR_VERSION}"]
    if not analysis.articles and not analysis.failed:
        lines[0] += "; every article is up to date"
    else:
        lines += analysis_summary(analysis, verbose=args.verbose)
    _print(lines)
    return 1 if analysis.failed else 0


def _add_reanalyse(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "reanalyse",
        help="re-analyse the articles an older extractor read, keeping every review",
        description=(
            "Re-read every article of the collection analysed by an older extractor "
            "version (or not at all). Reviews stay: an event found again (same id, or "
            "same article, sentence and type) keeps its status and corrections."
        ),
        epilog=_EPILOG,
    )
    _db_option(parser)
    _analysis_options(parser)
    parser.set_defaults(handler=_guarded(_reanalyse))


def _export(args: argparse.Namespace) -> int:
    from geo.export import write_all
    from geo.gazetteer import load_gazetteer
    from geo.store.collection import Collection
    from geo.store.export import store_layers

    gazetteer = load_gazetteer(args.gazetteer)
    with Collection.open(args.db) as collection:
        layers = store_layers(
            collection,
            gazetteer,
            statuses=args.status,
            start=args.since,
            end=args.until,
            event_types=args.type,
            articles=args.article,
            min_fatalities=args.min_fatalities,
        )
        name = collection.name
    write_all(layers, args.out, progress=True)
    _print([f"{name}: wrote {_count(len(layers.events), 'event')} to {args.out}"])
    return 0


def _statuses(text: str) -> tuple[str, ...]:
    from geo.store.schema import REVIEW_STATUSES

    if text == "all":
        return REVIEW_STATUSES
    wanted = tuple(s.strip() for s in text.split(",") if s.strip())
    wrong = [s for s in wanted if s not in REVIEW_STATUSES]
    if wrong or not wanted:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected 'all' or a comma-separated list of {', '.join(REVIEW_STATUSES)}"
        )
    return wanted


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from geo.cli import _gazetteer_option

    parser = sub.add_parser(
        "export",
        help="write the collection's reviewed events as map.geojson, events.csv, map.gpkg, "
        "map.kml and map.html",
        description=(
            "Write the five outputs of 'build' from the collection, each event with its "
            "review (review_status, reviewed_by, reviewed_at, review_note, "
            "corrected_fields, merged_events, review_version)."
        ),
        epilog=_EPILOG,
    )
    _db_option(parser)
    parser.add_argument("--out", type=Path, required=True, metavar="OUT", help="output folder")
    parser.add_argument(
        "--status",
        type=_statuses,
        default=("proposed", "confirmed", "corrected"),
        metavar="S[,S]",
        help="review statuses to write, or 'all' (default: proposed,confirmed,corrected)",
    )
    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day")
    parser.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="last day")
    parser.add_argument("--type", action="append", metavar="EVENT_TYPE", help="event type")
    parser.add_argument("--article", action="append", metavar="ID", help="article id")
    parser.add_argument("--min-fatalities", type=int, metavar="N", help="at least N deaths")
    _gazetteer_option(parser)
    parser.set_defaults(handler=_guarded(_export))


SUBCOMMANDS = [_add_add, _add_reanalyse, _add_export]
