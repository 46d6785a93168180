"""Score the geoparser on an annotated corpus in the GeoWebNews XML format.

Format: ``<articles>`` of ``<article>``, each with ``<text>`` and ``<toponyms>``; every
``<toponym>`` has ``extractedName``, ``type``, ``start``, ``end`` (0-based character
offsets into the text, end exclusive) and optional ``latitude``/``longitude``.  Spans
typed ``Non_Lit_Expression``, ``Literal_Expression`` or ``Non_Toponym`` are not
toponyms and are left out of the gold set.

Figures (as in Gritta et al., "A Pragmatic Guide to Geoparsing Evaluation"):

- recognition: a predicted mention is correct when its span overlaps a gold toponym;
  precision over predictions, recall over gold toponyms, F1;
- resolution: over the gold toponyms that were recognised and have coordinates, the
  share placed within 161 km (100 miles) of the gold point, and the median error in km.
"""

from __future__ import annotations

import bisect
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geopy.distance import geodesic

from geo.errors import GeoError
from geo.gazetteer import Gazetteer
from geo.geoparse import find_mentions
from geo.models import Mention
from geo.world import WorldIndex

__all__ = [
    "ACCURACY_KM",
    "NOT_TOPONYMS",
    "Document",
    "GoldToponym",
    "Report",
    "evaluate",
    "evaluate_file",
    "format_report",
    "parse_corpus",
]

