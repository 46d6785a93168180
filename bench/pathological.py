"""Benchmark pathological articles: time per MB at 1, 2, 5 and 10 MB, to show linearity.

Four kinds of text, each cut to the size: news prose (the seed articles repeated), one
name repeated ("Aleppo Aleppo ..."), the prose with every whitespace removed, and the
prose in capitals. Two stages are timed: ``find_mentions`` over the whole text (world
index on) and the article pipeline (``parse_article`` + ``find_mentions`` over the body +
``extract_events``). Linear work shows as a flat "per MB" column: the ratio against the
1 MB time per MB stays near 1.

Run ``python bench/pathological.py`` (``--quick`` for 1 and 2 MB, find_mentions only).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence

from table import REPO_ROOT, clock, markdown, ratio, seconds

MB = 1_000_000


def _prose() -> str:
    """Return the seed articles joined, as a base to repeat."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "seeds").glob("*.txt"))]
    return "\n\n".join(texts) or "Shelling was reported in Aleppo on Saturday. " * 100


def texts(size: int) -> dict[str, str]:
    """Return the four pathological texts of ``size`` characters each."""
    prose = _prose()

    def fill(base: str) -> str:
        return (base * (size // len(base) + 1))[:size]

    return {
        "news prose": fill(prose + "\n\n"),
        "one name repeated": fill("Aleppo "),
        "no whitespace": fill(re.sub(r"\s+", "", prose)),
        "all capitals": fill(prose.upper() + "\n\n"),
    }


def _stage_functions() -> dict[str, Callable[[str], int]]:
    """Return the timed stages, each taking a text and returning a count of results."""
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import find_mentions
    from geo.world import load_world

    gazetteer = load_gazetteer()
    world = load_world()

    def mentions(text: str) -> int:
        return len(find_mentions(text, gazetteer, world=world))

    stages = {"find_mentions": mentions}
    try:
        from geo.articles import parse_article
        from geo.events import extract_events
    except ImportError:
        return stages

    def pipeline(text: str) -> int:
        article = parse_article(text, path="pathological.txt", html=False)
        found = find_mentions(article.text, gazetteer, world=world, spans=article.body)
        return len(extract_events(article, found, gazetteer))

    stages["parse + mentions + events"] = pipeline
    return stages


def run(*, quick: bool = False, pipeline: bool = True) -> str:
    """Time each stage on each text at each size; return the markdown table."""
    sizes = (1, 2) if quick else (1, 2, 5, 10)
    try:
        stages = _stage_functions()
    except ImportError as exc:
        return f"**Pathological articles**: newsmap is not importable yet ({exc})\n"
    if quick or not pipeline:
        stages = {"find_mentions": stages["find_mentions"]}
    rows: list[list[object]] = []
    for stage, func in stages.items():
        func("Warm up in Aleppo.")
        base_per_mb: dict[str, float] = {}
        for mb in sizes:
            for kind, text in texts(mb * MB).items():
                start = clock()
                count = func(text)
                elapsed = clock() - start
                per_mb = elapsed / mb
                base_per_mb.setdefault(kind, per_mb)
                rows.append(
                    [
                        stage,
                        kind,
                        f"{mb} MB",
                        seconds(elapsed),
                        seconds(per_mb),
                        ratio(per_mb, base_per_mb[kind]),
                        f"{count:,}",
                    ]
                )
    header = ["stage", "text", "size", "time", "per MB", "per MB vs 1 MB", "results"]
    title = "Pathological articles: time per MB (flat = linear)"
    return markdown(title, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 and 2 MB, find_mentions only")
    parser.add_argument(
        "--no-pipeline", action="store_true", help="time find_mentions only (skip events)"
    )
    args = parser.parse_args(argv)
    print(run(quick=args.quick, pipeline=not args.no_pipeline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
