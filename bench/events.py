"""Benchmark ``geo build`` on real news against the same build parsing every sentence.

The 200 GeoWebNews texts (``../shared/eval/GeoWebNews/GWN.xml``, evaluation data: read
here, never copied into the project) are repeated to 2,000 articles, each with a title
and a date line so that events go through the whole extractor, and written to a
temporary folder. ``python -m geo build DIR --out OUT`` runs as a user would (one
process, one core). The peer runs the same build in one process after spaCy's pipeline
has parsed every sentence of every article, as an extractor that ran its NLP backbone
everywhere would: the ratio shows what running spaCy only on the sentences the trigger
lexicon flags saves. The extractor's parse cache keeps only the last 64 sentences, so a
repeated text is parsed again (the repetition flatters nothing).

Run ``python bench/events.py`` (2,000 articles; ``--quick`` for 400).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from table import ChildRun, markdown, megabytes, python_command, ratio, run_child
from throughput import DEFAULT_CORPUS, read_texts

_PARSE_ALL_THEN_BUILD = """
from geo.articles import read_articles
from geo.events import _split_sentences
from geo import nlp
from geo.cli import main
articles = read_articles(sys.argv[1])
sentences = [a.text[s:e] for a in articles for s, e in _split_sentences(a)]
for _ in nlp.load().pipe(sentences, batch_size=256):
    pass
sys.exit(main(["build", sys.argv[1], "--out", sys.argv[2]]))
"""


def write_corpus(folder: Path, texts: Sequence[str], count: int) -> None:
    """Write ``count`` articles, the texts in turn, each with a title and a date line."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = texts[i % len(texts)]
        (folder / f"gwn_{i:05d}.txt").write_text(
            f"Report {i}\n\nApril 5, 2018\n\n{text}\n", encoding="utf-8"
        )


def _row(name: str, run: ChildRun, count: int, peer: ChildRun | None) -> list[object]:
    rate = count / run.cpu if run.cpu else 0.0
    return [
        name,
        f"{run.wall:.1f} s",
        f"{run.cpu:.1f} s",
        f"{rate:,.1f}",
        megabytes(run.max_rss),
        ratio(run.cpu, peer.cpu) if peer else "×1.00",
        "ok" if run.code == 0 else f"exit {run.code}: {run.stderr.strip()[-200:]}",
    ]


def run(*, quick: bool = False, corpus: Path = DEFAULT_CORPUS, articles: int = 0) -> str:
    """Measure both builds and return the markdown table."""
    count = articles or (400 if quick else 2000)
    texts = [t for t in read_texts(corpus) if t.strip()]
    with tempfile.TemporaryDirectory(prefix="newsmap-bench-") as tmp:
        root = Path(tmp)
        write_corpus(root / "articles", texts, count)
        ours = run_child(
            python_command("-m", "geo", "build", str(root / "articles"), "--out", str(root / "a"))
        )
        every = run_child(
            python_command("-c", _PARSE_ALL_THEN_BUILD)[:3]
            + [str(root / "articles"), str(root / "b")]
        )
    header = ["build", "wall", "CPU", "articles / CPU s", "peak RSS", "CPU ÷ ours", "status"]
    rows = [
        _row("geo build (spaCy on flagged sentences)", ours, count, None),
        _row("same build, spaCy over every sentence", every, count, ours),
    ]
    title = (
        f"geo build on {count:,} real news articles ({len(texts)} GeoWebNews texts repeated),"
        " one process"
    )
    return markdown(title, header, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400 articles instead of 2,000")
    parser.add_argument("--articles", type=int, default=0, help="how many articles")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="GWN.xml path")
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"events: {args.corpus}: no such file (the GeoWebNews corpus)", file=sys.stderr)
        return 2
    print(run(quick=args.quick, corpus=args.corpus, articles=args.articles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
