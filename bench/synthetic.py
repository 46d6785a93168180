"""Make synthetic news articles and events from the gazetteer, reproducibly (fixed seed).

The articles read like wire reports: a title, an outlet and date line, a dateline, and
sentences built from templates with gazetteer place names, dates, numbers and an
attribution. Nothing is copied from a real article.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path

from geo.gazetteer import Gazetteer
from geo.models import EVENT_TYPES, Article, Corpus, Event, Place

SEED = 20161018

OUTLETS = ("Wire Service", "Daily Courier", "Evening Post", "Radio Bulletin", "News Agency")
SOURCES = (
    "the defence ministry",
    "a monitoring group",
    "local officials",
    "a spokesman for the coalition",
    "the health ministry",
    "residents",
    "the United Nations",
)
ACTORS = ("Government", "Rebel", "Coalition", "Opposition", "Militia", "Army")
SENTENCES = (
    "{actor} forces shelled {place} on {weekday}, killing {n} civilians, {source} said.",
    "At least {n} people were killed in an air strike on {place} on {date}, {source} reported.",
    "A humanitarian corridor from {place} to {other} opened on {date}, {source} said.",
    "{actor} fighters attacked positions near {place} early on {weekday}.",
    "Residents of {place} said {n} families had left for {other} since {date}.",
    "The ceasefire around {place} held for {n} hours, according to {source}.",
    "Talks on {place} ended without agreement on {date}, {source} told reporters.",
    '"We have no water and no power," a resident of {place} said by telephone.',
    "Aid convoys carrying {n} tonnes of food reached {place} from {other}.",
    "{source_cap} said {n} shells had hit {place} and {other} over the past day.",
    "Prices in the markets of {place} have risen {n} per cent since {date}.",
    "Reporters could not independently verify the claims.",
)


def place_names(gazetteer: Gazetteer) -> list[str]:
    """Return every Latin-script name and alias in the gazetteer, sorted (stable)."""
    names = {name for name, _ in gazetteer.names() if name.isascii() and name.strip()}
    return sorted(names)


def article_text(rng: random.Random, names: Sequence[str], *, sentences: int = 12) -> str:
    """Return one synthetic wire report."""
    published = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(366))
    outlet = rng.choice(OUTLETS)
    place = rng.choice(names)
    lines = [
        f"{rng.choice(ACTORS)} forces and {rng.choice(ACTORS).lower()}s clash near {place}",
        "",
        f"{outlet} {published:%B} {published.day}, {published.year}, "
        f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
        "",
    ]
    body = [f"{place.upper()}, {published:%B} {published.day} ({outlet}) -"]
    for _ in range(sentences):
        day = published - dt.timedelta(days=rng.randrange(10))
        source = rng.choice(SOURCES)
        template = rng.choice(SENTENCES)
        body.append(
            template.format(
                actor=rng.choice(ACTORS),
                place=rng.choice(names),
                other=rng.choice(names),
                weekday=f"{day:%A}",
                date=f"{day:%B} {day.day}",
                n=rng.randrange(2, 400),
                source=source,
                source_cap=source[0].upper() + source[1:],
            )
        )
    paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
    return "\n".join(lines) + "\n\n".join(paragraphs) + "\n"


def write_articles(directory: Path, gazetteer: Gazetteer, count: int, *, seed: int = SEED) -> int:
    """Write ``count`` synthetic articles as ``NNNNNN.txt`` files; return the bytes written."""
    rng = random.Random(seed)
    names = place_names(gazetteer)
    directory.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(count):
        data = article_text(rng, names).encode("utf-8")
        (directory / f"{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


def events_corpus(
    gazetteer: Gazetteer, count: int, *, articles: int = 100, seed: int = SEED
) -> Corpus:
    """Return a corpus of ``count`` synthetic events spread over the gazetteer's places.

    Each event sits near a gazetteer place (jittered up to about 20 km) so that the map
    shows many distinct points, as a large real corpus would. Evidence and notes carry
    characters that must be escaped (quotes, ``<``, ``&``, backticks, ``${``).
    """
    rng = random.Random(seed)
    points = [place for place in gazetteer.places if place.kind != "country"] or list(
        gazetteer.places
    )
    docs = _articles(rng, articles)
    events = [_event(rng, i, rng.choice(points), rng.choice(docs)) for i in range(count)]
    return Corpus(
        articles=tuple(docs),
        mentions=tuple(() for _ in docs),
        events=tuple(events),
    )


def _articles(rng: random.Random, count: int) -> list[Article]:
    """Return ``count`` small synthetic articles for events to point at."""
    docs = []
    for i in range(count):
        text = f"Synthetic report {i}\n\nShelling was reported {rng.randrange(100)} times."
        docs.append(
            Article(
                id=f"synthetic-{i:04d}",
                path=f"synthetic/{i:04d}.txt",
                text=text,
                body=((0, len(text)),),
                title=f"Synthetic report {i}",
                outlet=rng.choice(OUTLETS),
                published=dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(366)),
                sentences=((0, len(text)),),
            )
        )
    return docs


def _event(rng: random.Random, i: int, place: Place, article: Article) -> Event:
    """Return one synthetic event near ``place`` reported by ``article``."""
    day = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(366))
    evidence = (
        f'Shells hit {place.name} on {day:%B} {day.day}, "killing {i % 50}" people '
        "<b>& ${wounding} `others`</b>."
    )
    fatalities = rng.choice((None, 0, 1, 3, 12, 40))
    return Event(
        id=f"evt-{i:07d}",
        event_date=day,
        time_precision=rng.choice((1, 2, 3)),
        event_type=rng.choice(EVENT_TYPES),  # type: ignore[arg-type]
        sub_event_type="Shelling/artillery/missile attack",
        actor1=rng.choice(ACTORS),
        actor2=rng.choice(("", "Civilians")),
        location=place.name,
        place_id=place.id,
        lat=place.lat + rng.uniform(-0.2, 0.2),
        lon=place.lon + rng.uniform(-0.2, 0.2),
        geo_precision=rng.choice((1, 2, 3)),
        fatalities=fatalities,
        source=article.outlet,
        article=article.id,
        title=article.title,
        notes=f"Shelling in {place.name}.",
        claimed_by=rng.choice(SOURCES),
        evidence=evidence,
        evidence_start=0,
        evidence_end=len(evidence),
    )
