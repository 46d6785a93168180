"""Score extracted events against a gold set of ACLED-style events (the events-dev format).

The gold file is JSON with ``articles``, ``events`` and ``non_events`` (the format of
``../shared/eval/events-dev/README.md``).  An extracted event is a GeoJSON event feature
as ``geo build`` writes it (``properties.layer == "event"``).  It **matches** a gold event
when it comes from the same article, its date (or its range ``event_date..end_date``)
overlaps the gold ``date_window``, its ``event_type`` is one of ``accept_types``, and its
point lies within ``tolerance_km`` of the gold point or of an ``alt_places`` point
(great-circle distance).  Matching is greedy and one to one: every matching pair is
sorted by distance / tolerance (ties: required gold first, then gold order, then the
extracted event's order) and taken in turn.

Figures: required recall (the headline), all-event recall, precision over every extracted
event of the gold's articles (an unmatched one is a *duplicate* when it would match a gold
event another extracted event took, a *non-event* when its evidence overlaps a listed
non-event quote, else *other*), the fatalities exact rate over matched pairs with an exact
gold count, per-field date / place / type correct rates from each gold event's best
same-article candidate, ``claimed_by`` present, and how many non-event quotes were
extracted.

The core is pure (``parse_gold``, ``extracted_from_features``, ``score``,
``format_report``); ``evaluate_events_dir`` reads the files and runs the pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from geopy.distance import great_circle

from geo.errors import GeoError
from geo.gazetteer import Gazetteer
from geo.models import EVENT_TYPES, Article
from geo.world import WorldIndex

__all__ = [
    "FIELDS",
    "Circle",
    "Extracted",
    "FalsePositive",
    "GoldEvent",
    "GoldResult",
    "GoldSet",
    "NonEvent",
    "Report",
    "evaluate_articles",
    "evaluate_events_dir",
    "extracted_from_features",
    "format_report",
    "load_gold",
    "parse_gold",
    "read_gold_articles",
    "score",
]

FIELDS: tuple[str, ...] = ("date", "place", "type")
#: IUGG mean earth radius, the one the events-dev scorer uses for great-circle distances.
EARTH_RADIUS_KM = 6371.0088
FalsePositiveKind = Literal["duplicate", "non_event", "other"]
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


# --- records ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Circle:
    """An accepted circle around a gold place."""

    place: str
    lat: float
    lon: float
    tolerance_km: float


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldEvent:
    """One hand-checked event of the gold set."""

    id: str
    article: str
    index: int  # position among the gold events: the tie-break after "required first"
    required: bool
    date_lo: dt.date
    date_hi: dt.date
    accept_types: tuple[str, ...]
    circles: tuple[Circle, ...]  # the gold place first, then its alt_places
    fatalities: int | None = None
    fatalities_exact: bool = False
    fatalities_alt: tuple[int, ...] = ()
    evidence: str = ""

    @property
    def place(self) -> str:
        return self.circles[0].place


@dataclass(frozen=True, slots=True, kw_only=True)
class NonEvent:
    """A passage an extractor might take for an event but that is none."""

    id: str
    article: str
    quote: str
    why: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldSet:
    """A parsed gold file: its articles, events and non-events."""

    articles: tuple[str, ...]  # article stems, in the gold's order
    events: tuple[GoldEvent, ...]
    non_events: tuple[NonEvent, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Extracted:
    """An extracted event as the scorer sees it (read from a GeoJSON event feature)."""

    index: int  # position among the event features: the last tie-break
    article: str  # the article's file stem
    event_date: dt.date | None
    end_date: dt.date | None = None
    event_type: str = ""
    lat: float | None = None
    lon: float | None = None
    fatalities: int | None = None
    claimed_by: str = ""
    location: str = ""
    evidence: str = ""
    span: tuple[int, int] | None = None  # evidence_start, evidence_end in the article text

    @property
    def last_date(self) -> dt.date | None:
        return self.end_date or self.event_date

    def as_dict(self) -> dict[str, object]:
        return {
            "event_date": _iso(self.event_date),
            "end_date": _iso(self.end_date) if self.end_date != self.event_date else None,
            "event_type": self.event_type,
            "location": self.location,
            "lat": self.lat,
            "lon": self.lon,
            "fatalities": self.fatalities,
            "claimed_by": self.claimed_by,
            "evidence": self.evidence[:200],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class GoldResult:
    """What became of one gold event: matched, or its best same-article candidate."""

    gold: GoldEvent
    matched: bool
    status: str  # "matched", "wrong place", "only date right", "no event from this article"...
    ok: tuple[str, ...]  # the FIELDS the match or best candidate gets right
    candidate: Extracted | None = None
    nearest_km: float | None = None
    same_sentence: bool = False  # the candidate's evidence overlaps the gold evidence


@dataclass(frozen=True, slots=True, kw_only=True)
class FalsePositive:
    """An extracted event that matched no gold event, and why it counts against."""

    extracted: Extracted
    kind: FalsePositiveKind
    duplicate_of: tuple[str, ...] = ()  # gold ids it would match, taken by others
    non_events: tuple[str, ...] = ()  # non-event ids its evidence overlaps


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """The outcome of scoring extracted events against a gold set."""

    articles: tuple[str, ...]
    results: tuple[GoldResult, ...]  # one per gold event, in gold order
    extracted: tuple[Extracted, ...]  # the extracted events of the gold's articles
    false_positives: tuple[FalsePositive, ...]
    non_events: tuple[NonEvent, ...]
    non_events_hit: tuple[str, ...]  # ids of the non-events an unmatched event came from
    ignored: int = 0  # extracted events of articles the gold does not hold

    # -- counts and figures --
    @property
    def matched(self) -> tuple[GoldResult, ...]:
        return tuple(r for r in self.results if r.matched)

    @property
    def required(self) -> tuple[GoldResult, ...]:
        return tuple(r for r in self.results if r.gold.required)

    @property
    def required_hit(self) -> int:
        return sum(1 for r in self.required if r.matched)

    @property
    def required_recall(self) -> float | None:
        return _rate(self.required_hit, len(self.required))

    @property
    def all_recall(self) -> float | None:
        return _rate(len(self.matched), len(self.results))

    @property
    def precision(self) -> float | None:
        return _rate(len(self.matched), len(self.extracted))

    def _fatality_pairs(self, *, nonzero: bool = False) -> list[tuple[GoldEvent, Extracted]]:
        pairs = []
        for r in self.matched:
            g = r.gold
            if g.fatalities_exact and g.fatalities is not None and r.candidate is not None:
                if not nonzero or g.fatalities > 0:
                    pairs.append((g, r.candidate))
        return pairs

    @staticmethod
    def _fatalities_right(gold: GoldEvent, extracted: Extracted) -> bool:
        got = extracted.fatalities or 0  # a missing count reads as 0
        return got == gold.fatalities or got in gold.fatalities_alt

    def fatalities(self, *, nonzero: bool = False) -> tuple[int, int]:
        """Return (right, scored) over matched pairs whose gold count is exact."""
        pairs = self._fatality_pairs(nonzero=nonzero)
        return sum(1 for g, x in pairs if self._fatalities_right(g, x)), len(pairs)

    def field_right(self, field: str, *, required_only: bool = False) -> tuple[int, int]:
        """Return (right, gold events) for one of FIELDS, from each gold's best candidate."""
        results = self.required if required_only else self.results
        return sum(1 for r in results if field in r.ok), len(results)

    def fp_count(self, kind: FalsePositiveKind) -> int:
        return sum(1 for f in self.false_positives if f.kind == kind)

    def claimed_by_rate(self, *, matched_only: bool = False) -> float | None:
        """Return the share of matched (or all extracted) events that name a source."""
        if matched_only:
            events = [r.candidate for r in self.matched if r.candidate is not None]
        else:
            events = list(self.extracted)
        return _rate(sum(1 for x in events if x.claimed_by), len(events))

    def summary(self) -> dict[str, object]:
        """Return the headline figures (the events-dev scorer's summary keys)."""
        fat_right, fat_n = self.fatalities()
        nz_right, nz_n = self.fatalities(nonzero=True)
        field = {f: _rate(*self.field_right(f)) for f in FIELDS}
        return {
            "articles": len(self.articles),
            "gold_events": len(self.results),
            "required": len(self.required),
            "extracted": len(self.extracted),
            "required_hit": self.required_hit,
            "required_recall": self.required_recall,
            "all_hit": len(self.matched),
            "all_recall": self.all_recall,
            "true_positives": len(self.matched),
            "precision": self.precision,
            "false_positives": len(self.false_positives),
            "fp_duplicates": self.fp_count("duplicate"),
            "fp_non_event": self.fp_count("non_event"),
            "fp_other": self.fp_count("other"),
            "fatalities_scored": fat_n,
            "fatalities_exact_rate": _rate(fat_right, fat_n),
            "fatalities_scored_nonzero": nz_n,
            "fatalities_exact_rate_nonzero": _rate(nz_right, nz_n),
            "date_correct_rate": field["date"],
            "place_correct_rate": field["place"],
            "type_correct_rate": field["type"],
            "claimed_by_present_matched": self.claimed_by_rate(matched_only=True),
            "claimed_by_present_all": self.claimed_by_rate(),
            "non_events": len(self.non_events),
            "non_events_extracted": len(self.non_events_hit),
            "ignored_events_other_articles": self.ignored,
        }

    def misses(self, *, required_only: bool = False) -> dict[str, int]:
        """Return how the unmatched gold events split ("wrong place": 3, ...)."""
        return dict(
            Counter(
                r.status.split(":")[0]
                for r in self.results
                if not r.matched and (r.gold.required or not required_only)
            )
        )

    def by_type(self) -> dict[str, dict[str, int]]:
        """Return recall counts by the gold's first accepted type, in ACLED's order."""
        out = {}
        for t in EVENT_TYPES:
            rs = [r for r in self.results if r.gold.accept_types[0] == t]
            if rs:
                out[t] = {
                    "gold": len(rs),
                    "hit": sum(1 for r in rs if r.matched),
                    "required": sum(1 for r in rs if r.gold.required),
                    "required_hit": sum(1 for r in rs if r.gold.required and r.matched),
                    "extracted": sum(1 for x in self.extracted if x.event_type == t),
                }
        return out

    def per_article(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for a in sorted(self.articles):
            rs = [r for r in self.results if r.gold.article == a]
            out.append(
                {
                    "article": a,
                    "gold": len(rs),
                    "required": sum(1 for r in rs if r.gold.required),
                    "required_hit": sum(1 for r in rs if r.gold.required and r.matched),
                    "all_hit": sum(1 for r in rs if r.matched),
                    "extracted": sum(1 for x in self.extracted if x.article == a),
                    "false_positives": sum(
                        1 for f in self.false_positives if f.extracted.article == a
                    ),
                }
            )
        return out

    def as_dict(self) -> dict[str, object]:
        """Return the whole report as plain JSON-ready values."""
        quote = {n.id: n.quote for n in self.non_events}
        return {
            "summary": self.summary(),
            "field_rates_required": {
                f: _rate(*self.field_right(f, required_only=True)) for f in FIELDS
            },
            "by_type": self.by_type(),
            "misses": self.misses(),
            "misses_required": self.misses(required_only=True),
            "per_article": self.per_article(),
            "gold": [_result_dict(r) for r in self.results],
            "false_positives": [
                {
                    "kind": f.kind,
                    "article": f.extracted.article,
                    "duplicate_of": list(f.duplicate_of),
                    "non_events": list(f.non_events),
                    **f.extracted.as_dict(),
                }
                for f in self.false_positives
            ],
            "fatalities_mismatches": [
                {
                    "id": g.id,
                    "gold": g.fatalities,
                    "alt": list(g.fatalities_alt),
                    "extracted": x.fatalities,
                }
                for g, x in self._fatality_pairs()
                if not self._fatalities_right(g, x)
            ],
            "non_events_hit": {nid: quote[nid] for nid in self.non_events_hit},
        }


def _result_dict(r: GoldResult) -> dict[str, object]:
    out: dict[str, object] = {
        "id": r.gold.id,
        "required": r.gold.required,
        "matched": r.matched,
        "ok": list(r.ok),
        "status": r.status,
    }
    if r.matched:
        out["evidence_same_sentence"] = r.same_sentence
    out["extracted"] = r.candidate.as_dict() if r.candidate is not None else None
    if not r.matched and r.candidate is not None:
        out["nearest_km"] = r.nearest_km
        out["gold"] = {
            "date_window": [r.gold.date_lo.isoformat(), r.gold.date_hi.isoformat()],
            "place": r.gold.place,
            "accept_types": list(r.gold.accept_types),
        }
    return out


# --- parsing ---------------------------------------------------------------------------


def parse_gold(data: object, *, source: str = "gold.json") -> GoldSet:
    """Check a decoded gold file and return its records (pure).

    Raises
    ------
    GeoError
        One line naming ``source``, the record and the field, and what was expected.
    """
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise GeoError(
            f"{source}: expected a JSON object with an 'events' list "
            "(the events-dev gold format: meta, summary, articles, events, non_events)"
        )
    raw_articles = data.get("articles", [])
    if not isinstance(raw_articles, list):
        raise GeoError(f"{source}: 'articles' must be a list of {{\"article\": stem, ...}}")
    articles: list[str] = []
    for i, a in enumerate(raw_articles):
        where = f"{source}: articles[{i}]"
        stem = a.get("article") if isinstance(a, dict) else None
        if not isinstance(stem, str) or not stem.strip():
            raise GeoError(f"{where}: expected an object with an 'article' file stem")
        articles.append(stem)
    events = tuple(
        _gold_event(e, i, f"{source}: events[{i}]") for i, e in enumerate(data["events"])
    )
    raw_non = data.get("non_events", [])
    if not isinstance(raw_non, list):
        raise GeoError(f"{source}: 'non_events' must be a list")
    non_events = []
    for i, n in enumerate(raw_non):
        where = f"{source}: non_events[{i}]"
        if not isinstance(n, dict):
            raise GeoError(f"{where}: expected an object with id, article and quote")
        non_events.append(
            NonEvent(
                id=_text(n, "id", where),
                article=_text(n, "article", where),
                quote=_text(n, "quote", where),
                why=str(n.get("why") or ""),
            )
        )
    if not articles:  # no article list: the gold's events name them
        articles = list(dict.fromkeys(e.article for e in events))
    seen: set[str] = set()
    for e in events:
        if e.id in seen:
            raise GeoError(f"{source}: event id {e.id!r} is given twice; expected unique ids")
        seen.add(e.id)
    known = set(articles)
    for e in events:
        if e.article not in known:
            raise GeoError(f"{source}: event {e.id}: article {e.article!r} is not in 'articles'")
    return GoldSet(articles=tuple(articles), events=events, non_events=tuple(non_events))


def _gold_event(e: object, index: int, where: str) -> GoldEvent:
    if not isinstance(e, dict):
        raise GeoError(f"{where}: expected an event object")
    ident = _text(e, "id", where)
    where = f"{where} ({ident})"
    window = e.get("date_window")
    days = [_day(d) for d in window] if isinstance(window, list) and len(window) == 2 else []
    if len(days) != 2 or days[0] is None or days[1] is None or days[1] < days[0]:
        raise GeoError(
            f"{where}: date_window: expected [lo, hi] ISO dates with lo <= hi, got {window!r}"
        )
    types = e.get("accept_types")
    if not isinstance(types, list) or not types or any(t not in EVENT_TYPES for t in types):
        raise GeoError(
            f"{where}: accept_types: expected a list of ACLED types "
            f"({', '.join(EVENT_TYPES)}), got {types!r}"
        )
    circles = [_circle(e, where)]
    alts = e.get("alt_places", [])
    if not isinstance(alts, list):
        raise GeoError(f"{where}: alt_places: expected a list of {{place, lat, lon, tolerance_km}}")
    circles += [_circle(p, f"{where}: alt_places[{i}]") for i, p in enumerate(alts)]
    required = e.get("required")
    if not isinstance(required, bool):
        raise GeoError(f"{where}: required: expected true or false, got {required!r}")
    fatalities = e.get("fatalities")
    if fatalities is not None and not _is_int(fatalities):
        raise GeoError(f"{where}: fatalities: expected a whole number or null, got {fatalities!r}")
    alt = e.get("fatalities_alt", [])
    if not isinstance(alt, list) or not all(_is_int(n) for n in alt):
        raise GeoError(f"{where}: fatalities_alt: expected a list of whole numbers, got {alt!r}")
    return GoldEvent(
        id=ident,
        article=_text(e, "article", where),
        index=index,
        required=required,
        date_lo=days[0],
        date_hi=days[1],
        accept_types=tuple(types),
        circles=tuple(circles),
        fatalities=fatalities,
        fatalities_exact=bool(e.get("fatalities_exact")),
        fatalities_alt=tuple(alt),
        evidence=str(e.get("evidence") or ""),
    )


def _circle(p: object, where: str) -> Circle:
    if not isinstance(p, dict):
        raise GeoError(f"{where}: expected {{place, lat, lon, tolerance_km}}")
    values = {}
    for name, lo, hi in (("lat", -90, 90), ("lon", -180, 180), ("tolerance_km", 0, 20_040)):
        v = p.get(name)
        if not isinstance(v, int | float) or isinstance(v, bool) or not lo <= v <= hi:
            raise GeoError(f"{where}: {name}: expected a number in [{lo}, {hi}], got {v!r}")
        values[name] = float(v)
    if values["tolerance_km"] <= 0:
        raise GeoError(f"{where}: tolerance_km: expected a positive number of km")
    return Circle(place=str(p.get("place") or ""), **values)


def _text(record: dict[str, Any], name: str, where: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value:
        raise GeoError(f"{where}: {name}: expected a non-empty string, got {value!r}")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _day(value: object) -> dt.date | None:
    m = _ISO_DAY.match(str(value or ""))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def extracted_from_features(features: Iterable[Mapping[str, Any]]) -> tuple[Extracted, ...]:
    """Return the event features of a GeoJSON feature list as scorer records (pure).

    Features whose ``properties.layer`` is not ``"event"`` are skipped; a field that does
    not read (no date, no point) is left empty, so the event simply matches nothing.
    """
    out = []
    events = (f for f in features if (f.get("properties") or {}).get("layer") == "event")
    for index, feature in enumerate(events):
        pr = feature.get("properties") or {}
        lo, hi = _day(pr.get("event_date")), _day(pr.get("end_date"))
        if lo is not None and hi is not None and hi < lo:
            lo, hi = hi, lo
        lat = lon = None
        geometry = feature.get("geometry") or {}
        coords = geometry.get("coordinates") or []
        if geometry.get("type") == "Point" and len(coords) >= 2:
            try:
                lon, lat = float(coords[0]), float(coords[1])
            except (TypeError, ValueError):
                lat = lon = None
        try:
            raw = pr.get("fatalities")
            fatalities = int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            fatalities = None
        try:
            span: tuple[int, int] | None = (int(pr["evidence_start"]), int(pr["evidence_end"]))
        except (KeyError, TypeError, ValueError):
            span = None
        out.append(
            Extracted(
                index=index,
                article=Path(str(pr.get("article") or "")).stem,
                event_date=lo,
                end_date=hi,
                event_type=str(pr.get("event_type") or ""),
                lat=lat,
                lon=lon,
                fatalities=fatalities,
                claimed_by=str(pr.get("claimed_by") or "").strip(),
                location=str(pr.get("location") or ""),
                evidence=str(pr.get("evidence") or ""),
                span=span,
            )
        )
    return tuple(out)


# --- scoring ---------------------------------------------------------------------------


def _rate(right: int, total: int) -> float | None:
    return round(right / total, 3) if total else None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(great_circle((lat1, lon1), (lat2, lon2), radius=EARTH_RADIUS_KM).km)


def _date_ok(g: GoldEvent, x: Extracted) -> bool:
    last = x.last_date
    return (
        x.event_date is not None
        and last is not None
        and x.event_date <= g.date_hi
        and (last >= g.date_lo)
    )


def _date_gap(g: GoldEvent, x: Extracted) -> int:
    last = x.last_date
    if x.event_date is None or last is None:
        return 10**6
    if _date_ok(g, x):
        return 0
    return min(abs((x.event_date - g.date_hi).days), abs((last - g.date_lo).days))


def _place_ratio(g: GoldEvent, x: Extracted) -> float | None:
    """Return distance / tolerance to the nearest accepted circle; None if outside all."""
    if x.lat is None or x.lon is None:
        return None
    best = min(_km(c.lat, c.lon, x.lat, x.lon) / c.tolerance_km for c in g.circles)
    return best if best <= 1.0 else None


def _nearest_km(g: GoldEvent, x: Extracted) -> float:
    if x.lat is None or x.lon is None:
        return math.inf
    return min(_km(c.lat, c.lon, x.lat, x.lon) for c in g.circles)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).translate(_QUOTES)
    return " ".join(text.split()).lower()


def _spans_of(text: str | None, quote: str) -> tuple[tuple[int, int], ...]:
    """Return every occurrence of ``quote`` in ``text`` (a text may repeat a passage)."""
    if not text or not quote:
        return ()
    out = []
    i = text.find(quote)
    while i >= 0:
        out.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return tuple(out)


def _same_passage(
    x: Extracted, quote: str, quote_spans: Sequence[tuple[int, int]], texts: Mapping[str, str]
) -> bool:
    """Tell whether the event's evidence overlaps a quote: by offsets, else by text."""
    if quote_spans and x.span is not None and x.article in texts:
        start, end = x.span
        return any(s < end and start < e for s, e in quote_spans)
    q, ev = _fold(quote), _fold(x.evidence)
    return bool(ev) and (q in ev or ev in q)


def score(gold: GoldSet, extracted: Sequence[Extracted], texts: Mapping[str, str]) -> Report:
    """Match extracted events to the gold events one to one and count what came right.

    Parameters
    ----------
    gold : GoldSet
        From :func:`parse_gold`.
    extracted : sequence of Extracted
        The extracted events in file order (from :func:`extracted_from_features`); those
        of articles the gold does not hold are counted as ignored.
    texts : mapping of article stem to text
        The article texts the evidence offsets point into; without an article's text its
        evidence is compared to the quotes as text.

    Returns
    -------
    Report
    """
    keep = set(gold.articles)
    G = [g for g in gold.events if g.article in keep]
    X = [x for x in extracted if x.article in keep]

    pairs = []
    for g in G:
        for x in X:
            if x.article != g.article or x.event_type not in g.accept_types:
                continue
            if not _date_ok(g, x):
                continue
            ratio = _place_ratio(g, x)
            if ratio is not None:
                pairs.append((round(ratio, 6), not g.required, g.index, x.index, g, x))
    pairs.sort(key=lambda p: p[:4])
    taken_x: dict[int, GoldEvent] = {}  # extracted index -> its gold
    taken_g: dict[str, Extracted] = {}  # gold id -> its extracted event
    would: dict[int, list[GoldEvent]] = {}
    for *_, g, x in pairs:
        would.setdefault(x.index, []).append(g)
        if g.id in taken_g or x.index in taken_x:
            continue
        taken_g[g.id], taken_x[x.index] = x, g

    gold_spans = {g.id: _spans_of(texts.get(g.article), g.evidence) for g in G}
    non_events = [n for n in gold.non_events if n.article in keep]
    ne_spans = {n.id: _spans_of(texts.get(n.article), n.quote) for n in non_events}

    false_positives = []
    hit: dict[str, None] = {}
    for x in X:
        if x.index in taken_x:
            continue
        nes = tuple(
            n.id
            for n in non_events
            if n.article == x.article and _same_passage(x, n.quote, ne_spans[n.id], texts)
        )
        hit.update(dict.fromkeys(nes))
        dups = tuple(sorted(g.id for g in would.get(x.index, ())))
        kind: FalsePositiveKind = "duplicate" if dups else ("non_event" if nes else "other")
        false_positives.append(
            FalsePositive(extracted=x, kind=kind, duplicate_of=dups, non_events=nes)
        )

    results = [_result(g, X, taken_g, taken_x, gold_spans[g.id], texts) for g in G]
    return Report(
        articles=tuple(gold.articles),
        results=tuple(results),
        extracted=tuple(X),
        false_positives=tuple(false_positives),
        non_events=tuple(non_events),
        non_events_hit=tuple(sorted(hit)),
        ignored=len(extracted) - len(X),
    )


def _result(
    g: GoldEvent,
    X: Sequence[Extracted],
    taken_g: Mapping[str, Extracted],
    taken_x: Mapping[int, GoldEvent],
    spans: Sequence[tuple[int, int]],
    texts: Mapping[str, str],
) -> GoldResult:
    """Return the gold event's match, or its best same-article candidate and what it missed."""
    if g.id in taken_g:
        x = taken_g[g.id]
        return GoldResult(
            gold=g,
            matched=True,
            status="matched",
            ok=FIELDS,
            candidate=x,
            same_sentence=_same_passage(x, g.evidence, spans, texts),
        )
    best: tuple[tuple[int, bool, int, float], Extracted, tuple[bool, ...]] | None = None
    for x in X:
        if x.article != g.article:
            continue
        flags = (
            _date_ok(g, x),
            _place_ratio(g, x) is not None,
            x.event_type in g.accept_types,
        )
        key = (
            sum(flags),
            _same_passage(x, g.evidence, spans, texts),
            -_date_gap(g, x),
            -_nearest_km(g, x),
        )
        if best is None or key > best[0]:  # the first of equals wins
            best = (key, x, flags)
    if best is None:
        return GoldResult(gold=g, matched=False, status="no event from this article", ok=())
    _, x, best_flags = best
    ok = tuple(f for f, o in zip(FIELDS, best_flags, strict=True) if o)
    if len(ok) == 3:
        other = taken_x.get(x.index)
        status = f"duplicate-merged: its event matched {other.id}" if other else "all fields right"
    elif len(ok) == 2:
        status = "wrong " + next(f for f in FIELDS if f not in ok)
    elif len(ok) == 1:
        status = f"only {ok[0]} right"
    else:
        status = "nothing right"
    return GoldResult(
        gold=g,
        matched=False,
        status=status,
        ok=ok,
        candidate=x,
        nearest_km=round(_nearest_km(g, x), 1),
        same_sentence=best[0][1],
    )


# --- text report -------------------------------------------------------------------------


def _shown(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _safe(text: str, limit: int) -> str:
    """Return article text fit for one terminal line: no control characters, cut short."""
    flat = " ".join(text.split())
    clean = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in flat)
    return clean if len(clean) <= limit else clean[: limit - 1] + "\u2026"


def _brief(x: Extracted) -> str:
    days = _iso(x.event_date) or "?"
    if x.end_date is not None and x.end_date != x.event_date:
        days += f"..{x.end_date.isoformat()}"
    return f"{days} {x.event_type or '?'} @ {_safe(x.location, 40) or '?'}"


def format_report(report: Report) -> str:
    """Return the figures as a plain-text table, then the misses and false positives.

    Each missed required event and each false positive is one line; article text in
    them (locations, evidence) is flattened and stripped of control characters.
    """
    fat_right, fat_n = report.fatalities()
    nz_right, nz_n = report.fatalities(nonzero=True)
    n_extracted = len(report.extracted)
    rows: list[tuple[str, str, str]] = [
        (
            "required recall",
            _shown(report.required_recall),
            f"{report.required_hit}/{len(report.required)} required gold events matched",
        ),
        (
            "all-event recall",
            _shown(report.all_recall),
            f"{len(report.matched)}/{len(report.results)} gold events matched",
        ),
        (
            "precision",
            _shown(report.precision),
            f"{len(report.matched)}/{n_extracted} extracted events matched; false positives: "
            f"{report.fp_count('duplicate')} duplicates, "
            f"{report.fp_count('non_event')} non-events, {report.fp_count('other')} other",
        ),
    ]
    for field in FIELDS:
        right, total = report.field_right(field)
        req_right, req_total = report.field_right(field, required_only=True)
        rows.append(
            (
                f"{field} correct",
                _shown(_rate(right, total)),
                f"{right}/{total} gold events (required: {req_right}/{req_total}), "
                "best same-article candidate",
            )
        )
    rows += [
        (
            "fatalities exact",
            _shown(_rate(fat_right, fat_n)),
            f"{fat_right}/{fat_n} matched with an exact gold count "
            f"(non-zero gold: {nz_right}/{nz_n})",
        ),
        (
            "claimed_by present",
            _shown(report.claimed_by_rate(matched_only=True)),
            f"of matched events; of all extracted: {_shown(report.claimed_by_rate())}",
        ),
        (
            "non-events extracted",
            str(len(report.non_events_hit)),
            f"of {len(report.non_events)} listed non-events",
        ),
    ]
    ignored = f", {report.ignored} of other articles ignored" if report.ignored else ""
    lines = [
        f"{len(report.articles)} articles, {len(report.results)} gold events "
        f"({len(report.required)} required), {n_extracted} extracted{ignored}",
        "",
        f"{'figure':<22}{'value':>7}   detail",
    ]
    lines += [f"{name:<22}{value:>7}   {detail}" for name, value, detail in rows]
    misses = report.misses()
    lines.append(
        "misses: "
        + (
            ", ".join(f"{k} {v}" for k, v in sorted(misses.items(), key=lambda kv: -kv[1]))
            or "none"
        )
    )
    missed = [r for r in report.required if not r.matched]
    lines += ["", f"missed required events ({len(missed)}):"]
    for r in missed:
        g = r.gold
        days = g.date_lo.isoformat()
        if g.date_hi != g.date_lo:
            days += f"..{g.date_hi.isoformat()}"
        got = "-"
        if r.candidate is not None:
            got = f"{_brief(r.candidate)} ({r.nearest_km} km)"
        lines.append(
            f"  {g.id:<14} {r.status}; gold {days} {g.accept_types[0]} @ "
            f"{_safe(g.place, 40)}; best: {got}"
        )
    if not missed:
        lines.append("  none")
    lines += ["", f"false positives ({len(report.false_positives)}):"]
    for f in report.false_positives:
        extra = f" dup of {','.join(f.duplicate_of)}" if f.duplicate_of else ""
        extra += f" non-event {','.join(f.non_events)}" if f.non_events else ""
        lines.append(
            f"  {f.kind:<9} {_safe(f.extracted.article, 30)} {_brief(f.extracted)}{extra}"
            f" | {_safe(f.extracted.evidence, 90)}"
        )
    if not report.false_positives:
        lines.append("  none")
    return "\n".join(lines)


# --- I/O at the edge ---------------------------------------------------------------------


def load_gold(path: str | Path) -> GoldSet:
    """Read and check a gold file.

    Raises
    ------
    GeoError
        Naming the file when it cannot be read, is not JSON or not in the format.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise GeoError(f"{path}: cannot read the gold file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise GeoError(f"{path}: not UTF-8 text ({exc.reason}); expected a JSON gold file") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise GeoError(f"{path}: not JSON ({exc}); expected an events-dev gold file") from exc
    return parse_gold(data, source=str(path))


def read_gold_articles(
    gold: GoldSet, directory: str | Path, *, gold_source: str = "gold.json"
) -> tuple[Article, ...]:
    """Read the articles of ``directory`` and check that it holds every article of the gold.

    Raises
    ------
    GeoError
        When the folder cannot be read or an article the gold scores is not in it.
    """
    from geo.articles import read_articles

    articles = read_articles(directory)
    found = {a.id for a in articles}
    for stem in gold.articles:
        if stem not in found:
            raise GeoError(
                f"{directory}: no article {stem!r} that {gold_source} scores; expected a file "
                f"{stem}.txt (or .html, .htm, .md) in the folder"
            )
    return articles


def evaluate_articles(
    gold: GoldSet,
    articles: Sequence[Article],
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    jobs: int = 1,
) -> Report:
    """Build ``articles`` as ``geo build`` does and score their events against ``gold``.

    Nothing is written: the events scored are the features ``map.geojson`` would hold.
    """
    from geo.corpus import analyse
    from geo.export import to_geojson
    from geo.layers import build_layers

    corpus = analyse(articles, gazetteer, world=world, jobs=jobs)
    layers = build_layers(corpus, gazetteer)
    extracted = extracted_from_features(to_geojson(layers)["features"])
    return score(gold, extracted, {a.id: a.text for a in articles})


def evaluate_events_dir(
    gold_path: str | Path,
    directory: str | Path,
    gazetteer: Gazetteer,
    *,
    world: WorldIndex | None,
    jobs: int = 1,
) -> Report:
    """Read a gold file and a folder of articles, build them and score their events.

    Raises
    ------
    GeoError
        When the gold file is bad, the folder cannot be read, or an article of the gold
        is not in the folder.
    """
    gold = load_gold(gold_path)
    articles = read_gold_articles(gold, directory, gold_source=str(gold_path))
    return evaluate_articles(gold, articles, gazetteer, world=world, jobs=jobs)