ACCURACY_KM = 161.0
NOT_TOPONYMS: frozenset[str] = frozenset(
    {"Non_Lit_Expression", "Literal_Expression", "Non_Toponym"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldToponym:
    """One annotated toponym: its span, type and (when known) coordinates."""

    name: str
    type: str
    start: int
    end: int
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """One annotated article: its text and gold toponyms."""

    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    skipped: int = 0  # gold spans whose offsets do not fit the text


@dataclass(slots=True)
class _TypeCounts:
    gold: int = 0
    recognised: int = 0
    resolvable: int = 0
    within: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The figures of one evaluation run."""

    documents: int
    gold: int
    predicted: int
    correct_predictions: int
    skipped: int = 0
    recognised: int
    resolvable: int
    within: int
    errors_km: tuple[float, ...] = ()
    by_type: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return self.correct_predictions / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.recognised / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def accuracy(self) -> float:
        """Share of recognised toponyms with gold coordinates placed within 161 km."""
        return self.within / self.resolvable if self.resolvable else 0.0

    @property
    def median_km(self) -> float:
        return statistics.median(self.errors_km) if self.errors_km else 0.0

    def as_dict(self) -> dict[str, object]:
        """Return the figures as plain JSON-ready values."""
        return {
            "documents": self.documents,
            "gold_toponyms": self.gold,
            "gold_skipped": self.skipped,
            "predicted": self.predicted,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "resolvable": self.resolvable,
            "accuracy_161km": round(self.accuracy, 4),
            "median_error_km": round(self.median_km, 1),
            "by_type": {
                name: {
                    "gold": gold,
                    "recall": round(rec / gold, 4) if gold else 0.0,
                    "resolvable": res,
                    "accuracy_161km": round(win / res, 4) if res else 0.0,
                }
                for name, (gold, rec, res, win) in sorted(self.by_type.items())
            },
        }


def _fail(source: str, reason: str) -> GeoError:
    return GeoError(f"{source}: {reason}")


def _number(text: str | None) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_corpus(xml: str | bytes, *, source: str = "corpus.xml") -> tuple[Document, ...]:
    """Parse GeoWebNews-format XML into documents with their gold toponyms (pure).

    Raises
    ------
    GeoError
        Naming ``source`` when the XML is malformed or a toponym lacks its offsets.
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise _fail(source, f"not well-formed XML ({exc}); expected GeoWebNews format") from None
    documents = []
    for number, article in enumerate(root.iter("article")):
        text = article.findtext("text")
        if text is None:
            raise _fail(source, f"article {number} has no <text>")
        toponyms = []
        skipped = 0
        for toponym in article.iter("toponym"):
            kind = (toponym.findtext("type") or "").strip()
            if kind in NOT_TOPONYMS:
                continue
            start = _number(toponym.findtext("start"))
            end = _number(toponym.findtext("end"))
            if start is None or end is None:
                raise _fail(
                    source,
                    f"article {number}: toponym {toponym.findtext('extractedName')!r} has "
                    "no numeric <start>/<end>; expected character offsets",
                )
            if not 0 <= start < end <= len(text):
                skipped += 1  # the corpus has a few spans past its text: leave them out
                continue
            toponyms.append(
                GoldToponym(
                    name=toponym.findtext("extractedName") or "",
                    type=kind or "untyped",
                    start=int(start),
                    end=int(end),
                    lat=_number(toponym.findtext("latitude")),
                    lon=_number(toponym.findtext("longitude")),
                )
            )
        documents.append(
            Document(
                id=article.get("file", str(number)),
                text=text,
                toponyms=tuple(sorted(toponyms, key=lambda t: (t.start, t.end))),
                skipped=skipped,
            )
        )
    if not documents:
        raise _fail(source, "no <article> elements; expected GeoWebNews format")
    return tuple(documents)


def _overlapping(
    mentions: Sequence[Mention], starts: list[int], gold: GoldToponym
) -> Mention | None:
    """Return the first predicted mention overlapping the gold span, if any."""
    i = bisect.bisect_left(starts, gold.start)
    for j in range(max(0, i - 3), len(mentions)):
        mention = mentions[j]
        if mention.start >= gold.end:
            break
        if mention.end > gold.start:
            return mention
    return None


def evaluate(
    documents: Iterable[Document], gazetteer: Gazetteer, *, world: WorldIndex | None
) -> Report:
    """Run the geoparser over each document and score it against the gold toponyms."""
    n_docs = gold_total = predicted = correct = recognised = resolvable = within = 0
    skipped = 0
    errors: list[float] = []
    by_type: dict[str, _TypeCounts] = {}
    for document in documents:
        n_docs += 1
        skipped += document.skipped
        mentions = find_mentions(document.text, gazetteer, world=world)
        starts = [m.start for m in mentions]
        predicted += len(mentions)
        gold_spans = [(t.start, t.end) for t in document.toponyms]
        for mention in mentions:
            if any(mention.start < e and s < mention.end for s, e in gold_spans):
                correct += 1
        for toponym in document.toponyms:
            counts = by_type.setdefault(toponym.type, _TypeCounts())
            counts.gold += 1
            gold_total += 1
            hit = _overlapping(mentions, starts, toponym)
            if hit is None:
                continue
            counts.recognised += 1
            recognised += 1
            if toponym.lat is None or toponym.lon is None:
                continue
            km = float(geodesic((toponym.lat, toponym.lon), (hit.place.lat, hit.place.lon)).km)
            errors.append(km)
            counts.resolvable += 1
            resolvable += 1
            if km <= ACCURACY_KM:
                counts.within += 1
                within += 1
    return Report(
        documents=n_docs,
        gold=gold_total,
        predicted=predicted,
        correct_predictions=correct,
        skipped=skipped,
        recognised=recognised,
        resolvable=resolvable,
        within=within,
        errors_km=tuple(errors),
        by_type={
            name: (c.gold, c.recognised, c.resolvable, c.within) for name, c in by_type.items()
        },
    )


def evaluate_file(path: str | Path, gazetteer: Gazetteer, *, world: WorldIndex | None) -> Report:
    """Read a GeoWebNews-format XML file and evaluate the geoparser on it.

    Raises
    ------
    GeoError
        Naming the file when it cannot be read or is not in the expected format.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _fail(str(path), f"cannot read the corpus ({exc.strerror or exc})") from exc
    return evaluate(parse_corpus(data, source=str(path)), gazetteer, world=world)


def format_report(report: Report) -> str:
    """Return the figures as a plain-text table."""
    lines = [
        f"documents {report.documents}   gold toponyms {report.gold}   "
        f"predicted {report.predicted}"
        + (
            f"   (gold spans past their text, left out: {report.skipped})" if report.skipped else ""
        ),
        "",
        f"{'recognition':<22}precision {report.precision:.3f}   recall {report.recall:.3f}"
        f"   F1 {report.f1:.3f}",
        f"{'resolution':<22}accuracy@161km {report.accuracy:.3f} "
        f"({report.within}/{report.resolvable})   median error {report.median_km:.1f} km",
        "",
        f"{'type':<22}{'gold':>6}{'recall':>9}{'placed':>8}{'acc@161':>9}",
    ]
    for name, (gold, rec, res, win) in sorted(report.by_type.items(), key=lambda kv: -kv[1][0]):
        recall = rec / gold if gold else 0.0
        accuracy = f"{win / res:.3f}" if res else "-"
        lines.append(f"{name:<22}{gold:>6}{recall:>9.3f}{res:>8}{accuracy:>9}")
    return "\n".join(lines)
