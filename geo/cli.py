"""The newsmap command line: ``python -m geo`` and the ``newsmap`` console script.

Each subcommand is one ``_add_<name>`` function that declares its arguments and sets
``handler``; :data:`SUBCOMMANDS` lists them, so adding a subcommand is one function and
one line.  Handlers return the exit status.  Every :class:`~geo.errors.GeoError` (bad
file, bad gazetteer, bad corpus) becomes one line on stderr and exit status 2: a user
mistake never shows a traceback.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from geo import __version__
from geo.errors import GeoError
from geo.store.commands import SUBCOMMANDS as STORE_SUBCOMMANDS
from geo.world import ATTRIBUTION

__all__ = ["SUBCOMMANDS", "main", "mention_record", "terminal_safe"]

EXIT_USAGE = 2

_EPILOG = f"Attribution: {ATTRIBUTION}"


def _gazetteer_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gazetteer",
        metavar="PATH",
        type=Path,
        default=None,
        help="curated gazetteer CSV (default: gazetteer.csv at the repository root)",
    )


def _world_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-world",
        action="store_true",
        help="use the curated gazetteer only, without the GeoNames world fallback",
    )
    parser.add_argument(
        "--cache-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help="where the world index is cached (default: $NEWSMAP_CACHE_DIR or ~/.cache/newsmap)",
    )


def mention_record(mention: object) -> dict[str, object]:
    """Return the JSON record ``geo toponyms`` prints for one mention.

    ``source`` is where the place came from: ``"curated"`` (gazetteer.csv),
    ``"geonames"`` (the world index) or ``"nominatim"``.
    """
    from geo.models import Mention

    assert isinstance(mention, Mention)
    place = mention.place
    return {
        "text": mention.text,
        "start": mention.start,
        "end": mention.end,
        "place_id": place.id,
        "name": place.name,
        "kind": place.kind,
        "country": place.country,
        "lat": place.lat,
        "lon": place.lon,
        "source": place.origin,
        "confidence": mention.confidence,
    }


def _toponyms(args: argparse.Namespace) -> int:
    from geo.articles import read_article
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import find_article_mentions
    from geo.world import load_world

    gazetteer = load_gazetteer(args.gazetteer)
    world = None if args.no_world else load_world(cache_dir=args.cache_dir)
    for file in args.files:
        article = read_article(file)
        mentions = find_article_mentions(article, gazetteer, world=world)
        record = {"file": str(file), "mentions": [mention_record(m) for m in mentions]}
        sys.stdout.write(terminal_safe(json.dumps(record, ensure_ascii=False)) + "\n")
    return 0


def _add_toponyms(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "toponyms",
        help="print the places each article names, one JSON object per line per file",
        description=(
            "Print one JSON object per file: {file, mentions: [{text, start, end, place_id, "
            "name, kind, country, lat, lon, source, confidence}]}. start/end index the "
            "file's decoded text (end exclusive); source is 'curated' or 'geonames'."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="article files")
    _gazetteer_option(parser)
    _world_options(parser)
    parser.set_defaults(handler=_toponyms)


def _evaluate(args: argparse.Namespace) -> int:
    from geo.evaluate import evaluate_file, format_report
    from geo.gazetteer import load_gazetteer
    from geo.world import load_world

    gazetteer = load_gazetteer(args.gazetteer)
    world = None if args.no_world else load_world(cache_dir=args.cache_dir)
    report = evaluate_file(args.corpus, gazetteer, world=world)
    if args.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(terminal_safe(format_report(report), keep="\n") + "\n")
    return 0


def _add_evaluate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "evaluate",
        help="score the geoparser on a GeoWebNews-format annotated corpus (XML)",
        description=(
            "Recognition precision/recall/F1 (a prediction counts when it overlaps a gold "
            "toponym), accuracy within 161 km and median error over recognised toponyms "
            "with gold coordinates, and a breakdown by toponym type."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("corpus", type=Path, metavar="CORPUS.xml", help="annotated corpus")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    _gazetteer_option(parser)
    _world_options(parser)
    parser.set_defaults(handler=_evaluate)


def _evaluate_events(args: argparse.Namespace) -> int:
    from geo.evaluate_events import evaluate_articles, format_report, load_gold, read_gold_articles
    from geo.gazetteer import load_gazetteer
    from geo.world import load_world

    # The gold and the folder are checked before the slow loads: a typo fails at once.
    gold = load_gold(args.gold)
    articles = read_gold_articles(gold, args.directory, gold_source=str(args.gold))
    gazetteer = load_gazetteer(args.gazetteer)
    world = None if args.no_world else load_world(cache_dir=args.cache_dir)
    report = evaluate_articles(gold, articles, gazetteer, world=world)
    if args.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=1, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_report(report) + "\n")
    return 0


def _add_evaluate_events(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "evaluate-events",
        help="build the articles in DIR and score their events against a gold file",
        description=(
            "Build the articles in DIR as 'build' does (nothing is written) and score the "
            "events against GOLD.json (the events-dev format): required and all-event "
            "recall, precision (duplicates, non-events and other false positives), date, "
            "place and type correct rates, fatalities exact rate, claimed_by present, "
            "non-events extracted; then the missed required events and false positives."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("gold", type=Path, metavar="GOLD.json", help="gold events")
    parser.add_argument("directory", type=Path, metavar="DIR", help="folder of the articles")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    _gazetteer_option(parser)
    _world_options(parser)
    parser.set_defaults(handler=_evaluate_events)


def _build(args: argparse.Namespace) -> int:
    from geo.corpus import analyse_dir
    from geo.export import write_all
    from geo.gazetteer import load_gazetteer
    from geo.layers import build_layers
    from geo.outputs import check_outside
    from geo.tiles import configured_path, open_archive
    from geo.world import load_world

    check_outside(args.out, args.directory)
    tiles_path = configured_path(args.tiles)
    # A bad archive is said before the articles are read, not after.
    own_tiles = open_archive(tiles_path) if tiles_path else None
    gazetteer = load_gazetteer(args.gazetteer)
    world = None if args.no_world else load_world(cache_dir=args.cache_dir)
    corpus = analyse_dir(args.directory, gazetteer, world=world, progress=True, jobs=args.jobs)
    layers = build_layers(corpus, gazetteer)
    write_all(layers, args.out, progress=True, own_tiles=own_tiles)
    sys.stdout.write(build_summary(corpus, layers, verbose=args.verbose) + "\n")
    if own_tiles is not None:
        line = (
            f"own tiles: {own_tiles.summary()}; map.html draws them when served: "
            f"python -m geo serve {args.out}"
        )
        sys.stdout.write(terminal_safe(line) + "\n")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from geo.serve import serve

    return serve(args.out, tiles=args.tiles, port=args.port)


def _add_serve(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "serve",
        help="serve a geo build folder on 127.0.0.1, with its own tiles",
        description=(
            "Serve OUT (a folder geo build wrote) at http://127.0.0.1:PORT/map.html, and the "
            "tiles of the archive geo build --tiles drew (or --tiles PATH): a map opened "
            "from a file cannot fetch them. Files answer HTTP Range requests."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="a folder geo build wrote")
    parser.add_argument("--port", type=int, default=8000, help="default 8000; 0 picks a free one")
    parser.add_argument(
        "--tiles",
        type=Path,
        default=None,
        metavar="PATH",
        help="a .pmtiles or .mbtiles archive (default: the one geo build --tiles recorded)",
    )
    parser.set_defaults(handler=_serve)


#: What a terminal could take as a command or a change of direction: C0 and C1 controls,
#: DEL, and the bidirectional embeddings, overrides and isolates.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str, *, keep: str = "") -> str:
    r"""Return ``text`` with control characters spelt ``\uXXXX`` (also valid inside JSON).

    Article text and file names reach the summary and error lines; an escape sequence in
    them must show as text, not recolour or rewrite the user's terminal.

    >>> terminal_safe("Aleppo\x1b[2J\u202egnp.exe")
    'Aleppo\\u001b[2J\\u202egnp.exe'
    """
    return _CONTROLS.sub(
        lambda m: m.group() if m.group() in keep else f"\\u{ord(m.group()):04x}", text
    )


def build_summary(corpus: object, layers: object, *, verbose: bool = False) -> str:
    """Return the summary ``geo build`` prints: what was mapped, what dropped, and a line
    for each article that gave no event with why; every line safe for a terminal.

    ``verbose`` (``geo build -v``) adds every dropped sentence, a line each, with where
    it is (``ARTICLE:OFFSET``) and why it was left out.
    """
    from geo.layers import Layers
    from geo.models import Corpus

    assert isinstance(corpus, Corpus) and isinstance(layers, Layers)

    def count(n: int, noun: str) -> str:
        return f"{n} {noun if n == 1 else noun + 's'}"

    parts = [
        count(len(corpus.articles), "article"),
        count(len(layers.events), "event"),
        count(len(layers.places), "place"),
        count(len(layers.corridors), "corridor"),
        count(len(layers.zones), "zone"),
    ]
    summary = ", ".join(parts)
    dropped = len(corpus.dropped)
    if dropped:
        reasons = "; ".join(" ".join(line.split()) for line in corpus.dropped[:3])
        more = f"; and {dropped - 3} more" if dropped > 3 else ""
        summary += f"; dropped {count(dropped, 'sentence')}: {reasons}{more}"
    else:
        summary += "; dropped 0 sentences"
    # every article that gave no event, and why, a line each: never silent. Each line is
    # made safe for the terminal on its own (an id cannot break a line or forge one).
    lines = [summary, *(f"no event from {article_id}: {why}" for article_id, why in corpus.silent)]
    if verbose:
        lines += [f"dropped {' '.join(line.split())}" for line in corpus.dropped]
    return "\n".join(terminal_safe(line) for line in lines)


def _add_build(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "build",
        help="map every article in DIR and write map.geojson, events.csv, map.gpkg, "
        "map.kml and map.html",
        description=(
            "Read every article in DIR (.txt, .html, .htm, .md) and write OUT/map.geojson "
            "(RFC 7946), OUT/events.csv (ACLED columns), OUT/map.gpkg (a table per layer), "
            "OUT/map.kml and OUT/map.html (a standalone map; its scripts in OUT/vendor/)."
        ),
        epilog=_EPILOG,
    )
    parser.add_argument("directory", type=Path, metavar="DIR", help="folder of articles")
    parser.add_argument("--out", type=Path, required=True, metavar="OUT", help="output folder")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print every dropped sentence, a line each, with where it is and why",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=1,
        metavar="N",
        help="read the articles in N worker processes (default 1); the outputs are the "
        "same, and N up to the number of cores pays from a few hundred articles on",
    )
    parser.add_argument(
        "--tiles",
        type=Path,
        default=None,
        metavar="PATH",
        help="your own .pmtiles or .mbtiles archive, drawn under the events when map.html "
        "is served (python -m geo serve OUT); default: $NEWSMAP_TILES",
    )
    _gazetteer_option(parser)
    _world_options(parser)
    parser.set_defaults(handler=_build)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


# One entry per subcommand: adding one is a function above and a line here.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_toponyms,
    _add_evaluate,
    _add_evaluate_events,
    _add_build,
    _add_serve,
    *STORE_SUBCOMMANDS,  # add, reanalyse, export: the collection (geo.store.commands)
]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand in :data:`SUBCOMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="newsmap",
        description="Turn news reports about a conflict into a map and data.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"newsmap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input or usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except GeoError as exc:
        message = terminal_safe(" ".join(str(exc).split()))
        sys.stderr.write(f"newsmap {args.command}: error: {message}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("newsmap: interrupted\n")
        return 130
