"""Benchmark pathological articles: time per MB at 1, 2, 5 and 10 MB, to show linearity.

Four kinds of text, each cut to the size: news prose (the seed articles repeated), one
name repeated ("Aleppo Aleppo ..."), the prose with every whitespace removed, and the
prose in capitals. Two stages are timed: ``find_mentions`` over the whole text (world
index on) and the article pipeline (``parse_article`` + ``find_mentions`` over the body +
``extract_events``). Linear work shows as a flat "per MB" column: the ratio against the
smallest size's time per MB stays near 1.

Each measurement runs in its own process (fresh memory) and is stopped after a time limit,
so a super-linear stage shows as "did not finish" instead of hanging the run.

Run ``python bench/pathological.py`` (``--quick`` for 0.25, 0.5 and 1 MB, 60 s limit).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
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


STAGES = ("find_mentions", "parse + mentions + events")


def _stage(stage: str) -> Callable[[str], int]:
    """Return one timed stage: it takes a text and returns a count of its results."""
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import find_mentions
    from geo.world import load_world

    gazetteer = load_gazetteer()
    world = load_world()

    def mentions(text: str) -> int:
        return len(find_mentions(text, gazetteer, world=world))

    def pipeline(text: str) -> int:
        from geo.articles import parse_article
        from geo.events import extract_events

        article = parse_article(text, path="pathological.txt", html=False)
        found = find_mentions(article.text, gazetteer, world=world, spans=article.body)
        return len(extract_events(article, found, gazetteer))

    func = mentions if stage == STAGES[0] else pipeline
    func("Warm up in Aleppo.")
    return func


def _worker(stage: str, kind: str, size: int) -> int:
    """Time one stage on one text in this process; print CPU seconds and count as JSON."""
    func = _stage(stage)
    text = texts(size)[kind]
    start = clock()
    count = func(text)
    print(json.dumps({"cpu": clock() - start, "count": count}))
    return 0


def _measure(stage: str, kind: str, size: int, timeout: float) -> tuple[float, int] | str:
    """Run one measurement in a child process; return (CPU s, count) or why it failed."""
    command = [sys.executable, __file__, "--worker", stage, kind, str(size)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"did not finish in {timeout:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return f"failed: {last[:160]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["cpu"]), int(result["count"])


def run(*, quick: bool = False, pipeline: bool = True, timeout: float = 0.0) -> str:
    """Time each stage on each text at each size; return the markdown table."""
    sizes = (MB // 4, MB // 2, MB) if quick else (MB, 2 * MB, 5 * MB, 10 * MB)
    timeout = timeout or (60.0 if quick else 300.0)
    stages = STAGES if pipeline else STAGES[:1]
    rows: list[list[object]] = []
    for stage in stages:
        for kind in texts(1000):
            base_per_mb = 0.0
            gave_up = ""
            for size in sizes:
                mb = size / MB
                if gave_up:
                    rows.append([stage, kind, f"{mb:g} MB", "–", "–", "–", f"skipped: {gave_up}"])
                    continue
                result = _measure(stage, kind, size, timeout)
                if isinstance(result, str):
                    gave_up = f"{mb:g} MB {result}"
                    rows.append([stage, kind, f"{mb:g} MB", "–", "–", "–", result])
                    continue
                elapsed, count = result
                per_mb = elapsed / mb
                base_per_mb = base_per_mb or per_mb
                rows.append(
                    [
                        stage,
                        kind,
                        f"{mb:g} MB",
                        seconds(elapsed),
                        seconds(per_mb),
                        ratio(per_mb, base_per_mb),
                        f"{count:,}",
                    ]
                )
    header = ["stage", "text", "size", "CPU", "per MB", "per MB vs smallest", "results"]
    title = (
        "Pathological articles: CPU time per MB (flat = linear); each run in its own process, "
        f"stopped after {timeout:.0f} s"
    )
    return markdown(title, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.25, 0.5 and 1 MB")
    parser.add_argument(
        "--no-pipeline", action="store_true", help="time find_mentions only (skip events)"
    )
    parser.add_argument("--timeout", type=float, default=0.0, help="seconds per measurement")
    parser.add_argument(
        "--worker", nargs=3, metavar=("STAGE", "KIND", "SIZE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        stage, kind, size = args.worker
        return _worker(stage, kind, int(size))
    print(run(quick=args.quick, pipeline=not args.no_pipeline, timeout=args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
