"""Totals of the events a view shows: how many, the deaths reported, the articles, the types.

>>> events = pd.DataFrame({
...     "event_type": ["Battles", "Protests", "Battles"],
...     "fatalities": pd.array([4, None, 12], dtype="Int64"),
...     "article": ["kharkiv", "dakar", "kharkiv"],
... })
>>> totals_line(totals_of(events))
'3 events · 16 fatalities reported; 1 event gives no toll · 2 articles · Battles 2 · Protests 1'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.models import EVENT_TYPES


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    """What the shown events add up to."""

    events: int
    #: The sum of the tolls the reports give; ``unreported`` events give none.
    fatalities: int
    unreported: int
    articles: int
    #: (event type, events) in the fixed order of ``EVENT_TYPES``, types shown only.
    per_type: tuple[tuple[str, int], ...]


def totals_of(events: pd.DataFrame) -> Totals:
    """Return the totals of an events frame (``event_type``, ``fatalities``, ``article``)."""
    tolls = events["fatalities"]
    counts = events["event_type"].value_counts()
    return Totals(
        events=len(events),
        fatalities=int(tolls.dropna().sum()),
        unreported=int(tolls.isna().sum()),
        articles=int(events["article"].nunique()),
        per_type=tuple((kind, int(counts[kind])) for kind in EVENT_TYPES if kind in counts),
    )


def totals_line(totals: Totals) -> str:
    """Return the totals as one plain-text line (to be escaped where it is shown)."""
    parts = [_count(totals.events, "event")]
    if totals.events:
        reported = totals.events - totals.unreported
        deaths = "no event gives a toll"
        if reported:
            noun = "fatality" if totals.fatalities == 1 else "fatalities"
            deaths = f"{totals.fatalities:,} {noun} reported"
        if totals.unreported and reported:
            gives = "gives" if totals.unreported == 1 else "give"
            deaths += f"; {_count(totals.unreported, 'event')} {gives} no toll"
        parts.append(deaths)
    parts.append(_count(totals.articles, "article"))
    parts += [f"{kind} {count:,}" for kind, count in totals.per_type]
    return " · ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")
