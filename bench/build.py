"""Benchmark ``geo build`` on synthetic articles against find_mentions alone.

The articles are generated from the gazetteer into a temporary directory (fixed seed).
``python -m geo build DIR --out OUT`` runs as a user would run it, progress bar on
(stderr is captured to check the bar was drawn), then again with ``--jobs 2``. The peer
is the same articles read and geoparsed with ``find_mentions`` alone in this process, so
the ratio shows what event extraction, layers and the five exports add. With
``--breakdown`` (the default with ``--quick``) a table of each stage's CPU time follows;
it repeats the whole build in process, so the full run leaves it out unless asked.

Run ``python bench/build.py`` (10,000 articles; ``--quick`` for 1,000 with the stages).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from table import ChildRun, clock, markdown, megabytes, python_command, ratio, run_child, seconds


def _cli_build(articles: Path, out: Path, *extra: str) -> ChildRun:
    """Run ``python -m geo build`` as a user would, progress bar on."""
    command = python_command("-m", "geo", "build", str(articles), "--out", str(out), *extra)
    return run_child(command)


def _stages(articles: Path, out: Path, *, full: bool) -> list[tuple[str, float, str]]:
    """Time each stage of a build in this process; return (stage, seconds, note) rows.

    Without ``full`` only reading and ``find_mentions`` (the peer) run.
    """
    from geo.articles import read_articles
    from geo.gazetteer import load_gazetteer
    from geo.geoparse import find_mentions
    from geo.world import load_world

    rows: list[tuple[str, float, str]] = []
    start = clock()
    gazetteer = load_gazetteer()
    world = load_world()
    rows.append(("load gazetteer + world index", clock() - start, ""))

    start = clock()
    docs = read_articles(articles)
    rows.append(("read_articles", clock() - start, f"{len(docs):,} articles"))

    start = clock()
    found = sum(
        len(find_mentions(doc.text, gazetteer, world=world, spans=doc.body)) for doc in docs
    )
    rows.append(("find_mentions (peer)", clock() - start, f"{found:,} mentions"))
    if not full:
        return rows

    try:
        from geo.corpus import analyse
    except ImportError as exc:
        rows.append(("analyse", 0.0, f"not available: {exc}"))
        return rows
    start = clock()
    corpus = analyse(docs, gazetteer, world=world)
    rows.append(("analyse (mentions + events + link)", clock() - start, _sizes(corpus)))

    try:
        from geo import export
        from geo.layers import build_layers
        from geo.webmap import write_map_html
    except ImportError as exc:
        rows.append(("layers/export", 0.0, f"not available: {exc}"))
        return rows
    start = clock()
    layers = build_layers(corpus, gazetteer)
    rows.append(("build_layers", clock() - start, ""))
    out.mkdir(parents=True, exist_ok=True)
    writers = (
        ("write_geojson", lambda: export.write_geojson(layers, out / "map.geojson")),
        ("write_csv", lambda: export.write_csv(layers, out / "events.csv")),
        ("write_gpkg", lambda: export.write_gpkg(layers, out / "map.gpkg")),
        ("write_kml", lambda: export.write_kml(layers, out / "map.kml")),
        ("write_map_html", lambda: write_map_html(layers, out)),
    )
    for name, write in writers:
        start = clock()
        try:
            write()
        except (AttributeError, TypeError) as exc:
            rows.append((name, 0.0, f"failed: {exc}"))
            continue
        rows.append((name, clock() - start, ""))
    return rows


JOBS = 2  # worker processes for the second run: this machine's cores


def _rate(count: int, elapsed: float) -> str:
    """Format articles per second; a dash for a stage that did not run."""
    return f"{count / elapsed:,.0f}" if elapsed else "–"


def _sizes(corpus: object) -> str:
    """Describe how many events and zones a corpus holds."""
    events = len(getattr(corpus, "events", ()))
    zones = len(getattr(corpus, "zones", ()))
    return f"{events:,} events, {zones:,} zones"


def run(*, quick: bool = False, articles: int = 0, breakdown: bool | None = None) -> str:
    """Measure ``geo build`` and return the markdown tables."""
    from synthetic import write_articles

    from geo.gazetteer import load_gazetteer

    count = articles or (1000 if quick else 10000)
    breakdown = quick if breakdown is None else breakdown
    with tempfile.TemporaryDirectory(prefix="newsmap-bench-") as tmp:
        root = Path(tmp)
        size = write_articles(root / "articles", load_gazetteer(), count)
        child = _cli_build(root / "articles", root / "out")
        forked = _cli_build(root / "articles", root / "out-jobs", "--jobs", str(JOBS))
        elapsed, code, stderr = child.cpu, child.code, child.stderr
        bar = "yes" if ("it/s" in stderr or "%|" in stderr or "s/it" in stderr) else "no"
        notes = []
        if code != 0:
            last = (stderr.strip().splitlines() or ["(no output)"])[-1]
            notes.append(f"`geo build` exited {code}: {last[:300]}")
        stages: list[tuple[str, float, str]] = []
        try:
            stages = _stages(root / "articles", root / "out-stages", full=breakdown)
        except ImportError as exc:
            notes.append(f"stage breakdown not available: {exc}")
        outputs = sorted(p.name for p in (root / "out").glob("*")) if code == 0 else []

    peer = next((s for name, s, _ in stages if name.startswith("find_mentions")), 0.0)
    rows: list[list[object]] = [
        [
            "`python -m geo build` (whole command)",
            f"{count / elapsed:,.1f}" if code == 0 else "failed",
            seconds(elapsed),
            ratio(elapsed, peer),
            f"wall {seconds(child.wall)}; peak RSS {megabytes(child.max_rss)}; "
            f"progress bar drawn: {bar}",
        ],
    ]
    if forked.code == 0:
        rows.append(
            [
                f"`python -m geo build --jobs {JOBS}` (forked workers)",
                f"{count / forked.cpu:,.1f}",
                seconds(forked.cpu),
                ratio(forked.cpu, peer),
                f"wall {seconds(forked.wall)}, {ratio(child.wall, forked.wall)} faster than "
                f"one process; peak RSS of the main process {megabytes(forked.max_rss)}",
            ]
        )
    else:
        notes.append(f"`geo build --jobs {JOBS}` exited {forked.code}")
    if peer:
        rows.append(
            [
                "find_mentions alone (peer, in process)",
                f"{count / peer:,.1f}",
                seconds(peer),
                "×1.00",
                "",
            ]
        )
    title = (
        f"`geo build` on {count:,} synthetic articles ({megabytes(size)}) "
        f"from the gazetteer; outputs: {', '.join(outputs) or 'none'}"
    )
    table = markdown(title, ["run", "articles/CPU s", "CPU", "vs peer", "note"], rows)
    if stages:
        stage_rows = [
            [name, seconds(s), _rate(count, s) if not name.startswith("load") else "–", note]
            for name, s, note in stages
        ]
        table += "\n" + markdown(
            "Stages (in process, same articles, CPU)",
            ["stage", "CPU", "articles/CPU s", "note"],
            stage_rows,
        )
    return table + "".join(f"\n{note}\n" for note in notes)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark from the command line and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 articles")
    parser.add_argument("--articles", type=int, default=0, help="number of articles")
    parser.add_argument(
        "--breakdown",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also time every stage in process (default: with --quick only; it repeats "
        "the whole build)",
    )
    args = parser.parse_args(argv)
    print(run(quick=args.quick, articles=args.articles, breakdown=args.breakdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
